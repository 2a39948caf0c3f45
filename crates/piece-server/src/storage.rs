//! Where torrents live on disk and how much of the disk they may take.
//!
//! - Every torrent added over HTTP gets its own folder, `<data dir>/downloads/<info hash>/`,
//!   so two torrents with a file of the same name never share (or overwrite) one file: a
//!   torrent only ever opens files under the folder named by its own info hash.
//! - Before a torrent is added, [`check_limits`] refuses it when the files it would download
//!   are larger than `--max-torrent-size` (413), or would leave less than `--min-free-space` on
//!   the downloads file system (507).
//! - Only the files being watched are downloaded ([`initial_selection`], [`select_streamed`])
//!   unless the owner asks for all (`--all-files`, or `"all_files": true` when adding).
//! - A deleted torrent's open file streams end ([`Removals`]).

use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
    sync::Mutex,
};

use axum::http::StatusCode;
use librqbit::{dht::Id20, ManagedTorrent, Session};
use tokio_util::sync::CancellationToken;

use crate::{ApiError, ApiResult, Config};

/// `<data dir>/downloads`, absolute.
pub(crate) fn downloads_dir(config: &Config) -> anyhow::Result<PathBuf> {
    Ok(crate::absolute(&config.data_dir)?.join("downloads"))
}

/// The folder of one torrent: `<downloads>/<lower-case hex info hash>`.
pub(crate) fn torrent_folder(downloads: &Path, info_hash: Id20) -> PathBuf {
    downloads.join(info_hash.as_string())
}

/// True when `handle`'s data is in its own folder under `downloads` (a torrent added over
/// HTTP), false for a `seed FILE` torrent, whose data is the owner's own file.
pub(crate) fn owns_its_folder(downloads: &Path, handle: &ManagedTorrent) -> bool {
    handle.output_folder() == torrent_folder(downloads, handle.info_hash())
}

/// Bytes available to this user on the file system holding `path` (`None` when unknown).
pub(crate) fn free_space(path: &Path) -> Option<u64> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
        // SAFETY: statvfs only writes into the zeroed struct we pass; `c` is NUL-terminated.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
            return None;
        }
        Some(st.f_bavail as u64 * st.f_frsize as u64)
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = path;
        None
    }
}

/// `n` bytes in plain words (`1.5 GiB`).
pub(crate) fn human(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} bytes")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

/// Refuses a torrent whose selected files take `wanted` bytes: 413 over `--max-torrent-size`,
/// 507 when the downloads file system (`free` bytes available) would keep less than
/// `--min-free-space` afterwards.
pub(crate) fn check_limits(config: &Config, wanted: u64, free: Option<u64>) -> ApiResult<()> {
    if wanted > config.max_torrent_size {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "this torrent is too large for this server: it would download {}, and the server \
                 accepts at most {} per torrent (--max-torrent-size)",
                human(wanted),
                human(config.max_torrent_size)
            ),
        ));
    }
    if let Some(free) = free {
        if free.saturating_sub(wanted) < config.min_free_space {
            return Err(ApiError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                format!(
                    "not enough disk space for this torrent: it needs {}, {} are free, and the \
                     server keeps at least {} free (--min-free-space); delete torrents or free \
                     some space first",
                    human(wanted),
                    human(free),
                    human(config.min_free_space)
                ),
            ));
        }
    }
    Ok(())
}

/// File extensions the page plays (as `VIDEO_EXTENSIONS` in `www/app.js`).
const VIDEO_EXTENSIONS: [&str; 6] = ["mkv", "mp4", "webm", "avi", "m4v", "mov"];

/// The files downloaded from the start when not all are wanted: the one the page plays by
/// default (the largest video, else the largest file), as `defaultFile` in `www/app.js`.
/// `files` is `(index, path, length, is_padding)`.
pub(crate) fn initial_selection(files: &[(usize, PathBuf, u64, bool)]) -> Vec<usize> {
    let real: Vec<_> = files.iter().filter(|f| !f.3).collect();
    let is_video = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
    };
    let videos: Vec<_> = real.iter().filter(|f| is_video(&f.1)).copied().collect();
    let pool = if videos.is_empty() { real } else { videos };
    pool.iter()
        .max_by_key(|f| f.2)
        .map(|f| vec![f.0])
        .unwrap_or_default()
}

/// Adds file `index` to the files `handle` downloads, if it selects only some: a viewer is
/// watching it, so the rest of it is fetched in the background too.
pub(crate) async fn select_streamed(session: &std::sync::Arc<Session>, handle: &std::sync::Arc<ManagedTorrent>, index: usize) {
    let Some(current) = handle.only_files() else {
        return;
    };
    if current.contains(&index) {
        return;
    }
    let mut files: HashSet<usize> = current.into_iter().collect();
    files.insert(index);
    if let Err(e) = session.update_only_files(handle, &files).await {
        tracing::warn!(index, "could not select the streamed file for download: {e:#}");
    }
}

/// Makes a restart exact after a crash. librqbit's fastresume writes a torrent's bitfield of
/// verified pieces (`<session dir>/<info hash>.bitv`) only every 16 MiB downloaded, when the
/// torrent completes and when it is dropped, so after `kill -9` (or a power cut, or a Ctrl-C
/// that exits before the write) an unfinished torrent's file can lack the pieces verified last.
/// Before the session starts, this removes the bitfield of every torrent that is not complete:
/// librqbit then checks that torrent's data on disk once (reads and hashes it, nothing is
/// downloaded) and every piece that was verified and written comes back. Complete torrents
/// (written at completion) start without a check. Returns how many were removed.
pub(crate) fn drop_unfinished_bitfields(session_dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(session_dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("bitv") {
            continue;
        }
        if bitfield_complete(&path) != Some(true) {
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) => tracing::warn!(?path, "cannot remove a stale piece bitfield: {e}"),
            }
        }
    }
    removed
}

/// Whether the bitfield at `bitv` marks every piece of its torrent (`<same name>.torrent`);
/// `None` when either file cannot be read.
fn bitfield_complete(bitv: &Path) -> Option<bool> {
    let torrent = std::fs::read(bitv.with_extension("torrent")).ok()?;
    let parsed = librqbit::torrent_from_bytes(&torrent).ok()?;
    let pieces = parsed.info.data.pieces.as_ref().len() / 20;
    let bits = std::fs::read(bitv).ok()?;
    let have = (0..pieces)
        .filter(|&i| bits.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0))
        .count();
    Some(have == pieces)
}

/// A torrent's error (librqbit's words) with a plain-words lead when the cause is known: a full
/// disk stops only that torrent; the pieces it had verified stay on disk and in
/// `<data dir>/session`, so after freeing space `routes/resume.rs` (or a restart) resumes it.
pub(crate) fn explain_error(raw: &str) -> String {
    if raw.contains("os error 28") || raw.contains("No space left") {
        format!(
            "the disk holding the downloads is full, so this torrent stopped; the pieces it had \
             verified are kept. Free some space (or delete torrents), then resume it (POST \
             /api/torrents/ID/resume) or restart the server. ({raw})"
        )
    } else {
        raw.to_owned()
    }
}

/// Cancellation tokens of torrents with open file streams, by info hash.
#[derive(Default)]
pub(crate) struct Removals(Mutex<HashMap<Id20, CancellationToken>>);

impl Removals {
    /// The token a stream of `info_hash` ends on.
    pub(crate) fn token(&self, info_hash: Id20) -> CancellationToken {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(info_hash).or_default().clone()
    }

    /// Ends every open stream of `info_hash` (the torrent was deleted).
    pub(crate) fn remove(&self, info_hash: Id20) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = map.remove(&info_hash) {
            t.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_refuse_with_sentences() {
        let c = Config {
            max_torrent_size: 1000,
            min_free_space: 100,
            ..Config::default()
        };
        assert!(check_limits(&c, 1000, Some(1100)).is_ok());
        let big = check_limits(&c, 1001, None).unwrap_err();
        assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(big.message.contains("--max-torrent-size"), "{}", big.message);
        let full = check_limits(&c, 1000, Some(1099)).unwrap_err();
        assert_eq!(full.status, StatusCode::INSUFFICIENT_STORAGE);
        assert!(full.message.contains("--min-free-space"), "{}", full.message);
    }

    #[test]
    fn the_largest_video_is_selected_first() {
        let f = |i, p: &str, l, pad| (i, PathBuf::from(p), l, pad);
        let files = [f(0, "a.nfo", 900, false), f(1, "x.mkv", 50, false), f(2, "y.MP4", 70, false), f(3, "pad", 999, true)];
        assert_eq!(initial_selection(&files), vec![2]);
        assert_eq!(initial_selection(&[f(0, "a.txt", 1, false), f(1, "b.txt", 2, false)]), vec![1]);
        assert!(initial_selection(&[]).is_empty());
    }

    #[test]
    fn only_complete_bitfields_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        // 10 pieces of 16 KiB.
        let t = crate::seed::build_torrent("f", 10 * 16384, 16384, &[7u8; 200]);
        for (name, bits) in [("full", vec![0xff, 0xc0]), ("part", vec![0xff, 0x80]), ("orphan", vec![0xff, 0xff])] {
            std::fs::write(dir.path().join(format!("{name}.bitv")), bits).unwrap();
            if name != "orphan" {
                std::fs::write(dir.path().join(format!("{name}.torrent")), &t.torrent).unwrap();
            }
        }
        assert_eq!(drop_unfinished_bitfields(dir.path()), 2);
        assert!(dir.path().join("full.bitv").exists());
        assert!(!dir.path().join("part.bitv").exists());
        assert!(!dir.path().join("orphan.bitv").exists(), "a bitfield without its torrent is not trusted");
    }

    #[test]
    fn free_space_is_known_here() {
        assert!(free_space(Path::new("/")).is_some_and(|f| f > 0));
    }
}
