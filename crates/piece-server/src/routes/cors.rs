//! Who may use the server from where.
//!
//! - **Reading** (playback: torrent descriptions, pieces, file bytes, the page and the embed
//!   widget's scripts) is open to the origins in `--allow-origin` (default `*`, any site): the
//!   [`layer`] answers CORS for them. Reading never makes the server fetch anything new.
//! - **Adding** a torrent (`POST /api/torrents` for a torrent the server does not have yet)
//!   makes the server join a swarm and download, so [`check_add`] allows it only to
//!   1. a request carrying the `--add-token` secret, from anywhere; or
//!   2. a client on this machine (loopback, not forwarded by a proxy) that is either a program
//!      (no `Origin` header: browsers always send one on POST), this server's own page
//!      (same origin, reached by IP literal or `localhost`, so a DNS-rebound name does not
//!      count), or a page from one of the `--add-origin` origins.
//!
//!   Everything else gets 403 with an explanation. CORS alone would not be enough: a page may
//!   send a "simple" POST (`text/plain`, a form) without a preflight, and CORS only hides the
//!   answer from it, while the server would still have added the torrent.
//!
//! Asking for a torrent the server already has is a read: `POST /api/torrents` answers 200
//! with it before any permission check, and `GET /api/torrents/{info hash}` works too.

use std::net::SocketAddr;

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::{ApiError, ApiResult, Config};

/// The header that carries the add token when `Authorization` cannot be used.
pub const TOKEN_HEADER: &str = "x-riptide-token";

/// Checks `--allow-origin` / `--add-origin` values (called by `Config::validate`).
pub fn validate(config: &Config) -> anyhow::Result<()> {
    let any = config.allow_origins.iter().any(|o| o.trim() == "*");
    if any && config.allow_origins.len() > 1 {
        anyhow::bail!("--allow-origin '*' already allows every site; do not list others with it");
    }
    for o in config.allow_origins.iter().filter(|o| o.trim() != "*") {
        normalize(o).map_err(|e| anyhow::anyhow!("--allow-origin {o:?}: {e}"))?;
    }
    for o in &config.add_origins {
        if o.trim() == "*" {
            anyhow::bail!(
                "--add-origin '*' would let any web page make this server download torrents; \
                 list the sites, or give trusted clients the --add-token"
            );
        }
        normalize(o).map_err(|e| anyhow::anyhow!("--add-origin {o:?}: {e}"))?;
    }
    if config
        .add_token
        .as_deref()
        .is_some_and(|t| t.trim().is_empty())
    {
        anyhow::bail!("--add-token is empty; pass a long random secret or leave it out");
    }
    Ok(())
}

/// An origin as browsers send it: lower-case `scheme://host[:port]`, no trailing slash.
fn normalize(origin: &str) -> Result<String, &'static str> {
    let o = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let Some((scheme, host)) = o.split_once("://") else {
        return Err("an origin looks like https://example.com or http://127.0.0.1:8000");
    };
    if scheme.is_empty() || host.is_empty() || host.contains('/') || host.contains('?') {
        return Err("an origin is scheme://host[:port], without a path");
    }
    Ok(o)
}

/// True when `allow_origins` is `*` (the default).
fn any_origin(config: &Config) -> bool {
    config.allow_origins.iter().any(|o| o.trim() == "*")
}

/// The CORS layer for every route. Allowed origins: `--allow-origin` (or any), plus the
/// `--add-origin` ones (they must read the answer to their POST). Methods GET, HEAD, POST;
/// request headers `Range`, `Content-Type`, `Authorization` and [`TOKEN_HEADER`]; the range
/// headers are exposed to scripts. DELETE is allowed for clients with the add token. Private Network Access preflights are answered yes, so a
/// public page may embed a server on the viewer's own machine.
pub fn layer(config: &Config) -> CorsLayer {
    let origins = if any_origin(config) {
        AllowOrigin::any()
    } else {
        let list: Vec<HeaderValue> = config
            .allow_origins
            .iter()
            .chain(&config.add_origins)
            .filter_map(|o| normalize(o).ok())
            .filter_map(|o| HeaderValue::from_str(&o).ok())
            .collect();
        AllowOrigin::list(list)
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::DELETE])
        .allow_headers([
            header::RANGE,
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static(TOKEN_HEADER),
        ])
        .expose_headers([
            header::CONTENT_RANGE,
            header::ACCEPT_RANGES,
            header::CONTENT_LENGTH,
            header::CONTENT_TYPE,
        ])
        .allow_private_network(true)
}

/// The `frame-ancestors` directive of the pages other sites may frame (`/embed`): any site
/// when any may embed, else the server itself and the `--allow-origin` sites.
pub fn frame_ancestors(config: &Config) -> String {
    if any_origin(config) {
        return "frame-ancestors *".to_owned();
    }
    let mut policy = String::from("frame-ancestors 'self'");
    for o in config
        .allow_origins
        .iter()
        .filter_map(|o| normalize(o).ok())
    {
        policy.push(' ');
        policy.push_str(&o);
    }
    policy
}

/// The token a request presents: `Authorization: Bearer <t>` or `X-Riptide-Token: <t>`.
pub(crate) fn presented_token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    bearer
        .or_else(|| headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()))
        .map(str::trim)
}

/// The host part of a `Host` header value (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `::1`).
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

/// Whether a page of the request's `Origin` may read this server's per-torrent routes: what the
/// CORS layer allows, for requests it cannot guard (a WebSocket upgrade is not subject to CORS).
/// No `Origin` (not a browser page) may; so may this server's own page.
pub(crate) fn may_read(config: &Config, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if any_origin(config) || own_page(origin, headers) {
        return true;
    }
    let Ok(origin) = normalize(origin) else {
        return false;
    };
    config
        .allow_origins
        .iter()
        .chain(&config.add_origins)
        .any(|o| normalize(o).is_ok_and(|o| o == origin))
}

/// The request comes from this server's own page: `Origin` is `http(s)://` + `Host`, and the
/// host is an IP literal or `localhost` (a page on `evil.example` whose name was re-pointed at
/// 127.0.0.1 — DNS rebinding — sends `Host: evil.example` and so does not count).
pub(crate) fn own_page(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
    let name = host_name(&host);
    let literal = name == "localhost" || name.parse::<std::net::IpAddr>().is_ok();
    literal && (origin == format!("http://{host}") || origin == format!("https://{host}"))
}

/// Decides whether this request may make the server add a new torrent (see the module
/// comment). `peer` is the TCP client address (`None` when unknown: treated as remote).
pub fn check_add(config: &Config, peer: Option<SocketAddr>, headers: &HeaderMap) -> ApiResult<()> {
    let forbidden = |m: String| ApiError::new(StatusCode::FORBIDDEN, m);
    if let Some(token) = presented_token(headers) {
        return match &config.add_token {
            Some(expected) if crate::secret::same_secret(token, expected.trim()) => Ok(()),
            Some(_) => Err(forbidden(
                "the add token sent with this request is wrong; check the server's --add-token"
                    .into(),
            )),
            None => Err(forbidden(
                "this request sends an add token, but the server has none configured \
                 (start it with --add-token or RIPTIDE_ADD_TOKEN)"
                    .into(),
            )),
        };
    }
    // A reverse proxy on this machine makes every client look local: never trust forwarded requests.
    let forwarded = headers.contains_key("forwarded") || headers.contains_key("x-forwarded-for");
    let local = !forwarded && peer.is_some_and(|p| crate::limits::is_loopback(p.ip()));
    if !local {
        return Err(forbidden(
            "only programs and pages on the server's own machine may add new torrents to this server, \
             or requests with its add token (Authorization: Bearer <token>, see --add-token); \
             a torrent already on the server plays without permission"
                .into(),
        ));
    }
    let origin = match headers.get(header::ORIGIN) {
        None => return Ok(()), // a program (curl, a script): browsers always send Origin on POST
        Some(v) => v.to_str().unwrap_or("").trim().to_ascii_lowercase(),
    };
    if own_page(&origin, headers)
        || config
            .add_origins
            .iter()
            .filter_map(|o| normalize(o).ok())
            .any(|o| o == origin)
    {
        return Ok(());
    }
    Err(forbidden(format!(
        "pages from {origin} may not add new torrents to this server (it protects you from web pages \
         that would make it download); ask its owner to add the torrent, start the server with \
         --add-origin {origin}, or send its add token. A torrent already on the server plays without permission"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    const LOOPBACK: Option<SocketAddr> = Some(SocketAddr::new(
        std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        50000,
    ));
    const REMOTE: Option<SocketAddr> = Some(SocketAddr::new(
        std::net::IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 7)),
        50000,
    ));

    fn status(r: ApiResult<()>) -> u16 {
        match r {
            Ok(()) => 200,
            Err(e) => e.status.as_u16(),
        }
    }

    #[test]
    fn loopback_programs_and_own_page_may_add() {
        let c = Config::default();
        assert_eq!(status(check_add(&c, LOOPBACK, &headers(&[]))), 200);
        let own = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert_eq!(status(check_add(&c, LOOPBACK, &own)), 200);
        let own = headers(&[
            ("host", "localhost:8080"),
            ("origin", "http://localhost:8080"),
        ]);
        assert_eq!(status(check_add(&c, LOOPBACK, &own)), 200);
        let v6 = headers(&[("host", "[::1]:8080"), ("origin", "http://[::1]:8080")]);
        assert_eq!(status(check_add(&c, LOOPBACK, &v6)), 200);
    }

    #[test]
    fn foreign_pages_are_refused_even_from_loopback() {
        let c = Config::default();
        let evil = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://evil.example"),
        ]);
        let err = check_add(&c, LOOPBACK, &evil).unwrap_err();
        assert_eq!(err.status, StatusCode::FORBIDDEN);
        assert!(
            err.message.contains("https://evil.example"),
            "{}",
            err.message
        );
        let null = headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]);
        assert_eq!(status(check_add(&c, LOOPBACK, &null)), 403);
        // Another port on the same host is another origin.
        let port = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:9000"),
        ]);
        assert_eq!(status(check_add(&c, LOOPBACK, &port)), 403);
        // DNS rebinding: same origin by name, but not a literal address.
        let rebound = headers(&[
            ("host", "evil.example:8080"),
            ("origin", "http://evil.example:8080"),
        ]);
        assert_eq!(status(check_add(&c, LOOPBACK, &rebound)), 403);
    }

    #[test]
    fn add_origins_are_allowed_from_loopback_only() {
        let c = Config {
            add_origins: vec!["http://127.0.0.1:9000/".into()],
            ..Config::default()
        };
        let page = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:9000"),
        ]);
        assert_eq!(status(check_add(&c, LOOPBACK, &page)), 200);
        assert_eq!(status(check_add(&c, REMOTE, &page)), 403);
    }

    #[test]
    fn remote_and_forwarded_clients_need_the_token() {
        let c = Config {
            add_token: Some("s3cret".into()),
            ..Config::default()
        };
        assert_eq!(status(check_add(&c, REMOTE, &headers(&[]))), 403);
        assert_eq!(status(check_add(&c, None, &headers(&[]))), 403);
        // A dual-stack listener ([::]) reports IPv4 clients as ::ffff:a.b.c.d.
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:50000".parse().unwrap();
        assert_eq!(status(check_add(&c, Some(mapped), &headers(&[]))), 200);
        let mapped_remote: SocketAddr = "[::ffff:192.0.2.7]:50000".parse().unwrap();
        assert_eq!(status(check_add(&c, Some(mapped_remote), &headers(&[]))), 403);
        let fwd = headers(&[("x-forwarded-for", "192.0.2.7")]);
        assert_eq!(status(check_add(&c, LOOPBACK, &fwd)), 403);
        let bearer = headers(&[
            ("authorization", "Bearer s3cret"),
            ("origin", "https://evil.example"),
        ]);
        assert_eq!(status(check_add(&c, REMOTE, &bearer)), 200);
        let header = headers(&[(TOKEN_HEADER, "s3cret")]);
        assert_eq!(status(check_add(&c, REMOTE, &header)), 200);
        let wrong = headers(&[("authorization", "Bearer s3cre7")]);
        assert_eq!(status(check_add(&c, LOOPBACK, &wrong)), 403);
        // Without a configured token, a presented one is refused rather than ignored.
        assert_eq!(status(check_add(&Config::default(), LOOPBACK, &wrong)), 403);
    }

    #[test]
    fn origins_are_validated() {
        let bad = |allow: &[&str], add: &[&str]| {
            let c = Config {
                allow_origins: allow.iter().map(|s| s.to_string()).collect(),
                add_origins: add.iter().map(|s| s.to_string()).collect(),
                ..Config::default()
            };
            validate(&c).is_err()
        };
        assert!(!bad(&["*"], &[]));
        assert!(!bad(
            &["https://blog.example", "http://127.0.0.1:9000"],
            &["http://localhost:3000"]
        ));
        assert!(bad(&["*"], &["*"]));
        assert!(bad(&["blog.example"], &[]));
        assert!(bad(&["https://blog.example/post"], &[]));
        assert!(bad(&["*", "https://blog.example"], &[]));
    }

    #[test]
    fn frame_ancestors_follow_the_allow_list() {
        assert_eq!(frame_ancestors(&Config::default()), "frame-ancestors *");
        let c = Config {
            allow_origins: vec!["https://Blog.example/".into()],
            ..Config::default()
        };
        assert_eq!(
            frame_ancestors(&c),
            "frame-ancestors 'self' https://blog.example"
        );
    }
}
