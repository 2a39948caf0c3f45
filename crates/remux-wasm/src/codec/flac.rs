//! FLAC: the STREAMINFO metadata block (FLAC format §8.2) that MKV's CodecPrivate
//! (`fLaC` + metadata blocks) starts with, and the `dfLa` body built from it ("Encapsulation
//! of FLAC in ISO Base Media File Format" §3.3.2: metadata blocks, STREAMINFO first).

use crate::error::{Error, Result};

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("FLAC", what)
}

/// The fields of STREAMINFO Riptide needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamInfo {
    pub min_block_size: u16,
    /// Largest block (samples per channel in one frame): the nominal frame duration.
    pub max_block_size: u16,
    pub sample_rate: u32,
    pub channels: u8,
    pub bits_per_sample: u8,
    /// The 34-byte block body, as found.
    pub raw: [u8; 34],
}

const STREAMINFO: u8 = 0;

impl StreamInfo {
    /// Parses a 34-byte STREAMINFO body.
    pub fn parse_body(b: &[u8]) -> Result<StreamInfo> {
        let raw: [u8; 34] = b
            .get(..34)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| invalid("STREAMINFO is shorter than 34 bytes"))?;
        let sample_rate = (raw[10] as u32) << 12 | (raw[11] as u32) << 4 | (raw[12] as u32) >> 4;
        let s = StreamInfo {
            min_block_size: u16::from_be_bytes([raw[0], raw[1]]),
            max_block_size: u16::from_be_bytes([raw[2], raw[3]]),
            sample_rate,
            channels: ((raw[12] >> 1) & 7) + 1,
            bits_per_sample: (((raw[12] & 1) << 4) | (raw[13] >> 4)) + 1,
            raw,
        };
        if s.sample_rate == 0 {
            return Err(invalid("STREAMINFO says the sample rate is 0"));
        }
        if s.max_block_size < 16 {
            return Err(invalid(format!(
                "STREAMINFO's largest block is {} samples (at least 16 is valid)",
                s.max_block_size
            )));
        }
        Ok(s)
    }

    /// Finds STREAMINFO in `fLaC` + metadata blocks (MKV CodecPrivate), or in metadata
    /// blocks without the marker (a `dfLa` body after its version and flags).
    pub fn parse(b: &[u8]) -> Result<StreamInfo> {
        let mut at = if b.starts_with(b"fLaC") { 4 } else { 0 };
        loop {
            let h = b
                .get(at..at + 4)
                .ok_or_else(|| invalid("no STREAMINFO metadata block"))?;
            let last = h[0] & 0x80 != 0; // last-metadata-block flag
            let kind = h[0] & 0x7f; // BLOCK_TYPE
            let len = (h[1] as usize) << 16 | (h[2] as usize) << 8 | h[3] as usize; // length
            let body = b
                .get(at + 4..at + 4 + len)
                .ok_or_else(|| invalid("a metadata block runs past the codec configuration"))?;
            if kind == STREAMINFO {
                return StreamInfo::parse_body(body);
            }
            if last {
                return Err(invalid("no STREAMINFO metadata block"));
            }
            at += 4 + len;
        }
    }

    /// The `dfLa` body after version and flags: STREAMINFO as the only (last) block.
    pub fn to_dfla_blocks(&self) -> Vec<u8> {
        let mut b = vec![0x80 | STREAMINFO, 0, 0, 34]; // last flag, BLOCK_TYPE, length
        b.extend_from_slice(&self.raw); // STREAMINFO
        b
    }

    /// MKV-style codec_private: `fLaC` + the STREAMINFO block.
    pub fn to_codec_private(&self) -> Vec<u8> {
        let mut b = b"fLaC".to_vec();
        b.extend(self.to_dfla_blocks());
        b
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// STREAMINFO of a 48 kHz stereo 16-bit stream with 4608-sample blocks.
    pub(crate) fn streaminfo() -> [u8; 34] {
        let mut s = [0u8; 34];
        s[0..2].copy_from_slice(&4608u16.to_be_bytes());
        s[2..4].copy_from_slice(&4608u16.to_be_bytes());
        // sample rate 48000 = 0x0BB80 (20 bits), channels-1 = 1 (3 bits), bps-1 = 15 (5 bits)
        s[10] = 0x0B;
        s[11] = 0xB8;
        s[12] = 0x00 | (1 << 1) | 0;
        s[13] = 0xF0;
        s
    }

    #[test]
    fn parses_codec_private_with_other_blocks_first() {
        let mut cp = b"fLaC".to_vec();
        cp.extend_from_slice(&[4, 0, 0, 2, 0xaa, 0xbb]); // VORBIS_COMMENT first
        cp.extend_from_slice(&[0x80, 0, 0, 34]);
        cp.extend_from_slice(&streaminfo());
        let s = StreamInfo::parse(&cp).unwrap();
        assert_eq!(
            (
                s.sample_rate,
                s.channels,
                s.bits_per_sample,
                s.max_block_size
            ),
            (48000, 2, 16, 4608)
        );
        assert_eq!(StreamInfo::parse(&s.to_dfla_blocks()).unwrap(), s);
        assert_eq!(StreamInfo::parse(&s.to_codec_private()).unwrap(), s);
    }

    #[test]
    fn broken_configs_are_errors() {
        assert!(StreamInfo::parse(b"fLaC").is_err());
        assert!(StreamInfo::parse(&[0x84, 0, 0, 0]).is_err());
        assert!(StreamInfo::parse(&[0x80, 0, 0, 34, 1, 2]).is_err());
        assert!(StreamInfo::parse_body(&[0; 34]).is_err());
        let good = StreamInfo {
            ..StreamInfo::parse_body(&streaminfo()).unwrap()
        }
        .to_codec_private();
        for n in 0..good.len() {
            assert!(StreamInfo::parse(&good[..n]).is_err());
        }
    }
}
