//! The only place timestamps are repaired: decode timestamps derived from presentation
//! timestamps (MKV stores PTS only), monotonic DTS, durations.
//!
//! Output is [`Sample`]s in the track's output timescale (90 kHz for video, the sample rate
//! for audio), in decode order, with `dts` strictly increasing.
//!
//! # Video: DTS from PTS
//!
//! Packets are held in a short window of [`LOOKAHEAD_FRAMES`] frames (in decode order) so
//! that a frame's sample goes out a few frames after it arrives, not at the end of its GOP:
//! fragments can then be cut inside a GOP (a fast start needs a fraction of a GOP). Within a
//! GOP (key frame to key frame), the `i`-th frame in decode order gets the `i`-th smallest
//! PTS of the GOP, shifted earlier by the track's reorder delay `D`:
//! `dts[i] = sorted_pts[i] - D`. The window keeps the PTS of the GOP not handed out yet
//! (a sorted pool, as long as the window); the frame leaving the window takes the smallest.
//! That is the GOP's `i`-th smallest PTS as long as no frame more than the window later in
//! decode order is presented before it, i.e. for every encoder whose reorder depth is within
//! the window (x264 uses at most 3 with B-pyramids); deeper reordering only loses exactness of
//! the DTS (the repairs below keep them increasing), never of the PTS.
//!
//! `D` is the largest `sorted_pts[i] - pts[i]` seen so far (one frame for IBBP, two for
//! B-pyramids), taken over the frames of the window whose sorted PTS is settled (those with
//! at least [`SETTLED_AFTER`] frames after them, or all of them at the end of the GOP) before
//! a frame leaves it, so every composition offset `pts - dts` is ≥ 0 and the `trun` stays
//! version 0. This needs no knowledge of the codec's reorder depth and is exact for any
//! pattern within the window, open GOPs included; PTS are never changed.
//!
//! Why not keep `dts = sorted_pts` and write negative offsets (version-1 `trun`)? Browsers
//! accept that, but ffmpeg's MP4 reader then shifts every PTS by the largest negative offset,
//! so tools would disagree with browsers about where frames are.
//!
//! Decode times must stay ≥ 0 (`tfdt` is unsigned; MSE ignores edit lists), so at the very
//! start of a stream whose first PTS is below `D`, the DTS that would be negative are clamped
//! to 0, 1, 2... ticks. DTS are also made strictly increasing (`previous + 1`), which covers
//! duplicate PTS in broken files and a GOP that needs more delay than the ones before. Only
//! these repairs can leave a frame with `dts > pts` by a few ticks; the fragment writer then
//! uses a version-1 `trun`.
//!
//! If the container does state DTS (MP4, AVI), those are used instead, made monotonic, and
//! moved earlier by the largest `dts - pts` seen so far (the same `D`): an MP4 written with
//! negative composition offsets (`ctts` version 1, ffmpeg `-movflags negative_cts_offsets`)
//! has B-frames presented before they are decoded; shifting its DTS keeps every offset ≥ 0,
//! so tools and browsers agree on the PTS (which are never changed).
//!
//! Durations are `next dts - dts` (the next frame is in the window); the last frame of a GOP
//! takes the packet's duration, else the track's default duration, else the previous frame's. (The fragment writer recomputes
//! durations from DTS differences inside a fragment, so an estimate only ever affects the
//! last sample of a fragment.)
//!
//! # Audio
//!
//! `dts == pts`, counted in whole frames (1024 samples for AAC) from the first packet, so the
//! millisecond rounding of MKV timestamps does not turn into jitter. The count re-syncs to the
//! packet's own timestamp when the two drift apart by a frame or more (a gap in the source).
//! Each sample is held back until the next one arrives, so its duration is `next - this`.
//!
//! # Shifts that keep decode times at or after 0
//!
//! Two more repairs move whole tracks, computed here and applied by their owners:
//! [`priming_shift`] moves an audio track with encoder priming (Opus pre-skip, an MP4 edit for
//! MP3/AAC encoder delay) later by what its edit list then hides again (the Remuxer); and
//! [`start_shift`] moves the whole stream later when its first fragment would start before 0
//! (the fragmenter, [`shifted`]).

use std::borrow::Cow;
use std::collections::VecDeque;

use crate::packet::Packet;
use crate::time::{Duration, TimeBase};

/// Video frames held after a frame before its sample goes out: 4. Its DTS is exact when no
/// frame later than this in decode order is presented before it (reorder depth ≤ 4: x264's
/// default `-bf 3` with B-pyramid reorders by 3). Each frame held delays the first fragment
/// by one frame's bytes (≈ 80 KB at 20 Mbit/s, 30 fps). Read by [`TrackTimeline::push`].
pub const LOOKAHEAD_FRAMES: usize = 4;

/// A frame of the window counts towards the reorder delay once this many frames follow it
/// (2): its place among the sorted PTS no longer changes for reorder depths up to that.
/// Read by [`TrackTimeline::push`].
pub const SETTLED_AFTER: usize = 2;

/// One frame with repaired timing, ready for a `trun`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Decode time, in ticks of the output timescale. Strictly increasing within a track.
    pub dts: i64,
    /// Composition offset: `pts - dts` (may be negative, see the module doc).
    pub cts: i32,
    /// Duration in ticks (at least 1).
    pub duration: u32,
    pub keyframe: bool,
    /// Byte offset of the source packet in the input file.
    pub pos: u64,
    pub data: Vec<u8>,
}

impl Sample {
    /// Presentation time, in ticks of the output timescale.
    pub fn pts(&self) -> i64 {
        self.dts + self.cts as i64
    }
}

enum Mode {
    /// Holds the newest frames of the GOP to derive DTS (see the module doc).
    Video {
        /// Frames not emitted yet, in decode order, with their PTS in output ticks.
        window: VecDeque<(Packet, i64)>,
        /// PTS of the current GOP not yet given out as a DTS, ascending (as many as `window`).
        pool: Vec<i64>,
    },
    /// Holds the newest sample until the next one gives its duration.
    Audio {
        frame: i64,
        held: Option<Sample>,
        next_dts: Option<i64>,
    },
}

/// Timestamp repair for one track.
pub struct TrackTimeline {
    in_tb: TimeBase,
    out_tb: TimeBase,
    default_duration: Option<u32>,
    last_dts: Option<i64>,
    last_duration: u32,
    /// Video reorder delay `D` (see the module doc), in output ticks.
    reorder_delay: i64,
    mode: Mode,
}

fn clamp_u32(v: i64) -> u32 {
    v.clamp(1, u32::MAX as i64) as u32
}

impl TrackTimeline {
    /// A video track whose packets have time base `in_tb`, re-timed into `out_tb`.
    /// `default_duration` is the container's nominal frame duration (in `in_tb`), if any.
    pub fn video(in_tb: TimeBase, out_tb: TimeBase, default_duration: Option<Duration>) -> Self {
        TrackTimeline {
            in_tb,
            out_tb,
            default_duration: default_duration
                .map(|d| clamp_u32(d.rescale(in_tb, out_tb).0.min(i64::MAX as u64) as i64)),
            last_dts: None,
            // One frame at 25 fps, if nothing better is ever known.
            last_duration: clamp_u32(out_tb.from_seconds(0.04)),
            reorder_delay: 0,
            mode: Mode::Video {
                window: VecDeque::new(),
                pool: Vec::new(),
            },
        }
    }

    /// An audio track re-timed into `out_tb` (1 / sample rate), with `frame_ticks` samples per
    /// packet (1024 for AAC).
    pub fn audio(in_tb: TimeBase, out_tb: TimeBase, frame_ticks: u32) -> Self {
        TrackTimeline {
            in_tb,
            out_tb,
            default_duration: Some(frame_ticks.max(1)),
            last_dts: None,
            last_duration: frame_ticks.max(1),
            reorder_delay: 0,
            mode: Mode::Audio {
                frame: frame_ticks.max(1) as i64,
                held: None,
                next_dts: None,
            },
        }
    }

    /// The input (track) time base.
    pub fn in_time_base(&self) -> TimeBase {
        self.in_tb
    }

    /// The output timescale.
    pub fn out_time_base(&self) -> TimeBase {
        self.out_tb
    }

    /// Forgets every queued packet and the last decode time, for a seek: the next packet
    /// starts a new run of samples at its own time (the reorder delay is kept: it is a
    /// property of the stream).
    pub fn reset(&mut self) {
        self.last_dts = None;
        match &mut self.mode {
            Mode::Video { window, pool } => {
                window.clear();
                pool.clear();
            }
            Mode::Audio { held, next_dts, .. } => {
                *held = None;
                *next_dts = None;
            }
        }
    }

    /// Takes one packet (in file order); appends to `out` every sample whose timing is final.
    pub fn push(&mut self, packet: Packet, out: &mut Vec<Sample>) {
        let pts = self.in_tb.rescale(packet.pts.0, self.out_tb);
        match &mut self.mode {
            Mode::Video { window, .. } => {
                if packet.keyframe && !window.is_empty() {
                    // The GOP is complete: every PTS of it is known.
                    self.emit_video(out, 0);
                }
                if let Mode::Video { window, pool } = &mut self.mode {
                    window.push_back((packet, pts));
                    let at = pool.partition_point(|&p| p <= pts);
                    pool.insert(at, pts);
                }
                self.emit_video(out, LOOKAHEAD_FRAMES);
            }
            Mode::Audio { .. } => self.push_audio(packet, out),
        }
    }

    /// Emits everything still buffered (end of stream).
    pub fn flush(&mut self, out: &mut Vec<Sample>) {
        match &mut self.mode {
            Mode::Video { .. } => self.emit_video(out, 0),
            Mode::Audio { held, .. } => out.extend(held.take()),
        }
    }

    /// The DTS a frame would get before the delay and the repairs: the container's DTS, else
    /// its share of the sorted PTS of the GOP.
    fn raw_dts(&self, packet: &Packet, sorted_pts: i64) -> i64 {
        match packet.dts {
            Some(d) => self.in_tb.rescale(d.0, self.out_tb),
            None => sorted_pts,
        }
    }

    /// Emits the oldest frames of the window until `keep` are left (0: the GOP is complete).
    fn emit_video(&mut self, out: &mut Vec<Sample>, keep: usize) {
        let Mode::Video { window, pool } = &self.mode else {
            return;
        };
        if window.len() <= keep {
            return;
        }
        // The reorder delay, over the frames whose place among the sorted PTS is settled.
        let settled = if keep == 0 {
            window.len()
        } else {
            window.len().saturating_sub(SETTLED_AFTER)
        };
        let delay = window
            .iter()
            .zip(pool.iter())
            .take(settled)
            .map(|((p, pts), &sorted)| self.raw_dts(p, sorted) - pts)
            .max()
            .unwrap_or(0);
        self.reorder_delay = self.reorder_delay.max(delay);
        let (in_tb, out_tb) = (self.in_tb, self.out_tb);
        while let Mode::Video { window, pool } = &mut self.mode {
            if window.len() <= keep {
                break;
            }
            let Some((p, pts)) = window.pop_front() else {
                break;
            };
            let sorted = if pool.is_empty() { pts } else { pool.remove(0) };
            let next = window.front().map(|(n, _)| (n.dts, pool.first().copied()));
            let raw = self.raw_dts(&p, sorted) - self.reorder_delay;
            // Non-negative, strictly increasing DTS.
            let dts = raw.max(self.last_dts.map_or(0, |last| last + 1));
            self.last_dts = Some(dts);
            let duration = match next {
                Some((next_dts, next_sorted)) => {
                    let next_raw = match next_dts {
                        Some(d) => in_tb.rescale(d.0, out_tb),
                        None => next_sorted.unwrap_or(dts),
                    } - self.reorder_delay;
                    clamp_u32(next_raw.max(dts + 1) - dts)
                }
                // The last frame of the GOP (or of the stream).
                None => p
                    .dur
                    .map(|d| d.rescale(in_tb, out_tb).0.min(u32::MAX as u64) as u32)
                    .filter(|&d| d > 0)
                    .or(self.default_duration)
                    .unwrap_or(self.last_duration),
            };
            self.last_duration = duration;
            out.push(Sample {
                dts,
                cts: (pts - dts).clamp(i32::MIN as i64, i32::MAX as i64) as i32,
                duration,
                keyframe: p.keyframe,
                pos: p.pos,
                data: p.data,
            });
        }
    }

    fn push_audio(&mut self, packet: Packet, out: &mut Vec<Sample>) {
        let pts = self.in_tb.rescale(packet.pts.0, self.out_tb);
        let Mode::Audio {
            frame,
            held,
            next_dts,
        } = &mut self.mode
        else {
            return;
        };
        let mut dts = match *next_dts {
            // Re-sync after a gap; never step backwards.
            Some(expected) if (pts - expected).abs() >= *frame && pts > expected => pts,
            Some(expected) => expected,
            None => pts,
        };
        if let Some(last) = self.last_dts {
            dts = dts.max(last + 1);
        }
        if let Some(mut prev) = held.take() {
            prev.duration = clamp_u32(dts - prev.dts);
            out.push(prev);
        }
        // A duration counted in samples (the input time base is the output's) is exact, even
        // when frames vary a little (Vorbis, transcoded audio); one rounded to a coarser base
        // (MKV milliseconds) only counts when it is far from the nominal frame.
        let exact = self.in_tb == self.out_tb;
        let frame_ticks = packet
            .dur
            .map(|d| d.rescale(self.in_tb, self.out_tb).0 as i64)
            .filter(|&d| d > 0 && (exact || (d - *frame).abs() >= *frame / 2))
            .unwrap_or(*frame);
        *held = Some(Sample {
            dts,
            cts: 0,
            duration: clamp_u32(frame_ticks),
            keyframe: true,
            pos: packet.pos,
            data: packet.data,
        });
        *next_dts = Some(dts + frame_ticks);
        self.last_dts = Some(dts);
    }
}

/// The shift, in output ticks, of an audio track whose first sample is presented at
/// `first_pts`: the edit list's media time (`edit_media_time`, Opus pre-skip), or more if the
/// first sample would otherwise start before media time 0.
pub fn priming_shift(edit_media_time: u32, first_pts: i64) -> i64 {
    (edit_media_time as i64)
        .max(first_pts.saturating_neg())
        .clamp(0, u32::MAX as i64)
}

/// Moves every sample's decode (and so presentation) time `by` ticks later.
pub fn shift_samples(samples: &mut [Sample], by: i64) {
    for s in samples {
        s.dts += by;
    }
}

/// The shift for the first fragment of a stream: what brings the earliest decode or
/// presentation time of its samples (each lane's, in that lane's time base) up to 0, in the
/// time base of the lane that needs the most; `(0, default_tb)` when none needs any.
pub fn start_shift<'a>(
    lanes: impl IntoIterator<Item = (TimeBase, &'a [Sample])>,
    default_tb: TimeBase,
) -> (i64, TimeBase) {
    let mut best = (0i64, default_tb);
    for (time_base, samples) in lanes {
        let earliest = samples
            .iter()
            .map(|s| s.dts.min(s.pts()))
            .min()
            .unwrap_or(0);
        let need = -earliest;
        if need > 0 && time_base.seconds(need) > best.1.seconds(best.0) {
            best = (need, time_base);
        }
    }
    best
}

/// `samples` (in `time_base`) moved later by `shift` ticks of `tb`; copies only when there is
/// something to shift (rare: the common case borrows).
pub fn shifted(
    samples: &[Sample],
    time_base: TimeBase,
    shift: i64,
    tb: TimeBase,
) -> Cow<'_, [Sample]> {
    if shift == 0 {
        return Cow::Borrowed(samples);
    }
    let by = tb.rescale(shift, time_base);
    let moved = samples.iter().map(|s| Sample {
        dts: s.dts.saturating_add(by),
        ..s.clone()
    });
    Cow::Owned(moved.collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn pkt(pts: i64, key: bool) -> Packet {
        Packet {
            track_id: 1,
            pts: Timestamp(pts),
            dts: None,
            dur: None,
            keyframe: key,
            pos: pts as u64,
            data: vec![pts as u8],
        }
    }

    fn run(tl: &mut TrackTimeline, packets: Vec<Packet>) -> Vec<Sample> {
        let mut out = Vec::new();
        for p in packets {
            tl.push(p, &mut out);
        }
        tl.flush(&mut out);
        out
    }

    #[test]
    fn ibbp_gets_sorted_pts_as_dts() {
        // 25 fps in ms, decode order I P B B P B B | I P B B, as x264 -bf 2 writes it,
        // starting one frame in (as ffmpeg's MKVs do).
        let order = [40, 160, 80, 120, 280, 200, 240, 320, 440, 360, 400];
        let packets = order
            .iter()
            .enumerate()
            .map(|(i, &p)| pkt(p, i == 0 || i == 7))
            .collect();
        let mut tl = TrackTimeline::video(
            TimeBase::MILLIS,
            TimeBase::new(1, 90_000),
            Some(Duration(40)),
        );
        let out = run(&mut tl, packets);
        assert_eq!(out.len(), 11);
        for (i, s) in out.iter().enumerate() {
            // PTS untouched.
            assert_eq!(s.pts(), order[i] * 90, "frame {i}");
            // DTS on the PTS grid, one frame (the reorder delay) earlier, in order.
            assert_eq!(s.dts, i as i64 * 3600, "frame {i}");
            assert_eq!(s.duration, 3600);
            assert!(s.cts >= 0, "frame {i}");
        }
        // The I frame is shown one frame after it is decoded, the P frame three; the B
        // frames as soon as they are decoded.
        assert_eq!(
            (out[0].cts, out[1].cts, out[2].cts, out[3].cts),
            (3600, 10800, 0, 0)
        );
        assert!(out[0].keyframe && out[7].keyframe && !out[1].keyframe);
    }

    /// The DTS the whole-GOP derivation gives (every PTS of the GOP known): the `i`-th
    /// smallest PTS minus the largest delay seen so far, made non-negative and increasing.
    fn whole_gop_dts(gops: &[Vec<i64>]) -> Vec<i64> {
        let (mut delay, mut last, mut out) = (0i64, None::<i64>, Vec::new());
        for gop in gops {
            let mut sorted = gop.clone();
            sorted.sort_unstable();
            delay = delay.max(sorted.iter().zip(gop).map(|(s, p)| s - p).max().unwrap());
            for s in sorted {
                let d = (s - delay).max(last.map_or(0, |l| l + 1));
                last = Some(d);
                out.push(d);
            }
        }
        out
    }

    /// Decode-order PTS (frames) of `gops` GOPs of `len` frames in the given mini-GOP
    /// pattern, starting at `start`.
    fn pattern(gops: usize, len: i64, mini: &[i64], start: i64) -> Vec<Vec<i64>> {
        (0..gops as i64)
            .map(|g| {
                let base = start + g * len;
                let mut v = vec![base];
                let mut at = 1;
                while at < len {
                    for &m in mini {
                        if at + m - 1 < len {
                            v.push(base + at + m - 1);
                        }
                    }
                    at += mini.len() as i64;
                }
                v.truncate(len as usize);
                v
            })
            .collect()
    }

    #[test]
    fn samples_leave_within_the_lookahead_with_the_whole_gop_timing() {
        // IBBP (x264 -bf 2) and a B-pyramid (x264 -bf 3: P, B-ref, b, b), starting at 0 and
        // one frame in; 25 fps in ms.
        for (mini, start) in [
            (&[3i64, 1, 2][..], 0),
            (&[3, 1, 2], 1),
            (&[4, 2, 1, 3], 0),
            (&[4, 2, 1, 3], 1),
        ] {
            let gops = pattern(3, 24, mini, start);
            let mut tl = TrackTimeline::video(TimeBase::MILLIS, TimeBase::MILLIS, None);
            let mut out = Vec::new();
            let mut n = 0;
            for gop in &gops {
                for (i, &f) in gop.iter().enumerate() {
                    tl.push(pkt(f * 40, i == 0), &mut out);
                    n += 1;
                    // No frame waits for the end of its GOP: at most the lookahead is held.
                    assert!(n - out.len() <= LOOKAHEAD_FRAMES, "{mini:?}: {} held", n - out.len());
                }
            }
            tl.flush(&mut out);
            let ms: Vec<Vec<i64>> = gops.iter().map(|g| g.iter().map(|f| f * 40).collect()).collect();
            let want = whole_gop_dts(&ms);
            let got: Vec<i64> = out.iter().map(|s| s.dts).collect();
            // Past the clamped start, the same DTS as with the whole GOP in hand.
            assert_eq!(got[4..], want[4..], "{mini:?} from {start}");
            let pts: Vec<i64> = gops.concat().iter().map(|f| f * 40).collect();
            assert_eq!(out.iter().map(|s| s.pts()).collect::<Vec<_>>(), pts);
            assert!(out.iter().all(|s| s.cts >= 0), "{mini:?}: negative offset");
            // Increasing; inside a GOP each duration reaches the next frame exactly (past the
            // clamped start, where the delay of a B-pyramid is learnt a frame late).
            for w in out[3..].windows(2) {
                assert!(w[1].dts > w[0].dts);
                assert!(w[1].keyframe || w[0].duration as i64 == w[1].dts - w[0].dts, "{mini:?} {start}: {:?} -> {:?}", (w[0].dts, w[0].duration), w[1].dts);
            }
        }
    }

    #[test]
    fn dts_is_clamped_at_zero_when_the_first_pts_is_below_the_delay() {
        let order = [0, 120, 40, 80];
        let packets = order
            .iter()
            .enumerate()
            .map(|(i, &p)| pkt(p, i == 0))
            .collect();
        let mut tl = TrackTimeline::video(TimeBase::MILLIS, TimeBase::new(1, 90_000), None);
        let out = run(&mut tl, packets);
        let dts: Vec<i64> = out.iter().map(|s| s.dts).collect();
        assert_eq!(dts, vec![0, 1, 3600, 7200]);
        assert!(out.iter().all(|s| s.cts >= 0));
    }

    #[test]
    fn gop_is_emitted_when_next_key_frame_arrives() {
        let mut tl = TrackTimeline::video(TimeBase::MILLIS, TimeBase::new(1, 90_000), None);
        let mut out = Vec::new();
        for (p, k) in [(0, true), (80, false), (40, false)] {
            tl.push(pkt(p, k), &mut out);
        }
        assert!(out.is_empty());
        tl.push(pkt(120, true), &mut out);
        // Reorder delay one frame: -3600 clamps to 0.
        assert_eq!(
            out.iter().map(|s| s.dts).collect::<Vec<_>>(),
            vec![0, 1, 3600]
        );
        // Last of the GOP: no packet or default duration, so the previous one.
        assert_eq!(out[2].duration, 3599);
    }

    #[test]
    fn dts_is_strictly_increasing_with_duplicate_pts() {
        let mut tl = TrackTimeline::video(TimeBase::MILLIS, TimeBase::MILLIS, None);
        let out = run(
            &mut tl,
            vec![pkt(0, true), pkt(0, false), pkt(40, true), pkt(10, false)],
        );
        let dts: Vec<i64> = out.iter().map(|s| s.dts).collect();
        // GOP 1: no reorder. GOP 2: delay 30 ms: 10 - 30 -> bumped to 2, 40 - 30 = 10.
        assert_eq!(dts, vec![0, 1, 2, 10]);
        assert!(out.iter().all(|s| s.duration >= 1));
    }

    #[test]
    fn audio_counts_frames_despite_millisecond_rounding() {
        // 48 kHz AAC in ms: 0, 21, 43, 64, 85 (1024 / 48 = 21.33 ms).
        let mut tl = TrackTimeline::audio(TimeBase::MILLIS, TimeBase::new(1, 48_000), 1024);
        let out = run(
            &mut tl,
            [0, 21, 43, 64, 85].iter().map(|&p| pkt(p, true)).collect(),
        );
        let dts: Vec<i64> = out.iter().map(|s| s.dts).collect();
        assert_eq!(dts, vec![0, 1024, 2048, 3072, 4096]);
        assert!(out.iter().all(|s| s.duration == 1024 && s.cts == 0));
    }

    #[test]
    fn audio_durations_in_samples_are_taken_as_they_are() {
        // Vorbis-like blocks of 1024, 576 and 128 samples, timed in samples.
        let tb = TimeBase::new(1, 48_000);
        let mut tl = TrackTimeline::audio(tb, tb, 1024);
        let pkts = [(0, 1024), (1024, 576), (1600, 128), (1728, 1024)]
            .iter()
            .map(|&(p, d)| Packet { dur: Some(Duration(d)), ..pkt(p, true) })
            .collect();
        let out = run(&mut tl, pkts);
        let got: Vec<(i64, u32)> = out.iter().map(|s| (s.dts, s.duration)).collect();
        assert_eq!(got, vec![(0, 1024), (1024, 576), (1600, 128), (1728, 1024)]);
    }

    #[test]
    fn audio_resyncs_after_a_gap() {
        let mut tl = TrackTimeline::audio(TimeBase::MILLIS, TimeBase::new(1, 48_000), 1024);
        let out = run(
            &mut tl,
            [0, 21, 1000, 1021].iter().map(|&p| pkt(p, true)).collect(),
        );
        let dts: Vec<i64> = out.iter().map(|s| s.dts).collect();
        assert_eq!(dts, vec![0, 1024, 48000, 49024]);
        assert_eq!(out[1].duration, 48000 - 1024);
    }

    #[test]
    fn container_dts_is_used_when_present() {
        let mut tl = TrackTimeline::video(TimeBase::MILLIS, TimeBase::MILLIS, None);
        let mut a = pkt(80, true);
        a.dts = Some(Timestamp(0));
        let mut b = pkt(40, false);
        b.dts = Some(Timestamp(40));
        let out = run(&mut tl, vec![a, b]);
        assert_eq!(
            (out[0].dts, out[0].cts, out[1].dts, out[1].cts),
            (0, 80, 40, 0)
        );
    }
}
