//! EBML primitives (RFC 8794): element IDs, data sizes and the value types of Matroska.
//!
//! Two layers:
//! - slice parsers ([`parse_id`], [`parse_size`], [`parse_vint`], [`uint`], [`float`], ...)
//!   that never read past the slice and return `Ok(None)` when it is too short;
//! - source readers ([`read_header`], [`read_body`], [`read_uint`], ...) over a
//!   [`ByteSource`] at a position. A missing byte is the source's `Err(NeedData)`; a short
//!   read (the file, of known size, ends) is `Ok(None)`.
//!
//! Nothing here panics on bad input, and nothing allocates more than the caller's cap.

use crate::error::{Error, Result};
use crate::io::ByteSource;

const MKV: &str = "MKV";

/// Largest header-level element (EBML header, Info, Tracks, SeekHead) loaded into memory.
pub const MAX_HEADER_ELEMENT: u64 = 16 << 20;
/// Largest block (SimpleBlock or BlockGroup) loaded into memory.
pub const MAX_BLOCK: u64 = 64 << 20;
/// Longest element header: a 4-byte ID and an 8-byte size.
pub const MAX_HEADER_LEN: usize = 12;

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid(MKV, what)
}

/// Reads an element ID: a 1-4 byte VINT, returned with its length marker kept (so the EBML
/// header is `0x1A45DFA3`). `Ok(None)` if `b` is too short.
pub fn parse_id(b: &[u8]) -> Result<Option<(u32, usize)>> {
    let Some(&first) = b.first() else {
        return Ok(None);
    };
    let len = first.leading_zeros() as usize + 1;
    if len > 4 {
        return Err(invalid(format!("bad element ID byte 0x{first:02X}")));
    }
    if b.len() < len {
        return Ok(None);
    }
    let id = b[..len].iter().fold(0u32, |acc, &x| (acc << 8) | x as u32);
    Ok(Some((id, len)))
}

/// Reads a 1-8 byte VINT with its length marker removed, e.g. a block's track number.
/// `Ok(None)` if `b` is too short.
pub fn parse_vint(b: &[u8]) -> Result<Option<(u64, usize)>> {
    let Some(&first) = b.first() else {
        return Ok(None);
    };
    if first == 0 {
        return Err(invalid("variable-length integer longer than 8 bytes"));
    }
    let len = first.leading_zeros() as usize + 1;
    if b.len() < len {
        return Ok(None);
    }
    let mut v = (first as u64) & (0xFF >> len);
    for &x in &b[1..len] {
        v = (v << 8) | x as u64;
    }
    Ok(Some((v, len)))
}

/// Reads an element data size: a 1-8 byte VINT. All value bits set means "unknown size"
/// (`None`, for live streams and unfinished Segments / Clusters). `Ok(None)` if `b` is too short.
#[allow(clippy::type_complexity)]
pub fn parse_size(b: &[u8]) -> Result<Option<(Option<u64>, usize)>> {
    let Some((v, len)) = parse_vint(b)? else {
        return Ok(None);
    };
    let all_ones = (1u64 << (7 * len)) - 1;
    Ok(Some((if v == all_ones { None } else { Some(v) }, len)))
}

/// Reads a signed VINT (EBML lacing size differences): the unsigned value minus
/// `2^(7*len-1) - 1`.
pub fn parse_signed_vint(b: &[u8]) -> Result<Option<(i64, usize)>> {
    let Some((v, len)) = parse_vint(b)? else {
        return Ok(None);
    };
    let bias = (1i64 << (7 * len - 1)) - 1;
    Ok(Some((v as i64 - bias, len)))
}

/// An unsigned integer element's value (0-8 big-endian bytes; empty is 0).
pub fn uint(b: &[u8]) -> Result<u64> {
    if b.len() > 8 {
        return Err(invalid(format!("unsigned integer of {} bytes", b.len())));
    }
    Ok(b.iter().fold(0u64, |acc, &x| (acc << 8) | x as u64))
}

/// A signed integer element's value (0-8 big-endian two's-complement bytes).
pub fn int(b: &[u8]) -> Result<i64> {
    if b.is_empty() {
        return Ok(0);
    }
    let u = uint(b)?;
    let shift = 64 - 8 * b.len() as u32;
    Ok(((u << shift) as i64) >> shift)
}

/// A float element's value (0, 4 or 8 bytes).
pub fn float(b: &[u8]) -> Result<f64> {
    match b.len() {
        0 => Ok(0.0),
        4 => Ok(f32::from_be_bytes([b[0], b[1], b[2], b[3]]) as f64),
        8 => Ok(f64::from_be_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ])),
        n => Err(invalid(format!("float of {n} bytes"))),
    }
}

/// A string element's value: cut at the first NUL (padding), invalid UTF-8 replaced.
pub fn string(b: &[u8]) -> String {
    let end = b.iter().position(|&x| x == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// The header of one element in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub id: u32,
    /// Offset of the element (its first ID byte).
    pub pos: u64,
    /// Bytes of ID + size.
    pub header_len: u8,
    /// Data size; `None` for unknown size.
    pub size: Option<u64>,
}

impl Header {
    /// Offset of the element's data.
    pub fn data_start(&self) -> u64 {
        self.pos + self.header_len as u64
    }
    /// Offset just past the element, if its size is known.
    pub fn end(&self) -> Option<u64> {
        self.size.and_then(|s| self.data_start().checked_add(s))
    }
}

/// Parses an element header at the start of `b`, which is at file offset `pos`.
pub fn parse_header(b: &[u8], pos: u64) -> Result<Option<Header>> {
    let Some((id, id_len)) = parse_id(b)? else {
        return Ok(None);
    };
    let Some((size, size_len)) = parse_size(&b[id_len..])? else {
        return Ok(None);
    };
    Ok(Some(Header {
        id,
        pos,
        header_len: (id_len + size_len) as u8,
        size,
    }))
}

/// Reads the element header at `pos` in one read of up to 12 bytes. `Ok(None)` at the end of
/// the file (including a header cut by the end of a truncated file).
pub fn read_header(src: &mut dyn ByteSource, pos: u64) -> Result<Option<Header>> {
    let b = src.read_at(pos, MAX_HEADER_LEN)?;
    parse_header(b, pos)
}

/// Reads the whole data of `h` into memory, refusing unknown sizes and sizes above `cap`.
/// `Ok(None)` if the file ends before the element does.
pub fn read_body(src: &mut dyn ByteSource, h: &Header, cap: u64) -> Result<Option<Vec<u8>>> {
    let size = checked_size(h, cap)?;
    let b = src.read_at(h.data_start(), size)?;
    Ok((b.len() == size).then(|| b.to_vec()))
}

/// The size of `h` as a `usize`, if known and at most `cap`.
pub fn checked_size(h: &Header, cap: u64) -> Result<usize> {
    match h.size {
        None => Err(invalid(format!(
            "element 0x{:X} at {} has an unknown size",
            h.id, h.pos
        ))),
        Some(s) if s > cap => Err(invalid(format!(
            "element 0x{:X} at {} is {s} bytes, more than the {cap} allowed",
            h.id, h.pos
        ))),
        Some(s) => Ok(s as usize),
    }
}

/// Reads an unsigned integer element's value.
pub fn read_uint(src: &mut dyn ByteSource, h: &Header) -> Result<Option<u64>> {
    read_body(src, h, 8)?.map(|b| uint(&b)).transpose()
}

/// Reads a signed integer element's value.
pub fn read_int(src: &mut dyn ByteSource, h: &Header) -> Result<Option<i64>> {
    read_body(src, h, 8)?.map(|b| int(&b)).transpose()
}

/// Reads a float element's value.
pub fn read_float(src: &mut dyn ByteSource, h: &Header) -> Result<Option<f64>> {
    read_body(src, h, 8)?.map(|b| float(&b)).transpose()
}

/// Reads a string element's value (at most [`MAX_HEADER_ELEMENT`] bytes).
pub fn read_string(src: &mut dyn ByteSource, h: &Header) -> Result<Option<String>> {
    Ok(read_body(src, h, MAX_HEADER_ELEMENT)?.map(|b| string(&b)))
}

/// The child elements of a master element loaded in memory, as `(id, data, offset)`.
/// Children of unknown size, or running past the parent, are errors.
pub struct Children<'a> {
    buf: &'a [u8],
    off: usize,
    base: u64,
}

/// Iterates the children of `data`, the body of a master element starting at file offset `base`.
pub fn children(data: &[u8], base: u64) -> Children<'_> {
    Children {
        buf: data,
        off: 0,
        base,
    }
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<(u32, &'a [u8], u64)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.off >= self.buf.len() {
            return None;
        }
        let pos = self.base + self.off as u64;
        let rest = &self.buf[self.off..];
        let r = match parse_header(rest, pos) {
            Err(e) => Err(e),
            Ok(None) => Err(invalid(format!(
                "element header at {pos} cut by its parent"
            ))),
            Ok(Some(h)) => {
                let start = h.header_len as usize;
                match h.size {
                    Some(s) if s <= (rest.len() - start) as u64 => {
                        let end = start + s as usize;
                        self.off += end;
                        return Some(Ok((h.id, &rest[start..end], pos)));
                    }
                    Some(s) => Err(invalid(format!(
                        "element 0x{:X} at {pos} ({s} bytes) runs past its parent",
                        h.id
                    ))),
                    None => Err(invalid(format!(
                        "element 0x{:X} at {pos} has an unknown size inside a sized parent",
                        h.id
                    ))),
                }
            }
        };
        self.off = self.buf.len(); // Stop after an error.
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::SparseCache;

    #[test]
    fn ids_keep_their_marker() {
        assert_eq!(parse_id(&[0xA3]).unwrap(), Some((0xA3, 1)));
        assert_eq!(parse_id(&[0x42, 0x82]).unwrap(), Some((0x4282, 2)));
        assert_eq!(parse_id(&[0x2A, 0xD7, 0xB1]).unwrap(), Some((0x2AD7B1, 3)));
        assert_eq!(
            parse_id(&[0x1A, 0x45, 0xDF, 0xA3, 0x99]).unwrap(),
            Some((0x1A45DFA3, 4))
        );
        assert_eq!(parse_id(&[0x1A, 0x45]).unwrap(), None);
        assert_eq!(parse_id(&[]).unwrap(), None);
        assert!(matches!(
            parse_id(&[0x08, 0, 0, 0, 0]),
            Err(Error::Invalid {
                container: "MKV",
                ..
            })
        ));
        assert!(parse_id(&[0x00]).is_err());
    }

    #[test]
    fn sizes_and_unknown_size() {
        assert_eq!(parse_size(&[0x81]).unwrap(), Some((Some(1), 1)));
        assert_eq!(parse_size(&[0x80]).unwrap(), Some((Some(0), 1)));
        assert_eq!(parse_size(&[0x40, 0x02]).unwrap(), Some((Some(2), 2)));
        assert_eq!(
            parse_size(&[0x10, 0x00, 0x01, 0x00]).unwrap(),
            Some((Some(256), 4))
        );
        // All ones of any length: unknown.
        assert_eq!(parse_size(&[0xFF]).unwrap(), Some((None, 1)));
        assert_eq!(parse_size(&[0x7F, 0xFF]).unwrap(), Some((None, 2)));
        assert_eq!(
            parse_size(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).unwrap(),
            Some((None, 8))
        );
        // All ones but with a longer length than needed for 127: a real value.
        assert_eq!(parse_size(&[0x40, 0x7F]).unwrap(), Some((Some(127), 2)));
        assert_eq!(
            parse_size(&[0x01, 0, 0, 0, 0, 0, 0, 5]).unwrap(),
            Some((Some(5), 8))
        );
        // Too short, invalid length.
        assert_eq!(parse_size(&[0x01, 0, 0]).unwrap(), None);
        assert!(parse_size(&[0x00, 1, 2, 3, 4, 5, 6, 7, 8]).is_err());
    }

    #[test]
    fn signed_vints_and_values() {
        assert_eq!(parse_signed_vint(&[0xBF]).unwrap(), Some((0, 1)));
        assert_eq!(parse_signed_vint(&[0xBE]).unwrap(), Some((-1, 1)));
        assert_eq!(parse_signed_vint(&[0x5F, 0xFF]).unwrap(), Some((0, 2)));
        assert_eq!(parse_signed_vint(&[0x60, 0x00]).unwrap(), Some((1, 2)));
        assert_eq!(uint(&[]).unwrap(), 0);
        assert_eq!(uint(&[0x0F, 0x42, 0x40]).unwrap(), 1_000_000);
        assert!(uint(&[0; 9]).is_err());
        assert_eq!(int(&[0xFF]).unwrap(), -1);
        assert_eq!(int(&[0xFF, 0x38]).unwrap(), -200);
        assert_eq!(int(&[0x7F]).unwrap(), 127);
        assert_eq!(float(&2.5f32.to_be_bytes()).unwrap(), 2.5);
        assert_eq!(float(&4000.25f64.to_be_bytes()).unwrap(), 4000.25);
        assert!(float(&[1, 2, 3]).is_err());
        assert_eq!(string(b"webm\0\0"), "webm");
    }

    #[test]
    fn source_reads_need_data_and_eof() {
        // DocType "webm" at 0, then a sized element cut by the end of the file.
        let bytes = vec![0x42, 0x82, 0x84, b'w', b'e', b'b', b'm', 0xE7, 0x88, 1];
        let mut src = SparseCache::from_bytes(bytes.clone());
        let h = read_header(&mut src, 0).unwrap().unwrap();
        assert_eq!((h.id, h.header_len, h.size), (0x4282, 3, Some(4)));
        assert_eq!(read_string(&mut src, &h).unwrap().unwrap(), "webm");
        let h2 = read_header(&mut src, h.end().unwrap()).unwrap().unwrap();
        assert_eq!(read_uint(&mut src, &h2).unwrap(), None); // Truncated.
        assert_eq!(read_header(&mut src, 10).unwrap(), None); // End of file.

        let mut partial = SparseCache::new(Some(10));
        partial.insert(0, bytes[..5].to_vec());
        assert!(read_string(&mut partial, &h).unwrap_err().is_need_data());
        // Caps refuse oversized and unknown-size elements before allocating.
        let big = Header {
            id: 0xA3,
            pos: 0,
            header_len: 2,
            size: Some(1 << 40),
        };
        assert!(matches!(
            read_body(&mut src, &big, MAX_BLOCK),
            Err(Error::Invalid { .. })
        ));
        let unknown = Header { size: None, ..big };
        assert!(read_body(&mut src, &unknown, MAX_BLOCK).is_err());
    }

    #[test]
    fn children_stop_at_bad_sizes() {
        let data = [0xE7, 0x81, 0x05, 0xA3, 0x85, 1, 2];
        let mut it = children(&data, 100);
        assert_eq!(it.next().unwrap().unwrap(), (0xE7, &[5u8][..], 100));
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
}
