//! Response headers and bodies every route gets, whatever serves it (handlers, static files,
//! the embedded page):
//!
//! - [`security_headers`]: `X-Content-Type-Options: nosniff` on every response; on every HTML
//!   page a `Content-Security-Policy` that allows only this server's scripts (plus the page's
//!   own inline scripts, by hash, computed from the page as sent), wasm, and `frame-ancestors`:
//!   `/embed` and `/embed.html` may be framed by the `--allow-origin` sites, every other page
//!   by nobody (`'none'`), so no site can frame the page that adds torrents.
//! - [`json_errors`]: errors that do not come from our handlers (axum's own rejections: body
//!   too large, unreadable path or query; unknown static files; wrong method) become the JSON
//!   `{"error": "..."}` that docs/API.md promises for every error.

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine;

use crate::{ApiError, Config};

/// HTML pages larger than this are sent without inline-script hashes (ours are a few KiB).
const MAX_HTML_TO_HASH: usize = 4 * 1024 * 1024;
/// Error bodies larger than this are not quoted in the JSON error.
const MAX_ERROR_TEXT: usize = 1024;

/// The parts of the policy that do not depend on the page. `wasm-unsafe-eval`: the player is
/// WebAssembly. Styles may be inline (the widget's shadow DOM adds a `<style>`); posters may
/// come from anywhere; media are `blob:` URLs of MediaSource.
const BASE_POLICY: &str = "default-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'; style-src 'self' 'unsafe-inline'; img-src * data: blob:; \
     media-src 'self' blob: data:; worker-src 'self' blob:";

/// The pages other sites may frame (the iframe player).
fn frameable(path: &str) -> bool {
    matches!(path, "/embed" | "/embed.html")
}

/// `frame-ancestors` for a page at `path`: the embed pages follow `--allow-origin`
/// (`cors::frame_ancestors`), every other page may be framed by nobody.
fn frame_ancestors(config: &Config, path: &str) -> String {
    if frameable(path) {
        super::cors::frame_ancestors(config)
    } else {
        "frame-ancestors 'none'".to_owned()
    }
}

/// `'sha256-...'` sources for every inline `<script>` (one without `src`) of `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(open) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[open..].find('>').map(|i| open + i) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else {
            break;
        };
        let tag = &lower[open..tag_end];
        if !tag.contains(" src=") && !tag.contains("\tsrc=") && !tag.contains("\nsrc=") {
            let body = &html[tag_end + 1..close];
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body.as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(digest.as_ref());
            out.push(format!("'sha256-{b64}'"));
        }
        at = close;
    }
    out
}

/// The whole policy of an HTML page.
pub fn html_policy(config: &Config, path: &str, html: Option<&str>) -> String {
    let mut script = String::from("script-src 'self' 'wasm-unsafe-eval'");
    for h in html.map(inline_script_hashes).unwrap_or_default() {
        script.push(' ');
        script.push_str(&h);
    }
    format!("{BASE_POLICY}; {script}; {}", frame_ancestors(config, path))
}

/// Middleware: see the module comment. Wrap it around everything that serves HTML.
pub async fn security_headers(
    State(config): State<Arc<Config>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    let (mut parts, body) = resp.into_parts();
    parts.headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    if !html {
        return Response::from_parts(parts, body);
    }
    let (body, text) = match axum::body::to_bytes(body, MAX_HTML_TO_HASH).await {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            (Body::from(bytes), Some(text))
        }
        // Too large to hash (or a broken body): no inline script will run.
        Err(_) => (Body::empty(), None),
    };
    let policy = html_policy(&config, &path, text.as_deref());
    if let Ok(v) = HeaderValue::from_str(&policy) {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

/// Middleware: see the module comment.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, MAX_ERROR_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is too large for {path}: a .torrent file or a JSON magnet may be \
             at most 16 MiB"
        ),
        StatusCode::NOT_FOUND => format!("there is no page or file at {path} on this server"),
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("{method} is not allowed on {path}; see docs/API.md for the methods it takes")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            format!("{path} cannot read a body of this Content-Type ({text}); see docs/API.md")
        }
        _ if !text.is_empty() => format!("the request to {path} could not be read: {text}"),
        _ => format!(
            "the request to {path} failed: {}",
            status.canonical_reason().unwrap_or("error")
        ),
    };
    let mut out = ApiError::new(status, message).into_response();
    // Keep the headers the original answer set (CORS, Allow, Retry-After), except its type and length.
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    if method == Method::HEAD {
        *out.body_mut() = Body::empty();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_skipped() {
        let html = "<script type=\"module\" src=\"embed.js\"></script>\n<SCRIPT type=\"module\">alert(1)</script>";
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            inline_script_hashes(html),
            vec!["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='".to_owned()]
        );
    }

    #[test]
    fn only_the_embed_page_may_be_framed() {
        let c = Config::default();
        assert!(html_policy(&c, "/", None).ends_with("frame-ancestors 'none'"));
        assert!(html_policy(&c, "/embed-demo.html", None).ends_with("frame-ancestors 'none'"));
        assert!(html_policy(&c, "/embed", None).ends_with("frame-ancestors *"));
        let listed = Config {
            allow_origins: vec!["https://Blog.example/".into()],
            ..Config::default()
        };
        assert!(html_policy(&listed, "/embed.html", None)
            .ends_with("frame-ancestors 'self' https://blog.example"));
    }
}
