//! The first `stsd` sample entry of a track: its codec (through `codecs.rs`), configuration
//! record (`avcC`, `hvcC`, `vpcC`, `av1C`, `esds`, `dOps`, `dfLa`), picture size, colour
//! (`display.rs`) and audio format.

use super::boxes::{self, fourcc, Reader};
use super::{codecs, invalid};
use crate::error::Result;
use crate::packet::{AudioInfo, Codec, VideoInfo};

/// What the first `stsd` entry says about the codec.
pub(super) struct SampleEntry {
    pub(super) codec: Codec,
    pub(super) codec_id: String,
    pub(super) codec_private: Vec<u8>,
    pub(super) video: Option<VideoInfo>,
    pub(super) audio: Option<AudioInfo>,
}

impl SampleEntry {
    pub(super) fn other(typ: [u8; 4]) -> Self {
        SampleEntry {
            codec: codecs::sample_entry(typ),
            codec_id: fourcc(typ),
            codec_private: Vec::new(),
            video: None,
            audio: None,
        }
    }
}

/// Sample entry header: reserved (6) + data_reference_index (2).
const ENTRY_HEAD: usize = 8;
/// VisualSampleEntry fields before its child boxes.
const VISUAL_FIELDS: usize = 70;
/// AudioSampleEntry (version 0) fields before its child boxes.
const AUDIO_FIELDS: usize = 20;

pub(super) fn parse_stsd(stsd: &[u8], base: u64) -> Result<Option<SampleEntry>> {
    let mut r = Reader::new(stsd, "stsd");
    r.version_flags()?;
    r.u32()?; // entry_count; the first entry is the one used.
    let Some(first) = boxes::children(r.rest(), base + 8).next() else {
        return Ok(None);
    };
    let (typ, body, pos) = first?;
    let mut e = SampleEntry::other(typ);
    match &typ {
        b"avc1" | b"avc3" | b"hvc1" | b"hev1" | b"av01" | b"vp09" | b"vp08" | b"mp4v" => {
            let mut r = Reader::new(body, "visual sample entry");
            r.skip(ENTRY_HEAD + 16)?;
            let width = r.u16()? as u32;
            let height = r.u16()? as u32;
            r.skip(VISUAL_FIELDS - 20)?;
            let children_base = pos + 8 + (ENTRY_HEAD + VISUAL_FIELDS) as u64;
            // Damaged colour boxes lose the colour description, not the track.
            let colour = super::display::colour_of(r.rest(), children_base)
                .ok()
                .flatten();
            e.video = Some(VideoInfo {
                width,
                height,
                colour,
                ..Default::default()
            });
            if e.codec == Codec::H264 {
                if let Some((avcc, _)) = boxes::find(r.rest(), children_base, b"avcC")? {
                    e.codec_private = avcc.to_vec();
                }
            }
            visual_codec(&mut e, typ, r.rest(), children_base)?;
        }
        b"mp4a" | b"Opus" | b"fLaC" | b".mp3" | b"ac-3" | b"ec-3" => {
            let mut r = Reader::new(body, "audio sample entry");
            r.skip(ENTRY_HEAD)?;
            let version = r.u16()?;
            r.skip(6)?;
            let channels = r.u16()?;
            r.skip(6)?;
            let mut sample_rate = r.u32()? >> 16;
            match version {
                1 => r.skip(16)?,
                2 => {
                    r.skip(4)?;
                    let rate = f64::from_bits(r.u64()?);
                    if rate.is_finite() && rate > 0.0 && rate < u32::MAX as f64 {
                        sample_rate = rate.round() as u32;
                    }
                    r.skip(20)?;
                }
                _ => {}
            }
            let mut audio = AudioInfo {
                sample_rate,
                channels,
            };
            let children_base = pos + 8 + (ENTRY_HEAD + AUDIO_FIELDS) as u64;
            let esds = match boxes::find(r.rest(), children_base, b"esds")? {
                Some(x) => Some(x),
                // QuickTime puts it inside a 'wave' box.
                None => match boxes::find(r.rest(), children_base, b"wave")? {
                    Some((wave, wpos)) => boxes::find(wave, wpos + 8, b"esds")?,
                    None => None,
                },
            };
            if typ != *b"mp4a" {
                audio_codec(&mut e, typ, &mut audio, r.rest(), children_base)?;
            } else if let Some((esds, _)) = esds {
                let (oti, asc) = parse_esds(esds)?;
                // An `esds` without objectTypeIndication is taken for MPEG-4 audio.
                e.codec = codecs::object_type(oti.unwrap_or(0x40), true);
                if let (Codec::Aac, Some(asc)) = (&e.codec, asc) {
                    // The entry's channelcount is a template field (ffmpeg writes 2 for
                    // mono); the AudioSpecificConfig's channel configuration is the truth
                    // when it states one.
                    if let Ok(cfg) = crate::codec::aac::AudioSpecificConfig::parse(&asc) {
                        if cfg.channels != 0 {
                            audio.channels = cfg.channels as u16;
                        }
                        if audio.sample_rate == 0 {
                            audio.sample_rate = cfg.sample_rate;
                        }
                    }
                    e.codec_private = asc;
                }
            }
            e.audio = Some(audio);
        }
        _ => {}
    }
    Ok(Some(e))
}

/// The configuration record of the HEVC, VP9 and AV1 sample entries and the codec of `mp4v`
/// (from its `esds`), from the entry's child boxes `children` (at file offset `base`).
fn visual_codec(e: &mut SampleEntry, typ: [u8; 4], children: &[u8], base: u64) -> Result<()> {
    let config = |name: &[u8; 4]| -> Result<Option<Vec<u8>>> {
        Ok(boxes::find(children, base, name)?.map(|(b, _)| b.to_vec()))
    };
    match &typ {
        b"hvc1" | b"hev1" => {
            e.codec_private = config(b"hvcC")?.unwrap_or_default();
        }
        b"vp09" => {
            // vpcC is a FullBox: the record follows version and flags.
            e.codec_private = config(b"vpcC")?
                .and_then(|b| b.get(4..).map(<[u8]>::to_vec))
                .unwrap_or_default();
        }
        b"av01" => {
            e.codec_private = config(b"av1C")?.unwrap_or_default();
        }
        b"mp4v" => {
            // A missing or damaged `esds` leaves it MPEG-4 Part 2, the usual codec of `mp4v`.
            if let Ok(Some((esds, _))) = boxes::find(children, base, b"esds") {
                if let Ok((Some(oti), _)) = parse_esds(esds) {
                    e.codec = codecs::object_type(oti, false);
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The configuration and stream facts of the Opus, FLAC, AC-3 and E-AC-3 sample entries.
/// `codec_private` becomes an OpusHead (from `dOps`), `fLaC` + metadata blocks (from `dfLa`),
/// or the `dac3`/`dec3` body, as packet.rs documents.
fn audio_codec(
    e: &mut SampleEntry,
    typ: [u8; 4],
    audio: &mut AudioInfo,
    children: &[u8],
    base: u64,
) -> Result<()> {
    match &typ {
        b"Opus" => {
            if let Some((dops, _)) = boxes::find(children, base, b"dOps")? {
                if let Ok(head) = crate::codec::opus::OpusHead::from_dops(dops) {
                    audio.channels = head.channels as u16;
                    e.codec_private = head.to_bytes();
                }
            }
            audio.sample_rate = crate::codec::opus::SAMPLE_RATE;
        }
        b"fLaC" => {
            if let Some((dfla, _)) = boxes::find(children, base, b"dfLa")? {
                // dfLa is a FullBox: metadata blocks follow version and flags.
                if let Some(blocks) = dfla.get(4..) {
                    if let Ok(info) = crate::codec::flac::StreamInfo::parse(blocks) {
                        (audio.sample_rate, audio.channels) =
                            (info.sample_rate, info.channels as u16);
                    }
                    e.codec_private = [b"fLaC", blocks].concat();
                }
            }
        }
        b"ac-3" | b"ec-3" => {
            // The entry's channelcount is a template field (ffmpeg writes 0 for E-AC-3): the
            // dac3/dec3 box states the layout the transcode decodes to.
            let name = if typ == *b"ac-3" { b"dac3" } else { b"dec3" };
            if let Some((body, _)) = boxes::find(children, base, name)? {
                if let Some(c) = dolby_channels(&typ, body) {
                    audio.channels = c;
                }
                e.codec_private = body.to_vec();
            }
        }
        _ => {}
    }
    Ok(())
}

/// Channels of an AC-3 (`dac3`) or E-AC-3 (`dec3`) configuration box body (ETSI TS 102 366
/// Annex F): the first independent substream's `acmod` + `lfeon`, plus its dependent
/// substream's channels (`chan_loc`).
fn dolby_channels(typ: &[u8; 4], b: &[u8]) -> Option<u16> {
    const FRONTS: [u16; 8] = [2, 1, 2, 3, 3, 4, 4, 5]; // by acmod (A/52 Table 5.8)
    let bits = |from: usize, n: usize| -> Option<u16> {
        let mut v = 0u16;
        for i in from..from + n {
            v = v << 1 | ((*b.get(i / 8)? >> (7 - i % 8)) & 1) as u16;
        }
        Some(v)
    };
    if typ == b"ac-3" {
        // fscod(2) bsid(5) bsmod(3) acmod(3) lfeon(1)
        return Some(FRONTS[bits(10, 3)? as usize] + bits(13, 1)?);
    }
    // data_rate(13) num_ind_sub(3); then fscod(2) bsid(5) reserved(1) asvc(1) bsmod(3)
    // acmod(3) lfeon(1) reserved(3) num_dep_sub(4) chan_loc(9).
    let base = FRONTS[bits(16 + 12, 3)? as usize] + bits(16 + 15, 1)?;
    let deps = bits(16 + 19, 4)?;
    if deps == 0 {
        return Some(base);
    }
    // chan_loc bits, most significant first: Lc/Rc, Lrs/Rrs, Cs, Ts, Lsd/Rsd, Lw/Rw,
    // Lvh/Rvh, Cvh, LFE2 (pairs count twice).
    let loc = bits(16 + 23, 9)?;
    let per_bit = [2, 2, 1, 1, 2, 2, 2, 1, 1];
    Some(base + (0..9).filter(|i| loc & (0x100 >> i) != 0).map(|i| per_bit[i]).sum::<u16>())
}

/// One MPEG-4 descriptor (tag, body) from `data`; lengths are 1-4 bytes of 7 bits each.
pub(super) fn descriptor(data: &[u8]) -> Result<Option<(u8, &[u8], usize)>> {
    let Some(&tag) = data.first() else {
        return Ok(None);
    };
    let mut len = 0usize;
    let mut at = 1;
    loop {
        let b = *data
            .get(at)
            .ok_or_else(|| invalid("'esds' descriptor length is cut off"))?;
        at += 1;
        len = (len << 7) | (b & 0x7F) as usize;
        if b & 0x80 == 0 {
            break;
        }
        if at > 4 {
            return Err(invalid("'esds' descriptor length is longer than 4 bytes"));
        }
    }
    let end = at
        .checked_add(len)
        .filter(|&e| e <= data.len())
        .ok_or_else(|| invalid("'esds' descriptor runs past its box"))?;
    Ok(Some((tag, &data[at..end], end)))
}

/// The objectTypeIndication and the DecoderSpecificInfo (the AudioSpecificConfig) of `esds`.
pub(super) fn parse_esds(body: &[u8]) -> Result<(Option<u8>, Option<Vec<u8>>)> {
    let mut r = Reader::new(body, "esds");
    r.version_flags()?;
    let mut oti = None;
    let mut asc = None;
    let mut stack = vec![r.rest()];
    // Depth-first over ES_Descriptor (3) → DecoderConfigDescriptor (4) → DSI (5).
    while let Some(mut data) = stack.pop() {
        while let Some((tag, d, used)) = descriptor(data)? {
            data = &data[used..];
            match tag {
                0x03 => {
                    let mut r = Reader::new(d, "esds");
                    r.skip(2)?; // ES_ID
                    let flags = r.u8()?;
                    if flags & 0x80 != 0 {
                        r.skip(2)?;
                    }
                    if flags & 0x40 != 0 {
                        let n = r.u8()? as usize;
                        r.skip(n)?;
                    }
                    if flags & 0x20 != 0 {
                        r.skip(2)?;
                    }
                    stack.push(r.rest());
                }
                0x04 => {
                    let mut r = Reader::new(d, "esds");
                    oti = Some(r.u8()?);
                    r.skip(12)?; // streamType, bufferSizeDB, maxBitrate, avgBitrate
                    stack.push(r.rest());
                }
                0x05 if asc.is_none() => asc = Some(d.to_vec()),
                _ => {}
            }
        }
    }
    Ok((oti, asc))
}
