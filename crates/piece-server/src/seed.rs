//! Seeding a local file: we build the single-file torrent ourselves (librqbit's
//! `create_torrent` appends a bogus extra piece hash when the file size is an exact multiple
//! of the piece length, which aria2 and Transmission reject), then add it to the session as
//! already complete, with the file's own directory as the output folder (no copy).

use std::{io::Read, path::Path, sync::Arc};

use anyhow::Context;
use bytes::Bytes;
use librqbit::{storage::StorageFactoryExt, AddTorrent, AddTorrentOptions, Session};
use serde::Serialize;

/// Smallest piece length `seed` picks on its own: small pieces let a player start sooner.
pub const MIN_AUTO_PIECE_LENGTH: u32 = 256 * 1024;
/// Largest piece length `seed` picks on its own.
pub const MAX_AUTO_PIECE_LENGTH: u32 = 16 * 1024 * 1024;
/// `seed` grows the piece length (powers of two) until the torrent has at most this many pieces.
pub const TARGET_MAX_PIECES: u64 = 4096;

/// What `seed` produced.
#[derive(Debug, Clone, Serialize)]
pub struct SeedInfo {
    /// Lower-case hex BitTorrent v1 info hash; also the id used by the HTTP API.
    pub info_hash: String,
    /// `magnet:?xt=urn:btih:…&dn=…&xl=…&x.pe=127.0.0.1:<peer port>`.
    pub magnet: String,
    pub name: String,
    pub length: u64,
    pub piece_length: u32,
    /// The bencoded .torrent file.
    #[serde(skip)]
    pub torrent: Bytes,
}

/// Picks a piece length for a file of `len` bytes (see the constants above).
pub fn auto_piece_length(len: u64) -> u32 {
    let mut pl = MIN_AUTO_PIECE_LENGTH;
    while pl < MAX_AUTO_PIECE_LENGTH && len.div_ceil(pl as u64) > TARGET_MAX_PIECES {
        pl *= 2;
    }
    pl
}

/// A single-file torrent built by hand.
pub struct BuiltTorrent {
    pub info_hash: [u8; 20],
    pub info: Vec<u8>,
    pub torrent: Vec<u8>,
}

fn bstr(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(s.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(s);
}

fn bint(out: &mut Vec<u8>, i: u64) {
    out.push(b'i');
    out.extend_from_slice(i.to_string().as_bytes());
    out.push(b'e');
}

/// Builds a BEP 3 single-file torrent: exactly `ceil(length / piece_length)` piece hashes
/// (none for an empty file). Dictionary keys are written in sorted order, as bencode requires.
pub fn build_torrent(name: &str, length: u64, piece_length: u32, pieces: &[u8]) -> BuiltTorrent {
    debug_assert_eq!(
        pieces.len() as u64,
        length.div_ceil(piece_length as u64) * 20
    );
    let mut info = Vec::with_capacity(pieces.len() + 128);
    info.push(b'd');
    bstr(&mut info, b"length");
    bint(&mut info, length);
    bstr(&mut info, b"name");
    bstr(&mut info, name.as_bytes());
    bstr(&mut info, b"piece length");
    bint(&mut info, piece_length as u64);
    bstr(&mut info, b"pieces");
    bstr(&mut info, pieces);
    info.push(b'e');

    let info_hash = sha1_smol::Sha1::from(&info).digest().bytes();

    let mut torrent = Vec::with_capacity(info.len() + 64);
    torrent.push(b'd');
    bstr(&mut torrent, b"created by");
    bstr(
        &mut torrent,
        concat!("riptide piece-server ", env!("CARGO_PKG_VERSION")).as_bytes(),
    );
    bstr(&mut torrent, b"info");
    torrent.extend_from_slice(&info);
    torrent.push(b'e');
    BuiltTorrent {
        info_hash,
        info,
        torrent,
    }
}

/// Reads `path` and returns the concatenated SHA-1 of each `piece_length` piece.
fn hash_pieces(path: &Path, piece_length: u32) -> anyhow::Result<(u64, Vec<u8>)> {
    let mut f = std::fs::File::open(path).with_context(|| format!("cannot open {path:?}"))?;
    let mut buf = vec![0u8; piece_length as usize];
    let mut pieces = Vec::new();
    let mut total = 0u64;
    loop {
        // Fill a whole piece (read() may return short counts).
        let mut filled = 0;
        while filled < buf.len() {
            let n = f
                .read(&mut buf[filled..])
                .with_context(|| format!("cannot read {path:?}"))?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            break;
        }
        total += filled as u64;
        pieces.extend_from_slice(&sha1_smol::Sha1::from(&buf[..filled]).digest().bytes());
        if filled < buf.len() {
            break;
        }
    }
    Ok((total, pieces))
}

/// Builds `magnet:?xt=urn:btih:<hex>&dn=<name>&xl=<len>` plus one `x.pe` per peer.
pub fn make_magnet(
    info_hash_hex: &str,
    name: &str,
    length: u64,
    peers: &[std::net::SocketAddr],
) -> String {
    let mut m = format!(
        "magnet:?xt=urn:btih:{info_hash_hex}&dn={}&xl={length}",
        urlencoding::encode(name)
    );
    for p in peers {
        m.push_str("&x.pe=");
        // Left unescaped (`:` is legal in a query) so the hint stays readable.
        m.push_str(&p.to_string());
    }
    m
}

/// Creates a torrent for the local file `path`, adds it to `session` as complete (seeding the
/// file in place, without copying), and returns its magnet. `piece_length` must be a power of
/// two of at least 16 KiB; `None` picks one with [`auto_piece_length`].
pub async fn seed(
    session: &Arc<Session>,
    path: &Path,
    piece_length: Option<u32>,
) -> anyhow::Result<SeedInfo> {
    let path = path.canonicalize().with_context(|| {
        format!("cannot seed {path:?}: the file does not exist or is unreadable")
    })?;
    let meta = std::fs::metadata(&path).with_context(|| format!("cannot stat {path:?}"))?;
    if !meta.is_file() {
        anyhow::bail!(
            "cannot seed {path:?}: only single regular files can be seeded, not directories"
        );
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("cannot seed {path:?}: the file name is not valid UTF-8"))?
        .to_owned();
    let folder = path
        .parent()
        .and_then(|p| p.to_str())
        .with_context(|| format!("cannot seed {path:?}: its directory name is not valid UTF-8"))?
        .to_owned();
    let piece_length = match piece_length {
        Some(pl) if pl < 16 * 1024 || !pl.is_power_of_two() => anyhow::bail!(
            "piece length {pl} is not allowed: use a power of two of at least 16384 (e.g. 262144)"
        ),
        Some(pl) => pl,
        None => auto_piece_length(meta.len()),
    };

    tracing::info!(?path, piece_length, "hashing file for seeding");
    let hash_path = path.clone();
    let (length, pieces) =
        tokio::task::spawn_blocking(move || hash_pieces(&hash_path, piece_length))
            .await
            .context("hashing task panicked")??;
    let built = build_torrent(&name, length, piece_length, &pieces);
    let info_hash: String = built.info_hash.iter().map(|b| format!("{b:02x}")).collect();
    let torrent = Bytes::from(built.torrent);

    let handle = add_read_only(session, torrent.clone(), &folder, &path).await?;
    let stats = handle.stats();
    if !stats.finished {
        anyhow::bail!(
            "{path:?} changed while it was being hashed ({} of {} bytes verified); try again",
            stats.progress_bytes,
            stats.total_bytes
        );
    }
    let peer_port = session
        .listen_addr()
        .map(|a| a.port())
        .context("the session has no peer listener, so nobody could download from it")?;
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], peer_port));
    let magnet = make_magnet(&info_hash, &name, length, &[peer]);
    tracing::info!(%info_hash, %magnet, "seeding");
    Ok(SeedInfo {
        info_hash,
        magnet,
        name,
        length,
        piece_length,
        torrent,
    })
}

/// Adds the torrent of the local file `path` (in `folder`) and waits until librqbit has
/// checked it. Used by `seed` and by `seed_restore` after a restart. Read-only: the user's
/// file is never truncated or written (`seed_storage.rs`). Error texts name the folder by a
/// label, not its path (`redact`).
pub(crate) async fn add_read_only(
    session: &Arc<Session>,
    torrent: Bytes,
    folder: &str,
    path: &Path,
) -> anyhow::Result<Arc<librqbit::ManagedTorrent>> {
    crate::redact::register(Path::new(folder), "<seeded file's folder>");
    let handle = session
        .add_torrent(
            AddTorrent::from_bytes(torrent),
            Some(AddTorrentOptions {
                overwrite: true,
                output_folder: Some(folder.to_owned()),
                storage_factory: Some(
                    crate::seed_storage::ReadOnlyFileFactory { path: path.to_owned() }.boxed(),
                ),
                ..Default::default()
            }),
        )
        .await
        .with_context(|| format!("librqbit refused the torrent for {path:?}"))?
        .into_handle()
        .context("librqbit did not return a torrent handle")?;
    handle
        .wait_until_initialized()
        .await
        .context("librqbit failed while checking the file")?;
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_multiple_has_no_extra_piece() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.bin");
        std::fs::write(&p, vec![7u8; 4 * 16384]).unwrap();
        let (len, pieces) = hash_pieces(&p, 16384).unwrap();
        assert_eq!(len, 4 * 16384);
        assert_eq!(pieces.len(), 4 * 20);
        std::fs::write(&p, vec![7u8; 4 * 16384 + 1]).unwrap();
        let (_, pieces) = hash_pieces(&p, 16384).unwrap();
        assert_eq!(pieces.len(), 5 * 20);
    }

    #[test]
    fn torrent_parses_with_librqbit() {
        let pieces = vec![1u8; 40];
        let t = build_torrent("a b.mkv", 20000, 16384, &pieces);
        let parsed = librqbit::torrent_from_bytes(&t.torrent).unwrap();
        assert_eq!(parsed.info_hash.0, t.info_hash);
    }

    #[test]
    fn auto_piece_length_grows() {
        assert_eq!(auto_piece_length(1), MIN_AUTO_PIECE_LENGTH);
        assert_eq!(auto_piece_length(4096 * 256 * 1024), 256 * 1024);
        assert_eq!(auto_piece_length(4096 * 256 * 1024 + 1), 512 * 1024);
        assert_eq!(auto_piece_length(u64::MAX / 2), MAX_AUTO_PIECE_LENGTH);
    }

    #[test]
    fn magnet_has_hints() {
        let m = make_magnet("ab", "x y", 5, &["127.0.0.1:6881".parse().unwrap()]);
        assert_eq!(
            m,
            "magnet:?xt=urn:btih:ab&dn=x%20y&xl=5&x.pe=127.0.0.1:6881"
        );
    }
}
