//! A counting global allocator: the bytes live on each thread, and their peak, so a harness
//! can fail an input whose run holds more than a budget. Counting is per thread (tests run
//! files on several threads at once); a block freed by another thread than the one that
//! allocated it is counted there (the harnesses keep each run on one thread).
//!
//! Used by the fuzz targets (`fuzz/src/lib.rs`) and, through `#[path]`, by
//! `crates/remux-wasm/tests/fuzz_corpus.rs`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Wraps the system allocator and counts.
pub struct Counting;

thread_local! {
    /// Bytes allocated and not freed by this thread (may go negative: see the module doc).
    static LIVE: Cell<i64> = const { Cell::new(0) };
    /// Highest `LIVE` since the latest [`reset_peak`].
    static PEAK: Cell<i64> = const { Cell::new(0) };
    /// While non-zero: an allocation that would take `LIVE` above it fails (null, so the
    /// process aborts with "memory allocation failed") instead of exhausting the machine.
    static HARD_CAP: Cell<i64> = const { Cell::new(0) };
}

fn add(n: i64) {
    // `try_with`: no counting while the thread's locals are being torn down.
    let _ = LIVE.try_with(|l| {
        let v = l.get() + n;
        l.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

fn over_cap(n: usize) -> bool {
    let cap = HARD_CAP.try_with(Cell::get).unwrap_or(0);
    cap > 0 && LIVE.try_with(Cell::get).unwrap_or(0).saturating_add(n as i64) > cap
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if over_cap(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = System.alloc(layout);
        if !p.is_null() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if over_cap(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        add(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let grow = new_size.saturating_sub(layout.size());
        if grow > 0 && over_cap(grow) {
            return std::ptr::null_mut();
        }
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            // Both blocks exist for a moment: count the new one before freeing the old.
            add(new_size as i64);
            add(-(layout.size() as i64));
        }
        p
    }
}

/// Bytes this thread holds now.
pub fn live() -> i64 {
    LIVE.with(Cell::get)
}

/// Starts a new peak measurement at the current live bytes.
pub fn reset_peak() {
    PEAK.with(|p| p.set(live()));
}

/// The highest live bytes of this thread since [`reset_peak`].
pub fn peak() -> i64 {
    PEAK.with(Cell::get)
}

/// Sets (or, with 0, clears) the hard cap on this thread's live bytes.
pub fn set_hard_cap(bytes: i64) {
    HARD_CAP.with(|c| c.set(bytes));
}

/// Runs `f` with this thread's allocations hard-capped at `hard_cap` bytes above what it
/// holds now, and returns its result with the peak bytes it held above that.
pub fn measure<T>(hard_cap: i64, f: impl FnOnce() -> T) -> (T, i64) {
    let base = live();
    reset_peak();
    set_hard_cap(base.saturating_add(hard_cap));
    let out = f();
    set_hard_cap(0);
    (out, peak() - base)
}
