//! `POST /api/torrents` (add a magnet or .torrent) and `GET /api/torrents/{id}`.

use std::{net::SocketAddr, str::FromStr};

use axum::{
    extract::{ConnectInfo, Path, RawQuery, State},
    http::{header, HeaderMap, StatusCode},
    Extension, Json,
};
use bytes::Bytes;
use librqbit::{
    dht::Id20, AddTorrent, AddTorrentOptions, AddTorrentResponse, Magnet, ManagedTorrent,
};
use serde::{Deserialize, Serialize};

use crate::{ApiError, ApiResult, AppState, WithStatus};

#[derive(Debug, Serialize)]
pub struct FileEntry {
    /// The index to use in `/api/torrents/{id}/files/{index}`.
    pub index: usize,
    /// Path inside the torrent, `/`-separated.
    pub path: String,
    pub length: u64,
    /// Byte offset of the file's first byte in the torrent's concatenated data.
    pub offset: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TorrentStats {
    /// `initializing` (checking existing data), `live`, `paused` or `error`.
    pub state: String,
    /// Verified bytes we have.
    pub downloaded_bytes: u64,
    pub uploaded_bytes: u64,
    pub total_bytes: u64,
    pub download_speed_bps: u64,
    pub upload_speed_bps: u64,
    /// Connected peers.
    pub peers: u32,
    pub finished: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TorrentDescription {
    /// Lower-case hex info hash.
    pub id: String,
    pub name: String,
    pub piece_length: u32,
    pub total_pieces: u32,
    pub total_length: u64,
    pub files: Vec<FileEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<TorrentStats>,
    /// File body bytes this server has sent for the torrent since it started (`served.rs`);
    /// with `stats`. Kept out of `stats` so that event streams do not tick with every read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub served_bytes: Option<u64>,
}

pub(crate) fn hex_id(id: Id20) -> String {
    id.as_string()
}

/// Finds a managed torrent by its hex (or base32) info hash; 404 otherwise.
pub(crate) fn find_torrent(
    state: &AppState,
    id: &str,
) -> ApiResult<std::sync::Arc<ManagedTorrent>> {
    let not_found = || {
        ApiError::not_found(format!(
            "no torrent with id {id:?}; ids are the 40-character hex info hash returned by POST /api/torrents"
        ))
    };
    let hash = Id20::from_str(id).map_err(|_| not_found())?;
    state
        .session
        .get(librqbit::api::TorrentIdOrHash::Hash(hash))
        .ok_or_else(not_found)
}

pub(crate) fn describe(handle: &ManagedTorrent) -> ApiResult<TorrentDescription> {
    let id = hex_id(handle.info_hash());
    handle
        .with_metadata(|m| {
            let lengths = m.lengths();
            let files = m
                .file_infos
                .iter()
                .enumerate()
                .filter(|(_, fi)| !fi.attrs.padding)
                .map(|(index, fi)| FileEntry {
                    index,
                    path: fi
                        .relative_filename
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/"),
                    length: fi.len,
                    offset: fi.offset_in_torrent,
                })
                .collect();
            TorrentDescription {
                id: id.clone(),
                name: m
                    .info
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| handle.name().unwrap_or_default()),
                piece_length: lengths.default_piece_length(),
                total_pieces: lengths.total_pieces(),
                total_length: lengths.total_length(),
                files,
                stats: None,
                served_bytes: None,
            }
        })
        .with_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "torrent metadata is not available yet",
        )
}

pub(crate) fn stats(handle: &ManagedTorrent) -> TorrentStats {
    let s = handle.stats();
    let (down, up, peers) = match &s.live {
        Some(l) => (
            l.download_speed.as_bytes(),
            l.upload_speed.as_bytes(),
            l.snapshot.peer_stats.live,
        ),
        None => (0, 0, 0),
    };
    TorrentStats {
        state: s.state.to_string(),
        downloaded_bytes: s.progress_bytes,
        uploaded_bytes: s.uploaded_bytes,
        total_bytes: s.total_bytes,
        download_speed_bps: down,
        upload_speed_bps: up,
        peers,
        finished: s.finished,
        error: s.error.as_deref().map(|e| crate::redact::paths(&crate::storage::explain_error(e))),
    }
}

/// One local file this server seeds, offered on the page as a one-click sample.
#[derive(Debug, Serialize)]
pub struct Sample {
    pub name: String,
    pub magnet: String,
    pub length: u64,
}

/// `GET /api/samples`: the files this server seeds itself (`piece-server seed FILE`), so the
/// page can offer them with one click. Empty when the server only streams.
pub async fn list_samples(State(state): State<AppState>) -> Json<Vec<Sample>> {
    let samples = state.samples.read().unwrap_or_else(|e| e.into_inner());
    Json(
        samples
            .iter()
            .map(|s| Sample {
                name: s.name.clone(),
                magnet: s.magnet.clone(),
                length: s.length,
            })
            .collect(),
    )
}

/// `GET /api/torrents`: every torrent of the server with live stats, sorted by name (then id),
/// so the list does not reorder between calls.
///
/// Only the owner sees it (the same people who may add: `consent::check_owner`): the list
/// says what someone downloads, and with the default `--allow-origin *` any site could
/// otherwise read it from a browser on this machine. Reading one torrent by its id stays open:
/// whoever has the id already knows what it is.
pub async fn list_torrents(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<TorrentDescription>>> {
    super::consent::check_owner(&state, client.map(|c| c.0 .0), &headers, "list").map_err(|_| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "the list of this server's torrents is shown only to its owner: on the server's own \
             page, to programs on its machine, or with its add token",
        )
    })?;
    let handles: Vec<_> = state
        .session
        .with_torrents(|all| all.map(|(_, h)| h.clone()).collect());
    let mut list: Vec<TorrentDescription> = handles
        .iter()
        .filter_map(|h| {
            // A magnet still waiting for its metadata has nothing to describe yet.
            let mut d = describe(h).ok()?;
            d.stats = Some(stats(h));
            d.served_bytes = Some(state.served.of(h.info_hash()));
            Some(d)
        })
        .collect();
    list.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
    Ok(Json(list))
}

/// `GET /api/torrents/{id}`: the description plus live stats.
pub async fn get_torrent(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<TorrentDescription>> {
    let handle = find_or_adopt(&state, &id).await?;
    let mut d = describe(&handle)?;
    d.stats = Some(stats(&handle));
    d.served_bytes = Some(state.served.of(handle.info_hash()));
    Ok(Json(d))
}

/// `GET /api/torrents/{id}/torrent`: the .torrent file (e.g. for aria2 or Transmission).
pub async fn get_torrent_file(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let handle = find_or_adopt(&state, &id).await?;
    let bytes = handle
        .with_metadata(|m| m.torrent_bytes.clone())
        .with_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "torrent metadata is not available",
        )?;
    let disposition = format!(
        "attachment; filename=\"{}.torrent\"",
        hex_id(handle.info_hash())
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-bittorrent".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct AddRequest {
    magnet: String,
    /// Download every file, not only the watched ones (`--all-files` for one torrent).
    #[serde(default)]
    all_files: bool,
}

/// The `x.pe` peer hints of a magnet, URL-decoded, unresolved.
pub fn magnet_peer_hints(magnet: &str) -> Vec<String> {
    let Some((_, query)) = magnet.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| *k == "x.pe")
        .map(|(_, v)| {
            let v = v.replace('+', " ");
            urlencoding::decode(&v).map(|c| c.into_owned()).unwrap_or(v)
        })
        .collect()
}

enum Source {
    /// The magnet and whether every file is wanted.
    Magnet(String, bool),
    TorrentFile(Bytes),
}

fn classify_body(headers: &HeaderMap, body: Bytes) -> ApiResult<Source> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("application/x-bittorrent") {
        return Ok(Source::TorrentFile(body));
    }
    let trimmed = body.trim_ascii();
    if trimmed.first() == Some(&b'{') || content_type.starts_with("application/json") {
        let req: AddRequest = serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(format!(
                "request body is not the expected JSON {{\"magnet\": \"magnet:?xt=urn:btih:...\"}}: {e}"
            ))
        })?;
        return Ok(Source::Magnet(req.magnet.trim().to_owned(), req.all_files));
    }
    if trimmed.starts_with(b"magnet:") {
        return Ok(Source::Magnet(
            String::from_utf8_lossy(trimmed).into_owned(),
            false,
        ));
    }
    if trimmed.first() == Some(&b'd') {
        return Ok(Source::TorrentFile(body));
    }
    Err(ApiError::bad_request(
        "send JSON {\"magnet\": \"magnet:?...\"} or the raw .torrent file with Content-Type: application/x-bittorrent",
    ))
}

/// What an add request names: how to add it, its info hash, whether it lists trackers, and the
/// magnet's `x.pe` peer hints.
struct Parsed {
    add: AddTorrent<'static>,
    info_hash: Id20,
    has_trackers: bool,
    hints: Vec<String>,
    /// The magnet's `tr=` trackers (none for a .torrent, whose metadata is at hand).
    trackers: Vec<String>,
}

fn parse_source(source: Source) -> ApiResult<Parsed> {
    match source {
        Source::Magnet(magnet, _) => {
            if !magnet.starts_with("magnet:") {
                return Err(ApiError::bad_request(format!(
                    "{magnet:?} is not a magnet link: it must start with \"magnet:?xt=urn:btih:\""
                )));
            }
            let parsed = Magnet::parse(&magnet)
                .map_err(|e| ApiError::bad_request(format!("invalid magnet link: {e:#}")))?;
            let info_hash = parsed.as_id20().ok_or_else(|| {
                ApiError::bad_request(
                    "the magnet link has no BitTorrent v1 info hash (xt=urn:btih:...); v2-only magnets are not supported",
                )
            })?;
            Ok(Parsed {
                hints: magnet_peer_hints(&magnet),
                has_trackers: !parsed.trackers.is_empty(),
                trackers: parsed.trackers.clone(),
                add: AddTorrent::from_url(magnet),
                info_hash,
            })
        }
        Source::TorrentFile(bytes) => {
            let parsed = librqbit::torrent_from_bytes(&bytes).map_err(|e| {
                ApiError::bad_request(format!("the body is not a valid .torrent file: {e:#}"))
            })?;
            let has_trackers = parsed.iter_announce().next().is_some();
            let info_hash = parsed.info_hash;
            drop(parsed);
            Ok(Parsed {
                add: AddTorrent::from_bytes(bytes),
                info_hash,
                has_trackers,
                hints: Vec::new(),
                trackers: Vec::new(),
            })
        }
    }
}

/// The value of `key` in a URL query string, if present.
fn query_value<'a>(query: Option<&'a str>, key: &str) -> Option<&'a str> {
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
}

/// `?btih=` names the torrent for a load balancer that routes adds by info hash (it cannot
/// read the body); an add that lands under another torrent's name would be stored on the
/// wrong server, so a mismatch is refused.
fn check_btih(query: Option<&str>, info_hash: Id20) -> ApiResult<()> {
    let Some(named) = query_value(query, "btih") else {
        return Ok(());
    };
    // Exactly the lower-case hex id: the balancer hashes the text, so `ABC…` or a base32 form
    // of the same hash would land on another server than the torrent's later requests.
    let id = hex_id(info_hash);
    if named == id {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "btih={named} does not name this torrent: give its info hash as 40 lower-case hex \
             digits, btih={id}"
        )))
    }
}

/// `POST /api/torrents`: adds a magnet (waiting for its metadata) or a .torrent file.
/// 201 when added, 200 when it was already there (same id).
/// A torrent the server does not have yet is added only if `consent::check_owner` allows it
/// (403 otherwise) or the cluster's catalogue already holds it (the owner allowed it on
/// another server); asking for one it has is a read and always allowed. A new torrent goes to
/// its own folder and must fit the disk limits (`storage.rs`); `?all_files=1` (or
/// `"all_files": true` in the JSON) downloads all its files, not only the watched ones.
pub async fn add_torrent(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<TorrentDescription>)> {
    let source = classify_body(&headers, body)?;
    let all_files = state.config.all_files
        || matches!(source, Source::Magnet(_, true))
        || matches!(query_value(query.as_deref(), "all_files"), Some("1" | "true"));
    let parsed = parse_source(source)?;
    check_btih(query.as_deref(), parsed.info_hash)?;
    if let Some(existing) = state
        .session
        .get(librqbit::api::TorrentIdOrHash::Hash(parsed.info_hash))
    {
        return Ok((StatusCode::OK, Json(describe(&existing)?)));
    }
    let catalogue = state.config.catalogue.clone();
    let approved = catalogue
        .as_deref()
        .and_then(|dir| crate::catalogue::load(dir, parsed.info_hash))
        .is_some();
    if !approved {
        super::consent::check_owner(&state, client.map(|c| c.0 .0), &headers, "add new")?;
    }
    let (status, handle) = add_new(&state, parsed, all_files).await?;
    if let (Some(dir), false) = (catalogue, approved) {
        record_in_catalogue(&dir, &handle);
    }
    Ok((status, Json(describe(&handle)?)))
}

/// Writes an added torrent into the catalogue. A failure is logged, not returned: the torrent
/// plays on this server either way, only another server could not take it over.
fn record_in_catalogue(dir: &std::path::Path, handle: &ManagedTorrent) {
    let hash = handle.info_hash();
    let stored = handle
        .with_metadata(|m| crate::catalogue::store(dir, hash, &m.torrent_bytes))
        .map_err(|e| std::io::Error::other(format!("{e:#}")))
        .and_then(|r| r);
    if let Err(e) = stored {
        tracing::warn!(id = %hex_id(hash), "cannot write the torrent into the catalogue: {e}");
    }
}

/// The torrent `id` if this server has it; otherwise, if the catalogue holds it, adds it from
/// there first (a load balancer moved it here). 404 when neither has it.
pub(crate) async fn find_or_adopt(
    state: &AppState,
    id: &str,
) -> ApiResult<std::sync::Arc<ManagedTorrent>> {
    let missing = match find_torrent(state, id) {
        Ok(h) => return Ok(h),
        Err(e) => e,
    };
    let (Some(dir), Ok(hash)) = (state.config.catalogue.as_deref(), Id20::from_str(id)) else {
        return Err(missing);
    };
    let Some(bytes) = crate::catalogue::load(dir, hash) else {
        return Err(missing);
    };
    tracing::info!(id = %hex_id(hash), "taking the torrent over from the catalogue");
    let parsed = parse_source(Source::TorrentFile(bytes))?;
    let (_, handle) = add_new(state, parsed, state.config.all_files).await?;
    Ok(handle)
}

/// Adds a torrent the owner allowed: its metadata first (from peers for a magnet), checked
/// against the disk limits, then the torrent itself into its own folder.
async fn add_new(
    state: &AppState,
    parsed: Parsed,
    all_files: bool,
) -> ApiResult<(StatusCode, std::sync::Arc<ManagedTorrent>)> {
    let config = state.config.clone();
    let Parsed {
        add,
        info_hash,
        has_trackers,
        hints,
        trackers,
    } = parsed;
    let mut initial_peers = config.peers.clone();
    initial_peers.extend(super::peer_hints::resolve(&hints, &config.net).await?);
    let is_magnet = matches!(add, AddTorrent::Url(_));
    if is_magnet
        && config.no_dht
        && initial_peers.is_empty()
        && (config.no_trackers || !has_trackers)
    {
        return Err(ApiError::bad_request(
            "no way to find peers for this magnet: DHT is off (--no-dht), it has no usable trackers and no \
             x.pe peer hints; add x.pe=IP:PORT to the magnet, pass --peer, or enable DHT",
        ));
    }

    let downloads = crate::storage::downloads_dir(&config)
        .with_status(StatusCode::INTERNAL_SERVER_ERROR, "cannot find the download directory")?;
    let folder = crate::storage::torrent_folder(&downloads, info_hash);
    let folder_str = folder
        .to_str()
        .ok_or_else(|| ApiError::internal(format!("the download folder {folder:?} is not valid UTF-8")))?
        .to_owned();
    let timeout = config.metadata_timeout();
    let timed_out = || {
        ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            format!(
                "timed out after {} s waiting for the torrent's metadata from peers; check that the \
                 peers are reachable (x.pe hints, --peer, DHT) and try again",
                timeout.as_secs()
            ),
        )
    };
    let add_failed = |e: anyhow::Error| {
        let msg = format!("{e:#}");
        let status = if msg.contains("exhausted") {
            StatusCode::BAD_GATEWAY
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        ApiError::new(status, format!("could not add the torrent: {msg}"))
    };
    let peers = |p: &[SocketAddr]| if p.is_empty() { None } else { Some(p.to_vec()) };

    // What the search finds, for the page's waiting line, until the metadata is here.
    let lookup = is_magnet.then(|| {
        state
            .lookups
            .start(&state.session, info_hash, &trackers, !config.no_trackers)
    });
    // First only the metadata (nothing written), to check the size against the limits.
    let listed = tokio::time::timeout(
        timeout,
        state.session.add_torrent(
            add,
            Some(AddTorrentOptions {
                list_only: true,
                initial_peers: peers(&initial_peers),
                disable_trackers: config.no_trackers,
                ..Default::default()
            }),
        ),
    )
    .await
    .map_err(|_| timed_out())?
    .map_err(add_failed)?;
    drop(lookup);
    let AddTorrentResponse::ListOnly(listed) = listed else {
        return Err(ApiError::internal("librqbit did not answer list-only for a list-only add"));
    };
    let files: Vec<(usize, std::path::PathBuf, u64, bool)> = listed
        .info
        .iter_file_details()
        .enumerate()
        .map(|(i, fd)| (i, fd.filename.to_pathbuf(), fd.len, fd.attrs().padding))
        .collect();
    let only_files = if all_files {
        None
    } else {
        Some(crate::storage::initial_selection(&files))
    };
    let wanted: u64 = files
        .iter()
        .filter(|f| only_files.as_ref().is_none_or(|o| o.contains(&f.0)))
        .map(|f| f.2)
        .sum();
    std::fs::create_dir_all(&downloads).with_status(
        StatusCode::INTERNAL_SERVER_ERROR,
        "cannot create the download directory",
    )?;
    crate::storage::check_limits(&config, wanted, crate::storage::free_space(&downloads))?;
    for p in listed.seen_peers {
        if !initial_peers.contains(&p) {
            initial_peers.push(p);
        }
    }

    // Overwriting is safe: the folder is this torrent's own (named by its info hash), and
    // librqbit needs it to resume over data it wrote before.
    let opts = AddTorrentOptions {
        overwrite: true,
        output_folder: Some(folder_str),
        only_files,
        initial_peers: peers(&initial_peers),
        disable_trackers: config.no_trackers,
        ..Default::default()
    };
    let res = state
        .session
        .add_torrent(AddTorrent::from_bytes(listed.torrent_bytes), Some(opts))
        .await
        .map_err(add_failed)?;
    let (status, handle) = match res {
        AddTorrentResponse::Added(_, h) => (StatusCode::CREATED, h),
        AddTorrentResponse::AlreadyManaged(_, h) => (StatusCode::OK, h),
        AddTorrentResponse::ListOnly(_) => {
            return Err(ApiError::internal(
                "librqbit answered list-only for a normal add",
            ))
        }
    };
    tracing::info!(id = %hex_id(handle.info_hash()), name = ?handle.name(), "torrent added");
    Ok((status, handle))
}

#[cfg(test)]
mod tests {
    use super::{check_btih, magnet_peer_hints, query_value};
    use librqbit::dht::Id20;
    use std::str::FromStr;

    #[test]
    fn btih_must_be_the_exact_lower_case_id() {
        let id = "c9e15763f722f23e98a29decdfae341b98d53056";
        let hash = Id20::from_str(id).unwrap();
        assert!(check_btih(None, hash).is_ok());
        assert!(check_btih(Some("all_files=1"), hash).is_ok());
        assert!(check_btih(Some(&format!("btih={id}&all_files=1")), hash).is_ok());
        let upper = format!("btih={}", id.to_ascii_uppercase());
        let e = check_btih(Some(&upper), hash).unwrap_err();
        assert!(e.to_string().contains(id), "{e}");
        assert!(check_btih(Some("btih=0000000000000000000000000000000000000000"), hash).is_err());
        assert_eq!(query_value(Some("a=1&btih=x"), "btih"), Some("x"));
        assert_eq!(query_value(Some("btihx=1"), "btih"), None);
    }

    #[test]
    fn peer_hints_are_decoded() {
        let m =
            "magnet:?xt=urn:btih:aa&x.pe=127.0.0.1%3A6881&dn=x&x.pe=%5B%3A%3A1%5D:7000&x.pe=host:1";
        assert_eq!(
            magnet_peer_hints(m),
            vec!["127.0.0.1:6881", "[::1]:7000", "host:1"]
        );
        assert!(magnet_peer_hints("magnet:?xt=urn:btih:aa").is_empty());
    }
}
