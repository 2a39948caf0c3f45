//! MP4 sample entry types and `esds` objectTypeIndications → [`Codec`], in one place (the
//! MP4 registration authority's codec list).

use super::boxes::fourcc;
use crate::codec::Codec;

/// The [`Codec`] a sample entry type names. `mp4a` and `mp4v` name only a family: the `esds`
/// objectTypeIndication says which codec ([`object_type`]); without one `mp4v` is MPEG-4
/// Part 2 and `mp4a` stays unknown.
pub fn sample_entry(typ: [u8; 4]) -> Codec {
    match &typ {
        b"avc1" | b"avc3" => Codec::H264,
        b"hvc1" | b"hev1" => Codec::Hevc,
        b"vp08" => Codec::Vp8,
        b"vp09" => Codec::Vp9,
        b"av01" => Codec::Av1,
        b"mp4v" => Codec::Mpeg4Visual,
        b"Opus" => Codec::Opus,
        b"fLaC" => Codec::Flac,
        b".mp3" => Codec::Mp3,
        b"ac-3" => Codec::Ac3,
        b"ec-3" => Codec::Eac3,
        b"dtsc" | b"dtsh" | b"dtsl" | b"dtse" => Codec::Dts,
        b"mlpa" => Codec::TrueHd,
        b"alac" => Codec::Alac,
        b"ipcm" | b"fpcm" | b"lpcm" | b"sowt" | b"twos" | b"in24" | b"in32" | b"fl32" | b"fl64" => {
            Codec::Pcm
        }
        b"tx3g" => Codec::Tx3g,
        b"wvtt" => Codec::Wvtt,
        _ => Codec::Unknown(fourcc(typ)),
    }
}

/// The [`Codec`] of an `esds` objectTypeIndication (ISO/IEC 14496-1 Table 5) in an `mp4a`
/// (`audio`) or `mp4v` entry.
pub fn object_type(oti: u8, audio: bool) -> Codec {
    match (oti, audio) {
        // MPEG-4 audio, MPEG-2 AAC Main / LC / SSR.
        (0x40 | 0x66 | 0x67 | 0x68, true) => Codec::Aac,
        // MPEG-1 / MPEG-2 (low rates) audio: MP3 (layers I/II are named by the frames
        // themselves, and remuxed the same way).
        (0x6B | 0x69, true) => Codec::Mp3,
        (0xA5, true) => Codec::Ac3,
        (0xA6, true) => Codec::Eac3,
        (0xA9, true) => Codec::Dts,
        (oti, true) => Codec::Unknown(format!("mp4a.{oti:02X}")),
        (0x20, false) => Codec::Mpeg4Visual,
        (0x60..=0x65, false) => Codec::Mpeg2Video,
        (0x6A, false) => Codec::Mpeg1Video,
        (0x6C, false) => Codec::Mjpeg,
        (oti, false) => Codec::Unknown(format!("mp4v.{oti:02X}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_object_types_map_to_typed_codecs() {
        assert_eq!(sample_entry(*b"ac-3"), Codec::Ac3);
        assert_eq!(sample_entry(*b"mp4v"), Codec::Mpeg4Visual);
        assert_eq!(sample_entry(*b"mp4a"), Codec::Unknown("mp4a".into()));
        assert_eq!(object_type(0x40, true), Codec::Aac);
        assert_eq!(object_type(0x20, false), Codec::Mpeg4Visual);
        assert_eq!(object_type(0x61, false), Codec::Mpeg2Video);
        assert_eq!(object_type(0xDD, true), Codec::Unknown("mp4a.DD".into()));
    }
}
