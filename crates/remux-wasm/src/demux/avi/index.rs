//! The AVI indexes, read only to seek: AVI 1.0 `idx1` (one chunk after `movi`, covering the
//! first RIFF) and OpenDML (`indx` super index per stream in the header, pointing at `ix##`
//! standard index chunks spread through the file, covering every RIFF). Playback never needs
//! them: `movi` is read in order.
//!
//! Both are reduced to a [`SeekIndex`]: for every key frame of the stream seeks are timed by,
//! where its chunk is and how far every stream had got (chunks and bytes) before it, so the
//! demuxer can resume each stream's clock there.

use super::headers::SuperEntry;
use super::riff::{read_chunk, stream_of, u16le, u32le, u64le};
use crate::error::{Error, Result};
use crate::io::ByteSource;

/// `idx1` flag: the chunk is a key frame.
const AVIIF_KEYFRAME: u32 = 0x10;
/// `idx1` flag: the entry is a `LIST rec ` chunk, not data.
const AVIIF_LIST: u32 = 0x01;
/// Largest index chunk read in one piece (a 2-hour film's idx1 is ~8 MB).
pub const MAX_INDEX_BYTES: u64 = 256 << 20;

/// One data chunk as an index lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub stream: usize,
    /// File offset of the chunk header.
    pub pos: u64,
    pub size: u32,
    pub key: bool,
}

/// Where every stream's clock stands at one key frame of the master stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPoint {
    /// File offset of the key frame's chunk header.
    pub pos: u64,
    /// Per stream: (ticks, bytes) before `pos`, ticks counted as the demuxer counts them
    /// (`chunk_ticks`).
    pub counts: Vec<(u64, u64)>,
}

/// Key frames of the master stream, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeekIndex {
    pub keys: Vec<KeyPoint>,
}

impl SeekIndex {
    /// Builds the seek index from index entries (any order; sorted by position here).
    pub fn build(
        mut entries: Vec<Entry>,
        streams: usize,
        master: usize,
        chunk_ticks: impl Fn(usize, u64) -> u64,
    ) -> SeekIndex {
        entries.sort_by_key(|e| e.pos);
        entries.dedup_by_key(|e| e.pos);
        let mut counts = vec![(0u64, 0u64); streams];
        let mut keys = Vec::new();
        for e in entries {
            if e.stream >= streams {
                continue;
            }
            if e.stream == master && e.key {
                keys.push(KeyPoint {
                    pos: e.pos,
                    counts: counts.clone(),
                });
            }
            let c = &mut counts[e.stream];
            c.0 += chunk_ticks(e.stream, e.size as u64);
            c.1 += e.size as u64;
        }
        SeekIndex { keys }
    }

    /// The last key point whose master-stream tick (from `tick_of(chunks, bytes)`) is at or
    /// before `target`, or the first one.
    pub fn find(
        &self,
        master: usize,
        target: i64,
        tick_of: impl Fn(u64, u64) -> i64,
    ) -> Option<&KeyPoint> {
        let i = self.keys.partition_point(|k| {
            let (c, b) = k.counts[master];
            tick_of(c, b) <= target
        });
        self.keys.get(i.saturating_sub(1))
    }
}

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("AVI", what)
}

/// Parses an `idx1` payload: 16-byte entries `ckid, dwFlags, dwChunkOffset, dwChunkLength`.
/// Offsets are relative to `base` (the position of the `movi` list type, or 0 for files that
/// store absolute offsets; see [`idx1_base`]).
pub fn parse_idx1(b: &[u8], base: u64) -> Vec<Entry> {
    b.chunks_exact(16)
        .filter_map(|e| {
            let id = [e[0], e[1], e[2], e[3]]; // ckid
            let flags = u32le(e, 4); // dwFlags
            let stream = stream_of(&id)?;
            if flags & AVIIF_LIST != 0 {
                return None;
            }
            Some(Entry {
                stream,
                pos: base + u32le(e, 8) as u64, // dwChunkOffset
                size: u32le(e, 12),             // dwChunkLength
                key: flags & AVIIF_KEYFRAME != 0,
            })
        })
        .collect()
}

/// Whether `idx1` offsets are relative to the `movi` list type at `movi_fourcc` (the norm)
/// or absolute: the first data entry must point at a chunk with its own id.
pub fn idx1_base(src: &mut dyn ByteSource, idx1: &[u8], movi_fourcc: u64) -> Result<u64> {
    let Some(first) = idx1
        .chunks_exact(16)
        .find(|e| stream_of(&[e[0], e[1], e[2], e[3]]).is_some())
    else {
        return Ok(movi_fourcc);
    };
    let offset = u32le(first, 8) as u64;
    for base in [movi_fourcc, 0] {
        if let Some(c) = read_chunk(src, base + offset)? {
            if c.id[..] == first[..4] {
                return Ok(base);
            }
        }
    }
    Ok(movi_fourcc)
}

/// Parses an OpenDML standard index (`ix##` chunk payload, or an `indx` holding chunks):
/// ```text
/// wLongsPerEntry (u16, 2 or 3), bIndexSubType (u8, 1 = two fields), bIndexType (u8, 1 =
/// index of chunks), nEntriesInUse (u32), dwChunkId (fourcc), qwBaseOffset (u64),
/// dwReserved (u32), then entries { dwOffset (u32, of the chunk *data*, from qwBaseOffset),
/// dwSize (u32, bit 31 set = not a key frame) [, dwOffsetField2] }
/// ```
pub fn parse_ix(b: &[u8], stream: usize) -> Result<Vec<Entry>> {
    if b.len() < 24 || b[3] != 1 {
        return Err(invalid(
            "an OpenDML standard index (ix##) is not an index of chunks",
        ));
    }
    let longs = u16le(b, 0) as usize; // wLongsPerEntry
    if !(2..=3).contains(&longs) {
        return Err(invalid(format!(
            "an OpenDML standard index has {longs} longs per entry, expected 2 or 3"
        )));
    }
    let n = u32le(b, 4) as usize; // nEntriesInUse
    let base = u64le(b, 12); // qwBaseOffset
    Ok(b[24..]
        .chunks_exact(longs * 4)
        .take(n)
        .filter_map(|e| {
            let offset = u32le(e, 0) as u64; // dwOffset
            let size = u32le(e, 4); // dwSize
            let pos = base.checked_add(offset)?.checked_sub(8)?;
            Some(Entry {
                stream,
                pos,
                size: size & 0x7fff_ffff,
                key: size & 0x8000_0000 == 0,
            })
        })
        .collect())
}

/// Reads every `ix##` chunk a stream's super index points at. `file_size` bounds the reads.
pub fn read_odml(
    src: &mut dyn ByteSource,
    stream: usize,
    supers: &[SuperEntry],
    file_size: Option<u64>,
) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for s in supers {
        let Some(c) = read_chunk(src, s.offset)? else {
            continue; // past the end of a truncated file
        };
        let mut len = (c.size as u64).min(MAX_INDEX_BYTES);
        if let Some(size) = file_size {
            len = len.min(size.saturating_sub(c.data_pos()));
        }
        let body = src.read_at(c.data_pos(), len as usize)?;
        // A damaged index chunk costs that part of the index, not the seek.
        if let Ok(entries) = parse_ix(body, stream) {
            out.extend(entries);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::SparseCache;

    fn idx1_entry(id: &[u8; 4], flags: u32, off: u32, len: u32) -> Vec<u8> {
        let mut v = id.to_vec();
        for x in [flags, off, len] {
            v.extend_from_slice(&x.to_le_bytes());
        }
        v
    }

    #[test]
    fn idx1_to_seek_index() {
        let mut b = idx1_entry(b"00dc", 0x10, 4, 100);
        b.extend(idx1_entry(b"01wb", 0x10, 112, 10));
        b.extend(idx1_entry(b"00dc", 0, 130, 50));
        b.extend(idx1_entry(b"rec ", 1, 200, 0));
        b.extend(idx1_entry(b"01wb", 0x10, 188, 10));
        b.extend(idx1_entry(b"00dc", 0x10, 206, 60));
        let entries = parse_idx1(&b, 1000);
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[0].pos, 1004);
        let idx = SeekIndex::build(entries, 2, 0, |_, _| 1);
        assert_eq!(idx.keys.len(), 2);
        assert_eq!(idx.keys[1].pos, 1206);
        assert_eq!(idx.keys[1].counts, vec![(2, 150), (2, 20)]);
        let frame = |c: u64, _| c as i64;
        assert_eq!(idx.find(0, 0, frame).unwrap().pos, 1004);
        assert_eq!(idx.find(0, 1, frame).unwrap().pos, 1004);
        assert_eq!(idx.find(0, 2, frame).unwrap().pos, 1206);
        assert_eq!(idx.find(0, 99, frame).unwrap().pos, 1206);
    }

    #[test]
    fn idx1_base_detects_absolute_offsets() {
        let mut file = vec![0u8; 40];
        file[20..24].copy_from_slice(b"00dc");
        let idx = idx1_entry(b"00dc", 0x10, 20, 4);
        let mut src = SparseCache::from_bytes(file);
        assert_eq!(idx1_base(&mut src, &idx, 12).unwrap(), 0);
        let idx = idx1_entry(b"00dc", 0x10, 8, 4);
        assert_eq!(idx1_base(&mut src, &idx, 12).unwrap(), 12);
    }

    #[test]
    fn parses_standard_index() {
        let mut b = vec![2, 0, 0, 1];
        b.extend_from_slice(&2u32.to_le_bytes());
        b.extend_from_slice(b"00dc");
        b.extend_from_slice(&5000u64.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        for (off, size) in [(8u32, 100u32), (120, 0x8000_0000 | 40)] {
            b.extend_from_slice(&off.to_le_bytes());
            b.extend_from_slice(&size.to_le_bytes());
        }
        let e = parse_ix(&b, 0).unwrap();
        assert_eq!(
            e,
            vec![
                Entry {
                    stream: 0,
                    pos: 5000,
                    size: 100,
                    key: true
                },
                Entry {
                    stream: 0,
                    pos: 5112,
                    size: 40,
                    key: false
                },
            ]
        );
        b[3] = 0;
        assert!(parse_ix(&b, 0).is_err());
    }
}
