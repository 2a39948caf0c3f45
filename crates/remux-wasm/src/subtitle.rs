//! Text subtitles: one subtitle [`Packet`] → one [`Cue`] {start, end, text}, for the
//! browser's text tracks (`VTTCue`). Styling is stripped; times stay in the track's time base
//! (the player turns them into seconds when it makes the `VTTCue`).
//!
//! Formats, as Matroska and MP4 store them:
//! - SRT (`S_TEXT/UTF8`, `S_TEXT/ASCII`): the block is the cue text (may hold `<i>`-style tags,
//!   which WebVTT understands; `{\an8}`-style override blocks are removed).
//! - ASS/SSA (`S_TEXT/ASS`, `S_TEXT/SSA`): the block is a Dialogue line without its times,
//!   `ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text` (the field count follows
//!   the `Format:` line of `[Events]` in CodecPrivate when there is one). The text is the last
//!   field; override blocks `{\...}` are removed, `\N`/`\n` become line breaks, `\h` a
//!   non-breaking space, and `<`, `&` are escaped for WebVTT.
//! - WebVTT (`S_TEXT/WEBVTT`, `D_WEBVTT/...`): the block is the cue payload.
//! - MP4 `tx3g` (3GPP timed text): a 16-bit length, then the text (UTF-8, or UTF-16 with a BOM).
//! - MP4 `wvtt` (ISO 14496-30): `vttc` boxes whose `payl` box holds the cue payload; `vtte`
//!   (an empty sample) means no cue.

use crate::packet::{Codec, Packet, Track, TrackKind};
use crate::time::{Duration, TimeBase, Timestamp};

/// Shown for this long when a packet has no duration (a damaged or unusual file): 4 s.
pub const FALLBACK_CUE_SECONDS: u32 = 4;

/// A text subtitle format Riptide turns into cues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Srt,
    /// ASS or SSA; `text_field` is the 0-based index of the Text field in a block.
    Ass { text_field: usize },
    WebVtt,
    Tx3g,
    Wvtt,
}

impl Format {
    /// The format of a subtitle track, or `None` if it is not text Riptide can show (PGS,
    /// VobSub, anything else).
    pub fn of(track: &Track) -> Option<Format> {
        if track.kind != TrackKind::Subtitle {
            return None;
        }
        Some(match track.codec {
            Codec::SubRip => Format::Srt,
            Codec::Ass => Format::Ass {
                text_field: ass_text_field(&track.codec_private),
            },
            Codec::WebVtt => Format::WebVtt,
            Codec::Tx3g => Format::Tx3g,
            Codec::Wvtt => Format::Wvtt,
            _ => return None,
        })
    }
}

/// One subtitle on screen from `start` to `end` (in `time_base`).
#[derive(Clone, Debug, PartialEq)]
pub struct Cue {
    pub start: Timestamp,
    pub end: Timestamp,
    pub time_base: TimeBase,
    /// Plain text with line breaks (SRT cues keep WebVTT-compatible `<i>`/`<b>` tags).
    pub text: String,
}

/// The cue of one subtitle packet of a track in `format` with time base `tb`; `None` for a
/// packet that clears the screen (empty text) or is not readable text.
pub fn cue(format: &Format, packet: &Packet, tb: TimeBase) -> Option<Cue> {
    let text = match format {
        Format::Srt => strip_override_blocks(&String::from_utf8_lossy(&packet.data)),
        Format::Ass { text_field } => ass_text(&String::from_utf8_lossy(&packet.data), *text_field),
        Format::WebVtt => String::from_utf8_lossy(&packet.data).into_owned(),
        Format::Tx3g => tx3g_text(&packet.data)?,
        Format::Wvtt => wvtt_text(&packet.data),
    };
    let text = text.replace("\r\n", "\n").trim().to_string();
    if text.is_empty() {
        return None;
    }
    let fallback = Duration(tb.from_seconds(FALLBACK_CUE_SECONDS as f64).max(1) as u64);
    let dur = packet.dur.filter(|d| d.0 > 0).unwrap_or(fallback);
    Some(Cue {
        start: packet.pts,
        end: packet.pts.checked_add(dur).unwrap_or(packet.pts),
        time_base: tb,
        text,
    })
}

/// Index of the Text field in a Matroska ASS/SSA block, from the `[Events]` `Format:` line
/// of the header (Start and End are not in blocks; ReadOrder comes first). Default 8.
fn ass_text_field(header: &[u8]) -> usize {
    const DEFAULT: usize = 8;
    let header = String::from_utf8_lossy(header);
    let mut in_events = false;
    for line in header.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_events = line.eq_ignore_ascii_case("[events]");
        } else if in_events {
            if let Some(fields) = line.strip_prefix("Format:") {
                let fields: Vec<&str> = fields
                    .split(',')
                    .map(str::trim)
                    .filter(|f| !f.eq_ignore_ascii_case("start") && !f.eq_ignore_ascii_case("end"))
                    .collect();
                return match fields.iter().position(|f| f.eq_ignore_ascii_case("text")) {
                    // +1 for ReadOrder, which blocks carry first.
                    Some(i) => (i + 1).min(32),
                    None => DEFAULT,
                };
            }
        }
    }
    DEFAULT
}

/// The text of an ASS/SSA block: the field at `text_field` and everything after it (the text
/// may hold commas), styling removed.
fn ass_text(block: &str, text_field: usize) -> String {
    let raw = block.splitn(text_field + 1, ',').nth(text_field).unwrap_or("");
    let plain = strip_override_blocks(raw);
    let mut out = String::with_capacity(plain.len());
    let mut chars = plain.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some('N') | Some('n') => {
                    chars.next();
                    out.push('\n');
                }
                Some('h') => {
                    chars.next();
                    out.push('\u{a0}');
                }
                _ => out.push('\\'),
            },
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Removes `{...}` blocks (ASS override tags such as `{\i1}`, `{\an8}`, and comments). An
/// unclosed `{` is kept as text.
fn strip_override_blocks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        match rest[open..].find('}') {
            Some(close) => {
                out.push_str(&rest[..open]);
                rest = &rest[open + close + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// The text of a `tx3g` sample: a 16-bit big-endian length, then UTF-8 (or UTF-16 with BOM).
fn tx3g_text(data: &[u8]) -> Option<String> {
    let len = u16::from_be_bytes([*data.first()?, *data.get(1)?]) as usize;
    let text = data.get(2..2 + len)?;
    if let Some(utf16) = text.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return Some(String::from_utf16_lossy(&units));
    }
    Some(String::from_utf8_lossy(text).into_owned())
}

/// The payloads of the `vttc` boxes of a `wvtt` sample, one per line.
fn wvtt_text(data: &[u8]) -> String {
    let mut lines = Vec::new();
    for (typ, body) in boxes(data) {
        if &typ == b"vttc" {
            for (t, payload) in boxes(body) {
                if &t == b"payl" {
                    lines.push(String::from_utf8_lossy(payload).into_owned());
                }
            }
        }
    }
    lines.join("\n")
}

/// The boxes (32-bit sizes only) of `data`, stopping at the first malformed one.
fn boxes(mut data: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    while data.len() >= 8 {
        let size = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize;
        if size < 8 || size > data.len() {
            break;
        }
        out.push(([data[4], data[5], data[6], data[7]], &data[8..size]));
        data = &data[size..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::tests::other_track;

    fn packet(data: &[u8], pts: i64, dur: Option<u64>) -> Packet {
        Packet {
            track_id: 3,
            pts: Timestamp(pts),
            dts: None,
            dur: dur.map(Duration),
            keyframe: true,
            pos: 0,
            data: data.to_vec(),
        }
    }

    fn track(codec_id: &str, private: &[u8]) -> Track {
        Track {
            codec_private: private.to_vec(),
            ..other_track(3, TrackKind::Subtitle, codec_id)
        }
    }

    #[test]
    fn srt_blocks_keep_their_text_and_times() {
        let f = Format::of(&track("S_TEXT/UTF8", b"")).unwrap();
        let c = cue(&f, &packet(b"Hello,\r\n<i>world</i>", 1500, Some(2250)), TimeBase::MILLIS).unwrap();
        assert_eq!(c.text, "Hello,\n<i>world</i>");
        assert_eq!((c.start, c.end), (Timestamp(1500), Timestamp(3750)));
        assert_eq!(c.time_base.seconds(c.end.0), 3.75);
        let c = cue(&f, &packet(b"{\\an8}On top", 0, Some(1)), TimeBase::MILLIS).unwrap();
        assert_eq!(c.text, "On top");
    }

    #[test]
    fn ass_dialogue_is_reduced_to_plain_text() {
        let header = b"[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n";
        let f = Format::of(&track("S_TEXT/ASS", header)).unwrap();
        assert_eq!(f, Format::Ass { text_field: 8 });
        let block = b"0,0,Default,,0,0,0,,{\\i1}Hello{\\i0}, you\\Nsecond line {\\pos(10,20)}a<b & c";
        let c = cue(&f, &packet(block, 42_000, Some(1000)), TimeBase::MILLIS).unwrap();
        assert_eq!(c.text, "Hello, you\nsecond line a&lt;b &amp; c");
        assert_eq!((c.start, c.end), (Timestamp(42_000), Timestamp(43_000)));
        // SSA, no header: the Matroska default layout.
        let f = Format::of(&track("S_TEXT/SSA", b"")).unwrap();
        let c = cue(&f, &packet(b"1,Marked=0,Default,,0,0,0,,Old\\nstyle\\hline", 0, Some(5)), TimeBase::MILLIS).unwrap();
        assert_eq!(c.text, "Old\nstyle\u{a0}line");
        // A header with fewer fields moves the Text field.
        let f = Format::of(&track("S_TEXT/ASS", b"[Events]\r\nFormat: Start, End, Style, Text\r\n")).unwrap();
        assert_eq!(f, Format::Ass { text_field: 2 });
        assert_eq!(cue(&f, &packet(b"7,Default,Hi, there", 0, Some(5)), TimeBase::MILLIS).unwrap().text, "Hi, there");
    }

    #[test]
    fn empty_and_unknown() {
        let f = Format::of(&track("S_TEXT/UTF8", b"")).unwrap();
        assert_eq!(cue(&f, &packet(b" \r\n", 0, Some(5)), TimeBase::MILLIS), None);
        assert_eq!(Format::of(&track("S_HDMV/PGS", b"")), None);
        assert_eq!(Format::of(&other_track(3, TrackKind::Audio, "S_TEXT/UTF8")), None);
        // Garbage never panics.
        let f = Format::Ass { text_field: 8 };
        assert_eq!(cue(&f, &packet(b"\xff,,", 0, None), TimeBase::MILLIS), None);
        assert_eq!(cue(&Format::Tx3g, &packet(b"\x00", 0, None), TimeBase::MILLIS), None);
        assert_eq!(cue(&Format::Wvtt, &packet(b"\x00\x00\x00\x01vttc", 0, None), TimeBase::MILLIS), None);
    }

    #[test]
    fn a_missing_duration_falls_back() {
        let tb = TimeBase::new(1, 90_000);
        let c = cue(&Format::WebVtt, &packet(b"- Who?\n- Me.", 900, None), tb).unwrap();
        assert_eq!(c.end, Timestamp(900 + 4 * 90_000));
        assert_eq!(c.text, "- Who?\n- Me.");
    }

    #[test]
    fn mp4_text_samples() {
        let c = cue(&Format::Tx3g, &packet(b"\x00\x05Hello\x00\x00\x00\x08styl", 0, Some(10)), TimeBase::MILLIS).unwrap();
        assert_eq!(c.text, "Hello");
        let c = cue(&Format::Tx3g, &packet(b"\x00\x06\xfe\xff\x00H\x00i", 0, Some(10)), TimeBase::MILLIS).unwrap();
        assert_eq!(c.text, "Hi");
        assert_eq!(cue(&Format::Tx3g, &packet(b"\x00\x00", 0, Some(10)), TimeBase::MILLIS), None);
        let mut wvtt = Vec::new();
        for line in [&b"one"[..], b"two"] {
            let payl = [&(8 + line.len() as u32).to_be_bytes()[..], b"payl", line].concat();
            wvtt.extend_from_slice(&(8 + payl.len() as u32).to_be_bytes());
            wvtt.extend_from_slice(b"vttc");
            wvtt.extend_from_slice(&payl);
        }
        let c = cue(&Format::Wvtt, &packet(&wvtt, 0, Some(10)), TimeBase::MILLIS).unwrap();
        assert_eq!(c.text, "one\ntwo");
        assert_eq!(cue(&Format::Wvtt, &packet(b"\x00\x00\x00\x08vtte", 0, Some(10)), TimeBase::MILLIS), None);
    }
}
