//! Where to cut fragments.
//!
//! Policy: the first fragment after the start and after each seek begins at a video key
//! frame (the remuxer drops what comes before one) and is cut as soon as
//! [`FIRST_SECONDS`] of video are queued, inside the GOP: MSE can play once one fragment is
//! appended, so a fast start needs a fraction of a GOP, not a whole one (a 2 s GOP at
//! 20 Mbit/s is ≈ 5 MB). Each following fragment of the run is twice as long as the one
//! before, up to [`TARGET_SECONDS`], so short fragments are only spent at the start and
//! long runs do not turn into a flood of tiny appends. Every cut is in decode order at any
//! frame, key frame or not: MSE accepts a media segment that continues the coded sequence of
//! the one before (decode times continue, and the `trun` sample flags mark the frames that
//! are not sync samples); each `moof` carries its own decode times (`tfdt`) and composition
//! offsets, so a B-frame whose reference was in the previous fragment decodes as if they
//! had been appended together (this is what CMAF chunks and LL-HLS parts do).
//!
//! Audio goes into the fragment up to the video's presentation end; a cut waits until the
//! audio has caught up with it (MKV interleaving can lag), but never by more than
//! [`MAX_WAIT_SECONDS`] of queued video. Audio-only streams are cut on the same schedule.
//!
//! Decode times in the output are unsigned (`tfdt`). When the first fragment holds samples
//! before time 0 (an MP4 edit list that starts AAC after its priming frame: ffprobe shows the
//! first audio packet at -1024 samples), every track is moved later by the same amount, fixed
//! once at the first fragment, so audio and video keep their relative timing instead of the
//! early samples being pulled to 0 alone; the first segment then names where the
//! presentation starts (`MediaSegment::window_start`), for the browser to cut what comes
//! before it.

use std::borrow::Cow;
use std::collections::VecDeque;

use super::boxes::{self, TrafData};
use super::{AudioRun, MediaSegment};
use crate::time::{TimeBase, Timestamp};
use crate::timeline::{self, Sample};

/// Length of the first fragment after the start and after each seek: 0.25 s of video
/// (about 8 frames at 30 fps; ≈ 0.6 MB at 20 Mbit/s). Enough for the browser to decode its
/// first frames and begin; the following fragments come while it plays them. Read by
/// [`Fragmenter::next_fragment`].
pub const FIRST_SECONDS: f64 = 0.25;
/// After a seek, the first fragment runs from the key frame to this far past the target:
/// 0.05 s (the frame at the target and the one after). Chromium completes an MSE seek only
/// once the target is buffered, and then decodes from the key frame; it plays once it also
/// holds about 0.2 s past the target (a first fragment to target + 0.13 s was not enough:
/// docs/DESIGN.md, "Seek timeline"). Appending the frames up to the target first lets it
/// decode them while the bytes of those 0.2 s still download; the second fragment of the run
/// then brings what it needs to play on ([`SEEK_SECOND_VIDEO_PAST_SECONDS`]). Read by
/// [`Fragmenter::next_fragment`].
pub const SEEK_FIRST_PAST_SECONDS: f64 = 0.05;
/// After a seek, the second fragment's video reaches this far past the target: 0.1 s (the
/// frames shown first), its audio [`FIRST_SECONDS`]. What each browser needs before it plays
/// on, measured with MSE appends cut at each frame (docs/DESIGN.md, "Seek timeline"): two
/// frames of video past the target in Chromium and Firefox, and in Chromium 0.2 s of audio
/// past it (its audio renderer starts at 200 ms buffered; 0.19 s was not enough, 0.21 s
/// was). Cutting the video by [`FIRST_SECONDS`] too used to hold the fragment for the frames
/// up to 0.25 s past the target plus the timeline's look-ahead, and its audio for the last
/// reordered frame's end (≈ target + 0.35 s): about 0.15 s of film more than the browser
/// needed, a whole 1 MiB piece in 3 of the 4 mid-GOP seeks of the page bench. Read by
/// [`Fragmenter::next_fragment`].
pub const SEEK_SECOND_VIDEO_PAST_SECONDS: f64 = 0.1;
/// Longest wanted length of a fragment: 1 s. Fragments double in length from
/// [`FIRST_SECONDS`] up to this. Read by [`Fragmenter::next_fragment`].
pub const TARGET_SECONDS: f64 = 1.0;
/// In the first fragment after a seek, H.264 frames that no other frame refers to are left
/// out if they end this long before the target or earlier: 0.1 s (3 frames at 30 fps), so
/// the frame shown at the target and those around it all stay. Read by
/// [`Fragmenter::next_fragment`].
pub const UNREFERENCED_MARGIN_SECONDS: f64 = 0.1;
/// Longest video queue held while waiting for audio to catch up.
pub const MAX_WAIT_SECONDS: f64 = 10.0;

/// The queued samples of one output track.
pub struct Lane {
    /// `track_ID` in the output.
    pub track_id: u32,
    pub time_base: TimeBase,
    /// Carried apart from the `moof`s, as raw frames ([`MediaSegment::audio_apart`]): MP3 for
    /// an `audio/mpeg` SourceBuffer.
    pub apart: bool,
    /// H.264 whose samples hold NAL units with this many length bytes (the `avcC`'s): frames
    /// no other frame refers to can be told (see [`leave_out_unreferenced`]).
    pub h264_nal_length: Option<u8>,
    samples: VecDeque<Sample>,
}

impl Lane {
    pub fn new(track_id: u32, time_base: TimeBase) -> Self {
        Lane {
            track_id,
            time_base,
            apart: false,
            h264_nal_length: None,
            samples: VecDeque::new(),
        }
    }

    fn span(&self) -> i64 {
        match (self.samples.front(), self.samples.back()) {
            (Some(a), Some(b)) => b.dts + b.duration as i64 - a.dts,
            _ => 0,
        }
    }

    fn ticks(&self, seconds: f64) -> i64 {
        self.time_base.from_seconds(seconds)
    }
}

/// Collects re-timed samples of the carried tracks and cuts them into `moof`+`mdat`.
pub struct Fragmenter {
    video: Option<Lane>,
    audio: Option<Lane>,
    sequence: u32,
    /// Segments cut so far (with or without a `moof`: audio carried apart has none).
    cuts: u32,
    /// `cuts` at the latest [`reset`](Fragmenter::reset): the segment after it is
    /// [`FIRST_SECONDS`] long, like the very first.
    first_of_run: u32,
    /// Where playback resumes after the latest seek (the seek target): the first fragment of
    /// the run reaches [`FIRST_SECONDS`] past it, not past the key frame before it.
    play_from: Option<(Timestamp, TimeBase)>,
    ended: bool,
    /// How much every timestamp is moved later (ticks in the time base), set at the first
    /// fragment (see the module docs).
    shift: Option<(i64, TimeBase)>,
    /// Where the presentation starts once the tracks were moved later (seconds), told with
    /// every segment ([`MediaSegment::window_start`]).
    window_start: Option<f64>,
}

impl Fragmenter {
    pub fn new(video: Option<Lane>, audio: Option<Lane>) -> Self {
        Fragmenter {
            video,
            audio,
            sequence: 0,
            cuts: 0,
            play_from: None,
            first_of_run: 0,
            ended: false,
            shift: None,
            window_start: None,
        }
    }

    /// The time base of [`MediaSegment`] start and end: the video's, else the audio's.
    pub fn time_base(&self) -> TimeBase {
        self.video
            .as_ref()
            .or(self.audio.as_ref())
            .map_or(TimeBase::MILLIS, |l| l.time_base)
    }

    pub fn push_video(&mut self, samples: impl IntoIterator<Item = Sample>) {
        if let Some(v) = &mut self.video {
            v.samples.extend(samples);
        }
    }

    pub fn push_audio(&mut self, samples: impl IntoIterator<Item = Sample>) {
        if let Some(a) = &mut self.audio {
            a.samples.extend(samples);
        }
    }

    /// Every sample has been pushed: the next calls cut whatever is left.
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// Drops every queued sample, for a seek; sequence numbers go on counting. `play_from`:
    /// the seek target, where the browser resumes. The fragment after the reset runs from the
    /// key frame before it to [`SEEK_FIRST_PAST_SECONDS`] past it (the browser decodes from
    /// the key frame only once the target is buffered), the next one brings what the browser
    /// plays on ([`SEEK_SECOND_VIDEO_PAST_SECONDS`]), and the ones after double from
    /// [`FIRST_SECONDS`]: cutting later makes it wait for bytes it does not need yet.
    pub fn reset(&mut self, play_from: Option<(Timestamp, TimeBase)>) {
        for lane in [&mut self.video, &mut self.audio].into_iter().flatten() {
            lane.samples.clear();
        }
        self.ended = false;
        self.first_of_run = self.cuts;
        self.play_from = play_from;
    }

    /// Number of fragments emitted so far.
    pub fn fragments(&self) -> u32 {
        self.sequence
    }

    /// Cuts the next fragment if one is ready and appends it to `out`, returning its timing.
    pub fn next_fragment(&mut self) -> Option<MediaSegment> {
        let (video_n, audio_end) = match &self.video {
            Some(v) if !v.samples.is_empty() => {
                let (k, end) = self.video_cut(v)?;
                // The audio goes up to the video's end, and further after a seek if the
                // audio was waited for further ([`Fragmenter::audio_reach`]).
                let end = self.audio_reach(v.time_base).map_or(end, |to| end.max(to));
                (k, Some(end))
            }
            Some(_) if !self.ended => return None,
            _ => {
                let a = self.audio.as_ref()?;
                if a.samples.is_empty() || (!self.ended && a.span() < a.ticks(self.target())) {
                    return None;
                }
                (0, None)
            }
        };
        let first_after_seek = self.cuts == self.first_of_run;
        let video: Vec<Sample> = match &mut self.video {
            Some(v) => {
                let mut video: Vec<Sample> = v.samples.drain(..video_n).collect();
                if let (Some((at, tb)), true, Some(n)) =
                    (self.play_from, first_after_seek, v.h264_nal_length)
                {
                    // Saturating: the seek target is any i64 the caller passes.
                    let before = tb
                        .rescale(at.0, v.time_base)
                        .saturating_sub(v.ticks(UNREFERENCED_MARGIN_SECONDS));
                    video = leave_out_unreferenced(video, before, n);
                }
                video
            }
            None => Vec::new(),
        };
        let video_left = self.video.as_ref().is_some_and(|v| !v.samples.is_empty());
        let vtb = self.time_base();
        let audio: Vec<Sample> = match &mut self.audio {
            Some(a) => {
                let n = match audio_end {
                    Some(end) if !self.ended || video_left => a
                        .samples
                        .iter()
                        .take_while(|s| a.time_base.rescale(s.pts(), vtb) < end)
                        .count(),
                    _ => a.samples.len(),
                };
                a.samples.drain(..n).collect()
            }
            None => Vec::new(),
        };
        if video.is_empty() && audio.is_empty() {
            return None;
        }
        Some(self.build(&video, &audio))
    }

    /// Wanted length (seconds) of the next fragment: [`FIRST_SECONDS`] after a start, or
    /// after a seek's first two, doubling with each fragment up to [`TARGET_SECONDS`].
    fn target(&self) -> f64 {
        let mut n = self.cuts.saturating_sub(self.first_of_run);
        if self.play_from.is_some() {
            // After a seek the two fragments to the target and just past it come first; the
            // doubling starts after them, so the browser, which plays on with only 0.1 s of
            // video past the target, is not left waiting for a whole second of film.
            n = n.saturating_sub(2);
        }
        (FIRST_SECONDS * f64::from(1u32 << n.min(16))).min(TARGET_SECONDS)
    }

    /// How far (ticks of `tb`, the video's) the audio of the next fragment must reach when
    /// that is not the video's end: the second fragment after a seek, whose video stops at
    /// [`SEEK_SECOND_VIDEO_PAST_SECONDS`] but whose audio goes on to [`FIRST_SECONDS`] past
    /// the target (what Chromium needs to play on).
    fn audio_reach(&self, tb: TimeBase) -> Option<i64> {
        let (at, at_tb) = self.play_from?;
        (self.cuts.saturating_sub(self.first_of_run) == 1).then(|| {
            at_tb
                .rescale(at.0, tb)
                .saturating_add(tb.from_seconds(FIRST_SECONDS))
        })
    }

    /// Where to cut the video queue: `(sample count, presentation end)`, or `None` to wait.
    fn video_cut(&self, v: &Lane) -> Option<(usize, i64)> {
        let s = &v.samples;
        let first = s[0].dts;
        let mut target = v.ticks(self.target());
        let n = self.cuts.saturating_sub(self.first_of_run);
        if let (Some((at, tb)), true) = (self.play_from, n < 2) {
            // After a seek: the first fragment reaches just past the target (the frames from
            // the key frame to it come too), the second the frames shown first (its audio
            // goes further: `audio_reach`).
            let past = if n == 0 {
                SEEK_FIRST_PAST_SECONDS
            } else {
                SEEK_SECOND_VIDEO_PAST_SECONDS
            };
            let to = tb.rescale(at.0, v.time_base).saturating_add(v.ticks(past));
            target = to.saturating_sub(first).max(1);
        }
        let k = if self.ended {
            s.len()
        } else {
            // The first frame (in decode order) at least `target` after the fragment's start
            // begins the next fragment, key frame or not (see the module docs).
            match (1..s.len()).find(|&i| s[i].dts - first >= target) {
                Some(i) => i,
                None if v.span() >= target => s.len(),
                None => return None,
            }
        };
        let end = s
            .iter()
            .take(k)
            .map(|x| x.pts() + x.duration as i64)
            .max()?;
        if !self.ended {
            if let Some(a) = &self.audio {
                let reach = a.samples.back().map_or(i64::MIN, |x| {
                    a.time_base.rescale(x.dts + x.duration as i64, v.time_base)
                });
                // After a seek's second fragment the audio is waited for to `audio_reach`
                // (further than its video, or not as far as its last reordered frame).
                let wanted = self.audio_reach(v.time_base).unwrap_or(end);
                if reach < wanted && v.span() < v.ticks(MAX_WAIT_SECONDS) {
                    return None;
                }
            }
        }
        Some((k, end))
    }

    fn build(&mut self, video: &[Sample], audio: &[Sample]) -> MediaSegment {
        if self.shift.is_none() {
            let lanes = [(&self.video, video), (&self.audio, audio)];
            let lanes = lanes.into_iter().filter_map(|(l, s)| Some((l.as_ref()?.time_base, s)));
            let (shift, tb) = timeline::start_shift(lanes, self.time_base());
            self.shift = Some((shift, tb));
            // The source's time 0, unless a video frame is presented earlier: MSE drops the
            // frames before the window, and a video frame dropped would take the frames that
            // refer to it along (up to the next key frame).
            let video_early = match &self.video {
                Some(l) => video.iter().map(|s| l.time_base.seconds(s.pts())).fold(0.0, f64::min),
                None => 0.0,
            };
            let start = tb.seconds(shift) + video_early;
            self.window_start = (shift > 0 && start > 0.0).then_some(start);
        }
        let (shift, shift_tb) = self.shift.unwrap_or((0, TimeBase::MILLIS));
        let video = shifted(&self.video, video, shift, shift_tb);
        let audio = shifted(&self.audio, audio, shift, shift_tb);
        let (video, audio) = (&video[..], &audio[..]);
        let tb = self.time_base();
        let mut trafs = Vec::with_capacity(2);
        let mut start = i64::MAX;
        let mut end = i64::MIN;
        let mut source_pos = u64::MAX;
        let mut audio_apart = Vec::new();
        for (lane, samples, is_video) in [(&self.video, video, true), (&self.audio, audio, false)] {
            let (Some(lane), false) = (lane, samples.is_empty()) else {
                continue;
            };
            for s in samples {
                start = start.min(lane.time_base.rescale(s.pts(), tb));
                end = end.max(lane.time_base.rescale(s.pts() + s.duration as i64, tb));
                source_pos = source_pos.min(s.pos);
            }
            if lane.apart {
                audio_apart = runs(samples, lane.time_base);
                continue;
            }
            trafs.push(TrafData {
                track_id: lane.track_id,
                is_video,
                base_decode_time: samples[0].dts.max(0) as u64,
                samples,
            });
        }
        self.cuts += 1;
        let mut data = Vec::new();
        if !trafs.is_empty() {
            self.sequence += 1;
            boxes::fragment(&mut data, self.sequence, &trafs);
        }
        MediaSegment {
            data,
            start: Timestamp(start),
            end: Timestamp(end),
            time_base: tb,
            source_pos,
            audio_apart,
            window_start: self.window_start,
        }
    }
}

/// The first fragment after a seek without the H.264 frames before the target that no other
/// frame refers to (every slice has `nal_ref_idc` 0: in a film with B-frames, a third to
/// two thirds of them). The browser decodes every frame from the key frame to the target
/// before it shows the target, and never shows those before it; leaving out frames nothing
/// depends on leaves the decoding of the others unchanged and makes that work shorter
/// (measured in docs/DESIGN.md, "Seek timeline"). Only frames that end at or before `before`
/// (ticks of the lane) go; each one's duration is added to the frame kept before it in decode
/// order, so the decode times of the frames kept are unchanged (MSE would take a gap in them
/// for a discontinuity and drop frames up to the next key frame), and that frame still ends at
/// or before `before`. Seen from the browser, the seconds before the target then play at the
/// rate of the frames kept, if the viewer goes back into them.
pub fn leave_out_unreferenced(samples: Vec<Sample>, before: i64, nal_length: u8) -> Vec<Sample> {
    let mut out: Vec<Sample> = Vec::with_capacity(samples.len());
    for s in samples {
        let ends_before = s.pts().saturating_add(s.duration as i64) <= before;
        if !s.keyframe && ends_before && unreferenced(&s.data, nal_length) {
            if let Some(kept) = out.last_mut() {
                let merged = kept.duration.saturating_add(s.duration);
                if kept.pts().saturating_add(merged as i64) <= before {
                    kept.duration = merged;
                    continue;
                }
            }
        }
        out.push(s);
    }
    out
}

/// Whether an H.264 sample (NAL units, each after a `nal_length`-byte big-endian length) has
/// slices and all of them have `nal_ref_idc` 0: no other frame refers to this one. Anything
/// it cannot read counts as referenced.
fn unreferenced(data: &[u8], nal_length: u8) -> bool {
    let mut units = crate::codec::h264::length_prefixed(data, usize::from(nal_length));
    let mut slices = false;
    for nal in &mut units {
        let Some(&header) = nal.first() else {
            return false;
        };
        // Coded slice types 1-5 (non-IDR, partitions A-C, IDR).
        if (1..=5).contains(&(header & 0x1f)) {
            if header & 0x60 != 0 {
                return false;
            }
            slices = true;
        }
    }
    slices && units.is_done()
}

/// `samples` as runs of frames without gaps (each starts where the previous one ended): an
/// MPEG audio byte stream carries no timestamps, so each run is placed on its own.
fn runs(samples: &[Sample], time_base: TimeBase) -> Vec<AudioRun> {
    let mut out: Vec<AudioRun> = Vec::new();
    for s in samples {
        let s_end = s.pts() + s.duration as i64;
        match out.last_mut() {
            Some(run) if run.end.0 == s.pts() => {
                run.data.extend_from_slice(&s.data);
                run.end = Timestamp(s_end);
            }
            _ => out.push(AudioRun {
                data: s.data.clone(),
                start: Timestamp(s.pts()),
                end: Timestamp(s_end),
                time_base,
            }),
        }
    }
    out
}

/// `samples` of `lane` moved later by `shift` ticks of `tb` ([`timeline::shifted`]).
fn shifted<'a>(
    lane: &Option<Lane>,
    samples: &'a [Sample],
    shift: i64,
    tb: TimeBase,
) -> Cow<'a, [Sample]> {
    match lane {
        Some(lane) => timeline::shifted(samples, lane.time_base, shift, tb),
        None => Cow::Borrowed(samples),
    }
}
