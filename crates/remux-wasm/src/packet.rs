//! The one contract every demuxer meets: it describes its [`Track`]s once, then yields
//! [`Packet`]s in file order, each with time in its track's [`TimeBase`].

pub use crate::codec::id::Codec;
use crate::time::{Duration, TimeBase, Timestamp};

/// What kind of elementary stream a track carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackKind {
    Video,
    Audio,
    Subtitle,
    Other,
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
    /// The codec, as the container's own id maps to it (see `codec/id.rs`).
    pub codec: Codec,
    /// The container's own codec id (`V_MPEG4/ISO/AVC`, `A_AAC`, `ac-3`, ...), for messages.
    pub codec_id: String,
    /// Why this track's frames cannot be used as they are although its codec is known
    /// (`encrypted`, `compressed twice`, a packaging the demuxer does not unwrap); such a track
    /// is never carried. `None` for nearly every track.
    pub unusable: Option<&'static str>,
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
