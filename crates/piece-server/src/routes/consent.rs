//! The owner's consent: how the server tells "a person clicked a button on this server's own
//! top-level page" from "some page made a browser send a request with this server's origin".
//!
//! `cors::check_add` already refuses other sites (their `Origin` is not ours). What is left is
//! code running in our own origin without a person asking: our page opened by a foreign link
//! (`/?magnet=EVIL`), our `/embed` page framed by a foreign site, a foreign site framing our
//! page and tricking a click (clickjacking). So a browser request from our own origin changes
//! what the server holds (adds or deletes a torrent) only when it carries [`Secret`], a random
//! per-process value that
//!
//! - is written into the page only when the browser loads `/` as a top-level document
//!   (`Sec-Fetch-Dest: document`, a header pages cannot set or forge): a frame
//!   (`Sec-Fetch-Dest: iframe`), a `fetch()` of `/` from any page (`empty`; with CORS `*` a
//!   foreign page could read the answer) and old browsers that send no `Sec-Fetch-Dest` get
//!   the page without it;
//! - is sent with `frame-ancestors 'none'` and `X-Frame-Options: DENY`, so that page cannot be
//!   framed and its buttons cannot be clickjacked, and `Cache-Control: no-store`;
//! - is sent back only by `www/app.js`, in [`CONSENT_HEADER`], after a click: Play on a magnet
//!   the person typed or pasted, the sample button, or the confirmation that shows what a link
//!   would fetch. `/embed` and the `<riptide-player>` widget never have it, so they only play
//!   what the server already has.
//!
//! Programs (no `Origin`), the add token, and `--add-origin` sites keep the rules of
//! `cors.rs`: they are the owner's own tools or the owner's explicit choice.

use std::net::SocketAddr;

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};

use super::cors;
use crate::{ApiError, ApiResult, AppState};

/// The request header that carries the page's consent secret.
pub const CONSENT_HEADER: &str = "x-riptide-consent";
/// Set (to `1`) on a 403 that a click on the server's own page would turn into a yes, so the
/// page knows to ask the person rather than ask for the add token.
pub const CONFIRM_HEADER: &str = "x-riptide-confirm";

/// A random per-process secret (32 bytes from the OS, as hex).
pub struct Secret(String);

impl Secret {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        use std::io::Read;
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut bytes))
            .expect("the server needs /dev/urandom for its consent secret");
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    fn matches(&self, presented: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), presented.trim().as_bytes());
        // Both are compared in full (the secret's length is public: 64 hex digits).
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Whether this request for `/` may receive the secret: a top-level navigation.
fn top_level_document(headers: &HeaderMap) -> bool {
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    get("sec-fetch-dest").eq_ignore_ascii_case("document")
        && get("sec-fetch-mode").eq_ignore_ascii_case("navigate")
}

/// The `<meta>` tag carrying the secret, for the page at `/` (see the module comment), or
/// `None` when this request must not see it.
pub fn meta_tag(state: &AppState, headers: &HeaderMap) -> Option<String> {
    top_level_document(headers)
        .then(|| format!(r#"  <meta name="riptide-consent" content="{}">"#, state.consent.0))
}

/// The headers of the page at `/`: never framed (its `frame-ancestors 'none'` comes with the
/// whole policy from `headers::security_headers`), never cached.
pub fn page_headers(headers: &mut HeaderMap) {
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// May this request add or delete torrents (`what` names the action in messages)? The rules of
/// `cors::check_add`, plus: a browser request from this server's own page needs the consent
/// secret, i.e. a click on the top-level page.
pub fn check_owner(
    state: &AppState,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    what: &str,
) -> ApiResult<()> {
    cors::check_add(&state.config, peer, headers)?;
    if cors::presented_token(headers).is_some() {
        return Ok(());
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(()); // a program on this machine
    };
    let origin = origin.to_str().unwrap_or("").trim().to_ascii_lowercase();
    if !cors::own_page(&origin, headers) {
        return Ok(()); // an --add-origin site: the owner's explicit choice
    }
    let presented = headers
        .get(CONSENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if state.consent.matches(presented) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        format!(
            "this server does not {what} torrents on a page's say-so: its owner confirms on the \
             server's own page (open it in a tab of its own and press the button there). A \
             torrent already on the server plays without permission"
        ),
    )
    .with_header(
        HeaderName::from_static(CONFIRM_HEADER),
        HeaderValue::from_static("1"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_compared_whole() {
        let (a, b) = (Secret::generate(), Secret::generate());
        assert_eq!(a.0.len(), 64);
        assert_ne!(a.0, b.0);
        assert!(a.matches(&a.0.clone()));
        assert!(!a.matches(&b.0));
        assert!(!a.matches(&a.0[..63]));
        assert!(!a.matches(""));
    }

    #[test]
    fn only_top_level_navigations_get_the_secret() {
        let h = |dest: &str, mode: &str| {
            let mut m = HeaderMap::new();
            m.insert("sec-fetch-dest", HeaderValue::from_str(dest).unwrap());
            m.insert("sec-fetch-mode", HeaderValue::from_str(mode).unwrap());
            m
        };
        assert!(top_level_document(&h("document", "navigate")));
        assert!(!top_level_document(&h("iframe", "navigate")));
        assert!(!top_level_document(&h("empty", "cors")));
        assert!(!top_level_document(&HeaderMap::new()));
    }
}
