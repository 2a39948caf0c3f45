//! MP4 / QuickTime demux of arbitrary bytes: every packet until `Ok(None)` or a typed error.
//! `Mp4Demuxer::open` is called directly (not through `probe`), so inputs need no `ftyp`
//! magic and files starting with other boxes (`moov`, `wide`, `mdat`) are reached too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remux_wasm::demux::mp4::Mp4Demuxer;
use remux_wasm::demux::Demuxer;
use remux_wasm::io::SparseCache;

fuzz_target!(|data: &[u8]| {
    // Generous no-progress bound: a `trun`/`stsz` entry is at least a few bytes, but a
    // constant-size `stsz` describes any number of samples in 20 bytes; the demuxer caps
    // the sample count itself (sample_table::MAX_SAMPLES), reads past the end end the stream.
    let limit = 100_000 + 256 * data.len();
    let mut src = SparseCache::from_bytes(data.to_vec());
    let mut demuxer = match Mp4Demuxer::open(&mut src) {
        Ok(d) => d,
        Err(e) => {
            assert!(!e.is_need_data(), "NeedData on a complete source: {e:?}");
            return;
        }
    };
    let _ = demuxer.tracks();
    let _ = demuxer.duration();
    for _ in 0..limit {
        match demuxer.next_packet(&mut src) {
            Ok(Some(_packet)) => {}
            Ok(None) => return,
            Err(e) => {
                assert!(!e.is_need_data(), "NeedData on a complete source: {e:?}");
                return;
            }
        }
    }
    panic!("demuxer yielded more than {limit} packets: no progress");
});
