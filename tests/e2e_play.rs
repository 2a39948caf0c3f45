//! End to end, as a viewer: a seeder shares a 2-minute 720p H.264/AAC MKV (256 KiB pieces,
//! upload capped so the download takes a while); a second server, knowing nothing but the
//! magnet (DHT off, the seeder as `x.pe` hint), is opened in headless Chromium at
//! `/?magnet=...`, in Chromium and in Firefox ESR. Playback must advance at least 3 s, the browser must have received less than
//! 2 MB of the film when the first frame played, and the torrent must have been far from
//! complete at that moment.
//!
//! Needs ffmpeg, node with `playwright-core` and `puppeteer-core`, /usr/bin/chromium,
//! /usr/bin/firefox-esr and the wasm package in `www/pkg` — `scripts/test.sh` provides all
//! of them.

use std::path::PathBuf;

use piece_server::{seed, spawn, Config};

use test_support::page as support;
use support::{named_fixture, node_play, node_play_in, repo, require_wasm_package, swarm, tempdir, Engine, PIECE_LENGTH};

/// The product target: playback starts after less than 2 MB downloaded.
const MAX_FIRST_FRAME_BYTES: f64 = 2_000_000.0;

/// The film: 2 minutes of 720p H.264 (B-frames) + AAC in MKV, about 40 MB.
fn film_720p_mkv() -> PathBuf {
    named_fixture(
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn magnet_plays_in_chromium_after_a_few_pieces() {
    magnet_plays_after_a_few_pieces(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn magnet_plays_in_firefox_after_a_few_pieces() {
    magnet_plays_after_a_few_pieces(Engine::Firefox).await;
}

async fn magnet_plays_after_a_few_pieces(engine: Engine) {
    if !engine.available() {
        return;
    }
    require_wasm_package();
    let film = film_720p_mkv();
    let film_len = std::fs::metadata(&film).unwrap().len();
    let (url, _servers) = swarm(&film, &format!("e2e-play-{}", engine.name())).await;
    let report =
        tokio::task::spawn_blocking(move || node_play_in(engine, &url, 3.0, 90_000, &[])).await.unwrap();
    eprintln!("e2e report ({engine:?}): {report:#}");

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
    // The page asks to play before the player attaches its source; Firefox's load aborts that
    // request, and the video used to wait at the first fragment for the player's 3 s startup
    // hold. Playing must follow the first fragment at once (a loaded machine: well under 3 s).
    let (first_ms, canplay_ms) = (ff["ms"].as_f64().unwrap_or(f64::NAN), ff["canplayMs"].as_f64());
    let canplay_ms = canplay_ms.expect("the page never reported canplay");
    assert!(
        first_ms - canplay_ms < 2000.0,
        "the video played {:.0} ms after it could (canplay at {canplay_ms:.0} ms): it was not asked to play",
        first_ms - canplay_ms
    );
    let downloaded = ff["torrent"]["stats"]["downloaded_bytes"]
        .as_f64()
        .expect("no torrent stats at first frame");
    assert!(
        downloaded < film_len as f64 * 0.5,
        "the torrent had {downloaded} of {film_len} bytes at the first frame: not streaming"
    );
    // Peers, speed and the piece map follow the server's event stream, without polling.
    let watch = &report["watch"];
    assert_eq!(watch["mode"], "events", "the page does not follow the event stream: {watch}");
    assert_eq!(report["api"]["piecesPolls"], 0, "the page polled /pieces: {}", report["api"]);
    assert_eq!(report["api"]["statsPolls"], 0, "the page polled the torrent's stats: {}", report["api"]);
    assert!(report["api"]["events"].as_u64().unwrap_or(0) >= 1, "no event stream opened: {}", report["api"]);
    let have = watch["pieces"]["file_have"].as_u64().unwrap_or(0);
    assert!(have > 0, "the piece map shows no downloaded piece: {watch}");
    assert!(watch["statsText"].as_str().unwrap_or("").starts_with("1 peer ·"), "the stats line: {watch}");
    eprintln!(
        "{engine:?}: first frame after {:.0} ms, {bytes} film bytes in the browser, torrent {:.1}% downloaded",
        ff["ms"].as_f64().unwrap_or(f64::NAN),
        downloaded * 100.0 / film_len as f64
    );
}

/// Issue 4: playback starts inside the first GOP. A 720p film at 8 Mbit/s with 2 s GOPs (a
/// GOP ≈ 2 MB): the browser must reach `playing` having received less than the file up to
/// its first second plus one piece, which is less than the first GOP (checked on the fixture
/// itself, so the test cannot pass by cutting at key frames).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playback_starts_before_the_first_gop_has_arrived() {
    if !support::have_tools() {
        return;
    }
    require_wasm_package();
    let film = named_fixture(
        "e2e-720p-8mbit-20s.mkv",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=330:beep_factor=2:sample_rate=48000",
            "-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "60",
            "-b:v", "8M", "-maxrate", "9M", "-bufsize", "8M", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "128k",
        ],
    );
    let (first_gop_end, one_second) = (support::second_key_frame_offset(&film), support::offset_at(&film, 1.0));
    let budget = one_second + PIECE_LENGTH as u64;
    assert!(
        budget < first_gop_end,
        "fixture: the first second + a piece ({budget} bytes) is not less than the first GOP ({first_gop_end} bytes)"
    );
    let (url, _servers) = swarm(&film, "e2e-first-gop").await;
    let report = tokio::task::spawn_blocking(move || node_play(&url, 3.0, 60_000, &[])).await.unwrap();
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    let current = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(current >= 3.0, "playback advanced only {current} s; status: {}", report["status"]);
    let ff = &report["firstFrame"];
    let received = ff["playerReceived"].as_f64().expect("the page did not report bytes at first frame");
    eprintln!(
        "first frame after {:.0} ms with {received} bytes received (budget: first second + a piece = {budget}; first GOP = {first_gop_end})",
        ff["ms"].as_f64().unwrap_or(f64::NAN)
    );
    assert!(
        received < budget as f64,
        "the browser had received {received} bytes at the first frame; the film's first second + a piece is {budget} bytes (first GOP: {first_gop_end})"
    );
}

/// The newcomer's path (`scripts/run.sh`): the server seeds the bundled sample itself, the page
/// offers it, one click plays it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundled_sample_plays_with_one_click() {
    sample_plays_with_one_click(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundled_sample_plays_with_one_click_in_firefox() {
    sample_plays_with_one_click(Engine::Firefox).await;
}

async fn sample_plays_with_one_click(engine: Engine) {
    if !engine.available() {
        return;
    }
    require_wasm_package();
    let tmp = tempdir(&format!("e2e-sample-{}", engine.name()));
    let mut cfg = Config::for_test(tmp.join("server"));
    cfg.www_dir = Some(repo().join("www"));
    let (addr, server) = spawn(cfg).await.unwrap();
    let sample = seed(&server.session, &repo().join("assets/sample.mkv"), None).await.unwrap();
    server.state.samples.write().unwrap().push(sample);

    let url = format!("http://{addr}/");
    let report = tokio::task::spawn_blocking(move || node_play_in(engine, &url, 2.0, 90_000, &["--click", "#sample"]))
        .await
        .unwrap();
    eprintln!("sample report ({engine:?}): {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    let current = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(current >= 2.0, "the sample played only {current} s; status: {}", report["status"]);
    // One click: the sample button is the owner's click, no confirmation on top of it.
    assert_eq!(report["confirmations"], serde_json::json!([]), "the sample needed a second click");
}

/// An MP4 with its `moov` at the end (ffmpeg's default): the player reads the head, learns
/// where `moov` is, fetches the tail, then plays from the start while the torrent downloads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mp4_with_moov_at_the_end_plays() {
    require_wasm_package();
    // ffmpeg writes `moov` after `mdat` unless told `-movflags +faststart`.
    let film = named_fixture(
        "e2e-moov-last.mp4",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=550:sample_rate=44100",
            "-t", "30", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "60",
            "-b:v", "2500k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
        ],
    );
    let (url, _servers) = swarm(&film, "e2e-mp4").await;
    let report = tokio::task::spawn_blocking(move || node_play(&url, 3.0, 90_000, &[])).await.unwrap();
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
    let film = named_fixture(
        "e2e-h264-aac.avi",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "50",
            "-b:v", "1500k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
        ],
    );
    let (url, _servers) = swarm(&film, "e2e-avi").await;
    let report = tokio::task::spawn_blocking(move || node_play(&url, 3.0, 90_000, &[])).await.unwrap();
    eprintln!("avi report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    let current = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(current >= 3.0, "playback advanced only {current} s; status: {}", report["status"]);
}
