//! One TrackEntry → a [`Track`] and the demuxer's [`TrackState`]: codec (through
//! `codecs.rs`), CodecPrivate, ContentEncodings (zlib, header stripping; anything else makes
//! the track [`Track::unusable`]), language, video (`video.rs`) and audio facts.

use super::block::inflate;
use super::ebml::{self, MAX_BLOCK};
use super::{codecs, id, TrackState};
use crate::error::Result;
use crate::packet::{AudioInfo, Codec, Track, TrackKind, VideoInfo};
use crate::time::{Duration, TimeBase};

pub(super) fn parse_track_entry(data: &[u8], base: u64) -> Result<(Track, TrackState)> {
    let mut number = 0u64;
    let mut track_type = 0u64;
    let mut codec_id = String::new();
    let mut codec_private = Vec::new();
    let mut default_duration = None;
    let mut language = None;
    let mut language_bcp47 = None;
    let mut name = None;
    let mut default = true;
    let mut video = None;
    let mut audio = None;
    let mut strip_prefix = Vec::new();
    let mut codec_delay_ns = 0;
    // Why the frames cannot be used as they are (encrypted, or compressed in a way Riptide
    // does not undo), if so.
    let mut encoded: Option<&'static str> = None;
    let (mut zlib, mut zlib_private) = (false, false);
    for child in ebml::children(data, base) {
        let (cid, d, cpos) = child?;
        match cid {
            id::TRACK_NUMBER => number = ebml::uint(d)?,
            id::TRACK_TYPE => track_type = ebml::uint(d)?,
            id::CODEC_ID => codec_id = ebml::string(d),
            id::CODEC_PRIVATE => codec_private = d.to_vec(),
            id::DEFAULT_DURATION => default_duration = Some(Duration(ebml::uint(d)?)),
            id::LANGUAGE => language = Some(ebml::string(d)),
            id::LANGUAGE_BCP47 => language_bcp47 = Some(ebml::string(d)),
            id::NAME => name = Some(ebml::string(d)),
            id::FLAG_DEFAULT => default = ebml::uint(d)? != 0,
            id::CODEC_DELAY => codec_delay_ns = ebml::uint(d)?,
            id::VIDEO => video = Some(super::video::parse_video(d, cpos)?),
            id::AUDIO => {
                let mut a = AudioInfo {
                    sample_rate: 8000,
                    channels: 1,
                };
                for c in ebml::children(d, cpos) {
                    let (c, d, _) = c?;
                    match c {
                        id::SAMPLING_FREQUENCY => {
                            let f = ebml::float(d)?;
                            if f.is_finite() && f > 0.0 {
                                a.sample_rate = f.round().min(u32::MAX as f64) as u32;
                            }
                        }
                        id::CHANNELS => a.channels = ebml::uint(d)?.min(u16::MAX as u64) as u16,
                        _ => {}
                    }
                }
                audio = Some(a);
            }
            id::CONTENT_ENCODINGS => {
                let mut compressions = 0;
                for enc in ebml::children(d, cpos) {
                    let (c, d, epos) = enc?;
                    if c != id::CONTENT_ENCODING {
                        continue;
                    }
                    // ContentEncodingScope: 1 = frames (default), 2 = CodecPrivate.
                    let mut scope = 1u64;
                    for part in ebml::children(d, epos) {
                        let (c, d, _) = part?;
                        if c == id::CONTENT_ENCODING_SCOPE {
                            scope = ebml::uint(d)?;
                        }
                    }
                    for part in ebml::children(d, epos) {
                        let (c, d, ppos) = part?;
                        match c {
                            id::CONTENT_COMPRESSION => {
                                compressions += 1;
                                // ContentCompAlgo: 0 zlib (the default), 1 bzlib, 2 lzo1x,
                                // 3 header stripping.
                                let (mut algo, mut settings) = (0u64, Vec::new());
                                for s in ebml::children(d, ppos) {
                                    let (c, d, _) = s?;
                                    match c {
                                        id::CONTENT_COMP_ALGO => algo = ebml::uint(d)?,
                                        id::CONTENT_COMP_SETTINGS => settings = d.to_vec(),
                                        _ => {}
                                    }
                                }
                                match algo {
                                    3 => strip_prefix = settings,
                                    0 => {
                                        zlib = scope & 1 != 0;
                                        zlib_private = scope & 2 != 0;
                                    }
                                    1 => encoded = Some("bzip2-compressed"),
                                    2 => encoded = Some("LZO-compressed"),
                                    _ => encoded = Some("compressed with an unknown method"),
                                }
                            }
                            id::CONTENT_ENCRYPTION => encoded = Some("encrypted"),
                            _ => {}
                        }
                    }
                }
                if compressions > 1 {
                    encoded = encoded.or(Some("compressed twice"));
                }
            }
            _ => {}
        }
    }
    if zlib_private && encoded.is_none() {
        match inflate(&codec_private, MAX_BLOCK as usize) {
            Ok(p) => codec_private = p,
            Err(_) => encoded = Some("compressed (damaged zlib CodecPrivate)"),
        }
    }
    let kind = match track_type {
        1 => TrackKind::Video,
        2 => TrackKind::Audio,
        17 => TrackKind::Subtitle,
        _ => TrackKind::Other,
    };
    let codec = codecs::codec_of(&codec_id);
    if codec == Codec::Vp9 && encoded.is_none() {
        codec_private = vp9_codec_private(&codec_private);
    }
    let track = Track {
        id: number.min(u32::MAX as u64) as u32,
        kind,
        codec,
        codec_id,
        // Encrypted, or compressed other than by zlib or header stripping: not remuxable.
        unusable: encoded,
        time_base: TimeBase::MILLIS, // Set by `open` once the TimestampScale is known.
        codec_private,
        default_duration: default_duration.filter(|d| d.0 > 0), // In ns until `open` rescales.
        language: language_bcp47.or(language).or_else(|| Some("eng".into())),
        name,
        default,
        video: if kind == TrackKind::Video {
            video.or(Some(VideoInfo::default()))
        } else {
            video
        },
        audio,
    };
    Ok((
        track,
        TrackState {
            number,
            index: 0,
            strip_prefix,
            zlib,
            annexb: false,
            codec_delay_ns,
        },
    ))
}

/// WebM's VP9 CodecPrivate (a feature list: profile, level, bit depth, chroma subsampling)
/// as the vpcC record packet.rs documents; empty when there is none or it is unreadable (the
/// remuxer then reads the first key frame).
fn vp9_codec_private(webm: &[u8]) -> Vec<u8> {
    if webm.is_empty() {
        return Vec::new();
    }
    crate::codec::vp9::VpConfig::from_webm_codec_private(webm)
        .map(|c| c.to_bytes())
        .unwrap_or_default()
}
