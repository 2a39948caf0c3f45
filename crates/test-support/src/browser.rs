//! The browsers the page tests run in, and the runner that drives the page in one
//! (`tests/e2e/play.mjs` over `tests/e2e/browser.mjs`: playwright-core for Chromium,
//! puppeteer-core over WebDriver BiDi for Firefox).

use std::path::PathBuf;
use std::process::Command;

use crate::paths::repo;
use crate::tools::skip;

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

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
        }
    }

    /// The browser binary (`$CHROMIUM` / `$FIREFOX` override Debian's).
    pub fn binary(self) -> PathBuf {
        match self {
            Engine::Chromium => std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()).into(),
            Engine::Firefox => std::env::var("FIREFOX").unwrap_or("/usr/bin/firefox-esr".into()).into(),
        }
    }

    /// The node package browser.mjs drives it with.
    pub fn driver(self) -> &'static str {
        match self {
            Engine::Chromium => "playwright-core",
            Engine::Firefox => "puppeteer-core",
        }
    }

    /// Whether the engine's browser is installed; when it is not, a test in it skips, unless
    /// `RIPTIDE_REQUIRE_TOOLS` is set (then it fails).
    pub fn available(self) -> bool {
        let path = self.binary();
        path.exists() || skip(&format!("{} is missing", path.display()))
    }
}

/// The wasm package the page loads (`www/pkg/`, written by scripts/build-wasm.sh) is built.
pub fn require_wasm_package() {
    let js = repo().join("www/pkg/remux_wasm.js");
    assert!(js.exists(), "{js:?} is missing: run scripts/build-wasm.sh (scripts/test.sh does)");
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

/// `s` percent-encoded for a URL's query (every byte but the unreserved ones).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
