//! Byte sources the demuxers read from. In the browser the bytes arrive as HTTP ranges into a
//! [`SparseCache`], which answers [`Error::NeedData`](crate::Error::NeedData) with the range it
//! still lacks; natively a [`FileSource`] reads a file through a window.

#[cfg(not(target_arch = "wasm32"))]
mod file;
pub mod ranges;
mod sparse;

#[cfg(not(target_arch = "wasm32"))]
pub use file::FileSource;
pub use ranges::{plan_range, Reading, RequestSizes};
pub use sparse::SparseCache;

use crate::error::Result;

/// Random access to the bytes of one file, some of which may not have arrived yet.
pub trait ByteSource {
    /// The file's total size in bytes, if known.
    fn size(&self) -> Option<u64>;

    /// The `len` bytes at `offset`.
    ///
    /// - All present: returns exactly `len` bytes.
    /// - The file (of known size) ends before `offset + len`: returns the bytes up to the end,
    ///   possibly none. Demuxers treat a short read as the end of a truncated file.
    /// - Some byte in the range has not arrived: `Err(NeedData)` naming the missing range
    ///   (clipped to the request). Nothing is consumed; call again once it is filled.
    fn read_at(&mut self, offset: u64, len: usize) -> Result<&[u8]>;
}
