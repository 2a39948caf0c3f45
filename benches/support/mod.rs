//! Helpers shared by the bench executables (`startup.rs`, `page.rs`): paths, medians, and a
//! browser run against a fresh piece-server.
#![allow(dead_code)] // each bench uses a different subset

use std::path::{Path, PathBuf};
use std::process::Command;

use piece_server::{spawn, Config};
use serde_json::{json, Value};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn env_path(name: &str, default: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(default))
}

pub fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

pub fn max(v: &[f64]) -> Option<f64> {
    v.iter().cloned().filter(|x| x.is_finite()).reduce(f64::max)
}

/// Runs `node SCRIPT ARGS` against a fresh server (empty data directory) that knows nothing
/// but what the page gives it; the last line of stdout as JSON.
pub async fn with_fresh_server(tmp: &Path, n: usize, script: &str, args: Vec<String>) -> Value {
    let dir = tmp.join(format!("server-{n}"));
    let mut cfg = Config::for_test(&dir);
    cfg.www_dir = Some(repo().join("www"));
    let (addr, server) = spawn(cfg).await.expect("start piece-server");
    let path = repo().join(script);
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&path)
            .arg(format!("http://{addr}"))
            .args(&args)
            .current_dir(repo())
            .output()
            .expect("node is needed (scripts/bench.sh installs it)")
    })
    .await
    .unwrap();
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|_| {
        json!({"error": format!("{script:?} printed no JSON: {stdout} {}", String::from_utf8_lossy(&out.stderr))})
    })
}

