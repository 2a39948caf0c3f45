//! Picture order counts (ITU-T H.264 §8.2.1): display order from slice headers, for AVI,
//! which stores H.264 frames in decode order only.

use super::{SliceHeader, Sps};

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
