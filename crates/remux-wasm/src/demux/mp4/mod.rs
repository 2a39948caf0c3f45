//! MP4 / QuickTime (ISO BMFF) demuxer over a [`ByteSource`] whose bytes may still be arriving.
//!
//! [`Mp4Demuxer::open`] walks the top-level boxes reading only their 8- or 16-byte headers, so
//! `mdat` is skipped without being fetched: with `moov` at the end of the file (ffmpeg's
//! default) the first `NeedData` after the head names the tail of the file, which is exactly
//! what a player should fetch next. `moov` is then loaded whole (at most [`MAX_MOOV`] bytes)
//! and each track's sample table is kept compact ([`sample_table`]).
//!
//! [`Demuxer::next_packet`] merges the tracks by sample offset, so packets come in file order
//! and the reader moves forward through `mdat` the way the bytes arrive. Each packet is one
//! `read_at`; the per-track cursors are advanced only once it succeeded, so `NeedData` leaves
//! the demuxer unchanged. A short read (a truncated file) ends the stream.
//!
//! Timestamps are in the track's media timescale (`TimeBase::new(1, mdhd.timescale)`):
//! `dts` = sum of `stts` deltas + edit shift, `pts` = `dts` + `ctts` offset. The edit shift
//! (`elst`) follows what ffmpeg reports: leading empty edits delay the track by their length
//! (converted from the movie timescale), and the first non-empty edit's `media_time` is the
//! media time shown at that point, so the track is shifted back by it. Later edits (cuts,
//! repeats, rate changes) are recorded in [`Mp4Demuxer::edit_list`] but not applied: the
//! track plays continuously.
//!
//! Fragmented files (`mvex` in `moov`, samples in `moof`+`mdat`): after the samples of
//! `moov` itself (usually none), the top-level boxes after `moov` are walked in order and each
//! `moof` is parsed whole ([`fragment`]); its samples are read in file order. Decode times
//! come from `tfdt`, or continue from the previous fragment without one.

pub mod boxes;
pub(crate) mod codecs;
pub mod fragment;
pub mod sample_table;
mod seek;

use std::collections::VecDeque;

use boxes::{fourcc, BoxHeader, Reader};
use fragment::{FragTrack, Trex};
use sample_table::{Cursor, SampleInfo, SampleTable, MAX_SAMPLES};

use super::{Demuxer, SeekPoint, MAX_TRACKS};
use crate::error::{Error, Result};
use crate::io::ByteSource;
use crate::packet::{AudioInfo, Codec, Packet, Track, TrackKind, VideoInfo};
use crate::time::{Duration, TimeBase, Timestamp};

/// The container name in errors.
pub const MP4: &str = "MP4";

/// The largest `moov` Riptide loads (a two-hour film's is a few MiB).
pub const MAX_MOOV: u64 = 64 << 20;

/// The largest single sample read; a bigger one is damage and is skipped.
pub const MAX_SAMPLE: u32 = 64 << 20;

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid(MP4, what)
}

/// One `elst` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edit {
    /// In the movie (`mvhd`) timescale.
    pub segment_duration: u64,
    /// In the media timescale; -1 for an empty edit.
    pub media_time: i64,
    /// 16.16 fixed point.
    pub media_rate: i32,
}

#[derive(Clone, Debug)]
struct TrackState {
    /// Index into `tracks`.
    index: usize,
    table: SampleTable,
    cursor: Cursor,
    /// Added to every dts and pts, in media ticks (from the edit list).
    shift: i64,
    edits: Vec<Edit>,
    /// `mdhd` duration, in media ticks.
    duration: u64,
    /// Fragment defaults (`trex`), if the file is fragmented.
    trex: Trex,
    /// Decode time of the next fragment sample when its `traf` has no `tfdt`.
    next_frag_dts: i64,
}

/// An MP4 / MOV demuxer. See the [module docs](self).
#[derive(Debug)]
pub struct Mp4Demuxer {
    tracks: Vec<Track>,
    states: Vec<TrackState>,
    movie_timescale: u32,
    movie_duration: u64,
    moov: BoxHeader,
    fragmented: bool,
    /// `mvex/mehd` fragment duration, in the movie timescale (0 if absent).
    fragment_duration: u64,
    /// Offset of the next top-level box to look at for a `moof` (fragmented files only).
    frag_pos: Option<u64>,
    /// Samples of the current `moof` not yet read, in file order.
    pending: VecDeque<(usize, SampleInfo)>,
    done: bool,
    /// The `mfra` index of a fragmented file, once a seek has looked for it.
    tfra: seek::TfraIndex,
}

impl Mp4Demuxer {
    /// Finds and parses `moov`. A pure function of the source: after `NeedData`, fetch the
    /// range and call again.
    pub fn open(src: &mut dyn ByteSource) -> Result<Self> {
        let mut pos = 0u64;
        let mut seen_mdat = false;
        let moov = loop {
            let Some(h) = boxes::read_header(src, pos)? else {
                return Err(invalid(if seen_mdat {
                    "no 'moov' box (the file may be incomplete: its index is written last)"
                } else {
                    "no 'moov' box"
                }));
            };
            match &h.typ {
                b"moov" => break h,
                b"mdat" => seen_mdat = true,
                b"moof" => {
                    return Err(invalid("a 'moof' fragment comes before the 'moov' box"));
                }
                _ => {}
            }
            pos = h.end().ok_or_else(|| {
                invalid(format!(
                    "'{}' at {pos} runs to the end of the file and there is no 'moov' before it",
                    fourcc(h.typ)
                ))
            })?;
        };
        let len = match h_body_len(&moov, src.size()) {
            Some(l) => l,
            None => return Err(invalid("the 'moov' box has no stated size")),
        };
        if len > MAX_MOOV {
            return Err(invalid(format!(
                "the 'moov' box is {len} bytes (more than {} MiB)",
                MAX_MOOV >> 20
            )));
        }
        let body = src.read_at(moov.data_start(), len as usize)?;
        if (body.len() as u64) < len {
            return Err(invalid("the file ends inside the 'moov' box"));
        }
        let body = body.to_vec();
        Self::from_moov(&body, moov)
    }

    fn from_moov(body: &[u8], moov: BoxHeader) -> Result<Self> {
        let base = moov.data_start();
        let (mut movie_timescale, mut movie_duration) = (0u32, 0u64);
        let mut fragmented = false;
        let mut fragment_duration = 0;
        let mut trexes = Vec::new();
        let mut tracks = Vec::new();
        let mut states = Vec::new();
        let mut total = 0u64;
        for c in boxes::children(body, base) {
            let (typ, data, pos) = c?;
            match &typ {
                b"mvhd" => {
                    let mut r = Reader::new(data, "mvhd");
                    let (v, _) = r.version_flags()?;
                    r.skip(if v == 1 { 16 } else { 8 })?;
                    movie_timescale = r.u32()?;
                    movie_duration = r.u32_or_u64(v)?;
                }
                b"mvex" => {
                    fragmented = true;
                    for c in boxes::children(data, pos + 8) {
                        let (typ, body, _) = c?;
                        match &typ {
                            b"trex" => trexes.push(fragment::parse_trex(body)?),
                            b"mehd" => fragment_duration = fragment::parse_mehd(body)?,
                            _ => {}
                        }
                    }
                }
                b"trak" => {
                    let Some((track, state)) = parse_trak(data, pos + 8)? else {
                        continue;
                    };
                    if tracks.iter().any(|t: &Track| t.id == track.id) {
                        continue;
                    }
                    if tracks.len() >= MAX_TRACKS {
                        return Err(Error::unsupported(format!(
                            "the file declares more than {MAX_TRACKS} tracks"
                        )));
                    }
                    total = total.saturating_add(state.table.sample_count());
                    if total > MAX_SAMPLES {
                        return Err(invalid(format!(
                            "the file declares more than {MAX_SAMPLES} samples"
                        )));
                    }
                    states.push(TrackState {
                        index: tracks.len(),
                        ..state
                    });
                    tracks.push(track);
                }
                _ => {}
            }
        }
        if tracks.is_empty() {
            return Err(invalid("the 'moov' box has no usable track"));
        }
        // Edit shifts need the movie timescale.
        for s in &mut states {
            let track = &tracks[s.index];
            s.shift = edit_shift(&s.edits, movie_timescale, track.time_base);
            if let Some(t) = trexes.iter().find(|t| t.track_id == track.id) {
                s.trex = *t;
            }
            s.trex.track_id = track.id;
            s.next_frag_dts = s.table.total_duration().min(i64::MAX as u64) as i64;
        }
        Ok(Mp4Demuxer {
            tracks,
            states,
            movie_timescale,
            movie_duration,
            moov,
            fragmented,
            fragment_duration,
            frag_pos: if fragmented { moov.end() } else { None },
            pending: VecDeque::new(),
            done: false,
            tfra: seek::TfraIndex::Unknown,
        })
    }

    /// The `elst` entries of the track with `track_id` (empty if it has none).
    pub fn edit_list(&self, track_id: u32) -> &[Edit] {
        self.states
            .iter()
            .find(|s| self.tracks[s.index].id == track_id)
            .map_or(&[], |s| &s.edits)
    }

    /// The shift the edit list applies to the track's timestamps, in its media ticks.
    pub fn edit_shift(&self, track_id: u32) -> Option<i64> {
        self.states
            .iter()
            .find(|s| self.tracks[s.index].id == track_id)
            .map(|s| s.shift)
    }

    /// Where the `moov` box is (for a player to keep it cached).
    pub fn moov_range(&self) -> (u64, u64) {
        (self.moov.pos, self.moov.end().unwrap_or(u64::MAX))
    }

    /// Whether `moov` declares fragments (`mvex`); only its own samples are played.
    pub fn is_fragmented(&self) -> bool {
        self.fragmented
    }

    /// Number of samples of the track with `track_id`.
    pub fn sample_count(&self, track_id: u32) -> Option<u64> {
        self.states
            .iter()
            .find(|s| self.tracks[s.index].id == track_id)
            .map(|s| s.table.sample_count())
    }
}

/// The body length of `h`, resolving size 0 ("to the end") with the file size.
fn h_body_len(h: &BoxHeader, file_size: Option<u64>) -> Option<u64> {
    match h.body_len() {
        Some(l) => Some(l),
        None => file_size.map(|s| s.saturating_sub(h.data_start())),
    }
}

/// Leading empty edits delay the track; the first non-empty edit's media time is shown at
/// that point. Both are folded into one shift of every timestamp, in media ticks.
fn edit_shift(edits: &[Edit], movie_timescale: u32, media: TimeBase) -> i64 {
    let mut empty = 0u64;
    let mut media_time = 0i64;
    for e in edits {
        if e.media_time == -1 {
            empty = empty.saturating_add(e.segment_duration);
        } else {
            media_time = e.media_time.max(0);
            break;
        }
    }
    let delay = if movie_timescale == 0 {
        0
    } else {
        TimeBase::new(1, movie_timescale).rescale(empty.min(i64::MAX as u64) as i64, media)
    };
    delay.saturating_sub(media_time)
}

/// Parses one `trak`; `Ok(None)` for a track that cannot be described (no `mdia`, a zero
/// timescale, no `stbl`), which is then left out.
fn parse_trak(data: &[u8], base: u64) -> Result<Option<(Track, TrackState)>> {
    let mut id = 0u32;
    let mut enabled = true;
    let (mut tk_width, mut tk_height) = (0u32, 0u32);
    let mut edits = Vec::new();
    let mut mdia = None;
    for c in boxes::children(data, base) {
        let (typ, body, pos) = c?;
        match &typ {
            b"tkhd" => {
                let mut r = Reader::new(body, "tkhd");
                let (v, flags) = r.version_flags()?;
                enabled = flags & 1 != 0;
                r.skip(if v == 1 { 16 } else { 8 })?;
                id = r.u32()?;
                r.skip(4)?;
                r.u32_or_u64(v)?; // duration, in the movie timescale
                r.skip(8 + 2 + 2 + 2 + 2 + 36)?;
                tk_width = r.u32()? >> 16;
                tk_height = r.u32()? >> 16;
            }
            b"edts" => {
                if let Some((elst, _)) = boxes::find(body, pos + 8, b"elst")? {
                    edits = parse_elst(elst)?;
                }
            }
            b"mdia" => mdia = Some((body, pos + 8)),
            _ => {}
        }
    }
    let Some((mdia, mdia_base)) = mdia else {
        return Ok(None);
    };
    let (mut timescale, mut duration, mut language) = (0u32, 0u64, None);
    let mut handler = [0u8; 4];
    let mut stbl = None;
    for c in boxes::children(mdia, mdia_base) {
        let (typ, body, pos) = c?;
        match &typ {
            b"mdhd" => {
                let mut r = Reader::new(body, "mdhd");
                let (v, _) = r.version_flags()?;
                r.skip(if v == 1 { 16 } else { 8 })?;
                timescale = r.u32()?;
                duration = r.u32_or_u64(v)?;
                language = parse_language(r.u16()?);
            }
            b"hdlr" => {
                let mut r = Reader::new(body, "hdlr");
                r.version_flags()?;
                r.skip(4)?;
                handler.copy_from_slice(r.bytes(4)?);
            }
            b"minf" => stbl = boxes::find(body, pos + 8, b"stbl")?,
            _ => {}
        }
    }
    let Some((stbl, stbl_base)) = stbl else {
        return Ok(None);
    };
    if timescale == 0 {
        return Ok(None);
    }
    let kind = match &handler {
        b"vide" => TrackKind::Video,
        b"soun" => TrackKind::Audio,
        b"subt" | b"text" | b"sbtl" | b"clcp" => TrackKind::Subtitle,
        _ => TrackKind::Other,
    };
    let table = SampleTable::parse(stbl, stbl_base)?;
    let entry = match boxes::find(stbl, stbl_base, b"stsd")? {
        Some((stsd, pos)) => parse_stsd(stsd, pos + 8)?,
        None => None,
    };
    let SampleEntry {
        codec,
        codec_id,
        codec_private,
        video,
        audio,
    } = entry.unwrap_or_else(|| SampleEntry::other([b'?'; 4]));
    let time_base = TimeBase::new(1, timescale);
    let video = match kind {
        TrackKind::Video => Some(video.unwrap_or(VideoInfo {
            width: tk_width,
            height: tk_height,
        })),
        _ => None,
    };
    let audio = match kind {
        TrackKind::Audio => {
            let mut a = audio.unwrap_or_default();
            if a.sample_rate == 0 {
                a.sample_rate = timescale;
            }
            Some(a)
        }
        _ => None,
    };
    let track = Track {
        id,
        kind,
        codec,
        codec_id,
        unusable: None,
        time_base,
        codec_private,
        default_duration: table.constant_delta().map(|d| Duration(d as u64)),
        language,
        name: None,
        default: enabled,
        video,
        audio,
    };
    let cursor = table.cursor();
    Ok(Some((
        track,
        TrackState {
            index: 0,
            table,
            cursor,
            shift: 0,
            edits,
            duration,
            trex: Trex::default(),
            next_frag_dts: 0,
        },
    )))
}

fn parse_elst(body: &[u8]) -> Result<Vec<Edit>> {
    let mut r = Reader::new(body, "elst");
    let (v, _) = r.version_flags()?;
    let n = r.count(if v == 1 { 20 } else { 12 })?;
    (0..n)
        .map(|_| {
            let (segment_duration, media_time) = if v == 1 {
                (r.u64()?, r.u64()? as i64)
            } else {
                (r.u32()? as u64, r.u32()? as i32 as i64)
            };
            Ok(Edit {
                segment_duration,
                media_time,
                media_rate: r.u32()? as i32,
            })
        })
        .collect()
}

/// The ISO 639-2/T code packed in `mdhd` (three 5-bit letters, offset 0x60); `None` for
/// "und", a Macintosh language code (QuickTime) or garbage.
fn parse_language(packed: u16) -> Option<String> {
    if packed < 0x400 || packed == 0x7FFF {
        return None;
    }
    let s: String = [10, 5, 0]
        .iter()
        .map(|&sh| (((packed >> sh) & 0x1F) as u8 + 0x60) as char)
        .collect();
    (s.chars().all(|c| c.is_ascii_lowercase()) && s != "und").then_some(s)
}

/// What the first `stsd` entry says about the codec.
struct SampleEntry {
    codec: Codec,
    codec_id: String,
    codec_private: Vec<u8>,
    video: Option<VideoInfo>,
    audio: Option<AudioInfo>,
}

impl SampleEntry {
    fn other(typ: [u8; 4]) -> Self {
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

fn parse_stsd(stsd: &[u8], base: u64) -> Result<Option<SampleEntry>> {
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
            e.video = Some(VideoInfo { width, height });
            let children_base = pos + 8 + (ENTRY_HEAD + VISUAL_FIELDS) as u64;
            if e.codec == Codec::H264 {
                if let Some((avcc, _)) = boxes::find(r.rest(), children_base, b"avcC")? {
                    e.codec_private = avcc.to_vec();
                }
            }
            visual_codec(&mut e, typ, r.rest(), children_base)?;
        }
        b"mp4a" | b"Opus" | b"fLaC" | b".mp3" => {
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

/// The configuration and stream facts of the Opus and FLAC sample entries. `codec_private` becomes an OpusHead (from `dOps`) or `fLaC` + metadata blocks
/// (from `dfLa`), as packet.rs documents.
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
        _ => {}
    }
    Ok(())
}

/// One MPEG-4 descriptor (tag, body) from `data`; lengths are 1-4 bytes of 7 bits each.
fn descriptor(data: &[u8]) -> Result<Option<(u8, &[u8], usize)>> {
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
fn parse_esds(body: &[u8]) -> Result<(Option<u8>, Option<Vec<u8>>)> {
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

impl Demuxer for Mp4Demuxer {
    fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    fn seek(
        &mut self,
        src: &mut dyn ByteSource,
        target: Timestamp,
        time_base: TimeBase,
    ) -> Result<SeekPoint> {
        self.seek_to(src, target, time_base)
    }

    fn duration(&self) -> Option<(Duration, TimeBase)> {
        let stated = |d: u64| d != 0 && d != u32::MAX as u64 && d != u64::MAX;
        if self.movie_timescale != 0 {
            let tb = TimeBase::new(1, self.movie_timescale);
            if stated(self.movie_duration) {
                return Some((Duration(self.movie_duration), tb));
            }
            if stated(self.fragment_duration) {
                return Some((Duration(self.fragment_duration), tb));
            }
        }
        self.states
            .iter()
            .filter(|s| stated(s.duration))
            .map(|s| (Duration(s.duration), self.tracks[s.index].time_base))
            .max_by(|a, b| {
                let secs =
                    |(d, tb): &(Duration, TimeBase)| tb.seconds(d.0.min(i64::MAX as u64) as i64);
                secs(a).total_cmp(&secs(b))
            })
    }

    fn next_packet(&mut self, src: &mut dyn ByteSource) -> Result<Option<Packet>> {
        loop {
            if self.done {
                return Ok(None);
            }
            // The samples of moov: the track whose next sample comes first in the file.
            let next = self
                .states
                .iter()
                .enumerate()
                .filter_map(|(i, st)| st.cursor.current().map(|s| (i, s)))
                .min_by_key(|&(i, s)| (s.offset, i));
            if let Some((i, s)) = next {
                let packet = self.read_sample(src, i, s)?;
                let st = &mut self.states[i];
                st.cursor.advance(&st.table);
                match packet {
                    Some(Some(p)) => return Ok(Some(p)),
                    Some(None) => continue, // Skipped.
                    None => return self.end(),
                }
            }
            // Then the samples of the current fragment.
            if let Some(&(i, s)) = self.pending.front() {
                let packet = self.read_sample(src, i, s)?;
                self.pending.pop_front();
                match packet {
                    Some(Some(p)) => return Ok(Some(p)),
                    Some(None) => continue,
                    None => return self.end(),
                }
            }
            // Then the next moof.
            let Some(pos) = self.frag_pos else {
                return self.end();
            };
            let Some(h) = boxes::read_header(src, pos)? else {
                return self.end();
            };
            if &h.typ == b"moof" {
                let len = h_body_len(&h, src.size()).unwrap_or(0);
                if len > MAX_MOOV {
                    return Err(invalid(format!("a 'moof' box at {pos} is {len} bytes")));
                }
                let body = src.read_at(h.data_start(), len as usize)?;
                if (body.len() as u64) < len {
                    return self.end(); // Truncated inside the moof.
                }
                let mut frag: Vec<FragTrack> = self
                    .states
                    .iter()
                    .map(|s| FragTrack {
                        track_id: s.trex.track_id,
                        trex: s.trex,
                        next_dts: s.next_frag_dts,
                    })
                    .collect();
                let samples = fragment::parse_moof(body, pos, &mut frag)?;
                for (s, f) in self.states.iter_mut().zip(&frag) {
                    s.next_frag_dts = f.next_dts;
                }
                self.pending = samples.into();
            }
            self.frag_pos = h.end();
        }
    }
}

impl Mp4Demuxer {
    fn end(&mut self) -> Result<Option<Packet>> {
        self.done = true;
        self.pending.clear();
        Ok(None)
    }

    /// Reads sample `s` of track state `i`. `Ok(None)`: the file ends before the sample
    /// (truncated); `Ok(Some(None))`: the sample is skipped as damage (absurdly large).
    /// Changes nothing: the caller advances past the sample.
    fn read_sample(
        &self,
        src: &mut dyn ByteSource,
        i: usize,
        s: SampleInfo,
    ) -> Result<Option<Option<Packet>>> {
        if s.size > MAX_SAMPLE {
            return Ok(Some(None));
        }
        let data = src.read_at(s.offset, s.size as usize)?;
        if data.len() < s.size as usize {
            return Ok(None);
        }
        let state = &self.states[i];
        let dts = s.dts.saturating_add(state.shift);
        Ok(Some(Some(Packet {
            track_id: self.tracks[state.index].id,
            pts: Timestamp(dts.saturating_add(s.cts_offset)),
            dts: Some(Timestamp(dts)),
            dur: Some(Duration(s.duration as u64)),
            keyframe: s.keyframe,
            pos: s.offset,
            data: data.to_vec(),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::SparseCache;

    fn bx(typ: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(typ);
        b.extend_from_slice(body);
        b
    }
    fn full(typ: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
        let mut b = vec![version, 0, 0, 0];
        b.extend_from_slice(body);
        bx(typ, &b)
    }
    fn words(ws: &[u32]) -> Vec<u8> {
        ws.iter().flat_map(|w| w.to_be_bytes()).collect()
    }
    fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
        parts.concat()
    }

    fn tkhd(id: u32) -> Vec<u8> {
        let mut b = vec![0, 0, 0, 3];
        b.extend(words(&[0, 0, id, 0, 0, 0, 0, 0, 0]));
        b.extend([0u8; 36]);
        b.extend(words(&[320 << 16, 240 << 16]));
        bx(b"tkhd", &b)
    }
    fn mdhd(timescale: u32, duration: u32) -> Vec<u8> {
        // "eng": e=5, n=14, g=7.
        let lang: u16 = (5 << 10) | (14 << 5) | 7;
        let mut b = words(&[0, 0, timescale, duration]);
        b.extend(lang.to_be_bytes());
        b.extend([0, 0]);
        full(b"mdhd", 0, &b)
    }
    fn hdlr(h: &[u8; 4]) -> Vec<u8> {
        let mut b = words(&[0]);
        b.extend_from_slice(h);
        b.extend(words(&[0, 0, 0]));
        b.push(0);
        full(b"hdlr", 0, &b)
    }
    fn avc1() -> Vec<u8> {
        let mut b = vec![0u8; 6];
        b.extend([0, 1]);
        b.extend([0u8; 16]);
        b.extend(320u16.to_be_bytes());
        b.extend(240u16.to_be_bytes());
        b.extend([0u8; 50]);
        b.extend(bx(b"avcC", &[1, 0x64, 0, 0x1F, 0xFF, 0xE0, 0]));
        bx(b"avc1", &b)
    }
    fn mp4a() -> Vec<u8> {
        let mut b = vec![0u8; 6];
        b.extend([0, 1]);
        b.extend([0u8; 8]);
        b.extend(2u16.to_be_bytes()); // channelcount (template)
        b.extend(16u16.to_be_bytes());
        b.extend([0u8; 4]);
        b.extend(words(&[48000 << 16]));
        // ES_Descriptor (with a 4-byte length) > DecoderConfigDescriptor > DSI.
        let dsi = [0x05, 0x02, 0x11, 0x88];
        let mut dcd = vec![0x04, 13 + dsi.len() as u8, 0x40, 0x15];
        dcd.extend([0u8; 11]);
        dcd.extend(dsi);
        let mut es = vec![0x03, 0x80, 0x80, 0x80, (3 + dcd.len()) as u8, 0, 1, 0];
        es.extend(dcd);
        b.extend(full(b"esds", 0, &es));
        bx(b"mp4a", &b)
    }
    fn stbl(
        entry: Vec<u8>,
        sizes: &[u32],
        delta: u32,
        ctts: &[u32],
        stss: &[u32],
        offsets: &[u32],
    ) -> Vec<u8> {
        let mut stsd = words(&[1]);
        stsd.extend(entry);
        let mut parts = vec![
            full(b"stsd", 0, &stsd),
            full(b"stts", 0, &words(&[1, sizes.len() as u32, delta])),
        ];
        if !ctts.is_empty() {
            let mut c = vec![(ctts.len() / 2) as u32];
            c.extend_from_slice(ctts);
            parts.push(full(b"ctts", 1, &words(&c)));
        }
        if !stss.is_empty() {
            let mut s = vec![stss.len() as u32];
            s.extend_from_slice(stss);
            parts.push(full(b"stss", 0, &words(&s)));
        }
        let mut z = vec![0, sizes.len() as u32];
        z.extend_from_slice(sizes);
        parts.push(full(b"stsz", 0, &words(&z)));
        parts.push(full(b"stsc", 0, &words(&[1, 1, 1, 1])));
        let mut o = vec![offsets.len() as u32];
        o.extend_from_slice(offsets);
        parts.push(full(b"stco", 0, &words(&o)));
        bx(b"stbl", &cat(&parts))
    }
    fn trak(
        id: u32,
        handler: &[u8; 4],
        timescale: u32,
        elst: &[(u32, i32)],
        stbl: Vec<u8>,
    ) -> Vec<u8> {
        let mut parts = vec![tkhd(id)];
        if !elst.is_empty() {
            let mut e = words(&[elst.len() as u32]);
            for &(d, m) in elst {
                e.extend(words(&[d, m as u32, 1 << 16]));
            }
            parts.push(bx(b"edts", &full(b"elst", 0, &e)));
        }
        let minf = bx(b"minf", &stbl);
        parts.push(bx(
            b"mdia",
            &cat(&[mdhd(timescale, 0), hdlr(handler), minf]),
        ));
        bx(b"trak", &cat(&parts))
    }

    /// ftyp, mdat (video samples of 10,20,30 bytes; audio of 4,4), moov at the end.
    /// Video: timescale 100, delta 4, ctts 8,0,4 (B-frames), elst media_time 8, keys 1.
    /// Audio: timescale 48000, delta 1024, a leading 1-unit (movie ts 1000) empty edit.
    fn file() -> (Vec<u8>, u32) {
        let ftyp = bx(b"ftyp", b"isom\0\0\0\0isom");
        let payload: Vec<u8> = (0..68u8).collect();
        let mdat_start = ftyp.len() as u32 + 8;
        let mdat = bx(b"mdat", &payload);
        let o = |k: u32| mdat_start + k;
        // File order: v0 (10) a0 (4) v1 (20) a1 (4) v2 (30).
        let video = stbl(
            avc1(),
            &[10, 20, 30],
            4,
            &[1, 8, 1, 0, 1, 4],
            &[1],
            &[o(0), o(14), o(38)],
        );
        let audio = stbl(mp4a(), &[4, 4], 1024, &[], &[], &[o(10), o(34)]);
        let mvhd = full(b"mvhd", 0, &cat(&[words(&[0, 0, 1000, 120]), vec![0; 80]]));
        let moov = bx(
            b"moov",
            &cat(&[
                mvhd,
                trak(1, b"vide", 100, &[(120, 8)], video),
                trak(2, b"soun", 48000, &[(1, -1), (120, 0)], audio),
            ]),
        );
        let moov_pos = (ftyp.len() + mdat.len()) as u32;
        (cat(&[ftyp, mdat, moov]), moov_pos)
    }

    fn all(src: &mut dyn ByteSource) -> Result<(Mp4Demuxer, Vec<Packet>)> {
        let mut d = Mp4Demuxer::open(src)?;
        let mut v = Vec::new();
        while let Some(p) = d.next_packet(src)? {
            v.push(p);
        }
        Ok((d, v))
    }

    #[test]
    fn reads_tracks_and_packets_in_file_order() {
        let (bytes, _) = file();
        let (d, ps) = all(&mut SparseCache::from_bytes(bytes.clone())).unwrap();
        let t = d.tracks();
        assert_eq!(
            (t[0].id, t[0].kind, &t[0].codec),
            (1, TrackKind::Video, &Codec::H264)
        );
        assert_eq!(t[0].codec_private, vec![1, 0x64, 0, 0x1F, 0xFF, 0xE0, 0]);
        assert_eq!(
            t[0].video,
            Some(VideoInfo {
                width: 320,
                height: 240
            })
        );
        assert_eq!(t[0].time_base, TimeBase::new(1, 100));
        assert_eq!(t[0].language.as_deref(), Some("eng"));
        assert_eq!(t[0].default_duration, Some(Duration(4)));
        assert_eq!(
            (t[1].kind, &t[1].codec, &t[1].codec_private[..]),
            (TrackKind::Audio, &Codec::Aac, &[0x11, 0x88][..])
        );
        assert_eq!(
            t[1].audio,
            Some(AudioInfo {
                sample_rate: 48000,
                channels: 1
            })
        );
        assert_eq!(d.duration(), Some((Duration(120), TimeBase::new(1, 1000))));
        assert_eq!(d.edit_shift(1), Some(-8));
        // 1 ms of movie time is 48 audio ticks.
        assert_eq!(d.edit_shift(2), Some(48));
        let got: Vec<_> = ps
            .iter()
            .map(|p| {
                (
                    p.track_id,
                    p.pts.0,
                    p.dts.unwrap().0,
                    p.keyframe,
                    p.data.len(),
                    p.dur.unwrap().0,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1, 0, -8, true, 10, 4),
                (2, 48, 48, true, 4, 1024),
                (1, -4, -4, false, 20, 4),
                (2, 1072, 1072, true, 4, 1024),
                (1, 4, 0, false, 30, 4),
            ]
        );
        for p in &ps {
            assert_eq!(p.data, bytes[p.pos as usize..p.pos as usize + p.data.len()]);
        }
    }

    #[test]
    fn need_data_retries_cleanly() {
        let (bytes, moov_pos) = file();
        let (_, expected) = all(&mut SparseCache::from_bytes(bytes.clone())).unwrap();
        // Exactly what was asked, nothing more; `opened` is the cache as open() left it.
        let mut src = SparseCache::new(Some(bytes.len() as u64));
        let mut opened = None;
        let (_, got) = crate::demux::drain_on_demand(
            &mut src,
            |s| {
                let d = Mp4Demuxer::open(s);
                if d.is_ok() {
                    // Which bytes were present when open() succeeded.
                    let moov = s.read_at(moov_pos as u64, bytes.len() - moov_pos as usize);
                    opened = Some((moov.is_ok(), s.read_at(40, 20).is_ok()));
                }
                d
            },
            |src, offset, len| {
                src.insert(
                    offset,
                    bytes[offset as usize..(offset + len) as usize].to_vec(),
                )
            },
        )
        .unwrap();
        // It read the box headers and moov, never the mdat payload.
        assert_eq!(opened, Some((true, false)));
        assert_eq!(got, expected);
    }

    #[test]
    fn truncated_mdat_ends_the_stream() {
        // moov first, then a cut mdat.
        let (bytes, moov_pos) = file();
        let moov = &bytes[moov_pos as usize..];
        // Moving moov in front shifts the samples: rebuild offsets by keeping moov at the
        // end but cutting is impossible; instead cut a faststart copy of the layout.
        let ftyp_len = 20;
        let shift = moov.len() as u32;
        let mut moved = bytes[..ftyp_len].to_vec();
        let mut m = moov.to_vec();
        // Patch every stco entry (they point into mdat) by `shift`.
        let mut i = 0;
        while let Some(at) = m[i..].windows(4).position(|w| w == b"stco") {
            let at = i + at + 4 + 4; // past type and version/flags
            let n = u32::from_be_bytes(m[at..at + 4].try_into().unwrap()) as usize;
            for k in 0..n {
                let p = at + 4 + 4 * k;
                let v = u32::from_be_bytes(m[p..p + 4].try_into().unwrap()) + shift;
                m[p..p + 4].copy_from_slice(&v.to_be_bytes());
            }
            i = at;
        }
        moved.extend(&m);
        moved.extend(&bytes[ftyp_len..moov_pos as usize]);
        let (_, full_run) = all(&mut SparseCache::from_bytes(moved.clone())).unwrap();
        assert_eq!(full_run.len(), 5);
        // Cut inside the third packet (v1, 20 bytes at mdat offset 14).
        let cut = ftyp_len + m.len() + 8 + 20;
        let (_, ps) = all(&mut SparseCache::from_bytes(moved[..cut].to_vec())).unwrap();
        assert_eq!(ps[..], full_run[..2]);
    }

    #[test]
    fn rejects_files_without_moov_and_huge_moov() {
        let ftyp = bx(b"ftyp", b"isom\0\0\0\0");
        let mut mdat_to_end = b"\0\0\0\0mdat".to_vec();
        mdat_to_end.extend([0u8; 32]);
        let err = Mp4Demuxer::open(&mut SparseCache::from_bytes(cat(&[
            ftyp.clone(),
            mdat_to_end,
        ])))
        .unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err}");
        // A 64-bit moov size over the cap: refused before anything is read.
        let mut big = b"\0\0\0\x01moov".to_vec();
        big.extend((MAX_MOOV + 17).to_be_bytes());
        let mut src = SparseCache::new(Some(1 << 40));
        src.insert(0, cat(&[ftyp.clone(), big]));
        let err = Mp4Demuxer::open(&mut src).unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err}");
        // An empty moov.
        let err = Mp4Demuxer::open(&mut SparseCache::from_bytes(cat(&[
            ftyp.clone(),
            bx(b"moov", &[]),
        ])))
        .unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err}");
        // A box smaller than its header.
        let err = Mp4Demuxer::open(&mut SparseCache::from_bytes(cat(&[
            ftyp,
            b"\0\0\0\x03free".to_vec(),
        ])))
        .unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err}");
    }

    /// ftyp, moov (mvex/trex: duration 4, size 10, non-sync), then two moof+mdat: the first
    /// with tfdt 100 and two samples (sizes 3 and 5, the first a key frame, cts offset 8 then
    /// 0), the second without tfdt and one default sample.
    fn fragmented_file() -> Vec<u8> {
        let ftyp = bx(b"ftyp", b"isom\0\0\0\0");
        let mvhd = full(b"mvhd", 0, &cat(&[words(&[0, 0, 1000, 0]), vec![0; 80]]));
        let video = stbl(avc1(), &[], 4, &[], &[], &[]);
        let trex = full(b"trex", 0, &words(&[1, 1, 4, 10, 0x1_0000]));
        let mvex = bx(b"mvex", &cat(&[full(b"mehd", 0, &words(&[500])), trex]));
        let moov = bx(
            b"moov",
            &cat(&[mvhd, trak(1, b"vide", 100, &[], video), mvex]),
        );
        let moof = |tfdt: Option<u32>, trun: Vec<u8>| {
            // tfhd: default-base-is-moof.
            let tfhd = full(b"tfhd", 0, &cat(&[vec![], words(&[1])]));
            let mut tfhd = tfhd;
            tfhd[9..12].copy_from_slice(&[0x02, 0, 0]);
            let mut parts = vec![tfhd];
            if let Some(t) = tfdt {
                parts.push(full(b"tfdt", 0, &words(&[t])));
            }
            parts.push(trun);
            bx(
                b"moof",
                &cat(&[full(b"mfhd", 0, &words(&[1])), bx(b"traf", &cat(&parts))]),
            )
        };
        // trun v1: data offset, first sample flags, per-sample size and cts offset.
        let trun1 = |data_offset: u32| {
            let mut t = full(b"trun", 1, &words(&[2, data_offset, 0, 3, 8, 5, 0]));
            t[9..12].copy_from_slice(&[0x00, 0x0A, 0x05]);
            t
        };
        let moof1_len = moof(Some(100), trun1(0)).len() as u32;
        let moof1 = moof(Some(100), trun1(moof1_len + 8));
        let mdat1 = bx(b"mdat", &[1, 2, 3, 4, 5, 6, 7, 8]);
        // trun v0: only a data offset; the sample takes the trex defaults.
        let trun2 = |data_offset: u32| {
            let mut t = full(b"trun", 0, &words(&[1, data_offset]));
            t[11] = 0x01;
            t
        };
        let moof2_len = moof(None, trun2(0)).len() as u32;
        let moof2 = moof(None, trun2(moof2_len + 8));
        let mdat2 = bx(b"mdat", &[9; 10]);
        cat(&[ftyp, moov, moof1, mdat1, moof2, mdat2])
    }

    #[test]
    fn reads_fragments() {
        let bytes = fragmented_file();
        let (d, ps) = all(&mut SparseCache::from_bytes(bytes.clone())).unwrap();
        assert!(d.is_fragmented());
        assert_eq!(d.duration(), Some((Duration(500), TimeBase::new(1, 1000))));
        let got: Vec<_> = ps
            .iter()
            .map(|p| (p.pts.0, p.dts.unwrap().0, p.keyframe, p.data.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (108, 100, true, vec![1, 2, 3]),
                (104, 104, false, vec![4, 5, 6, 7, 8]),
                (108, 108, false, vec![9; 10]),
            ]
        );
        // Byte by byte as asked, the same packets; cut anywhere, a prefix.
        let mut src = SparseCache::new(Some(bytes.len() as u64));
        let (_, again) = crate::demux::drain_on_demand(&mut src, Mp4Demuxer::open, |src, o, l| {
            src.insert(o, bytes[o as usize..(o + l) as usize].to_vec())
        })
        .unwrap();
        assert_eq!(again, ps);
        for cut in 0..bytes.len() {
            if let Ok((_, prefix)) = all(&mut SparseCache::from_bytes(bytes[..cut].to_vec())) {
                assert_eq!(prefix[..], ps[..prefix.len()], "cut at {cut}");
            }
        }
    }

    #[test]
    fn huge_trun_counts_are_errors() {
        let mut bytes = fragmented_file();
        // The second trun (no per-sample fields) claims 4 billion samples.
        let at = bytes.windows(4).rposition(|w| w == b"trun").unwrap();
        bytes[at + 8..at + 12].copy_from_slice(&u32::MAX.to_be_bytes());
        let mut src = SparseCache::from_bytes(bytes);
        let mut d = Mp4Demuxer::open(&mut src).unwrap();
        let mut n = 0;
        let err = loop {
            match d.next_packet(&mut src) {
                Ok(Some(_)) => n += 1,
                Ok(None) => panic!("no error"),
                Err(e) => break e,
            }
        };
        assert_eq!(n, 2);
        assert!(matches!(err, Error::Invalid { .. }), "{err}");
    }

    #[test]
    fn mutated_files_never_panic_or_hang() {
        let files = [file().0, fragmented_file()];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..6000 {
            let mut b = files[round % 2].clone();
            for _ in 0..1 + rand() % 4 {
                let i = (rand() % b.len() as u64) as usize;
                b[i] = match rand() % 4 {
                    0 => 0xFF,
                    1 => 0,
                    2 => 1,
                    _ => rand() as u8,
                };
            }
            if rand() % 4 == 0 {
                b.truncate((rand() % b.len() as u64) as usize);
            }
            let mut src = SparseCache::from_bytes(b);
            if let Ok(mut d) = Mp4Demuxer::open(&mut src) {
                for _ in 0..100 {
                    match d.next_packet(&mut src) {
                        Ok(Some(_)) => {}
                        _ => break,
                    }
                }
            }
        }
    }

    #[test]
    fn esds_descriptor_lengths() {
        assert!(descriptor(&[0x05, 0x80, 0x80, 0x80, 0x80, 0x01]).is_err()); // 5 length bytes
        assert!(descriptor(&[0x05, 0x85]).is_err()); // cut off
        assert!(descriptor(&[0x05, 0x03, 1]).is_err()); // past the box
        let body = [vec![0x05, 0x81, 0x00], vec![7; 128]].concat();
        assert_eq!(descriptor(&body).unwrap().unwrap().1.len(), 128);
        assert_eq!(descriptor(&[]).unwrap(), None);
    }

    #[test]
    fn edit_shift_rules() {
        let tb = TimeBase::new(1, 90_000);
        let e = |d, m| Edit {
            segment_duration: d,
            media_time: m,
            media_rate: 1 << 16,
        };
        assert_eq!(edit_shift(&[], 1000, tb), 0);
        assert_eq!(edit_shift(&[e(500, 3000)], 1000, tb), -3000);
        assert_eq!(edit_shift(&[e(100, -1), e(500, 0)], 1000, tb), 9000);
        assert_eq!(edit_shift(&[e(100, -1), e(500, 900)], 1000, tb), 8100);
        assert_eq!(edit_shift(&[e(100, -1)], 0, tb), 0);
        assert_eq!(parse_language(0x55C4), None); // "und"
        assert_eq!(parse_language(0), None);
    }
}
