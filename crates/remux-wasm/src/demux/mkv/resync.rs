//! Finding the way back after damage: the next Cluster after garbage, and which elements
//! end an unknown-size Cluster.

use super::{id, invalid};
use crate::error::Result;
use crate::io::ByteSource;

/// How far [`MkvDemuxer`] scans for the next Cluster after garbage before giving up.
const RESYNC_LIMIT: u64 = 4 << 20;
const RESYNC_CHUNK: usize = 64 << 10;

/// Top-level (Segment child) elements: seeing one ends an unknown-size Cluster.
pub(super) fn is_top_level(id: u32) -> bool {
    matches!(
        id,
        id::CLUSTER
            | id::CUES
            | id::TAGS
            | id::SEEK_HEAD
            | id::INFO
            | id::TRACKS
            | id::CHAPTERS
            | id::ATTACHMENTS
            | id::SEGMENT
            | id::EBML
    )
}

/// Scans forward from `from` for the Cluster ID. `Ok(Some(offset))` where one starts,
/// `Ok(None)` if the file ends first, `Invalid` after [`RESYNC_LIMIT`] bytes.
pub(super) fn resync(src: &mut dyn ByteSource, from: u64) -> Result<Option<u64>> {
    const CLUSTER_ID: [u8; 4] = [0x1F, 0x43, 0xB6, 0x75];
    let mut at = from;
    while at - from < RESYNC_LIMIT {
        let chunk = src.read_at(at, RESYNC_CHUNK)?;
        if let Some(i) = chunk.windows(4).position(|w| w == CLUSTER_ID) {
            return Ok(Some(at + i as u64));
        }
        if chunk.len() < RESYNC_CHUNK {
            return Ok(None); // End of file.
        }
        at += (RESYNC_CHUNK - 3) as u64; // Overlap so an ID across chunks is found.
    }
    Err(invalid(format!(
        "damaged data at {from}: no Cluster within {} MiB after it",
        RESYNC_LIMIT >> 20
    )))
}
