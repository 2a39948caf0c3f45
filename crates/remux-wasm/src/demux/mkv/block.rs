//! One Block / SimpleBlock / BlockGroup → packets: frames split ([`super::lacing`]), inflated
//! or with the stripped header put back, Annex B H.264 rewritten as AVCC, and timestamps
//! spread over laced frames.

use std::collections::VecDeque;

use super::ebml::{self, Header, MAX_BLOCK};
use super::lacing::parse_block;
use super::{id, invalid, MkvDemuxer};
use crate::codec::h264;
use crate::error::{Error, Result};
use crate::packet::Packet;
use crate::time::{Duration, TimeBase, Timestamp};

/// What [`MkvDemuxer::block_packets`] appended.
#[derive(Clone, Copy, Debug)]
pub(super) struct BlockInfo {
    pub(super) track_id: u32,
    pub(super) pts0: i64,
    pub(super) count: u64,
    /// The frames after the first still need a spacing (see [`LaceGroup`]).
    pub(super) unresolved: bool,
}

impl MkvDemuxer {
    /// Splits a BlockGroup (`data`, the body of `h`) into packets, appended to `out`. The
    /// block is a key frame iff it has no ReferenceBlock.
    pub(super) fn group_packets(
        &self,
        data: &[u8],
        h: &Header,
        cluster_ts: i64,
        out: &mut VecDeque<Packet>,
    ) -> Result<Option<BlockInfo>> {
        let (mut block, mut dur, mut reference) = (None, None, false);
        for child in ebml::children(data, h.data_start()) {
            let (cid, d, _) = child?;
            match cid {
                id::BLOCK => block = Some(d),
                id::BLOCK_DURATION => dur = Some(ebml::uint(d)?),
                id::REFERENCE_BLOCK => reference = true,
                _ => {}
            }
        }
        match block {
            Some(b) => self.block_packets(b, h.pos, cluster_ts, Some(!reference), dur, out),
            None => Ok(None),
        }
    }

    /// Splits one Block / SimpleBlock (`data`) into packets, appended to `out`.
    ///
    /// Laced frames get evenly spaced timestamps: DefaultDuration apart, else the
    /// BlockDuration split between them, else (neither stated) the gap to the track's next
    /// block split between them, which the caller fills in later ([`BlockInfo::unresolved`]).
    pub(super) fn block_packets(
        &self,
        data: &[u8],
        pos: u64,
        cluster_ts: i64,
        keyframe: Option<bool>,
        block_duration: Option<u64>,
        out: &mut VecDeque<Packet>,
    ) -> Result<Option<BlockInfo>> {
        let block = parse_block(data, pos)?;
        let Some(ts) = self.track_state(block.track) else {
            return Ok(None); // A block for a track the header did not declare: skip.
        };
        let track = &self.tracks[ts.index];
        let keyframe = keyframe.unwrap_or(block.flags & 0x80 != 0);
        let delay = match ts.codec_delay_ns {
            0 => 0,
            ns => TimeBase::NANOS.rescale(ns.min(i64::MAX as u64) as i64, track.time_base),
        };
        let pts0 = cluster_ts
            .saturating_add(block.timecode as i64)
            .saturating_sub(delay);
        let n = block.frames.len() as u64;
        // The offset of frame i from the block's timestamp, and each frame's duration.
        let (offset, dur): (Box<dyn Fn(u64) -> i64>, Option<Duration>) = if n == 1 {
            (
                Box::new(|_| 0),
                block_duration.map(Duration).or(track.default_duration),
            )
        } else if let Some(d) = track.default_duration {
            (
                Box::new(move |i| (d.0 as i64).saturating_mul(i as i64)),
                Some(d),
            )
        } else if let Some(bd) = block_duration {
            // As ffmpeg does: frame i starts at bd * i / n.
            let bd = bd.min(i64::MAX as u64 / n) as i64;
            (
                Box::new(move |i| bd * i as i64 / n as i64),
                Some(Duration(bd as u64 / n)),
            )
        } else {
            (Box::new(|_| 0), None)
        };
        // Every frame of the block together, inflated and with the stripped header put back,
        // makes at most MAX_BLOCK bytes: as much as a block may hold on disk. Per frame, 256
        // laced zlib frames of 64 KiB (a 16 MiB block) made 16 GiB, and a 16 MiB stripped
        // header copied into 256 one-byte frames made 4 GiB.
        let mut room = MAX_BLOCK as usize;
        let prefix = ts.strip_prefix.len();
        for (i, &(s, e)) in block.frames.iter().enumerate() {
            let inflated;
            let frame = if ts.zlib {
                inflated = inflate(&data[s..e], room.saturating_sub(prefix))
                    .map_err(|e| e.within_block(pos))?;
                &inflated[..]
            } else {
                &data[s..e]
            };
            room = room
                .checked_sub(prefix + frame.len())
                .ok_or_else(|| Inflate::TooBig.within_block(pos))?;
            let mut bytes = Vec::with_capacity(ts.strip_prefix.len() + frame.len());
            bytes.extend_from_slice(&ts.strip_prefix);
            bytes.extend_from_slice(frame);
            if ts.annexb && h264::starts_with_start_code(&bytes) {
                let mut avcc = Vec::with_capacity(bytes.len() + 16);
                h264::annexb_to_avcc(&bytes, &mut avcc);
                bytes = avcc;
            }
            out.push_back(Packet {
                track_id: track.id,
                pts: Timestamp(pts0.saturating_add(offset(i as u64))),
                dts: None,
                dur,
                keyframe,
                pos,
                data: bytes,
            });
        }
        Ok(Some(BlockInfo {
            track_id: track.id,
            pts0,
            count: n,
            unresolved: n > 1 && dur.is_none(),
        }))
    }
}

/// Why [`inflate`] gave no frame.
#[derive(Debug)]
pub(super) enum Inflate {
    /// More output than the limit.
    TooBig,
    Damaged(String),
}

impl Inflate {
    /// The error of the block at `pos` holding the frame.
    pub(super) fn within_block(self, pos: u64) -> Error {
        match self {
            Inflate::TooBig => invalid(format!(
                "the block at {pos} expands to more than {} MiB",
                MAX_BLOCK >> 20
            )),
            Inflate::Damaged(e) => invalid(format!(
                "a zlib-compressed frame of the block at {pos} does not inflate: {e}"
            )),
        }
    }
}

/// Undoes zlib ContentCompression, refusing output beyond `limit` bytes.
pub(super) fn inflate(data: &[u8], limit: usize) -> std::result::Result<Vec<u8>, Inflate> {
    use miniz_oxide::inflate::TINFLStatus;
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, limit).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => Inflate::TooBig,
        s => Inflate::Damaged(format!("{s:?}")),
    })
}
