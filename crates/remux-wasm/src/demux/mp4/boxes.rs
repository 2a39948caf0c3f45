//! ISO BMFF box headers: reading one from a [`ByteSource`] (top level, without touching the
//! body) and iterating the children of a box already in memory. Sizes are checked: a size
//! smaller than its header, or running past its parent, is an error, never a panic.

use crate::error::{Error, Result};
use crate::io::ByteSource;

use super::MP4;

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid(MP4, what)
}

/// A four-character code, printable for messages.
pub fn fourcc(t: [u8; 4]) -> String {
    t.iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '?'
            }
        })
        .collect()
}

/// One box header as found in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoxHeader {
    pub typ: [u8; 4],
    /// Offset of the first byte of the box (its size field).
    pub pos: u64,
    /// 8, or 16 with a 64-bit `largesize`.
    pub header_len: u64,
    /// The whole box's size, header included; `None` for size 0 ("to the end of the file").
    pub size: Option<u64>,
}

impl BoxHeader {
    pub fn data_start(&self) -> u64 {
        self.pos + self.header_len
    }
    /// Offset just past the box, if its size is stated (`None`: to the end of the file).
    pub fn end(&self) -> Option<u64> {
        self.size.and_then(|s| self.pos.checked_add(s))
    }
    /// Size of the body, if stated.
    pub fn body_len(&self) -> Option<u64> {
        self.size.map(|s| s - self.header_len)
    }
}

/// Parses a box header from `b` (8 or 16 bytes, fewer if the file ends), at file offset
/// `pos`. `Ok(None)` if `b` is too short to hold the header (end of file).
pub fn parse_header(b: &[u8], pos: u64) -> Result<Option<BoxHeader>> {
    if b.len() < 8 {
        return Ok(None);
    }
    let size32 = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let typ = [b[4], b[5], b[6], b[7]];
    let (header_len, size) = match size32 {
        0 => (8, None),
        1 => {
            if b.len() < 16 {
                return Ok(None);
            }
            let s = u64::from_be_bytes(b[8..16].try_into().expect("8 bytes"));
            (16, Some(s))
        }
        s => (8, Some(s as u64)),
    };
    if size.is_some_and(|s| s < header_len) {
        return Err(invalid(format!(
            "box '{}' at {pos} has size {} (smaller than its header)",
            fourcc(typ),
            size.unwrap_or(0)
        )));
    }
    if size.is_some_and(|s| pos.checked_add(s).is_none()) {
        return Err(invalid(format!(
            "box '{}' at {pos} is impossibly large",
            fourcc(typ)
        )));
    }
    Ok(Some(BoxHeader {
        typ,
        pos,
        header_len,
        size,
    }))
}

/// Reads the box header at `pos` (16 bytes at most, never the body). `Ok(None)` at the end of
/// the file. May return `NeedData`.
pub fn read_header(src: &mut dyn ByteSource, pos: u64) -> Result<Option<BoxHeader>> {
    let b = src.read_at(pos, 8)?;
    if b.len() < 8 {
        return Ok(None);
    }
    if u32::from_be_bytes([b[0], b[1], b[2], b[3]]) == 1 {
        let b = src.read_at(pos, 16)?;
        return parse_header(b, pos);
    }
    parse_header(b, pos)
}

/// The children of a box body held in memory: `(type, body, file offset of the child)`.
/// Stops with an error at the first child whose size is bad; a size-0 child runs to the end
/// of the parent.
pub struct Children<'a> {
    data: &'a [u8],
    at: usize,
    base: u64,
    failed: bool,
}

/// Iterates the boxes in `data`, whose first byte is at file offset `base`.
pub fn children(data: &[u8], base: u64) -> Children<'_> {
    Children {
        data,
        at: 0,
        base,
        failed: false,
    }
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<([u8; 4], &'a [u8], u64)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.at >= self.data.len() {
            return None;
        }
        let rest = &self.data[self.at..];
        let pos = self.base.saturating_add(self.at as u64);
        let h = match parse_header(rest, pos) {
            Ok(Some(h)) => h,
            Ok(None) => {
                // Fewer than 8 bytes left: padding some writers leave; ignore it.
                self.failed = true;
                return None;
            }
            Err(e) => {
                self.failed = true;
                return Some(Err(e));
            }
        };
        let size = h.size.unwrap_or(rest.len() as u64);
        if size > rest.len() as u64 {
            self.failed = true;
            return Some(Err(invalid(format!(
                "box '{}' at {pos} (size {size}) runs past its parent",
                fourcc(h.typ)
            ))));
        }
        let body = &rest[h.header_len as usize..size as usize];
        self.at += size as usize;
        Some(Ok((h.typ, body, pos)))
    }
}

/// The first child of type `typ` in `data`, if any (errors in earlier children propagate).
pub fn find<'a>(data: &'a [u8], base: u64, typ: &[u8; 4]) -> Result<Option<(&'a [u8], u64)>> {
    for c in children(data, base) {
        let (t, body, pos) = c?;
        if &t == typ {
            return Ok(Some((body, pos)));
        }
    }
    Ok(None)
}

/// A bounds-checked big-endian reader over a box body.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    at: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// `what` names the box, for the error when it is too short.
    pub fn new(data: &'a [u8], what: &'static str) -> Self {
        Reader { data, at: 0, what }
    }
    fn short(&self) -> Error {
        invalid(format!("'{}' box is too short", self.what))
    }
    pub fn remaining(&self) -> usize {
        self.data.len() - self.at
    }
    pub fn rest(&self) -> &'a [u8] {
        &self.data[self.at..]
    }
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(self.short());
        }
        let b = &self.data[self.at..self.at + n];
        self.at += n;
        Ok(b)
    }
    pub fn skip(&mut self, n: usize) -> Result<()> {
        self.bytes(n).map(|_| ())
    }
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }
    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(
            self.bytes(2)?.try_into().expect("2 bytes"),
        ))
    }
    pub fn u24(&mut self) -> Result<u32> {
        let b = self.bytes(3)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(
            self.bytes(4)?.try_into().expect("4 bytes"),
        ))
    }
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(
            self.bytes(8)?.try_into().expect("8 bytes"),
        ))
    }
    /// A full box's version and flags.
    pub fn version_flags(&mut self) -> Result<(u8, u32)> {
        let v = self.u32()?;
        Ok(((v >> 24) as u8, v & 0x00FF_FFFF))
    }
    /// A 32-bit field in version 0, a 64-bit one in version 1.
    pub fn u32_or_u64(&mut self, version: u8) -> Result<u64> {
        if version == 1 {
            self.u64()
        } else {
            self.u32().map(u64::from)
        }
    }
    /// An entry count, checked against the bytes left (`entry_len` bytes each), so that a
    /// huge count in a small box is an error before anything is allocated.
    pub fn count(&mut self, entry_len: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.checked_mul(entry_len)
            .is_none_or(|b| b > self.remaining())
        {
            return Err(invalid(format!(
                "'{}' box claims {n} entries but holds {} bytes",
                self.what,
                self.remaining()
            )));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::SparseCache;

    #[test]
    fn headers_32_64_and_to_end() {
        let h = parse_header(b"\0\0\0\x10moov", 0).unwrap().unwrap();
        assert_eq!(
            (h.typ, h.header_len, h.size, h.end()),
            (*b"moov", 8, Some(16), Some(16))
        );
        let mut b = b"\0\0\0\x01mdat".to_vec();
        b.extend_from_slice(&(1u64 << 33).to_be_bytes());
        let h = parse_header(&b, 100).unwrap().unwrap();
        assert_eq!(
            (h.header_len, h.size, h.data_start()),
            (16, Some(1 << 33), 116)
        );
        let h = parse_header(b"\0\0\0\0mdat", 5).unwrap().unwrap();
        assert_eq!((h.size, h.end()), (None, None));
        assert_eq!(parse_header(b"\0\0\0\x01mdat\0\0", 0).unwrap(), None);
        assert_eq!(parse_header(b"\0\0\0", 0).unwrap(), None);
    }

    #[test]
    fn bad_sizes_are_errors() {
        assert!(parse_header(b"\0\0\0\x04moov", 0).is_err());
        let mut b = b"\0\0\0\x01mdat".to_vec();
        b.extend_from_slice(&8u64.to_be_bytes());
        assert!(parse_header(&b, 0).is_err()); // smaller than its 16-byte header
        b[8..16].copy_from_slice(&u64::MAX.to_be_bytes());
        assert!(parse_header(&b, 10).is_err()); // overflows the offset
    }

    #[test]
    fn reads_headers_from_a_source() {
        let mut src = SparseCache::new(Some(100));
        assert!(read_header(&mut src, 0).unwrap_err().is_need_data());
        src.insert(0, b"\0\0\0\x01mdat".to_vec());
        assert_eq!(
            read_header(&mut src, 0).unwrap_err(),
            Error::NeedData { offset: 8, len: 8 }
        );
        src.insert(8, 40u64.to_be_bytes().to_vec());
        assert_eq!(read_header(&mut src, 0).unwrap().unwrap().size, Some(40));
        let mut src = SparseCache::from_bytes(b"\0\0\0\x08fr".to_vec());
        assert_eq!(read_header(&mut src, 0).unwrap(), None);
    }

    #[test]
    fn children_stop_at_bad_sizes() {
        let mut data = b"\0\0\0\x0Afree\x01\x02".to_vec();
        data.extend_from_slice(b"\0\0\0\x09skip\x07");
        data.extend_from_slice(b"\0\0\0\0last\x01\x02\x03");
        let got: Vec<_> = children(&data, 0).map(|c| c.unwrap()).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], (*b"free", &[1u8, 2][..], 0));
        assert_eq!(got[1], (*b"skip", &[7u8][..], 10));
        assert_eq!(got[2], (*b"last", &[1u8, 2, 3][..], 19));
        // Runs past the parent.
        let bad = b"\0\0\0\x40free\x01".to_vec();
        let got: Vec<_> = children(&bad, 0).collect();
        assert_eq!(got.len(), 1);
        assert!(got[0].is_err());
        // Smaller than its header.
        let bad = b"\0\0\0\x02free\0\0\0\0".to_vec();
        assert!(children(&bad, 0).next().unwrap().is_err());
    }

    #[test]
    fn reader_checks_counts() {
        let data = [0, 0, 0, 0xFF, 1, 2];
        let mut r = Reader::new(&data, "stsz");
        assert!(r.count(4).is_err());
        let data = [0xFF, 0xFF, 0xFF, 0xFF];
        assert!(Reader::new(&data, "stsz").count(usize::MAX).is_err());
        assert!(Reader::new(&[1, 2], "mdhd").u32().is_err());
    }
}
