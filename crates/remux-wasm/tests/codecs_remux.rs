//! Every codec Riptide carries besides H.264 + AAC — HEVC, VP9, AV1, Opus, FLAC, MP3 — from
//! MKV/WebM and from MP4 made by ffmpeg at test time, through the remux pipeline into
//! fragmented MP4, checked against ffprobe of the source: the same number of frames and
//! packets per track, presentation times within one tick of the source time base, key frames
//! where the source has them, the same total duration within one frame, no ffprobe warning,
//! ffmpeg decodes the output without an error, and the `mp4` crate (a second, independent
//! reader) reads every sample. VP8 is refused with a plain-words error (its Vorbis sound plays
//! as FLAC).
//!
//! Skips (with a message) when ffmpeg or one of its encoders is missing, unless
//! RIPTIDE_REQUIRE_TOOLS is set (scripts/test.sh sets it), which makes that a failure.

#![cfg(not(target_arch = "wasm32"))] // reads files and runs ffmpeg: native only

use test_support as support;

use std::path::{Path, PathBuf};
use std::process::Command;

use remux_wasm::io::FileSource;
use remux_wasm::pipeline::{Pipeline, Step};
use serde_json::Value;

/// Whether ffmpeg and ffprobe run and ffmpeg has every encoder in `encoders`; if not, the
/// test skips, or fails under RIPTIDE_REQUIRE_TOOLS.
fn tools(encoders: &[&str]) -> bool {
    let list = Command::new("ffmpeg")
        .args(["-hide_banner", "-encoders"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    let probe_ok = Command::new("ffprobe")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    let missing: Vec<&str> = match &list {
        Some(l) if probe_ok => encoders
            .iter()
            .copied()
            .filter(|e| !l.split_whitespace().any(|w| w == *e))
            .collect(),
        _ => vec!["ffmpeg/ffprobe"],
    };
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
        "missing {missing:?} (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs ffmpeg)"
    );
    eprintln!("skipping: missing {missing:?}");
    false
}

fn workdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("riptide-codecs-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Encoder arguments per codec: small and fast (2 s of 160×120 at 25 fps, a key frame
/// every second).
fn codec_args(codec: &str) -> Vec<&'static str> {
    match codec {
        "hevc" => vec![
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "log-level=error:bframes=2",
            "-g",
            "25",
        ],
        "hevc-hev1" => vec![
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "log-level=error",
            "-g",
            "25",
        ],
        "vp9" => vec![
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-g",
            "25",
        ],
        "vp8" => vec!["-c:v", "libvpx", "-deadline", "realtime", "-g", "25"],
        "av1" => vec![
            "-c:v",
            "libaom-av1",
            "-usage",
            "realtime",
            "-cpu-used",
            "8",
            "-g",
            "25",
        ],
        "opus" => vec!["-c:a", "libopus", "-b:a", "48k"],
        "flac" => vec!["-c:a", "flac"],
        "mp3" => vec!["-c:a", "libmp3lame", "-b:a", "64k"],
        "vorbis" => vec!["-c:a", "libvorbis"],
        other => panic!("no encoder settings for {other}"),
    }
}

/// ffmpeg: testsrc2 + a sine at `rate` Hz, encoded with `video` and `audio`, into `path`
/// (the container follows the extension).
fn make(path: &Path, video: &str, audio: &str, rate: u32) {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=160x120:rate=25")
        .args(["-f", "lavfi", "-i"])
        .arg(format!("sine=frequency=440:sample_rate={rate}"))
        .args(["-t", "2", "-pix_fmt", "yuv420p"])
        .args(codec_args(video))
        .args(codec_args(audio))
        .args(["-strict", "experimental", "-shortest"]);
    if video == "hevc-hev1" {
        cmd.args(["-tag:v", "hev1"]);
    }
    if video == "hevc" && path.extension().is_some_and(|e| e == "mp4") {
        cmd.args(["-tag:v", "hvc1"]);
    }
    let out = cmd.arg(path).output().expect("run ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg failed making {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the remux pipeline over `input`, writing `output`; returns the MSE type and how much
/// later every track was moved (the presentation start, `MediaSegment::window_start`: an MP4
/// source's audio priming before 0), in seconds.
fn remux(input: &Path, output: &Path) -> Result<(String, f64), String> {
    let mut src = FileSource::open(input).map_err(|e| e.to_string())?;
    let mut p = Pipeline::open(&mut src).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    let mut mime = String::new();
    let mut moved = 0.0;
    loop {
        match p.step(&mut src).map_err(|e| e.to_string())? {
            Step::Init(init) => {
                mime = init.mime;
                bytes.extend_from_slice(&init.data);
            }
            Step::Segment(seg) => {
                moved = seg.window_start.unwrap_or(moved);
                bytes.extend_from_slice(&seg.data);
            }
            Step::Frames(_) => unreachable!("only a pipeline told to encode video gives frames"),
            Step::End => break,
        }
    }
    std::fs::write(output, bytes).unwrap();
    Ok((mime, moved))
}

/// ffprobe's packets and streams of `path`; asserts ffprobe has nothing to warn about.
fn probe(path: &Path) -> Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "warning",
            "-show_packets",
            "-show_streams",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .expect("run ffprobe");
    assert!(out.status.success(), "ffprobe failed on {}", path.display());
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(
        warnings.trim().is_empty(),
        "ffprobe warns about {}: {warnings}",
        path.display()
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One stream as ffprobe sees it.
struct Stream {
    codec: String,
    /// One tick of the stream's time base, in seconds.
    tick: f64,
    /// (pts seconds, duration seconds, key frame), in file (decode) order.
    packets: Vec<(f64, f64, bool)>,
}

fn stream(p: &Value, codec_type: &str) -> Stream {
    let s = p["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == codec_type)
        .unwrap_or_else(|| panic!("no {codec_type} stream"));
    let index = s["index"].as_i64().unwrap();
    let tb = s["time_base"].as_str().unwrap();
    let (n, d) = tb.split_once('/').unwrap();
    let tick = n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap();
    let num = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let packets = p["packets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["stream_index"].as_i64() == Some(index))
        .map(|k| {
            (
                num(&k["pts_time"]),
                num(&k["duration_time"]),
                k["flags"].as_str().unwrap().contains('K'),
            )
        })
        .collect();
    Stream {
        codec: s["codec_name"].as_str().unwrap().to_string(),
        tick,
        packets,
    }
}

/// Asserts `out` has the frames of `src`: count, presentation times within one tick of the
/// source's time base once the output's move (`moved` s later) is taken off, key frames
/// (video), and the end within one frame.
fn same_track(kind: &str, src: &Stream, out: &Stream, moved: f64, check_keys: bool) {
    assert_eq!(
        out.packets.len(),
        src.packets.len(),
        "{kind} ({}): packet count",
        src.codec
    );
    let tolerance = src.tick.max(out.tick) + 1e-6;
    for (i, (s, o)) in src.packets.iter().zip(&out.packets).enumerate() {
        assert!(
            (s.0 - (o.0 - moved)).abs() <= tolerance,
            "{kind} ({}) packet {i}: source pts {} output {}",
            src.codec,
            s.0,
            o.0
        );
        if check_keys {
            assert_eq!(s.2, o.2, "{kind} packet {i}: key frame flag");
        }
    }
    let end = |l: &[(f64, f64, bool)]| l.iter().map(|p| p.0 + p.1).fold(f64::MIN, f64::max);
    let frame = src
        .packets
        .iter()
        .map(|p| p.1)
        .fold(0.0, f64::max)
        .max(0.04);
    assert!(
        (end(&src.packets) - (end(&out.packets) - moved)).abs() <= frame + tolerance,
        "{kind} ({}) ends at {} in the source, {} in the output",
        src.codec,
        end(&src.packets),
        end(&out.packets)
    );
}

/// A second reader: the `mp4` crate parses the init segment and every fragment and reads
/// every sample; returns the sample count per track (video first).
fn mp4_crate_samples(path: &Path) -> Vec<u32> {
    let data = std::fs::read(path).unwrap();
    let size = data.len() as u64;
    let mut r = mp4::Mp4Reader::read_header(std::io::Cursor::new(data), size)
        .unwrap_or_else(|e| panic!("the mp4 crate cannot read {}: {e}", path.display()));
    let mut ids: Vec<u32> = r.tracks().keys().copied().collect();
    ids.sort_unstable();
    let mut counts = Vec::new();
    for id in ids {
        let n = r.sample_count(id).unwrap();
        for i in 1..=n {
            let s = r
                .read_sample(id, i)
                .unwrap_or_else(|e| panic!("mp4 crate: track {id} sample {i}: {e}"))
                .unwrap_or_else(|| panic!("mp4 crate: track {id} sample {i} missing"));
            assert!(!s.bytes.is_empty(), "track {id} sample {i} is empty");
        }
        counts.push(n);
    }
    counts
}

/// Makes `video` + `audio` in `container` (an extension), remuxes it, and checks the output
/// against the source. `codecs` are the expected MSE codec strings.
fn check(container: &str, video: &str, audio: &str, rate: u32, codecs: [&str; 2]) {
    check_edited(container, video, audio, rate, codecs, |_| {});
}

/// [`check`], with the source file's bytes rewritten by `edit` first.
fn check_edited(
    container: &str,
    video: &str,
    audio: &str,
    rate: u32,
    codecs: [&str; 2],
    edit: impl FnOnce(&mut Vec<u8>),
) {
    let encoders: Vec<&str> = [video, audio].iter().map(|c| codec_args(c)[1]).collect();
    if !tools(&encoders) {
        return;
    }
    let name = format!("{video}_{audio}.{container}");
    let dir = workdir(&name);
    let (input, output) = (dir.join(&name), dir.join("out.mp4"));
    make(&input, video, audio, rate);
    let mut bytes = std::fs::read(&input).unwrap();
    edit(&mut bytes);
    std::fs::write(&input, bytes).unwrap();

    let (mime, moved) = remux(&input, &output).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        mime,
        format!("video/mp4; codecs=\"{},{}\"", codecs[0], codecs[1]),
        "{name}"
    );

    let (src, out) = (probe(&input), probe(&output));
    let (sv, ov) = (stream(&src, "video"), stream(&out, "video"));
    let (sa, oa) = (stream(&src, "audio"), stream(&out, "audio"));
    assert_eq!(
        (ov.codec.as_str(), oa.codec.as_str()),
        (sv.codec.as_str(), sa.codec.as_str())
    );
    same_track("video", &sv, &ov, moved, true);
    same_track("audio", &sa, &oa, moved, false);

    // ffmpeg decodes the whole output without an error.
    let dec = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&output)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    let errors = String::from_utf8_lossy(&dec.stderr);
    assert!(
        dec.status.success() && errors.trim().is_empty(),
        "{name}: decode errors: {errors}"
    );

    assert_eq!(
        mp4_crate_samples(&output),
        vec![sv.packets.len() as u32, sa.packets.len() as u32],
        "{name}: samples the mp4 crate reads"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn webm_vp9_opus() {
    check("webm", "vp9", "opus", 48000, ["vp09.00.10.08", "opus"]);
}

#[test]
fn mkv_hevc_flac() {
    check("mkv", "hevc", "flac", 44100, ["hvc1.1.6.L30.90", "flac"]);
}

#[test]
fn mkv_av1_mp3() {
    check("mkv", "av1", "mp3", 48000, ["av01.0.00M.08", "mp4a.6B"]);
}

#[test]
fn mp4_vp9_opus() {
    check("mp4", "vp9", "opus", 48000, ["vp09.00.10.08", "opus"]);
}

#[test]
fn mp4_hevc_mp3_low_rate() {
    check("mp4", "hevc", "mp3", 22050, ["hvc1.1.6.L30.90", "mp4a.69"]);
}

#[test]
fn mp4_av1_flac() {
    check("mp4", "av1", "flac", 48000, ["av01.0.00M.08", "flac"]);
}

#[test]
fn mp4_hev1_opus_keeps_hev1() {
    // ffmpeg's default HEVC entry in MP4 is hev1 (parameter sets may be in the samples).
    check(
        "mp4",
        "hevc-hev1",
        "opus",
        48000,
        ["hev1.1.6.L30.90", "opus"],
    );
}

#[test]
fn mkv_av1_without_codec_private_reads_the_sequence_header() {
    check_edited(
        "mkv",
        "av1",
        "opus",
        48000,
        ["av01.0.00M.08", "opus"],
        |b| {
            *b = support::mkv_edit::Mkv::parse(b)
                .drop_codec_private(1)
                .drop_index()
                .to_bytes()
        },
    );
}

#[test]
fn vp8_is_refused_in_plain_words_and_vorbis_plays_as_flac() {
    if !tools(&["libvpx", "libvorbis"]) {
        return;
    }
    let dir = workdir("vp8");
    let input = dir.join("vp8_vorbis.webm");
    make(&input, "vp8", "vorbis", 48000);
    // The picture cannot be carried; the sound can (transcoded, see tests/transcode.rs).
    let mut src = FileSource::open(&input).unwrap();
    let p = Pipeline::open(&mut src).unwrap();
    let skipped = p.remuxer().skipped().join("; ");
    assert!(skipped.contains("VP8 (V_VP8), which browsers play only from WebM files"), "{skipped}");
    assert!(!skipped.contains("Vorbis"), "{skipped}");
    let (mime, _) = remux(&input, &dir.join("out.mp4")).unwrap();
    assert_eq!(mime, "audio/mp4; codecs=\"flac\"");
    let _ = std::fs::remove_dir_all(&dir);
}
