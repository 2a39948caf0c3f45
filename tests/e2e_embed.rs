//! The embeddable player (`www/embed.js`, `/embed`) as another site would use it: a host page
//! served from its own origin (a tiny axum server on another port) embeds `<riptide-player>`
//! elements or the `/embed` iframe from a piece-server that streams from a real seeder over
//! loopback, in headless Chromium (`tests/e2e/embed.mjs` drives it and prints JSON).
//!
//! Needs ffmpeg, node with `playwright-core`, /usr/bin/chromium and the wasm package in
//! `www/pkg` — `scripts/test.sh` provides all of them.

use test_support::page as support;

use std::{net::SocketAddr, path::PathBuf, process::Command};

use piece_server::{Config, SeedInfo, Server};
use serde_json::Value;
use support::{encode, named_fixture, repo, require_wasm_package};

/// A second film, different from the bundled sample: 60 s of 640×360 H.264 + AAC in MKV.
fn film_360p_mkv() -> PathBuf {
    named_fixture(
        "embed-360p-1min.mkv",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "60", "-c:v", "libx264", "-preset", "veryfast", "-g", "50",
            "-b:v", "800k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k",
        ],
    )
}

/// Upload cap of the seeder (bytes/s): the films arrive over a few seconds, so the players
/// stream while the torrents download.
const SEEDER_UPLOAD_BPS: u32 = 4_000_000;

/// A seeder sharing `films` at [`SEEDER_UPLOAD_BPS`] and an empty piece-server serving
/// `www/`, configured by `tweak` (see [`support::seeded_servers`]).
async fn swarm(
    name: &str,
    films: &[PathBuf],
    tweak: impl FnOnce(&mut Config),
) -> (Vec<SeedInfo>, SocketAddr, [Server; 2]) {
    let films: Vec<&std::path::Path> = films.iter().map(|f| f.as_path()).collect();
    support::seeded_servers(name, &films, None, SEEDER_UPLOAD_BPS, tweak).await
}

/// The host site: serves `html` at `/` from its own port (a different origin from the server).
struct HostPage {
    origin: String,
    listener: Option<tokio::net::TcpListener>,
}

impl HostPage {
    async fn bind() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        HostPage { origin, listener: Some(listener) }
    }

    /// Starts serving `html`; returns the page URL.
    fn serve(&mut self, html: String) -> String {
        let listener = self.listener.take().expect("serve once");
        let app = axum::Router::new().route("/", axum::routing::get(move || async move { axum::response::Html(html) }));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("{}/", self.origin)
    }
}

fn html_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

/// Runs `node tests/e2e/SCRIPT URL --timeout-ms 60000 ARGS...` off the async runtime and
/// parses the JSON report it prints last.
async fn run_node(script: &'static str, url: String, args: Vec<String>) -> Value {
    tokio::task::spawn_blocking(move || {
        let out = Command::new("node")
            .arg(repo().join("tests/e2e").join(script))
            .arg(&url)
            .args(["--timeout-ms", "60000"])
            .args(&args)
            .current_dir(repo())
            .output()
            .expect("node is needed for page tests");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{script} failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_str(stdout.lines().last().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}): {stdout}"))
    })
    .await
    .unwrap()
}

/// `tests/e2e/embed.mjs` (a host page with widgets or the iframe).
async fn run_page(url: String, args: Vec<String>) -> Value {
    run_node("embed.mjs", url, args).await
}

/// `tests/e2e/play.mjs`: the Riptide page itself, not a widget.
async fn run_app_page(url: String, args: Vec<String>) -> Value {
    run_node("play.mjs", url, args).await
}

/// `POST /api/torrents` as a program on this machine would (no Origin: allowed).
async fn owner_adds(addr: SocketAddr, magnet: &str) -> Value {
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/api/torrents"))
        .header("content-type", "application/json")
        .body(serde_json::json!({ "magnet": magnet }).to_string())
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "the owner could not add the torrent: {}", resp.status());
    serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap()
}

fn player<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["players"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == id))
        .unwrap_or_else(|| panic!("no player {id:?} in the report: {report:#}"))
}

fn assert_plays(report: &Value, id: &str, seconds: f64) {
    let p = player(report, id);
    assert!(p["error"].is_null(), "player {id} failed: {}", p["error"]);
    let t = p["currentTime"].as_f64().unwrap_or(0.0);
    assert!(t >= seconds, "player {id} played only to {t} s (state {})", p["state"]);
    let events = p["eventTypes"].as_array().unwrap();
    for e in ["ready", "playing", "progress"] {
        assert!(events.iter().any(|x| x == e), "player {id} never fired {e:?}: {events:?}");
    }
    assert!(p["ready"]["duration"].as_f64().unwrap_or(0.0) > 10.0, "ready without a duration: {}", p["ready"]);
    let progress = &p["lastProgress"];
    assert!(progress["bytesFetched"].as_f64().unwrap_or(0.0) > 0.0, "progress without bytes: {progress}");
    assert!(progress["peers"].is_number(), "progress without peer figures: {progress}");
    assert!(progress["bufferedAhead"].is_number(), "progress without buffer figures: {progress}");
    // The host page's CSS hides every <video>; the one in the shadow root must not be affected.
    assert!(p["videoSize"]["width"].as_f64().unwrap_or(0.0) > 0.0, "the host's CSS reached the player: {}", p["videoSize"]);
}

/// Two players from a server on another origin play at once on one page: one film the owner
/// added (read-only for the page), one the page adds itself (its origin is in `--add-origin`).
/// Removing the second element stops every request naming its torrent and frees its player,
/// while the first keeps playing; then the first is given the second's magnet and plays it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_widgets_from_another_origin_play_and_removal_stops_traffic() {
    require_wasm_package();
    let mut host = HostPage::bind().await;
    let films = [repo().join("assets/sample.mkv"), film_360p_mkv()];
    let origin = host.origin.clone();
    let (seeded, addr, _servers) = swarm("embed-two", &films, |c| c.add_origins = vec![origin]).await;
    owner_adds(addr, &seeded[0].magnet).await;

    let url = host.serve(format!(
        r#"<!doctype html><meta charset="utf-8"><title>A blog post</title>
<style>video {{ display: none !important; }} riptide-player {{ width: 480px; }}</style>
<script type="module" src="http://{addr}/embed.js"></script>
<p>Two films:</p>
<riptide-player id="a" magnet="{}" file="0" autoplay muted controls></riptide-player>
<riptide-player id="b" magnet="{}" autoplay muted></riptide-player>"#,
        html_attr(&seeded[0].magnet),
        html_attr(&seeded[1].magnet)
    ));
    let report = run_page(
        url,
        vec![
            "--play-seconds".into(), "2".into(),
            "--remove".into(), "b".into(),
            "--then-magnet".into(), "a".into(), seeded[1].magnet.clone(),
        ],
    )
    .await;
    eprintln!("embed report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert_plays(&report, "a", 2.0);
    assert_plays(&report, "b", 2.0);
    let b = player(&report, "b");
    assert_eq!(b["torrentId"], seeded[1].info_hash.as_str(), "player b plays another torrent");
    assert_eq!(report["wasmRequests"], 1, "each player loaded its own wasm module");
    for id in ["a", "b"] {
        // Peer figures come from the server's event stream, not from polling.
        assert_eq!(player(&report, id)["watchMode"], "events", "player {id} does not follow the event stream");
    }

    let removal = &report["removal"];
    assert!(removal["requestsBefore"].as_u64().unwrap() > 0, "no requests seen for player b: {removal}");
    assert_eq!(removal["requestsAfter"], 0, "player b kept fetching after its removal: {removal}");
    assert_eq!(removal["stillInPage"], false);
    assert_eq!(removal["leftover"]["player"], false, "the removed player was not freed");
    assert_eq!(removal["leftover"]["openEventStreams"], 0, "the removed player's event stream is still open: {removal}");
    assert!(removal["leftover"]["videoSrc"].is_null(), "the removed video still has a source: {removal}");
    let a = removal["others"].as_array().unwrap().iter().find(|p| p["id"] == "a").unwrap();
    let (before, after) = (a["before"].as_f64().unwrap(), a["after"].as_f64().unwrap());
    assert!(after >= before + 1.0, "player a stopped when b was removed ({before} → {after} s)");

    // A new magnet on player a: it plays the other film.
    let changed = &report["changed"];
    assert!(changed["error"].is_null(), "player a failed after its magnet changed: {changed}");
    assert_eq!(changed["torrentId"], seeded[1].info_hash.as_str(), "player a kept its old film: {changed}");
    assert!(changed["currentTime"].as_f64().unwrap_or(0.0) >= 1.0, "the new film did not play: {changed}");
}

/// The iframe form: `/embed?magnet=...&file=0&t=5`, from another origin, fills its frame, may
/// go full screen, and plays from 5 s (a film the owner added: the frame never adds one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iframe_form_plays_from_the_start_time() {
    require_wasm_package();
    let mut host = HostPage::bind().await;
    let films = [repo().join("assets/sample.mkv")];
    let (seeded, addr, _servers) = swarm("embed-iframe", &films, |_| {}).await;
    owner_adds(addr, &seeded[0].magnet).await;
    let src = format!("http://{addr}/embed?magnet={}&file=0&t=5&autoplay=1&muted=1", encode(&seeded[0].magnet));
    let url = host.serve(format!(
        r#"<!doctype html><meta charset="utf-8"><title>A forum</title>
<iframe src="{}" style="width: 640px; height: 360px; border: 0" allow="autoplay; fullscreen" allowfullscreen></iframe>"#,
        html_attr(&src)
    ));
    let report = run_page(url, vec!["--play-seconds".into(), "7".into()]).await;
    eprintln!("iframe report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    let p = player(&report, "player");
    assert!(p["frame"].as_str().unwrap_or("").contains("/embed?"), "the player is not in the frame: {p}");
    assert_plays(&report, "player", 7.0);
    let first = p["firstPlayingAt"].as_f64().unwrap_or(-1.0);
    assert!(first >= 4.9, "t=5 ignored: playback began at {first} s");
    assert_eq!(p["size"], p["viewport"], "the player does not fill its frame");
    assert_eq!(p["fullscreenEnabled"], true, "the frame cannot go full screen");
    let title = p["documentTitle"].as_str().unwrap_or_default();
    assert!(title.starts_with(seeded[0].name.as_str()), "the frame's title does not name the film: {title:?}");
}

/// The attack of issue 18: another site frames `/embed?magnet=EVIL&autoplay=1` (the server's
/// own page, same origin as the server), and links to `/?magnet=EVIL` (the viewer follows the
/// link: a top-level page of the server). Neither adds the torrent: the frame says in plain
/// words that the film is not on the server, the page asks its owner and, without a click,
/// nothing is fetched. Once the owner has the film, the same link plays at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_frame_or_link_makes_the_server_add_nothing() {
    require_wasm_package();
    let mut host = HostPage::bind().await;
    let films = [repo().join("assets/sample.mkv")];
    let (seeded, addr, _servers) = swarm("embed-evil", &films, |_| {}).await;
    let evil = &seeded[0].magnet;
    let has_it = || async {
        reqwest::get(format!("http://{addr}/api/torrents/{}", seeded[0].info_hash)).await.unwrap().status().as_u16()
    };
    let frame = format!("http://{addr}/embed?magnet={}&autoplay=1", encode(evil));
    let link = format!("http://{addr}/?magnet={}&file=0", encode(evil));
    let url = host.serve(format!(
        r#"<!doctype html><meta charset="utf-8"><title>Free films</title>
<iframe src="{}" style="width: 640px; height: 360px; border: 0" allow="autoplay"></iframe>
<p><a id="go" href="{}">Watch in full</a></p>"#,
        html_attr(&frame),
        html_attr(&link)
    ));
    let framed = run_page(url.clone(), vec!["--expect-error".into()]).await;
    eprintln!("framed /embed report: {framed:#}");
    assert_eq!(framed["errors"], serde_json::json!([]), "page errors");
    let p = player(&framed, "player");
    let msg = p["error"].as_str().unwrap_or_else(|| panic!("the frame showed no error: {p}"));
    assert!(msg.contains("not on the server yet") && msg.contains("may not add"), "the frame does not say why: {msg}");
    assert_eq!(has_it().await, 404, "a foreign frame of /embed made the server add the torrent");

    // The viewer clicks the foreign site's link: the server's page asks, nobody confirms.
    let followed = run_app_page(url, vec!["--click".into(), "#go".into(), "--no-confirm".into(), "--play-seconds".into(), "1".into()]).await;
    eprintln!("followed link report: {followed:#}");
    assert_eq!(followed["errors"], serde_json::json!([]), "page errors");
    let asked = &followed["confirm"];
    assert_eq!(asked["name"], seeded[0].name.as_str(), "the confirmation does not name the film: {asked}");
    assert_eq!(asked["magnet"], evil.as_str(), "the confirmation does not show the magnet: {asked}");
    assert!(followed["firstFrame"].is_null(), "something played without the owner's click");
    assert_eq!(has_it().await, 404, "following a link to /?magnet= made the server add the torrent");

    // The owner has it now: the same link plays at once, no confirmation.
    owner_adds(addr, evil).await;
    let opened = run_app_page(link, vec!["--no-confirm".into(), "--play-seconds".into(), "1".into()]).await;
    assert_eq!(opened["errors"], serde_json::json!([]), "page errors");
    assert!(opened["confirm"].is_null(), "the page asked to confirm a film the server has");
    assert!(opened["currentTime"].as_f64().unwrap_or(0.0) >= 1.0, "the shared link did not play: {}", opened["status"]);
}

/// The owner follows a shared link to a film the server does not have: the page shows what it
/// would fetch (the name from the magnet's `dn`, the magnet) with a button; one click, and it
/// plays. Only that click sent the consent secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_confirms_a_new_link_on_the_page_and_it_plays() {
    require_wasm_package();
    let films = [repo().join("assets/sample.mkv")];
    let (seeded, addr, _servers) = swarm("embed-confirm", &films, |_| {}).await;
    let link = format!("http://{addr}/?magnet={}&file=0", encode(&seeded[0].magnet));
    let report = run_app_page(link, vec!["--play-seconds".into(), "2".into()]).await;
    eprintln!("confirmed link report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    let confirmations = report["confirmations"].as_array().unwrap();
    assert_eq!(confirmations.len(), 1, "the owner was asked {} times: {confirmations:?}", confirmations.len());
    assert_eq!(confirmations[0]["name"], seeded[0].name.as_str());
    let consents: Vec<bool> = report["api"]["adds"].as_array().unwrap().iter().map(|a| a["consent"] == true).collect();
    assert_eq!(consents, vec![false, true], "the page sent its consent before the click, or never");
    assert!(report["currentTime"].as_f64().unwrap_or(0.0) >= 2.0, "the film did not play after the click: {}", report["status"]);
    let status = reqwest::get(format!("http://{addr}/api/torrents/{}", seeded[0].info_hash)).await.unwrap().status();
    assert_eq!(status.as_u16(), 200);
}

/// A page from a site that is not allowed to add torrents asks for a film the server does not
/// have: the widget shows the server's refusal, and neither it nor a hostile "simple" POST
/// (text/plain, no preflight) made the server add the torrent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_from_another_origin_cannot_add_a_torrent() {
    require_wasm_package();
    let mut host = HostPage::bind().await;
    let films = [repo().join("assets/sample.mkv")];
    let (seeded, addr, _servers) = swarm("embed-refused", &films, |_| {}).await;
    let magnet = &seeded[0].magnet;
    let url = host.serve(format!(
        r#"<!doctype html><meta charset="utf-8"><title>Some site</title>
<script type="module" src="http://{addr}/embed.js"></script>
<riptide-player id="x" magnet="{}" autoplay muted></riptide-player>"#,
        html_attr(magnet)
    ));
    let report = run_page(
        url,
        vec![
            "--expect-error".into(),
            "--no-cors-post".into(),
            format!("http://{addr}/api/torrents"),
            magnet.clone(),
        ],
    )
    .await;
    eprintln!("refusal report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    let p = player(&report, "x");
    let msg = p["error"].as_str().unwrap_or_else(|| panic!("the widget showed no error: {p}"));
    assert!(msg.contains("may not add"), "the error does not say why: {msg}");
    assert!(p["errorEvents"].as_array().is_some_and(|e| !e.is_empty()), "no error event fired: {p}");
    assert!(report["noCorsPost"]["type"] == "opaque", "the hostile POST did not reach the server: {}", report["noCorsPost"]);
    let status = reqwest::get(format!("http://{addr}/api/torrents/{}", seeded[0].info_hash))
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 404, "a page from another origin made the server add the torrent");
}

/// A film in a codec the browser cannot decode (H.265 in MKV: Debian's Chromium has no HEVC
/// through MSE; asked at run time): the widget says so in plain words, naming the codec, in
/// its `error` event and on screen, instead of a black box or a media error code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_codec_the_browser_cannot_decode_is_named_in_the_error() {
    require_wasm_package();
    let mut host = HostPage::bind().await;
    let hevc = named_fixture(
        "embed-hevc-5s.mkv",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "5", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
            "-pix_fmt", "yuv420p", "-c:a", "aac",
        ],
    );
    let (seeded, addr, _servers) = swarm("embed-hevc", &[hevc], |_| {}).await;
    owner_adds(addr, &seeded[0].magnet).await;
    let url = host.serve(format!(
        r#"<!doctype html><meta charset="utf-8"><title>A film</title>
<script type="module" src="http://{addr}/embed.js"></script>
<riptide-player id="x" magnet="{}" autoplay muted></riptide-player>"#,
        html_attr(&seeded[0].magnet)
    ));
    let report = run_page(url, vec!["--expect-error".into()]).await;
    eprintln!("unplayable codec report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    let p = player(&report, "x");
    let msg = p["error"].as_str().unwrap_or_else(|| panic!("the widget showed no error: {p}"));
    assert!(msg.contains("H.265 (HEVC)"), "the error does not name the codec: {msg}");
    let events = p["errorEvents"].as_array().cloned().unwrap_or_default();
    assert!(events.iter().any(|e| e.as_str() == Some(msg)), "no error event with the message: {p}");
    // A page branches on the code, not on the words (docs/API.md, "Errors").
    let detail = &p["errorDetails"][0];
    assert_eq!(detail["code"], "unsupported-codec", "the error event has no code: {p}");
    assert_eq!(detail["fatal"], true, "the error event does not say playback stopped: {p}");
    assert_eq!(detail["codec"], "H.265 (HEVC)", "the error event does not name the codec: {p}");
    assert_eq!(p["problem"]["code"], "unsupported-codec", "el.problem: {p}");
}

/// The Riptide page opened from "another machine" (the browser reaches the server by a name,
/// `riptide.test`, mapped to 127.0.0.1 and allowed with `--public-host`: not an IP literal or
/// localhost, so the server treats the page as it treats a viewer on the LAN of a
/// `--listen 0.0.0.0` server) on a server with an `--add-token`: adding the magnet is refused, the page asks for the token; a wrong token is
/// refused again with the server's words; the right one is remembered in localStorage, sent as
/// `Authorization: Bearer`, and the film plays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_asks_for_the_add_token_and_plays_with_it() {
    require_wasm_package();
    const TOKEN: &str = "correct-horse-battery";
    let films = [repo().join("assets/sample.mkv")];
    let (seeded, addr, _servers) = swarm("embed-token", &films, |c| {
        c.add_token = Some(TOKEN.into());
        c.net.public_hosts = vec!["riptide.test".into()];
    })
    .await;
    let url = format!("http://riptide.test:{}/?magnet={}&file=0", addr.port(), encode(&seeded[0].magnet));
    let report = run_app_page(
        url,
        vec![
            "--host-map".into(), "riptide.test".into(),
            "--play-seconds".into(), "1".into(),
            "--tokens".into(), format!("wrong-token,{TOKEN}"),
        ],
    )
    .await;
    eprintln!("token report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    let prompts = report["tokenPrompts"].as_array().unwrap();
    assert_eq!(prompts.len(), 2, "the page asked for the token {} times, not twice: {prompts:?}", prompts.len());
    let first = prompts[0]["why"].as_str().unwrap();
    assert!(first.contains("add token"), "the first prompt does not say a token is needed: {first}");
    let second = prompts[1]["why"].as_str().unwrap();
    assert!(second.contains("wrong"), "the prompt after a wrong token does not pass on the server's refusal: {second}");
    let adds: Vec<Value> = report["api"]["adds"].as_array().unwrap().iter().map(|a| a["authorization"].clone()).collect();
    assert_eq!(
        adds,
        vec![Value::Null, "Bearer wrong-token".into(), format!("Bearer {TOKEN}").into()],
        "the adds the page sent"
    );
    assert_eq!(report["storedToken"], TOKEN, "the page did not remember the token");
    assert!(report["tokenForm"].is_null(), "the token form is still shown: {}", report["tokenForm"]);
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    let t = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(t >= 1.0, "the film played only {t} s after the token; status: {}", report["status"]);
    let status = reqwest::get(format!("http://{addr}/api/torrents/{}", seeded[0].info_hash)).await.unwrap().status();
    assert_eq!(status.as_u16(), 200, "the server does not have the torrent the page added");
}

/// The third film of these tests: 30 s of 320×180 H.264 + AAC in MKV.
fn film_180p_mkv() -> PathBuf {
    named_fixture(
        "embed-180p-30s.mkv",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000",
            "-t", "30", "-c:v", "libx264", "-preset", "veryfast", "-g", "50",
            "-b:v", "400k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k",
        ],
    )
}

/// A page with several films nobody has started (a blog post with three embeds) must not
/// download them all. `shown` (preload="metadata", the default) fetches its headers and first
/// frame, no more than the film up to its first second plus two startup requests, and then
/// nothing even after the 3 s after which the Riptide page itself fills its buffer;
/// `none` (preload="none", a play button over it) asks the server nothing at all, so the server
/// does not even add its torrent; `lazy` (below the fold) asks nothing until it is scrolled
/// into view, then shows its first frame. Pressing `none`'s play button and calling
/// `shown.play()` play both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn players_nobody_started_fetch_only_a_first_frame() {
    require_wasm_package();
    let mut host = HostPage::bind().await;
    let films = [film_360p_mkv(), repo().join("assets/sample.mkv"), film_180p_mkv()];
    // What `shown` may fetch: the film up to its first second, plus two 256 KiB requests
    // (scheduler `startup_bytes`; the one the demuxer waits for and the one after it).
    let budget = support::offset_at(&films[0], 1.0) + 2 * (256 << 10);
    let ten_seconds = support::offset_at(&films[0], 10.0);
    assert!(budget < ten_seconds, "fixture: the budget ({budget} bytes) is not less than 10 s of film ({ten_seconds})");
    let origin = host.origin.clone();
    let (seeded, addr, _servers) = swarm("embed-preload", &films, |c| c.add_origins = vec![origin]).await;
    owner_adds(addr, &seeded[0].magnet).await;
    owner_adds(addr, &seeded[2].magnet).await;
    let url = host.serve(format!(
        r#"<!doctype html><meta charset="utf-8"><title>Three films in a post</title>
<script type="module" src="http://{addr}/embed.js"></script>
<riptide-player id="shown" magnet="{}" controls muted></riptide-player>
<riptide-player id="none" magnet="{}" preload="none" muted></riptide-player>
<div style="height: 4000px">A long post.</div>
<riptide-player id="lazy" magnet="{}" muted></riptide-player>"#,
        html_attr(&seeded[0].magnet),
        html_attr(&seeded[1].magnet),
        html_attr(&seeded[2].magnet)
    ));
    let report = run_page(
        url,
        vec![
            "--preload-check".into(), "shown".into(), "none".into(), "lazy".into(),
            "--watch-ms".into(), "4000".into(),
            "--play-seconds".into(), "2".into(),
        ],
    )
    .await;
    eprintln!("preload report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    let phase = |name: &str, id: &str| -> Value {
        report["preload"][name]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["id"] == id).cloned())
            .unwrap_or_else(|| panic!("no player {id:?} in phase {name}: {report:#}"))
    };

    let shown = phase("idle", "shown");
    assert!(shown["error"].is_null(), "{}", shown["error"]);
    assert!(shown["readyState"].as_u64().unwrap_or(0) >= 2, "no first frame shown: {shown}");
    assert_eq!(shown["paused"], true, "it started playing by itself: {shown}");
    assert_eq!(shown["currentTime"], 0.0);
    let fetched = shown["bytesFetched"].as_f64().unwrap_or(f64::MAX);
    assert!(
        fetched <= budget as f64,
        "a player nobody started fetched {fetched} bytes; its first second + 2 requests is {budget} (10 s: {ten_seconds})"
    );
    assert_eq!(shown["eventStreams"], 0, "a player nobody started follows its torrent's events: {shown}");
    let none = phase("idle", "none");
    assert_eq!(none["requests"], 0, "preload=none asked the server about its torrent: {none}");
    assert_eq!(none["playButton"], true, "preload=none shows no play button: {none}");
    let lazy = phase("idle", "lazy");
    assert_eq!(lazy["requests"], 0, "the player below the fold loaded before it was seen: {lazy}");

    let lazy = phase("scrolled", "lazy");
    assert!(lazy["error"].is_null(), "{}", lazy["error"]);
    assert!(lazy["readyState"].as_u64().unwrap_or(0) >= 2, "scrolled into view, it shows no first frame: {lazy}");
    assert_eq!(lazy["paused"], true);
    let shown_later = phase("scrolled", "shown");
    assert_eq!(shown_later["bytesFetched"], shown["bytesFetched"], "the paused player kept fetching");

    assert_eq!(report["preload"]["playPromise"], "resolved", "shown.play()");
    for id in ["shown", "none"] {
        let p = phase("played", id);
        assert!(p["error"].is_null(), "player {id} failed: {}", p["error"]);
        let t = p["currentTime"].as_f64().unwrap_or(0.0);
        assert!(t >= 2.0, "player {id} played only to {t} s after play (state {})", p["state"]);
        assert_eq!(p["playButton"], false, "player {id} still shows its play button");
        assert_eq!(p["watchMode"], "events", "player {id} does not follow its torrent once playing: {p}");
        let events = p["eventTypes"].as_array().unwrap();
        for e in ["ready", "playing", "timeupdate"] {
            assert!(events.iter().any(|x| x == e), "player {id} never fired {e:?}: {events:?}");
        }
    }
    let status = reqwest::get(format!("http://{addr}/api/torrents/{}", seeded[1].info_hash)).await.unwrap().status();
    assert_eq!(status.as_u16(), 200, "playing preload=none did not add its torrent");
}

/// The user's way to embed: watch a film on the Riptide page, open "Share or embed", tick
/// "Start at", and paste what it offers. The link opens the page at that second; the two-line
/// snippet and the iframe snippet, pasted as they are into a page on another site, play from
/// that second too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_share_panel_offers_plays_on_another_site() {
    require_wasm_package();
    let mut host = HostPage::bind().await;
    let films = [film_360p_mkv()];
    let (seeded, addr, _servers) = swarm("embed-share", &films, |_| {}).await;
    let magnet = &seeded[0].magnet;
    let page = format!("http://{addr}/?magnet={}&file=0", encode(magnet));
    let watched = run_app_page(page.clone(), vec!["--play-seconds".into(), "6".into(), "--share".into()]).await;
    assert_eq!(watched["errors"], serde_json::json!([]), "page errors");
    let share = &watched["share"];
    assert_eq!(share["shown"], true, "no share panel while the film plays: {share}");
    assert_eq!(share["link"], page.as_str(), "the link is not the page's own link to the film");
    let script = share["script"].as_str().unwrap();
    assert!(
        script.starts_with(&format!(r#"<script type="module" src="http://{addr}/embed.js"></script>"#)),
        "the snippet does not load this server's embed.js: {script}"
    );
    assert!(!script.contains("start=") && !share["iframe"].as_str().unwrap().contains("&amp;t="), "unticked, yet a start time: {share}");

    let at = &watched["shareAt"];
    let start = at["currentTime"].as_f64().unwrap().floor();
    assert!(start >= 6.0, "the film had played only {start} s");
    assert!(at["link"].as_str().unwrap().ends_with(&format!("&t={start}")), "the link does not start at {start} s: {}", at["link"]);
    let (script, iframe) = (at["script"].as_str().unwrap(), at["iframe"].as_str().unwrap());
    assert!(script.contains(&format!(r#"start="{start}""#)), "{script}");
    assert!(iframe.contains(&format!("&amp;t={start}")), "{iframe}");

    // Pasted as they are into another site's page.
    let url = host.serve(format!(
        "<!doctype html><meta charset=\"utf-8\"><title>My post</title>\n<p>Look at this:</p>\n{script}\n<p>Or here:</p>\n{iframe}"
    ));
    // Neither snippet autoplays: the viewer presses play.
    let report = run_page(url, vec!["--press-play".into(), "--play-seconds".into(), (start + 1.0).to_string()]).await;
    eprintln!("pasted snippets report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    // "" is the element of the two-line snippet (it has no id); "player" the iframe's.
    for id in ["", "player"] {
        assert_plays(&report, id, start + 1.0);
        let first = player(&report, id)["firstPlayingAt"].as_f64().unwrap_or(-1.0);
        assert!(first >= start - 0.5, "player {id:?} began at {first} s, not at {start} s");
    }
    assert!(player(&report, "player")["frame"].as_str().unwrap_or("").contains("/embed?"));

    // The link, opened by someone else: the Riptide page, from that second.
    let opened = run_app_page(at["link"].as_str().unwrap().to_string(), vec!["--play-seconds".into(), (start + 1.0).to_string()]).await;
    assert_eq!(opened["errors"], serde_json::json!([]), "page errors");
    let first = opened["firstFrame"]["currentTime"].as_f64().unwrap_or(-1.0);
    assert!(first >= start - 0.5, "the shared link began playing at {first} s, not at {start} s");
}

/// A CMS or forum that discovers oEmbed on a pasted Riptide link (`/?magnet=...&t=3`) embeds
/// the `html` of the server's `/oembed` answer: pasted into another site's page, it plays from
/// 3 s once the viewer presses play.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oembed_answer_pasted_into_a_page_plays() {
    require_wasm_package();
    let mut host = HostPage::bind().await;
    let films = [repo().join("assets/sample.mkv")];
    let (seeded, addr, _servers) = swarm("embed-oembed", &films, |_| {}).await;
    owner_adds(addr, &seeded[0].magnet).await;
    let link = format!("http://{addr}/?magnet={}&file=0&t=3", encode(&seeded[0].magnet));
    let answer: Value = reqwest::get(format!("http://{addr}/oembed?url={}", encode(&link)))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let html = answer["html"].as_str().expect("an oEmbed video has html");
    let url = host.serve(format!(
        "<!doctype html><meta charset=\"utf-8\"><title>A forum post</title>\n<p>{}</p>\n{html}",
        answer["title"].as_str().unwrap_or_default()
    ));
    let report = run_page(url, vec!["--press-play".into(), "--play-seconds".into(), "4".into()]).await;
    eprintln!("oembed report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert_plays(&report, "player", 4.0);
    let first = player(&report, "player")["firstPlayingAt"].as_f64().unwrap_or(-1.0);
    assert!(first >= 2.5, "the embedded player began at {first} s, not at 3 s");
}

/// A page that adds and removes players again and again (a single-page site moving between
/// films) does not grow: each removed player's memory in the shared wasm engine is reused by
/// the next, and no event stream stays open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn players_added_and_removed_again_and_again_free_their_memory() {
    require_wasm_package();
    let mut host = HostPage::bind().await;
    let films = [film_360p_mkv()];
    let (seeded, addr, _servers) = swarm("embed-churn", &films, |_| {}).await;
    owner_adds(addr, &seeded[0].magnet).await;
    let url = host.serve(format!(
        r#"<!doctype html><meta charset="utf-8"><title>A film site</title>
<script type="module" src="http://{addr}/embed.js"></script>"#
    ));
    const TIMES: usize = 5;
    let report = run_page(
        url,
        vec!["--churn".into(), TIMES.to_string(), seeded[0].magnet.clone(), "--play-seconds".into(), "1.5".into()],
    )
    .await;
    eprintln!("churn report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    let cycles = report["churn"].as_array().expect("churn cycles");
    assert_eq!(cycles.len(), TIMES);
    for c in cycles {
        assert!(c["error"].is_null(), "a player failed: {c}");
        assert!(c["played"].as_f64().unwrap_or(0.0) >= 1.5, "a player did not play: {c}");
        assert_eq!(c["players"], 0, "a removed player is still in the page: {c}");
        assert_eq!(c["openEventStreams"], 0, "a removed player's event stream is open: {c}");
    }
    // Wasm memory never shrinks; freed players are reused. A leak of the byte cache alone
    // (≥ 1 MiB a player here) would add several MiB over the later cycles.
    let mem = |i: usize| cycles[i]["wasmMemory"].as_f64().unwrap();
    assert!(
        mem(TIMES - 1) <= mem(1) + 1024.0 * 1024.0,
        "wasm memory grew from {} to {} bytes over {} more players",
        mem(1),
        mem(TIMES - 1),
        TIMES - 2
    );
}

/// Three widgets playing three different torrents from one server on one page: an event stream
/// holds one of the browser's 6 connections to the server, so only two of them follow their
/// torrent through `/events` and the third polls (www/torrent-watch.js,
/// MAX_STREAMS_PER_SERVER); all three play and report peer figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_widgets_share_the_connection_budget() {
    require_wasm_package();
    let mut host = HostPage::bind().await;
    let films = [repo().join("assets/sample.mkv"), film_360p_mkv(), film_180p_mkv()];
    let (seeded, addr, _servers) = swarm("embed-three", &films, |_| {}).await;
    for s in &seeded {
        owner_adds(addr, &s.magnet).await;
    }
    let url = host.serve(format!(
        r#"<!doctype html><meta charset="utf-8"><title>Three films</title>
<script type="module" src="http://{addr}/embed.js"></script>
<riptide-player id="a" magnet="{}" autoplay muted></riptide-player>
<riptide-player id="b" magnet="{}" autoplay muted></riptide-player>
<riptide-player id="c" magnet="{}" autoplay muted></riptide-player>"#,
        html_attr(&seeded[0].magnet),
        html_attr(&seeded[1].magnet),
        html_attr(&seeded[2].magnet)
    ));
    let report = run_page(url, vec!["--play-seconds".into(), "2".into()]).await;
    eprintln!("three players report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    let mut modes = Vec::new();
    for id in ["a", "b", "c"] {
        assert_plays(&report, id, 2.0);
        modes.push(player(&report, id)["watchMode"].as_str().unwrap_or("none").to_string());
    }
    modes.sort();
    assert_eq!(modes, ["events", "events", "polling"], "how the three players follow their torrents");
}
