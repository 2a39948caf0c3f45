//! ISO BMFF boxes (ISO/IEC 14496-12) for fragmented MP4: one function per box, each writing
//! into one output `Vec` with its size patched when the box closes. Fields are written one
//! per line with the spec's name beside them. `init.rs` holds the init segment's boxes
//! (`ftyp`, `moov` and below), `sample_entries.rs` the codecs' sample entries inside `stsd`,
//! `fragment.rs` the media segment's (`moof`, `traf`, `trun`, `mdat`).

mod fragment;
mod init;
mod sample_entries;

pub use fragment::*;
pub use init::*;
pub use sample_entries::*;

use crate::packet::{Colour, Rotation};
use crate::timeline::Sample;

/// `sample_depends_on = 2` (does not depend on others): a sync sample.
pub const SYNC_SAMPLE_FLAGS: u32 = 0x0200_0000;
/// `sample_depends_on = 1`, `sample_is_non_sync_sample = 1`.
pub const NON_SYNC_SAMPLE_FLAGS: u32 = 0x0101_0000;

/// What the init segment needs to know about one output track.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackConfig {
    /// `track_ID` in the output (1-based).
    pub track_id: u32,
    /// Ticks per second of the track's media time.
    pub timescale: u32,
    /// ISO 639-2/T code, e.g. `*b"und"`.
    pub language: [u8; 3],
    /// Media time (in `timescale` ticks) the presentation starts at: encoder priming (Opus
    /// pre-skip, MP3/AAC encoder delay) that the source's timestamps put before zero. When
    /// not 0, an edit list says so ([`edts`]).
    pub edit_media_time: u32,
    pub media: MediaConfig,
    /// The display rotation of a video track, written as the `tkhd` matrix.
    pub rotation: Rotation,
    /// The colour description of a video track, written as `colr`, `mdcv` and `clli` in its
    /// sample entry.
    pub colour: Option<Colour>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MediaConfig {
    /// H.264: the avcC payload (AVCDecoderConfigurationRecord).
    Avc {
        width: u16,
        height: u16,
        avcc: Vec<u8>,
    },
    /// H.265: the hvcC payload; `entry` is `hvc1` (parameter sets only in hvcC) or `hev1`.
    Hevc {
        width: u16,
        height: u16,
        entry: [u8; 4],
        hvcc: Vec<u8>,
    },
    /// VP9: the VPCodecConfigurationRecord (vpcC body after version and flags).
    Vp9 {
        width: u16,
        height: u16,
        vpcc: Vec<u8>,
    },
    /// AV1: the av1C payload (AV1CodecConfigurationRecord).
    Av1 {
        width: u16,
        height: u16,
        av1c: Vec<u8>,
    },
    /// AAC: the AudioSpecificConfig.
    Aac {
        sample_rate: u32,
        channels: u16,
        asc: Vec<u8>,
    },
    /// MP3 in `mp4a` with `objectTypeIndication` 0x6B (MPEG-1) or 0x69 (MPEG-2 audio).
    Mp3 {
        sample_rate: u32,
        channels: u16,
        object_type: u8,
    },
    /// Opus: the dOps body; `pre_skip` (48 kHz samples) also goes into an edit list.
    Opus {
        channels: u16,
        pre_skip: u16,
        dops: Vec<u8>,
    },
    /// FLAC: the dfLa body after version and flags (metadata blocks, STREAMINFO first).
    Flac {
        sample_rate: u32,
        channels: u16,
        bits_per_sample: u16,
        blocks: Vec<u8>,
    },
}

impl MediaConfig {
    /// Whether the track is video (`vide` handler, `vmhd`).
    pub fn is_video(&self) -> bool {
        matches!(
            self,
            MediaConfig::Avc { .. }
                | MediaConfig::Hevc { .. }
                | MediaConfig::Vp9 { .. }
                | MediaConfig::Av1 { .. }
        )
    }

    /// Width and height of a video track; (0, 0) for audio.
    fn size(&self) -> (u16, u16) {
        match self {
            MediaConfig::Avc { width, height, .. }
            | MediaConfig::Hevc { width, height, .. }
            | MediaConfig::Vp9 { width, height, .. }
            | MediaConfig::Av1 { width, height, .. } => (*width, *height),
            _ => (0, 0),
        }
    }
}

/// The samples of one track in one fragment.
pub struct TrafData<'a> {
    pub track_id: u32,
    pub is_video: bool,
    /// Decode time of the first sample (`tfdt`).
    pub base_decode_time: u64,
    pub samples: &'a [Sample],
}

// ---- writing helpers (shared by the box files) --------------------------------------------

fn u8_(o: &mut Vec<u8>, v: u8) {
    o.push(v);
}
fn u16_(o: &mut Vec<u8>, v: u16) {
    o.extend_from_slice(&v.to_be_bytes());
}
fn u32_(o: &mut Vec<u8>, v: u32) {
    o.extend_from_slice(&v.to_be_bytes());
}
fn u64_(o: &mut Vec<u8>, v: u64) {
    o.extend_from_slice(&v.to_be_bytes());
}
fn zeros(o: &mut Vec<u8>, n: usize) {
    o.resize(o.len() + n, 0);
}

/// Starts a box: a size placeholder and the type. Returns where the box starts.
fn open(o: &mut Vec<u8>, kind: &[u8; 4]) -> usize {
    let at = o.len();
    u32_(o, 0); // size, patched by `close`
    o.extend_from_slice(kind); // type
    at
}

/// Starts a FullBox: box header, then `version` (8 bits) and `flags` (24 bits).
fn open_full(o: &mut Vec<u8>, kind: &[u8; 4], version: u8, flags: u32) -> usize {
    let at = open(o, kind);
    u32_(o, (version as u32) << 24 | (flags & 0x00ff_ffff)); // version, flags
    at
}

/// Ends the box started at `at` by writing its size.
fn close(o: &mut [u8], at: usize) {
    let size = (o.len() - at) as u32;
    o[at..at + 4].copy_from_slice(&size.to_be_bytes());
}

/// The unity transformation matrix of `mvhd` and `tkhd`.
fn matrix(o: &mut Vec<u8>) {
    rotation_matrix(o, Rotation::None, 0, 0);
}

/// The transformation matrix `{a, b, u, c, d, v, x, y, w}` (ISO/IEC 14496-12 §6.2.2; a, b,
/// c, d, x, y in 16.16, u, v, w in 2.30) that turns a `width` × `height` picture clockwise
/// by `rotation`: (a, b) = (cos θ, sin θ) in the y-down picture, and the translation (x, y)
/// brings the turned picture back to the origin, as ffmpeg's mov muxer writes it.
fn rotation_matrix(o: &mut Vec<u8>, rotation: Rotation, width: u16, height: u16) {
    const ONE: i32 = 0x0001_0000;
    let (w, h) = ((width as i32) << 16, (height as i32) << 16);
    let (a, b, c, d, x, y) = match rotation {
        Rotation::None => (ONE, 0, 0, ONE, 0, 0),
        Rotation::Clockwise90 => (0, ONE, -ONE, 0, h, 0),
        Rotation::Clockwise180 => (-ONE, 0, 0, -ONE, w, h),
        Rotation::Clockwise270 => (0, -ONE, ONE, 0, 0, w),
    };
    for v in [a, b, 0, c, d, 0, x, y, 0x4000_0000] {
        u32_(o, v as u32); // a, b, u, c, d, v, x, y, w
    }
}

#[cfg(test)]
mod tests;
