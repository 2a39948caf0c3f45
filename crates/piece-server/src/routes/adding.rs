//! `GET /api/adding`: the magnets being added right now and what the search for their peers
//! has found (`lookup.rs`), for the page's line while the metadata is awaited.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode},
    Extension, Json,
};

use crate::{lookup::Adding, ApiError, AppState};

/// Owner-only, like the list of torrents: it says what someone is about to download.
pub async fn list_adding(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Result<Json<Vec<Adding>>, ApiError> {
    super::consent::check_owner(&state, client.map(|c| c.0 .0), &headers, "list").map_err(
        |_| {
            ApiError::new(
            StatusCode::FORBIDDEN,
            "the torrents being added are shown only to this server's owner: on the server's own \
             page, to programs on its machine, or with its add token",
        )
        },
    )?;
    Ok(Json(state.lookups.list()))
}
