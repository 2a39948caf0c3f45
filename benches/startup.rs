//! Startup: magnet → first frame, and the film bytes the browser received before it, with a
//! seeder on loopback, for MKV (Cues at the end), MP4 (moov at the end) and AVI (idx1 at the
//! end), each torrent made with 256 KiB, 1 MiB and 4 MiB pieces, plus the MKV with AC-3 5.1
//! audio (`mkv-ac3`: the page decodes it and encodes FLAC before the first frame). Reference: the MP4 played by
//! a plain `<video src>` pointed at the raw Range endpoint (what WebTorrent and rqbit do).
//!
//! Every run is a fresh server (empty data directory) that knows only the magnet; the seeder
//! (a second librqbit session in this process, DHT/trackers off, upload capped at
//! `RIPTIDE_BENCH_SEEDER_BPS`, default 10 MB/s ≈ an 80 Mbit/s line) stays up. The browser side
//! is `benches/browser/startup.mjs` in Debian's headless Chromium.
//!
//! Environment (set by `scripts/bench.sh`): `RIPTIDE_BENCH_FIXTURES` (film.mkv/mp4/avi),
//! `RIPTIDE_BENCH_OUT` (JSON written), `RIPTIDE_BENCH_RUNS` (runs per row, median reported;
//! default 3), `RIPTIDE_BENCH_SMOKE=1` (256 KiB pieces only, 1 run).
//!
//! Fails (non-zero exit) when a run of a format riptide supports does not play; a format the
//! page reports as unsupported is recorded as such.

use piece_server::{seed, spawn, Config};
use test_support::bench::{env_path, median};
use test_support::repo;
use test_support::swarm::with_fresh_server;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let smoke = std::env::var_os("RIPTIDE_BENCH_SMOKE").is_some();
    let runs: usize = if smoke {
        1
    } else {
        std::env::var("RIPTIDE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3)
    };
    let seeder_bps: u32 = std::env::var("RIPTIDE_BENCH_SEEDER_BPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let fixtures = env_path("RIPTIDE_BENCH_FIXTURES", "target/bench-fixtures/full");
    let out = env_path("RIPTIDE_BENCH_OUT", "target/bench-results/startup.json");
    assert!(
        repo().join("www/pkg/remux_wasm.js").exists(),
        "www/pkg is missing: run scripts/build-wasm.sh (scripts/bench.sh does)"
    );
    let tmp = std::env::temp_dir().join(format!("riptide-bench-startup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();

    let pieces: &[u32] = if smoke { &[256 << 10] } else { &[256 << 10, 1 << 20, 4 << 20] };
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    let mut n = 0;
    for &piece in pieces {
        // One seeder per piece length: the same file is seeded as a different torrent.
        let mut seeder_cfg = Config::for_test(tmp.join(format!("seeder-{piece}")));
        seeder_cfg.upload_limit_bps = std::num::NonZeroU32::new(seeder_bps);
        let (_, seeder) = spawn(seeder_cfg).await.expect("start the seeder");
        for ext in ["mkv", "mkv-ac3", "mp4", "avi"] {
            let name = if ext == "mkv-ac3" { "film-ac3.mkv".to_string() } else { format!("film.{ext}") };
            let film = fixtures.join(name).canonicalize().expect("fixture (benches/fixtures.sh)");
            let seeded = seed(&seeder.session, &film, Some(piece)).await.expect("seed the fixture");
            let modes: &[&str] = if ext == "mp4" { &["riptide", "reference"] } else { &["riptide"] };
            for &mode in modes {
                let mut ms = Vec::new();
                let mut bytes = Vec::new();
                let mut errors = Vec::new();
                for _ in 0..runs {
                    n += 1;
                    let r = with_fresh_server(
                        &tmp,
                        n,
                        "benches/browser/startup.mjs",
                        vec![seeded.magnet.clone(), mode.to_string(), "--timeout-ms".into(), "60000".into()],
                    )
                    .await;
                    match (r["ms"].as_f64(), r["bytes"].as_f64()) {
                        (Some(t), Some(b)) if r["error"].is_null() => {
                            ms.push(t);
                            bytes.push(b);
                        }
                        _ => errors.push(r["error"].as_str().unwrap_or("no result").to_string()),
                    }
                }
                // The page refusing a container or a codec it cannot play is a result (the
                // table says so); any other error is a broken run.
                let unsupported = errors
                    .iter()
                    .any(|e| e.contains("not supported") || e.contains("cannot play this video's format"));
                eprintln!(
                    "startup: {ext} {:>4} KiB {mode:<9}: {} ms, {} bytes{}",
                    piece >> 10,
                    median(ms.clone()).map_or("-".into(), |v| format!("{v:.0}")),
                    median(bytes.clone()).map_or("-".into(), |v| format!("{v:.0}")),
                    errors.first().map_or(String::new(), |e| format!(" (error: {e})"))
                );
                if !errors.is_empty() && !unsupported {
                    failures.push(format!("{ext} {piece} {mode}: {}", errors[0]));
                }
                rows.push(serde_json::json!({
                    "format": ext,
                    "piece_bytes": piece,
                    "mode": mode,
                    "ms_median": median(ms.clone()),
                    "bytes_median": median(bytes.clone()),
                    "ms_runs": ms,
                    "bytes_runs": bytes,
                    "unsupported": unsupported,
                    "errors": errors,
                }));
            }
        }
        drop(seeder);
    }

    // Memory during playback is measured by benches/page.rs (step 5 of scripts/bench.sh).

    let result = serde_json::json!({
        "seeder_upload_bps": seeder_bps,
        "runs": runs,
        "rows": rows,
    });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&out, serde_json::to_string_pretty(&result).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&tmp);
    if !failures.is_empty() {
        eprintln!("startup benchmark: runs that did not play:\n  {}", failures.join("\n  "));
        std::process::exit(1);
    }
}
