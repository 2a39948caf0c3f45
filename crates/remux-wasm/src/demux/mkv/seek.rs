//! Seeking in Matroska: time → Cluster through the Cues, or, without Cues, an estimate from
//! the bitrate resynchronised at the next Cluster; then a walk through the blocks to the key
//! frame at or before the target.
//!
//! The Cues usually sit at the end of the file (ffmpeg and mkvmerge write them last, named
//! in the SeekHead). The first seek asks for them with `NeedData` (they are small: a few
//! bytes per key frame) and keeps them parsed; later seeks need no bytes for the index.

use crate::demux::SeekTarget;
use super::{id, invalid, resync, Cluster, MkvDemuxer};
use crate::demux::ebml;
use crate::demux::{Demuxer, SeekPoint};
use crate::error::{Error, Result};
use crate::io::ByteSource;
use crate::packet::TrackKind;
use crate::time::Timestamp;

/// Largest Cues element loaded (a two-hour film with a cue per second needs well under 1 MiB).
const MAX_CUES: u64 = 32 << 20;
/// The walk from a Cluster to the key frame gives up (keeping the best key frame so far)
/// after this many bytes: a Cluster is at most a few MiB.
const WALK_LIMIT: u64 = 32 << 20;
/// Rounds of "landed after the target: step back" for a seek without Cues.
const ESTIMATE_ROUNDS: usize = 8;
/// The smallest step back when an estimate lands after the target.
const MIN_STEP_BACK: u64 = 256 << 10;

/// One cue: a key frame of `track` at `time` (TimestampScale ticks) in the Cluster at
/// `cluster` (absolute offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CuePoint {
    pub time: i64,
    pub track: u64,
    pub cluster: u64,
}

/// The index as far as it is known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CueIndex {
    /// Not looked at yet.
    #[default]
    Unknown,
    /// The file has no usable Cues: seeks are estimated.
    Absent,
    /// Sorted by time.
    Loaded(Vec<CuePoint>),
}

/// Parses the body of a Cues element. Cue points without a time or position are skipped.
pub fn parse_cues(body: &[u8], segment_data_start: u64) -> Result<Vec<CuePoint>> {
    let mut out = Vec::new();
    for child in ebml::children(body, 0) {
        let (cid, data, _) = child?;
        if cid != CUE_POINT {
            continue;
        }
        let mut time = None;
        let mut positions = Vec::new();
        for c in ebml::children(data, 0) {
            let (c, d, _) = c?;
            match c {
                CUE_TIME => time = Some(ebml::uint(d)?.min(i64::MAX as u64) as i64),
                CUE_TRACK_POSITIONS => {
                    let (mut track, mut cluster) = (0, None);
                    for p in ebml::children(d, 0) {
                        let (p, v, _) = p?;
                        match p {
                            CUE_TRACK => track = ebml::uint(v)?,
                            CUE_CLUSTER_POSITION => cluster = Some(ebml::uint(v)?),
                            _ => {}
                        }
                    }
                    if let Some(pos) = cluster.and_then(|c| segment_data_start.checked_add(c)) {
                        positions.push((track, pos));
                    }
                }
                _ => {}
            }
        }
        if let Some(time) = time {
            out.extend(positions.into_iter().map(|(track, cluster)| CuePoint {
                time,
                track,
                cluster,
            }));
        }
    }
    out.sort_by_key(|c| (c.time, c.cluster));
    Ok(out)
}

const CUE_POINT: u32 = 0xBB;
const CUE_TIME: u32 = 0xB3;
const CUE_TRACK_POSITIONS: u32 = 0xB7;
const CUE_TRACK: u32 = 0xF7;
const CUE_CLUSTER_POSITION: u32 = 0xF1;

/// Saved reading state, restored when a walk needs bytes it does not have.
struct Saved {
    pos: u64,
    cluster: Option<Cluster>,
    pending: std::collections::VecDeque<crate::packet::Packet>,
    unresolved: std::collections::VecDeque<super::LaceGroup>,
    popped: u64,
    done: bool,
}

impl MkvDemuxer {
    /// The track a seek lands on a key frame of: the first video track, else the first track.
    fn seek_track(&self) -> (u64, u32) {
        let i = self
            .tracks
            .iter()
            .position(|t| t.kind == TrackKind::Video)
            .unwrap_or(0);
        let number = self
            .track_states
            .iter()
            .find(|s| s.index == i)
            .map_or(0, |s| s.number);
        (number, self.tracks.get(i).map_or(0, |t| t.id))
    }

    /// Loads the Cues named by the SeekHead (once). `NeedData` while they are not fetched.
    pub(super) fn load_cues(&mut self, src: &mut dyn ByteSource) -> Result<()> {
        if self.cues != CueIndex::Unknown {
            return Ok(());
        }
        let Some(pos) = self.cues_position() else {
            self.cues = CueIndex::Absent;
            return Ok(());
        };
        let loaded = match ebml::read_header(src, pos) {
            Ok(Some(h)) if h.id == id::CUES => match ebml::read_body(src, &h, MAX_CUES) {
                Ok(Some(body)) => parse_cues(&body, self.segment_data_start).ok(),
                Err(e) if e.is_need_data() => return Err(e),
                _ => None,
            },
            Err(e) if e.is_need_data() => return Err(e),
            _ => None,
        };
        self.cues = match loaded {
            Some(c) if !c.is_empty() => CueIndex::Loaded(c),
            _ => CueIndex::Absent,
        };
        Ok(())
    }

    /// The Cluster to walk from for `target` (ticks), and whether it came from the Cues.
    fn start_cluster(
        &self,
        src: &mut dyn ByteSource,
        target: i64,
        track: u64,
    ) -> Result<(u64, bool)> {
        if let CueIndex::Loaded(cues) = &self.cues {
            let of_track = cues.iter().any(|c| c.track == track);
            let best = cues
                .iter()
                .filter(|c| !of_track || c.track == track)
                .filter(|c| c.time <= target)
                .max_by_key(|c| (c.time, c.cluster));
            return Ok((best.map_or(self.first_cluster, |c| c.cluster), true));
        }
        self.estimate_cluster(src, target).map(|p| (p, false))
    }

    /// Without Cues: guesses the byte position from the duration and the Segment's size,
    /// resynchronises at the next Cluster, and steps back while that Cluster starts after
    /// the target.
    fn estimate_cluster(&self, src: &mut dyn ByteSource, target: i64) -> Result<u64> {
        let end = match (self.segment_end, src.size()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
        .ok_or_else(|| Error::unsupported("seeking in an MKV file of unknown size without Cues"))?;
        let duration = self.duration.filter(|d| *d > 0.0).ok_or_else(|| {
            Error::unsupported("seeking in an MKV file without Cues or a duration")
        })?;
        let span = end.saturating_sub(self.first_cluster);
        if target <= 0 || span == 0 {
            return Ok(self.first_cluster);
        }
        let bytes_per_tick = span as f64 / duration;
        let mut guess = self.first_cluster
            + ((target as f64 * bytes_per_tick) as u64).min(span.saturating_sub(1));
        for _ in 0..ESTIMATE_ROUNDS {
            if guess <= self.first_cluster {
                return Ok(self.first_cluster);
            }
            let Some((at, ts)) = self.cluster_at_or_after(src, guess)? else {
                // No Cluster after the guess: go back.
                guess = guess.saturating_sub(MIN_STEP_BACK.max(span / 16));
                continue;
            };
            if ts <= target {
                return Ok(at);
            }
            let back = ((ts - target) as f64 * bytes_per_tick * 1.5) as u64;
            guess = guess.saturating_sub(back.max(MIN_STEP_BACK));
        }
        Ok(self.first_cluster)
    }

    /// The first real Cluster at or after `from`, with its Timestamp. A Cluster ID inside
    /// block data (a false match) is skipped: a real one has a Timestamp as a child.
    fn cluster_at_or_after(
        &self,
        src: &mut dyn ByteSource,
        from: u64,
    ) -> Result<Option<(u64, i64)>> {
        let mut at = from;
        let limit = from.saturating_add(WALK_LIMIT);
        while at < limit {
            let Some(p) = resync(src, at)? else {
                return Ok(None);
            };
            if let Some(ts) = self.cluster_timestamp(src, p)? {
                return Ok(Some((p, ts)));
            }
            at = p + 1;
        }
        Ok(None)
    }

    /// The Timestamp of the Cluster at `pos`, `None` if no Cluster with one starts there.
    fn cluster_timestamp(&self, src: &mut dyn ByteSource, pos: u64) -> Result<Option<i64>> {
        let h = match ebml::read_header(src, pos) {
            Ok(Some(h)) if h.id == id::CLUSTER => h,
            Err(e) if e.is_need_data() => return Err(e),
            _ => return Ok(None),
        };
        // The Timestamp is the first child (after an optional CRC-32 or Void).
        let mut child = h.data_start();
        for _ in 0..3 {
            let c = match ebml::read_header(src, child) {
                Ok(Some(c)) => c,
                Err(e) if e.is_need_data() => return Err(e),
                _ => return Ok(None),
            };
            match c.id {
                id::TIMESTAMP => {
                    return match ebml::read_uint(src, &c) {
                        Ok(Some(t)) => Ok(Some(t.min(i64::MAX as u64) as i64)),
                        Err(e) if e.is_need_data() => Err(e),
                        _ => Ok(None),
                    }
                }
                id::CRC32 | id::VOID => match c.end() {
                    Some(e) => child = e,
                    None => return Ok(None),
                },
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    fn save(&mut self) -> Saved {
        Saved {
            pos: self.pos,
            cluster: self.cluster,
            pending: std::mem::take(&mut self.pending),
            unresolved: std::mem::take(&mut self.unresolved),
            popped: self.popped,
            done: self.done,
        }
    }

    fn restore(&mut self, s: Saved) {
        self.pos = s.pos;
        self.cluster = s.cluster;
        self.pending = s.pending;
        self.unresolved = s.unresolved;
        self.popped = s.popped;
        self.done = s.done;
    }

    /// Walks the blocks from the Cluster at `from` to the last key frame of track `track_id`
    /// at or before `target`: `(cluster, block position, time)`. Stops at the first packet of
    /// that track after the target. If the walk finds no such key frame, the first key frame
    /// after the target.
    fn walk_to_key(
        &mut self,
        src: &mut dyn ByteSource,
        from: u64,
        target: i64,
        track_id: u32,
    ) -> Result<Option<(Option<Cluster>, u64, i64)>> {
        self.pos = from;
        self.cluster = None;
        self.clear_pending();
        self.done = false;
        let mut best: Option<(Option<Cluster>, u64, i64)> = None;
        while let Some(p) = self.next_packet(src)? {
            if p.track_id == track_id {
                if p.keyframe && p.pts.0 <= target {
                    best = Some((self.cluster, p.pos, p.pts.0));
                } else if p.pts.0 > target && (best.is_some() || p.keyframe) {
                    if best.is_none() {
                        best = Some((self.cluster, p.pos, p.pts.0));
                    }
                    break;
                }
            }
            if self.pos.saturating_sub(from) > WALK_LIMIT && best.is_some() {
                break;
            }
        }
        Ok(best)
    }

    /// [`Demuxer::seek`](crate::demux::Demuxer::seek) for Matroska.
    pub(super) fn seek_to(&mut self, src: &mut dyn ByteSource, to: SeekTarget) -> Result<SeekPoint> {
        let SeekTarget { time: target, time_base } = to;
        let target = target.rescale(time_base, self.time_base).0;
        let (number, track_id) = self.seek_track();
        self.load_cues(src)?;
        let (mut from, exact) = self.start_cluster(src, target, number)?;
        let saved = self.save();
        let mut step = MIN_STEP_BACK;
        let walked = loop {
            let w = match self.walk_to_key(src, from, target, track_id) {
                Ok(w) => w,
                Err(e) => {
                    self.restore(saved);
                    return Err(e);
                }
            };
            // The Cluster holds no key frame at or before the target (an estimated start
            // inside a GOP): walk again from an earlier Cluster.
            let late = w.is_some_and(|(_, _, t)| t > target);
            if !late || from <= self.first_cluster || step > WALK_LIMIT {
                break w;
            }
            let earlier = match self
                .cluster_at_or_after(src, from.saturating_sub(step).max(self.first_cluster))
            {
                Ok(c) => c,
                Err(e) => {
                    self.restore(saved);
                    return Err(e);
                }
            };
            match earlier {
                Some((p, _)) if p < from => {
                    from = p;
                    step = MIN_STEP_BACK;
                }
                _ => step *= 2,
            }
        };
        let Some((cluster, pos, time)) = walked else {
            self.restore(saved);
            return Err(invalid_seek(target));
        };
        self.pos = pos;
        self.cluster = cluster;
        self.clear_pending();
        self.done = false;
        Ok(SeekPoint {
            time: Timestamp(time),
            time_base: self.time_base,
            pos,
            exact,
        })
    }
}

fn invalid_seek(target: i64) -> Error {
    invalid(format!(
        "no key frame found to seek to (target {target} ticks)"
    ))
}
