//! End-game for the critical window of a seek (`critical_window.rs`): with several peers, the
//! piece a player waits for may be in flight at a slow peer while a fast one has fetched the
//! rest of the window and goes on to pieces nobody waits for. librqbit gives a piece one
//! owner; a faster peer takes it over (a steal) only once it has been in flight 10× the
//! faster peer's piece time, and throws away what the owner sent so far.
//!
//! Here, a peer that has nothing of the critical window left to fetch *helps* with a window
//! piece another peer is fetching: it asks for the piece's chunks not received yet, from the
//! back, while the owner goes on from the front. A chunk is taken from whichever peer sends
//! it first and written once ([`Claims`]); the owner and the helpers skip chunks already
//! received, and when the piece is complete the requests still outstanding for it are
//! cancelled. Only the critical window's pieces get helpers, never background pieces.
//!
//! Pieces, chunks and peers are plain values here so that this file has no dependency and is
//! unit-tested on its own: `rustc --edition 2021 --test endgame.rs && ./endgame`.

use std::{collections::HashSet, ops::Range};

/// Where a piece of the critical window stands, seen from one peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Verified already.
    Have,
    /// Nobody fetches it.
    Queued,
    /// This peer fetches it (as its owner or as a helper).
    Mine,
    /// Another peer fetches it and this one does not help.
    Theirs,
}

/// The window piece `peer_has` lets this peer help with, if it has nothing else of the window
/// to fetch: the first piece another peer is fetching. `None` while a piece of the window
/// that this peer has is queued (it should reserve that one instead, at its full rate), and
/// when every other window piece is had, ours, or one this peer lacks.
pub(crate) fn piece_to_help(
    window: &Range<u32>,
    slot: impl Fn(u32) -> Slot,
    peer_has: impl Fn(u32) -> bool,
) -> Option<u32> {
    let mut help = None;
    for p in window.clone() {
        match slot(p) {
            Slot::Queued if peer_has(p) => return None,
            Slot::Theirs if help.is_none() && peer_has(p) => help = Some(p),
            _ => {}
        }
    }
    help
}

/// The chunks a helper asks for: those not received yet, last first (the owner goes from the
/// front, so the two meet in the middle instead of asking for the same chunks).
pub(crate) fn helper_chunks(chunks: u32, received: impl Fn(u32) -> bool) -> Vec<u32> {
    (0..chunks).rev().filter(|c| !received(*c)).collect()
}

/// Chunks being written to disk right now, so that a chunk that arrives from two peers (an
/// owner and a helper) is written once: the first to claim it writes it and marks it
/// received; the other finds it claimed or received and drops its copy.
#[derive(Default)]
pub(crate) struct Claims {
    writing: HashSet<(u32, u32)>,
}

impl Claims {
    /// Claims `(piece, chunk)` for writing; false if someone else is writing it.
    pub(crate) fn try_claim(&mut self, piece: u32, chunk: u32) -> bool {
        self.writing.insert((piece, chunk))
    }

    /// The write is over (the chunk is marked received, or the write failed).
    pub(crate) fn release(&mut self, piece: u32, chunk: u32) {
        self.writing.remove(&(piece, chunk));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(s: &'static [Slot]) -> impl Fn(u32) -> Slot {
        move |p| s[(p - 40) as usize]
    }

    #[test]
    fn a_peer_with_window_pieces_to_fetch_reserves_them_instead_of_helping() {
        use Slot::*;
        let w = 40..44;
        // 43 is queued and the peer has it: fetch it, at the peer's own rate.
        assert_eq!(
            piece_to_help(&w, slots(&[Theirs, Mine, Have, Queued]), |_| true),
            None
        );
        // The peer lacks 43: nothing else to fetch, so help with 40.
        assert_eq!(
            piece_to_help(&w, slots(&[Theirs, Mine, Have, Queued]), |p| p != 43),
            Some(40)
        );
    }

    #[test]
    fn a_helper_takes_the_first_piece_another_peer_fetches() {
        use Slot::*;
        let w = 40..44;
        assert_eq!(
            piece_to_help(&w, slots(&[Have, Mine, Theirs, Theirs]), |_| true),
            Some(42)
        );
        // Not one it lacks.
        assert_eq!(
            piece_to_help(&w, slots(&[Have, Mine, Theirs, Theirs]), |p| p != 42),
            Some(43)
        );
        // Not one it fetches already (as owner or helper), and not a verified one.
        assert_eq!(
            piece_to_help(&w, slots(&[Have, Mine, Mine, Have]), |_| true),
            None
        );
        // An empty window (no seek waiting) has nothing to help with.
        assert_eq!(piece_to_help(&(40..40), slots(&[]), |_| true), None);
    }

    #[test]
    fn a_helper_asks_for_the_missing_chunks_from_the_back() {
        assert_eq!(helper_chunks(6, |c| c < 2), vec![5, 4, 3, 2]);
        assert_eq!(helper_chunks(6, |c| c == 4 || c == 1), vec![5, 3, 2, 0]);
        assert_eq!(helper_chunks(3, |_| true), Vec::<u32>::new());
    }

    #[test]
    fn a_chunk_from_two_peers_is_written_once() {
        let mut c = Claims::default();
        assert!(c.try_claim(7, 3));
        // The same chunk from the other peer while the first write runs: dropped.
        assert!(!c.try_claim(7, 3));
        // Other chunks and pieces are independent.
        assert!(c.try_claim(7, 4));
        assert!(c.try_claim(8, 3));
        c.release(7, 3);
        // Claimable again (the caller then finds it marked received and drops it).
        assert!(c.try_claim(7, 3));
    }
}
