//! The player's static files: embedded in the binary at build time (`build.rs`), or read from
//! `--www-dir` when given (development: edit a page, reload, no rebuild).

use std::{borrow::Cow, path::PathBuf};

use axum::{
    body::Body,
    http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};

/// How browsers may cache the static files (`embed.js`, `pkg/*.wasm`, the page): `no-cache`,
/// i.e. keep them but ask again each time (a 304 costs one round trip, no body). After the
/// server is upgraded, no embedding page runs an old `embed.js` against a new wasm engine
/// (their wasm-bindgen glue must match exactly).
pub(crate) const STATIC_CACHE_CONTROL: &str = "no-cache";

/// One file of `www/` compiled into the binary.
pub(crate) struct EmbeddedFile {
    /// Relative to `www/`, `/`-separated (`index.html`, `pkg/remux_wasm.js`).
    pub(crate) path: &'static str,
    pub(crate) content_type: &'static str,
    /// A quoted content hash.
    pub(crate) etag: &'static str,
    pub(crate) bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/www_files.rs"));

/// Where the static files come from.
#[derive(Debug, Clone)]
pub enum Www {
    /// The files built into this binary.
    Embedded,
    /// A folder on disk (`--www-dir`).
    Dir(PathBuf),
}

impl Www {
    pub fn from_config(dir: Option<&PathBuf>) -> Self {
        dir.map_or(Self::Embedded, |d| Self::Dir(d.clone()))
    }

    /// The bytes of `name` (relative to `www/`, e.g. `index.html`), or `None` if there is no
    /// such file. Never reads outside the folder: only plain names reach here.
    pub async fn read(&self, name: &str) -> Option<Cow<'static, [u8]>> {
        match self {
            Self::Embedded => embedded(name).map(|f| Cow::Borrowed(f.bytes)),
            Self::Dir(dir) => tokio::fs::read(dir.join(name)).await.ok().map(Cow::Owned),
        }
    }

    /// What the server says at start about where the page comes from (a warning when it
    /// cannot work).
    pub fn log_source(&self) {
        match self {
            Self::Embedded if embedded("pkg/remux_wasm_bg.wasm").is_none() => tracing::warn!(
                "this binary was built without the player's wasm engine (www/pkg); the page cannot play. \
                 Run scripts/build-wasm.sh and rebuild, or pass --www-dir"
            ),
            Self::Embedded => tracing::info!("serving the player built into this binary ({} files)", FILES.len()),
            Self::Dir(dir) if !dir.join("index.html").is_file() => tracing::warn!(
                "--www-dir {} has no index.html; GET / will be 404",
                dir.display()
            ),
            Self::Dir(dir) => tracing::info!("serving the player from {}", dir.display()),
        }
    }
}

fn embedded(name: &str) -> Option<&'static EmbeddedFile> {
    FILES.iter().find(|f| f.path == name)
}

/// Serves an embedded file for `GET`/`HEAD` (a directory path gets its `index.html`), with its
/// `ETag`; a matching `If-None-Match` gets 304.
pub(crate) async fn serve_embedded(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    let path = uri.path().trim_start_matches('/');
    let name = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_owned() };
    let Some(file) = embedded(&name).or_else(|| embedded(&format!("{name}/index.html"))) else {
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "Not found\n")
            .into_response();
    };
    let etag = HeaderValue::from_static(file.etag);
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, HeaderValue::from_static(STATIC_CACHE_CONTROL)),
    ];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == file.etag || t.trim() == "*"));
    if fresh {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    let body = if method == Method::HEAD { Body::empty() } else { Body::from(file.bytes) };
    let mut resp = (cache, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    resp.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(file.bytes.len()));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_the_widget_are_built_in() {
        for name in ["index.html", "embed.html", "embed.js", "app.js", "lib/api.js", "lib/engine.js", "lib/errors.js", "lib/files.js"] {
            let f = embedded(name).unwrap_or_else(|| panic!("{name} is not embedded"));
            assert!(!f.bytes.is_empty(), "{name} is empty");
        }
        assert_eq!(embedded("index.html").unwrap().content_type, "text/html; charset=utf-8");
        assert!(embedded("../Cargo.toml").is_none());
    }
}
