//! Track choice in a real browser, as a viewer meets it: films made by ffmpeg, shared over a
//! loopback swarm, opened by magnet in headless Chromium (which decodes H.264 and AAC, not
//! AC-3 or MPEG-2 video).
//! - AC-3 default + AAC: the AC-3 track plays, decoded in the page and carried as FLAC; SRT
//!   and ASS subtitle tracks become text tracks whose cues equal what ffmpeg extracts.
//! - Only AC-3: plays with sound (FLAC), no notice.
//! - MPEG-2 video: a clear error naming it, after fetching little more than headers.
//! - Two AAC tracks: switching the audio menu changes the carried track; playback continues.
//!
//! Needs ffmpeg, node with `playwright-core`, /usr/bin/chromium and `www/pkg`.

use test_support::page as support;
use test_support::srt;

use std::path::{Path, PathBuf};

use serde_json::Value;
use srt::{ffmpeg_cues, strip_tags};
use support::*;

fn subs_dir() -> PathBuf {
    repo().join("crates/remux-wasm/tests/fixtures")
}

/// 12 s of 640x360 H.264 with the given extra inputs/maps/codecs, as one ffmpeg argument list.
fn film(name: &str, audio: &[&str], video_codec: &[&str]) -> PathBuf {
    let mut args: Vec<String> = [
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let subs = subs_dir();
    args.extend(["-i".into(), subs.join("subs-en.srt").display().to_string()]);
    args.extend(["-i".into(), subs.join("subs-fr.ass").display().to_string()]);
    args.extend(["-t", "12", "-map", "0:v"].iter().map(|s| s.to_string()));
    args.extend(video_codec.iter().map(|s| s.to_string()));
    args.extend(audio.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    named_fixture(name, &refs)
}

const H264: &[&str] = &["-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-pix_fmt", "yuv420p"];

/// One browser at a time: these machines have 2 cores.
static BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn play(film: &Path, name: &str, seconds: f64, extra: &[&'static str]) -> Value {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let (url, _servers) = swarm(film, name).await;
        let extra = extra.to_vec();
        let report = tokio::task::spawn_blocking(move || node_play(&url, seconds, 50_000, &extra))
            .await
            .unwrap();
        eprintln!("{name} report: {}", serde_json::to_string_pretty(&report["tracks"]).unwrap());
        eprintln!("{name} status: {} {}", report["status"], report["playerStatus"]);
        report
    })
}

fn assert_played(report: &Value, seconds: f64) {
    assert_eq!(report["errors"], serde_json::json!([]), "page errors");
    assert!(report["videoError"].is_null(), "the video element failed: {}", report["videoError"]);
    let current = report["currentTime"].as_f64().unwrap_or(0.0);
    assert!(current >= seconds, "playback advanced only {current} s; status: {}", report["status"]);
}

/// The page's cues of text track `i`: (start ms, end ms, text without tags).
fn page_cues(report: &Value, i: usize) -> Vec<(i64, i64, String)> {
    report["tracks"]["text"][i]["cues"]
        .as_array()
        .unwrap_or_else(|| panic!("text track {i} has no cues: {}", report["tracks"]))
        .iter()
        .map(|c| {
            let ms = |k: &str| (c[k].as_f64().unwrap() * 1000.0).round() as i64;
            (ms("start"), ms("end"), strip_tags(c["text"].as_str().unwrap()))
        })
        .collect()
}

#[test]
fn ac3_default_plays_with_sound_as_flac_and_subtitles_become_text_tracks() {
    if !have_tools() {
        return;
    }
    require_wasm_package();
    let film = film(
        "tracks-ac3-aac-subs.mkv",
        &[
            "-map", "1:a", "-map", "2:a", "-map", "3", "-map", "4", "-c:a:0", "ac3", "-c:a:1", "aac",
            "-c:s", "copy", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre",
            "-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=fre",
            "-disposition:a:0", "default", "-disposition:a:1", "0",
        ],
        H264,
    );
    let report = play(&film, "e2e-tracks-ac3-aac", 3.0, &[]);
    assert_played(&report, 3.0);
    let t = &report["tracks"];
    // The default AC-3 track keeps its place: decoded in the page and carried as FLAC.
    assert_eq!(t["notices"], serde_json::json!([]), "{t}");
    let selected: Vec<&Value> = t["audio"].as_array().unwrap().iter().filter(|a| a["selected"] == true).collect();
    assert_eq!(selected.len(), 1, "{}", t["audio"]);
    assert_eq!(selected[0]["codec"], "AC-3");
    assert_eq!(report["playerStatus"]["audio_track"], selected[0]["id"]);
    assert!(report["playerStatus"]["mime"].as_str().unwrap().contains("flac"), "{}", report["playerStatus"]);

    // Subtitles: two text tracks, named in the viewer's language, with ffmpeg's cues.
    let text = t["text"].as_array().unwrap();
    assert_eq!(text.len(), 2, "{t}");
    assert_eq!((&text[0]["label"], &text[0]["language"]), (&"English".into(), &"en".into()));
    assert_eq!((&text[1]["label"], &text[1]["language"]), (&"French".into(), &"fr".into()));
    for i in 0..2 {
        let want = ffmpeg_cues(&film, i);
        assert_eq!(want.len(), 3);
        assert_eq!(page_cues(&report, i), want, "text track {i}");
    }
}

#[test]
fn only_ac3_audio_plays_with_sound_as_flac() {
    if !have_tools() {
        return;
    }
    require_wasm_package();
    let film = film("tracks-ac3-only.mkv", &["-map", "1:a", "-c:a", "ac3"], H264);
    let report = play(&film, "e2e-tracks-ac3-only", 3.0, &[]);
    assert_played(&report, 3.0);
    assert_eq!(report["tracks"]["notices"], serde_json::json!([]), "{}", report["tracks"]);
    let mime = report["playerStatus"]["mime"].as_str().unwrap();
    assert!(mime.contains("avc1") && mime.contains("flac"), "{mime}");
    assert!(!report["playerStatus"]["audio_track"].is_null());
}

#[test]
fn mpeg2_video_stops_before_the_download_with_a_clear_error() {
    if !have_tools() {
        return;
    }
    require_wasm_package();
    // MPEG-2 video: no browser decodes it and Riptide does not transcode it (MPEG-4 Part 2,
    // the codec this test used before, now plays through WebCodecs). 12 s at 4 Mbit/s: about
    // 6 MB, some 24 pieces.
    let film = film(
        "tracks-mpeg2.mkv",
        &["-map", "1:a", "-c:a", "aac"],
        &["-c:v", "mpeg2video", "-b:v", "4M", "-g", "50"],
    );
    let bytes = std::fs::read(&film).unwrap();
    let first_cluster = bytes.windows(4).position(|w| w == [0x1F, 0x43, 0xB6, 0x75]).unwrap() as u64;
    let piece = PIECE_LENGTH as u64;
    let allowed = first_cluster.div_ceil(piece) * piece + 2 * piece;
    assert!(bytes.len() as u64 > allowed * 3, "the fixture is too small to tell");

    let report = play(&film, "e2e-tracks-mpeg2", 3.0, &[]);
    assert!(report["statusIsError"] == true, "no error shown: {}", report["status"]);
    let status = report["status"].as_str().unwrap();
    assert!(
        status.contains("MPEG-2 video") && status.contains("cannot play"),
        "the error does not name the codec in plain words: {status}"
    );
    // The page and the engine's status both have it typed (docs/API.md, "Errors").
    for (who, problem) in [("page", &report["problem"]), ("player status", &report["playerStatus"]["error"])] {
        assert_eq!(problem["code"], "unsupported-codec", "{who}: {problem}");
        assert_eq!(problem["fatal"], true, "{who}: {problem}");
        assert_eq!(problem["codec"], "MPEG-2 video", "{who}: {problem}");
        assert_eq!(problem["message"].as_str(), Some(status), "{who}: {problem}");
    }
    let fetched = report["playerStatus"]["bytes_fetched"].as_f64().unwrap() as u64;
    let seen = report["fileBytesSeen"].as_f64().unwrap() as u64;
    eprintln!("headers end at {first_cluster}; player fetched {fetched}, page saw {seen} of {}", bytes.len());
    assert!(fetched.max(seen) <= allowed, "fetched {} bytes; headers + 2 pieces = {allowed}", fetched.max(seen));
}

#[test]
fn switching_audio_tracks_changes_the_carried_track_and_playback_continues() {
    if !have_tools() {
        return;
    }
    require_wasm_package();
    let film = film(
        "tracks-two-aac.mkv",
        &[
            "-map", "1:a", "-map", "2:a", "-c:a", "aac", "-ac:a:1", "1",
            "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=ger",
            "-disposition:a:0", "default", "-disposition:a:1", "0",
        ],
        H264,
    );
    let report = play(&film, "e2e-tracks-switch", 5.0, &["--switch-audio-at", "2"]);
    assert_played(&report, 5.0);
    let switched = &report["switched"];
    assert!(!switched.is_null(), "the audio menu was never switched: {}", report["tracks"]);
    assert_ne!(switched["from"], switched["to"]);
    assert_eq!(report["playerStatus"]["audio_track"], switched["to"], "the player still carries the old track");
    let selected: Vec<&Value> =
        report["tracks"]["audio"].as_array().unwrap().iter().filter(|a| a["selected"] == true).collect();
    assert_eq!(selected[0]["id"], switched["to"]);
    assert!(report["tracks"]["notices"].as_array().unwrap().is_empty());
}
