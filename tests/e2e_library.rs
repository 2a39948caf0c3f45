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
