//! How big a range request is: the bytes the demuxer asked for, grown to what is worth
//! fetching in one request for what the player is doing ([`Reading`]). The player's
//! scheduler asks here; tests (`tests/seek.rs`) replay a seek with the same sizes.

use super::SparseCache;

/// What the player is doing when the demuxer asks for bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Before the video first plays: the first fragment, small steps.
    Startup,
    /// A seek, until the fragment the browser needs to play on (`FIRST_SECONDS` past the
    /// target) is appended: the bytes from the key frame to a little past the target,
    /// whatever the demuxer reads to find them. One piece at a time: the server answers with
    /// a piece once it is verified, so a request that also covers the next piece waits for
    /// that one too (a whole piece: 262 ms of a 4 MB/s seeder for 1 MiB pieces), however few
    /// of its bytes the fragment needs.
    Seeking,
    /// The video plays: whole chunks, which download while the bytes before them are parsed.
    Playing,
}

/// The request sizes (the player's `Config::chunk_bytes` and `Config::startup_bytes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestSizes {
    /// Bytes per request while playing (1 MiB in the player).
    pub chunk_bytes: u64,
    /// Before the first frame, a request ends at the next multiple of this (256 KiB in the
    /// player), or of the piece length when smaller.
    pub startup_bytes: u64,
}

/// The range `start..end` to fetch for a `NeedData { offset, len }`: at least `len`, never
/// past the file's `size` nor into the next bytes already held. With the torrent's
/// `piece_length` known (0: unknown), a request ends on a piece boundary:
/// - [`Reading::Startup`]: at the next multiple of `startup_bytes` (of the piece length when
///   smaller);
/// - [`Reading::Seeking`]: at the end of the piece holding the last needed byte (with pieces
///   larger than a chunk, a chunk's worth);
/// - [`Reading::Playing`]: about a chunk, at the last piece boundary within it (so a request
///   starting inside a piece ends with that piece instead of taking in the next one), or at
///   the end of the piece holding the last needed byte when no boundary is that close.
pub fn plan_range(
    sizes: RequestSizes,
    cache: &SparseCache,
    offset: u64,
    len: u64,
    size: Option<u64>,
    piece_length: u32,
    reading: Reading,
) -> (u64, u64) {
    let piece = piece_length as u64;
    let needed = offset.saturating_add(len.max(1));
    let round_up = |x: u64, step: u64| x.div_ceil(step).saturating_mul(step);
    let mut end = match reading {
        Reading::Startup => {
            let step = match piece {
                0 => sizes.startup_bytes,
                p => p.min(sizes.startup_bytes),
            };
            round_up(needed, step.max(1))
        }
        Reading::Seeking if piece == 0 => round_up(needed, sizes.startup_bytes.max(1)),
        Reading::Seeking => {
            round_up(needed, piece).min(needed.max(offset.saturating_add(sizes.chunk_bytes)))
        }
        Reading::Playing => {
            let chunk_end = needed.max(offset.saturating_add(sizes.chunk_bytes));
            match piece {
                0 => chunk_end,
                p => {
                    let down = chunk_end / p * p;
                    if down >= needed {
                        down
                    } else {
                        round_up(chunk_end, p)
                    }
                }
            }
        }
    };
    if let Some(size) = size {
        end = end.min(size);
    }
    match cache.missing(offset, end.saturating_sub(offset)) {
        Some((s, e)) if s == offset => (offset, e),
        _ => (offset, end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;
    const SIZES: RequestSizes = RequestSizes {
        chunk_bytes: MIB,
        startup_bytes: 256 << 10,
    };

    fn plan(offset: u64, len: u64, piece: u32, reading: Reading) -> (u64, u64) {
        let size = Some(300 * MIB);
        plan_range(
            SIZES,
            &SparseCache::new(size),
            offset,
            len,
            size,
            piece,
            reading,
        )
    }

    #[test]
    fn a_request_after_a_seek_ends_with_the_piece_it_needs() {
        // The 1080p bench film's 25 % key frame: its cluster starts 0.35 MiB into piece 53,
        // and the first fragment's bytes end inside piece 54. The request that reaches into
        // piece 54 must not also wait for piece 55 (it took 1.8 MB across 54–55 before).
        let p = MIB as u32;
        let in_54 = 56_885_248;
        assert_eq!(plan(in_54, 1, p, Reading::Playing), (in_54, 55 * MIB));
        assert_eq!(plan(in_54, 1, p, Reading::Seeking), (in_54, 55 * MIB));
        // The walk to the key frame: one piece per request, not 256 KiB steps.
        assert_eq!(
            plan(56_135_253, 4, p, Reading::Seeking),
            (56_135_253, 54 * MIB)
        );
        // A piece boundary inside the chunk: playing stops there, at whole pieces from then on.
        assert_eq!(plan(54 * MIB, 1, p, Reading::Playing), (54 * MIB, 55 * MIB));
        let q = 256 << 10;
        assert_eq!(plan(100, 4, q, Reading::Playing), (100, MIB));
        // Small pieces after a seek: one piece at a time.
        assert_eq!(plan(100, 4, q, Reading::Seeking), (100, 256 << 10));
        // More than a piece needed at once: every piece it touches, whatever the reading.
        assert_eq!(plan(100, 600_000, q, Reading::Seeking), (100, 768 << 10));
        assert_eq!(
            plan(100, 3 * MIB, q, Reading::Playing),
            (100, 3 * MIB + (256 << 10))
        );
    }

    #[test]
    fn large_pieces_and_unknown_pieces() {
        let big = 4 * MIB as u32;
        // Playing: the whole 4 MiB piece (the server sends it at once when verified).
        assert_eq!(plan(MIB, 1, big, Reading::Playing), (MIB, 4 * MIB));
        // Seeking: a chunk of it.
        assert_eq!(plan(MIB, 1, big, Reading::Seeking), (MIB, 2 * MIB));
        // No piece length: chunks while playing, startup steps otherwise.
        assert_eq!(plan(100, 4, 0, Reading::Playing), (100, MIB + 100));
        assert_eq!(plan(100, 4, 0, Reading::Seeking), (100, 256 << 10));
        assert_eq!(
            plan(300_000, 10, big, Reading::Startup),
            (300_000, 512 << 10)
        );
    }

    #[test]
    fn clipped_to_the_file_and_to_bytes_held() {
        let size = Some(10 * MIB);
        let p = 256 << 10;
        let empty = SparseCache::new(size);
        let r = plan_range(SIZES, &empty, 10 * MIB - 5, 4, size, p, Reading::Playing);
        assert_eq!(r, (10 * MIB - 5, 10 * MIB));
        let mut held = SparseCache::new(size);
        held.insert(500_000, vec![0; 10]);
        assert_eq!(
            plan_range(SIZES, &held, 0, 4, size, p, Reading::Seeking),
            (0, 262_144)
        );
        assert_eq!(
            plan_range(SIZES, &held, 0, 4, size, p, Reading::Playing),
            (0, 500_000)
        );
    }
}
