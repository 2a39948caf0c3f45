//! Which tracks to play: the choice of one video and one audio track given what the browser
//! says it can decode, the notices that explain the choice in plain words, and language tags
//! for the track menus.
//!
//! The browser is asked through a `supported(mime)` callback (`MediaSource.isTypeSupported`
//! in the player, a closure in tests) with the real RFC 6381 codec string of every candidate —
//! also of codecs Riptide cannot carry, so the answer and the words say who is missing what.
//!
//! Rules ([`choose`]):
//! - Video: the first playable video track (default-flagged first). If the file has video
//!   tracks and none is playable, that is an error naming the codec: the player stops before
//!   downloading the film. A file without video plays its audio.
//! - Audio: a track is playable when Riptide carries its codec (or transcodes it: AC-3,
//!   E-AC-3, DTS and Vorbis play as FLAC, see [`crate::transcode`]), the browser takes it alone,
//!   and the browser takes it together with the chosen video. The user's pick if playable;
//!   else the container's default if playable; else a playable track in the user's language;
//!   else the first playable one. A notice says so when the default could not be played. If
//!   no audio track is playable, the video plays without sound and a notice names the codec.
//! - MP3: engines name MP3 in MP4 differently — RFC 6381's `mp4a.6B` (`mp4a.69` below
//!   32 kHz), `mp4a.40.34`, or the bare `mp3` Firefox takes (it refuses the other two and
//!   `audio/mpeg`). Each name is asked in turn and the first the browser takes labels the MP4
//!   ([`Choice::audio_mp4_codec`]). Where it refuses them all (Chromium) but takes the MPEG
//!   audio byte stream (`audio/mpeg`), the track is carried apart as raw MP3 frames in a second
//!   SourceBuffer ([`Choice::audio_apart`]). Where it takes neither, another playable audio
//!   track plays, else the film plays without sound and a notice says so. Asked at run time,
//!   per engine, never assumed.
//! - Nothing playable at all (no video, and audio the browser cannot decode) is an error
//!   naming the codec, like unplayable video.

use crate::codec;
pub use crate::codec::probe_codec;
use crate::error::{Error, Result};
use crate::packet::{Codec, Track, TrackKind};

/// What the player chose and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// `Track::id` of the video track to carry, if any.
    pub video: Option<u32>,
    /// `Track::id` of the audio track to carry; `None` plays without sound.
    pub audio: Option<u32>,
    /// The audio track is MP3 carried apart from the fragmented MP4, as an MPEG audio byte
    /// stream (`audio/mpeg`) in its own SourceBuffer: the browser refuses MP3 in MP4.
    pub audio_apart: bool,
    /// The name the browser takes for the audio track inside the MP4 when it is not
    /// Riptide's default codec string (MP3 as `mp4a.40.34` or `mp3`, see [`MP3_IN_MP4`]).
    pub audio_mp4_codec: Option<&'static str>,
    /// Sentences for the viewer (e.g. "This film's audio is AC-3, which this browser cannot
    /// play; playing without sound.").
    pub notices: Vec<String>,
    /// Every video, audio and subtitle track, for the menus.
    pub tracks: Vec<TrackInfo>,
}

/// One track as the menus show it.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackInfo {
    pub id: u32,
    pub kind: TrackKind,
    /// Plain-words codec name (`AC-3`, `H.264`).
    pub codec: String,
    /// BCP 47 tag (`en`, `fr`, `pt-BR`), `None` if unknown or `und`.
    pub language: Option<String>,
    /// The container's track name, if any.
    pub name: Option<String>,
    pub default: bool,
    /// Riptide carries it and the browser decodes it (always false for subtitles, which are
    /// not decoded by MSE; see [`crate::subtitle`]).
    pub playable: bool,
    /// Why it is not playable, in plain words (`AC-3, which this browser cannot play`);
    /// `None` when playable.
    pub why_not: Option<String>,
    /// The reason alone, to group tracks in notices.
    reason: Option<Why>,
    /// Playable only carried apart, as `audio/mpeg` (see [`Choice::audio_apart`]).
    apart: bool,
    /// The codec string the browser took for this track alone in MP4, if any.
    mp4_codec: Option<String>,
}

/// The MSE type of the MPEG audio byte stream format (raw MPEG audio frames).
pub const MPEG_AUDIO_MIME: &str = "audio/mpeg";

/// The other names of MP3 in MP4, asked after RFC 6381's `mp4a.6B`/`mp4a.69`: MPEG-4 Audio
/// Object Type 34 (layer 3), and the bare name Firefox ESR takes.
pub const MP3_IN_MP4: [&str; 2] = ["mp4a.40.34", "mp3"];

/// The codec string the browser takes for `track` alone in MP4: [`probe_codec`], or for MP3
/// the first of its other names ([`MP3_IN_MP4`]) the browser takes. `None` if it takes none.
fn mp4_codec(track: &Track, supported: &mut dyn FnMut(&str) -> bool) -> Option<String> {
    let kind = match track.kind {
        TrackKind::Video => "video",
        TrackKind::Audio => "audio",
        _ => return None,
    };
    let mut takes = |c: &str| supported(&format!("{kind}/mp4; codecs=\"{c}\""));
    let first = probe_codec(track)?;
    if takes(&first) {
        return Some(first);
    }
    let others: &[&str] = if track.codec == Codec::Mp3 { &MP3_IN_MP4 } else { &[] };
    others.iter().find(|c| takes(c)).map(|c| c.to_string())
}

/// Whether `track` (MP3) can play only apart, as [`MPEG_AUDIO_MIME`]: Riptide carries it, the
/// browser refuses it in MP4 under every name (`in_mp4` false) and takes the MPEG audio byte
/// stream.
fn plays_apart(track: &Track, in_mp4: bool, supported: &mut dyn FnMut(&str) -> bool) -> bool {
    track.kind == TrackKind::Audio
        && track.codec == Codec::Mp3
        && codec::mse_codec(track).is_ok()
        && !in_mp4
        && supported(MPEG_AUDIO_MIME)
}

/// The MSE type to ask about for one track alone (`audio/mp4; codecs="ac-3"`).
pub fn probe_mime(track: &Track) -> Option<String> {
    let kind = match track.kind {
        TrackKind::Video => "video",
        TrackKind::Audio => "audio",
        _ => return None,
    };
    probe_codec(track).map(|c| format!("{kind}/mp4; codecs=\"{c}\""))
}

/// Why a video or audio track cannot be played here, or `None` if it can. Riptide's own
/// limits come first (it cannot carry the codec into fragmented MP4), then the browser's.
fn why_not(track: &Track, browser_takes: bool) -> Option<Why> {
    match codec::mse_codec(track) {
        Ok(_) if browser_takes => None,
        Ok(_) => Some(Why::BrowserCannot),
        Err(Error::Invalid { what, .. }) => Some(Why::Damaged(what)),
        Err(_) if browser_takes => Some(Why::RiptideCannotYet),
        Err(_) => Some(Why::BrowserCannot),
    }
}

/// Why a track cannot be played (or shown, for subtitles).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Why {
    BrowserCannot,
    RiptideCannotYet,
    /// Audio the browser decodes alone but not beside the chosen video.
    NotWithThisVideo,
    /// A subtitle format Riptide does not turn into cues.
    CannotShow,
    /// The codec's configuration record does not parse (what is wrong with it).
    Damaged(String),
}

impl Why {
    /// Said of `codecs` (one name, or several joined with "or"): "AC-3, which this browser
    /// cannot play", "H.264 with a damaged configuration (...)".
    fn of(&self, codecs: &str) -> String {
        let which = match self {
            Why::BrowserCannot => "which this browser cannot play",
            Why::RiptideCannotYet => "which Riptide cannot play yet",
            Why::NotWithThisVideo => "which this browser cannot play together with this video",
            Why::CannotShow => "which Riptide cannot show",
            Why::Damaged(what) => return format!("{codecs} with a damaged configuration ({what})"),
        };
        format!("{codecs}, {which}")
    }
}

/// The primary language subtag of a BCP 47 tag or ISO 639 code, as a 2-letter ISO 639-1 code
/// where one exists (`eng` → `en`, `fre`/`fra` → `fr`, `pt-BR` → `pt`), lower case.
fn primary_language(tag: &str) -> String {
    let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    iso639_1(&primary).map_or(primary, str::to_string)
}

/// ISO 639-2 (B and T) → ISO 639-1 for the languages films commonly carry.
fn iso639_1(code: &str) -> Option<&'static str> {
    const MAP: &[(&str, &str)] = &[
        ("eng", "en"), ("fre", "fr"), ("fra", "fr"), ("ger", "de"), ("deu", "de"),
        ("spa", "es"), ("ita", "it"), ("por", "pt"), ("rus", "ru"), ("jpn", "ja"),
        ("chi", "zh"), ("zho", "zh"), ("kor", "ko"), ("ara", "ar"), ("hin", "hi"),
        ("dut", "nl"), ("nld", "nl"), ("swe", "sv"), ("nor", "no"), ("nob", "nb"),
        ("nno", "nn"), ("dan", "da"), ("fin", "fi"), ("pol", "pl"), ("cze", "cs"),
        ("ces", "cs"), ("slo", "sk"), ("slk", "sk"), ("hun", "hu"), ("rum", "ro"),
        ("ron", "ro"), ("gre", "el"), ("ell", "el"), ("tur", "tr"), ("heb", "he"),
        ("per", "fa"), ("fas", "fa"), ("tha", "th"), ("vie", "vi"), ("ind", "id"),
        ("may", "ms"), ("msa", "ms"), ("ukr", "uk"), ("bul", "bg"), ("hrv", "hr"),
        ("srp", "sr"), ("slv", "sl"), ("est", "et"), ("lav", "lv"), ("lit", "lt"),
        ("ice", "is"), ("isl", "is"), ("cat", "ca"), ("baq", "eu"), ("eus", "eu"),
        ("glg", "gl"), ("wel", "cy"), ("cym", "cy"), ("gle", "ga"), ("alb", "sq"),
        ("sqi", "sq"), ("arm", "hy"), ("hye", "hy"), ("geo", "ka"), ("kat", "ka"),
        ("mac", "mk"), ("mkd", "mk"), ("ben", "bn"), ("tam", "ta"), ("tel", "te"),
        ("urd", "ur"), ("fil", "fil"), ("tgl", "tl"), ("bos", "bs"), ("afr", "af"),
        ("swa", "sw"), ("mal", "ml"), ("mar", "mr"), ("kan", "kn"), ("lat", "la"),
    ];
    MAP.iter().find(|(b, _)| *b == code).map(|(_, a)| *a)
}

/// The BCP 47 tag for a track's language (`eng` → `en`, `pt-BR` stays), `None` for unknown,
/// `und` or garbage. `Intl.DisplayNames` turns it into a name.
pub fn bcp47(language: Option<&str>) -> Option<String> {
    let tag = language?.trim();
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&primary.len())
        || !primary.bytes().all(|b| b.is_ascii_alphabetic())
        || matches!(primary.as_str(), "und" | "mul" | "zxx" | "mis")
    {
        return None;
    }
    let mut out = iso639_1(&primary).map_or(primary, str::to_string);
    for p in parts {
        if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
            break;
        }
        out.push('-');
        out.push_str(p);
    }
    Some(out)
}

/// The viewer's side of [`choose`].
pub struct Viewer<'a> {
    /// Answers like `MediaSource.isTypeSupported(mime)`.
    pub supported: &'a mut dyn FnMut(&str) -> bool,
    /// The viewer's language (`navigator.language`).
    pub language: Option<&'a str>,
    /// A language's name for a BCP 47 tag (`Intl.DisplayNames`), for the notices.
    pub language_name: &'a dyn Fn(&str) -> Option<String>,
    /// The audio track the viewer picked (ignored if it cannot be played).
    pub wanted_audio: Option<u32>,
    /// The browser has WebCodecs `VideoEncoder`, so MPEG-4 Part 2 (Xvid) video plays
    /// re-encoded to H.264 ([`crate::transcode::video`]); without it such a film gets
    /// [`NO_WEBCODECS`](crate::transcode::video::NO_WEBCODECS).
    pub encodes_video: bool,
}

/// Chooses the tracks to play for `viewer`. Errors with [`Error::Unsupported`] when the file
/// has video and none of it can be played.
pub fn choose(tracks: &[Track], viewer: Viewer) -> Result<Choice> {
    let Viewer { supported, language: user_language, language_name, wanted_audio, encodes_video } =
        viewer;
    let mut infos = Vec::new();
    let mut played_video = Vec::new();
    for t in tracks {
        // A track Riptide transcodes (AC-3, DTS, Vorbis) plays as its output, FLAC: the
        // browser is asked about that, and the track counts as playable like any other. So
        // does Xvid video where the browser can encode (as H.264).
        let played = crate::transcode::played_as(t).or_else(|| {
            encodes_video
                .then(|| crate::transcode::video::VideoTranscode::for_track(t))
                .flatten()
                .and_then(Result::ok)
                .map(|s| s.output().clone())
        });
        if let Some(p) = played.as_ref().filter(|p| p.kind == TrackKind::Video) {
            played_video.push(p.clone());
        }
        let p = played.as_ref().unwrap_or(t);
        let in_mp4 = mp4_codec(p, supported);
        let apart = plays_apart(p, in_mp4.is_some(), supported);
        let reason = match t.kind {
            TrackKind::Video | TrackKind::Audio if apart => None,
            TrackKind::Video | TrackKind::Audio => why_not(p, in_mp4.is_some()),
            TrackKind::Subtitle => crate::subtitle::Format::of(t)
                .is_none()
                .then_some(Why::CannotShow),
            TrackKind::Other => continue,
        };
        let codec = codec::name(t);
        infos.push(TrackInfo {
            id: t.id,
            kind: t.kind,
            language: bcp47(t.language.as_deref()),
            name: t.name.clone(),
            default: t.default,
            playable: reason.is_none() && t.kind != TrackKind::Subtitle,
            why_not: reason.as_ref().map(|r| r.of(&codec)),
            codec,
            reason,
            apart,
            mp4_codec: in_mp4,
        });
    }
    let of_kind = |k: TrackKind| infos.iter().filter(move |i| i.kind == k);

    // Video.
    let videos: Vec<&TrackInfo> = of_kind(TrackKind::Video).collect();
    let video = videos
        .iter()
        .filter(|i| i.playable)
        .max_by_key(|i| (i.default, std::cmp::Reverse(i.id)))
        .map(|i| i.id);
    if !videos.is_empty() && video.is_none() {
        // Even when its sound could play: a film without picture is not what the viewer
        // came for, so say why nothing plays rather than play the sound alone.
        let sound_alone = infos.iter().any(|i| i.kind == TrackKind::Audio && i.playable);
        let xvid = |t: &Track| t.kind == TrackKind::Video && t.codec.descriptor().transcodable;
        if !encodes_video && tracks.iter().any(xvid) {
            // Riptide would play it through the browser's encoder, which this page lacks.
            return Err(Error::unsupported_codec(
                crate::transcode::video::NO_WEBCODECS,
                codecs(&videos),
            ));
        }
        return Err(Error::unsupported_codec(
            format!(
                "This film's video is {}{}. Riptide stopped before downloading the film; try another release of it.",
                describe(&videos),
                if sound_alone { ", and Riptide does not play the sound without the picture" } else { "" }
            ),
            codecs(&videos),
        ));
    }
    let video_codec = video
        .and_then(|id| {
            played_video.iter().find(|t| t.id == id).or_else(|| tracks.iter().find(|t| t.id == id))
        })
        .and_then(probe_codec);

    // Audio: also ask for the combination with the chosen video.
    let mut notices = Vec::new();
    // (Audio carried apart has its own SourceBuffer: the video alone was asked already.)
    for info in infos.iter_mut().filter(|i| i.kind == TrackKind::Audio && i.playable && !i.apart) {
        let (Some(v), Some(a)) = (&video_codec, &info.mp4_codec) else {
            continue;
        };
        if !supported(&format!("video/mp4; codecs=\"{v},{a}\"")) {
            info.playable = false;
            info.why_not = Some(Why::NotWithThisVideo.of(&info.codec));
            info.reason = Some(Why::NotWithThisVideo);
        }
    }
    let audios: Vec<&TrackInfo> = infos.iter().filter(|i| i.kind == TrackKind::Audio).collect();
    let default_audio = audios.iter().find(|i| i.default).or(audios.first()).copied();
    let user = user_language.map(primary_language);
    let speaks = |i: &TrackInfo| {
        user.as_deref()
            .zip(i.language.as_deref())
            .is_some_and(|(u, l)| primary_language(l) == u)
    };
    let playable: Vec<&TrackInfo> = audios.iter().copied().filter(|i| i.playable).collect();
    let audio = playable
        .iter()
        .find(|i| Some(i.id) == wanted_audio)
        .or_else(|| playable.iter().find(|i| Some(i.id) == default_audio.map(|d| d.id)))
        .or_else(|| playable.iter().find(|i| speaks(i)))
        .or_else(|| playable.first())
        .copied();
    match (audio, default_audio) {
        (None, Some(_)) if video.is_none() => {
            return Err(Error::unsupported_codec(
                format!(
                    "This file has no video, and its audio is {}. Riptide stopped before downloading it; try another release.",
                    describe(&audios)
                ),
                codecs(&audios),
            ))
        }
        (None, Some(_)) => notices.push(format!(
            "This film's audio is {}; playing without sound.",
            describe(&audios)
        )),
        (Some(a), Some(d)) if a.id != d.id && !d.playable => notices.push(format!(
            "This film's default audio is {}; playing the {} track{} instead.",
            d.why_not.clone().unwrap_or_default(),
            a.codec,
            a.language
                .as_deref()
                .map(|l| format!(" ({})", language_name(l).unwrap_or_else(|| l.to_string())))
                .unwrap_or_default()
        )),
        _ => {}
    }
    if video.is_none() && audio.is_none() {
        return Err(Error::unsupported("the file has no video or audio track"));
    }
    Ok(Choice {
        video,
        audio: audio.map(|a| a.id),
        audio_apart: audio.is_some_and(|a| a.apart),
        audio_mp4_codec: audio
            .filter(|a| !a.apart)
            .and_then(|a| MP3_IN_MP4.iter().copied().find(|n| a.mp4_codec.as_deref() == Some(*n))),
        notices,
        tracks: infos,
    })
}

/// The unplayable tracks' codecs grouped by reason: "AC-3 or DTS, which this browser cannot
/// play; or Opus, which Riptide cannot play yet".
fn describe(infos: &[&TrackInfo]) -> String {
    let mut groups: Vec<(&Why, Vec<&str>)> = Vec::new();
    for i in infos {
        let Some(reason) = i.reason.as_ref() else { continue };
        match groups.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, names)) if names.contains(&i.codec.as_str()) => {}
            Some((_, names)) => names.push(&i.codec),
            None => groups.push((reason, vec![&i.codec])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(reason, names)| reason.of(&join_or(names)))
        .collect();
    if parts.is_empty() {
        "in a format this browser cannot play".to_string()
    } else {
        parts.join("; or ")
    }
}

/// The codecs to blame, for [`Error::Unsupported`]: "H.265 (HEVC)", "AC-3 or DTS".
fn codecs(infos: &[&TrackInfo]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for i in infos.iter().filter(|i| i.reason.is_some()) {
        if !names.contains(&i.codec.as_str()) {
            names.push(&i.codec);
        }
    }
    join_or(&names)
}

/// "A", "A or B", "A, B or C".
fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::tests::{aac_track, h264_track, other_track};

    /// The answers of this machine's headless Chromium (H.264 + AAC; no AC-3, MPEG-4 Part 2).
    fn chromium(mime: &str) -> bool {
        let codecs = mime.split("codecs=\"").nth(1).unwrap_or("").trim_end_matches('"');
        codecs
            .split(',')
            .all(|c| c.starts_with("avc1.") || c == "mp4a.40.2" || c == "mp4a.40.5" || c == "opus")
    }

    fn lang(mut t: Track, l: &str, default: bool) -> Track {
        t.language = Some(l.into());
        t.default = default;
        t
    }

    /// `choose` for a viewer with this Chromium, no language names.
    fn pick(
        tracks: &[Track],
        supported: &mut dyn FnMut(&str) -> bool,
        language: Option<&str>,
        wanted_audio: Option<u32>,
    ) -> Result<Choice> {
        let names = |l: &str| (l == "fr").then(|| "French".to_string());
        choose(
            tracks,
            Viewer { supported, language, language_name: &names, wanted_audio, encodes_video: false },
        )
    }

    #[test]
    fn xvid_plays_as_h264_where_the_browser_encodes() {
        let mut xvid = other_track(1, TrackKind::Video, "V_MPEG4/ISO/ASP");
        xvid.video = Some(crate::packet::VideoInfo { width: 720, height: 400, ..Default::default() });
        let tracks = [xvid, aac_track(2)];
        let names = |_: &str| None;
        let mut asked = Vec::new();
        let mut supported = |m: &str| {
            asked.push(m.to_string());
            chromium(m)
        };
        let viewer = Viewer {
            supported: &mut supported,
            language: None,
            language_name: &names,
            wanted_audio: None,
            encodes_video: true,
        };
        let c = choose(&tracks, viewer).unwrap();
        assert_eq!((c.video, c.audio), (Some(1), Some(2)));
        // Asked about the H.264 the encoder makes, with the audio, not about mp4v.
        assert!(asked.contains(&"video/mp4; codecs=\"avc1.42e01e,mp4a.40.2\"".to_string()), "{asked:?}");
    }

    #[test]
    fn plays_h264_and_aac_as_is() {
        let tracks = [h264_track(1), aac_track(2)];
        let c = pick(&tracks, &mut chromium, Some("en-US"), None).unwrap();
        assert_eq!((c.video, c.audio), (Some(1), Some(2)));
        assert!(c.notices.is_empty(), "{:?}", c.notices);
        assert_eq!(c.tracks[1].language.as_deref(), Some("en"));
    }

    #[test]
    fn default_ac3_gives_way_to_aac_and_says_so() {
        let tracks = [
            h264_track(1),
            lang(other_track(2, TrackKind::Audio, "A_AC3"), "eng", true),
            lang(aac_track(3), "fre", false),
        ];
        let c = pick(&tracks, &mut chromium, Some("en-US"), None).unwrap();
        assert_eq!((c.video, c.audio), (Some(1), Some(3)));
        assert_eq!(
            c.notices,
            ["This film's default audio is AC-3, which this browser cannot play; playing the AAC track (French) instead."]
        );
        assert_eq!(c.tracks[1].why_not.as_deref(), Some("AC-3, which this browser cannot play"));
    }

    #[test]
    fn only_ac3_plays_without_sound_and_names_it() {
        let tracks = [h264_track(1), other_track(2, TrackKind::Audio, "A_AC3")];
        let mut asked = Vec::new();
        let c = pick(&tracks,
            &mut |m: &str| {
                asked.push(m.to_string());
                chromium(m)
            },
            None,
            None,
        )
        .unwrap();
        assert_eq!((c.video, c.audio), (Some(1), None));
        assert_eq!(
            c.notices,
            ["This film's audio is AC-3, which this browser cannot play; playing without sound."]
        );
        // The browser was asked with the real codec strings: for AC-3, which Riptide
        // transcodes, the FLAC it would carry.
        assert!(asked.contains(&"audio/mp4; codecs=\"flac\"".to_string()), "{asked:?}");
        assert!(asked.contains(&"video/mp4; codecs=\"avc1.64001f\"".to_string()), "{asked:?}");
    }

    #[test]
    fn unplayable_video_is_an_error_naming_the_codec() {
        // Xvid without WebCodecs (a page that is not a secure context): how to make it play,
        // not "cannot play".
        let tracks = [other_track(1, TrackKind::Video, "V_MPEG4/ISO/ASP"), aac_track(2)];
        let err = pick(&tracks, &mut chromium, None, None).unwrap_err();
        assert_eq!(
            err,
            Error::unsupported_codec(crate::transcode::video::NO_WEBCODECS, "MPEG-4 Part 2 (DivX/Xvid)")
        );
        assert!(err.to_string().contains("Open the page over https or on this computer (127.0.0.1) to play Xvid video."), "{err}");
        // A codec the browser takes but Riptide does not carry (VP8 outside WebM) is told
        // apart from one the browser cannot decode.
        let vp8 = Track { codec: Codec::Vp8, ..other_track(1, TrackKind::Video, "V_VP8") };
        assert!(codec::mse_codec(&vp8).is_err());
        let err = pick(&[vp8], &mut |_: &str| true, None, None).unwrap_err();
        assert!(err.to_string().contains("VP8, which Riptide cannot play yet"), "{err}");
    }

    /// An MP3 track at 44.1 kHz (id 2).
    fn mp3_track() -> Track {
        let mut t = other_track(2, TrackKind::Audio, "A_MPEG/L3");
        t.codec = Codec::Mp3;
        t.unusable = None;
        t.audio = Some(crate::packet::AudioInfo { sample_rate: 44_100, channels: 2 });
        t
    }

    #[test]
    fn mp3_goes_apart_only_when_mp4_is_refused_and_audio_mpeg_taken() {
        let tracks = [h264_track(1), mp3_track()];
        // This Chromium: no mp4a.6B, audio/mpeg yes.
        let mut chromium_mpeg = |m: &str| m == MPEG_AUDIO_MIME || chromium(m);
        let c = pick(&tracks, &mut chromium_mpeg, None, None).unwrap();
        assert_eq!((c.video, c.audio, c.audio_apart), (Some(1), Some(2), true));
        assert!(c.notices.is_empty(), "{:?}", c.notices);
        assert!(c.tracks[1].playable && c.tracks[1].why_not.is_none());
        assert_eq!(c.audio_mp4_codec, None);
        // A browser that takes MP3 in MP4 as `mp4a.6B`: inside the fMP4, named as usual.
        let mut rfc = |m: &str| chromium(m) || m.contains("mp4a.6B");
        let c = pick(&tracks, &mut rfc, None, None).unwrap();
        assert_eq!((c.audio, c.audio_apart, c.audio_mp4_codec), (Some(2), false, None));
        // Firefox ESR 153's answers: no `mp4a.6B`, no `mp4a.40.34`, no `audio/mpeg`, but
        // `mp3` alone and with H.264: inside the fMP4, named `mp3`.
        let mut firefox = |m: &str| chromium(m) || m.ends_with("codecs=\"mp3\"") || m.ends_with(",mp3\"");
        let c = pick(&tracks, &mut firefox, None, None).unwrap();
        assert_eq!((c.audio, c.audio_apart, c.audio_mp4_codec), (Some(2), false, Some("mp3")));
        assert!(c.notices.is_empty(), "{:?}", c.notices);
        // Neither: without sound, MP3 named.
        let c = pick(&tracks, &mut chromium, None, None).unwrap();
        assert_eq!((c.audio, c.audio_apart), (None, false));
        assert_eq!(c.notices, ["This film's audio is MP3, which this browser cannot play; playing without sound."]);
        // MP3 alone (no video) apart.
        let c = pick(&[mp3_track()], &mut chromium_mpeg, None, None).unwrap();
        assert_eq!((c.video, c.audio, c.audio_apart), (None, Some(2), true));
    }

    #[test]
    fn nothing_playable_without_video_is_an_error_naming_the_codec() {
        let err = pick(&[mp3_track()], &mut chromium, None, None).unwrap_err().to_string();
        assert!(err.contains("This file has no video, and its audio is MP3, which this browser cannot play"), "{err}");
        let err = pick(&[], &mut chromium, None, None).unwrap_err().to_string();
        assert!(err.contains("no video or audio track"), "{err}");
    }

    #[test]
    fn audio_only_files_play() {
        let c = pick(&[aac_track(2)], &mut chromium, None, None).unwrap();
        assert_eq!((c.video, c.audio), (None, Some(2)));
    }

    #[test]
    fn the_users_pick_then_default_then_language() {
        let tracks = [
            h264_track(1),
            lang(aac_track(2), "eng", false),
            lang(aac_track(3), "ger", false),
            lang(other_track(4, TrackKind::Audio, "A_DTS"), "ger", true),
        ];
        // Default (DTS) unplayable: the viewer's language wins over the first track.
        let c = pick(&tracks, &mut chromium, Some("de-AT"), None).unwrap();
        assert_eq!(c.audio, Some(3));
        // The viewer's pick wins.
        let c = pick(&tracks, &mut chromium, Some("de-AT"), Some(2)).unwrap();
        assert_eq!(c.audio, Some(2));
        // An unplayable pick is ignored.
        let c = pick(&tracks, &mut chromium, Some("de-AT"), Some(4)).unwrap();
        assert_eq!(c.audio, Some(3));
        // A playable default wins over the language.
        let tracks = [h264_track(1), lang(aac_track(2), "eng", true), lang(aac_track(3), "ger", false)];
        let c = pick(&tracks, &mut chromium, Some("de"), None).unwrap();
        assert_eq!(c.audio, Some(2));
    }

    #[test]
    fn several_unplayable_codecs_are_all_named() {
        let tracks = [
            h264_track(1),
            other_track(2, TrackKind::Audio, "A_AC3"),
            other_track(3, TrackKind::Audio, "A_DTS"),
            other_track(4, TrackKind::Audio, "A_AC3"),
        ];
        let c = pick(&tracks, &mut chromium, None, None).unwrap();
        assert_eq!(
            c.notices,
            ["This film's audio is AC-3 or DTS, which this browser cannot play; playing without sound."]
        );
    }

    /// An AC-3 5.1 track at 48 kHz, as MKV states it.
    fn ac3_track(id: u32) -> Track {
        let mut t = other_track(id, TrackKind::Audio, "A_AC3");
        t.audio = Some(crate::packet::AudioInfo { sample_rate: 48_000, channels: 6 });
        t
    }

    /// This Chromium, which also takes FLAC in MP4 (as Chromium and Firefox do).
    fn chromium_flac(mime: &str) -> bool {
        let codecs = mime.split("codecs=\"").nth(1).unwrap_or("").trim_end_matches('"');
        codecs.split(',').all(|c| c == "flac" || chromium(&format!("audio/mp4; codecs=\"{c}\"")))
    }

    #[test]
    fn transcodable_audio_counts_as_playable_and_keeps_its_place() {
        // The default AC-3 track plays (as FLAC) rather than giving way to the AAC one.
        let tracks = [h264_track(1), lang(ac3_track(2), "eng", true), lang(aac_track(3), "fre", false)];
        let c = pick(&tracks, &mut chromium_flac, Some("fr"), None).unwrap();
        assert_eq!((c.video, c.audio), (Some(1), Some(2)));
        assert!(c.notices.is_empty(), "{:?}", c.notices);
        assert!(c.tracks[1].playable);
        assert_eq!(c.tracks[1].codec, "AC-3");
        // A browser without FLAC in MP4: as before, the AAC track, and a notice.
        let c = pick(&tracks, &mut chromium, Some("fr"), None).unwrap();
        assert_eq!(c.audio, Some(3));
        assert_eq!(
            c.notices,
            ["This film's default audio is AC-3, which this browser cannot play; playing the AAC track (French) instead."]
        );
        // TrueHD (not decodable here) as default: the AC-3 track plays instead, and says so.
        let tracks = [
            h264_track(1),
            Track { default: true, ..other_track(2, TrackKind::Audio, "A_TRUEHD") },
            ac3_track(3),
        ];
        let c = pick(&tracks, &mut chromium_flac, None, None).unwrap();
        assert_eq!(c.audio, Some(3));
        assert_eq!(c.notices.len(), 1, "{:?}", c.notices);
        assert!(c.notices[0].starts_with("This film's default audio is Dolby TrueHD"), "{:?}", c.notices);
    }

    #[test]
    fn language_tags() {
        assert_eq!(bcp47(Some("eng")).as_deref(), Some("en"));
        assert_eq!(bcp47(Some("fre")).as_deref(), Some("fr"));
        assert_eq!(bcp47(Some("pt-BR")).as_deref(), Some("pt-BR"));
        assert_eq!(bcp47(Some("tlh")).as_deref(), Some("tlh"));
        assert_eq!(bcp47(Some("und")), None);
        assert_eq!(bcp47(Some("")), None);
        assert_eq!(bcp47(Some("e1g")), None);
        assert_eq!(bcp47(None), None);
        assert_eq!(primary_language("en-GB"), "en");
        assert_eq!(primary_language("deu"), "de");
    }

    #[test]
    fn probe_strings_for_codecs_riptide_does_not_carry() {
        let t = |id: &str| other_track(1, TrackKind::Audio, id);
        assert_eq!(probe_codec(&t("A_EAC3")).as_deref(), Some("ec-3"));
        assert_eq!(probe_codec(&t("A_TRUEHD")).as_deref(), Some("mlpa"));
        assert_eq!(probe_codec(&t("ac-3")).as_deref(), Some("ac-3"));
        let v = other_track(1, TrackKind::Video, "V_MPEG2");
        assert_eq!(probe_mime(&v).as_deref(), Some("video/mp4; codecs=\"mp4v.61\""));
        assert_eq!(probe_codec(&t("A_WEIRD")), None);
    }
}
