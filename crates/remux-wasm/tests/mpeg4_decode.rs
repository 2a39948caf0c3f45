//! The MPEG-4 Part 2 (Xvid/DivX) decoder against FFmpeg's `mpeg4` decoder, on AVI files ffmpeg
//! makes at test time with each coding tool real files use: B-frames, quarter-pel, four
//! motion vectors per macroblock, AC prediction, MPEG quantisation, interlacing, a size that
//! is not a multiple of 16, and the packed bitstream of DivX 5 (made here from an unpacked
//! file, as ffmpeg writes none).
//!
//! Each frame must be within 50 dB PSNR of FFmpeg's (IDCT rounding may differ), frames in
//! the same number and order, timed evenly by the AVI's chunk times.
#![cfg(not(target_arch = "wasm32"))]

use test_support as support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use remux_wasm::demux::avi::AviDemuxer;
use remux_wasm::demux::Demuxer;
use remux_wasm::io::{ByteSource, FileSource};
use remux_wasm::transcode::mpeg4_video::{I420Frame, Mpeg4VideoDecoder};
use remux_wasm::{Packet, Timestamp, TrackKind};

/// The video packets of an AVI and the video track's codec private bytes.
fn video_packets(path: &Path) -> (Vec<u8>, Vec<Packet>) {
    let mut src = FileSource::open(path).unwrap();
    let src: &mut dyn ByteSource = &mut src;
    let mut d = AviDemuxer::open(src).unwrap();
    let track = d
        .tracks()
        .iter()
        .find(|t| t.kind == TrackKind::Video)
        .unwrap()
        .clone();
    let mut out = Vec::new();
    while let Some(p) = d.next_packet(src).unwrap() {
        if p.track_id == track.id {
            out.push(p);
        }
    }
    (track.codec_private, out)
}

/// FFmpeg's decode: every decoded frame (no frame rate conversion), I420.
fn reference(path: &Path) -> (Vec<Vec<u8>>, f64) {
    let raw = support::scratch(&format!(
        "{}.yuv",
        path.file_stem().unwrap().to_string_lossy()
    ));
    let started = Instant::now();
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-nostdin", "-threads", "1", "-i"])
        .arg(path)
        .args([
            "-map",
            "0:v",
            "-fps_mode",
            "passthrough",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&raw)
        .output()
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let probe = support::ffprobe(path);
    let v = &probe.of_type("video")[0].json;
    let (w, h) = (
        v["width"].as_u64().unwrap() as usize,
        v["height"].as_u64().unwrap() as usize,
    );
    let size = w * h + 2 * w.div_ceil(2) * h.div_ceil(2);
    let bytes = std::fs::read(&raw).unwrap();
    assert_eq!(bytes.len() % size, 0);
    (bytes.chunks(size).map(<[u8]>::to_vec).collect(), secs)
}

fn decode(private: &[u8], packets: &[Vec<u8>], pts: &[i64]) -> (Vec<I420Frame>, f64) {
    let started = Instant::now();
    let mut d = Mpeg4VideoDecoder::new(private).unwrap();
    let mut frames = Vec::new();
    for (data, &t) in packets.iter().zip(pts) {
        frames.extend(d.decode(data, Timestamp(t)).unwrap());
    }
    frames.extend(d.flush());
    (frames, started.elapsed().as_secs_f64())
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let se: u64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (i64::from(x) - i64::from(y)).pow(2) as u64)
        .sum();
    if se == 0 {
        return f64::INFINITY;
    }
    10.0 * (255.0f64 * 255.0 * a.len() as f64 / se as f64).log10()
}

/// Our frames against FFmpeg's: count, order (times increasing) and PSNR per frame.
fn compare(name: &str, ours: &[I420Frame], theirs: &[Vec<u8>], secs: (f64, f64)) {
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{name}: {} frames decoded, FFmpeg decodes {}",
        ours.len(),
        theirs.len()
    );
    let mut worst = f64::INFINITY;
    let mut exact = 0;
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        let p = psnr(&a.data, b);
        assert!(p >= 50.0, "{name}: frame {i} is {p:.2} dB from FFmpeg's");
        worst = worst.min(p);
        exact += usize::from(p.is_infinite());
    }
    for w in ours.windows(2) {
        assert!(
            w[1].pts > w[0].pts,
            "{name}: frame times go {:?} -> {:?}",
            w[0].pts,
            w[1].pts
        );
    }
    assert_eq!(ours[0].pts, Timestamp(0), "{name}: first frame time");
    assert!(ours[0].key, "{name}: the first frame is a key frame");
    eprintln!(
        "{name}: {} frames {}x{}, {exact} identical to FFmpeg's, worst {worst:.2} dB; \
         decode {:.0} frames/s (FFmpeg -threads 1, with process start: {:.0} frames/s)",
        ours.len(),
        ours[0].width,
        ours[0].height,
        ours.len() as f64 / secs.0,
        ours.len() as f64 / secs.1,
    );
}

/// An Xvid AVI from `video` args (3 s of test pattern + MP3), decoded by us and by FFmpeg.
fn check(name: &str, size: &str, video: &[&str]) {
    let mut args = support::av_inputs(size, 3.0);
    args.extend(["-c:v", "mpeg4", "-vtag", "XVID", "-g", "25", "-q:v", "5"].map(String::from));
    args.extend(video.iter().map(|s| s.to_string()));
    args.extend(["-c:a", "libmp3lame"].map(String::from));
    let Some(path) = support::fixture("avi", &args) else {
        return;
    };
    decode_and_compare(name, &path);
}

/// Our decode of `path`'s video against FFmpeg's ([`compare`]: frames, order, PSNR).
fn decode_and_compare(name: &str, path: &Path) {
    let (private, packets) = video_packets(path);
    let pts: Vec<i64> = packets.iter().map(|p| p.pts.0).collect();
    let data: Vec<Vec<u8>> = packets.into_iter().map(|p| p.data).collect();
    let (ours, our_secs) = decode(&private, &data, &pts);
    let (theirs, their_secs) = reference(path);
    compare(name, &ours, &theirs, (our_secs, their_secs));
}

#[test]
fn b_frames() {
    check("xvid -bf 2", "352x288", &["-bf", "2"]);
}

#[test]
fn quarter_pel() {
    check(
        "xvid qpel -bf 2",
        "352x288",
        &["-bf", "2", "-flags", "+qpel"],
    );
}

#[test]
fn four_motion_vectors() {
    check("xvid 4mv -bf 2", "352x288", &["-bf", "2", "-flags", "+mv4"]);
}

#[test]
fn every_tool_at_once() {
    check(
        "xvid qpel+4mv+aic -bf 2",
        "352x288",
        &["-bf", "2", "-flags", "+qpel+mv4+aic"],
    );
}

#[test]
fn mpeg_quantisation() {
    check(
        "xvid mpeg_quant -bf 2",
        "352x288",
        &["-bf", "2", "-mpeg_quant", "1"],
    );
}

#[test]
fn interlaced() {
    check(
        "xvid interlaced -bf 2",
        "352x288",
        &["-bf", "2", "-flags", "+ildct+ilme"],
    );
}

#[test]
fn size_not_a_multiple_of_16() {
    check("xvid 340x190 -bf 2", "340x190", &["-bf", "2"]);
}

/// DivX 5's packed bitstream: a P-VOP travels with the B-VOP shown before it, and a "not
/// coded" VOP fills the P-VOP's own chunk. Made from an unpacked file's chunks; FFmpeg's
/// decode of the unpacked file is the reference (the same VOPs).
#[test]
fn packed_bitstream() {
    let mut args = support::av_inputs("352x288", 3.0);
    args.extend(
        [
            "-c:v", "mpeg4", "-vtag", "DX50", "-g", "25", "-q:v", "5", "-bf", "1", "-an",
        ]
        .map(String::from),
    );
    let Some(path) = support::fixture("avi", &args) else {
        return;
    };
    let (private, packets) = video_packets(&path);
    let n = packets.len();
    let (packed, placeholders) = pack(&packets);
    assert_eq!(packed.len(), n);
    assert!(placeholders.len() > 20, "the fixture has B-frames to pack");
    let pts: Vec<i64> = (0..n as i64).collect();
    let (ours, our_secs) = decode(&private, &packed, &pts);
    let (theirs, their_secs) = reference(&path);
    compare("DX50 packed -bf 1", &ours, &theirs, (our_secs, their_secs));
    assert_eq!(
        ours.iter().map(|f| f.pts.0).collect::<Vec<_>>(),
        pts,
        "one frame per chunk time"
    );
}

/// The DX50 fixture's chunks packed as DivX 5 writes them (decode order I P B P B ...: each
/// anchor travels with the B-VOP shown before it), and the indices of the placeholder chunks.
fn pack(packets: &[Packet]) -> (Vec<Vec<u8>>, Vec<usize>) {
    let n = packets.len();
    let vop_type = |p: &Packet| {
        let at = memchr_vop(&p.data).expect("every chunk has a VOP");
        p.data[at + 4] >> 6
    };
    let mut packed: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    let mut placeholders = Vec::new();
    while i < n {
        let anchor = &packets[i];
        let bs = packets[i + 1..].iter().take_while(|p| vop_type(p) == 2).count();
        if bs == 0 {
            packed.push(anchor.data.clone());
        } else {
            let mut first = anchor.data.clone();
            first.extend_from_slice(&packets[i + 1].data);
            packed.push(first);
            for b in &packets[i + 2..i + 1 + bs] {
                packed.push(b.data.clone());
            }
            placeholders.push(packed.len());
            packed.push(not_coded_vop());
        }
        i += 1 + bs;
    }
    (packed, placeholders)
}

/// A packed stream that ends before the placeholder of its last P-VOP (MEncoder's Xvid files
/// end so): the P-VOP has no chunk time, and is dropped as FFmpeg drops it, rather than shown
/// at time 0 after the others.
#[test]
fn a_packed_stream_cut_before_a_placeholder_keeps_its_times_in_order() {
    let mut args = support::av_inputs("352x288", 3.0);
    args.extend(["-c:v", "mpeg4", "-vtag", "DX50", "-g", "25", "-q:v", "5", "-bf", "1", "-an"].map(String::from));
    let Some(path) = support::fixture("avi", &args) else {
        return;
    };
    let (private, packets) = video_packets(&path);
    let (packed, placeholders) = pack(&packets);
    let cut = placeholders[placeholders.len() / 2];
    let pts: Vec<i64> = (0..cut as i64).collect();
    let (ours, _) = decode(&private, &packed[..cut], &pts);
    assert_eq!(ours.iter().map(|f| f.pts.0).collect::<Vec<_>>(), pts, "one frame per chunk time, in order");
}

fn memchr_vop(b: &[u8]) -> Option<usize> {
    b.windows(4).position(|w| w == [0, 0, 1, 0xB6])
}

/// A "not coded" P-VOP as DivX 5 writes into the chunk after a packed one: P type, no
/// seconds, marker, a `vop_time_increment` of 0 (5 bits: ffmpeg's 1/25 clock), marker,
/// `vop_coded` 0, then stuffing.
fn not_coded_vop() -> Vec<u8> {
    // 01 0 1 00000 1 0 + stuffing 0111 (to the byte)...
    // bits: 0101 0000 | 0100 1111
    vec![0, 0, 1, 0xB6, 0b0101_0000, 0b0100_1111]
}

/// The size of a typical Xvid film (720×400, 25 fps): its decode speed is printed beside
/// FFmpeg's (docs/DESIGN.md, "Xvid").
#[test]
fn film_size() {
    check("xvid 720x400 -bf 2", "720x400", &["-bf", "2"]);
}

/// The transcode stage after a seek: reset, then fed from a later key frame on (as the
/// demuxer's seek gives it), it yields the same frames at the same times as a decode of the
/// whole file from there on, timed in microseconds for the encoder.
#[test]
fn the_stage_resumes_after_a_seek_with_the_same_frames() {
    use remux_wasm::transcode::video::VideoTranscode;
    let mut args = support::av_inputs("352x288", 3.0);
    args.extend(
        [
            "-c:v", "mpeg4", "-vtag", "XVID", "-g", "25", "-q:v", "5", "-bf", "2", "-an",
        ]
        .map(String::from),
    );
    let Some(path) = support::fixture("avi", &args) else {
        return;
    };
    let mut src = FileSource::open(&path).unwrap();
    let src: &mut dyn ByteSource = &mut src;
    let mut d = AviDemuxer::open(src).unwrap();
    let track = d.tracks()[0].clone();
    let mut packets = Vec::new();
    while let Some(p) = d.next_packet(src).unwrap() {
        packets.push(p);
    }
    let mut stage = VideoTranscode::for_track(&track)
        .expect("Xvid is transcoded")
        .unwrap();
    assert_eq!(stage.output().codec, remux_wasm::Codec::H264);
    assert!(!stage.has_config(), "the avcC comes from the encoder");
    let mut whole = Vec::new();
    for p in &packets {
        stage.push(p).unwrap();
        whole.extend(stage.take_frames());
    }
    stage.finish();
    whole.extend(stage.take_frames());
    assert_eq!(whole.len(), packets.len());
    for (i, f) in whole.iter().enumerate() {
        assert_eq!(
            stage.encoder_time(f),
            i as i64 * 40_000,
            "frame {i} at 25 fps in µs"
        );
    }

    // Seek: to the second key frame (the demuxer lands on it), after some decoding elsewhere.
    let key = packets
        .iter()
        .enumerate()
        .filter(|(_, p)| p.keyframe)
        .nth(1)
        .unwrap()
        .0;
    stage.reset().unwrap();
    for p in &packets[key..] {
        stage.push(p).unwrap();
    }
    stage.finish();
    let resumed = stage.take_frames();
    let first = resumed[0].pts;
    assert!(
        resumed[0].key,
        "the first frame after a seek is the key frame"
    );
    let tail: Vec<_> = whole.iter().filter(|f| f.pts >= first).collect();
    assert_eq!(resumed.len(), tail.len(), "frames after the seek");
    for (a, b) in resumed.iter().zip(tail) {
        assert_eq!((a.pts, a.key), (b.pts, b.key));
        assert!(
            psnr(&a.data, &b.data).is_infinite(),
            "frame at {:?} differs",
            a.pts
        );
    }
}

/// Our patch of the decoder (third_party/oxideav-mpeg4video, docs/DESIGN.md "Xvid"): half-pel
/// blocks that lie inside the reference plane are computed from whole rows. Whatever path a
/// block takes, it must equal the §7.6.4 clamped per-sample equation (`fetch_clamped_sample`),
/// for every half-pel vector and rounding type, at positions inside the plane, touching and
/// crossing each edge, on a plane whose stride is wider than its width.
#[test]
fn half_pel_blocks_equal_the_clamped_equation_everywhere() {
    use oxideav_mpeg4video::{fetch_clamped_sample, interpolate_block_into, split_half_pel, ReferenceVop};
    let (w, h, stride) = (40usize, 36usize, 45usize);
    let buf: Vec<u8> = (0..stride * h).map(|k| ((k * 7919 + k / 3) % 256) as u8).collect();
    let vop = ReferenceVop::with_stride(&buf, w, h, stride).unwrap();
    for (bw, bh) in [(8usize, 8usize), (16, 16), (16, 8)] {
        for oy in (0..h as i32).step_by(4) {
            for ox in (0..w as i32).step_by(4) {
                for mvy in -9..=9 {
                    for mvx in -9..=9 {
                        for rc in 0..2u8 {
                            let mut got = vec![0u8; bw * bh];
                            interpolate_block_into(&vop, mvx, mvy, ox, oy, bw, bh, rc, &mut got);
                            let (ix, hx) = split_half_pel(mvx);
                            let (iy, hy) = split_half_pel(mvy);
                            let want: Vec<u8> = (0..bw * bh)
                                .map(|k| {
                                    let (i, j) = ((k % bw) as i32, (k / bw) as i32);
                                    fetch_clamped_sample(&vop, ox + i + ix, oy + j + iy, hx, hy, rc)
                                })
                                .collect();
                            assert_eq!(got, want, "{bw}x{bh} block at ({ox},{oy}), vector ({mvx},{mvy}), rounding {rc}");
                        }
                    }
                }
            }
        }
    }
}

/// A real-world Xvid (docs/SAMPLES.md, from `RIPTIDE_SAMPLES_DIR`): 6.6 s of 320×240 by
/// MEncoder with libxvidcore (user data "XviD0055"), B-frames in the packed bitstream
/// ("DivX503b1393p"), MP3 audio. Every frame within 50 dB of FFmpeg's, same count and order.
#[test]
fn real_world_xvid_by_mencoder() {
    let Some(path) = support::samples::sample("mmaction2-test-xvid-mp3.avi", "Xvid") else {
        return;
    };
    if !support::have_ffmpeg() {
        return;
    }
    decode_and_compare("MEncoder Xvid 320x240 packed -bf", &path);
}
