//! H.264 / AVC: the `avcC` box payload (AVCDecoderConfigurationRecord, ISO/IEC 14496-15
//! §5.3.3.1), the MSE codec string built from it, and Annex B → AVCC conversion.

use super::bits::BitReader;
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
    let mut next = next_start_code(data, 0);
    std::iter::from_fn(move || loop {
        let s = next? + 3;
        next = next_start_code(data, s);
        let mut end = next.unwrap_or(data.len());
        // Trailing zeros belong to the next (4-byte) start code or are trailing_zero_8bits.
        while end > s && data[end - 1] == 0 {
            end -= 1;
        }
        if end > s {
            return Some(&data[s..end]);
        }
    })
}

/// Where the next `00 00 01` at or after `i` starts. The hot loop of H.264-in-AVI demuxing:
/// every payload byte passes through it. It searches for the `01` with `memchr` (many bytes
/// at a time; a `01` byte is rare in compressed data) and checks the two bytes before it,
/// which is much faster than looking at every third byte as simple scanners do (measured in
/// docs/DESIGN.md, "AVI demuxer").
fn next_start_code(data: &[u8], i: usize) -> Option<usize> {
    let mut from = i.checked_add(2)?;
    while from < data.len() {
        let one = from + memchr::memchr(1, &data[from..])?;
        if data[one - 1] == 0 && data[one - 2] == 0 {
            return Some(one - 2);
        }
        from = one + 1;
    }
    None
}

/// Whether `b` begins with an Annex B start code (`00 00 01` or `00 00 00 01`).
pub fn starts_with_start_code(b: &[u8]) -> bool {
    b.starts_with(&[0, 0, 1]) || b.starts_with(&[0, 0, 0, 1])
}

/// Converts an Annex B access unit to AVCC (every NAL unit prefixed by its 4-byte big-endian
/// length), appending to `out`.
pub fn annexb_to_avcc(data: &[u8], out: &mut Vec<u8>) {
    write_avcc(annexb_nal_units(data), out);
}

/// Appends `units` to `out` as AVCC: each NAL unit after its 4-byte big-endian length (the
/// `lengthSizeMinusOne = 3` that [`build_avcc`] writes).
pub fn write_avcc<'a>(units: impl IntoIterator<Item = &'a [u8]>, out: &mut Vec<u8>) {
    for nal in units {
        out.extend_from_slice(&(nal.len() as u32).to_be_bytes());
        out.extend_from_slice(nal);
    }
}

/// The NAL units of a length-prefixed (AVCC) frame, each after a `len_size`-byte big-endian
/// length; stops at the first inconsistent length ([`LengthPrefixed::is_done`] then says
/// whether the whole frame was read).
pub fn length_prefixed(b: &[u8], len_size: usize) -> LengthPrefixed<'_> {
    LengthPrefixed { b, pos: 0, len_size }
}

/// See [`length_prefixed`].
pub struct LengthPrefixed<'a> {
    b: &'a [u8],
    pos: usize,
    len_size: usize,
}

impl LengthPrefixed<'_> {
    /// Every byte of the frame was read as whole NAL units.
    pub fn is_done(&self) -> bool {
        self.pos == self.b.len()
    }
}

impl<'a> Iterator for LengthPrefixed<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (b, pos, len_size) = (self.b, self.pos, self.len_size);
        if !(1..=4).contains(&len_size) || pos + len_size > b.len() {
            return None;
        }
        let n = b[pos..pos + len_size]
            .iter()
            .fold(0usize, |a, &x| (a << 8) | x as usize);
        let start = pos + len_size;
        let end = start.checked_add(n).filter(|&e| e <= b.len())?;
        self.pos = end;
        Some(&b[start..end])
    }
}

/// The first SPS (NAL type 7, long enough to hold profile and level) and PPS (8) of an
/// Annex B buffer (stream extradata, CodecPrivate or a key frame), if it has both.
pub fn parameter_sets(annexb: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut sps = None;
    let mut pps = None;
    for nal in annexb_nal_units(annexb) {
        match nal[0] & 0x1f {
            7 if sps.is_none() && nal.len() >= 4 => sps = Some(nal.to_vec()),
            8 if pps.is_none() => pps = Some(nal.to_vec()),
            _ => {}
        }
    }
    sps.zip(pps)
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

/// A bit reader over an RBSP (emulation prevention bytes already removed, see [`unescape`]).
fn rbsp(b: &[u8]) -> BitReader<'_> {
    BitReader::new(b, "H.264").cut_off("the SPS, PPS or slice header is truncated")
}

/// Parses a sequence parameter set NAL unit (with its 1-byte NAL header) for the picture size.
pub fn parse_sps(nal: &[u8]) -> Result<SpsInfo> {
    let s = Sps::parse(nal)?;
    Ok(SpsInfo {
        profile_idc: s.profile_idc,
        level_idc: s.level_idc,
        width: s.width,
        height: s.height,
    })
}

/// Removes emulation prevention bytes (`00 00 03` → `00 00`) from a NAL unit payload.
fn unescape(payload: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(payload.len());
    let mut zeros = 0;
    for &x in payload {
        if zeros >= 2 && x == 3 {
            zeros = 0;
            continue;
        }
        zeros = if x == 0 { zeros + 1 } else { 0 };
        b.push(x);
    }
    b
}

/// The sequence parameter set fields Riptide uses: picture size, and everything needed to
/// parse a slice header up to the picture order count and to compute it (§7.3.2.1.1, §8.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sps {
    pub profile_idc: u8,
    pub level_idc: u8,
    pub seq_parameter_set_id: u32,
    /// Displayed size, after cropping.
    pub width: u32,
    pub height: u32,
    pub separate_colour_plane: bool,
    /// `log2_max_frame_num_minus4 + 4`: bits of `frame_num` in a slice header.
    pub log2_max_frame_num: u32,
    /// `pic_order_cnt_type` (0, 1 or 2).
    pub poc_type: u32,
    /// `log2_max_pic_order_cnt_lsb_minus4 + 4` (POC type 0).
    pub log2_max_poc_lsb: u32,
    /// POC type 1 fields.
    pub delta_pic_order_always_zero: bool,
    pub offset_for_non_ref_pic: i32,
    pub offset_for_top_to_bottom_field: i32,
    pub offset_for_ref_frame: Vec<i32>,
    pub max_num_ref_frames: u32,
    pub frame_mbs_only: bool,
    /// VUI `max_num_reorder_frames`, if the SPS has a bitstream restriction: how many frames
    /// may precede a frame in decode order and follow it in display order.
    pub max_num_reorder_frames: Option<u32>,
    /// VUI timing: (`num_units_in_tick`, `time_scale`); a frame lasts two ticks.
    pub timing: Option<(u32, u32)>,
}

impl Sps {
    /// Parses an SPS NAL unit (with its 1-byte NAL header).
    pub fn parse(nal: &[u8]) -> Result<Sps> {
        if nal.first().map(|h| h & 0x1f) != Some(7) {
            return Err(invalid("not an SPS NAL unit"));
        }
        let bytes = unescape(&nal[1..]);
        let mut r = rbsp(&bytes);
        let profile_idc = r.bits(8)? as u8; // profile_idc
        r.bits(8)?; // constraint_set flags + reserved_zero_2bits
        let level_idc = r.bits(8)? as u8; // level_idc
        let seq_parameter_set_id = r.ue()?; // seq_parameter_set_id
        let mut chroma_format_idc = 1;
        let mut separate_colour_plane = 0;
        if matches!(
            profile_idc,
            100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
        ) {
            chroma_format_idc = r.ue()?; // chroma_format_idc
            if chroma_format_idc == 3 {
                separate_colour_plane = r.bits(1)?; // separate_colour_plane_flag
            }
            r.ue()?; // bit_depth_luma_minus8
            r.ue()?; // bit_depth_chroma_minus8
            r.bits(1)?; // qpprime_y_zero_transform_bypass_flag
            if r.bits(1)? == 1 {
                // seq_scaling_matrix_present_flag
                for i in 0..if chroma_format_idc == 3 { 12 } else { 8 } {
                    if r.bits(1)? == 1 {
                        // scaling_list(): skip its delta_scales.
                        let size = if i < 6 { 16 } else { 64 };
                        let (mut last, mut next) = (8i32, 8i32);
                        for _ in 0..size {
                            if next != 0 {
                                // delta_scale is -128..=127 by the spec; anything else is damage.
                                let delta = r.se()?;
                                if !(-128..=127).contains(&delta) {
                                    return Err(invalid(
                                        "scaling list delta out of range in the SPS",
                                    ));
                                }
                                next = (last + delta + 256) % 256;
                            }
                            last = if next == 0 { last } else { next };
                        }
                    }
                }
            }
        }
        let log2_max_frame_num = r.ue()?.saturating_add(4); // log2_max_frame_num_minus4
        if log2_max_frame_num > 16 {
            return Err(invalid("log2_max_frame_num is above 16 in the SPS"));
        }
        let poc_type = r.ue()?; // pic_order_cnt_type
        let mut log2_max_poc_lsb = 0;
        let mut delta_pic_order_always_zero = false;
        let mut offset_for_non_ref_pic = 0;
        let mut offset_for_top_to_bottom_field = 0;
        let mut offset_for_ref_frame = Vec::new();
        match poc_type {
            0 => {
                log2_max_poc_lsb = r.ue()?.saturating_add(4); // log2_max_pic_order_cnt_lsb_minus4
                if log2_max_poc_lsb > 16 {
                    return Err(invalid("log2_max_pic_order_cnt_lsb is above 16 in the SPS"));
                }
            }
            1 => {
                delta_pic_order_always_zero = r.bits(1)? == 1; // delta_pic_order_always_zero_flag
                offset_for_non_ref_pic = r.se()?; // offset_for_non_ref_pic
                offset_for_top_to_bottom_field = r.se()?; // offset_for_top_to_bottom_field
                let n = r.ue()?; // num_ref_frames_in_pic_order_cnt_cycle
                if n > 255 {
                    return Err(invalid("more than 255 reference frames in a POC cycle"));
                }
                for _ in 0..n {
                    offset_for_ref_frame.push(r.se()?); // offset_for_ref_frame[i]
                }
            }
            2 => {}
            _ => return Err(invalid("pic_order_cnt_type above 2 in the SPS")),
        }
        let max_num_ref_frames = r.ue()?; // max_num_ref_frames
        r.bits(1)?; // gaps_in_frame_num_value_allowed_flag
        let width_mbs = r.ue()?.saturating_add(1); // pic_width_in_mbs_minus1
        let height_units = r.ue()?.saturating_add(1); // pic_height_in_map_units_minus1
                                                      // No level of H.264 allows pictures wider or taller than 1024 macroblocks (16384 px).
        if width_mbs > MAX_MBS || height_units > MAX_MBS {
            return Err(invalid(
                "picture size in the SPS is larger than any H.264 level allows",
            ));
        }
        let frame_mbs_only = r.bits(1)?; // frame_mbs_only_flag
        if frame_mbs_only == 0 {
            r.bits(1)?; // mb_adaptive_frame_field_flag
        }
        r.bits(1)?; // direct_8x8_inference_flag
        let mut width = width_mbs * 16;
        let mut height = height_units * 16 * (2 - frame_mbs_only);
        if r.bits(1)? == 1 {
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
        // vui_parameters_present_flag
        let (timing, max_num_reorder_frames) = match r.bits(1) {
            Ok(1) => parse_vui(&mut r),
            _ => (None, None),
        };
        Ok(Sps {
            profile_idc,
            level_idc,
            seq_parameter_set_id,
            width,
            height,
            separate_colour_plane: separate_colour_plane == 1,
            log2_max_frame_num,
            poc_type,
            log2_max_poc_lsb,
            delta_pic_order_always_zero,
            offset_for_non_ref_pic,
            offset_for_top_to_bottom_field,
            offset_for_ref_frame,
            max_num_ref_frames,
            frame_mbs_only: frame_mbs_only == 1,
            max_num_reorder_frames,
            timing,
        })
    }
}

/// Reads `vui_parameters()` (Annex E.1.1) for the timing and `max_num_reorder_frames`; what
/// a VUI cut short (some encoders truncate it) does not reach stays unknown.
fn parse_vui(r: &mut BitReader) -> (Option<(u32, u32)>, Option<u32>) {
    let mut timing = None;
    let reorder = parse_vui_fields(r, &mut timing).ok().flatten();
    (timing, reorder)
}

fn parse_vui_fields(r: &mut BitReader, timing: &mut Option<(u32, u32)>) -> Result<Option<u32>> {
    if r.bits(1)? == 1 {
        // aspect_ratio_info_present_flag
        if r.bits(8)? == 255 {
            // aspect_ratio_idc == Extended_SAR
            r.bits(16)?; // sar_width
            r.bits(16)?; // sar_height
        }
    }
    if r.bits(1)? == 1 {
        // overscan_info_present_flag
        r.bits(1)?; // overscan_appropriate_flag
    }
    if r.bits(1)? == 1 {
        // video_signal_type_present_flag
        r.bits(3)?; // video_format
        r.bits(1)?; // video_full_range_flag
        if r.bits(1)? == 1 {
            // colour_description_present_flag
            r.bits(24)?; // colour_primaries, transfer_characteristics, matrix_coefficients
        }
    }
    if r.bits(1)? == 1 {
        // chroma_loc_info_present_flag
        r.ue()?; // chroma_sample_loc_type_top_field
        r.ue()?; // chroma_sample_loc_type_bottom_field
    }
    if r.bits(1)? == 1 {
        // timing_info_present_flag
        let units = r.bits(32)?; // num_units_in_tick
        let scale = r.bits(32)?; // time_scale
        r.bits(1)?; // fixed_frame_rate_flag
        if units > 0 && scale > 0 {
            *timing = Some((units, scale));
        }
    }
    let nal_hrd = r.bits(1)?; // nal_hrd_parameters_present_flag
    if nal_hrd == 1 {
        skip_hrd(r)?;
    }
    let vcl_hrd = r.bits(1)?; // vcl_hrd_parameters_present_flag
    if vcl_hrd == 1 {
        skip_hrd(r)?;
    }
    if nal_hrd == 1 || vcl_hrd == 1 {
        r.bits(1)?; // low_delay_hrd_flag
    }
    r.bits(1)?; // pic_struct_present_flag
    if r.bits(1)? == 0 {
        // bitstream_restriction_flag
        return Ok(None);
    }
    r.bits(1)?; // motion_vectors_over_pic_boundaries_flag
    r.ue()?; // max_bytes_per_pic_denom
    r.ue()?; // max_bits_per_mb_denom
    r.ue()?; // log2_max_mv_length_horizontal
    r.ue()?; // log2_max_mv_length_vertical
    let reorder = r.ue()?; // max_num_reorder_frames
    r.ue()?; // max_dec_frame_buffering
    Ok(Some(reorder))
}

/// Skips `hrd_parameters()` (Annex E.1.2).
fn skip_hrd(r: &mut BitReader) -> Result<()> {
    let cpb_cnt = r.ue()?.saturating_add(1); // cpb_cnt_minus1
    if cpb_cnt > 32 {
        return Err(invalid("cpb_cnt above 32 in the VUI"));
    }
    r.bits(4)?; // bit_rate_scale
    r.bits(4)?; // cpb_size_scale
    for _ in 0..cpb_cnt {
        r.ue()?; // bit_rate_value_minus1
        r.ue()?; // cpb_size_value_minus1
        r.bits(1)?; // cbr_flag
    }
    r.bits(5)?; // initial_cpb_removal_delay_length_minus1
    r.bits(5)?; // cpb_removal_delay_length_minus1
    r.bits(5)?; // dpb_output_delay_length_minus1
    r.bits(5)?; // time_offset_length
    Ok(())
}

/// The picture parameter set fields a slice header parse needs (§7.3.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pps {
    pub pic_parameter_set_id: u32,
    pub seq_parameter_set_id: u32,
    /// `bottom_field_pic_order_in_frame_present_flag` (formerly `pic_order_present_flag`).
    pub bottom_field_pic_order_in_frame_present: bool,
}

impl Pps {
    /// Parses a PPS NAL unit (with its 1-byte NAL header).
    pub fn parse(nal: &[u8]) -> Result<Pps> {
        if nal.first().map(|h| h & 0x1f) != Some(8) {
            return Err(invalid("not a PPS NAL unit"));
        }
        let bytes = unescape(&nal[1..nal.len().min(64)]);
        let mut r = rbsp(&bytes);
        let pic_parameter_set_id = r.ue()?; // pic_parameter_set_id
        let seq_parameter_set_id = r.ue()?; // seq_parameter_set_id
        r.bits(1)?; // entropy_coding_mode_flag
        let bottom = r.bits(1)? == 1; // bottom_field_pic_order_in_frame_present_flag
        Ok(Pps {
            pic_parameter_set_id,
            seq_parameter_set_id,
            bottom_field_pic_order_in_frame_present: bottom,
        })
    }
}

/// The start of a slice header (§7.3.3), up to the picture order count fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SliceHeader {
    /// `nal_unit_type == 5`.
    pub idr: bool,
    /// `nal_ref_idc != 0`: the picture is a reference picture.
    pub reference: bool,
    /// `slice_type % 5`: 0 P, 1 B, 2 I, 3 SP, 4 SI.
    pub slice_type: u32,
    pub pic_parameter_set_id: u32,
    pub frame_num: u32,
    pub field_pic: bool,
    pub bottom_field: bool,
    pub pic_order_cnt_lsb: u32,
    pub delta_pic_order_cnt_bottom: i32,
    pub delta_pic_order_cnt: [i32; 2],
}

impl SliceHeader {
    /// Parses the header of a coded slice NAL unit (type 1 or 5, with its NAL header byte),
    /// given the SPS and PPS it refers to.
    pub fn parse(nal: &[u8], sps: &Sps, pps: &Pps) -> Result<SliceHeader> {
        let nal_type = nal.first().map(|h| h & 0x1f);
        if !matches!(nal_type, Some(1 | 5)) {
            return Err(invalid("not a coded slice NAL unit"));
        }
        // The fields wanted fit in the first few dozen bytes.
        let bytes = unescape(&nal[1..nal.len().min(64)]);
        let mut r = rbsp(&bytes);
        r.ue()?; // first_mb_in_slice
        let slice_type = r.ue()?; // slice_type
        if slice_type > 9 {
            return Err(invalid("slice_type above 9"));
        }
        let pic_parameter_set_id = r.ue()?; // pic_parameter_set_id
        if sps.separate_colour_plane {
            r.bits(2)?; // colour_plane_id
        }
        let frame_num = r.bits(sps.log2_max_frame_num)?; // frame_num
        let (mut field_pic, mut bottom_field) = (false, false);
        if !sps.frame_mbs_only {
            field_pic = r.bits(1)? == 1; // field_pic_flag
            if field_pic {
                bottom_field = r.bits(1)? == 1; // bottom_field_flag
            }
        }
        let idr = nal_type == Some(5);
        if idr {
            r.ue()?; // idr_pic_id
        }
        let mut h = SliceHeader {
            idr,
            reference: nal[0] & 0x60 != 0,
            slice_type: slice_type % 5,
            pic_parameter_set_id,
            frame_num,
            field_pic,
            bottom_field,
            pic_order_cnt_lsb: 0,
            delta_pic_order_cnt_bottom: 0,
            delta_pic_order_cnt: [0, 0],
        };
        if sps.poc_type == 0 {
            h.pic_order_cnt_lsb = r.bits(sps.log2_max_poc_lsb)?; // pic_order_cnt_lsb
            if pps.bottom_field_pic_order_in_frame_present && !field_pic {
                h.delta_pic_order_cnt_bottom = r.se()?; // delta_pic_order_cnt_bottom
            }
        }
        if sps.poc_type == 1 && !sps.delta_pic_order_always_zero {
            h.delta_pic_order_cnt[0] = r.se()?; // delta_pic_order_cnt[0]
            if pps.bottom_field_pic_order_in_frame_present && !field_pic {
                h.delta_pic_order_cnt[1] = r.se()?; // delta_pic_order_cnt[1]
            }
        }
        Ok(h)
    }
}

/// The `pic_parameter_set_id` of a coded slice NAL unit (type 1 or 5): the third field of
/// its header, readable before knowing which SPS applies.
pub fn slice_pps_id(nal: &[u8]) -> Option<u32> {
    if !matches!(nal.first().map(|h| h & 0x1f), Some(1 | 5)) {
        return None;
    }
    let bytes = unescape(&nal[1..nal.len().min(32)]);
    let mut r = rbsp(&bytes);
    r.ue().ok()?; // first_mb_in_slice
    r.ue().ok()?; // slice_type
    r.ue().ok() // pic_parameter_set_id
}

/// Picture order count decoding state across pictures (§8.2.1). Feed it the first slice
/// header of every picture in decode order; it returns the picture's order count. Memory
/// management operation 5 (a POC reset without an IDR) is not parsed: callers that need
/// display order rebase when the count jumps backwards.
#[derive(Clone, Debug, Default)]
pub struct PocState {
    prev_poc_msb: i64,
    prev_poc_lsb: i64,
    prev_frame_num: i64,
    prev_frame_num_offset: i64,
}

impl PocState {
    /// The picture order count of the picture whose first slice header is `h`: for a frame
    /// the smaller of its top and bottom field counts.
    pub fn next(&mut self, sps: &Sps, h: &SliceHeader) -> i64 {
        let max_frame_num = 1i64 << sps.log2_max_frame_num;
        let frame_num = h.frame_num as i64;
        let poc = match sps.poc_type {
            0 => {
                let max_lsb = 1i64 << sps.log2_max_poc_lsb;
                if h.idr {
                    self.prev_poc_msb = 0;
                    self.prev_poc_lsb = 0;
                }
                let lsb = h.pic_order_cnt_lsb as i64;
                let (pm, pl) = (self.prev_poc_msb, self.prev_poc_lsb);
                let msb = if lsb < pl && pl - lsb >= max_lsb / 2 {
                    pm.saturating_add(max_lsb)
                } else if lsb > pl && lsb - pl > max_lsb / 2 {
                    pm.saturating_sub(max_lsb)
                } else {
                    pm
                };
                let top = msb.saturating_add(lsb);
                let bottom = top.saturating_add(h.delta_pic_order_cnt_bottom as i64);
                if h.reference {
                    self.prev_poc_msb = msb;
                    self.prev_poc_lsb = lsb;
                }
                match (h.field_pic, h.bottom_field) {
                    (false, _) => top.min(bottom),
                    (true, false) => top,
                    (true, true) => msb.saturating_add(lsb),
                }
            }
            1 => {
                let offset = self.frame_num_offset(h, max_frame_num);
                let n = sps.offset_for_ref_frame.len() as i64;
                let mut abs = if n != 0 {
                    offset.saturating_add(frame_num)
                } else {
                    0
                };
                if !h.reference && abs > 0 {
                    abs -= 1;
                }
                let mut expected = 0i64;
                if abs > 0 {
                    let per_cycle: i64 = sps.offset_for_ref_frame.iter().map(|&o| o as i64).sum();
                    let cycle = (abs - 1) / n;
                    let in_cycle = ((abs - 1) % n) as usize;
                    expected = cycle.saturating_mul(per_cycle);
                    for &o in &sps.offset_for_ref_frame[..=in_cycle] {
                        expected = expected.saturating_add(o as i64);
                    }
                }
                if !h.reference {
                    expected = expected.saturating_add(sps.offset_for_non_ref_pic as i64);
                }
                let top = expected.saturating_add(h.delta_pic_order_cnt[0] as i64);
                let bottom = top
                    .saturating_add(sps.offset_for_top_to_bottom_field as i64)
                    .saturating_add(h.delta_pic_order_cnt[1] as i64);
                self.prev_frame_num_offset = offset;
                match (h.field_pic, h.bottom_field) {
                    (false, _) => top.min(bottom),
                    (true, false) => top,
                    (true, true) => expected
                        .saturating_add(sps.offset_for_top_to_bottom_field as i64)
                        .saturating_add(h.delta_pic_order_cnt[0] as i64),
                }
            }
            _ => {
                let offset = self.frame_num_offset(h, max_frame_num);
                self.prev_frame_num_offset = offset;
                if h.idr {
                    0
                } else {
                    let t = offset.saturating_add(frame_num).saturating_mul(2);
                    if h.reference {
                        t
                    } else {
                        t - 1
                    }
                }
            }
        };
        self.prev_frame_num = frame_num;
        poc
    }

    /// `FrameNumOffset` (§8.2.1.2, §8.2.1.3).
    fn frame_num_offset(&self, h: &SliceHeader, max_frame_num: i64) -> i64 {
        if h.idr {
            0
        } else if self.prev_frame_num > h.frame_num as i64 {
            self.prev_frame_num_offset.saturating_add(max_frame_num)
        } else {
            self.prev_frame_num_offset
        }
    }
}

/// Largest picture dimension, in macroblocks, that `parse_sps` accepts.
const MAX_MBS: u32 = 1024;

#[cfg(test)]
mod tests {
    /// The start-code scanner against the plain byte-by-byte one, on streams dense in the
    /// bytes that matter (0, 1) with 3- and 4-byte start codes and trailing zeros.
    #[test]
    fn annexb_split_matches_a_naive_scanner() {
        fn naive(data: &[u8]) -> Vec<&[u8]> {
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
            let mut out = Vec::new();
            for (k, &s) in starts.iter().enumerate() {
                let mut end = starts.get(k + 1).map_or(data.len(), |&n| n - 3);
                while end > s && data[end - 1] == 0 {
                    end -= 1;
                }
                if end > s {
                    out.push(&data[s..end]);
                }
            }
            out
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..400 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    [0, 0, 0, 1, 2, 3, 0x65, 0xff][(x % 8) as usize]
                })
                .collect();
            assert_eq!(annexb_nal_units(&data).collect::<Vec<_>>(), naive(&data), "{data:?}");
        }
    }

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

    /// SPS and PPS of an x264 High@1.3 320x240 stream with `-bf 2` (POC type 0, VUI timing
    /// 1/50 and bitstream restriction).
    const X264_SPS: [u8; 25] = [
        0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
        0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60,
    ];
    const X264_PPS: [u8; 6] = [0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];

    #[test]
    fn parses_sps_fields_for_poc() {
        let s = Sps::parse(&X264_SPS).unwrap();
        assert_eq!((s.width, s.height), (320, 240));
        assert_eq!(
            (s.poc_type, s.log2_max_poc_lsb, s.log2_max_frame_num),
            (0, 6, 4)
        );
        assert!(s.frame_mbs_only);
        assert_eq!(s.timing, Some((1, 50)));
        assert_eq!(s.max_num_reorder_frames, Some(2));
        let p = Pps::parse(&X264_PPS).unwrap();
        assert_eq!((p.pic_parameter_set_id, p.seq_parameter_set_id), (0, 0));
        assert!(!p.bottom_field_pic_order_in_frame_present);
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
    fn length_prefixed_stops_at_damage() {
        let b = [0, 0, 0, 2, 0x65, 1, 0, 0, 0, 9, 1];
        let v: Vec<_> = length_prefixed(&b, 4).collect();
        assert_eq!(v, vec![&[0x65, 1][..]]);
        let mut whole = length_prefixed(&b[..6], 4);
        assert_eq!(whole.by_ref().count(), 1);
        assert!(whole.is_done());
        let mut cut = length_prefixed(&b, 4);
        assert_eq!(cut.by_ref().count(), 1);
        assert!(!cut.is_done());
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
