//! Codec-level helpers: one file per codec that parses what the RFC 6381 / MSE codec
//! string and the MP4 sample entry need — H.264 (avcC, Annex B), HEVC (hvcC), VP9 (vpcC,
//! key frame header), AV1 (av1C, sequence header), AAC (AudioSpecificConfig), Opus
//! (OpusHead → dOps), FLAC (STREAMINFO → dfLa), MP3 (frame header).

pub mod aac;
pub mod av1;
pub mod bits;
pub mod flac;
pub mod h264;
pub mod hevc;
pub mod mp3;
pub mod opus;
pub mod vp9;

pub mod id;

pub use id::{name, Codec, Descriptor};

use crate::error::{Error, Result};
use crate::packet::{Track, TrackKind};

/// The RFC 6381 codec string for `track` as MSE wants it in fragmented MP4 (`avc1.64001f`,
/// `hvc1.1.6.L93.B0`, `vp09.00.10.08`, `av01.0.04M.08`, `mp4a.40.2`, `opus`, `flac`,
/// `mp4a.6B`), built as the codec's [`Descriptor::mse`] says.
///
/// Errors with [`Error::Unsupported`] naming the codec in plain words for codecs Riptide cannot
/// carry into fragmented MP4 (VP8 and Vorbis: browsers take them only in WebM) or tracks whose
/// frames it cannot use ([`Track::unusable`]), and with [`Error::Invalid`] for a broken
/// configuration record.
pub fn mse_codec(track: &Track) -> Result<String> {
    match track.codec.descriptor().mse {
        Some(build) if track.unusable.is_none() => build(track),
        _ => Err(Error::unsupported(describe_unsupported(track))),
    }
}

/// The real RFC 6381 codec string of `track`, for `isTypeSupported`: [`mse_codec`]'s, else
/// the codec's representative [`Descriptor::probe`] string — also for codecs Riptide does
/// not carry (`ac-3`, `mp4v.20.9`), so the browser can be asked. `None` if unknown.
pub fn probe_codec(track: &Track) -> Option<String> {
    if let Ok(c) = mse_codec(track) {
        return Some(c);
    }
    match &track.codec {
        // An MP4 audio object type Riptide has no name for: ask for it as it is.
        Codec::Unknown(raw) if raw.starts_with("mp4a.") => Some(raw.clone()),
        c => c.descriptor().probe.map(str::to_string),
    }
}

fn mse_h264(track: &Track) -> Result<String> {
    Ok(h264::AvcConfig::parse(&track.codec_private)?.codec_string())
}

fn mse_hevc(track: &Track) -> Result<String> {
    Ok(hevc_config(track)?.codec_string())
}

fn mse_vp9(track: &Track) -> Result<String> {
    Ok(vp9_config(track)?.codec_string())
}

fn mse_av1(track: &Track) -> Result<String> {
    Ok(av1_config(track)?.codec_string())
}

fn mse_aac(track: &Track) -> Result<String> {
    Ok(aac_config(track)?.codec_string())
}

fn mse_opus(track: &Track) -> Result<String> {
    opus::OpusHead::parse(&track.codec_private).map(|_| "opus".to_string())
}

fn mse_flac(track: &Track) -> Result<String> {
    flac::StreamInfo::parse(&track.codec_private).map(|_| "flac".to_string())
}

fn mse_mp3(track: &Track) -> Result<String> {
    Ok(mp3::codec_string(mp3::object_type_for_rate(
        mp3_sample_rate(track)?,
    )))
}

/// The VP9 configuration of `track`: its vpcC record, or — when the container has none —
/// profile 0, 8-bit 4:2:0 (the Remuxer replaces it with what the first key frame says), with
/// the level derived from the picture size and frame rate when unknown.
pub fn vp9_config(track: &Track) -> Result<vp9::VpConfig> {
    let c = if track.codec_private.is_empty() {
        vp9::VpConfig::default()
    } else {
        vp9::VpConfig::parse(&track.codec_private)?
    };
    let v = track.video.unwrap_or_default();
    Ok(c.with_level_for(v.width, v.height, frame_rate(track))
        .with_colour(v.colour.as_ref()))
}

/// The HEVC configuration of `track`; an MP4 `hev1` source keeps `hev1`.
pub fn hevc_config(track: &Track) -> Result<hevc::HevcConfig> {
    let mut c = hevc::HevcConfig::parse(&track.codec_private)?;
    c.in_band_parameter_sets = track.codec_id == "hev1";
    Ok(c)
}

/// The AV1 configuration of `track`: its av1C, or — when the container has none — what
/// [`av1::Av1Config::assumed`] says (the Remuxer replaces it with the first key frame's
/// sequence header).
pub fn av1_config(track: &Track) -> Result<av1::Av1Config> {
    if track.codec_private.is_empty() {
        let v = track.video.unwrap_or_default();
        return Ok(av1::Av1Config::assumed(v.width, v.height));
    }
    av1::Av1Config::parse(&track.codec_private)
}

/// Frames per second from the track's nominal frame duration (30 if it has none).
pub fn frame_rate(track: &Track) -> f64 {
    match track.default_duration {
        Some(d) if d.0 > 0 => 1.0 / track.time_base.seconds(d.0.min(i64::MAX as u64) as i64),
        _ => 30.0,
    }
}

/// The sample rate of an MP3 track, as the container states it.
pub fn mp3_sample_rate(track: &Track) -> Result<u32> {
    match track.audio {
        Some(a) if a.sample_rate > 0 => Ok(a.sample_rate),
        _ => Err(Error::invalid(
            "MP3",
            "the audio track does not state its sample rate",
        )),
    }
}

/// The track's AudioSpecificConfig: parsed from `codec_private`, or synthesised from the codec
/// id, sample rate and channel count when the container carries none.
pub fn aac_config(track: &Track) -> Result<aac::AudioSpecificConfig> {
    aac::AudioSpecificConfig::parse(&aac_config_bytes(track)?)
}

/// The AudioSpecificConfig bytes for `track` (see [`aac_config`]).
pub fn aac_config_bytes(track: &Track) -> Result<Vec<u8>> {
    if !track.codec_private.is_empty() {
        return Ok(track.codec_private.clone());
    }
    match track.audio {
        Some(a) if a.sample_rate > 0 => Ok(aac::synthesize_asc(
            aac::object_type_from_codec_id(&track.codec_id),
            a.sample_rate,
            a.channels.min(15) as u8,
        )),
        _ => Err(Error::invalid(
            "AAC",
            "the audio track has neither a decoder configuration nor a sample rate",
        )),
    }
}

/// "the audio track is AC-3 (A_AC3), which browsers cannot decode" — or, for codecs that
/// browsers decode but Riptide does not carry yet, "... which Riptide cannot play yet"; VP8
/// and Vorbis, which Chromium's MSE takes only in WebM (Riptide always writes MP4), say so.
pub fn describe_unsupported(track: &Track) -> String {
    let kind = match track.kind {
        TrackKind::Video => "video",
        TrackKind::Audio => "audio",
        TrackKind::Subtitle => "subtitle",
        TrackKind::Other => "data",
    };
    let codec = track.codec.descriptor();
    let name = name(track);
    if codec.webm_only && track.unusable.is_none() {
        return format!(
            "the {kind} track is {name} ({}), which browsers play only from WebM files, not from the MP4 that Riptide remuxes into",
            track.codec_id
        );
    }
    let why = if codec.browsers_decode {
        "which Riptide cannot play yet"
    } else {
        "which browsers cannot decode"
    };
    if matches!(track.codec, Codec::Unknown(_)) {
        format!("the {kind} track is in {name}, {why}")
    } else {
        format!("the {kind} track is {name} ({}), {why}", track.codec_id)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::packet::{AudioInfo, VideoInfo};
    use crate::time::{Duration, TimeBase};

    pub(crate) fn h264_track(id: u32) -> Track {
        let sps = [
            0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10,
        ];
        let pps = [0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];
        Track {
            id,
            kind: TrackKind::Video,
            codec: Codec::H264,
            codec_id: "V_MPEG4/ISO/AVC".into(),
            unusable: None,
            time_base: TimeBase::MILLIS,
            codec_private: h264::build_avcc(&sps, &pps).unwrap(),
            default_duration: Some(Duration(40)),
            language: None,
            name: None,
            default: true,
            video: Some(VideoInfo {
                width: 320,
                height: 240,
                ..Default::default()
            }),
            audio: None,
        }
    }

    pub(crate) fn aac_track(id: u32) -> Track {
        Track {
            id,
            kind: TrackKind::Audio,
            codec: Codec::Aac,
            codec_id: "A_AAC".into(),
            unusable: None,
            time_base: TimeBase::MILLIS,
            codec_private: vec![0x11, 0x90],
            default_duration: None,
            language: Some("eng".into()),
            name: None,
            default: true,
            video: None,
            audio: Some(AudioInfo {
                sample_rate: 48000,
                channels: 2,
            }),
        }
    }

    /// A track of `kind` that Riptide does not carry, whose codec the container names
    /// `codec_id` (a Matroska id, else an MP4 sample entry type), without configuration. A
    /// codec Riptide carries is marked [`Track::unusable`] (as if encrypted).
    pub(crate) fn other_track(id: u32, kind: TrackKind, codec_id: &str) -> Track {
        let codec = match crate::demux::mkv::codecs::codec_of(codec_id) {
            Codec::Unknown(_) if codec_id.len() == 4 => {
                let mut typ = [0; 4];
                typ.copy_from_slice(codec_id.as_bytes());
                crate::demux::mp4::codecs::sample_entry(typ)
            }
            c => c,
        };
        Track {
            unusable: codec.descriptor().mse.map(|_| "not carried in this test"),
            codec,
            codec_id: codec_id.into(),
            kind,
            codec_private: Vec::new(),
            ..aac_track(id)
        }
    }

    #[test]
    fn codec_strings() {
        assert_eq!(mse_codec(&h264_track(1)).unwrap(), "avc1.64001f");
        assert_eq!(mse_codec(&aac_track(2)).unwrap(), "mp4a.40.2");
        let legacy = Track {
            codec_private: Vec::new(),
            codec_id: "A_AAC/MPEG4/LC/SBR".into(),
            audio: Some(AudioInfo {
                sample_rate: 48000,
                channels: 2,
            }),
            ..aac_track(2)
        };
        assert_eq!(mse_codec(&legacy).unwrap(), "mp4a.40.5");
    }

    #[test]
    fn unsupported_codecs_are_named_in_plain_words() {
        let err = mse_codec(&other_track(2, TrackKind::Audio, "A_AC3")).unwrap_err();
        assert_eq!(
            err,
            Error::unsupported("the audio track is AC-3 (A_AC3), which browsers cannot decode")
        );
        let err = mse_codec(&other_track(1, TrackKind::Video, "V_MPEGH/ISO/HEVC")).unwrap_err();
        assert!(err.to_string().contains("H.265 (HEVC)"), "{err}");
        let err = mse_codec(&other_track(1, TrackKind::Video, "V_VP9")).unwrap_err();
        assert!(err.to_string().contains("Riptide cannot play yet"), "{err}");
        let err = mse_codec(&other_track(1, TrackKind::Video, "V_WEIRD")).unwrap_err();
        assert!(err.to_string().contains("is in V_WEIRD"), "{err}");
    }
}
