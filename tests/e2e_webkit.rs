//! The page in WebKit: Debian's WebKitGTK (the engine Safari is built on, with GStreamer
//! decoding the media), driven over WebDriver by `tests/e2e/webkit.mjs` in an Xvfb display.
//! WebKitGTK has `ManagedMediaSource`, so this plays through the player's Safari path
//! (`player/media_source.rs`): the streaming gate and `disableRemotePlayback` included.
//!
//! Needs the Debian packages webkit2gtk-driver, xvfb, gstreamer1.0-libav and
//! gstreamer1.0-plugins-bad (H.264 and AAC decoders and parsers), node, and the wasm package in
//! `www/pkg`. Without WebKitWebDriver or Xvfb the test skips, unless `RIPTIDE_REQUIRE_TOOLS`
//! is set: then it fails saying what to install.

use std::process::Command;

use piece_server::{seed, spawn, Config};

use test_support::page as support;
use support::{repo, require_wasm_package, tempdir};

fn have_webkit() -> bool {
    let on_path = |bin: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
    };
    let have = on_path("WebKitWebDriver") && on_path("Xvfb") && on_path("node");
    if !have {
        assert!(
            std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
            "WebKitWebDriver, Xvfb or node missing (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure): \
             apt-get install webkit2gtk-driver xvfb gstreamer1.0-libav gstreamer1.0-plugins-bad"
        );
        eprintln!("WebKitWebDriver or Xvfb missing: skipping the WebKit page test");
    }
    have
}

/// `tests/e2e/webkit.mjs` on `url`: its JSON report.
fn webkit_play(url: &str, play_seconds: f64, timeout_ms: u32, extra: &[&str]) -> serde_json::Value {
    let out = Command::new("node")
        .arg(repo().join("tests/e2e/webkit.mjs"))
        .arg(url)
        .args(["--play-seconds", &play_seconds.to_string(), "--timeout-ms", &timeout_ms.to_string()])
        .args(extra)
        .current_dir(repo())
        .output()
        .expect("node is needed for page tests");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "webkit.mjs failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("webkit.mjs printed no JSON ({e}): {stdout}"))
}

/// The newcomer's path in WebKit: the server seeds the bundled sample, the page offers it,
/// one click plays it (H.264 + AAC through a ManagedMediaSource).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundled_sample_plays_in_webkit_with_one_click() {
    if !have_webkit() {
        return;
    }
    require_wasm_package();
    let tmp = tempdir("e2e-webkit-sample");
    let mut cfg = Config::for_test(tmp.join("server"));
    cfg.www_dir = Some(repo().join("www"));
    let (addr, server) = spawn(cfg).await.unwrap();
    let sample = seed(&server.session, &repo().join("assets/sample.mkv"), None).await.unwrap();
    server.state.samples.write().unwrap().push(sample);

    let url = format!("http://{addr}/");
    let report =
        tokio::task::spawn_blocking(move || webkit_play(&url, 3.0, 90_000, &["--click", "#sample"])).await.unwrap();
    eprintln!("webkit report: {report:#}");
    assert_eq!(report["errors"], serde_json::json!([]), "page or driver errors");
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    assert_eq!(
        report["playerStatus"]["media_source"], "ManagedMediaSource",
        "WebKitGTK has ManagedMediaSource, the player should use it: {}",
        report["playerStatus"]
    );
    assert_eq!(report["disableRemotePlayback"], true, "a managed source needs disableRemotePlayback");
    let current = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(current >= 3.0, "the sample played only {current} s in WebKit; status: {}", report["status"]);
}
