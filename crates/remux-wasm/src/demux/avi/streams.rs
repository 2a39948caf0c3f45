//! From stream headers to [`Track`]s: which codec each stream is, its codec id (for plain-words
//! errors), time base and configuration record.

use super::codecs;
use super::headers::{MainHeader, StreamInfo, StreamType};
use crate::codec::aac;
use crate::packet::{AudioInfo, Codec, Track, TrackKind, VideoInfo};
use crate::time::{Duration, TimeBase};

/// How the demuxer turns a stream's chunks into packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handling {
    /// H.264: Annex B (`avcc: false`, converted) or already length-prefixed (`avcc: true`,
    /// with the avcC in the format's extradata); presentation order from the POC.
    H264 { avcc: bool },
    /// MPEG-4 Part 2 (Xvid, DivX 4/5, ...): key frames from the VOP type.
    Mpeg4Part2,
    /// MS MPEG-4 v1-3 (DivX 3): key frames from the picture type bits.
    MsMpeg4,
    /// MPEG-1/2 video: key frames from the picture coding type.
    Mpeg12,
    /// Every frame a key frame (Motion JPEG, uncompressed, ...).
    Intra,
    /// MP3: one frame per chunk (VBR style) or frames spread over chunks (CBR).
    Mp3 { vbr: bool },
    /// AAC, ADTS headers stripped if present.
    Aac,
    /// Anything else: chunks passed through, timed by the stream header.
    Plain,
}

/// Uncompressed video fourccs: every frame a key frame.
const UNCOMPRESSED_FOURCCS: &[&[u8; 4]] = &[b"DIB ", b"RGB ", b"\0\0\0\0"];

/// The video fourcc in upper case: `biCompression`, or `fccHandler` when that is empty.
pub fn video_fourcc(s: &StreamInfo) -> [u8; 4] {
    let c = if s.compression != [0; 4] {
        s.compression
    } else {
        s.handler
    };
    c.map(|b| b.to_ascii_uppercase())
}

/// A time base from `scale/rate`, reduced; `None` if either is zero.
fn time_base(scale: u32, rate: u32) -> Option<TimeBase> {
    if scale == 0 || rate == 0 {
        return None;
    }
    let (mut a, mut b) = (scale, rate);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    Some(TimeBase::new(scale / a, rate / a))
}

/// Builds the track of stream `index` and how its chunks are handled. `codec_private` of an
/// Annex B H.264 stream is filled in later from the first SPS/PPS (see `AviDemuxer::open`).
pub fn build(index: usize, s: &StreamInfo, main: &MainHeader) -> (Track, Handling) {
    let id = index as u32 + 1;
    let mut track = Track {
        id,
        kind: TrackKind::Other,
        codec: Codec::Unknown(String::new()),
        codec_id: String::new(),
        unusable: None,
        time_base: time_base(s.scale, s.rate).unwrap_or(TimeBase::new(1, 25)),
        codec_private: Vec::new(),
        default_duration: None,
        language: None,
        name: s.name.clone(),
        default: false,
        video: None,
        audio: None,
    };
    let handling = match s.kind {
        StreamType::Video => {
            track.kind = TrackKind::Video;
            track.video = Some(VideoInfo {
                width: s.width,
                height: s.height,
                ..Default::default()
            });
            if s.scale == 0 || s.rate == 0 {
                // Fall back on the main header's frame duration (µs), then on 25 fps.
                track.time_base =
                    time_base(main.micro_sec_per_frame, 1_000_000).unwrap_or(TimeBase::new(1, 25));
            }
            track.default_duration = Some(Duration(1));
            let fourcc = video_fourcc(s);
            track.codec = codecs::video(fourcc);
            if track.codec == Codec::H264 {
                track.codec_id = "V_MPEG4/ISO/AVC".into();
            } else {
                let name = String::from_utf8_lossy(&fourcc)
                    .chars()
                    .map(|c| if c.is_ascii_graphic() { c } else { '_' })
                    .collect::<String>();
                track.codec_id = format!("V_AVI/{name}");
            }
            match track.codec {
                Codec::H264 => {
                    // Extradata that is an avcC record means length-prefixed frames.
                    let avcc = s.extradata.first() == Some(&1) && s.extradata.len() >= 7;
                    if avcc {
                        track.codec_private = s.extradata.clone();
                    }
                    Handling::H264 { avcc }
                }
                Codec::Mpeg4Visual => Handling::Mpeg4Part2,
                Codec::MsMpeg4V1 | Codec::MsMpeg4V2 | Codec::MsMpeg4V3 => Handling::MsMpeg4,
                Codec::Mpeg1Video | Codec::Mpeg2Video => Handling::Mpeg12,
                Codec::Mjpeg => Handling::Intra,
                _ if UNCOMPRESSED_FOURCCS.contains(&&fourcc) => Handling::Intra,
                _ => Handling::Plain,
            }
        }
        StreamType::Audio => {
            track.kind = TrackKind::Audio;
            track.audio = Some(AudioInfo {
                sample_rate: s.sample_rate,
                channels: s.channels,
            });
            track.codec = codecs::audio(s.format_tag);
            let tag = s.format_tag;
            let (codec_id, handling) = match track.codec {
                Codec::Mp3 => {
                    // VBR when every chunk is one frame: no sample size, or a block of one
                    // MPEG-1 (1152) / MPEG-2 (576) layer III frame.
                    let vbr = s.sample_size == 0 || matches!(s.block_align, 576 | 1152);
                    if (8000..=48000).contains(&s.sample_rate) {
                        track.time_base = TimeBase::new(1, s.sample_rate);
                    }
                    ("A_MPEG/L3".to_string(), Handling::Mp3 { vbr })
                }
                Codec::Aac => {
                    track.codec_private = if s.extradata.len() >= 2 {
                        s.extradata.clone()
                    } else {
                        aac::synthesize_asc(2, s.sample_rate, s.channels.min(15) as u8)
                    };
                    ("A_AAC".to_string(), Handling::Aac)
                }
                Codec::Pcm if tag == 0x03 => ("A_PCM/FLOAT/IEEE".to_string(), Handling::Plain),
                Codec::Pcm => ("A_PCM/INT/LIT".to_string(), Handling::Plain),
                Codec::Mp2 => ("A_MPEG/L2".to_string(), Handling::Plain),
                Codec::Ac3 => ("A_AC3".to_string(), Handling::Plain),
                Codec::Dts => ("A_DTS".to_string(), Handling::Plain),
                Codec::Wma => (format!("A_AVI/WMA/0x{tag:04X}"), Handling::Plain),
                Codec::Vorbis => ("A_VORBIS".to_string(), Handling::Plain),
                _ => (format!("A_MS/ACM/0x{tag:04X}"), Handling::Plain),
            };
            track.codec_id = codec_id;
            handling
        }
        StreamType::Text => {
            track.kind = TrackKind::Subtitle;
            track.codec_id = "S_AVI/TXTS".into();
            track.codec = Codec::AviText;
            Handling::Plain
        }
        StreamType::Other => {
            track.codec_id = "D_AVI".into();
            track.codec = Codec::Unknown(track.codec_id.clone());
            Handling::Plain
        }
    };
    if !codecs::unwrapped(&track.codec) {
        track.unusable = Some("in AVI");
    }
    (track, handling)
}
