//! `GET /embed?magnet=...&file=N&t=SECONDS`: the iframe form of the embeddable player, a page
//! that shows only the player (`www/embed.html`, which reads the query itself).

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

use crate::{ApiError, ApiResult, AppState};

/// The player-only page, with `frame-ancestors` set from `--allow-origin` when it is a list.
pub async fn embed_page(State(state): State<AppState>) -> ApiResult<Response> {
    let path = state.config.www_dir.join("embed.html");
    let html = tokio::fs::read(&path).await.map_err(|e| {
        ApiError::not_found(format!(
            "the embed page (embed.html in the --www directory) cannot be read ({e}); set --www to the player's www directory"
        ))
    })?;
    let mut resp = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response();
    if let Some(policy) = super::cors::frame_ancestors(&state.config) {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    Ok(resp)
}
