//! Riptide's browser-side media engine: reads a video file from byte ranges as they arrive,
//! demuxes it and rewrites it into fragmented MP4 for Media Source Extensions.
//!
//! Data flows one way: bytes → [`io::SparseCache`] → [`demux`] → [`Packet`] → timeline →
//! [`fmp4`] fragments → MSE (the [`player`], in the browser only).
//!
//! ```no_run
//! use remux_wasm::{io::SparseCache, pipeline::{Pipeline, Step}};
//! // In the browser the cache fills from HTTP ranges; natively `io::FileSource` reads a file.
//! let mut src = SparseCache::from_bytes(std::fs::read("film.mkv").unwrap());
//! let mut pipeline = Pipeline::open(&mut src).unwrap();
//! while let Step::Segment(seg) = pipeline.step(&mut src).unwrap() {
//!     // seg.data is a moof+mdat fragment
//! }
//! ```

pub mod codec;
pub mod demux;
pub mod error;
pub mod fmp4;
pub mod hole;
pub mod io;
pub mod packet;
pub mod pipeline;
pub mod subtitle;
pub mod time;
pub mod timeline;
pub mod track_choice;
pub mod transcode;

#[cfg(target_arch = "wasm32")]
pub mod player;

pub use error::{Error, Result};
pub use packet::{
    AudioInfo, Codec, Colour, ContentLight, MasteringDisplay, Packet, Rotation, Track, TrackKind,
    VideoInfo,
};
pub use time::{Duration, TimeBase, Timestamp};
