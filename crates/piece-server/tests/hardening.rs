//! Smaller hardening items (issue 18, item 7): `x.pe` hints capped and kept off the LAN,
//! `seed FILE` never writes the file it seeds, several Range specs serve the first
//! satisfiable one, and an IPv4 client of a dual-stack listener (`::ffff:127.0.0.1`) counts as
//! loopback.

use test_support::swarm as common;

use std::time::{Duration, SystemTime};

use common::{add_magnet, add_magnet_id, random_bytes, seeder_and_server};
use piece_server::{seed, spawn, Config};
use reqwest::{header, Client, StatusCode};

#[tokio::test]
async fn lan_and_too_many_peer_hints_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = Config::for_test(tmp.path().join("data"));
    config.metadata_timeout_secs = 3;
    let (addr, _server) = spawn(config).await.unwrap();
    let client = Client::new();
    let hash = "c9e15763f722f23e98a29decdfae341b98d53056";
    for hint in [
        "192.168.1.20:6881",
        "169.254.169.254:80",
        "10.0.0.1:6881",
        "[fe80::1]:6881",
    ] {
        let magnet = format!("magnet:?xt=urn:btih:{hash}&x.pe={hint}");
        let (status, body) = add_magnet(&client, addr, &magnet).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{hint}: {body}");
        let msg = body["error"].as_str().unwrap();
        assert!(msg.contains("--allow-lan-peers"), "{msg}");
    }
    let mut magnet = format!("magnet:?xt=urn:btih:{hash}");
    for port in 0..33 {
        magnet.push_str(&format!("&x.pe=127.0.0.1:{}", 20000 + port));
    }
    let (status, body) = add_magnet(&client, addr, &magnet).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("at most 32"),
        "{body}"
    );
}

#[tokio::test]
async fn several_range_specs_serve_the_first_satisfiable_one() {
    let tmp = tempfile::tempdir().unwrap();
    let data = random_bytes(100_000, 3);
    let path = tmp.path().join("film.mkv");
    std::fs::write(&path, &data).unwrap();
    let (addr, server) = spawn(Config::for_test(tmp.path().join("data")))
        .await
        .unwrap();
    let info = seed(&server.session, &path, Some(16384)).await.unwrap();
    let url = format!("http://{addr}/api/torrents/{}/files/0", info.info_hash);
    let r = Client::new()
        .get(&url)
        .header(header::RANGE, "bytes=500000-600000, 10-19, 0-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()[header::CONTENT_RANGE], "bytes 10-19/100000");
    assert_eq!(r.bytes().await.unwrap()[..], data[10..20]);
    let r = Client::new()
        .get(&url)
        .header(header::RANGE, "bytes=500000-, 100000-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
}

#[tokio::test]
async fn seeding_never_writes_the_seeded_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = random_bytes(1_000_000, 9);
    let path = tmp.path().join("holiday.mkv");
    std::fs::write(&path, &data).unwrap();
    // An mtime in the past, so that any write or truncate shows.
    let past = SystemTime::now() - Duration::from_secs(7 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(past)
        .unwrap();
    let mtime = || std::fs::metadata(&path).unwrap().modified().unwrap();
    let before = mtime();
    for round in 0..2 {
        // Round 1 is the restart: a new process state, the same data directory.
        let (addr, server) = spawn(Config::for_test(tmp.path().join("data")))
            .await
            .unwrap();
        let info = seed(&server.session, &path, Some(16384)).await.unwrap();
        let url = format!("http://{addr}/api/torrents/{}/files/0", info.info_hash);
        let got = Client::new()
            .get(&url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got[..] == data[..], "round {round}: served bytes differ");
        server.shutdown().await;
        assert_eq!(
            mtime(),
            before,
            "round {round}: seeding changed the file's mtime"
        );
        assert!(
            std::fs::read(&path).unwrap() == data,
            "round {round}: the file's bytes changed"
        );
    }
}

#[tokio::test]
async fn ipv4_clients_of_a_dual_stack_listener_are_loopback() {
    let tmp = tempfile::tempdir().unwrap();
    let (info, _, [_seeder, server]) = seeder_and_server(
        tmp.path(),
        &random_bytes(300_000, 4),
        16384,
        |_| {},
        |c| c.listen = "[::]:0".parse().unwrap(),
    )
    .await;
    // Connect over IPv4: the server sees ::ffff:127.0.0.1.
    let v4 = std::net::SocketAddr::from(([127, 0, 0, 1], server.addr.port()));
    let id = add_magnet_id(&Client::new(), v4, &info.magnet).await;
    assert_eq!(id, info.info_hash);
}
