//! Film bytes this server has sent: the bodies of `GET /api/torrents/{id}/files/{index}`,
//! counted per torrent and in total, so that what viewers sharing pieces save (issue 15) is
//! measured where it is paid for rather than by the browsers themselves. Shown as
//! `stats.served_bytes` of a torrent and `served_bytes` of `GET /api/status`.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};

use librqbit::dht::Id20;

/// Body bytes sent, per info hash (kept for the life of the process, also after a delete: a
/// counter is 8 bytes) and over all torrents.
#[derive(Default)]
pub(crate) struct Served {
    per: Mutex<HashMap<Id20, Arc<AtomicU64>>>,
    total: Arc<AtomicU64>,
}

impl Served {
    /// The counter one response of torrent `id` adds its bytes to.
    pub(crate) fn counter(&self, id: Id20) -> ServedCounter {
        let mut per = self.per.lock().unwrap_or_else(|e| e.into_inner());
        ServedCounter {
            torrent: per.entry(id).or_default().clone(),
            total: self.total.clone(),
        }
    }

    /// Bytes sent so far for torrent `id` (0 if none).
    pub(crate) fn of(&self, id: Id20) -> u64 {
        let per = self.per.lock().unwrap_or_else(|e| e.into_inner());
        per.get(&id).map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// Bytes sent so far, all torrents.
    pub(crate) fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
}

/// Adds one response's bytes to its torrent's count and the total.
pub(crate) struct ServedCounter {
    torrent: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
}

impl ServedCounter {
    pub(crate) fn add(&self, n: u64) {
        self.torrent.fetch_add(n, Ordering::Relaxed);
        self.total.fetch_add(n, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_torrent_and_in_total() {
        let s = Served::default();
        let (a, b) = (Id20::new([1; 20]), Id20::new([2; 20]));
        s.counter(a).add(10);
        s.counter(a).add(5);
        s.counter(b).add(7);
        assert_eq!((s.of(a), s.of(b), s.total()), (15, 7, 22));
        assert_eq!(s.of(Id20::new([3; 20])), 0);
    }
}
