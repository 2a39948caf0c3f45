//! `GET /api/torrents/{id}/events` against a real download: a leeching server fetches a file
//! from a throttled loopback seeder while a client reads the event stream. Every piece must
//! show up exactly once, the final bitfield must equal `/pieces`, events must not come faster
//! than the documented tick, and closing the stream must leave nothing running.

use test_support::swarm as common;

use common::{add_magnet, bit, decode_bits, get_json, random_bytes, seeder_and_server, MIB};
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use piece_server::{spawn, Config};
use reqwest::{header, Client, StatusCode};
use serde_json::Value;

const PIECE: u32 = 256 * 1024;

/// Reads server-sent events from a streaming response, one `(event, data)` at a time.
struct SseReader {
    resp: reqwest::Response,
    buf: String,
}

impl SseReader {
    async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut name = "message".to_owned();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // keep-alive comment or retry-only block
                }
                let value = serde_json::from_str(&data).unwrap_or(Value::String(data));
                return Some((name, value));
            }
            let chunk = self.resp.chunk().await.ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_report_every_piece_as_it_arrives() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let tmp = tempfile::tempdir().unwrap();
        let data = random_bytes(20 * 1024 * 1024, 77);
        let total_pieces = (data.len() as u32).div_ceil(PIECE);

        // The seeder uploads at 4 MiB/s, so the download takes ~4 s (after a 1 s burst) and spans many ticks.
        let (info, leech, [_seeder, leecher]) = seeder_and_server(
            tmp.path(),
            &data,
            PIECE,
            |c| c.upload_limit_bps = std::num::NonZeroU32::new(4 * MIB as u32),
            |_| {},
        )
        .await;
        let client = Client::new();
        assert_eq!(add_magnet(&client, leech, &info.magnet).await.0, StatusCode::CREATED);
        let id = info.info_hash.clone();

        let resp = client
            .get(format!("http://{leech}/api/torrents/{id}/events"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()[header::CONTENT_TYPE].to_str().unwrap(),
            "text/event-stream"
        );
        let opened = Instant::now();
        let mut sse = SseReader {
            resp,
            buf: String::new(),
        };

        // Meanwhile, poll /pieces every 20 ms to learn when each piece became visible, so the
        // extra delay of the event stream can be measured.
        let polled: std::sync::Arc<std::sync::Mutex<HashMap<u32, Instant>>> = Default::default();
        let poller = {
            let (client, polled) = (client.clone(), polled.clone());
            let url = format!("http://{leech}/api/torrents/{id}/pieces");
            tokio::spawn(async move {
                loop {
                    let p = get_json(&client, &url).await;
                    let bits = decode_bits(p["have"].as_str().unwrap());
                    let now = Instant::now();
                    {
                        let mut seen = polled.lock().unwrap();
                        for piece in 0..total_pieces {
                            if bit(&bits, piece) {
                                seen.entry(piece).or_insert(now);
                            }
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };

        let (name, snap) = sse.next().await.expect("a snapshot event");
        assert_eq!(name, "snapshot", "{snap}");
        assert_eq!(snap["piece_length"], PIECE);
        assert_eq!(snap["total_pieces"], total_pieces);
        assert_eq!(snap["total_length"], data.len() as u64);
        let mut bits = decode_bits(snap["have"].as_str().unwrap());
        assert_eq!(bits.len(), total_pieces.div_ceil(8) as usize);
        let mut count = snap["have_count"].as_u64().unwrap() as u32;
        let at_snapshot = count;
        assert!(snap["stats"]["peers"].is_number(), "{snap}");

        let mut arrived: HashMap<u32, Instant> = HashMap::new();
        let mut progress_events = 0u32;
        while count < total_pieces {
            let (name, ev) = sse.next().await.expect("the stream ended early");
            assert_eq!(name, "progress", "{ev}");
            progress_events += 1;
            let now = Instant::now();
            for p in ev["pieces"].as_array().unwrap() {
                let p = p.as_u64().unwrap() as u32;
                assert!(p < total_pieces, "{ev}");
                assert!(!bit(&bits, p), "piece {p} announced twice: {ev}");
                bits[(p / 8) as usize] |= 0x80 >> (p % 8);
                count += 1;
                arrived.insert(p, now);
            }
            assert_eq!(ev["have_count"].as_u64().unwrap() as u32, count, "{ev}");
            for key in ["download_speed_bps", "upload_speed_bps", "peers", "downloaded_bytes"] {
                assert!(ev["stats"][key].is_number(), "{key} missing: {ev}");
            }
            if count == total_pieces {
                assert_eq!(ev["have_bytes"], data.len() as u64, "{ev}");
            }
        }
        let took = opened.elapsed();
        poller.abort();
        assert!(
            at_snapshot < total_pieces / 2,
            "the download was mostly done before the stream opened ({at_snapshot} pieces); the test proves nothing"
        );

        // No faster than one event per tick (250 ms), with slack for scheduling.
        let max_events = (took.as_millis() / 250) as u32 + 3;
        assert!(
            progress_events <= max_events,
            "{progress_events} progress events in {took:?}: more than one per 250 ms"
        );

        // The bitfield assembled from events equals /pieces.
        let p = get_json(&client, &format!("http://{leech}/api/torrents/{id}/pieces")).await;
        assert_eq!(decode_bits(p["have"].as_str().unwrap()), bits);

        // Delay of the event stream against a client polling /pieces every 20 ms.
        let polled = polled.lock().unwrap().clone();
        let mut delays: Vec<i128> = arrived
            .iter()
            .filter_map(|(p, t)| polled.get(p).map(|q| t.duration_since(*q).as_millis() as i128 - q.duration_since(*t).as_millis() as i128))
            .collect();
        delays.sort();
        if !delays.is_empty() {
            eprintln!(
                "SSE: {} pieces in {took:?}, {progress_events} progress events; delay vs 20 ms polling: median {} ms, max {} ms",
                arrived.len(),
                delays[delays.len() / 2],
                delays[delays.len() - 1]
            );
            // Generous: one tick plus scheduling noise on a loaded machine.
            assert!(delays[delays.len() / 2] < 1000, "median SSE delay {delays:?}");
        }

        // Closing the stream leaves nothing running on the server.
        assert_eq!(leecher.state.open_event_streams(), 1);
        drop(sse);
        let deadline = Instant::now() + Duration::from_secs(5);
        while leecher.state.open_event_streams() != 0 {
            assert!(Instant::now() < deadline, "event stream still open 5 s after the client left");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("test took longer than 60 s");
}

/// An idle (complete) torrent sends its snapshot and then nothing but keep-alives; a client
/// leaving while the server waits for a change still ends the stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_of_a_complete_torrent_and_unknown_ids() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let tmp = tempfile::tempdir().unwrap();
        let data = random_bytes(1024 * 1024 + 5, 3);
        let path = tmp.path().join("done.mkv");
        std::fs::write(&path, &data).unwrap();
        let (addr, server) = spawn(Config::for_test(tmp.path().join("s"))).await.unwrap();
        let info = piece_server::seed(&server.session, &path, Some(PIECE))
            .await
            .unwrap();
        let client = Client::new();

        let resp = client
            .get(format!(
                "http://{addr}/api/torrents/{}/events",
                info.info_hash
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let mut sse = SseReader {
            resp,
            buf: String::new(),
        };
        let (name, snap) = sse.next().await.unwrap();
        assert_eq!(name, "snapshot");
        assert_eq!(snap["have_count"], 5);
        assert_eq!(snap["have_bytes"], data.len() as u64);
        assert_eq!(snap["have"], "+A==");
        assert_eq!(snap["stats"]["finished"], true);
        // Let the speed averages settle, then expect silence for a while.
        let quiet = tokio::time::timeout(Duration::from_millis(1500), async {
            loop {
                let (name, ev) = sse.next().await.unwrap();
                assert_eq!(name, "progress");
                assert!(ev["pieces"].as_array().unwrap().is_empty(), "{ev}");
            }
        });
        let _ = quiet.await;
        let silent = tokio::time::timeout(Duration::from_millis(1000), sse.next()).await;
        assert!(
            silent.is_err(),
            "events kept coming for an idle torrent: {silent:?}"
        );
        assert_eq!(server.state.open_event_streams(), 1);
        drop(sse);
        let deadline = Instant::now() + Duration::from_secs(5);
        while server.state.open_event_streams() != 0 {
            assert!(
                Instant::now() < deadline,
                "idle event stream outlived its client"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        let resp = client
            .get(format!(
                "http://{addr}/api/torrents/{}/events",
                "00".repeat(20)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        let e: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        assert!(e["error"].as_str().unwrap().contains("no torrent"), "{e}");
    })
    .await
    .expect("test took longer than 30 s");
}
