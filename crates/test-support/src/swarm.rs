//! A seeding piece-server and an empty one that downloads from it over loopback (DHT,
//! trackers and LSD off; the second finds the first through the magnet's `x.pe` hint), the
//! JSON calls the server tests make, and a fresh server for the page benches.

use std::{net::SocketAddr, path::Path, process::Command, time::Duration};

use base64::Engine;
use piece_server::{seed, spawn, Config, SeedInfo, Server};
use reqwest::{header, Client, StatusCode};
use serde_json::{json as json_value, Value};

use crate::browser::encode;
use crate::paths::{repo, tempdir};
pub use crate::fixtures::random_bytes;

/// The page tests' piece size.
pub const PIECE_LENGTH: u32 = 256 * 1024;
/// 3 MB/s: far above the page tests' films' bitrates, so playback never starves, but a film
/// of tens of MB still takes many seconds to arrive, far longer than startup should take.
pub const SEEDER_UPLOAD_BPS: u32 = 3_000_000;

pub const MIB: usize = 1024 * 1024;

/// A seeding server sharing `data` (written to `dir/film.mkv`) in pieces of `piece` bytes, and
/// a second, empty server (`dir/server`) that can download it. `seeder` and `server` adjust
/// each configuration (upload limits, request windows, …) before it starts.
pub async fn seeder_and_server(
    dir: &Path,
    data: &[u8],
    piece: u32,
    seeder: impl FnOnce(&mut Config),
    server: impl FnOnce(&mut Config),
) -> (SeedInfo, SocketAddr, [Server; 2]) {
    let path = dir.join("film.mkv");
    std::fs::write(&path, data).unwrap();
    let mut seeder_config = Config::for_test(dir.join("seeder"));
    seeder(&mut seeder_config);
    let (_, seeding) = spawn(seeder_config).await.unwrap();
    let info = seed(&seeding.session, &path, Some(piece)).await.unwrap();
    let mut config = Config::for_test(dir.join("server"));
    server(&mut config);
    let (http, server) = spawn(config).await.unwrap();
    (info, http, [seeding, server])
}

/// Status and JSON body of a response (panics with the body if it is not JSON).
pub async fn json(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let body = resp.bytes().await.unwrap();
    let v = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"));
    (status, v)
}

pub async fn get_json(client: &Client, url: &str) -> Value {
    json(client.get(url).send().await.unwrap()).await.1
}

/// `POST /api/torrents` with `magnet`, as a program on this machine.
pub async fn add_magnet(client: &Client, http: SocketAddr, magnet: &str) -> (StatusCode, Value) {
    let resp = client
        .post(format!("http://{http}/api/torrents"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(serde_json::json!({ "magnet": magnet }).to_string())
        .send()
        .await
        .unwrap();
    json(resp).await
}

/// [`add_magnet`] that must create the torrent; returns its id.
pub async fn add_magnet_id(client: &Client, http: SocketAddr, magnet: &str) -> String {
    let (status, v) = add_magnet(client, http, magnet).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

/// The `have` bitfield of `/pieces` or of an event, decoded.
pub fn decode_bits(b64: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

/// Piece `piece` of a decoded bitfield (most significant bit first).
pub fn bit(bits: &[u8], piece: u32) -> bool {
    bits[(piece / 8) as usize] & (0x80 >> (piece % 8)) != 0
}

/// Which pieces the server has verified, from `GET /api/torrents/{id}/pieces`.
pub async fn have_pieces(client: &Client, http: SocketAddr, id: &str) -> Vec<bool> {
    let p = get_json(client, &format!("http://{http}/api/torrents/{id}/pieces")).await;
    let bits = decode_bits(p["have"].as_str().unwrap());
    (0..p["total_pieces"].as_u64().unwrap() as u32)
        .map(|i| bit(&bits, i))
        .collect()
}

/// Waits until the torrent is complete; returns its description with stats.
pub async fn wait_finished(client: &Client, http: SocketAddr, id: &str, within: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let t = get_json(client, &format!("http://{http}/api/torrents/{id}")).await;
        if t["stats"]["finished"] == true {
            return t;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "download did not finish within {within:?}: {t}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A seeder capped at `upload_bps` sharing `films` (pieces of `piece` bytes, or librqbit's
/// automatic size for `None`; each magnet carries the seeder as its `x.pe` hint) and an empty
/// piece-server serving `www/`, adjusted by `tweak`. Dropping the servers stops them.
pub async fn seeded_servers(
    name: &str,
    films: &[&Path],
    piece: Option<u32>,
    upload_bps: u32,
    tweak: impl FnOnce(&mut Config),
) -> (Vec<SeedInfo>, SocketAddr, [Server; 2]) {
    let tmp = tempdir(name);
    let mut seeder_cfg = Config::for_test(tmp.join("seeder"));
    seeder_cfg.upload_limit_bps = std::num::NonZeroU32::new(upload_bps);
    let (_, seeder) = spawn(seeder_cfg).await.unwrap();
    let mut seeded = Vec::new();
    for film in films {
        let info = seed(&seeder.session, film, piece).await.unwrap();
        assert!(info.magnet.contains("x.pe=127.0.0.1"), "magnet lacks the peer hint: {}", info.magnet);
        seeded.push(info);
    }
    let mut cfg = Config::for_test(tmp.join("server"));
    cfg.www_dir = Some(repo().join("www"));
    tweak(&mut cfg);
    let (addr, server) = spawn(cfg).await.unwrap();
    (seeded, addr, [seeder, server])
}

/// [`seeded_servers`] for one film in [`PIECE_LENGTH`] pieces at [`SEEDER_UPLOAD_BPS`]: the
/// page URL that opens its magnet, and both servers.
pub async fn swarm(film: &Path, name: &str) -> (String, [Server; 2]) {
    let (seeded, addr, servers) =
        seeded_servers(name, &[film], Some(PIECE_LENGTH), SEEDER_UPLOAD_BPS, |_| {}).await;
    let url = format!("http://{addr}/?magnet={}&file=0", encode(&seeded[0].magnet));
    (url, servers)
}

/// Runs `node SCRIPT ARGS` against a fresh server (empty data directory) that knows nothing
/// but what the page gives it; the last line of stdout as JSON.
pub async fn with_fresh_server(tmp: &Path, n: usize, script: &str, args: Vec<String>) -> Value {
    with_fresh_server_config(tmp, n, script, args, |_| {}).await
}

/// [`with_fresh_server`] with the server's configuration adjusted by `tweak`.
pub async fn with_fresh_server_config(
    tmp: &Path,
    n: usize,
    script: &str,
    args: Vec<String>,
    tweak: impl FnOnce(&mut Config),
) -> Value {
    let dir = tmp.join(format!("server-{n}"));
    let mut cfg = Config::for_test(&dir);
    cfg.www_dir = Some(repo().join("www"));
    tweak(&mut cfg);
    let (addr, server) = spawn(cfg).await.expect("start piece-server");
    let path = repo().join(script);
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&path)
            .arg(format!("http://{addr}"))
            .args(&args)
            .current_dir(repo())
            .output()
            .expect("node is needed (scripts/bench.sh installs it)")
    })
    .await
    .unwrap();
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|_| {
        json_value!({"error": format!("{script:?} printed no JSON: {stdout} {}", String::from_utf8_lossy(&out.stderr))})
    })
}

