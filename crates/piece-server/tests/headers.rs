//! Reads, framing and headers (issue 18, item 6): the `Host` allow-list against DNS
//! rebinding, the security headers of every HTML page (`/embed.html` included), no absolute
//! local path in any response, and axum's own rejections as JSON errors.

use test_support::swarm as common;

use std::{net::SocketAddr, time::Duration};

use common::json;
use piece_server::{spawn, Config, Server};
use reqwest::{header, Client, StatusCode};

/// The repository's `www/`, the real pages.
fn www() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www")
}

async fn server(tune: impl FnOnce(&mut Config)) -> (SocketAddr, Server, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = Config::for_test(tmp.path().join("data"));
    config.www_dir = Some(www());
    tune(&mut config);
    let (addr, server) = spawn(config).await.unwrap();
    (addr, server, tmp)
}

async fn get_with_host(addr: SocketAddr, path: &str, host: &str) -> reqwest::Response {
    Client::new()
        .get(format!("http://{addr}{path}"))
        .header(header::HOST, host)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn other_host_names_get_421() {
    let (addr, _s, _t) = server(|c| c.net.public_hosts = vec!["mybox.local".into()]).await;
    let port = addr.port();
    for ok in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        format!("192.168.1.5:{port}"),
        format!("MyBox.local:{port}"),
    ] {
        let r = get_with_host(addr, "/api/status", &ok).await;
        assert_eq!(r.status(), StatusCode::OK, "Host: {ok}");
    }
    // A rebinding page: its own name, re-pointed at 127.0.0.1.
    for bad in [
        format!("evil.example:{port}"),
        "127.0.0.1.evil.example".to_owned(),
    ] {
        for path in ["/api/status", "/", "/embed.html"] {
            let (status, body) = json(get_with_host(addr, path, &bad).await).await;
            assert_eq!(
                status,
                StatusCode::MISDIRECTED_REQUEST,
                "Host: {bad} {path}"
            );
            let msg = body["error"].as_str().unwrap();
            assert!(msg.contains("--public-host"), "{msg}");
        }
    }
}

/// The policy of `path`, after checking the headers every page carries.
async fn page_policy(addr: SocketAddr, path: &str) -> String {
    let r = Client::new()
        .get(format!("http://{addr}{path}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(
        r.headers()[header::X_CONTENT_TYPE_OPTIONS],
        "nosniff",
        "{path}"
    );
    let ct = r.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(ct.starts_with("text/html"), "{path}: {ct}");
    let policy = r
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"))
        .to_str()
        .unwrap()
        .to_owned();
    let body = r.text().await.unwrap();
    assert!(body.contains("</html>"), "{path}: the page arrives whole");
    assert!(policy.contains("default-src 'self'"), "{path}: {policy}");
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{path}: {policy}"
    );
    assert!(policy.contains("object-src 'none'"), "{path}: {policy}");
    policy
}

#[tokio::test]
async fn every_html_page_has_csp_nosniff_and_frame_ancestors() {
    let (addr, _s, _t) = server(|_| {}).await;
    // Pages that add torrents or show the owner's things: nobody may frame them.
    for path in [
        "/",
        "/index.html",
        "/?magnet=magnet%3A%3Fxt%3Durn%3Abtih%3Aaa",
        "/embed-demo.html",
    ] {
        let p = page_policy(addr, path).await;
        assert!(p.ends_with("frame-ancestors 'none'"), "{path}: {p}");
    }
    // The iframe player, in both of its spellings, may be framed by the --allow-origin sites
    // (any, by default), and its inline script is allowed by hash.
    for path in ["/embed", "/embed.html", "/embed?magnet=x"] {
        let p = page_policy(addr, path).await;
        assert!(p.ends_with("frame-ancestors *"), "{path}: {p}");
        assert!(p.contains("'sha256-"), "{path}: {p}");
    }
    // Not HTML: nosniff only.
    let r = Client::new()
        .get(format!("http://{addr}/embed.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(r.headers().get(header::CONTENT_SECURITY_POLICY).is_none());

    let (addr, _s, _t) = server(|c| c.allow_origins = vec!["https://blog.example".into()]).await;
    let p = page_policy(addr, "/embed.html").await;
    assert!(
        p.ends_with("frame-ancestors 'self' https://blog.example"),
        "{p}"
    );
}

#[tokio::test]
async fn axum_rejections_and_unknown_files_are_json_errors() {
    let (addr, _s, _t) = server(|_| {}).await;
    let client = Client::new();
    // Body too large (the limit is 16 MiB). Over a raw socket: the server answers before the
    // body is all sent, and stops reading it.
    let (status, body) = post_too_large(addr).await;
    assert_eq!(status, 413, "{body}");
    let body: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    assert!(body["error"].as_str().unwrap().contains("16 MiB"), "{body}");
    // A path that is not UTF-8.
    let (status, body) = json(
        client
            .get(format!("http://{addr}/api/torrents/%FF%FE/pieces"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("could not be read"),
        "{body}"
    );
    // A method the route does not take.
    let (status, body) = json(
        client
            .put(format!("http://{addr}/api/torrents"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert!(body["error"].as_str().unwrap().contains("PUT"), "{body}");
    // A static file that does not exist.
    let (status, body) = json(
        client
            .get(format!("http://{addr}/no-such-file.js"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["error"].as_str().unwrap().contains("/no-such-file.js"),
        "{body}"
    );
}

/// Sends a 17 MiB .torrent body; returns the status and body of the answer.
async fn post_too_large(addr: SocketAddr) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let len = 17 * 1024 * 1024;
    let s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let writer = tokio::spawn(async move {
        let head = format!(
            "POST /api/torrents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-bittorrent\r\n\
             Content-Length: {len}\r\nConnection: close\r\n\r\n"
        );
        let _ = wr.write_all(head.as_bytes()).await;
        let _ = wr.write_all(&vec![b'd'; len]).await;
        wr
    });
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), rd.read_to_end(&mut buf)).await;
    writer.abort();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {text:?}"));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

#[tokio::test]
async fn no_absolute_local_path_in_errors() {
    // A --www directory without the embed page: the error must not say where it looked.
    let empty_www = tempfile::tempdir().unwrap();
    let www_path = empty_www.path().canonicalize().unwrap();
    let (addr, _s, tmp) = server(|c| c.www_dir = Some(www_path.clone())).await;
    let (status, body) = tokio::time::timeout(Duration::from_secs(10), async {
        json(
            Client::new()
                .get(format!("http://{addr}/embed"))
                .send()
                .await
                .unwrap(),
        )
        .await
    })
    .await
    .unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let msg = body["error"].as_str().unwrap();
    for secret in [www_path.to_str().unwrap(), tmp.path().to_str().unwrap()] {
        assert!(
            !msg.contains(secret),
            "the error shows the local path {secret}: {msg}"
        );
    }
    assert!(!msg.contains("/tmp/"), "{msg}");
}
