//! Which media source the player attaches, and Safari's streaming gate.
//!
//! Where the browser has `ManagedMediaSource` (Safari 17+, iOS 17.1+; on iPhone it is the only
//! Media Source there is: `window.MediaSource` is undefined), the player uses it; elsewhere
//! plain `MediaSource`. A managed source differs in three ways, each handled here or by the
//! [scheduler](super::scheduler):
//! - it opens only if the video cannot be sent to another screen (AirPlay), so
//!   `disableRemotePlayback` is set on the video first;
//! - the browser says when to load (`streaming`, `startstreaming`, `endstreaming`: it stops
//!   the stream to save power and radio once it holds enough): [`Source::until_streaming`]
//!   holds every append until `streaming` is true;
//! - the browser may evict buffered media on its own (memory pressure). Nothing here tracks
//!   it: the scheduler reads `buffered` each round, and when the range being played ends
//!   before what it appended, fetches and appends from that range's end again.
//!
//! web-sys has no binding for `ManagedMediaSource`: the class is looked up on the global
//! object by name and used through `MediaSource`, its parent class.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlVideoElement, MediaSource};

use super::js_message;

/// The class of media source this browser offers: `ManagedMediaSource` first, then
/// `MediaSource`; `None` without Media Source Extensions.
fn class() -> Option<(Function, bool)> {
    let global = js_sys::global();
    ["ManagedMediaSource", "MediaSource"].iter().find_map(|name| {
        let c = Reflect::get(&global, &JsValue::from_str(name)).ok()?;
        let managed = *name == "ManagedMediaSource";
        c.dyn_into::<Function>().ok().map(|f| (f, managed))
    })
}

/// Whether the media source the player would use can take `mime`
/// (`isTypeSupported`, asked of `ManagedMediaSource` where it exists: web-sys's
/// `MediaSource::is_type_supported` throws on an iPhone, which has no `MediaSource`).
pub fn is_type_supported(mime: &str) -> bool {
    let Some((class, _)) = class() else {
        return false;
    };
    Reflect::get(&class, &JsValue::from_str("isTypeSupported"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call1(&class, &JsValue::from_str(mime)).ok())
        .is_some_and(|r| r.is_truthy())
}

/// The media source attached to one video: plain, or managed with its streaming gate.
pub struct Source {
    pub media_source: MediaSource,
    managed: bool,
    /// Resolvers of the appends waiting for `startstreaming`.
    waiters: Rc<RefCell<Vec<Function>>>,
    /// Set by [`release`](Self::release): nothing waits any more (the player is destroyed).
    released: Rc<Cell<bool>>,
    /// The `startstreaming` listener (managed only), removed when the source is dropped.
    on_start: Option<Closure<dyn FnMut()>>,
}

impl Source {
    /// Creates the media source this browser offers, not yet attached. A managed one needs
    /// `disableRemotePlayback` on `video` (set here) or it never opens.
    pub fn new(video: &HtmlVideoElement) -> Result<Source, String> {
        let (class, managed) =
            class().ok_or("this browser has no Media Source Extensions (MediaSource); try another browser")?;
        let media_source: MediaSource = Reflect::construct(&class, &Array::new())
            .map_err(|e| format!("this browser has no Media Source Extensions: {}", js_message(&e)))?
            .unchecked_into();
        let waiters: Rc<RefCell<Vec<Function>>> = Rc::default();
        let on_start = managed.then(|| {
            // web-sys's `HtmlMediaElement` has no `disableRemotePlayback` setter.
            let _ = Reflect::set(video, &JsValue::from_str("disableRemotePlayback"), &JsValue::TRUE);
            let w = waiters.clone();
            let cb = Closure::<dyn FnMut()>::new(move || wake_all(&w));
            let _ = media_source
                .add_event_listener_with_callback("startstreaming", cb.as_ref().unchecked_ref());
            cb
        });
        Ok(Source { media_source, managed, waiters, released: Rc::default(), on_start })
    }

    /// Whether this is a `ManagedMediaSource`.
    pub fn is_managed(&self) -> bool {
        self.managed
    }

    /// Whether the browser wants media now: a managed source's `streaming`; always true for a
    /// plain one.
    pub fn streaming(&self) -> bool {
        !self.managed
            || Reflect::get(&self.media_source, &JsValue::from_str("streaming"))
                .is_ok_and(|v| v.is_truthy())
    }

    /// Returns once the browser wants media ([`streaming`](Self::streaming)) or the source is
    /// [released](Self::release). The `streaming` flag is read again after each wake-up, so an
    /// `endstreaming` right after a `startstreaming` keeps the append waiting.
    pub async fn until_streaming(&self) {
        while !self.released.get() && !self.streaming() {
            let waiters = self.waiters.clone();
            let wake = Promise::new(&mut |resolve, _| waiters.borrow_mut().push(resolve));
            let _ = JsFuture::from(wake).await;
        }
    }

    /// Whether [`release`](Self::release) was called.
    pub fn is_released(&self) -> bool {
        self.released.get()
    }

    /// Lets every waiting append go on (the caller stops): called when the player detaches.
    pub fn release(&self) {
        self.released.set(true);
        wake_all(&self.waiters);
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        if let Some(cb) = &self.on_start {
            let _ = self
                .media_source
                .remove_event_listener_with_callback("startstreaming", cb.as_ref().unchecked_ref());
        }
    }
}

fn wake_all(waiters: &RefCell<Vec<Function>>) {
    let all: Vec<Function> = waiters.borrow_mut().drain(..).collect();
    for resolve in all {
        let _ = resolve.call0(&JsValue::UNDEFINED);
    }
}
