//! The MSE append queue: one `MediaSource` attached to a `<video>`, one `SourceBuffer` in
//! "segments" mode, and appends serialised one at a time (each awaits `updateend`). It knows
//! nothing about fetching; the [scheduler](super::scheduler) decides what to append and when.

use std::cell::RefCell;

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    HtmlMediaElement, HtmlVideoElement, MediaSource, MediaSourceReadyState, SourceBuffer,
    SourceBufferAppendMode, Url,
};

use super::js_message;

/// Seconds of already-played media kept behind `currentTime` when the browser runs out of
/// room (`QuotaExceededError`) and the back buffer is trimmed. Read by [`MseSink::append`].
pub const BACK_BUFFER_SECS: f64 = 10.0;

/// A `MediaSource` attached to a video element, with at most one `SourceBuffer`.
pub struct MseSink {
    video: HtmlVideoElement,
    media_source: MediaSource,
    object_url: String,
    buffer: RefCell<Option<SourceBuffer>>,
    /// The type the buffer was made (or last changed) for.
    mime: RefCell<String>,
}

impl MseSink {
    /// Creates a `MediaSource`, points the video at it (through an object URL) and waits for
    /// `sourceopen`.
    pub async fn attach(video: &HtmlVideoElement) -> Result<MseSink, String> {
        let media_source = MediaSource::new().map_err(|e| {
            format!(
                "this browser has no Media Source Extensions: {}",
                js_message(&e)
            )
        })?;
        let object_url = Url::create_object_url_with_source(&media_source)
            .map_err(|e| format!("could not attach the media source: {}", js_message(&e)))?;
        let opened = Promise::new(&mut |resolve, _reject| {
            media_source.set_onsourceopen(Some(&resolve));
        });
        video.set_src(&object_url);
        JsFuture::from(opened)
            .await
            .map_err(|e| format!("the media source did not open: {}", js_message(&e)))?;
        media_source.set_onsourceopen(None);
        Ok(MseSink {
            video: video.clone(),
            media_source,
            object_url,
            buffer: RefCell::new(None),
            mime: RefCell::new(String::new()),
        })
    }

    /// Creates the `SourceBuffer` for `mime` (e.g. `video/mp4; codecs="avc1.64001f"`), in
    /// "segments" mode. Fails in plain words if the browser cannot play that codec string.
    /// If the buffer exists already (a restarted pipeline, e.g. another audio track), it is
    /// kept, switched to `mime` with `changeType` when that differs.
    pub fn add_source_buffer(&self, mime: &str) -> Result<(), String> {
        if !MediaSource::is_type_supported(mime) {
            return Err(format!(
                "this browser cannot play this video's format ({mime}); try another browser or another file"
            ));
        }
        if let Some(sb) = self.buffer.borrow().as_ref() {
            if self.mime.borrow().as_str() != mime {
                sb.change_type(mime)
                    .map_err(|e| format!("the browser cannot switch to {mime}: {}", js_message(&e)))?;
                *self.mime.borrow_mut() = mime.to_string();
            }
            return Ok(());
        }
        *self.mime.borrow_mut() = mime.to_string();
        let sb = self
            .media_source
            .add_source_buffer(mime)
            .map_err(|e| format!("the browser refused the format {mime}: {}", js_message(&e)))?;
        sb.set_mode(SourceBufferAppendMode::Segments);
        *self.buffer.borrow_mut() = Some(sb);
        Ok(())
    }

    /// Sets the presentation duration (seconds), so the seek bar shows the whole film before
    /// it is buffered. Call before the first append.
    pub fn set_duration(&self, secs: f64) {
        if secs.is_finite()
            && secs > 0.0
            && self.media_source.ready_state() == MediaSourceReadyState::Open
        {
            self.media_source.set_duration(secs);
        }
    }

    /// Appends one init or media segment and waits until the browser has taken it. On
    /// `QuotaExceededError` trims the back buffer (all but [`BACK_BUFFER_SECS`] behind
    /// `currentTime`) and retries once.
    pub async fn append(&self, data: &[u8]) -> Result<(), String> {
        let sb = self
            .buffer
            .borrow()
            .clone()
            .ok_or("no source buffer yet (the init segment comes first)")?;
        match self.append_once(&sb, data).await {
            Err(e) if e.starts_with("QuotaExceededError") => {
                let behind = self.video.current_time() - BACK_BUFFER_SECS;
                if behind > 0.0 {
                    self.remove(0.0, behind).await?;
                }
                self.append_once(&sb, data)
                    .await
                    .map_err(|e| format!("the browser's video buffer is full: {e}"))
            }
            other => other.map_err(|e| format!("the browser rejected a video segment: {e}")),
        }
    }

    async fn append_once(&self, sb: &SourceBuffer, data: &[u8]) -> Result<(), String> {
        let done = update_end(sb);
        // appendBuffer copies the bytes synchronously; the slice is only borrowed for the call.
        let mut copy = data.to_vec();
        if let Err(e) = sb.append_buffer_with_u8_array(&mut copy) {
            clear_handlers(sb);
            return Err(js_message(&e));
        }
        let r = JsFuture::from(done).await;
        clear_handlers(sb);
        r.map(|_| ()).map_err(|_| {
            let err = media_error_text(&self.video);
            if err.is_empty() {
                "the video could not be decoded".to_string()
            } else {
                err
            }
        })
    }

    /// Removes `start..end` seconds from the buffer and waits for it to finish.
    pub async fn remove(&self, start: f64, end: f64) -> Result<(), String> {
        let Some(sb) = self.buffer.borrow().clone() else {
            return Ok(());
        };
        if end <= start {
            return Ok(());
        }
        let done = update_end(&sb);
        if let Err(e) = sb.remove(start, end) {
            clear_handlers(&sb);
            return Err(format!(
                "could not trim the video buffer: {}",
                js_message(&e)
            ));
        }
        let r = JsFuture::from(done).await;
        clear_handlers(&sb);
        r.map(|_| ())
            .map_err(|e| format!("could not trim the video buffer: {}", js_message(&e)))
    }

    /// Seconds buffered ahead of `currentTime` in the range that contains it (0 if none).
    /// A range starting up to half a second after `currentTime` counts (the first frame rarely
    /// sits exactly at 0).
    pub fn buffered_ahead(&self) -> f64 {
        let t = self.video.current_time();
        let ranges = self.video.buffered();
        for i in 0..ranges.length() {
            let (Ok(s), Ok(e)) = (ranges.start(i), ranges.end(i)) else {
                continue;
            };
            if s <= t + 0.5 && e > t {
                return e - t;
            }
        }
        0.0
    }

    /// The start of the first buffered range, if any.
    pub fn buffered_start(&self) -> Option<f64> {
        let ranges = self.video.buffered();
        if ranges.length() == 0 {
            return None;
        }
        ranges.start(0).ok()
    }

    /// Signals that every segment has been appended (the video can reach `ended`).
    pub fn end_of_stream(&self) -> Result<(), String> {
        if self.media_source.ready_state() != MediaSourceReadyState::Open {
            return Ok(());
        }
        self.media_source
            .end_of_stream()
            .map_err(|e| format!("could not finish the stream: {}", js_message(&e)))
    }

    pub fn video(&self) -> &HtmlVideoElement {
        &self.video
    }

    /// Detaches from the video element and releases the object URL.
    pub fn detach(&self) {
        if let Some(sb) = self.buffer.borrow().as_ref() {
            // abort() fires `updateend`, so an append awaited by the scheduler settles and the
            // loop can notice it was destroyed.
            if self.media_source.ready_state() == MediaSourceReadyState::Open && sb.updating() {
                let _ = sb.abort();
            }
        }
        let _ = Url::revoke_object_url(&self.object_url);
    }
}

/// A promise settled by the buffer's next `updateend` (resolve) or `error` (reject).
fn update_end(sb: &SourceBuffer) -> Promise {
    Promise::new(&mut |resolve: Function, reject: Function| {
        sb.set_onupdateend(Some(&resolve));
        sb.set_onerror(Some(&reject));
    })
}

fn clear_handlers(sb: &SourceBuffer) {
    sb.set_onupdateend(None);
    sb.set_onerror(None);
}

/// The media element's own error message (`video.error`), or "" if it has none.
pub fn media_error_text(video: &HtmlVideoElement) -> String {
    let media: &HtmlMediaElement = video;
    let err = js_sys::Reflect::get(media, &JsValue::from_str("error")).unwrap_or(JsValue::NULL);
    if err.is_null() || err.is_undefined() {
        return String::new();
    }
    let field = |name: &str| js_sys::Reflect::get(&err, &JsValue::from_str(name)).ok();
    let msg = field("message")
        .and_then(|m| m.as_string())
        .unwrap_or_default();
    let code = field("code").and_then(|c| c.as_f64()).unwrap_or(0.0);
    if msg.is_empty() {
        format!("the video could not be decoded (media error {code})")
    } else {
        format!("the video could not be decoded (media error {code}: {msg})")
    }
}
