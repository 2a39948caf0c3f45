//! 50 concurrent viewers against one `piece-server` process (the built binary, so its memory
//! can be measured alone): each reader pulls a Range at 2 MB/s (2x an 8 Mbit/s film), checks
//! every byte against the source file and records the longest wait for a chunk. Two phases:
//! a torrent the server seeds (complete), and a torrent the server is still downloading from
//! a loopback seeder. The server's RSS is sampled before, during and after each phase.
//!
//! Prints: baseline, peak, after-leave and per-stream RSS, worst gap, time to first byte.

use test_support::swarm as common;

use common::{get_json, random_bytes, MIB};
use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use piece_server::{spawn, Config};
use reqwest::{header, Client, StatusCode};

const PIECE: u32 = 256 * 1024;
const READERS: usize = 50;
/// 2x an 8 Mbit/s film.
const RATE_BPS: f64 = 2_000_000.0;

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

struct ReadReport {
    first_byte: Duration,
    worst_gap: Duration,
}

/// Reads `start..start+len` at `RATE_BPS`, comparing every chunk with `src`. The gap is the
/// time spent waiting for a chunk once the reader wanted one (its own pacing sleeps excluded).
async fn paced_read(
    client: Client,
    url: String,
    src: Arc<Vec<u8>>,
    start: usize,
    len: usize,
) -> ReadReport {
    let t0 = Instant::now();
    let mut resp = client
        .get(&url)
        .header(
            header::RANGE,
            format!("bytes={}-{}", start, start + len - 1),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT, "{url} @{start}");
    let mut got = 0usize;
    let mut first_byte = None;
    let mut worst_gap = Duration::ZERO;
    let begun = Instant::now();
    loop {
        let asked = Instant::now();
        let Some(chunk) = resp.chunk().await.unwrap() else {
            break;
        };
        let now = Instant::now();
        if first_byte.is_none() {
            first_byte = Some(now - t0);
        } else {
            worst_gap = worst_gap.max(now - asked);
        }
        let at = start + got;
        assert!(
            chunk[..] == src[at..at + chunk.len()],
            "bytes differ at {at}..{} of {url}",
            at + chunk.len()
        );
        got += chunk.len();
        // Pace: never be ahead of RATE_BPS since the first byte.
        let due = Duration::from_secs_f64(got as f64 / RATE_BPS);
        let elapsed = begun.elapsed();
        if due > elapsed {
            tokio::time::sleep(due - elapsed).await;
        }
    }
    assert_eq!(got, len, "short body for {url} @{start}");
    ReadReport {
        first_byte: first_byte.unwrap_or_default(),
        worst_gap,
    }
}

struct Phase {
    baseline_kib: u64,
    peak_kib: u64,
    after_kib: u64,
    worst_gap: Duration,
    worst_first_byte: Duration,
    took: Duration,
    most_open: u64,
}

/// Runs READERS paced readers at `offsets[i % offsets.len()]`, sampling the server's RSS.
async fn phase(
    pid: u32,
    base: &str,
    id: &str,
    src: Arc<Vec<u8>>,
    offsets: &[usize],
    len: usize,
) -> Phase {
    let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let url = format!("{base}/api/torrents/{id}/files/0");
    let baseline_kib = rss_kib(pid);
    let peak = Arc::new(AtomicU64::new(baseline_kib));
    let stop = Arc::new(AtomicBool::new(false));
    let most_open = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (peak, stop, most_open) = (peak.clone(), stop.clone(), most_open.clone());
        let status_url = format!("{base}/api/status");
        tokio::spawn(async move {
            let client = Client::new();
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                let s = get_json(&client, &status_url).await;
                most_open.fetch_max(s["open_file_streams"].as_u64().unwrap(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let t0 = Instant::now();
    let readers: Vec<_> = (0..READERS)
        .map(|i| {
            let start = offsets[i % offsets.len()] + (i / offsets.len()) * 4096;
            tokio::spawn(paced_read(
                client.clone(),
                url.clone(),
                src.clone(),
                start,
                len,
            ))
        })
        .collect();
    let mut worst_gap = Duration::ZERO;
    let mut worst_first_byte = Duration::ZERO;
    for r in readers {
        let r = r.await.expect("a reader failed");
        worst_gap = worst_gap.max(r.worst_gap);
        worst_first_byte = worst_first_byte.max(r.first_byte);
    }
    let took = t0.elapsed();
    stop.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    let most_open = most_open.load(Ordering::Relaxed);
    assert!(
        most_open >= READERS as u64 - 5,
        "at most {most_open} streams were open at once: the readers did not overlap"
    );
    drop(client);

    // Every stream is released once the clients are gone.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = get_json(&Client::new(), &format!("{base}/api/status")).await;
        if s["open_file_streams"] == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "streams still open after the clients left: {s}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    Phase {
        baseline_kib,
        peak_kib: peak.load(Ordering::Relaxed),
        after_kib: rss_kib(pid),
        worst_gap,
        worst_first_byte,
        took,
        most_open,
    }
}

fn report(name: &str, p: &Phase) {
    let per_stream = (p.peak_kib.saturating_sub(p.baseline_kib)) as f64 / READERS as f64 / 1024.0;
    eprintln!(
        "{name}: {READERS} readers x 2 MB/s in {:?} ({} streams open at most); RSS baseline {:.1} MiB, peak {:.1} MiB, after leave {:.1} MiB, \
         per stream {per_stream:.2} MiB; worst gap {:?}, worst first byte {:?}",
        p.took,
        p.most_open,
        p.baseline_kib as f64 / 1024.0,
        p.peak_kib as f64 / 1024.0,
        p.after_kib as f64 / 1024.0,
        p.worst_gap,
        p.worst_first_byte,
    );
    assert!(
        per_stream < 50.0,
        "{name}: {per_stream:.1} MiB per stream (bound 50)"
    );
}

fn spawn_server(tmp: &Path, file: &Path) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_piece-server"))
        .arg("seed")
        .arg(file)
        .args([
            "--piece-length",
            &PIECE.to_string(),
            "--no-dht",
            "--no-trackers",
        ])
        .args(["--listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(tmp.join("server"))
        .arg("--www-dir")
        .arg(tmp)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_paced_readers_complete_and_memory_returns() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    tokio::time::timeout(Duration::from_secs(120), async {
        let tmp = tempfile::tempdir().unwrap();
        // Complete torrent: seeded by the server process from this file.
        let done_src = Arc::new(random_bytes(24 * MIB, 11));
        let done_path = tmp.path().join("complete.mkv");
        std::fs::write(&done_path, &*done_src).unwrap();
        // Downloading torrent: seeded by a session in this process.
        let live_src = Arc::new(random_bytes(48 * MIB, 12));
        let live_path = tmp.path().join("downloading.mkv");
        std::fs::write(&live_path, &*live_src).unwrap();

        let mut child = spawn_server(tmp.path(), &done_path);
        let pid = child.id().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let magnet = lines.next_line().await.unwrap().expect("a magnet line");
        let url = lines.next_line().await.unwrap().expect("a URL line");
        let base = url.split_once("/?magnet=").unwrap().0.to_owned();
        let done_id = magnet["magnet:?xt=urn:btih:".len()..][..40].to_owned();

        // Phase 1: the complete torrent.
        let offsets: Vec<usize> = (0..10).map(|i| i * 3 * MIB / 2).collect();
        let p1 = phase(pid, &base, &done_id, done_src.clone(), &offsets, 6 * MIB).await;
        report("complete torrent", &p1);
        // Again: memory that stays after the first round must be reused, not grow per round.
        let p1b = phase(pid, &base, &done_id, done_src.clone(), &offsets, 6 * MIB).await;
        report("complete torrent, 2nd round", &p1b);
        assert!(
            p1b.after_kib < p1.after_kib + 16 * 1024,
            "RSS grows with every round of viewers: {} KiB after the 1st, {} KiB after the 2nd",
            p1.after_kib,
            p1b.after_kib
        );

        // Phase 2: a torrent the server downloads while 50 readers read it.
        // The seeder uploads at 16 MiB/s (after a 1 s burst): the 48 MiB take ~3 s, during the readers' 3 s.
        let mut seeder_config = Config::for_test(tmp.path().join("seeder"));
        seeder_config.upload_limit_bps = std::num::NonZeroU32::new(16 * MIB as u32);
        let (_, seeder) = spawn(seeder_config).await.unwrap();
        let info = piece_server::seed(&seeder.session, &live_path, Some(PIECE))
            .await
            .unwrap();
        let client = Client::new();
        let resp = client
            .post(format!("{base}/api/torrents"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(serde_json::json!({ "magnet": info.magnet }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        // Viewers start at 10 places in the film (every 4 MiB), 5 per place.
        let offsets: Vec<usize> = (0..10).map(|i| i * 4 * MIB).collect();
        let t = get_json(&client, &format!("{base}/api/torrents/{}", info.info_hash)).await;
        assert_eq!(
            t["stats"]["finished"], false,
            "downloaded before the readers came: {t}"
        );
        let p2 = phase(
            pid,
            &base,
            &info.info_hash,
            live_src.clone(),
            &offsets,
            6 * MIB,
        )
        .await;
        report("downloading torrent", &p2);
        let t = get_json(&client, &format!("{base}/api/torrents/{}", info.info_hash)).await;
        eprintln!("downloading torrent after phase 2: {}", t["stats"]);

        // Generous bounds: no reader waited 10 s for a chunk, and memory came back to within
        // 30 MiB of where the phase started (the downloading phase's own growth includes the
        // download itself: peer buffers and librqbit's per-torrent state).
        for (name, p) in [
            ("complete", &p1),
            ("complete 2nd", &p1b),
            ("downloading", &p2),
        ] {
            assert!(
                p.worst_gap < Duration::from_secs(10),
                "{name}: a reader stalled {:?}",
                p.worst_gap
            );
            assert!(
                p.after_kib < p.baseline_kib + 30 * 1024,
                "{name}: RSS after the readers left is {} KiB, baseline was {} KiB",
                p.after_kib,
                p.baseline_kib
            );
        }
        child.kill().await.ok();
    })
    .await
    .expect("test took longer than 120 s");
}
