//! DTS Coherent Acoustics core (ETSI TS 102 114) through the `oxideav-dts` crate. A DTS-HD
//! (MA, HRA) or DTS:X frame starts with its core: the extension substream after it is skipped,
//! so such tracks play their core.

use oxideav_dts::{
    decode_audio_coding_header_at, parse_frame_header, CoreStreamDecoder, DtsFrameHeader,
};

use super::channels;
use super::syncframes::decode_frames;
use super::{AudioDecoder, Decoded};
use crate::error::{Error, Result};

/// The 16-bit big-endian core sync word (the form MKV, MP4 and AVI carry).
const SYNC: [u8; 4] = [0x7f, 0xfe, 0x80, 0x01];

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("DTS", what)
}

pub struct DtsDecoder {
    stream: Option<CoreStreamDecoder>,
    channels: usize,
    pending: Vec<u8>,
}

impl DtsDecoder {
    pub fn new(channels: usize) -> Self {
        DtsDecoder { stream: None, channels, pending: Vec::new() }
    }

    fn header(b: &[u8]) -> Option<DtsFrameHeader> {
        if !b.starts_with(&SYNC) {
            return None;
        }
        parse_frame_header(b).ok()
    }

    /// Decodes the core frame `f` described by `h`; returns its samples per channel.
    fn frame(&mut self, f: &[u8], h: &DtsFrameHeader, out: &mut Vec<f32>) -> Result<usize> {
        let (coding, _) =
            decode_audio_coding_header_at(f, h.header_bit_length() as usize, h.crc_present)
                .map_err(|e| invalid(e.to_string()))?;
        let primaries = coding.n_pchs;
        let mut stream = match self.stream.take() {
            Some(s) if s.channel_count() == primaries => s,
            _ => CoreStreamDecoder::new(primaries),
        };
        let decoded = stream.decode_frame(f, h);
        let lfe = stream.take_last_lfe_pcm();
        self.stream = Some(stream);
        let mut planes = decoded.map_err(|e| invalid(e.to_string()))?;
        let has_lfe = !lfe.is_empty();
        if has_lfe {
            planes.push(lfe);
        }
        let n = planes.len();
        // A DTS-HD MA 7.1 track is announced with its 8 channels, and its core is 5.1: the
        // core's surround pair goes to FLAC 7.1's side pair and the back pair stays silent.
        let hd_core = n == 6 && self.channels == 8;
        if n != self.channels && !hd_core {
            return Err(invalid(format!(
                "a frame has {n} channels where the track said {}",
                self.channels
            )));
        }
        let samples = planes.iter().map(Vec::len).min().unwrap_or(0);
        // The header states the frame's length; more means the decoder read the frame wrong
        // (seen: the 7.1 core of a DTS-HD MA track came out three frames long), and playing
        // it would stretch the sound. The frame then plays as silence of its length.
        let stated = (h.blocks_per_frame as usize + 1) * h.sample_count_per_block as usize;
        if samples > stated {
            return Err(invalid(format!(
                "the decoder gave {samples} samples for a frame of {stated}"
            )));
        }
        // The decoder's integers are full-scale 32-bit (its S32 output), whatever source
        // resolution the header states (checked against FFmpeg's float decode).
        let scale = 1.0 / 2147483648.0f32;
        let order = channels::dts(h.amode, has_lfe, n);
        out.reserve(samples * self.channels);
        let planes: Vec<&[i32]> = order.iter().map(|&c| &planes[c][..samples]).collect();
        for i in 0..samples {
            if hd_core {
                let at = |c: usize| planes[c][i] as f32 * scale;
                out.extend([at(0), at(1), at(2), at(3), 0.0, 0.0, at(4), at(5)]);
            } else {
                out.extend(planes.iter().map(|p| p[i] as f32 * scale));
            }
        }
        Ok(samples)
    }
}

impl AudioDecoder for DtsDecoder {
    fn decode(&mut self, data: &[u8], out: &mut Vec<f32>) -> Result<Decoded> {
        let aligned = self.pending.is_empty() && data.starts_with(&SYNC);
        if aligned {
            if let Some(h) = Self::header(data) {
                if h.frame_size_bytes as usize <= data.len()
                    && memchr::memmem::find(&data[4..], &SYNC).is_none()
                {
                    // One packet, one core frame (plus any DTS-HD extension after it).
                    let samples = self.frame(&data[..h.frame_size_bytes as usize], &h, out)?;
                    return Ok(Decoded { samples, aligned, frames: vec![samples] });
                }
            }
        }
        // `frame` needs `self`, so the pending bytes are held apart while it runs.
        let mut pending = std::mem::take(&mut self.pending);
        let parse = |b: &[u8]| Self::header(b).map(|h| (h.frame_size_bytes as usize, h));
        let decode = |f: &[u8], h: &DtsFrameHeader| self.frame(f, h, out);
        let frames = decode_frames(&mut pending, data, &SYNC, 16, parse, decode);
        self.pending = pending;
        let frames = frames?;
        Ok(Decoded { samples: frames.iter().sum(), aligned, frames })
    }

    fn reset(&mut self) {
        self.stream = None;
        self.pending.clear();
    }
}
