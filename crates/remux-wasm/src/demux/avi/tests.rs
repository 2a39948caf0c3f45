//! Unit tests of the AVI demuxer on files built here byte by byte: the OpenDML multi-RIFF
//! layout (`RIFF AVI ` + `RIFF AVIX` extensions, `indx` → `ix##`) that ffmpeg only writes
//! past 1 GB, scaled down to a few hundred bytes.

use crate::demux::SeekTarget;
use super::*;
use crate::io::SparseCache;

fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = id.to_vec();
    v.extend_from_slice(&(body.len() as u32).to_le_bytes());
    v.extend_from_slice(body);
    if body.len() % 2 == 1 {
        v.push(0);
    }
    v
}

fn list(kind: &[u8; 4], id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = kind.to_vec();
    b.extend_from_slice(body);
    chunk(id, &b)
}

/// `ix00` for chunks at `(header offset, size, key)`, offsets relative to `base`.
fn ix00(base: u64, entries: &[(u64, u32, bool)]) -> Vec<u8> {
    let mut b = vec![2, 0, 0, 1];
    b.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    b.extend_from_slice(b"00dc");
    b.extend_from_slice(&base.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    for &(pos, size, key) in entries {
        b.extend_from_slice(&((pos + 8).wrapping_sub(base) as u32).to_le_bytes());
        b.extend_from_slice(&(if key { size } else { size | 0x8000_0000 }).to_le_bytes());
    }
    chunk(b"ix00", &b)
}

/// An MJPEG-style one-stream OpenDML file: frames 0, 1 in the first RIFF, frames 2, 3 in a
/// `RIFF AVIX`, key frames 0 and 2, each RIFF with its `ix00`, an `indx` pointing at both.
/// Returns the file and the header offset of every frame chunk.
fn opendml_file() -> (Vec<u8>, Vec<u64>) {
    let frame = |n: u8| chunk(b"00dc", &[0xFF, 0xD8, n, n, n]);
    let mut avih = vec![0u8; 56];
    avih[0..4].copy_from_slice(&40_000u32.to_le_bytes());
    avih[24..28].copy_from_slice(&1u32.to_le_bytes());
    let mut strh = vec![0u8; 56];
    strh[0..4].copy_from_slice(b"vids");
    strh[4..8].copy_from_slice(b"MJPG");
    strh[20..24].copy_from_slice(&1u32.to_le_bytes());
    strh[24..28].copy_from_slice(&25u32.to_le_bytes());
    strh[32..36].copy_from_slice(&2u32.to_le_bytes()); // dwLength: first RIFF only
    let mut strf = vec![0u8; 40];
    strf[0..4].copy_from_slice(&40u32.to_le_bytes());
    strf[4..8].copy_from_slice(&64u32.to_le_bytes());
    strf[8..12].copy_from_slice(&48u32.to_le_bytes());
    strf[16..20].copy_from_slice(b"MJPG");
    // Two passes: the first lays the file out with placeholder offsets, the second fills them.
    let build = |ix: [(u64, u32); 2], frames: &[u64]| {
        let mut indx = vec![4, 0, 0, 0];
        indx.extend_from_slice(&2u32.to_le_bytes());
        indx.extend_from_slice(b"00dc");
        indx.extend_from_slice(&[0; 12]);
        for (off, size) in ix {
            indx.extend_from_slice(&off.to_le_bytes());
            indx.extend_from_slice(&size.to_le_bytes());
            indx.extend_from_slice(&2u32.to_le_bytes()); // dwDuration: 2 frames each
        }
        let mut strl = chunk(b"strh", &strh);
        strl.extend(chunk(b"strf", &strf));
        strl.extend(chunk(b"indx", &indx));
        let mut hdrl = chunk(b"avih", &avih);
        hdrl.extend(list(b"strl", b"LIST", &strl));
        let mut file = list(b"AVI ", b"RIFF", &list(b"hdrl", b"LIST", &hdrl));
        // First RIFF: movi with frames 0, 1 and ix00.
        let movi_start = file.len() as u64; // LIST header of movi
        let mut movi = Vec::new();
        let mut at = movi_start + 12;
        let mut positions = Vec::new();
        for n in 0..2u8 {
            positions.push(at);
            let f = frame(n);
            at += f.len() as u64;
            movi.extend(f);
        }
        let ix_a = at;
        let ix = ix00(
            movi_start + 8,
            &[
                (*frames.first().unwrap_or(&0), 5, true),
                (*frames.get(1).unwrap_or(&0), 5, false),
            ],
        );
        let ix_a_len = ix.len() as u32;
        movi.extend(ix);
        file.extend(list(b"movi", b"LIST", &movi));
        // The idx1 of an OpenDML file covers the first RIFF only: leave it out, so only the
        // OpenDML index can place frames 2 and 3.
        let riff_size = (file.len() - 8) as u32;
        file[4..8].copy_from_slice(&riff_size.to_le_bytes());
        // RIFF AVIX with frames 2, 3 and its ix00.
        let avix_start = file.len() as u64;
        let movi2_start = avix_start + 12;
        let mut movi2 = Vec::new();
        let mut at = movi2_start + 12;
        for n in 2..4u8 {
            positions.push(at);
            let f = frame(n);
            at += f.len() as u64;
            movi2.extend(f);
        }
        let ix_b = at;
        let ix = ix00(
            movi2_start + 8,
            &[
                (*frames.get(2).unwrap_or(&0), 5, true),
                (*frames.get(3).unwrap_or(&0), 5, false),
            ],
        );
        let ix_b_len = ix.len() as u32;
        movi2.extend(ix);
        file.extend(list(b"AVIX", b"RIFF", &list(b"movi", b"LIST", &movi2)));
        (file, positions, [(ix_a, ix_a_len), (ix_b, ix_b_len)])
    };
    let (_, positions, ix) = build([(1, 0), (1, 0)], &[]);
    let (file, positions2, ix2) = build(ix, &positions);
    assert_eq!((positions, ix), (positions2.clone(), ix2));
    (file, positions2)
}

fn all_packets(d: &mut AviDemuxer, src: &mut SparseCache) -> Vec<Packet> {
    let mut v = Vec::new();
    while let Some(p) = d.next_packet(src).unwrap() {
        v.push(p);
    }
    v
}

#[test]
fn reads_every_riff_of_an_opendml_file() {
    let (file, positions) = opendml_file();
    let mut src = SparseCache::from_bytes(file);
    let mut d = AviDemuxer::open(&mut src).unwrap();
    assert_eq!(d.tracks()[0].codec_id, "V_AVI/MJPG");
    let got = all_packets(&mut d, &mut src);
    let summary: Vec<_> = got
        .iter()
        .map(|p| (p.dts.unwrap().0, p.pos, p.data[2]))
        .collect();
    assert_eq!(
        summary,
        (0..4)
            .map(|n| (n as i64, positions[n], n as u8))
            .collect::<Vec<_>>()
    );
}

#[test]
fn seeks_into_an_avix_extension_with_the_opendml_index() {
    let (file, positions) = opendml_file();
    let mut src = SparseCache::from_bytes(file);
    let mut d = AviDemuxer::open(&mut src).unwrap();
    let tb = TimeBase::new(1, 25);
    // Frame 3 is not a key frame: the seek lands on frame 2, in the second RIFF.
    let sp = d.seek(&mut src, SeekTarget::new(Timestamp(3), tb)).unwrap();
    assert_eq!(
        (sp.time, sp.pos, sp.exact),
        (Timestamp(2), positions[2], true)
    );
    let rest = all_packets(&mut d, &mut src);
    assert_eq!(
        rest.iter()
            .map(|p| (p.dts.unwrap().0, p.pos))
            .collect::<Vec<_>>(),
        vec![(2, positions[2]), (3, positions[3])]
    );
    // And back into the first RIFF.
    let sp = d.seek(&mut src, SeekTarget::new(Timestamp(1), tb)).unwrap();
    assert_eq!((sp.time, sp.pos), (Timestamp(0), positions[0]));
    assert_eq!(all_packets(&mut d, &mut src).len(), 4);
}

#[test]
fn index_reads_wait_for_their_bytes() {
    // The same seek over a cache holding only the head: NeedData names the index bytes, and
    // the demuxer keeps reading from where it was.
    let (file, positions) = opendml_file();
    let mut src = SparseCache::new(Some(file.len() as u64));
    src.insert(0, file[..positions[1] as usize].to_vec());
    let mut d = AviDemuxer::open(&mut src).unwrap();
    let e = d
        .seek(&mut src, SeekTarget::new(Timestamp(3), TimeBase::new(1, 25)))
        .unwrap_err();
    assert!(e.is_need_data(), "{e}");
    let first = d.next_packet(&mut src).unwrap().unwrap();
    assert_eq!(first.pos, positions[0]);
    src.insert(0, file.clone());
    let sp = d
        .seek(&mut src, SeekTarget::new(Timestamp(3), TimeBase::new(1, 25)))
        .unwrap();
    assert_eq!(sp.pos, positions[2]);
}

#[test]
fn seeks_without_an_index_by_estimate() {
    let (mut file, positions) = opendml_file();
    // Blank the super index: no index at all.
    let at = file.windows(4).position(|w| w == b"indx").unwrap();
    file[at..at + 4].copy_from_slice(b"JUNK");
    let mut src = SparseCache::from_bytes(file);
    let mut d = AviDemuxer::open(&mut src).unwrap();
    let sp = d
        .seek(&mut src, SeekTarget::new(Timestamp(1), TimeBase::new(1, 25)))
        .unwrap();
    assert!(!sp.exact);
    // Every packet after an estimated seek is a whole chunk of the file, key frame first.
    let rest = all_packets(&mut d, &mut src);
    assert!(!rest.is_empty() && rest[0].keyframe);
    assert!(rest.iter().all(|p| positions.contains(&p.pos)));
}

#[test]
fn garbage_and_hostile_sizes_end_cleanly() {
    let (file, _) = opendml_file();
    for cut in [13, 40, 200, file.len() - 3] {
        let mut src = SparseCache::from_bytes(file[..cut].to_vec());
        if let Ok(mut d) = AviDemuxer::open(&mut src) {
            let _ = all_packets(&mut d, &mut src);
        }
    }
    // A frame chunk claiming 4 GB inside the movi list is damage: skipped, the rest plays.
    let (mut file, positions) = opendml_file();
    let p = positions[1] as usize;
    file[p + 4..p + 8].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut src = SparseCache::from_bytes(file);
    let mut d = AviDemuxer::open(&mut src).unwrap();
    let got = all_packets(&mut d, &mut src);
    let pos: Vec<_> = got.iter().map(|p| p.pos).collect();
    assert_eq!(pos, vec![positions[0], positions[2], positions[3]]);
}

/// A one-frame MJPEG file whose `indx` lists the same `ix00` chunk `repeats` times; that
/// chunk lists the frame `entries` times. Small on disk, `repeats × entries` index entries.
fn repeated_index_file(repeats: usize, entries: usize) -> Vec<u8> {
    let mut avih = vec![0u8; 56];
    avih[0..4].copy_from_slice(&40_000u32.to_le_bytes());
    avih[24..28].copy_from_slice(&1u32.to_le_bytes());
    let mut strh = vec![0u8; 56];
    strh[0..4].copy_from_slice(b"vids");
    strh[4..8].copy_from_slice(b"MJPG");
    strh[20..24].copy_from_slice(&1u32.to_le_bytes());
    strh[24..28].copy_from_slice(&25u32.to_le_bytes());
    let mut strf = vec![0u8; 40];
    strf[0..4].copy_from_slice(&40u32.to_le_bytes());
    strf[16..20].copy_from_slice(b"MJPG");
    let build = |ix_at: u64| {
        let mut indx = vec![4, 0, 0, 0];
        indx.extend_from_slice(&(repeats as u32).to_le_bytes());
        indx.extend_from_slice(b"00dc");
        indx.extend_from_slice(&[0; 12]);
        for _ in 0..repeats {
            indx.extend_from_slice(&ix_at.to_le_bytes());
            indx.extend_from_slice(&0u32.to_le_bytes());
            indx.extend_from_slice(&1u32.to_le_bytes());
        }
        let mut strl = chunk(b"strh", &strh);
        strl.extend(chunk(b"strf", &strf));
        strl.extend(chunk(b"indx", &indx));
        let mut hdrl = chunk(b"avih", &avih);
        hdrl.extend(list(b"strl", b"LIST", &strl));
        let mut file = list(b"AVI ", b"RIFF", &list(b"hdrl", b"LIST", &hdrl));
        let movi_start = file.len() as u64;
        let frame_at = movi_start + 12;
        let mut movi = chunk(b"00dc", &[0xFF, 0xD8, 0, 0]);
        movi.extend(ix00(movi_start + 8, &vec![(frame_at, 4, true); entries]));
        file.extend(list(b"movi", b"LIST", &movi));
        let riff_size = (file.len() - 8) as u32;
        file[4..8].copy_from_slice(&riff_size.to_le_bytes());
        file
    };
    let first = build(1);
    let ix_at = first.windows(4).position(|w| w == b"ix00").unwrap() as u64;
    build(ix_at)
}

#[test]
fn an_index_chunk_listed_again_and_again_stays_within_the_index_budget() {
    // 65 × 65 536 entries from a 0.5 MB file: past MAX_INDEX_ENTRIES in total, though every
    // chunk is far under MAX_INDEX_BYTES. Before the total budget this seek loaded 4.3 M
    // entries (102 MB); with 16 384 repeats of a 256 MiB chunk it had no bound at all.
    let (repeats, entries) = (65, 64 << 10);
    assert!(repeats * entries > index::MAX_INDEX_ENTRIES);
    let file = repeated_index_file(repeats, entries);
    assert!(file.len() < 600_000);
    let mut src = SparseCache::from_bytes(file.clone());
    let mut d = AviDemuxer::open(&mut src).unwrap();
    let e = d.seek(&mut src, SeekTarget::new(Timestamp(0), TimeBase::MILLIS)).unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
    assert!(e.to_string().contains("index"), "{e}");
    // The demuxer plays on from where it was.
    assert_eq!(all_packets(&mut d, &mut src).len(), 1);
    // Under the budget, the same layout seeks (to the one frame).
    let mut src = SparseCache::from_bytes(repeated_index_file(3, 1000));
    let mut d = AviDemuxer::open(&mut src).unwrap();
    let sp = d.seek(&mut src, SeekTarget::new(Timestamp(0), TimeBase::MILLIS)).unwrap();
    assert!(sp.exact);
}

#[test]
fn an_index_chunk_is_read_only_as_far_as_its_entries_in_use() {
    // The ix00 chunk states 1 MiB (junk after its one entry): the seek asks only for the
    // entry. Before, it fetched the whole stated size of every chunk, which a super index
    // listing 16 384 chunks per stream multiplies.
    let file = repeated_index_file(2, 1);
    let ix_at = file.windows(4).position(|w| w == b"ix00").unwrap();
    let mut file = file;
    let end = file.len();
    file.extend(vec![0u8; 1 << 20]);
    let stated = (end - ix_at - 8 + (1 << 20)) as u32;
    file[ix_at + 4..ix_at + 8].copy_from_slice(&stated.to_le_bytes());
    let riff_size = (file.len() - 8) as u32;
    file[4..8].copy_from_slice(&riff_size.to_le_bytes());
    let mut src = SparseCache::new(Some(file.len() as u64));
    src.insert(0, file[..ix_at + 8].to_vec());
    let mut d = AviDemuxer::open(&mut src).unwrap();
    let mut asked = 0;
    let sp = loop {
        match d.seek(&mut src, SeekTarget::new(Timestamp(0), TimeBase::MILLIS)) {
            Ok(sp) => break sp,
            Err(Error::NeedData { offset, len }) => {
                asked += len;
                src.insert(offset, file[offset as usize..(offset + len) as usize].to_vec());
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert!(sp.exact);
    assert!(asked <= 64, "the seek fetched {asked} bytes of index");
}
