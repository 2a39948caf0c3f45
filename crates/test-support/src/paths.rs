//! Where things are: the repository, the cargo target directory, scratch directories.

use std::path::{Path, PathBuf};

/// The repository's root (this crate is `crates/test-support`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository")
}

/// The cargo target directory (`target/`, or `$CARGO_TARGET_DIR`), from the running test or
/// bench executable, which cargo puts in `target/<profile>/deps/`.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.ancestors().nth(3).expect("target/<profile>/deps/<exe>").to_path_buf()
}

/// A scratch directory of this test process, for derived files (cut or corrupted copies).
pub fn scratch(name: &str) -> PathBuf {
    let dir = target_dir().join("tmp").join(format!("riptide-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// An empty directory `name` of this test process under `target/tmp/`.
pub fn tempdir(name: &str) -> PathBuf {
    let dir = target_dir().join("tmp").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary `name` of a package, built by cargo beside the running test executable (as
/// cargo does for a package's integration tests).
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.ancestors().nth(2).expect("target/<profile>/deps/<exe>").join(name)
}

/// Runs the `riptide-remux` command (remux-wasm's binary) on `input`, writing `out`; fails the
/// test with its stderr if it does not succeed.
/// Returns where the presentation starts when the tracks were moved later (the `starts:`
/// line: the page's `appendWindowStart`), else `None`.
pub fn riptide_remux(input: &Path, out: &Path) -> Option<f64> {
    let run = std::process::Command::new(bin("riptide-remux")).arg(input).arg(out).output().unwrap();
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "riptide-remux {} failed: {log}", input.display());
    log.lines()
        .find_map(|l| l.trim().strip_prefix("starts:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}
