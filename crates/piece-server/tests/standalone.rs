//! The installed binary on its own: `piece-server` copied alone into an empty folder and started
//! there (`seed` of the bundled sample) serves the player page and its wasm engine from inside
//! the binary, and the sample plays in headless Chromium with one click.
//!
//! Needs node with `playwright-core` and /usr/bin/chromium for the playing part (skipped with a
//! message when missing, unless RIPTIDE_REQUIRE_TOOLS=1, as `scripts/test.sh` sets).

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use reqwest::{header, Client, StatusCode};
use tokio::io::{AsyncBufReadExt, BufReader};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Whether the browser tools are there; missing tools fail the test under
/// RIPTIDE_REQUIRE_TOOLS=1 and skip the browser part otherwise.
fn browser_available() -> bool {
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let ok = node
        && repo().join("node_modules/playwright-core").is_dir()
        && Path::new("/usr/bin/chromium").exists();
    if !ok {
        assert!(
            std::env::var("RIPTIDE_REQUIRE_TOOLS").is_err(),
            "node, npm's playwright-core or /usr/bin/chromium is missing (scripts/test.sh installs them)"
        );
        eprintln!("SKIPPED the playing part: node, playwright-core or /usr/bin/chromium missing");
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_alone_in_an_empty_folder_serves_the_page_and_plays_the_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("empty");
    std::fs::create_dir(&dir).unwrap();
    let bin = dir.join("piece-server");
    std::fs::copy(env!("CARGO_BIN_EXE_piece-server"), &bin).unwrap();
    let sample = repo().join("assets/sample.mkv");

    let mut child = tokio::process::Command::new(&bin)
        .arg("seed")
        .arg(&sample)
        .args(["--no-dht", "--no-trackers", "--listen", "127.0.0.1:0"])
        .current_dir(&dir)
        .env_remove("RIPTIDE_WWW")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let read_url = async {
        lines.next_line().await.unwrap().expect("a magnet line");
        lines.next_line().await.unwrap().expect("a URL line")
    };
    let url = tokio::time::timeout(Duration::from_secs(30), read_url).await.expect("seed printed its URL");
    let base = url.split_once("/?magnet=").expect("a player URL").0.to_owned();

    // The page, the widget and the engine come from the binary: nothing else is in the folder.
    let client = Client::new();
    let page = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(page.text().await.unwrap().contains("<video"), "GET / is not the player page");
    for (path, ty) in [
        ("/embed.js", "text/javascript; charset=utf-8"),
        // The page's and the widget's shared modules (www/lib/), imported by both.
        ("/lib/engine.js", "text/javascript; charset=utf-8"),
        ("/lib/errors.js", "text/javascript; charset=utf-8"),
        ("/pkg/remux_wasm.js", "text/javascript; charset=utf-8"),
        ("/pkg/remux_wasm_bg.wasm", "application/wasm"),
    ] {
        let resp = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert_eq!(resp.headers()[header::CONTENT_TYPE], ty, "{path}");
        assert_eq!(resp.headers()[header::CACHE_CONTROL], "no-cache", "{path}");
        let etag = resp.headers()[header::ETAG].clone();
        let on_disk = std::fs::read(repo().join("www").join(&path[1..])).unwrap();
        assert_eq!(resp.bytes().await.unwrap(), on_disk, "{path} differs from www/");
        // Revalidation costs no body.
        let again = client.get(format!("{base}{path}")).header(header::IF_NONE_MATCH, etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    let missing = client.get(format!("{base}/nothing-here.js")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(
        entries.iter().all(|n| n == "piece-server" || n == ".riptide"),
        "the server created unexpected files next to itself: {entries:?}"
    );

    if !browser_available() {
        return;
    }
    let base2 = base.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(repo().join("tests/e2e/play.mjs"))
            .arg(format!("{base2}/"))
            .args(["--play-seconds", "2", "--timeout-ms", "60000", "--click", "#sample"])
            .current_dir(repo())
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "play.mjs failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap();
    eprintln!("standalone sample report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    let current = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(current >= 2.0, "the sample played only {current} s; status: {}", report["status"]);
}

/// deploy/systemd/piece-server.service is a valid unit for the binary just built
/// (`systemd-analyze verify`: syntax, known settings, an executable ExecStart), and its
/// ExecStart arguments are ones the binary accepts.
#[test]
fn the_systemd_unit_verifies_against_the_built_binary() {
    let unit = std::fs::read_to_string(repo().join("deploy/systemd/piece-server.service")).unwrap();
    let exec = unit.lines().find_map(|l| l.strip_prefix("ExecStart=")).expect("an ExecStart line");
    let mut words = exec.split_whitespace();
    assert_eq!(words.next(), Some("/usr/local/bin/piece-server"), "the documented install path");
    let args: Vec<String> = words.map(|w| w.replace("%S", "/var/lib")).collect();

    // The arguments parse: with a bad --listen appended, clap stops at the first error in order,
    // so it must name --listen, not one of the unit's own arguments (and nothing starts).
    let parsed = Command::new(env!("CARGO_BIN_EXE_piece-server"))
        .args(&args)
        .args(["--listen", "not-an-address"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&parsed.stderr);
    assert!(
        stderr.contains("--listen") && !stderr.contains("unexpected argument"),
        "the unit's ExecStart arguments are not ones piece-server takes: {stderr}"
    );

    let Ok(version) = Command::new("systemd-analyze").arg("--version").output() else {
        assert!(
            std::env::var("RIPTIDE_REQUIRE_TOOLS").is_err(),
            "systemd-analyze is missing (Debian package systemd)"
        );
        eprintln!("SKIPPED: systemd-analyze is not installed");
        return;
    };
    assert!(version.status.success());
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("piece-server.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/piece-server", env!("CARGO_BIN_EXE_piece-server"))).unwrap();
    let out = Command::new("systemd-analyze").args(["verify", "--man=no"]).arg(&path).output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "systemd-analyze verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
