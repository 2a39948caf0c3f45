//! The body the demuxer fuzz targets share: open, read every packet, seek, read again, with a
//! bound on the packets (no progress = a bug) and no `NeedData` from a complete source; and
//! the chunked targets' body ([`chunked`]: bytes on demand, evictions, seeks) under a memory
//! cap ([`alloc`]).

pub mod alloc;
pub mod chunked;

use remux_wasm::demux::avi::AviDemuxer;
use remux_wasm::demux::mp4::Mp4Demuxer;
use remux_wasm::demux::{probe, Demuxer, SeekTarget};
use remux_wasm::io::SparseCache;
use remux_wasm::{Result, TimeBase, Timestamp};

/// Opens `bytes` with `open`, then drains every packet; if `seek_to_ms` is given, seeks there
/// afterwards (errors other than `NeedData` are fine) and drains again. Panics on a demuxer
/// contract violation: more than `limit` packets in one drain, or `NeedData` from a source
/// that holds the whole file.
pub fn demux_all<D: Demuxer + ?Sized>(
    bytes: Vec<u8>,
    limit: usize,
    seek_to_ms: Option<i64>,
    open: impl FnOnce(&mut SparseCache) -> Result<Box<D>>,
) {
    let mut src = SparseCache::from_bytes(bytes);
    let mut demuxer = match open(&mut src) {
        Ok(d) => d,
        Err(e) => {
            assert!(!e.is_need_data(), "NeedData on a complete source: {e:?}");
            return;
        }
    };
    let _ = demuxer.tracks();
    let _ = demuxer.duration();
    drain(&mut *demuxer, &mut src, limit);
    if let Some(ms) = seek_to_ms {
        match demuxer.seek(&mut src, SeekTarget::new(Timestamp(ms), TimeBase::MILLIS)) {
            Ok(_) => drain(&mut *demuxer, &mut src, limit),
            Err(e) => assert!(!e.is_need_data(), "NeedData on a complete source: {e:?}"),
        }
    }
}

fn drain<D: Demuxer + ?Sized>(demuxer: &mut D, src: &mut SparseCache, limit: usize) {
    for _ in 0..limit {
        match demuxer.next_packet(src) {
            Ok(Some(_packet)) => {}
            Ok(None) => return,
            Err(e) => {
                assert!(!e.is_need_data(), "NeedData on a complete source: {e:?}");
                return;
            }
        }
    }
    panic!("demuxer yielded more than {limit} packets: no progress");
}

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// The most a run of one input may hold at once (peak heap above the harness's own). Fuzz
/// inputs are at most tens of KB, so anything near this is amplification; the totals a big
/// hostile file can reach are in fuzz/README.md ("Memory budget per file").
pub const MEMORY_CAP: i64 = 256 << 20;
/// Allocations past this fail at once (abort), so a runaway input stops before the machine
/// runs out of memory.
pub const HARD_CAP: i64 = 1 << 30;

const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

/// `data` with a `RIFF <size> AVI ` header in front unless it starts with `RIFF`.
pub fn with_riff(data: &[u8]) -> Vec<u8> {
    if data.starts_with(b"RIFF") {
        return data.to_vec();
    }
    let mut v = b"RIFF".to_vec();
    v.extend_from_slice(&(data.len() as u32 + 4).to_le_bytes());
    v.extend_from_slice(b"AVI ");
    v.extend_from_slice(data);
    v
}

/// `data` with the EBML magic in front unless it starts with it.
pub fn with_ebml(data: &[u8]) -> Vec<u8> {
    if data.starts_with(&EBML_MAGIC) {
        return data.to_vec();
    }
    let mut v = EBML_MAGIC.to_vec();
    v.extend_from_slice(data);
    v
}

/// The `chunked_demux` body: `seed % 4` picks the opener as the whole-file targets do
/// (probe; MP4 directly; AVI directly with a RIFF header; probe with the EBML magic), then
/// [`chunked::demux_chunked`]. Panics on a contract violation or past [`MEMORY_CAP`].
pub fn chunked_demux(data: &[u8], seed: u64) {
    let (_, peak) = alloc::measure(HARD_CAP, || match seed % 4 {
        0 => chunked::demux_chunked(data.to_vec(), seed, 100_000 + 256 * data.len(), |s| probe::open(s)),
        1 => chunked::demux_chunked(data.to_vec(), seed, 100_000 + 256 * data.len(), |s| {
            Mp4Demuxer::open(s).map(Box::new)
        }),
        2 => {
            let bytes = with_riff(data);
            let limit = 1_000 + bytes.len();
            chunked::demux_chunked(bytes, seed, limit, |s| AviDemuxer::open(s).map(Box::new))
        }
        _ => chunked::demux_chunked(with_ebml(data), seed, 1_000 + 256 * (data.len() + 4), |s| {
            probe::open(s)
        }),
    });
    assert!(peak <= MEMORY_CAP, "held {peak} bytes at once, more than the {MEMORY_CAP} budget");
}

/// The `chunked_remux` body: the pipeline over [`chunked::remux_chunked`] (odd seeds: with
/// the EBML magic prepended), under [`MEMORY_CAP`].
pub fn chunked_remux(data: &[u8], seed: u64) {
    let bytes = if seed % 2 == 1 { with_ebml(data) } else { data.to_vec() };
    let limit = 1_000 + 256 * bytes.len();
    let (_, peak) = alloc::measure(HARD_CAP, || chunked::remux_chunked(bytes, seed, limit));
    assert!(peak <= MEMORY_CAP, "held {peak} bytes at once, more than the {MEMORY_CAP} budget");
}
