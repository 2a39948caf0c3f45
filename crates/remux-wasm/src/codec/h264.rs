//! H.264 / AVC: the `avcC` box payload (AVCDecoderConfigurationRecord, ISO/IEC 14496-15
//! §5.3.3.1), the MSE codec string built from it, and Annex B → AVCC conversion.

use crate::error::{Error, Result};

/// A parsed AVCDecoderConfigurationRecord.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvcConfig {
    /// `AVCProfileIndication` (66 Baseline, 77 Main, 100 High, ...).
    pub profile: u8,
    /// `profile_compatibility`: the constraint_set flags.
    pub compat: u8,
    /// `AVCLevelIndication`, level × 10 (31 = level 3.1).
    pub level: u8,
    /// Bytes of the length prefix before every NAL unit in a sample (1, 2 or 4).
    pub nal_length_size: u8,
    /// Sequence parameter sets, without length prefix.
    pub sps: Vec<Vec<u8>>,
    /// Picture parameter sets, without length prefix.
    pub pps: Vec<Vec<u8>>,
}

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("H.264", what)
}

impl AvcConfig {
    /// Parses an avcC payload (the box body, without the 8-byte box header).
    ///
    /// ```text
    /// aligned(8) class AVCDecoderConfigurationRecord {
    ///   unsigned int(8) configurationVersion = 1;
    ///   unsigned int(8) AVCProfileIndication;
    ///   unsigned int(8) profile_compatibility;
    ///   unsigned int(8) AVCLevelIndication;
    ///   bit(6) reserved = '111111'b; unsigned int(2) lengthSizeMinusOne;
    ///   bit(3) reserved = '111'b; unsigned int(5) numOfSequenceParameterSets;
    ///   for (i=0; i< numOfSequenceParameterSets; i++) {
    ///     unsigned int(16) sequenceParameterSetLength; bit(8*sequenceParameterSetLength) sequenceParameterSetNALUnit; }
    ///   unsigned int(8) numOfPictureParameterSets;
    ///   for (i=0; i< numOfPictureParameterSets; i++) {
    ///     unsigned int(16) pictureParameterSetLength; bit(8*pictureParameterSetLength) pictureParameterSetNALUnit; }
    ///   ... (profile-specific extensions, ignored)
    /// }
    /// ```
    pub fn parse(b: &[u8]) -> Result<AvcConfig> {
        if b.len() < 7 {
            return Err(invalid(format!(
                "the decoder configuration (avcC) is {} bytes long, too short",
                b.len()
            )));
        }
        if b[0] != 1 {
            return Err(invalid(format!(
                "the decoder configuration (avcC) has version {}, expected 1 \
                 (is the stream stored as Annex B without a configuration record?)",
                b[0]
            )));
        }
        let nal_length_size = (b[4] & 0x03) + 1;
        if nal_length_size == 3 {
            return Err(invalid("NAL length size 3 is not allowed"));
        }
        let mut pos = 6;
        let sps = read_sets(b, (b[5] & 0x1f) as usize, &mut pos)?;
        let n_pps = *b
            .get(pos)
            .ok_or_else(|| invalid("avcC is truncated before the PPS count"))?;
        pos += 1;
        let pps = read_sets(b, n_pps as usize, &mut pos)?;
        Ok(AvcConfig {
            profile: b[1],
            compat: b[2],
            level: b[3],
            nal_length_size,
            sps,
            pps,
        })
    }

    /// The RFC 6381 codec string, `avc1.PPCCLL` in hex (e.g. `avc1.64001f` for High@3.1).
    pub fn codec_string(&self) -> String {
        format!(
            "avc1.{:02x}{:02x}{:02x}",
            self.profile, self.compat, self.level
        )
    }
}

/// Reads `count` 16-bit-length-prefixed parameter sets at `*pos`, advancing it.
fn read_sets(b: &[u8], count: usize, pos: &mut usize) -> Result<Vec<Vec<u8>>> {
    let mut sets = Vec::with_capacity(count);
    for _ in 0..count {
        let hdr = b
            .get(*pos..*pos + 2)
            .ok_or_else(|| invalid("avcC is truncated"))?;
        let len = u16::from_be_bytes([hdr[0], hdr[1]]) as usize;
        let set = b
            .get(*pos + 2..*pos + 2 + len)
            .ok_or_else(|| invalid("avcC is truncated inside a parameter set"))?;
        sets.push(set.to_vec());
        *pos += 2 + len;
    }
    Ok(sets)
}

/// Splits an Annex B byte stream (NAL units separated by `00 00 01` or `00 00 00 01` start
/// codes) into NAL unit payloads.
pub fn annexb_nal_units(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 2 < data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut units = Vec::with_capacity(starts.len());
    for (k, &s) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map_or(data.len(), |&n| n - 3);
        // Trailing zeros belong to the next (4-byte) start code or are trailing_zero_8bits.
        while end > s && data[end - 1] == 0 {
            end -= 1;
        }
        if end > s {
            units.push(&data[s..end]);
        }
    }
    units.into_iter()
}

/// Converts an Annex B access unit to AVCC (every NAL unit prefixed by its 4-byte big-endian
/// length), appending to `out`.
pub fn annexb_to_avcc(data: &[u8], out: &mut Vec<u8>) {
    for nal in annexb_nal_units(data) {
        out.extend_from_slice(&(nal.len() as u32).to_be_bytes());
        out.extend_from_slice(nal);
    }
}

/// Builds an avcC payload from one SPS and one PPS (e.g. taken from an Annex B stream).
pub fn build_avcc(sps: &[u8], pps: &[u8]) -> Result<Vec<u8>> {
    if sps.len() < 4 {
        return Err(invalid("the SPS is too short"));
    }
    let mut out = Vec::with_capacity(11 + sps.len() + pps.len());
    out.push(1); // configurationVersion
    out.extend_from_slice(&sps[1..4]); // profile, compatibility, level from the SPS
    out.push(0xff); // reserved '111111' + lengthSizeMinusOne = 3
    out.push(0xe1); // reserved '111' + one SPS
    out.extend_from_slice(&(sps.len() as u16).to_be_bytes());
    out.extend_from_slice(sps);
    out.push(1); // one PPS
    out.extend_from_slice(&(pps.len() as u16).to_be_bytes());
    out.extend_from_slice(pps);
    Ok(out)
}

/// The few SPS facts Riptide uses (ITU-T H.264 §7.3.2.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpsInfo {
    pub profile_idc: u8,
    pub level_idc: u8,
    /// Displayed size, after cropping.
    pub width: u32,
    pub height: u32,
}

/// Exp-Golomb bit reader over an RBSP (emulation prevention bytes already removed).
struct Rbsp {
    b: Vec<u8>,
    pos: usize,
}

impl Rbsp {
    fn bit(&mut self) -> Result<u32> {
        let byte = *self
            .b
            .get(self.pos / 8)
            .ok_or_else(|| invalid("the SPS is truncated"))?;
        let v = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        Ok(v as u32)
    }
    fn bits(&mut self, n: u32) -> Result<u32> {
        let mut v = 0;
        for _ in 0..n {
            v = (v << 1) | self.bit()?;
        }
        Ok(v)
    }
    /// ue(v)
    fn ue(&mut self) -> Result<u32> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return Err(invalid("bad Exp-Golomb code in the SPS"));
            }
        }
        Ok(((1u64 << zeros) - 1 + self.bits(zeros)? as u64) as u32)
    }
    /// se(v)
    fn se(&mut self) -> Result<i32> {
        let k = self.ue()? as i64;
        Ok(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) } as i32)
    }
}

/// Parses a sequence parameter set NAL unit (with its 1-byte NAL header) for the picture size.
pub fn parse_sps(nal: &[u8]) -> Result<SpsInfo> {
    if nal.first().map(|h| h & 0x1f) != Some(7) {
        return Err(invalid("not an SPS NAL unit"));
    }
    // Remove emulation prevention: 00 00 03 -> 00 00.
    let mut b = Vec::with_capacity(nal.len());
    let mut zeros = 0;
    for &x in &nal[1..] {
        if zeros >= 2 && x == 3 {
            zeros = 0;
            continue;
        }
        zeros = if x == 0 { zeros + 1 } else { 0 };
        b.push(x);
    }
    let mut r = Rbsp { b, pos: 0 };
    let profile_idc = r.bits(8)? as u8; // profile_idc
    r.bits(8)?; // constraint_set flags + reserved_zero_2bits
    let level_idc = r.bits(8)? as u8; // level_idc
    r.ue()?; // seq_parameter_set_id
    let mut chroma_format_idc = 1;
    let mut separate_colour_plane = 0;
    if matches!(
        profile_idc,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        chroma_format_idc = r.ue()?; // chroma_format_idc
        if chroma_format_idc == 3 {
            separate_colour_plane = r.bit()?; // separate_colour_plane_flag
        }
        r.ue()?; // bit_depth_luma_minus8
        r.ue()?; // bit_depth_chroma_minus8
        r.bit()?; // qpprime_y_zero_transform_bypass_flag
        if r.bit()? == 1 {
            // seq_scaling_matrix_present_flag
            for i in 0..if chroma_format_idc == 3 { 12 } else { 8 } {
                if r.bit()? == 1 {
                    // scaling_list(): skip its delta_scales.
                    let size = if i < 6 { 16 } else { 64 };
                    let (mut last, mut next) = (8i32, 8i32);
                    for _ in 0..size {
                        if next != 0 {
                            // delta_scale is -128..=127 by the spec; anything else is damage.
                            let delta = r.se()?;
                            if !(-128..=127).contains(&delta) {
                                return Err(invalid("scaling list delta out of range in the SPS"));
                            }
                            next = (last + delta + 256) % 256;
                        }
                        last = if next == 0 { last } else { next };
                    }
                }
            }
        }
    }
    r.ue()?; // log2_max_frame_num_minus4
    match r.ue()? {
        // pic_order_cnt_type
        0 => {
            r.ue()?; // log2_max_pic_order_cnt_lsb_minus4
        }
        1 => {
            r.bit()?; // delta_pic_order_always_zero_flag
            r.se()?; // offset_for_non_ref_pic
            r.se()?; // offset_for_top_to_bottom_field
            for _ in 0..r.ue()?.min(255) {
                r.se()?; // offset_for_ref_frame[i]
            }
        }
        _ => {}
    }
    r.ue()?; // max_num_ref_frames
    r.bit()?; // gaps_in_frame_num_value_allowed_flag
    let width_mbs = r.ue()?.saturating_add(1); // pic_width_in_mbs_minus1
    let height_units = r.ue()?.saturating_add(1); // pic_height_in_map_units_minus1
                                                  // No level of H.264 allows pictures wider or taller than 1024 macroblocks (16384 px).
    if width_mbs > MAX_MBS || height_units > MAX_MBS {
        return Err(invalid(
            "picture size in the SPS is larger than any H.264 level allows",
        ));
    }
    let frame_mbs_only = r.bit()?; // frame_mbs_only_flag
    if frame_mbs_only == 0 {
        r.bit()?; // mb_adaptive_frame_field_flag
    }
    r.bit()?; // direct_8x8_inference_flag
    let mut width = width_mbs * 16;
    let mut height = height_units * 16 * (2 - frame_mbs_only);
    if r.bit()? == 1 {
        // frame_cropping_flag
        let (crop_x, crop_y) = match (chroma_format_idc, separate_colour_plane) {
            (0, _) | (_, 1) => (1, 2 - frame_mbs_only),
            (1, _) => (2, 2 * (2 - frame_mbs_only)),
            (2, _) => (2, 2 - frame_mbs_only),
            _ => (1, 2 - frame_mbs_only),
        };
        let (l, rr, t, bo) = (r.ue()?, r.ue()?, r.ue()?, r.ue()?);
        width = width.saturating_sub(l.saturating_add(rr).saturating_mul(crop_x));
        height = height.saturating_sub(t.saturating_add(bo).saturating_mul(crop_y));
    }
    Ok(SpsInfo {
        profile_idc,
        level_idc,
        width,
        height,
    })
}

/// Largest picture dimension, in macroblocks, that `parse_sps` accepts.
const MAX_MBS: u32 = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    /// avcC of an x264 High@3.0 320x240 stream.
    pub(crate) fn sample_avcc() -> Vec<u8> {
        let sps = [
            0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10,
        ];
        let pps = [0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];
        build_avcc(&sps, &pps).unwrap()
    }

    #[test]
    fn parses_avcc_and_builds_codec_string() {
        let c = AvcConfig::parse(&sample_avcc()).unwrap();
        assert_eq!(
            (c.profile, c.compat, c.level, c.nal_length_size),
            (100, 0, 30, 4)
        );
        assert_eq!(c.sps.len(), 1);
        assert_eq!(c.pps, vec![vec![0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0]]);
        assert_eq!(c.codec_string(), "avc1.64001e");
    }

    #[test]
    fn parses_sps_picture_size() {
        // x264 High 4:2:0, 1920x1080 (68 map units of 16 = 1088, cropped by 8).
        let sps = [
            0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0xc0, 0x44, 0x00,
            0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xc8, 0x3c, 0x60, 0xc6, 0x58,
        ];
        let info = parse_sps(&sps).unwrap();
        assert_eq!((info.profile_idc, info.level_idc), (100, 40));
        assert_eq!((info.width, info.height), (1920, 1080));
        assert!(parse_sps(&[0x68, 0x00]).is_err());
    }

    #[test]
    fn rejects_bad_avcc() {
        assert!(AvcConfig::parse(&[1, 2, 3]).is_err());
        assert!(AvcConfig::parse(&[0, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 0]).is_err());
        let mut truncated = sample_avcc();
        truncated.truncate(12);
        assert!(AvcConfig::parse(&truncated).is_err());
    }

    #[test]
    fn annexb_to_avcc_rewrites_start_codes() {
        let annexb = [
            0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x65, 0x88, 0x00, 0x01, 0, 0, 0, 1, 0x41, 0x9a,
        ];
        let mut out = Vec::new();
        annexb_to_avcc(&annexb, &mut out);
        assert_eq!(
            out,
            vec![
                0, 0, 0, 2, 0x09, 0xf0, 0, 0, 0, 4, 0x65, 0x88, 0x00, 0x01, 0, 0, 0, 2, 0x41, 0x9a
            ]
        );
    }
}
