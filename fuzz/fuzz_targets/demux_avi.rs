//! AVI demux of arbitrary bytes: every packet until `Ok(None)` or a typed error, then a seek
//! (which reads `idx1` or the OpenDML `indx`/`ix##` index) and every packet again.
//! `AviDemuxer::open` is called directly; inputs that do not start with `RIFF` get a
//! `RIFF <size> AVI ` header prepended, so mutations are spent past the magic number. The
//! first input byte picks the seek target (× 100 ms).
#![no_main]

use libfuzzer_sys::fuzz_target;
use remux_wasm::demux::avi::AviDemuxer;
use remux_wasm_fuzz::demux_all;

fuzz_target!(|data: &[u8]| {
    let bytes = if data.starts_with(b"RIFF") {
        data.to_vec()
    } else {
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&(data.len() as u32 + 4).to_le_bytes());
        v.extend_from_slice(b"AVI ");
        v.extend_from_slice(data);
        v
    };
    // Each packet is a chunk of at least 8 header bytes, or one MP3 frame (at least 24 bytes)
    // of a CBR chunk: more packets than bytes means no progress.
    let limit = 1_000 + bytes.len();
    let seek = data.first().map(|&b| b as i64 * 100);
    demux_all(bytes, limit, seek, |src| AviDemuxer::open(src).map(Box::new));
});
