//! Fragmented MP4 output: the init segment and `moof`+`mdat` media segments.
// TODO(fmp4 helper): boxes.rs (one fn per box), fragmenter.rs (where to cut), Remuxer.

use crate::error::{Error, Result};
use crate::packet::{Packet, Track};
use crate::time::{TimeBase, Timestamp};

/// One `moof` + `mdat` fragment.
#[derive(Clone, Debug, PartialEq)]
pub struct MediaSegment {
    pub data: Vec<u8>,
    /// Earliest presentation time of the fragment, in `time_base`.
    pub start: Timestamp,
    /// Latest presentation end time of the fragment, in `time_base`.
    pub end: Timestamp,
    pub time_base: TimeBase,
    /// Byte offset in the source file of the first packet of the fragment.
    pub source_pos: u64,
}

/// Turns the packets of the playable tracks into fragmented MP4.
pub struct Remuxer {}

impl Remuxer {
    /// Chooses the tracks to carry (the first playable video and audio track) from `tracks`.
    /// Errors with `Unsupported` naming the codecs if none is playable.
    pub fn new(_tracks: &[Track]) -> Result<Self> {
        Err(Error::unsupported("no remuxer yet"))
    }
    /// The MSE type, e.g. `video/mp4; codecs="avc1.64001f,mp4a.40.2"`.
    pub fn mime(&self) -> String {
        String::new()
    }
    /// `ftyp` + `moov` (with `mvex`).
    pub fn init_segment(&self) -> Vec<u8> {
        Vec::new()
    }
    /// Queues a packet; returns a finished fragment when one is cut (at a video key frame).
    /// Packets of tracks not carried are dropped.
    pub fn push(&mut self, _packet: Packet) -> Result<Option<MediaSegment>> {
        Ok(None)
    }
    /// Emits what is still queued, at the end of the stream.
    pub fn finish(&mut self) -> Result<Option<MediaSegment>> {
        Ok(None)
    }
}
