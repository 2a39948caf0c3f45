//! Errors of the remux pipeline. Every error says which stage failed and what to do.

use std::fmt;

/// A demuxer or remuxer failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The bytes at `offset..offset+len` are not in the byte source yet. Not a failure: fetch
    /// them (at least this range) and call again. Demuxers return this without changing state.
    NeedData { offset: u64, len: u64 },
    /// The data is not valid for the container: `container` names it (`"MKV"`, `"MP4"`, ...).
    Invalid {
        container: &'static str,
        what: String,
    },
    /// Valid data that Riptide cannot play; `what` names the codec or feature in plain words.
    Unsupported { what: String },
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn invalid(container: &'static str, what: impl Into<String>) -> Self {
        Error::Invalid {
            container,
            what: what.into(),
        }
    }
    pub fn unsupported(what: impl Into<String>) -> Self {
        Error::Unsupported { what: what.into() }
    }
    /// True for [`Error::NeedData`]: the caller should fetch and retry.
    pub fn is_need_data(&self) -> bool {
        matches!(self, Error::NeedData { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NeedData { offset, len } => {
                write!(f, "bytes {offset}..{} are not downloaded yet", offset + len)
            }
            Error::Invalid { container, what } => {
                write!(
                    f,
                    "this {container} file is damaged or not a {container} file: {what}"
                )
            }
            // A whole sentence ("This film's video is H.265 (HEVC), which ...") stands alone;
            // a fragment ("the audio track is AC-3 ...") is said of this file.
            Error::Unsupported { what } if what.starts_with(char::is_uppercase) => f.write_str(what),
            Error::Unsupported { what } => write!(f, "cannot play this file: {what}"),
        }
    }
}

impl std::error::Error for Error {}
