//! Native remux throughput: riptide's demux + fMP4 mux core (the same `Pipeline` the browser
//! runs) against `ffmpeg -c copy` to fragmented MP4, on the same file, in the same run.
//!
//! Inputs: `film.mkv`, `film.mp4`, `film.avi` in `$RIPTIDE_BENCH_FIXTURES` (made by
//! `benches/fixtures.sh`; `scripts/bench.sh` sets the variable). Both sides discard their
//! output (riptide drops each fragment; ffmpeg writes to /dev/null), both read the file from
//! the page cache. ffmpeg's time includes its process start (tens of ms), which is what a user
//! running it pays.
//!
//! Criterion writes its estimates under `$CRITERION_HOME` (group `remux-<ext>`, functions
//! `riptide` and `ffmpeg`); this bench also writes `remux-native-meta.json` beside them with the
//! file sizes, the packet counts (for packets/s) and any format riptide cannot open yet.
//!
//! `RIPTIDE_BENCH_SMOKE=1`: short measurement windows (CI: proves the bench still runs).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use remux_wasm::io::FileSource;
use remux_wasm::pipeline::{Pipeline, Step};

/// What one riptide pass over a file produced.
struct Pass {
    packets: u64,
    out_bytes: u64,
}

/// Remuxes the whole file, dropping every fragment as it is produced (as MSE would take it).
fn riptide_remux(path: &Path) -> Result<Pass, String> {
    let mut src = FileSource::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut pipeline = Pipeline::open(&mut src).map_err(|e| e.to_string())?;
    let mut out_bytes = 0u64;
    loop {
        match pipeline.step(&mut src).map_err(|e| e.to_string())? {
            Step::Init(init) => out_bytes += init.data.len() as u64,
            Step::Segment(seg) => out_bytes += std::hint::black_box(seg.data).len() as u64,
            Step::Frames(_) => unreachable!("only a pipeline told to encode video gives frames"),
            Step::End => break,
        }
    }
    Ok(Pass { packets: pipeline.remuxer().packets() as u64, out_bytes })
}

/// The reference: ffmpeg's stream copy to fragmented MP4 (the flags MSE players use).
fn ffmpeg_copy(path: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(path)
        .args(["-c", "copy", "-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "/dev/null"])
        .stdin(Stdio::null())
        .status()
        .expect("ffmpeg is needed for the remux benchmark (scripts/bench.sh installs it)");
    assert!(status.success(), "ffmpeg -c copy failed on {}", path.display());
}

fn fixtures() -> PathBuf {
    std::env::var_os("RIPTIDE_BENCH_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/bench-fixtures/full"))
}

fn out_dir() -> PathBuf {
    std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

fn bench(c: &mut Criterion) {
    let smoke = std::env::var_os("RIPTIDE_BENCH_SMOKE").is_some();
    let dir = fixtures();
    let mut meta = serde_json::Map::new();
    for ext in ["mkv", "mp4", "avi"] {
        let path = dir.join(format!("film.{ext}"));
        let size = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run benches/fixtures.sh first)", path.display()))
            .len();
        // One untimed pass: checks riptide can read the file and counts its packets.
        let probe = riptide_remux(&path);
        meta.insert(
            ext.into(),
            match &probe {
                Ok(p) => serde_json::json!({"bytes": size, "packets": p.packets, "out_bytes": p.out_bytes}),
                Err(e) => serde_json::json!({"bytes": size, "riptide_error": e}),
            },
        );
        let mut group = c.benchmark_group(format!("remux-{ext}"));
        group.throughput(Throughput::Bytes(size));
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        if smoke {
            group.warm_up_time(Duration::from_millis(100));
            group.measurement_time(Duration::from_millis(500));
        } else {
            group.warm_up_time(Duration::from_secs(1));
            group.measurement_time(Duration::from_secs(4));
        }
        match probe {
            Ok(_) => {
                group.bench_function("riptide", |b| b.iter(|| riptide_remux(&path).unwrap()));
            }
            Err(e) => eprintln!("remux-{ext}: riptide cannot remux this file yet, only ffmpeg is measured: {e}"),
        }
        group.bench_function("ffmpeg", |b| b.iter(|| ffmpeg_copy(&path)));
        group.finish();
    }
    let out = out_dir();
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("remux-native-meta.json"),
        serde_json::to_string_pretty(&serde_json::Value::Object(meta)).unwrap(),
    )
    .unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
