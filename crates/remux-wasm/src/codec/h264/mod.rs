//! H.264 / AVC: the `avcC` box payload (AVCDecoderConfigurationRecord, ISO/IEC 14496-15
//! §5.3.3.1), the MSE codec string built from it, and every NAL unit operation Riptide needs
//! once: Annex B splitting and → AVCC conversion, length-prefixed walking, parameter-set
//! scanning. `headers.rs` parses SPS, PPS and slice headers; `poc.rs` computes picture order
//! counts from them.

mod headers;
mod poc;

pub use headers::{parse_sps, slice_pps_id, Pps, SliceHeader, Sps, SpsInfo};
pub use poc::PocState;

use crate::error::{Error, Result};

/// A parsed AVCDecoderConfigurationRecord.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvcConfig {
    /// `AVCProfileIndication` (66 Baseline, 77 Main, 100 High, ...).
    pub profile: u8,
    /// `profile_compatibility`: the constraint_set flags.
    pub compat: u8,
    /// `AVCLevelIndication`, level × 10 (31 = level 3.1).
    pub level: u8,
    /// Bytes of the length prefix before every NAL unit in a sample (1, 2 or 4).
    pub nal_length_size: u8,
    /// Sequence parameter sets, without length prefix.
    pub sps: Vec<Vec<u8>>,
    /// Picture parameter sets, without length prefix.
    pub pps: Vec<Vec<u8>>,
}

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("H.264", what)
}

impl AvcConfig {
    /// Parses an avcC payload (the box body, without the 8-byte box header).
    ///
    /// ```text
    /// aligned(8) class AVCDecoderConfigurationRecord {
    ///   unsigned int(8) configurationVersion = 1;
    ///   unsigned int(8) AVCProfileIndication;
    ///   unsigned int(8) profile_compatibility;
    ///   unsigned int(8) AVCLevelIndication;
    ///   bit(6) reserved = '111111'b; unsigned int(2) lengthSizeMinusOne;
    ///   bit(3) reserved = '111'b; unsigned int(5) numOfSequenceParameterSets;
    ///   for (i=0; i< numOfSequenceParameterSets; i++) {
    ///     unsigned int(16) sequenceParameterSetLength; bit(8*sequenceParameterSetLength) sequenceParameterSetNALUnit; }
    ///   unsigned int(8) numOfPictureParameterSets;
    ///   for (i=0; i< numOfPictureParameterSets; i++) {
    ///     unsigned int(16) pictureParameterSetLength; bit(8*pictureParameterSetLength) pictureParameterSetNALUnit; }
    ///   ... (profile-specific extensions, ignored)
    /// }
    /// ```
    pub fn parse(b: &[u8]) -> Result<AvcConfig> {
        if b.len() < 7 {
            return Err(invalid(format!(
                "the decoder configuration (avcC) is {} bytes long, too short",
                b.len()
            )));
        }
        if b[0] != 1 {
            return Err(invalid(format!(
                "the decoder configuration (avcC) has version {}, expected 1 \
                 (is the stream stored as Annex B without a configuration record?)",
                b[0]
            )));
        }
        let nal_length_size = (b[4] & 0x03) + 1;
        if nal_length_size == 3 {
            return Err(invalid("NAL length size 3 is not allowed"));
        }
        let mut pos = 6;
        let sps = read_sets(b, (b[5] & 0x1f) as usize, &mut pos)?;
        let n_pps = *b
            .get(pos)
            .ok_or_else(|| invalid("avcC is truncated before the PPS count"))?;
        pos += 1;
        let pps = read_sets(b, n_pps as usize, &mut pos)?;
        Ok(AvcConfig {
            profile: b[1],
            compat: b[2],
            level: b[3],
            nal_length_size,
            sps,
            pps,
        })
    }

    /// The RFC 6381 codec string, `avc1.PPCCLL` in hex (e.g. `avc1.64001f` for High@3.1).
    pub fn codec_string(&self) -> String {
        format!(
            "avc1.{:02x}{:02x}{:02x}",
            self.profile, self.compat, self.level
        )
    }
}

/// Reads `count` 16-bit-length-prefixed parameter sets at `*pos`, advancing it.
fn read_sets(b: &[u8], count: usize, pos: &mut usize) -> Result<Vec<Vec<u8>>> {
    let mut sets = Vec::with_capacity(count);
    for _ in 0..count {
        let hdr = b
            .get(*pos..*pos + 2)
            .ok_or_else(|| invalid("avcC is truncated"))?;
        let len = u16::from_be_bytes([hdr[0], hdr[1]]) as usize;
        let set = b
            .get(*pos + 2..*pos + 2 + len)
            .ok_or_else(|| invalid("avcC is truncated inside a parameter set"))?;
        sets.push(set.to_vec());
        *pos += 2 + len;
    }
    Ok(sets)
}

/// Splits an Annex B byte stream (NAL units separated by `00 00 01` or `00 00 00 01` start
/// codes) into NAL unit payloads.
pub fn annexb_nal_units(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut next = next_start_code(data, 0);
    std::iter::from_fn(move || loop {
        let s = next? + 3;
        next = next_start_code(data, s);
        let mut end = next.unwrap_or(data.len());
        // Trailing zeros belong to the next (4-byte) start code or are trailing_zero_8bits.
        while end > s && data[end - 1] == 0 {
            end -= 1;
        }
        if end > s {
            return Some(&data[s..end]);
        }
    })
}

/// Where the next `00 00 01` at or after `i` starts. The hot loop of H.264-in-AVI demuxing:
/// every payload byte passes through it. It searches for the `01` with `memchr` (many bytes
/// at a time; a `01` byte is rare in compressed data) and checks the two bytes before it,
/// which is much faster than looking at every third byte as simple scanners do (measured in
/// docs/DESIGN.md, "AVI demuxer").
fn next_start_code(data: &[u8], i: usize) -> Option<usize> {
    let mut from = i.checked_add(2)?;
    while from < data.len() {
        let one = from + memchr::memchr(1, &data[from..])?;
        if data[one - 1] == 0 && data[one - 2] == 0 {
            return Some(one - 2);
        }
        from = one + 1;
    }
    None
}

/// Whether `b` begins with an Annex B start code (`00 00 01` or `00 00 00 01`).
pub fn starts_with_start_code(b: &[u8]) -> bool {
    b.starts_with(&[0, 0, 1]) || b.starts_with(&[0, 0, 0, 1])
}

/// Converts an Annex B access unit to AVCC (every NAL unit prefixed by its 4-byte big-endian
/// length), appending to `out`.
pub fn annexb_to_avcc(data: &[u8], out: &mut Vec<u8>) {
    write_avcc(annexb_nal_units(data), out);
}

/// Appends `units` to `out` as AVCC: each NAL unit after its 4-byte big-endian length (the
/// `lengthSizeMinusOne = 3` that [`build_avcc`] writes).
pub fn write_avcc<'a>(units: impl IntoIterator<Item = &'a [u8]>, out: &mut Vec<u8>) {
    for nal in units {
        out.extend_from_slice(&(nal.len() as u32).to_be_bytes());
        out.extend_from_slice(nal);
    }
}

/// The NAL units of a length-prefixed (AVCC) frame, each after a `len_size`-byte big-endian
/// length; stops at the first inconsistent length ([`LengthPrefixed::is_done`] then says
/// whether the whole frame was read).
pub fn length_prefixed(b: &[u8], len_size: usize) -> LengthPrefixed<'_> {
    LengthPrefixed { b, pos: 0, len_size }
}

/// See [`length_prefixed`].
pub struct LengthPrefixed<'a> {
    b: &'a [u8],
    pos: usize,
    len_size: usize,
}

impl LengthPrefixed<'_> {
    /// Every byte of the frame was read as whole NAL units.
    pub fn is_done(&self) -> bool {
        self.pos == self.b.len()
    }
}

impl<'a> Iterator for LengthPrefixed<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (b, pos, len_size) = (self.b, self.pos, self.len_size);
        if !(1..=4).contains(&len_size) || pos + len_size > b.len() {
            return None;
        }
        let n = b[pos..pos + len_size]
            .iter()
            .fold(0usize, |a, &x| (a << 8) | x as usize);
        let start = pos + len_size;
        let end = start.checked_add(n).filter(|&e| e <= b.len())?;
        self.pos = end;
        Some(&b[start..end])
    }
}

/// The first SPS (NAL type 7, long enough to hold profile and level) and PPS (8) of an
/// Annex B buffer (stream extradata, CodecPrivate or a key frame), if it has both.
pub fn parameter_sets(annexb: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut sps = None;
    let mut pps = None;
    for nal in annexb_nal_units(annexb) {
        match nal[0] & 0x1f {
            7 if sps.is_none() && nal.len() >= 4 => sps = Some(nal.to_vec()),
            8 if pps.is_none() => pps = Some(nal.to_vec()),
            _ => {}
        }
    }
    sps.zip(pps)
}

/// Builds an avcC payload from one SPS and one PPS (e.g. taken from an Annex B stream).
pub fn build_avcc(sps: &[u8], pps: &[u8]) -> Result<Vec<u8>> {
    if sps.len() < 4 {
        return Err(invalid("the SPS is too short"));
    }
    let mut out = Vec::with_capacity(11 + sps.len() + pps.len());
    out.push(1); // configurationVersion
    out.extend_from_slice(&sps[1..4]); // profile, compatibility, level from the SPS
    out.push(0xff); // reserved '111111' + lengthSizeMinusOne = 3
    out.push(0xe1); // reserved '111' + one SPS
    out.extend_from_slice(&(sps.len() as u16).to_be_bytes());
    out.extend_from_slice(sps);
    out.push(1); // one PPS
    out.extend_from_slice(&(pps.len() as u16).to_be_bytes());
    out.extend_from_slice(pps);
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// The start-code scanner against the plain byte-by-byte one, on streams dense in the
    /// bytes that matter (0, 1) with 3- and 4-byte start codes and trailing zeros.
    #[test]
    fn annexb_split_matches_a_naive_scanner() {
        fn naive(data: &[u8]) -> Vec<&[u8]> {
            let mut starts = Vec::new();
            let mut i = 0;
            while i + 2 < data.len() {
                if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
                    starts.push(i + 3);
                    i += 3;
                } else {
                    i += 1;
                }
            }
            let mut out = Vec::new();
            for (k, &s) in starts.iter().enumerate() {
                let mut end = starts.get(k + 1).map_or(data.len(), |&n| n - 3);
                while end > s && data[end - 1] == 0 {
                    end -= 1;
                }
                if end > s {
                    out.push(&data[s..end]);
                }
            }
            out
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..400 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    [0, 0, 0, 1, 2, 3, 0x65, 0xff][(x % 8) as usize]
                })
                .collect();
            assert_eq!(annexb_nal_units(&data).collect::<Vec<_>>(), naive(&data), "{data:?}");
        }
    }

    use super::*;

    /// avcC of an x264 High@3.0 320x240 stream.
    pub(crate) fn sample_avcc() -> Vec<u8> {
        let sps = [
            0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10,
        ];
        let pps = [0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];
        build_avcc(&sps, &pps).unwrap()
    }

    #[test]
    fn parses_avcc_and_builds_codec_string() {
        let c = AvcConfig::parse(&sample_avcc()).unwrap();
        assert_eq!(
            (c.profile, c.compat, c.level, c.nal_length_size),
            (100, 0, 30, 4)
        );
        assert_eq!(c.sps.len(), 1);
        assert_eq!(c.pps, vec![vec![0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0]]);
        assert_eq!(c.codec_string(), "avc1.64001e");
    }

    #[test]
    fn parses_sps_picture_size() {
        // x264 High 4:2:0, 1920x1080 (68 map units of 16 = 1088, cropped by 8).
        let sps = [
            0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0xc0, 0x44, 0x00,
            0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xc8, 0x3c, 0x60, 0xc6, 0x58,
        ];
        let info = parse_sps(&sps).unwrap();
        assert_eq!((info.profile_idc, info.level_idc), (100, 40));
        assert_eq!((info.width, info.height), (1920, 1080));
        assert!(parse_sps(&[0x68, 0x00]).is_err());
    }

    /// SPS and PPS of an x264 High@1.3 320x240 stream with `-bf 2` (POC type 0, VUI timing
    /// 1/50 and bitstream restriction).
    const X264_SPS: [u8; 25] = [
        0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
        0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60,
    ];
    const X264_PPS: [u8; 6] = [0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];

    #[test]
    fn parses_sps_fields_for_poc() {
        let s = Sps::parse(&X264_SPS).unwrap();
        assert_eq!((s.width, s.height), (320, 240));
        assert_eq!(
            (s.poc_type, s.log2_max_poc_lsb, s.log2_max_frame_num),
            (0, 6, 4)
        );
        assert!(s.frame_mbs_only);
        assert_eq!(s.timing, Some((1, 50)));
        assert_eq!(s.max_num_reorder_frames, Some(2));
        let p = Pps::parse(&X264_PPS).unwrap();
        assert_eq!((p.pic_parameter_set_id, p.seq_parameter_set_id), (0, 0));
        assert!(!p.bottom_field_pic_order_in_frame_present);
    }

    #[test]
    fn rejects_bad_avcc() {
        assert!(AvcConfig::parse(&[1, 2, 3]).is_err());
        assert!(AvcConfig::parse(&[0, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 0]).is_err());
        let mut truncated = sample_avcc();
        truncated.truncate(12);
        assert!(AvcConfig::parse(&truncated).is_err());
    }

    #[test]
    fn length_prefixed_stops_at_damage() {
        let b = [0, 0, 0, 2, 0x65, 1, 0, 0, 0, 9, 1];
        let v: Vec<_> = length_prefixed(&b, 4).collect();
        assert_eq!(v, vec![&[0x65, 1][..]]);
        let mut whole = length_prefixed(&b[..6], 4);
        assert_eq!(whole.by_ref().count(), 1);
        assert!(whole.is_done());
        let mut cut = length_prefixed(&b, 4);
        assert_eq!(cut.by_ref().count(), 1);
        assert!(!cut.is_done());
    }

    #[test]
    fn annexb_to_avcc_rewrites_start_codes() {
        let annexb = [
            0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x65, 0x88, 0x00, 0x01, 0, 0, 0, 1, 0x41, 0x9a,
        ];
        let mut out = Vec::new();
        annexb_to_avcc(&annexb, &mut out);
        assert_eq!(
            out,
            vec![
                0, 0, 0, 2, 0x09, 0xf0, 0, 0, 0, 4, 0x65, 0x88, 0x00, 0x01, 0, 0, 0, 2, 0x41, 0x9a
            ]
        );
    }
}
