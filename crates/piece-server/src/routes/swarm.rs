//! `GET /api/torrents/{id}/swarm` (a WebSocket): the signalling tracker through which the
//! viewers of one torrent find each other and set up WebRTC data channels (`www/lib/p2p.js`).
//!
//! The messages are the announce subset of the WebTorrent tracker protocol (JSON text frames):
//! a peer announces with its `peer_id` and up to [`MAX_OFFERS`] SDP offers; the server hands
//! each offer to a different other peer of the same torrent, and relays that peer's answer back
//! to `to_peer_id`. The swarm is the torrent named in the path (the `info_hash` field of the
//! messages is not trusted; replies carry the path's hash). The server only relays strings
//! between sockets of the same torrent: nothing a peer sends makes it fetch or open anything.
//! One client address may hold at most `--max-event-streams-per-client` swarm sockets (429
//! beyond), counted apart from its event streams.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    extract::{
        ws::{Message, WebSocket, WebSocketUpgrade},
        ConnectInfo, Path, State,
    },
    http::{HeaderMap, StatusCode},
    response::Response,
    Extension,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::torrents::{find_or_adopt, hex_id};
use crate::{
    limits::{too_many, Kind},
    ApiError, ApiResult, AppState,
};

/// Offers accepted in one announce (WebTorrent clients send up to 10).
pub const MAX_OFFERS: usize = 10;
/// Largest accepted text frame: an SDP offer with host candidates is a few kilobytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Messages queued for one socket before further ones to it are dropped (a peer that does not
/// read must not grow the server's memory).
const QUEUE: usize = 64;
/// Seconds a client is told to wait between announces (WebTorrent's `interval`).
const INTERVAL_S: u64 = 120;

type Peers = HashMap<String, mpsc::Sender<String>>;

/// The sockets of every torrent's swarm, by info hash (hex) and then `peer_id`.
#[derive(Default)]
pub(crate) struct Swarms {
    torrents: Mutex<HashMap<String, Peers>>,
}

impl Swarms {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Peers>> {
        self.torrents.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `peer` to the swarm; false if another socket already uses that `peer_id`.
    fn join(&self, hash: &str, peer: &str, tx: mpsc::Sender<String>) -> bool {
        let mut t = self.lock();
        let peers = t.entry(hash.to_owned()).or_default();
        if peers.contains_key(peer) {
            return false;
        }
        peers.insert(peer.to_owned(), tx);
        true
    }

    fn leave(&self, hash: &str, peer: &str) {
        let mut t = self.lock();
        if let Some(peers) = t.get_mut(hash) {
            peers.remove(peer);
            if peers.is_empty() {
                t.remove(hash);
            }
        }
    }

    /// Number of peers in the swarm of `hash`.
    pub(crate) fn len(&self, hash: &str) -> usize {
        self.lock().get(hash).map_or(0, |p| p.len())
    }

    /// Up to `n` other peers of the swarm, a different subset on each call.
    fn others(&self, hash: &str, me: &str, n: usize) -> Vec<(String, mpsc::Sender<String>)> {
        let t = self.lock();
        let Some(peers) = t.get(hash) else {
            return Vec::new();
        };
        let mut v: Vec<_> = peers
            .iter()
            .filter(|(id, _)| id.as_str() != me)
            .map(|(id, tx)| (id.clone(), tx.clone()))
            .collect();
        // Rotate by a cheap varying offset so repeated announces reach other peers.
        if !v.is_empty() {
            let k = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos() as usize)
                % v.len();
            v.rotate_left(k);
        }
        v.truncate(n);
        v
    }

    fn sender(&self, hash: &str, peer: &str) -> Option<mpsc::Sender<String>> {
        self.lock().get(hash)?.get(peer).cloned()
    }
}

pub async fn swarm_socket(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    if !super::cors::may_read(&state.config, &headers) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "pages of this origin may not join this server's swarms; \
             the server's --allow-origin decides which sites may",
        ));
    }
    let handle = find_or_adopt(&state, &id).await?;
    let hash = hex_id(handle.info_hash());
    let cap = state.config.net.max_event_streams_per_client;
    let slot = match client {
        Some(Extension(ConnectInfo(peer))) => Some(
            state
                .clients
                .try_take(peer.ip(), Kind::SwarmSocket, cap)
                .ok_or_else(|| too_many("swarm sockets", cap, "--max-event-streams-per-client"))?,
        ),
        None => None,
    };
    let swarms = state.swarms.clone();
    let ice = state.config.net.ice_servers.as_ref().map(|i| i.0.clone());
    Ok(ws
        .max_message_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            run(socket, swarms, hash, ice).await;
            drop(slot);
        }))
}

/// A reply with WebTorrent's error field.
fn failure(reason: &str) -> String {
    json!({ "failure reason": reason }).to_string()
}

async fn run(socket: WebSocket, swarms: Arc<Swarms>, hash: String, ice: Option<Value>) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<String>(QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
    });
    let mut me: Option<String> = None;
    while let Some(Ok(msg)) = stream.next().await {
        let text = match msg {
            Message::Text(t) => t,
            Message::Close(_) => break,
            _ => continue,
        };
        let reply = match serde_json::from_str::<Value>(&text) {
            Ok(v) => handle(&swarms, &hash, &mut me, &tx, v, ice.as_ref()),
            Err(_) => Some(failure("the message is not JSON; send an announce object")),
        };
        if let Some(r) = reply {
            if tx.try_send(r).is_err() {
                break;
            }
        }
    }
    if let Some(peer) = me {
        swarms.leave(&hash, &peer);
    }
    drop(tx);
    let _ = writer.await;
}

/// Acts on one message; returns the reply to the sender, if any. `ice`: `--ice-servers`, sent
/// in every reply to an announce (an extra field WebTorrent clients ignore), so a page knows
/// them before it makes its first offer.
fn handle(
    swarms: &Swarms,
    hash: &str,
    me: &mut Option<String>,
    tx: &mpsc::Sender<String>,
    v: Value,
    ice: Option<&Value>,
) -> Option<String> {
    if v["action"] != "announce" {
        return Some(failure("only the announce action is supported"));
    }
    let Some(peer) = v["peer_id"].as_str().filter(|p| !p.is_empty() && p.len() <= 64) else {
        return Some(failure("peer_id must be a string of 1 to 64 characters"));
    };
    match me {
        None => {
            if !swarms.join(hash, peer, tx.clone()) {
                return Some(failure("another viewer of this torrent uses that peer_id"));
            }
            *me = Some(peer.to_owned());
        }
        Some(m) if m != peer => {
            return Some(failure("peer_id cannot change on one socket"));
        }
        Some(_) => {}
    }
    // An answer to an offer this server relayed: back to the peer that made it.
    if let Some(answer) = v.get("answer") {
        let (Some(to), Some(offer_id)) = (v["to_peer_id"].as_str(), v["offer_id"].as_str()) else {
            return Some(failure("an answer needs to_peer_id and offer_id"));
        };
        if let Some(dest) = swarms.sender(hash, to) {
            let _ = dest.try_send(
                json!({"action": "announce", "info_hash": hash, "peer_id": peer,
                       "answer": answer, "offer_id": offer_id})
                .to_string(),
            );
        }
        return None;
    }
    let offers = v["offers"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if offers.len() > MAX_OFFERS {
        return Some(failure("at most 10 offers per announce"));
    }
    let targets = swarms.others(hash, peer, offers.len());
    for ((_, dest), o) in targets.iter().zip(offers) {
        let (Some(offer), Some(offer_id)) = (o.get("offer"), o["offer_id"].as_str()) else {
            return Some(failure("each offer needs offer and offer_id"));
        };
        let _ = dest.try_send(
            json!({"action": "announce", "info_hash": hash, "peer_id": peer,
                   "offer": offer, "offer_id": offer_id})
            .to_string(),
        );
    }
    let n = swarms.len(hash);
    let mut reply = json!({"action": "announce", "info_hash": hash, "interval": INTERVAL_S,
                           "complete": 0, "incomplete": n});
    if let Some(ice) = ice {
        reply["ice_servers"] = ice.clone();
    }
    Some(reply.to_string())
}
