//! Requests a peer cancelled while they waited in our upload queue.
//!
//! A downloader that seeks cancels the requests it no longer needs; without honouring that,
//! a seeder (rate-limited especially) keeps sending them first and the downloader waits for
//! data it will throw away. Counts per chunk, so that a request that was cancelled and asked
//! again is sent once, and a cancel that comes after the chunk was sent changes nothing.
//!
//! Generic over the chunk key and std only, so that its tests run on their own:
//! `rustc --edition 2021 --test upload_cancels.rs -o /tmp/uc && /tmp/uc`.

use std::{collections::HashMap, hash::Hash};

pub(crate) struct UploadCancels<ChunkInfo> {
    /// Requests received and neither sent nor skipped yet.
    queued: HashMap<ChunkInfo, u32>,
    /// How many of those were cancelled (never more than queued).
    cancelled: HashMap<ChunkInfo, u32>,
}

impl<C> Default for UploadCancels<C> {
    fn default() -> Self {
        Self {
            queued: HashMap::new(),
            cancelled: HashMap::new(),
        }
    }
}

impl<ChunkInfo: Hash + Eq + Copy> UploadCancels<ChunkInfo> {
    pub(crate) fn on_request(&mut self, chunk: ChunkInfo) {
        *self.queued.entry(chunk).or_default() += 1;
    }

    pub(crate) fn on_cancel(&mut self, chunk: ChunkInfo) {
        let queued = self.queued.get(&chunk).copied().unwrap_or(0);
        let cancelled = self.cancelled.entry(chunk).or_default();
        if *cancelled < queued {
            *cancelled += 1;
        } else if *cancelled == 0 {
            self.cancelled.remove(&chunk);
        }
    }

    /// Call once per queued request when it leaves the queue; true = skip it.
    pub(crate) fn take_if_cancelled(&mut self, chunk: &ChunkInfo) -> bool {
        let Some(c) = self.cancelled.get_mut(chunk) else {
            return false;
        };
        *c -= 1;
        if *c == 0 {
            self.cancelled.remove(chunk);
        }
        self.on_sent(chunk);
        true
    }

    pub(crate) fn on_sent(&mut self, chunk: &ChunkInfo) {
        let left = match self.queued.get_mut(chunk) {
            Some(q) => {
                *q -= 1;
                *q
            }
            None => 0,
        };
        if left == 0 {
            self.queued.remove(chunk);
        }
        // A cancel that raced with the send must not outlive the requests it was for.
        if let Some(c) = self.cancelled.get_mut(chunk) {
            *c = (*c).min(left);
            if *c == 0 {
                self.cancelled.remove(chunk);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // (piece, chunk): the real key is librqbit_core's ChunkInfo.
    fn chunk(i: u32) -> (u32, u32) {
        (7, i)
    }

    #[test]
    fn a_cancelled_request_is_skipped_once() {
        let mut u = UploadCancels::<(u32, u32)>::default();
        u.on_request(chunk(0));
        u.on_request(chunk(1));
        u.on_cancel(chunk(0));
        assert!(u.take_if_cancelled(&chunk(0)));
        assert!(!u.take_if_cancelled(&chunk(1)));
        u.on_sent(&chunk(1));
        assert!(u.queued.is_empty() && u.cancelled.is_empty());
    }

    #[test]
    fn a_cancel_after_sending_changes_nothing() {
        let mut u = UploadCancels::<(u32, u32)>::default();
        u.on_request(chunk(0));
        assert!(!u.take_if_cancelled(&chunk(0)));
        u.on_sent(&chunk(0));
        u.on_cancel(chunk(0));
        // Asked again later: it must be sent.
        u.on_request(chunk(0));
        assert!(!u.take_if_cancelled(&chunk(0)));
    }

    #[test]
    fn a_cancel_racing_the_send_does_not_skip_a_later_request() {
        let mut u = UploadCancels::<(u32, u32)>::default();
        u.on_request(chunk(3));
        assert!(!u.take_if_cancelled(&chunk(3))); // the writer takes it...
        u.on_cancel(chunk(3)); // ...the cancel arrives before it is sent...
        u.on_sent(&chunk(3));
        u.on_request(chunk(3)); // ...and the peer asks again later.
        assert!(!u.take_if_cancelled(&chunk(3)));
    }

    #[test]
    fn cancelled_then_asked_again_is_sent_once() {
        let mut u = UploadCancels::<(u32, u32)>::default();
        u.on_request(chunk(2));
        u.on_cancel(chunk(2));
        u.on_request(chunk(2));
        assert!(u.take_if_cancelled(&chunk(2)));
        assert!(!u.take_if_cancelled(&chunk(2)));
    }
}
