//! What happened to each row, and docs/MATRIX.md written from it.

use std::fmt::Write as _;

use crate::table::{Expect, Row, ENGINES};

/// What happened to one row.
#[derive(Clone, Debug)]
pub enum Outcome {
    Plays,
    Silent(String),
    /// The video is not carried: only the audio would play.
    AudioOnly(String),
    Refused(String),
    Broken(String),
    Skipped(String),
}

impl Outcome {
    pub fn rank(&self) -> Option<Expect> {
        match self {
            Outcome::Plays => Some(Expect::Plays),
            Outcome::Silent(_) => Some(Expect::Silent),
            Outcome::Refused(_) | Outcome::AudioOnly(_) => Some(Expect::Refused),
            Outcome::Broken(_) | Outcome::Skipped(_) => None,
        }
    }
    /// What the page shows the viewer: the refusal, or the notice of a film played without
    /// sound.
    pub fn shown(&self) -> Option<&str> {
        match self {
            Outcome::Refused(t) | Outcome::Silent(t) => Some(t),
            _ => None,
        }
    }
    pub fn text(&self) -> String {
        match self {
            Outcome::Plays => "plays".into(),
            Outcome::Silent(n) => format!("plays without sound, with a notice: “{n}”"),
            Outcome::Refused(e) => format!("clear unsupported error: “{e}”"),
            Outcome::AudioOnly(n) => {
                format!("no picture: the audio alone would play, with a notice: “{n}”")
            }
            Outcome::Broken(w) => format!("**broken**: {w}"),
            Outcome::Skipped(w) => format!("not tested here: {w}"),
        }
    }
}

pub fn markdown(rows: &[Row], columns: &[Vec<Outcome>]) -> String {
    let mut s = String::new();
    s.push_str("# Tested container × codec × feature matrix\n\n");
    s.push_str(
        "Written by `crates/remux-wasm/tests/matrix/` from what actually happened on the last \
         run (do not edit by hand). Each row is a fixture ffmpeg made at test time (3 s, 160x120, \
         sometimes rewritten into a form real files take and ffmpeg does not write). \
         **plays** means: the native `riptide-remux` path's output matches ffprobe of the source \
         (packets per carried track, PTS within one tick after one common shift, key frames, \
         duration within one frame), `ffprobe -v warning` is silent on it, the `mp4` crate reads \
         it, and the headless browser of the column (Debian's Chromium; Debian's Firefox ESR) \
         played it through the wasm player and MSE past 2 s with no \
         error event, the first video frame and the start of each track's buffered media within 50 ms \
         of the source's (ffprobe), audio decoded. The browser plays the row's file itself (MKV, \
         MP4 or AVI, demuxed by the wasm player). Engines decode different codecs, so a row may \
         play in one and be refused in the other; refusals and notices are the page's own words. \
         A row CI requires (`expect` in the test, per engine) fails the test if it does not hold, \
         and so does a refusal or notice that is not a clear sentence.\n\n",
    );
    let heads: Vec<&str> = ENGINES.iter().map(|e| e.label()).collect();
    let _ = writeln!(s, "| Container | Video | Audio | Feature | {} |", heads.join(" | "));
    let _ = writeln!(s, "|---|---|---|---|{}", "---|".repeat(ENGINES.len()));
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<String> =
            columns.iter().map(|c| c[i].text().replace('|', "\\|").replace('\n', " ")).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            r.container,
            r.video,
            r.audio,
            if r.feature.is_empty() { "—" } else { r.feature },
            cells.join(" | ")
        );
    }
    s.push_str(
        "\nRewritten forms: MKV lacing, unknown sizes, header stripping, Annex B and no index come \
         from crates/test-support/src/mkv_edit.rs; `co64` and AVI OpenDML (`indx`/`ix##`, which ffmpeg \
         writes only past 4 GB / 1 GB) from crates/test-support; ffprobe is checked to read each \
         rewrite as the original (packets, or for lacing and Annex B their count and key frames). \
         A/V sync: checked exactly natively (every carried track's PTS equal to the source's \
         after one common shift of at most 50 ms), and in each browser: the first video frame's media \
         time, and where the browser buffered the start of the video and of the audio, each \
         within 50 ms of the source's; Chromium reports only the intersection of the tracks of \
         one SourceBuffer, so tests/e2e/matrix.mjs splits the player's first appended segments \
         per track and appends each half to a scratch MediaSource. MP3 plays apart, as raw \
         frames in an `audio/mpeg` SourceBuffer (Chromium refuses MP3 in MP4), whose buffered \
         ranges must hold the playhead; audio decoded is `webkitAudioDecodedByteCount` > 0. \
         Firefox ESR refuses both `audio/mpeg` and `mp4a.6B` but takes MP3 in MP4 named `mp3`: \
         there MP3 stays in the MP4. Firefox has no decoded byte counter, and headless it keeps \
         every AudioContext suspended (no sound device), so there audio decoded means \
         `mozHasAudio` (its media pipeline holds an audio stream) with the audio's buffered \
         ranges holding the playhead.\n",
    );
    s
}
