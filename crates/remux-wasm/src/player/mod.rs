//! The browser player: a [scheduler] (buffer health: what to fetch and when) feeding an
//! [MSE append queue](mse) through the [`Pipeline`](crate::pipeline::Pipeline), with byte
//! ranges from [fetch]. JavaScript sees one handle, [`Player`]:
//!
//! ```js
//! import init, { Player } from './pkg/remux_wasm.js';
//! await init();
//! const player = new Player(video, '/api/torrents/ID/files/0', fileLength, pieceLength);
//! player.on_status(s => console.log(s.state, s.bytes_fetched));
//! await player.start(); // resolves at the end of the stream, rejects with a readable message
//! ```

pub mod fetch;
pub mod mse;
pub mod scheduler;
pub mod tracks;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::HtmlVideoElement;

use fetch::RangeFetcher;
use mse::MseSink;
pub use scheduler::Config;

/// What the player reports through `status()` and `on_status`.
#[derive(Clone, Debug, Default)]
pub struct StatusData {
    /// Set once the loop failed; the state is then "error".
    pub error: Option<String>,
    /// Total bytes received from the server.
    pub bytes_fetched: u64,
    /// Seconds buffered ahead of `currentTime`.
    pub buffered_ahead: f64,
    /// The MSE type of the output, once known.
    pub mime: String,
    /// Media segments appended.
    pub segments: u64,
    /// Bytes held in the sparse cache after the latest eviction.
    pub cache_bytes: u64,
    /// Every segment has been appended (`endOfStream` called).
    pub complete: bool,
    /// Plain-words notices about the tracks (e.g. playing without sound, and why).
    pub notices: Vec<String>,
}

/// State shared by the [`Player`] handle and its running loop.
pub struct Shared {
    pub video: HtmlVideoElement,
    pub fetcher: RangeFetcher,
    pub status: RefCell<StatusData>,
    pub callback: RefCell<Option<Function>>,
    pub destroyed: Cell<bool>,
    pub sink: RefCell<Option<Rc<MseSink>>>,
    /// Tracks, text tracks and the viewer's audio pick ([`tracks`]).
    pub tracks: RefCell<tracks::TrackState>,
    /// Resolves the `start()` promise.
    pub on_end: RefCell<Option<Function>>,
}

impl Shared {
    /// Changes the status and tells the `on_status` callback.
    pub fn update(&self, f: impl FnOnce(&mut StatusData)) {
        f(&mut self.status.borrow_mut());
        let cb = self.callback.borrow().clone();
        if let Some(cb) = cb {
            let _ = cb.call1(&JsValue::NULL, &self.status_object());
        }
    }

    /// "error", "ended" (the video played to its end), "playing" (advancing) or "buffering".
    pub fn state(&self) -> &'static str {
        let s = self.status.borrow();
        if s.error.is_some() {
            "error"
        } else if self.video.ended() {
            "ended"
        } else if !self.video.paused() && self.video.ready_state() >= 3 {
            "playing"
        } else {
            "buffering"
        }
    }

    /// Every segment is appended: settles the `start()` promise (the loop may go on, for a
    /// track switch).
    pub fn stream_ended(&self) {
        if let Some(resolve) = self.on_end.borrow_mut().take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }

    pub fn status_object(&self) -> JsValue {
        let state = self.state();
        let s = self.status.borrow();
        let o = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
        };
        set("state", state.into());
        set("message", s.error.clone().unwrap_or_default().into());
        set("bytes_fetched", (s.bytes_fetched as f64).into());
        set("buffered_ahead", s.buffered_ahead.into());
        set("mime", s.mime.clone().into());
        set("segments", (s.segments as f64).into());
        set("cache_bytes", (s.cache_bytes as f64).into());
        set("complete", s.complete.into());
        let notices: js_sys::Array = s.notices.iter().map(|n| JsValue::from_str(n)).collect();
        set("notices", notices.into());
        let audio = self.tracks.borrow().choice.as_ref().and_then(|c| c.audio);
        set("audio_track", audio.map_or(JsValue::NULL, JsValue::from));
        o.into()
    }
}

/// A player for one file served with HTTP ranges, playing into one `<video>`.
#[wasm_bindgen]
pub struct Player {
    shared: Rc<Shared>,
    size: Option<u64>,
    piece_length: u32,
    config: RefCell<Config>,
    started: Cell<bool>,
}

#[wasm_bindgen]
impl Player {
    /// `size` is the file's length in bytes (0 if unknown); `piece_length` the torrent's
    /// piece length (0 if unknown), used to fetch whole pieces.
    #[wasm_bindgen(constructor)]
    pub fn new(video: HtmlVideoElement, url: String, size: f64, piece_length: u32) -> Player {
        let size = (size.is_finite() && size > 0.0).then_some(size as u64);
        Player {
            shared: Rc::new(Shared {
                video,
                fetcher: RangeFetcher::new(url),
                status: RefCell::new(StatusData::default()),
                callback: RefCell::new(None),
                destroyed: Cell::new(false),
                sink: RefCell::new(None),
                tracks: RefCell::new(tracks::TrackState::default()),
                on_end: RefCell::new(None),
            }),
            size,
            piece_length,
            config: RefCell::new(Config::default()),
            started: Cell::new(false),
        }
    }

    /// Starts fetching and playing. The promise resolves when every segment has been
    /// appended (or after `destroy()`), and rejects with a readable message.
    pub fn start(&self) -> Promise {
        if self.started.replace(true) {
            return Promise::reject(&JsValue::from_str("this player has already been started"));
        }
        let shared = self.shared.clone();
        let (size, piece_length, cfg) = (self.size, self.piece_length, *self.config.borrow());
        // The promise settles at the end of the stream (`Shared::stream_ended`), while the loop
        // stays for track switches until `destroy()`.
        let mut settle = None;
        let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
        let (resolve, reject) = settle.expect("the Promise executor runs at once");
        *shared.on_end.borrow_mut() = Some(resolve.clone());
        wasm_bindgen_futures::spawn_local(async move {
            match scheduler::run(shared.clone(), size, piece_length, cfg).await {
                Ok(()) => drop(resolve.call0(&JsValue::UNDEFINED)),
                Err(_) if shared.destroyed.get() => drop(resolve.call0(&JsValue::UNDEFINED)),
                Err(msg) => {
                    shared.update(|s| s.error = Some(msg.clone()));
                    let _ = reject.call1(&JsValue::UNDEFINED, &js_sys::Error::new(&msg));
                }
            }
        });
        promise
    }

    /// Same as [`start`](Self::start).
    pub fn play(&self) -> Promise {
        self.start()
    }

    /// `{state, message, bytes_fetched, buffered_ahead, mime, segments, cache_bytes, complete}`.
    pub fn status(&self) -> JsValue {
        self.shared.status_object()
    }

    /// Calls `callback(status)` whenever the status changes.
    pub fn on_status(&self, callback: Function) {
        *self.shared.callback.borrow_mut() = Some(callback);
    }

    /// The file's video, audio and subtitle tracks, once the headers are read:
    /// `[{id, kind, codec, language, language_name, label, name, default, playable, why_not,
    /// selected, text_track}]` (`text_track`: the subtitle's `TextTrack` on the video).
    pub fn tracks(&self) -> js_sys::Array {
        tracks::tracks_array(&self.shared)
    }

    /// Switches to audio track `id` (a `tracks()` id) at the current time.
    pub fn select_audio(&self, id: u32) {
        let mut t = self.shared.tracks.borrow_mut();
        t.wanted_audio = Some(id);
        t.switch_to = Some(id);
    }

    /// Total bytes received from the server so far.
    #[wasm_bindgen(getter)]
    pub fn bytes_fetched(&self) -> f64 {
        self.shared.status.borrow().bytes_fetched as f64
    }

    /// Stop pulling above this many seconds buffered ahead (default 30).
    pub fn set_high_watermark(&self, secs: f64) {
        self.config.borrow_mut().high_watermark = secs;
    }

    /// Resume pulling below this many seconds buffered ahead (default 10).
    pub fn set_low_watermark(&self, secs: f64) {
        self.config.borrow_mut().low_watermark = secs;
    }

    /// Bytes per request once playing (default 1 MiB, rounded to whole pieces).
    pub fn set_chunk_bytes(&self, bytes: f64) {
        self.config.borrow_mut().chunk_bytes = bytes.max(1.0) as u64;
    }

    /// Aborts fetches, stops the loop and detaches from the video element.
    pub fn destroy(&self) {
        self.shared.destroyed.set(true);
        self.shared.fetcher.abort();
        tracks::detach(&self.shared);
        *self.shared.callback.borrow_mut() = None;
        if let Some(sink) = self.shared.sink.borrow_mut().take() {
            sink.detach();
        }
        let _ = self.shared.video.remove_attribute("src");
        self.shared.video.load();
    }
}

/// A JS exception as plain words: `name: message` for errors (DOMException included), the
/// string itself for strings.
pub fn js_message(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    let field = |k: &str| {
        Reflect::get(e, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
    };
    match (field("name"), field("message")) {
        (Some(n), Some(m)) if !m.is_empty() => format!("{n}: {m}"),
        (Some(n), _) => n,
        (None, Some(m)) => m,
        _ => js_sys::JSON::stringify(e)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| "unknown error".into()),
    }
}
