//! Demuxers: each container's reader meets the same [`Demuxer`] contract and yields
//! [`Packet`]s. [`probe`] picks the reader from the first bytes of the file.

pub mod ebml;
pub mod mkv;
pub mod mp4;
pub mod probe;

use crate::error::Result;
use crate::io::ByteSource;
use crate::packet::{Packet, Track};
use crate::time::{Duration, TimeBase};

/// A container reader over a [`ByteSource`] whose bytes may still be arriving.
///
/// Every method that reads may return [`Error::NeedData`](crate::Error::NeedData); the
/// demuxer's state is then unchanged, and the same call succeeds once the bytes are in.
pub trait Demuxer {
    /// The tracks of the file, known once the demuxer is open.
    fn tracks(&self) -> &[Track];

    /// The file's duration, if the container states it, with the time base it is in.
    fn duration(&self) -> Option<(Duration, TimeBase)>;

    /// The next packet in file order; `Ok(None)` at the end of the stream (including the end
    /// of a truncated file).
    fn next_packet(&mut self, src: &mut dyn ByteSource) -> Result<Option<Packet>>;
}
