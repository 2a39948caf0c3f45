//! Streaming as a viewer lives it, in headless Chromium against a real loopback swarm (a
//! seeding session with its upload capped, and a second server that knows only the magnet):
//!
//! - seek to 75% of a 10-minute film before those pieces exist: playing again within a
//!   generous bound; the page asked for no bytes in between, and the server fetched the pieces
//!   near the new position, not everything in between;
//! - the only seeder goes silent for 10 s mid-film (a TCP relay between the two stops
//!   forwarding, as when a seeder's uplink drops) and comes back: the page shows the stall,
//!   then plays on by itself, without a reload;
//! - 45 s of a 20-minute film at 16× speed: buffered-ahead stays within the high watermark
//!   plus a fragment, the back buffer is trimmed, and memory (JS heap from CDP, wasm memory)
//!   does not grow with time.
//!
//! Each prints its measured figures (seek-to-play, stall recovery, the trace). Needs ffmpeg,
//! node with `playwright-core`, /usr/bin/chromium and `www/pkg` — `scripts/test.sh` provides
//! them all.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use test_support::page as support;

use support::{encode, named_fixture, repo, tempdir};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use support::PIECE_LENGTH;

/// ffmpeg, node and Chromium are there (or the test skips, unless `RIPTIDE_REQUIRE_TOOLS`),
/// and so is the wasm package.
fn have_tools() -> bool {
    let found = support::have_tools();
    if found {
        support::require_wasm_package();
    }
    found
}

/// `minutes` of low-bitrate 320x180 H.264 (2 s GOPs) + AAC in MKV: quick to make, long to play.
fn low_bitrate_mkv(minutes: u32, video_kbps: u32) -> PathBuf {
    let secs = (minutes * 60).to_string();
    let rate = format!("{video_kbps}k");
    named_fixture(
        &format!("stream-{minutes}min-{video_kbps}k.mkv"),
        &[
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:beep_factor=2:sample_rate=44100",
            "-t", &secs, "-c:v", "libx264", "-preset", "ultrafast", "-g", "50",
            "-b:v", &rate, "-maxrate", &rate, "-bufsize", &rate, "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "32k",
        ],
    )
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

/// A TCP relay in front of the seeder. While `silent` is set it forwards nothing in either
/// direction but keeps the connections open: to the other peer the seeder has gone quiet.
async fn relay(to: std::net::SocketAddr, silent: Arc<AtomicBool>) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            let Ok(outbound) = TcpStream::connect(to).await else { continue };
            let (ri, wi) = inbound.into_split();
            let (ro, wo) = outbound.into_split();
            tokio::spawn(pump(ri, wo, silent.clone()));
            tokio::spawn(pump(ro, wi, silent.clone()));
        }
    });
    addr
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    silent: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while silent.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        while silent.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// A seeder capped at `upload_bps` behind a [`relay`], and a server that knows only the magnet
/// (whose peer hint points at the relay). Returns the page URL (with `query` appended), the
/// relay's silence switch, the info hash and both servers.
async fn swarm(
    film: &Path,
    name: &str,
    upload_bps: u32,
    query: &str,
) -> (String, Arc<AtomicBool>, String, [piece_server::Server; 2]) {
    let (seeded, addr, servers) =
        support::seeded_servers(name, &[film], Some(PIECE_LENGTH), upload_bps, |_| {}).await;
    let seeded = &seeded[0];
    let hint = seeded
        .magnet
        .split('&')
        .find_map(|kv| kv.strip_prefix("x.pe="))
        .expect("magnet has a peer hint")
        .to_string();
    let seeder_addr: std::net::SocketAddr = urlish_decode(&hint).parse().unwrap();
    let silent = Arc::new(AtomicBool::new(false));
    let relay_addr = relay(seeder_addr, silent.clone()).await;
    let magnet = seeded.magnet.replace(&format!("x.pe={hint}"), &format!("x.pe={relay_addr}"));

    let url = format!("http://{addr}/?magnet={}&file=0{query}", encode(&magnet));
    (url, silent, seeded.info_hash.to_string(), servers)
}

fn urlish_decode(s: &str) -> String {
    s.replace("%3A", ":").replace("%3a", ":")
}

fn watch(url: &str, extra: &[&str]) -> Value {
    let out = Command::new("node")
        .arg(repo().join("tests/e2e/watch.mjs"))
        .arg(url)
        .args(extra)
        .current_dir(repo())
        .output()
        .expect("node is needed for page tests");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "watch.mjs failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("watch.mjs printed no JSON ({e}): {stdout}"))
}

/// [`watch`] off the async runtime, for a page that must play without an error
/// ([`check_page_ok`]).
async fn watch_ok(url: String, extra: &'static [&'static str]) -> Value {
    let report = tokio::task::spawn_blocking(move || watch(&url, extra)).await.unwrap();
    check_page_ok(&report);
    report
}

/// The trace samples taken once the film had played past 1 s.
fn playing_trace(report: &Value) -> Vec<&Value> {
    report["trace"].as_array().unwrap().iter().filter(|s| f(&s["currentTime"]) > 1.0).collect()
}

fn check_page_ok(report: &Value) {
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert!(report["error"].is_null(), "the page showed an error: {}", report["error"]);
    assert!(report["firstFrameWall"].as_u64().is_some(), "the video never played; last sample: {}", report["final"]);
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// Pieces present in `have` (base64 bitfield, MSB first) among `range`.
fn count_present(have: &str, range: std::ops::Range<u64>) -> (usize, usize) {
    use base64::Engine;
    let bits = base64::engine::general_purpose::STANDARD.decode(have).unwrap();
    let present = range.clone().filter(|&i| bits.get((i / 8) as usize).is_some_and(|b| b & (0x80 >> (i % 8)) != 0)).count();
    (present, range.count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seek_to_three_quarters_plays_without_fetching_what_lies_between() {
    if !have_tools() {
        return;
    }
    // 10 minutes at ~330 kbit/s: ~25 MB. The seeder sends 1 MB/s, so the whole file takes
    // ~25 s to arrive; the seek comes ~2 s after the first frame.
    let film = low_bitrate_mkv(10, 300);
    let film_len = std::fs::metadata(&film).unwrap().len();
    let (url, _silent, _hash, _servers) = swarm(&film, "e2e-seek", 1_000_000, "").await;
    let report = watch_ok(url, &["--seek-to", "0.75", "--after-seek-s", "3", "--trace-ms", "100", "--timeout-ms", "80000"]).await;
    let seek = &report["seek"];
    assert!(!seek.is_null(), "the test never got to seek; last sample: {}", report["final"]);
    let ms = seek["ms"].as_f64().unwrap_or_else(|| panic!("no playback after the seek; last sample: {}", report["final"]));
    let page_seek = seek["pageSeeks"].as_array().and_then(|a| a.last()).cloned().unwrap_or_default();
    let page_ms = f(&page_seek["playingMs"]) - f(&page_seek["askedMs"]);
    eprintln!(
        "seek to {:.1} s (75%): playing again after {ms:.0} ms (sampled every 100 ms); the page's own 'seeking'→'playing': {page_ms:.0} ms",
        f(&seek["target"])
    );
    assert!(ms < 15_000.0, "seek-to-play took {ms} ms");

    // The page asked for no bytes between what it had before the seek and the new position.
    let asked = report["seek"]["askedWall"].as_u64().unwrap();
    let target_byte = (film_len as f64 * 0.75) as u64;
    let mut before_end = 0u64;
    let mut after = Vec::new();
    for r in report["requests"].as_array().unwrap() {
        let range = r["range"].as_str().unwrap_or("");
        let (a, b) = range.trim_start_matches("bytes=").split_once('-').unwrap();
        let (a, b): (u64, u64) = (a.parse().unwrap(), b.parse().unwrap());
        if r["wall"].as_u64().unwrap() < asked {
            // Not the index the player reads at the file's end while it plays (the Cues).
            if a < film_len * 99 / 100 {
                before_end = before_end.max(b);
            }
        } else {
            after.push((a, b));
        }
    }
    eprintln!("byte ranges asked after the seek: {after:?} (file {film_len} bytes; before the seek up to {before_end})");
    let between = |&(a, b): &(u64, u64)| a > before_end + (4 << 20) && b < target_byte - (4 << 20);
    assert!(!after.is_empty(), "no request after the seek");
    assert!(!after.iter().any(between), "the page fetched bytes between the old and new positions: {after:?}");

    // The server has the pieces at the new position, and not everything in between.
    let p = &seek["pieces"];
    let plen = p["piece_length"].as_u64().unwrap();
    let first = p["file_offset"].as_u64().unwrap() / plen;
    let at = first + target_byte / plen;
    let (near, _) = count_present(p["have"].as_str().unwrap(), at.saturating_sub(2)..at + 2);
    let mid = (first + (film_len / 4) / plen)..(first + (film_len * 65 / 100) / plen);
    let (present, total) = count_present(p["have"].as_str().unwrap(), mid.clone());
    eprintln!(
        "pieces when playing again: {near}/4 around the new position, {present}/{total} between 25% and 65% of the file, {} of {} in all",
        p["have_count"], p["total_pieces"]
    );
    assert!(near >= 1, "the server does not have the pieces at the new position");
    assert!(present < total, "every piece between 25% and 65% was downloaded before playing at 75%");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeder_silent_for_ten_seconds_stalls_then_resumes_by_itself() {
    if !have_tools() {
        return;
    }
    // 10 minutes at ~330 kbit/s, played at 16x (~660 KB/s of film): the seeder's 500 KB/s
    // cannot keep ahead, and it goes silent once the server holds ~1.5 MB.
    let film = low_bitrate_mkv(10, 300);
    let (url, silent, hash, servers) = swarm(&film, "e2e-stall", 500_000, "").await;
    let api = format!("http://{}/api/torrents/{hash}", servers[1].addr);
    let signal = tempdir("e2e-stall-signal").join("first-frame");
    let signal_arg = signal.to_string_lossy().into_owned();
    let page = tokio::task::spawn_blocking(move || {
        watch(&url, &["--rate", "16", "--duration-ms", "30000", "--trace-ms", "200", "--timeout-ms", "80000", "--signal-file", &signal_arg])
    });
    // Silence the seeder once the page plays (at 16x it soon needs bytes the server does not
    // have yet) and the server has received ~1.5 MB, for 10 s.
    let client = reqwest_lite::Client::new();
    let deadline = now_ms() + 60_000;
    let mut silent_at = None;
    while now_ms() < deadline {
        if signal.exists() {
            if let Some(j) = client.get_json(&api).await {
                if f(&j["stats"]["downloaded_bytes"]) >= 1_500_000.0 {
                    silent.store(true, Ordering::SeqCst);
                    silent_at = Some(now_ms());
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let silent_at = silent_at.expect("the page never played, or the server never received 1.5 MB");
    tokio::time::sleep(Duration::from_secs(10)).await;
    silent.store(false, Ordering::SeqCst);
    let back_at = now_ms();
    let report = page.await.unwrap();
    check_page_ok(&report);
    assert_eq!(report["navigations"].as_u64(), Some(1), "the page reloaded");

    let trace = report["trace"].as_array().unwrap();
    let stalled: Vec<&Value> = trace
        .iter()
        .filter(|s| s["state"] == "stalled" && s["wall"].as_u64().unwrap() >= silent_at)
        .collect();
    assert!(!stalled.is_empty(), "the page never showed a stall while the seeder was silent");
    let shown = stalled
        .iter()
        .find(|s| s["statusText"].as_str().unwrap_or("").contains("Waiting for peers"))
        .unwrap_or_else(|| panic!("the status line never said it was waiting for peers: {}", stalled[0]["statusText"]));
    eprintln!(
        "stall detected {} ms and shown {} ms after the seeder went silent: {:?} (peers {}, {} B/s)",
        stalled[0]["wall"].as_u64().unwrap() - silent_at,
        shown["wall"].as_u64().unwrap() - silent_at,
        shown["statusText"].as_str().unwrap_or(""),
        shown["peers"],
        shown["downBps"]
    );
    // After the seeder is back: currentTime advances again.
    let at_back = trace
        .iter()
        .filter(|s| s["wall"].as_u64().unwrap() <= back_at)
        .last()
        .map_or(0.0, |s| f(&s["currentTime"]));
    let resumed = trace
        .iter()
        .find(|s| s["wall"].as_u64().unwrap() > back_at && f(&s["currentTime"]) > at_back + 0.5)
        .unwrap_or_else(|| panic!("playback did not resume after the seeder came back; last: {}", report["final"]));
    for s in trace.iter().filter(|s| s["wall"].as_u64().unwrap() + 1_000 > back_at).take(80) {
        eprintln!(
            "  {:+6} ms  t={:6.1}  {:9} bytes={} peers={} down={}",
            s["wall"].as_i64().unwrap() - back_at as i64,
            f(&s["currentTime"]),
            s["state"].as_str().unwrap_or(""),
            s["bytes"],
            s["peers"],
            s["downBps"]
        );
    }
    let recovery = resumed["wall"].as_u64().unwrap() - back_at;
    let bytes_at_back = trace
        .iter()
        .filter(|s| s["wall"].as_u64().unwrap() <= back_at)
        .last()
        .map_or(0.0, |s| f(&s["bytes"]));
    let bytes_again = trace
        .iter()
        .find(|s| s["wall"].as_u64().unwrap() > back_at && f(&s["bytes"]) > bytes_at_back)
        .map(|s| s["wall"].as_u64().unwrap())
        .expect("no bytes reached the page after the seeder came back");
    eprintln!(
        "playback resumed {recovery} ms after the seeder came back (bytes reached the page again after {} ms); \
         currentTime {at_back:.1} -> {:.1}",
        bytes_again - back_at,
        f(&resumed["currentTime"])
    );
    // The goal is 3 s (the measured figure goes in the benchmarks and the closing note); the
    // bound here is generous for a loaded CI machine. Without the server's reconnect
    // watchdog (crates/piece-server/src/reconnect.rs) librqbit redials the seeder only after
    // its 10 s / 60 s backoff and this fails.
    assert!(recovery < 12_000, "playback resumed only {recovery} ms after the seeder came back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_fast_playback_keeps_buffer_and_memory_bounded() {
    if !have_tools() {
        return;
    }
    // 20 minutes at ~180 kbit/s; 45 s at 16x covers 12 minutes of it.
    let film = low_bitrate_mkv(20, 150);
    let (url, _silent, _hash, _servers) = swarm(&film, "e2e-long", 4_000_000, "").await;
    let report = watch_ok(url, &["--rate", "16", "--duration-ms", "45000", "--trace-ms", "1000", "--timeout-ms", "80000"]).await;
    let trace = playing_trace(&report);
    assert!(trace.len() >= 30, "only {} samples while playing", trace.len());
    eprintln!("trace (wall s, currentTime, state, ahead s, buffered start, JS heap MB, wasm MB, cache MB):");
    let t0 = trace[0]["wall"].as_u64().unwrap();
    for s in &trace {
        eprintln!(
            "  {:5.1} {:7.1} {:9} {:5.1} {:7.1} {:6.1} {:6.1} {:5.1}",
            (s["wall"].as_u64().unwrap() - t0) as f64 / 1000.0,
            f(&s["currentTime"]),
            s["state"].as_str().unwrap_or(""),
            f(&s["ahead"]),
            s["buffered"][0][0].as_f64().unwrap_or(f64::NAN),
            f(&s["cdpHeap"]) / 1e6,
            f(&s["wasmMemory"]) / 1e6,
            f(&s["cacheBytes"]) / 1e6,
        );
    }
    let last = trace.last().unwrap();
    let played = f(&last["currentTime"]);
    assert!(played > 300.0, "only {played} s of the film played in 45 s at 16x");
    // Buffered ahead: never more than the high watermark (30 s) plus a fragment (2 s GOPs) and
    // one sampling step of playback at 16x.
    let max_ahead = trace.iter().map(|s| f(&s["ahead"])).fold(0.0, f64::max);
    assert!(max_ahead <= 30.0 + 2.0 + 16.0, "buffered ahead reached {max_ahead} s");
    // Back buffer trimmed: the buffer starts no more than back buffer + slack + a fragment
    // behind the playhead.
    let start = last["buffered"][0][0].as_f64().unwrap();
    assert!(played - start <= 30.0 + 5.0 + 16.0 + 2.0, "buffer starts at {start} s with the playhead at {played} s");
    assert!(f(&last["removedSecs"]) > 200.0, "only {} s were trimmed", last["removedSecs"]);
    // Memory: the second half of the run holds no more than the first half plus a margin.
    let half = trace.len() / 2;
    let peak = |xs: &[&Value], k: &str| xs.iter().map(|s| f(&s[k])).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let (heap1, heap2) = (peak(&trace[..half], "cdpHeap"), peak(&trace[half..], "cdpHeap"));
    let (wasm1, wasm2) = (peak(&trace[..half], "wasmMemory"), peak(&trace[half..], "wasmMemory"));
    eprintln!(
        "peak JS heap {:.1} MB then {:.1} MB; wasm memory {:.1} MB then {:.1} MB; {played:.0} s played, max ahead {max_ahead:.1} s",
        heap1 / 1e6, heap2 / 1e6, wasm1 / 1e6, wasm2 / 1e6
    );
    assert!(heap2 <= heap1 * 1.5 + 5e6, "JS heap grew from {heap1} to {heap2}");
    assert!(wasm2 <= wasm1 + 8e6, "wasm memory grew from {wasm1} to {wasm2}");
}

/// A film with a high bitrate for its media byte budget keeps fewer seconds in the browser's
/// buffers (what the tab's memory holds): here a budget of 12 s of the film, so the player
/// stops fetching at 3/4 of it ahead (9 s; the resume level follows it down to 5 s) and keeps
/// 1/4 of it behind (3 s); playback goes on without stalling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_media_byte_budget_bounds_what_the_browser_holds() {
    if !have_tools() {
        return;
    }
    let film = low_bitrate_mkv(4, 150);
    let size = std::fs::metadata(&film).unwrap().len() as f64;
    let byte_rate = size / 240.0;
    let budget = (byte_rate * 12.0) as u64;
    let (url, _silent, _hash, _servers) = swarm(&film, "e2e-budget", 4_000_000, &format!("&budget={budget}")).await;
    let report = watch_ok(url, &["--rate", "4", "--duration-ms", "20000", "--trace-ms", "500", "--timeout-ms", "60000"]).await;
    let trace = playing_trace(&report);
    assert!(trace.len() >= 20, "only {} samples while playing", trace.len());
    let last = trace.last().unwrap();
    let (high, back) = (f(&last["highWatermark"]), f(&last["backBuffer"]));
    assert!((high - 9.0).abs() < 0.01 && (back - 3.0).abs() < 0.01, "limits for the film: {high} s ahead, {back} s behind");
    let played = f(&last["currentTime"]);
    assert!(played >= 50.0, "only {played} s played in 20 s at 4x");
    assert!(trace.iter().all(|s| s["state"] != "stalled"), "playback stalled");
    // Ahead: at most the high watermark + a fragment (≤ 1 s) + one sampling step at 4x (2 s).
    let max_ahead = trace.iter().map(|s| f(&s["ahead"])).fold(0.0, f64::max);
    assert!(max_ahead <= high + 1.0 + 2.0 + 1.0, "buffered ahead reached {max_ahead} s");
    // Behind: the back buffer + its trim slack (min(5 s, back)) + a fragment + a sampling step.
    let behind = trace[trace.len() / 2..]
        .iter()
        .map(|s| f(&s["currentTime"]) - s["buffered"][0][0].as_f64().unwrap_or(0.0))
        .fold(0.0, f64::max);
    assert!(behind <= back + back.min(5.0) + 1.0 + 2.0 + 1.0, "{behind} s held behind the playhead");
}

/// The few HTTP GETs the stall test makes to the server's JSON API, over a plain TCP socket
/// (keeps the test free of an HTTP client dependency).
mod reqwest_lite {
    use serde_json::Value;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    pub struct Client;

    impl Client {
        pub fn new() -> Self {
            Client
        }

        pub async fn get_json(&self, url: &str) -> Option<Value> {
            let rest = url.strip_prefix("http://")?;
            let (host, path) = rest.split_once('/')?;
            let mut s = tokio::net::TcpStream::connect(host).await.ok()?;
            let req = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            s.write_all(req.as_bytes()).await.ok()?;
            let mut buf = Vec::new();
            s.read_to_end(&mut buf).await.ok()?;
            let text = String::from_utf8_lossy(&buf);
            let (head, body) = text.split_once("\r\n\r\n")?;
            if !head.starts_with("HTTP/1.1 200") {
                return None;
            }
            if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
                let mut out = String::new();
                let mut rest = body;
                while let Some((len, tail)) = rest.split_once("\r\n") {
                    let n = usize::from_str_radix(len.trim(), 16).ok()?;
                    if n == 0 {
                        break;
                    }
                    out.push_str(tail.get(..n)?);
                    rest = tail.get(n + 2..)?;
                }
                serde_json::from_str(&out).ok()
            } else {
                serde_json::from_str(body).ok()
            }
        }
    }
}

/// A film that is all appended early (a small file) and then has its back buffer trimmed
/// while it plays must still reach its end: a removal re-opens the ended MediaSource, and the
/// player ends it again (before that fix the video stopped ~0.3–0.9 s short, "Buffering…").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_film_played_to_its_end_says_finished_after_back_buffer_trims() {
    if !have_tools() {
        return;
    }
    let film = low_bitrate_mkv(1, 300);
    let (url, _silent, _hash, _servers) = swarm(&film, "e2e-end", 4_000_000, "").await;
    let report = watch_ok(url, &["--rate", "8", "--duration-ms", "16000", "--trace-ms", "500", "--timeout-ms", "60000"]).await;
    let last = &report["final"];
    let trace = report["trace"].as_array().unwrap();
    assert!(
        trace.iter().any(|s| f(&s["removedSecs"]) > 0.0),
        "the back buffer was never trimmed, so this test did not test the trim after the end: {last}"
    );
    assert_eq!(last["state"], "ended", "the film did not reach its end: {last}");
    assert!(
        last["statusText"].as_str().unwrap_or("").contains("Finished"),
        "the page does not say the film is finished: {last}"
    );
}
