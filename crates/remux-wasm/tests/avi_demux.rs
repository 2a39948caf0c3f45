//! The AVI demuxer against ffprobe, on files ffmpeg makes at test time.
//!
//! ffprobe reports no presentation times for H.264 in AVI (AVI has none), so the H.264
//! reference is the same encoded stream in MP4 (`-c copy`), whose `ctts` ffprobe reads: frame
//! for frame, our PTS must equal the MP4's PTS shifted by the reorder delay (AVI frame `n`
//! decodes at `n`; the first frame shows at the delay, as ffprobe's frame timestamps say).
//! Audio and key frames are compared with ffprobe of the AVI itself.
#![cfg(not(target_arch = "wasm32"))]

use remux_wasm::demux::SeekTarget;
use test_support as support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use remux_wasm::codec::mse_codec;
use remux_wasm::demux::avi::AviDemuxer;
use remux_wasm::demux::{probe, Demuxer};
use remux_wasm::io::{ByteSource, FileSource, SparseCache};
use remux_wasm::{Codec, Error, Packet, TimeBase, Timestamp, TrackKind};

/// One packet as ffprobe reports it.
#[derive(Clone, Debug)]
struct Probed {
    stream: u32,
    pts: Option<i64>,
    dts: Option<i64>,
    key: bool,
    size: usize,
}

struct Probe {
    packets: Vec<Probed>,
    /// Per stream: time base.
    time_bases: Vec<TimeBase>,
}

fn have_ffmpeg() -> bool {
    let ok = |bin: &str| {
        Command::new(bin)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let have = ok("ffmpeg") && ok("ffprobe");
    if !have {
        assert!(
            std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
            "ffmpeg/ffprobe not found (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
        );
        eprintln!("ffmpeg/ffprobe not found: skipping the AVI tests");
    }
    have
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("riptide-avi-demux-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn ffmpeg(args: &[&str], out: &Path) {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "ffmpeg {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// 3 s of test pattern + sine, video encoded with `video` args, audio AAC, into MP4.
fn source_mp4(name: &str, video: &[&str]) -> PathBuf {
    let path = dir().join(name);
    let mut args = vec![
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        "3",
    ];
    args.extend_from_slice(video);
    args.extend_from_slice(&["-c:a", "aac"]);
    ffmpeg(&args, &path);
    path
}

fn ffprobe(path: &Path) -> Probe {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_packets",
            "-show_streams",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe failed on {}", path.display());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let num = |v: &serde_json::Value| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    };
    let time_bases = json["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let tb = s["time_base"].as_str().unwrap();
            let (n, d) = tb.split_once('/').unwrap();
            TimeBase::new(n.parse().unwrap(), d.parse().unwrap())
        })
        .collect();
    let packets = json["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Probed {
            stream: num(&p["stream_index"]).unwrap() as u32,
            pts: num(&p["pts"]),
            dts: num(&p["dts"]),
            key: p["flags"].as_str().unwrap().starts_with('K'),
            size: num(&p["size"]).unwrap() as usize,
        })
        .collect();
    Probe {
        packets,
        time_bases,
    }
}

fn demux(src: &mut dyn ByteSource) -> (AviDemuxer, Vec<Packet>) {
    let mut d = AviDemuxer::open(src).unwrap();
    let mut out = Vec::new();
    while let Some(p) = d.next_packet(src).unwrap() {
        out.push(p);
    }
    (d, out)
}

fn of_track(ps: &[Packet], id: u32) -> Vec<&Packet> {
    ps.iter().filter(|p| p.track_id == id).collect()
}

fn of_stream(p: &Probe, s: u32) -> Vec<&Probed> {
    p.packets.iter().filter(|x| x.stream == s).collect()
}

/// H.264 (B-frames) + AAC in MP4 (the reference), and the same streams in AVI: video copied
/// (length-prefixed, or as Annex B), audio copied (`aac`) or re-encoded (`mp3`).
struct H264Fixture {
    mp4: PathBuf,
    avi: PathBuf,
}

fn h264_fixture(audio: &str) -> Option<&'static H264Fixture> {
    static AAC: OnceLock<Option<H264Fixture>> = OnceLock::new();
    static MP3: OnceLock<Option<H264Fixture>> = OnceLock::new();
    let cell = if audio == "aac" { &AAC } else { &MP3 };
    cell.get_or_init(|| {
        if !have_ffmpeg() {
            return None;
        }
        let mp4 = source_mp4(
            &format!("h264_{audio}.mp4"),
            &[
                "-c:v", "libx264", "-bf", "2", "-g", "25", "-pix_fmt", "yuv420p",
            ],
        );
        let avi = dir().join(format!("h264_{audio}.avi"));
        // AAC: the MP4's length-prefixed frames and avcC as they are (fourcc avc1); MP3:
        // Annex B with in-band SPS/PPS (fourcc H264), as x264 writes into AVI directly.
        let mut args = vec!["-i", mp4.to_str().unwrap(), "-c:v", "copy"];
        if audio == "aac" {
            args.extend(["-c:a", "copy"]);
        } else {
            args.extend([
                "-bsf:v",
                "h264_mp4toannexb",
                "-vtag",
                "H264",
                "-c:a",
                "libmp3lame",
            ]);
        }
        ffmpeg(&args, &avi);
        Some(H264Fixture { mp4, avi })
    })
    .as_ref()
}

/// Checks the H.264 track against the MP4 reference, and the audio track against ffprobe of
/// the AVI (count, PTS within one tick, sizes).
fn check_h264_avi(fx: &H264Fixture, audio_codec: Codec) {
    let reference = ffprobe(&fx.mp4);
    let avi = ffprobe(&fx.avi);
    let mut src = FileSource::open(&fx.avi).unwrap();
    let (d, packets) = demux(&mut src);
    let tracks = d.tracks();
    assert_eq!(tracks.len(), 2);
    assert_eq!(
        (tracks[0].kind, &tracks[0].codec),
        (TrackKind::Video, &Codec::H264)
    );
    assert_eq!(
        (tracks[1].kind, &tracks[1].codec),
        (TrackKind::Audio, &audio_codec)
    );
    assert!(mse_codec(&tracks[0]).unwrap().starts_with("avc1.64"));
    assert_eq!(
        tracks[0].video.map(|v| (v.width, v.height)),
        Some((320, 240))
    );
    let (dur, tb) = d.duration().unwrap();
    assert!((tb.seconds(dur.0 as i64) - 3.0).abs() < 0.1, "{dur:?} {tb}");

    // Video: every frame, decode index = DTS, PTS = MP4 PTS + reorder delay, same key frames.
    let video = of_track(&packets, 1);
    let ref_video = of_stream(&reference, 0);
    assert_eq!(video.len(), 75);
    assert_eq!(video.len(), ref_video.len(), "video frame count");
    // ffmpeg copies 25 fps H.264 into a 1/50 time base (an empty chunk after every frame).
    let ref_tb = reference.time_bases[0];
    let vtb = tracks[0].time_base;
    let ticks = |t: i64| Timestamp(t).rescale(ref_tb, vtb).0;
    let delay = -ticks(ref_video[0].dts.unwrap());
    assert_eq!(
        vtb.seconds(delay),
        0.08,
        "x264 -bf 2 (pyramid) reorders by two frames"
    );
    for (i, (p, r)) in video.iter().zip(&ref_video).enumerate() {
        assert_eq!(
            p.dts,
            Some(Timestamp(ticks(r.dts.unwrap()) + delay)),
            "frame {i} dts"
        );
        assert_eq!(p.pts.0, ticks(r.pts.unwrap()) + delay, "frame {i} pts");
        assert_eq!(p.keyframe, r.key, "frame {i} key flag");
        // AVCC: 4-byte length prefixes replace the start codes.
        let mut at = 0;
        while at + 4 <= p.data.len() {
            at += 4 + u32::from_be_bytes(p.data[at..at + 4].try_into().unwrap()) as usize;
        }
        assert_eq!(at, p.data.len(), "frame {i} is length-prefixed");
    }
    assert!(
        video.windows(2).any(|w| w[1].pts < w[0].pts),
        "B-frames come out reordered"
    );
    // ffprobe of the AVI agrees on count and key frames.
    let avi_video = of_stream(&avi, 0);
    assert_eq!(avi_video.len(), video.len());
    assert!(avi_video
        .iter()
        .zip(&video)
        .all(|(a, p)| a.key == p.keyframe));

    // Audio: same packets as ffprobe, PTS within one tick of its time base.
    let audio = of_track(&packets, 2);
    let avi_audio = of_stream(&avi, 1);
    assert!(audio.len() > 50);
    assert_eq!(audio.len(), avi_audio.len(), "audio packet count");
    let atb = avi.time_bases[1];
    for (i, (p, r)) in audio.iter().zip(&avi_audio).enumerate() {
        let pts = p.pts.rescale(tracks[1].time_base, atb).0;
        assert!(
            (pts - r.pts.unwrap()).abs() <= 1,
            "audio {i}: {pts} vs {:?}",
            r.pts
        );
        assert_eq!(p.data.len(), r.size, "audio {i} size");
    }
}

#[test]
fn h264_bframes_mp3_matches_ffprobe() {
    let Some(fx) = h264_fixture("mp3") else {
        return;
    };
    check_h264_avi(fx, Codec::Mp3);
}

#[test]
fn h264_aac_matches_ffprobe() {
    let Some(fx) = h264_fixture("aac") else {
        return;
    };
    check_h264_avi(fx, Codec::Aac);
    let mut src = FileSource::open(&fx.avi).unwrap();
    let d = probe::open(&mut src).unwrap();
    assert_eq!(mse_codec(&d.tracks()[1]).unwrap(), "mp4a.40.2");
}

#[test]
fn xvid_packed_bframes_mp3_names_the_codec() {
    if !have_ffmpeg() {
        return;
    }
    let avi = dir().join("xvid.avi");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            "3",
            "-c:v",
            "mpeg4",
            "-vtag",
            "XVID",
            "-bf",
            "2",
            "-g",
            "25",
            "-c:a",
            "libmp3lame",
        ],
        &avi,
    );
    let probed = ffprobe(&avi);
    let mut src = FileSource::open(&avi).unwrap();
    let (d, packets) = demux(&mut src);
    let tracks = d.tracks();
    assert_eq!((&tracks[0].codec, tracks[0].codec_id.as_str()), (&Codec::Mpeg4Visual, "V_AVI/XVID"));
    let err = mse_codec(&tracks[0]).unwrap_err();
    assert!(
        matches!(err, Error::Unsupported { .. })
            && err.to_string().contains("MPEG-4 Part 2 (Xvid)"),
        "{err}"
    );
    let video = of_track(&packets, 1);
    let ref_video = of_stream(&probed, 0);
    assert_eq!(video.len(), ref_video.len());
    for (i, (p, r)) in video.iter().zip(&ref_video).enumerate() {
        assert_eq!(Some(p.dts.unwrap().0), r.dts, "frame {i} dts");
        assert_eq!(p.keyframe, r.key, "frame {i} key");
        assert_eq!(p.data.len(), r.size, "frame {i} size");
    }
    let audio = of_track(&packets, 2);
    let ref_audio = of_stream(&probed, 1);
    assert_eq!(audio.len(), ref_audio.len());
    for (p, r) in audio.iter().zip(&ref_audio) {
        let pts = p.pts.rescale(tracks[1].time_base, probed.time_bases[1]).0;
        assert!((pts - r.pts.unwrap()).abs() <= 1);
    }
}

#[test]
fn sparse_cache_filled_on_demand_gives_the_same_packets() {
    let Some(fx) = h264_fixture("aac") else {
        return;
    };
    let bytes = std::fs::read(&fx.avi).unwrap();
    let (_, expected) = demux(&mut SparseCache::from_bytes(bytes.clone()));
    const CHUNK: usize = 16 << 10;
    let mut src = SparseCache::new(Some(bytes.len() as u64));
    let filled = std::cell::Cell::new(0usize);
    let feed = |src: &mut SparseCache, e: Error| {
        let Error::NeedData { offset, len } = e else {
            panic!("unexpected error {e}")
        };
        let have = filled.get();
        assert!(
            offset as usize >= have && len > 0,
            "asked {offset}+{len}, have {have}"
        );
        let end = (have + CHUNK).min(bytes.len());
        src.insert(have as u64, bytes[have..end].to_vec());
        filled.set(end);
    };
    let mut d = loop {
        match AviDemuxer::open(&mut src) {
            Ok(d) => break d,
            Err(e) => feed(&mut src, e),
        }
    };
    // Playback started before the index at the end arrived.
    let at_open = filled.get();
    assert!(
        at_open < bytes.len() / 2,
        "opened with {at_open} of {} bytes",
        bytes.len()
    );
    let mut got = Vec::new();
    loop {
        match d.next_packet(&mut src) {
            Ok(Some(p)) => got.push(p),
            Ok(None) => break,
            Err(e) => feed(&mut src, e),
        }
    }
    assert_eq!(got, expected);
}

#[test]
fn truncated_copy_plays_a_prefix() {
    let Some(fx) = h264_fixture("mp3") else {
        return;
    };
    let bytes = std::fs::read(&fx.avi).unwrap();
    let (_, expected) = demux(&mut SparseCache::from_bytes(bytes.clone()));
    let cut = bytes.len() * 6 / 10;
    let (_, got) = demux(&mut SparseCache::from_bytes(bytes[..cut].to_vec()));
    assert!(
        got.len() > expected.len() / 3 && got.len() < expected.len(),
        "{} of {}",
        got.len(),
        expected.len()
    );
    assert_eq!(got[..], expected[..got.len()]);
}

#[test]
fn damaged_middle_resynchronises() {
    let Some(fx) = h264_fixture("mp3") else {
        return;
    };
    let bytes = std::fs::read(&fx.avi).unwrap();
    let (_, expected) = demux(&mut SparseCache::from_bytes(bytes.clone()));
    let mut damaged = bytes.clone();
    let (from, to) = (bytes.len() * 4 / 10, bytes.len() * 5 / 10);
    let mut x = 0x12345678u32;
    for b in &mut damaged[from..to] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let (_, got) = demux(&mut SparseCache::from_bytes(damaged));
    // Everything before the damage, and everything after it, is there unchanged.
    let before: Vec<_> = expected
        .iter()
        .filter(|p| p.pos + 8 + (p.data.len() as u64) < from as u64)
        .collect();
    let after: Vec<_> = expected.iter().filter(|p| p.pos >= to as u64).collect();
    assert!(!before.is_empty() && !after.is_empty());
    let got_before: Vec<_> = got
        .iter()
        .filter(|p| p.pos < from as u64)
        .take(before.len())
        .collect();
    assert_eq!(got_before, before);
    let got_after: Vec<_> = got.iter().filter(|p| p.pos >= to as u64).collect();
    // Audio timing resumes exactly (VBR MP3: one frame per chunk); video frames after the
    // damage keep their decode index.
    assert_eq!(got_after.len(), after.len());
    for (g, e) in got_after.iter().zip(&after) {
        assert_eq!(
            (g.track_id, g.pos, g.keyframe, &g.data),
            (e.track_id, e.pos, e.keyframe, &e.data)
        );
    }
}

#[test]
fn seeks_with_idx1() {
    let Some(fx) = h264_fixture("aac") else {
        return;
    };
    let bytes = std::fs::read(&fx.avi).unwrap();
    let (_, all) = demux(&mut SparseCache::from_bytes(bytes.clone()));
    let mut src = SparseCache::from_bytes(bytes);
    let mut d = AviDemuxer::open(&mut src).unwrap();
    // 1.5 s: the key frame at or before is frame 25 (GOP 25, 1 s), shown 2 frames later.
    let sp = d.seek(&mut src, SeekTarget::new(Timestamp(1500), TimeBase::MILLIS)).unwrap();
    assert!(sp.exact);
    assert_eq!(
        sp.time.rescale(sp.time_base, TimeBase::MILLIS),
        Timestamp(1080)
    );
    let first = d.next_packet(&mut src).unwrap().unwrap();
    assert_eq!(sp.pos, first.pos);
    assert!(first.keyframe && first.track_id == 1);
    assert_eq!(first.pts, sp.time);
    let k = all.iter().position(|p| p.pos == first.pos).unwrap();
    assert_eq!(
        first.dts.unwrap().rescale(sp.time_base, TimeBase::MILLIS),
        Timestamp(1000)
    );
    // From there on, the same packets as a straight read (timestamps included).
    let mut rest = vec![first];
    while let Some(p) = d.next_packet(&mut src).unwrap() {
        rest.push(p);
    }
    assert_eq!(rest[..], all[k..]);
}

/// A real OpenDML file past 1 GB, as ffmpeg writes it: RIFF `AVI ` then RIFF `AVIX`, with
/// `indx`/`ix##`. 26 s of 160x120 H.264 beside a 1080p grey rawvideo stream (52 MB/s of
/// padding, few packets: it takes the file past 1 GB in about 5 s of ffmpeg; the file is
/// deleted afterwards; PCM padding would make ffprobe list millions of packets). Every packet
/// of both streams comes out in order, across the AVIX boundary, matching ffprobe's count,
/// key frames and (for the rawvideo) sizes; a seek into the AVIX part lands on its key frame.
#[test]
fn opendml_past_one_gigabyte_from_ffmpeg() {
    if !have_ffmpeg() {
        return;
    }
    struct Remove(PathBuf);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    let path = dir().join("opendml-1g.avi");
    let _remove = Remove(path.clone());
    ffmpeg(
        &[
            "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25",
            "-f", "lavfi", "-i", "color=black:size=1920x1080:rate=25",
            "-t", "26", "-map", "0", "-map", "1",
            "-c:v:0", "libx264", "-preset", "ultrafast", "-g", "25",
            "-c:v:1", "rawvideo", "-pix_fmt:v:1", "gray",
        ],
        &path,
    );
    // ffmpeg really wrote the OpenDML form: a second RIFF list, of type AVIX, past 1 GiB.
    let bytes = |at: u64, n: usize| {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = std::fs::File::open(&path).unwrap();
        f.seek(SeekFrom::Start(at)).unwrap();
        let mut b = vec![0; n];
        f.read_exact(&mut b).unwrap();
        b
    };
    let first = bytes(0, 12);
    let riff_len = u32::from_le_bytes(first[4..8].try_into().unwrap()) as u64;
    let second_at = 8 + riff_len + (riff_len & 1);
    assert!(second_at > 1 << 30, "the first RIFF ends at {second_at}");
    let second = bytes(second_at, 12);
    assert_eq!((&second[..4], &second[8..12]), (&b"RIFF"[..], &b"AVIX"[..]));

    let probe = ffprobe(&path);
    let mut src = FileSource::open(&path).unwrap();
    let mut d = AviDemuxer::open(&mut src).unwrap();
    // (track, key, size, pos) of every packet; the payloads are dropped as they come (1 GB).
    let mut got = Vec::new();
    while let Some(p) = d.next_packet(&mut src).unwrap() {
        got.push((p.track_id, p.keyframe, p.data.len(), p.pos, p.dts.unwrap_or(p.pts)));
    }
    let video: Vec<_> = got.iter().filter(|p| p.0 == 1).collect();
    let padding: Vec<_> = got.iter().filter(|p| p.0 == 2).collect();
    let (pv, pp) = (of_stream(&probe, 0), of_stream(&probe, 1));
    assert_eq!(video.len(), pv.len(), "video packets");
    assert_eq!(video.len(), 26 * 25);
    assert_eq!(
        video.iter().map(|p| p.1).collect::<Vec<_>>(),
        pv.iter().map(|p| p.key).collect::<Vec<_>>(),
        "video key frames"
    );
    assert!(video.windows(2).all(|w| w[1].4 > w[0].4), "video decode times increase");
    assert_eq!(
        padding.iter().map(|p| p.2).collect::<Vec<_>>(),
        pp.iter().map(|p| p.size).collect::<Vec<_>>(),
        "rawvideo packets and sizes"
    );
    let past = |ps: &[&(u32, bool, usize, u64, Timestamp)]| ps.iter().filter(|p| p.3 > second_at).count();
    assert!(past(&video) > 50 && past(&padding) > 50, "packets from the AVIX part");
    // A seek into the AVIX part: the key frame at 25 s (GOP 1 s), from the OpenDML index.
    let sp = d.seek(&mut src, SeekTarget::new(Timestamp(25_500), TimeBase::MILLIS)).unwrap();
    let next = d.next_packet(&mut src).unwrap().unwrap();
    assert!(sp.exact && sp.pos > second_at, "{sp:?}");
    assert!(next.keyframe && next.track_id == 1 && next.pos == sp.pos);
    assert_eq!(sp.time.rescale(sp.time_base, TimeBase::MILLIS), Timestamp(25_000));
}

#[test]
fn opendml_index_of_an_ffmpeg_file() {
    // ffmpeg writes indx/ix## only past 1 GB; support::avi_edit rewrites its small AVI 1.0
    // file into that form (super index in place of the reserved JUNK, ix## at the end of
    // movi, no idx1), so seeking must use the OpenDML index.
    let Some(fx) = h264_fixture("aac") else {
        return;
    };
    let bytes = std::fs::read(&fx.avi).unwrap();
    let odml = support::avi_edit::to_opendml(&bytes);
    let (_, expected) = demux(&mut SparseCache::from_bytes(bytes.clone()));
    let (_, got) = demux(&mut SparseCache::from_bytes(odml.clone()));
    assert_eq!(got, expected, "the ix## chunks are skipped while playing");
    let seek = |file: Vec<u8>| {
        let mut src = SparseCache::from_bytes(file);
        let mut d = AviDemuxer::open(&mut src).unwrap();
        let sp = d.seek(&mut src, SeekTarget::new(Timestamp(2200), TimeBase::MILLIS)).unwrap();
        let next = d.next_packet(&mut src).unwrap().unwrap();
        (sp, next)
    };
    let (sp, next) = seek(odml);
    assert!(sp.exact && next.keyframe && next.pos == sp.pos);
    assert_eq!(
        sp.time.rescale(sp.time_base, TimeBase::MILLIS),
        Timestamp(2080)
    );
    assert_eq!(seek(bytes), (sp, next), "same landing as with idx1");
}

#[test]
fn riptide_remux_plays_h264_aac_avi() {
    let Some(fx) = h264_fixture("aac") else {
        return;
    };
    let out = dir().join("h264_aac_from_avi.mp4");
    support::riptide_remux(&fx.avi, &out);
    let warnings = Command::new("ffprobe")
        .args(["-v", "warning", "-show_packets"])
        .arg(&out)
        .output()
        .unwrap();
    let warnings = String::from_utf8_lossy(&warnings.stderr);
    assert!(warnings.trim().is_empty(), "ffprobe warns: {warnings}");
    let reference = ffprobe(&fx.mp4);
    let avi = ffprobe(&fx.avi);
    let output = ffprobe(&out);
    let secs = |p: &Probe, s: u32, f: fn(&Probed) -> Option<i64>| -> Vec<f64> {
        of_stream(p, s)
            .iter()
            .map(|x| p.time_bases[s as usize].seconds(f(x).unwrap()))
            .collect()
    };
    // Video: every frame at the MP4 source's presentation time + the 2-frame reorder delay.
    let ref_v = secs(&reference, 0, |x| x.pts);
    let out_v = secs(&output, 0, |x| x.pts);
    assert_eq!(out_v.len(), ref_v.len(), "video frames");
    for (i, (r, o)) in ref_v.iter().zip(&out_v).enumerate() {
        assert!(
            (r + 0.08 - o).abs() < 0.001,
            "frame {i}: {o} vs source {r} + 0.08"
        );
    }
    let keys = |p: &Probe| -> Vec<bool> { of_stream(p, 0).iter().map(|x| x.key).collect() };
    assert_eq!(keys(&output), keys(&reference));
    // Audio: the AVI's packets, at its times (within one AVI tick, 1024/48000 s).
    let avi_a = secs(&avi, 1, |x| x.pts);
    let out_a = secs(&output, 1, |x| x.pts);
    assert_eq!(out_a.len(), avi_a.len(), "audio packets");
    for (i, (r, o)) in avi_a.iter().zip(&out_a).enumerate() {
        assert!((r - o).abs() <= 1024.0 / 48000.0, "audio {i}: {o} vs {r}");
    }
    // ffmpeg decodes the output without an error.
    let dec = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&out)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    let errors = String::from_utf8_lossy(&dec.stderr);
    assert!(dec.status.success() && errors.trim().is_empty(), "{errors}");
}

/// Writes the seed files of the `demux_avi` fuzz corpus (fuzz/corpus/demux_avi/seed_*):
/// tiny ffmpeg AVIs of each kind the demuxer handles, and the OpenDML form of one.
/// Run by hand: `cargo test -p remux-wasm --test avi_demux -- --ignored write_fuzz_seeds`.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    if !have_ffmpeg() {
        return;
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/demux_avi");
    std::fs::create_dir_all(&corpus).unwrap();
    let input = [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=32x32:rate=10",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=8000",
        "-t",
        "0.6",
    ];
    let kinds: [(&str, &[&str]); 4] = [
        (
            "h264_annexb_mp3",
            &[
                "-c:v",
                "libx264",
                "-bf",
                "2",
                "-g",
                "4",
                "-b:v",
                "20k",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "8k",
            ],
        ),
        (
            "h264_avcc_aac",
            &[
                "-c:v", "libx264", "-bf", "2", "-g", "4", "-b:v", "20k", "-c:a", "aac", "-b:a",
                "8k",
            ],
        ),
        (
            "xvid_mp3",
            &[
                "-c:v",
                "mpeg4",
                "-vtag",
                "XVID",
                "-bf",
                "2",
                "-g",
                "4",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "8k",
            ],
        ),
        (
            "mjpeg_pcm",
            &["-c:v", "mjpeg", "-q:v", "31", "-c:a", "pcm_u8", "-t", "0.3"],
        ),
    ];
    for (name, codec) in kinds {
        let path = dir().join(format!("seed_{name}.avi"));
        let mut args = input.to_vec();
        args.extend_from_slice(codec);
        if name == "h264_avcc_aac" {
            // Length-prefixed H.264 with an avcC (fourcc avc1): copied from an MP4.
            let mp4 = dir().join("seed.mp4");
            ffmpeg(&args, &mp4);
            ffmpeg(&["-i", mp4.to_str().unwrap(), "-c", "copy"], &path);
        } else {
            ffmpeg(&args, &path);
        }
        let bytes = std::fs::read(&path).unwrap();
        if name == "h264_annexb_mp3" {
            let odml = support::avi_edit::to_opendml(&bytes);
            std::fs::write(corpus.join("seed_h264_opendml.avi"), odml).unwrap();
        }
        std::fs::write(corpus.join(format!("seed_{name}.avi")), bytes).unwrap();
    }
}
