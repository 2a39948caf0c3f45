//! The MKV demuxer against ffprobe, on a file ffmpeg makes at test time: same packets (track,
//! pts, key flag, size, bytes in file order), whether the bytes come from a file, from a sparse
//! cache filled piece by piece as the demuxer asks, or from a truncated copy.
#![cfg(not(target_arch = "wasm32"))]

mod support;

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
    assert_eq!(
        codecs,
        vec![Codec::Other("V_VP9".into()), Codec::Other("A_OPUS".into())]
    );
    // ffmpeg shifts Opus by its CodecDelay (6.5 ms); MKV block times, which we report, do not.
    let shift = |mut v: Vec<Expected>| {
        v.iter_mut().filter(|p| p.0 == 2).for_each(|p| p.1 = 0);
        v
    };
    let got = summary(&demux_all(&mut src));
    let expected = &fx.expected;
    for (g, e) in got.iter().zip(expected).filter(|(g, _)| g.0 == 2) {
        assert!(
            (g.1 - e.1 - 7).abs() <= 1,
            "Opus pts {} vs ffprobe {}",
            g.1,
            e.1
        );
    }
    assert_matches(&shift(got), &shift(expected.clone()));
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
