//! The buffer-health loop: pulls [`Pipeline::step`], fetches the byte ranges it asks for,
//! hands segments to the [append queue](super::mse), and stops pulling while enough is
//! buffered ahead of `currentTime`. Separate from the append queue on purpose: this decides
//! *when* to fetch and append, the queue only serialises appends.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::fetch::{trace, FetchError};
use super::requests::{InFlight, Requests};
use super::{mse::MseSink, Shared};
use crate::error::{Error, ErrorCode, Problem};
pub use crate::io::Reading;
use crate::io::{plan_range, RequestSizes, SparseCache};
use crate::pipeline::{Pipeline, Step};
use crate::time::{TimeBase, Timestamp};

/// Tuning of the loop. Every default names who reads it.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Bytes fetched per request once the video has started playing: 1 MiB, ending on a
    /// piece boundary (`io::ranges::plan_range`, [`Reading::Playing`]). Read by [`plan_range`].
    pub chunk_bytes: u64,
    /// Before the video first plays, a request ends at the next multiple of this many bytes,
    /// 256 KiB (of the piece length when pieces are smaller): what the demuxer needs, rounded
    /// up only that far, so the first (short) fragment costs little more than the bytes it
    /// holds. The server still fetches whole pieces from the swarm; with pieces larger than
    /// this, the next request reads the rest of the piece at once. Not after a seek once the
    /// video has played: there the bytes from the key frame to the target are several pieces
    /// at 20 Mbit/s, fetched a piece per request until the fragment the browser needs to play
    /// on is appended ([`Reading::Seeking`]; docs/DESIGN.md, "Seek timeline"). Read by
    /// [`plan_range`].
    pub startup_bytes: u64,
    /// Requests kept going: when the one the demuxer waits for arrives, the range right after
    /// it (sized as [`plan_range`] says) is asked for at once, so it downloads while the bytes
    /// that came are parsed and appended; at most this many requests at a time, the one being
    /// parsed included: 2. Read by [`run`].
    pub requests_in_flight: usize,
    /// Stop pulling when this many seconds are buffered ahead of `currentTime`: 30 s (less
    /// for a high-bitrate film: see `media_budget_bytes`). Read by [`limits`].
    pub high_watermark: f64,
    /// Resume pulling when less than this is buffered ahead: 10 s (less for a high-bitrate
    /// film: see `media_budget_bytes`). Read by [`limits`].
    pub low_watermark: f64,
    /// How often to re-check buffer health while not pulling: 250 ms. Read by [`run`].
    pub poll_ms: i32,
    /// Before the video first plays, stop pulling once this many seconds are buffered
    /// (0.25 s, the first fragment: see `fmp4::fragmenter::FIRST_SECONDS`), so the bytes
    /// fetched at the first frame stay those of the first fragment (and the request in
    /// flight after it). Chromium begins playing with that much; if the video still waits
    /// after `startup_settle_ms`, one more fragment is pulled. Read by [`run`].
    pub startup_watermark: f64,
    /// How long the video may wait to begin at the startup watermark before one more
    /// fragment is pulled (the browser may want more than one fragment): 400 ms, longer than
    /// the first append's decoder set-up. Not after a seek: there the loop goes on at once
    /// (the next fragment needs the next piece, which comes a piece's download time later
    /// anyway; idling made a browser that wanted more than the first fragment wait up to
    /// 400 ms more: docs/DESIGN.md, "Seek timeline"). Read by [`run`].
    pub startup_settle_ms: i32,
    /// How long to wait at the startup watermark for playback to begin before filling the
    /// buffer anyway (autoplay blocked, a paused video): 3 s. Read by [`run`].
    pub startup_hold_ms: i32,
    /// Keep only the first fragment (the frame a paused video shows) for as long as the video
    /// has not played and stays paused, instead of filling the buffer after
    /// `startup_hold_ms`: the embeddable player's `preload="metadata"`, so a page with several
    /// players that nobody has started downloads headers and a first frame each, not 30 s of
    /// film each. Default false (the Riptide page fills the buffer, so play starts at once).
    /// Set by `Player::set_hold_until_play`; read by [`run`].
    pub hold_until_play: bool,
    /// Bytes kept behind the source position of the latest segment when evicting the cache
    /// (the demuxer never goes back further than its current cluster): 2 MiB. Read by [`run`].
    pub evict_margin: u64,
    /// Bytes kept ahead of the source position of the latest segment in the cache (what was
    /// fetched before a seek elsewhere is dropped beyond this): 16 MiB. With `evict_margin`
    /// this bounds the cache, so wasm memory does not grow with the film. Read by [`run`].
    pub cache_ahead: u64,
    /// Seconds of played media kept behind `currentTime` in the SourceBuffer: 30 s (less for a
    /// high-bitrate film: see `media_budget_bytes`). Older media is removed
    /// (`SourceBuffer.remove`) once it exceeds this by `trim_slack`. Read by [`limits`] (and,
    /// as limited, by the append queue on `QuotaExceededError`).
    pub back_buffer: f64,
    /// Bytes of film the SourceBuffers may hold, ahead of and behind the playhead together:
    /// 40 MiB. The browser keeps every appended byte in the tab's memory (and more for
    /// decoding), so seconds alone do not bound it: 30 + 30 s of a 20 Mbit/s film are 150 MB.
    /// At the film's average byte rate (file size / duration), `high_watermark` is cut to 3/4
    /// of this (never below `MIN_LOW_SECS` + `MIN_FETCH_SPAN_SECS`), `low_watermark` with it
    /// when it comes within `MIN_FETCH_SPAN_SECS` of it (never below `MIN_LOW_SECS`), and
    /// `back_buffer` to 1/4 (never below `MIN_BACK_SECS`); none is ever raised above its
    /// configured seconds (docs/DESIGN.md, "How much the tab holds", works it out for common
    /// bitrates). hls.js bounds its forward buffer the same way (`maxBufferSize`). 0: seconds
    /// only. Read by [`limits`].
    pub media_budget_bytes: u64,
    /// Trim the back buffer only once it exceeds `back_buffer` by this many seconds (5 s), so
    /// removals come in batches, not after every fragment. Read by [`run`].
    pub trim_slack: f64,
    /// A request in flight that receives nothing for this long while the video waits means
    /// "stalled": 3 s. Read by [`Shared::state`](super::Shared::state).
    pub stall_ms: f64,
    /// First wait before retrying a failed request: 250 ms, doubling up to `retry_max_ms`.
    /// Read by [`run`].
    pub retry_min_ms: i32,
    /// Longest wait between retries: 2 s, so playback resumes within about 2 s of the server
    /// answering again. Read by [`run`].
    pub retry_max_ms: i32,
}

impl Config {
    /// The request sizes [`crate::io::plan_range`] plans with.
    pub fn request_sizes(&self) -> RequestSizes {
        RequestSizes { chunk_bytes: self.chunk_bytes, startup_bytes: self.startup_bytes }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            chunk_bytes: 1 << 20,
            startup_bytes: 256 << 10,
            requests_in_flight: 2,
            high_watermark: 30.0,
            low_watermark: 10.0,
            poll_ms: 250,
            startup_watermark: 0.25,
            startup_settle_ms: 400,
            startup_hold_ms: 3000,
            hold_until_play: false,
            evict_margin: 2 << 20,
            cache_ahead: 16 << 20,
            back_buffer: super::mse::BACK_BUFFER_SECS,
            media_budget_bytes: 40 << 20,
            trim_slack: 5.0,
            stall_ms: 3000.0,
            retry_min_ms: 250,
            retry_max_ms: 2000,
        }
    }
}

/// Poll interval while waiting for the first frame (the status turns "playing" quickly).
const STARTUP_POLL_MS: i32 = 50;

/// The budget never brings the high watermark closer than this to the low one (4 s): each
/// resume fetches at least that much film.
pub const MIN_FETCH_SPAN_SECS: f64 = 4.0;
/// The budget never cuts the back buffer below this (3 s): a short jump back stays instant.
pub const MIN_BACK_SECS: f64 = 3.0;

/// The budget never cuts the low watermark below this (4 s): what is left ahead when
/// fetching resumes, to cover a slow request or a busy moment of the page.
pub const MIN_LOW_SECS: f64 = 4.0;

/// How much the SourceBuffers hold for one film: `config` seconds, cut by its byte budget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Stop pulling at this many seconds ahead of `currentTime`.
    pub high_watermark: f64,
    /// Resume pulling below this many seconds ahead of `currentTime`.
    pub low_watermark: f64,
    /// Keep this many seconds behind `currentTime`.
    pub back_buffer: f64,
}

/// The limits for a film of `size` bytes lasting `duration_secs` (either unknown: the
/// configured seconds), per `Config::media_budget_bytes`.
pub fn limits(cfg: &Config, size: Option<u64>, duration_secs: Option<f64>) -> Limits {
    let seconds = Limits {
        high_watermark: cfg.high_watermark,
        low_watermark: cfg.low_watermark,
        back_buffer: cfg.back_buffer,
    };
    let (Some(size), Some(d)) = (size, duration_secs) else {
        return seconds;
    };
    if cfg.media_budget_bytes == 0 || size == 0 || !(d.is_finite() && d > 0.0) {
        return seconds;
    }
    let byte_rate = size as f64 / d;
    let budget = cfg.media_budget_bytes as f64;
    // Cut, never raised: at most the configured seconds.
    let ahead = 0.75 * budget / byte_rate;
    let high_watermark = ahead.max(MIN_LOW_SECS + MIN_FETCH_SPAN_SECS).min(cfg.high_watermark);
    // The low watermark follows only when the budget brought the high one within
    // `MIN_FETCH_SPAN_SECS` of it (not a configured high watermark): each resume still
    // fetches that much.
    let cut = ahead < cfg.high_watermark;
    let low_watermark = if cut && high_watermark < cfg.low_watermark + MIN_FETCH_SPAN_SECS {
        (high_watermark - MIN_FETCH_SPAN_SECS).max(MIN_LOW_SECS).min(cfg.low_watermark)
    } else {
        cfg.low_watermark
    };
    Limits {
        high_watermark,
        low_watermark,
        back_buffer: (0.25 * budget / byte_rate).max(MIN_BACK_SECS).min(cfg.back_buffer),
    }
}

/// A promise that resolves after `ms` milliseconds (a JS timer; never blocks the page).
pub async fn sleep(ms: i32) {
    let _ = JsFuture::from(sleep_promise(ms)).await;
}

/// The promise of [`sleep`].
fn sleep_promise(ms: i32) -> Promise {
    Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        } else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    })
}

/// Step of [`sleep_unless_asked`]: 20 ms.
const WAKE_STEP_MS: i32 = 20;

thread_local! {
    /// Resolves the promise of [`woken`]: set while the loop waits, called by [`wake`].
    static WAKE: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Wakes the loop if it waits (for a range request, or idles): the page asked for a seek.
/// Without it, a loop waiting for a request of the old place would wait until that request
/// ends, since those requests are no longer cancelled at once (see
/// [`RangeFetcher::retire_current`](super::fetch::RangeFetcher::retire_current)).
pub fn wake() {
    if let Some(resolve) = WAKE.with(|w| w.borrow_mut().take()) {
        let _ = resolve.call0(&JsValue::UNDEFINED);
    }
}

/// A promise that [`wake`] resolves (one waiter at a time: the loop).
fn woken() -> Promise {
    Promise::new(&mut |resolve, _| WAKE.with(|w| *w.borrow_mut() = Some(resolve)))
}

/// Waits for `p`, or until [`wake`] is called.
pub(super) async fn until_woken(p: &Promise) {
    let race = Promise::race(&js_sys::Array::of2(p, &woken()));
    let _ = JsFuture::from(race).await;
    WAKE.with(|w| w.borrow_mut().take());
}

/// Sleeps `ms` milliseconds, or less if the page asks for a seek or an audio switch
/// meanwhile (woken at once for a seek; otherwise checked every [`WAKE_STEP_MS`]).
async fn sleep_unless_asked(shared: &Shared, ms: i32) {
    let mut left = ms;
    while left > 0 {
        let step = left.min(WAKE_STEP_MS);
        until_woken(&sleep_promise(step)).await;
        left -= step;
        let switch = shared.tracks.borrow().switch_to.is_some();
        if shared.seek_request.get().is_some() || switch || shared.destroyed.get() {
            return;
        }
    }
}

/// How far (seconds) the end of the last appended segment may be from the end of the
/// buffered range being played before the pipeline is moved to that range's end (the playhead
/// jumped into another buffered range, or two ranges merged).
const FRONTIER_SLACK: f64 = 1.0;

/// Where the loop is between opening the file and its end: one value, not a set of flags
/// (hls.js's `State` in `base-stream-controller.ts`). A pending seek is kept apart
/// ([`Loop::seek`]): it can come in any phase, and the phase after it depends on the one before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// No media appended yet: the pipeline opens, the init segment and the first fragment come.
    Opening,
    /// Media is appended but the video has not played yet: pull only up to the startup
    /// watermark (see `Config::startup_watermark`, `startup_hold_ms`, `hold_until_play`).
    Startup,
    /// The video has played (or `startup_hold_ms` passed): pull whole chunks until the high
    /// watermark is ahead.
    Filling,
    /// The high watermark is ahead: idle until less than the low watermark is.
    Holding,
    /// The pipeline reached the end of the file (since the latest seek); `played`: the video
    /// had played (the phase a seek goes back to is [`Phase::Filling`] then, else
    /// [`Phase::Startup`]).
    Ended { played: bool },
}

impl Phase {
    /// Media has been appended.
    fn started(self) -> bool {
        self != Phase::Opening
    }

    /// The video has played: requests are whole chunks from now on.
    fn played(self) -> bool {
        matches!(self, Phase::Filling | Phase::Holding | Phase::Ended { played: true })
    }

    /// The phase to continue in from another place of the film (a seek, an audio switch):
    /// pulling again, as the video has played or not.
    fn moved(self) -> Phase {
        match self {
            Phase::Opening | Phase::Startup => self,
            Phase::Ended { played: false } => Phase::Startup,
            Phase::Filling | Phase::Holding | Phase::Ended { played: true } => Phase::Filling,
        }
    }
}

/// A seek not done yet (it may need bytes).
#[derive(Clone, Copy, Debug)]
struct Seek {
    /// Seconds.
    target: f64,
    /// `performance.now()` when it was asked for.
    asked_ms: f64,
}

impl Seek {
    fn to(target: f64) -> Seek {
        Seek { target, asked_ms: super::fetch::now_ms() }
    }
}

/// The pipeline, once opened, and whether its init segment went out (a pending seek waits for
/// it; reopened after an audio switch).
struct Opened {
    pipeline: Pipeline,
    init_out: bool,
    /// The browser's encoder for a transcoded (Xvid) video track.
    encode: super::encode::EncodeStage,
}

/// What the loop keeps between steps.
struct Loop {
    cache: SparseCache,
    source: Option<Opened>,
    phase: Phase,
    seek: Option<Seek>,
    /// Milliseconds held at the startup watermark in [`Phase::Startup`].
    held_ms: i32,
    /// Milliseconds held at the startup watermark since the latest append.
    settle_ms: i32,
    /// Source position of the latest segment (the reader is near it).
    evict_mark: u64,
    /// End (seconds) of the latest appended segment since the latest seek.
    frontier: Option<f64>,
    /// From a seek (or an audio switch) until a fragment reaching `FIRST_SECONDS` past its
    /// target (this time, seconds) is appended, the one the browser needs to play on:
    /// requests are sized for [`Reading::Seeking`].
    moving: Option<f64>,
    /// The seek index fetched while the video plays, so a seek needs no request for it
    /// ([`prefetch_index`]).
    index: IndexFetch,
    retry_ms: i32,
    requests: Requests,
    /// Since when (`performance.now()`) the playhead has sat stuck before a hole in the
    /// buffered media while playing (see [`super::holes::skip_hole`]).
    stuck_since: Option<f64>,
}

impl Loop {
    /// The film's stated length in seconds, once its headers are read.
    fn duration_secs(&self) -> Option<f64> {
        let (d, tb) = self.source.as_ref()?.pipeline.duration()?;
        Some(tb.seconds(d.0.min(i64::MAX as u64) as i64))
    }
}

/// Runs the whole file through the pipeline into the video, and keeps running after the end
/// of the stream to serve seeks. `on_end` is called once, when every segment has been
/// appended (after `endOfStream`). Returns on `destroy()` (Ok), or with the problem that
/// stopped it.
pub async fn run(
    shared: Rc<Shared>,
    size: Option<u64>,
    piece_length: u32,
    cfg: Config,
    mut on_end: impl FnMut(),
) -> Result<(), Problem> {
    let sink = Rc::new(MseSink::attach(&shared.video).await.map_err(Problem::media_source)?);
    // Seconds until the film's duration is known (its init segment), then cut by its byte rate.
    let mut lim = limits(&cfg, None, None);
    sink.set_retention(lim.back_buffer, lim.high_watermark + 5.0);
    *shared.sink.borrow_mut() = Some(sink.clone());
    let mut st = Loop {
        cache: SparseCache::new(size),
        source: None,
        phase: Phase::Opening,
        seek: None,
        held_ms: 0,
        settle_ms: 0,
        evict_mark: 0,
        frontier: None,
        moving: None,
        index: IndexFetch::Wanted { rounds: 0 },
        retry_ms: 0,
        requests: Requests::default(),
        stuck_since: None,
    };
    let mut end_reported = false;
    // After an audio switch: segments ending before this time (seconds) are not appended.
    let mut skip_before: Option<f64> = None;
    loop {
        if shared.destroyed.get() {
            return Ok(());
        }
        if super::tracks::take_switch(&shared).is_some() {
            // Another audio track: reopen the pipeline (it re-chooses with the viewer's pick)
            // and seek it to the current time (see `tracks::restart`).
            let t = super::tracks::restart(&shared, &sink).await.map_err(Problem::media_source)?;
            skip_before = Some(t);
            st.source = None;
            st.index = IndexFetch::Wanted { rounds: 0 };
            st.frontier = None;
            st.phase = st.phase.moved();
            st.seek = Some(Seek::to(t));
            end_reported = false;
            shared.update(|s| s.complete = false);
        }
        // A seek from the page (the `seeking` event, outside what is buffered).
        if let Some(t) = shared.seek_request.take() {
            let asked_ms = shared.seek_asked_ms.get();
            trace("seek taken", || format!("{t:.3}, {:.1} ms after it was asked", super::fetch::now_ms() - asked_ms));
            // The requests of the old place: retired by the page's `seeking` handler (they are
            // cancelled once the first request for the new place is answered).
            st.requests.clear();
            st.seek = Some(Seek { target: t, asked_ms });
            shared.update(|s| s.seeking = true);
        }
        if st.phase.played() && st.seek.is_none() {
            prefetch_index(&mut st, &shared, &cfg, size, piece_length).await;
        }
        let ahead = sink.buffered_ahead();
        shared.update(|s| {
            s.buffered_ahead = ahead;
            s.removed_secs = sink.removed_secs();
        });
        if st.phase.started() && st.seek.is_none() {
            super::holes::skip_hole(&shared, &sink, &mut st.stuck_since);
        }
        if st.phase.played() && st.seek.is_none() {
            // The playhead is in a buffered range the pipeline is not extending (a jump
            // into another range, or the new range reached an older one): continue from
            // that range's end, and never fetch again what is buffered.
            let range_end = sink.current_range().map(|r| r.1);
            if let (Some(front), Some(end)) = (st.frontier, range_end) {
                if (front - end).abs() > FRONTIER_SLACK && ahead < lim.high_watermark {
                    st.seek = Some(Seek::to(end));
                }
            } else if range_end.is_none() && st.frontier.is_some() && !shared.video.seeking() {
                // Nothing buffered at the playhead (trimmed, or a seek the page missed).
                let t = shared.video.current_time();
                if st.frontier.is_some_and(|f| (f - t).abs() > FRONTIER_SLACK) {
                    st.seek = Some(Seek::to(t));
                }
            }
        }
        if st.seek.is_none() {
            if st.phase.started() && !st.phase.played() {
                let may_fill = !(cfg.hold_until_play && shared.video.paused());
                if shared.state() == "playing" || (may_fill && st.held_ms >= cfg.startup_hold_ms) {
                    st.phase = match st.phase {
                        Phase::Ended { .. } => Phase::Ended { played: true },
                        _ => Phase::Filling,
                    };
                } else if ahead >= cfg.startup_watermark
                    && (shared.video.paused() || st.settle_ms < cfg.startup_settle_ms)
                {
                    sleep(STARTUP_POLL_MS).await;
                    st.held_ms += STARTUP_POLL_MS;
                    st.settle_ms += STARTUP_POLL_MS;
                    continue;
                }
            }
            match st.phase {
                Phase::Holding if ahead < lim.low_watermark => st.phase = Phase::Filling,
                Phase::Filling if ahead >= lim.high_watermark => st.phase = Phase::Holding,
                _ => {}
            }
            if matches!(st.phase, Phase::Holding | Phase::Ended { .. }) {
                if matches!(st.phase, Phase::Ended { .. }) && !end_reported {
                    end_reported = true;
                    on_end();
                }
                trim(&sink, &cfg, lim).await?;
                sleep_unless_asked(&shared, cfg.poll_ms).await;
                continue;
            }
        }
        let result = step(&mut st, &shared);
        if let Some(o) = st.source.as_mut() {
            super::tracks::add_cues(&shared, o.pipeline.take_cues());
        }
        match result {
            Err(Error::NeedData { offset, len }) => {
                // Once the video has played: a piece per request from a seek to its first
                // fragment (what the seek reads to find the key frame included), whole chunks
                // otherwise (see `Config::startup_bytes`, `io::ranges::Reading`).
                let reading = if !st.phase.played() {
                    Reading::Startup
                } else if st.seek.is_some() || st.moving.is_some() {
                    Reading::Seeking
                } else {
                    Reading::Playing
                };
                st.requests.store_finished(offset, &mut st.cache, &shared).await;
                // The request for the needed byte: one in flight already, or a new one.
                let cache = &st.cache;
                let request = st.requests.take_covering(&shared, offset, || {
                    plan_range(cfg.request_sizes(), cache, offset, len, size, piece_length, reading)
                });
                let (start, end) = (request.start, request.end);
                let result = request.wait_unless_seek(&shared).await;
                if result.is_ok() {
                    // Ask for the range right after it at once, so it downloads while this
                    // one is parsed and appended (not before: both would share the seeder's
                    // bandwidth, and the bytes needed now would arrive later).
                    let cache = &st.cache;
                    st.requests.ask_ahead(
                        &shared,
                        end,
                        cfg.requests_in_flight,
                        |next| size.is_some_and(|s| next >= s) || cache.missing(next, 1).is_none(),
                        |next| plan_range(cfg.request_sizes(), cache, next, 1, size, piece_length, reading),
                    );
                }
                match result {
                    Ok(bytes) => {
                        st.retry_ms = 0;
                        shared.update(|s| s.retrying = None);
                        if bytes.is_empty() {
                            return Err(Problem::fatal(
                                ErrorCode::Network,
                                format!(
                                    "the server sent no data for bytes {start}-{} (the file may be shorter than announced)",
                                    end.saturating_sub(1)
                                ),
                            ));
                        }
                        let n = bytes.len() as u64;
                        st.cache.insert(start, bytes);
                        shared.update(|s| s.bytes_fetched += n);
                    }
                    Err(FetchError::Aborted) => {
                        if shared.destroyed.get() {
                            return Ok(());
                        }
                        // A seek cancelled it (and every other request in flight): the loop
                        // picks the seek up.
                        st.requests.clear();
                    }
                    Err(FetchError::Transient(msg)) => {
                        // Keep trying: the server or the swarm may come back. The requests
                        // after it are asked again too.
                        st.requests.clear();
                        st.retry_ms = (st.retry_ms * 2).clamp(cfg.retry_min_ms, cfg.retry_max_ms);
                        shared.update(|s| s.retrying = Some(msg.clone()));
                        sleep(st.retry_ms).await;
                    }
                    Err(FetchError::Fatal(msg)) => return Err(Problem::fatal(ErrorCode::Network, msg)),
                }
            }
            Err(e) => {
                if st.seek.is_some() && st.phase.started() {
                    // This file cannot seek there: say so, and play on from where it was.
                    let notice = Problem {
                        message: format!("cannot jump to that point: {e}"),
                        ..Problem::from(e).not_fatal()
                    };
                    st.seek = None;
                    shared.update(|s| {
                        s.seeking = false;
                        s.notice = Some(notice);
                    });
                    continue;
                }
                return Err(e.into());
            }
            Ok(Outcome::Sought(point_secs)) => {
                if let Some(o) = st.source.as_mut() {
                    o.encode.seeked().await;
                }
                let seek = st.seek.take();
                let ms = super::fetch::now_ms() - seek.map_or(0.0, |s| s.asked_ms);
                st.moving = seek.map(|s| s.target.max(point_secs));
                trace("sought", || format!("key frame {point_secs:.3} s at byte {}", st.evict_mark));
                shared.update(|s| {
                    s.seeking = false;
                    s.seeks += 1;
                    s.last_seek = point_secs;
                    s.last_seek_prepare_ms = ms;
                });
            }
            Ok(Outcome::Step(Step::Init(init))) => {
                shared.update(|s| s.mime = init.mime.clone());
                // Every buffer exists before the first append (see `add_apart_buffer`).
                if let Some(m) = &init.audio_apart_mime {
                    sink.add_apart_buffer(m).map_err(Problem::media_source)?;
                }
                if !init.data.is_empty() {
                    sink.add_source_buffer(&init.mime).map_err(Problem::media_source)?;
                }
                let duration = st.duration_secs();
                if let Some(secs) = duration {
                    sink.set_duration(secs);
                }
                // Transcoded audio (FLAC) and re-encoded video (Xvid's H.264) add to what the
                // file's size says the SourceBuffers will hold: the budget counts them
                // (conservatively: the source's bytes of those tracks stay counted too).
                let growth = st.source.as_ref().map_or(0.0, |o| o.pipeline.transcoded_bytes_per_second());
                let size = size.map(|s| s + (growth * duration.unwrap_or(0.0)) as u64);
                lim = limits(&cfg, size, duration);
                sink.set_retention(lim.back_buffer, lim.high_watermark + 5.0);
                shared.update(|s| {
                    s.high_watermark = lim.high_watermark;
                    s.back_buffer = lim.back_buffer;
                });
                if !init.data.is_empty() {
                    sink.append(&init.data).await.map_err(Problem::media_source)?;
                }
                if let Some(o) = st.source.as_mut() {
                    o.init_out = true;
                }
            }
            Ok(Outcome::Step(Step::Frames(frames))) => {
                if let Some(o) = st.source.as_mut() {
                    o.encode.encode(&mut o.pipeline, frames).await?;
                    let most = o.encode.max_in_flight();
                    if most > shared.status.borrow().frames_in_flight {
                        shared.update(|s| s.frames_in_flight = most);
                    }
                }
            }
            Ok(Outcome::Step(Step::Segment(seg))) if super::tracks::before(&seg, skip_before) => {}
            Ok(Outcome::Step(Step::Segment(mut seg))) => {
                trace("segment", || {
                    let tb = seg.time_base;
                    format!("{:.3}-{:.3} s, {} bytes, source byte {}", tb.seconds(seg.start.0), tb.seconds(seg.end.0), seg.data.len(), seg.source_pos)
                });
                if let Some(start) = seg.window_start {
                    sink.set_window_start(start);
                }
                if !seg.data.is_empty() {
                    let data = std::mem::take(&mut seg.data);
                    if !append_unless_seek(&sink, &shared, data).await.map_err(Problem::media_source)? {
                        // Aborted for a seek elsewhere: taken at the top of the loop.
                        continue;
                    }
                }
                for run in &seg.audio_apart {
                    sink.append_apart(run.time_base.seconds(run.start.0), &run.data)
                        .await
                        .map_err(Problem::media_source)?;
                }
                st.settle_ms = 0;
                let end = seg.time_base.seconds(seg.end.0);
                if st.moving.is_some_and(|t| end >= t + crate::fmp4::fragmenter::FIRST_SECONDS - 0.01) {
                    st.moving = None;
                }
                if st.phase == Phase::Opening {
                    st.phase = Phase::Startup;
                    // Media that starts later than 0 s: move the playhead onto it.
                    if let Some(first) = sink.buffered_start() {
                        if shared.video.current_time() + 0.01 < first {
                            shared.video.set_current_time(first);
                        }
                    }
                }
                st.frontier = Some(seg.time_base.seconds(seg.end.0));
                st.evict_mark = seg.source_pos;
                // Bounded cache: a window around the reader.
                st.cache.retain(
                    st.evict_mark.saturating_sub(cfg.evict_margin),
                    st.evict_mark.saturating_add(cfg.cache_ahead),
                );
                trim(&sink, &cfg, lim).await?;
                let ahead = sink.buffered_ahead();
                let held = st.cache.held_bytes();
                shared.update(|s| {
                    s.segments += 1;
                    s.buffered_ahead = ahead;
                    s.cache_bytes = held;
                    s.removed_secs = sink.removed_secs();
                });
            }
            Ok(Outcome::Step(Step::End)) => {
                st.phase = Phase::Ended { played: st.phase.played() };
                sink.end_of_stream().map_err(Problem::media_source)?;
                // The media ran out before the stated length: say so, or the film just stops.
                let notice = st
                    .duration_secs()
                    .zip(st.frontier)
                    .and_then(|(a, b)| crate::pipeline::cut_off_notice(a, b));
                shared.update(|s| {
                    s.complete = true;
                    if let Some(n) = notice {
                        s.notice = Some(Problem::notice(ErrorCode::CutOffFile, n));
                    }
                });
            }
        }
    }
}

/// Appends `data` (a media segment) to `sink`; if the page asks for a seek meanwhile, the
/// append is aborted ([`MseSink::abort_append`]) and `Ok(false)` comes back at once, so the
/// seek is taken without waiting for the browser to parse media of the old place (a 1 s
/// fragment of a 20 Mbit/s film: tens of ms on a loaded machine; 64 ms between `seeking` and
/// the seek being taken in one traced seek). `Ok(true)`: appended.
async fn append_unless_seek(sink: &Rc<MseSink>, shared: &Shared, data: Vec<u8>) -> Result<bool, String> {
    let slot: Rc<RefCell<Option<Result<(), String>>>> = Rc::new(RefCell::new(None));
    let done = {
        let (sink, slot) = (sink.clone(), slot.clone());
        wasm_bindgen_futures::future_to_promise(async move {
            let r = sink.append(&data).await;
            *slot.borrow_mut() = Some(r);
            Ok(JsValue::UNDEFINED)
        })
    };
    let mut aborted = false;
    loop {
        if let Some(r) = slot.borrow_mut().take() {
            return r.map(|()| !aborted);
        }
        if !aborted && shared.seek_request.get().is_some() {
            aborted = sink.abort_append();
            if aborted {
                trace("append aborted", || "for a seek".into());
            }
        }
        until_woken(&done).await;
    }
}

/// Where the background read of the seek index is.
enum IndexFetch {
    /// Not loaded yet; `rounds`: requests made for it so far.
    Wanted { rounds: u32 },
    /// A request for its bytes is in flight.
    Fetching { rounds: u32, request: InFlight },
    /// Loaded, or nothing to load, or left to the first seek (see [`INDEX_ROUNDS`]).
    Done,
}

/// Requests the background read of the index makes before leaving it to the first seek: an
/// index is a header and a body, usually both in one request; more rounds mean something
/// odd (the bytes evicted between rounds, an index spread over the file).
const INDEX_ROUNDS: u32 = 4;

/// Once the video plays, reads the index a seek would read first (MKV Cues, AVI idx1: at the
/// end of the file, `Pipeline::load_index`) with a request of its own beside the playback's,
/// so the first seek starts with the bytes at its target instead of a round trip to the
/// file's end (12–30 ms measured on loopback; a whole piece from the seeder when the server
/// lacks the file's last one). Never waits: a request in flight is looked at on the next
/// turn of the loop.
async fn prefetch_index(
    st: &mut Loop,
    shared: &Rc<Shared>,
    cfg: &Config,
    size: Option<u64>,
    piece_length: u32,
) {
    let Some(opened) = st.source.as_mut() else { return };
    let rounds = match std::mem::replace(&mut st.index, IndexFetch::Done) {
        IndexFetch::Done => return,
        IndexFetch::Wanted { rounds } => rounds,
        IndexFetch::Fetching { rounds, request } if !request.finished() => {
            st.index = IndexFetch::Fetching { rounds, request };
            return;
        }
        IndexFetch::Fetching { rounds, request } => {
            request.store(&mut st.cache, shared).await;
            rounds
        }
    };
    match opened.pipeline.load_index(&mut st.cache) {
        Err(Error::NeedData { offset, len }) if rounds < INDEX_ROUNDS => {
            let (a, b) = plan_range(cfg.request_sizes(), &st.cache, offset, len, size, piece_length, Reading::Seeking);
            trace("index", || format!("fetch {a}-{b}"));
            let request = InFlight::spawn(shared, a, b);
            st.index = IndexFetch::Fetching { rounds: rounds + 1, request };
        }
        // Loaded, none, or a problem the first seek will report in its own words.
        _ => {}
    }
}

/// What one [`step`] did.
enum Outcome {
    /// A pending seek is done; the pipeline now starts at this time (seconds).
    Sought(f64),
    Step(Step),
}

/// One move of the pipeline: the pending seek if there is one (once the init segment is
/// out), else the next step (opening the pipeline first).
fn step(st: &mut Loop, shared: &Shared) -> Result<Outcome, Error> {
    let opened = match st.source.as_mut() {
        Some(o) => o,
        None => {
            let encodes = super::video_encoder::webcodecs_available();
            let mut pipeline = Pipeline::open_encoding(&mut st.cache, encodes)?;
            // Ask the browser before downloading the film (stops on unplayable video).
            super::tracks::choose(shared, &mut pipeline)?;
            st.source.insert(Opened { pipeline, init_out: false, encode: Default::default() })
        }
    };
    if let (Some(seek), true) = (st.seek, opened.init_out) {
        let ms = TimeBase::MILLIS;
        let point = opened.pipeline.seek(
            &mut st.cache,
            Timestamp(ms.from_seconds(seek.target.max(0.0))),
            ms,
        )?;
        st.frontier = None;
        st.phase = st.phase.moved();
        st.evict_mark = point.pos;
        return Ok(Outcome::Sought(point.time_base.seconds(point.time.0)));
    }
    opened.pipeline.step(&mut st.cache).map(Outcome::Step)
}

/// Removes played media older than the back buffer of `lim`, once it exceeds that by
/// `trim_slack` (or by the back buffer itself when shorter: a budget-cut back buffer stays
/// small).
async fn trim(sink: &MseSink, cfg: &Config, lim: Limits) -> Result<(), Problem> {
    let t = sink.video().current_time();
    let Some(first) = sink.earliest_start() else {
        return Ok(());
    };
    if t - first > lim.back_buffer + cfg.trim_slack.min(lim.back_buffer) {
        sink.trim_back(lim.back_buffer).await.map_err(Problem::media_source)?;
    }
    Ok(())
}
