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
/// Most index entries loaded for one file, over `idx1` or every `ix##` chunk together: 4 Mi
/// (a 24-byte [`Entry`] each, 96 MiB; a two-hour film with two audio streams has about a
/// million). A per-chunk cap alone does not bound the total: a super index may list 16 384
/// `ix##` chunks per stream, or the same chunk 16 384 times.
pub const MAX_INDEX_ENTRIES: usize = 4 << 20;
/// Most per-stream counters the seek index keeps (key frames × streams): 4 Mi, 64 MiB (an
/// all-key-frame two-hour film at 60 fps with three streams needs 1.3 Mi).
pub const MAX_KEY_COUNTERS: usize = 4 << 20;

/// The error when an index holds more than the budget: valid perhaps, but not loaded.
fn index_too_big(what: String) -> Error {
    Error::unsupported(format!(
        "seeking in this AVI file: its index {what}, more than Riptide loads (play it from the start instead)"
    ))
}

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
    ) -> Result<SeekIndex> {
        entries.sort_by_key(|e| e.pos);
        entries.dedup_by_key(|e| e.pos);
        // Each key point copies every stream's counters: bound them before making any.
        let n_keys = entries.iter().filter(|e| e.stream == master && e.key).count();
        if n_keys.saturating_mul(streams.max(1)) > MAX_KEY_COUNTERS {
            return Err(index_too_big(format!(
                "lists {n_keys} key frames for {streams} streams ({MAX_KEY_COUNTERS} counters at most)"
            )));
        }
        let mut keys = Vec::with_capacity(n_keys);
        let mut counts = vec![(0u64, 0u64); streams];
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
        Ok(SeekIndex { keys })
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

/// Refuses an `idx1` of `len` bytes (16 per entry) past [`MAX_INDEX_ENTRIES`], before it is
/// read.
pub fn check_idx1_len(len: u64) -> Result<()> {
    if len / 16 > MAX_INDEX_ENTRIES as u64 {
        return Err(index_too_big(format!(
            "(idx1) lists {} chunks ({MAX_INDEX_ENTRIES} at most)",
            len / 16
        )));
    }
    Ok(())
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

/// From the 24-byte header of an `ix##` payload of `len` bytes: how many entries
/// [`parse_ix`] would return and the bytes they end at (`None` if it would refuse it).
fn ix_extent(head: &[u8], len: u64) -> Option<(usize, u64)> {
    if head.len() < 24 || head[3] != 1 {
        return None;
    }
    let longs = u16le(head, 0) as u64; // wLongsPerEntry
    if !(2..=3).contains(&longs) {
        return None;
    }
    let n = (u32le(head, 4) as u64).min((len.saturating_sub(24)) / (longs * 4)); // nEntriesInUse
    Some((n as usize, 24 + n * longs * 4))
}

/// Reads every `ix##` chunk a stream's super index points at into `out`: of each, only the
/// entries in use (a chunk's stated size may be far larger). `file_size` bounds the reads;
/// [`MAX_INDEX_ENTRIES`] bounds `out`, checked before each chunk's entries are read, so the
/// bytes read are bounded too (at most 12 per entry and 24 per chunk).
pub fn read_odml(
    src: &mut dyn ByteSource,
    stream: usize,
    supers: &[SuperEntry],
    file_size: Option<u64>,
    out: &mut Vec<Entry>,
) -> Result<()> {
    for s in supers {
        let Some(c) = read_chunk(src, s.offset)? else {
            continue; // past the end of a truncated file
        };
        let mut len = (c.size as u64).min(MAX_INDEX_BYTES);
        if let Some(size) = file_size {
            len = len.min(size.saturating_sub(c.data_pos()));
        }
        let head = src.read_at(c.data_pos(), len.min(24) as usize)?;
        // A damaged index chunk costs that part of the index, not the seek.
        let Some((n, used)) = ix_extent(head, len) else {
            continue;
        };
        if out.len().saturating_add(n) > MAX_INDEX_ENTRIES {
            return Err(index_too_big(format!(
                "(indx and ix##) lists more than {MAX_INDEX_ENTRIES} chunks"
            )));
        }
        let body = src.read_at(c.data_pos(), used as usize)?;
        if let Ok(entries) = parse_ix(body, stream) {
            out.extend(entries);
        }
    }
    Ok(())
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
        let idx = SeekIndex::build(entries, 2, 0, |_, _| 1).unwrap();
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
    fn key_points_stay_within_their_budget() {
        // 50 000 key frames for 100 streams would copy 5 M counters (80 MB) into key points.
        let entries: Vec<Entry> = (0..50_000u64)
            .map(|i| Entry { stream: 0, pos: i * 16, size: 8, key: true })
            .collect();
        assert!(entries.len() * 100 > MAX_KEY_COUNTERS);
        let e = SeekIndex::build(entries.clone(), 100, 0, |_, _| 1).unwrap_err();
        assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
        // With three streams the same key frames are a small index.
        assert_eq!(SeekIndex::build(entries, 3, 0, |_, _| 1).unwrap().keys.len(), 50_000);
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
