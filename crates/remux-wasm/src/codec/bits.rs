//! The one MSB-first bit reader for codec headers: AAC AudioSpecificConfig, H.264 SPS/PPS/slice
//! headers (with Exp-Golomb `ue`/`se`), VP9 uncompressed header, AV1 sequence header, HEVC
//! configuration fields. Every read past the end is an error naming the codec, never a panic.

use crate::error::{Error, Result};

/// Reads bits, most significant first, from a byte slice.
pub struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    codec: &'static str,
    /// What a read past the end says, after the codec's name.
    cut_off: &'static str,
}

impl<'a> BitReader<'a> {
    /// `codec` names the codec in the error a truncated read gives (`"VP9"`, `"AV1"`).
    pub fn new(bytes: &'a [u8], codec: &'static str) -> Self {
        BitReader {
            bytes,
            pos: 0,
            codec,
            cut_off: "the header is cut off (read past its end)",
        }
    }

    /// Names what was cut off in the error a read past the end gives (`"AudioSpecificConfig
    /// is truncated"`).
    pub fn cut_off(mut self, what: &'static str) -> Self {
        self.cut_off = what;
        self
    }

    /// Reads `n` (at most 32) bits as an unsigned number.
    pub fn bits(&mut self, n: u32) -> Result<u32> {
        debug_assert!(n <= 32);
        let mut v = 0u64;
        for _ in 0..n {
            let byte = *self
                .bytes
                .get(self.pos / 8)
                .ok_or_else(|| Error::invalid(self.codec, self.cut_off))?;
            v = (v << 1) | ((byte >> (7 - self.pos % 8)) & 1) as u64;
            self.pos += 1;
        }
        Ok(v as u32)
    }

    /// Reads one bit as a flag.
    pub fn flag(&mut self) -> Result<bool> {
        Ok(self.bits(1)? == 1)
    }

    /// Skips `n` bits.
    pub fn skip(&mut self, n: u32) -> Result<()> {
        for _ in 0..n {
            self.bits(1)?;
        }
        Ok(())
    }

    /// Exp-Golomb `ue(v)` (H.264 §9.1): leading zeros, a one, then that many bits.
    pub fn ue(&mut self) -> Result<u32> {
        let mut zeros = 0;
        while !self.flag()? {
            zeros += 1;
            if zeros > 31 {
                return Err(Error::invalid(self.codec, "a bad Exp-Golomb code in a header"));
            }
        }
        Ok(((1u64 << zeros) - 1 + self.bits(zeros)? as u64) as u32)
    }

    /// Exp-Golomb `se(v)` (H.264 §9.1.1): `ue` mapped to 0, 1, -1, 2, -2, ...
    pub fn se(&mut self) -> Result<i32> {
        let k = self.ue()? as i64;
        Ok(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) } as i32)
    }

    /// AV1 `uvlc()`: leading zeros, then that many bits (AV1 spec §4.10.3).
    pub fn uvlc(&mut self) -> Result<u32> {
        let mut zeros = 0;
        while !self.flag()? {
            zeros += 1;
            if zeros >= 32 {
                return Ok(u32::MAX);
            }
        }
        Ok(self.bits(zeros)?.saturating_add((1u32 << zeros) - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_msb_first_and_errors_at_the_end() {
        let mut r = BitReader::new(&[0b1010_0000, 0xff], "test");
        assert_eq!(r.bits(3).unwrap(), 0b101);
        assert!(!r.flag().unwrap());
        assert_eq!(r.bits(12).unwrap(), 0x0ff);
        assert!(r.bits(1).is_err());
    }

    #[test]
    fn exp_golomb() {
        // ue: 1 -> 0; 010 -> 1; 011 -> 2; 00100 -> 3. se of 011 -> -1, of 00100 -> 2.
        let mut r = BitReader::new(&[0b1010_0110, 0b0100_0110, 0b0100_0000], "test");
        assert_eq!(r.ue().unwrap(), 0);
        assert_eq!(r.ue().unwrap(), 1);
        assert_eq!(r.ue().unwrap(), 2);
        assert_eq!(r.ue().unwrap(), 3);
        assert_eq!(r.se().unwrap(), -1);
        assert_eq!(r.se().unwrap(), 2);
        let mut r = BitReader::new(&[0; 8], "test");
        assert!(r.ue().is_err());
        let mut r = BitReader::new(&[0], "AAC").cut_off("AudioSpecificConfig is truncated");
        assert_eq!(r.bits(9).unwrap_err().to_string(), Error::invalid("AAC", "AudioSpecificConfig is truncated").to_string());
    }

    #[test]
    fn uvlc() {
        // 1 -> 0; 010 -> 1; 011 -> 2; 00100 -> 3
        let mut r = BitReader::new(&[0b1010_0110, 0b0100_0000], "test");
        assert_eq!(r.uvlc().unwrap(), 0);
        assert_eq!(r.uvlc().unwrap(), 1);
        assert_eq!(r.uvlc().unwrap(), 2);
        assert_eq!(r.uvlc().unwrap(), 3);
    }
}
