//! Piece priority follows the readers: a seek (old request aborted, new one opened far ahead)
//! gets its pieces before anything in between, and a client that leaves while its request
//! waits for a missing piece releases the stream at once. Prints the seek figures for our
//! settings (adaptive request window, reprioritise on seek: third_party/librqbit) and for
//! librqbit 9.1's behaviour with our old fixed window (64) and librqbit's default (128).

use test_support::swarm as common;

use common::{add_magnet_id, have_pieces, random_bytes, seeder_and_server, MIB};
use std::time::{Duration, Instant};

use piece_server::{Config, Server};
use reqwest::{header, Client, StatusCode};

const PIECE: u32 = 256 * 1024;

async fn wait_no_streams(server: &Server, within: Duration) -> Duration {
    let t0 = Instant::now();
    while server.state.open_file_streams() != 0 {
        assert!(
            t0.elapsed() < within,
            "{} file stream(s) still open {within:?} after the client left",
            server.state.open_file_streams()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    t0.elapsed()
}

struct SeekFigures {
    first_byte: Duration,
    whole_mib: Duration,
    /// Pieces between the old reader's window and the seek target that were downloaded by
    /// the time the seek's first byte arrived.
    in_between: usize,
}

/// A reader plays from 0 for ~1 s at 2 MB/s, then seeks to 75% of a 64 MiB file (seeder
/// uploads at 4 MiB/s) and reads 1 MiB. `abort_old`: the old request is dropped before the
/// new one is sent (what the player does); otherwise it stays open, competing.
async fn seek_case(setting: Setting, abort_old: bool) -> SeekFigures {
    seek_at(setting, abort_old, 4 * MIB as u32, 48 * MIB, MIB).await
}

/// Plays the file from its start for about a second, reading at 2 MB/s as a player would and
/// checking the bytes; returns the response, still open.
async fn play_a_second(client: &Client, url: &str, data: &[u8]) -> reqwest::Response {
    let mut resp = client
        .get(url)
        .header(header::RANGE, "bytes=0-")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    let t0 = Instant::now();
    let mut got = 0usize;
    while t0.elapsed() < Duration::from_secs(1) {
        let chunk = resp.chunk().await.unwrap().unwrap();
        assert!(chunk[..] == data[got..got + chunk.len()]);
        got += chunk.len();
        let due = Duration::from_secs_f64(got as f64 / 2e6);
        if due > t0.elapsed() {
            tokio::time::sleep(due - t0.elapsed()).await;
        }
    }
    resp
}

/// The same at any seeder rate, seek target and read length.
async fn seek_at(
    setting: Setting,
    abort_old: bool,
    seeder_bps: u32,
    target: usize,
    len: usize,
) -> SeekFigures {
    let tmp = tempfile::tempdir().unwrap();
    let data = random_bytes(64 * MIB, 99);
    let (info, http, [_seeder, server]) = seeder_and_server(
        tmp.path(),
        &data,
        PIECE,
        |c| c.upload_limit_bps = std::num::NonZeroU32::new(seeder_bps),
        |c| setting.apply(c),
    )
    .await;
    let client = Client::new();
    let id = add_magnet_id(&client, http, &info.magnet).await;
    let url = format!("http://{http}/api/torrents/{id}/files/0");

    let mut old = play_a_second(&client, &url, &data).await;
    if abort_old {
        drop(old);
        wait_no_streams(&server, Duration::from_secs(5)).await;
        old = client.head(&url).send().await.unwrap(); // placeholder, no stream
    }

    // Seek.
    let t0 = Instant::now();
    let mut resp = client
        .get(&url)
        .header(
            header::RANGE,
            format!("bytes={target}-{}", target + len - 1),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    let mut first_byte = None;
    let mut at = target;
    while let Some(chunk) = resp.chunk().await.unwrap() {
        if first_byte.is_none() {
            first_byte = Some(t0.elapsed());
        }
        assert!(
            chunk[..] == data[at..at + chunk.len()],
            "bytes differ at {at}"
        );
        at += chunk.len();
    }
    let whole_mib = t0.elapsed();
    assert_eq!(at, target + len);
    let have = have_pieces(&client, http, &id).await;
    // The old reader's window ends 32 MiB after its position (~2 MB): look from 36 MiB to
    // 2 MiB before the target (nothing when the target is inside that window).
    let (from, to) = (36 * MIB / PIECE as usize, target.saturating_sub(2 * MIB) / PIECE as usize);
    let in_between = have[from.min(to)..to].iter().filter(|h| **h).count();
    drop(old);
    SeekFigures {
        first_byte: first_byte.unwrap(),
        whole_mib,
        in_between,
    }
}

#[derive(Clone, Copy, Debug)]
enum Setting {
    /// Our defaults: adaptive window (4..500), reprioritise on seek.
    Ours,
    /// librqbit 9.1's behaviour with a fixed window (and no reprioritising).
    Fixed(usize),
}

impl Setting {
    fn apply(self, c: &mut Config) {
        if let Setting::Fixed(w) = self {
            c.peer_request_window = w;
            c.peer_request_window_min = w;
            c.seek_reprioritise = false;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_seek_gets_its_pieces_first() {
    tokio::time::timeout(Duration::from_secs(110), async {
        let cases = [
            (Setting::Ours, true),
            (Setting::Fixed(64), true),
            (Setting::Fixed(128), true),
            (Setting::Ours, false),
            (Setting::Fixed(64), false),
        ];
        for (setting, abort_old) in cases {
            let f = seek_case(setting, abort_old).await;
            eprintln!(
                "seek to 75% (seeder 4 MiB/s, {setting:?}, old request {}): first byte {:?}, 1 MiB in {:?}, {} pieces downloaded in between",
                if abort_old { "aborted" } else { "still open" },
                f.first_byte,
                f.whole_mib,
                f.in_between
            );
            // Generous: the goal is well under 1 s; a loaded CI machine gets 10.
            assert!(f.whole_mib < Duration::from_secs(10), "seek took {:?}", f.whole_mib);
            if abort_old {
                assert!(
                    f.in_between <= 2,
                    "{} pieces between the old position and the seek target were downloaded first",
                    f.in_between
                );
            }
        }
    })
    .await
    .expect("test took longer than 110 s");
}

/// A client that gives up while its request waits for a piece nobody can send releases the
/// stream (and with it the piece priority) at once, not when the piece arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leaving_while_waiting_for_a_piece_releases_the_stream() {
    tokio::time::timeout(Duration::from_secs(40), async {
        let tmp = tempfile::tempdir().unwrap();
        let data = random_bytes(32 * MIB, 5);
        let (info, http, [seeder, server]) = seeder_and_server(
            tmp.path(),
            &data,
            PIECE,
            |c| c.upload_limit_bps = std::num::NonZeroU32::new(MIB as u32),
            |_| {},
        )
        .await;
        let client = Client::new();
        let id = add_magnet_id(&client, http, &info.magnet).await;
        let url = format!("http://{http}/api/torrents/{id}/files/0");
        let resp = client
            .get(&url)
            .header(header::RANGE, "bytes=0-99")
            .send()
            .await
            .unwrap();
        assert!(resp.bytes().await.unwrap()[..] == data[..100]);
        // The only seeder leaves: a missing piece can never arrive now.
        seeder.shutdown().await;
        let have = have_pieces(&client, http, &id).await;
        let missing = have
            .iter()
            .rposition(|h| !h)
            .expect("the whole file arrived already (seeder capped at 1 MiB/s)");

        for round in 0..3 {
            let waiting = {
                let (client, url) = (client.clone(), url.clone());
                let last = missing * PIECE as usize + 10;
                tokio::spawn(async move {
                    let mut r = client
                        .get(&url)
                        .header(header::RANGE, format!("bytes={last}-"))
                        .send()
                        .await
                        .unwrap();
                    r.chunk().await
                })
            };
            let t0 = Instant::now();
            while server.state.open_file_streams() == 0 {
                assert!(
                    t0.elapsed() < Duration::from_secs(5),
                    "the request never opened a stream"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(!waiting.is_finished(), "a missing piece was served");
            waiting.abort();
            let released = wait_no_streams(&server, Duration::from_secs(5)).await;
            eprintln!("round {round}: stream released {released:?} after the client left");
        }
    })
    .await
    .expect("test took longer than 40 s");
}

/// Seek figures for docs/DESIGN.md, not a check: seeks to 25/50/75/90 % with 4 and 10 MiB/s
/// seeders, ours against librqbit 9.1's order with the old fixed window (64), alternating,
/// `RIPTIDE_SEEK_RUNS` runs each (default 3); prints medians of the first byte and of the
/// first 4.7 MB (a GOP of the benchmark's 1080p film at 75 %). About 4 minutes:
/// `cargo test -p piece-server --test priority -- --ignored --nocapture seek_table`
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore]
async fn seek_table() {
    let runs: usize = std::env::var("RIPTIDE_SEEK_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let gop = 4_700_000;
    let med = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    for bps in [4 * MIB as u32, 10 * MIB as u32] {
        for pct in [25usize, 50, 75, 90] {
            // A piece boundary plus a bit, like a key frame inside a piece; the read stays
            // inside the 64 MiB file.
            let target = (64 * MIB * pct / 100).min(64 * MIB - gop) + 12_345;
            let mut figures: Vec<(Setting, Vec<Duration>, Vec<Duration>)> = vec![
                (Setting::Ours, vec![], vec![]),
                (Setting::Fixed(64), vec![], vec![]),
            ];
            for _ in 0..runs {
                for (setting, first, gops) in figures.iter_mut() {
                    let f = seek_at(*setting, true, bps, target, gop.min(64 * MIB - target)).await;
                    first.push(f.first_byte);
                    gops.push(f.whole_mib);
                }
            }
            for (setting, first, gops) in figures {
                eprintln!(
                    "SEEK seeder {} MiB/s, {pct} %, {setting:?}: first byte {:?}, 4.7 MB {:?} (medians of {runs})",
                    bps / MIB as u32,
                    med(first),
                    med(gops)
                );
            }
        }
    }
}

/// A player reads in whole-range requests and sends the next when the last has ended. In that
/// gap no stream is open: librqbit would give the peer the next missing piece in file order
/// (the start of the file) and the player's next piece would wait behind it. The ended
/// stream stays open for a moment at its end (`linger.rs`), so the pieces after it keep
/// coming first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_pieces_after_an_ended_request_keep_coming_first() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let tmp = tempfile::tempdir().unwrap();
        let data = random_bytes(64 * MIB, 7);
        let (info, http, [_seeder, _server]) = seeder_and_server(
            tmp.path(),
            &data,
            PIECE,
            |c| c.upload_limit_bps = std::num::NonZeroU32::new(4 * MIB as u32),
            |_| {},
        )
        .await;
        let client = Client::new();
        let id = add_magnet_id(&client, http, &info.magnet).await;
        let url = format!("http://{http}/api/torrents/{id}/files/0");
        // One whole-range request in the middle of the file, read to its end.
        let (start, len) = (48 * MIB, MIB);
        let body = client
            .get(&url)
            .header(header::RANGE, format!("bytes={start}-{}", start + len - 1))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(body[..] == data[start..start + len]);
        // The gap before the next request, long enough for ~2 pieces at 4 MiB/s.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let have = have_pieces(&client, http, &id).await;
        let piece = PIECE as usize;
        let after = (start + len) / piece;
        let from_start = have[..8].iter().filter(|h| **h).count();
        let next = have[after..after + 8].iter().filter(|h| **h).count();
        eprintln!("in the gap: {next} of the 8 pieces after the request, {from_start} of the first 8 pieces of the file");
        assert_eq!(from_start, 0, "pieces from the start of the file came in the gap");
        assert!(next >= 2, "only {next} of the pieces after the request came in the gap");
    })
    .await
    .expect("test took longer than 60 s");
}

/// At a seek, the old position's request ends instead of being given up: the player sends the new
/// request while the old one still waits for its last bytes. With a deep request queue (a
/// fixed window of 64 chunks: a whole 1 MiB piece; peers that send on a timer get deeper
/// ones) the piece after the old request is already in flight at the seek; the ended request
/// must not keep it wanted (`linger.rs` holds only the newest request of a file).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_seek_does_not_wait_for_a_request_that_ends_meanwhile() {
    tokio::time::timeout(Duration::from_secs(40), async {
        const BIG: u32 = 1 << 20;
        let piece = BIG as usize;
        let tmp = tempfile::tempdir().unwrap();
        let data = random_bytes(64 * MIB, 23);
        let (info, http, [_seeder, server]) = seeder_and_server(
            tmp.path(),
            &data,
            BIG,
            |c| c.upload_limit_bps = std::num::NonZeroU32::new(4 * MIB as u32),
            |c| {
                c.peer_request_window = 64;
                c.peer_request_window_min = 64;
            },
        )
        .await;
        let client = Client::new();
        let id = add_magnet_id(&client, http, &info.magnet).await;
        let url = format!("http://{http}/api/torrents/{id}/files/0");
        let get = |range: String| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let r = client.get(&url).header(header::RANGE, range).send().await.unwrap();
                r.bytes().await.unwrap()
            })
        };

        // The seeder's rate limiter lets its first seconds' worth through at once: spend it
        // on pieces nobody looks at below (56-61), so that piece 4 takes its ~250 ms.
        let warm = get(format!("bytes={}-{}", 56 * piece, 62 * piece - 1)).await.unwrap();
        assert!(warm[..] == data[56 * piece..62 * piece]);

        // The old request: 100 bytes of piece 4, which takes ~250 ms to come; piece 5 is
        // asked for right behind it.
        let before = have_pieces(&client, http, &id).await;
        let old_at = 4 * piece;
        let old = get(format!("bytes={old_at}-{}", old_at + 99));
        let t0 = Instant::now();
        while server.state.open_file_streams() < 1 {
            assert!(t0.elapsed() < Duration::from_secs(5), "the old request never opened");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;

        // The seek, while the old request still waits.
        let target = 48 * piece;
        let t0 = Instant::now();
        let seek = get(format!("bytes={target}-{}", target + piece - 1));
        assert!(old.await.unwrap()[..] == data[old_at..old_at + 100]);
        let body = seek.await.unwrap();
        let took = t0.elapsed();
        assert!(body[..] == data[target..target + piece]);
        let after = have_pieces(&client, http, &id).await;
        let extra: Vec<usize> = (0..after.len())
            .filter(|&i| after[i] && !before[i] && i != target / piece && i != old_at / piece)
            .collect();
        eprintln!(
            "seek while the old request ends: 1 MiB piece in {took:?}; pieces nobody read verified meanwhile: {extra:?}"
        );
        assert!(
            extra.is_empty(),
            "while the seek waited, the server downloaded pieces nobody reads any more: {extra:?}"
        );
    })
    .await
    .expect("test took longer than 40 s");
}

/// Bytes a seeding server has sent, over all its torrents.
fn uploaded(server: &Server) -> u64 {
    server
        .session
        .with_torrents(|ts| ts.map(|(_, t)| t.stats().uploaded_bytes).sum())
}

/// Two seeders of the same file, one slow (0.3 MB/s: a 1 MiB piece takes ~3.5 s) and one fast
/// (8 MiB/s: ~125 ms), 128 MiB. A reader plays from 0, then seeks five times to far places and reads
/// one piece (1 MiB) at each. At a seek both peers are handed pieces of the seek's first
/// 4 MiB (the critical window) and the slow one often gets the piece the reader waits for;
/// librqbit's steal (a piece in flight 10× the fast peer's piece time) is the only way it
/// comes sooner. End-game for the critical window (`live/endgame.rs`): once the fast peer
/// has nothing else of the window to fetch, it asks for the slow peer's piece too, so every
/// seek's first MiB comes at the fast peer's rate, about 4 of its pieces.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_seek_does_not_wait_for_the_slow_peer_s_piece() {
    // Who fetched what: RIPTIDE_TEST_LOG=librqbit=debug (or trace) prints the engine's log.
    if let Ok(filter) = std::env::var("RIPTIDE_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
    }
    tokio::time::timeout(Duration::from_secs(40), async {
        const BIG: u32 = 1 << 20;
        let piece = BIG as usize;
        let tmp = tempfile::tempdir().unwrap();
        let data = random_bytes(128 * MIB, 41);
        let (info, http, [slow, _server]) = seeder_and_server(
            tmp.path(),
            &data,
            BIG,
            |c| c.upload_limit_bps = std::num::NonZeroU32::new(300_000),
            // RIPTIDE_TEST_SEEK_ENDGAME=false: without end-game, to see what it saves.
            |c| c.seek_endgame = std::env::var("RIPTIDE_TEST_SEEK_ENDGAME").as_deref() != Ok("false"),
        )
        .await;
        // The fast seeder shares the same file (same torrent, same info hash).
        let mut fast_cfg = Config::for_test(tmp.path().join("fast"));
        fast_cfg.upload_limit_bps = std::num::NonZeroU32::new(8 * MIB as u32);
        let (_, fast) = piece_server::spawn(fast_cfg).await.unwrap();
        let fast_info = piece_server::seed(&fast.session, &tmp.path().join("film.mkv"), Some(BIG))
            .await
            .unwrap();
        assert_eq!(fast_info.info_hash, info.info_hash);
        let fast_pe = fast_info.magnet.split("&x.pe=").nth(1).unwrap();
        let magnet = format!("{}&x.pe={fast_pe}", info.magnet);

        let client = Client::new();
        let id = add_magnet_id(&client, http, &magnet).await;
        let url = format!("http://{http}/api/torrents/{id}/files/0");

        drop(play_a_second(&client, &url, &data).await);

        let mut took = Vec::new();
        // Backwards, 20 MiB apart: the pieces after a target (its reader's 32 MiB lookahead, which
        // the fast peer fetches while a seek waits) never hold the next target.
        for at in [112usize, 92, 72, 52, 32] {
            let target = at * piece;
            let (slow0, fast0) = (uploaded(&slow), uploaded(&fast));
            let t0 = Instant::now();
            let body = client
                .get(&url)
                .header(header::RANGE, format!("bytes={target}-{}", target + piece - 1))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            let t = t0.elapsed();
            assert!(body[..] == data[target..target + piece], "bytes differ after the seek to piece {at}");
            eprintln!(
                "seek to piece {at}: its 1 MiB in {t:?}; sent meanwhile: slow seeder {} KiB, fast {} KiB",
                (uploaded(&slow) - slow0) / 1024,
                (uploaded(&fast) - fast0) / 1024
            );
            took.push((at, t));
            // Play a little before the next jump.
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let worst = took.iter().map(|(_, t)| *t).max().unwrap();
        // The fast peer brings the 4 MiB window in ~0.5-0.7 s; the slow one needs ~3.5 s for a
        // piece, and librqbit's steal waits 10× the fast peer's piece time (1.8-2.5 s here).
        assert!(
            worst < Duration::from_millis(1300),
            "a seek's first MiB waited for the slow peer: {took:?}"
        );
    })
    .await
    .expect("test took longer than 40 s");
}
