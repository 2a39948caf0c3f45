//! Helpers shared by the page tests: ffmpeg fixtures, a two-server swarm on loopback, and the
//! Chromium harness (`tests/e2e/play.mjs`), used by `tests/e2e_play.rs` and `tests/e2e_tracks.rs`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use piece_server::{seed, spawn, Config};

pub const PIECE_LENGTH: u32 = 256 * 1024;
/// 3 MB/s: far above these films' bitrates, so playback never starves, but the 40 MB film of
/// `e2e_play` takes ~13 s to arrive — far longer than startup should take.
pub const SEEDER_UPLOAD_BPS: u32 = 3_000_000;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `RIPTIDE_REQUIRE_TOOLS` unset and no ffmpeg: the test skips (returns false).
pub fn have_tools() -> bool {
    let ok = |bin: &str, flag: &str| Command::new(bin).arg(flag).output().is_ok_and(|o| o.status.success());
    let have = ok("ffmpeg", "-version") && ok("node", "--version") && Path::new("/usr/bin/chromium").exists();
    if !have {
        assert!(
            std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
            "ffmpeg, node or /usr/bin/chromium missing (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs them)"
        );
        eprintln!("ffmpeg, node or chromium missing: skipping");
    }
    have
}

/// A fixture made by ffmpeg once per target directory: `name` in `target/tmp/fixtures`, from
/// the ffmpeg arguments (inputs included) before the output file.
pub fn fixture(name: &str, args: &[&str]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    if path.exists() {
        return path;
    }
    let tmp = dir.join(format!("partial-{name}"));
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .arg(&tmp)
        .status()
        .expect("ffmpeg is needed for the fixture (scripts/test.sh installs it)");
    assert!(status.success(), "ffmpeg failed to make {name}");
    std::fs::rename(&tmp, &path).unwrap();
    path
}

/// A seeder sharing `film` and a second server that knows only the magnet. Returns the page
/// URL that opens the magnet, and both servers (dropping them stops them).
pub async fn swarm(film: &Path, name: &str) -> (String, [piece_server::Server; 2]) {
    let tmp = tempdir(name);
    let mut seeder_cfg = Config::for_test(tmp.join("seeder"));
    seeder_cfg.upload_limit_bps = std::num::NonZeroU32::new(SEEDER_UPLOAD_BPS);
    let (_, seeder) = spawn(seeder_cfg).await.unwrap();
    let seeded = seed(&seeder.session, film, Some(PIECE_LENGTH)).await.unwrap();
    assert!(seeded.magnet.contains("x.pe=127.0.0.1"), "magnet lacks the peer hint: {}", seeded.magnet);
    let mut cfg = Config::for_test(tmp.join("server"));
    cfg.www_dir = repo().join("www");
    let (addr, server) = spawn(cfg).await.unwrap();
    let url = format!("http://{addr}/?magnet={}&file=0", encode(&seeded.magnet));
    (url, [seeder, server])
}

/// Runs `tests/e2e/play.mjs` on `url`; the JSON report it prints.
pub fn node_play(url: &str, play_seconds: f64, timeout_ms: u32, extra: &[&str]) -> serde_json::Value {
    let out = Command::new("node")
        .arg(repo().join("tests/e2e/play.mjs"))
        .arg(url)
        .args(["--play-seconds", &play_seconds.to_string(), "--timeout-ms", &timeout_ms.to_string()])
        .args(extra)
        .current_dir(repo())
        .output()
        .expect("node is needed for page tests");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "play.mjs failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("play.mjs printed no JSON ({e}): {stdout}"))
}

pub fn require_wasm_package() {
    let js = repo().join("www/pkg/remux_wasm.js");
    assert!(js.exists(), "{js:?} is missing: run scripts/build-wasm.sh (scripts/test.sh does)");
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn tempdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
