//! [`Remuxer`]: the carried tracks' packets → their [`timeline`](crate::timeline) → the
//! [`Fragmenter`] → init segment and media segments.

use std::cell::Cell;

use super::boxes::{self, MediaConfig, TrackConfig};
use super::fragmenter::{Fragmenter, Lane};
use super::sample_entries::{audio_media, dim, language, video_media};
use super::selection::{pick, Pick, AUDIO_CODECS, VIDEO_CODECS};
use super::{AudioCarriage, MediaSegment, VIDEO_TIMESCALE};
use crate::codec;
use crate::codec::av1::Av1Config;
use crate::codec::h264::AvcConfig;
use crate::codec::vp9::VpConfig;
use crate::error::{Error, Result};
use crate::packet::{Codec, Packet, Track, TrackKind};
use crate::time::{TimeBase, Timestamp};
use crate::timeline::{self, Sample, TrackTimeline};

/// A source track carried into the output.
struct Carried {
    source_id: u32,
    track: Track,
    codec: String,
    timeline: TrackTimeline,
    /// Index of the track's entry in `Remuxer::configs`.
    config: usize,
    /// Added to every output decode time so that media time starts at or after 0; the edit
    /// list then starts the presentation that much later (encoder priming: Opus pre-skip, an
    /// MP4 source's edit for MP3/AAC encoder delay). Fixed at the first packet; see
    /// [`Remuxer::fix_shift`].
    shift: Option<i64>,
}

/// Turns the packets of the playable tracks into fragmented MP4.
pub struct Remuxer {
    video: Option<Carried>,
    audio: Option<Carried>,
    configs: Vec<TrackConfig>,
    skipped: Vec<String>,
    fragmenter: Fragmenter,
    /// Leading video packets before the first key frame are dropped.
    seen_video_key: bool,
    /// The VP9 or AV1 track has no configuration record: it is read from the first key frame.
    config_from_key_frame: bool,
    /// Whether [`init_segment`](Self::init_segment) has been called: the edit list is final.
    init_written: Cell<bool>,
    /// The audio track goes apart as raw MP3 ([`AudioCarriage::Apart`]): not in the init
    /// segment nor in the MSE type.
    audio_apart: bool,
    /// Packets pushed before the init segment was written (bounded by
    /// [`MAX_PACKETS_BEFORE_INIT`]).
    packets_before_init: u32,
    scratch: Vec<Sample>,
    packets: u64,
}

/// Most packets [`Remuxer::wants_packets_before_init`] asks for before the init segment has
/// to be written anyway (an audio track that starts late, a VP9 track without key frame).
pub const MAX_PACKETS_BEFORE_INIT: u32 = 200;

impl Remuxer {
    /// Chooses the tracks to carry (the first playable video and audio track, preferring
    /// default-flagged ones) from `tracks`. Errors with `Unsupported` naming the codecs if
    /// none is playable.
    pub fn new(tracks: &[Track]) -> Result<Self> {
        Self::with_selection(tracks, Pick::Default, Pick::Default)
    }

    /// Carries the video and audio tracks `video` and `audio` say (see [`Pick`]). Errors with
    /// `Unsupported` if a chosen track cannot be carried, or if nothing is left to carry.
    pub fn with_selection(tracks: &[Track], video: Pick, audio: Pick) -> Result<Self> {
        Self::with_carriage(tracks, video, audio, AudioCarriage::InMp4)
    }

    /// [`with_selection`](Self::with_selection), with the audio carried as `carriage` says
    /// (apart only applies to MP3).
    pub fn with_carriage(
        tracks: &[Track],
        video: Pick,
        audio: Pick,
        carriage: AudioCarriage,
    ) -> Result<Self> {
        let mut skipped = Vec::new();
        let video = pick(tracks, TrackKind::Video, &VIDEO_CODECS, video, &mut skipped)?;
        let audio = pick(tracks, TrackKind::Audio, &AUDIO_CODECS, audio, &mut skipped)?;
        if video.is_none() && audio.is_none() {
            return Err(Error::unsupported(if skipped.is_empty() {
                "the file has no video or audio track".to_string()
            } else {
                skipped.join("; ")
            }));
        }
        let mut configs = Vec::new();
        let mut video_lane = None;
        let mut config_from_key_frame = false;
        let video = match video {
            Some((t, codec)) => {
                let tb = TimeBase::new(1, VIDEO_TIMESCALE);
                configs.push(TrackConfig {
                    track_id: 1,
                    timescale: VIDEO_TIMESCALE,
                    language: language(t),
                    edit_media_time: 0,
                    media: video_media(t)?,
                    rotation: t.video.unwrap_or_default().rotation,
                    colour: t.video.and_then(|v| v.colour),
                });
                config_from_key_frame =
                    matches!(t.codec, Codec::Vp9 | Codec::Av1) && t.codec_private.is_empty();
                let mut lane = Lane::new(1, tb);
                if t.codec == Codec::H264 {
                    lane.h264_nal_length = AvcConfig::parse(&t.codec_private)
                        .ok()
                        .map(|c| c.nal_length_size);
                }
                video_lane = Some(lane);
                Some(Carried {
                    source_id: t.id,
                    track: t.clone(),
                    codec,
                    timeline: TrackTimeline::video(t.time_base, tb, t.default_duration),
                    config: configs.len() - 1,
                    shift: Some(0),
                })
            }
            None => None,
        };
        let mut audio_lane = None;
        let audio_apart = carriage == AudioCarriage::Apart
            && audio.as_ref().is_some_and(|(t, _)| t.codec == Codec::Mp3);
        let audio = match audio {
            Some((t, codec)) => {
                let (media, timescale, frame) = audio_media(t)?;
                let tb = TimeBase::new(1, timescale.max(1));
                let id = configs.len() as u32 + 1;
                let pre_skip = match &media {
                    MediaConfig::Opus { pre_skip, .. } => *pre_skip as u32,
                    _ => 0,
                };
                configs.push(TrackConfig {
                    track_id: id,
                    timescale: timescale.max(1),
                    language: language(t),
                    edit_media_time: pre_skip,
                    media,
                    rotation: Default::default(),
                    colour: None,
                });
                let mut lane = Lane::new(id, tb);
                lane.apart = audio_apart;
                audio_lane = Some(lane);
                Some(Carried {
                    source_id: t.id,
                    track: t.clone(),
                    codec: match carriage {
                        AudioCarriage::Mp3InMp4As(name) if t.codec == Codec::Mp3 => {
                            name.to_string()
                        }
                        _ => codec,
                    },
                    timeline: TrackTimeline::audio(t.time_base, tb, frame),
                    config: configs.len() - 1,
                    // Apart there is no edit list: times stay the source's, and the
                    // fragmenter's common shift keeps them at or after 0 with the video.
                    shift: audio_apart.then_some(0),
                })
            }
            None => None,
        };
        Ok(Remuxer {
            video,
            audio,
            configs,
            skipped,
            fragmenter: Fragmenter::new(video_lane, audio_lane),
            seen_video_key: false,
            config_from_key_frame,
            init_written: Cell::new(false),
            audio_apart,
            packets_before_init: 0,
            scratch: Vec::new(),
            packets: 0,
        })
    }

    /// Whether the init segment should wait for more packets: the first video key frame of a
    /// VP9 track without configuration record (profile and bit depth come from the frame), or
    /// the first audio packet (whether it starts before zero decides the edit list). Push
    /// packets while this is true; it turns false after [`MAX_PACKETS_BEFORE_INIT`] packets
    /// regardless. [`init_segment`](Self::init_segment) and [`mime`](Self::mime) work
    /// before that too, assuming VP9 profile 0, 8-bit and no audio priming beyond Opus
    /// pre-skip.
    pub fn wants_packets_before_init(&self) -> bool {
        !self.init_written.get()
            && self.packets_before_init < MAX_PACKETS_BEFORE_INIT
            && (self.config_from_key_frame
                || self.audio.as_ref().is_some_and(|a| a.shift.is_none()))
    }

    /// Reads the VP9 or AV1 configuration from the first key frame (see
    /// [`wants_packets_before_init`](Self::wants_packets_before_init)): VP9's uncompressed
    /// header, AV1's sequence header OBU.
    fn configure_from_key_frame(&mut self, frame: &[u8]) {
        self.config_from_key_frame = false;
        let Some(v) = &mut self.video else { return };
        let info = v.track.video.unwrap_or_default();
        let known = |w: u32, h: u32| {
            if info.width > 0 && info.height > 0 {
                (info.width, info.height)
            } else {
                (w, h)
            }
        };
        // On a frame that cannot be read, the assumed configuration stays; the decoder reads
        // the real one from the stream.
        let (media, codec, private) = match v.track.codec {
            Codec::Vp9 => {
                let Ok((c, w, h)) = VpConfig::from_key_frame(frame) else {
                    return;
                };
                let (w, h) = known(w, h);
                let c = c
                    .with_level_for(w, h, codec::frame_rate(&v.track))
                    .with_colour(info.colour.as_ref());
                let media = MediaConfig::Vp9 {
                    width: dim(w),
                    height: dim(h),
                    vpcc: c.to_bytes(),
                };
                (media, c.codec_string(), c.to_bytes())
            }
            Codec::Av1 => {
                let Ok(c) = Av1Config::from_obus(frame) else {
                    return;
                };
                let (w, h) = known(0, 0);
                let media = MediaConfig::Av1 {
                    width: dim(w),
                    height: dim(h),
                    av1c: c.to_bytes(),
                };
                (media, c.codec_string(), c.to_bytes())
            }
            _ => return,
        };
        v.codec = codec;
        v.track.codec_private = private;
        self.configs[v.config].media = media;
    }

    /// Fixes the audio track's shift at its first packet (presentation time `first_pts` in
    /// output ticks). Opus: as [`timeline::priming_shift`] computes it, and before the init
    /// segment is written the edit list takes the shift (its decoder is told the pre-skip
    /// through `dOps` too). Any other codec: no shift and no edit list; audio before 0 (an MP4
    /// source's AAC/MP3 priming frame) stays before 0, and the fragmenter moves every track
    /// later by the same amount and names the start the browser must cut at
    /// ([`MediaSegment::window_start`]): Firefox applies an audio edit list of a frame or more
    /// to the first media segment only, takes the next one's audio for a discontinuity and
    /// drops its video up to the next key frame (docs/DESIGN.md, "Encoder priming").
    fn fix_shift(&mut self, first_pts: i64) {
        let Some(a) = &mut self.audio else { return };
        if a.shift.is_some() {
            return;
        }
        let config = &mut self.configs[a.config];
        if !matches!(config.media, MediaConfig::Opus { .. }) {
            a.shift = Some(0);
            return;
        }
        let shift = timeline::priming_shift(config.edit_media_time, first_pts);
        if !self.init_written.get() {
            config.edit_media_time = shift as u32;
        }
        a.shift = Some(shift);
    }

    /// Adds the audio track's shift (see [`fix_shift`](Self::fix_shift)) to `scratch`.
    fn shift_audio(a: &Carried, scratch: &mut [Sample]) {
        timeline::shift_samples(scratch, a.shift.unwrap_or(0));
    }

    /// The MSE type, e.g. `video/mp4; codecs="avc1.64001f,mp4a.40.2"`; empty when nothing
    /// goes into the MP4 (MP3 alone, carried apart).
    pub fn mime(&self) -> String {
        let audio = if self.audio_apart { &None } else { &self.audio };
        let codecs: Vec<&str> = [&self.video, audio]
            .into_iter()
            .flatten()
            .map(|c| c.codec.as_str())
            .collect();
        if codecs.is_empty() {
            return String::new();
        }
        let kind = if self.video.is_some() {
            "video"
        } else {
            "audio"
        };
        format!("{kind}/mp4; codecs=\"{}\"", codecs.join(","))
    }

    /// The MSE type of the audio carried apart (`audio/mpeg`), if it is.
    pub fn apart_mime(&self) -> Option<&'static str> {
        self.audio_apart.then_some("audio/mpeg")
    }

    /// `ftyp` + `moov` (with `mvex`). The edit lists are final from here on. Without the audio
    /// carried apart; empty when nothing goes into the MP4.
    pub fn init_segment(&self) -> Vec<u8> {
        self.init_written.set(true);
        let apart_id = self
            .audio
            .as_ref()
            .filter(|_| self.audio_apart)
            .map(|a| self.configs[a.config].track_id);
        let configs: Vec<TrackConfig> = self
            .configs
            .iter()
            .filter(|c| Some(c.track_id) != apart_id)
            .cloned()
            .collect();
        if configs.is_empty() {
            return Vec::new();
        }
        boxes::init_segment(&configs)
    }

    /// The source tracks carried into the output (video first).
    pub fn carried_tracks(&self) -> Vec<&Track> {
        [&self.video, &self.audio]
            .into_iter()
            .flatten()
            .map(|c| &c.track)
            .collect()
    }

    /// Why the other video and audio tracks are not carried, in plain words.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// Packets taken into the output so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Fragments (`moof`s) written so far.
    pub fn fragments(&self) -> u32 {
        self.fragmenter.fragments()
    }

    /// Queues a packet; returns a finished fragment when one is cut (see [`fragmenter`]).
    /// Packets of tracks not carried are dropped.
    pub fn push(&mut self, packet: Packet) -> Result<Option<MediaSegment>> {
        let id = packet.track_id;
        if !self.init_written.get() {
            self.packets_before_init = self.packets_before_init.saturating_add(1);
        }
        if self.video.as_ref().is_some_and(|v| v.source_id == id) {
            if let Some(v) = &self.video {
                check_time_range(&packet, v.timeline.in_time_base())?;
            }
            if !self.seen_video_key && !packet.keyframe {
                return Ok(None);
            }
            self.seen_video_key = true;
            if self.config_from_key_frame {
                self.configure_from_key_frame(&packet.data);
            }
            let Some(v) = self.video.as_mut() else {
                return Ok(None);
            };
            self.packets += 1;
            v.timeline.push(packet, &mut self.scratch);
            self.fragmenter.push_video(self.scratch.drain(..));
        } else if let Some(a) = self.audio.as_ref().filter(|a| a.source_id == id) {
            check_time_range(&packet, a.timeline.in_time_base())?;
            let (in_tb, out_tb) = (a.timeline.in_time_base(), a.timeline.out_time_base());
            self.fix_shift(in_tb.rescale(packet.pts.0, out_tb));
            let Some(a) = self.audio.as_mut() else {
                return Ok(None);
            };
            self.packets += 1;
            a.timeline.push(packet, &mut self.scratch);
            Self::shift_audio(a, &mut self.scratch);
            self.fragmenter.push_audio(self.scratch.drain(..));
        } else {
            return Ok(None);
        }
        Ok(self.drain_ready())
    }

    /// Forgets every queued packet and sample, for a seek: the next fragment starts at the
    /// next video key frame pushed, with its own (absolute) decode time.
    pub fn reset(&mut self) {
        self.reset_for(None);
    }

    /// [`reset`](Self::reset) for a seek to `target` (in its time base): the first fragment
    /// after it reaches a little past the target, where the browser resumes (see
    /// [`Fragmenter::reset`]).
    pub fn reset_for(&mut self, target: Option<(Timestamp, TimeBase)>) {
        for c in [&mut self.video, &mut self.audio].into_iter().flatten() {
            c.timeline.reset();
        }
        self.fragmenter.reset(target);
        self.seen_video_key = false;
        self.scratch.clear();
    }

    /// Emits what is still queued, at the end of the stream.
    pub fn finish(&mut self) -> Result<Option<MediaSegment>> {
        if let Some(v) = &mut self.video {
            v.timeline.flush(&mut self.scratch);
            self.fragmenter.push_video(self.scratch.drain(..));
        }
        if let Some(a) = &mut self.audio {
            a.timeline.flush(&mut self.scratch);
            Self::shift_audio(a, &mut self.scratch);
            self.fragmenter.push_audio(self.scratch.drain(..));
        }
        self.fragmenter.end();
        Ok(self.drain_ready())
    }

    /// Every fragment that is ready, joined into one segment.
    fn drain_ready(&mut self) -> Option<MediaSegment> {
        let mut seg = self.fragmenter.next_fragment()?;
        while let Some(next) = self.fragmenter.next_fragment() {
            seg.append(next);
        }
        Some(seg)
    }
}

/// Longest time, in seconds, a timestamp or duration may reach: about 136 years. Anything
/// beyond is damage, and refusing it here keeps every later sum of timestamps (in the timeline
/// and the fragmenter, at up to 90 kHz) far inside `i64`.
const MAX_MEDIA_SECONDS: i64 = 1 << 32;

/// Refuses a packet whose timestamps are outside ±[`MAX_MEDIA_SECONDS`].
fn check_time_range(packet: &Packet, tb: TimeBase) -> Result<()> {
    let secs = TimeBase::new(1, 1);
    let out_of_range =
        |ticks: i64| tb.rescale(ticks, secs).unsigned_abs() > MAX_MEDIA_SECONDS as u64;
    let dur = packet.dur.map_or(0, |d| d.0.min(i64::MAX as u64) as i64);
    if out_of_range(packet.pts.0)
        || packet.dts.is_some_and(|d| out_of_range(d.0))
        || out_of_range(dur)
    {
        return Err(Error::invalid(
            "media",
            format!(
                "track {} has a timestamp of more than {MAX_MEDIA_SECONDS} seconds; the file is damaged",
                packet.track_id
            ),
        ));
    }
    Ok(())
}
