use super::sample_entry::descriptor;
use super::*;
use crate::packet::{AudioInfo, Codec};
use crate::io::SparseCache;

fn bx(typ: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(typ);
    b.extend_from_slice(body);
    b
}
fn full(typ: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
    let mut b = vec![version, 0, 0, 0];
    b.extend_from_slice(body);
    bx(typ, &b)
}
fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_be_bytes()).collect()
}
fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn tkhd(id: u32) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 3];
    b.extend(words(&[0, 0, id, 0, 0, 0, 0, 0, 0]));
    b.extend([0u8; 36]);
    b.extend(words(&[320 << 16, 240 << 16]));
    bx(b"tkhd", &b)
}
fn mdhd(timescale: u32, duration: u32) -> Vec<u8> {
    // "eng": e=5, n=14, g=7.
    let lang: u16 = (5 << 10) | (14 << 5) | 7;
    let mut b = words(&[0, 0, timescale, duration]);
    b.extend(lang.to_be_bytes());
    b.extend([0, 0]);
    full(b"mdhd", 0, &b)
}
fn hdlr(h: &[u8; 4]) -> Vec<u8> {
    let mut b = words(&[0]);
    b.extend_from_slice(h);
    b.extend(words(&[0, 0, 0]));
    b.push(0);
    full(b"hdlr", 0, &b)
}
fn avc1() -> Vec<u8> {
    let mut b = vec![0u8; 6];
    b.extend([0, 1]);
    b.extend([0u8; 16]);
    b.extend(320u16.to_be_bytes());
    b.extend(240u16.to_be_bytes());
    b.extend([0u8; 50]);
    b.extend(bx(b"avcC", &[1, 0x64, 0, 0x1F, 0xFF, 0xE0, 0]));
    bx(b"avc1", &b)
}
fn mp4a() -> Vec<u8> {
    let mut b = vec![0u8; 6];
    b.extend([0, 1]);
    b.extend([0u8; 8]);
    b.extend(2u16.to_be_bytes()); // channelcount (template)
    b.extend(16u16.to_be_bytes());
    b.extend([0u8; 4]);
    b.extend(words(&[48000 << 16]));
    // ES_Descriptor (with a 4-byte length) > DecoderConfigDescriptor > DSI.
    let dsi = [0x05, 0x02, 0x11, 0x88];
    let mut dcd = vec![0x04, 13 + dsi.len() as u8, 0x40, 0x15];
    dcd.extend([0u8; 11]);
    dcd.extend(dsi);
    let mut es = vec![0x03, 0x80, 0x80, 0x80, (3 + dcd.len()) as u8, 0, 1, 0];
    es.extend(dcd);
    b.extend(full(b"esds", 0, &es));
    bx(b"mp4a", &b)
}
fn stbl(
    entry: Vec<u8>,
    sizes: &[u32],
    delta: u32,
    ctts: &[u32],
    stss: &[u32],
    offsets: &[u32],
) -> Vec<u8> {
    let mut stsd = words(&[1]);
    stsd.extend(entry);
    let mut parts = vec![
        full(b"stsd", 0, &stsd),
        full(b"stts", 0, &words(&[1, sizes.len() as u32, delta])),
    ];
    if !ctts.is_empty() {
        let mut c = vec![(ctts.len() / 2) as u32];
        c.extend_from_slice(ctts);
        parts.push(full(b"ctts", 1, &words(&c)));
    }
    if !stss.is_empty() {
        let mut s = vec![stss.len() as u32];
        s.extend_from_slice(stss);
        parts.push(full(b"stss", 0, &words(&s)));
    }
    let mut z = vec![0, sizes.len() as u32];
    z.extend_from_slice(sizes);
    parts.push(full(b"stsz", 0, &words(&z)));
    parts.push(full(b"stsc", 0, &words(&[1, 1, 1, 1])));
    let mut o = vec![offsets.len() as u32];
    o.extend_from_slice(offsets);
    parts.push(full(b"stco", 0, &words(&o)));
    bx(b"stbl", &cat(&parts))
}
fn trak(
    id: u32,
    handler: &[u8; 4],
    timescale: u32,
    elst: &[(u32, i32)],
    stbl: Vec<u8>,
) -> Vec<u8> {
    let mut parts = vec![tkhd(id)];
    if !elst.is_empty() {
        let mut e = words(&[elst.len() as u32]);
        for &(d, m) in elst {
            e.extend(words(&[d, m as u32, 1 << 16]));
        }
        parts.push(bx(b"edts", &full(b"elst", 0, &e)));
    }
    let minf = bx(b"minf", &stbl);
    parts.push(bx(
        b"mdia",
        &cat(&[mdhd(timescale, 0), hdlr(handler), minf]),
    ));
    bx(b"trak", &cat(&parts))
}

/// ftyp, mdat (video samples of 10,20,30 bytes; audio of 4,4), moov at the end.
/// Video: timescale 100, delta 4, ctts 8,0,4 (B-frames), elst media_time 8, keys 1.
/// Audio: timescale 48000, delta 1024, a leading 1-unit (movie ts 1000) empty edit.
fn file() -> (Vec<u8>, u32) {
    let ftyp = bx(b"ftyp", b"isom\0\0\0\0isom");
    let payload: Vec<u8> = (0..68u8).collect();
    let mdat_start = ftyp.len() as u32 + 8;
    let mdat = bx(b"mdat", &payload);
    let o = |k: u32| mdat_start + k;
    // File order: v0 (10) a0 (4) v1 (20) a1 (4) v2 (30).
    let video = stbl(
        avc1(),
        &[10, 20, 30],
        4,
        &[1, 8, 1, 0, 1, 4],
        &[1],
        &[o(0), o(14), o(38)],
    );
    let audio = stbl(mp4a(), &[4, 4], 1024, &[], &[], &[o(10), o(34)]);
    let mvhd = full(b"mvhd", 0, &cat(&[words(&[0, 0, 1000, 120]), vec![0; 80]]));
    let moov = bx(
        b"moov",
        &cat(&[
            mvhd,
            trak(1, b"vide", 100, &[(120, 8)], video),
            trak(2, b"soun", 48000, &[(1, -1), (120, 0)], audio),
        ]),
    );
    let moov_pos = (ftyp.len() + mdat.len()) as u32;
    (cat(&[ftyp, mdat, moov]), moov_pos)
}

fn all(src: &mut dyn ByteSource) -> Result<(Mp4Demuxer, Vec<Packet>)> {
    let mut d = Mp4Demuxer::open(src)?;
    let mut v = Vec::new();
    while let Some(p) = d.next_packet(src)? {
        v.push(p);
    }
    Ok((d, v))
}

#[test]
fn reads_tracks_and_packets_in_file_order() {
    let (bytes, _) = file();
    let (d, ps) = all(&mut SparseCache::from_bytes(bytes.clone())).unwrap();
    let t = d.tracks();
    assert_eq!(
        (t[0].id, t[0].kind, &t[0].codec),
        (1, TrackKind::Video, &Codec::H264)
    );
    assert_eq!(t[0].codec_private, vec![1, 0x64, 0, 0x1F, 0xFF, 0xE0, 0]);
    assert_eq!(
        t[0].video,
        Some(VideoInfo {
            width: 320,
            height: 240,
            ..Default::default()
        })
    );
    assert_eq!(t[0].time_base, TimeBase::new(1, 100));
    assert_eq!(t[0].language.as_deref(), Some("eng"));
    assert_eq!(t[0].default_duration, Some(Duration(4)));
    assert_eq!(
        (t[1].kind, &t[1].codec, &t[1].codec_private[..]),
        (TrackKind::Audio, &Codec::Aac, &[0x11, 0x88][..])
    );
    assert_eq!(
        t[1].audio,
        Some(AudioInfo {
            sample_rate: 48000,
            channels: 1
        })
    );
    assert_eq!(d.duration(), Some((Duration(120), TimeBase::new(1, 1000))));
    assert_eq!(d.edit_shift(1), Some(-8));
    // 1 ms of movie time is 48 audio ticks.
    assert_eq!(d.edit_shift(2), Some(48));
    let got: Vec<_> = ps
        .iter()
        .map(|p| {
            (
                p.track_id,
                p.pts.0,
                p.dts.unwrap().0,
                p.keyframe,
                p.data.len(),
                p.dur.unwrap().0,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, 0, -8, true, 10, 4),
            (2, 48, 48, true, 4, 1024),
            (1, -4, -4, false, 20, 4),
            (2, 1072, 1072, true, 4, 1024),
            (1, 4, 0, false, 30, 4),
        ]
    );
    for p in &ps {
        assert_eq!(p.data, bytes[p.pos as usize..p.pos as usize + p.data.len()]);
    }
}

#[test]
fn need_data_retries_cleanly() {
    let (bytes, moov_pos) = file();
    let (_, expected) = all(&mut SparseCache::from_bytes(bytes.clone())).unwrap();
    // Exactly what was asked, nothing more; `opened` is the cache as open() left it.
    let mut src = SparseCache::new(Some(bytes.len() as u64));
    let mut opened = None;
    let (_, got) = crate::demux::drain_on_demand(
        &mut src,
        |s| {
            let d = Mp4Demuxer::open(s);
            if d.is_ok() {
                // Which bytes were present when open() succeeded.
                let moov = s.read_at(moov_pos as u64, bytes.len() - moov_pos as usize);
                opened = Some((moov.is_ok(), s.read_at(40, 20).is_ok()));
            }
            d
        },
        |src, offset, len| {
            src.insert(
                offset,
                bytes[offset as usize..(offset + len) as usize].to_vec(),
            )
        },
    )
    .unwrap();
    // It read the box headers and moov, never the mdat payload.
    assert_eq!(opened, Some((true, false)));
    assert_eq!(got, expected);
}

#[test]
fn truncated_mdat_ends_the_stream() {
    // moov first, then a cut mdat.
    let (bytes, moov_pos) = file();
    let moov = &bytes[moov_pos as usize..];
    // Moving moov in front shifts the samples: rebuild offsets by keeping moov at the
    // end but cutting is impossible; instead cut a faststart copy of the layout.
    let ftyp_len = 20;
    let shift = moov.len() as u32;
    let mut moved = bytes[..ftyp_len].to_vec();
    let mut m = moov.to_vec();
    // Patch every stco entry (they point into mdat) by `shift`.
    let mut i = 0;
    while let Some(at) = m[i..].windows(4).position(|w| w == b"stco") {
        let at = i + at + 4 + 4; // past type and version/flags
        let n = u32::from_be_bytes(m[at..at + 4].try_into().unwrap()) as usize;
        for k in 0..n {
            let p = at + 4 + 4 * k;
            let v = u32::from_be_bytes(m[p..p + 4].try_into().unwrap()) + shift;
            m[p..p + 4].copy_from_slice(&v.to_be_bytes());
        }
        i = at;
    }
    moved.extend(&m);
    moved.extend(&bytes[ftyp_len..moov_pos as usize]);
    let (_, full_run) = all(&mut SparseCache::from_bytes(moved.clone())).unwrap();
    assert_eq!(full_run.len(), 5);
    // Cut inside the third packet (v1, 20 bytes at mdat offset 14).
    let cut = ftyp_len + m.len() + 8 + 20;
    let (_, ps) = all(&mut SparseCache::from_bytes(moved[..cut].to_vec())).unwrap();
    assert_eq!(ps[..], full_run[..2]);
}

#[test]
fn rejects_files_without_moov_and_huge_moov() {
    let ftyp = bx(b"ftyp", b"isom\0\0\0\0");
    let mut mdat_to_end = b"\0\0\0\0mdat".to_vec();
    mdat_to_end.extend([0u8; 32]);
    let err = Mp4Demuxer::open(&mut SparseCache::from_bytes(cat(&[
        ftyp.clone(),
        mdat_to_end,
    ])))
    .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    // A 64-bit moov size over the cap: refused before anything is read.
    let mut big = b"\0\0\0\x01moov".to_vec();
    big.extend((MAX_MOOV + 17).to_be_bytes());
    let mut src = SparseCache::new(Some(1 << 40));
    src.insert(0, cat(&[ftyp.clone(), big]));
    let err = Mp4Demuxer::open(&mut src).unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    // An empty moov.
    let err = Mp4Demuxer::open(&mut SparseCache::from_bytes(cat(&[
        ftyp.clone(),
        bx(b"moov", &[]),
    ])))
    .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    // A box smaller than its header.
    let err = Mp4Demuxer::open(&mut SparseCache::from_bytes(cat(&[
        ftyp,
        b"\0\0\0\x03free".to_vec(),
    ])))
    .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
}

/// ftyp, moov (mvex/trex: duration 4, size 10, non-sync), then two moof+mdat: the first
/// with tfdt 100 and two samples (sizes 3 and 5, the first a key frame, cts offset 8 then
/// 0), the second without tfdt and one default sample.
fn fragmented_file() -> Vec<u8> {
    let ftyp = bx(b"ftyp", b"isom\0\0\0\0");
    let mvhd = full(b"mvhd", 0, &cat(&[words(&[0, 0, 1000, 0]), vec![0; 80]]));
    let video = stbl(avc1(), &[], 4, &[], &[], &[]);
    let trex = full(b"trex", 0, &words(&[1, 1, 4, 10, 0x1_0000]));
    let mvex = bx(b"mvex", &cat(&[full(b"mehd", 0, &words(&[500])), trex]));
    let moov = bx(
        b"moov",
        &cat(&[mvhd, trak(1, b"vide", 100, &[], video), mvex]),
    );
    let moof = |tfdt: Option<u32>, trun: Vec<u8>| {
        // tfhd: default-base-is-moof.
        let tfhd = full(b"tfhd", 0, &cat(&[vec![], words(&[1])]));
        let mut tfhd = tfhd;
        tfhd[9..12].copy_from_slice(&[0x02, 0, 0]);
        let mut parts = vec![tfhd];
        if let Some(t) = tfdt {
            parts.push(full(b"tfdt", 0, &words(&[t])));
        }
        parts.push(trun);
        bx(
            b"moof",
            &cat(&[full(b"mfhd", 0, &words(&[1])), bx(b"traf", &cat(&parts))]),
        )
    };
    // trun v1: data offset, first sample flags, per-sample size and cts offset.
    let trun1 = |data_offset: u32| {
        let mut t = full(b"trun", 1, &words(&[2, data_offset, 0, 3, 8, 5, 0]));
        t[9..12].copy_from_slice(&[0x00, 0x0A, 0x05]);
        t
    };
    let moof1_len = moof(Some(100), trun1(0)).len() as u32;
    let moof1 = moof(Some(100), trun1(moof1_len + 8));
    let mdat1 = bx(b"mdat", &[1, 2, 3, 4, 5, 6, 7, 8]);
    // trun v0: only a data offset; the sample takes the trex defaults.
    let trun2 = |data_offset: u32| {
        let mut t = full(b"trun", 0, &words(&[1, data_offset]));
        t[11] = 0x01;
        t
    };
    let moof2_len = moof(None, trun2(0)).len() as u32;
    let moof2 = moof(None, trun2(moof2_len + 8));
    let mdat2 = bx(b"mdat", &[9; 10]);
    cat(&[ftyp, moov, moof1, mdat1, moof2, mdat2])
}

#[test]
fn reads_fragments() {
    let bytes = fragmented_file();
    let (d, ps) = all(&mut SparseCache::from_bytes(bytes.clone())).unwrap();
    assert!(d.is_fragmented());
    assert_eq!(d.duration(), Some((Duration(500), TimeBase::new(1, 1000))));
    let got: Vec<_> = ps
        .iter()
        .map(|p| (p.pts.0, p.dts.unwrap().0, p.keyframe, p.data.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (108, 100, true, vec![1, 2, 3]),
            (104, 104, false, vec![4, 5, 6, 7, 8]),
            (108, 108, false, vec![9; 10]),
        ]
    );
    // Byte by byte as asked, the same packets; cut anywhere, a prefix.
    let mut src = SparseCache::new(Some(bytes.len() as u64));
    let (_, again) = crate::demux::drain_on_demand(&mut src, Mp4Demuxer::open, |src, o, l| {
        src.insert(o, bytes[o as usize..(o + l) as usize].to_vec())
    })
    .unwrap();
    assert_eq!(again, ps);
    for cut in 0..bytes.len() {
        if let Ok((_, prefix)) = all(&mut SparseCache::from_bytes(bytes[..cut].to_vec())) {
            assert_eq!(prefix[..], ps[..prefix.len()], "cut at {cut}");
        }
    }
}

#[test]
fn huge_trun_counts_are_errors() {
    let mut bytes = fragmented_file();
    // The second trun (no per-sample fields) claims 4 billion samples.
    let at = bytes.windows(4).rposition(|w| w == b"trun").unwrap();
    bytes[at + 8..at + 12].copy_from_slice(&u32::MAX.to_be_bytes());
    let mut src = SparseCache::from_bytes(bytes);
    let mut d = Mp4Demuxer::open(&mut src).unwrap();
    let mut n = 0;
    let err = loop {
        match d.next_packet(&mut src) {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("no error"),
            Err(e) => break e,
        }
    };
    assert_eq!(n, 2);
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
}

#[test]
fn mutated_files_never_panic_or_hang() {
    let files = [file().0, fragmented_file()];
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..6000 {
        let mut b = files[round % 2].clone();
        for _ in 0..1 + rand() % 4 {
            let i = (rand() % b.len() as u64) as usize;
            b[i] = match rand() % 4 {
                0 => 0xFF,
                1 => 0,
                2 => 1,
                _ => rand() as u8,
            };
        }
        if rand() % 4 == 0 {
            b.truncate((rand() % b.len() as u64) as usize);
        }
        let mut src = SparseCache::from_bytes(b);
        if let Ok(mut d) = Mp4Demuxer::open(&mut src) {
            for _ in 0..100 {
                match d.next_packet(&mut src) {
                    Ok(Some(_)) => {}
                    _ => break,
                }
            }
        }
    }
}

#[test]
fn esds_descriptor_lengths() {
    assert!(descriptor(&[0x05, 0x80, 0x80, 0x80, 0x80, 0x01]).is_err()); // 5 length bytes
    assert!(descriptor(&[0x05, 0x85]).is_err()); // cut off
    assert!(descriptor(&[0x05, 0x03, 1]).is_err()); // past the box
    let body = [vec![0x05, 0x81, 0x00], vec![7; 128]].concat();
    assert_eq!(descriptor(&body).unwrap().unwrap().1.len(), 128);
    assert_eq!(descriptor(&[]).unwrap(), None);
}

#[test]
fn edit_shift_rules() {
    let tb = TimeBase::new(1, 90_000);
    let e = |d, m| Edit {
        segment_duration: d,
        media_time: m,
        media_rate: 1 << 16,
    };
    assert_eq!(edit_shift(&[], 1000, tb), 0);
    assert_eq!(edit_shift(&[e(500, 3000)], 1000, tb), -3000);
    assert_eq!(edit_shift(&[e(100, -1), e(500, 0)], 1000, tb), 9000);
    assert_eq!(edit_shift(&[e(100, -1), e(500, 900)], 1000, tb), 8100);
    assert_eq!(edit_shift(&[e(100, -1)], 0, tb), 0);
    assert_eq!(parse_language(0x55C4), None); // "und"
    assert_eq!(parse_language(0), None);
}
