//! A crash loses nothing: the real `piece-server` binary is killed with SIGKILL (`kill -9`) in
//! the middle of a download and started again on the same data directory. Every torrent comes
//! back with the pieces it had verified (checked while no peer can send it anything, so they
//! were not downloaded again), and a `seed FILE` torrent comes back complete and seeds again.

use test_support::swarm as common;

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use common::*;
use reqwest::Client;

const BIN: &str = env!("CARGO_BIN_EXE_piece-server");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The binary with hermetic flags (no DHT, trackers or LSD) on `data_dir`, HTTP on `http`,
/// peers on `peer_port`, plus `args`.
fn start(args: &[&str], data_dir: &Path, http: SocketAddr, peer_port: u16) -> Proc {
    Proc(Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--listen", &http.to_string(), "--peer-port", &peer_port.to_string()])
        .args(["--no-dht", "--no-trackers", "--www", "/nonexistent"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start the piece-server binary"))
}

/// A child process that is killed when the test ends, even when it fails.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// SIGKILL: no shutdown code runs.
fn kill_9(child: &mut Proc) {
    child.0.kill().unwrap();
    child.0.wait().unwrap();
}

async fn wait_http(client: &Client, http: SocketAddr) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while client.get(format!("http://{http}/api/status")).send().await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "the server at {http} did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `GET /api/torrents/{id}` answers 200 (the restarted server has loaded it).
async fn wait_torrent(client: &Client, http: SocketAddr, id: &str) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let resp = client.get(format!("http://{http}/api/torrents/{id}")).send().await.unwrap();
        let (status, v) = json(resp).await;
        if status.is_success() && v["stats"]["state"] != "initializing" {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "the torrent did not come back after the restart: {status} {v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_in_the_middle_of_a_download_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = random_bytes(8 * MIB, 11);
    let film = dir.path().join("film.mkv");
    std::fs::write(&film, &data).unwrap();
    let client = Client::new();
    let (seeder_http, seeder_peers) = (SocketAddr::from(([127, 0, 0, 1], free_port())), free_port());
    let (server_http, server_peers) = (SocketAddr::from(([127, 0, 0, 1], free_port())), free_port());
    let seeder_dir = dir.path().join("seeder");
    let server_dir = dir.path().join("server");

    // The seeder (`seed FILE`, 1 MB/s) and the downloading server.
    let mut seeder = start(
        &["seed", film.to_str().unwrap(), "--piece-length", "262144", "--upload-limit-bps", "1000000"],
        &seeder_dir,
        seeder_http,
        seeder_peers,
    );
    let magnet = {
        let mut line = String::new();
        BufReader::new(seeder.0.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        line.trim().to_owned()
    };
    assert!(magnet.starts_with("magnet:"), "the seeder printed {magnet:?}");
    wait_http(&client, seeder_http).await;
    let seeder_peer = format!("127.0.0.1:{seeder_peers}");
    let mut server = start(&["--peer", &seeder_peer], &server_dir, server_http, server_peers);
    wait_http(&client, server_http).await;
    let id = add_magnet_id(&client, server_http, &magnet).await;

    // Kill -9 when 3 MiB of 8 are verified.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let before = loop {
        let have = have_pieces(&client, server_http, &id).await;
        if have.iter().filter(|&&h| h).count() >= 12 {
            break have;
        }
        assert!(tokio::time::Instant::now() < deadline, "the download did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    kill_9(&mut server);
    assert!(!before.iter().all(|&h| h), "the download finished before the kill; slow the seeder down");
    kill_9(&mut seeder);

    // Restarted with nobody to download from: the verified pieces are back at once, and their
    // bytes are served from disk.
    let mut server = start(&["--peer", &seeder_peer], &server_dir, server_http, server_peers);
    wait_http(&client, server_http).await;
    let t = wait_torrent(&client, server_http, &id).await;
    let after = have_pieces(&client, server_http, &id).await;
    let lost: Vec<usize> = (0..before.len()).filter(|&p| before[p] && !after[p]).collect();
    assert!(lost.is_empty(), "pieces verified before the kill are missing after the restart: {lost:?}");
    let verified = before.iter().filter(|&&h| h).count() as u64 * 262_144;
    assert!(t["stats"]["downloaded_bytes"].as_u64().unwrap() >= verified, "{t}");
    assert_eq!(t["stats"]["peers"], 0, "a peer is connected, yet the seeder is dead: {t}");
    let first = before.iter().position(|&h| h).unwrap();
    let range = format!("bytes={}-{}", first * 262_144, first * 262_144 + 262_143);
    let resp = client.get(format!("http://{server_http}/api/torrents/{id}/files/0")).header("range", range).send().await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), resp.bytes()).await.expect("a verified piece was not served at once").unwrap();
    assert!(got[..] == data[first * 262_144..(first + 1) * 262_144], "a verified piece has the wrong bytes");

    // The seeder comes back as a plain server (no `seed` this time): its torrent is restored
    // from the data directory and complete.
    let mut seeder = start(&["serve"], &seeder_dir, seeder_http, seeder_peers);
    wait_http(&client, seeder_http).await;
    let seeded = wait_torrent(&client, seeder_http, &id).await;
    assert_eq!(seeded["stats"]["finished"], true, "the seed FILE torrent did not come back complete: {seeded}");

    // It seeds again: a new server that knows only the magnet downloads the whole file from it.
    // (The restarted downloader cannot find it: librqbit does not remember peers that came from
    // `x.pe` hints or --peer, and this test runs without DHT and trackers; see docs/API.md.)
    let fresh_http = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut fresh = start(&[], &dir.path().join("fresh"), fresh_http, free_port());
    wait_http(&client, fresh_http).await;
    add_magnet_id(&client, fresh_http, &magnet).await;
    wait_finished(&client, fresh_http, &id, Duration::from_secs(60)).await;
    let all = client.get(format!("http://{fresh_http}/api/torrents/{id}/files/0")).send().await.unwrap().bytes().await.unwrap();
    assert!(all[..] == data[..], "the file seeded after the restart is wrong");
    let seeded = get_json(&client, &format!("http://{seeder_http}/api/torrents/{id}")).await;
    assert!(seeded["stats"]["uploaded_bytes"].as_u64().unwrap() >= data.len() as u64, "the restored seed torrent did not upload the file: {seeded}");
    kill_9(&mut fresh);
    kill_9(&mut server);
    kill_9(&mut seeder);
}
