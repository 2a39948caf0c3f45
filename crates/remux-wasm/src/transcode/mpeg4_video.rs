//! MPEG-4 Part 2 video (Xvid, DivX 4/5: ISO/IEC 14496-2 Simple and Advanced Simple Profile)
//! decoded into I420 frames, in display order, timed by the container.
//!
//! The bitstream decoding is the `oxideav-mpeg4video` crate's (chosen on PSNR against
//! FFmpeg, docs/DESIGN.md "Xvid"); this file adds what an AVI player needs around it:
//! - **Timestamps.** AVI stores one time per chunk, in decode order. Display frame `k` takes
//!   the `k`-th smallest chunk time still pending (B-frame reorder resolved by the decoder,
//!   the times by sorting), so frames come out evenly spaced and in order.
//! - **Packed bitstreams** (DivX 5, old Xvid): a chunk holds a P-VOP and the B-VOP shown
//!   before it, and the next chunk holds a one-byte "not coded" VOP as a placeholder. The
//!   placeholder decodes to nothing (as in FFmpeg) but its chunk time is the P-VOP's display
//!   slot. A "not coded" VOP that is no placeholder (an encoder's dropped frame) repeats the
//!   previous picture, so it gives neither a frame nor a time.
//! - **Seeking.** [`Mpeg4VideoDecoder::reset`] drops the reference frames but keeps the
//!   stream headers (Xvid writes them only before the first frame). The B-VOPs that follow
//!   the key frame in the file but are shown before it need the GOP before: they are dropped
//!   (as FFmpeg drops them) with their times, so the key frame keeps the time it has in a
//!   decode of the whole file.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use oxideav_mpeg4video::decoder::Mpeg4VideoDecoder as Decoder;
use oxideav_mpeg4video::framestore::DecodedFrame;
use oxideav_mpeg4video::vop::VopCodingType;

use crate::codec::bits::BitReader;
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// What errors say the damaged data is.
const WHAT: &str = "MPEG-4 Part 2 video";

/// One decoded picture: planar Y, then U, then V, each tightly packed (`width` × `height`
/// luma, `(width + 1) / 2` × `(height + 1) / 2` chroma), the layout of WebCodecs `I420`.
#[derive(Clone, Debug, PartialEq)]
pub struct I420Frame {
    /// Presentation time, in the track's time base.
    pub pts: Timestamp,
    pub width: u32,
    pub height: u32,
    /// An I-VOP: the re-encoded stream puts its key frames here, so seeking lands where it
    /// lands in the source.
    pub key: bool,
    pub data: Vec<u8>,
}

/// Decodes one MPEG-4 Part 2 track, packet by packet.
pub struct Mpeg4VideoDecoder {
    inner: Decoder,
    /// The configuration units (VOS, VO, VOL) seen so far, to prime a fresh decoder on reset.
    headers: Vec<u8>,
    /// Chunk times not yet given to a frame (smallest first).
    pending: BinaryHeap<Reverse<i64>>,
    /// Packed chunks whose placeholder chunk has not come yet.
    placeholders: u32,
    /// Anchor VOPs (I, P, S) decoded since the start or the last reset, up to 2: a B-VOP
    /// needs two.
    anchors: u8,
    /// Pending times of dropped B-VOPs, to drop before the next frame takes one.
    skip_times: u32,
}

impl Mpeg4VideoDecoder {
    /// `codec_private`: the configuration units from the container (an AVI `strf` carries
    /// them after the BITMAPINFOHEADER; may be empty when they are in band).
    pub fn new(codec_private: &[u8]) -> Result<Self> {
        let mut d = Mpeg4VideoDecoder {
            inner: Decoder::new(),
            headers: Vec::new(),
            pending: BinaryHeap::new(),
            placeholders: 0,
            anchors: 0,
            skip_times: 0,
        };
        if codec_private.windows(3).any(|w| w == [0, 0, 1]) {
            d.feed(codec_private)?;
            d.headers = codec_private.to_vec();
        }
        Ok(d)
    }

    /// Decodes one packet (`pts` as the container gives it) and returns the frames that
    /// became displayable, in display order.
    pub fn decode(&mut self, data: &[u8], pts: Timestamp) -> Result<Vec<I420Frame>> {
        let mut coded = Vec::with_capacity(data.len());
        let mut vops = 0u32;
        let mut uncoded = 0u32;
        let mut skipped = 0u32;
        for unit in units(data) {
            let code = unit[3];
            if code == 0xB6 {
                let (b_vop, coded) = self.vop_kind(unit)?;
                if !coded {
                    uncoded += 1;
                    continue;
                }
                if b_vop && self.anchors < 2 {
                    // A B-VOP shown before the key frame a seek landed on: its past anchor
                    // is in the GOP before. Dropped, as FFmpeg drops it; its time is among
                    // the smallest pending and is dropped with it.
                    skipped += 1;
                    continue;
                }
                if !b_vop {
                    self.anchors = self.anchors.saturating_add(1);
                }
                vops += 1;
            } else if code <= 0x2F || code == 0xB0 || code == 0xB5 {
                // Video object (0x00-0x1F), video object layer (0x20-0x2F), visual object
                // sequence and visual object: decoded at once (the next VOP's header needs
                // the layer's clock), and kept for a reset (Xvid sends them only once).
                if self.inner.vol().is_none() || self.headers.is_empty() {
                    self.headers.extend_from_slice(unit);
                }
                self.feed(unit)?;
                continue;
            }
            coded.extend_from_slice(unit);
        }
        if skipped > 0 && vops == 0 {
            self.pending.push(Reverse(pts.0));
            self.skip_times += skipped;
        }
        if vops > 0 {
            self.pending.push(Reverse(pts.0));
            self.placeholders += vops - 1;
        } else if uncoded > 0 && self.placeholders > 0 {
            self.placeholders -= 1;
            self.pending.push(Reverse(pts.0));
        }
        let frames = self.feed(&coded)?;
        Ok(frames.iter().filter_map(|f| self.frame(f)).collect())
    }

    /// The frames still held for reordering, at the end of the stream. A packed P-VOP in the
    /// last chunk never got its placeholder chunk, so the file has no time for it: it is
    /// dropped, as FFmpeg drops it (MEncoder's Xvid files end so).
    pub fn flush(&mut self) -> Vec<I420Frame> {
        let frames = self.inner.flush();
        frames.iter().filter_map(|f| self.frame(f)).collect()
    }

    /// Forgets the reference frames and pending times (before decoding from a key frame
    /// elsewhere in the file); the stream headers stay.
    pub fn reset(&mut self) -> Result<()> {
        self.inner = Decoder::new();
        self.pending.clear();
        self.placeholders = 0;
        self.anchors = 0;
        self.skip_times = 0;
        let headers = std::mem::take(&mut self.headers);
        self.feed(&headers)?;
        self.headers = headers;
        Ok(())
    }

    /// The picture size the stream headers give, once they have been seen.
    pub fn size(&self) -> Option<(u32, u32)> {
        self.inner
            .vol()
            .map(|v| (u32::from(v.width), u32::from(v.height)))
    }

    fn feed(&mut self, bytes: &[u8]) -> Result<Vec<DecodedFrame>> {
        if bytes.is_empty() {
            return Ok(Vec::new());
        }
        self.inner
            .decode(bytes)
            .map_err(|e| Error::invalid(WHAT, e.to_string()))
    }

    /// Whether a VOP unit is a B-VOP, and its `vop_coded` (ISO/IEC 14496-2 §6.2.5): after
    /// `vop_coding_type`, `modulo_time_base`, a marker, `vop_time_increment` and a marker.
    fn vop_kind(&self, unit: &[u8]) -> Result<(bool, bool)> {
        let Some(vol) = self.inner.vol() else {
            return Err(Error::invalid(
                WHAT,
                "a picture comes before the stream headers (no video object layer)",
            ));
        };
        let increment_bits = (16
            - vol
                .time_increment_resolution
                .saturating_sub(1)
                .leading_zeros())
        .max(1);
        let mut r = BitReader::new(&unit[4..], WHAT);
        let b_vop = r.bits(2)? == 2;
        let mut seconds = 0;
        while r.flag()? {
            seconds += 1;
            if seconds > 60 {
                return Err(Error::invalid(WHAT, "a picture header's time is garbled"));
            }
        }
        r.skip(1 + increment_bits + 1)?;
        Ok((b_vop, r.flag()?))
    }

    /// The decoded picture with its display time; `None` when no chunk time is left for it.
    fn frame(&mut self, f: &DecodedFrame) -> Option<I420Frame> {
        let (w, h) = self
            .size()
            .map(|(w, h)| (w as usize, h as usize))
            .unwrap_or((f.width(), f.height()));
        let (w, h) = (w.min(f.width()), h.min(f.height()));
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let mut data = Vec::with_capacity(w * h + 2 * cw * ch);
        crop(&mut data, f.luma_samples(), f.width(), w, h);
        crop(&mut data, f.cb_samples(), f.width() / 2, cw, ch);
        crop(&mut data, f.cr_samples(), f.width() / 2, cw, ch);
        // Every frame's VOP pushed a time first (a placeholder VOP never decodes to a frame),
        // except a packed P-VOP whose placeholder chunk never came (see `flush`).
        for _ in 0..std::mem::take(&mut self.skip_times) {
            self.pending.pop();
        }
        let Reverse(pts) = self.pending.pop()?;
        Some(I420Frame {
            pts: Timestamp(pts),
            width: w as u32,
            height: h as u32,
            key: f.coding_type() == VopCodingType::I,
            data,
        })
    }
}

fn crop(out: &mut Vec<u8>, plane: &[u8], stride: usize, w: usize, h: usize) {
    for row in plane.chunks(stride).take(h) {
        out.extend_from_slice(&row[..w]);
    }
}

/// The start-code units of `data` (`00 00 01 xx ...` up to the next start code); bytes
/// before the first start code are dropped.
fn units(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while let Some(p) = memchr::memmem::find(&data[i..], &[0, 0, 1]) {
        if i + p + 3 < data.len() {
            starts.push(i + p);
        }
        i += p + 3;
    }
    let ends: Vec<usize> = starts.iter().skip(1).copied().chain([data.len()]).collect();
    starts.into_iter().zip(ends).map(move |(s, e)| &data[s..e])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_split_at_start_codes() {
        let d = [9, 0, 0, 1, 0xB0, 1, 0, 0, 1, 0xB6, 2, 3];
        let u: Vec<&[u8]> = units(&d).collect();
        assert_eq!(u, vec![&[0, 0, 1, 0xB0, 1][..], &[0, 0, 1, 0xB6, 2, 3][..]]);
    }

    #[test]
    fn a_picture_before_any_header_is_a_clear_error() {
        let mut d = Mpeg4VideoDecoder::new(&[]).unwrap();
        let e = d
            .decode(&[0, 0, 1, 0xB6, 0x10, 0, 0], Timestamp(0))
            .unwrap_err();
        assert!(e.to_string().contains("before the stream headers"), "{e}");
    }
}
