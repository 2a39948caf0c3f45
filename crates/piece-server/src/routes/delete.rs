//! `DELETE /api/torrents/{id}[?delete_files=1]`: the owner removes a torrent.
//!
//! Who may: the same rule as adding (`consent::check_owner`): a program on this machine, a
//! click on the server's own top-level page, or the add token. The torrent leaves the session
//! and its persisted state; its open file streams end at once (their bodies stop short, the
//! connection closes) instead of waiting for pieces that will never come. With
//! `delete_files=1` its folder under `<data dir>/downloads` goes too; the file of a `seed FILE`
//! torrent is the owner's own and is never deleted. With `--catalogue`, its entry there goes
//! too, so no server of the cluster takes it over again.

use std::{net::SocketAddr, str::FromStr};

use axum::{
    extract::{ConnectInfo, Path, RawQuery, State},
    http::{HeaderMap, StatusCode},
    Extension, Json,
};
use librqbit::{api::TorrentIdOrHash, dht::Id20};
use serde_json::{json, Value};

use super::torrents::find_torrent;
use crate::{ApiError, ApiResult, AppState};

pub async fn delete_torrent(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    super::consent::check_owner(&state, client.map(|c| c.0 .0), &headers, "delete")?;
    let delete_files = match query.as_deref().unwrap_or("").split('&').find_map(|kv| kv.strip_prefix("delete_files=")) {
        None | Some("0") | Some("false") => false,
        Some("1") | Some("true") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "delete_files={other:?} is not understood: use delete_files=1 to remove the torrent's data too"
            )))
        }
    };
    // Out of the catalogue first, so that no other server of the cluster takes it over
    // while it is being deleted here.
    let named = Id20::from_str(&id).ok();
    let forgotten = match (state.config.catalogue.as_deref(), named) {
        (Some(dir), Some(hash)) => crate::catalogue::remove(dir, hash).map_err(|e| {
            ApiError::internal(format!("could not remove the torrent from the catalogue: {e}"))
        })?,
        _ => false,
    };
    let handle = match find_torrent(&state, &id) {
        Ok(h) => h,
        Err(_) if forgotten => {
            let id = named.map(|h| h.as_string()).unwrap_or(id);
            return Ok(Json(json!({ "id": id, "deleted": true, "files_deleted": false })));
        }
        Err(e) => return Err(e),
    };
    let info_hash = handle.info_hash();
    let downloads = crate::storage::downloads_dir(&state.config)
        .map_err(|e| ApiError::internal(format!("cannot find the download directory: {e:#}")))?;
    let own_folder = crate::storage::owns_its_folder(&downloads, &handle);
    if delete_files && !own_folder {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "this torrent seeds a file of yours in place (piece-server seed FILE); the server \
             never deletes it. Delete the torrent without delete_files=1, then the file yourself",
        ));
    }
    drop(handle);
    // Ended streams held for their priority (linger.rs) go with the torrent.
    state.lingers.release_torrent(info_hash);
    state
        .session
        .delete(TorrentIdOrHash::Hash(info_hash), delete_files)
        .await
        .map_err(|e| ApiError::internal(format!("could not delete the torrent: {e:#}")))?;
    state.removals.remove(info_hash);
    state
        .samples
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|s| Id20::from_str(&s.info_hash).ok() != Some(info_hash));
    if delete_files {
        // librqbit removes the files it wrote and empty folders; anything left in the
        // torrent's own folder (e.g. a partial file it had not opened yet) goes too.
        let folder = crate::storage::torrent_folder(&downloads, info_hash);
        if let Err(e) = tokio::fs::remove_dir_all(&folder).await {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(?folder, "could not remove the torrent's folder: {e}");
            }
        }
    }
    tracing::info!(id = %info_hash.as_string(), delete_files, "torrent deleted");
    Ok(Json(json!({ "id": info_hash.as_string(), "deleted": true, "files_deleted": delete_files })))
}
