//! Which source tracks the [`Remuxer`](super::Remuxer) carries: one video and one audio
//! track whose codec goes into fragmented MP4, as [`Pick`] says; the others are named in
//! plain words.

use crate::codec;
use crate::error::{Error, Result};
use crate::packet::{Codec, Track, TrackKind};

/// Video codecs Riptide carries into fragmented MP4.
pub const VIDEO_CODECS: [Codec; 4] = [Codec::H264, Codec::Hevc, Codec::Vp9, Codec::Av1];
/// Audio codecs Riptide carries into fragmented MP4.
pub const AUDIO_CODECS: [Codec; 4] = [Codec::Aac, Codec::Opus, Codec::Flac, Codec::Mp3];

/// Which track of one kind the [`Remuxer`] carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pick {
    /// The first playable one, default-flagged first (what `riptide-remux` does).
    #[default]
    Default,
    /// This track (`Track::id`); an error if it is missing or cannot be carried.
    Track(u32),
    /// None of them (e.g. play the video without sound).
    Nothing,
}

/// The track of `kind` whose codec is one of `accepted` and that `mse_codec` accepts, as
/// `choice` says. Reasons for the tracks of that kind that cannot be carried go to `skipped`.
pub(super) fn pick<'a>(
    tracks: &'a [Track],
    kind: TrackKind,
    accepted: &[Codec],
    choice: Pick,
    skipped: &mut Vec<String>,
) -> Result<Option<(&'a Track, String)>> {
    let mut playable = Vec::new();
    for t in tracks.iter().filter(|t| t.kind == kind) {
        if !accepted.contains(&t.codec) || t.unusable.is_some() {
            skipped.push(codec::describe_unsupported(t));
            continue;
        }
        match codec::mse_codec(t) {
            Ok(c) => playable.push((t, c)),
            Err(e) => skipped.push(format!("track {}: {e}", t.id)),
        }
    }
    match choice {
        Pick::Default => {
            let i = playable.iter().position(|(t, _)| t.default).unwrap_or(0);
            Ok((!playable.is_empty()).then(|| playable.swap_remove(i)))
        }
        Pick::Nothing => Ok(None),
        Pick::Track(id) => match playable.iter().position(|(t, _)| t.id == id) {
            Some(i) => Ok(Some(playable.swap_remove(i))),
            None => Err(Error::unsupported(
                match tracks.iter().find(|t| t.id == id && t.kind == kind) {
                    Some(t) => codec::describe_unsupported(t),
                    None => format!("the file has no {kind:?} track {id}").to_lowercase(),
                },
            )),
        },
    }
}
