//! End-to-end: an MKV made by ffmpeg (H.264 with B-frames + AAC) through `riptide-remux`,
//! checked with ffprobe and ffmpeg as independent readers. Skips (with a message) when
//! ffmpeg is not installed.

#![cfg(not(target_arch = "wasm32"))] // reads files and runs ffmpeg: native only

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_riptide-remux");

fn have_ffmpeg() -> bool {
    let ok = |c: &str| {
        Command::new(c)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    ok("ffmpeg") && ok("ffprobe")
}

fn workdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("riptide-remux-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    out
}

/// `ffmpeg -f lavfi testsrc2 + sine → H.264 (-bf 2, GOP 25) + AAC in MKV`.
fn make_mkv(path: &Path, seconds: u32) {
    let out = run(Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .args([
            "testsrc2=size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            &seconds.to_string(),
            "-c:v",
            "libx264",
            "-bf",
            "2",
            "-g",
            "25",
            "-c:a",
            "aac",
            "-shortest",
        ])
        .arg(path));
    assert!(
        out.status.success(),
        "ffmpeg failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// ffprobe's packets and streams of `path`; asserts ffprobe has nothing to warn about.
fn probe(path: &Path) -> Value {
    let out = run(Command::new("ffprobe")
        .args([
            "-v",
            "warning",
            "-show_packets",
            "-show_streams",
            "-of",
            "json",
        ])
        .arg(path));
    assert!(out.status.success());
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(
        warnings.trim().is_empty(),
        "ffprobe warns about {}: {warnings}",
        path.display()
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Packets of the stream with `codec_type`: (pts seconds, duration seconds, key frame).
fn packets(p: &Value, codec_type: &str) -> (String, Vec<(f64, f64, bool)>) {
    let stream = p["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == codec_type)
        .unwrap_or_else(|| panic!("no {codec_type} stream"));
    let index = stream["index"].as_i64().unwrap();
    let num = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let list = p["packets"]
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
    (stream["codec_name"].as_str().unwrap().to_string(), list)
}

#[test]
fn remuxed_mkv_matches_the_source_frame_for_frame() {
    if !have_ffmpeg() {
        assert!(
            std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
            "skipping: ffmpeg/ffprobe not installed (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
        );
        eprintln!("skipping: ffmpeg/ffprobe not installed");
        return;
    }
    let dir = workdir("e2e");
    let (input, output) = (dir.join("in.mkv"), dir.join("out.mp4"));
    make_mkv(&input, 6);

    let out = run(Command::new(BIN).arg(&input).arg(&output));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "riptide-remux failed: {stderr}");
    assert!(
        stderr.contains("fragments") && stderr.contains("avc1."),
        "summary: {stderr}"
    );

    let src = probe(&input);
    let dst = probe(&output);
    let (src_vcodec, src_v) = packets(&src, "video");
    let (vcodec, v) = packets(&dst, "video");
    let (_, src_a) = packets(&src, "audio");
    let (acodec, a) = packets(&dst, "audio");
    assert_eq!(
        (src_vcodec.as_str(), vcodec.as_str(), acodec.as_str()),
        ("h264", "h264", "aac")
    );

    // Same frames, in the same (decode) order, at the same presentation times.
    assert_eq!(v.len(), src_v.len(), "video frame count");
    assert_eq!(a.len(), src_a.len(), "audio packet count");
    for (i, (s, d)) in src_v.iter().zip(&v).enumerate() {
        assert!(
            (s.0 - d.0).abs() <= 0.001 + 1e-9,
            "video frame {i}: source pts {} out {}",
            s.0,
            d.0
        );
        assert_eq!(s.2, d.2, "video frame {i}: key frame flag");
    }
    // B-frames really are there (PTS out of decode order).
    assert!(
        v.windows(2).any(|w| w[1].0 < w[0].0),
        "expected reordered frames"
    );

    // Duration within one frame (40 ms).
    let end = |l: &[(f64, f64, bool)]| l.iter().map(|p| p.0 + p.1).fold(0.0, f64::max);
    let frame = 0.04;
    assert!(
        (end(&src_v) - end(&v)).abs() <= frame + 1e-6,
        "video end {} vs {}",
        end(&src_v),
        end(&v)
    );
    assert!(
        (end(&src_a) - end(&a)).abs() <= frame + 1e-6,
        "audio end {} vs {}",
        end(&src_a),
        end(&a)
    );

    // ffmpeg decodes the whole output without a single error.
    let dec = run(Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&output)
        .args(["-f", "null", "-"]));
    let errors = String::from_utf8_lossy(&dec.stderr);
    assert!(
        dec.status.success() && errors.trim().is_empty(),
        "decode errors: {errors}"
    );

    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_and_errors() {
    let help = run(Command::new(BIN).arg("--help"));
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: riptide-remux INPUT OUTPUT.mp4"));

    let usage = run(Command::new(BIN).arg("only-one"));
    assert!(!usage.status.success());
    assert!(String::from_utf8_lossy(&usage.stderr).contains("expected two arguments"));

    let dir = workdir("errors");
    let missing = run(Command::new(BIN)
        .arg(dir.join("nope.mkv"))
        .arg(dir.join("o.mp4")));
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open"));

    let junk = dir.join("junk.mkv");
    std::fs::write(&junk, b"this is not a video file at all").unwrap();
    let bad = run(Command::new(BIN).arg(&junk).arg(dir.join("o.mp4")));
    assert!(!bad.status.success());
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(msg.contains("riptide-remux:") && msg.len() < 400, "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}
