//! Errors of the remux pipeline, and what the page is told about them.
//!
//! [`Error`] is what a stage returns; [`Problem`] is what reaches the page: a stable
//! [`ErrorCode`] to branch on, whether playback stopped (`fatal`), a message in plain words
//! and the codec when one is to blame (hls.js's `ErrorTypes`/`ErrorDetails` + `fatal`). Every
//! message is written whole where the error is made; nothing here guesses at its grammar.

use std::fmt;

/// A demuxer or remuxer failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The bytes at `offset..offset+len` are not in the byte source yet. Not a failure: fetch
    /// them (at least this range) and call again. Demuxers return this without changing state.
    NeedData { offset: u64, len: u64 },
    /// The data is not valid for the container: `container` names it (`"MKV"`, `"MP4"`, ...;
    /// [`NOT_MEDIA`] when no container was recognised).
    Invalid {
        container: &'static str,
        what: String,
    },
    /// Valid data that Riptide cannot play. `message` is the whole message shown to people;
    /// `codec` names the codec to blame, if one is.
    Unsupported {
        message: String,
        codec: Option<String>,
    },
    /// The bytes could not be read at all (a local file's read failed).
    Unreadable { what: String },
}

/// The container name of [`Error::Invalid`] when the bytes are no container Riptide knows
/// (not a video file, or an empty one).
pub const NOT_MEDIA: &str = "unknown";

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn invalid(container: &'static str, what: impl Into<String>) -> Self {
        Error::Invalid {
            container,
            what: what.into(),
        }
    }
    /// Valid data Riptide cannot play, `what` saying what in a clause ("the audio track is
    /// AC-3 ..."): the message is "cannot play this file: {what}".
    pub fn unsupported(what: impl Into<String>) -> Self {
        Error::Unsupported {
            message: format!("cannot play this file: {}", what.into()),
            codec: None,
        }
    }
    /// A track in `codec` that cannot be played, said in a whole `sentence` (shown as is).
    pub fn unsupported_codec(sentence: impl Into<String>, codec: impl Into<String>) -> Self {
        Error::Unsupported {
            message: sentence.into(),
            codec: Some(codec.into()),
        }
    }
    /// True for [`Error::NeedData`]: the caller should fetch and retry.
    pub fn is_need_data(&self) -> bool {
        matches!(self, Error::NeedData { .. })
    }
    /// The code the page sees for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            // Never shown: the player fetches and retries. Reaching the page would be a bug.
            Error::NeedData { .. } => ErrorCode::Internal,
            Error::Invalid { container, .. } if *container == NOT_MEDIA => ErrorCode::NotAVideo,
            Error::Invalid { .. } => ErrorCode::DamagedFile,
            Error::Unsupported { codec: Some(_), .. } => ErrorCode::UnsupportedCodec,
            Error::Unsupported { codec: None, .. } => ErrorCode::Unsupported,
            Error::Unreadable { .. } => ErrorCode::Network,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NeedData { offset, len } => {
                write!(f, "bytes {offset}..{} are not downloaded yet", offset + len)
            }
            Error::Invalid { container, what } if *container == NOT_MEDIA => {
                write!(f, "this file is not a video Riptide knows: {what}")
            }
            Error::Invalid { container, what } => {
                write!(
                    f,
                    "this {container} file is damaged or not a {container} file: {what}"
                )
            }
            Error::Unsupported { message, .. } => f.write_str(message),
            Error::Unreadable { what } => write!(f, "the file could not be read: {what}"),
        }
    }
}

impl std::error::Error for Error {}

/// What kind of problem the page is told about: a small, stable set (the strings are part of
/// the page's API, docs/API.md "Errors").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The server could not be reached, refused a request, or sent less than it announced.
    Network,
    /// A track's codec that this browser cannot decode or Riptide cannot carry (`codec` says which).
    UnsupportedCodec,
    /// A valid file, or a feature of it (seeking without an index, ...), that Riptide cannot play.
    Unsupported,
    /// The file is damaged: its container does not parse.
    DamagedFile,
    /// The file ends before the length it states (the rest was cut off).
    CutOffFile,
    /// The file is no video container Riptide knows (or is empty).
    NotAVideo,
    /// The browser's Media Source Extensions or its decoder refused the remuxed media.
    MediaSourceRefused,
    /// A fault of Riptide itself (a misuse of the player, a state that should not happen).
    Internal,
}

impl ErrorCode {
    /// The code as the page sees it (`"unsupported-codec"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Network => "network",
            ErrorCode::UnsupportedCodec => "unsupported-codec",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::DamagedFile => "damaged-file",
            ErrorCode::CutOffFile => "cut-off-file",
            ErrorCode::NotAVideo => "not-a-video",
            ErrorCode::MediaSourceRefused => "media-source-refused",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem as the page receives it: `{ code, fatal, message, codec? }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub code: ErrorCode,
    /// Playback stopped (an error); false for a notice (playback goes on).
    pub fatal: bool,
    /// In plain words, for people.
    pub message: String,
    /// The codec to blame, as people name it (`H.265 (HEVC)`), if one is.
    pub codec: Option<String>,
}

impl Problem {
    /// A fatal problem.
    pub fn fatal(code: ErrorCode, message: impl Into<String>) -> Self {
        Problem {
            code,
            fatal: true,
            message: message.into(),
            codec: None,
        }
    }
    /// A notice: playback goes on.
    pub fn notice(code: ErrorCode, message: impl Into<String>) -> Self {
        Problem {
            code,
            fatal: false,
            message: message.into(),
            codec: None,
        }
    }
    /// The browser's media stack refused (an append, a SourceBuffer, a decode): fatal.
    pub fn media_source(message: impl Into<String>) -> Self {
        Problem::fatal(ErrorCode::MediaSourceRefused, message)
    }
    /// This problem as a notice (playback goes on).
    pub fn not_fatal(self) -> Self {
        Problem {
            fatal: false,
            ..self
        }
    }
}

impl From<Error> for Problem {
    /// The pipeline's error, fatal, under its [code](Error::code).
    fn from(e: Error) -> Self {
        let codec = match &e {
            Error::Unsupported { codec, .. } => codec.clone(),
            _ => None,
        };
        Problem {
            code: e.code(),
            fatal: true,
            message: e.to_string(),
            codec,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_its_code_and_its_message() {
        let damaged = Error::invalid("MKV", "a cluster runs past the file");
        assert_eq!(damaged.code(), ErrorCode::DamagedFile);
        assert_eq!(
            damaged.to_string(),
            "this MKV file is damaged or not a MKV file: a cluster runs past the file"
        );
        assert_eq!(
            Error::invalid(NOT_MEDIA, "the file is empty").code(),
            ErrorCode::NotAVideo
        );
        let feature = Error::unsupported("seeking in this container");
        assert_eq!(feature.code(), ErrorCode::Unsupported);
        assert_eq!(
            feature.to_string(),
            "cannot play this file: seeking in this container"
        );
        let codec = Error::unsupported_codec("This film's video is H.265 (HEVC).", "H.265 (HEVC)");
        let p = Problem::from(codec);
        assert_eq!(
            (
                p.code.as_str(),
                p.fatal,
                p.message.as_str(),
                p.codec.as_deref()
            ),
            (
                "unsupported-codec",
                true,
                "This film's video is H.265 (HEVC).",
                Some("H.265 (HEVC)")
            )
        );
        let read = Error::Unreadable {
            what: "Input/output error".into(),
        };
        assert_eq!(
            read.to_string(),
            "the file could not be read: Input/output error"
        );
        assert!(!read.to_string().contains("file file"));
    }
}
