//! AV1: the AV1CodecConfigurationRecord (`av1C`, "AV1 Codec ISO Media File Format Binding"
//! §2.3) and the codec string `av01.P.LLT.DD` (profile, level, tier, bit depth). The record is
//! MKV's CodecPrivate of `V_AV1` and the body of MP4's `av1C`; it can also be built from a
//! sequence header OBU (AV1 spec §5.5), which is how the record's fields are cross-checked.

use super::bits::BitReader;
use crate::error::{Error, Result};

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("AV1", what)
}

/// OBU type of a sequence header.
pub const OBU_SEQUENCE_HEADER: u8 = 1;

/// The fields of an `av1C` (the 4 fixed bytes) plus its configOBUs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Av1Config {
    /// `seq_profile` (0 Main, 1 High, 2 Professional).
    pub profile: u8,
    /// `seq_level_idx_0` (level = 2 + idx / 4 . idx % 4; 4 = level 3.0).
    pub level_idx: u8,
    /// `seq_tier_0`: 0 = Main (M), 1 = High (H).
    pub tier: u8,
    /// 8, 10 or 12 (from `high_bitdepth` and `twelve_bit`).
    pub bit_depth: u8,
    pub monochrome: bool,
    pub chroma_subsampling_x: bool,
    pub chroma_subsampling_y: bool,
    pub chroma_sample_position: u8,
    /// `configOBUs`: sequence header (and metadata) OBUs, may be empty.
    pub config_obus: Vec<u8>,
}

impl Av1Config {
    /// Parses an `av1C` payload.
    pub fn parse(b: &[u8]) -> Result<Av1Config> {
        if b.len() < 4 {
            return Err(invalid(format!(
                "the decoder configuration (av1C) is {} bytes, shorter than 4",
                b.len()
            )));
        }
        if b[0] != 0x81 {
            return Err(invalid(format!(
                "av1C starts with {:#04x}, not marker 1 + version 1",
                b[0]
            )));
        }
        let high_bitdepth = b[2] & 0x40 != 0;
        let twelve_bit = b[2] & 0x20 != 0;
        let c = Av1Config {
            profile: b[1] >> 5,     // seq_profile (3)
            level_idx: b[1] & 0x1f, // seq_level_idx_0 (5)
            tier: b[2] >> 7,        // seq_tier_0 (1)
            bit_depth: match (high_bitdepth, twelve_bit) {
                (true, true) => 12,
                (true, false) => 10,
                _ => 8,
            }, // high_bitdepth (1), twelve_bit (1)
            monochrome: b[2] & 0x10 != 0, // monochrome (1)
            chroma_subsampling_x: b[2] & 0x08 != 0, // chroma_subsampling_x (1)
            chroma_subsampling_y: b[2] & 0x04 != 0, // chroma_subsampling_y (1)
            chroma_sample_position: b[2] & 3, // chroma_sample_position (2)
            config_obus: b[4..].to_vec(), // b[3]: reserved (3), initial_presentation_delay (1+4)
        };
        if c.profile > 2 {
            return Err(invalid(format!("seq_profile {} does not exist", c.profile)));
        }
        Ok(c)
    }

    /// What to assume for a track whose container has no `av1C` (until the first key frame's
    /// sequence header says): Main profile, 8-bit 4:2:0, Main tier, the lowest level whose
    /// picture size fits `width`×`height` (AV1 spec Annex A.3).
    pub fn assumed(width: u32, height: u32) -> Av1Config {
        // (seq_level_idx, MaxPicSize)
        const LEVELS: [(u8, u64); 14] = [
            (0, 147_456),
            (1, 278_784),
            (4, 665_856),
            (5, 1_065_024),
            (8, 2_359_296),
            (9, 2_359_296),
            (12, 8_912_896),
            (13, 8_912_896),
            (14, 8_912_896),
            (15, 8_912_896),
            (16, 35_651_584),
            (17, 35_651_584),
            (18, 35_651_584),
            (19, 35_651_584),
        ];
        let size = width as u64 * height as u64;
        Av1Config {
            profile: 0,
            level_idx: LEVELS.iter().find(|l| size <= l.1).map_or(19, |l| l.0),
            tier: 0,
            bit_depth: 8,
            monochrome: false,
            chroma_subsampling_x: true,
            chroma_subsampling_y: true,
            chroma_sample_position: 0,
            config_obus: Vec::new(),
        }
    }

    /// `av01.<profile>.<level, 2 digits><M|H>.<bit depth, 2 digits>`.
    pub fn codec_string(&self) -> String {
        format!(
            "av01.{}.{:02}{}.{:02}",
            self.profile,
            self.level_idx,
            if self.tier == 1 { 'H' } else { 'M' },
            self.bit_depth
        )
    }

    /// The `av1C` payload: 4 bytes of fields, then the configOBUs.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = vec![
            0x81,                                        // marker (1) = 1, version (7) = 1
            self.profile << 5 | (self.level_idx & 0x1f), // seq_profile, seq_level_idx_0
            (self.tier & 1) << 7
                | ((self.bit_depth > 8) as u8) << 6
                | ((self.bit_depth == 12) as u8) << 5
                | (self.monochrome as u8) << 4
                | (self.chroma_subsampling_x as u8) << 3
                | (self.chroma_subsampling_y as u8) << 2
                | (self.chroma_sample_position & 3), // tier, bit depth, chroma fields
            0, // reserved (3), initial_presentation_delay_present (1), reserved (4)
        ];
        b.extend_from_slice(&self.config_obus);
        b
    }

    /// Builds the record from a temporal unit or OBU sequence (low-overhead format, each OBU
    /// with `obu_has_size_field`) that holds a sequence header OBU.
    pub fn from_obus(data: &[u8]) -> Result<Av1Config> {
        let mut at = 0;
        while at < data.len() {
            let (obu_type, header_len, payload_len) = obu_header(&data[at..])?;
            let end = at + header_len + payload_len;
            if obu_type == OBU_SEQUENCE_HEADER {
                let mut c = parse_sequence_header(&data[at + header_len..end])?;
                c.config_obus = data[at..end].to_vec();
                return Ok(c);
            }
            at = end;
        }
        Err(invalid("no sequence header OBU found"))
    }
}

/// `(obu_type, header length, payload length)` of the OBU at the start of `b` (AV1 spec
/// §5.3.1); the payload must be inside `b`.
fn obu_header(b: &[u8]) -> Result<(u8, usize, usize)> {
    let h = *b
        .first()
        .ok_or_else(|| invalid("an OBU header is cut off"))?;
    let obu_type = (h >> 3) & 0xf; // obu_forbidden_bit (1), obu_type (4)
    let extension = h & 4 != 0; // obu_extension_flag
    let has_size = h & 2 != 0; // obu_has_size_field
    let mut at = 1 + extension as usize;
    let len = if has_size {
        // leb128(): up to 8 bytes of 7 bits, little end first.
        let mut v = 0u64;
        let mut i = 0;
        loop {
            let byte = *b.get(at).ok_or_else(|| invalid("an OBU size is cut off"))?;
            at += 1;
            v |= ((byte & 0x7f) as u64) << (7 * i);
            i += 1;
            if byte & 0x80 == 0 {
                break;
            }
            if i == 8 {
                return Err(invalid("an OBU size is longer than 8 bytes"));
            }
        }
        v
    } else {
        b.len().saturating_sub(at) as u64
    };
    if at > b.len() || len > (b.len() - at) as u64 {
        return Err(invalid("an OBU runs past the data"));
    }
    Ok((obu_type, at, len as usize))
}

/// Parses a sequence header OBU payload (AV1 spec §5.5) up to `color_config`.
pub fn parse_sequence_header(p: &[u8]) -> Result<Av1Config> {
    let mut r = BitReader::new(p, "AV1");
    let profile = r.bits(3)? as u8; // seq_profile
    if profile > 2 {
        return Err(invalid(format!("seq_profile {profile} does not exist")));
    }
    r.skip(1)?; // still_picture
    let reduced = r.flag()?; // reduced_still_picture_header
    let (level_idx, tier);
    if reduced {
        level_idx = r.bits(5)? as u8; // seq_level_idx[0]
        tier = 0;
    } else {
        let mut buffer_delay_len = 0;
        let timing_info = r.flag()?; // timing_info_present_flag
        let mut decoder_model_info = false;
        if timing_info {
            r.skip(64)?; // num_units_in_display_tick, time_scale
            if r.flag()? {
                r.uvlc()?; // equal_picture_interval → num_ticks_per_picture_minus_1
            }
            decoder_model_info = r.flag()?; // decoder_model_info_present_flag
            if decoder_model_info {
                buffer_delay_len = r.bits(5)? + 1; // buffer_delay_length_minus_1
                r.skip(32 + 5 + 5)?; // num_units_in_decoding_tick, two lengths
            }
        }
        let initial_display_delay = r.flag()?; // initial_display_delay_present_flag
        let count = r.bits(5)? + 1; // operating_points_cnt_minus_1
        let (mut first_level, mut first_tier) = (0u8, 0u8);
        for i in 0..count {
            r.skip(12)?; // operating_point_idc[i]
            let level = r.bits(5)? as u8; // seq_level_idx[i]
            let t = if level > 7 { r.bits(1)? as u8 } else { 0 }; // seq_tier[i]
            if i == 0 {
                (first_level, first_tier) = (level, t);
            }
            if decoder_model_info && r.flag()? {
                // decoder_model_present_for_this_op: operating_parameters_info()
                r.skip(2 * buffer_delay_len + 1)?;
            }
            if initial_display_delay && r.flag()? {
                r.skip(4)?; // initial_display_delay_minus_1
            }
        }
        level_idx = first_level;
        tier = first_tier;
    }
    let wbits = r.bits(4)? + 1; // frame_width_bits_minus_1
    let hbits = r.bits(4)? + 1; // frame_height_bits_minus_1
    r.skip(wbits + hbits)?; // max_frame_width_minus_1, max_frame_height_minus_1
    if !reduced && r.flag()? {
        r.skip(4 + 3)?; // frame_id_numbers_present: two lengths
    }
    r.skip(3)?; // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
    if !reduced {
        r.skip(4)?; // interintra, masked compound, warped motion, dual filter
        let order_hint = r.flag()?; // enable_order_hint
        if order_hint {
            r.skip(2)?; // enable_jnt_comp, enable_ref_frame_mvs
        }
        let force_screen_content = if r.flag()? { 2 } else { r.bits(1)? }; // seq_choose_screen_content_tools
        if force_screen_content > 0 && !r.flag()? {
            r.skip(1)?; // seq_force_integer_mv
        } // seq_choose_integer_mv
        if order_hint {
            r.skip(3)?; // order_hint_bits_minus_1
        }
    }
    r.skip(3)?; // enable_superres, enable_cdef, enable_restoration
                // color_config()
    let high_bitdepth = r.flag()?;
    let bit_depth = if profile == 2 && high_bitdepth {
        if r.flag()? {
            12
        } else {
            10
        }
    } else if high_bitdepth {
        10
    } else {
        8
    };
    let monochrome = if profile == 1 { false } else { r.flag()? }; // mono_chrome
    let (mut cp, mut tc, mut mc) = (2, 2, 2);
    if r.flag()? {
        // color_description_present_flag
        cp = r.bits(8)?;
        tc = r.bits(8)?;
        mc = r.bits(8)?;
    }
    let (sx, sy, mut pos) = if monochrome {
        (true, true, 0)
    } else if cp == 1 && tc == 13 && mc == 0 {
        (false, false, 0) // sRGB
    } else {
        r.skip(1)?; // color_range
        let (sx, sy) = match profile {
            0 => (true, true),
            1 => (false, false),
            _ if bit_depth == 12 => {
                let x = r.flag()?;
                (x, if x { r.flag()? } else { false })
            }
            _ => (true, false),
        };
        (sx, sy, 0)
    };
    if !monochrome && sx && sy {
        pos = r.bits(2)? as u8; // chroma_sample_position
    }
    Ok(Av1Config {
        profile,
        level_idx,
        tier,
        bit_depth,
        monochrome,
        chroma_subsampling_x: sx,
        chroma_subsampling_y: sy,
        chroma_sample_position: pos,
        config_obus: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The av1C that ffmpeg + libaom write for 160×120 8-bit 4:2:0 (level index 0), and the
    /// one from SVT-AV1: 4 bytes of fields, then the sequence header OBU.
    const LIBAOM_AV1C: [u8; 16] = [
        0x81, 0x00, 0x0C, 0x00, 0x0A, 0x0A, 0x00, 0x00, 0x00, 0x03, 0xB4, 0xFF, 0x73, 0x6B, 0xE4,
        0x01,
    ];
    const SVT_AV1C: [u8; 16] = [
        0x81, 0x00, 0x0C, 0x00, 0x0A, 0x0A, 0x00, 0x00, 0x00, 0x03, 0xB4, 0xFF, 0x70, 0x0B, 0xE0,
        0x01,
    ];
    const SEQ_OBU: [u8; 12] = [
        0x0A, 0x0A, 0x00, 0x00, 0x00, 0x03, 0xB4, 0xFF, 0x73, 0x6B, 0xE4, 0x01,
    ];

    #[test]
    fn av1c_round_trip_and_codec_string() {
        // Main profile, 8-bit 4:2:0 (what `assumed` states), at level 4 with some OBUs.
        let c = Av1Config { level_idx: 4, config_obus: vec![1, 2, 3], ..Av1Config::assumed(0, 0) };
        assert_eq!(c.codec_string(), "av01.0.04M.08");
        assert_eq!(Av1Config::parse(&c.to_bytes()).unwrap(), c);
        let hi = Av1Config {
            profile: 2,
            level_idx: 13,
            tier: 1,
            bit_depth: 12,
            ..c
        };
        assert_eq!(hi.codec_string(), "av01.2.13H.12");
        assert_eq!(Av1Config::parse(&hi.to_bytes()).unwrap().bit_depth, 12);
    }

    #[test]
    fn sequence_header_gives_the_same_fields() {
        for av1c in [LIBAOM_AV1C, SVT_AV1C] {
            let from_record = Av1Config::parse(&av1c).unwrap();
            let from_obu = Av1Config::from_obus(&av1c[4..]).unwrap();
            assert_eq!(from_obu, from_record);
            assert_eq!(from_obu.to_bytes(), av1c.to_vec());
            assert_eq!(from_obu.codec_string(), "av01.0.00M.08");
        }
    }

    #[test]
    fn assumed_level_from_size() {
        assert_eq!(Av1Config::assumed(160, 120).codec_string(), "av01.0.00M.08");
        assert_eq!(
            Av1Config::assumed(1920, 1080).codec_string(),
            "av01.0.08M.08"
        );
        assert_eq!(Av1Config::assumed(3840, 2160).level_idx, 12);
    }

    #[test]
    fn broken_input_is_an_error_not_a_panic() {
        assert!(Av1Config::parse(&[0x81, 0]).is_err());
        assert!(Av1Config::parse(&[0x01, 0, 0, 0]).is_err());
        assert!(Av1Config::parse(&[0x81, 0xe0, 0, 0]).is_err());
        assert!(Av1Config::from_obus(&[0x12, 0x00]).is_err());
        assert!(Av1Config::from_obus(&[0x0A, 0x7f, 0]).is_err());
        assert!(
            Av1Config::from_obus(&[0x0A, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err()
        );
        for n in 0..SEQ_OBU.len() {
            let _ = Av1Config::from_obus(&SEQ_OBU[..n]);
            let _ = parse_sequence_header(&SEQ_OBU[2..n.max(2)]);
        }
        let mut x: u32 = 7;
        for _ in 0..3000 {
            let mut b = SEQ_OBU.to_vec();
            for _ in 0..3 {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                let i = (x >> 8) as usize % b.len();
                b[i] = (x >> 24) as u8;
            }
            let _ = Av1Config::from_obus(&b);
            let _ = Av1Config::parse(&b);
        }
    }
}
