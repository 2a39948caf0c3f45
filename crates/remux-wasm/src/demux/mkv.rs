//! Matroska / WebM demuxer over a [`ByteSource`] whose bytes may still be arriving.
//!
//! [`MkvDemuxer::open`] reads the EBML header, the Segment and its top-level elements up to
//! the first Cluster (Info, Tracks, SeekHead; the rest is skipped, Cues are not fetched).
//! [`Demuxer::next_packet`] then walks the Clusters in file order, one block at a time,
//! splitting laced blocks into one packet per frame.
//!
//! Every read may return `NeedData`; the demuxer's state only changes once a whole element
//! has been read, so the same call succeeds after the bytes arrive. A file that ends early
//! (a short read at the known size) ends the stream: what was there plays.

use std::collections::VecDeque;

pub(crate) mod codecs;
mod seek;
pub use seek::{parse_cues, CueIndex, CuePoint};

use super::ebml::{self, Header, MAX_BLOCK, MAX_HEADER_ELEMENT};
use super::MAX_TRACKS;
use super::{Demuxer, SeekPoint};
use crate::codec::h264;
use crate::error::{Error, Result};
use crate::io::ByteSource;
use crate::packet::{AudioInfo, Codec, Packet, Track, TrackKind, VideoInfo};
use crate::time::{Duration, TimeBase, Timestamp};

const MKV: &str = "MKV";

/// Element IDs (marker kept), as named by the Matroska specification.
pub mod id {
    pub const EBML: u32 = 0x1A45DFA3;
    pub const DOC_TYPE: u32 = 0x4282;
    pub const SEGMENT: u32 = 0x18538067;
    pub const SEEK_HEAD: u32 = 0x114D9B74;
    pub const SEEK: u32 = 0x4DBB;
    pub const SEEK_ID: u32 = 0x53AB;
    pub const SEEK_POSITION: u32 = 0x53AC;
    pub const INFO: u32 = 0x1549A966;
    pub const TIMESTAMP_SCALE: u32 = 0x2AD7B1;
    pub const DURATION: u32 = 0x4489;
    pub const TRACKS: u32 = 0x1654AE6B;
    pub const TRACK_ENTRY: u32 = 0xAE;
    pub const TRACK_NUMBER: u32 = 0xD7;
    pub const TRACK_TYPE: u32 = 0x83;
    pub const CODEC_ID: u32 = 0x86;
    pub const CODEC_PRIVATE: u32 = 0x63A2;
    pub const DEFAULT_DURATION: u32 = 0x23E383;
    pub const LANGUAGE: u32 = 0x22B59C;
    pub const LANGUAGE_BCP47: u32 = 0x22B59D;
    pub const NAME: u32 = 0x536E;
    pub const FLAG_DEFAULT: u32 = 0x88;
    pub const VIDEO: u32 = 0xE0;
    pub const PIXEL_WIDTH: u32 = 0xB0;
    pub const PIXEL_HEIGHT: u32 = 0xBA;
    pub const AUDIO: u32 = 0xE1;
    pub const SAMPLING_FREQUENCY: u32 = 0xB5;
    pub const CHANNELS: u32 = 0x9F;
    pub const CODEC_DELAY: u32 = 0x56AA;
    pub const CONTENT_ENCODINGS: u32 = 0x6D80;
    pub const CONTENT_ENCODING: u32 = 0x6240;
    pub const CONTENT_ENCODING_SCOPE: u32 = 0x5032;
    pub const CONTENT_COMPRESSION: u32 = 0x5034;
    pub const CONTENT_COMP_ALGO: u32 = 0x4254;
    pub const CONTENT_COMP_SETTINGS: u32 = 0x4255;
    pub const CONTENT_ENCRYPTION: u32 = 0x5035;
    pub const CLUSTER: u32 = 0x1F43B675;
    pub const TIMESTAMP: u32 = 0xE7;
    pub const SIMPLE_BLOCK: u32 = 0xA3;
    pub const BLOCK_GROUP: u32 = 0xA0;
    pub const BLOCK: u32 = 0xA1;
    pub const BLOCK_DURATION: u32 = 0x9B;
    pub const REFERENCE_BLOCK: u32 = 0xFB;
    pub const CUES: u32 = 0x1C53BB6B;
    pub const TAGS: u32 = 0x1254C367;
    pub const CHAPTERS: u32 = 0x1043A770;
    pub const ATTACHMENTS: u32 = 0x1941A469;
    pub const VOID: u32 = 0xEC;
    pub const CRC32: u32 = 0xBF;
}

/// How far [`MkvDemuxer`] scans for the next Cluster after garbage before giving up.
const RESYNC_LIMIT: u64 = 4 << 20;
const RESYNC_CHUNK: usize = 64 << 10;

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid(MKV, what)
}

/// Top-level (Segment child) elements: seeing one ends an unknown-size Cluster.
fn is_top_level(id: u32) -> bool {
    matches!(
        id,
        id::CLUSTER
            | id::CUES
            | id::TAGS
            | id::SEEK_HEAD
            | id::INFO
            | id::TRACKS
            | id::CHAPTERS
            | id::ATTACHMENTS
            | id::SEGMENT
            | id::EBML
    )
}

/// One SeekHead entry: an element ID and its absolute file offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeekEntry {
    pub id: u32,
    pub pos: u64,
}

/// Per-track facts the demuxer needs beyond [`Track`].
#[derive(Clone, Debug)]
struct TrackState {
    number: u64,
    /// Index into `tracks`.
    index: usize,
    /// Header-stripping compression (ContentCompAlgo 3): bytes to put back before each frame.
    strip_prefix: Vec<u8>,
    /// zlib ContentCompression (ContentCompAlgo 0): frames are inflated.
    zlib: bool,
    /// H.264 stored as Annex B (start codes) instead of AVCC: frames are converted.
    annexb: bool,
    /// CodecDelay in nanoseconds (Opus pre-skip): subtracted from every block timestamp, as
    /// the Matroska spec says, so packet times are presentation times.
    codec_delay_ns: u64,
}

#[derive(Clone, Copy, Debug)]
struct Cluster {
    /// Cluster Timestamp, in TimestampScale ticks.
    ts: i64,
    /// End offset, `None` for an unknown-size Cluster.
    end: Option<u64>,
}

/// A Matroska / WebM demuxer. See the [module docs](self).
#[derive(Debug)]
pub struct MkvDemuxer {
    doc_type: String,
    timestamp_scale: u64,
    time_base: TimeBase,
    duration: Option<f64>,
    tracks: Vec<Track>,
    track_states: Vec<TrackState>,
    segment_data_start: u64,
    segment_end: Option<u64>,
    first_cluster: u64,
    seek_entries: Vec<SeekEntry>,
    /// The Cues, once a seek has loaded them (see [`seek`]).
    cues: CueIndex,
    // Reading state.
    pos: u64,
    cluster: Option<Cluster>,
    pending: VecDeque<Packet>,
    /// Laced blocks whose frames wait in `pending` for a timestamp: no DefaultDuration and no
    /// BlockDuration, so the frames' spacing is taken from the track's next block.
    unresolved: VecDeque<LaceGroup>,
    /// Packets ever popped from `pending` (so `serial - popped` indexes it).
    popped: u64,
    /// Per track id, the last frame spacing learnt from a resolved lace (used at the end).
    lace_step: Vec<(u32, i64)>,
    done: bool,
}

/// A laced block's frames in `pending` whose timestamps are not known yet.
#[derive(Clone, Copy, Debug)]
struct LaceGroup {
    track_id: u32,
    /// The block's timestamp (the first frame's).
    pts0: i64,
    /// Serial of the first frame (packets pushed to `pending` are numbered from 0).
    first: u64,
    count: u64,
}

/// Most bytes of header elements (Info, Tracks, SeekHead) loaded before the first Cluster, in
/// total (a real file's are a few KB; Attachments and Tags are skipped, not loaded).
const MAX_HEADER_BYTES: u64 = 64 << 20;

/// Most CodecPrivate and stripped-header bytes kept for all tracks together (a real file's
/// are a few hundred bytes per track; a zlib CodecPrivate inflates to up to MAX_BLOCK each).
const MAX_TRACK_HEADER_BYTES: usize = 64 << 20;

/// How many packets, and bytes, may wait in `pending` for the next block of a laced track
/// before the frames get a guessed spacing (bounds memory on files where that track stops).
const MAX_LACE_LOOKAHEAD: usize = 512;
const MAX_LACE_LOOKAHEAD_BYTES: usize = 16 << 20;

/// What [`MkvDemuxer::block_packets`] appended.
#[derive(Clone, Copy, Debug)]
struct BlockInfo {
    track_id: u32,
    pts0: i64,
    count: u64,
    /// The frames after the first still need a spacing (see [`LaceGroup`]).
    unresolved: bool,
}

impl MkvDemuxer {
    /// Reads the headers up to the first Cluster. A pure function of the source: after
    /// `NeedData`, fetch the range and call again.
    pub fn open(src: &mut dyn ByteSource) -> Result<Self> {
        // EBML header.
        let h = ebml::read_header(src, 0)?.ok_or_else(|| invalid("the file is empty"))?;
        if h.id != id::EBML {
            return Err(invalid("no EBML header at the start of the file"));
        }
        let body = ebml::read_body(src, &h, 4096)?
            .ok_or_else(|| invalid("the file ends inside its EBML header"))?;
        let mut doc_type = String::from("matroska");
        for child in ebml::children(&body, h.data_start()) {
            let (cid, data, _) = child?;
            if cid == id::DOC_TYPE {
                doc_type = ebml::string(data);
            }
        }
        if doc_type != "matroska" && doc_type != "webm" {
            return Err(invalid(format!(
                "DocType is {doc_type:?}, not matroska or webm"
            )));
        }

        // The Segment (skipping any Void before it).
        let mut pos = h
            .end()
            .ok_or_else(|| invalid("EBML header size overflows"))?;
        let seg = loop {
            let h =
                ebml::read_header(src, pos)?.ok_or_else(|| invalid("the file has no Segment"))?;
            match h.id {
                id::SEGMENT => break h,
                id::VOID | id::CRC32 => {
                    pos = h
                        .end()
                        .ok_or_else(|| invalid("Void element of unknown size"))?
                }
                other => {
                    return Err(invalid(format!(
                        "expected a Segment, found element 0x{other:X}"
                    )))
                }
            }
        };
        let segment_data_start = seg.data_start();
        let segment_end = seg.end();

        let mut timestamp_scale = 1_000_000u64;
        let mut duration = None;
        let mut tracks = Vec::new();
        let mut track_states = Vec::new();
        let mut seek_entries = Vec::new();
        // CodecPrivate and stripped-header bytes of every track, against MAX_TRACK_HEADER_BYTES.
        let mut track_bytes = 0usize;
        let mut header_bytes = 0u64;
        let mut pos = segment_data_start;
        let first_cluster = loop {
            if segment_end.is_some_and(|end| pos >= end) {
                break pos;
            }
            let h = match ebml::read_header(src, pos) {
                Ok(Some(h)) => h,
                Ok(None) => break pos, // The file ends before any Cluster.
                Err(e) if e.is_need_data() => return Err(e),
                Err(_) => break resync(src, pos)?.unwrap_or(pos),
            };
            // Every Info, Tracks and SeekHead loaded counts against MAX_HEADER_BYTES: each is
            // under MAX_HEADER_ELEMENT, but a file may repeat them (and the player's cache
            // keeps every byte read before the first segment).
            let mut load = |src: &mut dyn ByteSource, h: &Header| -> Result<Vec<u8>> {
                let body = ebml::read_body(src, h, MAX_HEADER_ELEMENT)?.ok_or_else(|| {
                    invalid(format!(
                        "the file ends inside element 0x{:X} at {}",
                        h.id, h.pos
                    ))
                })?;
                header_bytes = header_bytes.saturating_add(body.len() as u64);
                if header_bytes > MAX_HEADER_BYTES {
                    return Err(Error::unsupported(format!(
                        "its headers (Info, Tracks, SeekHead) take more than {} MiB before the first Cluster",
                        MAX_HEADER_BYTES >> 20
                    )));
                }
                Ok(body)
            };
            match h.id {
                id::CLUSTER => break pos,
                id::INFO => {
                    let body = load(src, &h)?;
                    for child in ebml::children(&body, h.data_start()) {
                        let (cid, data, _) = child?;
                        match cid {
                            id::TIMESTAMP_SCALE => timestamp_scale = ebml::uint(data)?,
                            id::DURATION => duration = Some(ebml::float(data)?),
                            _ => {}
                        }
                    }
                }
                id::TRACKS => {
                    let body = load(src, &h)?;
                    for child in ebml::children(&body, h.data_start()) {
                        let (cid, data, cpos) = child?;
                        if cid != id::TRACK_ENTRY {
                            continue;
                        }
                        let (track, state) = parse_track_entry(data, cpos)?;
                        if state.number != 0
                            && !track_states
                                .iter()
                                .any(|t: &TrackState| t.number == state.number)
                        {
                            // Each Tracks element is under MAX_HEADER_ELEMENT, but a file may
                            // hold any number of them, and a CodecPrivate inflates to 64 MiB.
                            if tracks.len() >= MAX_TRACKS {
                                return Err(Error::unsupported(format!(
                                    "the file declares more than {MAX_TRACKS} tracks"
                                )));
                            }
                            track_bytes = track_bytes.saturating_add(
                                track.codec_private.len() + state.strip_prefix.len(),
                            );
                            if track_bytes > MAX_TRACK_HEADER_BYTES {
                                return Err(Error::unsupported(format!(
                                    "the codec headers of its tracks (CodecPrivate) take more than {} MiB",
                                    MAX_TRACK_HEADER_BYTES >> 20
                                )));
                            }
                            track_states.push(TrackState {
                                index: tracks.len(),
                                ..state
                            });
                            tracks.push(track);
                        }
                    }
                }
                id::SEEK_HEAD => {
                    let body = load(src, &h)?;
                    for child in ebml::children(&body, h.data_start()) {
                        let (cid, data, _) = child?;
                        if cid != id::SEEK {
                            continue;
                        }
                        let (mut sid, mut spos) = (None, None);
                        for c in ebml::children(data, 0) {
                            let (c, d, _) = c?;
                            match c {
                                id::SEEK_ID => sid = ebml::parse_id(d)?.map(|(i, _)| i),
                                id::SEEK_POSITION => spos = Some(ebml::uint(d)?),
                                _ => {}
                            }
                        }
                        if let (Some(id), Some(p)) = (sid, spos) {
                            if let Some(pos) = segment_data_start.checked_add(p) {
                                seek_entries.push(SeekEntry { id, pos });
                            }
                        }
                    }
                }
                _ => {}
            }
            pos = h.end().ok_or_else(|| {
                invalid(format!(
                    "top-level element 0x{:X} at {} has an unknown size",
                    h.id, h.pos
                ))
            })?;
        };

        if tracks.is_empty() {
            return Err(invalid("no Tracks before the first Cluster"));
        }
        if timestamp_scale == 0 {
            return Err(invalid("TimestampScale is 0"));
        }
        let time_base = time_base_of(timestamp_scale)?;
        // H.264 without an avcC (or with Annex B parameter sets in CodecPrivate): some muxers
        // store the Annex B stream as is. Build the avcC from the first SPS and PPS.
        for st in &mut track_states {
            let t = &mut tracks[st.index];
            if t.codec != Codec::H264 || t.unusable.is_some() || is_avcc(&t.codec_private) {
                continue;
            }
            st.annexb = true;
            let sets = match h264::parameter_sets(&t.codec_private) {
                Some(sets) => Some(sets),
                None => find_parameter_sets(src, first_cluster, st)?,
            };
            if let Some((sps, pps)) = sets {
                t.codec_private = h264::build_avcc(&sps, &pps)?;
            }
        }
        for t in &mut tracks {
            t.time_base = time_base;
            // default_duration was parsed in nanoseconds; the contract wants track ticks.
            t.default_duration = t
                .default_duration
                .map(|d| d.rescale(TimeBase::NANOS, time_base));
        }
        Ok(MkvDemuxer {
            doc_type,
            timestamp_scale,
            time_base,
            duration: duration.filter(|d: &f64| d.is_finite() && *d >= 0.0),
            tracks,
            track_states,
            segment_data_start,
            segment_end,
            first_cluster,
            seek_entries,
            cues: CueIndex::Unknown,
            pos: first_cluster,
            cluster: None,
            pending: VecDeque::new(),
            unresolved: VecDeque::new(),
            popped: 0,
            lace_step: Vec::new(),
            done: false,
        })
    }

    /// `matroska` or `webm`.
    pub fn doc_type(&self) -> &str {
        &self.doc_type
    }
    /// Nanoseconds per timestamp tick.
    pub fn timestamp_scale(&self) -> u64 {
        self.timestamp_scale
    }
    /// The time base of every track (from the TimestampScale).
    pub fn time_base(&self) -> TimeBase {
        self.time_base
    }
    /// Offset of the first byte of the Segment's data (SeekHead positions are relative to it).
    pub fn segment_data_start(&self) -> u64 {
        self.segment_data_start
    }
    /// Offset just past the Segment, if its size is known.
    pub fn segment_end(&self) -> Option<u64> {
        self.segment_end
    }
    /// Offset of the first Cluster (or of the end of the file if there is none).
    pub fn first_cluster_pos(&self) -> u64 {
        self.first_cluster
    }
    /// The SeekHead entries, with absolute offsets.
    pub fn seek_entries(&self) -> &[SeekEntry] {
        &self.seek_entries
    }
    /// Absolute offset of the Cues, if the SeekHead names them (for seeking, later).
    pub fn cues_position(&self) -> Option<u64> {
        self.seek_entries
            .iter()
            .find(|e| e.id == id::CUES)
            .map(|e| e.pos)
    }
    /// Offset of the next element the demuxer will read.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// The stream has ended: returns the packets still waiting in `pending` (laced frames
    /// get the spacing learnt so far), then `None`.
    fn end_of_stream(&mut self) -> Result<Option<Packet>> {
        self.done = true;
        self.cluster = None;
        self.resolve_laces(None, None);
        Ok(self.pop_ready())
    }

    /// Continues after garbage at `from`: at the next Cluster, or ends the stream at the end
    /// of the file. State changes only once the scan has an answer.
    fn resync_from(&mut self, src: &mut dyn ByteSource, from: u64) -> Result<()> {
        match resync(src, from)? {
            Some(p) => {
                self.pos = p;
                self.cluster = None;
            }
            None => {
                self.done = true;
                self.cluster = None;
            }
        }
        Ok(())
    }

    fn track_state(&self, number: u64) -> Option<&TrackState> {
        self.track_states.iter().find(|t| t.number == number)
    }

    /// Splits a BlockGroup (`data`, the body of `h`) into packets, appended to `out`. The
    /// block is a key frame iff it has no ReferenceBlock.
    fn group_packets(
        &self,
        data: &[u8],
        h: &Header,
        cluster_ts: i64,
        out: &mut VecDeque<Packet>,
    ) -> Result<Option<BlockInfo>> {
        let (mut block, mut dur, mut reference) = (None, None, false);
        for child in ebml::children(data, h.data_start()) {
            let (cid, d, _) = child?;
            match cid {
                id::BLOCK => block = Some(d),
                id::BLOCK_DURATION => dur = Some(ebml::uint(d)?),
                id::REFERENCE_BLOCK => reference = true,
                _ => {}
            }
        }
        match block {
            Some(b) => self.block_packets(b, h.pos, cluster_ts, Some(!reference), dur, out),
            None => Ok(None),
        }
    }

    /// Splits one Block / SimpleBlock (`data`) into packets, appended to `out`.
    ///
    /// Laced frames get evenly spaced timestamps: DefaultDuration apart, else the
    /// BlockDuration split between them, else (neither stated) the gap to the track's next
    /// block split between them, which the caller fills in later ([`BlockInfo::unresolved`]).
    fn block_packets(
        &self,
        data: &[u8],
        pos: u64,
        cluster_ts: i64,
        keyframe: Option<bool>,
        block_duration: Option<u64>,
        out: &mut VecDeque<Packet>,
    ) -> Result<Option<BlockInfo>> {
        let block = parse_block(data, pos)?;
        let Some(ts) = self.track_state(block.track) else {
            return Ok(None); // A block for a track the header did not declare: skip.
        };
        let track = &self.tracks[ts.index];
        let keyframe = keyframe.unwrap_or(block.flags & 0x80 != 0);
        let delay = match ts.codec_delay_ns {
            0 => 0,
            ns => TimeBase::NANOS.rescale(ns.min(i64::MAX as u64) as i64, track.time_base),
        };
        let pts0 = cluster_ts
            .saturating_add(block.timecode as i64)
            .saturating_sub(delay);
        let n = block.frames.len() as u64;
        // The offset of frame i from the block's timestamp, and each frame's duration.
        let (offset, dur): (Box<dyn Fn(u64) -> i64>, Option<Duration>) = if n == 1 {
            (
                Box::new(|_| 0),
                block_duration.map(Duration).or(track.default_duration),
            )
        } else if let Some(d) = track.default_duration {
            (
                Box::new(move |i| (d.0 as i64).saturating_mul(i as i64)),
                Some(d),
            )
        } else if let Some(bd) = block_duration {
            // As ffmpeg does: frame i starts at bd * i / n.
            let bd = bd.min(i64::MAX as u64 / n) as i64;
            (
                Box::new(move |i| bd * i as i64 / n as i64),
                Some(Duration(bd as u64 / n)),
            )
        } else {
            (Box::new(|_| 0), None)
        };
        // Every frame of the block together, inflated and with the stripped header put back,
        // makes at most MAX_BLOCK bytes: as much as a block may hold on disk. Per frame, 256
        // laced zlib frames of 64 KiB (a 16 MiB block) made 16 GiB, and a 16 MiB stripped
        // header copied into 256 one-byte frames made 4 GiB.
        let mut room = MAX_BLOCK as usize;
        let prefix = ts.strip_prefix.len();
        for (i, &(s, e)) in block.frames.iter().enumerate() {
            let inflated;
            let frame = if ts.zlib {
                inflated = inflate(&data[s..e], room.saturating_sub(prefix))
                    .map_err(|e| e.within_block(pos))?;
                &inflated[..]
            } else {
                &data[s..e]
            };
            room = room
                .checked_sub(prefix + frame.len())
                .ok_or_else(|| Inflate::TooBig.within_block(pos))?;
            let mut bytes = Vec::with_capacity(ts.strip_prefix.len() + frame.len());
            bytes.extend_from_slice(&ts.strip_prefix);
            bytes.extend_from_slice(frame);
            if ts.annexb && h264::starts_with_start_code(&bytes) {
                let mut avcc = Vec::with_capacity(bytes.len() + 16);
                h264::annexb_to_avcc(&bytes, &mut avcc);
                bytes = avcc;
            }
            out.push_back(Packet {
                track_id: track.id,
                pts: Timestamp(pts0.saturating_add(offset(i as u64))),
                dts: None,
                dur,
                keyframe,
                pos,
                data: bytes,
            });
        }
        Ok(Some(BlockInfo {
            track_id: track.id,
            pts0,
            count: n,
            unresolved: n > 1 && dur.is_none(),
        }))
    }

    /// Drops the queued packets (and the laced frames waiting in them for a timestamp), as a
    /// seek does before reading from a new position.
    fn clear_pending(&mut self) {
        self.pending.clear();
        self.unresolved.clear();
    }

    /// Records a block just appended to `pending` (which held `before` packets): it gives
    /// the spacing of the track's waiting laced frames, and may itself wait for the next one.
    fn note_block(&mut self, info: BlockInfo, before: usize) {
        self.resolve_laces(Some(info.track_id), Some(info.pts0));
        if info.unresolved {
            self.unresolved.push_back(LaceGroup {
                track_id: info.track_id,
                pts0: info.pts0,
                first: self.popped + before as u64,
                count: info.count,
            });
        }
    }

    /// Gives the waiting laced frames of `track` (every track if `None`) their timestamps:
    /// spread up to `next_pts` (the track's next block), or by the last spacing learnt.
    fn resolve_laces(&mut self, track: Option<u32>, next_pts: Option<i64>) {
        let mut keep = VecDeque::new();
        while let Some(g) = self.unresolved.pop_front() {
            if track.is_some_and(|t| t != g.track_id) {
                keep.push_back(g);
                continue;
            }
            let learnt = self
                .lace_step
                .iter()
                .find(|(t, _)| *t == g.track_id)
                .map(|&(_, s)| s);
            let n = g.count as i64;
            let span = match next_pts {
                Some(p) if p > g.pts0 => p.saturating_sub(g.pts0),
                _ => learnt.unwrap_or(0).saturating_mul(n),
            };
            let step = span / n;
            if next_pts.is_some() && step > 0 {
                match self.lace_step.iter_mut().find(|(t, _)| *t == g.track_id) {
                    Some(e) => e.1 = step,
                    None => self.lace_step.push((g.track_id, step)),
                }
            }
            for i in 0..g.count {
                let Some(k) = (g.first + i).checked_sub(self.popped) else {
                    continue;
                };
                if let Some(p) = self.pending.get_mut(k as usize) {
                    p.pts = Timestamp(g.pts0.saturating_add(span * i as i64 / n));
                    p.dur = (step > 0).then_some(Duration(step as u64));
                }
            }
        }
        self.unresolved = keep;
    }

    /// The next packet of `pending` that may be returned: none while the front one waits for
    /// its lace timestamp (unless the wait is too long: then it gets a guessed one).
    fn pop_ready(&mut self) -> Option<Packet> {
        if let Some(g) = self.unresolved.front() {
            if g.first <= self.popped {
                let bytes: usize = self.pending.iter().map(|p| p.data.len()).sum();
                if self.pending.len() < MAX_LACE_LOOKAHEAD
                    && bytes < MAX_LACE_LOOKAHEAD_BYTES
                    && !self.done
                {
                    return None;
                }
                let t = g.track_id;
                self.resolve_laces(Some(t), None);
            }
        }
        let p = self.pending.pop_front()?;
        self.popped += 1;
        Some(p)
    }
}

impl Demuxer for MkvDemuxer {
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
        self.duration
            .map(|d| (Duration(d.round() as u64), self.time_base))
    }

    fn next_packet(&mut self, src: &mut dyn ByteSource) -> Result<Option<Packet>> {
        loop {
            if let Some(p) = self.pop_ready() {
                return Ok(Some(p));
            }
            if self.done || self.segment_end.is_some_and(|end| self.pos >= end) {
                return self.end_of_stream();
            }
            if let Some(c) = self.cluster {
                if c.end.is_some_and(|end| self.pos >= end) {
                    self.cluster = None;
                    continue;
                }
            }
            let h = match ebml::read_header(src, self.pos) {
                Ok(Some(h)) => h,
                Ok(None) => return self.end_of_stream(),
                Err(e) if e.is_need_data() => return Err(e),
                Err(_) => {
                    let from = self.pos + 1;
                    self.resync_from(src, from)?;
                    continue;
                }
            };
            match self.cluster {
                Some(c) if !is_top_level(h.id) => {
                    if matches!((h.end(), c.end), (Some(e), Some(ce)) if e > ce) {
                        // A child running past its Cluster is damage, not data.
                        let from = self.pos + 1;
                        self.resync_from(src, from)?;
                        continue;
                    }
                    match h.id {
                        id::TIMESTAMP => match ebml::read_uint(src, &h) {
                            Ok(Some(t)) => {
                                self.cluster = Some(Cluster {
                                    ts: t.min(i64::MAX as u64) as i64,
                                    ..c
                                });
                            }
                            Ok(None) => return self.end_of_stream(),
                            Err(e) if e.is_need_data() => return Err(e),
                            Err(_) => {} // An oversized Timestamp: ignore it.
                        },
                        id::SIMPLE_BLOCK | id::BLOCK_GROUP => {
                            let size = match ebml::checked_size(&h, MAX_BLOCK) {
                                Ok(s) => s,
                                Err(_) => {
                                    let from = self.pos + 1;
                                    self.resync_from(src, from)?;
                                    continue;
                                }
                            };
                            let data = src.read_at(h.data_start(), size)?;
                            if data.len() < size {
                                return self.end_of_stream(); // Truncated file.
                            }
                            // Appended to `pending` (which holds only laced frames
                            // waiting for their timestamps, if anything).
                            let mut out = std::mem::take(&mut self.pending);
                            let before = out.len();
                            let parsed = if h.id == id::SIMPLE_BLOCK {
                                self.block_packets(data, h.pos, c.ts, None, None, &mut out)
                            } else {
                                self.group_packets(data, &h, c.ts, &mut out)
                            };
                            match parsed {
                                Ok(info) => {
                                    self.pending = out;
                                    if let Some(info) = info {
                                        self.note_block(info, before);
                                    }
                                }
                                Err(_) => {
                                    // A malformed block inside an intact Cluster: drop it and
                                    // play on.
                                    out.truncate(before);
                                    self.pending = out;
                                }
                            }
                        }
                        _ => {}
                    }
                    match h.end() {
                        Some(end) => self.pos = end,
                        None => {
                            // Only Clusters may have an unknown size.
                            let from = self.pos + 1;
                            self.resync_from(src, from)?;
                        }
                    }
                }
                _ => {
                    // Top level (or a top-level ID ending the current Cluster).
                    self.cluster = None;
                    match h.id {
                        id::CLUSTER => {
                            self.cluster = Some(Cluster {
                                ts: 0,
                                end: h.end(),
                            });
                            self.pos = h.data_start();
                        }
                        id::EBML | id::SEGMENT => return self.end_of_stream(), // A chained file.
                        id::CUES
                        | id::TAGS
                        | id::SEEK_HEAD
                        | id::INFO
                        | id::TRACKS
                        | id::CHAPTERS
                        | id::ATTACHMENTS
                        | id::VOID
                        | id::CRC32 => match h.end() {
                            Some(end) => self.pos = end,
                            None => {
                                let from = self.pos + 1;
                                self.resync_from(src, from)?;
                            }
                        },
                        _ => {
                            let from = self.pos + 1;
                            self.resync_from(src, from)?;
                        }
                    }
                }
            }
        }
    }
}

/// Scans forward from `from` for the Cluster ID. `Ok(Some(offset))` where one starts,
/// `Ok(None)` if the file ends first, `Invalid` after [`RESYNC_LIMIT`] bytes.
fn resync(src: &mut dyn ByteSource, from: u64) -> Result<Option<u64>> {
    const CLUSTER_ID: [u8; 4] = [0x1F, 0x43, 0xB6, 0x75];
    let mut at = from;
    while at - from < RESYNC_LIMIT {
        let chunk = src.read_at(at, RESYNC_CHUNK)?;
        if let Some(i) = chunk.windows(4).position(|w| w == CLUSTER_ID) {
            return Ok(Some(at + i as u64));
        }
        if chunk.len() < RESYNC_CHUNK {
            return Ok(None); // End of file.
        }
        at += (RESYNC_CHUNK - 3) as u64; // Overlap so an ID across chunks is found.
    }
    Err(invalid(format!(
        "damaged data at {from}: no Cluster within {} MiB after it",
        RESYNC_LIMIT >> 20
    )))
}

/// Why [`inflate`] gave no frame.
#[derive(Debug)]
enum Inflate {
    /// More output than the limit.
    TooBig,
    Damaged(String),
}

impl Inflate {
    /// The error of the block at `pos` holding the frame.
    fn within_block(self, pos: u64) -> Error {
        match self {
            Inflate::TooBig => invalid(format!(
                "the block at {pos} expands to more than {} MiB",
                MAX_BLOCK >> 20
            )),
            Inflate::Damaged(e) => invalid(format!(
                "a zlib-compressed frame of the block at {pos} does not inflate: {e}"
            )),
        }
    }
}

/// Undoes zlib ContentCompression, refusing output beyond `limit` bytes.
fn inflate(data: &[u8], limit: usize) -> std::result::Result<Vec<u8>, Inflate> {
    use miniz_oxide::inflate::TINFLStatus;
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, limit).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => Inflate::TooBig,
        s => Inflate::Damaged(format!("{s:?}")),
    })
}

/// How far [`find_parameter_sets`] reads into the Clusters for an SPS and PPS.
const PARAMETER_SET_SCAN_LIMIT: u64 = 16 << 20;

/// An AVCDecoderConfigurationRecord (configurationVersion 1), not Annex B or nothing?
fn is_avcc(b: &[u8]) -> bool {
    b.first() == Some(&1)
}

/// Reads the Clusters from `from` for the first block of `track` that carries an SPS
/// and a PPS (Annex B H.264 without CodecPrivate). `Ok(None)` if none within
/// [`PARAMETER_SET_SCAN_LIMIT`] bytes or before the file ends.
fn find_parameter_sets(
    src: &mut dyn ByteSource,
    from: u64,
    track: &TrackState,
) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let mut pos = from;
    while pos - from < PARAMETER_SET_SCAN_LIMIT {
        let h = match ebml::read_header(src, pos) {
            Ok(Some(h)) => h,
            Ok(None) => return Ok(None),
            Err(e) if e.is_need_data() => return Err(e),
            Err(_) => return Ok(None),
        };
        match h.id {
            id::CLUSTER => {
                pos = h.data_start();
                continue;
            }
            id::SIMPLE_BLOCK | id::BLOCK_GROUP => {
                let Some(body) = ebml::read_body(src, &h, MAX_BLOCK).ok().flatten() else {
                    return Ok(None);
                };
                let block = if h.id == id::BLOCK_GROUP {
                    ebml::children(&body, h.data_start())
                        .filter_map(|c| c.ok())
                        .find(|c| c.0 == id::BLOCK)
                        .map(|c| c.1.to_vec())
                } else {
                    Some(body)
                };
                if let Some(b) = block {
                    if let Ok(parsed) = parse_block(&b, h.pos) {
                        if parsed.track == track.number {
                            for &(s, e) in &parsed.frames {
                                let mut frame = track.strip_prefix.clone();
                                if track.zlib {
                                    let out = inflate(&b[s..e], MAX_BLOCK as usize);
                                    frame.extend_from_slice(&out.unwrap_or_default());
                                } else {
                                    frame.extend_from_slice(&b[s..e]);
                                }
                                if let Some(sets) = h264::parameter_sets(&frame) {
                                    return Ok(Some(sets));
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        match h.end() {
            Some(end) => pos = end,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// The time base of a TimestampScale (nanoseconds per tick), reduced.
fn time_base_of(scale: u64) -> Result<TimeBase> {
    fn gcd(mut a: u64, mut b: u64) -> u64 {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }
    let g = gcd(scale, 1_000_000_000);
    let num = u32::try_from(scale / g)
        .map_err(|_| invalid(format!("TimestampScale {scale} is too large")))?;
    Ok(TimeBase::new(num, (1_000_000_000 / g) as u32))
}

fn parse_track_entry(data: &[u8], base: u64) -> Result<(Track, TrackState)> {
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
            id::VIDEO => {
                let mut v = VideoInfo::default();
                for c in ebml::children(d, cpos) {
                    let (c, d, _) = c?;
                    match c {
                        id::PIXEL_WIDTH => v.width = ebml::uint(d)?.min(u32::MAX as u64) as u32,
                        id::PIXEL_HEIGHT => v.height = ebml::uint(d)?.min(u32::MAX as u64) as u32,
                        _ => {}
                    }
                }
                video = Some(v);
            }
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

/// A parsed Block header: track, timecode, flags and the byte ranges of its frames.
struct Block {
    track: u64,
    timecode: i16,
    flags: u8,
    frames: Vec<(usize, usize)>,
}

/// Parses a Block or SimpleBlock body, splitting Xiph, EBML and fixed-size lacing.
fn parse_block(d: &[u8], pos: u64) -> Result<Block> {
    let short = || invalid(format!("block at {pos} is too short"));
    let (track, n) = ebml::parse_vint(d)?.ok_or_else(short)?;
    let hdr = d.get(n..n + 3).ok_or_else(short)?;
    let timecode = i16::from_be_bytes([hdr[0], hdr[1]]);
    let flags = hdr[2];
    let mut off = n + 3;
    let lacing = (flags >> 1) & 3;
    if lacing == 0 {
        return Ok(Block {
            track,
            timecode,
            flags,
            frames: vec![(off, d.len())],
        });
    }
    let count = *d.get(off).ok_or_else(short)? as usize + 1;
    off += 1;
    let mut sizes = Vec::with_capacity(count);
    match lacing {
        1 => {
            // Xiph: each size is a run of 255s plus a final byte.
            for _ in 0..count - 1 {
                let mut size = 0usize;
                loop {
                    let b = *d.get(off).ok_or_else(short)?;
                    off += 1;
                    size += b as usize;
                    if b != 255 {
                        break;
                    }
                }
                sizes.push(size);
            }
        }
        3 => {
            // EBML: the first size as a VINT, then signed differences.
            let (first, l) = ebml::parse_vint(d.get(off..).unwrap_or(&[]))?.ok_or_else(short)?;
            off += l;
            let mut size = first as i64;
            if count > 1 {
                sizes.push(usize::try_from(size).map_err(|_| short())?);
            }
            for _ in 1..count.saturating_sub(1) {
                let (diff, l) =
                    ebml::parse_signed_vint(d.get(off..).unwrap_or(&[]))?.ok_or_else(short)?;
                off += l;
                size = size.checked_add(diff).filter(|s| *s >= 0).ok_or_else(|| {
                    invalid(format!("block at {pos} has a negative laced frame size"))
                })?;
                sizes.push(size as usize);
            }
        }
        _ => {
            // Fixed: equal sizes.
            let rest = d.len() - off;
            #[allow(clippy::manual_is_multiple_of)] // is_multiple_of needs Rust 1.87.
            if rest % count != 0 {
                return Err(invalid(format!(
                    "block at {pos}: {rest} bytes do not split into {count} equal frames"
                )));
            }
            sizes.resize(count - 1, rest / count);
        }
    }
    let mut frames = Vec::with_capacity(count);
    for s in sizes {
        let end = off
            .checked_add(s)
            .filter(|&e| e <= d.len())
            .ok_or_else(|| {
                invalid(format!(
                    "block at {pos}: laced frame sizes exceed the block"
                ))
            })?;
        frames.push((off, end));
        off = end;
    }
    frames.push((off, d.len()));
    Ok(Block {
        track,
        timecode,
        flags,
        frames,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::SparseCache;

    /// An element with a known size (8-byte size VINT, as some muxers write).
    fn el(id: u32, body: &[u8]) -> Vec<u8> {
        let mut v = id_bytes(id);
        v.push(0x01);
        v.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        v.extend_from_slice(body);
        v
    }
    /// An element with an unknown size.
    fn el_unknown(id: u32, body: &[u8]) -> Vec<u8> {
        let mut v = id_bytes(id);
        v.push(0xFF);
        v.extend_from_slice(body);
        v
    }
    fn id_bytes(id: u32) -> Vec<u8> {
        let b = id.to_be_bytes();
        let skip = b.iter().position(|&x| x != 0).unwrap_or(3);
        b[skip..].to_vec()
    }
    fn uint_el(id: u32, v: u64) -> Vec<u8> {
        el(id, &v.to_be_bytes())
    }
    fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
        parts.concat()
    }
    fn simple_block(track: u8, rel: i16, flags: u8, payload: &[u8]) -> Vec<u8> {
        let mut b = vec![0x80 | track];
        b.extend_from_slice(&rel.to_be_bytes());
        b.push(flags);
        b.extend_from_slice(payload);
        el(id::SIMPLE_BLOCK, &b)
    }
    fn header(doc_type: &str) -> Vec<u8> {
        el(id::EBML, &el(id::DOC_TYPE, doc_type.as_bytes()))
    }
    fn segment_head() -> Vec<u8> {
        let seek = el(
            id::SEEK,
            &cat(&[
                el(id::SEEK_ID, &id::CUES.to_be_bytes()),
                uint_el(id::SEEK_POSITION, 5000),
            ]),
        );
        let info = el(
            id::INFO,
            &cat(&[
                uint_el(id::TIMESTAMP_SCALE, 1_000_000),
                el(id::DURATION, &2000.0f64.to_be_bytes()),
            ]),
        );
        let video = el(
            id::TRACK_ENTRY,
            &cat(&[
                uint_el(id::TRACK_NUMBER, 1),
                uint_el(id::TRACK_TYPE, 1),
                el(id::CODEC_ID, b"V_MPEG4/ISO/AVC"),
                el(id::CODEC_PRIVATE, &[1, 0x64, 0, 0x1F]),
                uint_el(id::DEFAULT_DURATION, 40_000_000),
                el(
                    id::VIDEO,
                    &cat(&[
                        uint_el(id::PIXEL_WIDTH, 320),
                        uint_el(id::PIXEL_HEIGHT, 240),
                    ]),
                ),
            ]),
        );
        let audio = el(
            id::TRACK_ENTRY,
            &cat(&[
                uint_el(id::TRACK_NUMBER, 2),
                uint_el(id::TRACK_TYPE, 2),
                el(id::CODEC_ID, b"A_AAC"),
                el(id::CODEC_PRIVATE, &[0x11, 0x90]),
                uint_el(id::DEFAULT_DURATION, 20_000_000),
                el(id::LANGUAGE, b"fre"),
                uint_el(id::FLAG_DEFAULT, 0),
                el(
                    id::AUDIO,
                    &cat(&[
                        el(id::SAMPLING_FREQUENCY, &48000.0f32.to_be_bytes()),
                        uint_el(id::CHANNELS, 2),
                    ]),
                ),
            ]),
        );
        cat(&[
            el(id::SEEK_HEAD, &seek),
            el(id::VOID, &[0; 5]),
            info,
            el(id::TRACKS, &cat(&[video, audio])),
        ])
    }
    /// A cluster at 1000 ms with: a key SimpleBlock, a BlockGroup (ReferenceBlock, BlockDuration),
    /// Xiph-, EBML- and fixed-laced audio, and an unknown element.
    fn cluster_one() -> Vec<u8> {
        let block = {
            let mut b = vec![0x81];
            b.extend_from_slice(&40i16.to_be_bytes());
            b.push(0);
            b.extend_from_slice(b"P-frame");
            b
        };
        let group = el(
            id::BLOCK_GROUP,
            &cat(&[
                el(id::BLOCK, &block),
                uint_el(id::BLOCK_DURATION, 41),
                el(id::REFERENCE_BLOCK, &[0xD8]),
            ]),
        );
        // Xiph: 3 frames of 300, 2, 5 bytes.
        let mut xiph = vec![2, 255, 45, 2];
        xiph.extend_from_slice(&[7u8; 300]);
        xiph.extend_from_slice(&[8, 8]);
        xiph.extend_from_slice(&[9; 5]);
        // EBML: 3 frames of 4, 6, 1 bytes: first 4 (0x84), diff +2 (0xC1 = 65 - 63).
        let mut ebml_lace = vec![2, 0x84, 0xC1];
        ebml_lace.extend_from_slice(&[1; 4]);
        ebml_lace.extend_from_slice(&[2; 6]);
        ebml_lace.extend_from_slice(&[3; 1]);
        // Fixed: 2 frames of 3 bytes.
        let fixed = [1u8, 4, 4, 4, 5, 5, 5];
        cat(&[
            uint_el(id::TIMESTAMP, 1000),
            simple_block(1, 0, 0x80, b"I-frame"),
            group,
            el(0x6E67, b"unknown element"),
            simple_block(2, 5, 0x80 | 0x02, &xiph),
            simple_block(2, 100, 0x80 | 0x06, &ebml_lace),
            simple_block(2, 200, 0x80 | 0x04, &fixed),
        ])
    }
    fn file() -> Vec<u8> {
        let seg_body = cat(&[
            segment_head(),
            el(id::CLUSTER, &cluster_one()),
            el_unknown(
                id::CLUSTER,
                &cat(&[
                    uint_el(id::TIMESTAMP, 2000),
                    simple_block(1, -3, 0x80, b"K"),
                ]),
            ),
            el(id::CUES, &[0; 4]),
        ]);
        cat(&[header("webm"), el(id::SEGMENT, &seg_body)])
    }

    fn all_packets(src: &mut dyn ByteSource) -> (MkvDemuxer, Vec<Packet>) {
        let mut d = MkvDemuxer::open(src).unwrap();
        let mut out = Vec::new();
        while let Some(p) = d.next_packet(src).unwrap() {
            out.push(p);
        }
        (d, out)
    }

    type Summary = (u32, i64, Option<u64>, bool, Vec<u8>);
    fn summary(ps: &[Packet]) -> Vec<Summary> {
        ps.iter()
            .map(|p| {
                (
                    p.track_id,
                    p.pts.0,
                    p.dur.map(|d| d.0),
                    p.keyframe,
                    p.data.clone(),
                )
            })
            .collect()
    }

    /// A file with one zlib-compressed audio track and one cluster holding these blocks.
    fn zlib_file(blocks: &[Vec<u8>]) -> Vec<u8> {
        let encodings = el(
            id::CONTENT_ENCODINGS,
            &el(
                id::CONTENT_ENCODING,
                &el(id::CONTENT_COMPRESSION, &uint_el(id::CONTENT_COMP_ALGO, 0)),
            ),
        );
        let track = el(
            id::TRACK_ENTRY,
            &cat(&[
                uint_el(id::TRACK_NUMBER, 1),
                uint_el(id::TRACK_TYPE, 2),
                el(id::CODEC_ID, b"A_AAC"),
                el(id::CODEC_PRIVATE, &[0x11, 0x90]),
                encodings,
            ]),
        );
        let mut cluster = vec![uint_el(id::TIMESTAMP, 0)];
        cluster.extend_from_slice(blocks);
        let seg_body = cat(&[el(id::TRACKS, &track), el(id::CLUSTER, &cat(&cluster))]);
        cat(&[header("matroska"), el(id::SEGMENT, &seg_body)])
    }

    #[test]
    fn a_laced_block_inflates_to_at_most_max_block_in_all() {
        // 65 fixed-laced frames of 1 MiB of zeros, ~1 KiB each compressed: a 66 KB block
        // that inflated to 65 MiB (each frame under MAX_BLOCK, the block over it).
        let z = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 1 << 20], 9);
        let mut lace = vec![64u8]; // 65 frames
        for _ in 0..65 {
            lace.extend_from_slice(&z);
        }
        let bomb = simple_block(1, 0, 0x80 | 0x04, &lace);
        let fine = simple_block(1, 20, 0x80, &miniz_oxide::deflate::compress_to_vec_zlib(b"ok", 9));
        let bytes = zlib_file(&[bomb, fine]);
        assert!(bytes.len() < 100_000);
        let (_, packets) = all_packets(&mut SparseCache::from_bytes(bytes));
        let total: usize = packets.iter().map(|p| p.data.len()).sum();
        assert!(total <= MAX_BLOCK as usize, "{total} bytes out of one block");
        // The oversized block is dropped as damage; the next one plays.
        assert_eq!(summary(&packets), vec![(1, 20, None, true, b"ok".to_vec())]);
        // The error the block gets, in words.
        let mut src = SparseCache::from_bytes(zlib_file(&[]));
        let d = MkvDemuxer::open(&mut src).unwrap();
        let e = d
            .block_packets(&lace_block(&lace), 7, 0, None, None, &mut VecDeque::new())
            .unwrap_err();
        assert!(e.to_string().contains("the block at 7 expands to more than 64 MiB"), "{e}");
    }

    /// A file whose Segment holds these Tracks elements and one empty Cluster.
    fn tracks_file(tracks_elements: &[Vec<u8>]) -> Vec<u8> {
        let mut seg = tracks_elements.to_vec();
        seg.push(el(id::CLUSTER, &uint_el(id::TIMESTAMP, 0)));
        cat(&[header("matroska"), el(id::SEGMENT, &cat(&seg))])
    }

    fn audio_entry(number: u64, extra: &[Vec<u8>]) -> Vec<u8> {
        let mut parts = vec![
            uint_el(id::TRACK_NUMBER, number),
            uint_el(id::TRACK_TYPE, 2),
            el(id::CODEC_ID, b"A_AAC"),
        ];
        parts.extend_from_slice(extra);
        el(id::TRACK_ENTRY, &cat(&parts))
    }

    #[test]
    fn repeated_tracks_elements_stay_within_the_header_budget() {
        // Tracks elements each far under MAX_HEADER_ELEMENT, repeated: 300 tracks in 300
        // elements (a few KB) are refused...
        let many: Vec<_> = (1..=300).map(|n| el(id::TRACKS, &audio_entry(n, &[]))).collect();
        let e = MkvDemuxer::open(&mut SparseCache::from_bytes(tracks_file(&many))).unwrap_err();
        assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
        assert!(e.to_string().contains("more than 256 tracks"), "{e}");
        // ...and so are five zlib CodecPrivates of 16 MiB each (16 KiB each on disk: 80 MiB
        // held from an 80 KB file; 64 MiB each possible).
        let z = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 16 << 20], 9);
        let zlib_private = el(
            id::CONTENT_ENCODINGS,
            &el(
                id::CONTENT_ENCODING,
                &cat(&[
                    uint_el(id::CONTENT_ENCODING_SCOPE, 2),
                    el(id::CONTENT_COMPRESSION, &uint_el(id::CONTENT_COMP_ALGO, 0)),
                ]),
            ),
        );
        let big: Vec<_> = (1..=5)
            .map(|n| el(id::TRACKS, &audio_entry(n, &[el(id::CODEC_PRIVATE, &z), zlib_private.clone()])))
            .collect();
        let file = tracks_file(&big);
        assert!(file.len() < 200_000);
        let e = MkvDemuxer::open(&mut SparseCache::from_bytes(file)).unwrap_err();
        assert!(e.to_string().contains("CodecPrivate) take more than 64 MiB"), "{e}");
        // Within the budget, the same layout opens.
        let d = MkvDemuxer::open(&mut SparseCache::from_bytes(tracks_file(&big[..3]))).unwrap();
        assert_eq!(d.tracks().len(), 3);
        assert_eq!(d.tracks()[2].codec_private.len(), 16 << 20);
    }

    #[test]
    fn repeated_header_elements_stay_within_the_header_budget() {
        // Five Info elements of 15 MiB (each under MAX_HEADER_ELEMENT): 75 MiB loaded before
        // the first Cluster. Refused past MAX_HEADER_BYTES; four still open.
        let info = el(id::INFO, &el(id::VOID, &vec![0u8; 15 << 20]));
        let track = el(id::TRACKS, &audio_entry(1, &[]));
        let with = |n: usize| {
            let mut parts = vec![track.clone()];
            parts.extend(std::iter::repeat_n(info.clone(), n));
            tracks_file(&parts)
        };
        let e = MkvDemuxer::open(&mut SparseCache::from_bytes(with(5))).unwrap_err();
        assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
        assert!(e.to_string().contains("more than 64 MiB before the first Cluster"), "{e}");
        assert!(MkvDemuxer::open(&mut SparseCache::from_bytes(with(4))).is_ok());
    }

    /// A SimpleBlock body (no element header) for track 1 with fixed lacing.
    fn lace_block(lace: &[u8]) -> Vec<u8> {
        let mut b = vec![0x81, 0, 0, 0x80 | 0x04];
        b.extend_from_slice(lace);
        b
    }

    #[test]
    fn reads_headers() {
        let bytes = file();
        let d = MkvDemuxer::open(&mut SparseCache::from_bytes(bytes.clone())).unwrap();
        assert_eq!(d.doc_type(), "webm");
        assert_eq!(d.time_base(), TimeBase::MILLIS);
        assert_eq!(d.duration(), Some((Duration(2000), TimeBase::MILLIS)));
        assert_eq!(d.cues_position(), Some(d.segment_data_start() + 5000));
        assert_eq!(
            &bytes[d.first_cluster_pos() as usize..][..4],
            &[0x1F, 0x43, 0xB6, 0x75]
        );
        let t = d.tracks();
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].id, t[0].kind, &t[0].codec),
            (1, TrackKind::Video, &Codec::H264)
        );
        assert_eq!(t[0].codec_private, vec![1, 0x64, 0, 0x1F]);
        assert_eq!(t[0].default_duration, Some(Duration(40)));
        assert_eq!(
            t[0].video,
            Some(VideoInfo {
                width: 320,
                height: 240
            })
        );
        assert!(t[0].default);
        assert_eq!(
            (t[1].id, t[1].kind, &t[1].codec),
            (2, TrackKind::Audio, &Codec::Aac)
        );
        assert_eq!(
            t[1].audio,
            Some(AudioInfo {
                sample_rate: 48000,
                channels: 2
            })
        );
        assert_eq!(t[1].language.as_deref(), Some("fre"));
        assert!(!t[1].default);
    }

    #[test]
    fn reads_blocks_lacing_and_unknown_size_clusters() {
        let (_, ps) = all_packets(&mut SparseCache::from_bytes(file()));
        let s = summary(&ps);
        let v = |t, pts, dur, key, data: &[u8]| (t, pts, dur, key, data.to_vec());
        assert_eq!(s[0], v(1, 1000, Some(40), true, b"I-frame"));
        assert_eq!(s[1], v(1, 1040, Some(41), false, b"P-frame"));
        assert_eq!(s[2], v(2, 1005, Some(20), true, &[7; 300]));
        assert_eq!(s[3], v(2, 1025, Some(20), true, &[8; 2]));
        assert_eq!(s[4], v(2, 1045, Some(20), true, &[9; 5]));
        assert_eq!(s[5], v(2, 1100, Some(20), true, &[1; 4]));
        assert_eq!(s[6], v(2, 1120, Some(20), true, &[2; 6]));
        assert_eq!(s[7], v(2, 1140, Some(20), true, &[3; 1]));
        assert_eq!(s[8], v(2, 1200, Some(20), true, &[4; 3]));
        assert_eq!(s[9], v(2, 1220, Some(20), true, &[5; 3]));
        // The unknown-size cluster ends at the Cues.
        assert_eq!(s[10], v(1, 1997, Some(40), true, b"K"));
        assert_eq!(s.len(), 11);
        // Laced frames share their block's position.
        assert_eq!(ps[2].pos, ps[4].pos);
        assert!(ps[1].pos > ps[0].pos);
    }

    #[test]
    fn need_data_retries_cleanly() {
        let bytes = file();
        let (_, expected) = all_packets(&mut SparseCache::from_bytes(bytes.clone()));
        // Feed 7 bytes at a time, in order, only when asked.
        let mut src = SparseCache::new(Some(bytes.len() as u64));
        let mut filled = 0usize;
        let (_, got) =
            crate::demux::drain_on_demand(&mut src, MkvDemuxer::open, |src, offset, len| {
                assert!(offset as usize >= filled, "asked for bytes already given");
                while (filled as u64) < offset + len && filled < bytes.len() {
                    let end = (filled + 7).min(bytes.len());
                    src.insert(filled as u64, bytes[filled..end].to_vec());
                    filled = end;
                }
            })
            .unwrap();
        assert_eq!(got, expected);
    }

    /// A laced audio block without DefaultDuration or BlockDuration waits for the track's next
    /// block; if none comes within the lookahead bound, its frames still come out (sharing
    /// the block's time, nothing learnt yet), in file order, and memory stays bounded.
    #[test]
    fn laced_frames_without_durations_wait_boundedly() {
        let audio = el(
            id::TRACK_ENTRY,
            &cat(&[
                uint_el(id::TRACK_NUMBER, 2),
                uint_el(id::TRACK_TYPE, 2),
                el(id::CODEC_ID, b"A_AAC"),
                el(id::CODEC_PRIVATE, &[0x11, 0x90]),
            ]),
        );
        let video = el(
            id::TRACK_ENTRY,
            &cat(&[
                uint_el(id::TRACK_NUMBER, 1),
                uint_el(id::TRACK_TYPE, 1),
                el(id::CODEC_ID, b"V_MPEG4/ISO/AVC"),
                el(id::CODEC_PRIVATE, &[1, 0x64, 0, 0x1F]),
            ]),
        );
        // 3 laced audio frames at 0, then 600 video blocks, then audio again at 1000.
        let mut blocks = vec![
            uint_el(id::TIMESTAMP, 0),
            simple_block(2, 0, 0x80 | 0x04, &[2, 1, 1, 2, 2, 3, 3]),
        ];
        for i in 0..600 {
            blocks.push(simple_block(1, i, 0x80, b"V"));
        }
        let file = |tail: bool| {
            let mut b = blocks.clone();
            if tail {
                b.push(simple_block(2, 1000, 0x80 | 0x04, &[2, 4, 4, 5, 5, 6, 6]));
                b.push(simple_block(2, 1060, 0x80, &[7]));
            }
            cat(&[
                header("matroska"),
                el(
                    id::SEGMENT,
                    &cat(&[
                        el(id::INFO, &uint_el(id::TIMESTAMP_SCALE, 1_000_000)),
                        el(id::TRACKS, &cat(&[video.clone(), audio.clone()])),
                        el(id::CLUSTER, &cat(&b)),
                    ]),
                ),
            ])
        };
        // No next audio block within 512 packets: the first lace shares its time.
        let (_, ps) = all_packets(&mut SparseCache::from_bytes(file(false)));
        assert_eq!(ps.len(), 603);
        assert_eq!(ps[0].track_id, 2, "file order kept");
        assert_eq!(
            ps[..3].iter().map(|p| p.pts.0).collect::<Vec<_>>(),
            vec![0, 0, 0]
        );
        // With a later lace and block: the later lace is spread up to the block at 1060.
        let (_, ps) = all_packets(&mut SparseCache::from_bytes(file(true)));
        let audio: Vec<_> = ps.iter().filter(|p| p.track_id == 2).collect();
        assert_eq!(
            audio
                .iter()
                .map(|p| (p.pts.0, p.dur.map(|d| d.0)))
                .collect::<Vec<_>>(),
            vec![
                (0, None),
                (0, None),
                (0, None),
                (1000, Some(20)),
                (1020, Some(20)),
                (1040, Some(20)),
                (1060, None)
            ]
        );
    }

    #[test]
    fn truncated_file_ends_cleanly() {
        let bytes = file();
        let (_, all) = all_packets(&mut SparseCache::from_bytes(bytes.clone()));
        let first_cluster = MkvDemuxer::open(&mut SparseCache::from_bytes(bytes.clone()))
            .unwrap()
            .first_cluster_pos();
        for cut in first_cluster as usize..bytes.len() {
            let (_, ps) = all_packets(&mut SparseCache::from_bytes(bytes[..cut].to_vec()));
            assert!(ps.len() <= all.len());
            assert_eq!(ps[..], all[..ps.len()], "cut at {cut}");
        }
        // Cut inside the I-frame block: nothing comes out, and no error.
        let i_frame = bytes.windows(7).position(|w| w == b"I-frame").unwrap();
        let (_, ps) = all_packets(&mut SparseCache::from_bytes(bytes[..i_frame + 3].to_vec()));
        assert!(ps.is_empty());
    }

    #[test]
    fn resynchronises_after_garbage() {
        let seg_body = cat(&[
            segment_head(),
            el(
                id::CLUSTER,
                &cat(&[uint_el(id::TIMESTAMP, 0), simple_block(1, 0, 0x80, b"A")]),
            ),
            vec![0x00, 0x13, 0x37, 0x00, 0x42],
            el(
                id::CLUSTER,
                &cat(&[uint_el(id::TIMESTAMP, 80), simple_block(1, 0, 0x80, b"B")]),
            ),
        ]);
        let bytes = cat(&[header("matroska"), el(id::SEGMENT, &seg_body)]);
        let (_, ps) = all_packets(&mut SparseCache::from_bytes(bytes));
        assert_eq!(
            summary(&ps)
                .iter()
                .map(|p| (p.1, p.4.clone()))
                .collect::<Vec<_>>(),
            vec![(0, b"A".to_vec()), (80, b"B".to_vec())]
        );
    }

    #[test]
    fn skips_a_malformed_block() {
        // Fixed lacing of 3 bytes into 2 frames cannot split: that block is dropped.
        let seg_body = cat(&[
            segment_head(),
            el(
                id::CLUSTER,
                &cat(&[
                    uint_el(id::TIMESTAMP, 0),
                    simple_block(1, 0, 0x80, b"A"),
                    simple_block(2, 0, 0x84, &[1, 1, 2, 3]),
                    simple_block(1, 40, 0, b"B"),
                ]),
            ),
        ]);
        let bytes = cat(&[header("matroska"), el(id::SEGMENT, &seg_body)]);
        let (_, ps) = all_packets(&mut SparseCache::from_bytes(bytes));
        let data: Vec<_> = ps.iter().map(|p| p.data.clone()).collect();
        assert_eq!(data, vec![b"A".to_vec(), b"B".to_vec()]);
    }

    #[test]
    fn mutated_files_never_panic_or_hang() {
        let base = file();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut bytes = base.clone();
            for _ in 0..1 + rand() % 4 {
                let i = (rand() % bytes.len() as u64) as usize;
                bytes[i] = rand() as u8;
            }
            if rand() % 4 == 0 {
                bytes.truncate((rand() % bytes.len() as u64) as usize);
            }
            let mut src = SparseCache::from_bytes(bytes);
            let Ok(mut d) = MkvDemuxer::open(&mut src) else {
                continue;
            };
            for _ in 0..1000 {
                match d.next_packet(&mut src) {
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break,
                }
            }
        }
    }

    #[test]
    fn rejects_bad_headers_and_blocks() {
        let bad_doc = cat(&[header("mp4"), el(id::SEGMENT, &segment_head())]);
        assert!(matches!(
            MkvDemuxer::open(&mut SparseCache::from_bytes(bad_doc)),
            Err(Error::Invalid { .. })
        ));
        let no_tracks = cat(&[header("webm"), el(id::SEGMENT, &[])]);
        assert!(MkvDemuxer::open(&mut SparseCache::from_bytes(no_tracks)).is_err());
        // Lacing sizes past the block.
        assert!(parse_block(&[0x81, 0, 0, 0x02, 1, 200, 1, 2], 0).is_err());
        assert!(parse_block(&[0x81, 0, 0, 0x04, 1, 1, 2, 3], 0).is_err());
        assert!(parse_block(&[0x81, 0], 0).is_err());
        assert!(parse_block(&[0x81, 0, 0, 0x06, 2, 0x85, 0x80, 1, 2, 3, 4, 5], 0).is_err());
    }

    #[test]
    fn time_base_from_timestamp_scale() {
        assert_eq!(time_base_of(1_000_000).unwrap(), TimeBase::new(1, 1000));
        assert_eq!(time_base_of(100_000).unwrap(), TimeBase::new(1, 10_000));
        assert_eq!(time_base_of(1).unwrap(), TimeBase::NANOS);
        assert_eq!(
            time_base_of(1_000_000_007).unwrap(),
            TimeBase::new(1_000_000_007, 1_000_000_000)
        );
        assert!(time_base_of(u64::MAX).is_err());
    }
}
