//! The catalogue: a directory of `.torrent` files the owner has approved (`--catalogue DIR`),
//! shared by every server of a cluster (docs/DEPLOY.md).
//!
//! Behind a load balancer that routes by info hash, the server that answers for a torrent
//! changes when a server is added or lost. The catalogue lets the new one take the torrent
//! over on its first request without asking the owner again and without waiting for metadata:
//! an add the owner allowed on any server writes `<hex info hash>.torrent` here, a delete
//! removes it, and a server asked for a torrent it lacks adds it from here ("adopts" it).
//! Nothing outside the catalogue is ever adopted, so "nothing added without the owner" holds
//! for the whole cluster.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use librqbit::dht::Id20;

/// Where the torrent `hash` is (or would be) kept in `dir`.
pub(crate) fn file(dir: &Path, hash: Id20) -> PathBuf {
    dir.join(format!("{}.torrent", hash.as_string()))
}

/// The approved `.torrent` for `hash`, if the catalogue has one whose info dictionary really
/// hashes to `hash` (a renamed or damaged file is ignored with a warning, never adopted).
pub(crate) fn load(dir: &Path, hash: Id20) -> Option<Bytes> {
    let path = file(dir, hash);
    let bytes = match std::fs::read(&path) {
        Ok(b) => Bytes::from(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(path = %path.display(), "cannot read the catalogue entry: {e}");
            return None;
        }
    };
    match librqbit::torrent_from_bytes(&bytes) {
        Ok(t) if t.info_hash == hash => Some(bytes),
        Ok(t) => {
            tracing::warn!(
                path = %path.display(),
                actual = %t.info_hash.as_string(),
                "catalogue entry is another torrent than its name says; ignored"
            );
            None
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), "catalogue entry is not a .torrent file: {e:#}");
            None
        }
    }
}

/// Records an approved torrent. Written to a temporary name, synced, then renamed, so a
/// server killed half-way never leaves a truncated entry that another server would read.
pub(crate) fn store(dir: &Path, hash: Id20, torrent: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let dest = file(dir, hash);
    // Several servers may store the same entry at once: each writes its own temporary file.
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        hash.as_string(),
        std::process::id()
    ));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(torrent)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, &dest)
}

/// Forgets a torrent the owner deleted; true when there was an entry.
pub(crate) fn remove(dir: &Path, hash: Id20) -> std::io::Result<bool> {
    match std::fs::remove_file(file(dir, hash)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn torrent(name: &str) -> (Id20, Vec<u8>) {
        let t = crate::build_torrent(name, 20, 16384, &[0x11; 20]);
        (Id20::new(t.info_hash), t.torrent)
    }

    #[test]
    fn entries_round_trip_and_a_misnamed_file_is_never_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let (a, ta) = torrent("a.bin");
        let (b, tb) = torrent("b.bin");
        assert_eq!(load(dir.path(), a), None);
        store(dir.path(), a, &ta).unwrap();
        assert_eq!(load(dir.path(), a).as_deref(), Some(&ta[..]));
        // b's bytes under a's name: not a's torrent, so not adopted as a.
        std::fs::write(file(dir.path(), a), &tb).unwrap();
        assert_eq!(load(dir.path(), a), None);
        std::fs::write(file(dir.path(), b), b"not bencode").unwrap();
        assert_eq!(load(dir.path(), b), None);
        assert!(remove(dir.path(), a).unwrap());
        assert!(!remove(dir.path(), a).unwrap());
        // No temporary files are left behind.
        store(dir.path(), b, &tb).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec![format!("{}.torrent", b.as_string())]);
    }
}
