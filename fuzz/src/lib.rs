//! The body the demuxer fuzz targets share: open, read every packet, seek, read again, with a
//! bound on the packets (no progress = a bug) and no `NeedData` from a complete source.

use remux_wasm::demux::Demuxer;
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
        match demuxer.seek(&mut src, Timestamp(ms), TimeBase::MILLIS) {
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
