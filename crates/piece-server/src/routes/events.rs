//! `GET /api/torrents/{id}/events`: piece progress as server-sent events, so the player
//! learns which pieces are verified without polling `/pieces`.
//!
//! The first event (`snapshot`) carries the whole have-bitfield (the same encoding as
//! `/pieces`) and the stats; then, at most every [`TICK`], one `progress` event with the
//! pieces verified since the previous event and the new stats, sent only when something
//! changed. The stream is a plain `unfold` over the response body: no task is spawned, so
//! when the client goes away hyper drops the body and nothing is left running.

use std::{convert::Infallible, sync::Arc, time::Duration};

use axum::{
    extract::{Path, State},
    response::sse::{Event, KeepAlive, Sse},
};
use futures_util::Stream;
use librqbit::ManagedTorrent;
use serde::Serialize;

use super::{
    pieces::HaveBits,
    torrents::{find_torrent, stats, TorrentStats},
};
use crate::{ApiResult, AppState, OpenGuard};

/// How often the have-set and stats are compared with what the client was last sent. 250 ms
/// keeps the added latency below a quarter second for the player while costing one bitfield
/// copy (total_pieces / 8 bytes) per open event stream per tick.
pub const TICK: Duration = Duration::from_millis(250);
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
    state: AppState,
    handle: Arc<ManagedTorrent>,
    interval: tokio::time::Interval,
    last_bits: Vec<u8>,
    last_stats: TorrentStats,
    /// The snapshot, until it is sent.
    first: Option<Event>,
    /// Set once the torrent was removed: the next poll ends the stream.
    done: bool,
    _open: OpenGuard,
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
    /// Waits for the next change and describes it; `None` ends the stream.
    async fn next_event(&mut self) -> Option<Event> {
        if let Some(first) = self.first.take() {
            return Some(first);
        }
        if self.done {
            return None;
        }
        loop {
            self.interval.tick().await;
            let still_there = self
                .state
                .session
                .get(librqbit::api::TorrentIdOrHash::Hash(
                    self.handle.info_hash(),
                ))
                .is_some();
            if !still_there {
                self.done = true;
                return Some(
                    Event::default()
                        .event("removed")
                        .data("the torrent was removed from the server"),
                );
            }
            let Ok(have) = HaveBits::read(&self.state, &self.handle) else {
                continue;
            };
            let new_pieces = newly_set(&self.last_bits, &have.bits, have.total_pieces);
            let stats = stats(&self.handle);
            if new_pieces.is_empty() && stats == self.last_stats {
                continue;
            }
            let event = json_event(
                "progress",
                &Progress {
                    pieces: &new_pieces,
                    have_count: have.count(),
                    have_bytes: have.have_bytes(),
                    stats: &stats,
                },
            );
            self.last_bits = have.bits;
            self.last_stats = stats;
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
    Path(id): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let handle = find_torrent(&state, &id)?;
    let have = HaveBits::read(&state, &handle)?;
    let first_stats = stats(&handle);
    let first = json_event(
        "snapshot",
        &Snapshot {
            piece_length: have.piece_length,
            total_pieces: have.total_pieces,
            total_length: have.total_length,
            have: &have.base64(),
            have_count: have.count(),
            have_bytes: have.have_bytes(),
            stats: &first_stats,
        },
    )
    .retry(RETRY);
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick completes at once; the snapshot already covers "now".
    interval.reset();
    let watch = Watch {
        _open: OpenGuard::new(&state.open, |c| &c.event_streams),
        state,
        handle,
        interval,
        last_bits: have.bits,
        last_stats: first_stats,
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
