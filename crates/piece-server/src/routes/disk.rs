//! Serving a range straight from the file on disk when every piece it touches is verified.
//!
//! librqbit's `FileStream` is what makes a read turn into piece priority, and it is needed
//! while pieces are missing. For bytes that are all there it only adds cost: each 64 KiB read
//! takes the torrent's lock to look at the have-set and goes through librqbit's blocking pool,
//! and each request registers and unregisters a stream (measured: 0.77× nginx's throughput
//! at one client on a complete 228 MB film, `benches/RESULTS.md` section 6). Verified pieces
//! are on disk for good (librqbit writes a piece before it verifies it and never rewrites a
//! verified one), so such a range is read from the file with [`DISK_CHUNK`]-sized reads.
//!
//! Anything unexpected (the file missing or shorter than the torrent says, a padding file)
//! falls back to the librqbit stream, which is always correct.

use std::{io::SeekFrom, path::PathBuf};

use librqbit::ManagedTorrent;
use tokio::io::AsyncSeekExt;

use super::pieces::HaveBits;
use crate::AppState;

/// Size of each read from disk and of each body chunk on this path. Larger than the
/// stream path's 64 KiB (fewer blocking-pool round trips per MiB); small enough that 240
/// open responses hold at most 60 MiB of buffers.
pub const DISK_CHUNK: usize = 256 * 1024;

/// Where file `index` of the torrent is on disk, its length, and its first byte's offset in
/// the torrent.
fn locate(state: &AppState, handle: &ManagedTorrent, index: usize) -> Option<(PathBuf, u64, u64)> {
    let (relative, len, offset) = handle
        .with_metadata(|m| {
            m.file_infos
                .get(index)
                .filter(|fi| !fi.attrs.padding)
                .map(|fi| (fi.relative_filename.clone(), fi.len, fi.offset_in_torrent))
        })
        .ok()??;
    let details = state
        .api
        .api_torrent_details(librqbit::api::TorrentIdOrHash::Id(handle.id()))
        .ok()?;
    Some((
        PathBuf::from(details.output_folder).join(relative),
        len,
        offset,
    ))
}

/// True when every piece holding bytes `[start, start + len)` of the file (which begins at
/// `offset` in the torrent) is verified.
fn all_verified(
    state: &AppState,
    handle: &ManagedTorrent,
    offset: u64,
    start: u64,
    len: u64,
) -> bool {
    if handle.stats().finished {
        return true;
    }
    let Ok(have) = HaveBits::read(state, handle) else {
        return false;
    };
    let piece = u64::from(have.piece_length.max(1));
    let first = (offset + start) / piece;
    let last = (offset + start + len - 1) / piece;
    (first..=last).all(|p| {
        let p = p as usize;
        have.bits
            .get(p / 8)
            .is_some_and(|b| b & (0x80 >> (p % 8)) != 0)
    })
}

/// Opens file `index` at `start` if bytes `[start, start + len)` (len > 0) are all verified
/// and the file on disk is as long as the torrent says; `None` means "use the stream".
pub(crate) async fn open_verified(
    state: &AppState,
    handle: &ManagedTorrent,
    index: usize,
    start: u64,
    len: u64,
) -> Option<tokio::fs::File> {
    let (path, file_len, offset) = locate(state, handle, index)?;
    if len == 0 || start + len > file_len || !all_verified(state, handle, offset, start, len) {
        return None;
    }
    let mut file = tokio::fs::File::open(&path).await.ok()?;
    if file.metadata().await.ok()?.len() < file_len {
        return None;
    }
    file.seek(SeekFrom::Start(start)).await.ok()?;
    Some(file)
}
