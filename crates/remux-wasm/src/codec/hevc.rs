//! H.265 / HEVC: the HEVCDecoderConfigurationRecord (`hvcC`, ISO/IEC 14496-15 §8.3.3) and
//! the RFC 6381 codec string built from it (ISO/IEC 14496-15 Annex E.3), e.g.
//! `hvc1.1.6.L93.B0`.

use super::bits::BitReader;
use crate::error::{Error, Result};

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("HEVC", what)
}

/// NAL unit types of the parameter sets an `hvc1` sample entry must carry in its `hvcC`.
pub const NAL_VPS: u8 = 32;
pub const NAL_SPS: u8 = 33;
pub const NAL_PPS: u8 = 34;

/// The fields of an `hvcC` the codec string and the sample entry need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HevcConfig {
    /// `general_profile_space` (0-3; 1-3 are written as A, B, C in the codec string).
    pub profile_space: u8,
    /// `general_tier_flag`: 0 = Main tier (L), 1 = High tier (H).
    pub tier: u8,
    /// `general_profile_idc` (1 = Main, 2 = Main 10, ...).
    pub profile_idc: u8,
    /// `general_profile_compatibility_flags`, bit 31 = flag 0.
    pub compatibility: u32,
    /// `general_constraint_indicator_flags`, 6 bytes.
    pub constraints: [u8; 6],
    /// `general_level_idc` (30 × the level: 93 = level 3.1).
    pub level_idc: u8,
    /// Bytes of each NAL unit length prefix (`lengthSizeMinusOne + 1`).
    pub length_size: u8,
    /// NAL unit types that have at least one parameter set in the record's arrays.
    pub nal_types: Vec<u8>,
    /// The source says parameter sets may also be in the samples (an MP4 `hev1` entry):
    /// keep `hev1`.
    pub in_band_parameter_sets: bool,
}

impl HevcConfig {
    /// Parses an `hvcC` payload (MKV CodecPrivate of `V_MPEGH/ISO/HEVC`, MP4 `hvcC` body).
    pub fn parse(b: &[u8]) -> Result<HevcConfig> {
        if b.len() < 23 {
            return Err(invalid(format!(
                "the decoder configuration (hvcC) is {} bytes, shorter than its 23-byte header",
                b.len()
            )));
        }
        if b[0] != 1 {
            return Err(invalid(format!(
                "hvcC configurationVersion is {}, not 1",
                b[0]
            )));
        }
        let mut r = BitReader::new(&b[1..], "HEVC");
        let profile_space = r.bits(2)? as u8; // general_profile_space
        let tier = r.bits(1)? as u8; // general_tier_flag
        let profile_idc = r.bits(5)? as u8; // general_profile_idc
        let compatibility = r.bits(32)?; // general_profile_compatibility_flags
        let mut constraints = [0u8; 6];
        constraints.copy_from_slice(&b[6..12]); // general_constraint_indicator_flags
        let level_idc = b[12]; // general_level_idc
                               // 13..21: min_spatial_segmentation_idc, parallelismType, chroma_format_idc,
                               // bit depths, avgFrameRate; 21: constantFrameRate(2) numTemporalLayers(3)
                               // temporalIdNested(1) lengthSizeMinusOne(2); 22: numOfArrays.
        let length_size = (b[21] & 3) + 1;
        let arrays = b[22];
        let mut nal_types = Vec::new();
        let mut at = 23usize;
        for _ in 0..arrays {
            let head = b
                .get(at..at + 3)
                .ok_or_else(|| invalid("an hvcC parameter set array is cut off"))?;
            let nal_type = head[0] & 0x3f; // array_completeness(1) reserved(1) NAL_unit_type(6)
            let count = u16::from_be_bytes([head[1], head[2]]); // numNalus
            at += 3;
            for _ in 0..count {
                let len = b
                    .get(at..at + 2)
                    .map(|l| u16::from_be_bytes([l[0], l[1]]) as usize)
                    .ok_or_else(|| invalid("an hvcC parameter set length is cut off"))?;
                at += 2;
                if at + len > b.len() {
                    return Err(invalid("an hvcC parameter set runs past the record"));
                }
                at += len;
            }
            if count > 0 && !nal_types.contains(&nal_type) {
                nal_types.push(nal_type);
            }
        }
        Ok(HevcConfig {
            profile_space,
            tier,
            profile_idc,
            compatibility,
            constraints,
            level_idc,
            length_size,
            nal_types,
            in_band_parameter_sets: false,
        })
    }

    /// Whether the record holds a VPS, SPS and PPS, so the `hvc1` sample entry (parameter
    /// sets out of band) fits; otherwise `hev1` (parameter sets may be in the stream).
    pub fn has_parameter_sets(&self) -> bool {
        [NAL_VPS, NAL_SPS, NAL_PPS]
            .iter()
            .all(|t| self.nal_types.contains(t))
    }

    /// The sample entry type: `hvc1`, or `hev1` when the record lacks a parameter set (see
    /// [`has_parameter_sets`](Self::has_parameter_sets)) or the source's entry was `hev1`.
    pub fn sample_entry(&self) -> &'static [u8; 4] {
        if self.has_parameter_sets() && !self.in_band_parameter_sets {
            b"hvc1"
        } else {
            b"hev1"
        }
    }

    /// `hvc1.<space><profile>.<compat reversed, hex>.<L|H><level>[.<constraint bytes>]`.
    pub fn codec_string(&self) -> String {
        let space = match self.profile_space {
            1 => "A",
            2 => "B",
            3 => "C",
            _ => "",
        };
        let mut s = format!(
            "{}.{space}{}.{:X}.{}{}",
            std::str::from_utf8(self.sample_entry()).unwrap_or("hvc1"),
            self.profile_idc,
            self.compatibility.reverse_bits(),
            if self.tier == 1 { 'H' } else { 'L' },
            self.level_idc
        );
        // Constraint bytes, trailing zero bytes left out.
        let used = self
            .constraints
            .iter()
            .rposition(|&c| c != 0)
            .map_or(0, |i| i + 1);
        for c in &self.constraints[..used] {
            s.push_str(&format!(".{c:X}"));
        }
        s
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An hvcC as x265 writes it for Main profile level 3.1 (VPS/SPS/PPS bodies shortened).
    pub(crate) fn hvcc() -> Vec<u8> {
        let mut b = vec![
            0x01, // configurationVersion
            0x01, // profile_space 0, tier 0, profile_idc 1
            0x60, 0x00, 0x00, 0x00, // compatibility flags 1 and 2
            0xB0, 0x00, 0x00, 0x00, 0x00, 0x00, // constraint flags
            0x5D, // level_idc 93
            0xF0, 0x00, 0xFC, 0xFD, 0xF8, 0xF8, 0x00, 0x00, // ... avgFrameRate
            0x0F, // lengthSizeMinusOne 3
            0x03, // numOfArrays
        ];
        for t in [NAL_VPS, NAL_SPS, NAL_PPS] {
            b.extend_from_slice(&[0x80 | t, 0x00, 0x01, 0x00, 0x02, t << 1, 0x01]);
        }
        b
    }

    #[test]
    fn codec_string_main_level_3_1() {
        let c = HevcConfig::parse(&hvcc()).unwrap();
        assert_eq!(c.codec_string(), "hvc1.1.6.L93.B0");
        assert_eq!(c.length_size, 4);
        assert!(c.has_parameter_sets());
    }

    #[test]
    fn without_parameter_sets_is_hev1() {
        let mut b = hvcc();
        b.truncate(23);
        b[22] = 0;
        let c = HevcConfig::parse(&b).unwrap();
        assert_eq!(c.sample_entry(), b"hev1");
        assert!(c.codec_string().starts_with("hev1.1.6.L93"));
    }

    #[test]
    fn high_tier_main10_and_profile_space() {
        let mut b = hvcc();
        b[1] = 0b01_1_00010; // space 1 (A), high tier, profile 2
        b[2..6].copy_from_slice(&[0x20, 0, 0, 0]);
        b[6..12].copy_from_slice(&[0; 6]);
        b[12] = 120;
        assert_eq!(
            HevcConfig::parse(&b).unwrap().codec_string(),
            "hvc1.A2.4.H120"
        );
    }

    #[test]
    fn broken_records_are_errors_not_panics() {
        let good = hvcc();
        for n in 0..good.len() {
            let _ = HevcConfig::parse(&good[..n]);
        }
        assert!(HevcConfig::parse(&good[..10]).is_err());
        assert!(HevcConfig::parse(&good[..30]).is_err());
        let mut v2 = good.clone();
        v2[0] = 0;
        assert!(HevcConfig::parse(&v2).is_err());
        let mut x: u32 = 1;
        for _ in 0..2000 {
            let mut b = good.clone();
            for _ in 0..4 {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                let i = (x >> 8) as usize % b.len();
                b[i] = (x >> 24) as u8;
            }
            if let Ok(c) = HevcConfig::parse(&b) {
                let _ = c.codec_string();
            }
        }
    }
}
