//! `GET /api/torrents/{id}/pieces`: which pieces are downloaded and verified.

use axum::{
    extract::{Path, State},
    Json,
};
use base64::Engine;
use serde::Serialize;

use super::torrents::find_torrent;
use crate::{ApiResult, AppState};

#[derive(Debug, Serialize)]
pub struct PiecesResponse {
    pub piece_length: u32,
    pub total_pieces: u32,
    /// Standard base64 (with padding) of a bitfield of `ceil(total_pieces / 8)` bytes, MSB
    /// first: bit 7 (0x80) of byte 0 is piece 0, exactly like BitTorrent's `bitfield`
    /// message. Spare bits in the last byte are 0.
    pub have: String,
    pub have_count: u32,
}

pub async fn get_pieces(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PiecesResponse>> {
    let handle = find_torrent(&state, &id)?;
    let (piece_length, total_pieces) = handle
        .with_metadata(|m| {
            (
                m.lengths().default_piece_length(),
                m.lengths().total_pieces(),
            )
        })
        .map_err(|e| {
            crate::ApiError::internal(format!("torrent metadata is not available: {e:#}"))
        })?;
    let nbytes = (total_pieces as usize).div_ceil(8);
    let mut bits = vec![0u8; nbytes];
    // While librqbit is still checking existing data the have-set is not available; every
    // piece then reads as missing.
    if let Ok((bf, _)) = state
        .api
        .api_dump_haves(librqbit::api::TorrentIdOrHash::Hash(handle.info_hash()))
    {
        let raw = bf.as_raw_slice();
        let n = raw.len().min(nbytes);
        bits[..n].copy_from_slice(&raw[..n]);
    }
    let spare = nbytes * 8 - total_pieces as usize;
    if spare > 0 {
        if let Some(last) = bits.last_mut() {
            *last &= 0xffu8 << spare;
        }
    }
    let have_count = bits.iter().map(|b| b.count_ones()).sum();
    Ok(Json(PiecesResponse {
        piece_length,
        total_pieces,
        have: base64::engine::general_purpose::STANDARD.encode(&bits),
        have_count,
    }))
}
