//! `GET /api/torrents/{id}/events`: piece progress as server-sent events, so the player
//! learns which pieces are verified without polling `/pieces`.
//!
//! The first event (`snapshot`) carries the whole have-bitfield (the same encoding as
//! `/pieces`) and the stats; then, at most every `feed::TICK` (250 ms), one `progress` event with the
//! pieces verified since the previous event and the new stats, sent only when something
//! changed. The stream is a plain `unfold` over the torrent's shared feed (`feed.rs`): when
//! the client goes away hyper drops the body, and the feed's one task per torrent stops within
//! a tick after the last stream of that torrent. One client address may hold at most
//! `--max-event-streams-per-client` streams (429 beyond).

use std::{convert::Infallible, net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    extract::{ConnectInfo, Path, State},
    response::sse::{Event, KeepAlive, Sse},
    Extension,
};
use futures_util::Stream;
use serde::Serialize;
use tokio::sync::watch;

use super::{
    feed::{Feeds, Frame},
    torrents::{find_or_adopt, TorrentStats},
};
use crate::{
    limits::{too_many, ClientSlot, Kind},
    ApiResult, AppState, OpenGuard,
};

/// Comment lines sent when nothing changes, so proxies and the browser keep the connection.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Reconnection delay suggested to `EventSource` (the `retry:` field of the first event).
pub const RETRY: Duration = Duration::from_secs(1);

/// `event: snapshot`: everything, once, at the start of the stream.
#[derive(Serialize)]
struct Snapshot<'a> {
    piece_length: u32,
    total_pieces: u32,
    total_length: u64,
    /// Base64 bitfield, MSB first, exactly as `GET /api/torrents/{id}/pieces` `have`.
    have: &'a str,
    have_count: u32,
    /// Verified bytes (the last piece counts its real length).
    have_bytes: u64,
    stats: &'a TorrentStats,
}

/// `event: progress`: what changed since the previous event.
#[derive(Serialize)]
struct Progress<'a> {
    /// Indices of pieces verified since the previous event, ascending.
    pieces: &'a [u32],
    have_count: u32,
    have_bytes: u64,
    stats: &'a TorrentStats,
}

struct Watch {
    feed: watch::Receiver<Arc<Frame>>,
    /// The frame the client was last sent.
    last: Arc<Frame>,
    /// The snapshot, until it is sent.
    first: Option<Event>,
    /// Set once the torrent was removed: the next poll ends the stream.
    done: bool,
    _open: OpenGuard,
    _client: Option<ClientSlot>,
}

fn json_event(name: &str, data: &impl Serialize) -> Event {
    Event::default()
        .event(name)
        .json_data(data)
        .unwrap_or_else(|e| {
            Event::default()
                .event("error")
                .data(format!("cannot encode {name}: {e}"))
        })
}

impl Watch {
    /// Waits for the next change of the torrent's shared feed and describes it; `None` ends
    /// the stream.
    async fn next_event(&mut self) -> Option<Event> {
        if let Some(first) = self.first.take() {
            return Some(first);
        }
        if self.done {
            return None;
        }
        loop {
            if self.feed.changed().await.is_err() {
                // The feed ended without a last frame (the server is stopping).
                return None;
            }
            let frame = self.feed.borrow_and_update().clone();
            if frame.removed {
                self.done = true;
                return Some(
                    Event::default()
                        .event("removed")
                        .data("the torrent was removed from the server"),
                );
            }
            let have = &frame.have;
            let new_pieces = newly_set(&self.last.have.bits, &have.bits, have.total_pieces);
            if new_pieces.is_empty() && frame.stats == self.last.stats {
                continue;
            }
            let event = json_event(
                "progress",
                &Progress {
                    pieces: &new_pieces,
                    have_count: have.count(),
                    have_bytes: have.have_bytes(),
                    stats: &frame.stats,
                },
            );
            self.last = frame;
            return Some(event);
        }
    }
}

/// Pieces set in `now` but not in `before` (same-length MSB-first bitfields), ascending.
fn newly_set(before: &[u8], now: &[u8], total_pieces: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for (i, (&b, &n)) in before.iter().zip(now).enumerate() {
        let fresh = n & !b;
        if fresh == 0 {
            continue;
        }
        for bit in 0..8u32 {
            let piece = i as u32 * 8 + bit;
            if fresh & (0x80 >> bit) != 0 && piece < total_pieces {
                out.push(piece);
            }
        }
    }
    out
}

pub async fn torrent_events(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    Path(id): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let handle = find_or_adopt(&state, &id).await?;
    let cap = state.config.net.max_event_streams_per_client;
    let client = match client {
        Some(Extension(ConnectInfo(peer))) => Some(
            state
                .clients
                .try_take(peer.ip(), Kind::EventStream, cap)
                .ok_or_else(|| too_many("event streams", cap, "--max-event-streams-per-client"))?,
        ),
        None => None,
    };
    let mut feed = Feeds::subscribe(&state, &handle)?;
    let last = feed.borrow_and_update().clone();
    let have = &last.have;
    let first = json_event(
        "snapshot",
        &Snapshot {
            piece_length: have.piece_length,
            total_pieces: have.total_pieces,
            total_length: have.total_length,
            have: &have.base64(),
            have_count: have.count(),
            have_bytes: have.have_bytes(),
            stats: &last.stats,
        },
    )
    .retry(RETRY);
    let watch = Watch {
        _open: OpenGuard::new(&state.open, |c| &c.event_streams),
        _client: client,
        feed,
        last,
        first: Some(first),
        done: false,
    };
    let stream = futures_util::stream::unfold(watch, |mut w| async move {
        let event = w.next_event().await?;
        Some((Ok(event), w))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

#[cfg(test)]
mod tests {
    use super::newly_set;

    #[test]
    fn newly_set_lists_fresh_bits_msb_first() {
        assert_eq!(newly_set(&[0x00, 0x00], &[0x81, 0x40], 16), vec![0, 7, 9]);
        assert_eq!(newly_set(&[0x80, 0x40], &[0x81, 0x40], 16), vec![7]);
        // Spare bits past total_pieces are ignored.
        assert_eq!(newly_set(&[0x00], &[0xff], 3), vec![0, 1, 2]);
        assert!(newly_set(&[0xff], &[0x0f], 8).is_empty());
    }
}
