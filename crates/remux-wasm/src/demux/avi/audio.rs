//! Audio chunks to packets: MP3 frame headers (for frame timing and re-framing CBR chunks into
//! whole frames) and ADTS headers stripped from AAC.

/// Facts of one MPEG audio layer III frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mp3Header {
    /// Whole frame length in bytes, header included.
    pub len: usize,
    /// Samples per channel in the frame (1152 MPEG-1, 576 MPEG-2/2.5).
    pub samples: u32,
    pub sample_rate: u32,
}

/// Parses a layer III frame header (ISO/IEC 11172-3 §2.4.1.3):
/// ```text
/// syncword (11 bits, all ones), version (2: 00 MPEG-2.5, 10 MPEG-2, 11 MPEG-1), layer (2: 01 = III),
/// protection_bit, bitrate_index (4), sampling_frequency (2), padding_bit, private_bit, mode ...
/// ```
/// `None` for anything else (free format included: its length is not in the header).
pub fn mp3_header(b: &[u8]) -> Option<Mp3Header> {
    if b.len() < 4 || b[0] != 0xFF || b[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (b[1] >> 3) & 3; // version
    let layer = (b[1] >> 1) & 3; // layer
    let bitrate_index = (b[2] >> 4) as usize; // bitrate_index
    let rate_index = ((b[2] >> 2) & 3) as usize; // sampling_frequency
    let padding = ((b[2] >> 1) & 1) as usize; // padding_bit
    if version == 1 || layer != 1 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    const MPEG1_KBPS: [u32; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const MPEG2_KBPS: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    const RATES: [u32; 3] = [44100, 48000, 32000];
    let mpeg1 = version == 3;
    let sample_rate = RATES[rate_index]
        >> if mpeg1 {
            0
        } else if version == 2 {
            1
        } else {
            2
        };
    let kbps = if mpeg1 { MPEG1_KBPS } else { MPEG2_KBPS }[bitrate_index];
    let samples = if mpeg1 { 1152 } else { 576 };
    let len = (samples / 8 * kbps * 1000 / sample_rate) as usize + padding;
    Some(Mp3Header {
        len,
        samples,
        sample_rate,
    })
}

/// Splits CBR MP3 chunk data (frames may straddle chunks) into whole frames.
#[derive(Clone, Debug, Default)]
pub struct Mp3Framer {
    buf: Vec<u8>,
}

/// More buffered bytes than this without a whole frame is damage: the buffer is dropped.
const MAX_MP3_BUFFER: usize = 64 << 10;

impl Mp3Framer {
    /// Appends a chunk and returns the whole frames now available, with their headers.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<(Mp3Header, Vec<u8>)> {
        if self.buf.len() + chunk.len() > MAX_MP3_BUFFER {
            self.buf.clear();
            if chunk.len() > MAX_MP3_BUFFER {
                return Vec::new();
            }
        }
        self.buf.extend_from_slice(chunk);
        let mut out = Vec::new();
        let mut pos = 0;
        while pos + 4 <= self.buf.len() {
            match mp3_header(&self.buf[pos..]) {
                // A header is only trusted if the next frame (when already buffered) follows.
                Some(h)
                    if self.buf.len() < pos + h.len + 4
                        || mp3_header(&self.buf[pos + h.len..]).is_some() =>
                {
                    if pos + h.len > self.buf.len() {
                        break; // the rest arrives with the next chunk
                    }
                    out.push((h, self.buf[pos..pos + h.len].to_vec()));
                    pos += h.len;
                }
                _ => pos += 1, // not a frame start: resynchronise
            }
        }
        self.buf.drain(..pos);
        out
    }

    pub fn clear(&mut self) {
        self.buf.clear();
    }
}

/// AAC in AVI is normally raw frames; some writers keep the ADTS header. Strips it if present
/// (`FFF` sync, layer 0; 7 bytes, 9 with CRC).
pub fn strip_adts(b: &[u8]) -> &[u8] {
    if b.len() > 9 && b[0] == 0xFF && b[1] & 0xF6 == 0xF0 {
        let header = if b[1] & 1 == 0 { 9 } else { 7 };
        let frame_len = ((b[3] as usize & 3) << 11) | (b[4] as usize) << 3 | (b[5] as usize) >> 5;
        if frame_len >= header && frame_len <= b.len() {
            return &b[header..];
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(len: usize) -> Vec<u8> {
        // MPEG-1 layer III, 128 kbps, 48 kHz, no padding: 384 bytes.
        let mut v = vec![0xFF, 0xFB, 0x94, 0x00];
        v.resize(len, 0x55);
        v
    }

    #[test]
    fn parses_headers() {
        let h = mp3_header(&frame(384)).unwrap();
        assert_eq!((h.len, h.samples, h.sample_rate), (384, 1152, 48000));
        // MPEG-2 layer III 64 kbps 24 kHz: 576/8*64000/24000 = 192.
        let h = mp3_header(&[0xFF, 0xF3, 0x84, 0]).unwrap();
        assert_eq!((h.len, h.samples, h.sample_rate), (192, 576, 24000));
        assert_eq!(mp3_header(&[0xFF, 0xFB, 0x04, 0]), None); // free format
        assert_eq!(mp3_header(&[0xFF, 0xFD, 0x94, 0]), None); // layer II
    }

    #[test]
    fn framer_joins_frames_across_chunks() {
        let mut data = frame(384);
        data.extend(frame(384));
        data.extend(frame(384));
        let mut f = Mp3Framer::default();
        let a = f.push(&data[..500]);
        assert_eq!(a.len(), 1);
        let b = f.push(&data[500..]);
        assert_eq!(b.len(), 2);
        assert!(b.iter().all(|(h, d)| d.len() == 384 && h.len == 384));
        // Garbage before a frame is skipped.
        let mut g = vec![1, 2, 3];
        g.extend(frame(384));
        g.extend(frame(384));
        assert_eq!(f.push(&g).len(), 2);
    }

    #[test]
    fn strips_adts() {
        let mut adts = vec![0xFF, 0xF1, 0x50, 0x80, 0x01, 0x7F, 0xFC];
        adts.extend([1, 2, 3, 4]); // frame_length 11
        assert_eq!(strip_adts(&adts), &[1, 2, 3, 4]);
        assert_eq!(strip_adts(&[0x21, 0x10, 5, 6]), &[0x21, 0x10, 5, 6]);
    }
}
