//! Video chunks to packets: H.264 (Annex B → AVCC, key frames, presentation order from the
//! picture order count) and key-frame detection for the codecs Riptide only names.
//!
//! # H.264 timing
//!
//! AVI stores frames in decode order, one per chunk, with no timestamps: frame `n` has decode
//! time `n` (in ticks of `dwScale/dwRate`). Its display position comes from the picture order
//! count: within a coded video sequence (from an IDR on) the display index is the IDR's frame
//! number plus `(POC - POC of the IDR) / step`, where `step` is the POC increment per frame
//! (2 for frame coding by every common encoder; 1 if an odd increment is ever seen). The
//! presentation time is that display index plus the reorder delay `D` (VUI
//! `max_num_reorder_frames`; if the SPS does not state it, the largest lag seen so far), so
//! `pts ≥ dts`: the first frame shows at `D`, as decoders (and ffprobe) present AVI frames.

use crate::codec::h264::{
    annexb_nal_units, length_prefixed, slice_pps_id, write_avcc, AvcConfig, PocState, Pps,
    SliceHeader, Sps,
};

/// Parameter sets kept per stream (ids are < 32 for SPS, < 256 for PPS).
const MAX_PARAM_SETS: usize = 32;
/// A display index further than this from the decode index means the POC was reset without
/// an IDR (memory management operation 5) or is damaged: the orderer starts afresh.
const MAX_REORDER_DRIFT: i64 = 64;
/// Gaps between frames above this many ticks are dropped frames, not the frame rate.
const MAX_FRAME_TICKS: i64 = 16;
/// Reorder delays above this are damage (H.264 allows at most 16 frames in the DPB).
const MAX_DELAY: i64 = 16;

/// Per-stream H.264 state: parameter sets seen, POC decoding, display-order base.
#[derive(Clone, Debug, Default)]
pub struct H264Order {
    sps: Vec<(u32, Sps)>,
    pps: Vec<(u32, Pps)>,
    poc: PocState,
    /// (decode index, tick, POC) of the frame the current display numbering counts from.
    base: Option<(i64, i64, i64)>,
    /// Tick of the previous frame, and the ticks one frame lasts (see `order`).
    last_tick: Option<i64>,
    frame_ticks: Option<i64>,
    /// The stream tick, `dwScale/dwRate` seconds.
    tick: (u32, u32),
    /// POC increment per frame: 2 unless an odd difference has been seen.
    odd_steps: bool,
    /// Reorder delay in frames; `fixed` when the SPS states it.
    delay: i64,
    fixed: bool,
}

/// One H.264 frame converted for MP4.
pub struct H264Frame {
    /// Length-prefixed NAL units.
    pub data: Vec<u8>,
    pub keyframe: bool,
    /// Presentation tick (display position + reorder delay, in stream ticks).
    pub pts: i64,
}

impl H264Order {
    /// A new orderer for a stream whose tick is `scale/rate` seconds, knowing the parameter
    /// sets of its configuration record (`avcc`, may be empty).
    pub fn new(scale: u32, rate: u32, avcc: &[u8]) -> H264Order {
        let mut o = H264Order {
            tick: (scale, rate),
            ..H264Order::default()
        };
        if let Ok(c) = AvcConfig::parse(avcc) {
            for nal in c.sps.iter().chain(&c.pps) {
                o.learn(nal);
            }
        }
        o
    }

    /// The parameter sets in `nals`, kept for parsing slice headers.
    fn learn(&mut self, nal: &[u8]) {
        match nal.first().map(|h| h & 0x1f) {
            Some(7) => {
                if let Ok(s) = Sps::parse(nal) {
                    // A frame lasts two VUI ticks; in stream ticks that is the frame duration.
                    let (scale, rate) = self.tick;
                    if let (Some((units, ts)), true) = (s.timing, scale > 0 && rate > 0) {
                        let num = 2 * units as u128 * rate as u128;
                        let den = ts as u128 * scale as u128;
                        let ft = ((num + den / 2) / den) as i64;
                        if (1..=MAX_FRAME_TICKS).contains(&ft) && self.frame_ticks.is_none() {
                            self.frame_ticks = Some(ft);
                        }
                    }
                    if let Some(r) = s.max_num_reorder_frames {
                        self.delay = (r as i64).min(MAX_DELAY);
                        self.fixed = true;
                    } else if s.poc_type == 2 {
                        // POC type 2: display order is decode order.
                        self.fixed = true;
                        self.delay = 0;
                    }
                    let id = s.seq_parameter_set_id;
                    self.sps.retain(|(i, _)| *i != id);
                    if self.sps.len() < MAX_PARAM_SETS {
                        self.sps.push((id, s));
                    }
                }
            }
            Some(8) => {
                if let Ok(p) = Pps::parse(nal) {
                    let id = p.pic_parameter_set_id;
                    self.pps.retain(|(i, _)| *i != id);
                    if self.pps.len() < 8 * MAX_PARAM_SETS {
                        self.pps.push((id, p));
                    }
                }
            }
            _ => {}
        }
    }

    /// The first slice's header and POC of the frame made of `nals`, and whether it is a
    /// random access point (IDR, or an I slice with a recovery point SEI).
    fn inspect<'a>(
        &mut self,
        nals: impl Iterator<Item = &'a [u8]>,
    ) -> (Option<(SliceHeader, i64)>, bool) {
        let mut recovery = false;
        for nal in nals {
            let Some(&h) = nal.first() else { continue };
            match h & 0x1f {
                7 | 8 => self.learn(nal),
                6 => recovery |= nal.get(1) == Some(&6), // SEI payload type 6: recovery point
                1 | 5 => {
                    let slice = self.parse_slice(nal);
                    let key = h & 0x1f == 5
                        || (recovery && slice.is_some_and(|(s, _)| s.slice_type == 2));
                    return (slice, key);
                }
                _ => {}
            }
        }
        (None, false)
    }

    fn parse_slice(&mut self, nal: &[u8]) -> Option<(SliceHeader, i64)> {
        let pps_id = slice_pps_id(nal)?;
        let pps = self.pps.iter().find(|(i, _)| *i == pps_id)?.1;
        let sps = &self
            .sps
            .iter()
            .find(|(i, _)| *i == pps.seq_parameter_set_id)?
            .1;
        let header = SliceHeader::parse(nal, sps, &pps).ok()?;
        let poc = self.poc.next(sps, &header);
        Some((header, poc))
    }

    /// The presentation tick of the frame with decode index `n` (counting frames, not empty
    /// chunks) at decode tick `tick`.
    fn order(&mut self, n: i64, tick: i64, slice: Option<(SliceHeader, i64)>) -> i64 {
        // Ticks per frame: the smallest gap between frames seen (2 when a writer fills a
        // 1/50 time base with empty chunks between 25 fps frames).
        if let Some(last) = self.last_tick {
            let gap = tick - last;
            if gap > 0 && gap <= MAX_FRAME_TICKS {
                self.frame_ticks = Some(self.frame_ticks.map_or(gap, |t| t.min(gap)));
            }
        }
        self.last_tick = Some(tick);
        let ft = self.frame_ticks.unwrap_or(1);
        let Some((header, poc)) = slice else {
            return tick + self.delay * ft; // nothing to order by: decode order
        };
        let (base_n, base_tick, base_poc) = match self.base {
            Some(b) if !header.idr => b,
            _ => (n, tick, poc),
        };
        let diff = poc.saturating_sub(base_poc);
        if diff % 2 != 0 {
            self.odd_steps = true;
        }
        let step = if self.odd_steps { 1 } else { 2 };
        let mut display = base_n.saturating_add(diff.div_euclid(step));
        let mut base = (base_n, base_tick, base_poc);
        if (display - n).abs() > MAX_REORDER_DRIFT {
            base = (n, tick, poc);
            display = n;
        }
        self.base = Some(base);
        if !self.fixed {
            self.delay = self.delay.max(n - display).clamp(0, MAX_DELAY);
        }
        base.1
            .saturating_add((display - base.0).saturating_mul(ft))
            .saturating_add(self.delay * ft)
    }

    /// Forgets the display-order base (after a seek): the next frame starts a new count.
    pub fn reset(&mut self) {
        self.base = None;
        self.last_tick = None;
        self.poc = PocState::default();
    }

    /// How far presentation runs behind decoding, in ticks (reorder delay × ticks per frame).
    pub fn delay_ticks(&self) -> i64 {
        self.delay * self.frame_ticks.unwrap_or(1)
    }

    /// Converts one chunk (frame `n` in decode order). `avcc`: already length-prefixed with
    /// `nal_len`-byte lengths.
    pub fn frame(&mut self, n: i64, tick: i64, chunk: &[u8], avcc: Option<usize>) -> H264Frame {
        match avcc {
            Some(len) => {
                let (slice, key) = self.inspect(length_prefixed(chunk, len));
                H264Frame {
                    data: chunk.to_vec(),
                    keyframe: key,
                    pts: self.order(n, tick, slice),
                }
            }
            None => {
                // One scan for the start codes, used twice.
                let units: Vec<&[u8]> = annexb_nal_units(chunk).collect();
                let (slice, key) = self.inspect(units.iter().copied());
                let mut data = Vec::with_capacity(chunk.len() + 16);
                write_avcc(units.iter().copied(), &mut data);
                H264Frame {
                    data,
                    keyframe: key,
                    pts: self.order(n, tick, slice),
                }
            }
        }
    }
}

/// MPEG-4 Part 2: whether the first VOP (`00 00 01 B6`) is an I-VOP (`vop_coding_type` 0).
pub fn mpeg4_is_key(b: &[u8]) -> bool {
    b.windows(5)
        .find(|w| w[..4] == [0, 0, 1, 0xB6])
        .is_some_and(|w| w[4] >> 6 == 0)
}

/// MPEG-1/2 video: whether the first picture header (`00 00 01 00`) has
/// `picture_coding_type` 1 (I), the 3 bits after the 10-bit temporal reference.
pub fn mpeg12_is_key(b: &[u8]) -> bool {
    b.windows(6)
        .find(|w| w[..4] == [0, 0, 1, 0])
        .is_some_and(|w| (w[5] >> 3) & 7 == 1)
}

/// MS MPEG-4 v3: the frame's first two bits are the picture type (0 = I).
pub fn msmpeg4_is_key(b: &[u8]) -> bool {
    b.first().is_some_and(|x| x >> 6 == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_frame_detection() {
        assert!(mpeg4_is_key(&[0, 0, 1, 0xB0, 1, 0, 0, 1, 0xB6, 0x10]));
        assert!(!mpeg4_is_key(&[0, 0, 1, 0xB6, 0x50]));
        assert!(!mpeg4_is_key(&[0x7f]));
        assert!(mpeg12_is_key(&[0, 0, 1, 0, 0x00, 0x0f]));
        assert!(!mpeg12_is_key(&[0, 0, 1, 0, 0x00, 0x17]));
        assert!(msmpeg4_is_key(&[0x3f]) && !msmpeg4_is_key(&[0x40]));
    }
}
