//! No client can exhaust the server (issue 18, item 5): thousands of idle sockets and 240
//! stalled Range reads from one address leave a second viewer (another address, 127.0.0.2)
//! reading at its normal speed; idle sockets are closed after `--header-timeout-secs`, stalled
//! bodies after `--idle-timeout-secs`, and their slots come back. Event streams are capped per
//! client and share one bitfield feed per torrent.

use test_support::swarm as common;

use std::{
    net::{IpAddr, SocketAddr},
    time::{Duration, Instant},
};

use common::{get_json, json, random_bytes, MIB};
use piece_server::{seed, spawn, Config, Server};
use reqwest::{header, Client, StatusCode};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

const FILE_BYTES: usize = 16 * MIB;
const STALLED: usize = 240;
const SLOWLORIS: usize = 3000;

/// Lets this process open the ~4000 sockets of the test (the soft limit is often 1024).
fn raise_nofile() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain get/setrlimit on a struct we own.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim), 0);
        lim.rlim_cur = lim.rlim_max;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &lim), 0);
    }
    assert!(
        lim.rlim_cur as usize > SLOWLORIS + STALLED + 600,
        "the hard open-file limit {} is too low for this test",
        lim.rlim_cur
    );
}

/// A server seeding a 16 MiB file (complete, so reads go at disk speed).
async fn seeded(
    dir: &std::path::Path,
    tune: impl FnOnce(&mut Config),
) -> (SocketAddr, Server, String, Vec<u8>) {
    let data = random_bytes(FILE_BYTES, 5);
    let path = dir.join("film.mkv");
    std::fs::write(&path, &data).unwrap();
    let mut config = Config::for_test(dir.join("data"));
    tune(&mut config);
    let (addr, server) = spawn(config).await.unwrap();
    let info = seed(&server.session, &path, Some(256 * 1024))
        .await
        .unwrap();
    (addr, server, info.info_hash, data)
}

fn client_from(ip: &str) -> Client {
    Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// Reads the whole file as a second viewer and checks every byte; returns the time taken.
async fn read_all(client: &Client, url: &str, src: &[u8]) -> Duration {
    let t0 = Instant::now();
    let resp = client.get(url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{:?}", resp.text().await);
    let body = resp.bytes().await.unwrap();
    assert!(body[..] == src[..], "the second viewer got wrong bytes");
    t0.elapsed()
}

/// A Range request whose client never reads the answer (a tiny receive buffer, so the server's
/// writes stall after a few KiB).
async fn stalled_read(addr: SocketAddr, id: &str) -> TcpStream {
    let sock = TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(4096).unwrap();
    let mut s = sock.connect(addr).await.unwrap();
    s.write_all(
        format!(
            "GET /api/torrents/{id}/files/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=0-\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    s
}

/// True when the server closed `s` (EOF or reset) within `within`, reading and dropping
/// whatever it still had buffered.
async fn closed_within(mut s: TcpStream, within: Duration) -> bool {
    let mut buf = vec![0u8; 64 * 1024];
    tokio::time::timeout(within, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_and_stalled_readers_do_not_stop_a_second_viewer() {
    raise_nofile();
    tokio::time::timeout(Duration::from_secs(120), async {
        let tmp = tempfile::tempdir().unwrap();
        let (addr, _server, id, src) = seeded(tmp.path(), |c| {
            c.net.header_timeout_secs = 2;
            c.net.idle_timeout_secs = 8;
        })
        .await;
        let url = format!("http://{addr}/api/torrents/{id}/files/0");
        let viewer = client_from("127.0.0.2");
        let status = format!("http://{addr}/api/status");
        // The second viewer's normal speed, before any attack (once to warm the page cache).
        read_all(&viewer, &url, &src).await;
        let normal = read_all(&viewer, &url, &src).await;

        // 240 stalled Range reads from 127.0.0.1.
        let attack_start = Instant::now();
        let mut stalled = Vec::new();
        for _ in 0..STALLED {
            stalled.push(stalled_read(addr, &id).await);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let held = get_json(&viewer, &status).await["open_file_streams"]
            .as_u64()
            .unwrap();
        // Thousands of idle sockets from the same address (slowloris: connect, send nothing).
        let mut idle = Vec::new();
        for _ in 0..SLOWLORIS {
            match TcpStream::connect(addr).await {
                Ok(s) => idle.push(s),
                Err(e) => panic!("connect #{} failed: {e}", idle.len()),
            }
        }
        let during = read_all(&viewer, &url, &src).await;
        let connections = get_json(&viewer, &status).await["open_connections"]
            .as_u64()
            .unwrap();
        eprintln!(
            "second viewer read {} MiB in {normal:?} before, {during:?} during the attack; \
             stalled streams held: {held}; server connections during the attack: {connections}",
            FILE_BYTES / MIB
        );
        assert!(
            during < normal * 4 + Duration::from_secs(1),
            "the second viewer slowed from {normal:?} to {during:?}"
        );
        assert!(held <= 120, "one address holds {held} file streams");
        assert!(
            attack_start.elapsed() < Duration::from_secs(8),
            "the attack phase took too long to test the idle timeout"
        );

        // Idle sockets are closed after the header timeout (2 s), stalled bodies after the
        // idle timeout (8 s), and their stream slots come back.
        let idle_closed = futures_util::future::join_all(
            idle.into_iter()
                .map(|s| closed_within(s, Duration::from_secs(5))),
        )
        .await;
        let still_open = idle_closed.iter().filter(|c| !**c).count();
        assert_eq!(still_open, 0, "{still_open} idle sockets were not closed");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let open = get_json(&viewer, &status).await["open_file_streams"]
                .as_u64()
                .unwrap();
            if open == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{open} stalled streams still open {:?} after the attack began",
                attack_start.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        eprintln!(
            "stalled streams all closed {:?} after they began",
            attack_start.elapsed()
        );
        // The server closed their connections too (only the viewer's own may remain).
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let conns = get_json(&viewer, &status).await["open_connections"]
                .as_u64()
                .unwrap();
            if conns <= 2 {
                break;
            }
            assert!(Instant::now() < deadline, "{conns} connections still open");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        drop(stalled);
        // The attacking address may read again: its slots were given back.
        let again = client_from("127.0.0.1");
        let resp = again
            .get(&url)
            .header(header::RANGE, "bytes=0-1048575")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
        assert!(resp.bytes().await.unwrap()[..] == src[..MIB]);
    })
    .await
    .expect("test timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_streams_are_capped_per_client_and_share_one_feed() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let tmp = tempfile::tempdir().unwrap();
        let (addr, server, id, _) = seeded(tmp.path(), |c| {
            c.net.max_event_streams_per_client = 40;
        })
        .await;
        let url = format!("http://{addr}/api/torrents/{id}/events");
        let attacker = client_from("127.0.0.1");
        let mut open = Vec::new();
        for _ in 0..40 {
            let r = attacker.get(&url).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            open.push(r);
        }
        let (status, body) = json(attacker.get(&url).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("--max-event-streams-per-client"),
            "{body}"
        );
        // Another address is not affected.
        let other = client_from("127.0.0.2").get(&url).send().await.unwrap();
        assert_eq!(other.status(), StatusCode::OK);

        // 41 streams on one torrent for 2 s: the bitfield is read once per tick, not per stream.
        let before = server.state.bitfield_reads();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let reads = server.state.bitfield_reads() - before;
        eprintln!("41 event streams, 2 s: {reads} bitfield reads");
        assert!(reads <= 10, "{reads} bitfield reads in 2 s for one torrent");
        // Their end frees the client's slots.
        drop(open);
        drop(other);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let r = attacker.get(&url).send().await.unwrap();
            if r.status() == StatusCode::OK {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "slots did not come back: {}",
                r.status()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("test timed out");
}
