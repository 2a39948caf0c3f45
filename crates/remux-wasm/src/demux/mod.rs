//! Demuxers: each container's reader meets the same [`Demuxer`] contract and yields
//! [`Packet`]s. [`probe`] picks the reader from the first bytes of the file.

pub mod avi;
pub use mkv::ebml;
pub mod mkv;
pub mod mp4;
pub mod probe;

use crate::error::{Error, Result};
use crate::io::ByteSource;
use crate::packet::{Packet, Track};
use crate::time::{Duration, TimeBase, Timestamp};

/// Most tracks an MKV or MP4 file may declare (AVI: `avi::MAX_STREAMS`): every track costs
/// its state and a scan of the others; a real file has a handful, a few dozen at most.
pub const MAX_TRACKS: usize = 256;

/// Where [`Demuxer::seek`] is asked to go: a time in the caller's time base (typed together,
/// so a tick count never travels without its unit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeekTarget {
    pub time: Timestamp,
    pub time_base: TimeBase,
}

impl SeekTarget {
    pub fn new(time: Timestamp, time_base: TimeBase) -> Self {
        SeekTarget { time, time_base }
    }
}

/// Where a [`Demuxer::seek`] landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeekPoint {
    /// Presentation time of the key frame the next packets start from (at or before the
    /// target), in `time_base`.
    pub time: Timestamp,
    pub time_base: TimeBase,
    /// Byte offset in the file the demuxer will read from next (for the fetcher).
    pub pos: u64,
    /// True when the position came from the file's index (MKV Cues, MP4 sample tables, AVI
    /// idx1/indx); false when it was estimated from the bitrate and resynchronised.
    pub exact: bool,
}

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

    /// Moves the read position so that the next packets start at the video key frame at or
    /// before `to`; audio packets follow from about the same time.
    /// May return `NeedData` (e.g. for the index); the position is then unchanged.
    fn seek(&mut self, src: &mut dyn ByteSource, to: SeekTarget) -> Result<SeekPoint> {
        let _ = (src, to);
        Err(Error::unsupported("seeking in this container"))
    }

    /// Reads, ahead of any seek, the index that [`seek`](Self::seek) would read first (MKV
    /// Cues, AVI idx1/indx: usually at the end of the file), so a seek then needs only the
    /// bytes at its target. `NeedData` while those bytes are missing (nothing changes then);
    /// `Ok` once loaded, or when there is nothing to load (no index: seeks are estimated).
    fn load_index(&mut self, src: &mut dyn ByteSource) -> Result<()> {
        let _ = src;
        Ok(())
    }
}

/// A boxed demuxer (as [`probe::open`] returns) is a demuxer.
impl<D: Demuxer + ?Sized> Demuxer for Box<D> {
    fn tracks(&self) -> &[Track] {
        (**self).tracks()
    }
    fn duration(&self) -> Option<(Duration, TimeBase)> {
        (**self).duration()
    }
    fn next_packet(&mut self, src: &mut dyn ByteSource) -> Result<Option<Packet>> {
        (**self).next_packet(src)
    }
    fn seek(&mut self, src: &mut dyn ByteSource, to: SeekTarget) -> Result<SeekPoint> {
        (**self).seek(src, to)
    }
    fn load_index(&mut self, src: &mut dyn ByteSource) -> Result<()> {
        (**self).load_index(src)
    }
}

/// Opens a demuxer with `open` over `cache` and reads every packet, calling `fetch(cache,
/// offset, len)` each time a read answers [`Error::NeedData`]; `fetch` must insert at least
/// that range, after which the same call is retried (the demuxer's contract: `NeedData`
/// changes nothing). Returns the demuxer and the packets in file order; any other error ends
/// the read and is returned.
///
/// This is the loop the player runs with HTTP ranges; tests and tools use it with a cache
/// filled from a file, chunk by chunk, to check that on-demand reading gives the same packets.
pub fn drain_on_demand<D: Demuxer>(
    cache: &mut crate::io::SparseCache,
    mut open: impl FnMut(&mut dyn ByteSource) -> Result<D>,
    mut fetch: impl FnMut(&mut crate::io::SparseCache, u64, u64),
) -> Result<(D, Vec<Packet>)> {
    // Each retry must follow a fetch that filled the asked range: a fetch that does not is a
    // bug in the caller, reported instead of looping forever.
    let mut retry = |cache: &mut crate::io::SparseCache, e: Error| -> Result<()> {
        let Error::NeedData { offset, len } = e else {
            return Err(e);
        };
        fetch(cache, offset, len);
        let size = cache.size().unwrap_or(u64::MAX);
        let want = len.min(size.saturating_sub(offset));
        if want > 0 && !cache.contains(offset, want) {
            panic!("drain_on_demand: fetch did not fill {offset}+{len}");
        }
        Ok(())
    };
    let mut demuxer = loop {
        match open(cache) {
            Ok(d) => break d,
            Err(e) => retry(cache, e)?,
        }
    };
    let mut packets = Vec::new();
    loop {
        match demuxer.next_packet(cache) {
            Ok(Some(p)) => packets.push(p),
            Ok(None) => return Ok((demuxer, packets)),
            Err(e) => retry(cache, e)?,
        }
    }
}
