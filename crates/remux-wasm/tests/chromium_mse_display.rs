//! What headless Chromium does with what `tests/display.rs` and `tests/priming.rs` check
//! with ffprobe: our output is appended to a real `SourceBuffer` (a page written to a file,
//! run by `chromium --headless --dump-dom`), and the page reports the video's size and the
//! buffered range. A `tkhd` rotation of 90° swaps `videoWidth` and `videoHeight` (Chromium
//! applies the matrix in MSE), and the AAC priming frame is not buffered once
//! `appendWindowStart` is where the command says the presentation starts (as the page sets it).
//!
//! Skips (with a message) without ffmpeg or chromium, unless RIPTIDE_REQUIRE_TOOLS is set.

#![cfg(not(target_arch = "wasm32"))] // runs ffmpeg and chromium: native only

use test_support as support;

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

/// (videoWidth, videoHeight, buffered start, buffered end) once `file` (one fMP4 of type
/// `mime`) is appended to a SourceBuffer in headless Chromium; `None` without Chromium.
fn chromium_mse(file: &Path, mime: &str, window_start: f64) -> Option<(u32, u32, f64, f64)> {
    if Command::new("chromium").arg("--version").output().is_err() {
        support::skip("chromium is not installed");
        return None;
    }
    let mut hex = String::new();
    for b in std::fs::read(file).unwrap() {
        write!(hex, "{b:02x}").unwrap();
    }
    let page = format!(
        r#"<html><body><video id=v muted></video><pre id=out>pending</pre><script>
const hex = "{hex}";
const bytes = new Uint8Array(hex.length / 2);
for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
const v = document.getElementById('v'), out = document.getElementById('out');
const ms = new MediaSource();
v.src = URL.createObjectURL(ms);
let appended = false;
// The size is known from loadedmetadata, which may come before or after updateend.
function report() {{
  if (!appended || v.readyState < 1) return;
  const b = v.buffered;
  out.textContent = 'result ' + v.videoWidth + ' ' + v.videoHeight + ' ' +
    (b.length ? b.start(0) + ' ' + b.end(b.length - 1) : 'none none');
}}
v.addEventListener('loadedmetadata', report);
ms.addEventListener('sourceopen', () => {{
  const sb = ms.addSourceBuffer('{mime}');
  sb.appendWindowStart = {window_start};
  sb.addEventListener('updateend', () => {{ appended = true; report(); }});
  sb.addEventListener('error', () => {{ out.textContent = 'append error'; }});
  sb.appendBuffer(bytes);
}});
</script></body></html>"#
    );
    let html = support::scratch(&format!(
        "{}.html",
        file.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&html, page).unwrap();
    let run = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        // A profile of its own: two pages at once must not meet in one browser.
        .arg(format!(
            "--user-data-dir={}",
            support::scratch(&format!(
                "profile-{}",
                file.file_name().unwrap().to_string_lossy()
            ))
            .display()
        ))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&run.stdout);
    let line = dom
        .split("<pre id=\"out\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_default();
    let f: Vec<&str> = line.split_whitespace().collect();
    assert!(
        f.first() == Some(&"result") && f.len() == 5,
        "{}: the page reported {line:?}: {}",
        file.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    Some((
        f[1].parse().unwrap(),
        f[2].parse().unwrap(),
        f[3].parse().unwrap(),
        f[4].parse().unwrap(),
    ))
}

/// Writes a 90° clockwise `tkhd` matrix into the first track (video) of an ffmpeg MP4.
fn rotate_90(mp4: &[u8]) -> Vec<u8> {
    let mut b = mp4.to_vec();
    let at = b.windows(4).position(|w| w == b"tkhd").expect("a tkhd") - 4;
    let matrix = at + 8 + 4 + if b[at + 8] == 1 { 32 } else { 20 } + 8 + 8;
    let one = 0x1_0000;
    let m: [i32; 9] = [0, one, 0, -one, 0, 0, 120 << 16, 0, 0x4000_0000];
    for (i, v) in m.iter().enumerate() {
        b[matrix + 4 * i..matrix + 4 * i + 4].copy_from_slice(&v.to_be_bytes());
    }
    b
}

#[test]
fn chromium_turns_a_rotated_track_in_mse() {
    let args: Vec<String> = [
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=25:duration=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-an",
    ]
    .map(String::from)
    .to_vec();
    let Some(src) = support::fixture("mp4", &args) else {
        return;
    };
    let mime = "video/mp4; codecs=\"avc1.f4000b\"".replace('"', "\\\"");
    let plain = support::scratch("chromium-plain.mp4");
    support::riptide_remux(&src, &plain);
    let Some((w, h, ..)) = chromium_mse(&plain, &mime, 0.0) else {
        return;
    };
    assert_eq!((w, h), (160, 120), "the unrotated output's size");
    let rotated_src = support::scratch("chromium-rotated-src.mp4");
    std::fs::write(&rotated_src, rotate_90(&std::fs::read(&src).unwrap())).unwrap();
    let rotated = support::scratch("chromium-rotated.mp4");
    support::riptide_remux(&rotated_src, &rotated);
    let (w, h, ..) = chromium_mse(&rotated, &mime, 0.0).unwrap();
    assert_eq!((w, h), (120, 160), "the rotated output's size in Chromium");
}

#[test]
fn chromium_drops_the_aac_priming_frame_before_the_window_start() {
    let args: Vec<String> = [
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000:duration=2",
        "-c:a",
        "aac",
    ]
    .map(String::from)
    .to_vec();
    let Some(src) = support::fixture("mp4", &args) else {
        return;
    };
    let out = support::scratch("chromium-priming.mp4");
    let window = support::riptide_remux(&src, &out).expect("a presentation start after the priming frame");
    let Some((_, _, start, end)) = chromium_mse(&out, "audio/mp4; codecs=\\\"mp4a.40.2\\\"", window) else {
        return;
    };
    // ffmpeg's decode of the source: what plays, from 0 (here from the window start).
    let probe = support::ffprobe(&src);
    let a = probe.of_type("audio")[0];
    let src_end = a.start_time.unwrap() + a.duration_ts.unwrap() as f64 / 48_000.0;
    let frame = 1024.0 / 48_000.0;
    assert!((start - window).abs() < 1e-3, "buffered from {start}, the window starts at {window}");
    assert!(
        (end - window - src_end).abs() < frame / 2.0,
        "buffered to {end} s; the source plays to {src_end} s after the window start {window} (the priming frame is {frame} s)"
    );
}
