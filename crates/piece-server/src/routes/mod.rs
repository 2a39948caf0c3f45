//! The HTTP router: JSON API under `/api`, static files everywhere else.

pub(crate) mod consent;
pub(crate) mod cors;
mod adding;
mod delete;
mod embed;
mod events;
pub(crate) mod feed;
pub(crate) mod headers;
mod peer_hints;
mod pieces;
mod preview;
mod resume;
mod status;
mod stream;
pub(crate) mod swarm;
mod torrents;

use axum::{
    extract::DefaultBodyLimit,
    http::{header, HeaderValue},
    routing::get,
    Router,
};
use tower_http::{services::ServeDir, set_header::SetResponseHeader};

use crate::{
    www::{self, Www, STATIC_CACHE_CONTROL},
    AppState,
};

/// Largest accepted `POST /api/torrents` body (a .torrent of a huge torrent can be megabytes).
const MAX_TORRENT_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Builds the whole application: API routes, the player's static files (built into the
/// binary, or from `--www-dir`: directories serve their `index.html`; `.wasm` is served as
/// `application/wasm`; cached as [`STATIC_CACHE_CONTROL`] says), the `/embed` player page, and
/// CORS from `--allow-origin` (see `cors.rs`).
pub fn router(state: AppState) -> Router {
    state.www.log_source();
    let www = state.www.clone();
    let cors = cors::layer(&state.config);
    let config = state.config.clone();
    let api = Router::new()
        .route(
            "/api/torrents",
            axum::routing::post(torrents::add_torrent)
                .get(torrents::list_torrents)
                .layer(DefaultBodyLimit::max(MAX_TORRENT_FILE_BYTES)),
        )
        .route("/api/adding", get(adding::list_adding))
        .route("/api/samples", get(torrents::list_samples))
        .route("/api/status", get(status::get_status))
        .route(
            "/api/torrents/{id}",
            get(torrents::get_torrent).delete(delete::delete_torrent),
        )
        .route(
            "/api/torrents/{id}/resume",
            axum::routing::post(resume::resume_torrent),
        )
        .route("/api/torrents/{id}/pieces", get(pieces::get_pieces))
        .route("/api/torrents/{id}/events", get(events::torrent_events))
        .route("/api/torrents/{id}/swarm", get(swarm::swarm_socket))
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
    let api = match &*www {
        Www::Embedded => api.fallback(www::serve_embedded),
        Www::Dir(dir) => api.fallback_service(SetResponseHeader::if_not_present(
            ServeDir::new(dir).append_index_html_on_directories(true),
            header::CACHE_CONTROL,
            HeaderValue::from_static(STATIC_CACHE_CONTROL),
        )),
    };
    api.layer(cors)
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
