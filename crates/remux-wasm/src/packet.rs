//! The one contract every demuxer meets: it describes its [`Track`]s once, then yields
//! [`Packet`]s in file order, each with time in its track's [`TimeBase`].

use crate::time::{Duration, TimeBase, Timestamp};

/// What kind of elementary stream a track carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackKind {
    Video,
    Audio,
    Subtitle,
    Other,
}

/// The codec of a track, as far as Riptide cares. Anything it cannot remux yet is `Other`
/// with the container's own codec id (e.g. `A_AC3`), so errors can name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Codec {
    /// H.264 / AVC. `codec_private` holds an AVCDecoderConfigurationRecord (avcC).
    H264,
    /// AAC. `codec_private` holds an AudioSpecificConfig.
    Aac,
    /// H.265 / HEVC. `codec_private` holds an HEVCDecoderConfigurationRecord (hvcC).
    Hevc,
    /// VP8. `codec_private` is empty.
    Vp8,
    /// VP9. `codec_private` holds a VPCodecConfigurationRecord (vpcC body) if known, else empty.
    Vp9,
    /// AV1. `codec_private` holds an AV1CodecConfigurationRecord (av1C).
    Av1,
    /// MPEG-1/2 audio layer III. `codec_private` is empty; frames are whole MP3 frames.
    Mp3,
    /// Opus. `codec_private` holds the OpusHead (as in MKV's CodecPrivate / Ogg).
    Opus,
    /// FLAC. `codec_private` holds `fLaC` + metadata blocks (at least STREAMINFO).
    Flac,
    /// Vorbis. `codec_private` holds the Xiph-laced three header packets.
    Vorbis,
    /// Any other codec, named by the container's codec id.
    Other(String),
}

/// Video-specific facts about a track.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct VideoInfo {
    pub width: u32,
    pub height: u32,
}

/// Audio-specific facts about a track.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct AudioInfo {
    pub sample_rate: u32,
    pub channels: u16,
}

/// One elementary stream of the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Track {
    /// The container's own track number (MKV TrackNumber, MP4 track_ID, AVI stream index + 1).
    pub id: u32,
    pub kind: TrackKind,
    pub codec: Codec,
    /// The codec string of the container (`V_MPEG4/ISO/AVC`, `A_AAC`, ...), for messages.
    pub codec_id: String,
    /// Time base of every timestamp of this track's packets.
    pub time_base: TimeBase,
    /// Codec configuration bytes (avcC for H.264, AudioSpecificConfig for AAC).
    pub codec_private: Vec<u8>,
    /// Nominal duration of one packet (MKV DefaultDuration), if the container states it.
    pub default_duration: Option<Duration>,
    /// ISO 639 / BCP 47 language tag, if known.
    pub language: Option<String>,
    pub name: Option<String>,
    /// Whether the container marks this track as the default of its kind.
    pub default: bool,
    pub video: Option<VideoInfo>,
    pub audio: Option<AudioInfo>,
}

/// One compressed frame (or access unit) of one track.
#[derive(Clone, Debug, PartialEq)]
pub struct Packet {
    /// `Track::id` of the track this packet belongs to.
    pub track_id: u32,
    /// Presentation timestamp, in the track's time base.
    pub pts: Timestamp,
    /// Decode timestamp, if the container stores it (MP4, AVI do; MKV does not, so the
    /// timeline derives it).
    pub dts: Option<Timestamp>,
    /// Duration, if the container states it (MKV BlockDuration or DefaultDuration).
    pub dur: Option<Duration>,
    /// A random access point: decoding can start here.
    pub keyframe: bool,
    /// Byte offset in the file of the block this packet came from (for seeking and progress).
    pub pos: u64,
    /// The frame, in the form the MP4 sample needs (length-prefixed NAL units for H.264,
    /// raw AAC frames without ADTS headers).
    pub data: Vec<u8>,
}
