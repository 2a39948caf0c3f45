//! A sparse byte cache: disjoint, merged runs of a file's bytes as they arrive from HTTP
//! range responses, in any order. It answers reads of present bytes with a slice and reads of
//! absent bytes with the exact range it lacks, and it can drop runs behind the reader so that
//! memory stays bounded however long the file is.

use std::collections::BTreeMap;

use super::ByteSource;
use crate::error::{Error, Result};

/// Bytes of one file, held as non-overlapping, non-adjacent runs keyed by their start offset.
#[derive(Default, Debug)]
pub struct SparseCache {
    runs: BTreeMap<u64, Vec<u8>>,
    size: Option<u64>,
}

impl SparseCache {
    pub fn new(size: Option<u64>) -> Self {
        SparseCache {
            runs: BTreeMap::new(),
            size,
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

    /// Adds `data` at `offset`, merging it with runs it overlaps or touches. Bytes past a known
    /// size are dropped. Overlapping bytes already present are kept (they are the same file).
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
        let mut start = offset;
        let mut end = offset + data.len() as u64;
        // A run that starts before `offset` and reaches it: merge into that run.
        if let Some((&s, run)) = self.runs.range(..=offset).next_back() {
            let run_end = s + run.len() as u64;
            if run_end >= offset {
                if run_end >= end {
                    return; // Already have every byte.
                }
                let mut merged = self.runs.remove(&s).expect("run just seen");
                merged.extend_from_slice(&data[(run_end - offset) as usize..]);
                data = merged;
                start = s;
            }
        }
        // Runs that start inside (or right at the end of) the new data: absorb them.
        let followers: Vec<u64> = self.runs.range(start..=end).map(|(&s, _)| s).collect();
        for s in followers {
            let run = self.runs.remove(&s).expect("run just seen");
            let run_end = s + run.len() as u64;
            if run_end > end {
                data.extend_from_slice(&run[(end - s) as usize..]);
                end = run_end;
            }
        }
        self.runs.insert(start, data);
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
            match self.run_containing(pos) {
                Some((s, run)) => pos = s + run.len() as u64,
                None => {
                    let gap_end = self
                        .runs
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
    /// number of bytes freed.
    pub fn evict_before(&mut self, offset: u64) -> usize {
        let mut freed = 0;
        let starts: Vec<u64> = self.runs.range(..offset).map(|(&s, _)| s).collect();
        for s in starts {
            let run = self.runs.remove(&s).expect("run just seen");
            let run_end = s + run.len() as u64;
            if run_end > offset {
                let keep = run[(offset - s) as usize..].to_vec();
                freed += run.len() - keep.len();
                self.runs.insert(offset, keep);
            } else {
                freed += run.len();
            }
        }
        freed
    }

    /// Drops every byte outside `keep_start..keep_end`. Returns the number of bytes freed.
    pub fn retain(&mut self, keep_start: u64, keep_end: u64) -> usize {
        let mut freed = self.evict_before(keep_start);
        let starts: Vec<u64> = self.runs.range(..).map(|(&s, _)| s).collect();
        for s in starts {
            let len = self.runs[&s].len() as u64;
            if s >= keep_end {
                freed += self.runs.remove(&s).map_or(0, |r| r.len());
            } else if s + len > keep_end {
                let run = self.runs.get_mut(&s).expect("run just seen");
                freed += run.len() - (keep_end - s) as usize;
                run.truncate((keep_end - s) as usize);
                run.shrink_to_fit();
            }
        }
        freed
    }

    /// Total bytes held.
    pub fn held_bytes(&self) -> u64 {
        self.runs.values().map(|r| r.len() as u64).sum()
    }

    /// The present runs as `(start, end)` pairs, in order.
    pub fn ranges(&self) -> Vec<(u64, u64)> {
        self.runs
            .iter()
            .map(|(&s, r)| (s, s + r.len() as u64))
            .collect()
    }

    fn run_containing(&self, pos: u64) -> Option<(u64, &Vec<u8>)> {
        self.runs
            .range(..=pos)
            .next_back()
            .filter(|(&s, r)| s + r.len() as u64 > pos)
            .map(|(&s, r)| (s, r))
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
        let (s, run) = self.run_containing(offset).expect("range is present");
        Ok(&run[(offset - s) as usize..(end - s) as usize])
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
    fn merges_out_of_order_overlapping_and_adjacent_runs() {
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
    fn missing_reports_first_gap_only() {
        let mut c = SparseCache::new(Some(100));
        c.insert(0, bytes(0..10));
        c.insert(30, bytes(30..40));
        assert_eq!(c.missing(0, 100), Some((10, 30)));
        assert_eq!(c.missing(35, 100), Some((40, 100)));
        assert_eq!(c.missing(0, 10), None);
    }
}
