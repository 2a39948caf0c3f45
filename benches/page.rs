//! Page level, in Debian's headless Chromium against a real piece-server and a loopback seeder:
//!
//! **4. Seek to playing.** The Riptide page plays a film from its magnet, then jumps
//! (`video.currentTime = X`) to 25, 50, 75 and 90 % of it, positions the fresh server has not
//! downloaded yet, each once to a key frame and once to the middle of a GOP (one second after a
//! key frame: the fixtures' GOP is 2 s), in two browser sessions so no jump finds another's
//! bytes; for each jump, the time until the video plays again with currentTime advancing, and
//! the film bytes the browser fetched for it (`benches/browser/seek.mjs`). MKV (Cues at the
//! end), MP4 (moov at the end) and AVI; references: the MP4 played and seeked by a plain
//! `<video src>` on the raw Range endpoint (what WebTorrent and rqbit do), and by a plain
//! `<video src>` on nginx serving the file at the seeder's rate (a plain HTTP file server:
//! what "seek like a local file" is measured against). Every run is a fresh server (empty data
//! directory); the seeder's upload is capped at each of `RIPTIDE_BENCH_SEEDER_BPS` in turn
//! (default 4 and 10 MB/s; smoke: 10 MB/s and the first session only). Within each run the
//! players take turns. An entry `A+B` is several seeders of the same film at once, capped at
//! A and B (the magnet names them all; nginx serves at A + B): a seek with a slow and a fast
//! peer, where the server's end-game for the seek's first 4 MiB matters (`--seek-endgame`;
//! the rows `mkv:riptide/no-endgame` and `mp4:reference/no-endgame`, asked for by name, run
//! with it off).
//!
//! **5. Tab memory during a long playback** (`benches/browser/playback.mjs`): a long
//! low-bitrate film (`long.mkv`: 30 min of 240p in full mode) at 16× and the 1080p MKV at 4×
//! (with its MP4 in a plain `<video src>` at 4× as the reference for what decoding 1080p costs,
//! and hls.js from npm playing fMP4 HLS that ffmpeg makes of that MP4 at bench time, served
//! by playback.mjs itself), plus, as the reference, the long film's MP4 (`long.mp4`) in a plain `<video src>` at 16×,
//! start to end, sampled every 500 ms: the renderer process's private memory (/proc
//! smaps_rollup), the JS heap (`performance.memory`, precise), the player's wasm linear memory,
//! the seconds held in the SourceBuffers and buffered ahead. Reported: peak, steady (median of
//! the second half) and growth (median of the last quarter of the playback minus that of the
//! second quarter: whether memory grows with time once the back buffer is trimmed), and the
//! stalls (`waiting` events after the first frame). Each film is played
//! `RIPTIDE_BENCH_MEMORY_RUNS` times (default: the seek runs), the films taking turns; the run
//! with the median renderer peak is reported. The seeder is not capped here (the film must
//! arrive faster than 4× its bitrate).
//!
//! Environment (set by `scripts/bench.sh`): `RIPTIDE_BENCH_FIXTURES` (film.mkv/mp4/avi,
//! long.mkv), `RIPTIDE_BENCH_OUT` (the seek JSON; `playback.json` is written beside it),
//! `RIPTIDE_BENCH_RUNS` (seek runs per row, median reported; default 3), `RIPTIDE_BENCH_SMOKE=1`
//! (1 run, 256 KiB pieces), `RIPTIDE_BENCH_PAGE_ONLY=seek|memory` (one of the two parts; its
//! JSON alone is written). Experiments: `RIPTIDE_BENCH_SEEK_ROWS=mp4:riptide,mp4:nginx`
//! (only these seek rows), `RIPTIDE_BENCH_SEEK_POINTS='0.75:key;0.75:mid'` (the sessions' jumps,
//! sessions separated by `;`), `RIPTIDE_BENCH_SEEK_PIECE` (the torrent's piece size in bytes) and
//! `RIPTIDE_BENCH_SEEK_GOP` (the films' GOP in seconds, default 2) for other films, `RIPTIDE_BENCH_SEEK_TRACE=FILE` (each seek's page timeline goes in
//! the JSON, `seek.mjs --trace`, and the server's request timeline, debug events of target
//! `piece_server::stream` plus librqbit's piece events, into FILE). Fails (non-zero exit) when a run does not play.

use std::path::Path;

use piece_server::{seed, spawn, Config};
use serde_json::{json, Value};
use test_support::bench::{env_path, max, median};
use test_support::repo;
use test_support::swarm::{with_fresh_server, with_fresh_server_config};

/// Who plays a film in the memory step.
#[derive(Clone, Copy, PartialEq)]
enum Player {
    /// The Riptide page, from the magnet.
    Riptide,
    /// A plain `<video src>` on the raw Range endpoint (the reference).
    VideoSrc,
    /// hls.js (npm, default config) on fMP4 HLS made of the same film by ffmpeg.
    HlsJs,
}

impl Player {
    fn name(self) -> &'static str {
        match self {
            Player::Riptide => "riptide",
            Player::VideoSrc => "video-src",
            Player::HlsJs => "hls.js",
        }
    }
}

/// fMP4 HLS of `film` (4 s segments, the streams copied), made by ffmpeg once in `tmp`.
fn hls_of(film: &Path, tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("hls");
    if !dir.join("index.m3u8").exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let ok = std::process::Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-y", "-i"])
            .arg(film)
            .args([
                "-c",
                "copy",
                "-f",
                "hls",
                "-hls_time",
                "4",
                "-hls_playlist_type",
                "vod",
            ])
            .args([
                "-hls_segment_type",
                "fmp4",
                "-hls_fmp4_init_filename",
                "init.mp4",
            ])
            .arg("-hls_segment_filename")
            .arg(dir.join("seg%03d.m4s"))
            .arg(dir.join("index.m3u8"))
            .status()
            .expect("ffmpeg is needed (scripts/bench.sh installs it)");
        assert!(
            ok.success(),
            "ffmpeg could not make HLS of {}",
            film.display()
        );
    }
    dir
}

/// The seek table: every (seeder rate, file, player, jump) cell, medians of `runs` runs.
#[allow(clippy::too_many_arguments)]
async fn seek_step(
    fixtures: &Path,
    tmp: &Path,
    smoke: bool,
    runs: usize,
    n: &mut usize,
    trace: bool,
    only_rows: &str,
    failures: &mut Vec<String>,
) -> Value {
    // The seeders' upload caps (bytes/s), each a separate pass with its own seeders.
    let rates: Vec<Vec<u32>> = std::env::var("RIPTIDE_BENCH_SEEDER_BPS")
        .unwrap_or_else(|_| {
            if smoke {
                "10000000".into()
            } else {
                "4000000,10000000".into()
            }
        })
        .split(',')
        .map(|r| {
            r.split('+')
                .map(|c| {
                    c.trim().parse().expect(
                        "RIPTIDE_BENCH_SEEDER_BPS: bytes per second, comma-separated, A+B for two seeders",
                    )
                })
                .collect()
        })
        .collect();
    // Each set of jumps is one browser session on a fresh server. A key-frame jump and a
    // mid-GOP jump to the same fraction go in different sessions: the second would find the
    // first one's bytes already there.
    let sets: Vec<String> = std::env::var("RIPTIDE_BENCH_SEEK_POINTS")
        .map(|v| v.split(';').map(String::from).collect())
        .unwrap_or_else(|_| {
            let a = "0.25:key,0.5:mid,0.75:key,0.9:mid".to_string();
            if smoke {
                vec![a]
            } else {
                vec![a, "0.25:mid,0.5:key,0.75:mid,0.9:key".into()]
            }
        });
    let cells: &[(&str, &str)] = &[
        ("mkv", "riptide"),
        ("mp4", "riptide"),
        ("mp4", "reference"),
        ("mp4", "nginx"),
        ("avi", "riptide"),
        // Only when asked for by name: the server without end-game (`--seek-endgame false`).
        ("mkv", "riptide/no-endgame"),
        ("mp4", "reference/no-endgame"),
    ];
    let cells: Vec<(&str, &str)> = cells
        .iter()
        .copied()
        .filter(|(e, m)| {
            if only_rows.is_empty() {
                !m.contains('/')
            } else {
                only_rows.split(',').any(|r| r == format!("{e}:{m}"))
            }
        })
        .collect();
    // nginx serves the fixtures, its rate per connection set by the URL (`?bps=`), so its
    // `<video src>` gets the film at the seeder's rate.
    let nginx_port = test_support::nginx::free_port();
    let _nginx = cells.iter().any(|c| c.1 == "nginx").then(|| {
        let dir = tmp.join("nginx");
        let main = format!("worker_processes 1;\nerror_log {}/error.log;\nevents {{ worker_connections 256; }}", dir.display());
        let http = format!(
            "  access_log off;\n  sendfile on;\n  include /etc/nginx/mime.types;\n  \
             server {{ listen 127.0.0.1:{nginx_port}; root {}; location / {{ limit_rate $arg_bps; }}\n    \
             location = /seek.html {{ default_type text/html; return 200 '<!doctype html><video></video>'; }} }}",
            // nginx takes a relative root from its own prefix, not from here: the fixtures'
            // path is relative when CARGO_TARGET_DIR is (scripts/bench.sh's default).
            fixtures.canonicalize().expect("the fixtures directory").display()
        );
        test_support::nginx::Nginx::start(Path::new(test_support::nginx::NGINX), &dir, &main, &http).wait_for(nginx_port)
    });
    let piece: u32 = match std::env::var("RIPTIDE_BENCH_SEEK_PIECE") {
        Ok(v) => v.parse().expect("RIPTIDE_BENCH_SEEK_PIECE: the piece size in bytes"),
        Err(_) if smoke => 256 << 10,
        Err(_) => 1 << 20,
    };
    // The films' fixed GOP in seconds, for seek.mjs's key and mid-GOP targets.
    let gop = std::env::var("RIPTIDE_BENCH_SEEK_GOP").unwrap_or_else(|_| "2".into());
    let mut rows = Vec::new();
    for caps in &rates {
        let bps: u32 = caps.iter().sum();
        let mut seed_sessions = Vec::new();
        for (k, &cap) in caps.iter().enumerate() {
            seed_sessions.push(seeder(tmp, &format!("seeder-seek-{bps}-{k}"), Some(cap)).await);
        }
        let mut magnets = std::collections::HashMap::new();
        for &(ext, _) in &cells {
            if !magnets.contains_key(ext) {
                let film = fixtures
                    .join(format!("film.{ext}"))
                    .canonicalize()
                    .expect("fixture (benches/fixtures.sh)");
                // The same torrent from every seeder; the magnet names each as a peer.
                let mut magnet = String::new();
                for s in &seed_sessions {
                    let seeded = seed(&s.session, &film, Some(piece))
                        .await
                        .expect("seed the fixture");
                    if magnet.is_empty() {
                        magnet = seeded.magnet.clone();
                    } else {
                        let pe = seeded.magnet.split("&x.pe=").nth(1).expect("x.pe");
                        magnet.push_str(&format!("&x.pe={pe}"));
                    }
                }
                magnets.insert(ext, magnet);
            }
        }
        let mut seeks: Vec<Vec<Value>> = vec![Vec::new(); cells.len()];
        let mut errors: Vec<Vec<String>> = vec![Vec::new(); cells.len()];
        // The players take turns within each run, so a busy moment of the machine hits all alike.
        for _ in 0..runs {
            for (i, &(ext, mode)) in cells.iter().enumerate() {
                for points in &sets {
                    *n += 1;
                    let (player, endgame) = match mode.split_once('/') {
                        Some((p, "no-endgame")) => (p, false),
                        _ => (mode, true),
                    };
                    let mut args = vec![
                        magnets[ext].clone(),
                        player.into(),
                        "--points".into(),
                        points.clone(),
                        "--gop".into(),
                        gop.clone(),
                    ];
                    if mode == "nginx" {
                        args.push("--src".into());
                        args.push(format!(
                            "http://127.0.0.1:{nginx_port}/film.{ext}?bps={bps}"
                        ));
                    }
                    if trace {
                        args.push("--trace".into());
                    }
                    let r = with_fresh_server_config(
                        tmp,
                        *n,
                        "benches/browser/seek.mjs",
                        args,
                        |c| c.seek_endgame = endgame,
                    )
                    .await;
                    if let Some(e) = r["error"].as_str() {
                        errors[i].push(e.to_string());
                    }
                    seeks[i].extend(r["seeks"].as_array().cloned().unwrap_or_default());
                }
            }
        }
        for (i, &(ext, mode)) in cells.iter().enumerate() {
            if let Some(e) = errors[i].first() {
                failures.push(format!("seek {ext} {mode} at {bps} B/s: {e}"));
            }
            let mut keys: Vec<(f64, String)> = Vec::new();
            for s in &seeks[i] {
                let k = (
                    s["fraction"].as_f64().unwrap_or(f64::NAN),
                    s["at"].as_str().unwrap_or("").to_string(),
                );
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            keys.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (f, at) in keys {
                let mine: Vec<&Value> = seeks[i]
                    .iter()
                    .filter(|s| s["fraction"].as_f64() == Some(f) && s["at"].as_str() == Some(&at))
                    .collect();
                let col = |k: &str| {
                    mine.iter()
                        .filter_map(|s| s[k].as_f64())
                        .collect::<Vec<f64>>()
                };
                let row = json!({
                    "seeder_bps": bps, "seeders_bps": caps, "format": ext, "mode": mode, "fraction": f, "at": at,
                    "ms_median": median(col("ms_playing")),
                    "ms_runs": col("ms_playing"),
                    "ms_event_median": median(col("ms_event")),
                    "bytes_median": median(col("bytes")),
                    "player_bytes_median": median(col("player_bytes")),
                    "torrent_bytes_median": median(col("torrent_bytes")),
                    "runs": mine.len(),
                    "target_had": mine.iter().filter(|s| s["target_had"] == true).count(),
                    "errors": errors[i],
                    "seeks": mine,
                });
                eprintln!(
                    "seek: {} MB/s {ext} {mode:<9} to {:>3.0} % ({at}): {} ms (runs {:?}), {} bytes (torrent downloaded {} meanwhile; target already there in {}/{} runs)",
                    caps.iter().map(|c| format!("{:.1}", *c as f64 / 1e6)).collect::<Vec<_>>().join("+"),
                    f * 100.0,
                    row["ms_median"].as_f64().map_or("-".into(), |v| format!("{v:.0}")),
                    row["ms_runs"].as_array().map(|v| v.iter().filter_map(|x| x.as_f64()).map(|x| x.round() as i64).collect::<Vec<_>>()),
                    row["bytes_median"].as_f64().map_or("-".into(), |v| format!("{v:.0}")),
                    row["torrent_bytes_median"].as_f64().map_or("-".into(), |v| format!("{v:.0}")),
                    row["target_had"],
                    mine.len(),
                );
                rows.push(row);
            }
        }
        drop(seed_sessions);
    }
    json!({ "seeder_upload_bps": rates.iter().map(|c| c.iter().sum::<u32>()).collect::<Vec<_>>(), "seeders_upload_bps": rates, "piece_bytes": piece, "gop_seconds": gop, "runs": runs, "sets": sets, "rows": rows })
}

/// A seeder session in this process (DHT and trackers off), upload capped at `bps` if given.
async fn seeder(tmp: &Path, name: &str, bps: Option<u32>) -> piece_server::Server {
    let mut cfg = Config::for_test(tmp.join(name));
    cfg.upload_limit_bps = bps.and_then(std::num::NonZeroU32::new);
    spawn(cfg).await.expect("start the seeder").1
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let smoke = std::env::var_os("RIPTIDE_BENCH_SMOKE").is_some();
    let runs: usize = if smoke {
        1
    } else {
        std::env::var("RIPTIDE_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3)
    };
    let fixtures = env_path("RIPTIDE_BENCH_FIXTURES", "target/bench-fixtures/full");
    let out = env_path("RIPTIDE_BENCH_OUT", "target/bench-results/page-seek.json");
    assert!(
        repo().join("www/pkg/remux_wasm.js").exists(),
        "www/pkg is missing: run scripts/build-wasm.sh (scripts/bench.sh does)"
    );
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let tmp = std::env::temp_dir().join(format!("riptide-bench-page-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let piece: u32 = if smoke { 256 << 10 } else { 1 << 20 };
    let mut failures = Vec::new();
    let mut n = 0;

    let only = std::env::var("RIPTIDE_BENCH_PAGE_ONLY").unwrap_or_default();
    let only_rows = std::env::var("RIPTIDE_BENCH_SEEK_ROWS").unwrap_or_default();
    let trace = std::env::var_os("RIPTIDE_BENCH_SEEK_TRACE");
    if let Some(file) = &trace {
        let file = std::fs::File::create(file).expect("create the trace file");
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "piece_server::stream=debug,librqbit::torrent_state::live=trace",
            ))
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .init();
    }

    // ---- 4. seek to playing ----
    if only != "memory" {
        let seek_rows = seek_step(
            &fixtures,
            &tmp,
            smoke,
            runs,
            &mut n,
            trace.is_some(),
            &only_rows,
            &mut failures,
        )
        .await;
        std::fs::write(&out, serde_json::to_string_pretty(&seek_rows).unwrap()).unwrap();
    }

    // ---- 5. tab memory during a long playback ----
    if only != "seek" {
        let limit = if smoke { 60 } else { 300 };
        // (label, file, playbackRate, wall-clock limit in seconds, player)
        let films: [(&str, &str, f64, u64, Player); 5] = [
            (
                "long low-bitrate film",
                "long.mkv",
                16.0,
                limit,
                Player::Riptide,
            ),
            (
                "same film as MP4 in `<video src>` (reference)",
                "long.mp4",
                16.0,
                limit,
                Player::VideoSrc,
            ),
            ("1080p film", "film.mkv", 4.0, limit, Player::Riptide),
            (
                "1080p film as MP4 in `<video src>` (reference)",
                "film.mp4",
                4.0,
                limit,
                Player::VideoSrc,
            ),
            (
                "1080p film as fMP4 HLS in hls.js",
                "film.mp4",
                4.0,
                limit,
                Player::HlsJs,
            ),
        ];
        let seed_session = seeder(&tmp, "seeder-playback", None).await;
        let mut playbacks = Vec::new();
        // RIPTIDE_BENCH_PAGE_FILMS=long.mkv,...: only these films (experiments).
        let only_films = std::env::var("RIPTIDE_BENCH_PAGE_FILMS").unwrap_or_default();
        // Each film is played this many times, the films taking turns (so a busy moment of the
        // machine hits every player alike); the run with the median renderer peak is reported.
        let mem_runs: usize = std::env::var("RIPTIDE_BENCH_MEMORY_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(if smoke { 1 } else { runs });
        let mut magnets = std::collections::HashMap::new();
        let mut by_label: Vec<(String, Vec<Value>)> = Vec::new();
        for _ in 0..mem_runs {
            for (label, file, rate, limit, player) in films {
                if !only_films.is_empty() && !only_films.split(',').any(|f| f == file) {
                    continue;
                }
                let film = fixtures
                    .join(file)
                    .canonicalize()
                    .expect("fixture (benches/fixtures.sh)");
                let film_bytes = std::fs::metadata(&film).map(|m| m.len()).unwrap_or(0);
                if !magnets.contains_key(file) {
                    let seeded = seed(&seed_session.session, &film, Some(piece))
                        .await
                        .expect("seed the fixture");
                    magnets.insert(file, seeded.magnet.clone());
                }
                n += 1;
                let mut args = vec![
                    magnets[file].clone(),
                    "--rate".into(),
                    rate.to_string(),
                    "--max-seconds".into(),
                    limit.to_string(),
                ];
                let reference = player != Player::Riptide;
                match player {
                    // RIPTIDE_BENCH_PAGE_QUERY=budget=...&low=...: the page's buffer tuning (experiments).
                    Player::Riptide => {
                        if let Ok(q) = std::env::var("RIPTIDE_BENCH_PAGE_QUERY") {
                            args.push("--query".into());
                            args.push(q);
                        }
                    }
                    Player::VideoSrc => args.push("--reference".into()),
                    Player::HlsJs => {
                        args.push("--hls".into());
                        args.push(hls_of(&film, &tmp).display().to_string());
                    }
                }
                let pb = with_fresh_server(&tmp, n, "benches/browser/playback.mjs", args).await;
                if let Some(e) = pb["error"].as_str() {
                    failures.push(format!("playback {file} ({}): {e}", player.name()));
                }
                let samples = pb["samples"].as_array().cloned().unwrap_or_default();
                let col = |k: &str| {
                    samples
                        .iter()
                        .map(|s| s[k].as_f64().unwrap_or(f64::NAN))
                        .collect::<Vec<f64>>()
                };
                let quarter = |v: &[f64], q: usize| {
                    median(v[v.len() * q / 4..v.len() * (q + 1) / 4].to_vec())
                };
                let growth = |v: &[f64]| Some(quarter(v, 3)? - quarter(v, 1)?);
                let half = |v: &[f64]| median(v[v.len() / 2..].to_vec());
                let (rss, heap, wasm, held, ahead, t) = (
                    col("rendererPrivate"),
                    col("heap"),
                    col("wasm"),
                    col("held"),
                    col("ahead"),
                    col("t"),
                );
                let cdp_heap = col("cdpHeap");
                let total: Vec<f64> = heap
                    .iter()
                    .zip(&wasm)
                    .map(|(h, w)| h + if w.is_finite() { *w } else { 0.0 })
                    .collect();
                let row = json!({
                    "label": label,
                    "reference": reference, "player": player.name(), "file": file,
                    "stalls": pb["stalls"], "stalled_ms": pb["stalledMs"], "stalls_at": pb["stallsAt"], "film_bytes": film_bytes, "duration_s": pb["duration"],
                    "rate": rate, "piece_bytes": piece,
                    "played_s": t.last().copied(), "ended": pb["ended"], "stuck_at": pb["stuckAt"], "samples": samples.len(),
                    "wall_s": samples.last().and_then(|s| s["wall"].as_f64()),
                    "renderer_idle": pb["idleRendererPrivate"],
                    "renderer_private_peak": max(&rss), "renderer_private_steady": half(&rss), "renderer_private_growth": growth(&rss),
                    "heap_peak": max(&heap), "heap_steady": half(&heap), "heap_growth": growth(&heap),
                    "wasm_peak": max(&wasm), "wasm_steady": half(&wasm),
                    "cdp_heap_peak": max(&cdp_heap), "cdp_heap_steady": half(&cdp_heap),
                    "heap_wasm_peak": max(&total), "heap_wasm_steady": half(&total), "heap_wasm_growth": growth(&total),
                    "held_s_median": median(held.clone()), "held_s_max": max(&held),
                    "ahead_median": median(ahead.clone()), "ahead_max": max(&ahead),
                    "error": pb["error"],
                    "series": samples,
                });
                eprintln!(
            "playback: {label} at {rate}×: {:.0} s of film in {:.0} s; renderer private peak {:.0} MB, steady {:.0} MB, growth {:+.1} MB; JS heap + wasm peak {:.1} MB; held in SourceBuffers ≤ {:.0} s; stalls {}",
            row["played_s"].as_f64().unwrap_or(f64::NAN), row["wall_s"].as_f64().unwrap_or(f64::NAN),
            max(&rss).unwrap_or(f64::NAN) / 1e6, half(&rss).unwrap_or(f64::NAN) / 1e6,
            growth(&rss).unwrap_or(f64::NAN) / 1e6, max(&total).unwrap_or(f64::NAN) / 1e6,
            max(&held).unwrap_or(f64::NAN), row["stalls"],
        );
                match by_label.iter_mut().find(|(l, _)| l == label) {
                    Some((_, rows)) => rows.push(row),
                    None => by_label.push((label.to_string(), vec![row])),
                }
            }
        }
        for (_, mut rows) in by_label {
            let peaks: Vec<Value> = rows
                .iter()
                .map(|r| r["renderer_private_peak"].clone())
                .collect();
            let stalls: Vec<Value> = rows.iter().map(|r| r["stalls"].clone()).collect();
            rows.sort_by(|a, b| {
                let p = |r: &Value| r["renderer_private_peak"].as_f64().unwrap_or(f64::INFINITY);
                p(a).total_cmp(&p(b))
            });
            let mut row = rows.swap_remove(rows.len() / 2);
            row["runs_renderer_private_peak"] = Value::Array(peaks);
            row["runs_stalls"] = Value::Array(stalls);
            playbacks.push(row);
        }
        drop(seed_session);
        std::fs::write(
            out.with_file_name("playback.json"),
            serde_json::to_string_pretty(&json!({ "films": playbacks })).unwrap(),
        )
        .unwrap();
    }
    let _ = std::fs::remove_dir_all(&tmp);
    if !failures.is_empty() {
        eprintln!(
            "page benchmark: runs that did not play:\n  {}",
            failures.join("\n  ")
        );
        std::process::exit(1);
    }
}
