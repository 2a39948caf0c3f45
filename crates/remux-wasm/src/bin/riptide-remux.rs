//! `riptide-remux INPUT OUTPUT.mp4`: writes the init segment followed by every media segment.
//!
//! The same pipeline the browser runs, over a local file: a quick way to check that a file
//! will play in Riptide, and a throughput benchmark.

// The command reads local files: native only. On wasm32 it builds to an empty program so
// that `cargo build --target wasm32-unknown-unknown` covers the whole crate.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::time::Instant;

    use remux_wasm::io::FileSource;
    use remux_wasm::pipeline::{Pipeline, Step};

    const HELP: &str = "\
    riptide-remux: rewrite a video file (MKV) into fragmented MP4, as Riptide does in the browser.

    Usage: riptide-remux INPUT OUTPUT.mp4

    Writes the init segment (ftyp+moov) followed by every moof+mdat fragment to OUTPUT, then
    prints a summary (tracks, fragments, packets, throughput) to stderr. Exits non-zero with a
    message if the file cannot be played.

    Options:
      -h, --help   Show this help.";

    pub fn main() -> ExitCode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.iter().any(|a| a == "-h" || a == "--help") {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        let [input, output] = &args[..] else {
            eprintln!("riptide-remux: expected two arguments, INPUT and OUTPUT.mp4\n\n{HELP}");
            return ExitCode::from(2);
        };
        match run(input.into(), output.into()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("riptide-remux: {e}");
                ExitCode::FAILURE
            }
        }
    }

    fn run(input: PathBuf, output: PathBuf) -> Result<(), String> {
        let started = Instant::now();
        let mut src = FileSource::open(&input)
            .map_err(|e| format!("cannot open {}: {e}", input.display()))?;
        let in_size = std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0);
        let mut pipeline =
            Pipeline::open(&mut src).map_err(|e| format!("{}: {e}", input.display()))?;
        let file = std::fs::File::create(&output)
            .map_err(|e| format!("cannot create {}: {e}", output.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let write_err = |e: std::io::Error| format!("cannot write {}: {e}", output.display());
        let mut mime = String::new();
        let mut written = 0u64;
        let mut last_end = None;
        let mut window_start = None;
        loop {
            match pipeline
                .step(&mut src)
                .map_err(|e| format!("{}: {e}", input.display()))?
            {
                Step::Init(init) => {
                    mime = init.mime;
                    out.write_all(&init.data).map_err(write_err)?;
                    written += init.data.len() as u64;
                }
                Step::Segment(seg) => {
                    window_start = window_start.or(seg.window_start);
                    out.write_all(&seg.data).map_err(write_err)?;
                    written += seg.data.len() as u64;
                    last_end = Some(seg.time_base.seconds(seg.end.0));
                }
                Step::Frames(_) => return Err("the pipeline gave video frames to encode, which this command cannot".into()),
                Step::End => break,
            }
        }
        out.flush().map_err(write_err)?;
        let secs = started.elapsed().as_secs_f64();
        let remuxer = pipeline.remuxer();
        eprintln!("riptide-remux: {} -> {}", input.display(), output.display());
        eprintln!("  type:      {mime}");
        for t in remuxer.carried_tracks() {
            let detail = match (t.video, t.audio) {
                (Some(v), _) => format!("{}x{}", v.width, v.height),
                (_, Some(a)) => format!("{} Hz, {} ch", a.sample_rate, a.channels),
                _ => String::new(),
            };
            eprintln!("  track {}:   {:?} {} {detail}", t.id, t.kind, t.codec_id);
        }
        for why in remuxer.skipped() {
            eprintln!("  skipped:   {why}");
        }
        if let Some(start) = window_start {
            // What a player must cut (MSE: appendWindowStart), as the page does: the file has
            // no edit list for it (see docs/DESIGN.md, "Encoder priming").
            eprintln!("  starts:    {start:.6} s (before it: the source's priming, not presented)");
        }
        eprintln!(
            "  output:    {} fragments, {} packets, {:.1} MB, {:.2} s of media",
            remuxer.fragments(),
            remuxer.packets(),
            written as f64 / 1e6,
            last_end.unwrap_or(0.0)
        );
        eprintln!(
            "  speed:     {:.3} s, {:.1} MB/s of input",
            secs,
            in_size as f64 / 1e6 / secs.max(1e-9)
        );
        Ok(())
    }
}
