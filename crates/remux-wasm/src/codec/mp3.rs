//! MPEG-1/2/2.5 audio (MP3 is layer III): the 4-byte frame header (ISO/IEC 11172-3 §2.4.1.3,
//! 13818-3) — sample rate, channels, samples per frame and frame length — and the MP4
//! object type indication for `esds` (0x6B for MPEG-1 audio, 0x69 for MPEG-2 audio, which
//! covers the low sample rates).

use crate::error::{Error, Result};

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("MP3", what)
}

/// `objectTypeIndication` of MPEG-1 audio (ISO/IEC 11172-3) in `esds`.
pub const OTI_MPEG1_AUDIO: u8 = 0x6B;
/// `objectTypeIndication` of MPEG-2 audio (ISO/IEC 13818-3, low sample rates) in `esds`.
pub const OTI_MPEG2_AUDIO: u8 = 0x69;

/// MPEG audio version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Mpeg1,
    Mpeg2,
    /// The unofficial MPEG 2.5 extension (8, 11.025, 12 kHz).
    Mpeg25,
}

/// A parsed frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    pub version: Version,
    /// 1, 2 or 3.
    pub layer: u8,
    /// In kbit/s; 0 for the "free" format.
    pub bitrate_kbps: u32,
    pub sample_rate: u32,
    pub channels: u16,
    /// 1152 for MPEG-1 layer II/III, 576 for MPEG-2/2.5 layer III, 384 for layer I.
    pub samples_per_frame: u32,
    /// Bytes of the whole frame including the header; 0 for the free format.
    pub frame_len: u32,
}

impl FrameHeader {
    /// Parses the header at the start of `b`.
    pub fn parse(b: &[u8]) -> Result<FrameHeader> {
        let h = b
            .get(..4)
            .map(|h| u32::from_be_bytes([h[0], h[1], h[2], h[3]]))
            .ok_or_else(|| invalid("a frame is shorter than its 4-byte header"))?;
        if h >> 21 != 0x7ff {
            return Err(invalid(
                "a frame does not start with the MPEG audio sync word",
            ));
        }
        let version = match (h >> 19) & 3 {
            0 => Version::Mpeg25,
            2 => Version::Mpeg2,
            3 => Version::Mpeg1,
            _ => return Err(invalid("a frame header has the reserved MPEG version")),
        };
        let layer = match (h >> 17) & 3 {
            1 => 3,
            2 => 2,
            3 => 1,
            _ => return Err(invalid("a frame header has the reserved layer")),
        };
        let bitrate_index = ((h >> 12) & 0xf) as usize;
        if bitrate_index == 15 {
            return Err(invalid("a frame header has the forbidden bitrate index"));
        }
        let rate_index = ((h >> 10) & 3) as usize;
        if rate_index == 3 {
            return Err(invalid("a frame header has the reserved sample rate index"));
        }
        let padding = (h >> 9) & 1;
        let channels = if (h >> 6) & 3 == 3 { 1 } else { 2 };
        let base_rate = [44100, 48000, 32000][rate_index];
        let sample_rate = match version {
            Version::Mpeg1 => base_rate,
            Version::Mpeg2 => base_rate / 2,
            Version::Mpeg25 => base_rate / 4,
        };
        let lsf = version != Version::Mpeg1;
        let bitrate_kbps: u32 = match (lsf, layer) {
            (false, 1) => [
                0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
            ],
            (false, 2) => [
                0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
            ],
            (false, _) => [
                0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
            ],
            (true, 1) => [
                0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
            ],
            (true, _) => [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        }[bitrate_index];
        let samples_per_frame = match (layer, lsf) {
            (1, _) => 384,
            (3, true) => 576,
            _ => 1152,
        };
        let frame_len = if bitrate_kbps == 0 {
            0
        } else if layer == 1 {
            (12 * bitrate_kbps * 1000 / sample_rate + padding) * 4
        } else {
            samples_per_frame / 8 * bitrate_kbps * 1000 / sample_rate + padding
        };
        Ok(FrameHeader {
            version,
            layer,
            bitrate_kbps,
            sample_rate,
            channels,
            samples_per_frame,
            frame_len,
        })
    }

    /// The `esds` objectTypeIndication for this stream.
    pub fn object_type(&self) -> u8 {
        object_type_for_rate(self.sample_rate)
    }
}

/// Samples per layer III frame at `sample_rate`: 1152 for MPEG-1 rates (32-48 kHz), 576 for
/// the MPEG-2/2.5 low rates.
pub fn samples_per_frame_for_rate(sample_rate: u32) -> u32 {
    if sample_rate >= 32_000 {
        1152
    } else {
        576
    }
}

/// The `esds` objectTypeIndication for MP3 at `sample_rate`: MPEG-1 (0x6B) for 32-48 kHz,
/// else MPEG-2 (0x69).
pub fn object_type_for_rate(sample_rate: u32) -> u8 {
    if sample_rate >= 32_000 {
        OTI_MPEG1_AUDIO
    } else {
        OTI_MPEG2_AUDIO
    }
}

/// The RFC 6381 codec string, `mp4a.6B` or `mp4a.69`.
pub fn codec_string(object_type: u8) -> String {
    format!("mp4a.{object_type:02X}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mpeg1_layer3_128k_44100() {
        let h = FrameHeader::parse(&[0xFF, 0xFB, 0x90, 0x64]).unwrap();
        assert_eq!(h.version, Version::Mpeg1);
        assert_eq!((h.layer, h.bitrate_kbps, h.sample_rate), (3, 128, 44100));
        assert_eq!(
            (h.channels, h.samples_per_frame, h.frame_len),
            (2, 1152, 417)
        );
        assert_eq!(codec_string(h.object_type()), "mp4a.6B");
    }

    #[test]
    fn mpeg2_layer3_mono_22050() {
        // MPEG-2, layer III, no CRC, 64 kbit/s, 22.05 kHz, padding, mono.
        let h = FrameHeader::parse(&[0xFF, 0xF3, 0x82, 0xC4]).unwrap();
        assert_eq!(h.version, Version::Mpeg2);
        assert_eq!(
            (h.sample_rate, h.channels, h.samples_per_frame),
            (22050, 1, 576)
        );
        assert_eq!(h.frame_len, 72 * 64000 / 22050 + 1);
        assert_eq!(codec_string(h.object_type()), "mp4a.69");
        assert_eq!(samples_per_frame_for_rate(22050), 576);
        assert_eq!(samples_per_frame_for_rate(48000), 1152);
    }

    #[test]
    fn bad_headers_are_errors() {
        assert!(FrameHeader::parse(&[0xFF, 0xFB, 0x90]).is_err());
        assert!(FrameHeader::parse(&[0x00, 0xFB, 0x90, 0x64]).is_err());
        assert!(FrameHeader::parse(&[0xFF, 0xEB, 0x90, 0x64]).is_err()); // reserved version
        assert!(FrameHeader::parse(&[0xFF, 0xF9, 0x90, 0x64]).is_err()); // reserved layer
        assert!(FrameHeader::parse(&[0xFF, 0xFB, 0xF0, 0x64]).is_err()); // bad bitrate
        assert!(FrameHeader::parse(&[0xFF, 0xFB, 0x9C, 0x64]).is_err()); // reserved rate
        for a in 0..=255u8 {
            for b in (0..=255u8).step_by(7) {
                let _ = FrameHeader::parse(&[0xFF, a, b, 0x44]);
            }
        }
    }
}
