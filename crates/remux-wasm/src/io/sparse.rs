//! A sparse byte cache: a file's bytes as they arrive from HTTP range responses, in any
//! order, kept as the chunks they came in. It answers reads of present bytes with a slice and
//! reads of absent bytes with the exact range it lacks, and it can drop bytes behind the reader
//! so that memory stays bounded however long the file is.
//!
//! Chunks are never merged into one growing run: merging copied a run again every time a
//! chunk was appended to it (and the vector's capacity doubled), and copied its tail whenever
//! its front was evicted, so the cache's allocations peaked at several times the bytes it
//! held (measured in docs/DESIGN.md, "How much the tab holds"). A read
//! inside one chunk is a slice of it; the rarer read across chunks (a frame straddling two
//! responses, a large index) is copied into one reused buffer.

use std::collections::BTreeMap;

use super::ByteSource;
use crate::error::{Error, Result};

/// Bytes of one file: non-overlapping chunks keyed by their start offset (adjacent chunks are
/// contiguous bytes of the file).
#[derive(Default, Debug)]
pub struct SparseCache {
    chunks: BTreeMap<u64, Vec<u8>>,
    size: Option<u64>,
    /// A read across several chunks is copied here (reused from read to read).
    joined: Vec<u8>,
}

impl SparseCache {
    pub fn new(size: Option<u64>) -> Self {
        SparseCache {
            chunks: BTreeMap::new(),
            size,
            joined: Vec::new(),
        }
    }

    /// A cache holding a whole file (tests, fuzzing, in-memory benchmarks).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        let mut c = SparseCache::new(Some(bytes.len() as u64));
        c.insert(0, bytes);
        c
    }

    pub fn set_size(&mut self, size: u64) {
        self.size = Some(size);
    }

    /// Adds `data` at `offset`. Bytes past a known size are dropped; bytes already present are
    /// kept (they are the same file), so only the gaps `data` fills are stored: `data` itself
    /// when it overlaps nothing (no copy), else copies of its parts in the gaps.
    pub fn insert(&mut self, offset: u64, mut data: Vec<u8>) {
        if let Some(size) = self.size {
            if offset >= size {
                return;
            }
            data.truncate((size - offset).min(usize::MAX as u64) as usize);
        }
        if data.is_empty() {
            return;
        }
        let end = offset + data.len() as u64;
        let mut gaps = Vec::new();
        let mut pos = offset;
        if let Some((s, c)) = self.chunk_containing(offset) {
            pos = (s + c.len() as u64).min(end);
        }
        for (&s, c) in self.chunks.range(pos..end) {
            if s > pos {
                gaps.push((pos, s));
            }
            pos = pos.max(s + c.len() as u64);
        }
        if pos < end {
            gaps.push((pos, end));
        }
        if gaps == [(offset, end)] {
            self.chunks.insert(offset, data);
            return;
        }
        for (a, b) in gaps {
            let part = data[(a - offset) as usize..(b - offset) as usize].to_vec();
            self.chunks.insert(a, part);
        }
    }

    /// The first byte range within `offset..offset+len` (clipped to the file size) that is
    /// not present, as `(start, end)`; `None` if all of it is present.
    pub fn missing(&self, offset: u64, len: u64) -> Option<(u64, u64)> {
        let mut end = offset.saturating_add(len);
        if let Some(size) = self.size {
            end = end.min(size);
        }
        let mut pos = offset;
        while pos < end {
            match self.chunk_containing(pos) {
                Some((s, c)) => pos = s + c.len() as u64,
                None => {
                    let gap_end = self
                        .chunks
                        .range(pos..)
                        .next()
                        .map_or(end, |(&s, _)| s.min(end));
                    return Some((pos, gap_end));
                }
            }
        }
        None
    }

    /// Whether every byte of `offset..offset+len` (clipped to the size) is present.
    pub fn contains(&self, offset: u64, len: u64) -> bool {
        self.missing(offset, len).is_none()
    }

    /// Drops every byte before `offset` (the reader will not come back there). Returns the
    /// number of bytes dropped. A chunk reaching past `offset` keeps its allocation (its kept
    /// bytes move to its front; no new allocation) until it is dropped whole.
    pub fn evict_before(&mut self, offset: u64) -> usize {
        let mut freed = 0;
        let starts: Vec<u64> = self.chunks.range(..offset).map(|(&s, _)| s).collect();
        for s in starts {
            let mut chunk = self.chunks.remove(&s).expect("chunk just seen");
            let chunk_end = s + chunk.len() as u64;
            if chunk_end > offset {
                let cut = (offset - s) as usize;
                chunk.drain(..cut);
                freed += cut;
                self.chunks.insert(offset, chunk);
            } else {
                freed += chunk.len();
            }
        }
        freed
    }

    /// Drops every byte outside `keep_start..keep_end`. Returns the number of bytes dropped.
    pub fn retain(&mut self, keep_start: u64, keep_end: u64) -> usize {
        let mut freed = self.evict_before(keep_start);
        let starts: Vec<u64> = self.chunks.range(..).map(|(&s, _)| s).collect();
        for s in starts {
            let len = self.chunks[&s].len() as u64;
            if s >= keep_end {
                freed += self.chunks.remove(&s).map_or(0, |c| c.len());
            } else if s + len > keep_end {
                let chunk = self.chunks.get_mut(&s).expect("chunk just seen");
                freed += chunk.len() - (keep_end - s) as usize;
                chunk.truncate((keep_end - s) as usize);
            }
        }
        if self.chunks.is_empty() {
            self.joined = Vec::new();
        }
        freed
    }

    /// Total bytes held.
    pub fn held_bytes(&self) -> u64 {
        self.chunks.values().map(|c| c.len() as u64).sum()
    }

    /// The present bytes as `(start, end)` ranges, in order (adjacent chunks merged).
    pub fn ranges(&self) -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = Vec::new();
        for (&s, c) in &self.chunks {
            let e = s + c.len() as u64;
            match out.last_mut() {
                Some(last) if last.1 == s => last.1 = e,
                _ => out.push((s, e)),
            }
        }
        out
    }

    fn chunk_containing(&self, pos: u64) -> Option<(u64, &Vec<u8>)> {
        self.chunks
            .range(..=pos)
            .next_back()
            .filter(|(&s, c)| s + c.len() as u64 > pos)
            .map(|(&s, c)| (s, c))
    }
}

impl ByteSource for SparseCache {
    fn size(&self) -> Option<u64> {
        self.size
    }

    fn read_at(&mut self, offset: u64, len: usize) -> Result<&[u8]> {
        let mut end = offset.saturating_add(len as u64);
        if let Some(size) = self.size {
            end = end.min(size);
        }
        if end <= offset {
            return Ok(&[]);
        }
        if let Some((start, stop)) = self.missing(offset, end - offset) {
            return Err(Error::NeedData {
                offset: start,
                len: stop - start,
            });
        }
        let (first, chunk) = self.chunk_containing(offset).expect("range is present");
        if first + chunk.len() as u64 >= end {
            let chunk = &self.chunks[&first];
            return Ok(&chunk[(offset - first) as usize..(end - first) as usize]);
        }
        // Across chunks (all present, contiguous): one copy into the reused buffer.
        self.joined.clear();
        for (&s, chunk) in self.chunks.range(first..end) {
            let from = offset.max(s);
            let stop = (s + chunk.len() as u64).min(end);
            self.joined.extend_from_slice(&chunk[(from - s) as usize..(stop - s) as usize]);
        }
        Ok(&self.joined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(range: std::ops::Range<u8>) -> Vec<u8> {
        range.collect()
    }

    #[test]
    fn reads_present_and_reports_missing() {
        let mut c = SparseCache::new(Some(100));
        c.insert(10, bytes(10..20));
        assert_eq!(c.read_at(12, 4).unwrap(), &[12, 13, 14, 15]);
        assert_eq!(c.read_at(5, 10), Err(Error::NeedData { offset: 5, len: 5 }));
        assert_eq!(
            c.read_at(15, 10),
            Err(Error::NeedData { offset: 20, len: 5 })
        );
    }

    #[test]
    fn overlapping_out_of_order_and_adjacent_chunks_read_as_one_file() {
        let mut c = SparseCache::new(None);
        c.insert(20, bytes(20..30));
        c.insert(0, bytes(0..10));
        c.insert(40, bytes(40..50));
        assert_eq!(c.ranges(), vec![(0, 10), (20, 30), (40, 50)]);
        c.insert(8, bytes(8..42)); // overlaps all three
        assert_eq!(c.ranges(), vec![(0, 50)]);
        assert_eq!(c.read_at(0, 50).unwrap(), &bytes(0..50)[..]);
        c.insert(50, bytes(50..55)); // adjacent
        assert_eq!(c.ranges(), vec![(0, 55)]);
        c.insert(3, bytes(3..6)); // inside
        assert_eq!(c.ranges(), vec![(0, 55)]);
        assert_eq!(c.held_bytes(), 55);
    }

    #[test]
    fn short_read_at_end_of_known_size() {
        let mut c = SparseCache::from_bytes(bytes(0..10));
        assert_eq!(c.read_at(8, 10).unwrap(), &[8, 9]);
        assert_eq!(c.read_at(10, 4).unwrap(), &[] as &[u8]);
        assert_eq!(c.read_at(50, 4).unwrap(), &[] as &[u8]);
    }

    #[test]
    fn eviction_bounds_memory() {
        let mut c = SparseCache::new(None);
        c.insert(0, bytes(0..100));
        assert_eq!(c.evict_before(60), 60);
        assert_eq!(c.ranges(), vec![(60, 100)]);
        assert!(c.read_at(10, 1).unwrap_err().is_need_data());
        assert_eq!(c.retain(70, 80), 30);
        assert_eq!(c.ranges(), vec![(70, 80)]);
    }

    #[test]
    fn reads_across_chunks_and_evicts_inside_one() {
        let mut c = SparseCache::new(Some(100));
        for start in (0..100u8).step_by(10) {
            c.insert(start as u64, bytes(start..start + 10));
        }
        assert_eq!(c.ranges(), vec![(0, 100)]);
        assert_eq!(c.read_at(5, 30).unwrap(), &bytes(5..35)[..]);
        assert_eq!(c.read_at(12, 5).unwrap(), &[12, 13, 14, 15, 16]);
        assert_eq!(c.evict_before(25), 25);
        assert_eq!(c.ranges(), vec![(25, 100)]);
        assert_eq!(c.read_at(25, 10).unwrap(), &bytes(25..35)[..]);
        assert!(c.read_at(24, 2).unwrap_err().is_need_data());
        assert_eq!(c.retain(30, 55), 5 + 45);
        assert_eq!(c.read_at(30, 25).unwrap(), &bytes(30..55)[..]);
        assert_eq!(c.held_bytes(), 25);
    }

    /// Random inserts, reads, evictions and retains against a model (a byte-per-byte "present"
    /// map of a 4 KiB file): every read returns the file's bytes or the first missing range.
    #[test]
    fn random_operations_match_a_simple_model() {
        const SIZE: usize = 4096;
        let file: Vec<u8> = (0..SIZE).map(|i| (i * 31 % 251) as u8).collect();
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        for _round in 0..20 {
            let mut c = SparseCache::new(Some(SIZE as u64));
            let mut present = vec![false; SIZE];
            for _ in 0..300 {
                let a = next(SIZE);
                let len = 1 + next(600);
                let b = (a + len).min(SIZE);
                match next(10) {
                    0..=4 => {
                        c.insert(a as u64, file[a..b].to_vec());
                        present[a..b].iter_mut().for_each(|p| *p = true);
                    }
                    5 => {
                        c.evict_before(a as u64);
                        present[..a].iter_mut().for_each(|p| *p = false);
                    }
                    6 => {
                        c.retain(a as u64, b as u64);
                        present[..a].iter_mut().for_each(|p| *p = false);
                        present[b..].iter_mut().for_each(|p| *p = false);
                    }
                    _ => match present[a..b].iter().position(|p| !p) {
                        None => assert_eq!(c.read_at(a as u64, b - a).unwrap(), &file[a..b]),
                        Some(i) => {
                            let gap = a + i;
                            let gap_end = gap + present[gap..b].iter().take_while(|p| !**p).count();
                            assert_eq!(
                                c.read_at(a as u64, b - a),
                                Err(Error::NeedData { offset: gap as u64, len: (gap_end - gap) as u64 })
                            );
                        }
                    },
                }
                assert_eq!(c.held_bytes(), present.iter().filter(|p| **p).count() as u64);
            }
        }
    }

    #[test]
    fn missing_reports_first_gap_only() {
        let mut c = SparseCache::new(Some(100));
        c.insert(0, bytes(0..10));
        c.insert(30, bytes(30..40));
        assert_eq!(c.missing(0, 100), Some((10, 30)));
        assert_eq!(c.missing(35, 100), Some((40, 100)));
        assert_eq!(c.missing(0, 10), None);
    }
}
