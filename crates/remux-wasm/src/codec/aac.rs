//! AAC: the AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), the MSE codec string built from
//! it, and a synthesised config for containers that only state the profile, rate and channels.

use super::bits::BitReader;
use crate::error::{Error, Result};

/// `samplingFrequencyIndex` → Hz (index 15 means an explicit 24-bit frequency follows).
pub const SAMPLE_RATES: [u32; 13] = [
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/// A parsed AudioSpecificConfig (the fields Riptide needs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioSpecificConfig {
    /// `audioObjectType` (2 = AAC LC, 5 = SBR/HE-AAC, 29 = PS/HE-AACv2), escape 31 resolved.
    pub object_type: u8,
    /// Sampling frequency in Hz of the core decoder (the rate one frame's samples count in).
    pub sample_rate: u32,
    /// `channelConfiguration` (0 = defined in a program_config_element).
    pub channels: u8,
    /// Samples per frame: 1024, or 960 when `frameLengthFlag` is set.
    pub frame_length: u32,
}

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("AAC", what)
}

fn object_type(r: &mut BitReader) -> Result<u8> {
    // audioObjectType = 5 bits; 31 escapes to 32 + audioObjectTypeExt (6 bits).
    let t = r.bits(5)?;
    Ok(if t == 31 { 32 + r.bits(6)? } else { t } as u8)
}

fn frequency(r: &mut BitReader) -> Result<u32> {
    // samplingFrequencyIndex = 4 bits; 0xf means samplingFrequency (24 bits) follows.
    let i = r.bits(4)?;
    if i == 0xf {
        return r.bits(24);
    }
    SAMPLE_RATES
        .get(i as usize)
        .copied()
        .ok_or_else(|| invalid(format!("reserved sampling frequency index {i}")))
}

impl AudioSpecificConfig {
    /// Parses the config bytes (MKV CodecPrivate, the payload of an MP4 DecoderSpecificInfo).
    pub fn parse(b: &[u8]) -> Result<AudioSpecificConfig> {
        let mut r = BitReader::new(b, "AAC").cut_off("AudioSpecificConfig is truncated");
        let object_type_v = object_type(&mut r)?;
        let sample_rate = frequency(&mut r)?;
        let channels = r.bits(4)? as u8;
        if object_type_v == 5 || object_type_v == 29 {
            // Explicit SBR: extensionSamplingFrequency, then the core object type. The core
            // rate above stays the rate frames are counted in (1024 core samples per frame).
            // The signalled HE-AAC type is kept: the codec string names what to decode.
            let _ext_rate = frequency(&mut r)?;
            let _core_object_type = object_type(&mut r)?;
        }
        if sample_rate == 0 {
            return Err(invalid("sampling frequency is zero"));
        }
        // GASpecificConfig starts with frameLengthFlag for the GA object types.
        let frame_length = match object_type_v {
            1..=7 | 17 | 19..=23 | 29 if r.bits(1).unwrap_or(0) == 1 => 960,
            _ => 1024,
        };
        if object_type_v == 0 {
            return Err(invalid("audio object type 0 (null)"));
        }
        Ok(AudioSpecificConfig {
            object_type: object_type_v,
            sample_rate,
            channels,
            frame_length,
        })
    }

    /// The RFC 6381 codec string, `mp4a.40.<audioObjectType>` (e.g. `mp4a.40.2` for AAC LC).
    pub fn codec_string(&self) -> String {
        format!("mp4a.40.{}", self.object_type)
    }
}

/// Builds a 2-byte (or 5-byte, for a rate without an index) AudioSpecificConfig from the
/// audio object type, sample rate and channel count, for containers (old MKV `A_AAC/MPEG4/LC`
/// ids, ADTS streams) that carry no config. For SBR (`object_type` 5), `sample_rate` is the
/// output rate and the config signals SBR explicitly over a half-rate AAC LC core.
pub fn synthesize_asc(object_type: u8, sample_rate: u32, channels: u8) -> Vec<u8> {
    let mut bits: u64 = 0;
    let mut n = 0u32;
    let mut put = |v: u64, w: u32| {
        bits = (bits << w) | (v & ((1 << w) - 1));
        n += w;
    };
    let put_rate = |put: &mut dyn FnMut(u64, u32), rate: u32| {
        match SAMPLE_RATES.iter().position(|&r| r == rate) {
            Some(i) => put(i as u64, 4), // samplingFrequencyIndex
            None => {
                put(0xf, 4); // explicit frequency follows
                put(rate as u64, 24); // samplingFrequency
            }
        }
    };
    if object_type == 5 {
        // Explicit SBR signalling: `sample_rate` is the output rate, the core runs at half.
        put(5, 5); // audioObjectType = SBR
        put_rate(&mut put, sample_rate / 2); // core samplingFrequencyIndex
        put(channels.min(15) as u64, 4); // channelConfiguration
        put_rate(&mut put, sample_rate); // extensionSamplingFrequencyIndex
        put(2, 5); // core audioObjectType = AAC LC
    } else {
        put(object_type.min(30) as u64, 5); // audioObjectType (no escape needed below 31)
        put_rate(&mut put, sample_rate);
        put(channels.min(15) as u64, 4); // channelConfiguration
    }
    put(0, 3); // GASpecificConfig: frameLengthFlag, dependsOnCoreCoder, extensionFlag
    let bytes = n.div_ceil(8);
    let bits = bits << (bytes * 8 - n);
    (0..bytes).rev().map(|i| (bits >> (i * 8)) as u8).collect()
}

/// The audio object type implied by an MKV legacy codec id (`A_AAC/MPEG4/LC/SBR` → 5).
pub fn object_type_from_codec_id(codec_id: &str) -> u8 {
    if codec_id.ends_with("/SBR") {
        5
    } else if codec_id.ends_with("/MAIN") {
        1
    } else if codec_id.ends_with("/SSR") {
        3
    } else if codec_id.ends_with("/LTP") {
        4
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lc_stereo_48k() {
        let c = AudioSpecificConfig::parse(&[0x11, 0x90]).unwrap();
        assert_eq!(
            c,
            AudioSpecificConfig {
                object_type: 2,
                sample_rate: 48000,
                channels: 2,
                frame_length: 1024
            }
        );
        assert_eq!(c.codec_string(), "mp4a.40.2");
    }

    #[test]
    fn parses_he_aac_explicit_sbr() {
        // aot 5, 24 kHz core (index 6), stereo, ext 48 kHz (index 3), core aot 2.
        let c = AudioSpecificConfig::parse(&[0x2b, 0x11, 0x88, 0x00]).unwrap();
        assert_eq!((c.object_type, c.sample_rate, c.channels), (5, 24000, 2));
        assert_eq!(c.codec_string(), "mp4a.40.5");
    }

    #[test]
    fn parses_escape_object_type_and_explicit_rate() {
        // aot 31 + ext 10 = 42; index 15 + explicit 12345 Hz; channels 1.
        let mut bits: u128 = 0;
        let mut n = 0;
        for (v, w) in [(31u128, 5), (10, 6), (15, 4), (12345, 24), (1, 4), (0, 3)] {
            bits = (bits << w) | v;
            n += w;
        }
        let bytes = (n + 7) / 8;
        bits <<= bytes * 8 - n;
        let b: Vec<u8> = (0..bytes).rev().map(|i| (bits >> (i * 8)) as u8).collect();
        let c = AudioSpecificConfig::parse(&b).unwrap();
        assert_eq!((c.object_type, c.sample_rate, c.channels), (42, 12345, 1));
    }

    #[test]
    fn synthesised_config_round_trips() {
        assert_eq!(synthesize_asc(2, 48000, 2), vec![0x11, 0x90]);
        assert_eq!(synthesize_asc(2, 44100, 2), vec![0x12, 0x10]);
        let odd = synthesize_asc(2, 12345, 1);
        let c = AudioSpecificConfig::parse(&odd).unwrap();
        assert_eq!((c.object_type, c.sample_rate, c.channels), (2, 12345, 1));
    }

    #[test]
    fn rejects_truncated_and_reserved() {
        assert!(AudioSpecificConfig::parse(&[0x11]).is_err());
        assert!(AudioSpecificConfig::parse(&[0x16, 0x90]).is_err()); // index 13 reserved
        assert_eq!(object_type_from_codec_id("A_AAC/MPEG4/LC/SBR"), 5);
        let he = AudioSpecificConfig::parse(&synthesize_asc(5, 48000, 2)).unwrap();
        assert_eq!((he.object_type, he.sample_rate, he.channels), (5, 24000, 2));
    }
}
