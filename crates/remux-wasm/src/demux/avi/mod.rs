//! AVI demuxer: RIFF AVI 1.0 and OpenDML (AVI 2.0) files, read as their bytes arrive.
//!
//! Playback reads the `movi` list(s) front to back, chunk by chunk (`##dc` video, `##wb`
//! audio, ...), across every `RIFF AVIX` extension of an OpenDML file; the indexes (`idx1` at
//! the end of an AVI 1.0 file, `indx`/`ix##` in OpenDML) are read only when seeking
//! ([`index`]). Damage is skipped by resynchronising at the next plausible chunk header; a
//! truncated file plays up to its last whole chunk.
//!
//! Timing: AVI has no timestamps. Chunk `n` of a stream with `dwSampleSize == 0` (video, VBR
//! audio) starts at tick `n` of `dwScale/dwRate`; with a sample size (CBR audio) at
//! `bytes before / dwSampleSize`. H.264 presentation times come from the picture order count
//! ([`video`]); MP3 is timed by its frames, in samples ([`audio`]).

mod audio;
mod codecs;
mod headers;
mod index;
mod riff;
mod streams;
mod video;

use crate::demux::SeekTarget;
use std::collections::VecDeque;

use self::headers::{parse_hdrl, MainHeader, StreamInfo, StreamType};
use self::index::{check_idx1_len, idx1_base, parse_idx1, read_odml, Entry, SeekIndex, MAX_INDEX_BYTES};
use self::riff::{fourcc_str, is_ix, read_chunk, read_fourcc, stream_of, Chunk};
use self::streams::Handling;
use self::video::H264Order;
use super::{Demuxer, SeekPoint};
use crate::codec::h264::{build_avcc, AvcConfig};
use crate::error::{Error, Result};
use crate::io::ByteSource;
use crate::packet::{Packet, Track};
use crate::time::{Duration, TimeBase, Timestamp};

/// Largest data chunk accepted (a 4K key frame is a few MB); bigger sizes are damage.
const MAX_CHUNK: u64 = 64 << 20;
/// Largest header list read (ffmpeg's is ~9 KB for two streams, with index placeholders).
const MAX_HDRL: u64 = 16 << 20;
/// Bytes scanned per read while resynchronising after damage.
const RESYNC_WINDOW: u64 = 64 << 10;
/// Chunks (and bytes) looked through at open for the first H.264 SPS/PPS.
const SPS_SEARCH_CHUNKS: usize = 512;
const SPS_SEARCH_BYTES: u64 = 32 << 20;

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("AVI", what)
}

/// One `movi` list: where its chunks are, and the end of the RIFF holding it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Movi {
    /// Offset of the `movi` list type (idx1 offsets count from here).
    fourcc: u64,
    /// End of the list's data (clipped to the file).
    end: u64,
    /// End of the RIFF chunk holding it (clipped to the file).
    riff_end: u64,
}

/// Per-stream reading state.
#[derive(Clone, Debug)]
struct Stream {
    info: StreamInfo,
    handling: Handling,
    /// Ticks (see [`chunk_ticks`]) and payload bytes read so far.
    ticks: u64,
    bytes: u64,
    /// H.264: frames (non-empty chunks) read so far.
    frames: u64,
    /// MP3: samples emitted so far (the MP3 clock, in 1/sample_rate).
    samples: u64,
    h264: H264Order,
    mp3: audio::Mp3Framer,
    /// Length-prefix size of length-prefixed H.264 (`None`: Annex B).
    nal_len: Option<usize>,
}

impl Stream {
    /// The stream's tick (in `dwScale/dwRate`) at its current chunk: `dwStart` plus chunks or
    /// bytes / `dwSampleSize`.
    fn tick(&self) -> i64 {
        let n = if self.info.sample_size == 0 {
            self.ticks
        } else {
            self.bytes / self.info.sample_size as u64
        };
        self.info.start as i64 + n as i64
    }

    /// Sets the clock to where an index says the stream stands (after a seek).
    fn resume(&mut self, ticks: u64, bytes: u64) {
        self.ticks = ticks;
        self.bytes = bytes;
        self.h264.reset();
        self.mp3.clear();
        if let Handling::Mp3 { vbr } = self.handling {
            self.samples = if vbr {
                ticks.saturating_mul(self.nominal_mp3_samples())
            } else if self.info.avg_bytes_per_sec > 0 {
                (bytes as u128 * self.info.sample_rate as u128
                    / self.info.avg_bytes_per_sec as u128) as u64
            } else {
                0
            };
        }
    }

    /// Samples per MP3 frame as the headers state it (VBR nBlockAlign), else by sample rate.
    fn nominal_mp3_samples(&self) -> u64 {
        match self.info.block_align {
            576 | 1152 => self.info.block_align as u64,
            _ if self.info.sample_rate < 32000 => 576,
            _ => 1152,
        }
    }
}

/// Reads AVI files; see the module doc.
pub struct AviDemuxer {
    main: MainHeader,
    tracks: Vec<Track>,
    streams: Vec<Stream>,
    file_size: Option<u64>,
    /// The first `movi` list (found at open).
    first_movi: Movi,
    /// The list being read, and the next chunk header's offset in it.
    movi: Movi,
    pos: u64,
    /// Packets decoded from one chunk but not returned yet (CBR MP3 chunks hold several).
    pending: VecDeque<Packet>,
    /// After an estimated seek: video packets are dropped until a key frame.
    skip_to_key: bool,
    /// After an estimated seek: `pos` is a guess; find the next chunk header first.
    resync_pending: bool,
    /// Seek index, loaded at the first seek (`None`: not loaded yet).
    index: Option<SeekIndex>,
    /// Every `movi` list of the file, found with the index.
    movis: Vec<Movi>,
    done: bool,
}

impl AviDemuxer {
    /// Reads the RIFF header and the header list, and finds the first `movi` list.
    /// `NeedData`-retriable: nothing is kept until it succeeds.
    pub fn open(src: &mut dyn ByteSource) -> Result<AviDemuxer> {
        let file_size = src.size();
        let head = src.read_at(0, 12)?;
        if head.len() < 12 || &head[..4] != b"RIFF" {
            return Err(invalid("the file does not start with a RIFF header"));
        }
        if &head[8..12] != b"AVI " && &head[8..12] != b"AVIX" {
            return Err(invalid(format!(
                "the RIFF file is of type '{}', not an AVI",
                fourcc_str(&head[8..12])
            )));
        }
        let riff = read_chunk(src, 0)?.expect("12 bytes were read");
        let riff_end = clip(riff.end(), file_size);
        let mut parsed: Option<(MainHeader, Vec<StreamInfo>)> = None;
        let mut pos = 12;
        let movi = loop {
            let Some(c) = read_chunk(src, pos)? else {
                return Err(invalid(
                    "the file ends before its first media data (movi list)",
                ));
            };
            if c.is_list() {
                match read_fourcc(src, c.pos + 8)?.as_ref() {
                    Some(b"hdrl") => {
                        let len = (c.size as u64).saturating_sub(4).min(MAX_HDRL);
                        let body = src.read_at(c.pos + 12, len as usize)?;
                        parsed = Some(parse_hdrl(body)?);
                    }
                    Some(b"movi") => break c,
                    _ => {}
                }
            }
            if c.end() <= pos || (c.size as u64) > file_size.unwrap_or(u64::MAX) {
                return Err(invalid(format!(
                    "a '{}' chunk at byte {pos} has an impossible size {}",
                    fourcc_str(&c.id),
                    c.size
                )));
            }
            pos = c.end();
        };
        let (main, infos) =
            parsed.ok_or_else(|| invalid("the file has no header list (hdrl) before its media"))?;
        if infos.is_empty() {
            return Err(invalid("the header list describes no streams"));
        }
        let first_movi = movi_of(&movi, riff_end.max(movi.pos + 12), file_size);
        let mut tracks = Vec::new();
        let mut streams = Vec::new();
        for (i, info) in infos.into_iter().enumerate() {
            let (track, handling) = streams::build(i, &info, &main);
            let nal_len = match handling {
                Handling::H264 { avcc: true } => AvcConfig::parse(&track.codec_private)
                    .ok()
                    .map(|c| c.nal_length_size as usize),
                _ => None,
            };
            tracks.push(track);
            streams.push(Stream {
                info,
                handling,
                ticks: 0,
                bytes: 0,
                samples: 0,
                frames: 0,
                h264: H264Order::default(),
                mp3: audio::Mp3Framer::default(),
                nal_len,
            });
        }
        // The first video and audio tracks are the defaults.
        for kind in [
            crate::packet::TrackKind::Video,
            crate::packet::TrackKind::Audio,
        ] {
            if let Some(t) = tracks.iter_mut().find(|t| t.kind == kind) {
                t.default = true;
            }
        }
        // Annex B H.264: the avcC comes from the SPS/PPS in the extradata or the first frame.
        for i in 0..streams.len() {
            if streams[i].handling != (Handling::H264 { avcc: false }) {
                continue;
            }
            let sets = match crate::codec::h264::parameter_sets(&streams[i].info.extradata) {
                Some(s) => Some(s),
                None => first_parameter_sets(src, &first_movi, i)?,
            };
            if let Some((sps, pps)) = sets {
                if let Ok(avcc) = build_avcc(&sps, &pps) {
                    tracks[i].codec_private = avcc;
                }
            }
        }
        for (st, track) in streams.iter_mut().zip(&tracks) {
            if let Handling::H264 { .. } = st.handling {
                st.h264 = H264Order::new(st.info.scale, st.info.rate, &track.codec_private);
            }
        }
        Ok(AviDemuxer {
            main,
            tracks,
            streams,
            file_size,
            first_movi,
            movi: first_movi,
            pos: first_movi.fourcc + 4,
            pending: VecDeque::new(),
            skip_to_key: false,
            resync_pending: false,
            index: None,
            movis: Vec::new(),
            done: false,
        })
    }

    /// The stream seeks are timed by: the first video stream, else the first stream.
    fn master(&self) -> usize {
        self.streams
            .iter()
            .position(|s| s.info.kind == StreamType::Video)
            .unwrap_or(0)
    }

    /// Whether a chunk header at `c` looks like one a writer made (for resynchronising).
    fn plausible(&self, c: &Chunk, end: u64) -> bool {
        let fits = |size: u64| size <= MAX_CHUNK && c.pos + 8 + size <= end;
        if let Some(n) = stream_of(&c.id) {
            return n < self.streams.len()
                && matches!(&c.id[2..], b"dc" | b"db" | b"wb" | b"tx" | b"pc" | b"sb")
                && fits(c.size as u64);
        }
        is_ix(&c.id) && fits(c.size as u64)
            || matches!(&c.id, b"LIST" | b"RIFF") && (c.size as u64) >= 4
            || matches!(&c.id, b"JUNK" | b"idx1") && fits(c.size as u64)
    }

    /// Scans forward from `from` for the next plausible chunk header in the current list.
    /// Advances `self.pos` window by window (so a retry after `NeedData` does not rescan).
    fn resync(&mut self, src: &mut dyn ByteSource, from: u64) -> Result<()> {
        let end = self.movi.end;
        let mut scan = from;
        while scan + 8 <= end {
            let len = (end - scan).min(RESYNC_WINDOW) as usize;
            let window = src.read_at(scan, len)?.to_vec();
            if window.len() < 8 {
                break;
            }
            for i in 0..=window.len() - 8 {
                let b = &window[i..i + 8];
                let c = Chunk {
                    id: [b[0], b[1], b[2], b[3]],
                    size: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                    pos: scan + i as u64,
                };
                if self.plausible(&c, end) {
                    self.pos = c.pos;
                    return Ok(());
                }
            }
            // The last 7 bytes may start a header that the next window completes.
            scan += (window.len() - 7) as u64;
            self.pos = scan;
        }
        self.pos = end;
        Ok(())
    }

    /// Moves to the next RIFF's `movi` list once the current one is read; `false` at the end.
    fn next_movi(&mut self, src: &mut dyn ByteSource) -> Result<bool> {
        match find_movi_after(src, self.movi.riff_end, self.file_size)? {
            Some(m) => {
                self.movi = m;
                self.pos = m.fourcc + 4;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Turns one data chunk of stream `s` into packets (appended to `pending`).
    fn chunk_to_packets(&mut self, s: usize, pos: u64, data: &[u8]) {
        let track_id = self.tracks[s].id;
        let is_video = self.tracks[s].kind == crate::packet::TrackKind::Video;
        let st = &mut self.streams[s];
        let n = st.ticks as i64;
        let tick = st.tick();
        st.ticks += chunk_ticks(&st.info, data.len() as u64);
        st.bytes += data.len() as u64;
        if data.is_empty() {
            return; // a dropped frame: it takes its time slot, nothing to decode
        }
        let sample_size = st.info.sample_size as u64;
        let plain = |keyframe: bool| Packet {
            track_id,
            pts: Timestamp(tick),
            dts: Some(Timestamp(tick)),
            dur: Some(Duration(if sample_size == 0 {
                1
            } else {
                (data.len() as u64 / sample_size).max(1)
            })),
            keyframe,
            pos,
            data: data.to_vec(),
        };
        let packet = match st.handling {
            Handling::H264 { .. } => {
                let f = st.h264.frame(st.frames as i64, tick, data, st.nal_len);
                st.frames += 1;
                Packet {
                    track_id,
                    pts: Timestamp(f.pts),
                    dts: Some(Timestamp(tick)),
                    dur: Some(Duration(1)),
                    keyframe: f.keyframe,
                    pos,
                    data: f.data,
                }
            }
            Handling::Mpeg4Part2 => plain(video::mpeg4_is_key(data)),
            Handling::MsMpeg4 => plain(video::msmpeg4_is_key(data)),
            Handling::Mpeg12 => plain(video::mpeg12_is_key(data)),
            Handling::Intra => plain(true),
            Handling::Aac => Packet {
                data: audio::strip_adts(data).to_vec(),
                ..plain(true)
            },
            Handling::Plain => plain(!is_video || n == 0),
            Handling::Mp3 { vbr: true } => {
                // One frame per chunk (a writer may put a few): timed by the frames' samples.
                let pts = st.samples;
                let mut samples = 0u64;
                let mut at = 0usize;
                while let Some(h) = data.get(at..).and_then(audio::mp3_header) {
                    samples += h.samples as u64;
                    at += h.len.max(1);
                }
                st.samples += if samples == 0 {
                    st.nominal_mp3_samples()
                } else {
                    samples
                };
                Packet {
                    track_id,
                    pts: Timestamp(pts as i64),
                    dts: Some(Timestamp(pts as i64)),
                    dur: Some(Duration(st.samples - pts)),
                    keyframe: true,
                    pos,
                    data: data.to_vec(),
                }
            }
            Handling::Mp3 { vbr: false } => {
                for (h, frame) in st.mp3.push(data) {
                    let pts = st.samples as i64;
                    st.samples += h.samples as u64;
                    self.pending.push_back(Packet {
                        track_id,
                        pts: Timestamp(pts),
                        dts: Some(Timestamp(pts)),
                        dur: Some(Duration(h.samples as u64)),
                        keyframe: true,
                        pos,
                        data: frame,
                    });
                }
                return;
            }
        };
        if self.skip_to_key && self.tracks[s].kind == crate::packet::TrackKind::Video {
            if !packet.keyframe {
                return;
            }
            self.skip_to_key = false;
        }
        self.pending.push_back(packet);
    }

    /// Reads the index (OpenDML if the streams have super indexes, else `idx1`) and every
    /// `movi` list. Pure: `NeedData` leaves nothing half-loaded.
    fn read_index(&self, src: &mut dyn ByteSource) -> Result<(SeekIndex, Vec<Movi>)> {
        let mut movis = vec![self.first_movi];
        while let Some(m) = find_movi_after(src, movis[movis.len() - 1].riff_end, self.file_size)? {
            if m.fourcc <= movis[movis.len() - 1].fourcc || movis.len() >= 4096 {
                break;
            }
            movis.push(m);
        }
        let mut entries: Vec<Entry> = Vec::new();
        for (i, s) in self.streams.iter().enumerate() {
            if !s.info.super_index.is_empty() {
                read_odml(src, i, &s.info.super_index, self.file_size, &mut entries)?;
            }
        }
        if entries.is_empty() {
            entries = self.read_idx1(src)?;
        }
        let infos: Vec<&StreamInfo> = self.streams.iter().map(|s| &s.info).collect();
        let index = SeekIndex::build(entries, infos.len(), self.master(), |s, len| {
            chunk_ticks(infos[s], len)
        })?;
        Ok((index, movis))
    }

    /// The `idx1` entries: the chunk after the first `movi` list (or later in the first RIFF).
    fn read_idx1(&self, src: &mut dyn ByteSource) -> Result<Vec<Entry>> {
        let mut pos = self.first_movi.end + (self.first_movi.end & 1);
        for _ in 0..16 {
            let Some(c) = read_chunk(src, pos)? else {
                return Ok(Vec::new());
            };
            if &c.id == b"idx1" {
                let mut len = (c.size as u64).min(MAX_INDEX_BYTES);
                if let Some(size) = self.file_size {
                    len = len.min(size.saturating_sub(c.data_pos()));
                }
                check_idx1_len(len)?;
                let body = src.read_at(c.data_pos(), len as usize)?.to_vec();
                let base = idx1_base(src, &body, self.first_movi.fourcc)?;
                return Ok(parse_idx1(&body, base));
            }
            if c.end() <= pos || c.end() > self.first_movi.riff_end {
                break;
            }
            pos = c.end();
        }
        Ok(Vec::new())
    }

    /// The master stream's tick in its track time base for (ticks, bytes) counts.
    fn master_tick(&self, ticks: u64, bytes: u64) -> i64 {
        let s = &self.streams[self.master()];
        let n = if s.info.sample_size == 0 {
            ticks
        } else {
            bytes / s.info.sample_size as u64
        };
        s.info.start as i64 + n as i64
    }
}

/// The ticks a chunk of `len` bytes lasts in a stream without a sample size: one per chunk
/// (empty video chunks are dropped frames that keep their slot), except for VBR audio, where
/// a chunk lasts `ceil(len / nBlockAlign)` blocks (so empty chunks last nothing), as
/// DirectShow and ffmpeg count them.
fn chunk_ticks(info: &StreamInfo, len: u64) -> u64 {
    match (info.kind, info.block_align) {
        (StreamType::Audio, ba) if ba > 0 => len.div_ceil(ba as u64),
        _ => 1,
    }
}

/// Clips an end offset to the file size.
fn clip(end: u64, file_size: Option<u64>) -> u64 {
    file_size.map_or(end, |s| end.min(s))
}

/// The [`Movi`] of a `LIST movi` chunk `c` inside a RIFF ending at `riff_end`. A zero or
/// oversized list size (streaming writers, truncated files) means "to the end of the RIFF".
fn movi_of(c: &Chunk, riff_end: u64, file_size: Option<u64>) -> Movi {
    let stated = c.end();
    let end = if c.size < 4 || stated > riff_end {
        riff_end.max(clip(stated, file_size))
    } else {
        stated
    };
    Movi {
        fourcc: c.pos + 8,
        end: clip(end, file_size),
        riff_end: clip(riff_end.max(end), file_size),
    }
}

/// The `movi` list of the `RIFF AVIX` chunk at `riff_pos`, if there is one.
fn find_movi_after(
    src: &mut dyn ByteSource,
    riff_pos: u64,
    file_size: Option<u64>,
) -> Result<Option<Movi>> {
    let Some(riff) = read_chunk(src, riff_pos)? else {
        return Ok(None);
    };
    if &riff.id != b"RIFF" || read_fourcc(src, riff_pos + 8)?.as_ref() != Some(b"AVIX") {
        return Ok(None);
    }
    let riff_end = clip(riff.end(), file_size);
    let mut pos = riff_pos + 12;
    for _ in 0..64 {
        let Some(c) = read_chunk(src, pos)? else {
            return Ok(None);
        };
        if &c.id == b"LIST" && read_fourcc(src, c.pos + 8)?.as_ref() == Some(b"movi") {
            return Ok(Some(movi_of(&c, riff_end, file_size)));
        }
        if c.end() >= riff_end {
            return Ok(None);
        }
        pos = c.end();
    }
    Ok(None)
}

/// The first SPS and PPS in stream `s`'s first chunks of `movi`, for the avcC.
fn first_parameter_sets(
    src: &mut dyn ByteSource,
    movi: &Movi,
    s: usize,
) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let mut pos = movi.fourcc + 4;
    for _ in 0..SPS_SEARCH_CHUNKS {
        if pos + 8 > movi.end || pos > movi.fourcc + SPS_SEARCH_BYTES {
            break;
        }
        let Some(c) = read_chunk(src, pos)? else {
            break;
        };
        if &c.id == b"LIST" {
            pos += 12; // `rec ` groups: their chunks follow
            continue;
        }
        if (c.size as u64) > MAX_CHUNK {
            break;
        }
        if stream_of(&c.id) == Some(s) && c.size > 0 {
            let data = src.read_at(c.data_pos(), c.size as usize)?;
            if let Some(sets) = crate::codec::h264::parameter_sets(data) {
                return Ok(Some(sets));
            }
        }
        pos = c.end();
    }
    Ok(None)
}

impl Demuxer for AviDemuxer {
    fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    fn duration(&self) -> Option<(Duration, TimeBase)> {
        let m = self.master();
        let s = &self.streams[m];
        let tb = self.tracks[m].time_base;
        if s.info.kind == StreamType::Video && s.info.length > 0 {
            let frames = (s.info.length as u64).max(self.main.total_frames as u64);
            return Some((Duration(frames), tb));
        }
        let us = self.main.micro_sec_per_frame as u64 * self.main.total_frames as u64;
        (us > 0).then_some((Duration(us), TimeBase::new(1, 1_000_000)))
    }

    fn next_packet(&mut self, src: &mut dyn ByteSource) -> Result<Option<Packet>> {
        loop {
            if let Some(p) = self.pending.pop_front() {
                return Ok(Some(p));
            }
            if self.done {
                return Ok(None);
            }
            if self.resync_pending {
                let from = self.pos;
                self.resync(src, from)?;
                self.resync_pending = false;
            }
            if self.pos + 8 > self.movi.end {
                if !self.next_movi(src)? {
                    self.done = true;
                }
                continue;
            }
            let Some(c) = read_chunk(src, self.pos)? else {
                self.done = true; // truncated inside a chunk header
                continue;
            };
            if let Some(s) = stream_of(&c.id).filter(|&s| s < self.streams.len()) {
                let size = c.size as u64;
                if c.data_pos() + size > self.movi.end {
                    if self.file_size.is_some_and(|f| c.data_pos() + size > f) && size <= MAX_CHUNK
                    {
                        self.done = true; // the file is cut inside this chunk
                        continue;
                    }
                    self.resync(src, c.pos + 1)?;
                    continue;
                }
                if size > MAX_CHUNK {
                    self.resync(src, c.pos + 1)?;
                    continue;
                }
                let data = src.read_at(c.data_pos(), size as usize)?.to_vec();
                if (data.len() as u64) < size {
                    self.done = true;
                    continue;
                }
                self.pos = c.end();
                self.chunk_to_packets(s, c.pos, &data);
                continue;
            }
            match &c.id {
                b"LIST" => match read_fourcc(src, c.pos + 8)?.as_ref() {
                    // `rec ` groups (and a stray nested movi) hold chunks: step inside.
                    Some(b"rec ") | Some(b"movi") => self.pos = c.pos + 12,
                    Some(_) if c.end() <= self.movi.end && c.size >= 4 => self.pos = c.end(),
                    _ => self.resync(src, c.pos + 1)?,
                },
                id if (is_ix(id) || id == b"JUNK" || id == b"idx1")
                    && c.end() <= self.movi.end + 1 =>
                {
                    self.pos = c.end();
                }
                b"RIFF" => self.pos = self.movi.end, // an AVIX inside a damaged list size
                _ => self.resync(src, c.pos + 1)?,
            }
        }
    }

    fn load_index(&mut self, src: &mut dyn ByteSource) -> Result<()> {
        if self.index.is_none() {
            let (index, movis) = self.read_index(src)?;
            self.index = Some(index);
            self.movis = movis;
        }
        Ok(())
    }

    fn seek(&mut self, src: &mut dyn ByteSource, to: SeekTarget) -> Result<SeekPoint> {
        let SeekTarget { time: target, time_base } = to;
        Demuxer::load_index(self, src)?;
        let m = self.master();
        let tb = self.tracks[m].time_base;
        let target_tick = target.rescale(time_base, tb).0;
        let index = self.index.as_ref().expect("just loaded");
        let found = index
            .find(m, target_tick, |c, b| self.master_tick(c, b))
            .cloned();
        self.pending.clear();
        self.done = false;
        if let Some(kp) = found {
            let movi = self
                .movis
                .iter()
                .rev()
                .find(|mv| mv.fourcc < kp.pos)
                .copied()
                .unwrap_or(self.first_movi);
            self.movi = movi;
            self.pos = kp.pos;
            for (s, &(chunks, bytes)) in self.streams.iter_mut().zip(&kp.counts) {
                s.resume(chunks, bytes);
            }
            self.skip_to_key = false;
            self.resync_pending = false;
            let (c, b) = kp.counts[m];
            let mut time = self.master_tick(c, b);
            if matches!(self.streams[m].handling, Handling::H264 { .. }) {
                time += self.streams[m].h264.delay_ticks();
            }
            return Ok(SeekPoint {
                time: Timestamp(time),
                time_base: tb,
                pos: kp.pos,
                exact: true,
            });
        }
        // No index: estimate the position from the fraction of the stream's length, then
        // resynchronise at the next chunk and skip to the next key frame.
        let secs = time_base.seconds(target.0).max(0.0);
        let length_secs = self
            .duration()
            .map_or(0.0, |(d, tb)| tb.seconds(d.0 as i64));
        let first = self.first_movi;
        let data_end = clip(
            self.file_size.unwrap_or(first.end).max(first.end),
            self.file_size,
        );
        let frac = if length_secs > 0.0 {
            (secs / length_secs).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let start = first.fourcc + 4;
        let est = start + ((data_end.saturating_sub(start)) as f64 * frac) as u64;
        for s in self.streams.iter_mut() {
            let tb = time_base_of(&s.info);
            let ticks = (tb.from_seconds(secs) - s.info.start as i64).max(0) as u64;
            let bytes = ticks.saturating_mul(s.info.sample_size.max(1) as u64);
            s.resume(ticks, bytes);
            if let Handling::Mp3 { .. } = s.handling {
                s.samples = TimeBase::new(1, s.info.sample_rate.max(1)).from_seconds(secs) as u64;
            }
        }
        self.movi = first;
        if est >= first.end {
            // Past the first RIFF: pick the movi list holding the estimate, if known.
            if let Some(mv) = self.movis.iter().rev().find(|mv| mv.fourcc < est) {
                self.movi = *mv;
            }
        }
        self.pos = est.min(self.movi.end);
        self.skip_to_key = true;
        self.resync_pending = true;
        Ok(SeekPoint {
            time: Timestamp(tb.from_seconds(secs)),
            time_base: tb,
            pos: self.pos,
            exact: false,
        })
    }
}

/// `dwScale/dwRate` as a time base (1/25 if either is zero).
fn time_base_of(s: &StreamInfo) -> TimeBase {
    if s.scale == 0 || s.rate == 0 {
        TimeBase::new(1, 25)
    } else {
        TimeBase::new(s.scale, s.rate)
    }
}

#[cfg(test)]
mod tests;
