//! The browser player: a [scheduler] (buffer health: what to fetch and when) feeding an
//! [MSE append queue](mse) through the [`Pipeline`](crate::pipeline::Pipeline), with byte
//! ranges from [fetch]. JavaScript sees one handle, [`Player`]:
//!
//! ```js
//! import init, { Player } from './pkg/remux_wasm.js';
//! await init();
//! const player = new Player(video, '/api/torrents/ID/files/0', fileLength, pieceLength);
//! player.on_status(s => console.log(s.state, s.bytes_fetched));
//! await player.start(); // resolves at the end of the stream, rejects with an Error that
//!                       // also has `code`, `fatal` and `codec` (see `status().error`)
//! ```
//!
//! Seeking is the video element's own: on `seeking` to a time outside the buffered ranges the
//! player moves the pipeline there and cancels its old requests once the first one for the
//! new place is answered (see [`fetch::RangeFetcher::retire_current`] and
//! [`scheduler::run`]); what is buffered elsewhere stays. After the end of the stream the
//! loop keeps running to serve seeks, until `destroy()`.

pub mod encode;
pub mod fetch;
mod holes;
pub mod media_source;
pub mod mse;
pub mod requests;
pub mod scheduler;
pub mod tracks;
pub mod video_encoder;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlVideoElement;

use crate::error::{ErrorCode, Problem};
use fetch::RangeFetcher;
use mse::MseSink;
pub use scheduler::Config;

/// What the player reports through `status()` and `on_status`.
#[derive(Clone, Debug, Default)]
pub struct StatusData {
    /// Set once the loop failed; the state is then "error".
    pub error: Option<Problem>,
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
    /// A seek is being prepared (the pipeline is moving; its bytes may be on the way).
    pub seeking: bool,
    /// Seeks done by the pipeline.
    pub seeks: u64,
    /// Where the latest seek landed (the key frame's time, seconds).
    pub last_seek: f64,
    /// Milliseconds from the `seeking` event to the pipeline being ready at the new place.
    pub last_seek_prepare_ms: f64,
    /// The latest failed request while retrying (cleared when a request succeeds).
    pub retrying: Option<String>,
    /// The latest problem that did not stop playback (e.g. a seek this file cannot do).
    pub notice: Option<Problem>,
    /// Seconds of media removed from the SourceBuffer (back-buffer trims and evictions).
    pub removed_secs: f64,
    /// Plain-words notices about the tracks (e.g. playing without sound, and why).
    pub notices: Vec<String>,
    /// Seconds ahead at which fetching pauses, and seconds kept behind, for this film
    /// (`scheduler::limits`: the configured seconds cut by the media byte budget); 0 until the
    /// film's headers are read.
    pub high_watermark: f64,
    pub back_buffer: f64,
    /// The most decoded frames held at once between the video decoder and the encoder's
    /// output (a transcoded video track: Xvid; 0 otherwise).
    pub frames_in_flight: u64,
}

/// State shared by the [`Player`] handle and its running loop.
pub struct Shared {
    pub video: HtmlVideoElement,
    pub fetcher: RangeFetcher,
    pub status: RefCell<StatusData>,
    pub callback: RefCell<Option<Function>>,
    pub destroyed: Cell<bool>,
    pub sink: RefCell<Option<Rc<MseSink>>>,
    /// A seek asked for by the page (seconds), taken by the loop.
    pub seek_request: Cell<Option<f64>>,
    /// `performance.now()` of the latest `seeking` event that asked for a seek (what
    /// `last_seek_prepare_ms` counts from).
    pub seek_asked_ms: Cell<f64>,
    /// No progress for this long while the video waits is a stall (`Config::stall_ms`).
    pub stall_ms: Cell<f64>,
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

    /// "error"; "ended" (the video played to its end); "seeking" (moving to a new place);
    /// "stalled" (the video waits and the bytes do not come: no progress for `stall_ms`, or
    /// requests failing and being retried); "playing" (advancing); or "buffering".
    pub fn state(&self) -> &'static str {
        let s = self.status.borrow();
        let waiting = !self.video.paused() && self.video.ready_state() < 3;
        if s.error.is_some() {
            "error"
        } else if self.video.ended() {
            "ended"
        } else if waiting
            && (s.retrying.is_some()
                || self
                    .fetcher
                    .stalled_for_ms()
                    .is_some_and(|ms| ms >= self.stall_ms.get()))
        {
            "stalled"
        } else if s.seeking || self.video.seeking() {
            "seeking"
        } else if !self.video.paused() && self.video.ready_state() >= 3 {
            "playing"
        } else {
            "buffering"
        }
    }

    /// Every segment is appended: settles the `start()` promise (the loop goes on, for seeks
    /// and track switches).
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
        set("message", s.error.as_ref().map(|e| e.message.clone()).unwrap_or_default().into());
        set("error", s.error.as_ref().map_or(JsValue::NULL, problem_object));
        set("bytes_fetched", (s.bytes_fetched as f64).into());
        set("buffered_ahead", s.buffered_ahead.into());
        set("mime", s.mime.clone().into());
        set("segments", (s.segments as f64).into());
        set("cache_bytes", (s.cache_bytes as f64).into());
        set("complete", s.complete.into());
        set("seeks", (s.seeks as f64).into());
        set("last_seek", s.last_seek.into());
        set("last_seek_prepare_ms", s.last_seek_prepare_ms.into());
        set("retrying", s.retrying.clone().unwrap_or_default().into());
        set("notice", s.notice.as_ref().map(|n| n.message.clone()).unwrap_or_default().into());
        set("warning", s.notice.as_ref().map_or(JsValue::NULL, problem_object));
        set("removed_secs", s.removed_secs.into());
        set("high_watermark", s.high_watermark.into());
        set("back_buffer", s.back_buffer.into());
        set(
            "stalled_ms",
            self.fetcher.stalled_for_ms().unwrap_or(0.0).into(),
        );
        set("received", (self.fetcher.received() as f64).into());
        set("wasm_memory", wasm_memory_bytes().into());
        set("frames_in_flight", (s.frames_in_flight as f64).into());
        set("current_time", self.video.current_time().into());
        let ranges = js_sys::Array::new();
        let mut source = "";
        if let Some(sink) = self.sink.borrow().as_ref() {
            for (a, b) in sink.buffered_ranges() {
                ranges.push(&js_sys::Array::of2(&a.into(), &b.into()));
            }
            source = if sink.is_managed() { "ManagedMediaSource" } else { "MediaSource" };
        }
        set("buffered", ranges.into());
        set("media_source", source.into());
        let notices: js_sys::Array = s.notices.iter().map(|n| JsValue::from_str(n)).collect();
        set("notices", notices.into());
        let audio = self.tracks.borrow().choice.as_ref().and_then(|c| c.audio);
        set("audio_track", audio.map_or(JsValue::NULL, JsValue::from));
        o.into()
    }
}

/// The types of `status()`, `on_status` and `tracks()` for TypeScript (and the page's
/// `// @ts-check`): wasm-bindgen would declare them `any`. They list what
/// [`Shared::status_object`], [`problem_object`] and [`tracks::tracks_array`] set.
#[wasm_bindgen(typescript_custom_section)]
pub const STATUS_TS: &'static str = r#"
/** A problem, as the page receives it (docs/API.md, "Errors"). */
export interface PlayerError {
  code: "network" | "unsupported-codec" | "unsupported" | "damaged-file" | "cut-off-file"
    | "not-a-video" | "media-source-refused" | "internal";
  /** Playback stopped (an error), or goes on (a notice). */
  fatal: boolean;
  message: string;
  /** The codec to blame, as people name it ("H.265 (HEVC)"), or null. */
  codec: string | null;
}
export interface PlayerStatus {
  state: "error" | "ended" | "stalled" | "seeking" | "playing" | "buffering";
  /** The error's message, or "". */
  message: string;
  error: PlayerError | null;
  bytes_fetched: number;
  buffered_ahead: number;
  mime: string;
  segments: number;
  cache_bytes: number;
  complete: boolean;
  seeks: number;
  last_seek: number;
  last_seek_prepare_ms: number;
  retrying: string;
  /** The latest notice's message, or "". */
  notice: string;
  /** The latest notice (fatal: false), or null. */
  warning: PlayerError | null;
  removed_secs: number;
  high_watermark: number;
  back_buffer: number;
  stalled_ms: number;
  received: number;
  wasm_memory: number;
  /** The most decoded frames held at once between the video decoder and encoder (Xvid). */
  frames_in_flight: number;
  current_time: number;
  buffered: [number, number][];
  media_source: "" | "MediaSource" | "ManagedMediaSource";
  notices: string[];
  audio_track: number | null;
}
export interface PlayerTrack {
  id: number;
  kind: "video" | "audio" | "subtitle" | "other";
  codec: string;
  language: string | null;
  language_name: string | null;
  name: string | null;
  label: string;
  default: boolean;
  playable: boolean;
  why_not: string | null;
  selected: boolean;
  text_track?: TextTrack;
}
"#;

/// A player for one file served with HTTP ranges, playing into one `<video>`.
#[wasm_bindgen]
pub struct Player {
    shared: Rc<Shared>,
    size: Option<u64>,
    piece_length: u32,
    config: RefCell<Config>,
    started: Cell<bool>,
    /// The `seeking` listener and the status ticker, removed by `destroy()`.
    on_seeking: RefCell<Option<Closure<dyn FnMut()>>>,
    ticker: RefCell<Option<Ticker>>,
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
                seek_request: Cell::new(None),
                seek_asked_ms: Cell::new(0.0),
                stall_ms: Cell::new(Config::default().stall_ms),
                tracks: RefCell::new(tracks::TrackState::default()),
                on_end: RefCell::new(None),
            }),
            size,
            piece_length,
            config: RefCell::new(Config::default()),
            started: Cell::new(false),
            on_seeking: RefCell::new(None),
            ticker: RefCell::new(None),
        }
    }

    /// Sends the player's range requests through `hook(url, init)` (same contract as
    /// `fetch`) instead of `window.fetch`; `null` goes back to `fetch`. Used by the page's
    /// P2P swarm (`www/lib/p2p.js`).
    pub fn set_fetch_hook(&self, hook: Option<js_sys::Function>) {
        self.shared.fetcher.set_hook(hook);
    }

    /// Starts fetching and playing. The promise resolves when every segment has been
    /// appended (or after `destroy()`), and rejects with a readable message. The loop goes on
    /// after the end to serve seeks.
    pub fn start(&self) -> Promise {
        if self.started.replace(true) {
            let p = Problem::fatal(ErrorCode::Internal, "this player has already been started");
            return Promise::reject(&error_object(&p));
        }
        let shared = self.shared.clone();
        let (size, piece_length, cfg) = (self.size, self.piece_length, *self.config.borrow());
        shared.stall_ms.set(cfg.stall_ms);
        self.listen();
        let settle: Rc<RefCell<Option<(Function, Function)>>> = Rc::new(RefCell::new(None));
        let promise = {
            let settle = settle.clone();
            Promise::new(&mut move |resolve, reject| {
                *settle.borrow_mut() = Some((resolve, reject));
            })
        };
        spawn_local(async move {
            let resolve = |v: &JsValue| {
                if let Some((res, _)) = settle.borrow_mut().take() {
                    let _ = res.call1(&JsValue::NULL, v);
                }
            };
            let on_end = || {
                shared.stream_ended();
                resolve(&JsValue::UNDEFINED)
            };
            match scheduler::run(shared.clone(), size, piece_length, cfg, on_end).await {
                Ok(()) => resolve(&JsValue::UNDEFINED),
                Err(_) if shared.destroyed.get() => resolve(&JsValue::UNDEFINED),
                Err(problem) => {
                    let problem = Problem { fatal: true, ..problem };
                    shared.update(|s| s.error = Some(problem.clone()));
                    if let Some((_, rej)) = settle.borrow_mut().take() {
                        let _ = rej.call1(&JsValue::NULL, &error_object(&problem));
                    }
                }
            }
        });
        promise
    }

    /// Listens to the video's `seeking` (a seek outside the buffered ranges cancels the
    /// requests in flight and moves the pipeline), and ticks the status every half second so
    /// the page sees stalls while nothing arrives.
    fn listen(&self) {
        let shared = self.shared.clone();
        let on_seeking = Closure::<dyn FnMut()>::new(move || {
            let t = shared.video.current_time();
            let buffered = shared.sink.borrow().as_ref().is_some_and(|sink| {
                sink.buffered_ranges()
                    .iter()
                    .any(|&(s, e)| s <= t + 0.1 && t < e - 0.1)
            });
            if !buffered {
                shared.seek_request.set(Some(t));
                shared.seek_asked_ms.set(fetch::now_ms());
                // The old requests go once the first one for the new place is answered.
                shared.fetcher.retire_current();
                scheduler::wake();
                shared.update(|s| s.seeking = true);
            }
        });
        let _ = self
            .shared
            .video
            .add_event_listener_with_callback("seeking", on_seeking.as_ref().unchecked_ref());
        *self.on_seeking.borrow_mut() = Some(on_seeking);
        let shared = self.shared.clone();
        let tick = Closure::<dyn FnMut()>::new(move || {
            let ahead = shared.sink.borrow().as_ref().map(|s| s.buffered_ahead());
            shared.update(|s| s.buffered_ahead = ahead.unwrap_or(0.0));
        });
        if let Some(w) = web_sys::window() {
            if let Ok(id) = w.set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                STATUS_TICK_MS,
            ) {
                *self.ticker.borrow_mut() = Some((id, tick));
            }
        }
    }

    /// Same as [`start`](Self::start).
    pub fn play(&self) -> Promise {
        self.start()
    }

    /// The player's status (`PlayerStatus` in the TypeScript declarations, [`STATUS_TS`]).
    #[wasm_bindgen(unchecked_return_type = "PlayerStatus")]
    pub fn status(&self) -> JsValue {
        self.shared.status_object()
    }

    /// Calls `callback(status)` whenever the status changes.
    pub fn on_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(status: PlayerStatus) => void")] callback: Function,
    ) {
        *self.shared.callback.borrow_mut() = Some(callback);
    }

    /// The file's video, audio and subtitle tracks, once the headers are read:
    /// `[{id, kind, codec, language, language_name, label, name, default, playable, why_not,
    /// selected, text_track}]` (`text_track`: the subtitle's `TextTrack` on the video).
    #[wasm_bindgen(unchecked_return_type = "PlayerTrack[]")]
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

    /// Bytes of film the SourceBuffers may hold ahead and behind together (default 40 MiB; 0:
    /// no byte limit): high-bitrate films keep fewer seconds (see `Config::media_budget_bytes`).
    pub fn set_media_budget_bytes(&self, bytes: f64) {
        self.config.borrow_mut().media_budget_bytes = bytes.max(0.0) as u64;
    }

    /// Seconds kept behind the playhead (default 30); older media is removed.
    pub fn set_back_buffer(&self, secs: f64) {
        self.config.borrow_mut().back_buffer = secs.max(0.0);
    }

    /// `true`: until the video first plays, keep only the first fragment (a first frame to
    /// show) however long it stays paused, instead of filling the buffer after 3 s (default
    /// `false`). The embeddable player's `preload="metadata"` (see `Config::hold_until_play`).
    pub fn set_hold_until_play(&self, hold: bool) {
        self.config.borrow_mut().hold_until_play = hold;
    }

    /// Milliseconds without progress, while the video waits, that count as a stall (default 3000).
    pub fn set_stall_ms(&self, ms: f64) {
        self.config.borrow_mut().stall_ms = ms.max(0.0);
        self.shared.stall_ms.set(ms.max(0.0));
    }

    /// Aborts fetches, stops the loop and detaches from the video element.
    pub fn destroy(&self) {
        self.shared.destroyed.set(true);
        self.shared.fetcher.abort();
        tracks::detach(&self.shared);
        if let Some(cb) = self.on_seeking.borrow_mut().take() {
            let _ = self
                .shared
                .video
                .remove_event_listener_with_callback("seeking", cb.as_ref().unchecked_ref());
        }
        if let Some((id, _cb)) = self.ticker.borrow_mut().take() {
            if let Some(w) = web_sys::window() {
                w.clear_interval_with_handle(id);
            }
        }
        *self.shared.callback.borrow_mut() = None;
        if let Some(sink) = self.shared.sink.borrow_mut().take() {
            sink.detach();
        }
        let _ = self.shared.video.remove_attribute("src");
        self.shared.video.load();
    }
}

/// A `setInterval` handle and its callback.
type Ticker = (i32, Closure<dyn FnMut()>);

/// How often the status is refreshed while nothing else happens (a stall): 500 ms.
const STATUS_TICK_MS: i32 = 500;

/// Bytes of this module's linear memory (`WebAssembly.Memory.buffer.byteLength`).
pub fn wasm_memory_bytes() -> f64 {
    let mem = wasm_bindgen::memory();
    Reflect::get(&mem, &JsValue::from_str("buffer"))
        .and_then(|b| Reflect::get(&b, &JsValue::from_str("byteLength")))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

/// `{code, fatal, message, codec}` for the page (`codec`: null unless a codec is to blame).
pub fn problem_object(p: &Problem) -> JsValue {
    let o = Object::new();
    fill(&o, p);
    o.into()
}

/// An `Error` whose `message` is the problem's, with its `code`, `fatal` and `codec` too: what
/// `start()` rejects with (a page's `catch (e)` reads `e.message` as before, or branches on `e.code`).
pub fn error_object(p: &Problem) -> JsValue {
    let e = js_sys::Error::new(&p.message);
    fill(&e, p);
    e.into()
}

fn fill(o: &Object, p: &Problem) {
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(o, &JsValue::from_str(k), &v);
    };
    set("code", p.code.as_str().into());
    set("fatal", p.fatal.into());
    set("message", p.message.clone().into());
    set("codec", p.codec.clone().map_or(JsValue::NULL, JsValue::from));
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
