//! A Transmission seeder (Debian's `transmission-daemon` 3.00, alone, over loopback) feeds
//! piece-server fast enough for a film, with the server's default settings.
//!
//! Transmission 3.00 answers a peer's requests only when it has just written to that peer or
//! on its 500 ms bandwidth timer (`peer-msgs.c`: a `request` is only queued; `peerPulse` runs
//! from `didWrite` and from `pumpAllPeers`). On loopback it drains the queue long before the
//! next requests arrive, so a downloader gets about one request window per 500 ms: with a
//! fixed window of 32 chunks (16 KiB each) that was ~1 MB/s, with 64 ~2 MB/s. Our librqbit
//! patch adapts each peer's window (third_party/librqbit, `request_window.rs`): it grows while
//! the rate grows with it, so from Transmission it climbs to the ceiling (500).
//! docs/DESIGN.md, "Seeders of every kind".
//!
//! Needs `transmission-daemon`, `transmission-remote` and `transmission-create`
//! (`apt-get install transmission-daemon transmission-cli`); skipped when they are missing,
//! unless `RIPTIDE_REQUIRE_TOOLS` is set (then it fails).

use test_support::swarm as common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{add_magnet_id, random_bytes, MIB};
use piece_server::{spawn, Config};
use reqwest::{header, Client, StatusCode};

/// libtorrent downloads 5.9 MB/s from the same Transmission (benches/RESULTS.md, "Seeders");
/// the issue asks for at least half of that. A fixed window of 64 (the old default) measured
/// 2.0 MB/s and fails this.
const MIN_MB_S: f64 = 3.0;

/// transmission-daemon, stopped (TERM, then KILL) when dropped.
struct Daemon(Child);
impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tools_available() -> bool {
    let missing: Vec<_> = ["transmission-daemon", "transmission-remote", "transmission-create"]
        .into_iter()
        .filter(|t| Command::new(t).arg("--version").output().is_err())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
        "{missing:?} missing (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure): \
         apt-get install transmission-daemon transmission-cli"
    );
    eprintln!("skipping: {missing:?} not installed");
    false
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Seeds `dir/film.bin` with Transmission; returns the daemon, its peer port and the info hash.
fn transmission_seeding(dir: &Path) -> (Daemon, u16, String) {
    let torrent = dir.join("film.torrent");
    let out = Command::new("transmission-create")
        .args(["-s", "256", "-o"])
        .arg(&torrent)
        .arg(dir.join("film.bin"))
        .output()
        .unwrap();
    assert!(out.status.success(), "transmission-create: {}", String::from_utf8_lossy(&out.stderr));
    let (peer, rpc) = (free_port(), free_port());
    let conf = dir.join("transmission");
    std::fs::create_dir_all(&conf).unwrap();
    // Its defaults (encryption 1 = "prefer", which accepts plain text), minus what reaches
    // beyond loopback.
    let settings = serde_json::json!({
        "peer-port": peer, "peer-port-random-on-start": false, "port-forwarding-enabled": false,
        "dht-enabled": false, "lpd-enabled": false, "pex-enabled": false,
        "rpc-port": rpc, "rpc-authentication-required": false, "rpc-whitelist": "127.0.0.1",
        "download-dir": dir, "encryption": 1, "message-level": 1,
    });
    std::fs::write(conf.join("settings.json"), settings.to_string()).unwrap();
    let daemon = Daemon(
        Command::new("transmission-daemon")
            .args(["-f", "-g"])
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let remote = |args: &[&str]| {
        Command::new("transmission-remote").arg(format!("127.0.0.1:{rpc}")).args(args).output().unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !remote(&["-l"]).status.success() {
        assert!(Instant::now() < deadline, "transmission-daemon's RPC never answered");
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = remote(&["-a", torrent.to_str().unwrap(), "-w", dir.to_str().unwrap()]);
    assert!(out.status.success(), "transmission-remote -a: {}", String::from_utf8_lossy(&out.stdout));
    // It checks the file it finds, then seeds it.
    while !String::from_utf8_lossy(&remote(&["-l"]).stdout).contains("100%") {
        assert!(Instant::now() < deadline, "Transmission never finished checking the film");
        std::thread::sleep(Duration::from_millis(200));
    }
    let info = String::from_utf8_lossy(&remote(&["-t", "1", "-i"]).stdout).to_string();
    let hash = info
        .lines()
        .find_map(|l| l.trim().strip_prefix("Hash: "))
        .unwrap_or_else(|| panic!("no hash in transmission-remote -i: {info}"))
        .to_string();
    (daemon, peer, hash)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transmission_seeder_feeds_a_film() {
    if !tools_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = random_bytes(24 * MIB, 3000);
    std::fs::write(tmp.path().join("film.bin"), &data).unwrap();
    let (_daemon, peer, hash) = tokio::task::block_in_place(|| transmission_seeding(tmp.path()));
    let (http, _server) = spawn(Config::for_test(tmp.path().join("server"))).await.unwrap();
    let client = Client::new();

    tokio::time::timeout(Duration::from_secs(120), async {
        let magnet = format!("magnet:?xt=urn:btih:{hash}&x.pe=127.0.0.1:{peer}");
        let id = add_magnet_id(&client, http, &magnet).await;
        let mut resp = client
            .get(format!("http://{http}/api/torrents/{id}/files/0"))
            .header(header::RANGE, "bytes=0-")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
        // Transmission unchokes a new peer only on its 10 s rechoke timer: time the rate from
        // the first 2 MiB on, not from the add.
        let mut at = 0;
        let mut from = None;
        while let Some(chunk) = resp.chunk().await.unwrap() {
            assert!(chunk[..] == data[at..at + chunk.len()], "bytes differ at {at}");
            at += chunk.len();
            if from.is_none() && at >= 2 * MIB {
                from = Some((Instant::now(), at));
            }
        }
        assert_eq!(at, data.len(), "the body ended early");
        let (t, start) = from.unwrap();
        let mb_s = (at - start) as f64 / 1e6 / t.elapsed().as_secs_f64();
        eprintln!("from a Transmission seeder: {mb_s:.2} MB/s after the first 2 MiB");
        assert!(
            mb_s >= MIN_MB_S,
            "piece-server downloaded from Transmission at {mb_s:.2} MB/s, under {MIN_MB_S} MB/s"
        );
    })
    .await
    .expect("the film did not arrive from Transmission within 120 s");
}
