//! The `Host` allow-list, against DNS rebinding: a page on `evil.example` whose name the
//! attacker re-points at 127.0.0.1 becomes same-origin with this server in the viewer's
//! browser and could read everything it serves. Its requests still say `Host: evil.example`,
//! so we answer only requests whose host is
//! - an IP address literal (`127.0.0.1`, `[::1]`, the LAN address in `--listen`, ...): DNS
//!   rebinding needs a name, so a literal is always what the user typed;
//! - `localhost` (browsers resolve it to loopback themselves);
//! - a name given with `--public-host`.
//!
//! Anything else gets 421 Misdirected Request with a JSON sentence. A request without any
//! host (HTTP/1.0) is let through: browsers always send one.

use axum::{
    extract::Request,
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::ApiError;

/// Checks `--public-host` values (called from `NetConfig::validate`).
pub fn validate(names: &[String]) -> anyhow::Result<()> {
    for n in names {
        let n = n.trim();
        if n.is_empty()
            || n.contains(['/', ':', '*', ' '])
            || !n
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            anyhow::bail!(
                "--public-host {n:?} is not a host name: give the name alone (e.g. mybox.local), \
                 without scheme, port or wildcard"
            );
        }
    }
    Ok(())
}

/// The host part of an authority (`name:8080` → `name`, `[::1]:80` → `::1`), lower-cased.
fn host_part(authority: &str) -> String {
    let a = authority.trim();
    let host = if let Some(rest) = a.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        a.rsplit_once(':').map_or(a, |(h, _)| h)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// True when `authority` (a `Host` value) names this server by one of the allowed hosts.
pub fn allowed(authority: &str, public_hosts: &[String]) -> bool {
    let host = host_part(authority);
    host == "localhost"
        || host.parse::<std::net::IpAddr>().is_ok()
        || public_hosts
            .iter()
            .any(|p| p.trim().trim_end_matches('.').eq_ignore_ascii_case(&host))
}

/// Middleware: 421 for a request whose `Host` (or HTTP/2 `:authority`) is not allowed.
pub async fn check(
    axum::extract::State(public_hosts): axum::extract::State<std::sync::Arc<Vec<String>>>,
    req: Request,
    next: Next,
) -> Response {
    let authority = req
        .uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            req.headers()
                .get(header::HOST)
                .map(|v| v.to_str().unwrap_or("\u{fffd}").to_owned())
        });
    match authority {
        Some(a) if !allowed(&a, &public_hosts) => ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this server does not answer to the name {:?}: use its IP address or localhost, \
                 or start it with --public-host {} (this check stops web pages that re-point \
                 their own name at your machine)",
                host_part(&a),
                host_part(&a)
            ),
        )
        .into_response(),
        _ => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn literals_localhost_and_public_names_only() {
        let none: Vec<String> = Vec::new();
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST",
            "[::1]:8080",
            "192.168.1.5:8080",
            "[::ffff:127.0.0.1]:1",
            "localhost.:80",
        ] {
            assert!(allowed(ok, &none), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "evil.example",
            "127.0.0.1.nip.io:8080",
            "localhost.evil.example",
            "",
        ] {
            assert!(!allowed(bad, &none), "{bad}");
        }
        let public = vec!["MyBox.local".to_owned()];
        assert!(allowed("mybox.local:8080", &public));
        assert!(!allowed("other.local:8080", &public));
    }
}
