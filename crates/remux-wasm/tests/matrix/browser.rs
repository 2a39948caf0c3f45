//! The browser runner: a static HTTP server with Range support, and the row files played in
//! headless Chromium and Firefox through tests/e2e/matrix.mjs.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use test_support as support;
use test_support::browser::Engine;

use crate::native::Native;
use crate::report::Outcome;

/// A static HTTP/1.1 server on 127.0.0.1 with Range support, for the browser part: `/pkg/*`
/// from www/pkg, `/blank.html`, and `/f/<i>` for the i-th file of `files`.
pub fn serve(pkg: PathBuf, files: Vec<PathBuf>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let (pkg, files) = (pkg.clone(), files.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut range = None;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                    let lower = h.to_ascii_lowercase();
                    if let Some(r) = lower.strip_prefix("range: bytes=") {
                        let (a, b) = r.trim().split_once('-').unwrap_or(("0", ""));
                        range = Some((a.parse::<u64>().unwrap_or(0), b.parse::<u64>().ok()));
                    }
                }
                let (body, kind): (Option<Vec<u8>>, &str) = if path == "/blank.html" {
                    (
                        Some(b"<!doctype html><meta charset=utf-8><body></body>".to_vec()),
                        "text/html",
                    )
                } else if let Some(p) = path.strip_prefix("/pkg/") {
                    let kind = if p.ends_with(".js") {
                        "text/javascript"
                    } else if p.ends_with(".wasm") {
                        "application/wasm"
                    } else {
                        "application/octet-stream"
                    };
                    (std::fs::read(pkg.join(p)).ok(), kind)
                } else if let Some(i) = path.strip_prefix("/f/") {
                    let f = i.parse::<usize>().ok().and_then(|i| files.get(i).cloned());
                    (
                        f.and_then(|f| std::fs::read(f).ok()),
                        "application/octet-stream",
                    )
                } else {
                    (None, "")
                };
                let mut w = conn;
                let Some(body) = body else {
                    let _ = w.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    return;
                };
                let total = body.len() as u64;
                let (status, start, end) = match range {
                    Some((a, b)) if a < total => {
                        let e = b.unwrap_or(total - 1).min(total - 1);
                        ("206 Partial Content", a, e)
                    }
                    Some(_) => {
                        let _ = write!(w, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{total}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                        return;
                    }
                    None => ("200 OK", 0, total.saturating_sub(1)),
                };
                let slice = if total == 0 {
                    &body[..0]
                } else {
                    &body[start as usize..=end as usize]
                };
                let mut head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n",
                    slice.len()
                );
                if status.starts_with("206") {
                    head.push_str(&format!("Content-Range: bytes {start}-{end}/{total}\r\n"));
                }
                head.push_str("\r\n");
                let _ = w.write_all(head.as_bytes());
                let _ = w.write_all(slice);
                let _ = w.flush();
                // Drain whatever the client still sends before closing.
                let _ = reader
                    .get_mut()
                    .set_read_timeout(Some(std::time::Duration::from_millis(10)));
                let _ = reader.read(&mut [0u8; 64]);
            });
        }
    });
    format!("http://{addr}")
}

/// Where the browser's tools are; `None` (skip, or fail under `RIPTIDE_REQUIRE_TOOLS`) if
/// node, its driver package (playwright-core for Chromium, puppeteer-core for Firefox), the
/// browser or the wasm package are missing.
pub fn browser_tools(engine: Engine) -> Option<(PathBuf, PathBuf)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let pkg = root.join("www/pkg");
    let driver = match engine {
        Engine::Chromium => "playwright-core",
        Engine::Firefox => "puppeteer-core",
    };
    let ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        && root.join("node_modules").join(driver).exists()
        && engine.binary().exists()
        && pkg.join("remux_wasm_bg.wasm").exists();
    if !ok {
        support::skip(&format!(
            "node, {driver}, {} or www/pkg (scripts/build-wasm.sh) missing: no playback in {}",
            engine.binary().display(),
            engine.label()
        ));
        return None;
    }
    Some((root, pkg))
}

/// One browser playback's result.
#[derive(Debug, Default)]
pub struct Played {
    pub failure: Option<String>,
    /// The player refused before anything played: its message (in plain words).
    pub refused: Option<String>,
    /// The player's notices (e.g. playing without sound, and why).
    pub notices: Vec<String>,
    /// Audio bytes went through Chromium's decoder.
    pub audio_decoded: bool,
    /// Where the browser buffered the start of the audio (seconds), if it carried audio.
    pub audio_start: Option<f64>,
}

/// [`run_pages_in`] Chromium.
pub fn run_pages(
    tag: &str,
    jobs: &[(String, PathBuf, Option<serde_json::Value>)],
) -> Option<BTreeMap<String, serde_json::Value>> {
    run_pages_in(Engine::Chromium, tag, jobs)
}

/// Plays `jobs` (name, file, scenario) in one headless `engine` through tests/e2e/matrix.mjs;
/// each job's JSON result by name. `None` without the browser's tools.
pub fn run_pages_in(
    engine: Engine,
    tag: &str,
    jobs: &[(String, PathBuf, Option<serde_json::Value>)],
) -> Option<BTreeMap<String, serde_json::Value>> {
    let (root, pkg) = browser_tools(engine)?;
    if jobs.is_empty() {
        return Some(BTreeMap::new());
    }
    let files: Vec<PathBuf> = jobs.iter().map(|j| j.1.clone()).collect();
    let base = serve(pkg, files);
    let spec = serde_json::json!({
        "base": base,
        "parallel": 3,
        "playSeconds": 2.05,
        "timeoutMs": 30000,
        "jobs": jobs.iter().enumerate().map(|(i, j)| serde_json::json!({
            "name": j.0,
            "url": format!("{base}/f/{i}"),
            "size": std::fs::metadata(&j.1).unwrap().len(),
            "scenario": j.2,
        })).collect::<Vec<_>>(),
    });
    let spec_path = support::scratch(&format!("{tag}-{}-jobs.json", engine.name()));
    std::fs::write(&spec_path, spec.to_string()).unwrap();
    let out = Command::new("node")
        .arg(root.join("tests/e2e/matrix.mjs"))
        .arg(&spec_path)
        .args(["--browser", engine.name()])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tests/e2e/matrix.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "matrix.mjs output: {e}: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    Some(
        results
            .into_iter()
            .map(|r| (r["name"].as_str().unwrap_or("").to_string(), r))
            .collect(),
    )
}

/// Plays every file in headless `engine` (one browser, a few pages at a time).
pub fn play_all(engine: Engine, jobs: &[(String, PathBuf, Option<f64>, Option<f64>)]) -> Option<Vec<Played>> {
    let page_jobs: Vec<(String, PathBuf, Option<serde_json::Value>)> =
        jobs.iter().map(|j| (j.0.clone(), j.1.clone(), None)).collect();
    let by_name = run_pages_in(engine, "matrix", &page_jobs)?;
    Some(
        jobs.iter()
            .map(|(name, _, video_start, audio_start)| {
                let r = &by_name[name];
                let mut why = Vec::new();
                for e in r["errors"].as_array().into_iter().flatten() {
                    why.push(format!("page error {e}"));
                }
                if let Some(e) = r["errorEvent"].as_str() {
                    why.push(format!("the video fired error: {e}"));
                }
                if let Some(e) = r["playerError"].as_str() {
                    why.push(format!("the player failed: {e}"));
                }
                let t = r["currentTime"].as_f64().unwrap_or(0.0);
                if t <= 2.0 {
                    why.push(format!("currentTime reached only {t:.2} s"));
                }
                // A/V sync as the browser placed it: the first video frame shown, and each
                // track's start in its SourceBuffer (tests/e2e/matrix.mjs splits a buffer
                // holding both), within 50 ms of the source's (ffprobe).
                if let (Some(v), Some(f)) = (video_start, r["firstFrame"].as_f64()) {
                    if (f - v).abs() > 0.05 {
                        why.push(format!(
                            "first video frame at {f:.3} s, the source's at {v:.3} s"
                        ));
                    }
                } else if video_start.is_some() {
                    why.push("no video frame was shown".into());
                }
                let refusing = r["playerError"].is_string() && t < 0.1;
                eprintln!(
                    "{name}: browser video start {}, audio start {} (source {video_start:?}, {audio_start:?}); first frame {} buffers {}",
                    r["videoStart"], r["audioStart"], r["firstFrame"], r["buffers"]
                );
                if let (Some(v), false) = (video_start, refusing) {
                    match r["videoStart"].as_f64() {
                        Some(b) if (b - v).abs() > 0.05 => why.push(format!(
                            "the video is buffered from {b:.3} s, the source's starts at {v:.3} s"
                        )),
                        Some(_) => {}
                        None => why.push(format!(
                            "no video start in the browser's buffers ({})",
                            r["startsError"].as_str().unwrap_or("")
                        )),
                    }
                }
                // Audio the player carries (not: played without sound with a notice).
                if let (Some(a), false, Some(b)) = (audio_start, refusing, r["audioStart"].as_f64()) {
                    if (b - a).abs() > 0.05 {
                        why.push(format!(
                            "the audio is buffered from {b:.3} s, the source's starts at {a:.3} s"
                        ));
                    }
                    if r["audioCovers"].as_bool() == Some(false) {
                        why.push(format!(
                            "the audio buffered ranges do not hold the playhead: {}",
                            r["buffers"]
                        ));
                    }
                }
                let notices: Vec<String> = r["notices"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|n| n.as_str().map(String::from))
                    .collect();
                // A refusal: the player stopped with a message before anything played.
                let refused = r["playerError"]
                    .as_str()
                    .filter(|_| {
                        t < 0.1
                            && r["errorEvent"].is_null()
                            && r["errors"].as_array().is_none_or(|e| e.is_empty())
                    })
                    .map(String::from);
                Played {
                    audio_start: r["audioStart"].as_f64(),
                    failure: (!why.is_empty()).then(|| why.join("; ")),
                    refused,
                    notices,
                    // The audio went through the decoder: Chromium's decoded byte counter; Firefox
                    // has none, so its media pipeline holding an audio stream (`mozHasAudio`)
                    // with the audio's buffered ranges holding the playhead (checked above).
                    audio_decoded: r["audioDecoded"].as_f64().unwrap_or(0.0) > 0.0
                        || (r["hasAudio"] == true && r["audioCovers"] == true),
                }
            })
            .collect(),
    )
}

/// The outcome in `engine` of a row whose native remux checked out, from its playback `p`
/// (`None`: no browser here). Notices and refusals are the page's own words.
pub fn browser_outcome(engine: Engine, n: &Native, p: Option<&Played>) -> Outcome {
    let label = engine.label();
    let page_notice = p.map(|p| p.notices.join(" ")).filter(|t| !t.is_empty());
    match p {
        None => Outcome::Skipped(format!("no {label} here")),
        Some(Played { refused: Some(msg), .. }) => Outcome::Refused(msg.clone()),
        Some(Played { failure: Some(f), .. }) => Outcome::Broken(format!("in {label}: {f}")),
        Some(_) if n.no_video.is_some() => Outcome::AudioOnly(n.no_video.clone().unwrap()),
        Some(_) if n.notice.is_some() => Outcome::Silent(page_notice.unwrap_or_else(|| n.notice.clone().unwrap())),
        Some(p) if n.carries_audio && !p.audio_decoded && page_notice.is_some() => {
            Outcome::Silent(page_notice.unwrap())
        }
        Some(p) if n.carries_audio && !p.audio_decoded => {
            Outcome::Broken(format!("in {label}: no audio was decoded, and no notice"))
        }
        Some(p) if n.carries_audio && p.audio_start.is_none() => {
            Outcome::Broken(format!("in {label}: audio decoded, but no audio buffer start found"))
        }
        Some(_) => Outcome::Plays,
    }
}
