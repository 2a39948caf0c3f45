//! Embeds the player (`www/` at the repository root, with the wasm package `www/pkg` that
//! `scripts/build-wasm.sh` writes) into the binary, so that `piece-server` copied alone to any
//! folder serves the page. `--www-dir` still serves a folder from disk instead (development).
//!
//! Writes `$OUT_DIR/www_files.rs`: one `(path, content type, etag, bytes)` row per file.
//! Without `www/pkg`, a debug build embeds the page without the engine and warns (the page
//! then says the engine is missing); a release build stops, since a release binary without its
//! player is broken. `RIPTIDE_ALLOW_NO_WASM=1` lets a release build through anyway.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
};

/// The file the page cannot work without; its absence means build-wasm.sh has not run.
const ENGINE: &str = "pkg/remux_wasm_bg.wasm";

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let www = manifest.join("../../www");
    println!("cargo:rerun-if-changed=build.rs");
    // A directory here makes cargo re-run the script when anything inside it changes.
    println!("cargo:rerun-if-changed={}", www.display());
    println!("cargo:rerun-if-env-changed=RIPTIDE_ALLOW_NO_WASM");

    let mut files = Vec::new();
    if www.is_dir() {
        collect(&www, &www, &mut files);
    }
    files.sort();
    if !files.iter().any(|(rel, _)| rel == ENGINE) {
        let release = std::env::var("PROFILE").as_deref() == Ok("release");
        let allowed = std::env::var("RIPTIDE_ALLOW_NO_WASM").as_deref() == Ok("1");
        let msg = format!(
            "{} is missing: run `bash scripts/build-wasm.sh` before building piece-server \
             (the binary embeds the player page and its wasm engine)",
            www.join(ENGINE).display()
        );
        if release && !allowed {
            panic!("{msg}; or set RIPTIDE_ALLOW_NO_WASM=1 for a binary that needs --www-dir");
        }
        println!("cargo:warning={msg}");
    }

    let mut out = String::from("pub(crate) static FILES: &[EmbeddedFile] = &[\n");
    for (rel, path) in &files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        writeln!(
            out,
            "    EmbeddedFile {{ path: {rel:?}, content_type: {:?}, etag: \"\\\"{:016x}\\\"\", bytes: include_bytes!({:?}) }},",
            content_type(rel),
            fnv1a(&bytes),
            path.canonicalize().expect("a file we just read").display().to_string(),
        )
        .expect("writing to a String");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("www_files.rs");
    std::fs::write(dest, out).expect("writing www_files.rs");
}

/// Every regular file under `dir` (dot files left out), as (path relative to `root` with `/`,
/// absolute path).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.expect("a directory entry");
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.is_file() {
            let rel = path.strip_prefix(root).expect("under root");
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            files.push((rel, path));
        }
    }
}

/// The `Content-Type` a browser needs (`application/wasm` for streaming compilation, a
/// JavaScript type for module scripts).
fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "ts" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A content hash for the `ETag` (64-bit FNV-1a: enough to tell builds apart, no dependency).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
