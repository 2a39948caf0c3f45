//! `GET /api/torrents/{id}/swarm`: the WebSocket signalling tracker, driven by a real
//! WebSocket client against a real server seeding a real file. Offers reach another viewer of
//! the same torrent (never the sender, never a viewer of another torrent), answers come back to
//! the offerer, bad messages get a plain-words `failure reason`, unknown torrents are a 404
//! before any upgrade, and one client address cannot open more sockets than its cap.

use test_support::swarm as common;

use common::random_bytes;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use piece_server::{spawn, Config};
use serde_json::{json, Value};
use tokio_tungstenite::{connect_async, tungstenite::Message, MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

async fn recv(ws: &mut Ws) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("no message within 5 s")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = m {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// Nothing arrives within 300 ms.
async fn silent(ws: &mut Ws) {
    let r = tokio::time::timeout(Duration::from_millis(300), ws.next()).await;
    assert!(r.is_err(), "unexpected message: {r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offers_and_answers_are_relayed_within_one_torrent() {
    let tmp = tempfile::tempdir().unwrap();
    let (a_path, b_path) = (tmp.path().join("a.mkv"), tmp.path().join("b.mkv"));
    std::fs::write(&a_path, random_bytes(300_000, 1)).unwrap();
    std::fs::write(&b_path, random_bytes(300_000, 2)).unwrap();
    let (addr, server) = spawn(Config::for_test(tmp.path().join("s"))).await.unwrap();
    let a = piece_server::seed(&server.session, &a_path, None).await.unwrap();
    let b = piece_server::seed(&server.session, &b_path, None).await.unwrap();
    let url = |h: &str| format!("ws://{addr}/api/torrents/{h}/swarm");
    let a_hash = a.info_hash.to_string();

    let (mut v1, _) = connect_async(url(&a_hash)).await.unwrap();
    let (mut v2, _) = connect_async(url(&a_hash)).await.unwrap();
    let (mut other, _) = connect_async(url(&b.info_hash.to_string())).await.unwrap();

    send(&mut other, json!({"action": "announce", "peer_id": "o"})).await;
    assert_eq!(recv(&mut other).await["incomplete"], 1);
    send(&mut v1, json!({"action": "announce", "peer_id": "v1", "offers": []})).await;
    let r = recv(&mut v1).await;
    assert_eq!(r["incomplete"], 1, "{r}");
    assert_eq!(r["info_hash"], a_hash);
    assert!(r.get("ice_servers").is_none(), "no ICE servers unless configured: {r}");

    // v2 offers twice; only v1 is there to take one, and never v2 itself or `other`.
    let offer = json!({"type": "offer", "sdp": "v=0 fake"});
    send(
        &mut v2,
        json!({"action": "announce", "peer_id": "v2", "info_hash": "ignored",
               "offers": [{"offer_id": "x1", "offer": offer}, {"offer_id": "x2", "offer": offer}]}),
    )
    .await;
    assert_eq!(recv(&mut v2).await["incomplete"], 2);
    let got = recv(&mut v1).await;
    assert_eq!(got["peer_id"], "v2");
    assert_eq!(got["offer"], offer);
    assert_eq!(got["info_hash"], a_hash);
    let offer_id = got["offer_id"].as_str().unwrap().to_owned();
    silent(&mut v1).await;
    silent(&mut v2).await;
    silent(&mut other).await;

    let answer = json!({"type": "answer", "sdp": "v=0 reply"});
    send(
        &mut v1,
        json!({"action": "announce", "peer_id": "v1", "to_peer_id": "v2",
               "answer": answer, "offer_id": offer_id}),
    )
    .await;
    let got = recv(&mut v2).await;
    assert_eq!(got["peer_id"], "v1");
    assert_eq!(got["answer"], answer);
    assert_eq!(got["offer_id"], offer_id);

    // Bad input: a plain-words failure, and the socket stays usable.
    v1.send(Message::Text("not json".into())).await.unwrap();
    let f = recv(&mut v1).await;
    assert!(f["failure reason"].as_str().unwrap().contains("not JSON"), "{f}");
    send(&mut v1, json!({"action": "announce", "peer_id": "someone-else"})).await;
    assert!(recv(&mut v1).await["failure reason"]
        .as_str()
        .unwrap()
        .contains("cannot change"));
    // Same peer_id in another torrent's swarm is fine (swarms are apart).
    let (mut other2, _) = connect_async(url(&b.info_hash.to_string())).await.unwrap();
    send(&mut other2, json!({"action": "announce", "peer_id": "v2"})).await;
    assert_eq!(recv(&mut other2).await["incomplete"], 2);
    let (mut dup, _) = connect_async(url(&a_hash)).await.unwrap();
    send(&mut dup, json!({"action": "announce", "peer_id": "v1"})).await;
    assert!(recv(&mut dup).await["failure reason"]
        .as_str()
        .unwrap()
        .contains("uses that peer_id"));

    // A viewer that leaves is gone from the swarm.
    drop(v2);
    tokio::time::sleep(Duration::from_millis(200)).await;
    send(&mut v1, json!({"action": "announce", "peer_id": "v1"})).await;
    assert_eq!(recv(&mut v1).await["incomplete"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_torrents_and_the_per_client_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("a.mkv");
    std::fs::write(&path, random_bytes(100_000, 3)).unwrap();
    let mut config = Config::for_test(tmp.path().join("s"));
    config.net.max_event_streams_per_client = 2;
    let (addr, server) = spawn(config).await.unwrap();
    let a = piece_server::seed(&server.session, &path, None).await.unwrap();

    let err = connect_async(format!("ws://{addr}/api/torrents/{}/swarm", "00".repeat(20)))
        .await
        .unwrap_err();
    match err {
        tokio_tungstenite::tungstenite::Error::Http(resp) => assert_eq!(resp.status(), 404),
        e => panic!("expected a 404, got {e:?}"),
    }
    let url = format!("ws://{addr}/api/torrents/{}/swarm", a.info_hash);
    let s1 = connect_async(&url).await.unwrap();
    let s2 = connect_async(&url).await.unwrap();
    match connect_async(&url).await.unwrap_err() {
        tokio_tungstenite::tungstenite::Error::Http(resp) => assert_eq!(resp.status(), 429),
        e => panic!("expected a 429, got {e:?}"),
    }
    drop((s1, s2));
    tokio::time::sleep(Duration::from_millis(200)).await;

    // A page of an origin that --allow-origin does not list cannot join (WebSockets are not
    // guarded by CORS, so the server checks Origin itself); a listed one can.
    let mut config = Config::for_test(tmp.path().join("t"));
    config.allow_origins = vec!["https://films.example".into()];
    let (addr2, server2) = spawn(config).await.unwrap();
    let c = piece_server::seed(&server2.session, &path, None).await.unwrap();
    let with_origin = |o: &str| {
        let mut r = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            format!("ws://{addr2}/api/torrents/{}/swarm", c.info_hash),
        )
        .unwrap();
        r.headers_mut().insert("origin", o.parse().unwrap());
        r
    };
    match connect_async(with_origin("https://evil.example")).await.unwrap_err() {
        tokio_tungstenite::tungstenite::Error::Http(resp) => assert_eq!(resp.status(), 403),
        e => panic!("expected a 403, got {e:?}"),
    }
    connect_async(with_origin("https://films.example")).await.expect("a listed origin joins");
    tokio::time::sleep(Duration::from_millis(1)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    connect_async(&url).await.expect("a slot is free again");
}

/// `--ice-servers` reaches every viewer in the tracker's reply (before its first offer), and a
/// wrong value stops the server at start-up with a sentence naming the problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ice_servers_from_the_command_line_reach_the_viewers() {
    let ice = r#"[{"urls":"stun:stun.example.org:3478"},{"urls":["turn:turn.example.org"],"username":"u","credential":"p"}]"#;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("a.mkv");
    std::fs::write(&path, random_bytes(300_000, 3)).unwrap();
    let mut config = Config::for_test(tmp.path().join("s"));
    config.net.ice_servers = Some(piece_server::parse_ice_servers(ice).unwrap());
    let (addr, server) = spawn(config).await.unwrap();
    let a = piece_server::seed(&server.session, &path, None).await.unwrap();
    let (mut v1, _) = connect_async(format!("ws://{addr}/api/torrents/{}/swarm", a.info_hash)).await.unwrap();
    send(&mut v1, json!({"action": "announce", "peer_id": "v1"})).await;
    let r = recv(&mut v1).await;
    assert_eq!(r["ice_servers"], serde_json::from_str::<Value>(ice).unwrap(), "{r}");

    for (bad, says) in [
        ("stun:x", "is not JSON"),
        (r#"{"urls":"stun:x"}"#, "must be a JSON list"),
        (r#"[{"url":"stun:x"}]"#, "server 1 needs \"urls\""),
        (r#"[{"urls":"stun:x"},{"urls":["http://x"]}]"#, "server 2's URL \"http://x\" must start with stun:"),
        (r#"[{"urls":"turn:x","credential":7}]"#, "server 1's credential must be a string"),
    ] {
        let e = piece_server::parse_ice_servers(bad).unwrap_err();
        assert!(e.contains(says), "{bad}: {e}");
    }
}
