//! Reconnects a watched torrent to its swarm at once after it lost every peer.
//!
//! librqbit retries a peer whose connection died only after an exponential backoff: at least
//! 10 s, then ×6 (60 s, 6 min, …; `PeerStats::backoff` in librqbit 9.1), and it has no public
//! way to reset that backoff. For a download that is fine; for a viewer it is not. When the
//! only seeder drops for a few seconds (a restart, a flaky uplink), the torrent has no peer,
//! the first retry hits the seeder while it is still away, and the next one comes a minute
//! later, so the film stays frozen long after the seeder is back (docs/DESIGN.md,
//! "Reconnecting after a seeder drops"; `tests/e2e_stream.rs` covers it).
//!
//! The only public reset is pausing and resuming the torrent: `Session::unpause` builds a
//! new live state with fresh peer bookkeeping and asks the same sources again (the magnet's
//! `x.pe` hints and `--peer` addresses, trackers, DHT). Open file streams survive it (they
//! belong to the torrent, not to its live state), and so do verified pieces.
//!
//! So this module watches the torrents someone is reading from (an open file stream, counted
//! by [`ReaderGuard`]) and, while such a torrent is incomplete and has no live peer although
//! it knows (or knew) a peer address, "kicks" it (pause + unpause) on the schedule of [`kick_interval`]. A
//! torrent nobody is watching is left to librqbit's own backoff, and a torrent that never
//! knew a peer address (still looking for its first one) is never kicked, so a DHT search is not
//! restarted over and over.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::AppState;

/// How often the watched torrents are checked. Bounds the added reconnect latency.
pub const TICK: Duration = Duration::from_millis(500);

/// How long a watched torrent may have no live peer before the first kick. Short, because
/// librqbit itself would wait at least 10 s, yet long enough that a peer which merely
/// reconnects (a dropped connection librqbit re-dials, an incoming connection) is not
/// disturbed.
pub const FIRST_KICK_AFTER: Duration = Duration::from_secs(1);

/// Time between kicks while peers stay away: every 2 s during the first minute without
/// peers (a seeder that restarts or a link that drops for under a minute is used again
/// within the 3 s the product promises), then every 5 s until 5 minutes, then every 30 s, so
/// a swarm that is really gone costs one round of connection attempts (and tracker
/// announces, when trackers are on) per 30 s.
pub fn kick_interval(without_peers: Duration) -> Duration {
    if without_peers < Duration::from_secs(60) {
        Duration::from_secs(2)
    } else if without_peers < Duration::from_secs(300) {
        Duration::from_secs(5)
    } else {
        Duration::from_secs(30)
    }
}

/// Open file streams per torrent id.
#[derive(Default)]
pub(crate) struct Readers(Mutex<HashMap<usize, usize>>);

impl Readers {
    fn watched(&self) -> Vec<usize> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.keys().copied().collect()
    }
}

/// Counts one open file stream of torrent `id` for as long as it lives.
pub(crate) struct ReaderGuard {
    readers: Arc<Readers>,
    id: usize,
}

impl ReaderGuard {
    pub(crate) fn new(readers: &Arc<Readers>, id: usize) -> Self {
        *readers
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(id)
            .or_insert(0) += 1;
        Self {
            readers: readers.clone(),
            id,
        }
    }
}

impl Drop for ReaderGuard {
    fn drop(&mut self) {
        let mut map = self.readers.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.id) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.id);
            }
        }
    }
}

/// What the watchdog remembers about one watched torrent.
#[derive(Default)]
struct Watched {
    /// The torrent knew at least one peer address at some point (so there is somewhere to
    /// reconnect to).
    had_peers: bool,
    /// Since when the torrent has had no live peer (None while it has one).
    peerless_since: Option<Instant>,
    /// When it was last kicked.
    last_kick: Option<Instant>,
}

/// What to do about one torrent at one tick, given what was seen.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Wait,
    Kick,
}

/// `seen`: peer addresses the torrent knows (connected, connecting, queued or dead).
fn decide(
    w: &mut Watched,
    live: bool,
    finished: bool,
    live_peers: u32,
    seen: u32,
    now: Instant,
) -> Decision {
    if !live || finished {
        w.peerless_since = None;
        return Decision::Wait;
    }
    if seen > 0 {
        w.had_peers = true;
    }
    if live_peers > 0 {
        w.peerless_since = None;
        w.last_kick = None;
        return Decision::Wait;
    }
    if !w.had_peers {
        return Decision::Wait;
    }
    let since = *w.peerless_since.get_or_insert(now);
    let without = now.duration_since(since);
    let due = match w.last_kick {
        None => without >= FIRST_KICK_AFTER,
        Some(k) => now.duration_since(k) >= kick_interval(without),
    };
    if due {
        w.last_kick = Some(now);
        Decision::Kick
    } else {
        Decision::Wait
    }
}

/// Runs forever (spawned by [`crate::spawn`] and [`crate::serve_on`]); see the module docs.
pub(crate) async fn run(state: AppState) {
    let mut watched: HashMap<usize, Watched> = HashMap::new();
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let ids = state.readers.watched();
        watched.retain(|id, _| ids.contains(id));
        for id in ids {
            let Some(handle) = state.session.get(librqbit::api::TorrentIdOrHash::Id(id)) else {
                continue;
            };
            let stats = handle.stats();
            let peers = stats.live.as_ref().map(|l| &l.snapshot.peer_stats);
            let live_peers = peers.map_or(0, |p| p.live);
            let seen = peers.map_or(0, |p| p.seen);
            let is_live = stats.live.is_some();
            let w = watched.entry(id).or_default();
            if decide(w, is_live, stats.finished, live_peers, seen, Instant::now())
                == Decision::Kick
            {
                let without = w.peerless_since.map_or(Duration::ZERO, |s| s.elapsed());
                tracing::info!(
                    torrent = id,
                    without_peers_ms = without.as_millis() as u64,
                    "a watched torrent has no peer: reconnecting to its swarm now instead of after librqbit's backoff"
                );
                if let Err(e) = state.session.pause(&handle).await {
                    tracing::warn!(torrent = id, "could not pause to reconnect: {e:#}");
                    continue;
                }
                if let Err(e) = state.session.unpause(&handle).await {
                    tracing::error!(
                        torrent = id,
                        "could not resume after pausing to reconnect: {e:#}"
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    #[test]
    fn never_kicks_a_torrent_that_knows_no_peer() {
        let t0 = Instant::now();
        let mut w = Watched::default();
        for ms in (0..60_000).step_by(500) {
            assert_eq!(
                decide(&mut w, true, false, 0, 0, at(t0, ms)),
                Decision::Wait
            );
        }
    }

    #[test]
    fn kicks_soon_after_the_last_peer_left_then_on_schedule() {
        let t0 = Instant::now();
        let mut w = Watched::default();
        assert_eq!(decide(&mut w, true, false, 1, 1, t0), Decision::Wait);
        let kicks: Vec<u64> = (500..=90_000)
            .step_by(500)
            .filter(|&ms| decide(&mut w, true, false, 0, 1, at(t0, ms)) == Decision::Kick)
            .collect();
        // Peerless from 500 ms: first kick 1 s later, then every 2 s until 60 s without
        // peers, then every 5 s.
        assert_eq!(kicks[0], 1_500);
        assert_eq!(kicks[1], 3_500);
        assert!(kicks.windows(2).all(|p| p[1] - p[0] >= 2_000));
        let late: Vec<u64> = kicks.iter().copied().filter(|&k| k > 61_000).collect();
        assert!(late.windows(2).all(|p| p[1] - p[0] == 5_000), "{kicks:?}");
    }

    #[test]
    fn a_returning_peer_resets_the_schedule_and_done_torrents_are_left_alone() {
        let t0 = Instant::now();
        let mut w = Watched::default();
        decide(&mut w, true, false, 2, 1, t0);
        assert_eq!(
            decide(&mut w, true, false, 0, 1, at(t0, 100)),
            Decision::Wait
        );
        assert_eq!(
            decide(&mut w, true, false, 0, 1, at(t0, 1_200)),
            Decision::Kick
        );
        assert_eq!(
            decide(&mut w, true, false, 1, 1, at(t0, 1_700)),
            Decision::Wait
        );
        assert_eq!(w.peerless_since, None);
        assert_eq!(
            decide(&mut w, true, false, 0, 1, at(t0, 2_000)),
            Decision::Wait
        );
        assert_eq!(
            decide(&mut w, true, false, 0, 1, at(t0, 3_000)),
            Decision::Kick
        );
        // Finished or paused torrents are never kicked.
        assert_eq!(
            decide(&mut w, true, true, 0, 1, at(t0, 60_000)),
            Decision::Wait
        );
        assert_eq!(
            decide(&mut w, false, false, 0, 1, at(t0, 70_000)),
            Decision::Wait
        );
    }
}
