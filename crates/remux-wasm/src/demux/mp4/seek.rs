//! Seeking in MP4: time → sample through the sample tables (the key frame at or before the
//! target, from `stss`), or, for fragmented files, to the `moof` at or before the target.
//!
//! Sample tables are in memory once `moov` is read, so a seek in a plain MP4 needs no bytes:
//! each track's [`Cursor`] is walked from the first sample (a few µs per thousand samples)
//! and the demuxer resumes at the key frame; the other tracks resume at their first sample
//! that ends after that key frame. In file order the samples then come as the bytes do.
//!
//! Fragmented files carry their samples in `moof`s. Without reading every `moof` header of
//! the file, the position is estimated from the bitrate, resynchronised at the next `moof`
//! (its `tfdt` gives its time) and stepped back while that `moof` starts after the target
//! (`exact: false`).

use crate::demux::SeekTarget;
use super::{boxes, Mp4Demuxer, MAX_MOOV};
use crate::demux::SeekPoint;
use crate::error::{Error, Result};
use crate::io::ByteSource;
use crate::packet::TrackKind;
use crate::time::{TimeBase, Timestamp};

/// How far the scan for the next `moof` looks before giving up.
const SCAN_LIMIT: u64 = 16 << 20;
const SCAN_CHUNK: usize = 64 << 10;
/// Rounds of "landed after the target: step back" for fragmented files.
const ESTIMATE_ROUNDS: usize = 8;
/// The smallest step back when an estimate lands after the target.
const MIN_STEP_BACK: u64 = 256 << 10;

impl Mp4Demuxer {
    /// Index into `states` of the track a seek lands on a key frame of: the first video
    /// track with samples, else the first track with samples, else the first video track.
    fn seek_state(&self, with_samples: bool) -> usize {
        let has = |i: usize| !with_samples || self.states[i].table.sample_count() > 0;
        let video = |i: usize| self.tracks[self.states[i].index].kind == TrackKind::Video;
        (0..self.states.len())
            .find(|&i| video(i) && has(i))
            .or_else(|| (0..self.states.len()).find(|&i| has(i)))
            .or_else(|| (0..self.states.len()).find(|&i| video(i)))
            .unwrap_or(0)
    }

    /// [`Demuxer::seek`](crate::demux::Demuxer::seek) for MP4.
    pub(super) fn seek_to(&mut self, src: &mut dyn ByteSource, to: SeekTarget) -> Result<SeekPoint> {
        let SeekTarget { time: target, time_base } = to;
        if self.states.is_empty() {
            return Err(Error::unsupported("seeking in an MP4 file without tracks"));
        }
        let has_table = self.states.iter().any(|s| s.table.sample_count() > 0);
        if !has_table && self.fragmented {
            return self.seek_fragmented(src, target, time_base);
        }
        let k = self.seek_state(true);
        let ktb = self.tracks[self.states[k].index].time_base;
        let t = target.rescale(time_base, ktb).0;
        // The last sync sample whose presentation time is at or before the target.
        let st = &self.states[k];
        let mut c = st.table.cursor();
        let mut best = None;
        while let Some(s) = c.current() {
            let dts = s.dts.saturating_add(st.shift);
            if s.keyframe && dts.saturating_add(s.cts_offset) <= t {
                best = Some(c);
            } else if s.keyframe && best.is_none() {
                best = Some(c); // Target before the first key frame: start at the first.
            }
            if dts > t {
                break;
            }
            c.advance(&st.table);
        }
        let Some(best) = best else {
            return Err(Error::invalid(
                super::MP4,
                "the track has no key frame to seek to",
            ));
        };
        let key = best.current().expect("a cursor at a sample");
        let key_pts = key
            .dts
            .saturating_add(st.shift)
            .saturating_add(key.cts_offset);
        let key_dts = key.dts.saturating_add(st.shift);
        // Every other track: from its first sample ending after the key frame's decode time.
        let mut cursors = Vec::with_capacity(self.states.len());
        for (i, st) in self.states.iter().enumerate() {
            if i == k {
                cursors.push(best);
                continue;
            }
            let tb = self.tracks[st.index].time_base;
            let from = ktb.rescale(key_dts.min(key_pts), tb);
            let mut c = st.table.cursor();
            while let Some(s) = c.current() {
                let end = s
                    .dts
                    .saturating_add(st.shift)
                    .saturating_add(s.duration as i64);
                if end > from {
                    break;
                }
                c.advance(&st.table);
            }
            cursors.push(c);
        }
        for (st, c) in self.states.iter_mut().zip(cursors) {
            st.cursor = c;
        }
        self.pending.clear();
        self.done = false;
        // Fragments (if any) come after the samples of moov: restart them after moov.
        if self.fragmented {
            self.frag_pos = self.moov.end();
        }
        Ok(SeekPoint {
            time: Timestamp(key_pts),
            time_base: ktb,
            pos: key.offset,
            exact: true,
        })
    }

    /// Seek in a fragmented file: the `moof` at or before the target, found by estimate.
    fn seek_fragmented(
        &mut self,
        src: &mut dyn ByteSource,
        target: Timestamp,
        time_base: TimeBase,
    ) -> Result<SeekPoint> {
        let first = self.moov.end().ok_or_else(|| {
            Error::unsupported("seeking in a fragmented MP4 whose 'moov' has no size")
        })?;
        let k = self.seek_state(false);
        let ktb = self.tracks[self.states[k].index].time_base;
        let t = target.rescale(time_base, ktb).0;
        // The index at the end of the file (`mfra`/`tfra`), when there is one.
        self.load_tfra(src)?;
        if let TfraIndex::Loaded(entries) = &self.tfra {
            let track_id = self.tracks[self.states[k].index].id;
            let mut candidates: Vec<(i64, u64)> = entries
                .iter()
                .filter(|e| e.0 == track_id)
                .map(|e| (e.1, e.2))
                .collect();
            candidates.sort_unstable();
            candidates.dedup_by_key(|c| c.1);
            // The last fragment starting at or before the target (its exact time from the
            // moof itself: tfra times may or may not include the edit shift).
            let shift = self.states[k].shift;
            let mut i = candidates.partition_point(|c| c.0.saturating_add(shift) <= t);
            while i > 0 {
                let pos = candidates[i - 1].1;
                match self.moof_time(src, pos, k)? {
                    Some(time) if time <= t => {
                        let mut p = self.commit_fragment(pos, time, ktb)?;
                        p.exact = true;
                        return Ok(p);
                    }
                    _ => i -= 1,
                }
            }
            if let Some(&(_, pos)) = candidates.first() {
                if let Some(time) = self.moof_time(src, pos, k)? {
                    let mut p = self.commit_fragment(pos, time, ktb)?;
                    p.exact = true;
                    return Ok(p);
                }
            }
        }
        let size = src.size();
        let duration = crate::demux::Demuxer::duration(self)
            .map(|(d, tb)| d.rescale(tb, ktb).0 as f64)
            .filter(|d| *d > 0.0);
        let mut guess = match (size, duration) {
            (Some(size), Some(d)) if t > 0 => {
                let span = size.saturating_sub(first);
                first + ((t as f64 / d * span as f64) as u64).min(span.saturating_sub(1))
            }
            _ => return self.walk_fragments(src, first, t, k, ktb),
        };
        let bytes_per_tick = match (size, duration) {
            (Some(size), Some(d)) => size.saturating_sub(first) as f64 / d,
            _ => 0.0,
        };
        for _ in 0..ESTIMATE_ROUNDS {
            if guess <= first {
                break;
            }
            match self.moof_at_or_after(src, guess, k)? {
                Some((pos, time)) if time <= t => return self.commit_fragment(pos, time, ktb),
                Some((_, time)) => {
                    let back = ((time - t) as f64 * bytes_per_tick * 1.5) as u64;
                    guess = guess.saturating_sub(back.max(MIN_STEP_BACK));
                }
                None => {
                    guess = guess.saturating_sub(MIN_STEP_BACK.max(guess.saturating_sub(first) / 4))
                }
            }
        }
        // From the first fragment.
        let (pos, time) = self.moof_at_or_after(src, first, k)?.unwrap_or((first, 0));
        self.commit_fragment(pos, time, ktb)
    }

    /// Without an index or a duration: hops from `moof` to `moof` by their headers (each
    /// `moof` is read, the `mdat`s are skipped) to the last one starting at or before `t`.
    fn walk_fragments(
        &mut self,
        src: &mut dyn ByteSource,
        first: u64,
        t: i64,
        k: usize,
        ktb: TimeBase,
    ) -> Result<SeekPoint> {
        let mut best: Option<(u64, i64)> = None;
        let mut pos = first;
        for _ in 0..MAX_WALK_BOXES {
            let Some(h) = boxes::read_header(src, pos)? else {
                break;
            };
            if &h.typ == b"moof" {
                match self.moof_time(src, pos, k)? {
                    Some(time) if time <= t || best.is_none() => {
                        best = Some((pos, time));
                        if time > t {
                            break;
                        }
                    }
                    Some(_) => break,
                    None => {}
                }
            }
            match h.end() {
                Some(e) if e > pos => pos = e,
                _ => break,
            }
        }
        let (pos, time) = best.unwrap_or((first, 0));
        self.commit_fragment(pos, time, ktb)
    }

    /// Reads the `mfra` index named by the `mfro` box in the last 16 bytes of the file (once).
    fn load_tfra(&mut self, src: &mut dyn ByteSource) -> Result<()> {
        if self.tfra != TfraIndex::Unknown {
            return Ok(());
        }
        let Some(size) = src.size().filter(|s| *s >= 16) else {
            self.tfra = TfraIndex::Absent;
            return Ok(());
        };
        let tail = src.read_at(size - 16, 16)?;
        let mfra_len = match tail {
            [_, _, _, _, b'm', b'f', b'r', b'o', _, _, _, _, a, b, c, d] => {
                u32::from_be_bytes([*a, *b, *c, *d]) as u64
            }
            _ => 0,
        };
        if mfra_len < 16 || mfra_len > size || mfra_len > MAX_MOOV {
            self.tfra = TfraIndex::Absent;
            return Ok(());
        }
        let start = size - mfra_len;
        let body = src.read_at(start, mfra_len as usize)?;
        let entries = (body.len() as u64 == mfra_len && &body[4..8] == b"mfra")
            .then(|| parse_mfra(&body[8..]).ok())
            .flatten()
            .unwrap_or_default();
        self.tfra = if entries.is_empty() {
            TfraIndex::Absent
        } else {
            TfraIndex::Loaded(entries)
        };
        Ok(())
    }

    fn commit_fragment(&mut self, pos: u64, time: i64, tb: TimeBase) -> Result<SeekPoint> {
        for st in &mut self.states {
            st.cursor = sample_table::Cursor::default();
        }
        self.pending.clear();
        self.done = false;
        self.frag_pos = Some(pos);
        Ok(SeekPoint {
            time: Timestamp(time),
            time_base: tb,
            pos,
            exact: false,
        })
    }

    /// The first `moof` at or after `from` whose `traf`s parse, with the presentation time of
    /// the first sample of state `k` in it (or of any track when `k` has none there).
    fn moof_at_or_after(
        &self,
        src: &mut dyn ByteSource,
        from: u64,
        k: usize,
    ) -> Result<Option<(u64, i64)>> {
        let mut at = from;
        while at.saturating_sub(from) < SCAN_LIMIT {
            let chunk = src.read_at(at, SCAN_CHUNK)?;
            let hit = chunk.windows(4).position(|w| w == b"moof");
            let short = chunk.len() < SCAN_CHUNK;
            if let Some(i) = hit {
                let p = (at + i as u64).saturating_sub(4);
                if let Some(time) = self.moof_time(src, p, k)? {
                    return Ok(Some((p, time)));
                }
                at = at + i as u64 + 1;
                continue;
            }
            if short {
                return Ok(None);
            }
            at += (SCAN_CHUNK - 3) as u64;
        }
        Ok(None)
    }

    /// The time of the first sample of state `k` (else of any state) in the `moof` at `pos`.
    fn moof_time(&self, src: &mut dyn ByteSource, pos: u64, k: usize) -> Result<Option<i64>> {
        let h = match boxes::read_header(src, pos) {
            Ok(Some(h)) if &h.typ == b"moof" => h,
            Err(e) if e.is_need_data() => return Err(e),
            _ => return Ok(None),
        };
        // A moof too large, cut off or damaged gives no time here: the scan goes on.
        let samples = match self.load_moof(src, &h) {
            Ok(Some((samples, _))) => samples,
            Err(e) if e.is_need_data() => return Err(e),
            _ => return Ok(None),
        };
        let time_of = |i: usize, s: &super::SampleInfo| {
            let st = &self.states[i];
            let tb = self.tracks[st.index].time_base;
            let ktb = self.tracks[self.states[k].index].time_base;
            tb.rescale(
                s.dts.saturating_add(st.shift).saturating_add(s.cts_offset),
                ktb,
            )
        };
        Ok(samples
            .iter()
            .find(|(i, _)| *i == k)
            .or(samples.first())
            .map(|(i, s)| time_of(*i, s)))
    }
}

use super::sample_table;

/// Longest hop walk over top-level boxes (two hours of one-second fragments is 14 400 pairs).
const MAX_WALK_BOXES: usize = 100_000;

/// The `tfra` entries of a fragmented file, as far as they are known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TfraIndex {
    /// Not looked at yet.
    #[default]
    Unknown,
    /// No `mfra` at the end of the file.
    Absent,
    /// `(track_ID, time in the track's timescale, moof offset)` of each sync sample listed.
    Loaded(Vec<(u32, i64, u64)>),
}

/// The `mfra` body: one `tfra` per track, each listing sync samples.
fn parse_mfra(body: &[u8]) -> Result<Vec<(u32, i64, u64)>> {
    let mut out = Vec::new();
    for c in boxes::children(body, 0) {
        let (typ, data, _) = c?;
        if &typ == b"tfra" {
            parse_tfra(data, &mut out)?;
        }
    }
    Ok(out)
}

/// `tfra`: version/flags, track_ID, the byte lengths of the three numbers per entry, the
/// entry count, then per entry: time, moof_offset (64-bit in version 1), traf_number,
/// trun_number, sample_number (each 1–4 bytes, skipped).
fn parse_tfra(data: &[u8], out: &mut Vec<(u32, i64, u64)>) -> Result<()> {
    let mut r = boxes::Reader::new(data, "tfra");
    let (v, _) = r.version_flags()?;
    let track_id = r.u32()?;
    let lens = r.u32()?;
    let skip = ((lens >> 4) & 3) as usize + ((lens >> 2) & 3) as usize + (lens & 3) as usize + 3;
    let entry_len = if v == 1 { 16 } else { 8 } + skip;
    let n = r.count(entry_len)?;
    for _ in 0..n {
        let time = r.u32_or_u64(v)?;
        let moof = r.u32_or_u64(v)?;
        r.skip(skip)?;
        out.push((track_id, time.min(i64::MAX as u64) as i64, moof));
    }
    Ok(())
}
