//! The critical window of a seek: the first pieces from the position of the stream that most
//! recently jumped to a piece we did not have, what a player needs to play again. While it
//! still misses pieces, the piece selection follows that reader only:
//! - a stream that goes away (the player's request for the old position, given up just after
//!   the new one was sent) releases the pieces it alone wanted, so they do not go on taking
//!   the seeder's bandwidth ahead of the seek's pieces;
//! - no peer is given a piece in the background order (natural order, outside every stream's
//!   window) while a peer is fetching one of the window's pieces, so the seek's pieces get all
//!   of our download rate.
//!
//! Pieces are plain indices here so that this file has no dependency and is unit-tested on
//! its own: `rustc --edition 2021 --test critical_window.rs && ./critical_window`.

use std::ops::Range;

/// True when a piece of `window` is not had yet.
pub(crate) fn incomplete(window: &Range<u32>, have: impl Fn(u32) -> bool) -> bool {
    window.clone().any(|p| !have(p))
}

/// After a stream went away: release the in-flight pieces that no remaining stream reads, if
/// a critical window is still waiting for pieces (otherwise the old pieces take nothing from
/// anyone, and releasing would only throw away their chunks received so far).
pub(crate) fn release_after_drop(
    critical: Option<&Range<u32>>,
    have: impl Fn(u32) -> bool,
) -> bool {
    critical.is_some_and(|w| incomplete(w, have))
}

/// May a peer be given a piece in the background order? Not while a critical window misses a
/// piece that a peer is fetching right now: that piece needs all our download rate. Yes when
/// there is no critical window, when it is complete, or when none of its missing pieces is
/// being fetched (no peer has them yet: better to download something than nothing).
pub(crate) fn background_allowed(
    critical: Option<&Range<u32>>,
    have: impl Fn(u32) -> bool,
    in_flight: impl Fn(u32) -> bool,
) -> bool {
    match critical {
        None => true,
        Some(w) => !w.clone().any(|p| !have(p) && in_flight(p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_with_a_missing_piece_is_incomplete() {
        assert!(incomplete(&(10..14), |p| p != 12));
        assert!(!incomplete(&(10..14), |_| true));
        assert!(!incomplete(&(10..10), |_| false));
    }

    #[test]
    fn a_dropped_stream_releases_only_while_a_seek_waits() {
        // No seek in the last seconds: the old stream's pieces go on downloading.
        assert!(!release_after_drop(None, |_| false));
        // A seek whose pieces are all here: nothing to make room for.
        assert!(!release_after_drop(Some(&(40..44)), |_| true));
        // A seek still waiting for piece 43.
        assert!(release_after_drop(Some(&(40..44)), |p| p < 43));
    }

    #[test]
    fn background_waits_while_a_critical_piece_is_being_fetched() {
        let w = 40..44;
        // 41 is being fetched and missing: nothing in the background.
        assert!(!background_allowed(Some(&w), |p| p == 40, |p| p == 41));
        // Missing pieces that no peer fetches (nobody has them): background is better than idling.
        assert!(background_allowed(Some(&w), |p| p == 40, |_| false));
        // The window is complete: background again.
        assert!(background_allowed(Some(&w), |_| true, |p| p == 41));
        // No seek at all.
        assert!(background_allowed(None, |_| false, |_| true));
    }
}
