//! Fragmented MP4 output: the init segment and `moof`+`mdat` media segments.
//!
//! [`boxes`] writes the boxes (one function per box), [`fragmenter`] decides where to cut,
//! and [`Remuxer`] ties them to the [`timeline`](crate::timeline) that repairs timestamps.
//! The output is one combined fMP4: both tracks in one `moov`, each `moof` holding a `traf`
//! per track that has samples in it. Video is track 1 (90 kHz timescale), audio the next
//! track (its sample rate as timescale: the AAC core rate, 48 kHz for Opus).
//!
//! Carried: H.264 (`avc1`), HEVC (`hvc1`/`hev1`), VP9 (`vp09`), AV1 (`av01`); AAC and MP3
//! (`mp4a`, object types 0x40 and 0x6B/0x69), Opus (`Opus` + `dOps`, pre-skip as an edit
//! list), FLAC (`fLaC` + `dfLa`). VP8 and Vorbis are refused in plain words: Chromium's MSE
//! takes them only in WebM.

pub mod boxes;
pub mod fragmenter;
mod remuxer;
mod sample_entries;
mod selection;

pub use remuxer::{Remuxer, MAX_PACKETS_BEFORE_INIT};
pub use selection::{Pick, AUDIO_CODECS, VIDEO_CODECS};

use crate::time::{TimeBase, Timestamp};

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
    /// The audio carried apart ([`AudioCarriage::Apart`]), in order; empty otherwise. `data`
    /// is then the video alone (or empty, for a file without video).
    pub audio_apart: Vec<AudioRun>,
    /// When the stream's tracks were all moved later (see `fragmenter`; fixed at its first
    /// fragment, told with every segment): where the presentation starts, in seconds. The
    /// player sets every SourceBuffer's `appendWindowStart` to it before appending, so what the
    /// source presents before 0 (an AAC priming frame) is cut by the browser, as an edit list
    /// would.
    pub window_start: Option<f64>,
}

/// Raw MP3 frames back to back, without gaps from `start` to `end` (presentation times): one
/// append to an `audio/mpeg` SourceBuffer whose `timestampOffset` is set to `start` first
/// (the MPEG audio byte stream carries no timestamps).
#[derive(Clone, Debug, PartialEq)]
pub struct AudioRun {
    pub data: Vec<u8>,
    pub start: Timestamp,
    pub end: Timestamp,
    pub time_base: TimeBase,
}

/// How the audio track is carried.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AudioCarriage {
    /// In the fragmented MP4, next to the video (one SourceBuffer).
    #[default]
    InMp4,
    /// MP3 only: apart, as [`AudioRun`]s of raw frames for an `audio/mpeg` SourceBuffer (for
    /// browsers that refuse MP3 in MP4, like Chromium). Other codecs stay in the MP4.
    Apart,
    /// MP3 only: in the fragmented MP4 as [`InMp4`](Self::InMp4), but named in the MSE type
    /// by this codec string instead of `mp4a.6B` (the name the browser takes, e.g. Firefox's
    /// `mp3`; see `track_choice::MP3_IN_MP4`). The bytes are the same. Other codecs ignore it.
    Mp3InMp4As(&'static str),
}

impl MediaSegment {
    /// Appends `next` (a later fragment) to this one.
    pub(crate) fn append(&mut self, next: MediaSegment) {
        self.data.extend_from_slice(&next.data);
        self.window_start = self.window_start.or(next.window_start);
        for run in next.audio_apart {
            match self.audio_apart.last_mut() {
                Some(last) if last.end == run.start && last.time_base == run.time_base => {
                    last.data.extend_from_slice(&run.data);
                    last.end = run.end;
                }
                _ => self.audio_apart.push(run),
            }
        }
        self.start = self.start.min(next.start);
        self.end = self.end.max(next.end);
        self.source_pos = self.source_pos.min(next.source_pos);
    }
}

#[cfg(test)]
mod tests;
