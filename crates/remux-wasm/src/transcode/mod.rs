//! The transcode stage: between the demuxer and the remuxer, for tracks the browser cannot
//! take as they are. A [`Transcode`] takes the source [`Packet`]s of one track and yields
//! [`Packet`]s of its output [`Track`] (same id, a codec the remuxer carries), keeping the
//! source timestamps frame by frame. After a seek it is [`reset`](Transcode::reset) and
//! starts again at the first packet it is given (the demuxer's seek lands at or before the
//! target).
//!
//! Today: AC-3, E-AC-3, DTS core and Vorbis audio, decoded here and re-encoded to FLAC
//! ([`audio`]). Video (Xvid/DivX, not wired into the pipeline yet): [`mpeg4_video`] decodes
//! MPEG-4 Part 2 into I420 frames; [`video`] is its stage, whose encoder is the browser's
//! asynchronous WebCodecs `VideoEncoder`, so its output packets come back from the player
//! rather than from `push` (docs/DESIGN.md, "Xvid").

mod ac3;
pub mod audio;
mod channels;
mod dts;
mod syncframes;
pub mod flac_encode;
pub mod mpeg4_video;
pub mod video;
mod vorbis;

use crate::error::Result;
use crate::packet::{Codec, Packet, Track, TrackKind};

/// One track's transcode.
pub trait Transcode {
    /// The track the output packets belong to, as the remuxer sees it (same `id` as the source).
    fn output(&self) -> &Track;
    /// Takes one source packet (in file order); appends the output packets it completes.
    fn push(&mut self, packet: Packet, out: &mut Vec<Packet>) -> Result<()>;
    /// Forgets all decoding state: the next packet follows a seek.
    fn reset(&mut self);
}

/// The audio codecs Riptide decodes itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudioSource {
    Ac3,
    Eac3,
    Dts,
    Vorbis,
}

impl AudioSource {
    /// The codec of `track`, if it is one of these (the codec table's "transcodable" column,
    /// [`crate::codec::Codec::descriptor`]).
    pub fn of(track: &Track) -> Option<AudioSource> {
        if track.kind != TrackKind::Audio || !track.codec.descriptor().transcodable {
            return None;
        }
        match track.codec {
            Codec::Ac3 => Some(AudioSource::Ac3),
            Codec::Eac3 => Some(AudioSource::Eac3),
            Codec::Dts => Some(AudioSource::Dts),
            Codec::Vorbis => Some(AudioSource::Vorbis),
            _ => None,
        }
    }
}

/// Whether Riptide can play `track` by transcoding it.
pub fn transcodable(track: &Track) -> bool {
    AudioSource::of(track).is_some()
}

/// The transcode for `track`, or `None` if it needs none (or none exists).
pub fn for_track(track: &Track) -> Option<Result<Box<dyn Transcode>>> {
    let source = AudioSource::of(track)?;
    Some(audio::AudioTranscode::new(track, source).map(|t| Box::new(t) as Box<dyn Transcode>))
}

/// The track `track` plays as once transcoded (FLAC for AC-3), or `None` if it needs no
/// transcode or cannot have one (its configuration is unusable).
pub fn played_as(track: &Track) -> Option<Track> {
    for_track(track)?.ok().map(|s| s.output().clone())
}

/// What one call to [`AudioDecoder::decode`] produced.
pub struct Decoded {
    /// Samples per channel appended.
    pub samples: usize,
    /// The packet began a frame with nothing carried over from the one before: its
    /// timestamp is the time of the first sample appended.
    pub aligned: bool,
    /// Samples per channel of each whole frame decoded, in order.
    pub frames: Vec<usize>,
}

/// A decoder of one compressed audio format to interleaved float samples (full scale ±1.0)
/// in FLAC channel order.
pub trait AudioDecoder {
    /// Decodes `data` (one packet: a frame, or for AVI any run of bytes) and appends the
    /// samples of every whole frame to `out`.
    fn decode(&mut self, data: &[u8], out: &mut Vec<f32>) -> Result<Decoded>;
    /// Forgets all state (a seek follows).
    fn reset(&mut self);
}
