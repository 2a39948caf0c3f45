//! Picks the demuxer from the file's first bytes (magic numbers).
// TODO(mkv helper): implement; `open` probes the first bytes and opens the matching demuxer.

use super::Demuxer;
use crate::error::{Error, Result};
use crate::io::ByteSource;

/// Reads the first bytes of `src`, recognises the container and opens its demuxer (reading
/// its headers). `NeedData`-retriable.
pub fn open(_src: &mut dyn ByteSource) -> Result<Box<dyn Demuxer>> {
    Err(Error::unsupported("no demuxer yet"))
}
