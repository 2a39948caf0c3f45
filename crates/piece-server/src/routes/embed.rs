//! `GET /embed?magnet=...&file=N&t=SECONDS`: the iframe form of the embeddable player, a page
//! that shows only the player (`www/embed.html`, which reads the query itself).

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

use crate::{ApiError, ApiResult, AppState};

/// The player-only page (its `Content-Security-Policy`, with `frame-ancestors` from
/// `--allow-origin`, comes from `headers::security_headers` like every page's).
pub async fn embed_page(State(state): State<AppState>) -> ApiResult<Response> {
    let html = state.www.read("embed.html").await.ok_or_else(|| {
        ApiError::not_found("this server has no embed page (embed.html is missing from its --www-dir)")
    })?;
    let resp = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response();
    Ok(resp)
}
