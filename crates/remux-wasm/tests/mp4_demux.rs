//! The MP4 demuxer against ffprobe, on files ffmpeg makes at test time (H.264 with B-frames +
//! AAC, `moov` at the end and, with `+faststart`, first): same packets per stream (pts, dts,
//! key flag, size), from a file, from a sparse cache filled only where the demuxer asks, and
//! from a truncated copy; then the whole remux path through `riptide-remux`.
#![cfg(not(target_arch = "wasm32"))]

use test_support as support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use remux_wasm::demux::mp4::Mp4Demuxer;
use remux_wasm::demux::{probe, Demuxer};
use remux_wasm::io::{ByteSource, FileSource, SparseCache};
use remux_wasm::{Codec, Error, Packet, TimeBase, TrackKind};
use support::{av_inputs, drain_all, ffprobe, frame_hashes, have_ffmpeg};

/// One packet as ffprobe reports it: (track id, pts, dts, keyframe, size, pos).
type Expected = (u32, i64, i64, bool, usize, u64);

struct Fixture {
    path: PathBuf,
    expected: Vec<Expected>,
}

/// 4 s of test pattern + sine: H.264 (B-frames, GOP 25) + AAC, with extra `flags`.
fn make(ext: &str, flags: &[&str]) -> Option<Fixture> {
    make_with(ext, &[], flags)
}

/// Like [`make`], with `audio_input` options before the audio input (e.g. `-itsoffset`).
fn make_with(ext: &str, audio_input: &[&str], flags: &[&str]) -> Option<Fixture> {
    let inputs = av_inputs("320x240", 4.0);
    // av_inputs: [video input (4 args)], [audio input (4 args)], -t N.
    let mut args: Vec<String> = inputs[..4].to_vec();
    args.extend(audio_input.iter().map(|s| s.to_string()));
    args.extend(inputs[4..].iter().cloned());
    args.extend(
        ["-c:v", "libx264", "-bf", "2", "-g", "25", "-c:a", "aac"]
            .iter()
            .chain(flags)
            .map(|s| s.to_string()),
    );
    let path = support::fixture(ext, &args)?;
    Some(Fixture {
        expected: ffprobe_packets(&path),
        path,
    })
}

/// A bigger file (12 s, lossless video: a few MiB) for the fetch-pattern tests, so that head,
/// mdat and tail are different 256 KiB chunks.
fn big_fixture() -> Option<&'static Fixture> {
    static BIG: OnceLock<Option<Fixture>> = OnceLock::new();
    BIG.get_or_init(|| make("mp4", &["-t", "12", "-crf", "0"]))
        .as_ref()
}

fn fixture(faststart: bool) -> Option<&'static Fixture> {
    static END: OnceLock<Option<Fixture>> = OnceLock::new();
    static START: OnceLock<Option<Fixture>> = OnceLock::new();
    let cell = if faststart { &START } else { &END };
    cell.get_or_init(|| {
        if faststart {
            make("mp4", &["-movflags", "+faststart"])
        } else {
            make("mp4", &[])
        }
    })
    .as_ref()
}

/// ffprobe's packets in file order as [`Expected`], with the MP4 track_ID of each.
fn ffprobe_packets(path: &Path) -> Vec<Expected> {
    let probe = ffprobe(path);
    probe
        .packets
        .iter()
        .map(|p| {
            (
                probe.streams[p.stream].track_id().unwrap(),
                p.pts.unwrap(),
                p.dts.unwrap(),
                p.key,
                p.size,
                p.pos.unwrap(),
            )
        })
        .collect()
}

fn demux_all(src: &mut dyn ByteSource) -> Vec<Packet> {
    drain_all(src, Mp4Demuxer::open).1
}

fn summary(ps: &[Packet]) -> Vec<Expected> {
    ps.iter()
        .map(|p| {
            (
                p.track_id,
                p.pts.0,
                p.dts.unwrap().0,
                p.keyframe,
                p.data.len(),
                p.pos,
            )
        })
        .collect()
}

/// Per track, the same packets in the same order; overall, ours are in file order.
fn assert_matches(got: &[Expected], expected: &[Expected]) {
    let mut ids: Vec<u32> = expected.iter().map(|e| e.0).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2);
    for id in ids {
        let g: Vec<_> = got.iter().filter(|p| p.0 == id).collect();
        let e: Vec<_> = expected.iter().filter(|p| p.0 == id).collect();
        assert!(e.len() > 50, "track {id} has {} packets", e.len());
        assert_eq!(g.len(), e.len(), "packet count of track {id}");
        for (i, (g, e)) in g.iter().zip(&e).enumerate() {
            assert_eq!(g, e, "track {id} packet {i}");
        }
    }
    assert_eq!(got.len(), expected.len());
    assert!(
        got.windows(2).all(|w| w[0].5 < w[1].5),
        "packets in file order"
    );
}

fn check_file(fx: &Fixture) {
    let mut src = FileSource::open(&fx.path).unwrap();
    let d = Mp4Demuxer::open(&mut src).unwrap();
    let tracks = d.tracks();
    assert_eq!(tracks.len(), 2);
    assert_eq!(
        (tracks[0].kind, &tracks[0].codec),
        (TrackKind::Video, &Codec::H264)
    );
    assert_eq!(
        (tracks[1].kind, &tracks[1].codec),
        (TrackKind::Audio, &Codec::Aac)
    );
    assert_eq!(tracks[0].codec_private[0], 1, "avcC configurationVersion");
    assert_eq!(
        tracks[1].codec_private[0] >> 3,
        2,
        "AAC-LC AudioSpecificConfig"
    );
    assert_eq!(
        tracks[0].video.map(|v| (v.width, v.height)),
        Some((320, 240))
    );
    assert_eq!(
        tracks[1].audio.map(|a| (a.sample_rate, a.channels)),
        Some((48000, 1))
    );
    assert_eq!(tracks[1].time_base, TimeBase::new(1, 48000));
    let (dur, tb) = d.duration().expect("mvhd duration");
    assert!(
        (tb.seconds(dur.0 as i64) - 4.0).abs() < 0.1,
        "duration {dur:?} in {tb}"
    );
    assert_eq!(d.edit_list(1).len(), 1);
    let got = summary(&demux_all(&mut src));
    assert_matches(&got, &fx.expected);
}

#[test]
fn moov_at_end_matches_ffprobe() {
    let Some(fx) = fixture(false) else { return };
    check_file(fx);
}

#[test]
fn faststart_matches_ffprobe() {
    let Some(fx) = fixture(true) else { return };
    check_file(fx);
    let mut src = FileSource::open(&fx.path).unwrap();
    assert_eq!(probe::open(&mut src).unwrap().tracks().len(), 2);
}

/// Demuxes `bytes` from a cache filled only on `NeedData`, in aligned 256 KiB chunks around
/// what was asked. Returns the packets and the chunks fetched, in order, and how many of them
/// opening took.
fn demux_on_demand(bytes: &[u8]) -> (Vec<Packet>, Vec<u64>, usize) {
    let (d, fetched) = support::drain_chunked(bytes, 256 << 10, Mp4Demuxer::open);
    // One chunk per NeedData, so the count of requests before open is the count of chunks.
    assert_eq!(d.asked.len(), fetched.len());
    (d.packets, fetched, d.at_open)
}

#[test]
fn moov_at_end_fetches_the_tail_first() {
    let Some(fx) = big_fixture() else { return };
    let bytes = std::fs::read(&fx.path).unwrap();
    assert!(
        bytes.len() > 3 * (256 << 10),
        "fixture big enough to tell head from tail"
    );
    let expected = demux_all(&mut SparseCache::from_bytes(bytes.clone()));
    let (got, fetched, at_open) = demux_on_demand(&bytes);
    assert_eq!(got, expected);
    assert_matches(&summary(&got), &fx.expected);
    // Opening took the head and the tail (where moov is), not the mdat in between.
    let opened = &fetched[..at_open];
    assert!(opened.len() <= 3, "open fetched {opened:?}");
    assert_eq!(opened[0], 0);
    let last_chunk = (bytes.len() as u64 - 1) / (256 << 10) * (256 << 10);
    assert_eq!(*opened.last().unwrap(), last_chunk, "open fetched the tail");
    // Then the packets walked mdat forward, every chunk once.
    let mut rest = fetched[at_open..].to_vec();
    assert!(rest.windows(2).all(|w| w[0] < w[1]), "{rest:?}");
    rest.dedup();
    assert_eq!(rest.len() + at_open, fetched.len());
}

#[test]
fn faststart_on_demand_reads_forward() {
    let Some(fx) = fixture(true) else { return };
    let bytes = std::fs::read(&fx.path).unwrap();
    let expected = demux_all(&mut SparseCache::from_bytes(bytes.clone()));
    let (got, fetched, at_open) = demux_on_demand(&bytes);
    assert_eq!(got, expected);
    assert_eq!(&fetched[..at_open], &[0], "moov is in the first chunk");
    assert!(fetched.windows(2).all(|w| w[0] < w[1]), "{fetched:?}");
}

#[test]
fn truncated_faststart_plays_a_prefix() {
    let Some(fx) = fixture(true) else { return };
    let bytes = std::fs::read(&fx.path).unwrap();
    let expected = demux_all(&mut SparseCache::from_bytes(bytes.clone()));
    let cut = bytes.len() * 6 / 10;
    let path = support::scratch("truncated.mp4");
    std::fs::write(&path, &bytes[..cut]).unwrap();
    let mut src = FileSource::open(&path).unwrap();
    let got = demux_all(&mut src);
    assert!(
        got.len() > expected.len() / 3 && got.len() < expected.len(),
        "{} of {}",
        got.len(),
        expected.len()
    );
    assert_eq!(got[..], expected[..got.len()]);
    assert!(got
        .iter()
        .all(|p| p.pos + p.data.len() as u64 <= cut as u64));
    // Without its moov (at the end), the cut file is refused clearly.
    let end = std::fs::read(&fixture(false).unwrap().path).unwrap();
    let mut src = SparseCache::from_bytes(end[..end.len() / 2].to_vec());
    let err = Mp4Demuxer::open(&mut src).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Invalid {
                container: "MP4",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn quicktime_mov_matches_ffprobe() {
    let Some(fx) = make("mov", &[]) else { return };
    check_file(&fx);
}

/// Audio starting 0.5 s late: ffmpeg writes a leading empty edit (shift forward).
#[test]
fn leading_empty_edit_matches_ffprobe() {
    let Some(fx) = make_with("mp4", &["-itsoffset", "0.5"], &[]) else {
        return;
    };
    let mut src = FileSource::open(&fx.path).unwrap();
    let d = Mp4Demuxer::open(&mut src).unwrap();
    let edits = d.edit_list(2);
    assert_eq!(edits.first().map(|e| e.media_time), Some(-1), "{edits:?}");
    assert!(d.edit_shift(2).unwrap() > 20_000);
    let got = summary(&demux_all(&mut src));
    assert_matches(&got, &fx.expected);
    // Through the remux (MSE ignores edit lists, so the shifts are in the fragments): audio
    // starts 0.5 s after the video, as ffprobe says of the source; the video's own edit (it
    // starts at its first PTS, not its first DTS) and the AAC priming are kept too.
    let out = support::scratch("delayed.remuxed.mp4");
    support::riptide_remux(&fx.path, &out);
    let first = |p: &support::Probe, kind: &str| {
        let s = p.of_type(kind)[0];
        s.packets
            .iter()
            .map(|p| s.seconds(p.pts.unwrap()))
            .fold(f64::MAX, f64::min)
    };
    let (src, dst) = (ffprobe(&fx.path), ffprobe(&out));
    let gap = |p: &support::Probe| first(p, "audio") - first(p, "video");
    assert!((gap(&src) - 0.5).abs() < 0.03, "source gap {}", gap(&src));
    assert!(
        (gap(&dst) - gap(&src)).abs() < 1e-3,
        "output audio-video gap {} vs the source's {}",
        gap(&dst),
        gap(&src)
    );
    assert!(
        first(&dst, "video").abs() < 0.05,
        "output video starts at 0"
    );
}

#[test]
fn fragmented_matches_ffprobe() {
    if !have_ffmpeg() {
        return;
    }
    // empty_moov: every sample in moof/mdat. Without it, ffmpeg puts the first fragment's
    // samples in moov itself and the rest in fragments.
    for (name, flags) in [
        (
            "frag-empty-moov.mp4",
            "+frag_keyframe+empty_moov+default_base_moof",
        ),
        ("frag.mp4", "+frag_keyframe"),
    ] {
        let fx = make("mp4", &["-movflags", flags]).unwrap();
        let mut src = FileSource::open(&fx.path).unwrap();
        let d = Mp4Demuxer::open(&mut src).unwrap();
        assert!(d.is_fragmented());
        assert_eq!(d.tracks().len(), 2);
        let got = summary(&demux_all(&mut src));
        assert_matches(&got, &fx.expected);
        // Fetched on demand, the same packets.
        let bytes = std::fs::read(&fx.path).unwrap();
        let (on_demand, _, _) = demux_on_demand(&bytes);
        assert_eq!(summary(&on_demand), got, "{name} on demand");
        // Cut mid-file: a prefix, then the end.
        let cut = bytes.len() / 2;
        let mut src = SparseCache::from_bytes(bytes[..cut].to_vec());
        let prefix = summary(&demux_all(&mut src));
        assert!(
            prefix.len() > got.len() / 4 && prefix.len() < got.len(),
            "{name} cut"
        );
        assert_eq!(prefix[..], got[..prefix.len()]);
    }
}

#[test]
fn remux_cli_output_decodes_cleanly() {
    for faststart in [false, true] {
        let Some(fx) = fixture(faststart) else { return };
        let out = support::scratch(if faststart {
            "remuxed-faststart.mp4"
        } else {
            "remuxed-end.mp4"
        });
        support::riptide_remux(&fx.path, &out);
        let dec = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(&out)
            .args(["-f", "null", "-"])
            .output()
            .unwrap();
        assert!(dec.status.success());
        let errors = String::from_utf8_lossy(&dec.stderr);
        assert!(errors.trim().is_empty(), "ffmpeg decode errors: {errors}");
        // Every video frame made it through, decoding to the same pictures; (nearly) all
        // the audio too.
        let count = |p: &Path, kind: &str| ffprobe_packets_of(p, kind);
        let (vin, vout) = (count(&fx.path, "v"), count(&out, "v"));
        assert_eq!(vin, vout, "video packets");
        assert_eq!(frame_hashes(&fx.path), frame_hashes(&out), "decoded video");
        let (ain, aout) = (count(&fx.path, "a"), count(&out, "a"));
        assert!(
            aout + 2 >= ain && aout <= ain,
            "audio packets {aout} of {ain}"
        );
    }
}

fn ffprobe_packets_of(p: &Path, kind: &str) -> usize {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", kind, "-count_packets"])
        .args(["-show_entries", "stream=nb_read_packets", "-of", "csv=p=0"])
        .arg(p)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// `-movflags negative_cts_offsets`: a version-1 `ctts` with negative offsets (B-frames shown
/// before they are decoded) and no edit list. Our PTS are ffprobe's; our DTS are the file's
/// (ffprobe moves them earlier by the largest negative offset, a constant). The remux keeps
/// every presentation time (ffprobe of the output agrees) with offsets ≥ 0 (version-0 `trun`).
#[test]
fn negative_composition_offsets() {
    let Some(fx) = make("mp4", &["-movflags", "+negative_cts_offsets"]) else {
        return;
    };
    let bytes = std::fs::read(&fx.path).unwrap();
    let ctts = bytes.windows(4).position(|w| w == b"ctts").unwrap();
    assert_eq!(bytes[ctts + 4], 1, "ctts version 1");
    let got = summary(&demux_all(&mut FileSource::open(&fx.path).unwrap()));
    let key = |e: &Expected| (e.0, e.1, e.3, e.4, e.5);
    let video = |v: &[Expected]| v.iter().filter(|e| e.0 == 1).cloned().collect::<Vec<_>>();
    let (g, e) = (video(&got), video(&fx.expected));
    assert_eq!(
        g.iter().map(key).collect::<Vec<_>>(),
        e.iter().map(key).collect::<Vec<_>>()
    );
    assert!(
        g.iter().any(|p| p.1 < p.2),
        "some frame is shown before it is decoded"
    );
    let dts_shift: Vec<i64> = g.iter().zip(&e).map(|(g, e)| g.2 - e.2).collect();
    assert!(dts_shift.windows(2).all(|w| w[0] == w[1]), "{dts_shift:?}");
    // Through the remux: the same presentation times, offsets never negative.
    let out = support::scratch("negative-cts.remuxed.mp4");
    support::riptide_remux(&fx.path, &out);
    assert_eq!(support::ffprobe_warnings(&out), "");
    let (src, dst) = (ffprobe(&fx.path), ffprobe(&out));
    let pts = |s: &support::ProbeStream| {
        let mut v: Vec<f64> = s
            .packets
            .iter()
            .map(|p| s.seconds(p.pts.unwrap()))
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let shift = pts(&dst.streams[0])[0] - pts(&src.streams[0])[0];
    assert!(shift.abs() < 0.05, "{shift}");
    for (a, b) in pts(&src.streams[0]).iter().zip(pts(&dst.streams[0])) {
        assert!(
            (b - a - shift).abs() < 1.0 / 12800.0 + 1.0 / 90000.0,
            "{a} vs {b}"
        );
    }
    let out_bytes = std::fs::read(&out).unwrap();
    let truns: Vec<usize> = out_bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"trun")
        .map(|(i, _)| i)
        .collect();
    assert!(!truns.is_empty());
    assert!(
        truns.iter().all(|&i| out_bytes[i + 4] == 0),
        "version-0 truns"
    );
}

/// `co64` (64-bit chunk offsets, what files over 4 GB use): the same file with every `stco`
/// rewritten as `co64` (moov last, so no sample moves) gives the same packets.
#[test]
fn co64_chunk_offsets() {
    let Some(fx) = fixture(false) else { return };
    let bytes = std::fs::read(&fx.path).unwrap();
    let co64 = support::stco_to_co64(&bytes);
    assert!(co64.windows(4).any(|w| w == b"co64"));
    assert!(!co64.windows(4).any(|w| w == b"stco"));
    let path = support::scratch("co64.mp4");
    std::fs::write(&path, &co64).unwrap();
    let got = summary(&demux_all(&mut FileSource::open(&path).unwrap()));
    assert_matches(&got, &fx.expected);
    assert_matches(&got, &ffprobe_packets(&path));
}
