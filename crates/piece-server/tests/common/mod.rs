//! Setup shared by the piece-server integration tests: deterministic source bytes, a seeding
//! server plus an empty one that downloads from it over loopback (DHT, trackers and LSD off;
//! the second finds the first through the magnet's `x.pe` hint), and the JSON calls the
//! tests make.
#![allow(dead_code)] // each test binary uses a different subset

use std::{net::SocketAddr, path::Path, time::Duration};

use base64::Engine;
use piece_server::{seed, spawn, Config, SeedInfo, Server};
use reqwest::{header, Client, StatusCode};
use serde_json::Value;

pub const MIB: usize = 1024 * 1024;

/// Deterministic pseudo-random bytes (xorshift64*), no extra dependency needed.
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

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
