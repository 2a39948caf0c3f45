//! The subtitle reference: what ffmpeg itself extracts from a file, as (start ms, end ms,
//! text without tags). Used by `crates/remux-wasm/tests/tracks.rs` (native cues) and the
//! root `tests/e2e_tracks.rs` (the page's text tracks).

use std::path::Path;
use std::process::Command;

/// (start ms, end ms, text without tags) of subtitle stream `n` as ffmpeg extracts it to SRT
/// (`-map 0:s:N -f srt`).
pub fn ffmpeg_cues(path: &Path, n: usize) -> Vec<(i64, i64, String)> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", &format!("0:s:{n}"), "-f", "srt", "-"])
        .output()
        .expect("ffmpeg is needed for the subtitle reference");
    assert!(out.status.success(), "ffmpeg could not extract subtitle stream {n} of {path:?}");
    let text = String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n");
    let ms = |t: &str| {
        let t = t.trim().replace(',', ":");
        let p: Vec<i64> = t.split(':').map(|x| x.parse().unwrap()).collect();
        ((p[0] * 60 + p[1]) * 60 + p[2]) * 1000 + p[3]
    };
    text.split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .map(|block| {
            let mut lines = block.trim().lines().skip(1);
            let (a, b) = lines.next().unwrap().split_once("-->").unwrap();
            let body: Vec<&str> = lines.collect();
            (ms(a), ms(b), strip_tags(&body.join("\n")))
        })
        .collect()
}

/// `s` without `<…>` tags (SRT's `<i>`, WebVTT's `<c>` …).
pub fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
