//! Helpers shared by the page tests: ffmpeg fixtures, a two-server swarm on loopback, and the
//! browser harness (`tests/e2e/play.mjs`, in Chromium or Firefox), used by every
//! `tests/e2e_*.rs`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use std::net::SocketAddr;

use piece_server::{seed, spawn, Config, SeedInfo, Server};

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

/// The browser engines the page tests run in (tests/e2e/browser.mjs drives both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Debian's /usr/bin/chromium, through playwright-core.
    Chromium,
    /// Debian's /usr/bin/firefox-esr, through puppeteer-core over WebDriver BiDi.
    Firefox,
}

impl Engine {
    /// The name browser.mjs takes (`--browser NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
        }
    }

    /// Whether the engine's browser is installed; when it is not, a test in it skips, unless
    /// `RIPTIDE_REQUIRE_TOOLS` is set (then it fails).
    pub fn available(self) -> bool {
        let path = match self {
            Engine::Chromium => "/usr/bin/chromium",
            Engine::Firefox => "/usr/bin/firefox-esr",
        };
        let have = Path::new(path).exists();
        if !have {
            assert!(
                std::env::var_os("RIPTIDE_REQUIRE_TOOLS").is_none(),
                "{path} is missing (RIPTIDE_REQUIRE_TOOLS is set, so this is a failure: scripts/test.sh installs it)"
            );
            eprintln!("{path} missing: skipping");
        }
        have
    }
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
    // Tests run in parallel and may ask for the same fixture: each makes its own partial file
    // (the extension stays last, so ffmpeg picks the container from it) and renames it into
    // place; the rename is atomic, so the fixture is always complete.
    let unique = format!("{}-{:?}", std::process::id(), std::thread::current().id());
    let unique: String = unique.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let tmp = dir.join(format!("partial-{unique}-{name}"));
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

/// A seeder capped at `upload_bps` sharing `films` (pieces of `piece` bytes, or librqbit's
/// automatic size for `None`; each magnet carries the seeder as its `x.pe` hint) and an empty
/// piece-server serving `www/`, adjusted by `tweak`. Dropping the servers stops them.
pub async fn seeded_servers(
    name: &str,
    films: &[&Path],
    piece: Option<u32>,
    upload_bps: u32,
    tweak: impl FnOnce(&mut Config),
) -> (Vec<SeedInfo>, SocketAddr, [Server; 2]) {
    let tmp = tempdir(name);
    let mut seeder_cfg = Config::for_test(tmp.join("seeder"));
    seeder_cfg.upload_limit_bps = std::num::NonZeroU32::new(upload_bps);
    let (_, seeder) = spawn(seeder_cfg).await.unwrap();
    let mut seeded = Vec::new();
    for film in films {
        let info = seed(&seeder.session, film, piece).await.unwrap();
        assert!(info.magnet.contains("x.pe=127.0.0.1"), "magnet lacks the peer hint: {}", info.magnet);
        seeded.push(info);
    }
    let mut cfg = Config::for_test(tmp.join("server"));
    cfg.www_dir = Some(repo().join("www"));
    tweak(&mut cfg);
    let (addr, server) = spawn(cfg).await.unwrap();
    (seeded, addr, [seeder, server])
}

/// [`seeded_servers`] for one film in [`PIECE_LENGTH`] pieces at [`SEEDER_UPLOAD_BPS`]: the
/// page URL that opens its magnet, and both servers.
pub async fn swarm(film: &Path, name: &str) -> (String, [Server; 2]) {
    let (seeded, addr, servers) =
        seeded_servers(name, &[film], Some(PIECE_LENGTH), SEEDER_UPLOAD_BPS, |_| {}).await;
    let url = format!("http://{addr}/?magnet={}&file=0", encode(&seeded[0].magnet));
    (url, servers)
}

/// Runs `tests/e2e/play.mjs` on `url` in Chromium; the JSON report it prints.
pub fn node_play(url: &str, play_seconds: f64, timeout_ms: u32, extra: &[&str]) -> serde_json::Value {
    node_play_in(Engine::Chromium, url, play_seconds, timeout_ms, extra)
}

/// Runs `tests/e2e/play.mjs` on `url` in `engine`; the JSON report it prints.
pub fn node_play_in(
    engine: Engine,
    url: &str,
    play_seconds: f64,
    timeout_ms: u32,
    extra: &[&str],
) -> serde_json::Value {
    let out = Command::new("node")
        .arg(repo().join("tests/e2e/play.mjs"))
        .arg(url)
        .args(["--browser", engine.name()])
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
