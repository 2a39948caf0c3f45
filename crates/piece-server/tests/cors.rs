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
        "<!doctype html><head><title>page</title></head>",
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

}

/// `GET /api/torrents` lists the server's torrents to its owner only: a program on this
/// machine, the server's own page with its consent secret, the add token. A foreign page (any
/// site may read a torrent it knows the id of) learns nothing about what else is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_owner_sees_the_list_of_torrents() {
    let (info, addr, _servers) = seeder_and_server("list", |c| c.add_token = Some("tok".into())).await;
    let list = |headers: Vec<(&'static str, String)>| async move {
        let mut req = Client::new().get(format!("http://{addr}/api/torrents"));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json::<Value>().await.unwrap())
    };
    let (status, body) = list(vec![]).await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::json!([])));
    let (status, _, body) = post_magnet(addr, &info.magnet, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The owner: a program, the token, the own page with its secret.
    let (status, body) = list(vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body[0]["id"], info.info_hash.as_str());
    assert_eq!(body[0]["files"][0]["length"], 600_000);
    assert!(body[0]["stats"]["total_bytes"].is_u64(), "{body}");
    let (status, _) = list(vec![("origin", EVIL.into()), ("authorization", "Bearer tok".into())]).await;
    assert_eq!(status, StatusCode::OK);
    let own = format!("http://{addr}");
    let (_, top) = get_page(addr, "document", "navigate", None).await;
    let secret = consent_secret(&top).unwrap();
    let (status, _) = list(vec![("origin", own.clone()), ("x-riptide-consent", secret)]).await;
    assert_eq!(status, StatusCode::OK);

    // Everyone else: refused with a sentence, and nothing listed.
    for headers in [vec![("origin", EVIL.to_string())], vec![("origin", own)], vec![("x-forwarded-for", "192.0.2.1".to_string())]] {
        let (status, body) = list(headers.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}: {body}");
        assert!(body["error"].as_str().unwrap().contains("shown only to its owner"), "{body}");
        // The adds in progress say as much: the same owners only.
        let mut req = Client::new().get(format!("http://{addr}/api/adding"));
        for (k, v) in &headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "/api/adding with {headers:?}");
        let body: Value = resp.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("only to this server's owner"), "{body}");
    }
    // Nothing is being added now: the owner gets an empty list.
    let adding: Value = Client::new().get(format!("http://{addr}/api/adding")).send().await.unwrap().json().await.unwrap();
    assert_eq!(adding, serde_json::json!([]));
}

/// `GET /` as the browser loads it in a tab (top-level navigation), in a frame, or through a
/// page's `fetch()`.
async fn get_page(addr: SocketAddr, dest: &str, mode: &str, origin: Option<&str>) -> (reqwest::header::HeaderMap, String) {
    let mut req = Client::new()
        .get(format!("http://{addr}/?magnet=magnet%3A%3Fxt%3Durn%3Abtih%3Aab"))
        .header("sec-fetch-dest", dest)
        .header("sec-fetch-mode", mode);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let headers = resp.headers().clone();
    (headers, resp.text().await.unwrap())
}

fn consent_secret(html: &str) -> Option<String> {
    let at = html.find(r#"<meta name="riptide-consent" content=""#)?;
    let rest = &html[at + r#"<meta name="riptide-consent" content=""#.len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The server's own page (same origin, loopback) adds a torrent only with the secret that the
/// server writes into the page when it is loaded in a tab of its own, and that the page sends
/// after a click. A framed copy, a `fetch()` of the page and a POST without the secret get
/// nothing; the refusal tells the page to ask the person (`x-riptide-confirm: 1`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_own_page_adds_only_after_a_click_on_its_top_level_page() {
    let (info, addr, _servers) = seeder_and_server("consent", |_| {}).await;
    let own = format!("http://{addr}");

    // Our own origin without the secret (e.g. /embed framed by another site): refused.
    let (status, headers, body) = post_magnet(addr, &info.magnet, &[("origin", &own)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(headers.get("x-riptide-confirm").map(|v| v.to_str().unwrap()), Some("1"));
    assert!(body["error"].as_str().unwrap().contains("confirms on the server's own page"), "{body}");
    let unknown = reqwest::get(format!("http://{addr}/api/torrents/{}", info.info_hash)).await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND, "the add went through without consent");

    // The page in a frame, or read by any page's fetch(): no secret.
    let (framed_headers, framed) = get_page(addr, "iframe", "navigate", None).await;
    assert_eq!(consent_secret(&framed), None, "a framed page got the secret");
    let policy = framed_headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(policy.ends_with("; frame-ancestors 'none'"), "the page may be framed: {policy}");
    assert_eq!(framed_headers[header::X_FRAME_OPTIONS], "DENY");
    let (_, fetched) = get_page(addr, "empty", "cors", Some(EVIL)).await;
    assert_eq!(consent_secret(&fetched), None, "a fetch() of the page got the secret");
    let plain = reqwest::get(format!("http://{addr}/")).await.unwrap().text().await.unwrap();
    assert_eq!(consent_secret(&plain), None, "a client without Sec-Fetch headers got the secret");

    // The page in a tab of its own: the secret, never cached, never framed.
    let (top_headers, top) = get_page(addr, "document", "navigate", None).await;
    let secret = consent_secret(&top).expect("the top-level page has no consent secret");
    let policy = top_headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(policy.ends_with("; frame-ancestors 'none'"), "the page may be framed: {policy}");
    assert_eq!(top_headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(top_headers[header::CACHE_CONTROL], "no-store");

    // A wrong secret, or the right one from another site: refused.
    let (status, _, _) = post_magnet(addr, &info.magnet, &[("origin", &own), ("x-riptide-consent", "0123")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = post_magnet(addr, &info.magnet, &[("origin", EVIL), ("x-riptide-consent", &secret)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // After the click: added.
    let (status, _, body) = post_magnet(addr, &info.magnet, &[("origin", &own), ("x-riptide-consent", &secret)]).await;
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

/// `GET /api/status` tells the page where peers can be looked for while a magnet's metadata is
/// awaited: a server without DHT and trackers says so (the page then shows "DHT off on this
/// server · trackers off on this server").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_says_whether_dht_and_trackers_are_on() {
    let (_, addr, _servers) = seeder_and_server("status", |_| {}).await;
    let v: Value = reqwest::get(format!("http://{addr}/api/status")).await.unwrap().json().await.unwrap();
    assert_eq!(v["dht_nodes"], Value::Null, "{v}");
    assert_eq!(v["trackers"], false, "{v}");
    assert!(v["torrents"].is_u64(), "{v}");
}
