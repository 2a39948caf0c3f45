//! The matrix's rows: container × codec × feature, each an ffmpeg recipe (and a rewrite for
//! forms ffmpeg does not write) with what CI requires of it in each browser.

use std::path::PathBuf;

use test_support as support;
use test_support::browser::Engine;
use test_support::mkv_edit::Lacing;

/// What CI requires of a row today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expect {
    /// Any clear outcome (refusal with a message, or better).
    Refused,
    /// At least "plays without sound, with a notice".
    Silent,
    /// Plays with sound.
    Plays,
}

/// A rewrite of the ffmpeg file, for forms ffmpeg does not write.
#[derive(Clone, Copy, Debug)]
pub enum Fix {
    None,
    /// MKV: no SeekHead, no Cues.
    MkvNoIndex,
    /// MKV: Segment and Clusters of unknown size, no index (live / MediaRecorder files).
    MkvLive,
    /// MKV: audio track 2 laced, 4 frames per block.
    MkvLaced(Lacing),
    /// MKV: H.264 track 1 as Annex B, without CodecPrivate.
    MkvAnnexB,
    /// MKV as Chrome's MediaRecorder writes it: unknown-size Segment and Clusters, no index,
    /// H.264 (track 1) as Annex B without CodecPrivate.
    MkvRecorder,
    /// MKV: header stripping of the first byte of every H.264 frame (track 1).
    MkvStripped,
    /// MKV: zlib ContentCompression of both tracks.
    MkvZlib,
    /// MKV: the audio track (2) without CodecPrivate.
    MkvNoAudioPrivate,
    /// MP4: every `stco` rewritten as `co64` (ffmpeg writes co64 only past 4 GB).
    Mp4Co64,
    /// AVI: the OpenDML index (`indx` + `ix##`) instead of `idx1` (ffmpeg writes it only past
    /// 1 GB); see crates/test-support/src/avi_edit.rs.
    AviOpenDml,
}

pub struct Row {
    pub container: &'static str,
    pub video: &'static str,
    pub audio: &'static str,
    pub feature: &'static str,
    pub ext: &'static str,
    /// Extra inputs after the test pattern (0) and the 440 Hz sine (1).
    pub extra_inputs: &'static [&'static str],
    /// ffmpeg arguments after the inputs (maps, codecs, muxer options).
    pub args: &'static [&'static str],
    /// Encoders the row needs (the row is skipped without them, a failure under
    /// `RIPTIDE_REQUIRE_TOOLS`).
    pub encoders: &'static [&'static str],
    pub fix: Fix,
    /// What CI requires in Chromium.
    pub expect: Expect,
    /// What CI requires in Firefox, where it differs from `expect`.
    pub firefox: Option<Expect>,
}

/// The browser engines every playable row is played in (tests/e2e/browser.mjs).
pub const ENGINES: [Engine; 2] = [Engine::Chromium, Engine::Firefox];

impl Row {
    /// What CI requires of this row in `engine`.
    pub fn expect_in(&self, engine: Engine) -> Expect {
        match engine {
            Engine::Chromium => self.expect,
            Engine::Firefox => self.firefox.unwrap_or(self.expect),
        }
    }
}

/// Whether `text` is what a viewer can read: one or more whole sentences in plain words (a
/// capital first, a full stop last, several words, no code's leftovers).
pub fn clear_sentence(text: &str) -> bool {
    let t = text.trim();
    t.chars().next().is_some_and(|c| c.is_uppercase())
        && t.ends_with('.')
        && t.split_whitespace().count() >= 5
        && !["undefined", "[object", "JsValue", "Error(", "panicked", "NaN"].iter().any(|w| t.contains(w))
}

/// The fixture table. Keep fixtures tiny: the whole matrix has a ~4 min budget in CI.
/// Inputs: 0 = test pattern, 1 = 440 Hz sine, then `extra_inputs`.
#[rustfmt::skip]
pub fn rows() -> Vec<Row> {
    use Expect::*;
    let r = |container, video, audio, feature, ext, args, encoders, fix, expect| Row {
        container, video, audio, feature, ext, extra_inputs: &[], args, encoders, fix, expect, firefox: None,
    };
    let subs: &'static str = Box::leak(subtitle_file().to_string_lossy().into_owned().into_boxed_str());
    let srt_in: &'static [&'static str] = Box::leak(vec!["-i", subs].into_boxed_slice());
    let second_audio: &'static [&'static str] = &["-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000"];
    let late_audio: &'static [&'static str] = &["-itsoffset", "0.5", "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000"];
    vec![
        // --- MKV ---
        r("MKV", "H.264 (B-frames)", "AAC", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::None, Plays),
        r("MKV", "H.264", "AAC", "no Cues, no SeekHead", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::MkvNoIndex, Plays),
        r("MKV", "H.264", "AAC", "unknown-size Segment and Clusters (live)", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::MkvLive, Plays),
        r("MKV", "H.264", "AAC", "Xiph lacing, no DefaultDuration", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::MkvLaced(Lacing::Xiph), Plays),
        r("MKV", "H.264", "AAC", "EBML lacing, no DefaultDuration", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::MkvLaced(Lacing::Ebml), Plays),
        r("MKV", "H.264 as Annex B", "AAC", "no CodecPrivate", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::MkvAnnexB, Plays),
        r("MKV", "H.264 as Annex B", "Opus", "as MediaRecorder writes it: unknown sizes, no index, no CodecPrivate", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "25", "-c:a", "libopus"], &["libx264", "libopus"], Fix::MkvRecorder, Plays),
        r("MKV", "H.264", "AAC", "zlib ContentCompression", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::MkvZlib, Plays),
        r("MKV", "H.264", "AAC", "no CodecPrivate (AudioSpecificConfig synthesised)", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::MkvNoAudioPrivate, Plays),
        r("MKV", "H.264", "AAC", "header stripping", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::MkvStripped, Plays),
        Row { extra_inputs: late_audio, ..r("MKV", "H.264 (B-frames)", "AAC", "audio 0.5 s late", "mkv", &["-map", "0", "-map", "2", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::None, Plays) },
        Row { extra_inputs: second_audio, ..r("MKV", "H.264", "AAC (eng) + AC-3 (fre)", "several audio tracks", "mkv", &["-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a:0", "aac", "-c:a:1", "ac3", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre"], &["libx264"], Fix::None, Plays) },
        Row { extra_inputs: srt_in, ..r("MKV", "H.264", "AAC", "SRT subtitles (S_TEXT/UTF8)", "mkv", &["-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac", "-c:s", "srt"], &["libx264"], Fix::None, Plays) },
        Row { extra_inputs: srt_in, ..r("MKV", "H.264", "AAC", "ASS subtitles (S_TEXT/ASS)", "mkv", &["-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac", "-c:s", "ass"], &["libx264"], Fix::None, Plays) },
        r("MKV", "H.264", "AC-3", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "ac3"], &["libx264"], Fix::None, Plays),
        r("MKV", "H.264", "MP3", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "libmp3lame"], &["libx264", "libmp3lame"], Fix::None, Plays),
        r("MKV", "H.264", "E-AC-3", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "eac3"], &["libx264"], Fix::None, Plays),
        r("MKV", "H.264", "DTS", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "dca", "-strict", "-2"], &["libx264", "dca"], Fix::None, Plays),
        r("MKV", "H.264", "FLAC", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "flac"], &["libx264"], Fix::None, Plays),
        r("MKV", "H.264", "Opus", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "libopus"], &["libx264", "libopus"], Fix::None, Plays),
        // Debian's Chromium refuses HEVC; Firefox ESR (with Debian's ffmpeg libraries) plays it.
        Row { firefox: Some(Plays), ..r("MKV", "HEVC", "AAC", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-c:a", "aac"], &["libx265"], Fix::None, Refused) },
        r("MKV", "VP9", "Opus", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"], &["libvpx-vp9", "libopus"], Fix::None, Plays),
        r("MKV", "AV1", "Opus", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libaom-av1", "-cpu-used", "8", "-row-mt", "1", "-c:a", "libopus"], &["libaom-av1", "libopus"], Fix::None, Plays),
        r("MKV", "Xvid (MPEG-4 Part 2)", "MP3", "", "mkv", &["-map", "0", "-map", "1", "-c:v", "libxvid", "-c:a", "libmp3lame"], &["libxvid", "libmp3lame"], Fix::None, Plays),
        // --- WebM ---
        r("WebM", "VP9", "Opus", "", "webm", &["-map", "0", "-map", "1", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"], &["libvpx-vp9", "libopus"], Fix::None, Plays),
        r("WebM", "VP9", "Vorbis", "", "webm", &["-map", "0", "-map", "1", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libvorbis"], &["libvpx-vp9", "libvorbis"], Fix::None, Plays),
        r("WebM", "AV1", "Opus", "", "webm", &["-map", "0", "-map", "1", "-c:v", "libaom-av1", "-cpu-used", "8", "-row-mt", "1", "-c:a", "libopus"], &["libaom-av1", "libopus"], Fix::None, Plays),
        r("WebM", "VP9", "Opus", "unknown-size Segment and Clusters (live)", "webm", &["-map", "0", "-map", "1", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"], &["libvpx-vp9", "libopus"], Fix::MkvLive, Plays),
        // --- MP4 / MOV ---
        r("MP4, moov first", "H.264 (B-frames)", "AAC", "", "mp4", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac", "-movflags", "+faststart"], &["libx264"], Fix::None, Plays),
        r("MP4, moov last", "H.264 (B-frames)", "AAC", "", "mp4", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::None, Plays),
        r("MP4, fragmented", "H.264 (B-frames)", "AAC", "re-fragmented", "mp4", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac", "-movflags", "+frag_keyframe+empty_moov+default_base_moof"], &["libx264"], Fix::None, Plays),
        r("MP4, moov last", "H.264 (B-frames)", "AAC", "negative composition offsets (ctts v1)", "mp4", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac", "-movflags", "+negative_cts_offsets"], &["libx264"], Fix::None, Plays),
        r("MP4, moov last", "H.264 (B-frames)", "AAC", "co64 chunk offsets", "mp4", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::Mp4Co64, Plays),
        Row { extra_inputs: late_audio, ..r("MP4, moov last", "H.264 (B-frames)", "AAC", "audio 0.5 s late (empty edit)", "mp4", &["-map", "0", "-map", "2", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::None, Plays) },
        Row { extra_inputs: second_audio, ..r("MP4, moov first", "H.264", "AAC (eng) + AAC (fre)", "several audio tracks", "mp4", &["-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre", "-movflags", "+faststart"], &["libx264"], Fix::None, Plays) },
        Row { extra_inputs: srt_in, ..r("MP4, moov first", "H.264", "AAC", "mov_text subtitles", "mp4", &["-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac", "-c:s", "mov_text", "-movflags", "+faststart"], &["libx264"], Fix::None, Plays) },
        r("MOV", "H.264 (B-frames)", "AAC", "", "mov", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "aac"], &["libx264"], Fix::None, Plays),
        r("MP4, moov last", "H.264", "MP3", "", "mp4", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "libmp3lame"], &["libx264", "libmp3lame"], Fix::None, Plays),
        r("MP4, moov last", "H.264", "FLAC", "", "mp4", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "flac", "-strict", "-2"], &["libx264"], Fix::None, Plays),
        r("MP4, moov last", "H.264", "Opus", "", "mp4", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "libopus", "-strict", "-2"], &["libx264", "libopus"], Fix::None, Plays),
        r("MP4, moov last", "H.264", "AC-3", "", "mp4", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "ac3"], &["libx264"], Fix::None, Plays),
        // Firefox lost every fragment after the first here while the AAC priming trim was an
        // edit list (its next key frame is past the end): now it plays, as the MKV does.
        Row { firefox: Some(Plays), ..r("MP4, moov last", "HEVC (hvc1)", "AAC", "", "mp4", &["-map", "0", "-map", "1", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1", "-c:a", "aac"], &["libx265"], Fix::None, Refused) },
        r("MP4, moov last", "VP9", "Opus", "", "mp4", &["-map", "0", "-map", "1", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-strict", "-2"], &["libvpx-vp9", "libopus"], Fix::None, Plays),
        r("MP4, moov last", "AV1", "AAC", "", "mp4", &["-map", "0", "-map", "1", "-c:v", "libaom-av1", "-cpu-used", "8", "-row-mt", "1", "-c:a", "aac"], &["libaom-av1"], Fix::None, Plays),
        // H.264 + MP3 rows: Chromium refuses MP3 in MP4 and takes `audio/mpeg`: the player
        // carries the MP3 apart, raw, in a second SourceBuffer.
        // --- AVI ---
        r("AVI 1.0 (idx1)", "Xvid (MPEG-4 Part 2)", "MP3", "", "avi", &["-map", "0", "-map", "1", "-c:v", "libxvid", "-c:a", "libmp3lame"], &["libxvid", "libmp3lame"], Fix::None, Plays),
        r("AVI 1.0 (idx1)", "H.264 (B-frames)", "MP3", "", "avi", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "libmp3lame"], &["libx264", "libmp3lame"], Fix::None, Plays),
        r("AVI OpenDML (indx, ix##)", "Xvid (MPEG-4 Part 2)", "MP3", "no idx1", "avi", &["-map", "0", "-map", "1", "-c:v", "libxvid", "-c:a", "libmp3lame"], &["libxvid", "libmp3lame"], Fix::AviOpenDml, Plays),
        r("AVI OpenDML (indx, ix##)", "H.264 (B-frames)", "MP3", "no idx1", "avi", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "libmp3lame"], &["libx264", "libmp3lame"], Fix::AviOpenDml, Plays),
        r("AVI 1.0 (idx1)", "H.264 (B-frames)", "AC-3", "", "avi", &["-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-c:a", "ac3"], &["libx264"], Fix::None, Plays),
    ]
}

/// A 3-cue SRT file under target/fixtures (content fixed, so fixtures stay cached).
pub fn subtitle_file() -> PathBuf {
    let dir = support::target_dir().join("fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("matrix-subtitles.srt");
    let text = "1\n00:00:00,200 --> 00:00:01,000\nHello\n\n2\n00:00:01,200 --> 00:00:02,000\n<i>second</i> line\n\n3\n00:00:02,100 --> 00:00:02,900\nThird\n";
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
        std::fs::write(&path, text).unwrap();
    }
    path
}

impl Row {
    pub fn name(&self) -> String {
        let mut s = format!(
            "{} {} {} {}",
            self.container, self.video, self.audio, self.feature
        );
        s.retain(|c| c.is_ascii_alphanumeric() || c == ' ');
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join("-")
            .to_lowercase()
    }
}
