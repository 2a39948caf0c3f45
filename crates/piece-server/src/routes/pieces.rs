//! `GET /api/torrents/{id}/pieces`: which pieces are downloaded and verified.

use axum::{
    extract::{Path, State},
    Json,
};
use base64::Engine;
use serde::Serialize;

use super::torrents::find_or_adopt;
use crate::{ApiResult, AppState};
use librqbit::ManagedTorrent;

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

/// The have-set of a torrent as a BitTorrent-style bitfield: `ceil(total_pieces / 8)` bytes,
/// MSB first (bit 7 of byte 0 is piece 0), spare bits 0.
pub(crate) struct HaveBits {
    pub piece_length: u32,
    pub total_pieces: u32,
    pub total_length: u64,
    pub bits: Vec<u8>,
}

impl HaveBits {
    /// Reads the verified pieces now. While librqbit is still checking existing data the
    /// have-set is not available; every piece then reads as missing.
    pub(crate) fn read(state: &AppState, handle: &ManagedTorrent) -> ApiResult<Self> {
        let (piece_length, total_pieces, total_length) = handle
            .with_metadata(|m| {
                (
                    m.lengths().default_piece_length(),
                    m.lengths().total_pieces(),
                    m.lengths().total_length(),
                )
            })
            .map_err(|e| {
                crate::ApiError::internal(format!("torrent metadata is not available: {e:#}"))
            })?;
        let nbytes = (total_pieces as usize).div_ceil(8);
        let mut bits = vec![0u8; nbytes];
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
        Ok(Self {
            piece_length,
            total_pieces,
            total_length,
            bits,
        })
    }

    pub(crate) fn has(&self, piece: u32) -> bool {
        self.bits[(piece / 8) as usize] & (0x80 >> (piece % 8)) != 0
    }

    pub(crate) fn count(&self) -> u32 {
        self.bits.iter().map(|b| b.count_ones()).sum()
    }

    /// Verified bytes: every present piece counts its full length, the last one its real length.
    pub(crate) fn have_bytes(&self) -> u64 {
        let full = self.count() as u64 * self.piece_length as u64;
        if self.total_pieces > 0 && self.has(self.total_pieces - 1) {
            let last_len =
                self.total_length - (self.total_pieces as u64 - 1) * self.piece_length as u64;
            full - self.piece_length as u64 + last_len
        } else {
            full
        }
    }

    pub(crate) fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.bits)
    }
}

pub async fn get_pieces(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PiecesResponse>> {
    let handle = find_or_adopt(&state, &id).await?;
    let have = HaveBits::read(&state, &handle)?;
    Ok(Json(PiecesResponse {
        piece_length: have.piece_length,
        total_pieces: have.total_pieces,
        have: have.base64(),
        have_count: have.count(),
    }))
}
