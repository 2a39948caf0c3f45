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
}

impl Lingers {
    /// Keeps `stream` (file `index` of torrent `id`) for `linger`, replacing a stream held
    /// for that file, if two slots of `slots` are free (it takes one).
    pub(crate) fn hold<S: Send + 'static>(
        self: &Arc<Self>,
        id: Id20,
        index: usize,
        stream: S,
        slots: &Arc<Semaphore>,
        linger: Duration,
    ) {
        if linger.is_zero() || slots.available_permits() < 2 {
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

    /// Drops the stream held for this file (a new request of it takes over its priority; a
    /// seek must not keep the old position's pieces).
    pub(crate) fn release(&self, id: Id20, index: usize) {
        let gone = self.held.lock().unwrap().remove(&(id, index));
        drop(gone);
    }

    /// Drops every stream held for torrent `id` (it is being deleted).
    pub(crate) fn release_torrent(&self, id: Id20) {
        let gone: Vec<Held> = {
            let mut held = self.held.lock().unwrap();
            let keys: Vec<_> = held.keys().filter(|k| k.0 == id).copied().collect();
            keys.iter().filter_map(|k| held.remove(k)).collect()
        };
        drop(gone);
    }
}
