//! The buffer-health loop: pulls [`Pipeline::step`], fetches the byte ranges it asks for,
//! hands segments to the [append queue](super::mse), and stops pulling while enough is
//! buffered ahead of `currentTime`. Separate from the append queue on purpose: this decides
//! *when* to fetch and append, the queue only serialises appends.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;

use super::{mse::MseSink, Shared};
use crate::error::Error;
use crate::io::SparseCache;
use crate::pipeline::{Pipeline, Step};

/// Tuning of the loop. Every default names who reads it.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Bytes fetched per request once the video has started playing:
    /// 1 MiB, rounded up to whole pieces. Read by [`plan_range`].
    pub chunk_bytes: u64,
    /// Bytes fetched per request before the video first plays when the piece length is
    /// unknown: 64 KiB. With a known piece length, up to the end of the piece. Startup (MKV header + first key-frame
    /// fragment) therefore costs only the pieces it touches. Read by [`plan_range`].
    pub startup_bytes: u64,
    /// Stop pulling when this many seconds are buffered ahead of `currentTime`: 30 s.
    pub high_watermark: f64,
    /// Resume pulling when less than this is buffered ahead: 10 s.
    pub low_watermark: f64,
    /// How often to re-check buffer health while not pulling: 250 ms.
    pub poll_ms: i32,
    /// Before the video first plays, stop pulling once this many seconds are buffered (1 s):
    /// the bytes fetched at the first frame stay those of the first fragment or so.
    pub startup_watermark: f64,
    /// How long to wait at the startup watermark for playback to begin before filling the
    /// buffer anyway (autoplay blocked, a paused video): 3 s.
    pub startup_hold_ms: i32,
    /// Bytes kept behind the source position of the latest segment when evicting the cache
    /// (the demuxer never goes back further than its current cluster): 2 MiB.
    pub evict_margin: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            chunk_bytes: 1 << 20,
            startup_bytes: 64 << 10,
            high_watermark: 30.0,
            low_watermark: 10.0,
            poll_ms: 250,
            startup_watermark: 1.0,
            startup_hold_ms: 3000,
            evict_margin: 2 << 20,
        }
    }
}

/// Poll interval while waiting for the first frame (the status turns "playing" quickly).
const STARTUP_POLL_MS: i32 = 50;

/// The range `start..end` to fetch for a `NeedData { offset, len }`: at least `len`, extended
/// to a chunk (a startup chunk until the video first plays), the end rounded up to a piece boundary when
/// the piece length is known, clipped to the file size and to the next bytes already held.
pub fn plan_range(
    cfg: &Config,
    cache: &SparseCache,
    offset: u64,
    len: u64,
    size: Option<u64>,
    piece_length: u32,
    playing: bool,
) -> (u64, u64) {
    // Before playback with a known piece length: just to the end of the piece holding the
    // last needed byte (the rounding below), so startup costs only the pieces it touches.
    let chunk = match (playing, piece_length) {
        (true, _) => cfg.chunk_bytes,
        (false, 0) => cfg.startup_bytes,
        (false, _) => 0,
    };
    let mut end = offset.saturating_add(len.max(chunk).max(1));
    if piece_length > 0 {
        let p = piece_length as u64;
        end = end.div_ceil(p).saturating_mul(p);
    }
    if let Some(size) = size {
        end = end.min(size);
    }
    match cache.missing(offset, end.saturating_sub(offset)) {
        Some((s, e)) if s == offset => (offset, e),
        _ => (offset, end),
    }
}

/// A promise that resolves after `ms` milliseconds (a JS timer; never blocks the page).
pub async fn sleep(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        } else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(p).await;
}

/// Runs the whole file through the pipeline into the video. Returns at the end of the stream
/// (after `endOfStream`), on `destroy()` (Ok), or with a plain-words error.
pub async fn run(
    shared: Rc<Shared>,
    size: Option<u64>,
    piece_length: u32,
    cfg: Config,
) -> Result<(), String> {
    let sink = Rc::new(MseSink::attach(&shared.video).await?);
    *shared.sink.borrow_mut() = Some(sink.clone());
    let mut cache = SparseCache::new(size);
    let mut pipeline: Option<Pipeline> = None;
    // A segment has been appended.
    let mut started = false;
    // The video has played (or startup_hold_ms passed): from then on fetch full chunks.
    let mut played = false;
    let mut held_ms = 0;
    let mut holding = false;
    let mut evict_mark = 0u64;
    // After an audio switch: segments ending before this time (seconds) are not appended.
    let mut skip_before: Option<f64> = None;
    loop {
        if shared.destroyed.get() {
            return Ok(());
        }
        if super::tracks::take_switch(&shared).is_some() {
            // Another audio track: restart the pipeline (it re-chooses with the viewer's pick)
            // and replay from the current time (see `tracks::restart`).
            skip_before = Some(super::tracks::restart(&shared, &sink).await?);
            pipeline = None;
            evict_mark = 0;
        }
        let ahead = sink.buffered_ahead();
        shared.update(|s| s.buffered_ahead = ahead);
        if started && !played {
            if shared.state() == "playing" || held_ms >= cfg.startup_hold_ms {
                played = true;
            } else if ahead >= cfg.startup_watermark {
                sleep(STARTUP_POLL_MS).await;
                held_ms += STARTUP_POLL_MS;
                continue;
            }
        }
        if played {
            if holding && ahead < cfg.low_watermark {
                holding = false;
            } else if !holding && ahead >= cfg.high_watermark {
                holding = true;
            }
            if holding {
                sleep(cfg.poll_ms).await;
                continue;
            }
        }
        let result = match pipeline.as_mut() {
            Some(p) => p.step(&mut cache),
            None => match Pipeline::open(&mut cache) {
                Ok(mut p) => {
                    // Ask the browser before downloading the film (stops on unplayable video).
                    super::tracks::choose(&shared, &mut p)?;
                    pipeline.insert(p).step(&mut cache)
                }
                Err(e) => Err(e),
            },
        };
        if let Some(p) = pipeline.as_mut() {
            super::tracks::add_cues(&shared, p.take_cues());
        }
        match result {
            Err(Error::NeedData { offset, len }) => {
                let (start, end) =
                    plan_range(&cfg, &cache, offset, len, size, piece_length, played);
                let bytes = shared.fetcher.fetch(start, end).await?;
                if shared.destroyed.get() {
                    return Ok(());
                }
                if bytes.is_empty() {
                    return Err(format!(
                        "the server sent no data for bytes {start}-{} (the file may be shorter than announced)",
                        end.saturating_sub(1)
                    ));
                }
                let n = bytes.len() as u64;
                cache.insert(start, bytes);
                shared.update(|s| s.bytes_fetched += n);
            }
            Err(e) => return Err(e.to_string()),
            Ok(Step::Init(init)) => {
                shared.update(|s| s.mime = init.mime.clone());
                sink.add_source_buffer(&init.mime)?;
                if let Some((d, tb)) = pipeline.as_ref().and_then(|p| p.duration()) {
                    sink.set_duration(tb.seconds(d.0.min(i64::MAX as u64) as i64));
                }
                sink.append(&init.data).await?;
            }
            Ok(Step::Segment(seg)) if super::tracks::before(&seg, skip_before) => {}
            Ok(Step::Segment(seg)) => {
                sink.append(&seg.data).await?;
                if !started {
                    started = true;
                    // Media that starts later than 0 s: move the playhead onto it.
                    if let Some(first) = sink.buffered_start() {
                        if shared.video.current_time() + 0.01 < first {
                            shared.video.set_current_time(first);
                        }
                    }
                }
                evict_mark = evict_mark.max(seg.source_pos);
                cache.evict_before(evict_mark.saturating_sub(cfg.evict_margin));
                let ahead = sink.buffered_ahead();
                shared.update(|s| {
                    s.segments += 1;
                    s.buffered_ahead = ahead;
                    s.cache_bytes = cache.held_bytes();
                });
            }
            Ok(Step::End) => {
                sink.end_of_stream()?;
                shared.update(|s| s.complete = true);
                shared.stream_ended();
                // Stay for a track switch until destroyed (`start()` has settled).
                while !super::tracks::switch_pending(&shared) {
                    if shared.destroyed.get() {
                        return Ok(());
                    }
                    sleep(cfg.poll_ms).await;
                }
                shared.update(|s| s.complete = false);
            }
        }
    }
}
