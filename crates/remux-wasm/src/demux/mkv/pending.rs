//! The packets between a block and [`Demuxer::next_packet`](crate::demux::Demuxer): laced
//! frames without a stated duration wait here until the track's next block gives their
//! spacing (or the wait grows too long and they get a guessed one).

use std::collections::VecDeque;

use super::block::BlockInfo;
use super::MkvDemuxer;
use crate::packet::Packet;
use crate::time::{Duration, Timestamp};

/// A laced block's frames in `pending` whose timestamps are not known yet.
#[derive(Clone, Copy, Debug)]
pub(super) struct LaceGroup {
    track_id: u32,
    /// The block's timestamp (the first frame's).
    pts0: i64,
    /// Serial of the first frame (packets pushed to `pending` are numbered from 0).
    first: u64,
    count: u64,
}

/// How many packets, and bytes, may wait in `pending` for the next block of a laced track
/// before the frames get a guessed spacing (bounds memory on files where that track stops).
const MAX_LACE_LOOKAHEAD: usize = 512;
const MAX_LACE_LOOKAHEAD_BYTES: usize = 16 << 20;

impl MkvDemuxer {
    /// Drops the queued packets (and the laced frames waiting in them for a timestamp), as a
    /// seek does before reading from a new position.
    pub(super) fn clear_pending(&mut self) {
        self.pending.clear();
        self.unresolved.clear();
    }

    /// Records a block just appended to `pending` (which held `before` packets): it gives
    /// the spacing of the track's waiting laced frames, and may itself wait for the next one.
    pub(super) fn note_block(&mut self, info: BlockInfo, before: usize) {
        self.resolve_laces(Some(info.track_id), Some(info.pts0));
        if info.unresolved {
            self.unresolved.push_back(LaceGroup {
                track_id: info.track_id,
                pts0: info.pts0,
                first: self.popped + before as u64,
                count: info.count,
            });
        }
    }

    /// Gives the waiting laced frames of `track` (every track if `None`) their timestamps:
    /// spread up to `next_pts` (the track's next block), or by the last spacing learnt.
    pub(super) fn resolve_laces(&mut self, track: Option<u32>, next_pts: Option<i64>) {
        let mut keep = VecDeque::new();
        while let Some(g) = self.unresolved.pop_front() {
            if track.is_some_and(|t| t != g.track_id) {
                keep.push_back(g);
                continue;
            }
            let learnt = self
                .lace_step
                .iter()
                .find(|(t, _)| *t == g.track_id)
                .map(|&(_, s)| s);
            let n = g.count as i64;
            let span = match next_pts {
                Some(p) if p > g.pts0 => p.saturating_sub(g.pts0),
                _ => learnt.unwrap_or(0).saturating_mul(n),
            };
            let step = span / n;
            if next_pts.is_some() && step > 0 {
                match self.lace_step.iter_mut().find(|(t, _)| *t == g.track_id) {
                    Some(e) => e.1 = step,
                    None => self.lace_step.push((g.track_id, step)),
                }
            }
            for i in 0..g.count {
                let Some(k) = (g.first + i).checked_sub(self.popped) else {
                    continue;
                };
                if let Some(p) = self.pending.get_mut(k as usize) {
                    p.pts = Timestamp(g.pts0.saturating_add(span * i as i64 / n));
                    p.dur = (step > 0).then_some(Duration(step as u64));
                }
            }
        }
        self.unresolved = keep;
    }

    /// The next packet of `pending` that may be returned: none while the front one waits for
    /// its lace timestamp (unless the wait is too long: then it gets a guessed one).
    pub(super) fn pop_ready(&mut self) -> Option<Packet> {
        if let Some(g) = self.unresolved.front() {
            if g.first <= self.popped {
                let bytes: usize = self.pending.iter().map(|p| p.data.len()).sum();
                if self.pending.len() < MAX_LACE_LOOKAHEAD
                    && bytes < MAX_LACE_LOOKAHEAD_BYTES
                    && !self.done
                {
                    return None;
                }
                let t = g.track_id;
                self.resolve_laces(Some(t), None);
            }
        }
        let p = self.pending.pop_front()?;
        self.popped += 1;
        Some(p)
    }
}
