//! Media made by ffmpeg from its arguments, cached under `target/fixtures/` by a hash of the
//! arguments, the output's name and the ffmpeg version, so each is encoded once per machine.
//! Use `lavfi` inputs (see [`av_inputs`]) so fixtures are made from nothing and are tiny.

use std::collections::hash_map::DefaultHasher;
use std::ffi::OsStr;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::paths::target_dir;
use crate::tools::have_ffmpeg;

/// The `ffmpeg -version` banner's first line (part of the cache key).
fn ffmpeg_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let out = Command::new("ffmpeg").arg("-version").output().unwrap();
        String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").to_string()
    })
}

/// The file `ffmpeg -v error -y ARGS OUT.ext` makes, cached as `target/fixtures/<hash>.ext`.
/// `None` when ffmpeg is missing (a failure under `RIPTIDE_REQUIRE_TOOLS`). Panics with
/// ffmpeg's message if ffmpeg refuses the arguments.
pub fn fixture<S: AsRef<OsStr>>(ext: &str, args: &[S]) -> Option<PathBuf> {
    make(Output::Hashed(ext), args, false)
}

/// Like [`fixture`], but ffmpeg writes to a pipe (`pipe:1`; give `-f FORMAT` in `args`), as
/// live recorders do: it cannot seek back to fill in sizes or an index.
pub fn fixture_piped<S: AsRef<OsStr>>(ext: &str, args: &[S]) -> Option<PathBuf> {
    make(Output::Hashed(ext), args, true)
}

/// Like [`fixture`], for a file that must have its own `name` (the page shows the names of a
/// torrent's files): `target/fixtures/<hash>/<name>`. Panics without ffmpeg: the page tests
/// check their tools first ([`crate::tools::have_page_tools`]).
pub fn named_fixture(name: &str, args: &[&str]) -> PathBuf {
    make(Output::Named(name), args, false).expect("ffmpeg is needed for the fixture (scripts/test.sh installs it)")
}

enum Output<'a> {
    Hashed(&'a str),
    Named(&'a str),
}

fn make<S: AsRef<OsStr>>(output: Output, args: &[S], piped: bool) -> Option<PathBuf> {
    if !have_ffmpeg() {
        return None;
    }
    let mut h = DefaultHasher::new();
    ffmpeg_version().hash(&mut h);
    let (Output::Hashed(name) | Output::Named(name)) = output;
    name.hash(&mut h);
    piped.hash(&mut h);
    for a in args {
        a.as_ref().hash(&mut h);
    }
    let key = format!("{:016x}", h.finish());
    let dir = target_dir().join("fixtures");
    let (dir, file) = match output {
        Output::Hashed(ext) => (dir, format!("{key}.{ext}")),
        Output::Named(name) => (dir.join(&key), name.to_string()),
    };
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(&file);
    if path.exists() {
        return Some(path);
    }
    // Written under a private name (the extension stays last, so ffmpeg picks the container
    // from it), then renamed: tests running in parallel (in this process or another test
    // binary) never see half a file.
    let unique = format!("{}-{:?}", std::process::id(), std::thread::current().id());
    let unique: String = unique.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let tmp = dir.join(format!("tmp-{unique}-{file}"));
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

/// Deterministic pseudo-random bytes (xorshift64*), for files whose content does not matter.
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}
