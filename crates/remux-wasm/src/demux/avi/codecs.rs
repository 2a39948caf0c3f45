//! AVI video fourccs and audio format tags → [`Codec`], in one place.

use crate::codec::Codec;

/// Video fourccs (upper case) and their codec.
const VIDEO: &[(&[u8; 4], Codec)] = &[
    (b"H264", Codec::H264),
    (b"X264", Codec::H264),
    (b"AVC1", Codec::H264),
    (b"DAVC", Codec::H264),
    (b"VSSH", Codec::H264),
    (b"AVCS", Codec::H264),
    (b"XVID", Codec::Mpeg4Visual),
    (b"DIVX", Codec::Mpeg4Visual),
    (b"DX50", Codec::Mpeg4Visual),
    (b"FMP4", Codec::Mpeg4Visual),
    (b"MP4V", Codec::Mpeg4Visual),
    (b"MP4S", Codec::Mpeg4Visual),
    (b"M4S2", Codec::Mpeg4Visual),
    (b"RMP4", Codec::Mpeg4Visual),
    (b"3IV2", Codec::Mpeg4Visual),
    (b"BLZ0", Codec::Mpeg4Visual),
    (b"DXGM", Codec::Mpeg4Visual),
    (b"SEDG", Codec::Mpeg4Visual),
    (b"UMP4", Codec::Mpeg4Visual),
    (b"WV1F", Codec::Mpeg4Visual),
    (b"DIV3", Codec::MsMpeg4V3),
    (b"DIV4", Codec::MsMpeg4V3),
    (b"DIV5", Codec::MsMpeg4V3),
    (b"DIV6", Codec::MsMpeg4V3),
    (b"MP43", Codec::MsMpeg4V3),
    (b"MPG3", Codec::MsMpeg4V3),
    (b"AP41", Codec::MsMpeg4V3),
    (b"COL1", Codec::MsMpeg4V3),
    (b"MP42", Codec::MsMpeg4V2),
    (b"DIV2", Codec::MsMpeg4V2),
    (b"MPG4", Codec::MsMpeg4V1),
    (b"MPG1", Codec::Mpeg1Video),
    (b"PIM1", Codec::Mpeg1Video),
    (b"MPG2", Codec::Mpeg2Video),
    (b"MPEG", Codec::Mpeg2Video),
    (b"MX5P", Codec::Mpeg2Video),
    (b"MMES", Codec::Mpeg2Video),
    (b"HDV1", Codec::Mpeg2Video),
    (b"MJPG", Codec::Mjpeg),
    (b"AVRN", Codec::Mjpeg),
    (b"LJPG", Codec::Mjpeg),
    (b"JPGL", Codec::Mjpeg),
    (b"HEVC", Codec::Hevc),
    (b"H265", Codec::Hevc),
    (b"HVC1", Codec::Hevc),
    (b"VP80", Codec::Vp8),
    (b"VP90", Codec::Vp9),
    (b"AV01", Codec::Av1),
    (b"WMV1", Codec::Wmv),
    (b"WMV2", Codec::Wmv),
    (b"WMV3", Codec::Wmv),
    (b"WVC1", Codec::Vc1),
];

/// The codec of an AVI video fourcc (upper case): a codec Riptide does not know is
/// [`Codec::VfwVideo`] (the fourcc stays in `Track::codec_id`).
pub fn video(fourcc: [u8; 4]) -> Codec {
    VIDEO
        .iter()
        .find(|(f, _)| **f == fourcc)
        .map_or(Codec::VfwVideo, |(_, c)| c.clone())
}

/// The codec of a `WAVEFORMATEX` format tag: a codec Riptide does not know is
/// [`Codec::AcmAudio`].
pub fn audio(format_tag: u16) -> Codec {
    match format_tag {
        0x01 | 0x03 => Codec::Pcm,
        0x50 => Codec::Mp2,
        0x55 => Codec::Mp3,
        0xFF | 0x706D | 0x1600 | 0x1610 | 0x4143 => Codec::Aac,
        0x160..=0x163 => Codec::Wma,
        0x2000 => Codec::Ac3,
        0x2001 => Codec::Dts,
        0x674F | 0x6750 | 0x6751 | 0x676F | 0x6770 | 0x6771 => Codec::Vorbis,
        _ => Codec::AcmAudio,
    }
}

/// Codecs whose AVI packaging the demuxer does not unwrap (Annex B HEVC, VP8/VP9/AV1 and
/// Vorbis in VfW/ACM wrappers): their tracks are named but never carried.
pub fn unwrapped(codec: &Codec) -> bool {
    !matches!(
        codec,
        Codec::Hevc | Codec::Vp8 | Codec::Vp9 | Codec::Av1 | Codec::Vorbis
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourccs_and_tags_map_to_typed_codecs() {
        assert_eq!(video(*b"XVID"), Codec::Mpeg4Visual);
        assert_eq!(video(*b"DIV3"), Codec::MsMpeg4V3);
        assert_eq!(video(*b"MP43"), Codec::MsMpeg4V3);
        assert_eq!(video(*b"ABCD"), Codec::VfwVideo);
        assert_eq!(audio(0x2000), Codec::Ac3);
        assert_eq!(audio(0x1234), Codec::AcmAudio);
        assert!(!unwrapped(&video(*b"HEVC")) && unwrapped(&Codec::H264));
    }
}
