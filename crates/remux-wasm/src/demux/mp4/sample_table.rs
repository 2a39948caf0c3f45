//! A track's sample table (`stbl`), kept as compact as the file stores it: run-length
//! `stts`/`ctts`/`stsc` entries, chunk offsets and one size per sample (or a constant size).
//! Nothing is expanded per sample; a [`Cursor`] walks the samples in decode order, one step at
//! a time, and is `Copy` so the demuxer can advance a copy and commit it only on success.

use crate::error::{Error, Result};

use super::boxes::{self, Reader};
use super::MP4;

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid(MP4, what)
}

/// The most samples one file may declare over all its tracks (a sample costs the demuxer at
/// most 4 bytes of table here; a real two-hour film has well under a million).
pub const MAX_SAMPLES: u64 = 50_000_000;

/// Sample sizes: `stsz` with a constant size, or one size per sample (`stsz`/`stz2`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Sizes {
    #[default]
    None,
    Constant {
        size: u32,
        count: u32,
    },
    Each(Vec<u32>),
}

/// One `stsc` run: from chunk `first_chunk` (1-based) on, `samples_per_chunk` per chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ChunkRun {
    first_chunk: u32,
    samples_per_chunk: u32,
}

/// The sample table of one track.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SampleTable {
    /// `stts`: (sample count, delta).
    stts: Vec<(u32, u32)>,
    /// `ctts`: (sample count, composition offset); empty if absent.
    ctts: Vec<(u32, i32)>,
    /// `stss`: 1-based numbers of the sync samples, ascending; `None` if absent (all sync).
    stss: Option<Vec<u32>>,
    sizes: Sizes,
    stsc: Vec<ChunkRun>,
    /// `stco` / `co64`.
    chunk_offsets: Vec<u64>,
}

/// One sample, as the cursor yields it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleInfo {
    /// 0-based sample number in the track.
    pub index: u32,
    pub offset: u64,
    pub size: u32,
    /// Decode time, in media timescale ticks, before any edit-list shift.
    pub dts: i64,
    /// Composition offset (`ctts`).
    pub cts_offset: i64,
    pub duration: u32,
    pub keyframe: bool,
}

impl SampleTable {
    /// Parses the `stbl` body.
    pub fn parse(stbl: &[u8], base: u64) -> Result<Self> {
        let mut t = SampleTable::default();
        for c in boxes::children(stbl, base) {
            let (typ, body, _) = c?;
            match &typ {
                b"stts" => {
                    let mut r = Reader::new(body, "stts");
                    r.version_flags()?;
                    let n = r.count(8)?;
                    t.stts = (0..n)
                        .map(|_| Ok((r.u32()?, r.u32()?)))
                        .collect::<Result<_>>()?;
                }
                b"ctts" => {
                    let mut r = Reader::new(body, "ctts");
                    // Version 0 is unsigned by the letter of the spec, but writers store negative
                    // offsets there too; both versions read as signed.
                    r.version_flags()?;
                    let n = r.count(8)?;
                    t.ctts = (0..n)
                        .map(|_| {
                            let count = r.u32()?;
                            let raw = r.u32()?;
                            Ok((count, raw as i32))
                        })
                        .collect::<Result<_>>()?;
                }
                b"stss" => {
                    let mut r = Reader::new(body, "stss");
                    r.version_flags()?;
                    let n = r.count(4)?;
                    let mut v: Vec<u32> = (0..n).map(|_| r.u32()).collect::<Result<_>>()?;
                    if !v.windows(2).all(|w| w[0] < w[1]) {
                        v.sort_unstable();
                        v.dedup();
                    }
                    // An empty stss reads as absent (every sample a sync sample), as in ffmpeg.
                    t.stss = (!v.is_empty()).then_some(v);
                }
                b"stsz" => {
                    let mut r = Reader::new(body, "stsz");
                    r.version_flags()?;
                    let size = r.u32()?;
                    if size != 0 {
                        let count = r.u32()?;
                        t.sizes = Sizes::Constant { size, count };
                    } else {
                        let n = r.count(4)?;
                        t.sizes = Sizes::Each((0..n).map(|_| r.u32()).collect::<Result<_>>()?);
                    }
                }
                b"stz2" => {
                    let mut r = Reader::new(body, "stz2");
                    r.version_flags()?;
                    r.skip(3)?;
                    let field = r.u8()?;
                    let n = r.u32()? as usize;
                    let need = match field {
                        4 => n.div_ceil(2),
                        8 => n,
                        16 => n.saturating_mul(2),
                        f => return Err(invalid(format!("'stz2' field size {f}"))),
                    };
                    if need > r.remaining() {
                        return Err(invalid(format!("'stz2' claims {n} entries")));
                    }
                    let data = r.bytes(need)?;
                    let sizes = (0..n)
                        .map(|i| match field {
                            4 => ((data[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0xF) as u32,
                            8 => data[i] as u32,
                            _ => u16::from_be_bytes([data[2 * i], data[2 * i + 1]]) as u32,
                        })
                        .collect();
                    t.sizes = Sizes::Each(sizes);
                }
                b"stsc" => {
                    let mut r = Reader::new(body, "stsc");
                    r.version_flags()?;
                    let n = r.count(12)?;
                    t.stsc = (0..n)
                        .map(|_| {
                            let first_chunk = r.u32()?;
                            let samples_per_chunk = r.u32()?;
                            r.u32()?; // sample_description_index
                            Ok(ChunkRun {
                                first_chunk,
                                samples_per_chunk,
                            })
                        })
                        .collect::<Result<_>>()?;
                    if t.stsc.first().is_some_and(|c| c.first_chunk != 1)
                        || !t
                            .stsc
                            .windows(2)
                            .all(|w| w[0].first_chunk < w[1].first_chunk)
                    {
                        return Err(invalid("'stsc' chunk numbers are not increasing from 1"));
                    }
                }
                b"stco" => {
                    let mut r = Reader::new(body, "stco");
                    r.version_flags()?;
                    let n = r.count(4)?;
                    t.chunk_offsets = (0..n)
                        .map(|_| r.u32().map(u64::from))
                        .collect::<Result<_>>()?;
                }
                b"co64" => {
                    let mut r = Reader::new(body, "co64");
                    r.version_flags()?;
                    let n = r.count(8)?;
                    t.chunk_offsets = (0..n).map(|_| r.u64()).collect::<Result<_>>()?;
                }
                _ => {}
            }
        }
        Ok(t)
    }

    /// The number of samples the table describes (from `stsz`/`stz2`).
    pub fn sample_count(&self) -> u64 {
        match &self.sizes {
            Sizes::None => 0,
            Sizes::Constant { count, .. } => *count as u64,
            Sizes::Each(v) => v.len() as u64,
        }
    }

    /// The one `stts` delta, if every sample has the same duration.
    pub fn constant_delta(&self) -> Option<u32> {
        match self.stts[..] {
            [(_, d)] if d > 0 => Some(d),
            _ => None,
        }
    }

    /// Total decode duration (sum of `stts`), in media ticks.
    pub fn total_duration(&self) -> u64 {
        self.stts.iter().map(|&(n, d)| n as u64 * d as u64).sum()
    }

    fn size_of(&self, i: u32) -> Option<u32> {
        match &self.sizes {
            Sizes::None => None,
            Sizes::Constant { size, count } => (i < *count).then_some(*size),
            Sizes::Each(v) => v.get(i as usize).copied(),
        }
    }

    fn is_sync(&self, i: u32, stss_idx: &mut usize) -> bool {
        match &self.stss {
            None => true,
            Some(v) => {
                let n = i as u64 + 1;
                while *stss_idx < v.len() && (v[*stss_idx] as u64) < n {
                    *stss_idx += 1;
                }
                v.get(*stss_idx).is_some_and(|&s| s as u64 == n)
            }
        }
    }

    fn samples_in_chunk(&self, chunk: u32, stsc_idx: &mut usize) -> u32 {
        // `chunk` is 0-based; stsc numbers chunks from 1.
        while self
            .stsc
            .get(*stsc_idx + 1)
            .is_some_and(|next| next.first_chunk as u64 <= chunk as u64 + 1)
        {
            *stsc_idx += 1;
        }
        self.stsc.get(*stsc_idx).map_or(0, |c| c.samples_per_chunk)
    }

    /// A cursor at the first sample.
    pub fn cursor(&self) -> Cursor {
        let mut c = Cursor {
            // "Before the first chunk": the first step enters chunk 0.
            chunk: u32::MAX,
            ..Cursor::default()
        };
        c.seek_next(self);
        c
    }
}

/// A position in a [`SampleTable`]: the current sample and what is needed to find the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    current: Option<SampleInfo>,
    next_index: u32,
    next_dts: i64,
    stts_idx: usize,
    stts_used: u32,
    ctts_idx: usize,
    ctts_used: u32,
    stss_idx: usize,
    stsc_idx: usize,
    chunk: u32,
    left_in_chunk: u32,
    next_offset: u64,
}

impl Cursor {
    /// The current sample, `None` past the end.
    pub fn current(&self) -> Option<SampleInfo> {
        self.current
    }

    /// Moves to the next sample.
    pub fn advance(&mut self, t: &SampleTable) {
        if self.current.is_some() {
            self.seek_next(t);
        }
    }

    fn seek_next(&mut self, t: &SampleTable) {
        let i = self.next_index;
        let Some(size) = t.size_of(i) else {
            self.current = None;
            return;
        };
        // Enter the next non-empty chunk if this one is used up.
        while self.left_in_chunk == 0 {
            let next = self.chunk.wrapping_add(1);
            let Some(&off) = t.chunk_offsets.get(next as usize) else {
                self.current = None;
                return;
            };
            self.chunk = next;
            self.left_in_chunk = t.samples_in_chunk(next, &mut self.stsc_idx);
            self.next_offset = off;
        }
        // Duration from stts (the last delta repeats if stts is short).
        while self.stts_idx < t.stts.len() && self.stts_used >= t.stts[self.stts_idx].0 {
            self.stts_idx += 1;
            self.stts_used = 0;
        }
        let duration = match t.stts.get(self.stts_idx) {
            Some(&(_, d)) => {
                self.stts_used += 1;
                d
            }
            None => t.stts.last().map_or(0, |&(_, d)| d),
        };
        while self.ctts_idx < t.ctts.len() && self.ctts_used >= t.ctts[self.ctts_idx].0 {
            self.ctts_idx += 1;
            self.ctts_used = 0;
        }
        let cts_offset = match t.ctts.get(self.ctts_idx) {
            Some(&(_, o)) => {
                self.ctts_used += 1;
                o as i64
            }
            None => 0,
        };
        let keyframe = t.is_sync(i, &mut self.stss_idx);
        self.current = Some(SampleInfo {
            index: i,
            offset: self.next_offset,
            size,
            dts: self.next_dts,
            cts_offset,
            duration,
            keyframe,
        });
        self.next_index = i.saturating_add(1);
        self.next_dts = self.next_dts.saturating_add(duration as i64);
        self.next_offset = self.next_offset.saturating_add(size as u64);
        self.left_in_chunk -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_box(typ: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 12) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(typ);
        b.extend_from_slice(&[version, 0, 0, 0]);
        b.extend_from_slice(body);
        b
    }
    fn words(ws: &[u32]) -> Vec<u8> {
        ws.iter().flat_map(|w| w.to_be_bytes()).collect()
    }

    /// 5 samples in chunks of 2,2,1; B-frame offsets; sync samples 1 and 4.
    fn table() -> SampleTable {
        let mut stbl = Vec::new();
        stbl.extend(full_box(b"stts", 0, &words(&[2, 3, 10, 2, 20])));
        stbl.extend(full_box(
            b"ctts",
            1,
            &words(&[3, 1, 20, 1, (-10i32) as u32, 3, 0]),
        ));
        stbl.extend(full_box(b"stss", 0, &words(&[2, 1, 4])));
        stbl.extend(full_box(
            b"stsz",
            0,
            &words(&[0, 5, 100, 200, 300, 400, 500]),
        ));
        stbl.extend(full_box(b"stsc", 0, &words(&[2, 1, 2, 1, 3, 1, 1])));
        stbl.extend(full_box(b"stco", 0, &words(&[3, 1000, 5000, 9000])));
        SampleTable::parse(&stbl, 0).unwrap()
    }

    #[test]
    fn walks_samples_in_decode_order() {
        let t = table();
        assert_eq!(t.sample_count(), 5);
        let mut c = t.cursor();
        let mut got = Vec::new();
        while let Some(s) = c.current() {
            got.push((
                s.offset,
                s.size,
                s.dts,
                s.cts_offset,
                s.duration,
                s.keyframe,
            ));
            c.advance(&t);
        }
        assert_eq!(
            got,
            vec![
                (1000, 100, 0, 20, 10, true),
                (1100, 200, 10, -10, 10, false),
                (5000, 300, 20, 0, 10, false),
                (5300, 400, 30, 0, 20, true),
                (9000, 500, 50, 0, 20, false),
            ]
        );
        c.advance(&t);
        assert_eq!(c.current(), None);
    }

    #[test]
    fn huge_counts_are_errors_not_allocations() {
        let stbl = full_box(b"stsz", 0, &words(&[0, u32::MAX, 1]));
        assert!(SampleTable::parse(&stbl, 0).is_err());
        let stbl = full_box(b"stts", 0, &words(&[0x4000_0000, 1, 1]));
        assert!(SampleTable::parse(&stbl, 0).is_err());
        let stbl = full_box(b"stco", 0, &words(&[u32::MAX]));
        assert!(SampleTable::parse(&stbl, 0).is_err());
        let mut stz2 = vec![0, 0, 0, 16];
        stz2.extend(words(&[u32::MAX]));
        assert!(SampleTable::parse(&full_box(b"stz2", 0, &stz2), 0).is_err());
    }

    #[test]
    fn constant_size_and_missing_tables_do_not_loop() {
        // A constant size claiming 4 billion samples but a single chunk of 3: stops after 3.
        let mut stbl = full_box(b"stsz", 0, &words(&[7, u32::MAX]));
        stbl.extend(full_box(b"stsc", 0, &words(&[1, 1, 3, 1])));
        stbl.extend(full_box(b"stco", 0, &words(&[1, 64])));
        let t = SampleTable::parse(&stbl, 0).unwrap();
        let mut c = t.cursor();
        let mut n = 0;
        while let Some(s) = c.current() {
            assert_eq!(s.offset, 64 + 7 * n);
            n += 1;
            c.advance(&t);
        }
        assert_eq!(n, 3);
        // No chunks at all.
        let t = SampleTable::parse(&full_box(b"stsz", 0, &words(&[7, 10])), 0).unwrap();
        assert_eq!(t.cursor().current(), None);
    }

    #[test]
    fn stz2_field_sizes() {
        let mut body = vec![0, 0, 0, 4];
        body.extend(words(&[3]));
        body.extend([0x12, 0x30]);
        let t = SampleTable::parse(&full_box(b"stz2", 0, &body), 0).unwrap();
        assert_eq!(t.sizes, Sizes::Each(vec![1, 2, 3]));
    }
}
