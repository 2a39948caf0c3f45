//! Demuxing the way the browser does: from a `SparseCache` filled only when the demuxer
//! answers `NeedData`.

use remux_wasm::demux::{drain_on_demand, Demuxer};
use remux_wasm::io::{ByteSource, SparseCache};
use remux_wasm::{Packet, Result};

/// Every packet of a demuxer over bytes that are all present (`demux_all`). Panics on error.
pub fn drain_all<D: Demuxer>(
    src: &mut dyn ByteSource,
    open: impl FnOnce(&mut dyn ByteSource) -> Result<D>,
) -> (D, Vec<Packet>) {
    let mut d = open(src).unwrap_or_else(|e| panic!("open: {e}"));
    let mut out = Vec::new();
    while let Some(p) = d
        .next_packet(src)
        .unwrap_or_else(|e| panic!("next_packet: {e}"))
    {
        out.push(p);
    }
    (d, out)
}

/// What [`drain`] read: the demuxer, its packets, and the fetches it caused.
pub struct Drained<D> {
    pub demuxer: D,
    pub packets: Vec<Packet>,
    /// Every `NeedData` (offset, len), in order.
    pub asked: Vec<(u64, u64)>,
    /// How many of `asked` came before the demuxer opened.
    pub at_open: usize,
}

/// Every packet of `bytes` through a demuxer opened with `open`, from a [`SparseCache`] filled
/// only on `NeedData` by `fetch(cache, bytes, offset, len)` (which must insert at least that
/// range). Panics on any other error.
pub fn drain<D: Demuxer>(
    bytes: &[u8],
    mut open: impl FnMut(&mut dyn ByteSource) -> Result<D>,
    mut fetch: impl FnMut(&mut SparseCache, &[u8], u64, u64),
) -> Drained<D> {
    let mut cache = SparseCache::new(Some(bytes.len() as u64));
    let asked = std::cell::RefCell::new(Vec::new());
    let mut at_open = 0;
    let (demuxer, packets) = drain_on_demand(
        &mut cache,
        |s| {
            let d = open(s);
            at_open = asked.borrow().len();
            d
        },
        |c, off, len| {
            asked.borrow_mut().push((off, len));
            fetch(c, bytes, off, len)
        },
    )
    .unwrap_or_else(|e| panic!("demux on demand: {e}"));
    Drained {
        demuxer,
        packets,
        asked: asked.into_inner(),
        at_open,
    }
}

/// [`drain`] where each fetch inserts exactly the asked range.
pub fn drain_exact<D: Demuxer>(
    bytes: &[u8],
    open: impl FnMut(&mut dyn ByteSource) -> Result<D>,
) -> Drained<D> {
    drain(bytes, open, |c, b, off, len| {
        let end = (off + len).min(b.len() as u64);
        c.insert(off, b[off as usize..end as usize].to_vec());
    })
}

/// [`drain`] where each fetch inserts the aligned `chunk`-byte blocks covering the asked
/// range (as the player's range fetcher does). Also returns the start of every chunk fetched.
pub fn drain_chunked<D: Demuxer>(
    bytes: &[u8],
    chunk: u64,
    open: impl FnMut(&mut dyn ByteSource) -> Result<D>,
) -> (Drained<D>, Vec<u64>) {
    let mut fetched = Vec::new();
    let d = drain(bytes, open, |c, b, off, len| {
        assert!(len > 0);
        assert!(!c.contains(off, len), "asked again for bytes it has");
        let start = off / chunk * chunk;
        let end = (off + len).div_ceil(chunk).max(start / chunk + 1) * chunk;
        let end = end.min(b.len() as u64);
        c.insert(start, b[start as usize..end as usize].to_vec());
        fetched.push(start);
    });
    (d, fetched)
}

/// Rewrites every `stco` (32-bit chunk offsets) as `co64` (64-bit), with `moov` at the end
/// of the file so no sample moves: only `moov` and its parents grow. Honest stand-in for a
/// file over 4 GB, which ffmpeg would write with co64 but is too big for a test.
pub fn stco_to_co64(b: &[u8]) -> Vec<u8> {
    // Top-level boxes; moov must be last.
    let mut top = Vec::new();
    let mut off = 0;
    while off + 8 <= b.len() {
        let size = u32::from_be_bytes(b[off..off + 4].try_into().unwrap()) as usize;
        top.push((off, size, &b[off + 4..off + 8]));
        off += size;
    }
    let &(moov_at, moov_size, kind) = top.last().unwrap();
    assert_eq!(kind, b"moov", "moov last");
    let moov = rewrite_box(&b[moov_at..moov_at + moov_size]);
    let mut out = b[..moov_at].to_vec();
    out.extend_from_slice(&moov);
    out
}

/// One box, with `stco` children turned into `co64` and container sizes fixed.
fn rewrite_box(b: &[u8]) -> Vec<u8> {
    let kind: [u8; 4] = b[4..8].try_into().unwrap();
    let body = &b[8..];
    let containers: [&[u8; 4]; 6] = [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"];
    let new_body = if &kind == b"stco" {
        // version/flags, entry_count, u32 offsets → the same with u64 offsets.
        let n = u32::from_be_bytes(body[4..8].try_into().unwrap()) as usize;
        let mut v = body[..8].to_vec();
        for i in 0..n {
            let o = u32::from_be_bytes(body[8 + 4 * i..12 + 4 * i].try_into().unwrap());
            v.extend_from_slice(&(o as u64).to_be_bytes());
        }
        v
    } else if containers.iter().any(|c| **c == kind) {
        let mut v = Vec::new();
        let mut off = 0;
        while off + 8 <= body.len() {
            let size = u32::from_be_bytes(body[off..off + 4].try_into().unwrap()) as usize;
            v.extend_from_slice(&rewrite_box(&body[off..off + size]));
            off += size;
        }
        v
    } else {
        body.to_vec()
    };
    let mut out = ((new_body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(if &kind == b"stco" { b"co64" } else { &kind });
    out.extend_from_slice(&new_body);
    out
}
