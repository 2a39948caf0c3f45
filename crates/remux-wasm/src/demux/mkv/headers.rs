//! [`MkvDemuxer::open`]: the EBML header, the Segment and its top-level elements up to the
//! first Cluster (Info, Tracks, SeekHead), and what the Tracks need from the first Clusters
//! (the SPS and PPS of Annex B H.264 without CodecPrivate).

use std::collections::VecDeque;

use super::block::inflate;
use super::ebml::{self, Header, MAX_BLOCK, MAX_HEADER_ELEMENT};
use super::lacing::parse_block;
use super::resync::resync;
use super::track_entry::parse_track_entry;
use super::{id, invalid, CueIndex, MkvDemuxer, SeekEntry, TrackState};
use crate::codec::h264;
use crate::demux::MAX_TRACKS;
use crate::error::{Error, Result};
use crate::io::ByteSource;
use crate::packet::Codec;
use crate::time::TimeBase;

/// Most bytes of header elements (Info, Tracks, SeekHead) loaded before the first Cluster, in
/// total (a real file's are a few KB; Attachments and Tags are skipped, not loaded).
const MAX_HEADER_BYTES: u64 = 64 << 20;

/// Most CodecPrivate and stripped-header bytes kept for all tracks together (a real file's
/// are a few hundred bytes per track; a zlib CodecPrivate inflates to up to MAX_BLOCK each).
const MAX_TRACK_HEADER_BYTES: usize = 64 << 20;

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
pub(super) fn time_base_of(scale: u64) -> Result<TimeBase> {
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
