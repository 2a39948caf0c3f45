//! Seeking against ffprobe, on files ffmpeg makes at test time (60 s of H.264 with B-frames and
//! irregular key frames + AAC): for many targets, the first video packet after
//! `Demuxer::seek` is the key frame at or before the target that ffprobe lists (MKV with Cues,
//! MKV without Cues, MP4 with `moov` first and last; fragmented MP4 through its `mfra` index), and the remux after `Pipeline::seek` is a valid fragmented MP4
//! whose first frame sits at that key frame's absolute time (ffprobe reads the concatenation
//! of the init segment and the segments after the seek), and whose frames from the target on
//! decode to the source's pixels (ffmpeg framemd5). Seeks that need bytes not yet present
//! ask for them (`NeedData`) and leave the demuxer where it was.
#![cfg(not(target_arch = "wasm32"))]

use remux_wasm::demux::SeekTarget;
use std::path::{Path, PathBuf};
use std::process::Command;

use remux_wasm::demux::probe;
use remux_wasm::io::{FileSource, SparseCache};
use remux_wasm::pipeline::{Pipeline, Step};
use remux_wasm::{Error, TimeBase, Timestamp, TrackKind};

fn have_ffmpeg() -> bool {
    let ok = |bin: &str| {
        Command::new(bin)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let found = ok("ffmpeg") && ok("ffprobe");
    if !found {
        assert!(
            std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
            "ffmpeg/ffprobe not found (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
        );
        eprintln!("ffmpeg/ffprobe not found: skipping the seek tests");
    }
    found
}

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("riptide-seek-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// 60 s, 320x240, 25 fps H.264 (B-frames, GOP up to 50 with scene-cut key frames) + AAC.
fn make(name: &str, flags: &[&str]) -> PathBuf {
    let path = dir().join(name);
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
        .args([
            "-t", "60", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2",
        ])
        .args(["-g", "50", "-keyint_min", "10", "-c:a", "aac"])
        .args(flags)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

/// Presentation times (seconds) of the video key frames, per ffprobe, ascending.
fn ffprobe_keyframes(path: &Path) -> Vec<f64> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["packet=pts_time,flags", "-of", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe failed on {path:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut keys: Vec<f64> = json["packets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["flags"].as_str().unwrap_or("").starts_with('K'))
        .filter_map(|p| p["pts_time"].as_str().and_then(|s| s.parse().ok()))
        .collect();
    keys.sort_by(f64::total_cmp);
    keys
}

/// Targets spread over the film, including 0, the exact key frame times and just before them.
fn targets(keys: &[f64]) -> Vec<f64> {
    let mut t: Vec<f64> = (0..24).map(|i| i as f64 * 2.37 + 0.11).collect();
    t.push(0.0);
    for k in keys.iter().skip(1).step_by(5) {
        t.push(*k);
        t.push(k - 0.02);
    }
    t.push(59.9);
    t
}

/// The first video packet's time (seconds) and key flag after seeking to `target` seconds.
/// The source is a sparse cache filled on demand, counting the `NeedData` answers.
fn seek_first_video(bytes: &[u8], target: f64) -> (f64, bool, bool, usize) {
    let mut cache = SparseCache::new(Some(bytes.len() as u64));
    let mut need = 0;
    let fill = |cache: &mut SparseCache, e: Error| match e {
        Error::NeedData { offset, len } => {
            let end = (offset + len.max(64 << 10)).min(bytes.len() as u64);
            cache.insert(offset, bytes[offset as usize..end as usize].to_vec());
        }
        e => panic!("seek to {target}: {e}"),
    };
    let mut d = loop {
        match probe::open(&mut cache) {
            Ok(d) => break d,
            Err(e) => fill(&mut cache, e),
        }
    };
    let video = d
        .tracks()
        .iter()
        .find(|t| t.kind == TrackKind::Video)
        .unwrap()
        .clone();
    let ms = TimeBase::MILLIS;
    let point = loop {
        match d.seek(&mut cache, SeekTarget::new(Timestamp(ms.from_seconds(target)), ms)) {
            Ok(p) => break p,
            Err(e) => {
                need += 1;
                assert!(need < 10_000, "seek to {target} never finishes");
                fill(&mut cache, e)
            }
        }
    };
    loop {
        match d.next_packet(&mut cache) {
            Ok(Some(p)) if p.track_id == video.id => {
                let t = video.time_base.seconds(p.pts.0);
                let at = point.time_base.seconds(point.time.0);
                assert!(
                    (at - t).abs() < 0.002,
                    "seek point says {at} s, first video packet is at {t} s"
                );
                return (t, p.keyframe, point.exact, need);
            }
            Ok(Some(_)) => {}
            Ok(None) => panic!("no video packet after seeking to {target}"),
            Err(e) => fill(&mut cache, e),
        }
    }
}

/// Every target lands on the last key frame at or before it (per ffprobe).
fn check_seeks(path: &Path, expect_exact: bool) {
    let keys = ffprobe_keyframes(path);
    assert!(
        keys.len() >= 20,
        "the fixture has only {} key frames",
        keys.len()
    );
    let bytes = std::fs::read(path).unwrap();
    for target in targets(&keys) {
        let want = keys
            .iter()
            .copied()
            .filter(|k| *k <= target + 0.0005)
            .last()
            .unwrap_or(keys[0]);
        let (got, key, exact, _) = seek_first_video(&bytes, target);
        assert!(
            key,
            "{path:?}: seek to {target}: first video packet at {got} is not a key frame"
        );
        assert!(
            (got - want).abs() < 0.002,
            "{path:?}: seek to {target}: landed on {got} s, the key frame at or before is {want} s"
        );
        assert_eq!(
            exact, expect_exact,
            "{path:?}: seek to {target}: exact flag"
        );
    }
}

/// Remux after a seek: `init + segments after Pipeline::seek` is read by ffprobe without
/// error, its first video frame is at the key frame's absolute time and it runs to the end.
fn check_remux_after_seek(path: &Path, target: f64) {
    let keys = ffprobe_keyframes(path);
    let want = keys
        .iter()
        .copied()
        .filter(|k| *k <= target + 0.0005)
        .last()
        .unwrap_or(keys[0]);
    let mut src = FileSource::open(path).unwrap();
    let mut pipeline = Pipeline::open(&mut src).unwrap();
    let mut out = Vec::new();
    // Init, then a few segments from the start (as a player would), then the seek.
    for _ in 0..3 {
        match pipeline.step(&mut src).unwrap() {
            Step::Init(init) => out.extend_from_slice(&init.data),
            Step::Segment(_) => {}
            Step::Frames(_) => unreachable!("only a pipeline told to encode video gives frames"),
            Step::End => panic!("ended early"),
        }
    }
    let ms = TimeBase::MILLIS;
    let point = pipeline
        .seek(&mut src, Timestamp(ms.from_seconds(target)), ms)
        .unwrap();
    let at = point.time_base.seconds(point.time.0);
    assert!(
        (at - want).abs() < 0.002,
        "pipeline seek landed at {at}, want {want}"
    );
    let mut first_start = None;
    // Where the source's time 0 lands when every track was moved later (an MP4's AAC
    // priming frame before 0; see `MediaSegment::window_start`).
    let mut moved_ms = 0u64;
    loop {
        match pipeline.step(&mut src).unwrap() {
            Step::Segment(seg) => {
                if let Some(w) = seg.window_start {
                    moved_ms = (w * 1000.0).round() as u64;
                }
                first_start.get_or_insert(seg.time_base.seconds(seg.start.0));
                out.extend_from_slice(&seg.data);
            }
            Step::Frames(_) => unreachable!("only a pipeline told to encode video gives frames"),
            Step::End => break,
            Step::Init(_) => panic!("a second init segment"),
        }
    }
    let start = first_start.expect("no segment after the seek");
    assert!(
        start <= want + 0.05,
        "the first segment starts at {start}, after the key frame {want}"
    );
    let file = dir().join(format!(
        "after-seek-{}.mp4",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&file, &out).unwrap();
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["packet=pts_time,flags", "-of", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&probe.stderr);
    assert!(
        probe.status.success() && stderr.trim().is_empty(),
        "ffprobe on the remux after seek: {stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&probe.stdout).unwrap();
    let pts: Vec<f64> = json["packets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["pts_time"].as_str().and_then(|s| s.parse().ok()))
        .collect();
    let first = pts.iter().copied().fold(f64::INFINITY, f64::min);
    let last = pts.iter().copied().fold(0.0, f64::max);
    assert!(
        (first - want).abs() < 0.05,
        "remux after seek to {target}: first frame at {first}, key frame at {want}"
    );
    assert!(
        last > 59.0,
        "remux after seek to {target} stops at {last} s"
    );
    // From the target on, every frame (and before it, all but the frames no other frame
    // refers to: left out, see `fmp4::fragmenter::leave_out_unreferenced`).
    let keys_in_src = keys.iter().filter(|k| **k >= want - 0.001).count();
    let frames_expected = ((60.0 - target) * 25.0).round() as usize;
    let from_target = pts.iter().filter(|&&t| t >= target - 0.001).count();
    assert!(
        from_target + 2 >= frames_expected && pts.len() >= from_target + keys.iter().filter(|k| (want..target).contains(k)).count(),
        "remux after seek has {} video frames, {from_target} from the target on, expected about {frames_expected} ({keys_in_src} key frames)",
        pts.len()
    );
    // What the viewer sees from the target on is the film: each frame decoded from the remux
    // after the seek equals the source's frame at that time (ffmpeg, MD5 of the pixels).
    let seen = decoded_frames(&file, true);
    // (The source may be a cut file: ffmpeg warns about its end.)
    let source = decoded_frames(path, false);
    let mut compared = 0;
    for (t, md5) in source.iter().filter(|(t, _)| *t as f64 / 1000.0 >= target) {
        let got = seen.iter().find(|(u, _)| u.abs_diff(*t + moved_ms) <= 2);
        assert_eq!(
            got.map(|g| &g.1),
            Some(md5),
            "remux after seek to {target}: the frame at {t} ms differs from the source's (or is missing)"
        );
        compared += 1;
    }
    assert!(compared + 2 >= frames_expected, "compared {compared} frames");
}

/// Every video frame ffmpeg decodes from `path`: (presentation time in ms, MD5 of its pixels).
/// `strict`: ffmpeg must not print a single warning.
fn decoded_frames(path: &Path, strict: bool) -> Vec<(u64, String)> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-copyts", "-i"])
        .arg(path)
        .args(["-map", "0:v:0", "-fps_mode", "passthrough", "-enc_time_base", "1:1000"])
        .args(["-f", "framemd5", "-"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && (!strict || stderr.trim().is_empty()),
        "ffmpeg decoding {}: {stderr}",
        path.display()
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            Some((f.get(2)?.parse().ok()?, f.get(5)?.to_string()))
        })
        .collect()
}

#[test]
fn mkv_with_cues_seeks_to_key_frames() {
    if !have_ffmpeg() {
        return;
    }
    let path = make("cues.mkv", &[]);
    check_seeks(&path, true);
    for t in [0.0, 17.3, 41.0] {
        check_remux_after_seek(&path, t);
    }
}

#[test]
fn mkv_cues_at_the_end_are_asked_for() {
    if !have_ffmpeg() {
        return;
    }
    let path = make("cues-end.mkv", &[]);
    let bytes = std::fs::read(&path).unwrap();
    let mut cache = SparseCache::new(Some(bytes.len() as u64));
    // Only the head of the file: the Cues (at the end) are missing.
    cache.insert(0, bytes[..256 << 10].to_vec());
    let mut d = probe::open(&mut cache).unwrap();
    let ms = TimeBase::MILLIS;
    match d.seek(&mut cache, SeekTarget::new(Timestamp(30_000), ms)) {
        Err(Error::NeedData { offset, .. }) => {
            assert!(
                offset > bytes.len() as u64 * 9 / 10,
                "the seek asked for {offset}, not the Cues at the end"
            );
        }
        other => panic!("seek without the Cues: {other:?}"),
    }
    // The demuxer is where it was: it still plays from the start.
    let p = d.next_packet(&mut cache).unwrap().unwrap();
    assert!(
        p.pts.0 < 100,
        "after a seek that needed data, the next packet is at {}",
        p.pts.0
    );
}

#[test]
fn mkv_without_cues_seeks_by_estimate() {
    if !have_ffmpeg() {
        return;
    }
    let path = make("nocues-src.mkv", &[]);
    // Cut the file where the Cues start: what an incomplete download looks like.
    let bytes = std::fs::read(&path).unwrap();
    let cues = bytes
        .windows(4)
        .rposition(|w| w == [0x1C, 0x53, 0xBB, 0x6B])
        .unwrap();
    let cut = dir().join("nocues.mkv");
    std::fs::write(&cut, &bytes[..cues]).unwrap();
    check_seeks(&cut, false);
    check_remux_after_seek(&cut, 33.3);
}

#[test]
fn mp4_seeks_to_key_frames() {
    if !have_ffmpeg() {
        return;
    }
    for (name, flags) in [
        ("end.mp4", &[][..]),
        ("faststart.mp4", &["-movflags", "+faststart"][..]),
    ] {
        let path = make(name, flags);
        check_seeks(&path, true);
        for t in [0.0, 23.9, 47.5] {
            check_remux_after_seek(&path, t);
        }
    }
}

#[test]
fn fragmented_mp4_seeks_through_its_mfra_index() {
    if !have_ffmpeg() {
        return;
    }
    let path = make("frag.mp4", &["-movflags", "frag_keyframe+empty_moov"]);
    check_seeks(&path, true);
    check_remux_after_seek(&path, 29.0);
}
