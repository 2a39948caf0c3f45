//! A small Matroska rewriter for tests: parses an ffmpeg-made MKV into an element tree,
//! applies the transformations real-world files show but ffmpeg does not write (lacing,
//! BlockGroups, unknown sizes, header stripping, Annex B H.264, no index), and writes it back.
//!
//! Sizes are recomputed on writing (8-byte size fields, or "unknown"); positions change, so
//! SeekHead and Cues are dropped by [`Mkv::drop_index`] whenever the layout matters.

use remux_wasm::demux::ebml;
use remux_wasm::demux::mkv::id;

/// Element IDs this module descends into.
const MASTERS: &[u32] = &[
    id::SEGMENT,
    id::SEEK_HEAD,
    id::SEEK,
    id::INFO,
    id::TRACKS,
    id::TRACK_ENTRY,
    id::CONTENT_ENCODINGS,
    id::CONTENT_ENCODING,
    id::CONTENT_COMPRESSION,
    id::VIDEO,
    id::COLOUR,
    id::CLUSTER,
    id::BLOCK_GROUP,
];

#[derive(Clone, Debug)]
pub struct El {
    pub id: u32,
    pub unknown_size: bool,
    pub body: Body,
}

#[derive(Clone, Debug)]
pub enum Body {
    Data(Vec<u8>),
    Children(Vec<El>),
}

impl El {
    pub fn data(id: u32, d: Vec<u8>) -> El {
        El {
            id,
            unknown_size: false,
            body: Body::Data(d),
        }
    }
    pub fn uint(id: u32, v: u64) -> El {
        El::data(id, v.to_be_bytes().to_vec())
    }
    pub fn float(id: u32, v: f64) -> El {
        El::data(id, v.to_be_bytes().to_vec())
    }
    pub fn master(id: u32, children: Vec<El>) -> El {
        El {
            id,
            unknown_size: false,
            body: Body::Children(children),
        }
    }
    pub fn children(&self) -> &[El] {
        match &self.body {
            Body::Children(c) => c,
            Body::Data(_) => &[],
        }
    }
    pub fn children_mut(&mut self) -> &mut Vec<El> {
        match &mut self.body {
            Body::Children(c) => c,
            Body::Data(_) => panic!("element 0x{:X} is not a master", self.id),
        }
    }
    pub fn bytes(&self) -> &[u8] {
        match &self.body {
            Body::Data(d) => d,
            Body::Children(_) => panic!("element 0x{:X} is a master", self.id),
        }
    }
    pub fn child(&self, id: u32) -> Option<&El> {
        self.children().iter().find(|c| c.id == id)
    }
    fn write(&self, out: &mut Vec<u8>) {
        let b = self.id.to_be_bytes();
        let skip = b.iter().position(|&x| x != 0).unwrap_or(3);
        out.extend_from_slice(&b[skip..]);
        let body = match &self.body {
            Body::Data(d) => d.clone(),
            Body::Children(c) => {
                let mut v = Vec::new();
                for e in c {
                    e.write(&mut v);
                }
                v
            }
        };
        if self.unknown_size {
            out.extend_from_slice(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        } else {
            out.push(0x01);
            out.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        }
        out.extend_from_slice(&body);
    }
}

/// Parses elements from `b` until it ends or (for an unknown-size parent) a top-level
/// element starts. Returns the elements and the bytes consumed.
fn parse_list(b: &[u8], in_unknown_cluster: bool) -> (Vec<El>, usize) {
    let mut out = Vec::new();
    let mut off = 0;
    while off < b.len() {
        let h = ebml::parse_header(&b[off..], 0)
            .unwrap()
            .expect("whole header");
        if in_unknown_cluster && [id::CLUSTER, id::CUES, id::TAGS].contains(&h.id) {
            break;
        }
        let start = off + h.header_len as usize;
        let skip = h.id == id::CRC32; // Stale once anything changes: dropped.
        let (body, end, unknown) = match h.size {
            Some(s) => {
                let end = start + s as usize;
                let d = &b[start..end];
                let body = if MASTERS.contains(&h.id) {
                    Body::Children(parse_list(d, false).0)
                } else {
                    Body::Data(d.to_vec())
                };
                (body, end, false)
            }
            None => {
                let (c, used) = parse_list(&b[start..], h.id == id::CLUSTER);
                (Body::Children(c), start + used, true)
            }
        };
        off = end;
        if skip {
            continue;
        }
        out.push(El {
            id: h.id,
            unknown_size: unknown,
            body,
        });
    }
    (out, off)
}

/// One SimpleBlock / Block body, unlaced.
#[derive(Clone, Debug)]
pub struct Frame {
    pub track: u64,
    pub timecode: i16,
    /// SimpleBlock flags (key frame = 0x80).
    pub flags: u8,
    pub data: Vec<u8>,
}

impl Frame {
    pub fn parse(b: &[u8]) -> Frame {
        let (track, n) = ebml::parse_vint(b).unwrap().unwrap();
        assert_eq!((b[n + 2] >> 1) & 3, 0, "ffmpeg does not lace");
        Frame {
            track,
            timecode: i16::from_be_bytes([b[n], b[n + 1]]),
            flags: b[n + 2],
            data: b[n + 3..].to_vec(),
        }
    }
    fn head(&self, flags: u8) -> Vec<u8> {
        assert!(self.track < 127);
        let mut v = vec![0x80 | self.track as u8];
        v.extend_from_slice(&self.timecode.to_be_bytes());
        v.push(flags);
        v
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = self.head(self.flags);
        v.extend_from_slice(&self.data);
        v
    }
}

/// Lacing kinds (the Block flags' lacing bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lacing {
    Xiph,
    Ebml,
    Fixed,
}

/// Encodes `frames` (same track) as one laced block body.
fn lace(frames: &[Frame], kind: Lacing) -> Vec<u8> {
    let first = &frames[0];
    let bits = match kind {
        Lacing::Xiph => 0x02,
        Lacing::Fixed => 0x04,
        Lacing::Ebml => 0x06,
    };
    let mut v = first.head((first.flags & 0x80) | bits);
    v.push((frames.len() - 1) as u8);
    let sizes: Vec<usize> = frames.iter().map(|f| f.data.len()).collect();
    match kind {
        Lacing::Xiph => {
            for &s in &sizes[..sizes.len() - 1] {
                v.extend(std::iter::repeat_n(255u8, s / 255));
                v.push((s % 255) as u8);
            }
        }
        Lacing::Fixed => assert!(sizes.iter().all(|&s| s == sizes[0]), "{sizes:?}"),
        Lacing::Ebml => {
            // 8-byte VINTs: first size unsigned, then signed differences.
            let vint8 = |x: u64| {
                let mut b = x.to_be_bytes();
                b[0] = 0x01;
                b
            };
            v.extend_from_slice(&vint8(sizes[0] as u64));
            for w in sizes[..sizes.len() - 1].windows(2) {
                let diff = w[1] as i64 - w[0] as i64;
                let bias = (1i64 << 55) - 1;
                v.extend_from_slice(&vint8((diff + bias) as u64));
            }
        }
    }
    for f in frames {
        v.extend_from_slice(&f.data);
    }
    v
}

/// A parsed file: the EBML header and the Segment.
#[derive(Clone, Debug)]
pub struct Mkv {
    pub top: Vec<El>,
}

impl Mkv {
    pub fn parse(bytes: &[u8]) -> Mkv {
        Mkv {
            top: parse_list(bytes, false).0,
        }
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for e in &self.top {
            e.write(&mut out);
        }
        out
    }
    pub fn segment(&mut self) -> &mut El {
        self.top.iter_mut().find(|e| e.id == id::SEGMENT).unwrap()
    }
    /// Drops SeekHead, Cues and Void (positions are stale after any rewrite).
    pub fn drop_index(&mut self) -> &mut Self {
        self.segment()
            .children_mut()
            .retain(|e| ![id::SEEK_HEAD, id::CUES, id::VOID].contains(&e.id));
        self
    }
    /// Writes the Segment and every Cluster with an unknown size (as live writers do).
    pub fn unknown_sizes(&mut self) -> &mut Self {
        let seg = self.segment();
        seg.unknown_size = true;
        for c in seg
            .children_mut()
            .iter_mut()
            .filter(|c| c.id == id::CLUSTER)
        {
            c.unknown_size = true;
        }
        self
    }
    /// Removes the Segment's Duration (live writers like MediaRecorder do not know it).
    pub fn drop_duration(&mut self) -> &mut Self {
        for info in self
            .segment()
            .children_mut()
            .iter_mut()
            .filter(|e| e.id == id::INFO)
        {
            info.children_mut().retain(|e| e.id != id::DURATION);
        }
        self
    }
    /// The TrackEntry of track `number`.
    pub fn track_entry(&mut self, number: u64) -> &mut El {
        let tracks = self
            .segment()
            .children_mut()
            .iter_mut()
            .find(|e| e.id == id::TRACKS)
            .unwrap();
        tracks
            .children_mut()
            .iter_mut()
            .find(|t| {
                t.child(id::TRACK_NUMBER)
                    .is_some_and(|n| ebml::uint(n.bytes()).unwrap() == number)
            })
            .unwrap()
    }
    /// The Video element of track `number`.
    pub fn video(&mut self, number: u64) -> &mut El {
        self.track_entry(number)
            .children_mut()
            .iter_mut()
            .find(|e| e.id == id::VIDEO)
            .unwrap()
    }
    /// Adds the elements `els` to the Video element's Colour of track `number` (made if the
    /// Video element has none), replacing any of the same ids: what ffmpeg cannot write
    /// (MaxCLL, MaxFALL, MasteringMetadata) or a colour description the bitstream lacks.
    pub fn colour(&mut self, number: u64, els: Vec<El>) -> &mut Self {
        let video = self.video(number).children_mut();
        if !video.iter().any(|e| e.id == id::COLOUR) {
            video.push(El::master(id::COLOUR, Vec::new()));
        }
        let colour = video.iter_mut().find(|e| e.id == id::COLOUR).unwrap();
        let ids: Vec<u32> = els.iter().map(|e| e.id).collect();
        colour.children_mut().retain(|e| !ids.contains(&e.id));
        colour.children_mut().extend(els);
        self
    }
    /// Removes the track's CodecPrivate (e.g. AAC whose AudioSpecificConfig must be
    /// synthesised from the codec id, sample rate and channels).
    pub fn drop_codec_private(&mut self, number: u64) -> &mut Self {
        self.track_entry(number)
            .children_mut()
            .retain(|e| e.id != id::CODEC_PRIVATE);
        self
    }
    /// Removes the track's DefaultDuration.
    pub fn drop_default_duration(&mut self, number: u64) -> &mut Self {
        self.track_entry(number)
            .children_mut()
            .retain(|e| e.id != id::DEFAULT_DURATION);
        self
    }
    fn clusters(&mut self) -> impl Iterator<Item = &mut El> {
        self.segment()
            .children_mut()
            .iter_mut()
            .filter(|c| c.id == id::CLUSTER)
    }
    /// Applies `f` to every SimpleBlock frame of `track`.
    pub fn map_frames(&mut self, track: u64, mut f: impl FnMut(&mut Frame)) -> &mut Self {
        for c in self.clusters() {
            for e in c.children_mut() {
                if e.id == id::SIMPLE_BLOCK {
                    let mut fr = Frame::parse(e.bytes());
                    if fr.track == track {
                        f(&mut fr);
                        e.body = Body::Data(fr.to_bytes());
                    }
                }
            }
        }
        self
    }
    /// Every SimpleBlock frame of `track`, in file order.
    pub fn frames(&mut self, track: u64) -> Vec<Frame> {
        let mut v = Vec::new();
        self.map_frames(track, |f| v.push(f.clone()));
        v
    }
    /// Within each Cluster, groups `n` consecutive SimpleBlocks of `track` into one laced
    /// SimpleBlock (placed where the first was).
    pub fn lace(&mut self, track: u64, n: usize, kind: Lacing) -> &mut Self {
        for c in self.clusters() {
            let kids = std::mem::take(c.children_mut());
            let mut out: Vec<El> = Vec::new();
            let mut group: Vec<Frame> = Vec::new();
            let mut slot = None;
            let flush = |out: &mut Vec<El>, group: &mut Vec<Frame>, slot: &mut Option<usize>| {
                if let Some(i) = slot.take() {
                    let body = if group.len() == 1 {
                        group[0].to_bytes()
                    } else {
                        lace(group, kind)
                    };
                    out[i] = El::data(id::SIMPLE_BLOCK, body);
                    group.clear();
                }
            };
            for e in kids {
                if e.id == id::SIMPLE_BLOCK {
                    let fr = Frame::parse(e.bytes());
                    if fr.track == track {
                        if slot.is_none() {
                            slot = Some(out.len());
                            out.push(El::data(id::VOID, vec![]));
                        }
                        group.push(fr);
                        if group.len() == n {
                            flush(&mut out, &mut group, &mut slot);
                        }
                        continue;
                    }
                }
                out.push(e);
            }
            flush(&mut out, &mut group, &mut slot);
            *c.children_mut() = out;
        }
        self
    }
    /// Turns every laced SimpleBlock of `track` into a BlockGroup with BlockDuration
    /// `per_frame` × its frame count (key frames stay key frames: no ReferenceBlock).
    pub fn lace_groups_with_duration(&mut self, track: u64, per_frame: u64) -> &mut Self {
        for c in self.clusters() {
            for e in c.children_mut() {
                if e.id != id::SIMPLE_BLOCK {
                    continue;
                }
                let b = e.bytes();
                let (t, n) = ebml::parse_vint(b).unwrap().unwrap();
                if t != track || (b[n + 2] >> 1) & 3 == 0 {
                    continue;
                }
                let dur = per_frame * (b[n + 3] as u64 + 1);
                let mut block = b.to_vec();
                block[n + 2] &= 0x06; // Block flags: lacing only.
                *e = El::master(
                    id::BLOCK_GROUP,
                    vec![
                        El::data(id::BLOCK, block),
                        El::uint(id::BLOCK_DURATION, dur),
                    ],
                );
            }
        }
        self
    }
    /// Turns every SimpleBlock of `track` into a BlockGroup: Block, a ReferenceBlock (-1)
    /// on non-key frames and, if `durations` gives one, a BlockDuration.
    pub fn block_groups(
        &mut self,
        track: u64,
        mut durations: impl FnMut(usize) -> Option<u64>,
    ) -> &mut Self {
        let mut i = 0;
        for c in self.clusters() {
            for e in c.children_mut() {
                if e.id != id::SIMPLE_BLOCK {
                    continue;
                }
                let fr = Frame::parse(e.bytes());
                if fr.track != track {
                    continue;
                }
                let mut block = fr.head(0);
                block.extend_from_slice(&fr.data);
                let mut kids = vec![El::data(id::BLOCK, block)];
                if fr.flags & 0x80 == 0 {
                    kids.push(El::data(id::REFERENCE_BLOCK, vec![0xFF]));
                }
                if let Some(d) = durations(i) {
                    kids.push(El::uint(id::BLOCK_DURATION, d));
                }
                *e = El::master(id::BLOCK_GROUP, kids);
                i += 1;
            }
        }
        self
    }
    /// Header stripping (ContentCompAlgo 3): removes the first `n` bytes, which must be the
    /// same in every frame of `track`, and states them as ContentCompSettings.
    pub fn strip_headers(&mut self, track: u64, n: usize) -> &mut Self {
        let frames = self.frames(track);
        let prefix = frames[0].data[..n].to_vec();
        assert!(
            frames.iter().all(|f| f.data.starts_with(&prefix)),
            "every frame starts with {prefix:02X?}"
        );
        self.map_frames(track, |f| {
            f.data.drain(..n);
        });
        self.add_compression(track, 3, prefix)
    }
    /// zlib compression (ContentCompAlgo 0) of every frame of `track`, as mkvmerge once did
    /// by default for subtitles.
    pub fn zlib(&mut self, track: u64) -> &mut Self {
        self.map_frames(track, |f| {
            f.data = miniz_oxide::deflate::compress_to_vec_zlib(&f.data, 6);
        });
        self.add_compression(track, 0, vec![])
    }
    fn add_compression(&mut self, track: u64, algo: u64, settings: Vec<u8>) -> &mut Self {
        let mut comp = vec![El::uint(id::CONTENT_COMP_ALGO, algo)];
        if !settings.is_empty() {
            comp.push(El::data(id::CONTENT_COMP_SETTINGS, settings));
        }
        let enc = El::master(
            id::CONTENT_ENCODINGS,
            vec![El::master(
                id::CONTENT_ENCODING,
                vec![El::master(id::CONTENT_COMPRESSION, comp)],
            )],
        );
        self.track_entry(track).children_mut().push(enc);
        self
    }
    /// H.264 as Annex B: every AVCC length prefix (4 bytes) becomes a `00 00 00 01` start
    /// code, key frames get the SPS and PPS from the avcC in front, and CodecPrivate goes.
    pub fn annex_b(&mut self, track: u64) -> &mut Self {
        let entry = self.track_entry(track);
        let avcc = entry.child(id::CODEC_PRIVATE).unwrap().bytes().to_vec();
        entry.children_mut().retain(|e| e.id != id::CODEC_PRIVATE);
        // avcC: 5 bytes, then SPS count (low 5 bits) and (len, SPS)*, PPS count, (len, PPS)*.
        let mut sets = Vec::new();
        let mut p = 5;
        for _ in 0..2 {
            let count = if sets.is_empty() {
                avcc[p] & 0x1F
            } else {
                avcc[p]
            };
            p += 1;
            for _ in 0..count {
                let len = u16::from_be_bytes([avcc[p], avcc[p + 1]]) as usize;
                sets.push(avcc[p + 2..p + 2 + len].to_vec());
                p += 2 + len;
            }
        }
        assert_eq!(avcc[4] & 3, 3, "4-byte NAL lengths");
        self.map_frames(track, |f| {
            let mut out = Vec::new();
            if f.flags & 0x80 != 0 {
                for s in &sets {
                    out.extend_from_slice(&[0, 0, 0, 1]);
                    out.extend_from_slice(s);
                }
            }
            let mut i = 0;
            while i + 4 <= f.data.len() {
                let len = u32::from_be_bytes(f.data[i..i + 4].try_into().unwrap()) as usize;
                out.extend_from_slice(&[0, 0, 0, 1]);
                out.extend_from_slice(&f.data[i + 4..i + 4 + len]);
                i += 4 + len;
            }
            f.data = out;
        });
        self
    }
}
