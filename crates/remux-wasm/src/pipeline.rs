//! The whole remux path for one file: probe → demuxer → timeline → fragmenter, driven one
//! step at a time so the caller (the browser player, or the native command) decides when to
//! fetch bytes and when to append.

use crate::demux::{probe, Demuxer, SeekPoint};
use crate::error::Result;
use crate::fmp4::{AudioCarriage, MediaSegment, Pick, Remuxer};
use crate::io::ByteSource;
use crate::packet::{Packet, Track};
use crate::subtitle::{self, Cue};
use crate::time::{Duration, TimeBase, Timestamp};
use crate::transcode::{self, Transcode};

/// The init segment: `ftyp` + `moov`, and the MSE type to create the SourceBuffer with.
#[derive(Clone, Debug, PartialEq)]
pub struct InitSegment {
    /// e.g. `video/mp4; codecs="avc1.64001f,mp4a.40.2"`; empty (and `data` too) when only
    /// audio carried apart plays.
    pub mime: String,
    pub data: Vec<u8>,
    /// The type of the second SourceBuffer for the audio carried apart (`audio/mpeg`, see
    /// [`AudioCarriage::Apart`]); its runs come in [`MediaSegment::audio_apart`].
    pub audio_apart_mime: Option<String>,
}

/// What one call to [`Pipeline::step`] produced.
#[derive(Debug, PartialEq)]
pub enum Step {
    /// The init segment; always the first step, exactly once.
    Init(InitSegment),
    /// A `moof` + `mdat` fragment, in order.
    Segment(MediaSegment),
    /// The end of the stream: every packet has been emitted.
    End,
}

pub struct Pipeline {
    demuxer: Box<dyn Demuxer>,
    remuxer: Remuxer,
    init_sent: bool,
    ended: bool,
    /// Text subtitle tracks: id, format, time base.
    subtitles: Vec<(u32, subtitle::Format, TimeBase)>,
    /// Whether subtitle packets become [`Cue`]s (off by default: nobody would drain them).
    collect_cues: bool,
    /// Cues made since the last [`Pipeline::take_cues`], with their track id.
    cues: Vec<(u32, Cue)>,
    /// A segment the remuxer cut while the init segment still waited for a key frame.
    early: Option<MediaSegment>,
    /// The transcode of the carried audio track, when the browser cannot take its codec
    /// (AC-3, DTS, Vorbis: see [`transcode`]); the remuxer sees its output track instead.
    transcode: Option<Box<dyn Transcode>>,
    /// The transcode's output packets, reused.
    transcoded: Vec<Packet>,
}

/// The remuxer for `tracks` as `video`/`audio` pick, where a track Riptide transcodes counts
/// as its output (FLAC), and the transcode of the audio track it carries, if that needs one.
fn remuxer_for(
    tracks: &[Track],
    video: Pick,
    audio: Pick,
    carriage: AudioCarriage,
) -> Result<(Remuxer, Option<Box<dyn Transcode>>)> {
    let mut stages = Vec::new();
    let view: Vec<Track> = tracks
        .iter()
        .map(|t| match transcode::for_track(t) {
            Some(Ok(stage)) => {
                let out = stage.output().clone();
                stages.push(stage);
                out
            }
            // Not transcodable, or its configuration is unusable: the remuxer names it.
            _ => t.clone(),
        })
        .collect();
    let remuxer = Remuxer::with_carriage(&view, video, audio, carriage)?;
    let carried: Vec<u32> = remuxer.carried_tracks().iter().map(|t| t.id).collect();
    let stage = stages.into_iter().find(|s| carried.contains(&s.output().id));
    Ok((remuxer, stage))
}

impl Pipeline {
    /// Recognises the container and reads its headers. May return `NeedData`: fetch and retry.
    pub fn open(src: &mut dyn ByteSource) -> Result<Self> {
        let demuxer = probe::open(src)?;
        let (remuxer, transcode) =
            remuxer_for(demuxer.tracks(), Pick::Default, Pick::Default, AudioCarriage::InMp4)?;
        let subtitles = demuxer
            .tracks()
            .iter()
            .filter_map(|t| subtitle::Format::of(t).map(|f| (t.id, f, t.time_base)))
            .collect();
        Ok(Pipeline {
            demuxer,
            remuxer,
            init_sent: false,
            ended: false,
            subtitles,
            collect_cues: false,
            cues: Vec::new(),
            early: None,
            transcode,
            transcoded: Vec::new(),
        })
    }

    /// Carries exactly these tracks from now on (`None`: no track of that kind, e.g. a video
    /// played without sound), replacing the default choice made by [`open`](Self::open). The
    /// next [`step`](Self::step) emits a new init segment. Call it before the first step (or
    /// right after a seek); errors with `Unsupported` if a track cannot be carried.
    pub fn select(&mut self, video: Option<u32>, audio: Option<u32>) -> Result<()> {
        self.select_carriage(video, audio, AudioCarriage::InMp4)
    }

    /// [`select`](Self::select), with the audio carried as `carriage` says (MP3 apart, for a
    /// browser that refuses it in MP4).
    pub fn select_carriage(
        &mut self,
        video: Option<u32>,
        audio: Option<u32>,
        carriage: AudioCarriage,
    ) -> Result<()> {
        let pick = |id: Option<u32>| id.map_or(Pick::Nothing, Pick::Track);
        (self.remuxer, self.transcode) =
            remuxer_for(self.demuxer.tracks(), pick(video), pick(audio), carriage)?;
        self.init_sent = false;
        self.early = None;
        Ok(())
    }

    /// If `packet` belongs to a text subtitle track, turns it into a cue (when collecting)
    /// and returns true: it is not for the remuxer.
    fn subtitle_packet(&mut self, packet: &Packet) -> bool {
        let Some((id, format, tb)) = self.subtitles.iter().find(|(id, _, _)| *id == packet.track_id) else {
            return false;
        };
        if self.collect_cues {
            self.cues.extend(subtitle::cue(format, packet, *tb).map(|c| (*id, c)));
        }
        true
    }

    /// Turns the packets of text subtitle tracks into [`Cue`]s, taken with
    /// [`take_cues`](Self::take_cues).
    pub fn collect_cues(&mut self, on: bool) {
        self.collect_cues = on;
    }

    /// The cues made since the last call, each with its `Track::id`, in file order.
    pub fn take_cues(&mut self) -> Vec<(u32, Cue)> {
        std::mem::take(&mut self.cues)
    }

    /// Every track of the file, including those that are not remuxed.
    pub fn tracks(&self) -> &[Track] {
        self.demuxer.tracks()
    }

    /// The file's duration as the container states it.
    pub fn duration(&self) -> Option<(Duration, TimeBase)> {
        self.demuxer.duration()
    }

    /// Bytes per second of media the transcode writes (0 without one): the FLAC of decoded
    /// AC-3 is far larger than the source's audio, and the player's media byte budget must
    /// count it. Estimated at 2 bytes per sample and channel (24-bit FLAC of decoded 5.1 AC-3
    /// at 640 kbit/s: 2.0 on pink noise, 1.2 on test tones; docs/DESIGN.md).
    pub fn transcoded_bytes_per_second(&self) -> f64 {
        self.transcode.as_ref().and_then(|t| t.output().audio).map_or(0.0, |a| {
            2.0 * a.channels as f64 * a.sample_rate as f64
        })
    }

    /// The remuxer (which tracks it carries, its MSE type).
    pub fn remuxer(&self) -> &Remuxer {
        &self.remuxer
    }

    /// Moves to the video key frame at or before `target` (in `time_base`): the next
    /// [`step`](Self::step) yields a segment starting there and reaching a little past
    /// `target` (where the browser resumes playing), with absolute decode times, so
    /// segments appended before the seek stay valid. The init segment is not repeated (if it
    /// was not sent yet, it still comes first). `Err(NeedData)` leaves the pipeline unchanged
    /// (e.g. the MKV Cues are not fetched yet): fetch the range and call again.
    pub fn seek(
        &mut self,
        src: &mut dyn ByteSource,
        target: Timestamp,
        time_base: TimeBase,
    ) -> Result<SeekPoint> {
        let point = self.demuxer.seek(src, target, time_base)?;
        self.remuxer.reset_for(Some((target, time_base)));
        if let Some(t) = &mut self.transcode {
            t.reset();
        }
        self.ended = false;
        Ok(point)
    }

    /// Hands `packet` to the remuxer, through the transcode if it is of the transcoded track.
    fn feed(&mut self, packet: Packet) -> Result<Option<MediaSegment>> {
        let Some(stage) = self.transcode.as_mut().filter(|t| t.output().id == packet.track_id) else {
            return self.remuxer.push(packet);
        };
        stage.push(packet, &mut self.transcoded)?;
        let mut seg: Option<MediaSegment> = None;
        for p in std::mem::take(&mut self.transcoded) {
            if let Some(s) = self.remuxer.push(p)? {
                match &mut seg {
                    Some(e) => e.append(s),
                    None => seg = Some(s),
                }
            }
        }
        Ok(seg)
    }

    /// Produces the next output. `Err(NeedData)` leaves the pipeline unchanged: fetch the
    /// range and call again.
    pub fn step(&mut self, src: &mut dyn ByteSource) -> Result<Step> {
        if !self.init_sent {
            // Read the first packets before writing the init segment when the remuxer asks:
            // VP9 without a configuration record (its profile and bit depth come from the first
            // key frame) and audio that starts before zero (its edit list). Bounded by the
            // remuxer; at the end of the stream the loop stops and the next step sees the end.
            while self.remuxer.wants_packets_before_init() {
                let Some(packet) = self.demuxer.next_packet(src)? else {
                    break;
                };
                if self.subtitle_packet(&packet) {
                    continue;
                }
                if let Some(seg) = self.feed(packet)? {
                    match &mut self.early {
                        Some(e) => e.append(seg),
                        None => self.early = Some(seg),
                    }
                }
            }
            self.init_sent = true;
            return Ok(Step::Init(InitSegment {
                mime: self.remuxer.mime(),
                data: self.remuxer.init_segment(),
                audio_apart_mime: self.remuxer.apart_mime().map(String::from),
            }));
        }
        if let Some(seg) = self.early.take() {
            return Ok(Step::Segment(seg));
        }
        if self.ended {
            return Ok(Step::End);
        }
        loop {
            match self.demuxer.next_packet(src)? {
                Some(packet) => {
                    if self.subtitle_packet(&packet) {
                        continue;
                    }
                    if let Some(seg) = self.feed(packet)? {
                        return Ok(Step::Segment(seg));
                    }
                }
                None => {
                    self.ended = true;
                    return Ok(match self.remuxer.finish()? {
                        Some(seg) => Step::Segment(seg),
                        None => Step::End,
                    });
                }
            }
        }
    }
}

/// The notice for a file whose media stops well before the length its header states (a
/// download cut off, a file truncated in the middle): `None` when it reached its stated length
/// (within 2 s: headers round, and the last frames' durations are not in every format).
/// Without it, the viewer sees the film stop with nothing said.
pub fn cut_off_notice(stated_secs: f64, reached_secs: f64) -> Option<String> {
    if !(stated_secs.is_finite() && reached_secs.is_finite()) || reached_secs + 2.0 >= stated_secs {
        return None;
    }
    let clock = |s: f64| {
        let s = s.max(0.0) as u64;
        format!("{}:{:02}", s / 60, s % 60)
    };
    Some(format!(
        "This file stops at {} of its {}: the rest of it is missing (the file was cut off).",
        clock(reached_secs),
        clock(stated_secs)
    ))
}

#[cfg(test)]
mod tests {
    use super::cut_off_notice;

    #[test]
    fn a_file_cut_off_says_where_it_stops() {
        assert_eq!(
            cut_off_notice(600.0, 185.4).as_deref(),
            Some("This file stops at 3:05 of its 10:00: the rest of it is missing (the file was cut off).")
        );
        // Reached its length, or nearly (rounding, a last frame's duration): nothing to say.
        assert_eq!(cut_off_notice(10.0, 10.0), None);
        assert_eq!(cut_off_notice(10.0, 8.5), None);
        assert_eq!(cut_off_notice(f64::NAN, 3.0), None);
    }
}
