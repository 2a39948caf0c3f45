//! Holes in the buffered media: the playhead waits before one forever in some browsers, with
//! no error. Moves it over, inside what is buffered (nothing is fetched again).

use super::mse::MseSink;
use super::Shared;
use crate::hole::hole_exit;
use super::fetch::trace;

/// How long the playhead may sit stuck before a hole, playing, before [`skip_hole`] moves it
/// over the hole.
const STUCK_MS: f64 = 1000.0;

/// The playhead sits in a hole of the buffered ranges with media after it, playing, and the
/// browser waits there forever, with no error. Two cases:
/// - before the first media: a film whose audio starts after its video (the buffered ranges
///   are where every track has media; Chromium plays on by itself, Firefox may not);
/// - a small hole between two ranges (a few frames or packets missing at a fragment edge):
///   jump to the next range, as hls.js's gap controller does.
///
/// Only after [`STUCK_MS`] of waiting while playing: a paused page keeps showing the frame
/// the browser chose (the source's first, even when the audio starts later).
/// Both moves land inside what is buffered: nothing is fetched again.
pub(super) fn skip_hole(shared: &Shared, sink: &MseSink, since: &mut Option<f64>) {
    let v = &shared.video;
    if v.paused() || v.seeking() || v.ready_state() >= web_sys::HtmlMediaElement::HAVE_FUTURE_DATA {
        *since = None;
        return;
    }
    let t = v.current_time();
    let Some(to) = hole_exit(&sink.buffered_ranges(), t) else {
        *since = None;
        return;
    };
    let now = super::fetch::now_ms();
    if now - *since.get_or_insert(now) >= STUCK_MS {
        trace("unstick", || format!("playhead {t:.3} s -> buffered media at {to:.3} s"));
        v.set_current_time(to);
        *since = None;
    }
}
