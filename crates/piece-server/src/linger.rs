//! A file stream whose response ended is kept open for a moment at the position where it
//! ended, so that its priority does not lapse between a player's requests.
//!
//! librqbit gives a peer the next piece of an open stream's window first and, with no stream
//! open, the next missing piece in file order. A player reads in whole-range requests and
//! sends the next one when the last has arrived: in that gap no stream is open, the peer is
//! given a piece from the start of the file, and the player's next piece waits behind it (at
//! 10 MB/s a 1 MiB piece is ~100 ms; seen in seek traces after a seek, docs/DESIGN.md "Seek
//! timeline"). Held here, the ended stream keeps the pieces after it first until the next
//! request of the same file opens (or `LINGER` passes).
//!
//! A held stream keeps one of `--max-streams`' slots, taken only when another stays free for
//! a request, so that librqbit's I/O permits stay bounded as `config.rs` requires and a
//! request never waits for a held stream.
//!
//! A response that ends after a newer request of the same file opened is not held: that
//! request carries the file's priority now. Held, it would keep the old position's window
//! wanted after a seek (the player sends the new request before the old one's last bytes
//! have come), and the piece in flight there would come whole before the seek's own
//! (seen in a page trace: piece 117 after the jump to piece 159, +190 ms).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use librqbit::dht::Id20;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

type Held = (u64, Box<dyn Send>, OwnedSemaphorePermit);

#[derive(Default)]
pub(crate) struct Lingers {
    held: Mutex<HashMap<(Id20, usize), Held>>,
    next: Mutex<u64>,
    /// How many requests of each file have opened: a request's ticket.
    opened: Mutex<HashMap<(Id20, usize), u64>>,
}

impl Lingers {
    /// Keeps `stream` (file `index` of torrent `id`, from the request given `ticket`) for
    /// `linger`, replacing a stream held for that file, if two slots of `slots` are free (it
    /// takes one) and no request of that file opened after this one.
    pub(crate) fn hold<S: Send + 'static>(
        self: &Arc<Self>,
        id: Id20,
        index: usize,
        ticket: u64,
        stream: S,
        slots: &Arc<Semaphore>,
        linger: Duration,
    ) {
        if linger.is_zero() || slots.available_permits() < 2 {
            return;
        }
        if self.opened.lock().unwrap().get(&(id, index)) != Some(&ticket) {
            return;
        }
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            return;
        };
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let generation = {
            let mut next = self.next.lock().unwrap();
            *next += 1;
            *next
        };
        let old = self
            .held
            .lock()
            .unwrap()
            .insert((id, index), (generation, Box::new(stream), permit));
        drop(old);
        let me = Arc::clone(self);
        rt.spawn(async move {
            tokio::time::sleep(linger).await;
            let mut held = me.held.lock().unwrap();
            if held.get(&(id, index)).is_some_and(|h| h.0 == generation) {
                let gone = held.remove(&(id, index));
                drop(held);
                drop(gone);
            }
        });
    }

    /// A new request of this file opens and takes over its priority: drops the stream held
    /// for it (a seek must not keep the old position's pieces) and returns the request's
    /// ticket for [`Lingers::hold`].
    pub(crate) fn take_over(&self, id: Id20, index: usize) -> u64 {
        let ticket = {
            let mut opened = self.opened.lock().unwrap();
            let n = opened.entry((id, index)).or_default();
            *n += 1;
            *n
        };
        let gone = self.held.lock().unwrap().remove(&(id, index));
        drop(gone);
        ticket
    }

    /// Drops every stream held for torrent `id` (it is being deleted).
    pub(crate) fn release_torrent(&self, id: Id20) {
        self.opened.lock().unwrap().retain(|k, _| k.0 != id);
        let gone: Vec<Held> = {
            let mut held = self.held.lock().unwrap();
            let keys: Vec<_> = held.keys().filter(|k| k.0 == id).copied().collect();
            keys.iter().filter_map(|k| held.remove(k)).collect()
        };
        drop(gone);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream whose drop is observable.
    struct Probe(Arc<std::sync::atomic::AtomicBool>);
    impl Drop for Probe {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn probe() -> (Probe, Arc<std::sync::atomic::AtomicBool>) {
        let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
        (Probe(dropped.clone()), dropped)
    }

    #[tokio::test]
    async fn a_response_ending_after_a_newer_request_opened_is_not_held() {
        let lingers = Arc::new(Lingers::default());
        let slots = Arc::new(Semaphore::new(8));
        let id = Id20::new([7; 20]);
        let linger = Duration::from_secs(60);
        let old = lingers.take_over(id, 0);
        let new = lingers.take_over(id, 0);
        // The old request (the position before a seek) ends after the new one opened.
        let (stream, dropped) = probe();
        lingers.hold(id, 0, old, stream, &slots, linger);
        assert!(
            dropped.load(std::sync::atomic::Ordering::SeqCst),
            "the old position's stream was held"
        );
        assert_eq!(slots.available_permits(), 8);
        // The newest request's stream is held, and another file's ticket is its own.
        let (stream, dropped) = probe();
        lingers.hold(id, 0, new, stream, &slots, linger);
        assert!(!dropped.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(slots.available_permits(), 7);
        let other = lingers.take_over(id, 1);
        let (stream, dropped_other) = probe();
        lingers.hold(id, 1, other, stream, &slots, linger);
        assert!(!dropped_other.load(std::sync::atomic::Ordering::SeqCst));
        // The next request of file 0 takes its priority over: the held stream goes at once.
        lingers.take_over(id, 0);
        assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
        assert!(!dropped_other.load(std::sync::atomic::Ordering::SeqCst));
    }
}
