//! AVI rewrites for tests. ffmpeg writes the OpenDML index (`indx` super index in each
//! `strl`, `ix##` standard index chunks) only past 1 GB; [`to_opendml`] gives a small ffmpeg
//! AVI 1.0 file that form instead: the `JUNK` ffmpeg reserves in each `strl` for the super
//! index becomes an `indx`, one `ix##` per stream goes at the end of `movi`, and `idx1` is
//! dropped (so a reader must use the OpenDML index, as in the second RIFF of a big file).

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// A chunk or list of the RIFF tree: (fourcc, offset of its header, data size).
fn chunks(b: &[u8], mut off: usize, end: usize) -> Vec<([u8; 4], usize, usize)> {
    let mut v = Vec::new();
    while off + 8 <= end {
        let fcc: [u8; 4] = b[off..off + 4].try_into().unwrap();
        let size = u32le(b, off + 4) as usize;
        v.push((fcc, off, size));
        off += 8 + size + (size & 1);
    }
    v
}

/// See the module docs. Panics if the file is not the AVI 1.0 layout ffmpeg writes.
pub fn to_opendml(b: &[u8]) -> Vec<u8> {
    let top = chunks(b, 12, b.len());
    let find = |list: &[([u8; 4], usize, usize)], fcc: &[u8; 4], kind: Option<&[u8; 4]>| {
        *list
            .iter()
            .find(|(f, off, _)| f == fcc && kind.is_none_or(|k| &b[off + 8..off + 12] == k))
            .unwrap_or_else(|| panic!("no {}", String::from_utf8_lossy(fcc)))
    };
    let (_, hdrl, hdrl_size) = find(&top, b"LIST", Some(b"hdrl"));
    let (_, movi, movi_size) = find(&top, b"LIST", Some(b"movi"));
    let (_, idx1, idx1_size) = find(&top, b"idx1", None);
    // idx1 entries: ckid, flags, offset (from the `movi` fourcc), size.
    let mut per_stream: Vec<(Vec<u8>, Vec<(u32, u32, bool)>)> = Vec::new();
    for e in (idx1 + 8..idx1 + 8 + idx1_size).step_by(16) {
        let ckid = &b[e..e + 4];
        let Some(n) = std::str::from_utf8(&ckid[..2])
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        else {
            continue;
        };
        let (flags, off, size) = (u32le(b, e + 4), u32le(b, e + 8), u32le(b, e + 12));
        while per_stream.len() <= n {
            per_stream.push((Vec::new(), Vec::new()));
        }
        per_stream[n].0 = ckid.to_vec();
        // dwOffset of an ix## entry points at the chunk's data, after its 8-byte header.
        per_stream[n].1.push((off + 8, size, flags & 0x10 != 0));
    }
    let base = (movi + 8) as u64; // qwBaseOffset: the `movi` fourcc, as idx1 counts from.
                                  // The ix## chunks, appended to movi.
    let movi_end = movi + 8 + movi_size;
    let mut ix_chunks = Vec::new();
    let mut ix_pos = Vec::new();
    for (n, (ckid, entries)) in per_stream.iter().enumerate() {
        let mut c = format!("ix{n:02}").into_bytes();
        let body_len = 24 + 8 * entries.len();
        c.extend_from_slice(&(body_len as u32).to_le_bytes());
        c.extend_from_slice(&2u16.to_le_bytes()); // wLongsPerEntry
        c.push(0); // bIndexSubType
        c.push(1); // bIndexType: AVI_INDEX_OF_CHUNKS
        c.extend_from_slice(&(entries.len() as u32).to_le_bytes()); // nEntriesInUse
        c.extend_from_slice(ckid); // dwChunkId
        c.extend_from_slice(&base.to_le_bytes()); // qwBaseOffset
        c.extend_from_slice(&0u32.to_le_bytes()); // dwReserved3
        for &(off, size, key) in entries {
            c.extend_from_slice(&off.to_le_bytes()); // dwOffset
            let size = if key { size } else { size | 0x8000_0000 }; // bit 31: not a key frame
            c.extend_from_slice(&size.to_le_bytes()); // dwSize
        }
        ix_pos.push((movi_end + ix_chunks.len()) as u64);
        ix_chunks.extend_from_slice(&c);
    }
    // The super indexes, in place of each strl's JUNK (same size, so nothing moves).
    let mut out = b[..movi_end].to_vec();
    let strls: Vec<_> = chunks(b, hdrl + 12, hdrl + 8 + hdrl_size)
        .into_iter()
        .filter(|(f, off, _)| f == b"LIST" && &b[off + 8..off + 12] == b"strl")
        .collect();
    for (n, &(_, strl, strl_size)) in strls.iter().enumerate() {
        let (_, junk, junk_size) = find(&chunks(b, strl + 12, strl + 8 + strl_size), b"JUNK", None);
        let (ckid, entries) = &per_stream[n];
        let mut c = b"indx".to_vec();
        c.extend_from_slice(&(junk_size as u32).to_le_bytes());
        c.extend_from_slice(&4u16.to_le_bytes()); // wLongsPerEntry
        c.push(0); // bIndexSubType
        c.push(0); // bIndexType: AVI_INDEX_OF_INDEXES
        c.extend_from_slice(&1u32.to_le_bytes()); // nEntriesInUse
        c.extend_from_slice(ckid); // dwChunkId
        c.extend_from_slice(&[0; 12]); // dwReserved[3]
        c.extend_from_slice(&ix_pos[n].to_le_bytes()); // qwOffset of the ix## chunk
        c.extend_from_slice(&((32 + 8 * entries.len()) as u32).to_le_bytes()); // dwSize
        c.extend_from_slice(&(entries.len() as u32).to_le_bytes()); // dwDuration (chunks)
        assert!(c.len() <= 8 + junk_size);
        c.resize(8 + junk_size, 0);
        out[junk..junk + c.len()].copy_from_slice(&c);
    }
    out.extend_from_slice(&ix_chunks);
    // movi and RIFF sizes grow by the ix## chunks; idx1 (after movi) is dropped.
    let new_movi = (movi_size + ix_chunks.len()) as u32;
    out[movi + 4..movi + 8].copy_from_slice(&new_movi.to_le_bytes());
    let riff = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&riff.to_le_bytes());
    // avih dwFlags: no AVIF_HASINDEX (0x10) / AVIF_MUSTUSEINDEX (0x20) for the dropped idx1.
    let avih = hdrl + 12 + 8;
    let flags = u32le(&out, avih + 12) & !0x30;
    out[avih + 12..avih + 16].copy_from_slice(&flags.to_le_bytes());
    out
}
