//! AC-3, E-AC-3, DTS and Vorbis tracks, made by ffmpeg at test time, go through the pipeline
//! (as `riptide-remux` runs it) and come out as FLAC in fragmented MP4. ffmpeg decodes that
//! FLAC and, separately, the source track with its own decoders; per channel the two must
//! agree to at least 80 dB SNR, with the same number of samples and the same start time.
//! Every channel carries its own tone, so a channel put in the wrong place fails. After a
//! seek to the middle, the audio restarts at a source frame at or before the target and
//! matches ffmpeg's decode from there.
//!
//! Skips (with a message) without ffmpeg or its encoders, unless RIPTIDE_REQUIRE_TOOLS is set.

#![cfg(not(target_arch = "wasm32"))] // reads files and runs ffmpeg: native only

use test_support as support;

use std::path::{Path, PathBuf};
use std::process::Command;

use remux_wasm::io::FileSource;
use remux_wasm::pipeline::{Pipeline, Step};
use remux_wasm::time::{TimeBase, Timestamp};
use support::{ffprobe, fixture, have_encoders};

/// The bar: ffmpeg's float decode of the source against ffmpeg's decode of our FLAC.
const MIN_SNR_DB: f64 = 80.0;
const SECONDS: f64 = 6.0;

/// One tone per channel (5.1: FL FR FC LFE BL BR), each at its own frequency and level, so a
/// swapped or dropped channel cannot match.
fn tones(layout: &str) -> String {
    let exprs = match layout {
        "stereo" => "0.5*sin(2*PI*440*t)|0.4*sin(2*PI*660*t)",
        // FL FR FC LFE BL BR SL SR
        "7.1" => "0.5*sin(2*PI*440*t)|0.4*sin(2*PI*660*t)|0.45*sin(2*PI*550*t)|0.5*sin(2*PI*60*t)|0.3*sin(2*PI*880*t)|0.35*sin(2*PI*990*t)|0.25*sin(2*PI*770*t)|0.2*sin(2*PI*1100*t)",
        _ => "0.5*sin(2*PI*440*t)|0.4*sin(2*PI*660*t)|0.45*sin(2*PI*550*t)|0.5*sin(2*PI*60*t)|0.3*sin(2*PI*880*t)|0.35*sin(2*PI*990*t)",
    };
    format!("aevalsrc=exprs='{exprs}':s=48000:c={layout}")
}

/// A file with a short test picture and the tone track encoded by `codec_args`.
fn make(ext: &str, layout: &str, codec_args: &[&str]) -> Option<PathBuf> {
    let mut args: Vec<String> = [
        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-f", "lavfi", "-i",
    ]
    .map(String::from)
    .to_vec();
    args.push(tones(layout));
    args.extend(
        ["-t", &SECONDS.to_string(), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25"]
            .map(String::from),
    );
    args.extend(codec_args.iter().map(|s| s.to_string()));
    fixture(ext, &args)
}

fn workdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("riptide-transcode-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the pipeline over `input` (seeking to `seek` seconds after the first segments, if
/// given) and writes the fragmented MP4 to `out`.
/// Returns how much later every track was moved (s): the presentation start,
/// `MediaSegment::window_start`, when an MP4 source's audio priming is before 0.
fn remux(input: &Path, out: &Path, seek: Option<f64>) -> f64 {
    let mut src = FileSource::open(input).unwrap();
    let mut pipeline = Pipeline::open(&mut src).unwrap();
    let mut bytes = Vec::new();
    let mut steps = 0;
    let mut moved = 0.0;
    loop {
        match pipeline.step(&mut src).unwrap() {
            Step::Init(init) => {
                assert!(init.mime.contains("flac"), "MSE type {}", init.mime);
                bytes.extend_from_slice(&init.data);
            }
            Step::Segment(seg) => {
                moved = seg.window_start.unwrap_or(moved);
                // A seek drops what came before, as a player's SourceBuffer would be
                // overwritten; keep only the init segment and what follows the seek.
                if seek.is_none() || steps > 2 {
                    bytes.extend_from_slice(&seg.data);
                }
            }
            Step::Frames(_) => unreachable!("only a pipeline told to encode video gives frames"),
            Step::End => break,
        }
        steps += 1;
        if let (Some(target), 2) = (seek, steps) {
            let ms = TimeBase::MILLIS;
            pipeline.seek(&mut src, Timestamp(ms.from_seconds(target)), ms).unwrap();
            steps += 1;
        }
    }
    std::fs::write(out, bytes).unwrap();
    moved
}

/// ffmpeg's decode of the first audio stream of `path`: interleaved f32 samples, channels.
fn decode(path: &Path) -> (Vec<f32>, usize) {
    let probe = ffprobe(path);
    let a = probe.of_type("audio")[0];
    let channels = a.json["channels"].as_u64().unwrap() as usize;
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(path)
        .args(["-map", "0:a:0", "-f", "f32le", "-c:a", "pcm_f32le", "pipe:1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "ffmpeg decode of {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    let samples = out
        .stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    (samples, channels)
}

/// Time (seconds) of the first decoded audio frame, and the codec, of the first audio stream
/// (decoded frames: a Vorbis stream's first packet yields no samples).
fn audio_start(path: &Path) -> (f64, String) {
    let probe = ffprobe(path);
    let a = probe.of_type("audio")[0];
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a:0", "-read_intervals", "%+#3"])
        .args(["-show_entries", "frame=pts_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').parse::<f64>().ok())
        .fold(f64::INFINITY, f64::min);
    assert!(first.is_finite(), "no decoded audio frame in {}", path.display());
    (first, a.codec_name.clone())
}

/// SNR in dB of `got` against `want`, channel `c` of `channels`, over samples `from..to`.
fn snr(want: &[f32], got: &[f32], channels: usize, c: usize, from: usize, to: usize) -> f64 {
    let (mut sig, mut noise) = (0f64, 0f64);
    for i in from..to {
        let (w, g) = (want[i * channels + c] as f64, got[i * channels + c] as f64);
        sig += w * w;
        noise += (w - g) * (w - g);
    }
    if noise == 0.0 {
        return f64::INFINITY;
    }
    10.0 * (sig / noise).log10()
}

/// Transcodes `input` and checks it against ffmpeg's decode; returns the SNR per channel.
fn check(name: &str, input: &Path) -> Vec<f64> {
    check_at_least(name, input, MIN_SNR_DB)
}

/// [`check`] with another bar.
fn check_at_least(name: &str, input: &Path, min_db: f64) -> Vec<f64> {
    let m = measure(name, input);
    for (c, s) in m.snr.iter().enumerate() {
        assert!(*s >= min_db, "{name}: channel {c} SNR {s:.1} dB < {min_db} (all: {:.1?})", m.snr);
    }
    m.snr
}

/// Our decode against ffmpeg's, per channel: SNR, and the difference's level against full
/// scale (dBFS), which does not depend on how loud the film is.
struct Match {
    snr: Vec<f64>,
    noise_dbfs: Vec<f64>,
}

/// Transcodes `input`; the same start and number of samples as ffmpeg's decode, then how close.
fn measure(name: &str, input: &Path) -> Match {
    measure_as(name, input, None)
}

/// [`measure`], our channel `i` against ffmpeg's channel `order[i]` when FFmpeg's layout has
/// channels FLAC has no place for.
fn measure_as(name: &str, input: &Path, order: Option<&[usize]>) -> Match {
    let out = workdir().join(format!("{name}.mp4"));
    let moved = remux(input, &out, None);
    let (src_start, src_codec) = audio_start(input);
    let (out_start, out_codec) = audio_start(&out);
    assert_eq!(out_codec, "flac", "{name}: output codec");
    // The FLAC frames follow each other without a gap or an overlap, as the decoded samples do
    // (ffprobe: each frame's time and samples, in the track's 1/rate time base).
    let frames = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a:0", "-show_entries", "frame=pts,nb_samples", "-of", "csv=p=0"])
        .arg(&out)
        .output()
        .unwrap();
    let frames: Vec<(i64, i64)> = String::from_utf8_lossy(&frames.stdout)
        .lines()
        .filter_map(|l| {
            let mut it = l.trim().trim_end_matches(',').split(',').map(|x| x.parse::<i64>().ok());
            Some((it.next()??, it.next()??))
        })
        .collect();
    assert!(frames.len() > 1, "{name}: ffprobe lists no FLAC frames");
    for w in frames.windows(2) {
        assert_eq!(w[0].0 + w[0].1, w[1].0, "{name}: a FLAC frame at {} of {} samples is followed by one at {}", w[0].0, w[0].1, w[1].0);
    }
    // An MP4 source's edit list hides the encoder's priming (ffmpeg's AC-3 encoder: 256
    // samples): the output keeps those samples before the presentation start (every track
    // moved that much later; the page cuts them with appendWindowStart), so skip them, no more.
    assert!(
        (out_start - src_start).abs() < 1e-6,
        "{name}: the audio starts at {out_start} s (tracks moved {moved} s), the source's at {src_start} s"
    );
    let skip = (moved * 48000.0).round() as usize;
    let (want, ch) = decode(input);
    let (got, got_ch) = decode(&out);
    assert_eq!(got_ch, ch, "{name}: channels");
    let got = got[skip * ch..].to_vec();
    assert_eq!(got.len() / ch, want.len() / ch, "{name}: samples per channel ({src_codec})");
    let want: Vec<f32> = match order {
        Some(o) => want.chunks_exact(ch).flat_map(|f| o.iter().map(|&c| f[c])).collect(),
        None => want,
    };
    let n = want.len() / ch;
    let snrs: Vec<f64> = (0..ch).map(|c| snr(&want, &got, ch, c, 0, n)).collect();
    let noise_dbfs: Vec<f64> = (0..ch)
        .map(|c| {
            let e: f64 = (0..n).map(|i| (want[i * ch + c] as f64 - got[i * ch + c] as f64).powi(2)).sum();
            10.0 * (e / n as f64).log10()
        })
        .collect();
    eprintln!(
        "{name} ({src_codec}, {ch} ch, {n} samples): SNR per channel {snrs:.1?} dB; difference {noise_dbfs:.1?} dBFS"
    );
    Match { snr: snrs, noise_dbfs }
}

#[test]
fn ac3_stereo_mkv() {
    if !have_encoders(&["libx264", "ac3"]) {
        return;
    }
    let f = make("mkv", "stereo", &["-c:a", "ac3", "-b:a", "192k"]).unwrap();
    check("ac3-2.0-mkv", &f);
}

#[test]
fn ac3_5_1_mkv_mp4_avi() {
    if !have_encoders(&["libx264", "ac3"]) {
        return;
    }
    for ext in ["mkv", "mp4", "avi"] {
        let f = make(ext, "5.1", &["-c:a", "ac3", "-b:a", "640k"]).unwrap();
        check(&format!("ac3-5.1-{ext}"), &f);
    }
}

#[test]
fn eac3_5_1_mkv_and_mp4() {
    if !have_encoders(&["libx264", "eac3"]) {
        return;
    }
    for ext in ["mkv", "mp4"] {
        let f = make(ext, "5.1", &["-c:a", "eac3", "-b:a", "640k"]).unwrap();
        check(&format!("eac3-5.1-{ext}"), &f);
    }
}

#[test]
fn dts_5_1_mkv() {
    if !have_encoders(&["libx264", "dca"]) {
        return;
    }
    let f = make("mkv", "5.1", &["-c:a", "dca", "-strict", "-2"]).unwrap();
    check("dts-5.1-mkv", &f);
}

#[test]
fn vorbis_webm_like_mkv() {
    if !have_encoders(&["libx264", "libvorbis"]) {
        return;
    }
    let f = make("mkv", "5.1", &["-c:a", "libvorbis", "-q:a", "6"]).unwrap();
    check("vorbis-5.1-mkv", &f);
    let f = make("mkv", "stereo", &["-c:a", "libvorbis", "-q:a", "4"]).unwrap();
    check("vorbis-2.0-mkv", &f);
}

/// 7.1: the only 7.1 source this ffmpeg (5.1) can write among the transcoded codecs is
/// Vorbis: its `eac3` encoder writes no dependent substream and its `dca` encoder no
/// XCH/XXCH extension, so both fold a 7.1 input to 5.1. Vorbis orders 8 channels
/// FL FC FR SL SR RL RR LFE, FLAC FL FR FC LFE BL BR SL SR: every channel's own tone must land
/// where ffmpeg's decode of the source puts it.
#[test]
fn vorbis_7_1_keeps_every_channel_in_place() {
    if !have_encoders(&["libx264", "libvorbis"]) {
        return;
    }
    let f = make("mkv", "7.1", &["-c:a", "libvorbis", "-q:a", "6"]).unwrap();
    let snrs = check("vorbis-7.1-mkv", &f);
    assert_eq!(snrs.len(), 8);
}

/// `raw` (interleaved s16le in ffmpeg's channel order) encoded whole by `enc`, an oxideav-ac3
/// encoder whose channel `i` is ffmpeg's channel `order[i]`: the elementary stream's bytes.
fn encode_with_oxideav(raw: &Path, order: &[usize], mut enc: Box<dyn oxideav_core::Encoder>) -> Vec<u8> {
    use oxideav_core::{AudioFrame, Frame};
    let pcm: Vec<i16> =
        std::fs::read(raw).unwrap().chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
    let mut s16 = Vec::with_capacity(pcm.len() * 2);
    for frame in pcm.chunks_exact(order.len()) {
        for &c in order {
            s16.extend_from_slice(&frame[c].to_le_bytes());
        }
    }
    let samples = (pcm.len() / order.len()) as u32;
    enc.send_frame(&Frame::Audio(AudioFrame { samples, pts: Some(0), data: vec![s16] })).unwrap();
    enc.flush().unwrap();
    let mut bytes = Vec::new();
    while let Ok(p) = enc.receive_packet() {
        bytes.extend_from_slice(&p.data);
    }
    bytes
}

/// E-AC-3 7.1: an independent 5.1 substream plus a dependent one carrying the rear pair
/// (chanmap Lrs/Rrs), which this ffmpeg (5.1) can decode but not write. oxideav-ac3's encoder
/// writes it from ffmpeg's 7.1 tones; ffmpeg copies the elementary stream into MKV. FLAC's
/// 7.1 has the independent Ls/Rs as SL/SR and the dependent Lrs/Rrs as BL/BR (FFmpeg's labels).
#[test]
fn eac3_7_1_with_a_dependent_substream_keeps_every_channel_in_place() {
    use oxideav_core::{CodecId, CodecParameters, SampleFormat};
    if !have_encoders(&["pcm_s16le"]) {
        return;
    }
    let dir = workdir();
    let (raw, es) = (dir.join("7.1.s16"), dir.join("7.1.eac3"));
    let ffmpeg = |args: &[&str]| {
        let st = Command::new("ffmpeg").args(["-v", "error", "-y"]).args(args).status().unwrap();
        assert!(st.success(), "ffmpeg {args:?}");
    };
    let src = tones("7.1");
    ffmpeg(&["-f", "lavfi", "-i", &src, "-t", &SECONDS.to_string(), "-f", "s16le", raw.to_str().unwrap()]);
    // ffmpeg's 7.1 order FL FR FC LFE BL BR SL SR into the encoder's L C R Ls Rs LFE Lb Rb
    // (Ls/Rs go to the independent substream, Lb/Rb to the dependent one as Lrs/Rrs).
    let order = [0, 2, 1, 6, 7, 3, 4, 5];
    let mut params = CodecParameters::audio(CodecId::new("eac3"));
    params.sample_rate = Some(48_000);
    params.channels = Some(8);
    params.sample_format = Some(SampleFormat::S16);
    params.bit_rate = Some(1_024_000);
    let enc = oxideav_ac3::eac3::encoder::make_encoder(&params).unwrap();
    let bytes = encode_with_oxideav(&raw, &order, enc);
    std::fs::write(&es, &bytes).unwrap();
    // The same elementary stream in MKV and in MP4 (where the `dec3` box announces the
    // dependent substream and each sample holds both substreams).
    for ext in ["mkv", "mp4"] {
        let src = dir.join(format!("eac3-7.1.{ext}"));
        ffmpeg(&["-i", es.to_str().unwrap(), "-c", "copy", src.to_str().unwrap()]);
        check_7_1(&dir, &src, ext);
    }
}

fn check_7_1(dir: &Path, mkv: &Path, ext: &str) {
    let probe = ffprobe(mkv);
    let a = probe.of_type("audio")[0];
    assert_eq!(a.json["channels"].as_u64(), Some(8), "ffprobe's channels of {}", mkv.display());
    assert_eq!(a.json["channel_layout"].as_str(), Some("7.1"), "ffprobe's layout");
    // ffmpeg 5.1's decoder yields 8 channels but misplaces the dependent substream's: its SL
    // is silent and its SR repeats BL, so the independent Ls/Rs tones are lost. Measured
    // here so that a fixed ffmpeg makes this test say so; FL FR FC LFE BL BR it gets right.
    let (want, ch) = decode(mkv);
    assert_eq!(ch, 8, "ffmpeg's decode of the source");
    let energy = |pcm: &[f32], c: usize| pcm.chunks_exact(8).map(|f| (f[c] as f64).powi(2)).sum::<f64>();
    assert!(energy(&want, 6) == 0.0, "ffmpeg now decodes SL: compare all 8 channels with check()");
    let out = dir.join(format!("eac3-7.1-{ext}.mp4"));
    remux(mkv, &out, None);
    let (got, got_ch) = decode(&out);
    assert_eq!(got_ch, 8, "our FLAC's channels");
    assert_eq!(got.len(), want.len(), "samples");
    let n = want.len() / 8;
    let snrs: Vec<f64> = (0..6).map(|c| snr(&want, &got, 8, c, 0, n)).collect();
    // Tone frequency per FLAC channel (zero crossings over the middle second): each is the
    // tone `tones("7.1")` put in that channel, SL 770 Hz and SR 1100 Hz included.
    let hz: Vec<usize> = (0..8)
        .map(|c| (48_000..96_000).filter(|&i| (got[i * 8 + c] >= 0.0) != (got[(i - 1) * 8 + c] >= 0.0)).count() / 2)
        .collect();
    eprintln!("eac3-7.1-{ext}: SNR FL..BR against ffmpeg {snrs:.1?} dB; tone Hz per channel {hz:?}");
    // The two decoders agree to 78.7-79.8 dB on this encoder's independent fronts (88 dB on
    // the dependent pair, 108 dB on the LFE), not the 90 dB of ffmpeg's own E-AC-3 at the same
    // 384 kb/s; likely each decoder's own dither in zero-bit mantissas, not proven
    // (docs/DESIGN.md). A channel in the wrong place scores below 0 dB, so 75 dB still
    // checks the placement.
    const MIN_7_1_SNR_DB: f64 = 75.0;
    for (c, s) in snrs.iter().enumerate() {
        assert!(*s >= MIN_7_1_SNR_DB, "{ext}: channel {c} SNR {s:.1} dB < {MIN_7_1_SNR_DB} (all: {snrs:.1?})");
    }
    for (c, (&h, want_hz)) in hz.iter().zip([440, 660, 550, 60, 880, 990, 770, 1100]).enumerate() {
        // The 60 Hz LFE goes through the LFE's 120 Hz low-pass; the zero count is rougher there.
        assert!(h.abs_diff(want_hz) <= if c == 3 { 20 } else { 2 }, "{ext}: channel {c}: {h} Hz, want {want_hz} (all: {hz:?})");
    }
}

/// After a seek to the middle, the first audio sample is a source frame's start at or before
/// the target, and from the second frame on the PCM is ffmpeg's decode of the whole file
/// (the first frame after a fresh start lacks its predecessor's overlap, in ffmpeg too).
#[test]
fn seek_restarts_at_a_frame_at_or_before_the_target() {
    if !have_encoders(&["libx264", "ac3"]) {
        return;
    }
    let f = make("mkv", "5.1", &["-c:a", "ac3", "-b:a", "640k"]).unwrap();
    let target = 3.3;
    let out = workdir().join("ac3-seek.mp4");
    remux(&f, &out, Some(target));
    let (start, _) = audio_start(&out);
    let frame = 1536.0 / 48000.0;
    assert!(start <= target + 1e-6, "audio restarts at {start} s, after the target {target} s");
    assert!(target - start < 1.0 + frame, "audio restarts at {start} s, far before the target {target} s");
    let frames = start / frame;
    assert!((frames - frames.round()).abs() < 1e-3, "{start} s is not a source frame's start");
    let (want, ch) = decode(&f);
    let (got, _) = decode(&out);
    let first = (start * 48000.0).round() as usize;
    let n = got.len() / ch;
    assert_eq!(first + n, want.len() / ch, "the output runs to the source's end");
    // Shift the reference to the output's start.
    let want = &want[first * ch..];
    for c in 0..ch {
        let s = snr(want, &got, ch, c, 1536, n);
        eprintln!("after seek: channel {c} SNR {s:.1} dB");
        assert!(s >= MIN_SNR_DB, "after seek: channel {c} SNR {s:.1} dB");
    }
}

/// The player's media byte budget counts the FLAC the transcode writes (far more bytes per
/// second than the source's AC-3), from what the pipeline says.
#[test]
fn the_byte_budget_is_told_what_the_flac_adds() {
    if !have_encoders(&["libx264", "ac3"]) {
        return;
    }
    let f = make("mkv", "5.1", &["-c:a", "ac3", "-b:a", "640k"]).unwrap();
    let mut src = FileSource::open(&f).unwrap();
    let mut p = Pipeline::open(&mut src).unwrap();
    let said = p.transcoded_bytes_per_second();
    assert_eq!(said, 2.0 * 6.0 * 48000.0);
    // Not less than what it really writes for these tones.
    let mut bytes = 0usize;
    loop {
        match p.step(&mut src).unwrap() {
            Step::Segment(s) => bytes += s.data.len(),
            Step::Init(_) => {}
            Step::Frames(_) => unreachable!("only a pipeline told to encode video gives frames"),
            Step::End => break,
        }
    }
    assert!((bytes as f64) < said * SECONDS, "{bytes} bytes in {SECONDS} s");
    // Without a transcode, nothing is added.
    let aac = make("mkv", "stereo", &["-c:a", "aac"]).unwrap();
    let mut src = FileSource::open(&aac).unwrap();
    assert_eq!(Pipeline::open(&mut src).unwrap().transcoded_bytes_per_second(), 0.0);
}

/// A dynamic-range word (`dynrng`, A/52 §7.7.1) scales every channel of its block, the LFE
/// included, as FFmpeg applies it. Dolby's encoders write one in every block (ExoPlayer's
/// E-AC-3 sample: our LFE came out 12 dB louder than FFmpeg's); ffmpeg's encoder writes none,
/// so this test writes the stream with oxideav-ac3's encoder and a -12 dB word.
#[test]
fn dynamic_range_words_scale_the_lfe_too() {
    use oxideav_core::{CodecId, CodecOptions, CodecParameters, SampleFormat};
    if !have_encoders(&["pcm_s16le"]) {
        return;
    }
    let dir = workdir();
    let (raw, es, mkv) = (dir.join("drc.s16"), dir.join("drc.ac3"), dir.join("ac3-drc.mkv"));
    let ffmpeg = |args: &[&str]| {
        let st = Command::new("ffmpeg").args(["-v", "error", "-y"]).args(args).status().unwrap();
        assert!(st.success(), "ffmpeg {args:?}");
    };
    ffmpeg(&["-f", "lavfi", "-i", &tones("5.1"), "-t", "2", "-f", "s16le", raw.to_str().unwrap()]);
    let mut params = CodecParameters::audio(CodecId::new("ac3"));
    params.sample_rate = Some(48_000);
    params.channels = Some(6);
    params.sample_format = Some(SampleFormat::S16);
    params.bit_rate = Some(640_000);
    params.options = CodecOptions::new().set("dynrng", "0xC0"); // -12.04 dB
    let enc = oxideav_ac3::encoder::make_encoder(&params).unwrap();
    // ffmpeg's 5.1 order FL FR FC LFE BL BR into the encoder's L C R Ls Rs LFE.
    let bytes = encode_with_oxideav(&raw, &[0, 2, 1, 4, 5, 3], enc);
    std::fs::write(&es, &bytes).unwrap();
    ffmpeg(&["-i", es.to_str().unwrap(), "-c", "copy", mkv.to_str().unwrap()]);
    // This encoder's streams agree with FFmpeg's decode to 67-74 dB on the other channels
    // (see the 7.1 test above); an LFE left at unity gain scored -9.5 dB.
    let snrs = check_at_least("ac3-5.1-dynrng-mkv", &mkv, 60.0);
    assert!(snrs[3] >= MIN_SNR_DB, "LFE {:.1} dB (all: {snrs:.1?})", snrs[3]);
}

/// Real-world tracks (docs/SAMPLES.md), from `RIPTIDE_SAMPLES_DIR`: an elementary stream is
/// copied into MKV as it is (`-c copy`: the bitstream stays the real encoder's).
fn real_world(name: &str, what: &str) -> Option<PathBuf> {
    let path = support::samples::sample(name, what)?;
    if !support::have_ffmpeg() {
        return None;
    }
    if path.extension().is_some_and(|e| e == "mkv" || e == "mp4" || e == "avi") {
        return Some(path);
    }
    let mkv = workdir().join(format!("{name}.mkv"));
    let st = Command::new("ffmpeg").args(["-v", "error", "-y", "-i"]).arg(&path).args(["-c", "copy"]).arg(&mkv).status().unwrap();
    assert!(st.success(), "ffmpeg could not copy {name} into MKV");
    Some(mkv)
}

/// Real-world tracks (docs/SAMPLES.md) against FFmpeg's decode: the same start and length,
/// every channel in its place, and a difference below `max_dbfs` of full scale on every
/// channel (a 16-bit step is -90.3 dBFS; a channel in the wrong place differs by about the
/// film's own level, -20 to -40 dBFS). `order`: FFmpeg's channel for each of ours.
///
/// The SNR is printed but is not the bar: Dolby's encoders code many mantissas with zero
/// bits, which both decoders fill with their own random dither (A/52 §7.3.4), so on quiet
/// speech the two decodes differ by that dither, 60-80 dB below the signal (likely; not
/// proven). Our ffmpeg-made fixtures above have less of it and meet 80 dB.
#[test]
fn real_world_ac3_eac3_and_dts_match_ffmpeg() {
    const REAL: &[(&str, Option<&[usize]>, f64)] = &[
        // AC-3 3/2+LFE 384 kb/s, Dolby's channel identification (a voice per channel).
        ("dolby-5ch_dd_25fps_channel_id.ac3", None, -90.0),
        // E-AC-3 7.1: 5.1 plus a dependent substream with the rear pair.
        ("dolby-7ch_ddp_25fps_channel_id.ec3", None, -90.0),
        // E-AC-3 5.1.2 in MP4 (with H.264): the dependent pair is the front heights, which
        // FFmpeg names TFL TFR and we carry as FLAC's BL BR (FFmpeg: FL FR FC LFE SL SR TFL TFR).
        ("dolby-7ch_ddp_25fps_acmod_19.mp4", Some(&[0, 1, 2, 3, 6, 7, 4, 5]), -90.0),
        // E-AC-3 JOC (Atmos) 5.1 core at 640 kb/s, with dynamic-range words in every block.
        ("exoplayer-sample_eac3joc.ec3", None, -85.0),
        // E-AC-3 5.1 at 6 Mb/s with one block per syncframe.
        ("exoplayer-sample.eac3", None, -90.0),
        // DTS 5.1 core at 768 kb/s (digital silence: the length and timing are what it checks).
        ("androidx-sample_with_dts.mkv", None, -90.0),
        // DTS-HD MA 7.1 (digital silence): announced with 8 channels, its core is 5.1. Every
        // frame failed on the count and played 1536 samples of silence for 512 (3.0 s for
        // 1.0 s); the core now fills FLAC 7.1 and the length is FFmpeg's.
        ("androidx-sample_with_dts_hd_ma.mkv", None, -90.0),
    ];
    let mut table = Vec::new();
    for &(name, order, max_dbfs) in REAL {
        let Some(input) = real_world(name, "AC-3, E-AC-3 and DTS") else {
            return;
        };
        let m = measure_as(name, &input, order);
        for (c, d) in m.noise_dbfs.iter().enumerate() {
            assert!(*d <= max_dbfs, "{name}: channel {c} differs from FFmpeg's by {d:.1} dBFS > {max_dbfs} (all: {:.1?})", m.noise_dbfs);
        }
        table.push(format!("{name}: SNR {:.1?} dB, difference {:.1?} dBFS", m.snr, m.noise_dbfs));
    }
    eprintln!("{}", table.join("\n"));
}

