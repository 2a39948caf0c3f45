//! The HTTP router: JSON API under `/api`, static files everywhere else.

pub(crate) mod cors;
mod embed;
mod events;
pub(crate) mod feed;
pub(crate) mod headers;
mod peer_hints;
mod pieces;
mod preview;
mod status;
mod stream;
mod torrents;

use axum::{
    extract::DefaultBodyLimit,
    http::{header, HeaderValue},
    routing::get,
    Router,
};
use tower_http::{services::ServeDir, set_header::SetResponseHeader};

use crate::AppState;

/// Largest accepted `POST /api/torrents` body (a .torrent of a huge torrent can be megabytes).
const MAX_TORRENT_FILE_BYTES: usize = 16 * 1024 * 1024;

/// How browsers may cache the static files (`embed.js`, `pkg/*.wasm`, the page): `no-cache`,
/// i.e. keep them but ask again each time (a 304 from `Last-Modified` costs one round trip,
/// no body). After the server is upgraded, no embedding page runs an old `embed.js` against a
/// new wasm engine (their wasm-bindgen glue must match exactly).
const STATIC_CACHE_CONTROL: &str = "no-cache";

/// Builds the whole application: API routes, static files from `config.www_dir`
/// (directories serve their `index.html`; `.wasm` is served as `application/wasm`; cached as
/// [`STATIC_CACHE_CONTROL`] says), the
/// `/embed` player page, and CORS from `--allow-origin` (see `cors.rs`).
pub fn router(state: AppState) -> Router {
    let www = state.config.www_dir.clone();
    if !www.join("index.html").is_file() {
        tracing::warn!(
            "static directory {www:?} has no index.html; GET / will be 404 (set --www to the player's www directory)"
        );
    }
    let cors = cors::layer(&state.config);
    let config = state.config.clone();
    let api = Router::new()
        .route(
            "/api/torrents",
            axum::routing::post(torrents::add_torrent)
                .layer(DefaultBodyLimit::max(MAX_TORRENT_FILE_BYTES)),
        )
        .route("/api/samples", get(torrents::list_samples))
        .route("/api/status", get(status::get_status))
        .route("/api/torrents/{id}", get(torrents::get_torrent))
        .route("/api/torrents/{id}/pieces", get(pieces::get_pieces))
        .route("/api/torrents/{id}/events", get(events::torrent_events))
        .route(
            "/api/torrents/{id}/torrent",
            get(torrents::get_torrent_file),
        )
        // `get` also answers HEAD (axum drops the body); the handler skips opening a stream.
        .route("/api/torrents/{id}/files/{index}", get(stream::stream_file))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .route("/embed", get(embed::embed_page))
        // The page itself, with a film's link-preview tags when its link names one.
        .route("/", get(preview::page))
        .route("/oembed", get(preview::oembed))
        .with_state(state);
    let files = SetResponseHeader::if_not_present(
        ServeDir::new(www).append_index_html_on_directories(true),
        header::CACHE_CONTROL,
        HeaderValue::from_static(STATIC_CACHE_CONTROL),
    );
    api.fallback_service(files)
        .layer(cors)
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(config.net.public_hosts.clone()),
            crate::host::check,
        ))
        .layer(axum::middleware::from_fn(headers::json_errors))
        .layer(axum::middleware::from_fn_with_state(
            config,
            headers::security_headers,
        ))
}

async fn api_not_found(uri: axum::http::Uri) -> crate::ApiError {
    crate::ApiError::not_found(format!(
        "no API endpoint at {}; see docs/API.md",
        uri.path()
    ))
}
