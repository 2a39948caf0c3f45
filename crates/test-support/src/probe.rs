//! ffprobe's (and ffmpeg's) view of a file, as typed values: the reference the tests compare
//! our demuxers and our output with.

use std::path::Path;
use std::process::Command;

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

/// The packets of `film` per ffprobe: `(codec_type, pts_time, byte offset, key frame)`.
fn probe_packets(film: &Path) -> Vec<(String, Option<f64>, Option<u64>, bool)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "packet=codec_type,pts_time,pos,flags", "-of", "json"])
        .arg(film)
        .output()
        .expect("ffprobe");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("ffprobe JSON");
    let num = |p: &serde_json::Value, k: &str| p[k].as_str().and_then(|s| s.parse::<f64>().ok());
    json["packets"]
        .as_array()
        .expect("ffprobe packets")
        .iter()
        .map(|p| {
            let kind = p["codec_type"].as_str().unwrap_or_default().to_string();
            let key = p["flags"].as_str().is_some_and(|f| f.starts_with('K'));
            (kind, num(p, "pts_time"), num(p, "pos").map(|x| x as u64), key)
        })
        .collect()
}

/// Where the first GOP of `film` ends, per ffprobe: the byte offset of its second video key
/// frame.
pub fn second_key_frame_offset(film: &Path) -> u64 {
    probe_packets(film)
        .iter()
        .filter(|(kind, _, _, key)| kind == "video" && *key)
        .filter_map(|p| p.2)
        .nth(1)
        .expect("the film has a second key frame")
}

/// Where the film from `secs` on begins, per ffprobe: the smallest byte offset of a packet
/// presented at or after `secs` seconds (everything before it is what playing up to `secs`
/// needs).
pub fn offset_at(film: &Path, secs: f64) -> u64 {
    probe_packets(film)
        .iter()
        .filter(|p| p.1.is_some_and(|t| t >= secs))
        .filter_map(|p| p.2)
        .min()
        .expect("the film lasts that long")
}
