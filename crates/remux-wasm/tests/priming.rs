//! The AAC priming trim of an MP4 source survives the remux. ffmpeg's MP4 muxer writes an
//! audio edit list whose `media_time` (1024) hides the encoder's priming frame; decoding the
//! source gives the audio without it. Riptide's output keeps the frame (the decoder needs it
//! to overlap into the next one) at −1024 ticks, with an edit list saying so: decoded with its
//! timestamps honoured and cut at 0, as a player (MSE's appendWindowStart 0) does, the output
//! gives exactly the source's samples.
//!
//! ffmpeg 5.1 itself turns an edit list into a decoder trim only for an unfragmented sample
//! table, so a plain `ffmpeg -i out.mp4` decode of any fragmented MP4 (its own too) keeps
//! the 1024 samples; that is why the check cuts at 0 with `-copyts` and `atrim`.

#![cfg(not(target_arch = "wasm32"))] // runs ffmpeg: native only

use test_support as support;

use std::path::Path;
use std::process::Command;

/// The first audio stream decoded to mono 16-bit PCM; with `cut_at_zero`, timestamps are
/// kept (`-copyts`) and what is presented before 0 is dropped.
fn pcm(path: &Path, cut_at_zero: bool) -> Vec<u8> {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-nostdin"]);
    if cut_at_zero {
        cmd.arg("-copyts");
    }
    cmd.arg("-i").arg(path).args(["-map", "0:a"]);
    if cut_at_zero {
        cmd.args(["-af", "atrim=start=0"]);
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
    support::riptide_remux(&src, &out);

    let source = pcm(&src, false);
    let probe = support::ffprobe(&out);
    let audio = probe.of_type("audio")[0];
    assert_eq!(
        audio.start_pts,
        Some(-1024),
        "the priming frame is presented before 0 in the output"
    );
    let ours = pcm(&out, true);
    assert_eq!(
        ours.len() / 2,
        source.len() / 2,
        "samples presented from 0 on: ours against the source's decode"
    );
    assert!(
        ours == source,
        "the decoded samples differ from the source's"
    );
}
