//! The whole remux path for one file: probe → demuxer → timeline → fragmenter, driven one
//! step at a time so the caller (the browser player, or the native command) decides when to
//! fetch bytes and when to append.

use crate::demux::SeekTarget;
use crate::demux::{probe, Demuxer, SeekPoint};
use crate::error::Result;
use crate::fmp4::{AudioCarriage, MediaSegment, Pick, Remuxer};
use crate::io::ByteSource;
use crate::packet::{Packet, Track};
use crate::subtitle::{self, Cue};
use crate::time::{Duration, TimeBase, Timestamp};
use crate::transcode::mpeg4_video::I420Frame;
use crate::transcode::video::{EncodedChunk, VideoTranscode};
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
    /// Decoded video frames for the browser's encoder (a transcoded video track: Xvid). The
    /// caller encodes them and gives the encoder's output back through
    /// [`Pipeline::push_encoded`].
    Frames(VideoFrames),
    /// The end of the stream: every packet has been emitted.
    End,
}

/// Frames of [`Step::Frames`].
#[derive(Debug, PartialEq)]
pub struct VideoFrames {
    /// In display order.
    pub frames: Vec<I420Frame>,
    /// The time base of the frames' `pts`.
    pub time_base: TimeBase,
    /// Frames per second, for the encoder's rate control.
    pub frame_rate: f64,
    /// The last frames of the stream: flush the encoder before giving its output back.
    pub last: bool,
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
    /// Whether an MPEG-4 Part 2 video track may be played re-encoded by the browser (set by a
    /// player that has WebCodecs: [`encode_video`](Self::encode_video)).
    encode_video: bool,
    /// The transcode of the carried video track (MPEG-4 Part 2 → the browser's H.264).
    video: Option<VideoTranscode>,
    /// The video decoder was flushed at the end of the stream.
    video_flushed: bool,
    /// Packets for the remuxer while the encoder's configuration is not known yet (the
    /// remuxer is rebuilt with it before they go in).
    held: Vec<Packet>,
    /// What the remuxer was built with, to rebuild it once the encoder's avcC is known.
    picks: (Pick, Pick, AudioCarriage),
}

/// A remuxer with the audio and video transcodes of the tracks it carries.
type Stages = (Remuxer, Option<Box<dyn Transcode>>, Option<VideoTranscode>);

/// The remuxer for `tracks` as `video`/`audio` pick, where a track Riptide transcodes counts
/// as its output (FLAC; H.264 for MPEG-4 Part 2 video when `encode_video`), and the
/// transcodes of the audio and video tracks it carries, if they need one.
fn remuxer_for(
    tracks: &[Track],
    video: Pick,
    audio: Pick,
    carriage: AudioCarriage,
    encode_video: bool,
) -> Result<Stages> {
    let mut stages = Vec::new();
    let mut video_stages = Vec::new();
    let view: Vec<Track> = tracks
        .iter()
        .map(|t| match transcode::for_track(t) {
            Some(Ok(stage)) => {
                let out = stage.output().clone();
                stages.push(stage);
                out
            }
            // Not transcodable, or its configuration is unusable: the remuxer names it.
            _ => match VideoTranscode::for_track(t).filter(|_| encode_video) {
                Some(Ok(stage)) => {
                    let out = stage.output().clone();
                    video_stages.push(stage);
                    out
                }
                _ => t.clone(),
            },
        })
        .collect();
    let remuxer = Remuxer::with_carriage(&view, video, audio, carriage)?;
    let carried: Vec<u32> = remuxer.carried_tracks().iter().map(|t| t.id).collect();
    let stage = stages.into_iter().find(|s| carried.contains(&s.output().id));
    let video_stage = video_stages.into_iter().find(|s| carried.contains(&s.output().id));
    Ok((remuxer, stage, video_stage))
}

impl Pipeline {
    /// Recognises the container and reads its headers. May return `NeedData`: fetch and retry.
    pub fn open(src: &mut dyn ByteSource) -> Result<Self> {
        Self::open_encoding(src, false)
    }

    /// [`open`](Self::open) for a caller that can encode video ([`encode_video`](Self::encode_video)
    /// from the start): a file whose only track is Xvid opens instead of being refused.
    pub fn open_encoding(src: &mut dyn ByteSource, encode_video: bool) -> Result<Self> {
        let demuxer = probe::open(src)?;
        let picks = (Pick::Default, Pick::Default, AudioCarriage::InMp4);
        let (remuxer, transcode, video) =
            remuxer_for(demuxer.tracks(), picks.0, picks.1, picks.2, encode_video)?;
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
            encode_video,
            video,
            video_flushed: false,
            held: Vec::new(),
            picks,
        })
    }

    /// Lets an MPEG-4 Part 2 (Xvid, DivX) video track play, decoded here and re-encoded by
    /// the caller ([`Step::Frames`], [`push_encoded`](Self::push_encoded)): a player with
    /// WebCodecs `VideoEncoder` says so before [`select`](Self::select). Off by default.
    pub fn encode_video(&mut self, on: bool) {
        self.encode_video = on;
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
        self.picks = (pick(video), pick(audio), carriage);
        (self.remuxer, self.transcode, self.video) = remuxer_for(
            self.demuxer.tracks(),
            self.picks.0,
            self.picks.1,
            carriage,
            self.encode_video,
        )?;
        self.init_sent = false;
        self.early = None;
        self.held.clear();
        self.video_flushed = false;
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
    /// at 640 kbit/s: 2.0 on pink noise, 1.2 on test tones; docs/DESIGN.md). Re-encoded video
    /// (Xvid) counts at the bitrate the encoder is asked for.
    pub fn transcoded_bytes_per_second(&self) -> f64 {
        let audio = self.transcode.as_ref().and_then(|t| t.output().audio).map_or(0.0, |a| {
            2.0 * a.channels as f64 * a.sample_rate as f64
        });
        audio + self.video.as_ref().map_or(0.0, VideoTranscode::output_bytes_per_second)
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
        let point = self.demuxer.seek(src, SeekTarget::new(target, time_base))?;
        self.remuxer.reset_for(Some((target, time_base)));
        if let Some(t) = &mut self.transcode {
            t.reset();
        }
        if let Some(v) = &mut self.video {
            // The frames after a seek start at the key frame it lands on (B-VOPs shown
            // before it are dropped: their anchor is in the GOP before).
            v.reset()?;
        }
        self.video_flushed = false;
        self.ended = false;
        Ok(point)
    }

    /// Reads the index a seek needs (MKV Cues, AVI idx1) ahead of the first seek, so that seek
    /// needs only the bytes at its target (see [`Demuxer::load_index`]): `NeedData` until
    /// those bytes are in; the reading position does not move.
    pub fn load_index(&mut self, src: &mut dyn ByteSource) -> Result<()> {
        self.demuxer.load_index(src)
    }

    /// Hands `packet` to the remuxer, through the transcode if it is of the transcoded track;
    /// a packet of the transcoded video goes to its decoder (its frames come out as
    /// [`Step::Frames`]).
    fn feed(&mut self, packet: Packet) -> Result<Option<MediaSegment>> {
        if let Some(v) = self.video.as_mut().filter(|v| v.output().id == packet.track_id) {
            v.push(&packet)?;
            return Ok(None);
        }
        let Some(stage) = self.transcode.as_mut().filter(|t| t.output().id == packet.track_id) else {
            return self.send_to_remuxer(packet);
        };
        stage.push(packet, &mut self.transcoded)?;
        let mut seg: Option<MediaSegment> = None;
        for p in std::mem::take(&mut self.transcoded) {
            if let Some(s) = self.send_to_remuxer(p)? {
                match &mut seg {
                    Some(e) => e.append(s),
                    None => seg = Some(s),
                }
            }
        }
        Ok(seg)
    }

    /// Pushes `packet` into the remuxer, or holds it while the remuxer waits for the video
    /// encoder's configuration.
    fn send_to_remuxer(&mut self, packet: Packet) -> Result<Option<MediaSegment>> {
        if self.awaiting_config() {
            self.held.push(packet);
            return Ok(None);
        }
        self.remuxer.push(packet)
    }

    /// The transcoded video's encoder has not given its configuration (avcC) yet.
    fn awaiting_config(&self) -> bool {
        self.video.as_ref().is_some_and(|v| !v.has_config())
    }

    /// Decoded frames waiting for the encoder, if any.
    fn take_frames(&mut self, last: bool) -> Option<VideoFrames> {
        let v = self.video.as_mut()?;
        let frames = v.take_frames();
        (last || !frames.is_empty()).then(|| VideoFrames {
            frames,
            time_base: v.source_time_base(),
            frame_rate: v.frame_rate(),
            last,
        })
    }

    /// At the end of the stream: the frames the video decoder still holds, once.
    fn finish_video(&mut self) -> Option<VideoFrames> {
        if self.video_flushed {
            return None;
        }
        self.video.as_mut()?.finish();
        self.video_flushed = true;
        self.take_frames(true)
    }

    /// The browser encoder's output for the frames of [`Step::Frames`], in its order, with its
    /// configuration (`decoderConfig.description`, the avcC) once known: the chunks become
    /// packets of the transcoded video track. The segments they complete come out of the
    /// next steps.
    pub fn push_encoded(&mut self, chunks: Vec<EncodedChunk>, config: Option<Vec<u8>>) -> Result<()> {
        let Some(v) = self.video.as_mut() else {
            return Ok(());
        };
        if !v.has_config() {
            let Some(avcc) = config else {
                // No output yet (the encoder's first frames are still in it).
                return Ok(());
            };
            v.set_config(avcc);
            // The remuxer was built with the provisional avcC and nothing was pushed into it:
            // rebuild it with the real one, then let the held packets in.
            let view: Vec<Track> = self
                .demuxer
                .tracks()
                .iter()
                .map(|t| match (&self.video, &self.transcode) {
                    (Some(v), _) if v.output().id == t.id => v.output().clone(),
                    (_, Some(a)) if a.output().id == t.id => a.output().clone(),
                    _ => t.clone(),
                })
                .collect();
            let (video, audio, carriage) = self.picks;
            self.remuxer = Remuxer::with_carriage(&view, video, audio, carriage)?;
            for p in std::mem::take(&mut self.held) {
                self.collect(p)?;
            }
        }
        for chunk in chunks {
            let p = self.video.as_mut().map(|v| v.packet(chunk));
            if let Some(p) = p {
                self.collect(p)?;
            }
        }
        Ok(())
    }

    /// Pushes `packet` into the remuxer; a segment it completes waits for the next step.
    fn collect(&mut self, packet: Packet) -> Result<()> {
        if let Some(seg) = self.remuxer.push(packet)? {
            match &mut self.early {
                Some(e) => e.append(seg),
                None => self.early = Some(seg),
            }
        }
        Ok(())
    }

    /// Produces the next output. `Err(NeedData)` leaves the pipeline unchanged: fetch the
    /// range and call again.
    pub fn step(&mut self, src: &mut dyn ByteSource) -> Result<Step> {
        if !self.init_sent {
            // Read the first packets before writing the init segment when the remuxer asks:
            // VP9 without a configuration record (its profile and bit depth come from the first
            // key frame) and audio that starts before zero (its edit list). Bounded by the
            // remuxer; at the end of the stream the loop stops and the next step sees the end.
            // The transcoded video's init segment waits for the encoder's avcC: the frames go
            // out to be encoded first.
            while self.remuxer.wants_packets_before_init() || self.awaiting_config() {
                if let Some(frames) = self.take_frames(false) {
                    return Ok(Step::Frames(frames));
                }
                let Some(packet) = self.demuxer.next_packet(src)? else {
                    if let Some(frames) = self.finish_video() {
                        return Ok(Step::Frames(frames));
                    }
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
            if let Some(frames) = self.take_frames(false) {
                return Ok(Step::Frames(frames));
            }
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
                    if let Some(frames) = self.finish_video() {
                        return Ok(Step::Frames(frames));
                    }
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
