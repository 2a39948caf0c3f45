//! `piece-server seed FILE` torrents across restarts. librqbit's JSON persistence keeps them
//! like any torrent (it accepts their read-only storage because that storage says it stands for
//! a filesystem one, `seed_storage.rs`), but it would bring them back with its own writable
//! filesystem storage, which truncates and may write the user's file. So before the session
//! starts, the seeds are taken out of `session.json` (a seed is a torrent whose folder is not
//! under `downloads/`: every torrent added over HTTP has its own folder there), and once it
//! has started they are added again read-only, their file hashed once more (their saved piece
//! list is dropped: the file may have changed while the server was down).

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::Context;
use librqbit::Session;

/// A seed taken out of librqbit's database, to add again.
pub(crate) struct Seed {
    info_hash: String,
    folder: PathBuf,
    torrent: Vec<u8>,
}

/// Removes every seed from `<session_dir>/session.json` and returns them. Unreadable or
/// unexpected contents are left as they are (librqbit then reports them itself).
pub(crate) fn take_seeds(session_dir: &Path, downloads: &Path) -> Vec<Seed> {
    let db_path = session_dir.join("session.json");
    let Ok(text) = std::fs::read_to_string(&db_path) else { return Vec::new() };
    let Ok(mut db) = serde_json::from_str::<serde_json::Value>(&text) else { return Vec::new() };
    let Some(torrents) = db.get_mut("torrents").and_then(|t| t.as_object_mut()) else { return Vec::new() };
    let mut seeds = Vec::new();
    torrents.retain(|_, t| {
        let folder = t.get("output_folder").and_then(|f| f.as_str()).map(PathBuf::from);
        let hash = t.get("info_hash").and_then(|h| h.as_str()).map(str::to_owned);
        let (Some(folder), Some(info_hash)) = (folder, hash) else { return true };
        if folder.starts_with(downloads) {
            return true;
        }
        let torrent_file = session_dir.join(format!("{info_hash}.torrent"));
        match std::fs::read(&torrent_file) {
            Ok(torrent) => {
                // Hashed again when added back: the file may have changed meanwhile.
                let _ = std::fs::remove_file(session_dir.join(format!("{info_hash}.bitv")));
                seeds.push(Seed { info_hash, folder, torrent });
                false
            }
            Err(_) => true,
        }
    });
    if !seeds.is_empty() {
        let written = serde_json::to_vec(&db)
            .map_err(anyhow::Error::from)
            .and_then(|bytes| std::fs::write(&db_path, bytes).map_err(Into::into));
        if let Err(e) = written {
            tracing::warn!("cannot rewrite the session list to restore seeded files read-only: {e}");
            return Vec::new();
        }
    }
    seeds
}

/// Adds each seed again with read-only storage. A seed whose file is gone or changed is
/// dropped with a warning; the server starts anyway.
pub(crate) async fn restore(session: &Arc<Session>, seeds: Vec<Seed>) {
    for seed in seeds {
        if let Err(e) = restore_one(session, &seed).await {
            tracing::warn!(info_hash = %seed.info_hash, "a seeded file is no longer shared: {e:#}");
        }
    }
}

async fn restore_one(session: &Arc<Session>, seed: &Seed) -> anyhow::Result<()> {
    let name = librqbit::torrent_from_bytes(&seed.torrent)
        .context("its saved .torrent cannot be read")?
        .info
        .data
        .name
        .as_ref()
        .map(|n| String::from_utf8_lossy(n.as_ref()).into_owned())
        .context("its torrent has no file name")?;
    let path = seed.folder.join(&name);
    let folder = seed.folder.to_str().context("its folder name is not valid UTF-8")?;
    let handle = crate::seed::add_read_only(session, seed.torrent.clone().into(), folder, &path).await?;
    anyhow::ensure!(handle.stats().finished, "the file changed since it was seeded");
    tracing::info!(info_hash = %seed.info_hash, file = %name, "seeding again (read-only)");
    Ok(())
}
