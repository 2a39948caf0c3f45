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
mod display;
pub mod fragment;
mod sample_entry;
pub mod sample_table;
mod seek;

use crate::demux::SeekTarget;
use std::collections::VecDeque;

use boxes::{fourcc, BoxHeader, Reader};
use fragment::{FragTrack, Trex};
use sample_entry::{parse_stsd, SampleEntry};
use sample_table::{Cursor, SampleInfo, SampleTable, MAX_SAMPLES};

use super::{Demuxer, SeekPoint, MAX_TRACKS};
use crate::error::{Error, Result};
use crate::io::ByteSource;
use crate::packet::{Packet, Track, TrackKind, VideoInfo};
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
    let mut rotation = Default::default();
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
                r.skip(8 + 2 + 2 + 2 + 2)?;
                let mut matrix = [0i32; 9];
                for m in &mut matrix {
                    *m = r.u32()? as i32;
                }
                rotation = display::rotation_of_matrix(&matrix);
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
        TrackKind::Video => Some(VideoInfo {
            rotation,
            ..video.unwrap_or(VideoInfo {
                width: tk_width,
                height: tk_height,
                ..Default::default()
            })
        }),
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

impl Demuxer for Mp4Demuxer {
    fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    fn seek(&mut self, src: &mut dyn ByteSource, to: SeekTarget) -> Result<SeekPoint> {
        self.seek_to(src, to)
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
                let Some((samples, frag)) = self.load_moof(src, &h)? else {
                    return self.end(); // Truncated inside the moof.
                };
                for (s, f) in self.states.iter_mut().zip(&frag) {
                    s.next_frag_dts = f.next_dts;
                }
                self.pending = samples.into();
            }
            self.frag_pos = h.end();
        }
    }
}

/// The samples of one `moof` (with the index of their track state), and each track's
/// fragment state after it.
type Moof = (Vec<(usize, SampleInfo)>, Vec<FragTrack>);

impl Mp4Demuxer {
    /// Reads and parses the `moof` whose header is `h`, each track starting from its `trex`
    /// defaults and the decode time the previous fragment ended at. `Ok(None)` when the file
    /// ends inside it; changes nothing (the caller keeps the new decode times if it moves on).
    fn load_moof(&self, src: &mut dyn ByteSource, h: &BoxHeader) -> Result<Option<Moof>> {
        let len = h_body_len(h, src.size()).unwrap_or(0);
        if len > MAX_MOOV {
            return Err(invalid(format!("a 'moof' box at {} is {len} bytes", h.pos)));
        }
        let body = src.read_at(h.data_start(), len as usize)?;
        if (body.len() as u64) < len {
            return Ok(None);
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
        let samples = fragment::parse_moof(body, h.pos, &mut frag)?;
        Ok(Some((samples, frag)))
    }

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
mod tests;
