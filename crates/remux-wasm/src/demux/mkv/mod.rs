//! Matroska / WebM demuxer over a [`ByteSource`] whose bytes may still be arriving.
//!
//! [`MkvDemuxer::open`] reads the EBML header, the Segment and its top-level elements up to
//! the first Cluster (Info, Tracks, SeekHead; the rest is skipped, Cues are not fetched).
//! [`Demuxer::next_packet`] then walks the Clusters in file order, one block at a time,
//! splitting laced blocks into one packet per frame.
//!
//! Every read may return `NeedData`; the demuxer's state only changes once a whole element
//! has been read, so the same call succeeds after the bytes arrive. A file that ends early
//! (a short read at the known size) ends the stream: what was there plays.
//!
//! Files: `headers.rs` (open: everything before the first Cluster), `track_entry.rs` (one
//! TrackEntry → Track), `codecs.rs` (CodecID → [`crate::codec::Codec`]), `block.rs` (a block
//! → packets), `lacing.rs` (a block's frames), `pending.rs` (laced frames waiting for their
//! timestamps), `resync.rs` (after damage), `seek.rs` (Cues), `ebml.rs` and `id.rs` (the
//! element syntax and names).

use crate::demux::SeekTarget;
use std::collections::VecDeque;

mod block;
pub(crate) mod codecs;
pub mod ebml;
mod headers;
pub mod id;
mod lacing;
mod pending;
mod resync;
mod seek;
mod track_entry;
mod video;
pub use seek::{parse_cues, CueIndex, CuePoint};

use self::ebml::MAX_BLOCK;
use self::pending::LaceGroup;
use self::resync::{is_top_level, resync};
use super::{Demuxer, SeekPoint};
use crate::error::{Error, Result};
use crate::io::ByteSource;
use crate::packet::{Packet, Track};
use crate::time::{Duration, TimeBase};

const MKV: &str = "MKV";

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid(MKV, what)
}

/// One SeekHead entry: an element ID and its absolute file offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeekEntry {
    pub id: u32,
    pub pos: u64,
}

/// Per-track facts the demuxer needs beyond [`Track`].
#[derive(Clone, Debug)]
struct TrackState {
    number: u64,
    /// Index into `tracks`.
    index: usize,
    /// Header-stripping compression (ContentCompAlgo 3): bytes to put back before each frame.
    strip_prefix: Vec<u8>,
    /// zlib ContentCompression (ContentCompAlgo 0): frames are inflated.
    zlib: bool,
    /// H.264 stored as Annex B (start codes) instead of AVCC: frames are converted.
    annexb: bool,
    /// CodecDelay in nanoseconds (Opus pre-skip): subtracted from every block timestamp, as
    /// the Matroska spec says, so packet times are presentation times.
    codec_delay_ns: u64,
}

#[derive(Clone, Copy, Debug)]
struct Cluster {
    /// Cluster Timestamp, in TimestampScale ticks.
    ts: i64,
    /// End offset, `None` for an unknown-size Cluster.
    end: Option<u64>,
}

/// A Matroska / WebM demuxer. See the [module docs](self).
#[derive(Debug)]
pub struct MkvDemuxer {
    doc_type: String,
    timestamp_scale: u64,
    time_base: TimeBase,
    duration: Option<f64>,
    tracks: Vec<Track>,
    track_states: Vec<TrackState>,
    segment_data_start: u64,
    segment_end: Option<u64>,
    first_cluster: u64,
    seek_entries: Vec<SeekEntry>,
    /// The Cues, once a seek has loaded them (see [`seek`]).
    cues: CueIndex,
    // Reading state.
    pos: u64,
    cluster: Option<Cluster>,
    pending: VecDeque<Packet>,
    /// Laced blocks whose frames wait in `pending` for a timestamp: no DefaultDuration and no
    /// BlockDuration, so the frames' spacing is taken from the track's next block.
    unresolved: VecDeque<LaceGroup>,
    /// Packets ever popped from `pending` (so `serial - popped` indexes it).
    popped: u64,
    /// Per track id, the last frame spacing learnt from a resolved lace (used at the end).
    lace_step: Vec<(u32, i64)>,
    done: bool,
}

impl MkvDemuxer {
    /// `matroska` or `webm`.
    pub fn doc_type(&self) -> &str {
        &self.doc_type
    }
    /// Nanoseconds per timestamp tick.
    pub fn timestamp_scale(&self) -> u64 {
        self.timestamp_scale
    }
    /// The time base of every track (from the TimestampScale).
    pub fn time_base(&self) -> TimeBase {
        self.time_base
    }
    /// Offset of the first byte of the Segment's data (SeekHead positions are relative to it).
    pub fn segment_data_start(&self) -> u64 {
        self.segment_data_start
    }
    /// Offset just past the Segment, if its size is known.
    pub fn segment_end(&self) -> Option<u64> {
        self.segment_end
    }
    /// Offset of the first Cluster (or of the end of the file if there is none).
    pub fn first_cluster_pos(&self) -> u64 {
        self.first_cluster
    }
    /// The SeekHead entries, with absolute offsets.
    pub fn seek_entries(&self) -> &[SeekEntry] {
        &self.seek_entries
    }
    /// Absolute offset of the Cues, if the SeekHead names them (for seeking, later).
    pub fn cues_position(&self) -> Option<u64> {
        self.seek_entries
            .iter()
            .find(|e| e.id == id::CUES)
            .map(|e| e.pos)
    }
    /// Offset of the next element the demuxer will read.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// The stream has ended: returns the packets still waiting in `pending` (laced frames
    /// get the spacing learnt so far), then `None`.
    fn end_of_stream(&mut self) -> Result<Option<Packet>> {
        self.done = true;
        self.cluster = None;
        self.resolve_laces(None, None);
        Ok(self.pop_ready())
    }

    /// Continues after garbage at `from`: at the next Cluster, or ends the stream at the end
    /// of the file. State changes only once the scan has an answer.
    fn resync_from(&mut self, src: &mut dyn ByteSource, from: u64) -> Result<()> {
        match resync(src, from)? {
            Some(p) => {
                self.pos = p;
                self.cluster = None;
            }
            None => {
                self.done = true;
                self.cluster = None;
            }
        }
        Ok(())
    }

    fn track_state(&self, number: u64) -> Option<&TrackState> {
        self.track_states.iter().find(|t| t.number == number)
    }
}

impl Demuxer for MkvDemuxer {
    fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    fn seek(&mut self, src: &mut dyn ByteSource, to: SeekTarget) -> Result<SeekPoint> {
        self.seek_to(src, to)
    }

    fn load_index(&mut self, src: &mut dyn ByteSource) -> Result<()> {
        self.load_cues(src)
    }

    fn duration(&self) -> Option<(Duration, TimeBase)> {
        self.duration
            .map(|d| (Duration(d.round() as u64), self.time_base))
    }

    fn next_packet(&mut self, src: &mut dyn ByteSource) -> Result<Option<Packet>> {
        loop {
            if let Some(p) = self.pop_ready() {
                return Ok(Some(p));
            }
            if self.done || self.segment_end.is_some_and(|end| self.pos >= end) {
                return self.end_of_stream();
            }
            if let Some(c) = self.cluster {
                if c.end.is_some_and(|end| self.pos >= end) {
                    self.cluster = None;
                    continue;
                }
            }
            let h = match ebml::read_header(src, self.pos) {
                Ok(Some(h)) => h,
                Ok(None) => return self.end_of_stream(),
                Err(e) if e.is_need_data() => return Err(e),
                Err(_) => {
                    let from = self.pos + 1;
                    self.resync_from(src, from)?;
                    continue;
                }
            };
            match self.cluster {
                Some(c) if !is_top_level(h.id) => {
                    if matches!((h.end(), c.end), (Some(e), Some(ce)) if e > ce) {
                        // A child running past its Cluster is damage, not data.
                        let from = self.pos + 1;
                        self.resync_from(src, from)?;
                        continue;
                    }
                    match h.id {
                        id::TIMESTAMP => match ebml::read_uint(src, &h) {
                            Ok(Some(t)) => {
                                self.cluster = Some(Cluster {
                                    ts: t.min(i64::MAX as u64) as i64,
                                    ..c
                                });
                            }
                            Ok(None) => return self.end_of_stream(),
                            Err(e) if e.is_need_data() => return Err(e),
                            Err(_) => {} // An oversized Timestamp: ignore it.
                        },
                        id::SIMPLE_BLOCK | id::BLOCK_GROUP => {
                            let size = match ebml::checked_size(&h, MAX_BLOCK) {
                                Ok(s) => s,
                                Err(_) => {
                                    let from = self.pos + 1;
                                    self.resync_from(src, from)?;
                                    continue;
                                }
                            };
                            let data = src.read_at(h.data_start(), size)?;
                            if data.len() < size {
                                return self.end_of_stream(); // Truncated file.
                            }
                            // Appended to `pending` (which holds only laced frames
                            // waiting for their timestamps, if anything).
                            let mut out = std::mem::take(&mut self.pending);
                            let before = out.len();
                            let parsed = if h.id == id::SIMPLE_BLOCK {
                                self.block_packets(data, h.pos, c.ts, None, None, &mut out)
                            } else {
                                self.group_packets(data, &h, c.ts, &mut out)
                            };
                            match parsed {
                                Ok(info) => {
                                    self.pending = out;
                                    if let Some(info) = info {
                                        self.note_block(info, before);
                                    }
                                }
                                Err(_) => {
                                    // A malformed block inside an intact Cluster: drop it and
                                    // play on.
                                    out.truncate(before);
                                    self.pending = out;
                                }
                            }
                        }
                        _ => {}
                    }
                    match h.end() {
                        Some(end) => self.pos = end,
                        None => {
                            // Only Clusters may have an unknown size.
                            let from = self.pos + 1;
                            self.resync_from(src, from)?;
                        }
                    }
                }
                _ => {
                    // Top level (or a top-level ID ending the current Cluster).
                    self.cluster = None;
                    match h.id {
                        id::CLUSTER => {
                            self.cluster = Some(Cluster {
                                ts: 0,
                                end: h.end(),
                            });
                            self.pos = h.data_start();
                        }
                        id::EBML | id::SEGMENT => return self.end_of_stream(), // A chained file.
                        // The other top-level elements, and padding.
                        i if is_top_level(i) || matches!(i, id::VOID | id::CRC32) => match h.end() {
                            Some(end) => self.pos = end,
                            None => {
                                let from = self.pos + 1;
                                self.resync_from(src, from)?;
                            }
                        },
                        _ => {
                            let from = self.pos + 1;
                            self.resync_from(src, from)?;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
