//! Probe + MKV demux of arbitrary bytes: every packet until `Ok(None)` or a typed error.
//! Inputs that do not start with the EBML magic get it prepended, so mutations are spent on
//! the MKV reader rather than on the (trivial) magic-number check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remux_wasm::demux::probe;
use remux_wasm_fuzz::demux_all;

const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

fuzz_target!(|data: &[u8]| {
    let bytes = if data.starts_with(&EBML_MAGIC) {
        data.to_vec()
    } else {
        let mut v = EBML_MAGIC.to_vec();
        v.extend_from_slice(data);
        v
    };
    // Each packet consumes at least one byte of a block, and a laced block holds at most 256
    // frames: more packets than this means the demuxer is not making progress.
    let limit = 1_000 + 256 * bytes.len();
    demux_all(bytes, limit, None, |s| probe::open(s));
});
