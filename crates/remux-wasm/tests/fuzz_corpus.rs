//! Replays the cargo-fuzz corpora and crash reproducers (`fuzz/corpus/*/*`,
//! `fuzz/artifacts/*/*` at the repository root) through probe + demux and through the whole
//! [`Pipeline`], so CI checks them without cargo-fuzz or a nightly toolchain.
//!
//! For every file: no panic, no `NeedData` from a complete in-memory source, and termination
//! within a bounded number of calls (and a wall-clock limit, against a hang inside one call).
//! The same checks as `fuzz/fuzz_targets/{demux_mkv,demux_mp4,demux_avi,remux}.rs`, each file
//! through all of them: probe + demux, `Mp4Demuxer::open` directly (as `demux_mp4` does),
//! `AviDemuxer::open` with a RIFF header prepended when missing, then a seek (as `demux_avi`
//! does), probe +
//! demux and the pipeline with the EBML magic prepended when the file lacks it (as
//! `demux_mkv` does), and the pipeline on the bytes as they are.
//!
//! Then the player's path, as the `chunked_demux` and `chunked_remux` targets run it (the
//! fuzz crate's own code, included below): the bytes arrive only through `NeedData`, in
//! pieces of random sizes and order, the cache evicts behind the reader, and the run seeks to
//! random times, under the per-input memory cap (`MEMORY_CAP`, counted by the fuzz crate's
//! allocator, installed here too). Fixed seeds pick every opener, so each file takes those
//! paths the same way on every run.
#![cfg(not(target_arch = "wasm32"))]

/// The fuzz crate's library (`fuzz/src/lib.rs`: no libFuzzer in it), with its counting
/// global allocator: the chunked bodies replayed here are the ones the fuzzers run.
#[allow(dead_code)]
#[path = "../../../fuzz/src/lib.rs"]
mod fuzz_lib;

use remux_wasm::demux::SeekTarget;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use remux_wasm::demux::avi::AviDemuxer;
use remux_wasm::demux::mp4::Mp4Demuxer;
use remux_wasm::demux::{probe, Demuxer};
use remux_wasm::io::SparseCache;
use remux_wasm::pipeline::{Pipeline, Step};
use remux_wasm::{Error, TimeBase, Timestamp};

const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

/// Crash reproducers in `fuzz/artifacts/` whose bug is not fixed yet: replayed (so a fix
/// shows up as "now passes") but their failure is reported without failing the test. Remove
/// an entry once its bug is fixed, so that it guards against a regression.
const KNOWN_OPEN: &[(&str, &str)] = &[];

/// Per-file wall-clock limit (debug build; the fuzzers use `-timeout=5` on release builds).
const TIME_LIMIT: Duration = Duration::from_secs(30);

/// More calls than this for `len` input bytes means no progress: each packet consumes at
/// least one byte of a block, and a laced block holds at most 256 frames.
fn call_limit(len: usize) -> usize {
    1_000 + 256 * len
}

fn check_err(what: &str, e: Error) -> Result<(), String> {
    if e.is_need_data() {
        Err(format!("{what}: NeedData on a complete source: {e:?}"))
    } else {
        Ok(())
    }
}

/// Probes the container, then demuxes every packet.
fn demux_all(bytes: Vec<u8>) -> Result<(), String> {
    let limit = call_limit(bytes.len());
    let mut src = SparseCache::from_bytes(bytes);
    match probe::open(&mut src) {
        Ok(d) => drain(d, &mut src, limit),
        Err(e) => check_err("probe::open", e),
    }
}

/// Opens the bytes as MP4 whatever their first box (as the `demux_mp4` target does).
fn demux_mp4(bytes: Vec<u8>) -> Result<(), String> {
    // The MP4 target's bound: a constant-size `stsz` describes many samples in few bytes.
    let limit = 100_000 + call_limit(bytes.len());
    let mut src = SparseCache::from_bytes(bytes);
    match Mp4Demuxer::open(&mut src) {
        Ok(d) => drain(Box::new(d), &mut src, limit),
        Err(e) => check_err("Mp4Demuxer::open", e),
    }
}

/// Opens the bytes as AVI (with a `RIFF <size> AVI ` header prepended when they lack `RIFF`,
/// as the `demux_avi` target does), drains, seeks to the first byte × 100 ms, drains again.
fn demux_avi(data: Vec<u8>) -> Result<(), String> {
    let bytes = if data.starts_with(b"RIFF") {
        data.clone()
    } else {
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&(data.len() as u32 + 4).to_le_bytes());
        v.extend_from_slice(b"AVI ");
        v.extend_from_slice(&data);
        v
    };
    let limit = 1_000 + bytes.len();
    let mut src = SparseCache::from_bytes(bytes);
    let mut demuxer = match AviDemuxer::open(&mut src) {
        Ok(d) => d,
        Err(e) => return check_err("AviDemuxer::open", e),
    };
    for _ in 0..limit {
        match demuxer.next_packet(&mut src) {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => return check_err("next_packet", e),
        }
    }
    let target = Timestamp(data.first().map_or(0, |&b| b as i64 * 100));
    match demuxer.seek(&mut src, SeekTarget::new(target, TimeBase::MILLIS)) {
        Ok(_) => drain(Box::new(demuxer), &mut src, limit),
        Err(e) => check_err("seek", e),
    }
}

fn drain(mut demuxer: Box<dyn Demuxer>, src: &mut SparseCache, limit: usize) -> Result<(), String> {
    let _ = demuxer.tracks();
    let _ = demuxer.duration();
    for _ in 0..limit {
        match demuxer.next_packet(src) {
            Ok(Some(_)) => {}
            Ok(None) => return Ok(()),
            Err(e) => return check_err("next_packet", e),
        }
    }
    Err(format!(
        "demuxer yielded more than {limit} packets: no progress"
    ))
}

fn remux_all(bytes: Vec<u8>) -> Result<(), String> {
    let limit = call_limit(bytes.len());
    let mut src = SparseCache::from_bytes(bytes);
    let mut pipeline = match Pipeline::open(&mut src) {
        Ok(p) => p,
        Err(e) => return check_err("Pipeline::open", e),
    };
    let _ = pipeline.tracks();
    let _ = pipeline.duration();
    let _ = pipeline.remuxer().mime();
    for _ in 0..limit {
        match pipeline.step(&mut src) {
            Ok(Step::Init(_)) | Ok(Step::Segment(_)) => {}
            Ok(Step::Frames(_)) => unreachable!("only a pipeline told to encode video gives frames"),
            Ok(Step::End) => return Ok(()),
            Err(e) => return check_err("step", e),
        }
    }
    Err(format!(
        "pipeline took more than {limit} steps without ending"
    ))
}

/// Runs every check on one input in a thread: a panic or a hang is reported, not fatal.
fn replay(bytes: Vec<u8>) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(move || {
            demux_all(bytes.clone())?;
            demux_mp4(bytes.clone())?;
            demux_avi(bytes.clone())?;
            if !bytes.starts_with(&EBML_MAGIC) {
                let mut with_magic = EBML_MAGIC.to_vec();
                with_magic.extend_from_slice(&bytes);
                demux_all(with_magic.clone())?;
                remux_all(with_magic)?;
            }
            remux_all(bytes.clone())?;
            // Seeds 0..4 take every opener of `chunked_demux` (seed % 4) and both inputs of
            // `chunked_remux` (seed % 2), plus the fuzzers' own seed for this input.
            for seed in [0, 1, 2, 3, fuzz_lib::chunked::seed_of(&bytes)] {
                fuzz_lib::chunked_demux(&bytes, seed);
                fuzz_lib::chunked_remux(&bytes, seed);
            }
            Ok(())
        });
        let _ = tx.send(result);
    });
    match rx.recv_timeout(TIME_LIMIT) {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => Err(format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(non-string payload)")
        )),
        Err(_) => Err(format!("did not finish within {TIME_LIMIT:?}")),
    }
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// Every file one level under each subdirectory of `fuzz/<kind>/`.
fn inputs(kind: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(targets) = std::fs::read_dir(fuzz_dir().join(kind)) else {
        return files;
    };
    for target in targets.flatten() {
        let Ok(entries) = std::fs::read_dir(target.path()) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if path.is_file() && !hidden {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn replay_all(kind: &str) -> usize {
    let files = inputs(kind);
    let mut failures = Vec::new();
    let root = fuzz_dir().join(kind);
    for path in &files {
        let name = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let known = KNOWN_OPEN.iter().find(|(file, _)| *file == name);
        // A running fuzzer may delete corpus entries it has reduced.
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        match (replay(bytes), known) {
            (Err(why), None) => failures.push(format!("{}: {why}", path.display())),
            (Err(why), Some((_, bug))) => eprintln!("known open bug, {name}: {why}\n  ({bug})"),
            (Ok(()), Some(_)) => eprintln!("{name} now passes: remove it from KNOWN_OPEN"),
            (Ok(()), None) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} {kind} inputs failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    files.len()
}

#[test]
fn corpus_replays_cleanly() {
    let n = replay_all("corpus");
    // The corpora are committed with seed MKV/WebM files: an empty list means a wrong path.
    assert!(
        n > 0,
        "no corpus files under {}",
        fuzz_dir().join("corpus").display()
    );
}

#[test]
fn crash_artifacts_replay_cleanly() {
    replay_all("artifacts");
}

#[test]
fn avi_seeds_demux_and_remux() {
    // The AVI seeds (written by `avi_demux.rs`'s `write_fuzz_seeds`) are real ffmpeg output:
    // every one demuxes to the end with packets on every track; H.264 + AAC also remuxes.
    let corpus = fuzz_dir().join("corpus/demux_avi");
    for name in [
        "seed_h264_annexb_mp3.avi",
        "seed_h264_avcc_aac.avi",
        "seed_h264_opendml.avi",
        "seed_xvid_mp3.avi",
        "seed_mjpeg_pcm.avi",
    ] {
        let Ok(bytes) = std::fs::read(corpus.join(name)) else {
            continue; // cmin may have dropped a seed
        };
        let mut src = SparseCache::from_bytes(bytes.clone());
        let mut demuxer = probe::open(&mut src).unwrap_or_else(|e| panic!("{name}: {e}"));
        let tracks = demuxer.tracks().len() as u32;
        let mut seen = std::collections::BTreeSet::new();
        while let Some(p) = demuxer
            .next_packet(&mut src)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
        {
            seen.insert(p.track_id);
        }
        assert_eq!(seen.len() as u32, tracks, "{name}: packets of every track");
        if name != "seed_h264_avcc_aac.avi" {
            continue;
        }
        let mut src = SparseCache::from_bytes(bytes);
        let mut pipeline = Pipeline::open(&mut src).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut segments = 0;
        while pipeline
            .step(&mut src)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            != Step::End
        {
            segments += 1;
        }
        assert!(segments > 1, "{name}: init and media segments");
    }
}

#[test]
fn seeds_demux_and_remux() {
    // The seed files are real ffmpeg output: they must demux (and, for codecs Riptide plays,
    // remux) to the end, so that the corpora exercise the code past the headers.
    let corpus = fuzz_dir().join("corpus/remux");
    for (name, remuxable) in [
        ("h264_aac.mkv", true),
        ("vp9_opus.webm", false),
        ("h264_aac.mp4", true),
        ("h264_aac_frag.mp4", true),
    ] {
        let Ok(bytes) = std::fs::read(corpus.join(name)) else {
            continue; // cmin may have dropped a seed
        };
        let mut src = SparseCache::from_bytes(bytes.clone());
        let mut demuxer = probe::open(&mut src).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut packets = 0;
        while let Some(_) = demuxer
            .next_packet(&mut src)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
        {
            packets += 1;
        }
        assert!(packets > 0, "{name}: no packets");
        if !remuxable {
            continue;
        }
        let mut src = SparseCache::from_bytes(bytes);
        let mut pipeline = Pipeline::open(&mut src).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut segments = 0;
        loop {
            match pipeline
                .step(&mut src)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
            {
                Step::Init(_) => {}
                Step::Segment(_) => segments += 1,
                Step::Frames(_) => unreachable!("only a pipeline told to encode video gives frames"),
                Step::End => break,
            }
        }
        assert!(segments > 0, "{name}: no media segments");
    }
}

#[test]
fn seeds_play_through_the_chunked_paths() {
    // The chunked replay must really play: over the seed files (real ffmpeg output), bytes
    // fetched on demand in random pieces with evictions and seeks still give packets and
    // media segments, for every seed, within the memory cap.
    let corpus = fuzz_dir().join("corpus");
    for name in [
        "remux/h264_aac.mkv",
        "remux/h264_aac.mp4",
        "remux/h264_aac_frag.mp4",
        "demux_avi/seed_h264_avcc_aac.avi",
    ] {
        let Ok(bytes) = std::fs::read(corpus.join(name)) else {
            continue; // cmin may have dropped a seed
        };
        for seed in 0..8 {
            let limit = call_limit(bytes.len());
            let (packets, peak) = fuzz_lib::alloc::measure(fuzz_lib::HARD_CAP, || {
                fuzz_lib::chunked::demux_chunked(bytes.clone(), seed, limit, |s| probe::open(s))
            });
            assert!(packets > 0, "{name}, seed {seed}: no packets");
            assert!(peak < fuzz_lib::MEMORY_CAP, "{name}, seed {seed}: held {peak} bytes");
            let segments = fuzz_lib::chunked::remux_chunked(bytes.clone(), seed, limit);
            // Without a size, a file that cuts its only segment at the end (0.5 s) never
            // gets there: the read past the end comes back empty, as in the player.
            if fuzz_lib::chunked::Remote::new(Vec::new(), seed).is_sized() {
                assert!(segments > 0, "{name}, seed {seed}: no media segments");
            }
        }
    }
}
