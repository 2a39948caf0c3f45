//! One have-bitfield and stats feed per watched torrent, shared by all of its event streams
//! (`events.rs`). Every [`TICK`] one task reads the torrent's bitfield and stats from librqbit
//! and publishes them when something changed; each event stream only compares the frame it
//! last sent with the new one (both shared, nothing copied). Before, every stream copied the
//! bitfield on every tick: 100 viewers of a 40 000-piece film cost 100 copies of 5 KB four
//! times a second. The task starts with the first stream of a torrent and ends within a tick
//! after its last one closed, or when the torrent is removed.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use librqbit::{dht::Id20, ManagedTorrent};
use tokio::sync::watch;

use super::{
    pieces::HaveBits,
    torrents::{stats, TorrentStats},
};
use crate::{ApiResult, AppState};

/// How often a watched torrent's have-set and stats are read. 250 ms keeps the added latency
/// below a quarter second for the player.
pub const TICK: Duration = Duration::from_millis(250);

/// What a torrent looked like at one tick.
pub(crate) struct Frame {
    pub have: HaveBits,
    pub stats: TorrentStats,
    /// The torrent was removed from the session; this is the last frame.
    pub removed: bool,
}

type Sender = Arc<watch::Sender<Arc<Frame>>>;

#[derive(Default)]
pub(crate) struct Feeds {
    live: Mutex<HashMap<Id20, Sender>>,
    reads: AtomicU64,
}

impl Feeds {
    /// Bitfields read so far (see `AppState::bitfield_reads`).
    pub(crate) fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    fn read(&self, state: &AppState, handle: &ManagedTorrent) -> ApiResult<Frame> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        Ok(Frame {
            have: HaveBits::read(state, handle)?,
            stats: stats(handle),
            removed: false,
        })
    }

    /// A receiver of the torrent's feed, whose current frame is at most a tick old.
    pub(crate) fn subscribe(
        state: &AppState,
        handle: &Arc<ManagedTorrent>,
    ) -> ApiResult<watch::Receiver<Arc<Frame>>> {
        let feeds = &state.feeds;
        let key = handle.info_hash();
        let mut live = feeds.live.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = live.get(&key) {
            return Ok(tx.subscribe());
        }
        let first = feeds.read(state, handle)?;
        let (tx, rx) = watch::channel(Arc::new(first));
        let tx = Arc::new(tx);
        live.insert(key, tx.clone());
        tokio::spawn(run(state.clone(), handle.clone(), tx));
        Ok(rx)
    }
}

/// The feed's task: reads every tick while anyone listens.
async fn run(state: AppState, handle: Arc<ManagedTorrent>, tx: Sender) {
    let key = handle.info_hash();
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.reset(); // the first frame is fresh
    loop {
        interval.tick().await;
        if tx.receiver_count() == 0 {
            // Re-checked under the lock: `subscribe` adds receivers only while holding it.
            let mut live = state.feeds.live.lock().unwrap_or_else(|e| e.into_inner());
            if tx.receiver_count() == 0 {
                live.remove(&key);
                return;
            }
        }
        let still_there = state
            .session
            .get(librqbit::api::TorrentIdOrHash::Hash(key))
            .is_some();
        if !still_there {
            state
                .feeds
                .live
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
            let last = tx.borrow().clone();
            tx.send_replace(Arc::new(Frame {
                have: HaveBits {
                    piece_length: last.have.piece_length,
                    total_pieces: last.have.total_pieces,
                    total_length: last.have.total_length,
                    bits: last.have.bits.clone(),
                },
                stats: last.stats.clone(),
                removed: true,
            }));
            return;
        }
        let Ok(frame) = state.feeds.read(&state, &handle) else {
            continue;
        };
        let changed = {
            let cur = tx.borrow();
            cur.have.bits != frame.have.bits || cur.stats != frame.stats
        };
        if changed {
            tx.send_replace(Arc::new(frame));
        }
    }
}
