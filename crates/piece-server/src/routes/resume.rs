//! `POST /api/torrents/{id}/resume`: the owner restarts a torrent that stopped with an error
//! (e.g. the disk was full) or was paused. librqbit checks the data already on disk first, so
//! every piece verified before is kept, then downloads the rest from the peers it knew.
//! Same permission rule as adding (`consent::check_owner`).

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Path, State},
    http::HeaderMap,
    Extension, Json,
};

use super::torrents::{describe, find_torrent, stats, TorrentDescription};
use crate::{ApiError, ApiResult, AppState};

pub async fn resume_torrent(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<TorrentDescription>> {
    super::consent::check_owner(&state, client.map(|c| c.0 .0), &headers, "resume")?;
    let handle = find_torrent(&state, &id)?;
    if handle.live().is_none() {
        state.session.unpause(&handle).await.map_err(|e| {
            ApiError::internal(format!("could not resume the torrent: {e:#}"))
        })?;
        tracing::info!(id, "torrent resumed");
    }
    let mut d = describe(&handle)?;
    d.stats = Some(stats(&handle));
    Ok(Json(d))
}
