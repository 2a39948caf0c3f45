use super::headers::time_base_of;
use super::lacing::parse_block;
use super::*;
use crate::packet::{AudioInfo, Codec, TrackKind, VideoInfo};
use crate::io::SparseCache;

/// An element with a known size (8-byte size VINT, as some muxers write).
fn el(id: u32, body: &[u8]) -> Vec<u8> {
    let mut v = id_bytes(id);
    v.push(0x01);
    v.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
    v.extend_from_slice(body);
    v
}
/// An element with an unknown size.
fn el_unknown(id: u32, body: &[u8]) -> Vec<u8> {
    let mut v = id_bytes(id);
    v.push(0xFF);
    v.extend_from_slice(body);
    v
}
fn id_bytes(id: u32) -> Vec<u8> {
    let b = id.to_be_bytes();
    let skip = b.iter().position(|&x| x != 0).unwrap_or(3);
    b[skip..].to_vec()
}
fn uint_el(id: u32, v: u64) -> Vec<u8> {
    el(id, &v.to_be_bytes())
}
fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}
fn simple_block(track: u8, rel: i16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut b = vec![0x80 | track];
    b.extend_from_slice(&rel.to_be_bytes());
    b.push(flags);
    b.extend_from_slice(payload);
    el(id::SIMPLE_BLOCK, &b)
}
fn header(doc_type: &str) -> Vec<u8> {
    el(id::EBML, &el(id::DOC_TYPE, doc_type.as_bytes()))
}
fn segment_head() -> Vec<u8> {
    let seek = el(
        id::SEEK,
        &cat(&[
            el(id::SEEK_ID, &id::CUES.to_be_bytes()),
            uint_el(id::SEEK_POSITION, 5000),
        ]),
    );
    let info = el(
        id::INFO,
        &cat(&[
            uint_el(id::TIMESTAMP_SCALE, 1_000_000),
            el(id::DURATION, &2000.0f64.to_be_bytes()),
        ]),
    );
    let video = el(
        id::TRACK_ENTRY,
        &cat(&[
            uint_el(id::TRACK_NUMBER, 1),
            uint_el(id::TRACK_TYPE, 1),
            el(id::CODEC_ID, b"V_MPEG4/ISO/AVC"),
            el(id::CODEC_PRIVATE, &[1, 0x64, 0, 0x1F]),
            uint_el(id::DEFAULT_DURATION, 40_000_000),
            el(
                id::VIDEO,
                &cat(&[
                    uint_el(id::PIXEL_WIDTH, 320),
                    uint_el(id::PIXEL_HEIGHT, 240),
                ]),
            ),
        ]),
    );
    let audio = el(
        id::TRACK_ENTRY,
        &cat(&[
            uint_el(id::TRACK_NUMBER, 2),
            uint_el(id::TRACK_TYPE, 2),
            el(id::CODEC_ID, b"A_AAC"),
            el(id::CODEC_PRIVATE, &[0x11, 0x90]),
            uint_el(id::DEFAULT_DURATION, 20_000_000),
            el(id::LANGUAGE, b"fre"),
            uint_el(id::FLAG_DEFAULT, 0),
            el(
                id::AUDIO,
                &cat(&[
                    el(id::SAMPLING_FREQUENCY, &48000.0f32.to_be_bytes()),
                    uint_el(id::CHANNELS, 2),
                ]),
            ),
        ]),
    );
    cat(&[
        el(id::SEEK_HEAD, &seek),
        el(id::VOID, &[0; 5]),
        info,
        el(id::TRACKS, &cat(&[video, audio])),
    ])
}
/// A cluster at 1000 ms with: a key SimpleBlock, a BlockGroup (ReferenceBlock, BlockDuration),
/// Xiph-, EBML- and fixed-laced audio, and an unknown element.
fn cluster_one() -> Vec<u8> {
    let block = {
        let mut b = vec![0x81];
        b.extend_from_slice(&40i16.to_be_bytes());
        b.push(0);
        b.extend_from_slice(b"P-frame");
        b
    };
    let group = el(
        id::BLOCK_GROUP,
        &cat(&[
            el(id::BLOCK, &block),
            uint_el(id::BLOCK_DURATION, 41),
            el(id::REFERENCE_BLOCK, &[0xD8]),
        ]),
    );
    // Xiph: 3 frames of 300, 2, 5 bytes.
    let mut xiph = vec![2, 255, 45, 2];
    xiph.extend_from_slice(&[7u8; 300]);
    xiph.extend_from_slice(&[8, 8]);
    xiph.extend_from_slice(&[9; 5]);
    // EBML: 3 frames of 4, 6, 1 bytes: first 4 (0x84), diff +2 (0xC1 = 65 - 63).
    let mut ebml_lace = vec![2, 0x84, 0xC1];
    ebml_lace.extend_from_slice(&[1; 4]);
    ebml_lace.extend_from_slice(&[2; 6]);
    ebml_lace.extend_from_slice(&[3; 1]);
    // Fixed: 2 frames of 3 bytes.
    let fixed = [1u8, 4, 4, 4, 5, 5, 5];
    cat(&[
        uint_el(id::TIMESTAMP, 1000),
        simple_block(1, 0, 0x80, b"I-frame"),
        group,
        el(0x6E67, b"unknown element"),
        simple_block(2, 5, 0x80 | 0x02, &xiph),
        simple_block(2, 100, 0x80 | 0x06, &ebml_lace),
        simple_block(2, 200, 0x80 | 0x04, &fixed),
    ])
}
fn file() -> Vec<u8> {
    let seg_body = cat(&[
        segment_head(),
        el(id::CLUSTER, &cluster_one()),
        el_unknown(
            id::CLUSTER,
            &cat(&[
                uint_el(id::TIMESTAMP, 2000),
                simple_block(1, -3, 0x80, b"K"),
            ]),
        ),
        el(id::CUES, &[0; 4]),
    ]);
    cat(&[header("webm"), el(id::SEGMENT, &seg_body)])
}

fn all_packets(src: &mut dyn ByteSource) -> (MkvDemuxer, Vec<Packet>) {
    let mut d = MkvDemuxer::open(src).unwrap();
    let mut out = Vec::new();
    while let Some(p) = d.next_packet(src).unwrap() {
        out.push(p);
    }
    (d, out)
}

type Summary = (u32, i64, Option<u64>, bool, Vec<u8>);
fn summary(ps: &[Packet]) -> Vec<Summary> {
    ps.iter()
        .map(|p| {
            (
                p.track_id,
                p.pts.0,
                p.dur.map(|d| d.0),
                p.keyframe,
                p.data.clone(),
            )
        })
        .collect()
}

/// A file with one zlib-compressed audio track and one cluster holding these blocks.
fn zlib_file(blocks: &[Vec<u8>]) -> Vec<u8> {
    let encodings = el(
        id::CONTENT_ENCODINGS,
        &el(
            id::CONTENT_ENCODING,
            &el(id::CONTENT_COMPRESSION, &uint_el(id::CONTENT_COMP_ALGO, 0)),
        ),
    );
    let track = el(
        id::TRACK_ENTRY,
        &cat(&[
            uint_el(id::TRACK_NUMBER, 1),
            uint_el(id::TRACK_TYPE, 2),
            el(id::CODEC_ID, b"A_AAC"),
            el(id::CODEC_PRIVATE, &[0x11, 0x90]),
            encodings,
        ]),
    );
    let mut cluster = vec![uint_el(id::TIMESTAMP, 0)];
    cluster.extend_from_slice(blocks);
    let seg_body = cat(&[el(id::TRACKS, &track), el(id::CLUSTER, &cat(&cluster))]);
    cat(&[header("matroska"), el(id::SEGMENT, &seg_body)])
}

#[test]
fn a_laced_block_inflates_to_at_most_max_block_in_all() {
    // 65 fixed-laced frames of 1 MiB of zeros, ~1 KiB each compressed: a 66 KB block
    // that inflated to 65 MiB (each frame under MAX_BLOCK, the block over it).
    let z = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 1 << 20], 9);
    let mut lace = vec![64u8]; // 65 frames
    for _ in 0..65 {
        lace.extend_from_slice(&z);
    }
    let bomb = simple_block(1, 0, 0x80 | 0x04, &lace);
    let fine = simple_block(1, 20, 0x80, &miniz_oxide::deflate::compress_to_vec_zlib(b"ok", 9));
    let bytes = zlib_file(&[bomb, fine]);
    assert!(bytes.len() < 100_000);
    let (_, packets) = all_packets(&mut SparseCache::from_bytes(bytes));
    let total: usize = packets.iter().map(|p| p.data.len()).sum();
    assert!(total <= MAX_BLOCK as usize, "{total} bytes out of one block");
    // The oversized block is dropped as damage; the next one plays.
    assert_eq!(summary(&packets), vec![(1, 20, None, true, b"ok".to_vec())]);
    // The error the block gets, in words.
    let mut src = SparseCache::from_bytes(zlib_file(&[]));
    let d = MkvDemuxer::open(&mut src).unwrap();
    let e = d
        .block_packets(&lace_block(&lace), 7, 0, None, None, &mut VecDeque::new())
        .unwrap_err();
    assert!(e.to_string().contains("the block at 7 expands to more than 64 MiB"), "{e}");
}

/// A file whose Segment holds these Tracks elements and one empty Cluster.
fn tracks_file(tracks_elements: &[Vec<u8>]) -> Vec<u8> {
    let mut seg = tracks_elements.to_vec();
    seg.push(el(id::CLUSTER, &uint_el(id::TIMESTAMP, 0)));
    cat(&[header("matroska"), el(id::SEGMENT, &cat(&seg))])
}

fn audio_entry(number: u64, extra: &[Vec<u8>]) -> Vec<u8> {
    let mut parts = vec![
        uint_el(id::TRACK_NUMBER, number),
        uint_el(id::TRACK_TYPE, 2),
        el(id::CODEC_ID, b"A_AAC"),
    ];
    parts.extend_from_slice(extra);
    el(id::TRACK_ENTRY, &cat(&parts))
}

#[test]
fn repeated_tracks_elements_stay_within_the_header_budget() {
    // Tracks elements each far under MAX_HEADER_ELEMENT, repeated: 300 tracks in 300
    // elements (a few KB) are refused...
    let many: Vec<_> = (1..=300).map(|n| el(id::TRACKS, &audio_entry(n, &[]))).collect();
    let e = MkvDemuxer::open(&mut SparseCache::from_bytes(tracks_file(&many))).unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
    assert!(e.to_string().contains("more than 256 tracks"), "{e}");
    // ...and so are five zlib CodecPrivates of 16 MiB each (16 KiB each on disk: 80 MiB
    // held from an 80 KB file; 64 MiB each possible).
    let z = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 16 << 20], 9);
    let zlib_private = el(
        id::CONTENT_ENCODINGS,
        &el(
            id::CONTENT_ENCODING,
            &cat(&[
                uint_el(id::CONTENT_ENCODING_SCOPE, 2),
                el(id::CONTENT_COMPRESSION, &uint_el(id::CONTENT_COMP_ALGO, 0)),
            ]),
        ),
    );
    let big: Vec<_> = (1..=5)
        .map(|n| el(id::TRACKS, &audio_entry(n, &[el(id::CODEC_PRIVATE, &z), zlib_private.clone()])))
        .collect();
    let file = tracks_file(&big);
    assert!(file.len() < 200_000);
    let e = MkvDemuxer::open(&mut SparseCache::from_bytes(file)).unwrap_err();
    assert!(e.to_string().contains("CodecPrivate) take more than 64 MiB"), "{e}");
    // Within the budget, the same layout opens.
    let d = MkvDemuxer::open(&mut SparseCache::from_bytes(tracks_file(&big[..3]))).unwrap();
    assert_eq!(d.tracks().len(), 3);
    assert_eq!(d.tracks()[2].codec_private.len(), 16 << 20);
}

#[test]
fn repeated_header_elements_stay_within_the_header_budget() {
    // Five Info elements of 15 MiB (each under MAX_HEADER_ELEMENT): 75 MiB loaded before
    // the first Cluster. Refused past MAX_HEADER_BYTES; four still open.
    let info = el(id::INFO, &el(id::VOID, &vec![0u8; 15 << 20]));
    let track = el(id::TRACKS, &audio_entry(1, &[]));
    let with = |n: usize| {
        let mut parts = vec![track.clone()];
        parts.extend(std::iter::repeat_n(info.clone(), n));
        tracks_file(&parts)
    };
    let e = MkvDemuxer::open(&mut SparseCache::from_bytes(with(5))).unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
    assert!(e.to_string().contains("more than 64 MiB before the first Cluster"), "{e}");
    assert!(MkvDemuxer::open(&mut SparseCache::from_bytes(with(4))).is_ok());
}

/// A SimpleBlock body (no element header) for track 1 with fixed lacing.
fn lace_block(lace: &[u8]) -> Vec<u8> {
    let mut b = vec![0x81, 0, 0, 0x80 | 0x04];
    b.extend_from_slice(lace);
    b
}

#[test]
fn reads_headers() {
    let bytes = file();
    let d = MkvDemuxer::open(&mut SparseCache::from_bytes(bytes.clone())).unwrap();
    assert_eq!(d.doc_type(), "webm");
    assert_eq!(d.time_base(), TimeBase::MILLIS);
    assert_eq!(d.duration(), Some((Duration(2000), TimeBase::MILLIS)));
    assert_eq!(d.cues_position(), Some(d.segment_data_start() + 5000));
    assert_eq!(
        &bytes[d.first_cluster_pos() as usize..][..4],
        &[0x1F, 0x43, 0xB6, 0x75]
    );
    let t = d.tracks();
    assert_eq!(t.len(), 2);
    assert_eq!(
        (t[0].id, t[0].kind, &t[0].codec),
        (1, TrackKind::Video, &Codec::H264)
    );
    assert_eq!(t[0].codec_private, vec![1, 0x64, 0, 0x1F]);
    assert_eq!(t[0].default_duration, Some(Duration(40)));
    assert_eq!(
        t[0].video,
        Some(VideoInfo {
            width: 320,
            height: 240,
            ..Default::default()
        })
    );
    assert!(t[0].default);
    assert_eq!(
        (t[1].id, t[1].kind, &t[1].codec),
        (2, TrackKind::Audio, &Codec::Aac)
    );
    assert_eq!(
        t[1].audio,
        Some(AudioInfo {
            sample_rate: 48000,
            channels: 2
        })
    );
    assert_eq!(t[1].language.as_deref(), Some("fre"));
    assert!(!t[1].default);
}

#[test]
fn reads_blocks_lacing_and_unknown_size_clusters() {
    let (_, ps) = all_packets(&mut SparseCache::from_bytes(file()));
    let s = summary(&ps);
    let v = |t, pts, dur, key, data: &[u8]| (t, pts, dur, key, data.to_vec());
    assert_eq!(s[0], v(1, 1000, Some(40), true, b"I-frame"));
    assert_eq!(s[1], v(1, 1040, Some(41), false, b"P-frame"));
    assert_eq!(s[2], v(2, 1005, Some(20), true, &[7; 300]));
    assert_eq!(s[3], v(2, 1025, Some(20), true, &[8; 2]));
    assert_eq!(s[4], v(2, 1045, Some(20), true, &[9; 5]));
    assert_eq!(s[5], v(2, 1100, Some(20), true, &[1; 4]));
    assert_eq!(s[6], v(2, 1120, Some(20), true, &[2; 6]));
    assert_eq!(s[7], v(2, 1140, Some(20), true, &[3; 1]));
    assert_eq!(s[8], v(2, 1200, Some(20), true, &[4; 3]));
    assert_eq!(s[9], v(2, 1220, Some(20), true, &[5; 3]));
    // The unknown-size cluster ends at the Cues.
    assert_eq!(s[10], v(1, 1997, Some(40), true, b"K"));
    assert_eq!(s.len(), 11);
    // Laced frames share their block's position.
    assert_eq!(ps[2].pos, ps[4].pos);
    assert!(ps[1].pos > ps[0].pos);
}

#[test]
fn need_data_retries_cleanly() {
    let bytes = file();
    let (_, expected) = all_packets(&mut SparseCache::from_bytes(bytes.clone()));
    // Feed 7 bytes at a time, in order, only when asked.
    let mut src = SparseCache::new(Some(bytes.len() as u64));
    let mut filled = 0usize;
    let (_, got) =
        crate::demux::drain_on_demand(&mut src, MkvDemuxer::open, |src, offset, len| {
            assert!(offset as usize >= filled, "asked for bytes already given");
            while (filled as u64) < offset + len && filled < bytes.len() {
                let end = (filled + 7).min(bytes.len());
                src.insert(filled as u64, bytes[filled..end].to_vec());
                filled = end;
            }
        })
        .unwrap();
    assert_eq!(got, expected);
}

/// A laced audio block without DefaultDuration or BlockDuration waits for the track's next
/// block; if none comes within the lookahead bound, its frames still come out (sharing
/// the block's time, nothing learnt yet), in file order, and memory stays bounded.
#[test]
fn laced_frames_without_durations_wait_boundedly() {
    let audio = el(
        id::TRACK_ENTRY,
        &cat(&[
            uint_el(id::TRACK_NUMBER, 2),
            uint_el(id::TRACK_TYPE, 2),
            el(id::CODEC_ID, b"A_AAC"),
            el(id::CODEC_PRIVATE, &[0x11, 0x90]),
        ]),
    );
    let video = el(
        id::TRACK_ENTRY,
        &cat(&[
            uint_el(id::TRACK_NUMBER, 1),
            uint_el(id::TRACK_TYPE, 1),
            el(id::CODEC_ID, b"V_MPEG4/ISO/AVC"),
            el(id::CODEC_PRIVATE, &[1, 0x64, 0, 0x1F]),
        ]),
    );
    // 3 laced audio frames at 0, then 600 video blocks, then audio again at 1000.
    let mut blocks = vec![
        uint_el(id::TIMESTAMP, 0),
        simple_block(2, 0, 0x80 | 0x04, &[2, 1, 1, 2, 2, 3, 3]),
    ];
    for i in 0..600 {
        blocks.push(simple_block(1, i, 0x80, b"V"));
    }
    let file = |tail: bool| {
        let mut b = blocks.clone();
        if tail {
            b.push(simple_block(2, 1000, 0x80 | 0x04, &[2, 4, 4, 5, 5, 6, 6]));
            b.push(simple_block(2, 1060, 0x80, &[7]));
        }
        cat(&[
            header("matroska"),
            el(
                id::SEGMENT,
                &cat(&[
                    el(id::INFO, &uint_el(id::TIMESTAMP_SCALE, 1_000_000)),
                    el(id::TRACKS, &cat(&[video.clone(), audio.clone()])),
                    el(id::CLUSTER, &cat(&b)),
                ]),
            ),
        ])
    };
    // No next audio block within 512 packets: the first lace shares its time.
    let (_, ps) = all_packets(&mut SparseCache::from_bytes(file(false)));
    assert_eq!(ps.len(), 603);
    assert_eq!(ps[0].track_id, 2, "file order kept");
    assert_eq!(
        ps[..3].iter().map(|p| p.pts.0).collect::<Vec<_>>(),
        vec![0, 0, 0]
    );
    // With a later lace and block: the later lace is spread up to the block at 1060.
    let (_, ps) = all_packets(&mut SparseCache::from_bytes(file(true)));
    let audio: Vec<_> = ps.iter().filter(|p| p.track_id == 2).collect();
    assert_eq!(
        audio
            .iter()
            .map(|p| (p.pts.0, p.dur.map(|d| d.0)))
            .collect::<Vec<_>>(),
        vec![
            (0, None),
            (0, None),
            (0, None),
            (1000, Some(20)),
            (1020, Some(20)),
            (1040, Some(20)),
            (1060, None)
        ]
    );
}

#[test]
fn truncated_file_ends_cleanly() {
    let bytes = file();
    let (_, all) = all_packets(&mut SparseCache::from_bytes(bytes.clone()));
    let first_cluster = MkvDemuxer::open(&mut SparseCache::from_bytes(bytes.clone()))
        .unwrap()
        .first_cluster_pos();
    for cut in first_cluster as usize..bytes.len() {
        let (_, ps) = all_packets(&mut SparseCache::from_bytes(bytes[..cut].to_vec()));
        assert!(ps.len() <= all.len());
        assert_eq!(ps[..], all[..ps.len()], "cut at {cut}");
    }
    // Cut inside the I-frame block: nothing comes out, and no error.
    let i_frame = bytes.windows(7).position(|w| w == b"I-frame").unwrap();
    let (_, ps) = all_packets(&mut SparseCache::from_bytes(bytes[..i_frame + 3].to_vec()));
    assert!(ps.is_empty());
}

#[test]
fn resynchronises_after_garbage() {
    let seg_body = cat(&[
        segment_head(),
        el(
            id::CLUSTER,
            &cat(&[uint_el(id::TIMESTAMP, 0), simple_block(1, 0, 0x80, b"A")]),
        ),
        vec![0x00, 0x13, 0x37, 0x00, 0x42],
        el(
            id::CLUSTER,
            &cat(&[uint_el(id::TIMESTAMP, 80), simple_block(1, 0, 0x80, b"B")]),
        ),
    ]);
    let bytes = cat(&[header("matroska"), el(id::SEGMENT, &seg_body)]);
    let (_, ps) = all_packets(&mut SparseCache::from_bytes(bytes));
    assert_eq!(
        summary(&ps)
            .iter()
            .map(|p| (p.1, p.4.clone()))
            .collect::<Vec<_>>(),
        vec![(0, b"A".to_vec()), (80, b"B".to_vec())]
    );
}

#[test]
fn skips_a_malformed_block() {
    // Fixed lacing of 3 bytes into 2 frames cannot split: that block is dropped.
    let seg_body = cat(&[
        segment_head(),
        el(
            id::CLUSTER,
            &cat(&[
                uint_el(id::TIMESTAMP, 0),
                simple_block(1, 0, 0x80, b"A"),
                simple_block(2, 0, 0x84, &[1, 1, 2, 3]),
                simple_block(1, 40, 0, b"B"),
            ]),
        ),
    ]);
    let bytes = cat(&[header("matroska"), el(id::SEGMENT, &seg_body)]);
    let (_, ps) = all_packets(&mut SparseCache::from_bytes(bytes));
    let data: Vec<_> = ps.iter().map(|p| p.data.clone()).collect();
    assert_eq!(data, vec![b"A".to_vec(), b"B".to_vec()]);
}

#[test]
fn mutated_files_never_panic_or_hang() {
    let base = file();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..2000 {
        let mut bytes = base.clone();
        for _ in 0..1 + rand() % 4 {
            let i = (rand() % bytes.len() as u64) as usize;
            bytes[i] = rand() as u8;
        }
        if rand() % 4 == 0 {
            bytes.truncate((rand() % bytes.len() as u64) as usize);
        }
        let mut src = SparseCache::from_bytes(bytes);
        let Ok(mut d) = MkvDemuxer::open(&mut src) else {
            continue;
        };
        for _ in 0..1000 {
            match d.next_packet(&mut src) {
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }
}

#[test]
fn rejects_bad_headers_and_blocks() {
    let bad_doc = cat(&[header("mp4"), el(id::SEGMENT, &segment_head())]);
    assert!(matches!(
        MkvDemuxer::open(&mut SparseCache::from_bytes(bad_doc)),
        Err(Error::Invalid { .. })
    ));
    let no_tracks = cat(&[header("webm"), el(id::SEGMENT, &[])]);
    assert!(MkvDemuxer::open(&mut SparseCache::from_bytes(no_tracks)).is_err());
    // Lacing sizes past the block.
    assert!(parse_block(&[0x81, 0, 0, 0x02, 1, 200, 1, 2], 0).is_err());
    assert!(parse_block(&[0x81, 0, 0, 0x04, 1, 1, 2, 3], 0).is_err());
    assert!(parse_block(&[0x81, 0], 0).is_err());
    assert!(parse_block(&[0x81, 0, 0, 0x06, 2, 0x85, 0x80, 1, 2, 3, 4, 5], 0).is_err());
}

#[test]
fn time_base_from_timestamp_scale() {
    assert_eq!(time_base_of(1_000_000).unwrap(), TimeBase::new(1, 1000));
    assert_eq!(time_base_of(100_000).unwrap(), TimeBase::new(1, 10_000));
    assert_eq!(time_base_of(1).unwrap(), TimeBase::NANOS);
    assert_eq!(
        time_base_of(1_000_000_007).unwrap(),
        TimeBase::new(1_000_000_007, 1_000_000_000)
    );
    assert!(time_base_of(u64::MAX).is_err());
}
