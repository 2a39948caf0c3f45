//! The player on a `ManagedMediaSource` (Safari 17+, iOS 17.1+), in headless Chromium with a
//! test double of it (`managed_media_source_double.js`: no Safari runs here, so this
//! is a stand-in for the browser, not the browser). Its own test binary, so the double never
//! leaks into the other browser tests' page.
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test -p remux-wasm --target wasm32-unknown-unknown --test web_managed
//! ```
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Reflect, Uint8Array};
use remux_wasm::player::{scheduler::sleep, Player};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Blob, HtmlVideoElement, Url};

wasm_bindgen_test_configure!(run_in_browser);

/// The page's bundled sample: 40 s, 640x360 H.264 + AAC, a key frame every 2 s.
static SAMPLE: &[u8] = include_bytes!("../../../assets/sample.mkv");

static DOUBLE: &str = include_str!("managed_media_source_double.js");

/// Streams while less than 4 s are buffered ahead, stops at 8 s; evicts once the playhead
/// passes 4 s, from 1.5 s ahead of it to the end.
const LOW: f64 = 4.0;
const HIGH: f64 = 8.0;
const EVICT_AT: f64 = 4.0;
const KEEP: f64 = 1.5;

fn install_double() {
    let install: Function = js_sys::eval(DOUBLE).unwrap().dyn_into().unwrap();
    let opts = js_sys::Object::new();
    for (k, v) in [("low", LOW), ("high", HIGH), ("evictAt", EVICT_AT), ("keep", KEEP)] {
        Reflect::set(&opts, &k.into(), &v.into()).unwrap();
    }
    install.call1(&JsValue::NULL, &opts).unwrap();
}

fn log() -> JsValue {
    Reflect::get(&js_sys::global(), &"__mms".into()).unwrap()
}

fn num(o: &JsValue, k: &str) -> f64 {
    Reflect::get(o, &k.into()).unwrap().as_f64().unwrap_or(f64::NAN)
}

fn field(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap()
}

fn describe(video: &HtmlVideoElement, player: &Player) -> String {
    let status = player.status();
    format!(
        "currentTime {:.2}, buffered {}, state {:?} {:?}, media error {:?}, double {}",
        video.current_time(),
        js_sys::JSON::stringify(&field(&status, "buffered")).unwrap(),
        field(&status, "state"),
        field(&status, "message"),
        remux_wasm::player::mse::media_error_text(video),
        js_sys::JSON::stringify(&log()).unwrap(),
    )
}

#[wasm_bindgen_test]
async fn appends_only_while_streaming_and_refetches_what_the_browser_evicted() {
    install_double();
    let parts = Array::of1(&Uint8Array::from(SAMPLE));
    let blob = Blob::new_with_u8_array_sequence(&parts).unwrap();
    let url = Url::create_object_url_with_blob(&blob).unwrap();
    let doc = web_sys::window().unwrap().document().unwrap();
    let video: HtmlVideoElement = doc.create_element("video").unwrap().dyn_into().unwrap();
    video.set_muted(true);
    video.set_autoplay(true);
    doc.body().unwrap().append_child(&video).unwrap();

    let player = Player::new(video.clone(), url.clone(), SAMPLE.len() as f64, 256 * 1024);
    let _done = player.start();
    if let Ok(p) = video.play() {
        // Autoplay may reject before the source opens; the loop below is the real check.
        let _ = JsFuture::from(p).await;
    }
    // At twice the speed (the test runner gives a test 20 s): until the eviction has happened
    // and the playhead is 1 s past the end of what was evicted (so the evicted media was
    // fetched and appended again), or 15 s.
    video.set_playback_rate(2.0);
    let mut waited = 0.0;
    let passed_eviction = |log: &JsValue| {
        let ev = Array::from(&field(log, "evictions"));
        ev.length() > 0 && video.current_time() > num(&ev.get(0), "to") + 1.0
    };
    while waited < 15.0 && !passed_eviction(&log()) {
        let _ = video.play();
        sleep(200).await;
        waited += 0.2;
        let state = field(&player.status(), "state");
        assert_ne!(state.as_string().as_deref(), Some("error"), "{}", describe(&video, &player));
        if waited > 2.0 {
            assert_eq!(num(&log(), "created"), 1.0, "the player did not use ManagedMediaSource: {}", describe(&video, &player));
        }
    }
    let log = log();
    let why = describe(&video, &player);
    assert_eq!(num(&log, "created"), 1.0, "the player did not use ManagedMediaSource: {why}");
    assert_eq!(field(&log, "remotePlaybackAllowed"), JsValue::FALSE, "disableRemotePlayback was not set: {why}");
    assert_eq!(num(&log, "appendsNotStreaming"), 0.0, "appends while not streaming: {why}");
    assert!(num(&log, "endstreaming") >= 1.0 && num(&log, "startstreaming") >= 2.0, "the gate never closed and reopened: {why}");
    assert_eq!(Array::from(&field(&log, "evictions")).length(), 1, "no eviction happened: {why}");
    assert!(num(&log, "appendsAfterEviction") >= 1.0, "nothing appended after the eviction: {why}");
    assert!(passed_eviction(&log), "playback did not get past the evicted range: {why}");
    assert_eq!(remux_wasm::player::mse::media_error_text(&video), "", "{why}");
    console_log!("after {waited:.1} s: {why}");
    player.destroy();
    Url::revoke_object_url(&url).unwrap();
}
