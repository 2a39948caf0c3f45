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
    /// How the decoded picture is turned for display (MP4 `tkhd` matrix, MKV
    /// ProjectionPoseRoll).
    pub rotation: Rotation,
    /// Colour description and HDR10 static metadata, when the container states them (MKV
    /// Colour, MP4 `colr`/`mdcv`/`clli`).
    pub colour: Option<Colour>,
}

/// A display rotation in quarter turns, named by the clockwise angle the decoded picture is
/// turned by for display (what the `rotate` tag of old ffmpeg said; ffprobe's
/// "displaymatrix: rotation of" prints the counter-clockwise angle, i.e. the negation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Rotation {
    #[default]
    None,
    Clockwise90,
    Clockwise180,
    Clockwise270,
}

impl Rotation {
    /// The rotation of `degrees` clockwise, if it is a whole number of quarter turns
    /// (within half a degree); anything else is not a rotation Riptide can carry.
    pub fn from_clockwise(degrees: f64) -> Option<Rotation> {
        if !degrees.is_finite() {
            return None;
        }
        let quarters = (degrees / 90.0).round();
        if (degrees - quarters * 90.0).abs() > 0.5 {
            return None;
        }
        Some(match (quarters as i64).rem_euclid(4) {
            0 => Rotation::None,
            1 => Rotation::Clockwise90,
            2 => Rotation::Clockwise180,
            _ => Rotation::Clockwise270,
        })
    }
}

/// The colour description of a video track: ITU-T H.273 code points (the same numbers in
/// MKV Colour, MP4 `colr` nclx, VP9's vpcC and H.264/HEVC VUI), and HDR10 static metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colour {
    /// ColourPrimaries (1 BT.709, 9 BT.2020; 2 unspecified).
    pub primaries: u8,
    /// TransferCharacteristics (1 BT.709, 16 SMPTE ST 2084 (PQ), 18 HLG; 2 unspecified).
    pub transfer: u8,
    /// MatrixCoefficients (1 BT.709, 9 BT.2020 non-constant; 2 unspecified).
    pub matrix: u8,
    pub full_range: bool,
    pub mastering: Option<MasteringDisplay>,
    pub content_light: Option<ContentLight>,
}

impl Colour {
    /// Every code point "unspecified" (2), limited range, no HDR metadata: what a container
    /// that states only part of the description leaves for the rest.
    pub const UNSPECIFIED: Colour = Colour {
        primaries: 2,
        transfer: 2,
        matrix: 2,
        full_range: false,
        mastering: None,
        content_light: None,
    };
}

/// SMPTE ST 2086 mastering display colour volume, in the units of the MP4 `mdcv` box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MasteringDisplay {
    /// x, y of the red, green and blue primaries, in 0.00002 units.
    pub primaries: [[u16; 2]; 3],
    /// x, y of the white point, in 0.00002 units.
    pub white_point: [u16; 2],
    /// In 0.0001 cd/m².
    pub max_luminance: u32,
    /// In 0.0001 cd/m².
    pub min_luminance: u32,
}

/// CTA-861.3 content light level, in cd/m².
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentLight {
    /// MaxCLL.
    pub max_cll: u16,
    /// MaxFALL.
    pub max_fall: u16,
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
