//! The AAC priming trim of an MP4 source survives the remux. ffmpeg's MP4 muxer writes an
//! audio edit list whose `media_time` (1024) hides the encoder's priming frame; decoding the
//! source gives the audio without it. Riptide's output keeps the frame (the decoder needs it
//! to overlap into the next one) and moves every track 1024 samples later, with no edit list
//! (Firefox applies one to the first media segment only); the command says where the
//! presentation starts (the page's `appendWindowStart`). Decoded with its timestamps and cut
//! there, as the browser does, the output gives exactly the source's samples, and the video
//! starts there too.
//!
//! ffmpeg 5.1 itself turns an edit list into a decoder trim only for an unfragmented sample
//! table, so a plain `ffmpeg -i out.mp4` decode of any fragmented MP4 (its own too) keeps
//! the 1024 samples; that is why the check cuts with `-copyts` and `atrim`.

#![cfg(not(target_arch = "wasm32"))] // runs ffmpeg: native only

use test_support as support;

use std::path::Path;
use std::process::Command;

/// The first audio stream decoded to mono 16-bit PCM; with `cut_at`, timestamps are kept
/// (`-copyts`) and what is presented before that time (s) is dropped.
fn pcm(path: &Path, cut_at: Option<f64>) -> Vec<u8> {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-nostdin"]);
    if cut_at.is_some() {
        cmd.arg("-copyts");
    }
    cmd.arg("-i").arg(path).args(["-map", "0:a"]);
    if let Some(t) = cut_at {
        cmd.args(["-af", &format!("atrim=start_sample={}", (t * 48_000.0).round() as u64)]);
    }
    let out = cmd.args(["-ac", "1", "-f", "s16le", "-"]).output().unwrap();
    assert!(
        out.status.success(),
        "ffmpeg decode of {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn mp4_aac_priming_trim_is_kept() {
    let mut args = support::av_inputs("160x120", 2.0);
    args.extend(
        [
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-shortest",
        ]
        .map(String::from),
    );
    let Some(src) = support::fixture("mp4", &args) else {
        return;
    };
    let out = support::scratch("priming-out.mp4");
    let start = support::riptide_remux(&src, &out).expect("the command names where the presentation starts");

    let source = pcm(&src, None);
    let probe = support::ffprobe(&out);
    let audio = probe.of_type("audio")[0];
    assert_eq!(audio.start_pts, Some(0), "the priming frame starts the output's audio, at 0");
    assert!((start - 1024.0 / 48_000.0).abs() < 1e-6, "the presentation starts after the priming frame, at {start} s");
    let video = probe.of_type("video")[0];
    let video_start = video.start_time.unwrap();
    assert!((video_start - start).abs() < 1e-3, "the video moved with the audio: it starts at {video_start} s, the presentation at {start} s");
    let ours = pcm(&out, Some(start));
    assert_eq!(
        ours.len() / 2,
        source.len() / 2,
        "samples presented from the start on: ours against the source's decode"
    );
    assert!(
        ours == source,
        "the decoded samples differ from the source's"
    );
}
