//! AC-3 and E-AC-3 (ATSC A/52 and its Annex E) through the `oxideav-ac3` crate. We call its
//! float decode paths (`audblk::decode_frame`, `eac3::decode_eac3_packet` +
//! `indep_pcm_f32`) rather than its `Decoder` trait, which rounds to 16 bits (by truncation)
//! and would cap the match with FFmpeg's float output near 90 dB (docs/DESIGN.md).

use oxideav_ac3::audblk::Ac3State;
use oxideav_ac3::eac3::Eac3DecoderState;
use oxideav_ac3::{bsi, syncinfo};

use super::channels::{self, push_reordered};
use super::syncframes::decode_frames;
use super::{AudioDecoder, Decoded};
use crate::error::{Error, Result};

const SYNC: [u8; 2] = [0x0b, 0x77];
/// Samples per channel of one AC-3 syncframe (6 blocks of 256).
const AC3_FRAME: usize = 1536;

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("AC-3", what)
}

/// Decodes AC-3 and E-AC-3 syncframes (the same decoder: each frame's `bsid` says which).
pub struct Ac3Decoder {
    state: Ac3State,
    eac3: Eac3DecoderState,
    channels: usize,
    /// Bytes of a syncframe cut between two packets (AVI stores AC-3 in arbitrary chunks).
    pending: Vec<u8>,
    floats: Vec<f32>,
}

impl Ac3Decoder {
    /// `channels`: what the container states; frames with another count are an error (the
    /// output track's layout is fixed in the init segment).
    pub fn new(channels: usize) -> Self {
        Ac3Decoder {
            state: Ac3State::new(),
            eac3: float_state(),
            channels,
            pending: Vec::new(),
            floats: Vec::new(),
        }
    }

    /// Length in bytes of the syncframe at the start of `b`, if its header is there.
    fn frame_len(b: &[u8]) -> Option<usize> {
        if b.len() < 6 || b[..2] != SYNC {
            return None;
        }
        let bsid = b[5] >> 3;
        if bsid <= 10 {
            syncinfo::parse(b).ok().map(|s| s.frame_length as usize)
        } else {
            // E-AC-3: frmsiz (11 bits) = words - 1 (A/52 Annex E §E.1.2.2).
            Some(((((b[2] & 7) as usize) << 8 | b[3] as usize) + 1) * 2)
        }
    }

    /// Decodes the whole syncframe `f` (AC-3, or E-AC-3 with its dependent substreams).
    fn frame(&mut self, f: &[u8], out: &mut Vec<f32>) -> Result<usize> {
        let bsid = f.get(5).map_or(0, |b| b >> 3);
        if bsid <= 10 {
            let si = syncinfo::parse(f).map_err(|e| invalid(e.to_string()))?;
            let b = bsi::parse(&f[5..]).map_err(|e| invalid(e.to_string()))?;
            let n = b.nchans as usize;
            self.check(n)?;
            self.floats.clear();
            self.floats.resize(AC3_FRAME * n, 0.0);
            oxideav_ac3::audblk::decode_frame(&mut self.state, &si, &b, f, &mut self.floats)
                .map_err(|e| invalid(e.to_string()))?;
            push_reordered(out, &self.floats, &channels::ac3(b.acmod, b.lfeon, n));
            Ok(AC3_FRAME)
        } else {
            let d = oxideav_ac3::eac3::decode_eac3_packet(&mut self.eac3, f)
                .map_err(|e| Error::invalid("E-AC-3", e.to_string()))?;
            let n = d.channels as usize;
            self.check(n)?;
            let pcm = self.eac3.indep_pcm_f32();
            // The decoder appends a dependent substream's channels after the independent
            // program's: 3/2 + LFE + one pair goes to FLAC's FL FR FC LFE BL BR SL SR, with
            // the independent Ls/Rs as the sides and the pair as the backs. That pair is the
            // rear surrounds in the usual 7.1 (Lrs/Rrs); in 5.1.2 (Dolby's "acmod 19" test
            // signal) it is the front heights (Vhl/Vhr), which FLAC has no place for: they
            // play from the backs rather than not at all (docs/DESIGN.md "Transcode").
            let order = if d.acmod == 7 && d.lfeon && n == 8 && d.dep_locations.len() == 2 {
                vec![0, 2, 1, 5, 6, 7, 3, 4]
            } else {
                channels::ac3(d.acmod, d.lfeon, n)
            };
            push_reordered(out, pcm, &order);
            Ok(d.samples as usize)
        }
    }

    fn check(&self, n: usize) -> Result<()> {
        if n != self.channels {
            return Err(invalid(format!(
                "a frame has {n} channels where the track said {}",
                self.channels
            )));
        }
        Ok(())
    }
}

impl AudioDecoder for Ac3Decoder {
    fn decode(&mut self, data: &[u8], out: &mut Vec<f32>) -> Result<Decoded> {
        let aligned = self.pending.is_empty() && data.starts_with(&SYNC);
        let eac3 = data.len() > 5 && data[5] >> 3 > 10;
        if aligned && (eac3 || Self::frame_len(data).is_some_and(|l| l >= data.len())) {
            // One packet, one syncframe (MKV, MP4): decode in place. An E-AC-3 packet holds the
            // independent substream and its dependent ones, which the decoder takes together.
            let samples = self.frame(data, out)?;
            return Ok(Decoded { samples, aligned, frames: vec![samples] });
        }
        // `frame` needs `self`, so the pending bytes are held apart while it runs.
        let mut pending = std::mem::take(&mut self.pending);
        let parse = |b: &[u8]| Some((Self::frame_len(b)?, ()));
        let frames = decode_frames(&mut pending, data, &SYNC, 6, parse, |f, _| self.frame(f, out));
        self.pending = pending;
        let frames = frames?;
        Ok(Decoded { samples: frames.iter().sum(), aligned, frames })
    }

    fn reset(&mut self) {
        self.state = Ac3State::new();
        self.eac3 = float_state();
        self.pending.clear();
    }
}

/// E-AC-3 state that skips the crate's 16-bit output (we read its float PCM).
fn float_state() -> Eac3DecoderState {
    let mut s = Eac3DecoderState::default();
    s.float_only = true;
    s
}
