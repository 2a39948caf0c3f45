//! The MKV demuxer against ffprobe, on a file ffmpeg makes at test time: same packets (track,
//! pts, key flag, size, bytes in file order), whether the bytes come from a file, from a sparse
//! cache filled piece by piece as the demuxer asks, or from a truncated copy.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use remux_wasm::demux::mkv::MkvDemuxer;
use remux_wasm::demux::{probe, Demuxer};
use remux_wasm::io::{ByteSource, FileSource, SparseCache};
use remux_wasm::{Codec, Error, Packet, TimeBase, TrackKind};

/// One packet as ffprobe reports it: (track number, pts in ms, keyframe, size, duration in ms).
type Expected = (u32, i64, bool, usize, Option<i64>);

struct Fixture {
    path: PathBuf,
    expected: Vec<Expected>,
}

fn have_ffmpeg() -> bool {
    let ok = |bin: &str| {
        Command::new(bin)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    ok("ffmpeg") && ok("ffprobe")
}

/// Encodes 4 s of test pattern + sine with ffmpeg into `name` under a per-run temp dir.
fn make(name: &str, codecs: &[&str]) -> Fixture {
    let dir = std::env::temp_dir().join(format!("riptide-mkv-demux-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let status = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
        ])
        .args([
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            "4",
        ])
        .args(codecs)
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg failed to make {name}");
    Fixture {
        expected: ffprobe_packets(&path),
        path,
    }
}

/// H.264 (B-frames, GOP 25) + AAC in MKV, made once per test run; `None` without ffmpeg.
fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            if !have_ffmpeg() {
                assert!(
                    std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
                    "ffmpeg/ffprobe not found: skipping the MKV comparison tests (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
                );
                eprintln!("ffmpeg/ffprobe not found: skipping the MKV comparison tests");
                return None;
            }
            Some(make(
                "out.mkv",
                &["-c:v", "libx264", "-bf", "2", "-g", "25", "-c:a", "aac"],
            ))
        })
        .as_ref()
}

fn ffprobe_packets(path: &Path) -> Vec<Expected> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_packets", "-of", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe failed");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let num = |k: &str| {
                p[k].as_i64()
                    .or_else(|| p[k].as_str().and_then(|s| s.parse().ok()))
            };
            (
                // ffmpeg numbers MKV tracks from 1 in stream order.
                num("stream_index").unwrap() as u32 + 1,
                num("pts").unwrap(),
                p["flags"].as_str().unwrap().starts_with('K'),
                num("size").unwrap() as usize,
                num("duration"),
            )
        })
        .collect()
}

fn demux_all(src: &mut dyn ByteSource) -> Vec<Packet> {
    let mut d = MkvDemuxer::open(src).unwrap();
    let mut out = Vec::new();
    while let Some(p) = d.next_packet(src).unwrap() {
        out.push(p);
    }
    out
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
    if !have_ffmpeg() {
        return;
    }
    let encoders = Command::new("ffmpeg")
        .args(["-hide_banner", "-encoders"])
        .output()
        .unwrap();
    let encoders = String::from_utf8_lossy(&encoders.stdout);
    if !encoders.contains("libvpx-vp9") || !encoders.contains("libopus") {
        assert!(
            std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
            "no libvpx-vp9 / libopus: skipping the WebM test (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
        );
        eprintln!("no libvpx-vp9 / libopus: skipping the WebM test");
        return;
    }
    let fx = make(
        "out.webm",
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
    );
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
    let mut src = SparseCache::new(Some(bytes.len() as u64));
    let mut filled = 0usize;
    let mut requests = 0;
    let mut feed = |src: &mut SparseCache, e: Error| {
        let Error::NeedData { offset, len } = e else {
            panic!("unexpected error {e}")
        };
        assert!(
            offset as usize >= filled && len > 0,
            "asked for {offset}+{len}, have {filled}"
        );
        let end = (filled + CHUNK).min(bytes.len());
        src.insert(filled as u64, bytes[filled..end].to_vec());
        filled = end;
        requests += 1;
    };
    let mut d = loop {
        match MkvDemuxer::open(&mut src) {
            Ok(d) => break d,
            Err(e) => feed(&mut src, e),
        }
    };
    let mut got = Vec::new();
    loop {
        match d.next_packet(&mut src) {
            Ok(Some(p)) => got.push(p),
            Ok(None) => break,
            Err(e) => feed(&mut src, e),
        }
    }
    assert!(requests >= bytes.len() / CHUNK, "filled on demand");
    assert_eq!(got, expected);
}

#[test]
fn truncated_copy_plays_a_prefix() {
    let Some(fx) = fixture() else { return };
    let bytes = std::fs::read(&fx.path).unwrap();
    let expected = demux_all(&mut SparseCache::from_bytes(bytes.clone()));
    let cut = bytes.len() * 6 / 10;
    let path = fx.path.with_file_name("truncated.mkv");
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
