//! Seek, engine level: what a seek to a position that has not been downloaded costs the remux
//! pipeline — bytes fetched, range requests (round trips) and compute time from the seek call
//! to the first fragment at the new position — for MKV (Cues at the end), MP4 (moov at the
//! end) and AVI, at 10/25/50/75/90 % of the film.
//!
//! The browser's bytes arrive the way the player fetches them: every `NeedData` is answered
//! with one range of at least 1 MiB (the player's `chunk_bytes`) read from the file into a
//! `SparseCache`. Before each seek the pipeline has opened the file and produced its first
//! fragment (as at startup) and nothing else is cached. This measures the engine; the page's
//! seek-to-playing time on loopback needs the player's seek (not measured here).
//!
//! Environment: `RIPTIDE_BENCH_FIXTURES`, `RIPTIDE_BENCH_OUT` (JSON), `RIPTIDE_BENCH_RUNS`
//! (repetitions for the compute time; bytes and requests are deterministic),
//! `RIPTIDE_BENCH_SMOKE=1` (one run).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Instant;

use remux_wasm::io::SparseCache;
use remux_wasm::pipeline::{Pipeline, Step};
use remux_wasm::time::{TimeBase, Timestamp};
use remux_wasm::Error;

/// The player's default fetch size (remux-wasm `player/scheduler.rs`, `chunk_bytes`).
const CHUNK: u64 = 1 << 20;

/// A file behind a sparse cache, counting what is fetched.
struct Fetcher {
    file: File,
    size: u64,
    cache: SparseCache,
    bytes: u64,
    requests: u64,
}

impl Fetcher {
    fn open(path: &Path) -> Fetcher {
        let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let size = file.metadata().unwrap().len();
        Fetcher { file, size, cache: SparseCache::new(Some(size)), bytes: 0, requests: 0 }
    }

    /// Fetches the range a `NeedData` names (at least [`CHUNK`] bytes), as the player would.
    fn fetch(&mut self, offset: u64, len: u64) {
        let end = (offset + len.max(CHUNK)).min(self.size);
        let mut buf = vec![0; (end - offset) as usize];
        self.file.seek(SeekFrom::Start(offset)).unwrap();
        self.file.read_exact(&mut buf).unwrap();
        self.bytes += buf.len() as u64;
        self.requests += 1;
        self.cache.insert(offset, buf);
    }

    /// Runs `f` until it stops asking for bytes.
    fn until_ready<T>(&mut self, mut f: impl FnMut(&mut SparseCache) -> remux_wasm::Result<T>) -> Result<T, String> {
        loop {
            match f(&mut self.cache) {
                Err(Error::NeedData { offset, len }) => self.fetch(offset, len),
                Err(e) => return Err(e.to_string()),
                Ok(v) => return Ok(v),
            }
        }
    }
}

/// Next media fragment (skipping the init segment); `None` at the end.
fn next_segment(f: &mut Fetcher, p: &mut Pipeline) -> Result<Option<(f64, f64)>, String> {
    loop {
        match f.until_ready(|c| p.step(c))? {
            Step::Init(_) => continue,
            Step::Segment(s) => return Ok(Some((s.time_base.seconds(s.start.0), s.time_base.seconds(s.end.0)))),
            Step::Frames(_) => unreachable!("only a pipeline told to encode video gives frames"),
            Step::End => return Ok(None),
        }
    }
}

#[derive(Debug)]
struct SeekResult {
    open_bytes: u64,
    open_requests: u64,
    bytes: u64,
    requests: u64,
    compute_ms: f64,
    landed_s: f64,
    exact: bool,
}

fn one_seek(path: &Path, fraction: f64) -> Result<SeekResult, String> {
    let mut f = Fetcher::open(path);
    let mut p = f.until_ready(|c| Pipeline::open(c))?;
    let duration = p.duration().map(|(d, tb)| tb.seconds(d.0 as i64)).ok_or("the file states no duration")?;
    next_segment(&mut f, &mut p)?.ok_or("the film has no fragment")?;
    let (open_bytes, open_requests) = (f.bytes, f.requests);
    f.bytes = 0;
    f.requests = 0;
    let tb = TimeBase::MILLIS;
    let target = Timestamp(tb.from_seconds(duration * fraction));
    let t = Instant::now();
    let point = f.until_ready(|c| p.seek(c, target, tb))?;
    let (start, _) = next_segment(&mut f, &mut p)?.ok_or("no fragment after the seek")?;
    let compute_ms = t.elapsed().as_secs_f64() * 1e3;
    Ok(SeekResult {
        open_bytes,
        open_requests,
        bytes: f.bytes,
        requests: f.requests,
        compute_ms,
        landed_s: start,
        exact: point.exact,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = v.len() / 2;
    if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 }
}

fn main() {
    let smoke = std::env::var_os("RIPTIDE_BENCH_SMOKE").is_some();
    let runs: usize = if smoke { 1 } else { std::env::var("RIPTIDE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3) };
    let fixtures = std::env::var_os("RIPTIDE_BENCH_FIXTURES").map(PathBuf::from).unwrap_or_else(|| "target/bench-fixtures/full".into());
    let out = std::env::var_os("RIPTIDE_BENCH_OUT").map(PathBuf::from).unwrap_or_else(|| "target/bench-results/seek.json".into());
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for ext in ["mkv", "mp4", "avi"] {
        let path = fixtures.join(format!("film.{ext}"));
        for fraction in [0.1, 0.25, 0.5, 0.75, 0.9] {
            let mut results = Vec::new();
            let mut error = None;
            for _ in 0..runs.max(1) {
                match one_seek(&path, fraction) {
                    Ok(r) => results.push(r),
                    Err(e) => {
                        error = Some(e);
                        break;
                    }
                }
            }
            match (error, results.first()) {
                (None, Some(r)) => {
                    let ms = median(results.iter().map(|r| r.compute_ms).collect());
                    eprintln!(
                        "seek: {ext} to {:>2.0}%: {} bytes in {} requests, {ms:.1} ms compute, landed at {:.2} s{}",
                        fraction * 100.0, r.bytes, r.requests, r.landed_s, if r.exact { "" } else { " (estimated)" }
                    );
                    rows.push(serde_json::json!({
                        "format": ext, "fraction": fraction, "bytes": r.bytes, "requests": r.requests,
                        "compute_ms_median": ms, "landed_s": r.landed_s, "exact": r.exact,
                        "open_bytes": r.open_bytes, "open_requests": r.open_requests,
                    }));
                }
                (e, _) => {
                    let e = e.unwrap_or_else(|| "no result".into());
                    eprintln!("seek: {ext} to {:>2.0}%: {e}", fraction * 100.0);
                    if !e.contains("not supported") {
                        failures.push(format!("{ext} {fraction}: {e}"));
                    }
                    rows.push(serde_json::json!({"format": ext, "fraction": fraction, "error": e}));
                }
            }
        }
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let doc = serde_json::json!({"chunk_bytes": CHUNK, "runs": runs, "rows": rows});
    std::fs::write(&out, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    if !failures.is_empty() {
        eprintln!("seek benchmark failed:\n  {}", failures.join("\n  "));
        std::process::exit(1);
    }
}
