//! End-to-end: a seeding server and a leeching server talking BitTorrent over 127.0.0.1
//! (DHT, trackers and LSD off; the leecher finds the seeder through the magnet's `x.pe` hint),
//! with HTTP Range reads through the leecher compared against the source bytes.

use test_support::swarm as common;

use common::{add_magnet, json, random_bytes};
use std::{net::SocketAddr, path::Path, time::Duration};

use base64::Engine;
use piece_server::{spawn, Config, Server};
use reqwest::{header, Client, StatusCode};

const PIECE: u32 = 256 * 1024;

async fn start(dir: &Path) -> (SocketAddr, Server) {
    let mut config = Config::for_test(dir);
    config.www_dir = Some(dir.join("www"));
    spawn(config).await.expect("server starts")
}

async fn get_range(client: &Client, url: &str, range: Option<&str>) -> reqwest::Response {
    let mut req = client.get(url);
    if let Some(r) = range {
        req = req.header(header::RANGE, r);
    }
    req.send().await.unwrap()
}

fn header_str(resp: &reqwest::Response, name: header::HeaderName) -> String {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Fetches `start..=end` and checks it against `src`.
async fn check_range(client: &Client, url: &str, src: &[u8], start: u64, end: u64) {
    let resp = get_range(client, url, Some(&format!("bytes={start}-{end}"))).await;
    assert_eq!(
        resp.status(),
        StatusCode::PARTIAL_CONTENT,
        "range {start}-{end}"
    );
    assert_eq!(
        header_str(&resp, header::CONTENT_RANGE),
        format!("bytes {start}-{end}/{}", src.len())
    );
    let body = resp.bytes().await.unwrap();
    assert_eq!(body.len() as u64, end - start + 1);
    assert!(
        body[..] == src[start as usize..=end as usize],
        "bytes differ in {start}-{end}"
    );
}

async fn leech_and_check(
    client: &Client,
    seeder: &Server,
    leech: SocketAddr,
    path: &Path,
    src: &[u8],
    seed: u64,
) {
    let info = piece_server::seed(&seeder.session, path, Some(PIECE))
        .await
        .unwrap();
    assert!(info.magnet.contains("&x.pe=127.0.0.1:"), "{}", info.magnet);
    assert!(info.magnet.contains(&format!("&xl={}", src.len())));
    let expected_pieces = (src.len() as u64).div_ceil(PIECE as u64);

    let (status, desc) = add_magnet(client, leech, &info.magnet).await;
    assert_eq!(status, StatusCode::CREATED, "{desc}");
    let id = desc["id"].as_str().unwrap().to_owned();
    assert_eq!(id, info.info_hash);
    assert_eq!(desc["piece_length"], PIECE);
    assert_eq!(desc["total_length"], src.len() as u64);
    assert_eq!(desc["files"][0]["index"], 0);
    assert_eq!(desc["files"][0]["length"], src.len() as u64);
    assert_eq!(desc["files"][0]["offset"], 0);
    assert_eq!(desc["files"][0]["path"], info.name);

    let url = format!("http://{leech}/api/torrents/{id}/files/0");
    let len = src.len() as u64;

    // Random ranges, all in flight at once, while the download is still going.
    let mut x = seed;
    let mut ranges = vec![(len - 1, len - 1), (0, 0), (PIECE as u64 - 1, PIECE as u64)];
    for _ in 0..12 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let a = (x >> 20) % len;
        let b = (a + (x >> 40) % (700 * 1024)).min(len - 1);
        ranges.push((a, b));
    }
    let shared_src = std::sync::Arc::new(src.to_vec());
    let checks = ranges.iter().map(|&(a, b)| {
        let (client, url, src) = (client.clone(), url.clone(), shared_src.clone());
        async move { check_range(&client, &url, &src, a, b).await }
    });
    futures_join_all(checks).await;

    // Suffix range.
    let resp = get_range(client, &url, Some("bytes=-1000")).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header_str(&resp, header::CONTENT_RANGE),
        format!("bytes {}-{}/{len}", len - 1000, len - 1)
    );
    assert!(resp.bytes().await.unwrap()[..] == src[src.len() - 1000..]);

    // Open-ended range.
    let resp = get_range(client, &url, Some(&format!("bytes={}-", len - 5))).await;
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert!(resp.bytes().await.unwrap()[..] == src[src.len() - 5..]);

    // Past the end: 416 with `bytes */len` and a JSON message.
    let resp = get_range(client, &url, Some(&format!("bytes={len}-"))).await;
    assert_eq!(resp.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        header_str(&resp, header::CONTENT_RANGE),
        format!("bytes */{len}")
    );
    let (_, err) = json(resp).await;
    assert!(
        err["error"].as_str().unwrap().contains("cannot be served"),
        "{err}"
    );

    // HEAD: headers only.
    let resp = client.head(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header_str(&resp, header::CONTENT_LENGTH), len.to_string());
    assert_eq!(header_str(&resp, header::ACCEPT_RANGES), "bytes");
    assert_eq!(header_str(&resp, header::CONTENT_TYPE), "video/x-matroska");
    assert!(resp.bytes().await.unwrap().is_empty());

    // Whole file without Range.
    let resp = get_range(client, &url, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header_str(&resp, header::CONTENT_LENGTH), len.to_string());
    assert!(resp.bytes().await.unwrap()[..] == src[..]);

    // Everything was read, so every piece is verified: check the bitfield and stats.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (status, p) = json(
            client
                .get(format!("http://{leech}/api/torrents/{id}/pieces"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(p["total_pieces"], expected_pieces);
        assert_eq!(p["piece_length"], PIECE);
        let bits = base64::engine::general_purpose::STANDARD
            .decode(p["have"].as_str().unwrap())
            .unwrap();
        assert_eq!(bits.len() as u64, expected_pieces.div_ceil(8));
        let (_, t) = json(
            client
                .get(format!("http://{leech}/api/torrents/{id}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        if p["have_count"] == expected_pieces && t["stats"]["finished"] == true {
            // MSB-first: the first `expected_pieces` bits set, spare bits clear.
            let mut expect = vec![0u8; bits.len()];
            for i in 0..expected_pieces as usize {
                expect[i / 8] |= 0x80 >> (i % 8);
            }
            assert_eq!(bits, expect);
            assert_eq!(t["stats"]["downloaded_bytes"], len);
            assert_eq!(t["stats"]["total_bytes"], len);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "download never finished: {p} {t}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Adding the same magnet again gives the same id, without error.
    let (status, again) = add_magnet(client, leech, &info.magnet).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], id.as_str());
}

/// Minimal join_all (avoids a `futures` dependency).
async fn futures_join_all<F: std::future::Future<Output = ()> + Send + 'static>(
    futs: impl Iterator<Item = F>,
) {
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    for h in handles {
        h.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn seed_then_stream_ranges_from_a_second_server() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let tmp = tempfile::tempdir().unwrap();
        let src_dir = tmp.path().join("src");
        std::fs::create_dir_all(&src_dir).unwrap();
        let (_, seeder) = start(&tmp.path().join("seeder")).await;
        let (leech, _leecher) = start(&tmp.path().join("leecher")).await;
        let client = Client::new();

        // Not a multiple of the piece length.
        let a = random_bytes(3 * 1024 * 1024 + 123, 1);
        let a_path = src_dir.join("odd size.mkv");
        std::fs::write(&a_path, &a).unwrap();
        leech_and_check(&client, &seeder, leech, &a_path, &a, 11).await;

        // An exact multiple of the piece length (librqbit's create_torrent gets this wrong).
        let b = random_bytes(4 * PIECE as usize, 2);
        let b_path = src_dir.join("exact.mkv");
        std::fs::write(&b_path, &b).unwrap();
        leech_and_check(&client, &seeder, leech, &b_path, &b, 22).await;
    })
    .await
    .expect("test took longer than 60 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_json_with_the_right_status() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let tmp = tempfile::tempdir().unwrap();
        let (addr, server) = start(&tmp.path().join("s")).await;
        let client = Client::new();

        let (status, e) = add_magnet(&client, addr, "magnet:?xt=urn:btih:nothex").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            e["error"].as_str().unwrap().contains("invalid magnet link"),
            "{e}"
        );

        let (status, e) = add_magnet(&client, addr, "http://example.com/x").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            e["error"].as_str().unwrap().contains("not a magnet link"),
            "{e}"
        );

        let resp = client
            .post(format!("http://{addr}/api/torrents"))
            .body("{oops")
            .send()
            .await
            .unwrap();
        let (status, e) = json(resp).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(e["error"].as_str().unwrap().contains("JSON"), "{e}");

        let resp = client
            .post(format!("http://{addr}/api/torrents"))
            .header(header::CONTENT_TYPE, "application/x-bittorrent")
            .body("d4:infoi3ee")
            .send()
            .await
            .unwrap();
        let (status, e) = json(resp).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(e["error"].as_str().unwrap().contains(".torrent"), "{e}");

        // No DHT, no trackers, no hints: explained, not a 60 s hang.
        let (status, e) = add_magnet(
            &client,
            addr,
            "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567",
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            e["error"]
                .as_str()
                .unwrap()
                .contains("no way to find peers"),
            "{e}"
        );

        for path in [
            "/api/torrents/0123456789abcdef0123456789abcdef01234567",
            "/api/torrents/nonsense",
            "/api/torrents/0123456789abcdef0123456789abcdef01234567/pieces",
            "/api/torrents/0123456789abcdef0123456789abcdef01234567/files/0",
            "/api/nothing-here",
        ] {
            let (status, e) = json(
                client
                    .get(format!("http://{addr}{path}"))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(e["error"].is_string(), "{path}: {e}");
        }

        // A .torrent for something we already seed: same id, 200, no error; bad file index → 404.
        let src = tmp.path().join("clip.mp4");
        std::fs::write(&src, random_bytes(100_000, 3)).unwrap();
        let info = piece_server::seed(&server.session, &src, None)
            .await
            .unwrap();
        let resp = client
            .post(format!("http://{addr}/api/torrents"))
            .header(header::CONTENT_TYPE, "application/x-bittorrent")
            .body(info.torrent.clone())
            .send()
            .await
            .unwrap();
        let (status, d) = json(resp).await;
        assert_eq!(status, StatusCode::OK, "{d}");
        assert_eq!(d["id"], info.info_hash.as_str());
        // The .torrent comes back byte for byte.
        let resp = client
            .get(format!(
                "http://{addr}/api/torrents/{}/torrent",
                info.info_hash
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            header_str(&resp, header::CONTENT_TYPE),
            "application/x-bittorrent"
        );
        assert!(resp.bytes().await.unwrap() == info.torrent);
        let (status, _) = json(
            client
                .get(format!(
                    "http://{addr}/api/torrents/{}/files/7",
                    info.info_hash
                ))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let resp = client
            .head(format!(
                "http://{addr}/api/torrents/{}/files/0",
                info.info_hash
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(header_str(&resp, header::CONTENT_TYPE), "video/mp4");
    })
    .await
    .expect("test took longer than 30 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_and_wasm_mime() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    std::fs::create_dir_all(dir.join("www/pkg")).unwrap();
    std::fs::write(dir.join("www/index.html"), "<h1>riptide</h1>").unwrap();
    std::fs::write(dir.join("www/pkg/x.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let (addr, _server) = start(&dir).await;
    let client = Client::new();
    let resp = client.get(format!("http://{addr}/")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.text().await.unwrap(), "<h1>riptide</h1>");
    let resp = client
        .get(format!("http://{addr}/pkg/x.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header_str(&resp, header::CONTENT_TYPE), "application/wasm");
    // Cached but revalidated: an upgraded server is never mixed with an old cached script.
    assert_eq!(header_str(&resp, header::CACHE_CONTROL), "no-cache");
    let modified = header_str(&resp, header::LAST_MODIFIED).to_string();
    let again = client
        .get(format!("http://{addr}/pkg/x.wasm"))
        .header(header::IF_MODIFIED_SINCE, modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "revalidation sends the file again");
}

/// Interop with aria2 (skipped when `aria2c` is not installed). aria2 has no option to be told
/// a peer address, so it cannot leech from us without a tracker; instead (1) aria2 verifies
/// our .torrent for an exact-multiple-of-piece-length file against the data (an extra bogus
/// piece hash would make it fail), and (2) aria2 seeds that torrent and our server downloads
/// it through an `x.pe` hint pointing at aria2's listen port.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn aria2_accepts_our_torrent_and_seeds_to_us() {
    let aria2 = ["/usr/bin/aria2c", "/usr/local/bin/aria2c"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(aria2) = aria2 else {
        assert!(
            std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
            "aria2c not installed; skipping (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
        );
        eprintln!("aria2c not installed; skipping");
        return;
    };
    tokio::time::timeout(Duration::from_secs(40), async {
        let tmp = tempfile::tempdir().unwrap();
        let src_dir = tmp.path().join("src");
        std::fs::create_dir_all(&src_dir).unwrap();
        let data = random_bytes(6 * PIECE as usize, 9);
        let path = src_dir.join("exact multiple.mkv");
        std::fs::write(&path, &data).unwrap();

        // Build the torrent through a seeding session (the same code path as `seed`).
        let (_, seeder) = start(&tmp.path().join("seeder")).await;
        let info = piece_server::seed(&seeder.session, &path, Some(PIECE))
            .await
            .unwrap();
        drop(seeder);
        let torrent_path = tmp.path().join("t.torrent");
        std::fs::write(&torrent_path, &info.torrent).unwrap();

        let common = [
            "--enable-dht=false",
            "--enable-dht6=false",
            "--bt-enable-lpd=false",
            "--enable-peer-exchange=false",
            "--check-integrity=true",
            "--file-allocation=none",
            "--console-log-level=warn",
            "--summary-interval=0",
        ];
        // (1) Hash check only.
        let out = tokio::process::Command::new(aria2)
            .args(common)
            .arg("--hash-check-only=true")
            .arg(format!("--dir={}", src_dir.display()))
            .arg(&torrent_path)
            .output()
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "aria2c rejected our torrent: {text}");
        assert!(
            text.contains("OK"),
            "aria2c did not report a complete download: {text}"
        );

        // (2) aria2 seeds, we leech through the x.pe hint.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = tokio::process::Command::new(aria2)
            .args(common)
            .args(["--seed-ratio=0.0", "--bt-seed-unverified=false"])
            .arg(format!("--listen-port={port}"))
            .arg(format!("--dir={}", src_dir.display()))
            .arg(&torrent_path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let (leech, _leecher) = start(&tmp.path().join("leecher")).await;
        let magnet = piece_server::make_magnet(
            &info.info_hash,
            &info.name,
            info.length,
            &[SocketAddr::from(([127, 0, 0, 1], port))],
        );
        let client = Client::new();
        // aria2 needs a moment to check the file and start listening.
        let mut added = None;
        for _ in 0..50 {
            let (status, d) = add_magnet(&client, leech, &magnet).await;
            if status.is_success() {
                added = Some(d);
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let d = added.expect("could not get metadata from aria2");
        let url = format!(
            "http://{leech}/api/torrents/{}/files/0",
            d["id"].as_str().unwrap()
        );
        let resp = get_range(&client, &url, Some("bytes=1000-")).await;
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
        assert!(
            resp.bytes().await.unwrap()[..] == data[1000..],
            "bytes from aria2 differ"
        );
        child.kill().await.ok();
    })
    .await
    .expect("aria2 test took longer than 40 s");
}

/// With the seeder's upload throttled, a range near the end of the file is answered long
/// before the download finishes: the read position makes librqbit fetch those pieces first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_range_is_served_before_the_download_finishes() {
    tokio::time::timeout(Duration::from_secs(40), async {
        let tmp = tempfile::tempdir().unwrap();
        let data = random_bytes(8 * 1024 * 1024, 5);
        let path = tmp.path().join("slow.mkv");
        std::fs::write(&path, &data).unwrap();
        let mut config = Config::for_test(tmp.path().join("seeder"));
        config.upload_limit_bps = std::num::NonZeroU32::new(2 * 1024 * 1024);
        let (_, seeder) = spawn(config).await.unwrap();
        let info = piece_server::seed(&seeder.session, &path, Some(PIECE))
            .await
            .unwrap();
        let (leech, _leecher) = start(&tmp.path().join("leecher")).await;
        let client = Client::new();
        let (status, d) = add_magnet(&client, leech, &info.magnet).await;
        assert_eq!(status, StatusCode::CREATED, "{d}");
        let id = d["id"].as_str().unwrap();
        let url = format!("http://{leech}/api/torrents/{id}/files/0");

        let start = (7 * 1024 + 512) * 1024u64;
        let t0 = std::time::Instant::now();
        check_range(&client, &url, &data, start, start + 100 * 1024).await;
        let took = t0.elapsed();
        let (_, t) = json(
            client
                .get(format!("http://{leech}/api/torrents/{id}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let (_, p) = json(
            client
                .get(format!("http://{leech}/api/torrents/{id}/pieces"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            t["stats"]["finished"], false,
            "download already finished after {took:?}: {t}"
        );
        assert!(p["have_count"].as_u64().unwrap() < 32, "{p}");
        // The piece holding the range (7.5 MiB / 256 KiB = piece 30: byte 3, mask 0x80 >> 6) is there.
        let bits = base64::engine::general_purpose::STANDARD
            .decode(p["have"].as_str().unwrap())
            .unwrap();
        assert_ne!(bits[3] & (0x80 >> 6), 0, "piece 30 missing: {p}");
    })
    .await
    .expect("test took longer than 40 s");
}

/// Beyond `max_streams` open bodies a request waits `stream_wait_ms` for a slot, then gets 503
/// (with Retry-After); a request queued while a slot frees up is served; dropping a response
/// frees its slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stream_cap_queues_then_503_and_disconnect_frees_the_slot() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("big.mkv");
        // 64 MiB of zeros (sparse), far more than loopback socket buffers absorb.
        std::fs::File::create(&path)
            .unwrap()
            .set_len(64 * 1024 * 1024)
            .unwrap();
        let mut config = Config::for_test(tmp.path().join("s"));
        config.max_streams = 1;
        config.io_threads = 17;
        config.stream_wait_ms = 1500;
        let (addr, server) = spawn(config).await.unwrap();
        let info = piece_server::seed(&server.session, &path, None)
            .await
            .unwrap();
        let url = format!("http://{addr}/api/torrents/{}/files/0", info.info_hash);
        let client = Client::new();

        let first = client.get(&url).send().await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(server.state.open_file_streams(), 1);
        // HEAD needs no stream slot.
        assert_eq!(
            client.head(&url).send().await.unwrap().status(),
            StatusCode::OK
        );
        let t0 = std::time::Instant::now();
        let resp = client.get(&url).send().await.unwrap();
        let waited = t0.elapsed();
        assert_eq!(header_str(&resp, header::RETRY_AFTER), "1");
        let (status, e) = json(resp).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            e["error"].as_str().unwrap().contains("--max-streams"),
            "{e}"
        );
        assert!(
            waited >= Duration::from_millis(1400),
            "503 after only {waited:?}"
        );

        // Queued: the slot frees 300 ms after the request arrives, and it is served.
        let queued = {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move { get_range(&client, &url, Some("bytes=0-9")).await })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        drop(first);
        let resp = queued.await.unwrap();
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(resp.bytes().await.unwrap()[..], [0u8; 10]);

        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while server.state.open_file_streams() != 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "stream still counted open after its response ended"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("test took longer than 30 s");
}

/// A peer that accepts the connection but never answers: 504 after the metadata timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_timeout_is_504() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let tmp = tempfile::tempdir().unwrap();
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent_addr = silent.local_addr().unwrap();
        // Accept and hold connections without ever writing.
        let hold = tokio::spawn(async move {
            let mut conns = Vec::new();
            while let Ok((c, _)) = silent.accept().await {
                conns.push(c);
            }
        });
        let mut config = Config::for_test(tmp.path().join("s"));
        config.metadata_timeout_secs = 1;
        let (addr, _server) = spawn(config).await.unwrap();
        let magnet = format!(
            "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&x.pe={}",
            urlencoding_lite(&silent_addr.to_string())
        );
        let t0 = std::time::Instant::now();
        let (status, e) = add_magnet(&Client::new(), addr, &magnet).await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{e}");
        assert!(e["error"].as_str().unwrap().contains("timed out"), "{e}");
        assert!(t0.elapsed() < Duration::from_secs(5));
        hold.abort();
    })
    .await
    .expect("test took longer than 20 s");
}

/// Percent-encodes `:` (enough for an IPv4 `x.pe` hint), checking the server decodes hints.
fn urlencoding_lite(s: &str) -> String {
    s.replace(':', "%3A")
}

/// A multi-file torrent (made by librqbit from a directory): every file is listed with its
/// offset and served by index.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn multi_file_torrent_serves_each_file_by_index() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("pack");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let files = [
            ("a.mkv", random_bytes(100_000, 21)),
            ("b.webm", random_bytes(300_001, 22)),
            ("sub/c.avi", random_bytes(50_000, 23)),
        ];
        for (name, data) in &files {
            std::fs::write(dir.join(name), data).unwrap();
        }
        let (_, seeder) = start(&tmp.path().join("seeder")).await;
        let (created, _) = seeder
            .session
            .create_and_serve_torrent(
                &dir,
                librqbit::CreateTorrentOptions {
                    piece_length: Some(16384),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let port = seeder.session.listen_addr().unwrap().port();
        let magnet = piece_server::make_magnet(
            &created.info_hash().as_string(),
            "pack",
            450_001,
            &[SocketAddr::from(([127, 0, 0, 1], port))],
        );
        let (leech, _leecher) = start(&tmp.path().join("leecher")).await;
        let client = Client::new();
        let (status, d) = add_magnet(&client, leech, &magnet).await;
        assert_eq!(status, StatusCode::CREATED, "{d}");
        assert_eq!(d["total_length"], 450_001);
        let listed = d["files"].as_array().unwrap();
        assert_eq!(listed.len(), 3, "{d}");
        let mut offset = 0;
        for f in listed {
            assert_eq!(f["offset"], offset, "{d}");
            offset += f["length"].as_u64().unwrap();
            let path = f["path"].as_str().unwrap();
            let (name, src) = files
                .iter()
                .find(|(n, _)| path.ends_with(n))
                .unwrap_or_else(|| panic!("{path}"));
            assert_eq!(f["length"], src.len() as u64, "{name}");
            let url = format!(
                "http://{leech}/api/torrents/{}/files/{}",
                d["id"].as_str().unwrap(),
                f["index"]
            );
            check_range(&client, &url, src, 16_000, 40_000).await;
            let resp = get_range(&client, &url, None).await;
            assert_eq!(resp.status(), StatusCode::OK);
            assert!(resp.bytes().await.unwrap()[..] == src[..], "{name}");
        }
    })
    .await
    .expect("test took longer than 30 s");
}

/// `piece-server seed FILE`: the magnet is the first stdout line, the player URL the second,
/// and the same process serves the HTTP API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_command_prints_magnet_then_url_and_serves() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    tokio::time::timeout(Duration::from_secs(30), async {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("film.mkv");
        std::fs::write(&file, random_bytes(300_000, 31)).unwrap();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_piece-server"))
            .arg("seed")
            .arg(&file)
            .args([
                "--piece-length",
                "65536",
                "--no-dht",
                "--no-trackers",
                "--listen",
                "127.0.0.1:0",
            ])
            .arg("--data-dir")
            .arg(tmp.path().join("data"))
            .arg("--www-dir")
            .arg(tmp.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let magnet = lines.next_line().await.unwrap().expect("a magnet line");
        let url = lines.next_line().await.unwrap().expect("a URL line");
        assert!(magnet.starts_with("magnet:?xt=urn:btih:"), "{magnet}");
        assert!(
            magnet.contains("&dn=film.mkv&xl=300000&x.pe=127.0.0.1:"),
            "{magnet}"
        );
        let (base, query) = url
            .split_once("/?magnet=")
            .unwrap_or_else(|| panic!("{url}"));
        assert!(base.starts_with("http://127.0.0.1:"), "{url}");
        assert_eq!(
            query,
            magnet
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' =>
                        (b as char).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        );
        let id = &magnet["magnet:?xt=urn:btih:".len()..][..40];
        let (status, d) = json(
            Client::new()
                .get(format!("{base}/api/torrents/{id}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{d}");
        assert_eq!(d["piece_length"], 65536);
        assert_eq!(d["stats"]["finished"], true);
        // The page offers the seeded file as a one-click sample.
        let (status, samples) = json(
            Client::new()
                .get(format!("{base}/api/samples"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{samples}");
        assert_eq!(samples[0]["magnet"], magnet.as_str());
        assert_eq!(samples[0]["name"], "film.mkv");
        child.kill().await.ok();
    })
    .await
    .expect("test took longer than 30 s");
}
