//! Audio the browser cannot take, decoded here and re-encoded to FLAC (which Chromium and
//! Firefox accept in fragmented MP4 through MSE, needs no WebCodecs, and adds no priming
//! delay): each source frame becomes one FLAC frame with the same start time.

use super::flac_encode::{FlacEncoder, BITS_PER_SAMPLE};
use super::{ac3::Ac3Decoder, dts::DtsDecoder, vorbis::VorbisDecoder};
use super::{AudioDecoder, AudioSource, Transcode};
use crate::error::{Error, Result};
use crate::packet::{AudioInfo, Codec, Packet, Track};
use crate::time::{Duration, TimeBase, Timestamp};

/// Samples per channel of the largest frame of each source codec: the FLAC stream's
/// maximum block size (decoders may refuse a block larger than STREAMINFO states).
const AC3_MAX_FRAME: usize = 1536; // 6 blocks of 256 (E-AC-3: 1, 2, 3 or 6 blocks)
const DTS_MAX_FRAME: usize = 4096; // 128 blocks of 32 (NBLKS is 7 bits)

pub struct AudioTranscode {
    output: Track,
    source_tb: TimeBase,
    decoder: Box<dyn AudioDecoder>,
    encoder: FlacEncoder,
    channels: usize,
    /// Output time of the next sample (ticks of 1 / sample rate), once known.
    next: Option<i64>,
    /// Samples per channel of the last frame decoded: the length of the silence that stands
    /// for a frame that fails to decode.
    last_frame: usize,
    pcm: Vec<f32>,
    ints: Vec<i32>,
}

fn unknown_layout(track: &Track) -> Error {
    Error::unsupported(format!(
        "track {} ({}) does not state its sample rate and channels",
        track.id, track.codec_id
    ))
}

impl AudioTranscode {
    pub fn new(track: &Track, source: AudioSource) -> Result<Self> {
        let stated = track.audio.filter(|a| a.sample_rate > 0 && a.channels > 0);
        let (decoder, rate, channels, max_frame): (Box<dyn AudioDecoder>, u32, usize, usize) =
            match source {
                AudioSource::Vorbis => {
                    let d = VorbisDecoder::new(&track.codec_private)?;
                    let (r, c, m) = (d.sample_rate(), d.channels(), d.max_block());
                    (Box::new(d), r, c, m)
                }
                AudioSource::Ac3 | AudioSource::Eac3 => {
                    let a = stated.ok_or_else(|| unknown_layout(track))?;
                    let c = a.channels as usize;
                    (Box::new(Ac3Decoder::new(c)), a.sample_rate, c, AC3_MAX_FRAME)
                }
                AudioSource::Dts => {
                    let a = stated.ok_or_else(|| unknown_layout(track))?;
                    let c = a.channels as usize;
                    (Box::new(DtsDecoder::new(c)), a.sample_rate, c, DTS_MAX_FRAME)
                }
            };
        if !(1..=8).contains(&channels) || rate == 0 {
            return Err(Error::unsupported(format!(
                "track {} has {channels} channels at {rate} Hz (FLAC carries 1 to 8)",
                track.id
            )));
        }
        let encoder = FlacEncoder::new(rate, channels);
        let mut output = track.clone();
        output.codec = Codec::Flac;
        output.codec_private = encoder.codec_private(16, max_frame as u16);
        output.time_base = TimeBase::new(1, rate);
        output.default_duration = None;
        output.audio = Some(AudioInfo { sample_rate: rate, channels: channels as u16 });
        Ok(AudioTranscode {
            output,
            source_tb: track.time_base,
            decoder,
            encoder,
            channels,
            next: None,
            last_frame: max_frame.min(AC3_MAX_FRAME),
            pcm: Vec::new(),
            ints: Vec::new(),
        })
    }

    /// One FLAC packet of `n` samples per channel from `self.ints`, starting at `at`.
    fn packet(&mut self, source: &Packet, at: usize, n: usize, t: i64) -> Packet {
        let c = self.channels;
        let data = self.encoder.encode(&self.ints[at * c..(at + n) * c]);
        Packet {
            track_id: source.track_id,
            pts: Timestamp(t),
            dts: None,
            dur: Some(Duration(n as u64)),
            keyframe: true,
            pos: source.pos,
            data,
        }
    }
}

impl Transcode for AudioTranscode {
    fn output(&self) -> &Track {
        &self.output
    }

    fn push(&mut self, packet: Packet, out: &mut Vec<Packet>) -> Result<()> {
        self.pcm.clear();
        let start = self.source_tb.rescale(packet.pts.0, self.output.time_base);
        let frames = match self.decoder.decode(&packet.data, &mut self.pcm) {
            Ok(d) => {
                if d.aligned || self.next.is_none() {
                    self.next = Some(start);
                }
                d.frames
            }
            Err(_) => {
                // A damaged frame (or one cut by a seek) plays as silence of the packet's
                // length (else the last frame's), so the timeline does not jump, and decoding
                // starts afresh at the next one.
                self.decoder.reset();
                self.next = Some(start);
                let n = packet
                    .dur
                    .map(|d| self.source_tb.rescale(d.0 as i64, self.output.time_base) as usize)
                    .filter(|&n| n > 0 && n <= self.last_frame.max(AC3_MAX_FRAME))
                    .unwrap_or(self.last_frame);
                self.pcm.clear();
                self.pcm.resize(n * self.channels, 0.0);
                vec![n]
            }
        };
        // Round to 24 bits (ties to even: one wasm instruction).
        let scale = (1i32 << (BITS_PER_SAMPLE - 1)) as f32;
        let (lo, hi) = (-scale as i32, scale as i32 - 1);
        self.ints.clear();
        self.ints.extend(self.pcm.iter().map(|&x| ((x * scale).round_ties_even() as i32).clamp(lo, hi)));
        let mut t = self.next.unwrap_or(start);
        let mut at = 0;
        for n in frames {
            if n == 0 {
                continue;
            }
            self.encoder.set_next_sample(t.max(0) as u64);
            let p = self.packet(&packet, at, n, t);
            out.push(p);
            self.last_frame = n;
            at += n;
            t += n as i64;
        }
        self.next = Some(t);
        Ok(())
    }

    fn reset(&mut self) {
        self.decoder.reset();
        self.next = None;
    }
}
