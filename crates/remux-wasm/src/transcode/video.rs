//! The video transcode stage: MPEG-4 Part 2 packets in, H.264 packets out, with the encoder
//! in the browser between the two.
//!
//! Unlike an audio transcode (decoded and re-encoded here, in one call), the video encoder is
//! WebCodecs `VideoEncoder`: asynchronous, and only in the page. So the stage has two halves,
//! and the player carries frames from one to the other:
//! 1. [`VideoTranscode::push`] decodes a source packet; the frames it completes wait in
//!    [`VideoTranscode::take_frames`] (display order, source times, key flags).
//! 2. The player encodes them (`player::video_encoder`), and each chunk that comes out goes
//!    back through [`VideoTranscode::packet`] as an ordinary [`Packet`] of the
//!    [`VideoTranscode::output`] track, for the remuxer.
//!
//! The output track keeps the source's id, is H.264 in microseconds (WebCodecs' unit), and
//! gets its avcC from the encoder's first output ([`VideoTranscode::set_config`]); the init
//! segment has to wait for it.

use crate::codec::Codec;
use crate::error::Result;
use crate::packet::{Packet, Track};
use crate::time::{TimeBase, Timestamp};

use super::mpeg4_video::{I420Frame, Mpeg4VideoDecoder};

/// WebCodecs' time unit.
pub const MICROSECONDS: TimeBase = TimeBase::new(1, 1_000_000);

/// One encoded frame as the browser's encoder gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedChunk {
    /// Presentation time, in microseconds.
    pub pts_us: i64,
    pub key: bool,
    /// For H.264: length-prefixed NAL units (4-byte lengths), as an MP4 sample.
    pub data: Vec<u8>,
}

/// One video track's transcode (see the module docs).
pub struct VideoTranscode {
    decoder: Mpeg4VideoDecoder,
    source_time_base: TimeBase,
    output: Track,
    frames: Vec<I420Frame>,
}

impl VideoTranscode {
    /// The transcode for `track`, or `None` if Riptide does not decode its codec.
    pub fn for_track(track: &Track) -> Option<Result<VideoTranscode>> {
        if track.codec != Codec::Mpeg4Visual {
            return None;
        }
        Some(Mpeg4VideoDecoder::new(&track.codec_private).map(|decoder| {
            let mut output = track.clone();
            output.codec = Codec::H264;
            output.codec_id = "V_MPEG4/ISO/AVC".into();
            output.time_base = MICROSECONDS;
            output.codec_private = Vec::new();
            output.default_duration = track
                .default_duration
                .map(|d| d.rescale(track.time_base, MICROSECONDS));
            VideoTranscode {
                decoder,
                source_time_base: track.time_base,
                output,
                frames: Vec::new(),
            }
        }))
    }

    /// The track the remuxer carries instead of the source (H.264, microseconds); its
    /// `codec_private` is empty until [`set_config`](Self::set_config).
    pub fn output(&self) -> &Track {
        &self.output
    }

    /// Whether the encoder's configuration is known, so the init segment can be written.
    pub fn has_config(&self) -> bool {
        !self.output.codec_private.is_empty()
    }

    /// The encoder's configuration record (the avcC of its first output).
    pub fn set_config(&mut self, avcc: Vec<u8>) {
        self.output.codec_private = avcc;
    }

    /// Decodes one source packet (file order); the frames it completes wait for
    /// [`take_frames`](Self::take_frames).
    pub fn push(&mut self, packet: &Packet) -> Result<()> {
        let frames = self.decoder.decode(&packet.data, packet.pts)?;
        self.frames.extend(frames);
        Ok(())
    }

    /// At the end of the stream: the frames the decoder still holds for reordering.
    pub fn finish(&mut self) {
        let frames = self.decoder.flush();
        self.frames.extend(frames);
    }

    /// The decoded frames waiting to be encoded, in display order.
    pub fn take_frames(&mut self) -> Vec<I420Frame> {
        std::mem::take(&mut self.frames)
    }

    /// The time base of the frames' `pts` (the source track's).
    pub fn source_time_base(&self) -> TimeBase {
        self.source_time_base
    }

    /// A frame's time as the encoder takes it (microseconds).
    pub fn encoder_time(&self, frame: &I420Frame) -> i64 {
        self.source_time_base.rescale(frame.pts.0, MICROSECONDS)
    }

    /// An encoded chunk as a packet of the output track. Decode order is presentation order
    /// (the encoder makes no B-frames), so `dts` is the presentation time.
    pub fn packet(&self, chunk: EncodedChunk) -> Packet {
        Packet {
            track_id: self.output.id,
            pts: Timestamp(chunk.pts_us),
            dts: Some(Timestamp(chunk.pts_us)),
            dur: None,
            keyframe: chunk.key,
            pos: 0,
            data: chunk.data,
        }
    }

    /// Forgets the reference frames and the frames not yet taken: the next packet follows a
    /// seek (the player also flushes its encoder).
    pub fn reset(&mut self) -> Result<()> {
        self.frames.clear();
        self.decoder.reset()
    }
}
