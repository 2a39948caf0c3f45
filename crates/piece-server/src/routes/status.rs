//! `GET /api/status`: what the server holds open right now (for operators and leak checks).

use axum::{extract::State, Json};
use serde::Serialize;

use crate::AppState;

#[derive(Debug, Serialize)]
pub struct Status {
    /// File bodies (`/files/{index}` responses) open now, over all torrents.
    pub open_file_streams: usize,
    /// `/events` streams open now, over all torrents.
    pub open_event_streams: usize,
    /// `--max-streams`: file bodies allowed at once before requests queue.
    pub max_streams: usize,
    /// Torrents in the session.
    pub torrents: usize,
    /// HTTP connections open now, all clients (`--max-connections`).
    pub open_connections: usize,
    /// Nodes in the DHT routing table (IPv4 + IPv6); `null` when the DHT is off (`--no-dht`).
    /// While a magnet's metadata is awaited, the page shows it: 0 nodes means the DHT cannot
    /// find peers yet.
    pub dht_nodes: Option<usize>,
    /// Whether the server contacts trackers (false with `--no-trackers`).
    pub trackers: bool,
    /// File body bytes sent since the server started, all torrents (`served.rs`).
    pub served_bytes: u64,
}

pub async fn get_status(State(state): State<AppState>) -> Json<Status> {
    let torrents = state.session.with_torrents(|t| t.count());
    Json(Status {
        open_file_streams: state.open_file_streams(),
        open_event_streams: state.open_event_streams(),
        max_streams: state.config.max_streams,
        torrents,
        open_connections: state.open_connections(),
        dht_nodes: state.session.get_dht().map(|d| {
            let s = d.stats();
            s.routing_table_size + s.routing_table_size_v6
        }),
        trackers: !state.config.no_trackers,
        served_bytes: state.served.total(),
    })
}
