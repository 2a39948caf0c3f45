//! A Block's header and its frames: Xiph, EBML and fixed-size lacing split into byte ranges.

use super::{ebml, invalid};
use crate::error::Result;

/// A parsed Block header: track, timecode, flags and the byte ranges of its frames.
pub(super) struct Block {
    pub(super) track: u64,
    pub(super) timecode: i16,
    pub(super) flags: u8,
    pub(super) frames: Vec<(usize, usize)>,
}

/// Parses a Block or SimpleBlock body, splitting Xiph, EBML and fixed-size lacing.
pub(super) fn parse_block(d: &[u8], pos: u64) -> Result<Block> {
    let short = || invalid(format!("block at {pos} is too short"));
    let (track, n) = ebml::parse_vint(d)?.ok_or_else(short)?;
    let hdr = d.get(n..n + 3).ok_or_else(short)?;
    let timecode = i16::from_be_bytes([hdr[0], hdr[1]]);
    let flags = hdr[2];
    let mut off = n + 3;
    let lacing = (flags >> 1) & 3;
    if lacing == 0 {
        return Ok(Block {
            track,
            timecode,
            flags,
            frames: vec![(off, d.len())],
        });
    }
    let count = *d.get(off).ok_or_else(short)? as usize + 1;
    off += 1;
    let mut sizes = Vec::with_capacity(count);
    match lacing {
        1 => {
            // Xiph: each size is a run of 255s plus a final byte.
            for _ in 0..count - 1 {
                let mut size = 0usize;
                loop {
                    let b = *d.get(off).ok_or_else(short)?;
                    off += 1;
                    size += b as usize;
                    if b != 255 {
                        break;
                    }
                }
                sizes.push(size);
            }
        }
        3 => {
            // EBML: the first size as a VINT, then signed differences.
            let (first, l) = ebml::parse_vint(d.get(off..).unwrap_or(&[]))?.ok_or_else(short)?;
            off += l;
            let mut size = first as i64;
            if count > 1 {
                sizes.push(usize::try_from(size).map_err(|_| short())?);
            }
            for _ in 1..count.saturating_sub(1) {
                let (diff, l) =
                    ebml::parse_signed_vint(d.get(off..).unwrap_or(&[]))?.ok_or_else(short)?;
                off += l;
                size = size.checked_add(diff).filter(|s| *s >= 0).ok_or_else(|| {
                    invalid(format!("block at {pos} has a negative laced frame size"))
                })?;
                sizes.push(size as usize);
            }
        }
        _ => {
            // Fixed: equal sizes.
            let rest = d.len() - off;
            #[allow(clippy::manual_is_multiple_of)] // is_multiple_of needs Rust 1.87.
            if rest % count != 0 {
                return Err(invalid(format!(
                    "block at {pos}: {rest} bytes do not split into {count} equal frames"
                )));
            }
            sizes.resize(count - 1, rest / count);
        }
    }
    let mut frames = Vec::with_capacity(count);
    for s in sizes {
        let end = off
            .checked_add(s)
            .filter(|&e| e <= d.len())
            .ok_or_else(|| {
                invalid(format!(
                    "block at {pos}: laced frame sizes exceed the block"
                ))
            })?;
        frames.push((off, end));
        off = end;
    }
    frames.push((off, d.len()));
    Ok(Block {
        track,
        timecode,
        flags,
        frames,
    })
}
