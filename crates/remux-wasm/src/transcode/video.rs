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
//!
//! Each output packet keeps the file position of the source packet whose decoding completed
//! its frame: the player evicts its byte cache behind the segments' positions, and a packet
//! at position 0 would hold the cache at the start of the file for the whole film (the cache
//! kept the first 16 MiB in the wasm memory and dropped everything after them).

use std::collections::VecDeque;

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
    /// (encoder time, file position) of the frames taken and not yet back as chunks, in
    /// display order: the position of the source packet whose decoding completed the frame.
    positions: VecDeque<(i64, u64)>,
    /// The position of the latest source packet pushed.
    last_pos: u64,
    /// The encoder's avcC replaced the provisional one.
    configured: bool,
}

/// The bitrate the encoder is asked for: 0.15 bit per pixel per frame (about 1.1 Mbit/s at
/// 720×400, 25 fps; 38.5 dB PSNR or more against the decode, docs/DESIGN.md "Xvid"), at least
/// 300 kbit/s.
pub fn encoder_bitrate(width: u32, height: u32, fps: f64) -> f64 {
    (f64::from(width) * f64::from(height) * fps * 0.15).max(300_000.0)
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
                positions: VecDeque::new(),
                last_pos: 0,
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
        self.last_pos = packet.pos;
        for f in &frames {
            let t = self.encoder_time(f);
            self.positions.push_back((t, packet.pos));
        }
        self.frames.extend(frames);
        Ok(())
    }

    /// At the end of the stream: the frames the decoder still holds for reordering.
    pub fn finish(&mut self) {
        let frames = self.decoder.flush();
        for f in &frames {
            let t = self.encoder_time(f);
            self.positions.push_back((t, self.last_pos));
        }
        self.frames.extend(frames);
    }

    /// The decoded frames waiting to be encoded, in display order.
    pub fn take_frames(&mut self) -> Vec<I420Frame> {
        std::mem::take(&mut self.frames)
    }

    /// Bytes per second the encoder writes, at [`encoder_bitrate`] for the track's picture
    /// size and frame rate: what the SourceBuffer holds per second of this track instead of
    /// the source's bytes (the player's media byte budget counts it).
    pub fn output_bytes_per_second(&self) -> f64 {
        let size = self.output.video.unwrap_or_default();
        encoder_bitrate(size.width, size.height, self.frame_rate()) / 8.0
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
    /// (the encoder makes no B-frames), so `dts` is the presentation time; the position is
    /// that of its frame's source packet (see the module docs).
    pub fn packet(&mut self, chunk: EncodedChunk) -> Packet {
        // Chunks come out in the order the frames went in; a frame the encoder dropped leaves
        // its entry behind, skipped here.
        let mut pos = None;
        while let Some(&(t, p)) = self.positions.front() {
            if t > chunk.pts_us {
                break;
            }
            self.positions.pop_front();
            if t == chunk.pts_us {
                pos = Some(p);
                break;
            }
        }
        Packet {
            track_id: self.output.id,
            pts: Timestamp(chunk.pts_us),
            dts: Some(Timestamp(chunk.pts_us)),
            dur: None,
            keyframe: chunk.key,
            pos: pos.unwrap_or(self.last_pos),
            data: chunk.data,
        }
    }

    /// Forgets the reference frames and the frames not yet taken: the next packet follows a
    /// seek (the player also flushes its encoder).
    pub fn reset(&mut self) -> Result<()> {
        self.frames.clear();
        self.positions.clear();
        self.decoder.reset()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{TrackKind, VideoInfo};

    fn stage() -> VideoTranscode {
        // An empty configuration: the decoder waits for in-band headers, none needed here.
        let track = Track {
            id: 1,
            kind: TrackKind::Video,
            codec: Codec::Mpeg4Visual,
            codec_id: "XVID".into(),
            unusable: None,
            time_base: TimeBase::new(1, 25),
            codec_private: Vec::new(),
            default_duration: Some(crate::time::Duration(1)),
            language: None,
            name: None,
            default: true,
            video: Some(VideoInfo {
                width: 720,
                height: 400,
                ..Default::default()
            }),
            audio: None,
        };
        VideoTranscode::for_track(&track).unwrap().unwrap()
    }

    fn chunk(pts_us: i64) -> EncodedChunk {
        EncodedChunk {
            pts_us,
            key: false,
            data: vec![1],
        }
    }

    #[test]
    fn encoded_packets_keep_the_position_of_their_frames_source_packet() {
        let mut s = stage();
        s.positions
            .extend([(0, 1000), (40_000, 1000), (80_000, 5000), (120_000, 9000)]);
        s.last_pos = 9000;
        assert_eq!(s.packet(chunk(0)).pos, 1000);
        assert_eq!(s.packet(chunk(40_000)).pos, 1000);
        // A frame the encoder dropped (80 ms) is skipped, not given to the next chunk.
        assert_eq!(s.packet(chunk(120_000)).pos, 9000);
        assert!(s.positions.is_empty());
        // Nothing known (after a seek): the latest source packet's position, never 0.
        assert_eq!(s.packet(chunk(160_000)).pos, 9000);
    }

    #[test]
    fn the_budget_counts_the_encoders_bitrate() {
        let s = stage();
        // 0.15 bit per pixel per frame at 720×400, 25 fps: 1.08 Mbit/s.
        assert_eq!(
            s.output_bytes_per_second(),
            720.0 * 400.0 * 25.0 * 0.15 / 8.0
        );
    }
}
