//! Track choice and subtitles on a file ffmpeg makes at test time: H.264 + AC-3 (default,
//! English) + AAC (French) + an SRT and an ASS subtitle track. The choice made for a browser
//! that cannot decode AC-3 carries the AAC track; the cues equal what ffmpeg extracts from the
//! same file (`-map 0:s:N -f srt`).
#![cfg(not(target_arch = "wasm32"))]

use test_support::srt;

use std::path::PathBuf;
use std::process::Command;

use remux_wasm::io::FileSource;
use remux_wasm::pipeline::{Pipeline, Step};
use remux_wasm::subtitle::Cue;
use remux_wasm::track_choice as tracks;
use remux_wasm::TrackKind;
use srt::{ffmpeg_cues, strip_tags};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn have_ffmpeg() -> bool {
    let ok = Command::new("ffmpeg").arg("-version").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
            "ffmpeg not found (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
        );
        eprintln!("ffmpeg not found: skipping the track tests");
    }
    ok
}

/// 8 s: H.264, AC-3 (eng, default), AAC (fre), SRT (eng), ASS (fre); made once per run.
fn make_film() -> PathBuf {
    static FILM: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FILM.get_or_init(make_film_now).clone()
}

fn make_film_now() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("riptide-tracks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tracks.mkv");
    let f = fixtures();
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
        .args(["-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000"])
        .arg("-i")
        .arg(f.join("subs-en.srt"))
        .arg("-i")
        .arg(f.join("subs-fr.ass"))
        .args(["-t", "8", "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3", "-map", "4"])
        .args(["-c:v", "libx264", "-bf", "2", "-g", "25", "-c:a:0", "ac3", "-c:a:1", "aac"])
        .args(["-c:s", "copy", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre"])
        .args(["-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=fre"])
        .args(["-disposition:a:0", "default", "-disposition:a:1", "0"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg failed to make {path:?}");
    path
}

fn as_ms(c: &Cue) -> (i64, i64, String) {
    let ms = remux_wasm::TimeBase::MILLIS;
    (c.start.rescale(c.time_base, ms).0, c.end.rescale(c.time_base, ms).0, strip_tags(&c.text))
}

/// Like this machine's headless Chromium: H.264 and AAC only.
fn chromium(mime: &str) -> bool {
    let codecs = mime.split("codecs=\"").nth(1).unwrap_or("").trim_end_matches('"');
    codecs.split(',').all(|c| c.starts_with("avc1.") || c.starts_with("mp4a.40."))
}

#[test]
fn ac3_default_gives_way_to_aac_and_subtitles_match_ffmpeg() {
    if !have_ffmpeg() {
        return;
    }
    let path = make_film();
    let mut src = FileSource::open(&path).unwrap();
    let mut pipeline = Pipeline::open(&mut src).unwrap();
    let all = pipeline.tracks().to_vec();
    let names = |l: &str| (l == "fr").then(|| "French".to_string());
    let viewer = tracks::Viewer {
        supported: &mut chromium,
        language: Some("en-US"),
        language_name: &names,
        wanted_audio: None,
        encodes_video: false,
    };
    let choice = tracks::choose(&all, viewer).unwrap();
    let aac = all.iter().find(|t| t.kind == TrackKind::Audio && t.codec_id == "A_AAC").unwrap();
    assert_eq!(choice.audio, Some(aac.id));
    assert_eq!(
        choice.notices,
        ["This film's default audio is AC-3, which this browser cannot play; playing the AAC track (French) instead."]
    );
    let subs: Vec<_> = choice.tracks.iter().filter(|t| t.kind == TrackKind::Subtitle).collect();
    assert_eq!(subs.len(), 2);
    assert_eq!((subs[0].language.as_deref(), subs[1].language.as_deref()), (Some("en"), Some("fr")));

    pipeline.select(choice.video, choice.audio).unwrap();
    pipeline.collect_cues(true);
    let mut cues: Vec<(u32, Cue)> = Vec::new();
    let mut segments = 0;
    loop {
        let step = pipeline.step(&mut src).unwrap();
        cues.extend(pipeline.take_cues());
        match step {
            Step::Init(init) => assert!(init.mime.contains("mp4a.40.2"), "{}", init.mime),
            Step::Segment(_) => segments += 1,
            Step::Frames(_) => unreachable!("only a pipeline told to encode video gives frames"),
            Step::End => break,
        }
    }
    assert!(segments >= 4, "{segments} segments");
    let carried: Vec<u32> = pipeline.remuxer().carried_tracks().iter().map(|t| t.id).collect();
    assert_eq!(carried, [choice.video.unwrap(), aac.id]);

    for (n, sub) in subs.iter().enumerate() {
        let got: Vec<_> = cues.iter().filter(|(id, _)| *id == sub.id).map(|(_, c)| as_ms(c)).collect();
        let want = ffmpeg_cues(&path, n);
        assert_eq!(got, want, "subtitle track {} ({})", sub.id, sub.codec);
        assert_eq!(want.len(), 3);
    }
}

#[test]
fn the_other_audio_track_can_be_chosen() {
    if !have_ffmpeg() {
        return;
    }
    let path = make_film();
    let mut src = FileSource::open(&path).unwrap();
    let mut pipeline = Pipeline::open(&mut src).unwrap();
    let all = pipeline.tracks().to_vec();
    let ac3 = all.iter().find(|t| t.codec_id == "A_AC3").unwrap().id;
    // Picking AC-3 carries it transcoded to FLAC; picking nothing plays video only.
    pipeline.select(Some(1), Some(ac3)).unwrap();
    match pipeline.step(&mut src).unwrap() {
        Step::Init(init) => assert!(init.mime.ends_with(",flac\""), "{}", init.mime),
        other => panic!("expected the init segment, got {other:?}"),
    }
    pipeline.select(Some(1), None).unwrap();
    match pipeline.step(&mut src).unwrap() {
        Step::Init(init) => assert_eq!(init.mime.matches("codecs").count(), 1, "{}", init.mime),
        other => panic!("expected the init segment, got {other:?}"),
    }
    assert!(!pipeline.remuxer().mime().contains("mp4a"));
}
