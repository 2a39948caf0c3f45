//! MP4 / QuickTime demux of arbitrary bytes: every packet until `Ok(None)` or a typed error.
//! `Mp4Demuxer::open` is called directly (not through `probe`), so inputs need no `ftyp`
//! magic and files starting with other boxes (`moov`, `wide`, `mdat`) are reached too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remux_wasm::demux::mp4::Mp4Demuxer;
use remux_wasm_fuzz::demux_all;

fuzz_target!(|data: &[u8]| {
    // Generous no-progress bound: a `trun`/`stsz` entry is at least a few bytes, but a
    // constant-size `stsz` describes any number of samples in 20 bytes; the demuxer caps
    // the sample count itself (sample_table::MAX_SAMPLES), reads past the end end the stream.
    let limit = 100_000 + 256 * data.len();
    demux_all(data.to_vec(), limit, None, |src| Mp4Demuxer::open(src).map(Box::new));
});
