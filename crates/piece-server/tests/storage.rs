//! The server on the owner's disk (src/storage.rs, src/routes/delete.rs): every torrent in its
//! own folder, the disk limits, only the watched files downloaded, deleting a torrent (and what
//! happens to its open streams), and a disk that fills up during a download. Real seeders and
//! servers over loopback; the full disk is a real 8 MiB tmpfs.

use test_support::swarm as common;

use std::{net::SocketAddr, path::Path, time::Duration};

use common::*;
use piece_server::{make_magnet, seed, spawn, Config, SeedInfo};
use reqwest::{header, Client, StatusCode};
use serde_json::Value;

const EVIL: &str = "http://evil.example";

async fn file_bytes(client: &Client, http: SocketAddr, id: &str, index: usize) -> Vec<u8> {
    let resp = client.get(format!("http://{http}/api/torrents/{id}/files/{index}")).send().await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    resp.bytes().await.unwrap().to_vec()
}

/// Reproduces the report: torrent A (`movie.mkv`, 3 MiB) completes; torrent B (another
/// `movie.mkv`, 2 MiB) is added; A's file endpoint must still return A's bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_torrents_with_the_same_file_name_keep_their_own_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (random_bytes(3 * MIB, 1), random_bytes(2 * MIB, 2));
    for (sub, data) in [("a", &a), ("b", &b)] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        std::fs::write(dir.path().join(sub).join("movie.mkv"), data).unwrap();
    }
    let (_, seeder) = spawn(Config::for_test(dir.path().join("seeder"))).await.unwrap();
    let ia = seed(&seeder.session, &dir.path().join("a/movie.mkv"), Some(256 * 1024)).await.unwrap();
    let ib = seed(&seeder.session, &dir.path().join("b/movie.mkv"), Some(256 * 1024)).await.unwrap();
    let data_dir = dir.path().join("server");
    let (http, _server) = spawn(Config::for_test(&data_dir)).await.unwrap();
    let client = Client::new();

    let id_a = add_magnet_id(&client, http, &ia.magnet).await;
    wait_finished(&client, http, &id_a, Duration::from_secs(30)).await;
    assert!(file_bytes(&client, http, &id_a, 0).await == a, "A's bytes are wrong before B was added");

    let id_b = add_magnet_id(&client, http, &ib.magnet).await;
    wait_finished(&client, http, &id_b, Duration::from_secs(30)).await;
    assert!(file_bytes(&client, http, &id_b, 0).await == b, "B's bytes are wrong");
    assert!(file_bytes(&client, http, &id_a, 0).await == a, "A's file endpoint no longer returns A's bytes");

    // On disk: one folder per torrent, named by its info hash.
    let downloads = data_dir.join("downloads");
    assert_eq!(std::fs::read(downloads.join(&id_a).join("movie.mkv")).unwrap(), a);
    assert_eq!(std::fs::read(downloads.join(&id_b).join("movie.mkv")).unwrap(), b);
}

/// A seeder sharing `data` as `name` and a server configured by `tweak`.
async fn one_film(dir: &Path, data: &[u8], tweak: impl FnOnce(&mut Config)) -> (SeedInfo, SocketAddr, [piece_server::Server; 2]) {
    seeder_and_server(dir, data, 64 * 1024, |_| {}, tweak).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn torrents_over_the_disk_limits_are_refused_with_a_sentence() {
    let data = random_bytes(3 * MIB, 3);
    let dir = tempfile::tempdir().unwrap();
    let (info, http, _s) = one_film(dir.path(), &data, |c| c.max_torrent_size = 2 * MIB as u64).await;
    let client = Client::new();
    let (status, body) = add_magnet(&client, http, &info.magnet).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let msg = body["error"].as_str().unwrap();
    assert!(msg.contains("too large") && msg.contains("3.0 MiB") && msg.contains("--max-torrent-size"), "{msg}");
    let gone = client.get(format!("http://{http}/api/torrents/{}", info.info_hash)).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND, "a refused torrent was added");
    assert!(!dir.path().join("server/downloads").join(&info.info_hash).exists(), "a refused torrent left a folder");

    let dir = tempfile::tempdir().unwrap();
    let (info, http, _s) = one_film(dir.path(), &data, |c| c.min_free_space = 1 << 60).await;
    let (status, body) = add_magnet(&client, http, &info.magnet).await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    let msg = body["error"].as_str().unwrap();
    assert!(msg.contains("not enough disk space") && msg.contains("--min-free-space"), "{msg}");
}

/// Bencode helpers for a hand-made two-file torrent (`seed` makes single-file ones only).
fn bstr(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(format!("{}:", s.len()).as_bytes());
    out.extend_from_slice(s);
}

/// A two-file torrent (`film.mkv`, then `extras.bin`) named `pack`, pieces of `piece` bytes.
fn two_file_torrent(film: &[u8], extras: &[u8], piece: usize) -> (Vec<u8>, String) {
    let all: Vec<u8> = film.iter().chain(extras).copied().collect();
    let pieces: Vec<u8> = all.chunks(piece).flat_map(|c| sha1_smol::Sha1::from(c).digest().bytes()).collect();
    let mut info = b"d5:filesl".to_vec();
    for (name, len) in [("film.mkv", film.len()), ("extras.bin", extras.len())] {
        info.extend_from_slice(format!("d6:lengthi{len}e4:pathl").as_bytes());
        bstr(&mut info, name.as_bytes());
        info.extend_from_slice(b"ee");
    }
    info.extend_from_slice(b"e4:name4:pack12:piece lengthi");
    info.extend_from_slice(format!("{piece}e6:pieces").as_bytes());
    bstr(&mut info, &pieces);
    info.push(b'e');
    let hash: String = sha1_smol::Sha1::from(&info).digest().bytes().iter().map(|b| format!("{b:02x}")).collect();
    let mut torrent = b"d4:info".to_vec();
    torrent.extend_from_slice(&info);
    torrent.push(b'e');
    (torrent, hash)
}

/// By default only the film is downloaded, not the other file of the torrent (it still plays
/// on demand); with `"all_files": true` everything is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_watched_file_is_downloaded_unless_all_are_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    const PIECE: usize = 64 * 1024;
    let (film, extras) = (random_bytes(2 * MIB + 1000, 5), random_bytes(MIB + 3000, 6));
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(pack.join("film.mkv"), &film).unwrap();
    std::fs::write(pack.join("extras.bin"), &extras).unwrap();
    let (torrent, hash) = two_file_torrent(&film, &extras, PIECE);
    let (_, seeder) = spawn(Config::for_test(dir.path().join("seeder"))).await.unwrap();
    seeder
        .session
        .add_torrent(
            librqbit::AddTorrent::from_bytes(torrent),
            Some(librqbit::AddTorrentOptions { overwrite: true, output_folder: Some(pack.to_str().unwrap().into()), ..Default::default() }),
        )
        .await
        .unwrap()
        .into_handle()
        .unwrap()
        .wait_until_initialized()
        .await
        .unwrap();
    let peer = SocketAddr::from(([127, 0, 0, 1], seeder.session.listen_addr().unwrap().port()));
    let magnet = make_magnet(&hash, "pack", (film.len() + extras.len()) as u64, &[peer]);
    let client = Client::new();

    let (http, _server) = spawn(Config::for_test(dir.path().join("watched"))).await.unwrap();
    let id = add_magnet_id(&client, http, &magnet).await;
    let t = wait_finished(&client, http, &id, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let have = have_pieces(&client, http, &id).await;
    let film_pieces = film.len().div_ceil(PIECE);
    assert!(have[..film_pieces].iter().all(|&h| h), "the film is not all there");
    let extra_only = (film.len() / PIECE + 1)..have.len();
    assert!(extra_only.clone().all(|p| !have[p]), "pieces of the file nobody watched were downloaded: {have:?}");
    assert!(t["stats"]["downloaded_bytes"].as_u64().unwrap() < t["total_length"].as_u64().unwrap());
    // Watched later: it plays (fetched on demand) with the right bytes.
    assert!(file_bytes(&client, http, &id, 1).await == extras, "the other file does not play");

    let (http, _server) = spawn(Config::for_test(dir.path().join("all"))).await.unwrap();
    let resp = client
        .post(format!("http://{http}/api/torrents"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(serde_json::json!({ "magnet": magnet, "all_files": true }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    wait_finished(&client, http, &id, Duration::from_secs(30)).await;
    assert!(have_pieces(&client, http, &id).await.iter().all(|&h| h), "all_files did not download everything");
}

async fn delete(client: &Client, http: SocketAddr, id: &str, query: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut req = client.delete(format!("http://{http}/api/torrents/{id}{query}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    json(req.send().await.unwrap()).await
}

/// `DELETE /api/torrents/{id}`: refused to other sites and to our own origin without the
/// owner's consent; for the owner it removes the torrent, ends its open stream at once (not when
/// the last piece would have come) and, with `delete_files=1`, its folder. A seeded local file
/// is never deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_deletes_a_torrent_and_its_streams_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = random_bytes(4 * MIB, 7);
    // 256 KB/s: the whole file would take 16 s.
    let (info, http, servers) =
        seeder_and_server(dir.path(), &data, 64 * 1024, |c| c.upload_limit_bps = std::num::NonZeroU32::new(256 * 1024), |_| {}).await;
    let client = Client::new();
    let id = add_magnet_id(&client, http, &info.magnet).await;

    let own = format!("http://{http}");
    let (status, body) = delete(&client, http, &id, "", &[("origin", EVIL)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = delete(&client, http, &id, "", &[("origin", &own)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"].as_str().unwrap().contains("does not delete torrents on a page's say-so"), "{body}");
    let (status, body) = delete(&client, http, &id, "?delete_files=maybe", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // A viewer is streaming the whole file.
    let mut resp = client.get(format!("http://{http}/api/torrents/{id}/files/0")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let first = resp.chunk().await.unwrap().expect("first bytes");
    assert!(!first.is_empty());
    assert_eq!(servers[1].state.open_file_streams(), 1);
    let folder = dir.path().join("server/downloads").join(&id);
    assert!(folder.is_dir(), "no folder {folder:?}");

    let (status, body) = delete(&client, http, &id, "?delete_files=1", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["files_deleted"], true);
    let started = std::time::Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        let mut got = first.len();
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => got += c.len(),
                Ok(None) | Err(_) => return got,
            }
        }
    })
    .await
    .expect("the stream of a deleted torrent did not end within 5 s");
    assert!(ended < data.len(), "the whole file arrived before the delete ({ended} bytes)");
    eprintln!("stream ended {:?} after the delete, {ended} of {} bytes sent", started.elapsed(), data.len());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(servers[1].state.open_file_streams(), 0, "the stream slot was not freed");
    let gone = client.get(format!("http://{http}/api/torrents/{id}")).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert!(!folder.exists(), "the torrent's folder is still there");
    let (status, _) = delete(&client, http, &id, "", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The seeder's torrent is the owner's own file: never deleted with it.
    let seeder_http = servers[0].addr;
    let (status, body) = delete(&client, seeder_http, &info.info_hash, "?delete_files=1", &[]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = delete(&client, seeder_http, &info.info_hash, "", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(std::fs::read(dir.path().join("film.mkv")).unwrap(), data, "the seeded file was touched");
}

/// Mounts an 8 MiB tmpfs at `dir` (we run as root in CI); `false` when this system does not
/// allow it.
fn mount_small_disk(dir: &Path) -> bool {
    std::fs::create_dir_all(dir).unwrap();
    std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

struct Unmount(std::path::PathBuf);
impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// The disk fills up while a torrent downloads: that torrent reports a clear error, another
/// torrent keeps playing, the server keeps answering, and after space is freed and the owner
/// resumes it, the pieces verified before are still there and the download completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_stops_one_torrent_with_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    if !mount_small_disk(&disk) {
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root and mount permission); the full-disk test did not run");
        return;
    }
    let _unmount = Unmount(disk.clone());
    let (small, large) = (random_bytes(MIB, 8), random_bytes(6 * MIB, 9));
    std::fs::write(dir.path().join("small.mkv"), &small).unwrap();
    std::fs::write(dir.path().join("large.mkv"), &large).unwrap();
    let mut seeder_config = Config::for_test(dir.path().join("seeder"));
    seeder_config.upload_limit_bps = std::num::NonZeroU32::new(512 * 1024);
    let (_, seeder) = spawn(seeder_config).await.unwrap();
    let is = seed(&seeder.session, &dir.path().join("small.mkv"), Some(64 * 1024)).await.unwrap();
    let il = seed(&seeder.session, &dir.path().join("large.mkv"), Some(64 * 1024)).await.unwrap();
    let mut config = Config::for_test(disk.join("data"));
    config.min_free_space = 0;
    let (http, server) = spawn(config).await.unwrap();
    let client = Client::new();
    let small_id = add_magnet_id(&client, http, &is.magnet).await;
    wait_finished(&client, http, &small_id, Duration::from_secs(30)).await;
    let large_id = add_magnet_id(&client, http, &il.magnet).await;

    // Some of the large one arrives, then another program fills the disk.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while get_json(&client, &format!("http://{http}/api/torrents/{large_id}")).await["stats"]["downloaded_bytes"].as_u64().unwrap() < MIB as u64 {
        assert!(tokio::time::Instant::now() < deadline, "the large torrent did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before: Vec<bool> = have_pieces(&client, http, &large_id).await;
    let filler = disk.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let error = loop {
        let t = get_json(&client, &format!("http://{http}/api/torrents/{large_id}")).await;
        if let Some(e) = t["stats"]["error"].as_str() {
            break e.to_owned();
        }
        assert!(t["stats"]["finished"] != true, "the large torrent finished on a full disk?");
        assert!(tokio::time::Instant::now() < deadline, "no error shown on a full disk: {t}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!("error shown: {error}");
    assert!(error.contains("disk") && error.contains("full"), "the error does not say the disk is full: {error}");

    // The other torrent and the server are fine.
    assert!(file_bytes(&client, http, &small_id, 0).await == small, "the other torrent broke");
    let status = client.get(format!("http://{http}/api/status")).send().await.unwrap();
    assert_eq!(status.status(), StatusCode::OK);

    // Space is freed and the owner resumes it: nothing verified before was lost, and it
    // completes.
    std::fs::remove_file(&filler).unwrap();
    let resp = client.post(format!("http://{http}/api/torrents/{large_id}/resume")).header("origin", EVIL).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "another site resumed a torrent");
    let (status, body) = json(client.post(format!("http://{http}/api/torrents/{large_id}/resume")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let after = loop {
        let resp = client.get(format!("http://{http}/api/torrents/{large_id}/pieces")).send().await.unwrap();
        let t = get_json(&client, &format!("http://{http}/api/torrents/{large_id}")).await;
        if resp.status().is_success() && t["stats"]["state"] == "live" {
            break have_pieces(&client, http, &large_id).await;
        }
        assert!(tokio::time::Instant::now() < deadline, "the torrent did not resume: {t}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let lost: Vec<usize> = (0..before.len()).filter(|&p| before[p] && !after[p]).collect();
    assert!(lost.is_empty(), "pieces verified before the disk filled were lost: {lost:?}");
    wait_finished(&client, http, &large_id, Duration::from_secs(60)).await;
    assert!(file_bytes(&client, http, &large_id, 0).await == large, "the large file is wrong after resuming");
    assert!(file_bytes(&client, http, &small_id, 0).await == small, "the small file is wrong after resuming");
    drop(server);
}
