//! HTTP `Range` header parsing for single-file byte ranges (RFC 9110 §14).
//!
//! Decisions, in the order they are applied:
//! - No header, or a unit other than `bytes` → the whole file (200).
//! - `bytes=a-b` → `a..=min(b, len-1)`; `bytes=a-` → `a..=len-1`; `bytes=-n` → the last `n`
//!   bytes (the whole file when `n >= len`).
//! - A start at or past the end, `a > b`, `-0`, anything that does not parse after `bytes=`,
//!   or any range on an empty file → 416 (`Content-Range: bytes */len`).
//! - Several ranges (`bytes=0-1,5-9`) → only the first satisfiable one is served, as a
//!   single-part 206 (`bytes=500-,0-9` on a 100-byte file sends 0-9); 416 only when none is.
//!   We never send `multipart/byteranges`. The `Content-Range` header says what was sent.

/// What a request asked for, resolved against the file length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
    /// Send the whole file with 200.
    Full,
    /// Send `start..=end` (inclusive, `end < len`) with 206.
    Partial { start: u64, end: u64 },
    /// Send 416 with `Content-Range: bytes */len`.
    Unsatisfiable,
}

impl RangeRequest {
    /// Number of bytes to send for a file of `len` bytes.
    pub fn body_len(&self, len: u64) -> u64 {
        match *self {
            RangeRequest::Full => len,
            RangeRequest::Partial { start, end } => end - start + 1,
            RangeRequest::Unsatisfiable => 0,
        }
    }
}

/// Parses the value of a `Range` header (or its absence) for a file of `len` bytes.
pub fn parse_range(header: Option<&str>, len: u64) -> RangeRequest {
    let Some(header) = header else {
        return RangeRequest::Full;
    };
    let header = header.trim();
    let Some((unit, specs)) = header.split_once('=') else {
        // Not even `unit=...`: not a range request we understand; ignore it.
        return RangeRequest::Full;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return RangeRequest::Full;
    }
    specs
        .split(',')
        .find_map(|spec| parse_one(spec.trim(), len))
        .unwrap_or(RangeRequest::Unsatisfiable)
}

/// Parses one `range-spec`; `None` when it is malformed or unsatisfiable.
fn parse_one(spec: &str, len: u64) -> Option<RangeRequest> {
    let (start, end) = spec.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    if len == 0 {
        return None;
    }
    if start.is_empty() {
        // Suffix range: the last `n` bytes.
        let n: u64 = parse_digits(end)?;
        if n == 0 {
            return None;
        }
        let n = n.min(len);
        return Some(RangeRequest::Partial {
            start: len - n,
            end: len - 1,
        });
    }
    let start: u64 = parse_digits(start)?;
    if start >= len {
        return None;
    }
    let end = if end.is_empty() {
        len - 1
    } else {
        let end: u64 = parse_digits(end)?;
        if end < start {
            return None;
        }
        end.min(len - 1)
    };
    Some(RangeRequest::Partial { start, end })
}

/// Only ASCII digits (`u64::from_str` would also accept a leading `+`).
fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{parse_range, RangeRequest::*};

    #[test]
    fn no_header_is_full() {
        assert_eq!(parse_range(None, 100), Full);
    }

    #[test]
    fn closed_range() {
        assert_eq!(
            parse_range(Some("bytes=0-9"), 100),
            Partial { start: 0, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=10-10"), 100),
            Partial { start: 10, end: 10 }
        );
        assert_eq!(
            parse_range(Some(" bytes = 5 - 6 "), 100),
            Partial { start: 5, end: 6 }
        );
    }

    #[test]
    fn end_past_length_is_clamped() {
        assert_eq!(
            parse_range(Some("bytes=90-1000"), 100),
            Partial { start: 90, end: 99 }
        );
    }

    #[test]
    fn open_ended() {
        assert_eq!(
            parse_range(Some("bytes=42-"), 100),
            Partial { start: 42, end: 99 }
        );
        assert_eq!(
            parse_range(Some("bytes=99-"), 100),
            Partial { start: 99, end: 99 }
        );
    }

    #[test]
    fn suffix() {
        assert_eq!(
            parse_range(Some("bytes=-10"), 100),
            Partial { start: 90, end: 99 }
        );
        assert_eq!(
            parse_range(Some("bytes=-100"), 100),
            Partial { start: 0, end: 99 }
        );
        assert_eq!(
            parse_range(Some("bytes=-500"), 100),
            Partial { start: 0, end: 99 }
        );
        assert_eq!(parse_range(Some("bytes=-0"), 100), Unsatisfiable);
    }

    #[test]
    fn past_end_is_unsatisfiable() {
        assert_eq!(parse_range(Some("bytes=100-"), 100), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=100-200"), 100), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-0"), 0), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-5"), 0), Unsatisfiable);
    }

    #[test]
    fn malformed_bytes_ranges_are_unsatisfiable() {
        for h in [
            "bytes=",
            "bytes=-",
            "bytes=abc",
            "bytes=5-4",
            "bytes=+1-2",
            "bytes=1-x",
            "bytes=1",
        ] {
            assert_eq!(parse_range(Some(h), 100), Unsatisfiable, "{h}");
        }
    }

    #[test]
    fn other_units_and_garbage_are_ignored() {
        assert_eq!(parse_range(Some("items=0-5"), 100), Full);
        assert_eq!(parse_range(Some("nonsense"), 100), Full);
    }

    #[test]
    fn multiple_ranges_use_the_first_satisfiable() {
        assert_eq!(
            parse_range(Some("bytes=500-600,0-1"), 100),
            Partial { start: 0, end: 1 }
        );
        assert_eq!(
            parse_range(Some("bytes=x-y, 200-, 90-"), 100),
            Partial { start: 90, end: 99 }
        );
        assert_eq!(parse_range(Some("bytes=500-600,200-"), 100), Unsatisfiable);
    }

    #[test]
    fn multiple_ranges_use_the_first() {
        assert_eq!(
            parse_range(Some("bytes=0-1,5-9"), 100),
            Partial { start: 0, end: 1 }
        );
        assert_eq!(
            parse_range(Some("bytes=-3, 0-1"), 100),
            Partial { start: 97, end: 99 }
        );
    }

    #[test]
    fn body_len() {
        assert_eq!(Partial { start: 3, end: 5 }.body_len(100), 3);
        assert_eq!(Full.body_len(100), 100);
    }
}
