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

use crate::error::{Error, Result};
use crate::packet::{Codec, Track, TrackKind};

/// The RFC 6381 codec string for `track` as MSE wants it in fragmented MP4 (`avc1.64001f`,
/// `hvc1.1.6.L93.B0`, `vp09.00.10.08`, `av01.0.04M.08`, `mp4a.40.2`, `opus`, `flac`,
/// `mp4a.6B`).
///
/// Errors with [`Error::Unsupported`] naming the codec in plain words for codecs Riptide cannot
/// carry into fragmented MP4 (VP8 and Vorbis: browsers take them only in WebM), and with
/// [`Error::Invalid`] for a broken configuration record.
pub fn mse_codec(track: &Track) -> Result<String> {
    match track.codec {
        Codec::H264 => Ok(h264::AvcConfig::parse(&track.codec_private)?.codec_string()),
        Codec::Hevc => Ok(hevc_config(track)?.codec_string()),
        Codec::Vp9 => Ok(vp9_config(track)?.codec_string()),
        Codec::Av1 => Ok(av1_config(track)?.codec_string()),
        Codec::Aac => Ok(aac_config(track)?.codec_string()),
        Codec::Opus => opus::OpusHead::parse(&track.codec_private).map(|_| "opus".to_string()),
        Codec::Flac => flac::StreamInfo::parse(&track.codec_private).map(|_| "flac".to_string()),
        Codec::Mp3 => Ok(mp3::codec_string(mp3::object_type_for_rate(
            mp3_sample_rate(track)?,
        ))),
        Codec::Vp8 | Codec::Vorbis | Codec::Other(_) => {
            Err(Error::unsupported(describe_unsupported(track)))
        }
    }
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
    Ok(c.with_level_for(v.width, v.height, frame_rate(track)))
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

/// A plain-words name for a container codec id (`A_AC3` → `AC-3`).
pub fn codec_name(codec_id: &str) -> &str {
    let known: &[(&str, &str)] = &[
        ("V_MPEG4/ISO/AVC", "H.264"),
        ("V_MPEGH/ISO/HEVC", "H.265 (HEVC)"),
        ("V_AV1", "AV1"),
        ("V_VP8", "VP8"),
        ("V_VP9", "VP9"),
        ("V_MPEG4/ISO/ASP", "MPEG-4 Part 2 (DivX/Xvid)"),
        ("V_MPEG4/ISO/SP", "MPEG-4 Part 2"),
        ("V_MPEG4/MS/V3", "MS MPEG-4 v3 (DivX 3)"),
        ("V_MPEG1", "MPEG-1 video"),
        ("V_MPEG2", "MPEG-2 video"),
        ("V_MS/VFW/FOURCC", "a Video for Windows codec"),
        ("V_REAL", "RealVideo"),
        ("V_THEORA", "Theora"),
        ("A_AAC", "AAC"),
        ("A_AC3", "AC-3"),
        ("A_EAC3", "E-AC-3"),
        ("A_DTS", "DTS"),
        ("A_TRUEHD", "Dolby TrueHD"),
        ("A_MLP", "MLP"),
        ("A_FLAC", "FLAC"),
        ("A_OPUS", "Opus"),
        ("A_VORBIS", "Vorbis"),
        ("A_MPEG/L3", "MP3"),
        ("A_MPEG/L2", "MPEG audio layer II"),
        ("A_PCM", "PCM"),
        ("A_ALAC", "ALAC"),
        ("A_REAL", "RealAudio"),
        ("A_MS/ACM", "an ACM audio codec"),
        // AVI: the video fourcc (upper case) or the audio format tag after the prefix.
        ("V_AVI/XVID", "MPEG-4 Part 2 (Xvid)"),
        ("V_AVI/DIVX", "MPEG-4 Part 2 (DivX 4)"),
        ("V_AVI/DX50", "MPEG-4 Part 2 (DivX 5)"),
        ("V_AVI/FMP4", "MPEG-4 Part 2 (FFmpeg)"),
        ("V_AVI/MP4V", "MPEG-4 Part 2"),
        ("V_AVI/MP4S", "MPEG-4 Part 2"),
        ("V_AVI/M4S2", "MPEG-4 Part 2"),
        ("V_AVI/3IV2", "MPEG-4 Part 2 (3ivx)"),
        ("V_AVI/DIV3", "MS MPEG-4 v3 (DivX 3)"),
        ("V_AVI/DIV4", "MS MPEG-4 v3 (DivX 3)"),
        ("V_AVI/DIV5", "MS MPEG-4 v3 (DivX 3)"),
        ("V_AVI/DIV6", "MS MPEG-4 v3 (DivX 3)"),
        ("V_AVI/MP43", "MS MPEG-4 v3"),
        ("V_AVI/AP41", "MS MPEG-4 v3 (AngelPotion)"),
        ("V_AVI/COL1", "MS MPEG-4 v3"),
        ("V_AVI/MP42", "MS MPEG-4 v2"),
        ("V_AVI/DIV2", "MS MPEG-4 v2"),
        ("V_AVI/MPG4", "MS MPEG-4 v1"),
        ("V_AVI/MPG1", "MPEG-1 video"),
        ("V_AVI/MPG2", "MPEG-2 video"),
        ("V_AVI/MPEG", "MPEG-1/2 video"),
        ("V_AVI/MJPG", "Motion JPEG"),
        ("V_AVI/HEVC", "H.265 (HEVC)"),
        ("V_AVI/H265", "H.265 (HEVC)"),
        ("V_AVI/HVC1", "H.265 (HEVC)"),
        ("V_AVI/WMV", "Windows Media Video"),
        ("V_AVI/WVC1", "VC-1"),
        ("V_AVI/VP8", "VP8"),
        ("V_AVI/VP9", "VP9"),
        ("V_AVI/AV01", "AV1"),
        ("V_AVI/", "a Video for Windows codec"),
        ("A_AVI/WMA", "Windows Media Audio"),
        ("S_AVI/TXTS", "AVI text"),
        ("D_AVI", "AVI data"),
        ("S_TEXT", "text subtitles"),
        ("S_HDMV/PGS", "PGS subtitles"),
        ("S_VOBSUB", "VobSub subtitles"),
    ];
    known
        .iter()
        .find(|(prefix, _)| codec_id.starts_with(prefix))
        .map_or(codec_id, |(_, name)| name)
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
    let name = codec_name(&track.codec_id);
    if matches!(track.codec, Codec::Vp8 | Codec::Vorbis) {
        let name = if track.codec == Codec::Vp8 {
            "VP8"
        } else {
            "Vorbis"
        };
        return format!(
            "the {kind} track is {name} ({}), which browsers play only from WebM files, not from the MP4 that Riptide remuxes into",
            track.codec_id
        );
    }
    let browsers_decode = [
        "V_AV1",
        "V_VP8",
        "V_VP9",
        "A_OPUS",
        "A_VORBIS",
        "A_FLAC",
        "A_MPEG/L3",
        "S_",
    ]
    .iter()
    .any(|p| track.codec_id.starts_with(p));
    let why = if browsers_decode {
        "which Riptide cannot play yet"
    } else {
        "which browsers cannot decode"
    };
    if name == track.codec_id {
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
            time_base: TimeBase::MILLIS,
            codec_private: h264::build_avcc(&sps, &pps).unwrap(),
            default_duration: Some(Duration(40)),
            language: None,
            name: None,
            default: true,
            video: Some(VideoInfo {
                width: 320,
                height: 240,
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

    pub(crate) fn other_track(id: u32, kind: TrackKind, codec_id: &str) -> Track {
        Track {
            codec: Codec::Other(codec_id.into()),
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
