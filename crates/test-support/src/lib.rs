//! What Riptide's tests and benches share, in one place (dev-only, never published):
//!
//! - [`tools`]: whether a tool is there; without it a test skips, or fails when
//!   `RIPTIDE_REQUIRE_TOOLS` is set (scripts/test.sh sets it).
//! - [`paths`]: the repository, the cargo target directory, scratch directories, our binaries.
//! - [`bench`]: medians and inputs of the bench executables.
//! - [`fixtures`]: media made by ffmpeg at test time, cached under `target/fixtures/` by a
//!   hash of the arguments and the ffmpeg version, so each is encoded once per machine.
//! - [`probe`]: ffprobe's packets and streams of a file, as typed values.
//! - [`browser`]: the browser engines and the page runner (`tests/e2e/play.mjs`).
//! - [`nginx`]: Debian's nginx in the foreground from a scratch directory, stopped on drop.
//! - [`srt`]: the subtitle reference ffmpeg extracts.
//! - [`samples`]: real-world files from other encoders, found through `RIPTIDE_SAMPLES_DIR`
//!   and checked by SHA-256 (docs/SAMPLES.md).
//! - with the `demux` feature: [`demux`] (demuxing on demand, as the browser does) and the
//!   rewriters [`mkv_edit`] and [`avi_edit`] for forms ffmpeg does not write;
//! - with the `swarm` feature: [`swarm`], a seeding piece-server and an empty one over
//!   loopback, and the HTTP calls the server tests make; [`page`], what the page tests use.
//!
//! Everything here runs natively; the wasm tests (`wasm-bindgen-test`) keep their own code.

pub mod bench;
pub mod browser;
pub mod fixtures;
pub mod nginx;
pub mod paths;
pub mod probe;
pub mod samples;
pub mod srt;
pub mod tools;

pub mod avi_edit;
#[cfg(feature = "demux")]
pub mod demux;
#[cfg(feature = "demux")]
pub mod mkv_edit;
#[cfg(feature = "swarm")]
pub mod page;
#[cfg(feature = "swarm")]
pub mod swarm;

pub use fixtures::{av_inputs, fixture, fixture_piped, named_fixture};
pub use paths::{repo, riptide_remux, scratch, target_dir, tempdir};
#[cfg(feature = "demux")]
pub use demux::{drain, drain_all, drain_chunked, drain_exact, stco_to_co64, Drained};
pub use probe::{ffprobe, ffprobe_warnings, frame_hashes, Probe, ProbePacket, ProbeStream};
pub use tools::{has_encoders, have_encoders, have_ffmpeg, skip, tools_required};
