//! The server keeps seeding what it downloaded: A seeds a file, the server downloads it (and
//! streams a range of it), A goes away, and a second leecher gets the whole file from the
//! server alone (a second librqbit session, and aria2). Loopback only; DHT, trackers and LSD
//! off (aria2 learns the server's address from a one-line tracker inside the test).

use test_support::swarm as common;

use common::{add_magnet_id, get_json, random_bytes, seeder_and_server, wait_finished};
use std::{net::SocketAddr, time::Duration};

use piece_server::{spawn, Config};
use reqwest::{header, Client, StatusCode};

const PIECE: u32 = 64 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_leecher_downloads_from_the_server_after_the_seeder_left() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let tmp = tempfile::tempdir().unwrap();
        let data = random_bytes(5 * 1024 * 1024 + 123, 21);
        let client = Client::new();

        // The original seeder, and the server downloading from it.
        let (info, http, [seeder, server]) =
            seeder_and_server(tmp.path(), &data, PIECE, |_| {}, |_| {}).await;
        let id = add_magnet_id(&client, http, &info.magnet).await;
        let resp = client
            .get(format!("http://{http}/api/torrents/{id}/files/0"))
            .header(header::RANGE, "bytes=1000000-1999999")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
        assert!(resp.bytes().await.unwrap()[..] == data[1_000_000..2_000_000]);
        wait_finished(&client, http, &id, Duration::from_secs(30)).await;

        // The seeder leaves for good.
        seeder.shutdown().await;

        // A second leecher knows only the server's peer port.
        let port = server.session.listen_addr().expect("peer listener").port();
        let magnet = piece_server::make_magnet(
            &info.info_hash,
            &info.name,
            info.length,
            &[SocketAddr::from(([127, 0, 0, 1], port))],
        );
        let (http2, _second) = spawn(Config::for_test(tmp.path().join("second")))
            .await
            .unwrap();
        add_magnet_id(&client, http2, &magnet).await;
        let t = wait_finished(&client, http2, &id, Duration::from_secs(30)).await;
        assert_eq!(t["stats"]["downloaded_bytes"], data.len() as u64, "{t}");
        let body = client
            .get(format!("http://{http2}/api/torrents/{id}/files/0"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(
            body[..] == data[..],
            "the second leecher's bytes differ from the source"
        );
        let on_disk = std::fs::read(tmp.path().join("second/downloads").join(&id).join(&info.name)).unwrap();
        assert!(
            on_disk == data,
            "the second leecher's file on disk differs from the source"
        );

        // The server counts what it uploaded.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let t = get_json(&client, &format!("http://{http}/api/torrents/{id}")).await;
            if t["stats"]["uploaded_bytes"].as_u64().unwrap() >= data.len() as u64 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "server upload not counted: {t}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("test took longer than 60 s");
}

/// A tracker that answers every announce with one peer (`peer`), for clients such as aria2
/// that take no peer address on the command line.
async fn one_peer_tracker(peer: SocketAddr) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let SocketAddr::V4(v4) = peer else {
        panic!("IPv4 peer expected")
    };
    let mut body = b"d8:intervali5e5:peers6:".to_vec();
    body.extend_from_slice(&v4.ip().octets());
    body.extend_from_slice(&v4.port().to_be_bytes());
    body.push(b'e');
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let mut resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                resp.extend_from_slice(&body);
                let _ = conn.write_all(&resp).await;
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn aria2_downloads_from_the_server_after_the_seeder_left() {
    let aria2 = ["/usr/bin/aria2c", "/usr/local/bin/aria2c"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(aria2) = aria2 else {
        assert!(
            std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
            "aria2c not installed; skipping (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
        );
        eprintln!("aria2c not installed; skipping");
        return;
    };
    tokio::time::timeout(Duration::from_secs(60), async {
        let tmp = tempfile::tempdir().unwrap();
        let data = random_bytes(3 * 1024 * 1024 + 7, 22);
        let client = Client::new();
        let (info, http, [seeder, server]) =
            seeder_and_server(tmp.path(), &data, PIECE, |_| {}, |_| {}).await;
        let id = add_magnet_id(&client, http, &info.magnet).await;
        wait_finished(&client, http, &id, Duration::from_secs(30)).await;
        seeder.shutdown().await;

        // aria2 gets the .torrent from the server (built from the metadata it received) and
        // the server's peer address from the tracker.
        let torrent = client
            .get(format!("http://{http}/api/torrents/{id}/torrent"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let torrent_path = tmp.path().join("film.torrent");
        std::fs::write(&torrent_path, &torrent).unwrap();
        let port = server.session.listen_addr().expect("peer listener").port();
        let tracker = one_peer_tracker(SocketAddr::from(([127, 0, 0, 1], port))).await;
        let out_dir = tmp.path().join("aria2");
        let out = tokio::process::Command::new(aria2)
            .args([
                "--enable-dht=false",
                "--enable-dht6=false",
                "--bt-enable-lpd=false",
                "--enable-peer-exchange=false",
                "--file-allocation=none",
                "--console-log-level=warn",
                "--summary-interval=0",
                "--seed-time=0",
                "--bt-stop-timeout=30",
            ])
            .arg(format!("--bt-tracker=http://{tracker}/announce"))
            .arg(format!("--dir={}", out_dir.display()))
            .arg(&torrent_path)
            .kill_on_drop(true)
            .output()
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "aria2c failed: {text}");
        let got = std::fs::read(out_dir.join(&info.name)).unwrap();
        assert!(got == data, "aria2's download differs from the source");
    })
    .await
    .expect("test took longer than 60 s");
}
