//! Server throughput and concurrency: bytes/s through piece-server's Range endpoint for a
//! complete (seeded) torrent, against Debian's nginx serving the same file from disk, with 1,
//! 10, 50 and 100 concurrent clients, in the same run. Also piece-server's memory (RSS) idle
//! and under each load, for "server memory per stream". Also the cluster front of
//! docs/DEPLOY.md (nginx with `deploy/nginx/`'s slice cache before the piece-server): its cold
//! path (the first read, every slice from the piece-server) against the piece-server alone, and
//! with a warm cache at each level against nginx serving the file from disk.
//!
//! Each client is one keep-alive HTTP/1.1 connection that reads the file as the player does:
//! 1 MiB `Range` requests, sequentially, from its own starting point (client i starts at
//! i/N of the file), wrapping at the end. A 503 (piece-server's stream limit) is counted as a
//! rejection and retried after 50 ms. The load runs for a fixed time per level; the figure is
//! body bytes received / elapsed time. Client and servers share the machine's 2 cores, the
//! same way for both servers.
//!
//! Environment (set by `scripts/bench.sh`):
//! - `RIPTIDE_BENCH_FIXTURES`: directory with `film.mkv` (the file served).
//! - `RIPTIDE_BENCH_OUT`: JSON file to write (default `target/bench-results/server.json`).
//! - `PIECE_SERVER_BIN`: the release `piece-server` binary. `NGINX_BIN`: default `/usr/sbin/nginx`.
//! - `RIPTIDE_BENCH_SMOKE=1`: 1 s per level, levels 1 and 10 only. `RIPTIDE_BENCH_RUNS`: runs
//!   per level (median reported; default 3).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader as TokioBufReader};
use test_support::nginx::{free_port, Nginx, StopOnDrop};
use tokio::net::TcpStream;

/// The player's default fetch size (remux-wasm `player/scheduler.rs`, `chunk_bytes`).
const CHUNK: u64 = 1 << 20;

fn env_path(name: &str, default: &str) -> PathBuf {
    std::env::var_os(name).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default))
}

/// Resident and peak-resident memory of a process, in bytes, from /proc/<pid>/status.
fn rss(pid: u32) -> (u64, u64) {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map(|kb| kb * 1024)
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Starts `piece-server seed FILE` on a free port; returns the process and the file URL.
fn start_piece_server(bin: &Path, film: &Path, tmp: &Path) -> (StopOnDrop, String, u16) {
    let port = free_port();
    let mut child = Command::new(bin)
        .arg("seed")
        .arg(film)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--no-dht", "--no-trackers"])
        .arg("--data-dir")
        .arg(tmp.join("piece-server"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e} (scripts/bench.sh builds it)", bin.display()));
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    // Keep reading what it prints: a closed pipe would make its next println! fail.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let hash = first
        .split("btih:")
        .nth(1)
        .and_then(|r| r.get(..40))
        .unwrap_or_else(|| panic!("piece-server printed no magnet: {first:?}"))
        .to_string();
    (StopOnDrop(child), format!("/api/torrents/{hash}/files/0"), port)
}

/// Starts nginx (Debian's package) with a minimal config serving `root` on a free port.
fn start_nginx(bin: &Path, root: &Path, tmp: &Path) -> (Nginx, u16) {
    let port = free_port();
    let server = format!("server {{ listen 127.0.0.1:{port}; root {}; location / {{ }} }}", root.display());
    (run_nginx(bin, &tmp.join("nginx"), &server), port)
}

/// Starts nginx as the cluster front of docs/DEPLOY.md (the files of `deploy/nginx/`,
/// included unchanged) with one piece-server behind it and an empty slice cache.
fn start_front(bin: &Path, upstream: u16, tmp: &Path) -> (Nginx, u16) {
    let port = free_port();
    let dir = tmp.join("front");
    Nginx::link_deploy_files(&dir);
    let d = dir.display();
    let http = format!(
        "proxy_cache_path {d}/cache levels=1:2 keys_zone=riptide:16m max_size=4g inactive=1d use_temp_path=off;\n  \
         include riptide/riptide-http.conf;\n  \
         upstream riptide_nodes {{ hash $riptide_key consistent; server 127.0.0.1:{upstream}; keepalive 64; }}\n  \
         server {{ listen 127.0.0.1:{port}; include riptide/riptide-locations.conf; }}"
    );
    (run_nginx(bin, &dir, &http), port)
}

/// Runs nginx with Debian's defaults that matter for static files (sendfile, tcp_nopush, one
/// worker per core), logs off so every server does the same work, and `http` inside
/// `http { }`.
fn run_nginx(bin: &Path, dir: &Path, http: &str) -> Nginx {
    let d = dir.display();
    let main = format!("worker_processes auto;\nerror_log {d}/error.log;\nevents {{ worker_connections 4096; }}");
    let http = format!(
        "  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 1000000;\n  {http}"
    );
    Nginx::start(bin, dir, &main, &http)
}

/// Reads the whole file once through `port`, one 1 MiB request after another; MB/s.
async fn read_through(port: u16, path: &str, size: u64) -> f64 {
    let mut c = Conn::connect(port).await.unwrap();
    let t = Instant::now();
    let mut at = 0;
    while at < size {
        let end = (at + CHUNK).min(size) - 1;
        let (status, n) = c.get(path, at, end).await.unwrap();
        assert_eq!(status, 206, "bytes {at}-{end} through port {port}");
        at += n;
    }
    size as f64 / 1e6 / t.elapsed().as_secs_f64()
}

/// Waits until `GET path` answers 2xx.
async fn wait_ready(port: u16, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut c) = Conn::connect(port).await {
            if let Ok((status, _)) = c.get(path, 0, 0).await {
                if (200..300).contains(&status) {
                    return;
                }
            }
        }
        assert!(Instant::now() < deadline, "server on port {port} never answered {path}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    io: TokioBufReader<TcpStream>,
    port: u16,
    sink: Vec<u8>,
}

impl Conn {
    async fn connect(port: u16) -> std::io::Result<Conn> {
        let s = TcpStream::connect(("127.0.0.1", port)).await?;
        s.set_nodelay(true)?;
        Ok(Conn { io: TokioBufReader::with_capacity(256 << 10, s), port, sink: vec![0; 256 << 10] })
    }

    /// `GET path` with `Range: bytes=start-end` (inclusive); returns the status and the body
    /// length read (the body is read and dropped).
    async fn get(&mut self, path: &str, start: u64, end: u64) -> std::io::Result<(u16, u64)> {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nRange: bytes={start}-{end}\r\n\r\n",
            self.port
        );
        self.io.get_mut().write_all(req.as_bytes()).await?;
        let mut line = String::new();
        self.io.read_line(&mut line).await?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("bad status line {line:?}"))
        })?;
        let mut len = None;
        let mut close = false;
        loop {
            line.clear();
            if self.io.read_line(&mut line).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse::<u64>().ok();
            } else if lower.starts_with("connection:") && lower.contains("close") {
                close = true;
            }
        }
        let len = len.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "response without Content-Length")
        })?;
        let mut left = len;
        while left > 0 {
            let n = (left as usize).min(self.sink.len());
            self.io.read_exact(&mut self.sink[..n]).await?;
            left -= n as u64;
        }
        if close {
            return Err(std::io::ErrorKind::ConnectionAborted.into());
        }
        Ok((status, len))
    }
}

#[derive(Default, Debug, Clone)]
struct LoadResult {
    bytes: u64,
    requests: u64,
    rejected: u64,
    errors: u64,
    secs: f64,
    latencies_ms: Vec<f64>,
}

/// `clients` connections reading `path` (a file of `size` bytes) for `secs` seconds.
async fn load(port: u16, path: &str, size: u64, clients: usize, secs: f64) -> LoadResult {
    let started = Instant::now();
    let stop = started + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for i in 0..clients {
        let path = path.to_string();
        tasks.push(tokio::spawn(async move {
            let mut r = LoadResult::default();
            let chunks = size.div_ceil(CHUNK);
            let mut chunk = chunks * i as u64 / clients as u64;
            let mut conn = None;
            while Instant::now() < stop {
                if conn.is_none() {
                    match Conn::connect(port).await {
                        Ok(c) => conn = Some(c),
                        Err(_) => {
                            r.errors += 1;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    }
                }
                let start = chunk * CHUNK;
                let end = (start + CHUNK).min(size) - 1;
                let t = Instant::now();
                match conn.as_mut().unwrap().get(&path, start, end).await {
                    Ok((206, n)) => {
                        r.bytes += n;
                        r.requests += 1;
                        r.latencies_ms.push(t.elapsed().as_secs_f64() * 1e3);
                        chunk = (chunk + 1) % chunks;
                    }
                    Ok((503, _)) => {
                        r.rejected += 1;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Ok(_) | Err(_) => {
                        r.errors += 1;
                        conn = None;
                    }
                }
            }
            r
        }));
    }
    let mut total = LoadResult::default();
    for t in tasks {
        let r = t.await.unwrap();
        total.bytes += r.bytes;
        total.requests += r.requests;
        total.rejected += r.rejected;
        total.errors += r.errors;
        total.latencies_ms.extend(r.latencies_ms);
    }
    total.secs = started.elapsed().as_secs_f64();
    total
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = v.len() / 2;
    if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 }
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; this is not a libtest harness, so ignore arguments.
    let smoke = std::env::var_os("RIPTIDE_BENCH_SMOKE").is_some();
    let runs: usize = std::env::var("RIPTIDE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let fixtures = env_path("RIPTIDE_BENCH_FIXTURES", "target/bench-fixtures/full");
    let out = env_path("RIPTIDE_BENCH_OUT", "target/bench-results/server.json");
    let film = fixtures.join("film.mkv").canonicalize().expect("film.mkv (run benches/fixtures.sh)");
    let size = std::fs::metadata(&film).unwrap().len();
    let tmp = std::env::temp_dir().join(format!("riptide-bench-server-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();

    let ps_bin = env_path("PIECE_SERVER_BIN", "target/release/piece-server");
    let ngx_bin = env_path("NGINX_BIN", "/usr/sbin/nginx");
    let (ps, ps_path, ps_port) = start_piece_server(&ps_bin, &film, &tmp);
    let (_ngx, ngx_port) = start_nginx(&ngx_bin, film.parent().unwrap(), &tmp);
    let ngx_path = format!("/{}", film.file_name().unwrap().to_string_lossy());
    wait_ready(ps_port, &ps_path).await;
    wait_ready(ngx_port, &ngx_path).await;
    // The cluster front (docs/DEPLOY.md): its first read of the file is the cold path (every
    // slice from the piece-server), after which the slice cache is warm.
    let (_front, front_port) = start_front(&ngx_bin, ps_port, &tmp);
    wait_ready(front_port, "/api/status").await;
    let direct_once = read_through(ps_port, &ps_path, size).await;
    let cold_once = read_through(front_port, &ps_path, size).await;
    let warm_once = read_through(front_port, &ps_path, size).await;
    eprintln!(
        "server: one client reading the whole file: piece-server {direct_once:.0} MB/s, through the \
         front cold {cold_once:.0} MB/s ({:.2}x), warm {warm_once:.0} MB/s",
        cold_once / direct_once
    );
    let ps_pid = ps.0.id();
    let idle_rss = rss(ps_pid).0;

    let levels: &[usize] = if smoke { &[1, 10] } else { &[1, 10, 50, 100] };
    let secs = if smoke { 1.0 } else { 5.0 };
    let runs = if smoke { 1 } else { runs.max(1) };
    let mut rows = Vec::new();
    for &clients in levels {
        let mut ps_mbs = Vec::new();
        let mut ngx_mbs = Vec::new();
        let mut ps_lat = Vec::new();
        let mut ngx_lat = Vec::new();
        let mut front_mbs = Vec::new();
        let mut ps_rejected = 0;
        let mut errors = 0;
        let mut peak_rss = 0u64;
        for run in 0..runs {
            // Alternate which server goes first, so neither always meets a warmer cache.
            let order = if run % 2 == 0 { [true, false] } else { [false, true] };
            for riptide in order {
                if riptide {
                    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
                    let p2 = peak.clone();
                    let sampler = tokio::spawn(async move {
                        loop {
                            p2.fetch_max(rss(ps_pid).0, std::sync::atomic::Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    });
                    let mut r = load(ps_port, &ps_path, size, clients, secs).await;
                    sampler.abort();
                    peak_rss = peak_rss.max(peak.load(std::sync::atomic::Ordering::Relaxed)).max(rss(ps_pid).0);
                    ps_mbs.push(r.bytes as f64 / 1e6 / r.secs);
                    ps_lat.push(percentile(&mut r.latencies_ms, 0.5));
                    ps_rejected += r.rejected;
                    errors += r.errors;
                } else {
                    let f = load(front_port, &ps_path, size, clients, secs).await;
                    front_mbs.push(f.bytes as f64 / 1e6 / f.secs);
                    errors += f.errors;
                    let mut r = load(ngx_port, &ngx_path, size, clients, secs).await;
                    ngx_mbs.push(r.bytes as f64 / 1e6 / r.secs);
                    ngx_lat.push(percentile(&mut r.latencies_ms, 0.5));
                    errors += r.errors;
                }
            }
        }
        let (p, n, f) = (median(&mut ps_mbs), median(&mut ngx_mbs), median(&mut front_mbs));
        eprintln!(
            "server: {clients:>3} clients: piece-server {p:.0} MB/s, nginx {n:.0} MB/s, ratio {:.2}; \
             nginx front with a warm slice cache {f:.0} MB/s, {:.2}x nginx \
             ({ps_rejected} rejected with 503, {errors} errors)",
            p / n,
            f / n
        );
        rows.push(serde_json::json!({
            "clients": clients,
            "riptide_mb_s": p,
            "nginx_mb_s": n,
            "ratio": p / n,
            "front_warm_mb_s": f,
            "front_ratio": f / n,
            "front_runs_mb_s": front_mbs,
            "riptide_runs_mb_s": ps_mbs,
            "nginx_runs_mb_s": ngx_mbs,
            "riptide_latency_ms_median": median(&mut ps_lat),
            "nginx_latency_ms_median": median(&mut ngx_lat),
            "riptide_rejected_503": ps_rejected,
            "errors": errors,
            "riptide_rss_bytes": peak_rss,
            "riptide_rss_per_client_bytes": (peak_rss.saturating_sub(idle_rss)) as f64 / clients as f64,
        }));
    }
    let (_, hwm) = rss(ps_pid);
    let result = serde_json::json!({
        "file_bytes": size,
        "chunk_bytes": CHUNK,
        "seconds_per_level": secs,
        "runs": runs,
        "riptide_idle_rss_bytes": idle_rss,
        "riptide_peak_rss_bytes": hwm,
        "one_client_whole_file_mb_s": {
            "piece_server": direct_once,
            "front_cold": cold_once,
            "front_warm": warm_once,
        },
        "levels": rows,
    });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&out, serde_json::to_string_pretty(&result).unwrap()).unwrap();
    drop(ps);
    let _ = std::fs::remove_dir_all(&tmp);
    let total_errors: u64 = result["levels"].as_array().unwrap().iter().map(|r| r["errors"].as_u64().unwrap()).sum();
    assert!(total_errors == 0 || !smoke, "server bench: {total_errors} request errors");
}
