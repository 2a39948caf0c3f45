//! Whether the tools a test needs are installed. Without one, the test skips with a message,
//! unless `RIPTIDE_REQUIRE_TOOLS` is set (scripts/test.sh and CI set it, after installing
//! them): then a missing tool is a failure, so CI never passes by skipping.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

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

/// Whether `bin FLAG` runs and succeeds (e.g. `ffmpeg -version`, `node --version`).
pub fn runs(bin: &str, flag: &str) -> bool {
    Command::new(bin).arg(flag).output().is_ok_and(|o| o.status.success())
}

/// `path` exists; otherwise skip or fail (see [`skip`]).
pub fn have_file(path: &Path) -> bool {
    path.exists() || skip(&format!("{} is missing", path.display()))
}

/// ffmpeg and ffprobe are installed (checked once); otherwise skip or fail (see [`skip`]).
pub fn have_ffmpeg() -> bool {
    static HAVE: OnceLock<bool> = OnceLock::new();
    *HAVE.get_or_init(|| runs("ffmpeg", "-version") && runs("ffprobe", "-version"))
        || skip("ffmpeg/ffprobe not found")
}

/// ffmpeg, node and Chromium, which the page tests need; otherwise skip or fail.
pub fn have_page_tools() -> bool {
    (runs("ffmpeg", "-version") && runs("node", "--version") && Path::new("/usr/bin/chromium").exists())
        || skip("ffmpeg, node or /usr/bin/chromium missing")
}

/// The names of ffmpeg's encoders and muxers (`ffmpeg -encoders`, `-muxers`), once.
fn ffmpeg_lists() -> &'static str {
    static L: OnceLock<String> = OnceLock::new();
    L.get_or_init(|| {
        let mut s = String::new();
        for what in ["-encoders", "-muxers"] {
            let out = Command::new("ffmpeg").args(["-hide_banner", what]).output().unwrap();
            s.push_str(&String::from_utf8_lossy(&out.stdout));
        }
        s
    })
}

/// Whether this ffmpeg has every named encoder (e.g. `libx265`), without skipping.
pub fn has_encoders(names: &[&str]) -> bool {
    let lists = ffmpeg_lists();
    names.iter().all(|n| lists.lines().any(|l| l.split_whitespace().nth(1) == Some(*n)))
}

/// ffmpeg is installed and has every named encoder; otherwise skip or fail.
pub fn have_encoders(names: &[&str]) -> bool {
    have_ffmpeg() && (has_encoders(names) || skip(&format!("ffmpeg lacks {names:?}")))
}
