//! Test media for the browser tests (`tests/web.rs`), generated at build time so that no
//! binary is committed: when compiling for wasm32, ffmpeg writes a 4 s 320x240 H.264 + AAC
//! MKV into OUT_DIR, exposed as `RIPTIDE_TEST_MKV`, and a 4 s 160x120 VP9 + Opus WebM,
//! exposed as `RIPTIDE_TEST_WEBM`, 20 s AC-3 / E-AC-3 5.1 MKVs (`RIPTIDE_TEST_AC3`,
//! `RIPTIDE_TEST_EAC3`), a 4 s 720x400 Xvid + MP3 AVI (`RIPTIDE_TEST_XVID`), and a 20 s
//! 320x240 H.264 + AAC MKV for the buffer-limit test (`RIPTIDE_TEST_MKV_20S`). Set
//! `RIPTIDE_TEST_MKV` to an existing file to use that
//! instead. Without ffmpeg the build still succeeds (the library needs no
//! media); the file is left empty and the browser test fails saying ffmpeg is missing.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RIPTIDE_TEST_MKV");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        return;
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("test-h264-aac.mkv");
    if let Ok(given) = std::env::var("RIPTIDE_TEST_MKV") {
        std::fs::copy(&given, &out).unwrap_or_else(|e| panic!("RIPTIDE_TEST_MKV={given}: {e}"));
    } else {
        let status = Command::new("ffmpeg")
            .args([
                "-y",
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=320x240:rate=25:duration=4",
            ])
            .args([
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:sample_rate=48000:duration=4",
            ])
            .args([
                "-c:v",
                "libx264",
                "-profile:v",
                "high",
                "-pix_fmt",
                "yuv420p",
                "-g",
                "25",
            ])
            .args(["-c:a", "aac", "-b:a", "64k", "-shortest"])
            .arg(&out)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                println!("cargo:warning=ffmpeg failed ({s}); the browser test media is empty");
                let _ = std::fs::write(&out, b"");
            }
            Err(e) => {
                println!("cargo:warning=ffmpeg not found ({e}); the browser test media is empty");
                let _ = std::fs::write(&out, b"");
            }
        }
    }
    println!("cargo:rustc-env=RIPTIDE_TEST_MKV={}", out.display());

    // VP9 + Opus in WebM (no VP9 CodecPrivate, Opus with a CodecDelay: what ffmpeg and
    // browsers write), for the codec-carriage browser test.
    let webm = out.with_file_name("test-vp9-opus.webm");
    let status = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-f", "lavfi", "-i"])
        .arg("testsrc=size=160x120:rate=25:duration=4")
        .args(["-f", "lavfi", "-i"])
        .arg("sine=frequency=440:sample_rate=48000:duration=4")
        .args([
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
        ])
        .args(["-cpu-used", "8"])
        .args(["-g", "25", "-c:a", "libopus", "-b:a", "48k", "-shortest"])
        .arg(&webm)
        .status();
    if !status.is_ok_and(|s| s.success()) {
        println!("cargo:warning=ffmpeg could not write the VP9 + Opus test WebM; it is empty");
        let _ = std::fs::write(&webm, b"");
    }
    println!("cargo:rustc-env=RIPTIDE_TEST_WEBM={}", webm.display());

    // 20 s of 5.1 at 640 kbit/s, AC-3 and E-AC-3 in MKV, one tone per channel, with a small
    // picture: the transcode's speed and playback test (tests/web_transcode.rs).
    for (name, codec, env) in [
        ("test-ac3-51.mkv", "ac3", "RIPTIDE_TEST_AC3"),
        ("test-eac3-51.mkv", "eac3", "RIPTIDE_TEST_EAC3"),
    ] {
        let path = out.with_file_name(name);
        let status = Command::new("ffmpeg")
            .args(["-y", "-v", "error", "-f", "lavfi", "-i"])
            .arg("testsrc=size=160x120:rate=25:duration=20")
            .args(["-f", "lavfi", "-i"])
            .arg("aevalsrc=exprs='0.5*sin(2*PI*440*t)|0.4*sin(2*PI*660*t)|0.45*sin(2*PI*550*t)|0.5*sin(2*PI*60*t)|0.3*sin(2*PI*880*t)|0.35*sin(2*PI*990*t)':s=48000:c=5.1:d=20")
            .args(["-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25"])
            .args(["-c:a", codec, "-b:a", "640k", "-shortest"])
            .arg(&path)
            .status();
        if !status.is_ok_and(|s| s.success()) {
            println!("cargo:warning=ffmpeg could not write {name}; it is empty");
            let _ = std::fs::write(&path, b"");
        }
        println!("cargo:rustc-env={env}={}", path.display());
    }

    // Xvid (MPEG-4 Part 2, two B-frames) + MP3 in AVI at a typical film size, for the
    // in-browser decode speed test (`tests/web_xvid.rs`).
    let xvid = out.with_file_name("test-xvid-mp3.avi");
    let status = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=720x400:rate=25:duration=4")
        .args(["-f", "lavfi", "-i"])
        .arg("sine=frequency=440:sample_rate=48000:duration=4")
        .args(["-c:v", "mpeg4", "-vtag", "XVID", "-bf", "2", "-g", "25", "-q:v", "4"])
        .args(["-c:a", "libmp3lame", "-b:a", "128k", "-shortest"])
        .arg(&xvid)
        .status();
    if !status.is_ok_and(|s| s.success()) {
        println!("cargo:warning=ffmpeg could not write the Xvid + MP3 test AVI; it is empty");
        let _ = std::fs::write(&xvid, b"");
    }
    println!("cargo:rustc-env=RIPTIDE_TEST_XVID={}", xvid.display());

    // 20 s of 320x240 H.264 (a key frame every second) + AAC in MKV: long enough for the
    // player's forward and back buffers to fill and be trimmed (`tests/web.rs`).
    let long = out.with_file_name("test-h264-aac-20s.mkv");
    let status = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-f", "lavfi", "-i"])
        .arg("testsrc=size=320x240:rate=25:duration=20")
        .args(["-f", "lavfi", "-i"])
        .arg("sine=frequency=440:sample_rate=48000:duration=20")
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25"])
        .args(["-c:a", "aac", "-b:a", "64k", "-shortest"])
        .arg(&long)
        .status();
    if !status.is_ok_and(|s| s.success()) {
        println!("cargo:warning=ffmpeg could not write the 20 s test MKV; it is empty");
        let _ = std::fs::write(&long, b"");
    }
    println!("cargo:rustc-env=RIPTIDE_TEST_MKV_20S={}", long.display());
}
