//! Which codec a track carries, as one typed id ([`Codec`]), and everything Riptide knows
//! about each codec in one table ([`Codec::descriptor`]): the name shown to people, how to
//! build its MSE codec string, what to ask the browser when Riptide cannot build one, and
//! whether Riptide could transcode it.
//!
//! Containers never reach this table with their own ids: each maps its ids to a [`Codec`]
//! once (`demux/mkv/codecs.rs`, `demux/mp4/codecs.rs`, `demux/avi/codecs.rs`) and keeps the
//! raw id in `Track::codec_id`, for messages only.

use super::{mse_aac, mse_av1, mse_flac, mse_h264, mse_hevc, mse_mp3, mse_opus, mse_vp9};
use crate::error::Result;
use crate::packet::Track;

/// The codec of a track. `Track::codec_private` holds the configuration each variant documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Codec {
    // Video.
    /// H.264 / AVC. `codec_private` holds an AVCDecoderConfigurationRecord (avcC).
    H264,
    /// H.265 / HEVC. `codec_private` holds an HEVCDecoderConfigurationRecord (hvcC).
    Hevc,
    /// VP8. `codec_private` is empty.
    Vp8,
    /// VP9. `codec_private` holds a VPCodecConfigurationRecord (vpcC body) if known, else empty.
    Vp9,
    /// AV1. `codec_private` holds an AV1CodecConfigurationRecord (av1C).
    Av1,
    /// MPEG-4 Part 2 Visual (Xvid, DivX 4/5, FMP4, 3ivx; MP4 `mp4v` with objectTypeIndication
    /// 0x20; Matroska `V_MPEG4/ISO/ASP|SP|AP`).
    Mpeg4Visual,
    /// Microsoft MPEG-4 v3 (DivX 3, `DIV3`, `MP43`; Matroska `V_MPEG4/MS/V3`).
    MsMpeg4V3,
    /// Microsoft MPEG-4 v2 (`MP42`, `DIV2`).
    MsMpeg4V2,
    /// Microsoft MPEG-4 v1 (`MPG4`).
    MsMpeg4V1,
    /// MPEG-1 video.
    Mpeg1Video,
    /// MPEG-2 video.
    Mpeg2Video,
    /// Motion JPEG.
    Mjpeg,
    Theora,
    RealVideo,
    /// Windows Media Video 7-9.
    Wmv,
    Vc1,
    /// A video codec Riptide does not know, inside a Video for Windows header (AVI, Matroska
    /// `V_MS/VFW/FOURCC`); `Track::codec_id` keeps the fourcc.
    VfwVideo,

    // Audio.
    /// AAC. `codec_private` holds an AudioSpecificConfig.
    Aac,
    /// MPEG-1/2 audio layer III. `codec_private` is empty; frames are whole MP3 frames.
    Mp3,
    /// MPEG-1/2 audio layer II.
    Mp2,
    /// MPEG-1/2 audio layer I.
    Mp1,
    /// Opus. `codec_private` holds the OpusHead (as in MKV's CodecPrivate / Ogg).
    Opus,
    /// FLAC. `codec_private` holds `fLaC` + metadata blocks (at least STREAMINFO).
    Flac,
    /// Vorbis. `codec_private` holds the Xiph-laced three header packets.
    Vorbis,
    /// Dolby Digital.
    Ac3,
    /// Dolby Digital Plus.
    Eac3,
    Dts,
    /// Dolby TrueHD.
    TrueHd,
    /// Meridian Lossless Packing (TrueHD's ancestor).
    Mlp,
    /// Uncompressed PCM, integer or float.
    Pcm,
    Alac,
    RealAudio,
    /// Windows Media Audio.
    Wma,
    /// An audio codec Riptide does not know, inside an ACM `WAVEFORMATEX` (AVI, Matroska
    /// `A_MS/ACM`); `Track::codec_id` keeps the format tag.
    AcmAudio,

    // Subtitles.
    /// SubRip text (Matroska `S_TEXT/UTF8`, `S_TEXT/ASCII`).
    SubRip,
    /// ASS / SSA (Matroska `S_TEXT/ASS`, `S_TEXT/SSA`, `S_ASS`, `S_SSA`).
    Ass,
    /// WebVTT as Matroska stores it (`S_TEXT/WEBVTT`, `D_WEBVTT/...`).
    WebVtt,
    /// WebVTT as MP4 stores it (ISO 14496-30 `wvtt`).
    Wvtt,
    /// 3GPP timed text (MP4 `tx3g`, ffmpeg's mov_text).
    Tx3g,
    /// Blu-ray PGS bitmaps.
    Pgs,
    /// DVD VobSub bitmaps.
    VobSub,
    /// AVI text stream.
    AviText,

    /// Any other codec, named by the container's own id (e.g. `A_QUICKTIME`), for messages.
    Unknown(String),
}

/// What Riptide knows about one codec. See [`Codec::descriptor`].
#[derive(Clone, Copy)]
pub struct Descriptor {
    /// The codec's name in plain words (`AC-3`, `H.265 (HEVC)`).
    pub name: &'static str,
    /// Builds the exact RFC 6381 codec string of a track for fragmented MP4 from its
    /// configuration; `None` for codecs Riptide cannot carry into fragmented MP4.
    pub mse: Option<fn(&Track) -> Result<String>>,
    /// A representative codec string to ask `isTypeSupported` with when [`Descriptor::mse`]
    /// cannot give the exact one (`ac-3`, `mp4v.20.9`), so the browser's answer says who lacks
    /// what.
    pub probe: Option<&'static str>,
    /// Some browser decodes it, so when Riptide cannot play it the limit is Riptide's.
    pub browsers_decode: bool,
    /// Browsers take it only from WebM, never from the MP4 Riptide writes (VP8, Vorbis).
    pub webm_only: bool,
    /// Riptide decodes it itself and plays it re-encoded to a codec browsers take
    /// ([`crate::transcode`]: AC-3, E-AC-3, DTS core and Vorbis, as FLAC).
    pub transcodable: bool,
}

const fn named(name: &'static str) -> Descriptor {
    Descriptor {
        name,
        mse: None,
        probe: None,
        browsers_decode: false,
        webm_only: false,
        transcodable: false,
    }
}

impl Descriptor {
    const fn mse(self, build: fn(&Track) -> Result<String>) -> Self {
        Descriptor {
            mse: Some(build),
            browsers_decode: true,
            ..self
        }
    }
    const fn probe(self, codec: &'static str) -> Self {
        Descriptor {
            probe: Some(codec),
            ..self
        }
    }
    const fn in_browsers(self) -> Self {
        Descriptor {
            browsers_decode: true,
            ..self
        }
    }
    const fn transcoded(self) -> Self {
        Descriptor {
            transcodable: true,
            ..self
        }
    }
    const fn webm_only(self) -> Self {
        Descriptor {
            webm_only: true,
            browsers_decode: true,
            ..self
        }
    }
}

impl Codec {
    /// The one table of codec facts.
    pub fn descriptor(&self) -> Descriptor {
        use Codec::*;
        match self {
            H264 => named("H.264").mse(mse_h264),
            Hevc => named("H.265 (HEVC)").mse(mse_hevc).probe("hev1.1.6.L93.B0"),
            Vp8 => named("VP8").probe("vp8").webm_only(),
            Vp9 => named("VP9").mse(mse_vp9).probe("vp09.00.10.08"),
            Av1 => named("AV1").mse(mse_av1).probe("av01.0.04M.08"),
            // Transcoded only where the browser has WebCodecs (`tracks::Viewer::encodes_video`).
            Mpeg4Visual => named("MPEG-4 Part 2").probe("mp4v.20.9").transcoded(),
            MsMpeg4V3 => named("MS MPEG-4 v3"),
            MsMpeg4V2 => named("MS MPEG-4 v2"),
            MsMpeg4V1 => named("MS MPEG-4 v1"),
            Mpeg1Video => named("MPEG-1 video").probe("mp4v.6A"),
            Mpeg2Video => named("MPEG-2 video").probe("mp4v.61"),
            Mjpeg => named("Motion JPEG"),
            Theora => named("Theora").probe("theora"),
            RealVideo => named("RealVideo"),
            Wmv => named("Windows Media Video"),
            Vc1 => named("VC-1"),
            VfwVideo => named("a Video for Windows codec"),
            Aac => named("AAC").mse(mse_aac),
            Mp3 => named("MP3").mse(mse_mp3).probe("mp4a.6B"),
            Mp2 => named("MPEG audio layer II").probe("mp4a.6B"),
            Mp1 => named("MPEG audio layer I").probe("mp4a.6B"),
            Opus => named("Opus").mse(mse_opus).probe("opus"),
            Flac => named("FLAC").mse(mse_flac).probe("flac"),
            Vorbis => named("Vorbis").probe("vorbis").webm_only().transcoded(),
            Ac3 => named("AC-3").probe("ac-3").transcoded(),
            Eac3 => named("E-AC-3").probe("ec-3").transcoded(),
            Dts => named("DTS").probe("dtsc").transcoded(),
            TrueHd => named("Dolby TrueHD").probe("mlpa"),
            Mlp => named("MLP").probe("mlpa"),
            Pcm => named("PCM"),
            Alac => named("ALAC").probe("alac"),
            RealAudio => named("RealAudio"),
            Wma => named("Windows Media Audio"),
            AcmAudio => named("an ACM audio codec"),
            SubRip | Ass | WebVtt => named("text subtitles").in_browsers(),
            Wvtt => named("WebVTT").in_browsers(),
            Tx3g => named("3GPP timed text").in_browsers(),
            Pgs => named("PGS subtitles").in_browsers(),
            VobSub => named("VobSub subtitles").in_browsers(),
            AviText => named("AVI text").in_browsers(),
            Unknown(_) => named(""),
        }
    }
}

/// Container ids that name the encoder as well as the codec; people know these films by it
/// ("Xvid", "DivX 3").
const ENCODER_NAMES: &[(&str, &str)] = &[
    ("V_MPEG4/ISO/ASP", "MPEG-4 Part 2 (DivX/Xvid)"),
    ("V_MPEG4/MS/V3", "MS MPEG-4 v3 (DivX 3)"),
    ("V_AVI/XVID", "MPEG-4 Part 2 (Xvid)"),
    ("V_AVI/DIVX", "MPEG-4 Part 2 (DivX 4)"),
    ("V_AVI/DX50", "MPEG-4 Part 2 (DivX 5)"),
    ("V_AVI/FMP4", "MPEG-4 Part 2 (FFmpeg)"),
    ("V_AVI/3IV2", "MPEG-4 Part 2 (3ivx)"),
    ("V_AVI/DIV3", "MS MPEG-4 v3 (DivX 3)"),
    ("V_AVI/DIV4", "MS MPEG-4 v3 (DivX 3)"),
    ("V_AVI/DIV5", "MS MPEG-4 v3 (DivX 3)"),
    ("V_AVI/DIV6", "MS MPEG-4 v3 (DivX 3)"),
    ("V_AVI/AP41", "MS MPEG-4 v3 (AngelPotion)"),
    ("V_AVI/MPEG", "MPEG-1/2 video"),
];

/// The plain-words name of `track`'s codec (`AC-3`, `MPEG-4 Part 2 (Xvid)`); a codec Riptide
/// does not know is named by the container's id.
pub fn name(track: &Track) -> String {
    if let Codec::Unknown(raw) = &track.codec {
        return raw.clone();
    }
    ENCODER_NAMES
        .iter()
        .find(|(id, _)| *id == track.codec_id)
        .map_or(track.codec.descriptor().name, |(_, name)| name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::tests::{aac_track, h264_track};
    use crate::packet::Track;

    #[test]
    fn names_come_from_the_table_or_the_encoder() {
        let named = |codec: Codec, codec_id: &str| {
            name(&Track {
                codec,
                codec_id: codec_id.into(),
                ..aac_track(1)
            })
        };
        assert_eq!(named(Codec::Ac3, "ac-3"), "AC-3");
        assert_eq!(
            named(Codec::Mpeg4Visual, "V_AVI/XVID"),
            "MPEG-4 Part 2 (Xvid)"
        );
        assert_eq!(named(Codec::Mpeg4Visual, "mp4v"), "MPEG-4 Part 2");
        assert_eq!(
            named(Codec::Unknown("V_WEIRD".into()), "V_WEIRD"),
            "V_WEIRD"
        );
        assert_eq!(name(&h264_track(1)), "H.264");
    }

    #[test]
    fn riptide_carries_exactly_what_has_an_mse_builder_and_transcodes_four_audio_codecs() {
        use Codec::*;
        let carried = [H264, Hevc, Vp9, Av1, Aac, Mp3, Opus, Flac];
        let video = [H264, Hevc, Vp8, Vp9, Av1, Mpeg4Visual, MsMpeg4V3, Mpeg2Video];
        let audio = [Aac, Mp3, Opus, Flac, Vorbis, Ac3, Eac3, Dts, TrueHd, Pcm];
        for c in video.into_iter().chain(audio).chain([SubRip, Unknown("x".into())]) {
            let d = c.descriptor();
            assert_eq!(d.mse.is_some(), carried.contains(&c), "{c:?}");
            assert_eq!(d.transcodable, matches!(c, Vorbis | Ac3 | Eac3 | Dts | Mpeg4Visual), "{c:?}");
            assert!(!d.name.is_empty() || matches!(c, Unknown(_)), "{c:?}");
        }
    }
}
