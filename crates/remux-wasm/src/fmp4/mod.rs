//! Fragmented MP4 output: the init segment and `moof`+`mdat` media segments.
//!
//! [`boxes`] writes the boxes (one function per box), [`fragmenter`] decides where to cut,
//! and [`Remuxer`] ties them to the [`timeline`](crate::timeline) that repairs timestamps.
//! The output is one combined fMP4: both tracks in one `moov`, each `moof` holding a `traf`
//! per track that has samples in it. Video is track 1 (90 kHz timescale), audio the next
//! track (the AAC core sample rate as timescale).

pub mod boxes;
pub mod fragmenter;

use boxes::{MediaConfig, TrackConfig};
use fragmenter::{Fragmenter, Lane};

use crate::codec::h264::{parse_sps, AvcConfig};
use crate::codec::{self, aac::AudioSpecificConfig};
use crate::error::{Error, Result};
use crate::packet::{Codec, Packet, Track, TrackKind};
use crate::time::{TimeBase, Timestamp};
use crate::timeline::{Sample, TrackTimeline};

/// Timescale of the video track: 90 kHz holds MKV milliseconds and common frame rates exactly.
pub const VIDEO_TIMESCALE: u32 = 90_000;

/// One `moof` + `mdat` fragment (or, at the end of the stream, several in a row).
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

impl MediaSegment {
    /// Appends `next` (a later fragment) to this one.
    fn append(&mut self, next: MediaSegment) {
        self.data.extend_from_slice(&next.data);
        self.start = self.start.min(next.start);
        self.end = self.end.max(next.end);
        self.source_pos = self.source_pos.min(next.source_pos);
    }
}

/// A source track carried into the output.
struct Carried {
    source_id: u32,
    track: Track,
    codec: String,
    timeline: TrackTimeline,
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
    scratch: Vec<Sample>,
    packets: u64,
}

/// ISO 639-2/T code of `track`, or `und`.
fn language(track: &Track) -> [u8; 3] {
    match track.language.as_deref().map(str::as_bytes) {
        Some(&[a, b, c]) if [a, b, c].iter().all(u8::is_ascii_lowercase) => [a, b, c],
        _ => *b"und",
    }
}

/// The first track of `kind` with `codec` that `mse_codec` accepts, default-flagged first.
/// Reasons for the tracks of that kind that cannot be carried go to `skipped`.
fn pick<'a>(
    tracks: &'a [Track],
    kind: TrackKind,
    want: Codec,
    skipped: &mut Vec<String>,
) -> Option<(&'a Track, String)> {
    let mut playable = Vec::new();
    for t in tracks.iter().filter(|t| t.kind == kind) {
        if t.codec != want {
            skipped.push(codec::describe_unsupported(t));
            continue;
        }
        match codec::mse_codec(t) {
            Ok(c) => playable.push((t, c)),
            Err(e) => skipped.push(format!("track {}: {e}", t.id)),
        }
    }
    let i = playable.iter().position(|(t, _)| t.default).unwrap_or(0);
    (!playable.is_empty()).then(|| playable.swap_remove(i))
}

impl Remuxer {
    /// Chooses the tracks to carry (the first playable video and audio track, preferring
    /// default-flagged ones) from `tracks`. Errors with `Unsupported` naming the codecs if
    /// none is playable.
    pub fn new(tracks: &[Track]) -> Result<Self> {
        let mut skipped = Vec::new();
        let video = pick(tracks, TrackKind::Video, Codec::H264, &mut skipped);
        let audio = pick(tracks, TrackKind::Audio, Codec::Aac, &mut skipped);
        if video.is_none() && audio.is_none() {
            return Err(Error::unsupported(if skipped.is_empty() {
                "the file has no video or audio track".to_string()
            } else {
                skipped.join("; ")
            }));
        }
        let mut configs = Vec::new();
        let mut video_lane = None;
        let video = match video {
            Some((t, codec)) => {
                let mut v = t.video.unwrap_or_default();
                if v.width == 0 || v.height == 0 {
                    // The container did not say: read the size from the SPS.
                    let sps = AvcConfig::parse(&t.codec_private)
                        .ok()
                        .and_then(|c| c.sps.first().and_then(|s| parse_sps(s).ok()));
                    if let Some(sps) = sps {
                        (v.width, v.height) = (sps.width, sps.height);
                    }
                }
                let tb = TimeBase::new(1, VIDEO_TIMESCALE);
                configs.push(TrackConfig {
                    track_id: 1,
                    timescale: VIDEO_TIMESCALE,
                    language: language(t),
                    media: MediaConfig::Avc {
                        width: v.width.min(u16::MAX as u32) as u16,
                        height: v.height.min(u16::MAX as u32) as u16,
                        avcc: t.codec_private.clone(),
                    },
                });
                video_lane = Some(Lane::new(1, tb));
                Some(Carried {
                    source_id: t.id,
                    track: t.clone(),
                    codec,
                    timeline: TrackTimeline::video(t.time_base, tb, t.default_duration),
                })
            }
            None => None,
        };
        let mut audio_lane = None;
        let audio = match audio {
            Some((t, codec)) => {
                let asc_bytes = codec::aac_config_bytes(t)?;
                let asc = AudioSpecificConfig::parse(&asc_bytes)?;
                let channels = match asc.channels {
                    0 => t.audio.map_or(2, |a| a.channels),
                    c => c as u16,
                };
                let tb = TimeBase::new(1, asc.sample_rate);
                let id = configs.len() as u32 + 1;
                configs.push(TrackConfig {
                    track_id: id,
                    timescale: asc.sample_rate,
                    language: language(t),
                    media: MediaConfig::Aac {
                        sample_rate: asc.sample_rate,
                        channels,
                        asc: asc_bytes,
                    },
                });
                audio_lane = Some(Lane::new(id, tb));
                Some(Carried {
                    source_id: t.id,
                    track: t.clone(),
                    codec,
                    timeline: TrackTimeline::audio(t.time_base, tb, asc.frame_length),
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
            scratch: Vec::new(),
            packets: 0,
        })
    }

    /// The MSE type, e.g. `video/mp4; codecs="avc1.64001f,mp4a.40.2"`.
    pub fn mime(&self) -> String {
        let codecs: Vec<&str> = [&self.video, &self.audio]
            .into_iter()
            .flatten()
            .map(|c| c.codec.as_str())
            .collect();
        let kind = if self.video.is_some() {
            "video"
        } else {
            "audio"
        };
        format!("{kind}/mp4; codecs=\"{}\"", codecs.join(","))
    }

    /// `ftyp` + `moov` (with `mvex`).
    pub fn init_segment(&self) -> Vec<u8> {
        boxes::init_segment(&self.configs)
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

    /// Queues a packet; returns a finished fragment when one is cut (at a video key frame).
    /// Packets of tracks not carried are dropped.
    pub fn push(&mut self, packet: Packet) -> Result<Option<MediaSegment>> {
        let id = packet.track_id;
        if let Some(v) = self.video.as_mut().filter(|v| v.source_id == id) {
            check_time_range(&packet, v.timeline.in_time_base())?;
            if !self.seen_video_key && !packet.keyframe {
                return Ok(None);
            }
            self.seen_video_key = true;
            self.packets += 1;
            v.timeline.push(packet, &mut self.scratch);
            self.fragmenter.push_video(self.scratch.drain(..));
        } else if let Some(a) = self.audio.as_mut().filter(|a| a.source_id == id) {
            check_time_range(&packet, a.timeline.in_time_base())?;
            self.packets += 1;
            a.timeline.push(packet, &mut self.scratch);
            self.fragmenter.push_audio(self.scratch.drain(..));
        } else {
            return Ok(None);
        }
        Ok(self.drain_ready())
    }

    /// Forgets every queued packet and sample, for a seek: the next fragment starts at the
    /// next video key frame pushed, with its own (absolute) decode time.
    pub fn reset(&mut self) {
        for c in [&mut self.video, &mut self.audio].into_iter().flatten() {
            c.timeline.reset();
        }
        self.fragmenter.reset();
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

#[cfg(test)]
mod tests;

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
