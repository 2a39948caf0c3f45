//! The page people use every day (issue 14), in Chromium: a season pack (two short episodes
//! made by ffmpeg, an `.srt` beside episode 1, a sample and a text file) is seeded by aria2 on
//! loopback. The page is opened empty, its `.torrent` is dropped on the
//! page, and the harness (`tests/e2e/library.mjs`) checks what a person would: the torrent is
//! listed, the files are grouped (episodes in order, the sample apart, the text file "not a
//! video"), episode 1 plays with the sidecar subtitle track selectable, episode 2 is offered at
//! the end, a reload keeps the library and offers to resume, and delete removes the torrent
//! from the server. In Chromium and in Firefox ESR; Chromium's screenshots go to
//! `docs/screenshots/` (README.md shows them).

use std::path::Path;

use librqbit::CreateTorrentOptions;
use piece_server::{spawn, Config};

use test_support::page as support;
use support::{named_fixture, repo, require_wasm_package, tempdir, Engine};

/// A short episode: 6 s of 320x240 H.264 + AAC in MKV (`hue` tells the two apart).
fn episode(name: &str, hue: &str) -> std::path::PathBuf {
    named_fixture(
        name,
        &[
            "-f", "lavfi", "-i", &format!("testsrc2=size=320x240:rate=25,hue=h={hue}"),
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "6", "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "64k",
        ],
    )
}

const SRT: &str = "1\n00:00:00,500 --> 00:00:05,500\nHello from the sidecar file\n\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn season_pack_dropped_on_the_page_is_listed_plays_and_is_deleted() {
    season_pack(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn season_pack_dropped_on_the_page_is_listed_plays_and_is_deleted_in_firefox() {
    season_pack(Engine::Firefox).await;
}

async fn season_pack(engine: Engine) {
    if !support::have_tools() || !engine.available() {
        return;
    }
    if std::process::Command::new("aria2c").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
            "aria2c is missing (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
        );
        eprintln!("aria2c missing: skipping");
        return;
    }
    require_wasm_package();
    let tmp = tempdir(&format!("e2e-library-{}", engine.name()));
    let pack = tmp.join("Show Season 1");
    std::fs::create_dir_all(pack.join("Sample")).unwrap();
    // Names out of order on purpose: the page must order episodes by SxxEyy, not by path.
    std::fs::copy(episode("lib-ep1.mkv", "0"), pack.join("Show.S01E01.mkv")).unwrap();
    std::fs::copy(episode("lib-ep2.mkv", "120"), pack.join("Show.S01E02.mkv")).unwrap();
    std::fs::copy(episode("lib-ep2.mkv", "120"), pack.join("Sample/show.sample.mkv")).unwrap();
    std::fs::write(pack.join("Show.S01E01.srt"), SRT).unwrap();
    std::fs::write(pack.join("notes.nfo"), "A season pack for the library test.\n").unwrap();

    let created = librqbit::create_torrent(
        &pack,
        CreateTorrentOptions { name: None, trackers: vec![], piece_length: Some(64 * 1024) },
        &librqbit::spawn_utils::BlockingSpawner::new(2),
    )
    .await
    .unwrap();
    let torrent = created.as_bytes().unwrap();
    let torrent_file = tmp.join("Show Season 1.torrent");
    std::fs::write(&torrent_file, &torrent).unwrap();

    // The seeder: aria2 (a BitTorrent client people use), checking the pack in its folder
    // and seeding it; the server finds it through `--peer`.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _aria2 = Aria2(
        std::process::Command::new("aria2c")
            .args([
                "--enable-dht=false",
                "--enable-dht6=false",
                "--bt-enable-lpd=false",
                "--enable-peer-exchange=false",
                "--check-integrity=true",
                "--bt-seed-unverified=false",
                "--seed-ratio=0.0",
                "--file-allocation=none",
                "--console-log-level=warn",
                "--summary-interval=0",
            ])
            .arg(format!("--listen-port={port}"))
            .arg(format!("--dir={}", tmp.display()))
            .arg(&torrent_file)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("aria2c runs (scripts/test.sh installs it)"),
    );
    wait_listening(port);
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], port));

    let mut cfg = Config::for_test(tmp.join("server"));
    cfg.www_dir = Some(repo().join("www"));
    cfg.peers = vec![peer];
    let (addr, _server) = spawn(cfg).await.unwrap();

    let shots = match engine {
        Engine::Chromium => repo().join("docs/screenshots"),
        Engine::Firefox => tmp.join("screenshots"),
    };
    let url = format!("http://{addr}/");
    let shots2 = shots.clone();
    let report =
        tokio::task::spawn_blocking(move || run_harness(engine, &url, &torrent_file, &shots2)).await.unwrap();
    eprintln!("library report ({engine:?}): {report:#}");

    assert!(report["failure"].is_null(), "the harness stopped at '{}': {}", report["step"], report["failure"]);
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert_eq!(report["emptyFurniture"], serde_json::json!([]), "shown before anything plays");
    // axe-core's serious and critical WCAG 2 A/AA findings, on the empty page and while a film
    // plays with the library, file list, menus and subtitles shown.
    assert_eq!(report["a11y"]["empty"], serde_json::json!([]), "accessibility of the empty page");
    assert_eq!(report["a11y"]["playing"], serde_json::json!([]), "accessibility while playing");
    // A system set to dark gets the dark theme, and it passes the same audit (Chromium: the
    // harness can emulate the scheme only through Playwright).
    if engine == Engine::Chromium {
        assert_eq!(report["dark"], "rgb(13, 17, 23)", "the dark theme's background");
        assert_eq!(report["a11y"]["playingDark"], serde_json::json!([]), "accessibility of the dark theme");
    }
    let listed = &report["listed"];
    assert_eq!(listed["name"], "Show Season 1", "the library row: {listed}");
    let groups = &report["files"];
    assert_eq!(
        groups["Episodes"],
        serde_json::json!(["Show.S01E01.mkv", "Show.S01E02.mkv"]),
        "episodes in order: {groups}"
    );
    assert_eq!(groups["Samples"], serde_json::json!(["show.sample.mkv"]), "the sample apart: {groups}");
    let why = groups["notPlayable"]["notes.nfo"].as_str().unwrap_or_default();
    assert!(why.contains("not a video"), "the .nfo is marked not playable in plain words: {groups}");
    assert!(report["played"]["currentTime"].as_f64().unwrap_or(0.0) >= 1.0, "episode 1 did not play: {report}");
    let subs = report["played"]["textTracks"].as_array().cloned().unwrap_or_default();
    assert!(
        subs.iter().any(|t| t["label"].as_str().unwrap_or_default().contains("Show.S01E01.srt")
            && t["cues"].as_array().is_some_and(|c| c.iter().any(|x| x == "Hello from the sidecar file"))),
        "the sidecar subtitle track is offered with its cue: {subs:?}"
    );
    let keys = &report["keys"];
    assert_eq!(keys["before"]["muted"], true, "the page starts muted (autoplay): {keys}");
    assert_eq!(keys["after"]["muted"], false, "m unmutes: {keys}");
    assert_eq!(keys["after"]["captions"], serde_json::json!([]), "c turns the subtitles off: {keys}");
    assert_eq!(keys["again"]["captions"], serde_json::json!(["Show.S01E01.srt"]), "c turns them on again: {keys}");
    assert!(
        report["liveRow"]["progress"].as_f64().unwrap_or(0.0) > 0.0,
        "the library row follows the download without a reload (listed as {listed}, later {})",
        report["liveRow"]
    );
    assert_eq!(report["next"]["offered"], "Show.S01E02.mkv", "next episode at the end: {report}");
    assert_eq!(report["next"]["playing"], "Show.S01E02.mkv", "the next episode plays on a click: {report}");
    assert_eq!(report["reload"]["listed"], true, "the library survives a reload: {report}");
    let resume = report["reload"]["resumeOffer"].as_str().unwrap_or_default();
    assert!(resume.contains("Continue"), "a reload offers to continue watching: {report}");
    if engine == Engine::Chromium {
        // Only Chromium lets the harness grant the clipboard permission.
        let copied = report["copied"].as_str().unwrap_or_default();
        let id = created.info_hash().as_string();
        assert!(
            copied.starts_with(&format!("http://{addr}/?magnet=magnet%3A%3Fxt%3Durn%3Abtih%3A{id}")),
            "Copy link gives a link to the page that plays the torrent: {copied}"
        );
    }
    assert_eq!(
        report["droppedSubtitles"],
        serde_json::json!([{"label": "mine.vtt", "mode": "showing", "cues": ["My own subtitles"]}]),
        "a subtitle file dropped on the page is shown: {report}"
    );
    assert_eq!(report["deleted"]["serverList"], serde_json::json!([]), "delete leaves the torrent on the server: {report}");
    assert_eq!(report["deleted"]["rows"], 0, "the deleted torrent is still listed on the page: {report}");
    for shot in ["empty", "library", "playing", "phone"] {
        let p = shots.join(format!("{shot}.png"));
        assert!(Path::new(&p).exists(), "screenshot {p:?} was not written");
    }
}

/// The waits (issue 14, "While waiting"), in Chromium: a magnet whose only source is a tracker
/// on loopback, where two aria2 clients that lack the metadata themselves have announced. The
/// page must say "2 peers found · 1 of 1 tracker sent peers" while the metadata is awaited.
/// Then a seeder (aria2, its upload capped far below the film's rate) announces, the metadata
/// arrives, the film starts, and the page must say plainly that the swarm is too slow to keep up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_a_slow_swarm_says_what_was_found_and_that_it_is_too_slow() {
    let engine = Engine::Chromium;
    if !support::have_tools() || !engine.available() || !have_aria2() {
        return;
    }
    require_wasm_package();
    let tmp = tempdir("e2e-library-wait");
    // 20 s of noisy 640x360 video: about 150 KB/s, five times what the seeder may send.
    let film_src = named_fixture(
        "lib-noisy.mkv",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25,noise=alls=30:allf=t",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "20", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "1200k", "-maxrate", "1200k",
            "-bufsize", "600k", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k",
        ],
    );
    let seed_dir = tmp.join("seeder");
    std::fs::create_dir_all(&seed_dir).unwrap();
    let film = seed_dir.join("Slow.Film.mkv");
    std::fs::copy(&film_src, &film).unwrap();
    let created = librqbit::create_torrent(
        &film,
        CreateTorrentOptions { name: None, trackers: vec![], piece_length: Some(64 * 1024) },
        &librqbit::spawn_utils::BlockingSpawner::new(2),
    )
    .await
    .unwrap();
    let torrent_file = tmp.join("Slow.Film.mkv.torrent");
    std::fs::write(&torrent_file, created.as_bytes().unwrap()).unwrap();
    let tracker = tracker().await;
    let announce = format!("http://{tracker}/announce");
    let magnet = format!(
        "magnet:?xt=urn:btih:{}&dn=Slow.Film.mkv&tr={}",
        created.info_hash().as_string(),
        support::encode(&announce)
    );

    // Two clients asking the same tracker for the same magnet: peers the server finds, which
    // cannot give it the metadata (they wait for it too).
    let mut leechers = Vec::new();
    for i in 0..2 {
        let dir = tmp.join(format!("leecher{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        leechers.push(aria2(&dir, &[magnet.as_str()]));
    }
    let mut cfg = Config::for_test(tmp.join("server"));
    cfg.www_dir = Some(repo().join("www"));
    cfg.no_trackers = false;
    cfg.metadata_timeout_secs = 60;
    let (addr, _server) = spawn(cfg).await.unwrap();
    // The leechers have announced once the tracker lists both.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while tracker_peers(tracker).await < 2 {
        assert!(std::time::Instant::now() < deadline, "the aria2 leechers never announced to the tracker");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let url = format!("http://{addr}/");
    let seeder_args: Vec<String> = vec![
        "--max-overall-upload-limit=30K".into(),
        format!("--bt-tracker={announce}"),
        torrent_file.display().to_string(),
    ];
    let report = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut child = std::process::Command::new("node")
            .arg(repo().join("tests/e2e/wait.mjs"))
            .arg(&url)
            .arg(&magnet)
            .arg("2 peers found · 1 of 1 tracker sent peers")
            .current_dir(repo())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("node is needed for page tests");
        let mut seeder = None;
        let mut last = String::new();
        for line in std::io::BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if line == "ready for the seeder" {
                let args: Vec<&str> = seeder_args.iter().map(String::as_str).collect();
                seeder = Some(aria2(&seed_dir, &args));
            }
            last = line;
        }
        assert!(child.wait().unwrap().success(), "wait.mjs failed: {last}");
        drop(seeder);
        serde_json::from_str::<serde_json::Value>(&last)
            .unwrap_or_else(|e| panic!("wait.mjs printed no JSON ({e}): {last}"))
    })
    .await
    .unwrap();
    drop(leechers);
    eprintln!("wait report: {report:#}");
    assert!(report["failure"].is_null(), "the harness stopped at '{}': {} (it saw {})", report["step"], report["failure"], report["seen"]);
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    let waiting = report["waiting"].as_str().unwrap_or_default();
    assert!(waiting.starts_with("Asking peers for the film's description"), "{waiting}");
    assert!(waiting.contains("DHT off on this server"), "{waiting}");
    let slow = report["slow"].as_str().unwrap_or_default();
    assert!(slow.contains("slower than the film needs"), "the page says the swarm cannot keep up: {slow}");
}

fn have_aria2() -> bool {
    if std::process::Command::new("aria2c").arg("--version").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
        "aria2c is missing (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
    );
    eprintln!("aria2c missing: skipping");
    false
}

/// aria2 with only the tracker (no DHT, LPD or peer exchange), on a free port, in `dir`.
fn aria2(dir: &Path, args: &[&str]) -> Aria2 {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    Aria2(
        std::process::Command::new("aria2c")
            .args([
                "--enable-dht=false",
                "--enable-dht6=false",
                "--bt-enable-lpd=false",
                "--enable-peer-exchange=false",
                "--check-integrity=true",
                "--bt-seed-unverified=false",
                "--seed-ratio=0.0",
                "--file-allocation=none",
                "--console-log-level=warn",
                "--summary-interval=0",
            ])
            .arg(format!("--listen-port={port}"))
            .arg(format!("--dir={}", dir.display()))
            .args(args)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("aria2c runs (scripts/test.sh installs it)"),
    )
}

/// A BitTorrent tracker on loopback (HTTP, compact answers): it keeps every peer that
/// announced, by info hash, and answers each announce with the others (`event=stopped`
/// removes the asker). `GET /peers` says how many it knows, for the test to wait on.
async fn tracker() -> std::net::SocketAddr {
    use std::collections::{HashMap, HashSet};
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    type Swarms = Arc<Mutex<HashMap<Vec<u8>, HashSet<std::net::SocketAddrV4>>>>;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let swarms: Swarms = Arc::default();
    tokio::spawn(async move {
        while let Ok((mut conn, from)) = listener.accept().await {
            let swarms = swarms.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 2048];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&head).lines().next().unwrap_or_default().to_owned();
                let target = line.split(' ').nth(1).unwrap_or_default();
                let (path, query) = target.split_once('?').unwrap_or((target, ""));
                let body = if path == "/peers" {
                    let n: usize = swarms.lock().unwrap().values().map(HashSet::len).sum();
                    n.to_string().into_bytes()
                } else {
                    let param = |k: &str| {
                        query.split('&').find_map(|kv| kv.strip_prefix(k)?.strip_prefix('=')).map(percent_decode)
                    };
                    let (Some(hash), Some(port)) = (param("info_hash"), param("port")) else {
                        return;
                    };
                    let port: u16 = String::from_utf8_lossy(&port).parse().unwrap_or(0);
                    let std::net::IpAddr::V4(ip) = from.ip() else { return };
                    let me = std::net::SocketAddrV4::new(ip, port);
                    let mut all = swarms.lock().unwrap();
                    let peers = all.entry(hash).or_default();
                    if param("event").as_deref() == Some(&b"stopped"[..]) {
                        peers.remove(&me);
                    } else {
                        peers.insert(me);
                    }
                    let compact: Vec<u8> = peers
                        .iter()
                        .filter(|p| **p != me)
                        .flat_map(|p| p.ip().octets().into_iter().chain(p.port().to_be_bytes()))
                        .collect();
                    let mut body = format!("d8:intervali2e5:peers{}:", compact.len()).into_bytes();
                    body.extend_from_slice(&compact);
                    body.push(b'e');
                    body
                };
                let mut resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                resp.extend_from_slice(&body);
                let _ = conn.write_all(&resp).await;
            });
        }
    });
    addr
}

/// How many peers the tracker knows, over all torrents.
async fn tracker_peers(tracker: std::net::SocketAddr) -> usize {
    let Ok(resp) = reqwest::get(format!("http://{tracker}/peers")).await else { return 0 };
    resp.text().await.unwrap_or_default().parse().unwrap_or(0)
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    out
}

fn run_harness(engine: Engine, url: &str, torrent: &Path, shots: &Path) -> serde_json::Value {
    let out = std::process::Command::new("node")
        .arg(repo().join("tests/e2e/library.mjs"))
        .arg(url)
        .arg(torrent)
        .arg(shots)
        .args(["--browser", engine.name()])
        .current_dir(repo())
        .output()
        .expect("node is needed for page tests");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "library.mjs failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("library.mjs printed no JSON ({e}): {stdout}"))
}

/// aria2, stopped when the test ends.
struct Aria2(std::process::Child);

impl Drop for Aria2 {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until something accepts connections on 127.0.0.1:`port` (aria2 listens once it has
/// checked the files).
fn wait_listening(port: u16) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "aria2 never listened on port {port}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
