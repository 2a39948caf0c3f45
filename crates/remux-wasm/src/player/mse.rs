//! The MSE append queue: one `MediaSource` attached to a `<video>`, one `SourceBuffer` in
//! "segments" mode for the fragmented MP4, and appends serialised one at a time (each awaits
//! `updateend`). MP3 that the browser refuses in MP4 goes apart into a second `SourceBuffer`
//! of type `audio/mpeg` (the MPEG audio byte stream format: raw frames, no timestamps; the
//! buffer is in "sequence" mode and each run is placed by setting `timestampOffset` to its
//! start first). Removals (trims, evictions, restarts) apply to both buffers. It knows
//! nothing about fetching; the [scheduler](super::scheduler) decides what to append and when.
//! The `MediaSource` is a `ManagedMediaSource` where the browser has one (Safari): every
//! append then waits until the browser wants media (see [`media_source`](super::media_source)).

use std::cell::{Cell, RefCell};

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    HtmlMediaElement, HtmlVideoElement, MediaSource, MediaSourceReadyState, SourceBuffer,
    SourceBufferAppendMode, TimeRanges, Url,
};

use super::js_message;
use super::media_source::{self, Source};

/// Seconds of already-played media kept behind `currentTime` by default: 30 s. The
/// [scheduler](super::scheduler) trims to it as playback goes on (its `Config::back_buffer`),
/// and [`MseSink::append`] evicts down to it first when the browser runs out of room.
pub const BACK_BUFFER_SECS: f64 = 30.0;

/// Rounds of "evict, retry" on `QuotaExceededError` before giving up. Each round keeps less:
/// the back buffer, then the back buffer down to 2 s, then the ranges far ahead.
const QUOTA_ROUNDS: usize = 3;

/// A `MediaSource` attached to a video element, with at most one `SourceBuffer`.
pub struct MseSink {
    video: HtmlVideoElement,
    media_source: MediaSource,
    /// The managed source's streaming gate (open at all times for a plain `MediaSource`).
    source: Source,
    object_url: String,
    buffer: RefCell<Option<SourceBuffer>>,
    /// The `audio/mpeg` buffer of the audio carried apart, if any.
    apart: RefCell<Option<SourceBuffer>>,
    /// The type the buffer was made (or last changed) for.
    mime: RefCell<String>,
    /// Seconds kept behind `currentTime` when evicting (default [`BACK_BUFFER_SECS`]).
    back_buffer: Cell<f64>,
    /// Seconds ahead of `currentTime` that are never evicted on `QuotaExceededError` (the
    /// scheduler sets its high watermark).
    keep_ahead: Cell<f64>,
    /// Seconds removed from the buffer so far (trims and evictions), for tests.
    removed_secs: Cell<f64>,
    /// The `appendWindowStart` last set ([`set_window_start`](Self::set_window_start)).
    window_start: Cell<f64>,
    /// The buffer an append of ours is running on (between `appendBuffer` and `updateend`).
    appending: RefCell<Option<SourceBuffer>>,
}

impl MseSink {
    /// Creates a `MediaSource` (a `ManagedMediaSource` where there is one), points the video
    /// at it (through an object URL) and waits for `sourceopen`.
    pub async fn attach(video: &HtmlVideoElement) -> Result<MseSink, String> {
        let source = Source::new(video)?;
        let media_source = source.media_source.clone();
        let object_url = Url::create_object_url_with_source(&media_source)
            .map_err(|e| format!("could not attach the media source: {}", js_message(&e)))?;
        let opened = Promise::new(&mut |resolve, _reject| {
            media_source.set_onsourceopen(Some(&resolve));
        });
        // A `play()` the page called before the source was attached is aborted by the load
        // that `src` starts in Firefox (its `paused` turns true; Chromium keeps it): ask again,
        // or the video waits paused at the first fragment until the player's startup hold ends.
        let play_wanted = !video.paused();
        video.set_src(&object_url);
        if play_wanted && video.paused() {
            if let Ok(p) = video.play() {
                // Refused (autoplay policy) is the page's business: it sees `pause`/no `playing`.
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = JsFuture::from(p).await;
                });
            }
        }
        JsFuture::from(opened)
            .await
            .map_err(|e| format!("the media source did not open: {}", js_message(&e)))?;
        media_source.set_onsourceopen(None);
        Ok(MseSink {
            video: video.clone(),
            media_source,
            source,
            object_url,
            buffer: RefCell::new(None),
            apart: RefCell::new(None),
            mime: RefCell::new(String::new()),
            back_buffer: Cell::new(BACK_BUFFER_SECS),
            keep_ahead: Cell::new(30.0),
            removed_secs: Cell::new(0.0),
            window_start: Cell::new(0.0),
            appending: RefCell::new(None),
        })
    }

    /// Creates the `SourceBuffer` for `mime` (e.g. `video/mp4; codecs="avc1.64001f"`), in
    /// "segments" mode. If the buffer exists already (a restarted pipeline, e.g. another audio
    /// track), it is kept, switched to `mime` with `changeType` when that differs. Fails in plain words if the browser cannot play that codec string.
    pub fn add_source_buffer(&self, mime: &str) -> Result<(), String> {
        if !media_source::is_type_supported(mime) {
            return Err(format!(
                "this browser cannot play this video's format ({mime}); try another browser or another file"
            ));
        }
        // A restarted pipeline (e.g. another audio track): keep the buffer, switch its type.
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

    /// Creates the `SourceBuffer` of the audio carried apart (`audio/mpeg`), unless it exists.
    /// Its mode stays "sequence" (the MPEG audio byte stream has no timestamps; "segments"
    /// would throw). Create it before the first append to any buffer: Chromium takes no new
    /// buffer once every existing one has received its initialization segment.
    pub fn add_apart_buffer(&self, mime: &str) -> Result<(), String> {
        if self.apart.borrow().is_some() {
            return Ok(());
        }
        if !media_source::is_type_supported(mime) {
            return Err(format!(
                "this browser cannot play this film's sound ({mime}); try another browser or another file"
            ));
        }
        let sb = self
            .media_source
            .add_source_buffer(mime)
            .map_err(|e| format!("the browser refused the format {mime}: {}", js_message(&e)))?;
        *self.apart.borrow_mut() = Some(sb);
        Ok(())
    }

    /// Sets `appendWindowStart` of every buffer (the stream's presentation start, see
    /// `MediaSegment::window_start`): what is appended later and presented before it is cut.
    /// Only between appends (the scheduler awaits each one).
    pub fn set_window_start(&self, secs: f64) {
        if self.window_start.replace(secs) == secs {
            return;
        }
        for sb in [&self.buffer, &self.apart] {
            if let Some(sb) = sb.borrow().as_ref() {
                sb.set_append_window_start(secs);
            }
        }
    }

    /// Whether the audio goes to a buffer of its own (`Some(true)`), or with the video
    /// (`Some(false)`); `None` before any buffer exists.
    pub fn has_apart_buffer(&self) -> Option<bool> {
        let apart = self.apart.borrow().is_some();
        (apart || self.buffer.borrow().is_some()).then_some(apart)
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

    /// Sets the seconds kept behind `currentTime` and the seconds ahead never evicted.
    pub fn set_retention(&self, back_secs: f64, ahead_secs: f64) {
        self.back_buffer.set(back_secs.max(0.0));
        self.keep_ahead.set(ahead_secs.max(0.0));
    }

    /// Seconds of media removed so far (back-buffer trims and evictions).
    pub fn removed_secs(&self) -> f64 {
        self.removed_secs.get()
    }

    /// Appends one init or media segment and waits until the browser has taken it. On
    /// `QuotaExceededError` evicts (the back buffer down to the configured seconds, then down
    /// to 2 s, then the ranges beyond what is kept ahead) and retries, up to
    /// [`QUOTA_ROUNDS`] times.
    pub async fn append(&self, data: &[u8]) -> Result<(), String> {
        let sb = self
            .buffer
            .borrow()
            .clone()
            .ok_or("no source buffer yet (the init segment comes first)")?;
        self.append_to(&sb, data, None).await
    }

    /// Appends a run of raw MP3 frames to the `audio/mpeg` buffer, placed at `start_secs`
    /// (its `timestampOffset`), with the same eviction on `QuotaExceededError` as
    /// [`append`](Self::append).
    pub async fn append_apart(&self, start_secs: f64, data: &[u8]) -> Result<(), String> {
        let sb = self
            .apart
            .borrow()
            .clone()
            .ok_or("no audio source buffer (the init segment comes first)")?;
        self.append_to(&sb, data, Some(start_secs)).await
    }

    async fn append_to(&self, sb: &SourceBuffer, data: &[u8], offset: Option<f64>) -> Result<(), String> {
        let mut round = 0;
        loop {
            if let Some(t) = offset {
                // Sequence mode: the frames appended next start here.
                sb.set_timestamp_offset(t);
            }
            match self.append_once(sb, data).await {
                Err(e) if e.starts_with("QuotaExceededError") => {
                    if round >= QUOTA_ROUNDS {
                        return Err(format!("the browser's video buffer is full: {e}"));
                    }
                    self.evict(round).await?;
                    round += 1;
                }
                other => {
                    return other.map_err(|e| format!("the browser rejected a video segment: {e}"))
                }
            }
        }
    }

    /// One round of eviction for `QuotaExceededError`.
    async fn evict(&self, round: usize) -> Result<(), String> {
        let t = self.video.current_time();
        match round {
            0 => self.trim_back(self.back_buffer.get()).await,
            1 => self.trim_back(self.back_buffer.get().min(2.0)).await,
            _ => {
                let from = t + self.keep_ahead.get();
                let end = self.buffered_ranges().last().map_or(from, |r| r.1);
                self.remove(from, end).await
            }
        }
    }

    /// Removes everything buffered more than `keep_secs` behind `currentTime` (every range,
    /// not only the one playing). Nothing happens when there is nothing to remove.
    /// A removal re-opens an ended MediaSource (MSE `remove()`: "ended" → "open"), so when
    /// the stream had ended it is ended again afterwards; otherwise the video stops just short
    /// of its end, waiting for data that never comes (a short film is all appended early, and
    /// its back buffer is trimmed afterwards). Only the part behind the playhead is removed, so
    /// `endOfStream`'s new duration (the end of what is buffered) is unchanged.
    pub async fn trim_back(&self, keep_secs: f64) -> Result<(), String> {
        let cut = self.video.current_time() - keep_secs;
        let was_ended = self.media_source.ready_state() == MediaSourceReadyState::Ended;
        match self.earliest_start() {
            Some(start) if cut > start => self.remove(start, cut).await?,
            _ => return Ok(()),
        }
        if was_ended {
            self.end_of_stream()?;
        }
        Ok(())
    }

    /// The earliest time any of the buffers holds. With the audio apart this can be before
    /// the start of `video.buffered` (the intersection of the buffers): a removal up to a cut
    /// takes the video to its next key frame but the audio only to the cut, so trims start
    /// here, or the audio would keep an island before every key frame it was cut at.
    pub fn earliest_start(&self) -> Option<f64> {
        self.across_buffers(|r| (r.length() > 0).then(|| r.start(0).ok()).flatten(), f64::min)
    }

    /// The latest time any of the buffers holds.
    fn latest_end(&self) -> Option<f64> {
        let end = |r: &TimeRanges| r.length().checked_sub(1).and_then(|last| r.end(last).ok());
        self.across_buffers(end, f64::max)
    }

    /// `edge` of each buffer's ranges (the buffers that have one), combined by `pick`.
    fn across_buffers(
        &self,
        edge: impl Fn(&TimeRanges) -> Option<f64>,
        pick: fn(f64, f64) -> f64,
    ) -> Option<f64> {
        let buffers = [self.buffer.borrow().clone(), self.apart.borrow().clone()];
        buffers.iter().flatten().filter_map(|sb| edge(&sb.buffered().ok()?)).reduce(pick)
    }

    /// The buffered ranges, in seconds, in order.
    pub fn buffered_ranges(&self) -> Vec<(f64, f64)> {
        let ranges = self.video.buffered();
        (0..ranges.length())
            .filter_map(|i| Some((ranges.start(i).ok()?, ranges.end(i).ok()?)))
            .collect()
    }

    /// The buffered range holding `currentTime` (or starting up to half a second after it).
    pub fn current_range(&self) -> Option<(f64, f64)> {
        let t = self.video.current_time();
        self.buffered_ranges()
            .into_iter()
            .find(|&(s, e)| s <= t + 0.5 && e > t)
    }

    /// Whether the media source is a `ManagedMediaSource` (Safari).
    pub fn is_managed(&self) -> bool {
        self.source.is_managed()
    }

    async fn append_once(&self, sb: &SourceBuffer, data: &[u8]) -> Result<(), String> {
        // A managed source: only while the browser wants media.
        loop {
            self.source.until_streaming().await;
            if self.source.is_released() {
                return Err("the player was stopped".into());
            }
            if !sb.updating() {
                break;
            }
            idle(sb).await;
        }
        let done = update_end(sb);
        // appendBuffer copies the bytes synchronously, so a view of wasm memory is enough (no
        // copy of the segment in wasm memory first). SAFETY: nothing allocates in wasm (which
        // could grow and detach the memory the view points into) between making the view and
        // the call that consumes it.
        let view = unsafe { js_sys::Uint8Array::view(data) };
        if let Err(e) = sb.append_buffer_with_array_buffer_view(&view) {
            clear_handlers(sb);
            return Err(js_message(&e));
        }
        *self.appending.borrow_mut() = Some(sb.clone());
        let r = JsFuture::from(done).await;
        self.appending.borrow_mut().take();
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

    /// Stops an append of ours that is running, with `SourceBuffer.abort()`: the MSE spec
    /// allows it while an append runs (not while a removal does: then nothing is done), keeps
    /// the coded frames parsed so far, drops the rest of the segment and fires `updateend`, so
    /// the awaited [`append`](Self::append) returns `Ok`. For a seek elsewhere: the browser
    /// need not finish parsing media of the old place first. `abort()` also resets
    /// `appendWindowStart`, which is set again. Returns whether an append was aborted.
    pub fn abort_append(&self) -> bool {
        let Some(sb) = self.appending.borrow().clone() else {
            return false;
        };
        if self.media_source.ready_state() != MediaSourceReadyState::Open || !sb.updating() {
            return false;
        }
        if sb.abort().is_err() {
            return false;
        }
        sb.set_append_window_start(self.window_start.get());
        true
    }

    /// Removes `start..end` seconds from the buffers (the MP4 one and the audio apart) and
    /// waits for it to finish.
    pub async fn remove(&self, start: f64, end: f64) -> Result<(), String> {
        if end <= start {
            return Ok(());
        }
        // Counted: what was buffered in that span (a restart removes 0..f64::MAX).
        let held = match (self.earliest_start(), self.latest_end()) {
            (Some(a), Some(b)) => (end.min(b) - start.max(a)).max(0.0),
            _ => 0.0,
        };
        let buffers = [self.buffer.borrow().clone(), self.apart.borrow().clone()];
        for sb in buffers.into_iter().flatten() {
            self.remove_from(&sb, start, end).await?;
        }
        self.removed_secs.set(self.removed_secs.get() + held);
        Ok(())
    }

    async fn remove_from(&self, sb: &SourceBuffer, start: f64, end: f64) -> Result<(), String> {
        let sb = sb.clone();
        idle(&sb).await;
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
        self.current_range().map_or(0.0, |(_, e)| e - t)
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
        let buffers = [self.buffer.borrow().clone(), self.apart.borrow().clone()];
        for sb in buffers.iter().flatten() {
            // abort() fires `updateend`, so an append awaited by the scheduler settles and the
            // loop can notice it was destroyed.
            if self.media_source.ready_state() == MediaSourceReadyState::Open && sb.updating() {
                let _ = sb.abort();
            }
        }
        let _ = Url::revoke_object_url(&self.object_url);
        self.source.release();
    }
}

/// Waits while `sb` is busy with an operation this sink did not start (none in today's
/// browsers: a managed source evicts without `updating`; but `appendBuffer` and `remove`
/// throw `InvalidStateError` on a busy buffer, so a page script's own `remove` must not make
/// the player fail).
async fn idle(sb: &SourceBuffer) {
    while sb.updating() {
        let mut listener = None;
        let ended = Promise::new(&mut |resolve: Function, _| {
            let _ = sb.add_event_listener_with_callback("updateend", &resolve);
            listener = Some(resolve);
        });
        let _ = JsFuture::from(ended).await;
        if let Some(f) = listener {
            let _ = sb.remove_event_listener_with_callback("updateend", &f);
        }
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
