//! RIFF chunk reading: every AVI element is a chunk `id(4) size(4 LE) data(size) [pad to even]`;
//! `RIFF` and `LIST` chunks start their data with a 4-byte type and hold more chunks.

use crate::error::Result;
use crate::io::ByteSource;

/// A chunk header read from the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Four-character code (`00dc`, `LIST`, `idx1`, ...).
    pub id: [u8; 4],
    /// Payload size as stored (without the 8-byte header and the pad byte).
    pub size: u32,
    /// File offset of the header.
    pub pos: u64,
}

impl Chunk {
    /// Offset of the payload.
    pub fn data_pos(&self) -> u64 {
        self.pos + 8
    }
    /// Offset just past the payload and its pad byte (RIFF pads chunks to an even size).
    pub fn end(&self) -> u64 {
        self.pos + 8 + self.size as u64 + (self.size & 1) as u64
    }
    pub fn is_list(&self) -> bool {
        &self.id == b"LIST" || &self.id == b"RIFF"
    }
}

/// The chunk header at `pos`; `Ok(None)` when the file ends before 8 bytes (truncated file).
pub fn read_chunk(src: &mut dyn ByteSource, pos: u64) -> Result<Option<Chunk>> {
    let b = src.read_at(pos, 8)?;
    if b.len() < 8 {
        return Ok(None);
    }
    Ok(Some(Chunk {
        id: [b[0], b[1], b[2], b[3]],
        size: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        pos,
    }))
}

/// The 4-byte list type at `pos` (just after a `LIST`/`RIFF` header); `None` at end of file.
pub fn read_fourcc(src: &mut dyn ByteSource, pos: u64) -> Result<Option<[u8; 4]>> {
    let b = src.read_at(pos, 4)?;
    Ok((b.len() == 4).then(|| [b[0], b[1], b[2], b[3]]))
}

/// A fourcc for messages: printable ASCII as is, other bytes as `\xNN`.
pub fn fourcc_str(id: &[u8]) -> String {
    id.iter()
        .map(|&c| {
            if c.is_ascii_graphic() || c == b' ' {
                (c as char).to_string()
            } else {
                format!("\\x{c:02X}")
            }
        })
        .collect()
}

pub fn u16le(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

pub fn u32le(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

pub fn u64le(b: &[u8], at: usize) -> u64 {
    u32le(b, at) as u64 | (u32le(b, at + 4) as u64) << 32
}

/// The stream number of a movi data chunk id (`00dc` → 0, `01wb` → 1): two decimal digits
/// followed by two letters. `None` for any other id.
pub fn stream_of(id: &[u8; 4]) -> Option<usize> {
    let d = |c: u8| c.is_ascii_digit().then(|| (c - b'0') as usize);
    let n = d(id[0])? * 10 + d(id[1])?;
    (id[2].is_ascii_alphabetic() && id[3].is_ascii_alphabetic()).then_some(n)
}

/// Whether `id` is an OpenDML standard index chunk (`ix00`..`ix99`) or its alias `##ix`.
pub fn is_ix(id: &[u8; 4]) -> bool {
    (&id[..2] == b"ix" && id[2].is_ascii_digit() && id[3].is_ascii_digit())
        || (id[0].is_ascii_digit() && id[1].is_ascii_digit() && &id[2..] == b"ix")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::SparseCache;

    #[test]
    fn reads_chunks_and_ids() {
        let mut src = SparseCache::from_bytes(b"00dc\x03\0\0\0abc\0LIST".to_vec());
        let c = read_chunk(&mut src, 0).unwrap().unwrap();
        assert_eq!((&c.id, c.size, c.data_pos(), c.end()), (b"00dc", 3, 8, 12));
        assert_eq!(read_chunk(&mut src, 12).unwrap(), None); // 4 bytes left
        assert_eq!(stream_of(b"00dc"), Some(0));
        assert_eq!(stream_of(b"12wb"), Some(12));
        assert_eq!(stream_of(b"ix01"), None);
        assert!(is_ix(b"ix01") && is_ix(b"01ix") && !is_ix(b"idx1"));
        assert_eq!(fourcc_str(b"H2\x006"), "H2\\x006");
    }
}
