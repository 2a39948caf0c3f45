//! The whole remux path for one file: probe → demuxer → timeline → fragmenter, driven one
//! step at a time so the caller (the browser player, or the native command) decides when to
//! fetch bytes and when to append.

use crate::demux::{probe, Demuxer, SeekPoint};
use crate::error::Result;
use crate::fmp4::{MediaSegment, Remuxer};
use crate::io::ByteSource;
use crate::packet::Track;
use crate::time::{Duration, TimeBase, Timestamp};

/// The init segment: `ftyp` + `moov`, and the MSE type to create the SourceBuffer with.
#[derive(Clone, Debug, PartialEq)]
pub struct InitSegment {
    /// e.g. `video/mp4; codecs="avc1.64001f,mp4a.40.2"`.
    pub mime: String,
    pub data: Vec<u8>,
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
    /// A segment the remuxer cut while the init segment still waited for a key frame.
    early: Option<MediaSegment>,
}

impl Pipeline {
    /// Recognises the container and reads its headers. May return `NeedData`: fetch and retry.
    pub fn open(src: &mut dyn ByteSource) -> Result<Self> {
        let demuxer = probe::open(src)?;
        let remuxer = Remuxer::new(demuxer.tracks())?;
        Ok(Pipeline {
            demuxer,
            remuxer,
            init_sent: false,
            ended: false,
            early: None,
        })
    }

    /// Every track of the file, including those that are not remuxed.
    pub fn tracks(&self) -> &[Track] {
        self.demuxer.tracks()
    }

    /// The file's duration as the container states it.
    pub fn duration(&self) -> Option<(Duration, TimeBase)> {
        self.demuxer.duration()
    }

    /// The remuxer (which tracks it carries, its MSE type).
    pub fn remuxer(&self) -> &Remuxer {
        &self.remuxer
    }

    /// Moves to the video key frame at or before `target` (in `time_base`): the next
    /// [`step`](Self::step) yields a segment starting there, with absolute decode times, so
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
        self.remuxer.reset();
        self.ended = false;
        Ok(point)
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
                if let Some(seg) = self.remuxer.push(packet)? {
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
                    if let Some(seg) = self.remuxer.push(packet)? {
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
