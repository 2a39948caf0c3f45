//! Embedding and permissions over real HTTP (see `src/routes/cors.rs` and docs/API.md,
//! "Embedding and permissions"): any site may read playback routes, but only programs on this
//! machine, this server's own page, `--add-origin` pages or holders of `--add-token` may make
//! the server add a torrent. A real seeder on 127.0.0.1 provides the torrents.

use std::{net::SocketAddr, path::PathBuf};

use piece_server::{seed, spawn, Config, SeedInfo, Server};
use reqwest::{header, Client, StatusCode};
use serde_json::Value;

const EVIL: &str = "http://evil.example";

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("riptide-cors-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::write(
        dir.join("www/index.html"),
        "<!doctype html><title>page</title>",
    )
    .unwrap();
    std::fs::write(
        dir.join("www/embed.html"),
        "<!doctype html><title>embed</title>",
    )
    .unwrap();
    std::fs::write(dir.join("www/embed.js"), "export {};").unwrap();
    dir
}

/// A seeder sharing a small file, and a second (empty) server configured by `tweak`.
async fn seeder_and_server(
    name: &str,
    tweak: impl FnOnce(&mut Config),
) -> (SeedInfo, SocketAddr, [Server; 2]) {
    let dir = tempdir(name);
    let film = dir.join("film.bin");
    std::fs::write(
        &film,
        (0..600_000u32)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let (_, seeder) = spawn(Config::for_test(dir.join("seeder"))).await.unwrap();
    let info = seed(&seeder.session, &film, Some(64 * 1024)).await.unwrap();
    let mut cfg = Config::for_test(dir.join("server"));
    cfg.www_dir = Some(dir.join("www"));
    tweak(&mut cfg);
    let (addr, server) = spawn(cfg).await.unwrap();
    (info, addr, [seeder, server])
}

async fn post_magnet(
    addr: SocketAddr,
    magnet: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut req = Client::new()
        .post(format!("http://{addr}/api/torrents"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(serde_json::json!({ "magnet": magnet }).to_string());
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = resp.bytes().await.unwrap();
    let v = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"));
    (status, headers, v)
}

fn acao(headers: &reqwest::header::HeaderMap) -> Option<&str> {
    headers
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .map(|v| v.to_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_pages_cannot_add_but_can_play_what_is_there() {
    let (info, addr, _servers) = seeder_and_server("default", |_| {}).await;

    // A page from another site, through the viewer's browser on this machine: refused, with
    // a readable answer the page can read (CORS header present).
    let (status, headers, body) = post_magnet(addr, &info.magnet, &[("origin", EVIL)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let msg = body["error"].as_str().unwrap();
    assert!(msg.contains(EVIL) && msg.contains("may not add"), "{msg}");
    assert_eq!(acao(&headers), Some("*"));
    // The same as a "simple" request (text/plain, no preflight): still refused.
    let resp = Client::new()
        .post(format!("http://{addr}/api/torrents"))
        .header(header::CONTENT_TYPE, "text/plain")
        .header("origin", EVIL)
        .body(info.magnet.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let unknown = reqwest::get(format!("http://{addr}/api/torrents/{}", info.info_hash))
        .await
        .unwrap();
    assert_eq!(
        unknown.status(),
        StatusCode::NOT_FOUND,
        "a refused add left a torrent behind"
    );

    // A program on this machine (no Origin, like curl) may add.
    let (status, _, body) = post_magnet(addr, &info.magnet, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();

    // Now it is there: the foreign page may resolve it (POST answers the existing one) and read it.
    let (status, _, body) = post_magnet(addr, &info.magnet, &[("origin", EVIL)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id.as_str());
    let resp = Client::new()
        .get(format!("http://{addr}/api/torrents/{id}/files/0"))
        .header(header::RANGE, "bytes=0-99")
        .header("origin", EVIL)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(acao(resp.headers()), Some("*"));
    assert_eq!(resp.bytes().await.unwrap().len(), 100);

    // The server's own page (same origin, by IP literal) may add too.
    let own = format!("http://{addr}");
    // (a second torrent the server does not have yet, from a second seeder)
    let dir = tempdir("default-2");
    let film2 = dir.join("film2.bin");
    std::fs::write(&film2, vec![42u8; 300_000]).unwrap();
    let (_, seeder2) = spawn(Config::for_test(dir.join("seeder"))).await.unwrap();
    let info2 = seed(&seeder2.session, &film2, Some(32 * 1024))
        .await
        .unwrap();
    let (status, _, body) = post_magnet(addr, &info2.magnet, &[("origin", &own)]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_add_token_lets_any_origin_add() {
    let (info, addr, _servers) =
        seeder_and_server("token", |c| c.add_token = Some("let-me-in".into())).await;
    let (status, _, body) = post_magnet(
        addr,
        &info.magnet,
        &[("origin", EVIL), ("authorization", "Bearer wrong")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"].as_str().unwrap().contains("token"), "{body}");
    let (status, _, body) = post_magnet(
        addr,
        &info.magnet,
        &[("origin", EVIL), ("authorization", "Bearer let-me-in")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_lists_limit_cors_and_framing() {
    let (_info, addr, _servers) = seeder_and_server("lists", |c| {
        c.allow_origins = vec!["https://blog.example".into()];
        c.add_origins = vec!["http://127.0.0.1:9".into()];
    })
    .await;
    let client = Client::new();
    let get = |origin: &'static str| {
        client
            .get(format!("http://{addr}/embed.js"))
            .header("origin", origin)
            .send()
    };
    let allowed = get("https://blog.example").await.unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(acao(allowed.headers()), Some("https://blog.example"));
    let other = get(EVIL).await.unwrap();
    assert_eq!(
        acao(other.headers()),
        None,
        "an origin outside the list got CORS"
    );
    let adder = get("http://127.0.0.1:9").await.unwrap();
    assert_eq!(acao(adder.headers()), Some("http://127.0.0.1:9"));

    // A preflight from a public page to a server on a private address (Private Network Access).
    let pre = client
        .request(
            reqwest::Method::OPTIONS,
            format!("http://{addr}/api/torrents"),
        )
        .header("origin", "https://blog.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,authorization",
        )
        .header("access-control-request-private-network", "true")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success(), "preflight: {}", pre.status());
    assert_eq!(
        pre.headers()
            .get("access-control-allow-private-network")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );

    let embed = client
        .get(format!("http://{addr}/embed?magnet=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(embed.status(), StatusCode::OK);
    // The page's whole policy (routes/headers.rs) ends with the framing rule.
    let policy = embed.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        policy.ends_with("; frame-ancestors 'self' https://blog.example"),
        "{policy}"
    );
    assert!(embed.text().await.unwrap().contains("<title>embed</title>"));
}

#[tokio::test]
async fn bad_origin_lists_are_refused_at_startup() {
    let dir = tempdir("bad-lists");
    let mut cfg = Config::for_test(dir.join("server"));
    cfg.add_origins = vec!["*".into()];
    let err = spawn(cfg)
        .await
        .err()
        .expect("--add-origin '*' must be refused");
    assert!(format!("{err:#}").contains("--add-token"), "{err:#}");
}
