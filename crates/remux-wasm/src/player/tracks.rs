//! Tracks in the browser: asks `MediaSource.isTypeSupported` which tracks it can decode (once
//! the headers are read, before the film is downloaded), applies the [choice](crate::track_choice)
//! to the pipeline, turns subtitle cues into `VTTCue`s on text tracks of the video, and keeps
//! what the page's menus show (`Player.tracks()`, `status().notices`).

use std::collections::{HashMap, HashSet};

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlMediaElement, TextTrack, TextTrackKind, TextTrackMode, VttCue};

use super::mse::MseSink;
use super::Shared;
use crate::fmp4::MediaSegment;
use crate::packet::TrackKind;
use crate::pipeline::Pipeline;
use crate::subtitle::Cue;
use crate::track_choice::{self as tracks, Choice, TrackInfo};

/// What the player knows about the file's tracks.
#[derive(Default)]
pub struct TrackState {
    /// The latest choice (tracks, notices, what is carried).
    pub choice: Option<Choice>,
    /// The audio track the viewer asked for with `Player.select_audio`, not yet applied.
    pub switch_to: Option<u32>,
    /// The audio track the viewer picked last (kept across a rebuilt pipeline).
    pub wanted_audio: Option<u32>,
    /// Subtitle track id → its text track on the video element.
    text: HashMap<u32, (TextTrack, String)>,
    /// Cues already added (a seek or a restart demuxes some blocks again).
    seen: HashSet<(u32, i64, i64, String)>,
}

/// Chooses the tracks of a freshly opened `pipeline` with the browser's answers, applies the
/// choice, and creates the text tracks. Errors ([`Error::Unsupported`](crate::Error), naming
/// the codec) when the video cannot be played: the caller stops before downloading the film.
pub fn choose(shared: &Shared, pipeline: &mut Pipeline) -> crate::Result<()> {
    let language = web_sys::window().and_then(|w| w.navigator().language());
    let wanted = shared.tracks.borrow().wanted_audio;
    let all = pipeline.tracks().to_vec();
    let encodes_video = super::video_encoder::webcodecs_available();
    pipeline.encode_video(encodes_video);
    let pick = |wanted_audio: Option<u32>| {
        let viewer = tracks::Viewer {
            supported: &mut |mime: &str| super::media_source::is_type_supported(mime),
            language: language.as_deref(),
            language_name: &language_name,
            wanted_audio,
            encodes_video,
        };
        tracks::choose(&all, viewer)
    };
    let mut choice = pick(wanted)?;
    // A switch between MP3 carried apart and a track inside the MP4 cannot be done in the
    // same MediaSource (a SourceBuffer cannot be added once media is buffered, nor a track
    // added by `changeType`): keep the track that plays and say so.
    let apart_now = shared.sink.borrow().as_ref().and_then(|s| s.has_apart_buffer());
    let previous = shared.tracks.borrow().choice.as_ref().and_then(|c| c.audio);
    if let (Some(apart), Some(prev)) = (apart_now, previous) {
        if choice.audio_apart != apart && choice.audio != Some(prev) {
            let kept = pick(Some(prev))?;
            if kept.audio_apart == apart {
                let name = |id: Option<u32>| {
                    kept.tracks
                        .iter()
                        .find(|t| Some(t.id) == id)
                        .map_or_else(|| "other".to_string(), |t| label(t))
                };
                let notice = format!(
                    "Riptide cannot switch to the {} audio track while this film plays (its sound is carried differently); still playing the {} track.",
                    name(choice.audio),
                    name(kept.audio)
                );
                shared.tracks.borrow_mut().wanted_audio = Some(prev);
                choice = kept;
                choice.notices.push(notice);
            }
        }
    }
    let carriage = carriage(&choice);
    pipeline.select_carriage(choice.video, choice.audio, carriage)?;
    pipeline.collect_cues(true);
    {
        let mut state = shared.tracks.borrow_mut();
        for info in choice.tracks.iter().filter(|t| t.kind == TrackKind::Subtitle && t.playable_text()) {
            if state.text.contains_key(&info.id) {
                continue;
            }
            let label = label(info);
            let media: &HtmlMediaElement = &shared.video;
            let tt = media.add_text_track_with_label_and_language(
                TextTrackKind::Subtitles,
                &label,
                info.language.as_deref().unwrap_or(""),
            );
            // Hidden: cues load (and the page can read them) but nothing shows until the
            // viewer picks the track.
            tt.set_mode(TextTrackMode::Hidden);
            state.text.insert(info.id, (tt, label));
        }
        state.choice = Some(choice.clone());
    }
    shared.update(|s| s.notices = choice.notices.clone());
    Ok(())
}

/// How the chosen audio travels, as the browser's answers decided: apart (`audio/mpeg`), in
/// the MP4 under the name the browser took, or in the MP4 as Riptide names it.
fn carriage(choice: &Choice) -> crate::fmp4::AudioCarriage {
    use crate::fmp4::AudioCarriage;
    match (choice.audio_apart, choice.audio_mp4_codec) {
        (true, _) => AudioCarriage::Apart,
        (false, Some(name)) => AudioCarriage::Mp3InMp4As(name),
        (false, None) => AudioCarriage::InMp4,
    }
}

/// Adds cues as the demuxer reaches them, each once.
pub fn add_cues(shared: &Shared, cues: Vec<(u32, Cue)>) {
    if cues.is_empty() {
        return;
    }
    let mut state = shared.tracks.borrow_mut();
    for (id, cue) in cues {
        if !state.seen.insert((id, cue.start.0, cue.end.0, cue.text.clone())) {
            continue;
        }
        let Some((tt, _)) = state.text.get(&id) else { continue };
        let start = cue.time_base.seconds(cue.start.0);
        let end = cue.time_base.seconds(cue.end.0);
        if let Ok(vtt) = VttCue::new(start, end, &cue.text) {
            tt.add_cue(&vtt);
        }
    }
}

/// Prepares a restart of the pipeline with the viewer's audio pick at the current time:
/// empties the video's buffer and returns the time to resume from. The caller reopens the
/// pipeline (which re-chooses with the pick) and skips segments that end before that time.
///
/// Demuxing restarts from the start of the file, so the cost grows with the position (the
/// bytes before it are fetched again if the cache evicted them); a seekable pipeline would go
/// straight to the key frame before the current time.
pub async fn restart(shared: &Shared, sink: &MseSink) -> Result<f64, String> {
    let t = shared.video.current_time();
    sink.remove(0.0, f64::MAX).await?;
    Ok(t)
}

/// Whether `seg` ends before `skip_before` (seconds): already played, not appended again.
pub fn before(seg: &MediaSegment, skip_before: Option<f64>) -> bool {
    skip_before.is_some_and(|t| seg.time_base.seconds(seg.end.0) < t)
}

/// Whether the viewer asked for another audio track that is not applied yet.
pub fn switch_pending(shared: &Shared) -> bool {
    shared.tracks.borrow().switch_to.is_some()
}

/// Takes the viewer's pending audio switch, if any.
pub fn take_switch(shared: &Shared) -> Option<u32> {
    shared.tracks.borrow_mut().switch_to.take()
}

/// Turns the text tracks off and empties them (a destroyed player; the video element keeps
/// them, since text tracks added by script cannot be removed).
pub fn detach(shared: &Shared) {
    let mut state = shared.tracks.borrow_mut();
    for (tt, _) in state.text.values() {
        tt.set_mode(TextTrackMode::Disabled);
        if let Some(list) = tt.cues() {
            let cues: Vec<_> = (0..list.length()).filter_map(|i| list.get(i)).collect();
            for c in cues {
                if let Ok(c) = c.dyn_into::<VttCue>() {
                    let _ = tt.remove_cue(&c);
                }
            }
        }
    }
    state.text.clear();
    state.seen.clear();
}

/// The menu label: the language's name in the viewer's language, then the track's own name.
fn label(info: &TrackInfo) -> String {
    let lang = info.language.as_deref().and_then(language_name);
    match (lang, info.name.as_deref().filter(|n| !n.trim().is_empty())) {
        (Some(l), Some(n)) if !n.eq_ignore_ascii_case(&l) => format!("{l} – {n}"),
        (Some(l), _) => l,
        (None, Some(n)) => n.to_string(),
        (None, None) => format!("Track {} ({})", info.id, info.codec),
    }
}

/// `Intl.DisplayNames` for a BCP 47 tag (`fr` → "French" in an English browser).
pub fn language_name(tag: &str) -> Option<String> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: js_sys::Function = Reflect::get(&intl, &"DisplayNames".into()).ok()?.dyn_into().ok()?;
    let locales = Array::new();
    if let Some(l) = web_sys::window().and_then(|w| w.navigator().language()) {
        locales.push(&l.into());
    }
    let opts = Object::new();
    Reflect::set(&opts, &"type".into(), &"language".into()).ok()?;
    let dn = Reflect::construct(&ctor, &Array::of2(&locales, &opts)).ok()?;
    let of: js_sys::Function = Reflect::get(&dn, &"of".into()).ok()?.dyn_into().ok()?;
    of.call1(&dn, &tag.into()).ok()?.as_string().filter(|n| n != tag)
}

/// `[{id, kind, codec, language, language_name, label, name, default, playable, why_not,
/// selected, text_track}]` for the page's menus. `text_track` is the `TextTrack` of a subtitle.
pub fn tracks_array(shared: &Shared) -> Array {
    let state = shared.tracks.borrow();
    let out = Array::new();
    let Some(choice) = &state.choice else { return out };
    for t in &choice.tracks {
        let o = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&o, &k.into(), &v);
        };
        let kind = match t.kind {
            TrackKind::Video => "video",
            TrackKind::Audio => "audio",
            TrackKind::Subtitle => "subtitle",
            TrackKind::Other => "other",
        };
        let selected = match t.kind {
            TrackKind::Video => choice.video == Some(t.id),
            TrackKind::Audio => choice.audio == Some(t.id),
            _ => false,
        };
        set("id", t.id.into());
        set("kind", kind.into());
        set("codec", t.codec.clone().into());
        set("language", t.language.clone().map_or(JsValue::NULL, JsValue::from));
        set(
            "language_name",
            t.language.as_deref().and_then(language_name).map_or(JsValue::NULL, JsValue::from),
        );
        set("name", t.name.clone().map_or(JsValue::NULL, JsValue::from));
        set("label", label(t).into());
        set("default", t.default.into());
        set("playable", (t.playable || state.text.contains_key(&t.id)).into());
        set("why_not", t.why_not.clone().map_or(JsValue::NULL, JsValue::from));
        set("selected", selected.into());
        if let Some((tt, _)) = state.text.get(&t.id) {
            set("text_track", tt.into());
        }
        out.push(&o);
    }
    out
}

impl TrackInfo {
    /// A subtitle track Riptide turns into cues.
    fn playable_text(&self) -> bool {
        self.kind == TrackKind::Subtitle && self.why_not.is_none()
    }
}
