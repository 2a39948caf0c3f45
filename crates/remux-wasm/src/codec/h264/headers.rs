//! H.264 parameter sets and slice headers (ITU-T H.264 §7.3.2.1.1, §7.3.2.2, §7.3.3), read
//! as far as picture size and picture order counts need.

use super::invalid;
use crate::codec::bits::BitReader;
use crate::error::Result;

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

/// Largest picture dimension, in macroblocks, that `parse_sps` accepts.
const MAX_MBS: u32 = 1024;
