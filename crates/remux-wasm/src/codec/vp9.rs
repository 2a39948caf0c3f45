//! VP9: the VPCodecConfigurationRecord (`vpcC`, "VP Codec ISO Media File Format Binding"
//! §2.3), built from an MP4 `vpcC`, from WebM's CodecPrivate feature list, or — when WebM
//! has no CodecPrivate, as ffmpeg and browsers write it — from the uncompressed header of
//! the first key frame (VP9 bitstream spec §6.2). The codec string is `vp09.PP.LL.DD`.

use super::bits::BitReader;
use crate::error::{Error, Result};

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("VP9", what)
}

/// `chromaSubsampling` value for 4:2:0 with chroma co-sited with luma (what encoders use).
pub const CHROMA_420_COLOCATED: u8 = 1;
/// `chromaSubsampling` for 4:2:2 and 4:4:4.
pub const CHROMA_422: u8 = 2;
pub const CHROMA_444: u8 = 3;
/// Colour description "unspecified" (ISO/IEC 23091-2).
const UNSPECIFIED: u8 = 2;

/// A VPCodecConfigurationRecord (the `vpcC` body after its version and flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VpConfig {
    /// 0-3.
    pub profile: u8,
    /// 10 × the level (10 = level 1, 31 = level 3.1); 0 if unknown.
    pub level: u8,
    /// 8, 10 or 12.
    pub bit_depth: u8,
    /// 0/1 = 4:2:0, 2 = 4:2:2, 3 = 4:4:4.
    pub chroma_subsampling: u8,
    pub full_range: bool,
    pub colour_primaries: u8,
    pub transfer_characteristics: u8,
    pub matrix_coefficients: u8,
}

impl Default for VpConfig {
    /// Profile 0, 8-bit 4:2:0, level unknown, colours unspecified.
    fn default() -> Self {
        VpConfig {
            profile: 0,
            level: 0,
            bit_depth: 8,
            chroma_subsampling: CHROMA_420_COLOCATED,
            full_range: false,
            colour_primaries: UNSPECIFIED,
            transfer_characteristics: UNSPECIFIED,
            matrix_coefficients: UNSPECIFIED,
        }
    }
}

impl VpConfig {
    /// Parses a VPCodecConfigurationRecord (version 1 layout, 8 bytes + initialization data).
    pub fn parse(b: &[u8]) -> Result<VpConfig> {
        if b.len() < 8 {
            return Err(invalid(format!(
                "the decoder configuration (vpcC) is {} bytes, shorter than 8",
                b.len()
            )));
        }
        let c = VpConfig {
            profile: b[0],                       // profile
            level: b[1],                         // level
            bit_depth: b[2] >> 4,                // bitDepth (4)
            chroma_subsampling: (b[2] >> 1) & 7, // chromaSubsampling (3)
            full_range: b[2] & 1 == 1,           // videoFullRangeFlag (1)
            colour_primaries: b[3],              // colourPrimaries
            transfer_characteristics: b[4],      // transferCharacteristics
            matrix_coefficients: b[5],           // matrixCoefficients
        };
        c.check()?;
        Ok(c)
    }

    fn check(&self) -> Result<()> {
        if self.profile > 3 {
            return Err(invalid(format!("profile {} does not exist", self.profile)));
        }
        if !matches!(self.bit_depth, 8 | 10 | 12) {
            return Err(invalid(format!(
                "bit depth {} does not exist",
                self.bit_depth
            )));
        }
        Ok(())
    }

    /// Parses WebM's VP9 CodecPrivate: a list of (ID, length, value) features — 1 profile,
    /// 2 level, 3 bit depth, 4 chroma subsampling. Missing features keep the defaults.
    pub fn from_webm_codec_private(b: &[u8]) -> Result<VpConfig> {
        let mut c = VpConfig::default();
        let mut at = 0;
        while at + 2 <= b.len() {
            let (id, len) = (b[at], b[at + 1] as usize);
            let v = b
                .get(at + 2..at + 2 + len)
                .ok_or_else(|| invalid("a CodecPrivate feature runs past its end"))?;
            match (id, v) {
                (1, [p]) => c.profile = *p,
                (2, [l]) => c.level = *l,
                (3, [d]) => c.bit_depth = *d,
                (4, [s]) => c.chroma_subsampling = *s,
                _ => {}
            }
            at += 2 + len;
        }
        c.check()?;
        Ok(c)
    }

    /// Reads profile, bit depth, chroma subsampling and colour range from a key frame's
    /// uncompressed header (VP9 spec §6.2 `uncompressed_header`, §6.2.2 `color_config`).
    /// Also returns the frame size. Errors if the frame is not a key frame.
    pub fn from_key_frame(frame: &[u8]) -> Result<(VpConfig, u32, u32)> {
        let mut r = BitReader::new(frame, "VP9");
        if r.bits(2)? != 2 {
            return Err(invalid(
                "the frame does not start with the VP9 frame marker",
            ));
        }
        let low = r.bits(1)?; // profile_low_bit
        let high = r.bits(1)?; // profile_high_bit
        let profile = (high << 1 | low) as u8;
        if profile == 3 {
            r.skip(1)?; // reserved_zero
        }
        if r.flag()? {
            return Err(invalid(
                "the first frame repeats an earlier one (show_existing_frame)",
            ));
        }
        if r.flag()? {
            return Err(invalid("the first frame is not a key frame"));
        } // frame_type: 0 = KEY_FRAME
        r.skip(2)?; // show_frame, error_resilient_mode
        if r.bits(24)? != 0x49_83_42 {
            return Err(invalid("the key frame's sync code is wrong"));
        } // frame_sync_code
        let mut c = VpConfig {
            profile,
            ..VpConfig::default()
        };
        if profile >= 2 {
            c.bit_depth = if r.flag()? { 12 } else { 10 }; // ten_or_twelve_bit
        }
        let color_space = r.bits(3)?; // color_space; 7 = CS_RGB
        if color_space != 7 {
            c.full_range = r.flag()?; // color_range
            if profile == 1 || profile == 3 {
                let (x, y) = (r.bits(1)?, r.bits(1)?); // subsampling_x, subsampling_y
                r.skip(1)?; // reserved_zero
                c.chroma_subsampling = match (x, y) {
                    (1, 1) => CHROMA_420_COLOCATED,
                    (1, 0) => CHROMA_422,
                    _ => CHROMA_444,
                };
            }
            // color_space → matrix_coefficients (ISO/IEC 23091-2 codes).
            c.matrix_coefficients = match color_space {
                1 => 6, // CS_BT_601
                2 => 1, // CS_BT_709
                3 => 5, // CS_SMPTE_170 (as 601 625)
                4 => 7, // CS_SMPTE_240
                5 => 9, // CS_BT_2020
                _ => UNSPECIFIED,
            };
        } else {
            c.full_range = true;
            c.matrix_coefficients = 0; // identity (RGB)
            if profile == 1 || profile == 3 {
                c.chroma_subsampling = CHROMA_444;
                r.skip(1)?; // reserved_zero
            }
        }
        let width = r.bits(16)? + 1; // frame_width_minus_1
        let height = r.bits(16)? + 1; // frame_height_minus_1
        Ok((c, width, height))
    }

    /// The container's colour description (MKV Colour, MP4 `colr`), when it has one, in
    /// place of the record's code points: the output writes it as `colr` too, and the vpcC
    /// and the codec string must say the same.
    pub fn with_colour(mut self, colour: Option<&crate::packet::Colour>) -> VpConfig {
        if let Some(c) = colour {
            self.colour_primaries = c.primaries;
            self.transfer_characteristics = c.transfer;
            self.matrix_coefficients = c.matrix;
            self.full_range = c.full_range;
        }
        self
    }

    /// Fills in an unknown level (0) as the lowest VP9 level whose picture size and luma
    /// sample rate fit `width`×`height` at `fps` frames per second.
    pub fn with_level_for(mut self, width: u32, height: u32, fps: f64) -> VpConfig {
        if self.level != 0 {
            return self;
        }
        // (level, max luma picture size, max luma sample rate) — VP9 levels table.
        const LEVELS: [(u8, u64, u64); 14] = [
            (10, 36_864, 829_440),
            (11, 73_728, 2_764_800),
            (20, 122_880, 4_608_000),
            (21, 245_760, 9_216_000),
            (30, 552_960, 20_736_000),
            (31, 983_040, 36_864_000),
            (40, 2_228_224, 83_558_400),
            (41, 2_228_224, 160_432_128),
            (50, 8_912_896, 311_951_360),
            (51, 8_912_896, 588_251_136),
            (52, 8_912_896, 1_176_502_272),
            (60, 35_651_584, 1_176_502_272),
            (61, 35_651_584, 2_353_004_544),
            (62, 35_651_584, 4_706_009_088),
        ];
        let size = width as u64 * height as u64;
        let fps = if fps.is_finite() && fps > 0.0 {
            fps
        } else {
            30.0
        };
        let rate = (size as f64 * fps) as u64;
        self.level = LEVELS
            .iter()
            .find(|(_, s, r)| size <= *s && rate <= *r)
            .map_or(62, |l| l.0);
        self
    }

    /// The record's 8 bytes (`codecInitializationDataSize` 0), for a `vpcC` box.
    pub fn to_bytes(&self) -> Vec<u8> {
        vec![
            self.profile, // profile
            self.level,   // level
            self.bit_depth << 4 | (self.chroma_subsampling & 7) << 1 | self.full_range as u8, // bitDepth, chromaSubsampling, videoFullRangeFlag
            self.colour_primaries,         // colourPrimaries
            self.transfer_characteristics, // transferCharacteristics
            self.matrix_coefficients,      // matrixCoefficients
            0,
            0, // codecInitializationDataSize
        ]
    }

    /// `vp09.PP.LL.DD` (profile, level, bit depth; two digits each).
    pub fn codec_string(&self) -> String {
        format!(
            "vp09.{:02}.{:02}.{:02}",
            self.profile, self.level, self.bit_depth
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first bytes of a 160×120 profile-0 key frame from libvpx.
    fn key_frame(profile: u8, width: u16, height: u16) -> Vec<u8> {
        // frame_marker 10, profile bits (low, high), show_existing 0, frame_type 0, show 1,
        // error_res 0.
        let mut bits: Vec<u8> = vec![1, 0, profile & 1, profile >> 1];
        if profile == 3 {
            bits.push(0);
        }
        bits.extend([0, 0, 1, 0]);
        for byte in [0x49u8, 0x83, 0x42] {
            bits.extend((0..8).rev().map(|i| (byte >> i) & 1));
        }
        if profile >= 2 {
            bits.push(0); // 10-bit
        }
        bits.extend([0, 1, 0]); // color_space 2 (BT.709)
        bits.push(0); // color_range
        if profile == 1 || profile == 3 {
            bits.extend([1, 0, 0]); // 4:2:2
        }
        for v in [width - 1, height - 1] {
            bits.extend((0..16).rev().map(|i| ((v >> i) & 1) as u8));
        }
        bits.resize(bits.len().div_ceil(8) * 8 + 16, 0);
        bits.chunks(8)
            .map(|c| c.iter().fold(0u8, |a, b| a << 1 | b))
            .collect()
    }

    #[test]
    fn key_frame_header_gives_profile_depth_and_size() {
        let (c, w, h) = VpConfig::from_key_frame(&key_frame(0, 160, 120)).unwrap();
        assert_eq!(
            (c.profile, c.bit_depth, c.chroma_subsampling, w, h),
            (0, 8, 1, 160, 120)
        );
        assert_eq!(c.matrix_coefficients, 1);
        assert_eq!(c.with_level_for(w, h, 25.0).codec_string(), "vp09.00.10.08");
        let (c, _, _) = VpConfig::from_key_frame(&key_frame(2, 1920, 1080)).unwrap();
        assert_eq!((c.profile, c.bit_depth), (2, 10));
        assert_eq!(
            c.with_level_for(1920, 1080, 30.0).codec_string(),
            "vp09.02.40.10"
        );
        let (c, _, _) = VpConfig::from_key_frame(&key_frame(1, 64, 64)).unwrap();
        assert_eq!(c.chroma_subsampling, CHROMA_422);
    }

    #[test]
    fn inter_frames_and_garbage_are_errors() {
        let mut f = key_frame(0, 16, 16);
        f[0] |= 0b0000_0100; // frame_type = 1
        assert!(VpConfig::from_key_frame(&f).is_err());
        assert!(VpConfig::from_key_frame(&[0xff; 3]).is_err());
        assert!(VpConfig::from_key_frame(&[]).is_err());
        let good = key_frame(3, 320, 240);
        for n in 0..good.len() {
            let _ = VpConfig::from_key_frame(&good[..n]);
        }
    }

    #[test]
    fn vpcc_round_trips() {
        let c = VpConfig {
            profile: 2,
            level: 31,
            bit_depth: 10,
            chroma_subsampling: 1,
            full_range: true,
            colour_primaries: 9,
            transfer_characteristics: 16,
            matrix_coefficients: 9,
        };
        assert_eq!(VpConfig::parse(&c.to_bytes()).unwrap(), c);
        assert_eq!(c.codec_string(), "vp09.02.31.10");
        assert!(VpConfig::parse(&[0, 10]).is_err());
        assert!(VpConfig::parse(&[9, 10, 0x82, 2, 2, 2, 0, 0]).is_err());
    }

    #[test]
    fn webm_codec_private_features() {
        let c = VpConfig::from_webm_codec_private(&[1, 1, 0, 2, 1, 21, 3, 1, 8, 4, 1, 1]).unwrap();
        assert_eq!(c.codec_string(), "vp09.00.21.08");
        assert!(VpConfig::from_webm_codec_private(&[1, 5, 0]).is_err());
        assert!(VpConfig::from_webm_codec_private(&[3, 1, 9]).is_err());
        // Unknown features are skipped; empty is the default.
        assert_eq!(
            VpConfig::from_webm_codec_private(&[9, 1, 0]).unwrap(),
            VpConfig::default()
        );
    }

    #[test]
    fn levels_from_size() {
        let c = VpConfig::default();
        assert_eq!(c.with_level_for(160, 120, 25.0).level, 10);
        assert_eq!(c.with_level_for(1280, 720, 30.0).level, 31);
        assert_eq!(c.with_level_for(3840, 2160, 60.0).level, 51);
        assert_eq!(c.with_level_for(100_000, 100_000, 60.0).level, 62);
    }
}
