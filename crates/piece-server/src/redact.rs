//! No absolute local path in any response: a web page that can read the server's answers
//! (CORS `*` by default) must not learn the owner's user name, home layout or download
//! folder. Error texts from librqbit and the OS often carry full paths, so every JSON error
//! and every torrent `error` string passes through [`paths`], which replaces the folders the
//! server knows about (data directory, static files, seeded files' folders, the home and
//! current directories) by a short label.

use std::{path::Path, sync::RwLock};

/// Known folders and their labels, longest first (so a folder inside another gets its own label).
static ROOTS: RwLock<Vec<(String, &'static str)>> = RwLock::new(Vec::new());

/// Adds a folder to hide behind `label` (its absolute and canonical spellings).
pub fn register(dir: &Path, label: &'static str) {
    let mut spellings = Vec::new();
    if let Ok(abs) = std::path::absolute(dir) {
        spellings.push(abs);
    }
    if let Ok(canon) = dir.canonicalize() {
        spellings.push(canon);
    }
    let mut roots = ROOTS.write().unwrap_or_else(|e| e.into_inner());
    for s in spellings {
        let s = s.to_string_lossy().trim_end_matches('/').to_owned();
        // "/" itself would erase every slash; a one-letter root is not a path worth hiding.
        if s.len() > 1 && !roots.iter().any(|(r, _)| *r == s) {
            roots.push((s, label));
        }
    }
    roots.sort_by_key(|(r, _)| std::cmp::Reverse(r.len()));
}

/// Registers the folders every server has: home and current directory.
pub fn register_defaults() {
    if let Some(home) = std::env::var_os("HOME") {
        register(Path::new(&home), "~");
    }
    if let Ok(cwd) = std::env::current_dir() {
        register(&cwd, "<server directory>");
    }
}

/// `text` with every registered folder replaced by its label.
pub fn paths(text: &str) -> String {
    let roots = ROOTS.read().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_owned();
    for (root, label) in roots.iter() {
        if out.contains(root.as_str()) {
            out = out.replace(root.as_str(), label);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_folders_are_replaced_innermost_first() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        register(dir.path(), "<outer>");
        register(&data, "<data dir>");
        let msg = format!("cannot open {:?}: denied", data.join("downloads/film.mkv"));
        assert_eq!(
            paths(&msg),
            "cannot open \"<data dir>/downloads/film.mkv\": denied"
        );
        let other = format!("{}/x", dir.path().display());
        assert_eq!(paths(&other), "<outer>/x");
    }
}
