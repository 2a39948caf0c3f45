//! Several piece-servers behind Debian's nginx, configured with the files a deployment uses
//! (`deploy/nginx/riptide-http.conf` and `riptide-locations.conf`, included unchanged), all on
//! loopback: one seeder, three servers sharing a catalogue, nginx in front.
//!
//! Checks what docs/DEPLOY.md promises: every request about one torrent reaches the same
//! server (nginx's `$upstream_addr` in its access log), adds need the token through nginx, a
//! second read of a slice is a cache HIT with the same bytes, errors and cut-off bodies are
//! never cached, and losing a server moves only its torrents (taken over from the catalogue)
//! while cached slices keep being served.

use test_support::nginx;
use test_support::swarm as common;

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use common::*;
use piece_server::{seed, spawn, Config, SeedInfo, Server};
use reqwest::{header, Client, StatusCode};

const TOKEN: &str = "cluster-test-token";
const SLICE: u64 = 1 << 20;

/// nginx in front of the servers (stopped when dropped), and where it logs each request.
struct Nginx {
    _nginx: nginx::Nginx,
    port: u16,
    log: PathBuf,
}

impl Nginx {
    /// Which server answered each request for `uri` so far, and the cache status of each.
    fn log_for(&self, uri: &str) -> Vec<(String, String)> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let mut f = l.split(' ');
                let (u, upstream, cache) = (f.next()?, f.next()?, f.next()?);
                (u == uri).then(|| (upstream.to_owned(), cache.to_owned()))
            })
            .collect()
    }

    /// [`log_for`](Self::log_for) once it has at least `n` lines: nginx writes a line after
    /// the response went out, so the client can be a moment ahead of the log.
    async fn log_at_least(&self, uri: &str, n: usize) -> Vec<(String, String)> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let lines = self.log_for(uri);
            if lines.len() >= n || Instant::now() > deadline {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn start_nginx(dir: &Path, nodes: &[SocketAddr]) -> Nginx {
    let port = nginx::free_port();
    let d = dir.display();
    let servers: String = nodes
        .iter()
        .map(|a| format!("        server {a} max_fails=1 fail_timeout=30s;\n"))
        .collect();
    let main = format!(
        "master_process on;\nworker_processes 1;\nerror_log {d}/error.log info;\n\
         events {{ worker_connections 1024; }}"
    );
    let http = format!(
        "  log_format riptide '$uri $upstream_addr $upstream_cache_status $status';\n\
           access_log {d}/access.log riptide;\n\
           proxy_cache_path {d}/cache levels=1:2 keys_zone=riptide:8m max_size=1g inactive=1d use_temp_path=off;\n\
           include riptide/riptide-http.conf;\n\
           upstream riptide_nodes {{\n        hash $riptide_key consistent;\n{servers}        keepalive 8;\n    }}\n\
           server {{\n    listen 127.0.0.1:{port};\n    include riptide/riptide-locations.conf;\n  }}"
    );
    nginx::Nginx::link_deploy_files(dir);
    let started = nginx::Nginx::start(Path::new(nginx::NGINX), dir, &main, &http).wait_for(port);
    Nginx { _nginx: started, port, log: dir.join("access.log") }
}

/// The seeder's BitTorrent address, from a magnet's `x.pe`.
fn peer_of(magnet: &str) -> SocketAddr {
    let pe = magnet.split("x.pe=").nth(1).unwrap().split('&').next().unwrap();
    pe.replace("%3A", ":").replace("%3a", ":").parse().unwrap()
}

/// `POST /api/torrents?btih=` through nginx, with or without the token.
async fn add_through(client: &Client, nginx: &Nginx, info: &SeedInfo, token: bool) -> (StatusCode, serde_json::Value) {
    let mut req = client
        .post(format!("http://127.0.0.1:{}/api/torrents?btih={}", nginx.port, info.info_hash))
        .header(header::CONTENT_TYPE, "application/json")
        .body(serde_json::json!({ "magnet": info.magnet }).to_string());
    if token {
        req = req.bearer_auth(TOKEN);
    }
    json(req.send().await.unwrap()).await
}

/// A ranged GET through nginx: status, cache status, body.
async fn range(client: &Client, nginx: &Nginx, uri: &str, from: u64, to: u64) -> (StatusCode, String, Vec<u8>) {
    let resp = client
        .get(format!("http://127.0.0.1:{}{uri}", nginx.port))
        .header(header::RANGE, format!("bytes={from}-{to}"))
        .send()
        .await
        .unwrap_or_else(|e| {
            // nginx's own logs say which server it tried and why it gave up.
            let log = std::fs::read_to_string(nginx.log.with_file_name("error.log")).unwrap_or_default();
            let access = std::fs::read_to_string(&nginx.log).unwrap_or_default();
            panic!("GET {uri} bytes={from}-{to}: {e:?}\nerror.log:\n{log}\naccess.log:\n{access}")
        });
    let status = resp.status();
    let cache = resp
        .headers()
        .get("x-cache-status")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, cache, resp.bytes().await.unwrap().to_vec())
}

/// Which of `nodes` holds `hash` in its session.
fn holders(nodes: &[Option<Server>], hash: &str) -> Vec<usize> {
    let id = <librqbit::dht::Id20 as std::str::FromStr>::from_str(hash).unwrap();
    nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            n.as_ref()
                .is_some_and(|n| n.session.get(librqbit::api::TorrentIdOrHash::Hash(id)).is_some())
        })
        .map(|(i, _)| i)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn servers_behind_nginx_route_by_info_hash_cache_slices_and_survive_a_lost_server() {
    if !test_support::tools::have_file(Path::new(nginx::NGINX)) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let client = Client::builder().timeout(Duration::from_secs(60)).build().unwrap();

    // One seeder with eight films, so that each of the three servers owns some.
    let (_, seeder) = spawn(Config::for_test(dir.path().join("seeder"))).await.unwrap();
    let mut films: Vec<(SeedInfo, Vec<u8>)> = Vec::new();
    for i in 0..8u64 {
        let data = random_bytes(3 * MIB + 12_345 * i as usize, 100 + i);
        let path = dir.path().join(format!("film{i}.mkv"));
        std::fs::write(&path, &data).unwrap();
        films.push((seed(&seeder.session, &path, Some(256 * 1024)).await.unwrap(), data));
    }
    let seeder_peer = peer_of(&films[0].0.magnet);

    let catalogue = dir.path().join("catalogue");
    let mut nodes: Vec<Option<Server>> = Vec::new();
    let mut addrs = Vec::new();
    for i in 0..3 {
        let mut c = Config::for_test(dir.path().join(format!("node{i}")));
        c.catalogue = Some(catalogue.clone());
        c.add_token = Some(TOKEN.to_owned());
        c.peers = vec![seeder_peer];
        let (addr, server) = spawn(c).await.unwrap();
        addrs.push(addr);
        nodes.push(Some(server));
    }
    let ngx_dir = dir.path().join("nginx");
    std::fs::create_dir_all(&ngx_dir).unwrap();
    let nginx = start_nginx(&ngx_dir, &addrs);

    // Through nginx a request is forwarded, so it is never "this machine": no token, no add.
    let (status, body) = add_through(&client, &nginx, &films[0].0, false).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(holders(&nodes, &films[0].0.info_hash).is_empty());

    // With the token every film is added on exactly one server, and lands in the catalogue.
    for (info, _) in &films {
        let (status, body) = add_through(&client, &nginx, info, true).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(holders(&nodes, &info.info_hash).len(), 1, "{} is on one server", info.name);
        assert!(catalogue.join(format!("{}.torrent", info.info_hash)).exists());
    }
    // A btih that does not name the torrent is refused (it would be stored on the wrong server).
    let wrong = client
        .post(format!("http://127.0.0.1:{}/api/torrents?btih={}", nginx.port, films[1].0.info_hash))
        .bearer_auth(TOKEN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(serde_json::json!({ "magnet": films[0].0.magnet }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);

    // Every request about a film reaches the server that holds it.
    let mut owner: HashMap<String, String> = HashMap::new();
    for (info, _) in &films {
        let uri = format!("/api/torrents/{}", info.info_hash);
        for _ in 0..3 {
            let r = client.get(format!("http://127.0.0.1:{}{uri}", nginx.port)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        let seen: Vec<String> = nginx.log_at_least(&uri, 3).await.into_iter().map(|(u, _)| u).collect();
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(seen.iter().all(|u| *u == seen[0]), "{} went to {seen:?}", info.name);
        let holder = holders(&nodes, &info.info_hash);
        assert_eq!(seen[0], addrs[holder[0]].to_string(), "{} answered by its holder", info.name);
        owner.insert(info.info_hash.clone(), seen[0].clone());
    }
    let used: std::collections::HashSet<_> = owner.values().collect();
    assert!(used.len() >= 2, "eight films spread over the servers: {owner:?}");

    // The viewers' signalling socket (a WebSocket) is upgraded through nginx and reaches the
    // film's holder, so all its viewers meet there.
    {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        let hash = &films[2].0.info_hash;
        let ws_uri = format!("/api/torrents/{hash}/swarm");
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}{ws_uri}", nginx.port))
            .await
            .expect("the swarm socket upgrades through nginx");
        let announce = serde_json::json!({"action": "announce", "peer_id": "v1"}).to_string();
        ws.send(Message::Text(announce.into())).await.unwrap();
        let reply = loop {
            match tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("a reply within 5 s") {
                Some(Ok(Message::Text(t))) => break serde_json::from_str::<serde_json::Value>(&t).unwrap(),
                Some(Ok(_)) => continue,
                other => panic!("the swarm socket closed: {other:?}"),
            }
        };
        assert_eq!(reply["incomplete"], 1, "{reply}");
        assert_eq!(reply["info_hash"], hash.as_str(), "{reply}");
        ws.close(None).await.unwrap();
        let seen = nginx.log_at_least(&ws_uri, 1).await;
        assert_eq!(seen[0].0, owner[hash], "the swarm socket reached the film's holder");
    }

    // Slices: the first read is a MISS, the second a HIT, both byte-exact, also across slices.
    let (info, data) = &films[0];
    let uri = format!("/api/torrents/{}/files/0", info.info_hash);
    let (from, to) = (SLICE - 1000, SLICE + 5000);
    let (status, cache, body) = range(&client, &nginx, &uri, from, to).await;
    assert_eq!((status, cache.as_str()), (StatusCode::PARTIAL_CONTENT, "MISS"));
    assert_eq!(body, data[from as usize..=to as usize]);
    let (status, cache, body) = range(&client, &nginx, &uri, from, to).await;
    assert_eq!((status, cache.as_str()), (StatusCode::PARTIAL_CONTENT, "HIT"));
    assert_eq!(body, data[from as usize..=to as usize]);
    let upstream_reads = nginx.log_at_least(&uri, 2).await.iter().filter(|(u, _)| u != "-").count();

    // Errors are not cached: an unknown file index stays a miss with its 404.
    let missing = format!("/api/torrents/{}/files/7", info.info_hash);
    for _ in 0..2 {
        let (status, cache, _) = range(&client, &nginx, &missing, 0, 99).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_ne!(cache, "HIT");
    }

    // Losing a server: only its films move, they play from the next server (taken over from
    // the catalogue), and slices already cached are still served.
    let lost = owner[&films[0].0.info_hash].clone();
    let lost_index = addrs.iter().position(|a| a.to_string() == lost).unwrap();
    nodes[lost_index].take().unwrap().shutdown().await;
    // Within slice 0, which the first read stored whole. (The part of slice 1 that read needed
    // may or may not have been stored: nginx can stop reading a slice once the viewer's range
    // is complete.)
    let (status, cache, body) = range(&client, &nginx, &uri, 1000, 9999).await;
    assert_eq!((status, cache.as_str()), (StatusCode::PARTIAL_CONTENT, "HIT"), "cached slices outlive their server");
    assert_eq!(body, data[1000..10_000]);
    let reads = nginx.log_at_least(&uri, 3).await;
    assert_eq!(reads.len(), 3);
    assert_eq!(reads.iter().filter(|(u, _)| u != "-").count(), upstream_reads);

    for (info, data) in &films {
        let uri = format!("/api/torrents/{}", info.info_hash);
        let before = nginx.log_for(&uri).len();
        let r = client.get(format!("http://127.0.0.1:{}{uri}", nginx.port)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{} answers after the loss", info.name);
        let after = nginx.log_at_least(&uri, before + 1).await;
        let answered_by = after[before..].last().unwrap().0.rsplit(", ").next().unwrap().to_owned();
        if owner[&info.info_hash] == lost {
            assert_ne!(answered_by, lost);
            // The new server has it now, and its bytes are right (fetched from the seeder).
            let file = format!("/api/torrents/{}/files/0", info.info_hash);
            let end = data.len() as u64 - 1;
            let (status, _, body) = range(&client, &nginx, &file, end - 70_000, end).await;
            assert_eq!(status, StatusCode::PARTIAL_CONTENT);
            assert_eq!(body, data[(end - 70_000) as usize..]);
        } else {
            assert_eq!(answered_by, owner[&info.info_hash], "{} stayed where it was", info.name);
        }
    }
    // A body cut off half-way is not cached. A film only a slow seeder has: while nginx
    // fetches its first slice, the owner deletes it (the piece-server ends the body short),
    // then adds it again; the next read must come from the server again, not from the cache.
    let (_, slow_seeder) = {
        let mut c = Config::for_test(dir.path().join("slow-seeder"));
        c.upload_limit_bps = std::num::NonZeroU32::new(128 * 1024);
        spawn(c).await.unwrap()
    };
    let slow_data = random_bytes(4 * MIB, 999);
    let slow_path = dir.path().join("slow.mkv");
    std::fs::write(&slow_path, &slow_data).unwrap();
    let slow = seed(&slow_seeder.session, &slow_path, Some(256 * 1024)).await.unwrap();
    assert_eq!(add_through(&client, &nginx, &slow, true).await.0, StatusCode::CREATED);
    let slow_uri = format!("/api/torrents/{}/files/0", slow.info_hash);
    // librqbit's rate limit lets about a second's worth through at first: spend it on slice 0.
    let (status, _, body) = range(&client, &nginx, &slow_uri, 0, 99).await;
    assert_eq!((status, body.as_slice()), (StatusCode::PARTIAL_CONTENT, &slow_data[..100]));
    let third = 2 * SLICE;
    let reader = {
        let (client, url) = (client.clone(), format!("http://127.0.0.1:{}{slow_uri}", nginx.port));
        tokio::spawn(async move {
            let r = client.get(url).header(header::RANGE, format!("bytes={third}-{}", third + 99)).send().await;
            match r {
                Ok(r) => r.bytes().await.map(|b| b.len()).unwrap_or(0),
                Err(_) => 0,
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let before = get_json(&client, &format!("http://127.0.0.1:{}/api/torrents/{}", nginx.port, slow.info_hash)).await;
    let have = before["stats"]["downloaded_bytes"].as_u64().unwrap();
    assert!(have < 3 * SLICE, "the third slice is still on its way when it is cut off: {before}");
    let del = client
        .delete(format!("http://127.0.0.1:{}/api/torrents/{}", nginx.port, slow.info_hash))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::OK);
    assert!(!catalogue.join(format!("{}.torrent", slow.info_hash)).exists(), "a delete leaves the catalogue");
    assert!(reader.await.unwrap() < 100, "the viewer's read was cut off too");
    assert_eq!(add_through(&client, &nginx, &slow, true).await.0, StatusCode::CREATED);
    let (status, cache, body) = range(&client, &nginx, &slow_uri, third, third + 99).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_ne!(cache, "HIT", "a slice whose body was cut off must not be served from the cache");
    assert_eq!(body, slow_data[third as usize..third as usize + 100]);

    drop(nginx);
}
