//! The native runner: makes a row's fixture, remuxes it with the `Pipeline` the browser runs,
//! and checks the output against ffprobe of the source.

use std::path::{Path, PathBuf};

use remux_wasm::io::FileSource;
use remux_wasm::pipeline::{Pipeline, Step};
use remux_wasm::{Codec, TrackKind};
use test_support as support;
use test_support::mkv_edit::Mkv;
use test_support::{ffprobe, ffprobe_warnings, ProbeStream};

use crate::table::{Fix, Row};

/// The native result of one row, before the browser.
pub struct Native {
    pub fixture: PathBuf,
    pub output: Option<PathBuf>,
    /// Notice about the audio not carried (for "without sound").
    pub notice: Option<String>,
    pub carries_audio: bool,
    pub source_had_audio: bool,
    /// The source has video and the output does not: why (the notice).
    pub no_video: Option<String>,
    /// Source start of the carried video / audio (s), for the browser check.
    pub video_start: Option<f64>,
    pub audio_start: Option<f64>,
    pub failures: Vec<String>,
    pub refused: Option<String>,
}

/// The ffmpeg file, and the file the row plays (the same, or its rewrite).
pub fn make(row: &Row) -> Option<(PathBuf, PathBuf)> {
    let mut args: Vec<String> = support::av_inputs("160x120", 3.0)[..8]
        .iter()
        .cloned()
        .collect();
    args.extend(row.extra_inputs.iter().map(|s| s.to_string()));
    args.extend(["-t", "3"].map(String::from));
    args.extend(row.args.iter().map(|s| s.to_string()));
    let path = support::fixture(row.ext, &args)?;
    let fixed = match row.fix {
        Fix::None => return Some((path.clone(), path)),
        Fix::MkvNoIndex => Mkv::parse(&read(&path)).drop_index().to_bytes(),
        Fix::MkvLive => Mkv::parse(&read(&path))
            .drop_index()
            .unknown_sizes()
            .to_bytes(),
        Fix::MkvLaced(kind) => Mkv::parse(&read(&path))
            .drop_index()
            .lace(2, 4, kind)
            .to_bytes(),
        Fix::MkvAnnexB => Mkv::parse(&read(&path)).drop_index().annex_b(1).to_bytes(),
        Fix::MkvRecorder => Mkv::parse(&read(&path)).drop_index().annex_b(1).unknown_sizes().to_bytes(),
        Fix::MkvStripped => Mkv::parse(&read(&path))
            .drop_index()
            .strip_headers(1, 1)
            .to_bytes(),
        Fix::MkvZlib => Mkv::parse(&read(&path))
            .drop_index()
            .zlib(1)
            .zlib(2)
            .to_bytes(),
        Fix::MkvNoAudioPrivate => Mkv::parse(&read(&path))
            .drop_index()
            .drop_codec_private(2)
            .to_bytes(),
        Fix::Mp4Co64 => support::stco_to_co64(&read(&path)),
        Fix::AviOpenDml => support::avi_edit::to_opendml(&read(&path)),
    };
    let out = path.with_file_name(format!(
        "{}-{:?}.{}",
        path.file_stem().unwrap().to_string_lossy(),
        row.fix,
        row.ext
    ));
    std::fs::write(&out, fixed).unwrap();
    // The rewrite itself is checked by ffprobe: the same packets (for lacing without
    // durations and Annex B, whose timing/sizes ffprobe reads differently: the same count and
    // key frames per stream), and nothing to warn about.
    let (a, b) = (ffprobe(&path), ffprobe(&out));
    let exact = !matches!(row.fix, Fix::MkvLaced(_) | Fix::MkvAnnexB | Fix::MkvRecorder);
    let key = |p: &support::ProbePacket| {
        if exact {
            (p.stream, p.pts, p.key, p.size)
        } else {
            (p.stream, None, p.key, 0)
        }
    };
    let per_stream = |v: &[support::ProbePacket]| {
        let mut v: Vec<_> = v.iter().map(key).collect();
        v.sort_by_key(|k| k.0); // stable: file order kept within a stream
        v
    };
    assert_eq!(
        per_stream(&a.packets),
        per_stream(&b.packets),
        "{:?}: ffprobe reads the rewrite differently",
        row.fix
    );
    assert_eq!(ffprobe_warnings(&out), "", "{:?}", row.fix);
    Some((path, out))
}

pub fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

/// Runs the pipeline natively; writes the output next to the fixture.
pub fn remux(input: &Path, output: &Path) -> Result<Pipeline, String> {
    let mut src = FileSource::open(input).map_err(|e| e.to_string())?;
    let mut p = Pipeline::open(&mut src).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    loop {
        match p
            .step(&mut src)
            .map_err(|e| format!("while remuxing: {e}"))?
        {
            Step::Init(i) => out.extend_from_slice(&i.data),
            Step::Segment(s) => out.extend_from_slice(&s.data),
            // Only a pipeline told to encode video gives frames (the page does, natively nothing).
            Step::Frames(_) => return Err("the pipeline gave video frames to encode".into()),
            Step::End => break,
        }
    }
    std::fs::write(output, out).unwrap();
    Ok(p)
}

/// Largest packet duration of a stream, in seconds (one frame).
pub fn frame_seconds(s: &ProbeStream) -> f64 {
    s.packets
        .iter()
        .filter_map(|p| p.duration)
        .map(|d| s.seconds(d))
        .fold(0.0, f64::max)
}

/// Presentation times of a stream in seconds, sorted, with key flags (the decoded frames'
/// times where the packets carry none, as H.264 in AVI).
pub fn sorted_pts(s: &ProbeStream) -> Vec<(f64, bool)> {
    let mut v: Vec<(f64, bool)> = match &s.frames {
        Some(frames) => frames.iter().map(|&(t, k)| (s.seconds(t), k)).collect(),
        None => s
            .packets
            .iter()
            .filter_map(|p| p.pts.map(|t| (s.seconds(t), p.key)))
            .collect(),
    };
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// The native checks of one remuxed row against ffprobe of its source.
pub fn check_output(out_path: &Path, pairs: &[(&ProbeStream, TrackKind)], failures: &mut Vec<String>) {
    let out = ffprobe(out_path);
    let warnings = ffprobe_warnings(out_path);
    if !warnings.is_empty() {
        failures.push(format!("ffprobe warns about the output: {warnings}"));
    }
    if out.streams.len() != pairs.len() {
        failures.push(format!(
            "output has {} streams, {} carried",
            out.streams.len(),
            pairs.len()
        ));
        return;
    }
    // One shift for the whole file: the first output stream's first PTS minus its source's.
    let first = |s: &ProbeStream| sorted_pts(s).first().map(|p| p.0).unwrap_or(0.0);
    let shift = first(&out.streams[0]) - first(pairs[0].0);
    if shift.abs() > 0.05 {
        failures.push(format!("the output starts {shift:.3} s off the source"));
    }
    let mut src_span = (f64::MAX, f64::MIN);
    let mut out_span = (f64::MAX, f64::MIN);
    let mut frame = 0.0f64;
    for (o, (s, kind)) in out.streams.iter().zip(pairs) {
        let what = format!("{kind:?} ({})", s.codec_name);
        // Vorbis transcoded to FLAC: the first Vorbis packet only primes the decoder's
        // overlap and yields no samples, so it has no FLAC frame.
        let primed;
        let s = if s.codec_name == "vorbis" && o.codec_name == "flac" {
            primed = ProbeStream { packets: s.packets[1..].to_vec(), ..(*s).clone() };
            &primed
        } else {
            *s
        };
        if o.packets.len() != s.packets.len() {
            failures.push(format!(
                "{what}: {} packets, the source has {}",
                o.packets.len(),
                s.packets.len()
            ));
            continue;
        }
        let tick = s.seconds(1) + o.seconds(1);
        let (sp, op) = (sorted_pts(s), sorted_pts(o));
        if let Some((i, (a, b))) = sp
            .iter()
            .zip(&op)
            .enumerate()
            .find(|(_, (a, b))| (b.0 - (a.0 + shift)).abs() > tick + 1e-9)
        {
            failures.push(format!(
                "{what}: packet {i} (in presentation order) at {:.6} s, the source's at {:.6} s (+{shift:.6})",
                b.0, a.0
            ));
        }
        if *kind == TrackKind::Video && sp.iter().zip(&op).any(|(a, b)| a.1 != b.1) {
            failures.push(format!("{what}: key frames differ from the source's"));
        }
        frame = frame.max(frame_seconds(s));
        for (span, st, p) in [(&mut src_span, s, &sp), (&mut out_span, o, &op)] {
            if let (Some(a), Some(b)) = (p.first(), p.last()) {
                span.0 = span.0.min(a.0);
                span.1 = span.1.max(b.0 + frame_seconds(st));
            }
        }
    }
    let (sd, od) = (src_span.1 - src_span.0, out_span.1 - out_span.0);
    if (sd - od).abs() > frame + 1e-3 {
        failures.push(format!(
            "duration {od:.3} s, the source's {sd:.3} s (more than one frame, {frame:.3} s, apart)"
        ));
    }
    // A second, independent reader.
    let bytes = read(out_path);
    let size = bytes.len() as u64;
    match mp4::Mp4Reader::read_header(std::io::Cursor::new(bytes), size) {
        Err(e) => failures.push(format!("the mp4 crate cannot read the output: {e}")),
        Ok(r) => {
            for (i, (s, _)) in pairs.iter().enumerate() {
                let n = r.sample_count(i as u32 + 1).unwrap_or(0) as usize;
                let primed = usize::from(s.codec_name == "vorbis"); // as above
                if n + primed != s.packets.len() {
                    failures.push(format!(
                        "the mp4 crate counts {n} samples in track {}, the source has {}",
                        i + 1,
                        s.packets.len()
                    ));
                }
            }
        }
    }
}

/// Remuxes `fixture` and checks the output against ffprobe of `reference`: the ffmpeg file it
/// was rewritten from (ffprobe's own reading of the rewrite can be worse than the truth, e.g.
/// laced frames without durations), or the fixture itself.
pub fn run_native(row: &Row, reference: &Path, fixture: PathBuf) -> Native {
    let mut n = Native {
        output: None,
        notice: None,
        carries_audio: false,
        source_had_audio: false,
        no_video: None,
        video_start: None,
        audio_start: None,
        failures: Vec::new(),
        refused: None,
        fixture: fixture.clone(),
    };
    let src = ffprobe(reference);
    n.source_had_audio = !src.of_type("audio").is_empty();
    let out = fixture.with_extension(format!("{}.out.mp4", row.ext));
    let pipeline = match remux(&fixture, &out) {
        Ok(p) => p,
        Err(e) if e.starts_with("while remuxing") => {
            n.failures.push(e);
            return n;
        }
        Err(e) => {
            n.refused = Some(e);
            return n;
        }
    };
    // Source streams of the carried tracks: same order as the demuxer's tracks.
    let tracks = pipeline.tracks().to_vec();
    let mut pairs = Vec::new();
    for t in pipeline.remuxer().carried_tracks() {
        let i = tracks.iter().position(|x| x.id == t.id).unwrap();
        let Some(s) = src.streams.get(i) else {
            n.failures.push(format!("ffprobe has no stream {i}"));
            return n;
        };
        let want = match t.kind {
            TrackKind::Video => "video",
            TrackKind::Audio => "audio",
            _ => "",
        };
        if s.codec_type != want {
            n.failures
                .push(format!("stream {i} is {}, track is {want}", s.codec_type));
            return n;
        }
        let start = sorted_pts(s).first().map(|p| p.0);
        match t.kind {
            TrackKind::Video => n.video_start = start,
            _ => {
                n.audio_start = start;
                n.carries_audio = true;
            }
        }
        pairs.push((s, t.kind));
    }
    if !src.of_type("video").is_empty() && n.video_start.is_none() {
        n.no_video = Some(pipeline.remuxer().skipped().join("; "));
    }
    // MPEG-4 Part 2 (Xvid) video is decoded by the wasm player and re-encoded by the browser's
    // WebCodecs: natively it is not carried (no encoder here), so only the browser half checks
    // it (played, its first frame and buffered start at the source's).
    if let Some(i) = tracks.iter().position(|t| t.kind == TrackKind::Video && t.codec == Codec::Mpeg4Visual) {
        if n.video_start.is_none() {
            n.video_start = src.streams.get(i).and_then(|s| sorted_pts(s).first().map(|p| p.0));
            n.no_video = None;
        }
    }
    if n.source_had_audio && !n.carries_audio {
        n.notice = Some(pipeline.remuxer().skipped().join("; "));
        if n.notice.as_deref() == Some("") {
            n.failures
                .push("the audio was dropped without a notice".into());
        }
    }
    check_output(&out, &pairs, &mut n.failures);
    n.output = Some(out);
    n
}
