//! Link previews, so that pasting a Riptide link somewhere embeds or describes the film:
//!
//! - `GET /?magnet=...&file=N&t=S` is the page (`www/index.html`) with, in its `<head>`, the
//!   film's title and player for link unfurlers (OpenGraph `og:*`, `twitter:player`) and an
//!   oEmbed discovery link. Without `magnet` the page is served unchanged.
//! - `GET /oembed?url=<a Riptide link>&maxwidth=&maxheight=&format=json` answers oEmbed 1.0
//!   (<https://oembed.com>): a `video` whose `html` is the `/embed` iframe. CMSs and forums
//!   that discover oEmbed turn a pasted link into the player this way.
//!
//! Crawlers do not run scripts, so this is the server's job; it reads only what the page's
//! own link says and what the server already knows (it never adds the torrent).

use std::collections::HashMap;

use axum::{
    extract::{Query, RawQuery, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use librqbit::Magnet;
use serde_json::json;

use crate::{ApiError, ApiResult, AppState};

/// Size of the player an oEmbed answer and the previews offer: 640×360 (16:9), made smaller
/// by a consumer's `maxwidth`/`maxheight`, never larger.
const PLAYER_WIDTH: u32 = 640;
const PLAYER_HEIGHT: u32 = 360;
/// Title when neither the server nor the magnet names the film.
const UNNAMED: &str = "A film on Riptide";

/// What a Riptide link points at.
struct Film {
    magnet: String,
    file: Option<String>,
    start: Option<String>,
}

impl Film {
    /// From a link's query (`magnet`, `file`, `t`); `None` without a magnet.
    fn from_query(query: &str) -> Option<Film> {
        let q: HashMap<String, String> = url_pairs(query).collect();
        let magnet = q.get("magnet").filter(|m| m.starts_with("magnet:"))?.clone();
        let digits = |k: &str| q.get(k).filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).cloned();
        Some(Film { magnet, file: digits("file"), start: digits("t") })
    }

    /// The query of the page link and of the `/embed` iframe: `magnet=…&file=…&t=…`.
    fn query(&self) -> String {
        let mut q = format!("magnet={}", urlencoding::encode(&self.magnet));
        if let Some(f) = &self.file {
            q.push_str(&format!("&file={f}"));
        }
        if let Some(t) = &self.start {
            q.push_str(&format!("&t={t}"));
        }
        q
    }

    /// The film's name: the torrent's (and the file's, when the link names one) if this server
    /// has it, else the magnet's `dn` (of a magnet librqbit can parse), else [`UNNAMED`].
    fn title(&self, state: &AppState) -> String {
        let parsed = Magnet::parse(&self.magnet).ok();
        let known = parsed
            .as_ref()
            .and_then(|m| m.as_id20())
            .and_then(|id| super::torrents::find_torrent(state, &id.as_string()).ok())
            .and_then(|h| super::torrents::describe(&h).ok());
        if let Some(d) = known {
            let file = self.file.as_ref().and_then(|f| f.parse::<usize>().ok());
            return match file.and_then(|i| d.files.iter().find(|f| f.index == i)) {
                Some(f) if d.files.len() > 1 => format!("{} — {}", d.name, f.path),
                _ => d.name,
            };
        }
        parsed.and_then(|m| m.name).unwrap_or_else(|| UNNAMED.to_owned())
    }
}

/// `key=value` pairs of a URL query, percent- and `+`-decoded.
fn url_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        urlencoding::decode(&s).map(|c| c.into_owned()).unwrap_or(s)
    };
    query.split('&').filter(|kv| !kv.is_empty()).map(move |kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (decode(k), decode(v))
    })
}

/// `http://HOST` as the client reached this server (`https` behind a proxy that says so).
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The `/embed` iframe for `film`, `width`×`height`.
fn iframe(origin: &str, film: &Film, width: u32, height: u32) -> String {
    format!(
        r#"<iframe src="{}" width="{width}" height="{height}" allow="autoplay; fullscreen" allowfullscreen style="border:0"></iframe>"#,
        html_escape(&format!("{origin}/embed?{}", film.query()))
    )
}

/// `GET /`: the page, with the film's preview tags when the link names one.
pub async fn page(State(state): State<AppState>, RawQuery(query): RawQuery, headers: HeaderMap) -> ApiResult<Response> {
    let html = state.www.read("index.html").await.ok_or_else(|| {
        ApiError::not_found("this server has no page (index.html is missing from its --www-dir)")
    })?;
    let html = String::from_utf8_lossy(&html).into_owned();
    let mut html = match query.as_deref().and_then(Film::from_query) {
        Some(film) => with_previews(&html, &film, &origin(&headers), &state),
        None => html,
    };
    // The owner's consent secret, for top-level loads only (routes/consent.rs).
    if let (Some(tag), Some(at)) = (super::consent::meta_tag(&state, &headers), html.find("</head>")) {
        html.insert_str(at, &format!("{tag}\n"));
    }
    let mut resp = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    super::consent::page_headers(resp.headers_mut());
    Ok(resp)
}

/// `html` with the OpenGraph, Twitter player and oEmbed discovery tags for `film` before
/// `</head>`.
fn with_previews(html: &str, film: &Film, origin: &str, state: &AppState) -> String {
    let title = html_escape(&film.title(state));
    let page = format!("{origin}/?{}", film.query());
    let embed = html_escape(&format!("{origin}/embed?{}", film.query()));
    let oembed = html_escape(&format!("{origin}/oembed?format=json&url={}", urlencoding::encode(&page)));
    let page = html_escape(&page);
    let (w, h) = (PLAYER_WIDTH, PLAYER_HEIGHT);
    let tags = format!(
        r#"  <link rel="alternate" type="application/json+oembed" href="{oembed}" title="{title}">
  <meta property="og:site_name" content="Riptide">
  <meta property="og:type" content="video.other">
  <meta property="og:title" content="{title}">
  <meta property="og:url" content="{page}">
  <meta property="og:video:url" content="{embed}">
  <meta property="og:video:type" content="text/html">
  <meta property="og:video:width" content="{w}">
  <meta property="og:video:height" content="{h}">
  <meta name="twitter:card" content="player">
  <meta name="twitter:title" content="{title}">
  <meta name="twitter:player" content="{embed}">
  <meta name="twitter:player:width" content="{w}">
  <meta name="twitter:player:height" content="{h}">
"#
    );
    match html.find("</head>") {
        Some(at) => format!("{}{tags}{}", &html[..at], &html[at..]),
        None => html.to_owned(),
    }
}

/// `GET /oembed`: oEmbed 1.0 for a Riptide link (`url`), JSON only (`format=xml` is 501, as the
/// spec says); 404 when the link names no film.
pub async fn oembed(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if q.get("format").is_some_and(|f| f != "json") {
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "only format=json is offered (oEmbed 1.0 allows a provider to answer 501 for xml)",
        ));
    }
    let url = q.get("url").ok_or_else(|| ApiError::bad_request("missing url=<a Riptide link, http://SERVER/?magnet=...>"))?;
    let film = url
        .split_once('?')
        .and_then(|(_, query)| Film::from_query(query))
        .ok_or_else(|| ApiError::not_found(format!("{url:?} is not a Riptide film link (it needs ?magnet=...)")))?;
    let cap = |k: &str, full: u32| q.get(k).and_then(|v| v.parse::<u32>().ok()).filter(|&v| v > 0).map_or(full, |v| v.min(full));
    // Keep 16:9 within both limits.
    let width = cap("maxwidth", PLAYER_WIDTH).min(cap("maxheight", PLAYER_HEIGHT) * 16 / 9);
    let height = width * 9 / 16;
    let origin = origin(&headers);
    Ok(Json(json!({
        "version": "1.0",
        "type": "video",
        "provider_name": "Riptide",
        "provider_url": format!("{origin}/"),
        "title": film.title(&state),
        "html": iframe(&origin, &film, width, height),
        "width": width,
        "height": height,
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_query_names_the_film() {
        let f = Film::from_query("magnet=magnet%3A%3Fxt%3Durn%3Abtih%3Aab%26dn%3DA%2BFilm&file=2&t=15").unwrap();
        assert_eq!(f.magnet, "magnet:?xt=urn:btih:ab&dn=A+Film");
        assert_eq!((f.file.as_deref(), f.start.as_deref()), (Some("2"), Some("15")));
        assert_eq!(f.query(), "magnet=magnet%3A%3Fxt%3Durn%3Abtih%3Aab%26dn%3DA%2BFilm&file=2&t=15");
        let odd = Film::from_query("magnet=magnet:?xt=urn:btih:ab&file=x&t=").unwrap();
        assert_eq!((odd.file, odd.start), (None, None), "non-numbers are dropped");
        assert!(Film::from_query("file=1").is_none());
        assert!(Film::from_query("magnet=http://x").is_none());
    }
}
