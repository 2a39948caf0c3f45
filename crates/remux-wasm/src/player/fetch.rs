//! HTTP range requests: `fetch(url, { headers: { Range: "bytes=a-b" } })` into a `Vec<u8>`,
//! read as a stream so progress is visible while the server waits for pieces, and cancellable:
//! [`RangeFetcher::retire_current`] has the requests in flight cancelled as soon as a later one
//! is answered (a seek), [`RangeFetcher::abort_current`] cancels them at once, and
//! [`RangeFetcher::abort`] cancels them and every later one (the player is destroyed).

use std::cell::{Cell, RefCell};

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use super::js_message;

/// Why a range could not be fetched.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchError {
    /// Cancelled by [`RangeFetcher::abort_current`] or [`RangeFetcher::abort`].
    Aborted,
    /// The connection failed or broke, or the server answered 5xx: worth retrying.
    Transient(String),
    /// The server refused the request (4xx): retrying will not help.
    Fatal(String),
}

impl FetchError {
    pub fn message(&self) -> String {
        match self {
            FetchError::Aborted => "the download was cancelled".into(),
            FetchError::Transient(m) | FetchError::Fatal(m) => m.clone(),
        }
    }
}

/// `performance.now()` in milliseconds (0 outside a page).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &JsValue::from_str("performance")).ok())
        .and_then(|p| {
            let now = Reflect::get(&p, &JsValue::from_str("now")).ok()?;
            now.dyn_into::<Function>().ok()?.call0(&p).ok()?.as_f64()
        })
        .unwrap_or(0.0)
}

/// Adds `{t: performance.now(), what, detail}` to `window.__riptideTrace` when the page made
/// that array (a benchmark's seek timeline: `benches/browser/seek.mjs --trace`); nothing
/// otherwise.
pub fn trace(what: &str, detail: impl FnOnce() -> String) {
    let Some(w) = web_sys::window() else { return };
    let Ok(log) = Reflect::get(&w, &JsValue::from_str("__riptideTrace")) else {
        return;
    };
    let Some(log) = log.dyn_ref::<js_sys::Array>() else {
        return;
    };
    let e = js_sys::Object::new();
    let _ = Reflect::set(&e, &"t".into(), &now_ms().into());
    let _ = Reflect::set(&e, &"what".into(), &format!("player {what}").into());
    let _ = Reflect::set(&e, &"detail".into(), &detail().into());
    log.push(&e);
}

/// Fetches ranges of one URL and keeps track of progress.
pub struct RangeFetcher {
    url: String,
    controller: RefCell<Option<AbortController>>,
    /// Controllers of requests retired by [`retire_current`](Self::retire_current), aborted
    /// when a request sent after them gets its response.
    retired: RefCell<Vec<AbortController>>,
    /// Counts [`retire_current`](Self::retire_current) calls: which requests are "after".
    generation: Cell<u32>,
    destroyed: Cell<bool>,
    /// Requests in flight.
    in_flight: Cell<u32>,
    /// `performance.now()` of the latest progress (request sent or bytes received).
    last_progress: Cell<f64>,
    /// Bytes received, in total (counted as they arrive).
    received: Cell<u64>,
    /// A function with `fetch`'s signature that replaces `window.fetch` (the page's P2P
    /// swarm, `www/lib/p2p.js`); see [`RangeFetcher::set_hook`].
    hook: RefCell<Option<Function>>,
    /// Buffers that bodies are read into ([`BYOB_BYTES`] each; one per request being read),
    /// reused from request to request: see [`RangeFetcher::read_body`].
    byob: RefCell<Vec<js_sys::ArrayBuffer>>,
}

/// Size of the buffer a body is read into (256 KiB).
const BYOB_BYTES: u32 = 256 << 10;

impl RangeFetcher {
    pub fn new(url: String) -> Self {
        RangeFetcher {
            url,
            controller: RefCell::new(AbortController::new().ok()),
            retired: RefCell::new(Vec::new()),
            byob: RefCell::new(Vec::new()),
            generation: Cell::new(0),
            destroyed: Cell::new(false),
            in_flight: Cell::new(0),
            last_progress: Cell::new(0.0),
            received: Cell::new(0),
            hook: RefCell::new(None),
        }
    }

    /// Sends every later request through `hook(url, init)` instead of `window.fetch`; the hook
    /// must resolve to a `Response` as `fetch` does (the page's P2P swarm answers from peers
    /// or passes the request on to `fetch`).
    pub fn set_hook(&self, hook: Option<Function>) {
        *self.hook.borrow_mut() = hook;
    }

    /// `window.fetch(url, init)`, or the hook when one is set.
    fn send(&self, window: &web_sys::Window, init: &RequestInit) -> Promise {
        if let Some(h) = self.hook.borrow().as_ref() {
            return match h.call2(&JsValue::NULL, &JsValue::from_str(&self.url), init) {
                Ok(p) => p.dyn_into().unwrap_or_else(|v| Promise::resolve(&v)),
                Err(e) => Promise::reject(&e),
            };
        }
        window.fetch_with_str_and_init(&self.url, init)
    }

    /// Milliseconds since a request in flight last made progress; `None` if none is in flight.
    pub fn stalled_for_ms(&self) -> Option<f64> {
        (self.in_flight.get() > 0).then(|| now_ms() - self.last_progress.get())
    }

    /// Bytes received so far, including those of requests still in flight.
    pub fn received(&self) -> u64 {
        self.received.get()
    }

    /// The bytes `start..end` (end exclusive). The server should answer 206; a 200 with the
    /// whole file (a server without range support) is sliced. Errors are plain words; the
    /// server's JSON `{"error": ...}` message is used when there is one.
    pub async fn fetch(&self, start: u64, end: u64) -> Result<Vec<u8>, FetchError> {
        if self.destroyed.get() {
            return Err(FetchError::Aborted);
        }
        if end <= start {
            return Ok(Vec::new());
        }
        self.in_flight.set(self.in_flight.get() + 1);
        self.last_progress.set(now_ms());
        let r = self.fetch_inner(start, end).await;
        self.in_flight.set(self.in_flight.get().saturating_sub(1));
        r
    }

    async fn fetch_inner(&self, start: u64, end: u64) -> Result<Vec<u8>, FetchError> {
        let fatal = |m: String| FetchError::Fatal(m);
        let window = web_sys::window()
            .ok_or_else(|| fatal("no window (the player runs in a page)".into()))?;
        let headers = Headers::new().map_err(|e| fatal(js_message(&e)))?;
        headers
            .set("Range", &format!("bytes={}-{}", start, end - 1))
            .map_err(|e| fatal(js_message(&e)))?;
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_headers_headers(&headers);
        let generation = self.generation.get();
        let signal = self.controller.borrow().as_ref().map(|c| c.signal());
        if let Some(s) = &signal {
            init.set_signal(Some(s));
        }
        // A failure after our own abort is the abort, not a network problem.
        let transient = |message: String| {
            if signal.as_ref().is_some_and(|s| s.aborted()) {
                FetchError::Aborted
            } else {
                FetchError::Transient(message)
            }
        };
        let last = end - 1;
        let resp = JsFuture::from(self.send(&window, &init))
            .await
            .map_err(|e| {
                transient(format!("could not download bytes {start}-{last}: {}", js_message(&e)))
            })?;
        if generation == self.generation.get() {
            // The server has opened this request's stream: the retired ones can go now
            // without leaving it a moment with no reader.
            self.abort_retired();
        }
        let resp: Response = resp
            .dyn_into()
            .map_err(|_| fatal("fetch did not return a response".into()))?;
        let status = resp.status();
        self.last_progress.set(now_ms());
        let body = self
            .read_body(&resp, (end - start) as usize)
            .await
            .map_err(|e| {
                transient(format!("the download of bytes {start}-{last} was interrupted: {e}"))
            })?;
        match status {
            206 => Ok(body),
            200 => {
                // No range support: the whole file came back.
                let s = (start as usize).min(body.len());
                let e = (end as usize).min(body.len());
                Ok(body[s..e].to_vec())
            }
            416 => Ok(Vec::new()),
            s if s >= 500 || s == 408 || s == 429 => {
                Err(FetchError::Transient(server_error(status, &body)))
            }
            _ => Err(fatal(server_error(status, &body))),
        }
    }

    /// Reads the body chunk by chunk (`body.getReader({mode: 'byob'})`, else `getReader()`),
    /// counting progress as it comes.
    async fn read_body(&self, resp: &Response, expect: usize) -> Result<Vec<u8>, String> {
        let get = |o: &JsValue, k: &str| {
            Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
        };
        let body = get(resp, "body");
        let get_reader = get(&body, "getReader").dyn_into::<Function>().ok();
        // A BYOB reader fills our buffer, which comes back (transferred) with each chunk, so
        // reading allocates nothing per chunk: a default reader hands over a new ArrayBuffer
        // for every chunk (~64 KiB), garbage that stays in the tab until V8 collects it
        // (tens of MB at 10 MB/s, measured: docs/DESIGN.md, "How much the tab holds").
        if let Some(reader) = get_reader.as_ref().and_then(|f| {
            let opts = js_sys::Object::new();
            Reflect::set(&opts, &JsValue::from_str("mode"), &JsValue::from_str("byob")).ok()?;
            f.call1(&body, &opts).ok()
        }) {
            let buf = self.byob.borrow_mut().pop();
            let buf = buf.unwrap_or_else(|| js_sys::ArrayBuffer::new(BYOB_BYTES));
            let (out, buf) = self.read_byob(&reader, buf, expect).await;
            if let Some(b) = buf {
                self.byob.borrow_mut().push(b);
            }
            return out;
        }
        let reader = get_reader.and_then(|f| f.call0(&body).ok());
        let Some(reader) = reader else {
            // No streams: the whole body at once.
            let p = resp.array_buffer().map_err(|e| js_message(&e))?;
            let buf = JsFuture::from(p).await.map_err(|e| js_message(&e))?;
            let v = Uint8Array::new(&buf).to_vec();
            self.received.set(self.received.get() + v.len() as u64);
            return Ok(v);
        };
        let read = get(&reader, "read")
            .dyn_into::<Function>()
            .map_err(|_| "the response body cannot be read".to_string())?;
        let mut out = Vec::with_capacity(expect.min(64 << 20));
        loop {
            let p: Promise = read
                .call0(&reader)
                .map_err(|e| js_message(&e))?
                .dyn_into()
                .map_err(|_| "the response body cannot be read".to_string())?;
            let chunk = JsFuture::from(p).await.map_err(|e| js_message(&e))?;
            if get(&chunk, "done").as_bool().unwrap_or(true) {
                break;
            }
            let value = get(&chunk, "value");
            if let Some(arr) = value.dyn_ref::<Uint8Array>() {
                let n = arr.length() as usize;
                let at = out.len();
                out.resize(at + n, 0);
                arr.copy_to(&mut out[at..]);
                self.received.set(self.received.get() + n as u64);
                self.last_progress.set(now_ms());
            }
        }
        Ok(out)
    }

    /// Reads a body with a BYOB reader into `buf`; gives back the bytes and the buffer to
    /// reuse (none if the read failed and kept it).
    async fn read_byob(
        &self,
        reader: &JsValue,
        mut buf: js_sys::ArrayBuffer,
        expect: usize,
    ) -> (Result<Vec<u8>, String>, Option<js_sys::ArrayBuffer>) {
        let read = match Reflect::get(reader, &JsValue::from_str("read")).map(|f| f.dyn_into::<Function>()) {
            Ok(Ok(f)) => f,
            _ => return (Err("the response body cannot be read".to_string()), Some(buf)),
        };
        let mut out = Vec::with_capacity(expect.min(64 << 20));
        loop {
            let view = Uint8Array::new(&buf);
            let p = match read.call1(reader, &view).map(|p| p.dyn_into::<Promise>()) {
                Ok(Ok(p)) => p,
                Ok(Err(_)) => return (Err("the response body cannot be read".to_string()), None),
                Err(e) => return (Err(js_message(&e)), None),
            };
            let chunk = match JsFuture::from(p).await {
                Ok(c) => c,
                Err(e) => return (Err(js_message(&e)), None),
            };
            let value = Reflect::get(&chunk, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
            let Some(arr) = value.dyn_ref::<Uint8Array>() else {
                return (Ok(out), None);
            };
            let n = arr.length() as usize;
            let at = out.len();
            out.resize(at + n, 0);
            arr.copy_to(&mut out[at..]);
            // The same memory, transferred back to us.
            buf = arr.buffer();
            if Reflect::get(&chunk, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
                return (Ok(out), Some(buf));
            }
            self.received.set(self.received.get() + n as u64);
            self.last_progress.set(now_ms());
        }
    }

    /// For a seek: the requests in flight are cancelled as soon as a request sent after this
    /// call gets its response (they fail with [`FetchError::Aborted`] then, or finish first),
    /// not at once. The server reads each request through a librqbit stream, and librqbit
    /// gives the seeder's bandwidth to the pieces ahead of its open streams, else to its
    /// background download: cancelling first leaves a moment with no stream open, in which
    /// librqbit may commit a whole piece to the background (docs/DESIGN.md, "Seek
    /// timeline", has the cost). A `<video src>` in Chromium does the same: its new
    /// request reaches the server before the old one is cancelled.
    pub fn retire_current(&self) {
        let mut c = self.controller.borrow_mut();
        if let Some(old) = c.take() {
            self.retired.borrow_mut().push(old);
        }
        *c = AbortController::new().ok();
        self.generation.set(self.generation.get().wrapping_add(1));
    }

    /// Cancels the requests retired by [`retire_current`](Self::retire_current).
    fn abort_retired(&self) {
        for c in self.retired.borrow_mut().drain(..) {
            c.abort();
        }
    }

    /// Cancels the requests in flight (they fail with [`FetchError::Aborted`] at once);
    /// later requests go ahead.
    pub fn abort_current(&self) {
        self.abort_retired();
        let mut c = self.controller.borrow_mut();
        if let Some(c) = c.as_ref() {
            c.abort();
        }
        *c = AbortController::new().ok();
    }

    /// Cancels every request in flight; later requests fail at once.
    pub fn abort(&self) {
        self.destroyed.set(true);
        self.abort_retired();
        if let Some(c) = self.controller.borrow().as_ref() {
            c.abort();
        }
    }
}

/// "the server answered 503: no peers have this piece" from a JSON error body, or the status.
fn server_error(status: u16, body: &[u8]) -> String {
    let msg = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .or_else(|| {
            let t = String::from_utf8_lossy(&body[..body.len().min(200)])
                .trim()
                .to_string();
            (!t.is_empty()).then_some(t)
        });
    match msg {
        Some(m) => format!("the server answered {status}: {m}"),
        None => format!("the server answered {status}"),
    }
}
