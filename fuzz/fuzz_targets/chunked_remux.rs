//! The player's path over arbitrary bytes (see `fuzz/src/chunked.rs`): bytes arrive only
//! when asked for with `NeedData`, in pieces of random sizes and order, the cache evicts
//! behind the reader, and the run seeks to random times; under a memory cap per input
//! (`remux_wasm_fuzz::MEMORY_CAP`). The seed for all the random choices is a hash of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remux_wasm_fuzz::{chunked::seed_of, chunked_remux};

fuzz_target!(|data: &[u8]| chunked_remux(data, seed_of(data)));
