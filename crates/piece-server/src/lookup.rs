//! What the search for a magnet's peers has found so far, while its metadata is awaited.
//!
//! librqbit 9.1 resolves a magnet inside `Session::add_torrent` and says nothing about the
//! search until it ends (its peer stream and tracker tasks are private). So, beside it, the
//! server asks the same sources the same question: the session's DHT (`get_peers`, without
//! announcing) and each tracker the link names (librqbit's own tracker client, one per
//! tracker), and counts the distinct peer addresses they give and the trackers that gave any.
//! The lookup ends when the add does (its [`Guard`] drops). `GET /api/adding` shows it.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures_util::StreamExt;
use librqbit::dht::Id20;
use librqbit::Session;
use librqbit_tracker_comms::{
    TorrentStatsProvider, TrackerComms, TrackerCommsStats, UdpTrackerClient,
};
use serde::Serialize;
use tokio::task::JoinHandle;

/// The lookups of the adds in progress, by info hash.
#[derive(Default)]
pub struct Lookups {
    running: Mutex<HashMap<Id20, Arc<Progress>>>,
    /// One UDP socket for every lookup's UDP trackers, made on first use.
    udp: tokio::sync::OnceCell<UdpTrackerClient>,
}

#[derive(Default)]
struct Progress {
    started: Option<Instant>,
    dht: bool,
    /// Tracker URLs asked (`http`, `https` and `udp` ones).
    trackers: usize,
    found: Mutex<Found>,
}

#[derive(Default)]
struct Found {
    peers: HashSet<SocketAddr>,
    /// Indices (into the trackers asked) of those that sent at least one peer.
    trackers: HashSet<usize>,
}

/// One add in progress, as `GET /api/adding` shows it.
#[derive(Debug, Serialize, PartialEq)]
pub struct Adding {
    /// The info hash, 40 lower-case hex digits.
    pub id: String,
    /// Distinct peer addresses the DHT and the trackers gave so far (not counting the link's
    /// `x.pe` hints or `--peer`, which are given, not found).
    pub peers_found: usize,
    /// Trackers asked: the link's `http(s)://` and `udp://` ones (0 with `--no-trackers`).
    pub trackers: usize,
    /// Trackers that sent at least one peer address.
    pub trackers_with_peers: usize,
    /// Whether the DHT is searched (false with `--no-dht`).
    pub dht: bool,
    /// Seconds since the add started.
    pub seconds: u64,
}

/// Stops a lookup and forgets it when the add ends, whichever way.
pub struct Guard {
    lookups: Arc<Lookups>,
    info_hash: Id20,
    task: JoinHandle<()>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.task.abort();
        self.lookups.running.lock().unwrap().remove(&self.info_hash);
    }
}

impl Lookups {
    /// Starts counting what the DHT and `trackers` give for `info_hash`.
    pub fn start(
        self: &Arc<Self>,
        session: &Arc<Session>,
        info_hash: Id20,
        trackers: &[String],
        use_trackers: bool,
    ) -> Guard {
        let trackers: Vec<url::Url> = if use_trackers {
            let mut seen = HashSet::new();
            trackers
                .iter()
                .filter_map(|t| url::Url::parse(t).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https" | "udp"))
                .filter(|u| seen.insert(u.clone()))
                .collect()
        } else {
            Vec::new()
        };
        let dht = session.get_dht().cloned();
        let progress = Arc::new(Progress {
            started: Some(Instant::now()),
            dht: dht.is_some(),
            trackers: trackers.len(),
            found: Mutex::default(),
        });
        self.running
            .lock()
            .unwrap()
            .insert(info_hash, progress.clone());
        let own_port = session.announce_port();
        let lookups = self.clone();
        let task = tokio::spawn(async move {
            // Each source's addresses, tagged with the tracker's index (None: the DHT).
            let mut sources: Vec<
                futures_util::stream::BoxStream<'static, (Option<usize>, SocketAddr)>,
            > = Vec::new();
            if let Some(dht) = dht {
                sources.push(dht.get_peers(info_hash, None).map(|a| (None, a)).boxed());
            }
            if !trackers.is_empty() {
                let udp = lookups
                    .udp
                    .get_or_try_init(|| {
                        UdpTrackerClient::new(tokio_util::sync::CancellationToken::new(), None)
                    })
                    .await;
                match udp {
                    Ok(udp) => {
                        let peer_id = librqbit::generate_azereus_style(*b"rT", (0, 1, 0, 0));
                        for (i, url) in trackers.into_iter().enumerate() {
                            let stream = TrackerComms::start(
                                info_hash,
                                peer_id,
                                HashSet::from([url]),
                                Box::new(Lacking),
                                None,
                                own_port.unwrap_or(4240),
                                reqwest::Client::new(),
                                udp.clone(),
                            );
                            if let Some(s) = stream {
                                sources.push(s.map(move |a| (Some(i), a)).boxed());
                            }
                        }
                    }
                    // librqbit's own search still asks them; only the count is missing.
                    Err(e) => tracing::debug!("no UDP socket for the tracker lookups: {e:#}"),
                }
            }
            let mut all = futures_util::stream::select_all(sources);
            while let Some((tracker, addr)) = all.next().await {
                // Trackers hand the asker back to itself: that is not a peer found.
                if own_port == Some(addr.port()) && is_this_machine(addr) {
                    continue;
                }
                let mut found = progress.found.lock().unwrap();
                found.peers.insert(addr);
                if let Some(i) = tracker {
                    found.trackers.insert(i);
                }
            }
        });
        Guard {
            lookups: self.clone(),
            info_hash,
            task,
        }
    }

    /// Every add in progress, oldest first.
    pub fn list(&self) -> Vec<Adding> {
        let running = self.running.lock().unwrap();
        let mut list: Vec<(Instant, Adding)> = running
            .iter()
            .map(|(hash, p)| {
                let found = p.found.lock().unwrap();
                let started = p.started.unwrap_or_else(Instant::now);
                (
                    started,
                    Adding {
                        id: hash.as_string(),
                        peers_found: found.peers.len(),
                        trackers: p.trackers,
                        trackers_with_peers: found.trackers.len(),
                        dht: p.dht,
                        seconds: started.elapsed().as_secs(),
                    },
                )
            })
            .collect();
        list.sort_by_key(|(started, _)| *started);
        list.into_iter().map(|(_, a)| a).collect()
    }
}

/// What the lookup tells trackers: it lacks everything (`left` > 0). librqbit's default, 0
/// left, would announce a seeder, and a tracker may give a seeder no other seeders.
struct Lacking;

impl TorrentStatsProvider for Lacking {
    fn get(&self) -> TrackerCommsStats {
        TrackerCommsStats {
            total_bytes: 1,
            ..Default::default()
        }
    }
}

/// A loopback or unspecified address (what a tracker on this machine sees us as).
fn is_this_machine(addr: SocketAddr) -> bool {
    let ip = addr.ip().to_canonical();
    ip.is_loopback() || ip.is_unspecified()
}
