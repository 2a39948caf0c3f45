//! The player's way of reading a file, for fuzzing and corpus replay: the bytes start absent
//! and arrive only when a demuxer answers `NeedData`, in pieces of random sizes and order
//! (as ranges and read-ahead requests land in the sparse cache), the cache drops bytes behind
//! the reader as the player's does, and the run seeks to random times between packets.
//!
//! Everything random comes from a seed, so a run is a pure function of (file, seed): the
//! fuzz targets derive the seed from the input, `crates/remux-wasm/tests/fuzz_corpus.rs`
//! (which includes this file through `#[path]`) replays every corpus file with fixed seeds.
//!
//! Contract checks (a panic is a finding): a `NeedData` never names bytes that are present
//! (the demuxer would wait forever), one call never needs more fills than the file has bytes,
//! and a drain ends within a bound of packets or steps.

use remux_wasm::demux::{Demuxer, SeekTarget};
use remux_wasm::io::{ByteSource, SparseCache};
use remux_wasm::pipeline::{Pipeline, Step};
use remux_wasm::{Error, Result, TimeBase, Timestamp};

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15 | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `0..n` (0 for n = 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// A seed from the input bytes (FNV-1a), for the fuzz targets.
pub fn seed_of(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The file as a remote source: a sparse cache that starts empty and is filled on demand.
pub struct Remote {
    file: Vec<u8>,
    pub cache: SparseCache,
    rng: Rng,
    /// Whether the size is announced (a server that sends Content-Length); else reads past
    /// the end come back empty, which ends the run as the player's "no data" error does.
    sized: bool,
    /// Bytes kept behind / ahead of the reader when evicting (the player's `evict_margin` and
    /// `cache_ahead`, scaled down to fuzz-sized files).
    margin: u64,
    ahead: u64,
    /// Fills done, over the whole run.
    pub fills: u64,
}

/// Why a run stopped before the end of the stream.
#[derive(Debug)]
pub enum Stop {
    /// A typed error (fine: bad input gets a clear error).
    Error(Error),
    /// The unsized source ran out (the player reports "no data for bytes ...").
    Exhausted,
}

impl Remote {
    pub fn new(file: Vec<u8>, seed: u64) -> Remote {
        let mut rng = Rng::new(seed);
        let sized = rng.below(8) != 0;
        let size = sized.then_some(file.len() as u64);
        let margin = [0, 16, 512, 4096, 1 << 20][rng.below(5) as usize];
        let ahead = [64, 1024, 16384, 1 << 20][rng.below(4) as usize];
        Remote {
            file,
            cache: SparseCache::new(size),
            rng,
            sized,
            margin,
            ahead,
            fills: 0,
        }
    }

    pub fn file_len(&self) -> u64 {
        self.file.len() as u64
    }

    /// Whether the file's size is announced (see `sized`).
    pub fn is_sized(&self) -> bool {
        self.sized
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// Brings in at least `offset..offset+len` (clipped to the file), as the player's range
    /// requests do: sometimes extended to a "chunk", always inserted as several pieces of
    /// random sizes in random order, some overlapping bytes already present.
    fn fill(&mut self, offset: u64, len: u64) -> std::result::Result<(), Stop> {
        self.fills += 1;
        let file_len = self.file_len();
        if offset >= file_len {
            // Only an unsized source is asked past its end; the server has nothing there.
            return Err(Stop::Exhausted);
        }
        let extra = match self.rng.below(4) {
            0 => 0,
            1 => self.rng.below(64),
            2 => self.rng.below(4096),
            _ => self.rng.below(1 << 20),
        };
        let start = offset.saturating_sub(if self.rng.below(4) == 0 { self.rng.below(256) } else { 0 });
        let end = offset.saturating_add(len).saturating_add(extra).min(file_len);
        // Cut start..end into pieces: 1 to 8 random cut points.
        let mut cuts = vec![start, end];
        for _ in 0..=self.rng.below(8) {
            cuts.push(start + self.rng.below(end - start + 1));
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut pieces: Vec<(u64, u64)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
        // Random order (Fisher-Yates).
        for i in (1..pieces.len()).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            pieces.swap(i, j);
        }
        for (a, b) in pieces {
            // Sometimes a piece reaches back over bytes already inserted (overlap).
            let a = if self.rng.below(8) == 0 { a.saturating_sub(self.rng.below(32)) } else { a };
            self.cache.insert(a, self.file[a as usize..b as usize].to_vec());
        }
        Ok(())
    }

    /// Runs `f` until it does not answer `NeedData`, filling what it asks for in between.
    /// Panics if it asks for bytes already present, or more often than the file has bytes.
    pub fn call<T>(
        &mut self,
        what: &str,
        mut f: impl FnMut(&mut SparseCache) -> Result<T>,
    ) -> std::result::Result<T, Stop> {
        let mut retries = 0u64;
        loop {
            match f(&mut self.cache) {
                Ok(v) => return Ok(v),
                Err(Error::NeedData { offset, len }) => {
                    let size = self.cache.size().unwrap_or(u64::MAX);
                    let want = len.min(size.saturating_sub(offset));
                    assert!(
                        want == 0 || !self.cache.contains(offset, want),
                        "{what}: NeedData for {offset}+{len}, which is present"
                    );
                    assert!(
                        want > 0 || !self.sized,
                        "{what}: NeedData for {offset}+{len}, past the end of a sized file"
                    );
                    retries += 1;
                    assert!(
                        retries <= self.file_len() + 2,
                        "{what}: more NeedData answers ({retries}) than the file has bytes"
                    );
                    self.fill(offset, len.max(1))?;
                }
                Err(e) => return Err(Stop::Error(e)),
            }
        }
    }

    /// The player's eviction after a segment: keep a window around source byte `pos`.
    pub fn evict_around(&mut self, pos: u64) {
        self.cache
            .retain(pos.saturating_sub(self.margin), pos.saturating_add(self.ahead));
    }
}

/// A seek target: mostly within the stated duration (or the first minute), sometimes far
/// past it or negative.
fn seek_target(rng: &mut Rng, duration_ms: Option<i64>) -> Timestamp {
    let d = duration_ms.unwrap_or(60_000).clamp(1, 1 << 40);
    Timestamp(match rng.below(16) {
        0 => -(rng.below(10_000) as i64),
        1 => d.saturating_mul(1 + rng.below(1000) as i64),
        2 => rng.next() as i64,
        _ => rng.below(d as u64 + 1) as i64,
    })
}

fn duration_ms(d: Option<(remux_wasm::Duration, TimeBase)>) -> Option<i64> {
    d.map(|(d, tb)| (tb.seconds(d.0.min(i64::MAX as u64) as i64) * 1000.0) as i64)
}

/// Opens a demuxer through `open` from an empty cache, reads packets, evicting and seeking
/// at random, until the end, an error, or `limit` packets in one drain (a panic: no
/// progress). Returns the packets read.
pub fn demux_chunked<D: Demuxer + ?Sized>(
    file: Vec<u8>,
    seed: u64,
    limit: usize,
    mut open: impl FnMut(&mut dyn ByteSource) -> Result<Box<D>>,
) -> u64 {
    let mut remote = Remote::new(file, seed);
    let Ok(mut demuxer) = remote.call("open", |c| open(c)) else {
        return 0;
    };
    let _ = demuxer.tracks();
    let duration = duration_ms(demuxer.duration());
    let seeks = remote.rng().below(4);
    let mut packets = 0u64;
    for round in 0..=seeks {
        if round > 0 {
            let t = seek_target(remote.rng(), duration);
            match remote.call("seek", |c| demuxer.seek(c, SeekTarget::new(t, TimeBase::MILLIS))) {
                Ok(point) => remote.evict_around(point.pos),
                Err(Stop::Exhausted) => return packets,
                Err(Stop::Error(_)) => {} // cannot seek there: read on from where it was
            }
        }
        // A seek may come before the end of the drain.
        let stop_after = match remote.rng().below(3) {
            0 if round < seeks => remote.rng().below(64) as usize,
            _ => limit,
        };
        let mut n = 0usize;
        loop {
            match remote.call("next_packet", |c| demuxer.next_packet(c)) {
                Ok(Some(p)) => {
                    packets += 1;
                    n += 1;
                    if remote.rng().below(4) == 0 {
                        remote.evict_around(p.pos);
                    }
                    if n >= stop_after {
                        break;
                    }
                    assert!(n < limit, "demuxer yielded more than {limit} packets: no progress");
                }
                Ok(None) => break,
                Err(Stop::Exhausted) => return packets,
                Err(Stop::Error(_)) => break,
            }
        }
    }
    packets
}

/// The whole pipeline the same way: open, steps (evicting around each segment's source
/// position, as the player does), seeks at random. Returns the segments made.
pub fn remux_chunked(file: Vec<u8>, seed: u64, limit: usize) -> u64 {
    let mut remote = Remote::new(file, seed);
    let Ok(mut pipeline) = remote.call("Pipeline::open", |c| Pipeline::open(c)) else {
        return 0;
    };
    let _ = pipeline.tracks();
    let _ = pipeline.remuxer().mime();
    let duration = duration_ms(pipeline.duration());
    let seeks = remote.rng().below(4);
    let mut segments = 0u64;
    for round in 0..=seeks {
        if round > 0 {
            let t = seek_target(remote.rng(), duration);
            match remote.call("Pipeline::seek", |c| pipeline.seek(c, t, TimeBase::MILLIS)) {
                Ok(point) => remote.evict_around(point.pos),
                Err(Stop::Exhausted) => return segments,
                Err(Stop::Error(_)) => {}
            }
        }
        let stop_after = match remote.rng().below(3) {
            0 if round < seeks => remote.rng().below(16) as usize,
            _ => limit,
        };
        let mut n = 0usize;
        loop {
            match remote.call("step", |c| pipeline.step(c)) {
                Ok(Step::Init(_)) => {}
                Ok(Step::Segment(seg)) => {
                    segments += 1;
                    remote.evict_around(seg.source_pos);
                }
                Ok(Step::Frames(_)) => unreachable!("only a pipeline told to encode video gives frames"),
                Ok(Step::End) => break,
                Err(Stop::Exhausted) => return segments,
                Err(Stop::Error(_)) => break,
            }
            n += 1;
            if n >= stop_after {
                break;
            }
            assert!(n < limit, "pipeline took more than {limit} steps without ending");
        }
    }
    segments
}
