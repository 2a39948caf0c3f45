//! A source track → the sample entry that carries it in fragmented MP4 ([`MediaConfig`]):
//! picture size, configuration record, timescale and samples per packet.

use super::boxes::MediaConfig;
use crate::codec::flac::StreamInfo;
use crate::codec::h264::{parse_sps, AvcConfig};
use crate::codec::opus::{self, OpusHead};
use crate::codec::{self, aac::AudioSpecificConfig, mp3};
use crate::error::{Error, Result};
use crate::packet::{Codec, Track};

/// ISO 639-2/T code of `track`, or `und`.
pub(super) fn language(track: &Track) -> [u8; 3] {
    match track.language.as_deref().map(str::as_bytes) {
        Some(&[a, b, c]) if [a, b, c].iter().all(u8::is_ascii_lowercase) => [a, b, c],
        _ => *b"und",
    }
}

pub(super) fn dim(v: u32) -> u16 {
    v.min(u16::MAX as u32) as u16
}

/// The sample entry of a video track, from its configuration record.
pub(super) fn video_media(t: &Track) -> Result<MediaConfig> {
    let mut v = t.video.unwrap_or_default();
    Ok(match t.codec {
        Codec::H264 => {
            if v.width == 0 || v.height == 0 {
                // The container did not say: read the size from the SPS.
                let sps = AvcConfig::parse(&t.codec_private)
                    .ok()
                    .and_then(|c| c.sps.first().and_then(|s| parse_sps(s).ok()));
                if let Some(sps) = sps {
                    (v.width, v.height) = (sps.width, sps.height);
                }
            }
            MediaConfig::Avc {
                width: dim(v.width),
                height: dim(v.height),
                avcc: t.codec_private.clone(),
            }
        }
        Codec::Hevc => MediaConfig::Hevc {
            width: dim(v.width),
            height: dim(v.height),
            entry: *codec::hevc_config(t)?.sample_entry(),
            hvcc: t.codec_private.clone(),
        },
        Codec::Vp9 => MediaConfig::Vp9 {
            width: dim(v.width),
            height: dim(v.height),
            vpcc: codec::vp9_config(t)?.to_bytes(),
        },
        Codec::Av1 => MediaConfig::Av1 {
            width: dim(v.width),
            height: dim(v.height),
            av1c: codec::av1_config(t)?.to_bytes(),
        },
        _ => return Err(Error::unsupported(codec::describe_unsupported(t))),
    })
}

/// The sample entry of an audio track, its timescale and its samples per packet.
pub(super) fn audio_media(t: &Track) -> Result<(MediaConfig, u32, u32)> {
    let stated_channels = t.audio.map_or(2, |a| a.channels.max(1));
    Ok(match t.codec {
        Codec::Aac => {
            let asc_bytes = codec::aac_config_bytes(t)?;
            let asc = AudioSpecificConfig::parse(&asc_bytes)?;
            let channels = match asc.channels {
                0 => stated_channels,
                c => c as u16,
            };
            let media = MediaConfig::Aac {
                sample_rate: asc.sample_rate,
                channels,
                asc: asc_bytes,
            };
            (media, asc.sample_rate, asc.frame_length)
        }
        Codec::Opus => {
            let head = OpusHead::parse(&t.codec_private)?;
            let media = MediaConfig::Opus {
                channels: head.channels as u16,
                pre_skip: head.pre_skip,
                dops: head.to_dops(),
            };
            // 20 ms: what encoders use; other packet sizes re-sync in the timeline.
            (media, opus::SAMPLE_RATE, 960)
        }
        Codec::Flac => {
            let info = StreamInfo::parse(&t.codec_private)?;
            let media = MediaConfig::Flac {
                sample_rate: info.sample_rate,
                channels: info.channels as u16,
                bits_per_sample: info.bits_per_sample as u16,
                blocks: info.to_dfla_blocks(),
            };
            (media, info.sample_rate, info.max_block_size as u32)
        }
        Codec::Mp3 => {
            let rate = codec::mp3_sample_rate(t)?;
            let media = MediaConfig::Mp3 {
                sample_rate: rate,
                channels: stated_channels,
                object_type: mp3::object_type_for_rate(rate),
            };
            (media, rate, mp3::samples_per_frame_for_rate(rate))
        }
        _ => return Err(Error::unsupported(codec::describe_unsupported(t))),
    })
}
