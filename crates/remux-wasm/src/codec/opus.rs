//! Opus: the identification header (`OpusHead`, RFC 7845 §5.1) that MKV's CodecPrivate
//! holds, the `dOps` box body built from it ("Encapsulation of Opus in ISO Base Media File
//! Format" §4.3.2), and packet durations from the TOC byte (RFC 6716 §3.1).
//!
//! Pre-skip: the first `pre_skip` decoded samples (at 48 kHz) are encoder priming and are
//! not shown. The Opus-in-ISOBMFF spec says to signal them twice: `dOps.PreSkip` (the
//! decoder discards them) and an edit list whose `media_time` is the pre-skip (so the
//! presentation starts after them). Chromium reads both: `dOps` as the decoder's codec
//! delay, and a single-entry edit list's `media_time` as a shift of every timestamp.

use crate::error::{Error, Result};

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("Opus", what)
}

/// Opus always decodes at 48 kHz: the timescale of its track.
pub const SAMPLE_RATE: u32 = 48_000;

/// A parsed OpusHead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpusHead {
    /// Output channel count.
    pub channels: u8,
    /// Samples (at 48 kHz) to discard from the decoder's output at the start.
    pub pre_skip: u16,
    /// Sample rate of the original input (informational).
    pub input_sample_rate: u32,
    /// Output gain in Q7.8 dB.
    pub output_gain: i16,
    /// Channel mapping family (0 = mono/stereo, 1 = Vorbis order surround, ...).
    pub mapping_family: u8,
    /// For families other than 0: stream count, coupled count, then one mapping byte per
    /// channel.
    pub mapping: Vec<u8>,
}

impl OpusHead {
    /// Parses an OpusHead (`"OpusHead"`, version, channels, pre-skip, rate, gain, family,
    /// little-endian).
    pub fn parse(b: &[u8]) -> Result<OpusHead> {
        if b.len() < 19 || &b[..8] != b"OpusHead" {
            return Err(invalid(
                "the codec configuration is not an OpusHead (it must start with \"OpusHead\" and be at least 19 bytes)",
            ));
        }
        if b[8] >> 4 != 0 {
            return Err(invalid(format!(
                "OpusHead version {} is not supported",
                b[8]
            )));
        }
        let channels = b[9];
        if channels == 0 {
            return Err(invalid("OpusHead says 0 channels"));
        }
        let mapping_family = b[18];
        let mapping = if mapping_family == 0 {
            if channels > 2 {
                return Err(invalid(format!(
                    "channel mapping family 0 with {channels} channels"
                )));
            }
            Vec::new()
        } else {
            let need = 2 + channels as usize;
            b.get(19..19 + need)
                .ok_or_else(|| invalid("the OpusHead channel mapping table is cut off"))?
                .to_vec()
        };
        Ok(OpusHead {
            channels,
            pre_skip: u16::from_le_bytes([b[10], b[11]]),
            input_sample_rate: u32::from_le_bytes([b[12], b[13], b[14], b[15]]),
            output_gain: i16::from_le_bytes([b[16], b[17]]),
            mapping_family,
            mapping,
        })
    }

    /// Parses a `dOps` body (the same fields, big-endian, version 0) back into an OpusHead.
    pub fn from_dops(b: &[u8]) -> Result<OpusHead> {
        if b.len() < 11 {
            return Err(invalid("the dOps box is shorter than 11 bytes"));
        }
        if b[0] != 0 {
            return Err(invalid(format!("dOps version {} is not 0", b[0])));
        }
        let mut head = b"OpusHead".to_vec();
        head.push(1); // version
        head.push(b[1]); // channel count
        head.extend_from_slice(&u16::from_be_bytes([b[2], b[3]]).to_le_bytes());
        head.extend_from_slice(&u32::from_be_bytes([b[4], b[5], b[6], b[7]]).to_le_bytes());
        head.extend_from_slice(&i16::from_be_bytes([b[8], b[9]]).to_le_bytes());
        head.extend_from_slice(&b[10..]);
        OpusHead::parse(&head)
    }

    /// The OpusHead bytes (what packet.rs documents as the track's codec_private).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = b"OpusHead".to_vec();
        b.push(1);
        b.push(self.channels);
        b.extend_from_slice(&self.pre_skip.to_le_bytes());
        b.extend_from_slice(&self.input_sample_rate.to_le_bytes());
        b.extend_from_slice(&self.output_gain.to_le_bytes());
        b.push(self.mapping_family);
        b.extend_from_slice(&self.mapping);
        b
    }

    /// The `dOps` box body (OpusSpecificBox, all fields big-endian).
    pub fn to_dops(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(11 + self.mapping.len());
        b.push(0); // Version
        b.push(self.channels); // OutputChannelCount
        b.extend_from_slice(&self.pre_skip.to_be_bytes()); // PreSkip
        b.extend_from_slice(&self.input_sample_rate.to_be_bytes()); // InputSampleRate
        b.extend_from_slice(&self.output_gain.to_be_bytes()); // OutputGain
        b.push(self.mapping_family); // ChannelMappingFamily
        b.extend_from_slice(&self.mapping); // StreamCount, CoupledCount, ChannelMapping[]
        b
    }
}

/// Samples (at 48 kHz) in one Opus packet, from its TOC byte and frame count (RFC 6716
/// §3.1); `None` for an empty or malformed packet.
pub fn packet_samples(packet: &[u8]) -> Option<u32> {
    let toc = *packet.first()?;
    let config = toc >> 3;
    let frame = match config {
        0..=11 => [480, 960, 1920, 2880][(config % 4) as usize], // SILK 10/20/40/60 ms
        12..=15 => [480, 960][(config % 2) as usize],            // Hybrid 10/20 ms
        _ => [120, 240, 480, 960][(config % 4) as usize],        // CELT 2.5/5/10/20 ms
    };
    let frames = match toc & 3 {
        0 => 1,
        1 | 2 => 2,
        _ => (*packet.get(1)? & 0x3f) as u32,
    };
    (frames > 0 && frames * frame <= 5760).then_some(frames * frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The OpusHead ffmpeg's libopus wrapper writes for 48 kHz stereo.
    const HEAD: [u8; 19] = [
        b'O', b'p', b'u', b's', b'H', b'e', b'a', b'd', 1, 2, 0x38, 0x01, 0x80, 0xBB, 0, 0, 0, 0, 0,
    ];

    #[test]
    fn head_to_dops_and_back() {
        let h = OpusHead::parse(&HEAD).unwrap();
        assert_eq!(
            (h.channels, h.pre_skip, h.input_sample_rate),
            (2, 312, 48000)
        );
        let d = h.to_dops();
        assert_eq!(d, vec![0, 2, 0x01, 0x38, 0, 0, 0xBB, 0x80, 0, 0, 0]);
        assert_eq!(OpusHead::from_dops(&d).unwrap(), h);
        assert_eq!(h.to_bytes(), HEAD.to_vec());
    }

    #[test]
    fn surround_mapping_table() {
        let mut b = HEAD.to_vec();
        b[9] = 6;
        b[18] = 1;
        b.extend_from_slice(&[4, 2, 0, 4, 1, 2, 3, 5]);
        let h = OpusHead::parse(&b).unwrap();
        assert_eq!(h.mapping.len(), 8);
        assert_eq!(OpusHead::from_dops(&h.to_dops()).unwrap(), h);
        assert!(OpusHead::parse(&b[..22]).is_err());
    }

    #[test]
    fn bad_heads_are_errors() {
        assert!(OpusHead::parse(b"OpusHea").is_err());
        assert!(OpusHead::parse(&[0; 19]).is_err());
        let mut b = HEAD.to_vec();
        b[9] = 3; // family 0 with 3 channels
        assert!(OpusHead::parse(&b).is_err());
        b[9] = 0;
        assert!(OpusHead::parse(&b).is_err());
        assert!(OpusHead::from_dops(&[1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        for n in 0..HEAD.len() {
            let _ = OpusHead::parse(&HEAD[..n]);
            let _ = OpusHead::from_dops(&HEAD[..n]);
        }
    }

    #[test]
    fn toc_durations() {
        assert_eq!(packet_samples(&[0xFC]), Some(960)); // CELT 20 ms, 1 frame
        assert_eq!(packet_samples(&[0x08 | 1]), Some(1920)); // SILK 20 ms, 2 frames
        assert_eq!(packet_samples(&[0x80 | 3, 3]), Some(360)); // CELT 2.5 ms × 3
        assert_eq!(packet_samples(&[0x18 | 3, 10]), None); // 60 ms × 10: too long
        assert_eq!(packet_samples(&[]), None);
        assert_eq!(packet_samples(&[3]), None);
    }
}
