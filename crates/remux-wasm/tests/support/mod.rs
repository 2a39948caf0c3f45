//! Shared support for the native integration tests (`mod support;` in each test file):
//!
//! - [`fixture`]: media made by ffmpeg from its arguments, cached under `target/fixtures/`
//!   by a hash of the arguments and the ffmpeg version, so each is encoded once per machine;
//!   skips (returns `None`) without ffmpeg/ffprobe or an encoder, unless
//!   `RIPTIDE_REQUIRE_TOOLS` is set (scripts/test.sh sets it), where that is a failure.
//! - [`ffprobe`]: ffprobe's packets (pts, dts, duration, key flag, size, pos, in the stream's
//!   time base) and stream facts of a file, as typed values.
//! - [`drain`] / [`drain_chunked`]: every packet of a demuxer, read from a `SparseCache` that
//!   is filled only when the demuxer answers `NeedData`, as the browser does.
#![allow(dead_code)] // each test file uses a different part

pub mod avi_edit;
pub mod mkv_edit;

use std::collections::hash_map::DefaultHasher;
use std::ffi::OsStr;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use remux_wasm::demux::{drain_on_demand, Demuxer};
use remux_wasm::io::{ByteSource, SparseCache};
use remux_wasm::{Packet, Result};

/// True when tests that need external tools must fail rather than skip without them.
pub fn tools_required() -> bool {
    std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_some()
}

/// Skips (false, with a message) or fails (under `RIPTIDE_REQUIRE_TOOLS`) for a missing tool.
pub fn skip(what: &str) -> bool {
    assert!(
        !tools_required(),
        "{what}: RIPTIDE_REQUIRE_TOOLS is set, so this is a failure (scripts/test.sh installs the tools)"
    );
    eprintln!("{what}: skipping");
    false
}

fn runs(bin: &str) -> bool {
    Command::new(bin)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// ffmpeg and ffprobe are installed (checked once); otherwise skip or fail (see [`skip`]).
pub fn have_ffmpeg() -> bool {
    static HAVE: OnceLock<bool> = OnceLock::new();
    *HAVE.get_or_init(|| runs("ffmpeg") && runs("ffprobe")) || skip("ffmpeg/ffprobe not found")
}

/// The `ffmpeg -version` banner's first line (part of the fixture cache key).
fn ffmpeg_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let out = Command::new("ffmpeg").arg("-version").output().unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    })
}

/// The names of ffmpeg's encoders and muxers (`ffmpeg -encoders`, `-muxers`), once.
fn ffmpeg_lists() -> &'static str {
    static L: OnceLock<String> = OnceLock::new();
    L.get_or_init(|| {
        let mut s = String::new();
        for what in ["-encoders", "-muxers"] {
            let out = Command::new("ffmpeg")
                .args(["-hide_banner", what])
                .output()
                .unwrap();
            s.push_str(&String::from_utf8_lossy(&out.stdout));
        }
        s
    })
}

/// Whether this ffmpeg has every named encoder (e.g. `libx265`), without skipping.
pub fn has_encoders(names: &[&str]) -> bool {
    let lists = ffmpeg_lists();
    names.iter().all(|n| {
        lists
            .lines()
            .any(|l| l.split_whitespace().nth(1) == Some(*n))
    })
}

/// ffmpeg is installed and has every named encoder; otherwise skip or fail.
pub fn have_encoders(names: &[&str]) -> bool {
    have_ffmpeg() && (has_encoders(names) || skip(&format!("ffmpeg lacks {names:?}")))
}

/// The cargo target directory (`target/`), from the integration tests' `target/tmp`.
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR has a parent")
        .to_path_buf()
}

/// A scratch directory of this test process, for derived files (cut or corrupted copies).
pub fn scratch(name: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("riptide-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The file `ffmpeg -v error -y ARGS OUT.ext` makes, cached under `target/fixtures/<hash>.ext`
/// (the hash covers the arguments, the extension and the ffmpeg version). `None` when ffmpeg
/// is missing (a failure under `RIPTIDE_REQUIRE_TOOLS`). Panics with ffmpeg's message if
/// ffmpeg refuses the arguments.
///
/// Use `lavfi` inputs (see [`av_inputs`]) so fixtures are made from nothing and are tiny.
pub fn fixture<S: AsRef<OsStr>>(ext: &str, args: &[S]) -> Option<PathBuf> {
    make_fixture(ext, args, false)
}

/// Like [`fixture`], but ffmpeg writes to a pipe (`pipe:1`; give `-f FORMAT` in `args`), as
/// live recorders do: it cannot seek back to fill in sizes or an index.
pub fn fixture_piped<S: AsRef<OsStr>>(ext: &str, args: &[S]) -> Option<PathBuf> {
    make_fixture(ext, args, true)
}

fn make_fixture<S: AsRef<OsStr>>(ext: &str, args: &[S], piped: bool) -> Option<PathBuf> {
    if !have_ffmpeg() {
        return None;
    }
    let mut h = DefaultHasher::new();
    ffmpeg_version().hash(&mut h);
    ext.hash(&mut h);
    piped.hash(&mut h);
    for a in args {
        a.as_ref().hash(&mut h);
    }
    let dir = target_dir().join("fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{:016x}.{ext}", h.finish()));
    if path.exists() {
        return Some(path);
    }
    // Written under a private name, then renamed: tests running in parallel (in this process
    // or another test binary) never see half a file.
    let tmp = dir.join(format!(
        "tmp-{}-{:?}-{:016x}.{ext}",
        std::process::id(),
        std::thread::current().id(),
        h.finish()
    ));
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-y", "-nostdin"]).args(args);
    if piped {
        cmd.arg("pipe:1");
    } else {
        cmd.arg(&tmp);
    }
    let out = cmd.output().unwrap();
    if piped && out.status.success() {
        std::fs::write(&tmp, &out.stdout).unwrap();
    }
    assert!(
        out.status.success(),
        "ffmpeg {:?} failed: {}",
        args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(&tmp, &path).unwrap();
    Some(path)
}

/// `lavfi` inputs for `seconds` of test pattern (`size`, 25 fps) and a 440 Hz sine at 48 kHz:
/// input 0 is video, input 1 audio. Append codec options and pass to [`fixture`].
pub fn av_inputs(size: &str, seconds: f64) -> Vec<String> {
    [
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc2=size={size}:rate=25"),
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        &seconds.to_string(),
    ]
    .map(String::from)
    .to_vec()
}

/// One packet as ffprobe reports it, in its stream's time base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbePacket {
    pub stream: usize,
    pub pts: Option<i64>,
    pub dts: Option<i64>,
    pub duration: Option<i64>,
    pub key: bool,
    pub size: usize,
    /// Byte offset in the file, where the container has one.
    pub pos: Option<u64>,
}

/// One stream as ffprobe reports it, with its packets.
#[derive(Clone, Debug)]
pub struct ProbeStream {
    pub index: usize,
    /// The container's stream id (MP4 track_ID as `0x1`), if any.
    pub id: Option<String>,
    /// `video`, `audio`, `subtitle`, ...
    pub codec_type: String,
    pub codec_name: String,
    /// (num, den).
    pub time_base: (i64, i64),
    pub start_pts: Option<i64>,
    /// Seconds.
    pub start_time: Option<f64>,
    pub duration_ts: Option<i64>,
    pub packets: Vec<ProbePacket>,
    /// Where packets carry no PTS (H.264 in AVI): the decoded frames' times (ffprobe's
    /// `best_effort_timestamp`, in presentation order) and key flags.
    pub frames: Option<Vec<(i64, bool)>>,
    /// The whole JSON object, for anything else.
    pub json: serde_json::Value,
}

impl ProbeStream {
    /// The MP4 track_ID (ffprobe's hex `id`).
    pub fn track_id(&self) -> Option<u32> {
        let id = self.id.as_deref()?;
        u32::from_str_radix(id.trim_start_matches("0x"), 16).ok()
    }
    /// `ts` of this stream's time base in seconds.
    pub fn seconds(&self, ts: i64) -> f64 {
        ts as f64 * self.time_base.0 as f64 / self.time_base.1 as f64
    }
}

/// ffprobe's view of a file: streams with their packets (per stream, in file order), all
/// packets in file order, and the format's duration (s).
#[derive(Clone, Debug)]
pub struct Probe {
    pub streams: Vec<ProbeStream>,
    pub packets: Vec<ProbePacket>,
    pub duration: Option<f64>,
    pub start_time: Option<f64>,
}

impl Probe {
    pub fn of_type(&self, kind: &str) -> Vec<&ProbeStream> {
        self.streams
            .iter()
            .filter(|s| s.codec_type == kind)
            .collect()
    }
}

fn num(v: &serde_json::Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}
fn float(v: &serde_json::Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// Runs `ffprobe -v error -show_packets -show_streams -show_format` on `path`.
pub fn ffprobe(path: &Path) -> Probe {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_packets",
            "-show_streams",
            "-show_format",
        ])
        .args(["-of", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ffprobe {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packets: Vec<ProbePacket> = json["packets"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|p| ProbePacket {
            stream: num(&p["stream_index"]).unwrap() as usize,
            pts: num(&p["pts"]),
            dts: num(&p["dts"]),
            duration: num(&p["duration"]),
            key: p["flags"].as_str().unwrap_or("").starts_with('K'),
            size: num(&p["size"]).unwrap() as usize,
            pos: num(&p["pos"]).map(|p| p as u64),
        })
        .collect();
    let streams = json["streams"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let index = num(&s["index"]).unwrap() as usize;
            let tb = s["time_base"].as_str().unwrap_or("1/1");
            let (n, d) = tb.split_once('/').unwrap();
            ProbeStream {
                index,
                id: s["id"].as_str().map(String::from),
                codec_type: s["codec_type"].as_str().unwrap_or("").to_string(),
                codec_name: s["codec_name"].as_str().unwrap_or("").to_string(),
                time_base: (n.parse().unwrap(), d.parse().unwrap()),
                start_pts: num(&s["start_pts"]),
                start_time: float(&s["start_time"]),
                duration_ts: num(&s["duration_ts"]),
                packets: packets
                    .iter()
                    .filter(|p| p.stream == index)
                    .cloned()
                    .collect(),
                frames: None,
                json: s.clone(),
            }
        })
        .collect::<Vec<ProbeStream>>();
    let mut streams = streams;
    for st in &mut streams {
        if st.codec_type == "video" && st.packets.iter().any(|p| p.pts.is_none()) {
            st.frames = Some(frame_times(path, st.index));
        }
    }
    Probe {
        streams,
        packets,
        duration: float(&json["format"]["duration"]),
        start_time: float(&json["format"]["start_time"]),
    }
}

/// The decoded frames of stream `index`: (best-effort timestamp, key frame), in output order.
/// Frames the decoder flushes at the end have none: they continue the previous spacing.
fn frame_times(path: &Path, index: usize) -> Vec<(i64, bool)> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            &index.to_string(),
            "-show_frames",
        ])
        .args([
            "-show_entries",
            "frame=best_effort_timestamp,key_frame",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut v: Vec<(i64, bool)> = Vec::new();
    for f in json["frames"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
    {
        let key = num(&f["key_frame"]) == Some(1);
        let t = num(&f["best_effort_timestamp"]).or_else(|| {
            let step = match v.len() {
                0 => return None,
                1 => 1,
                n => v[n - 1].0 - v[n - 2].0,
            };
            Some(v.last()?.0 + step)
        });
        if let Some(t) = t {
            v.push((t, key));
        }
    }
    v
}

/// Runs the `riptide-remux` command on `input`, writing `out`; fails the test with its
/// stderr if it does not succeed.
pub fn riptide_remux(input: &Path, out: &Path) {
    let run = Command::new(env!("CARGO_BIN_EXE_riptide-remux"))
        .arg(input)
        .arg(out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "riptide-remux {} failed: {}",
        input.display(),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// What `ffprobe -v warning` prints about `path` while reading every packet (empty: clean).
pub fn ffprobe_warnings(path: &Path) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "warning", "-show_packets", "-of", "json"])
        .arg(path)
        .output()
        .unwrap();
    let mut s = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if !out.status.success() {
        s.push_str(" (ffprobe failed)");
    }
    s
}

/// The MD5 of every decoded frame of the first video stream, in output order.
pub fn frame_hashes(p: &Path) -> Vec<String> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(p)
        .args(["-map", "0:v:0", "-f", "framemd5", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next().map(|h| h.trim().to_string()))
        .collect()
}

/// Every packet of a demuxer over bytes that are all present (`demux_all`). Panics on error.
pub fn drain_all<D: Demuxer>(
    src: &mut dyn ByteSource,
    open: impl FnOnce(&mut dyn ByteSource) -> Result<D>,
) -> (D, Vec<Packet>) {
    let mut d = open(src).unwrap_or_else(|e| panic!("open: {e}"));
    let mut out = Vec::new();
    while let Some(p) = d
        .next_packet(src)
        .unwrap_or_else(|e| panic!("next_packet: {e}"))
    {
        out.push(p);
    }
    (d, out)
}

/// What [`drain`] read: the demuxer, its packets, and the fetches it caused.
pub struct Drained<D> {
    pub demuxer: D,
    pub packets: Vec<Packet>,
    /// Every `NeedData` (offset, len), in order.
    pub asked: Vec<(u64, u64)>,
    /// How many of `asked` came before the demuxer opened.
    pub at_open: usize,
}

/// Every packet of `bytes` through a demuxer opened with `open`, from a [`SparseCache`] filled
/// only on `NeedData` by `fetch(cache, bytes, offset, len)` (which must insert at least that
/// range). Panics on any other error.
pub fn drain<D: Demuxer>(
    bytes: &[u8],
    mut open: impl FnMut(&mut dyn ByteSource) -> Result<D>,
    mut fetch: impl FnMut(&mut SparseCache, &[u8], u64, u64),
) -> Drained<D> {
    let mut cache = SparseCache::new(Some(bytes.len() as u64));
    let asked = std::cell::RefCell::new(Vec::new());
    let mut at_open = 0;
    let (demuxer, packets) = drain_on_demand(
        &mut cache,
        |s| {
            let d = open(s);
            at_open = asked.borrow().len();
            d
        },
        |c, off, len| {
            asked.borrow_mut().push((off, len));
            fetch(c, bytes, off, len)
        },
    )
    .unwrap_or_else(|e| panic!("demux on demand: {e}"));
    Drained {
        demuxer,
        packets,
        asked: asked.into_inner(),
        at_open,
    }
}

/// [`drain`] where each fetch inserts exactly the asked range.
pub fn drain_exact<D: Demuxer>(
    bytes: &[u8],
    open: impl FnMut(&mut dyn ByteSource) -> Result<D>,
) -> Drained<D> {
    drain(bytes, open, |c, b, off, len| {
        let end = (off + len).min(b.len() as u64);
        c.insert(off, b[off as usize..end as usize].to_vec());
    })
}

/// [`drain`] where each fetch inserts the aligned `chunk`-byte blocks covering the asked
/// range (as the player's range fetcher does). Also returns the start of every chunk fetched.
pub fn drain_chunked<D: Demuxer>(
    bytes: &[u8],
    chunk: u64,
    open: impl FnMut(&mut dyn ByteSource) -> Result<D>,
) -> (Drained<D>, Vec<u64>) {
    let mut fetched = Vec::new();
    let d = drain(bytes, open, |c, b, off, len| {
        assert!(len > 0);
        assert!(!c.contains(off, len), "asked again for bytes it has");
        let start = off / chunk * chunk;
        let end = (off + len).div_ceil(chunk).max(start / chunk + 1) * chunk;
        let end = end.min(b.len() as u64);
        c.insert(start, b[start as usize..end as usize].to_vec());
        fetched.push(start);
    });
    (d, fetched)
}

/// Rewrites every `stco` (32-bit chunk offsets) as `co64` (64-bit), with `moov` at the end
/// of the file so no sample moves: only `moov` and its parents grow. Honest stand-in for a
/// file over 4 GB, which ffmpeg would write with co64 but is too big for a test.
pub fn stco_to_co64(b: &[u8]) -> Vec<u8> {
    // Top-level boxes; moov must be last.
    let mut top = Vec::new();
    let mut off = 0;
    while off + 8 <= b.len() {
        let size = u32::from_be_bytes(b[off..off + 4].try_into().unwrap()) as usize;
        top.push((off, size, &b[off + 4..off + 8]));
        off += size;
    }
    let &(moov_at, moov_size, kind) = top.last().unwrap();
    assert_eq!(kind, b"moov", "moov last");
    let moov = rewrite_box(&b[moov_at..moov_at + moov_size]);
    let mut out = b[..moov_at].to_vec();
    out.extend_from_slice(&moov);
    out
}

/// One box, with `stco` children turned into `co64` and container sizes fixed.
fn rewrite_box(b: &[u8]) -> Vec<u8> {
    let kind: [u8; 4] = b[4..8].try_into().unwrap();
    let body = &b[8..];
    let containers: [&[u8; 4]; 6] = [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"];
    let new_body = if &kind == b"stco" {
        // version/flags, entry_count, u32 offsets → the same with u64 offsets.
        let n = u32::from_be_bytes(body[4..8].try_into().unwrap()) as usize;
        let mut v = body[..8].to_vec();
        for i in 0..n {
            let o = u32::from_be_bytes(body[8 + 4 * i..12 + 4 * i].try_into().unwrap());
            v.extend_from_slice(&(o as u64).to_be_bytes());
        }
        v
    } else if containers.iter().any(|c| **c == kind) {
        let mut v = Vec::new();
        let mut off = 0;
        while off + 8 <= body.len() {
            let size = u32::from_be_bytes(body[off..off + 4].try_into().unwrap()) as usize;
            v.extend_from_slice(&rewrite_box(&body[off..off + size]));
            off += size;
        }
        v
    } else {
        body.to_vec()
    };
    let mut out = ((new_body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(if &kind == b"stco" { b"co64" } else { &kind });
    out.extend_from_slice(&new_body);
    out
}
