//! The MKV demuxer against ffprobe, on a file ffmpeg makes at test time: same packets (track,
//! pts, key flag, size, bytes in file order), whether the bytes come from a file, from a sparse
//! cache filled piece by piece as the demuxer asks, or from a truncated copy.
#![cfg(not(target_arch = "wasm32"))]

use test_support as support;

use std::path::PathBuf;
use std::sync::OnceLock;

use remux_wasm::demux::mkv::MkvDemuxer;
use remux_wasm::demux::{probe, Demuxer};
use remux_wasm::io::{ByteSource, FileSource, SparseCache};
use remux_wasm::{Codec, Packet, TimeBase, TrackKind};
use support::{av_inputs, drain, drain_all, ffprobe, have_encoders};

/// One packet as ffprobe reports it: (track number, pts in ms, keyframe, size, duration in ms).
type Expected = (u32, i64, bool, usize, Option<i64>);

struct Fixture {
    path: PathBuf,
    expected: Vec<Expected>,
}

/// 4 s of test pattern + sine encoded by ffmpeg with `codecs` into a cached `.ext` file.
fn make(ext: &str, codecs: &[&str]) -> Option<Fixture> {
    let mut args = av_inputs("320x240", 4.0);
    args.extend(codecs.iter().map(|s| s.to_string()));
    let path = support::fixture(ext, &args)?;
    Some(Fixture {
        expected: ffprobe_packets(&path),
        path,
    })
}

/// H.264 (B-frames, GOP 25) + AAC in MKV, made once per machine; `None` without ffmpeg.
fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            make(
                "mkv",
                &["-c:v", "libx264", "-bf", "2", "-g", "25", "-c:a", "aac"],
            )
        })
        .as_ref()
}

/// ffprobe's packets in file order, as [`Expected`] (MKV streams are in ms).
fn ffprobe_packets(path: &std::path::Path) -> Vec<Expected> {
    let probe = ffprobe(path);
    assert!(probe.streams.iter().all(|s| s.time_base == (1, 1000)));
    probe
        .packets
        .iter()
        .map(|p| {
            (
                // ffmpeg numbers MKV tracks from 1 in stream order.
                p.stream as u32 + 1,
                p.pts.unwrap(),
                p.key,
                p.size,
                p.duration,
            )
        })
        .collect()
}

fn demux_all(src: &mut dyn ByteSource) -> Vec<Packet> {
    drain_all(src, MkvDemuxer::open).1
}

fn summary(ps: &[Packet]) -> Vec<Expected> {
    ps.iter()
        .map(|p| {
            (
                p.track_id,
                p.pts.0,
                p.keyframe,
                p.data.len(),
                p.dur.map(|d| d.0 as i64),
            )
        })
        .collect()
}

#[test]
fn matches_ffprobe() {
    let Some(fx) = fixture() else { return };
    let mut src = FileSource::open(&fx.path).unwrap();
    let d = MkvDemuxer::open(&mut src).unwrap();
    let tracks = d.tracks();
    assert_eq!(tracks.len(), 2);
    assert_eq!(
        (tracks[0].kind, &tracks[0].codec),
        (TrackKind::Video, &Codec::H264)
    );
    assert_eq!(
        (tracks[1].kind, &tracks[1].codec),
        (TrackKind::Audio, &Codec::Aac)
    );
    assert!(tracks
        .iter()
        .all(|t| !t.codec_private.is_empty() && t.time_base == TimeBase::MILLIS));
    assert_eq!(
        tracks[0].video.map(|v| (v.width, v.height)),
        Some((320, 240))
    );
    assert_eq!(tracks[1].audio.map(|a| a.sample_rate), Some(48000));
    let (dur, tb) = d.duration().expect("ffmpeg writes a Duration");
    assert!(
        (tb.seconds(dur.0 as i64) - 4.0).abs() < 0.1,
        "duration {dur:?} in {tb}"
    );

    let got = summary(&demux_all(&mut src));
    assert_matches(&got, &fx.expected);
    for track in [1, 2] {
        let n = |v: &[Expected]| v.iter().filter(|p| p.0 == track).count();
        assert!(n(&got) > 50, "track {track} has packets");
        assert_eq!(n(&got), n(&fx.expected));
    }
}

/// Compares track, pts, key flag and size exactly; durations (ms) where both state one.
fn assert_matches(got: &[Expected], expected: &[Expected]) {
    assert_eq!(got.len(), expected.len());
    for (i, (g, e)) in got.iter().zip(expected).enumerate() {
        assert_eq!((g.0, g.1, g.2, g.3), (e.0, e.1, e.2, e.3), "packet {i}");
        if let (Some(gd), Some(ed)) = (g.4, e.4) {
            assert!(
                (gd - ed).abs() <= 1,
                "packet {i}: duration {gd} vs ffprobe {ed}"
            );
        }
    }
}

#[test]
fn webm_vp9_opus_matches_ffprobe() {
    if !have_encoders(&["libvpx-vp9", "libopus"]) {
        return;
    }
    let Some(fx) = make(
        "webm",
        &[
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-c:a",
            "libopus",
        ],
    ) else {
        return;
    };
    let mut src = FileSource::open(&fx.path).unwrap();
    let d = MkvDemuxer::open(&mut src).unwrap();
    assert_eq!(d.doc_type(), "webm");
    let codecs: Vec<_> = d.tracks().iter().map(|t| t.codec.clone()).collect();
    assert_eq!(codecs, vec![Codec::Vp9, Codec::Opus]);
    // ffmpeg's WebM has no VP9 CodecPrivate (the remuxer reads the first key frame); the Opus
    // CodecPrivate is the OpusHead.
    assert!(d.tracks()[0].codec_private.is_empty());
    assert!(d.tracks()[1].codec_private.starts_with(b"OpusHead"));
    // Opus block times minus the CodecDelay (6.5 ms), as the Matroska spec and ffmpeg do.
    let got = summary(&demux_all(&mut src));
    assert_matches(&got, &fx.expected);
}

#[test]
fn probe_opens_mkv() {
    let Some(fx) = fixture() else { return };
    let mut src = FileSource::open(&fx.path).unwrap();
    let d = probe::open(&mut src).unwrap();
    assert_eq!(d.tracks().len(), 2);
}

#[test]
fn sparse_cache_filled_on_demand_gives_the_same_packets() {
    let Some(fx) = fixture() else { return };
    let bytes = std::fs::read(&fx.path).unwrap();
    let expected = demux_all(&mut SparseCache::from_bytes(bytes.clone()));
    const CHUNK: usize = 256 << 10;
    let mut filled = 0usize;
    let mut requests = 0;
    // Filled strictly in order, a chunk at a time, up to the end of what was asked.
    let got = drain(&bytes, MkvDemuxer::open, |src, bytes, offset, len| {
        assert!(
            offset as usize >= filled && len > 0,
            "asked for {offset}+{len}, have {filled}"
        );
        while (filled as u64) < offset + len && filled < bytes.len() {
            let end = (filled + CHUNK).min(bytes.len());
            src.insert(filled as u64, bytes[filled..end].to_vec());
            filled = end;
            requests += 1;
        }
    })
    .packets;
    assert!(requests >= bytes.len() / CHUNK, "filled on demand");
    assert_eq!(got, expected);
}

#[test]
fn truncated_copy_plays_a_prefix() {
    let Some(fx) = fixture() else { return };
    let bytes = std::fs::read(&fx.path).unwrap();
    let expected = demux_all(&mut SparseCache::from_bytes(bytes.clone()));
    let cut = bytes.len() * 6 / 10;
    let path = support::scratch("truncated.mkv");
    std::fs::write(&path, &bytes[..cut]).unwrap();
    let mut src = FileSource::open(&path).unwrap();
    let got = demux_all(&mut src);
    assert!(
        got.len() > expected.len() / 3 && got.len() < expected.len(),
        "{} of {}",
        got.len(),
        expected.len()
    );
    assert_eq!(got[..], expected[..got.len()]);
    assert!(got.iter().all(|p| p.pos < cut as u64));
}

// ---------------------------------------------------------------------------------------
// Robustness: the forms real files take that ffmpeg does not write, made by rewriting an
// ffmpeg file (crates/test-support/src/mkv_edit.rs), each compared with ffprobe of the original.

use support::mkv_edit::{Lacing, Mkv};

/// H.264 (B-frames) + AC-3 (CBR: equal-size frames, each starting with the 0B 77 sync word),
/// 3 s; the audio track has no DefaultDuration (ffmpeg writes none for audio).
fn ac3_fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let mut args = av_inputs("160x120", 3.0);
        args.extend(
            [
                "-c:v", "libx264", "-bf", "2", "-g", "25", "-c:a", "ac3", "-b:a", "192k",
            ]
            .map(String::from),
        );
        let path = support::fixture("mkv", &args)?;
        Some(Fixture {
            expected: ffprobe_packets(&path),
            path,
        })
    })
    .as_ref()
}

/// Packets of `bytes` (all present), and the same read on demand in 4 KiB pieces.
fn demux_bytes(bytes: &[u8]) -> (MkvDemuxer, Vec<Packet>) {
    let (d, ps) = drain_all(
        &mut SparseCache::from_bytes(bytes.to_vec()),
        MkvDemuxer::open,
    );
    let on_demand = drain(bytes, MkvDemuxer::open, |c, b, off, len| {
        let start = off / 4096 * 4096;
        let end = (off + len)
            .div_ceil(4096)
            .saturating_mul(4096)
            .min(b.len() as u64);
        c.insert(start, b[start as usize..end as usize].to_vec());
    });
    assert_eq!(on_demand.packets, ps, "on demand, the same packets");
    (d, ps)
}

/// Per track, the packets in order: (pts ms, key, size, duration ms).
fn by_track(v: &[Expected]) -> std::collections::BTreeMap<u32, Vec<Expected>> {
    let mut m = std::collections::BTreeMap::<u32, Vec<Expected>>::new();
    for e in v {
        m.entry(e.0).or_default().push(*e);
    }
    m
}

/// Per track, the same packets as ffprobe (pts exact, key, size; durations within 1 ms
/// where both have one). File order may differ (laced frames move together).
fn assert_same_per_track(got: &[Expected], expected: &[Expected]) {
    let (g, e) = (by_track(got), by_track(expected));
    assert_eq!(g.keys().collect::<Vec<_>>(), e.keys().collect::<Vec<_>>());
    for (t, e) in e {
        assert_matches(&g[&t], &e);
    }
}

#[test]
fn laced_audio_matches_unlaced_ffprobe() {
    let Some(fx) = ac3_fixture() else { return };
    let original = std::fs::read(&fx.path).unwrap();
    for kind in [Lacing::Xiph, Lacing::Ebml, Lacing::Fixed] {
        let bytes = Mkv::parse(&original)
            .drop_index()
            .lace(2, 4, kind)
            .to_bytes();
        let (d, ps) = demux_bytes(&bytes);
        assert!(d.tracks()[1].default_duration.is_none());
        let got = summary(&ps);
        // No DefaultDuration, no BlockDuration: each lace's frames are spread up to the
        // track's next block (32 ms apart, as in the unlaced original); the last lace by the
        // spacing learnt before.
        assert_same_per_track(&got, &fx.expected);
        let audio: Vec<_> = got.iter().filter(|p| p.0 == 2).collect();
        assert!(
            audio.len() > 80 && audio.iter().all(|p| p.4 == Some(32)),
            "{kind:?}"
        );
        // ffprobe of the laced file: the first frame of each lace at the block time.
        let laced = support::scratch(&format!("laced-{kind:?}.mkv"));
        std::fs::write(&laced, &bytes).unwrap();
        let theirs = ffprobe_packets(&laced);
        let firsts: Vec<_> = theirs.iter().filter(|p| p.0 == 2).map(|p| p.1).collect();
        assert_eq!(
            firsts.len(),
            audio.len(),
            "{kind:?}: ffprobe splits the laces too"
        );
        assert_eq!(firsts[0], audio[0].1);
        assert_eq!(firsts[4], audio[4].1);
    }
}

#[test]
fn laced_block_group_spreads_its_block_duration() {
    let Some(fx) = ac3_fixture() else { return };
    let original = std::fs::read(&fx.path).unwrap();
    // 3 frames per lace, in BlockGroups with BlockDuration 3 x 32 ms: ffprobe of this
    // file gives every frame a time; ours must agree.
    let mut mkv = Mkv::parse(&original);
    mkv.drop_index().lace(2, 3, Lacing::Ebml);
    let laced = mkv.to_bytes();
    let mut mkv = Mkv::parse(&laced);
    mkv.lace_groups_with_duration(2, 32);
    let bytes = mkv.to_bytes();
    let path = support::scratch("laced-groups.mkv");
    std::fs::write(&path, &bytes).unwrap();
    let theirs = ffprobe_packets(&path);
    let (_, ps) = demux_bytes(&bytes);
    let got = summary(&ps);
    assert_same_per_track(&got, &theirs);
    assert_same_per_track(&got, &fx.expected);
}

#[test]
fn block_groups_match_ffprobe() {
    let Some(fx) = ac3_fixture() else { return };
    let original = std::fs::read(&fx.path).unwrap();
    let bytes = Mkv::parse(&original)
        .drop_index()
        .block_groups(1, |_| Some(40))
        .to_bytes();
    let (_, ps) = demux_bytes(&bytes);
    let got = summary(&ps);
    // ffprobe parses AC-3 and may hand packets out of file order: compare per track.
    assert_same_per_track(&got, &fx.expected);
    // Key frames come from the absence of a ReferenceBlock.
    assert!(got.iter().filter(|p| p.0 == 1 && p.2).count() >= 3);
    assert!(got.iter().filter(|p| p.0 == 1).all(|p| p.4 == Some(40)));
}

#[test]
fn with_and_without_index_and_sizes() {
    let Some(fx) = ac3_fixture() else { return };
    let original = std::fs::read(&fx.path).unwrap();
    let (d, reference) = demux_bytes(&original);
    assert!(d.cues_position().is_some(), "ffmpeg writes SeekHead + Cues");
    assert_same_per_track(&summary(&reference), &fx.expected);
    let no_index = Mkv::parse(&original).drop_index().to_bytes();
    let live = Mkv::parse(&original)
        .drop_index()
        .unknown_sizes()
        .to_bytes();
    for (name, bytes) in [("no index", no_index), ("unknown sizes", live)] {
        let (d, ps) = demux_bytes(&bytes);
        assert!(d.cues_position().is_none(), "{name}");
        assert_eq!(ps.len(), reference.len(), "{name}");
        for (g, e) in ps.iter().zip(&reference) {
            assert_eq!(
                (g.track_id, g.pts, g.keyframe, &g.data),
                (e.track_id, e.pts, e.keyframe, &e.data),
                "{name}"
            );
        }
    }
    // Cues in front (ffmpeg -cues_to_front), and a file written to a pipe (unknown Segment
    // size, no Cues: what a live recorder makes).
    let mut args = av_inputs("160x120", 3.0);
    args.extend(["-c:v", "libx264", "-c:a", "ac3"].map(String::from));
    let mut front = args.clone();
    front.extend(["-cues_to_front", "1"].map(String::from));
    let front = support::fixture("mkv", &front).unwrap();
    let mut piped = args.clone();
    piped.extend(["-f", "matroska", "-live", "1"].map(String::from));
    let piped = support::fixture_piped("mkv", &piped).unwrap();
    for path in [front, piped] {
        let bytes = std::fs::read(&path).unwrap();
        let (_, ps) = demux_bytes(&bytes);
        assert_same_per_track(&summary(&ps), &ffprobe_packets(&path));
    }
}

#[test]
fn header_stripping_puts_the_bytes_back() {
    let Some(fx) = ac3_fixture() else { return };
    let original = std::fs::read(&fx.path).unwrap();
    let (_, reference) = demux_bytes(&original);
    // mkvmerge strips the AC-3 sync word (0B 77) from every frame.
    let bytes = Mkv::parse(&original)
        .drop_index()
        .strip_headers(2, 2)
        .to_bytes();
    let unstripped = Mkv::parse(&original).drop_index().to_bytes();
    let frames = reference.iter().filter(|p| p.track_id == 2).count();
    // 2 bytes less per frame; only the ContentEncodings element (< 64 bytes) added.
    let added = bytes.len() + 2 * frames - unstripped.len();
    assert!(added < 64, "{added}");
    let (d, ps) = demux_bytes(&bytes);
    assert_eq!(d.tracks()[1].codec_id, "A_AC3");
    let key = |p: &Packet| (p.track_id, p.pts, p.keyframe, p.data.clone());
    assert_eq!(
        ps.iter().map(key).collect::<Vec<_>>(),
        reference.iter().map(key).collect::<Vec<_>>()
    );
    let path = support::scratch("stripped.mkv");
    std::fs::write(&path, &bytes).unwrap();
    assert_same_per_track(&summary(&ps), &ffprobe_packets(&path));
    assert_same_per_track(&summary(&ps), &fx.expected);
}

#[test]
fn zlib_compressed_tracks_are_inflated() {
    let Some(fx) = ac3_fixture() else { return };
    let original = std::fs::read(&fx.path).unwrap();
    let (_, reference) = demux_bytes(&original);
    let bytes = Mkv::parse(&original)
        .drop_index()
        .zlib(1)
        .zlib(2)
        .to_bytes();
    let (d, ps) = demux_bytes(&bytes);
    assert_eq!(d.tracks()[0].codec, Codec::H264);
    let key = |p: &Packet| (p.track_id, p.pts, p.keyframe, p.data.clone());
    assert_eq!(
        ps.iter().map(key).collect::<Vec<_>>(),
        reference.iter().map(key).collect::<Vec<_>>()
    );
    let path = support::scratch("zlib.mkv");
    std::fs::write(&path, &bytes).unwrap();
    assert_same_per_track(&summary(&ps), &ffprobe_packets(&path));
}

#[test]
fn annex_b_h264_is_converted_to_avcc() {
    let Some(fx) = ac3_fixture() else { return };
    let original = std::fs::read(&fx.path).unwrap();
    let (d0, reference) = demux_bytes(&original);
    let bytes = Mkv::parse(&original).drop_index().annex_b(1).to_bytes();
    let (d, ps) = demux_bytes(&bytes);
    // The avcC is rebuilt from the SPS and PPS of the first key frame: ffmpeg's, without
    // the optional High-profile tail (chroma format, bit depths) that decoders do not need.
    assert_eq!(d.tracks()[0].codec, Codec::H264);
    let ours = &d.tracks()[0].codec_private;
    assert!(ours.len() > 10 && d0.tracks()[0].codec_private.starts_with(ours));
    let path = support::scratch("annexb.mkv");
    std::fs::write(&path, &bytes).unwrap();
    let theirs = ffprobe_packets(&path);
    assert_same_per_track(&summary(&ps), &theirs);
    // Frames are AVCC again: the original's, with the SPS and PPS (now length-prefixed)
    // still in front of each key frame.
    assert_eq!(ps.len(), reference.len());
    for (g, e) in ps.iter().zip(&reference).filter(|(g, _)| g.track_id == 1) {
        assert!(g.data.ends_with(&e.data), "pts {:?}", g.pts);
        assert_eq!(g.data.len() > e.data.len(), g.keyframe);
    }
    // And the remux path takes it: riptide-remux output decodes to the same pictures.
    let out = support::scratch("annexb-remuxed.mp4");
    support::riptide_remux(&path, &out);
    assert_eq!(support::frame_hashes(&out), support::frame_hashes(&fx.path));
}

/// Deterministic garbage (xorshift).
fn garbage(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

#[test]
fn damaged_cluster_resynchronises_at_the_next_one() {
    let Some(fx) = ac3_fixture() else { return };
    let original = std::fs::read(&fx.path).unwrap();
    let (_, reference) = demux_bytes(&original);
    let clusters: Vec<usize> = original
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == [0x1F, 0x43, 0xB6, 0x75])
        .map(|(i, _)| i)
        .collect();
    assert!(clusters.len() >= 3, "{clusters:?}");
    // Damage from the third block of the second Cluster (its header and what follows),
    // then the Cluster's own header.
    let blocks: Vec<usize> = reference
        .iter()
        .map(|p| p.pos as usize)
        .filter(|&p| p > clusters[1] && p < clusters[2])
        .collect();
    for (case, at) in [("blocks", blocks[2]), ("header", clusters[1])] {
        for seed in 1..4u64 {
            let mut bytes = original.clone();
            let n = 300.min(clusters[2] - at - 1);
            bytes[at..at + n].copy_from_slice(&garbage(n, seed));
            let (_, ps) = demux_bytes(&bytes);
            // Everything before the damage and from the next Cluster on is there, unchanged.
            let intact = |p: &&Packet| (p.pos as usize) < at || p.pos as usize >= clusters[2];
            let kept: Vec<_> = ps.iter().filter(intact).collect();
            let want: Vec<_> = reference.iter().filter(intact).collect();
            assert_eq!(kept, want, "{case} seed {seed}");
            assert!(
                ps.len() < reference.len(),
                "{case} seed {seed}: the damaged block is lost"
            );
        }
    }
}

#[test]
fn truncated_anywhere_plays_a_prefix_then_ends() {
    let Some(fx) = ac3_fixture() else { return };
    let original = std::fs::read(&fx.path).unwrap();
    let live = Mkv::parse(&original)
        .drop_index()
        .unknown_sizes()
        .to_bytes();
    for bytes in [original, live] {
        let (d, reference) = demux_bytes(&bytes);
        let first_cluster = d.first_cluster_pos() as usize;
        for tenth in 1..10 {
            let cut = bytes.len() * tenth / 10;
            let (_, ps) = demux_bytes(&bytes[..cut]);
            assert!(ps.len() < reference.len(), "cut {cut}");
            assert_eq!(ps[..], reference[..ps.len()], "cut {cut}");
            assert!(ps.iter().all(|p| p.pos < cut as u64));
            assert!(tenth < 3 || ps.len() > reference.len() * (tenth - 2) / 10);
        }
        // Cut inside the headers: a clear error, not a panic.
        for cut in [3, 30, first_cluster / 2] {
            let err = MkvDemuxer::open(&mut SparseCache::from_bytes(bytes[..cut].to_vec()))
                .map(|_| ())
                .unwrap_err();
            assert!(err.to_string().contains("MKV"), "{err}");
        }
    }
}

/// The whole remux path on damaged and cut files: `riptide-remux` succeeds, and its output
/// reads without warnings and decodes without errors.
#[test]
fn damaged_and_cut_files_remux_cleanly() {
    let Some(fx) = ac3_fixture() else { return };
    let original = std::fs::read(&fx.path).unwrap();
    let clusters: Vec<usize> = original
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == [0x1F, 0x43, 0xB6, 0x75])
        .map(|(i, _)| i)
        .collect();
    // Garbage over the third block of the second Cluster and what follows.
    let (_, reference) = demux_bytes(&original);
    let at = reference
        .iter()
        .map(|p| p.pos as usize)
        .filter(|&p| p > clusters[1] && p < clusters[2])
        .nth(2)
        .unwrap();
    let mut damaged = original.clone();
    damaged[at..at + 400].copy_from_slice(&garbage(400, 7));
    let cut = original[..original.len() * 7 / 10].to_vec();
    for (name, bytes) in [("damaged", damaged), ("cut", cut)] {
        let input = support::scratch(&format!("{name}.mkv"));
        std::fs::write(&input, &bytes).unwrap();
        let out = support::scratch(&format!("{name}.remuxed.mp4"));
        support::riptide_remux(&input, &out);
        assert_eq!(support::ffprobe_warnings(&out), "", "{name}");
        let dec = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(&out)
            .args(["-f", "null", "-"])
            .output()
            .unwrap();
        let errors = String::from_utf8_lossy(&dec.stderr);
        assert!(
            dec.status.success() && errors.trim().is_empty(),
            "{name}: {errors}"
        );
        let video = ffprobe(&out).of_type("video")[0].packets.len();
        let total = fx.expected.iter().filter(|p| p.0 == 1).count();
        assert!(
            video > total / 2 && video < total,
            "{name}: {video} of {total} frames"
        );
    }
}
