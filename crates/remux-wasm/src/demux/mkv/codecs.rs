//! Matroska CodecIDs → [`Codec`], in one place (the Matroska codec specification's names).

use crate::codec::Codec;

/// The [`Codec`] of a Matroska CodecID; an id Riptide does not know stays
/// [`Codec::Unknown`] with the id, for messages.
pub fn codec_of(codec_id: &str) -> Codec {
    // Ids with a family prefix (`A_AAC/MPEG4/LC/SBR`, `A_PCM/INT/LIT`, `V_REAL/RV40`).
    const FAMILIES: &[(&str, Codec)] = &[
        ("A_AAC", Codec::Aac),
        ("A_DTS", Codec::Dts),
        ("A_PCM", Codec::Pcm),
        ("A_REAL", Codec::RealAudio),
        ("A_MS/ACM", Codec::AcmAudio),
        ("V_REAL", Codec::RealVideo),
    ];
    match codec_id {
        "V_MPEG4/ISO/AVC" => Codec::H264,
        "V_MPEGH/ISO/HEVC" => Codec::Hevc,
        "V_VP8" => Codec::Vp8,
        "V_VP9" => Codec::Vp9,
        "V_AV1" => Codec::Av1,
        "V_MPEG4/ISO/ASP" | "V_MPEG4/ISO/SP" | "V_MPEG4/ISO/AP" => Codec::Mpeg4Visual,
        "V_MPEG4/MS/V3" => Codec::MsMpeg4V3,
        "V_MPEG1" => Codec::Mpeg1Video,
        "V_MPEG2" => Codec::Mpeg2Video,
        "V_MJPEG" => Codec::Mjpeg,
        "V_THEORA" => Codec::Theora,
        "V_MS/VFW/FOURCC" => Codec::VfwVideo,
        "A_OPUS" => Codec::Opus,
        "A_FLAC" => Codec::Flac,
        "A_VORBIS" => Codec::Vorbis,
        "A_MPEG/L3" => Codec::Mp3,
        "A_MPEG/L2" => Codec::Mp2,
        "A_MPEG/L1" => Codec::Mp1,
        "A_AC3" | "A_AC3/BSID9" | "A_AC3/BSID10" => Codec::Ac3,
        "A_EAC3" => Codec::Eac3,
        "A_TRUEHD" => Codec::TrueHd,
        "A_MLP" => Codec::Mlp,
        "A_ALAC" => Codec::Alac,
        "S_TEXT/UTF8" | "S_TEXT/ASCII" => Codec::SubRip,
        "S_TEXT/ASS" | "S_TEXT/SSA" | "S_ASS" | "S_SSA" => Codec::Ass,
        "S_TEXT/WEBVTT" | "D_WEBVTT/SUBTITLES" | "D_WEBVTT/CAPTIONS" => Codec::WebVtt,
        "S_HDMV/PGS" => Codec::Pgs,
        "S_VOBSUB" => Codec::VobSub,
        id => FAMILIES
            .iter()
            .find(|(prefix, _)| id.starts_with(prefix))
            .map_or_else(|| Codec::Unknown(id.to_string()), |(_, c)| c.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_typed_codecs() {
        assert_eq!(codec_of("A_AAC/MPEG4/LC/SBR"), Codec::Aac);
        assert_eq!(codec_of("V_MPEG4/ISO/ASP"), Codec::Mpeg4Visual);
        assert_eq!(codec_of("A_PCM/FLOAT/IEEE"), Codec::Pcm);
        assert_eq!(
            codec_of("V_QUICKTIME"),
            Codec::Unknown("V_QUICKTIME".into())
        );
    }
}
