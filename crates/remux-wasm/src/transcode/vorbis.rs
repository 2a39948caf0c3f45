//! Vorbis through the `lewton` crate, fed the raw packets MKV/WebM carry; the three header
//! packets come Xiph-laced in the track's CodecPrivate.

use lewton::audio::{read_audio_packet_generic, PreviousWindowRight};
use lewton::header::{read_header_ident, read_header_setup, IdentHeader, SetupHeader};
use lewton::samples::InterleavedSamples;

use super::channels;
use super::{AudioDecoder, Decoded};
use crate::error::{Error, Result};

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("Vorbis", what)
}

pub struct VorbisDecoder {
    ident: IdentHeader,
    setup: SetupHeader,
    pwr: PreviousWindowRight,
    order: channels::Order,
}

/// Splits Xiph lacing (a count - 1 byte, then the sizes of all packets but the last, each
/// as a run of 255s plus a final byte) into the packets.
fn xiph_unlace(b: &[u8]) -> Option<Vec<&[u8]>> {
    let count = *b.first()? as usize + 1;
    let mut at = 1;
    let mut sizes = Vec::new();
    for _ in 0..count - 1 {
        let mut size = 0usize;
        loop {
            let v = *b.get(at)?;
            at += 1;
            size += v as usize;
            if v != 255 {
                break;
            }
        }
        sizes.push(size);
    }
    let mut out = Vec::new();
    for s in sizes {
        out.push(b.get(at..at + s)?);
        at += s;
    }
    out.push(b.get(at..)?);
    Some(out)
}

impl VorbisDecoder {
    /// From the track's CodecPrivate (identification, comment and setup headers).
    pub fn new(codec_private: &[u8]) -> Result<Self> {
        let packets = xiph_unlace(codec_private)
            .filter(|p| p.len() == 3)
            .ok_or_else(|| invalid("the codec configuration does not hold the three header packets"))?;
        let ident = read_header_ident(packets[0]).map_err(|e| invalid(format!("identification header: {e:?}")))?;
        let setup = read_header_setup(
            packets[2],
            ident.audio_channels,
            (ident.blocksize_0, ident.blocksize_1),
        )
        .map_err(|e| invalid(format!("setup header: {e:?}")))?;
        let order = channels::vorbis(ident.audio_channels as usize);
        Ok(VorbisDecoder { ident, setup, pwr: PreviousWindowRight::new(), order })
    }

    pub fn sample_rate(&self) -> u32 {
        self.ident.audio_sample_rate
    }

    pub fn channels(&self) -> usize {
        self.ident.audio_channels as usize
    }

    /// The most samples one packet yields (half the long block).
    pub fn max_block(&self) -> usize {
        (1usize << self.ident.blocksize_1) / 2
    }
}

impl AudioDecoder for VorbisDecoder {
    fn decode(&mut self, data: &[u8], out: &mut Vec<f32>) -> Result<Decoded> {
        let s: InterleavedSamples<f32> =
            read_audio_packet_generic(&self.ident, &self.setup, data, &mut self.pwr)
                .map_err(|e| invalid(format!("{e:?}")))?;
        let samples = s.samples.len() / self.order.len().max(1);
        channels::push_reordered(out, &s.samples, &self.order);
        Ok(Decoded { samples, aligned: true, frames: vec![samples] })
    }

    fn reset(&mut self) {
        self.pwr = PreviousWindowRight::new();
    }
}
