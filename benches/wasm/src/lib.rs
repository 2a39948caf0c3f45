//! In-browser remux throughput (benchmark only): the same `Pipeline` and `SparseCache` the
//! player uses, driven as fast as possible from a file held in JS memory instead of from HTTP
//! ranges and MSE. JS answers each `NeedData` with a slice of its buffer (at least
//! [`MIN_FEED`] bytes, the player's fetch size) and receives every init segment and fragment
//! as a `Uint8Array` view of wasm memory, as the player hands it to `appendBuffer` (which
//! copies it synchronously), so neither side makes JS garbage per fragment; the cache is evicted
//! behind the remux position with the player's margin, so wasm memory holds a window.
//!
//! Built by `scripts/bench.sh` into `target/bench-pkg` (wasm-bindgen --target web).

use remux_wasm::io::SparseCache;
use remux_wasm::pipeline::{Pipeline, Step};
use remux_wasm::Error;
use wasm_bindgen::prelude::*;

/// Smallest slice JS should feed: the player's `chunk_bytes` default (1 MiB).
pub const MIN_FEED: u64 = 1 << 20;
/// Bytes kept behind the latest fragment's source position: the player's `evict_margin`.
const EVICT_MARGIN: u64 = 2 << 20;

#[wasm_bindgen]
pub struct BenchRemux {
    cache: SparseCache,
    pipeline: Option<Pipeline>,
    need: (u64, u64),
    evict_mark: u64,
    out_bytes: u64,
    /// The output handed out last (its view stays valid until the next call).
    last: Vec<u8>,
}

#[wasm_bindgen]
impl BenchRemux {
    #[wasm_bindgen(constructor)]
    pub fn new(size: f64) -> BenchRemux {
        BenchRemux {
            cache: SparseCache::new(Some(size as u64)),
            pipeline: None,
            need: (0, 0),
            evict_mark: 0,
            out_bytes: 0,
            last: Vec::new(),
        }
    }

    /// The next output: a `Uint8Array` view of wasm memory (init segment, then fragments),
    /// valid until the next call into this object; `undefined` when bytes
    /// are needed first (see [`need_offset`](Self::need_offset) / [`need_len`](Self::need_len),
    /// then call [`feed`](Self::feed)), `null` at the end. Throws on a file it cannot remux.
    pub fn next(&mut self) -> Result<JsValue, JsError> {
        // JS is done with the previous output's view: free it before building the next one.
        self.last = Vec::new();
        let step = match self.pipeline.as_mut() {
            None => match Pipeline::open(&mut self.cache) {
                Ok(p) => {
                    self.pipeline = Some(p);
                    return self.next();
                }
                Err(e) => Err(e),
            },
            Some(p) => p.step(&mut self.cache),
        };
        match step {
            Ok(Step::Init(init)) => Ok(self.emit(init.data)),
            Ok(Step::Segment(seg)) => {
                self.evict_mark = self.evict_mark.max(seg.source_pos);
                self.cache.evict_before(self.evict_mark.saturating_sub(EVICT_MARGIN));
                Ok(self.emit(seg.data))
            }
            Ok(Step::Frames(_)) => unreachable!("only a pipeline told to encode video gives frames"),
            Ok(Step::End) => Ok(JsValue::NULL),
            Err(Error::NeedData { offset, len }) => {
                self.need = (offset, len.max(MIN_FEED));
                Ok(JsValue::UNDEFINED)
            }
            Err(e) => Err(JsError::new(&e.to_string())),
        }
    }

    /// Hands a fragment to JS the way the player hands it to `SourceBuffer.appendBuffer`: as
    /// a view of wasm memory, which the caller must use before calling into this object again
    /// (appendBuffer copies the bytes synchronously). No JS-side copy, so no garbage.
    fn emit(&mut self, data: Vec<u8>) -> JsValue {
        self.out_bytes += data.len() as u64;
        self.last = data;
        // SAFETY: the view is read by JS before the next call into this object, and nothing
        // allocates in wasm meanwhile (documented contract of `next`).
        unsafe { js_sys::Uint8Array::view(&self.last) }.into()
    }

    pub fn need_offset(&self) -> f64 {
        self.need.0 as f64
    }

    pub fn need_len(&self) -> f64 {
        self.need.1 as f64
    }

    /// Adds the file's bytes at `offset` (wasm-bindgen copies them into wasm memory once, as
    /// the player's fetch copies each body chunk once).
    pub fn feed(&mut self, offset: f64, data: Vec<u8>) {
        self.cache.insert(offset as u64, data);
    }

    /// Packets remuxed so far.
    pub fn packets(&self) -> f64 {
        self.pipeline.as_ref().map_or(0.0, |p| p.remuxer().packets() as f64)
    }

    /// Output bytes produced so far.
    pub fn out_bytes(&self) -> f64 {
        self.out_bytes as f64
    }

    /// Bytes the cache holds now.
    pub fn held_bytes(&self) -> f64 {
        self.cache.held_bytes() as f64
    }
}
