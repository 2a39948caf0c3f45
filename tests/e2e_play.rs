//! End to end, as a viewer: a seeder shares a 2-minute 720p H.264/AAC MKV (256 KiB pieces,
//! upload capped so the download takes a while); a second server, knowing nothing but the
//! magnet (DHT off, the seeder as `x.pe` hint), is opened in headless Chromium at
//! `/?magnet=...`. Playback must advance at least 3 s, the browser must have received less than
//! 2 MB of the film when the first frame played, and the torrent must have been far from
//! complete at that moment.
//!
//! Needs ffmpeg, node with `playwright-core`, /usr/bin/chromium and the wasm package in
//! `www/pkg` — `scripts/test.sh` provides all of them.

use std::path::PathBuf;
use std::process::Command;

use piece_server::{seed, spawn, Config};

const PIECE_LENGTH: u32 = 256 * 1024;
/// 3 MB/s: about 9× the film's bitrate, so playback never starves, but the 40 MB file takes
/// ~13 s to arrive — far longer than startup should take.
const SEEDER_UPLOAD_BPS: u32 = 3_000_000;
/// The product target: playback starts after less than 2 MB downloaded.
const MAX_FIRST_FRAME_BYTES: f64 = 2_000_000.0;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture made by ffmpeg once per target directory: `name` in `target/tmp/fixtures`, from
/// the ffmpeg arguments between the inputs and the output file.
fn fixture(name: &str, args: &[&str]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    if path.exists() {
        return path;
    }
    let tmp = dir.join(format!("partial-{name}"));
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .arg(&tmp)
        .status()
        .expect("ffmpeg is needed for the fixture (scripts/test.sh installs it)");
    assert!(status.success(), "ffmpeg failed to make {name}");
    std::fs::rename(&tmp, &path).unwrap();
    path
}

/// The film: 2 minutes of 720p H.264 (B-frames) + AAC in MKV, about 40 MB.
fn film_720p_mkv() -> PathBuf {
    fixture(
        "e2e-720p-2min.mkv",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=330:beep_factor=2:sample_rate=48000",
            "-t", "120", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "60",
            "-b:v", "2500k", "-maxrate", "3000k", "-bufsize", "3000k", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "128k",
        ],
    )
}

/// A seeder (upload capped at [`SEEDER_UPLOAD_BPS`], [`PIECE_LENGTH`] pieces) sharing `film`,
/// and a second server that serves the page and knows nothing but what the magnet says.
/// Returns the page URL that opens the magnet, and both servers (dropping them stops them).
async fn swarm(film: &std::path::Path, name: &str) -> (String, [piece_server::Server; 2]) {
    let tmp = tempdir(name);
    let mut seeder_cfg = Config::for_test(tmp.join("seeder"));
    seeder_cfg.upload_limit_bps = std::num::NonZeroU32::new(SEEDER_UPLOAD_BPS);
    let (_, seeder) = spawn(seeder_cfg).await.unwrap();
    let seeded = seed(&seeder.session, film, Some(PIECE_LENGTH)).await.unwrap();
    assert!(seeded.magnet.contains("x.pe=127.0.0.1"), "magnet lacks the peer hint: {}", seeded.magnet);

    let mut cfg = Config::for_test(tmp.join("server"));
    cfg.www_dir = repo().join("www");
    let (addr, server) = spawn(cfg).await.unwrap();
    let url = format!("http://{addr}/?magnet={}&file=0", encode(&seeded.magnet));
    (url, [seeder, server])
}

fn node_play(url: &str, play_seconds: u32, extra: &[&str]) -> serde_json::Value {
    let out = Command::new("node")
        .arg(repo().join("tests/e2e/play.mjs"))
        .arg(url)
        .args(["--play-seconds", &play_seconds.to_string(), "--timeout-ms", "90000"])
        .args(extra)
        .current_dir(repo())
        .output()
        .expect("node is needed for page tests");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "play.mjs failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("play.mjs printed no JSON ({e}): {stdout}"))
}

fn require_wasm_package() {
    let js = repo().join("www/pkg/remux_wasm.js");
    assert!(js.exists(), "{js:?} is missing: run scripts/build-wasm.sh (scripts/test.sh does)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn magnet_plays_in_chromium_after_a_few_pieces() {
    require_wasm_package();
    let film = film_720p_mkv();
    let film_len = std::fs::metadata(&film).unwrap().len();
    let (url, _servers) = swarm(&film, "e2e-play").await;
    let report = tokio::task::spawn_blocking(move || node_play(&url, 3, &[])).await.unwrap();
    eprintln!("e2e report: {report:#}");

    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    let current = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(current >= 3.0, "playback advanced only {current} s; status: {}", report["status"]);

    let ff = &report["firstFrame"];
    let bytes = ff["playerBytes"].as_f64().expect("the page did not report bytes at first frame");
    assert!(
        bytes < MAX_FIRST_FRAME_BYTES,
        "the browser had received {bytes} bytes of the film at the first frame (target < 2 MB)"
    );
    let downloaded = ff["torrent"]["stats"]["downloaded_bytes"]
        .as_f64()
        .expect("no torrent stats at first frame");
    assert!(
        downloaded < film_len as f64 * 0.5,
        "the torrent had {downloaded} of {film_len} bytes at the first frame: not streaming"
    );
    eprintln!(
        "first frame after {:.0} ms, {bytes} film bytes in the browser, torrent {:.1}% downloaded",
        ff["ms"].as_f64().unwrap_or(f64::NAN),
        downloaded * 100.0 / film_len as f64
    );
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}


/// The newcomer's path (`scripts/run.sh`): the server seeds the bundled sample itself, the page
/// offers it, one click plays it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundled_sample_plays_with_one_click() {
    require_wasm_package();
    let tmp = tempdir("e2e-sample");
    let mut cfg = Config::for_test(tmp.join("server"));
    cfg.www_dir = repo().join("www");
    let (addr, server) = spawn(cfg).await.unwrap();
    let sample = seed(&server.session, &repo().join("assets/sample.mkv"), None).await.unwrap();
    server.state.samples.write().unwrap().push(sample);

    let url = format!("http://{addr}/");
    let report =
        tokio::task::spawn_blocking(move || node_play(&url, 2, &["--click", "#sample"])).await.unwrap();
    eprintln!("sample report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    let current = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(current >= 2.0, "the sample played only {current} s; status: {}", report["status"]);
}

/// An MP4 with its `moov` at the end (ffmpeg's default): the player reads the head, learns
/// where `moov` is, fetches the tail, then plays from the start while the torrent downloads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mp4_with_moov_at_the_end_plays() {
    require_wasm_package();
    // ffmpeg writes `moov` after `mdat` unless told `-movflags +faststart`.
    let film = fixture(
        "e2e-moov-last.mp4",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=550:sample_rate=44100",
            "-t", "30", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "60",
            "-b:v", "2500k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
        ],
    );
    let (url, _servers) = swarm(&film, "e2e-mp4").await;
    let report = tokio::task::spawn_blocking(move || node_play(&url, 3, &[])).await.unwrap();
    eprintln!("mp4 report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    let current = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(current >= 3.0, "playback advanced only {current} s; status: {}", report["status"]);
}

/// An AVI (H.264 with B-frames, Annex B, + AAC), the AVI 1.0 layout with `idx1` at the end:
/// the page plays it from the magnet without the index, through the AVI demuxer in wasm.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avi_h264_aac_plays() {
    require_wasm_package();
    let film = fixture(
        "e2e-h264-aac.avi",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "50",
            "-b:v", "1500k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
        ],
    );
    let (url, _servers) = swarm(&film, "e2e-avi").await;
    let report = tokio::task::spawn_blocking(move || node_play(&url, 3, &[])).await.unwrap();
    eprintln!("avi report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    let current = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(current >= 3.0, "playback advanced only {current} s; status: {}", report["status"]);
}
