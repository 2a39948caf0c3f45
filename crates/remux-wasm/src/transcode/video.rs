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

/// What the page says where the browser has no `VideoEncoder`: WebCodecs exists only in a
/// secure context (https, or http on this computer).
pub const NO_WEBCODECS: &str = "This film's video is MPEG-4 Part 2 (Xvid/DivX), which browsers \
    do not play; Riptide converts it with the browser's video encoder, which this page cannot \
    use. Open the page over https or on this computer (127.0.0.1) to play Xvid video.";

/// The H.264 level (`level_idc`) of the re-encoded stream: the lowest that holds `width` ×
/// `height` at 30 frames/s.
pub fn avc_level(width: u32, height: u32) -> u8 {
    match width.div_ceil(16) * height.div_ceil(16) {
        0..=1620 => 0x1E,    // 3.0: 720×576
        1621..=3600 => 0x1F, // 3.1: 1280×720
        3601..=8192 => 0x28, // 4.0: 1920×1080
        _ => 0x33,           // 5.1
    }
}

/// An avcC naming the profile and level the encoder is asked for, without parameter sets:
/// what the track plays as before the encoder's own avcC is known (the browser is asked
/// about it, and the remuxer built with it, before anything is encoded).
fn provisional_avcc(width: u32, height: u32) -> Vec<u8> {
    vec![
        1,                        // configurationVersion
        0x42,                     // profile_idc: Baseline
        0xE0,                     // constraint flags: Constrained Baseline
        avc_level(width, height), // level_idc
        0xFF,                     // 4-byte NAL lengths
        0xE0,                     // no SPS
        0,                        // no PPS
    ]
}

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
    /// The encoder's avcC replaced the provisional one.
    configured: bool,
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
            let size = track.video.unwrap_or_default();
            output.codec_private = provisional_avcc(size.width, size.height);
            output.default_duration = track
                .default_duration
                .map(|d| d.rescale(track.time_base, MICROSECONDS));
            VideoTranscode {
                decoder,
                source_time_base: track.time_base,
                output,
                frames: Vec::new(),
                configured: false,
            }
        }))
    }

    /// The track the remuxer carries instead of the source (H.264, microseconds); its
    /// `codec_private` is a provisional avcC (profile and level only) until
    /// [`set_config`](Self::set_config).
    pub fn output(&self) -> &Track {
        &self.output
    }

    /// Whether the encoder's configuration is known, so the init segment can be written.
    pub fn has_config(&self) -> bool {
        self.configured
    }

    /// The encoder's configuration record (the avcC of its first output).
    pub fn set_config(&mut self, avcc: Vec<u8>) {
        self.output.codec_private = avcc;
        self.configured = true;
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

    /// Frames per second, from the source's frame duration (25 when the container says
    /// nothing): the encoder's rate control needs it.
    pub fn frame_rate(&self) -> f64 {
        match self.output.default_duration {
            Some(d) if d.0 > 0 => 1e6 / d.0 as f64,
            _ => 25.0,
        }
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
