//! Link previews (`src/routes/preview.rs`): a Riptide link (`/?magnet=...`) carries the film's
//! title and player for unfurlers and an oEmbed discovery link, and `/oembed` answers with the
//! `/embed` iframe, over real HTTP against a server that has the film from a loopback seeder.

use test_support::swarm as common;

use common::{add_magnet_id, random_bytes, seeder_and_server};
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// `content="…"` of the first `<meta {attr}="{name}" …>` in `html`, unescaped.
fn meta(html: &str, attr: &str, name: &str) -> Option<String> {
    let tag = &html[html.find(&format!(r#"{attr}="{name}""#))?..];
    let value = &tag[tag.find(r#"content=""#)? + 9..];
    Some(unescape(&value[..value.find('"')?]))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_film_link_previews_and_answers_oembed() {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><html><head><title>Riptide</title></head><body></body></html>").unwrap();
    let www_dir = www.clone();
    let (info, addr, _servers) =
        seeder_and_server(dir.path(), &random_bytes(300_000, 5), 64 * 1024, |_| {}, move |c| c.www_dir = Some(www_dir)).await;
    let client = Client::new();
    add_magnet_id(&client, addr, &info.magnet).await;
    let encoded = urlencoding::encode(&info.magnet).into_owned();
    let link = format!("http://{addr}/?magnet={encoded}&file=0&t=5");

    // The page behind the link: previews in its head, the page itself intact.
    let html = client.get(&link).send().await.unwrap().text().await.unwrap();
    let head = &html[..html.find("</head>").expect("the page keeps its head")];
    assert!(html.contains("<title>Riptide</title>") && html.contains("<body></body>"), "{html}");
    assert_eq!(meta(head, "property", "og:title").as_deref(), Some("film.mkv"), "{head}");
    assert_eq!(meta(head, "property", "og:url").as_deref(), Some(link.as_str()));
    let player = format!("http://{addr}/embed?magnet={encoded}&file=0&t=5");
    assert_eq!(meta(head, "name", "twitter:player").as_deref(), Some(player.as_str()));
    assert_eq!(meta(head, "property", "og:video:url").as_deref(), Some(player.as_str()));
    let at = head.find(r#"type="application/json+oembed" href=""#).expect("an oEmbed discovery link") + 37;
    let oembed_url = unescape(&head[at..at + head[at..].find('"').unwrap()]);

    // oEmbed, as a consumer follows the discovery link.
    let answer: Value = client.get(&oembed_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["version"], "1.0");
    assert_eq!(answer["type"], "video");
    assert_eq!(answer["title"], "film.mkv");
    assert_eq!((answer["width"].as_u64(), answer["height"].as_u64()), (Some(640), Some(360)));
    let iframe = answer["html"].as_str().unwrap();
    assert!(iframe.starts_with(&format!(r#"<iframe src="{}""#, player.replace('&', "&amp;"))), "{iframe}");
    assert!(iframe.contains("allowfullscreen"), "{iframe}");

    let sized = |extra: &str| {
        let url = format!("http://{addr}/oembed?url={}{extra}", urlencoding::encode(&link));
        let client = client.clone();
        async move {
            let v: Value = client.get(url).send().await.unwrap().json().await.unwrap();
            (v["width"].as_u64().unwrap(), v["height"].as_u64().unwrap())
        }
    };
    assert_eq!(sized("&maxwidth=320").await, (320, 180));
    assert_eq!(sized("&maxheight=90").await, (160, 90));
    assert_eq!(sized("&maxwidth=5000").await, (640, 360), "never larger than offered");

    let status = |url: String| {
        let client = client.clone();
        async move { client.get(url).send().await.unwrap().status() }
    };
    let encoded_link = urlencoding::encode(&link).into_owned();
    assert_eq!(status(format!("http://{addr}/oembed?url={encoded_link}&format=xml")).await, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(status(format!("http://{addr}/oembed?url=http%3A%2F%2Fx%2F%3Ffile%3D1")).await, StatusCode::NOT_FOUND);
    assert_eq!(status(format!("http://{addr}/oembed")).await, StatusCode::BAD_REQUEST);

    // A film the server does not have: named by the magnet's dn, and not added.
    let unknown = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Some%20Film";
    let html = client
        .get(format!("http://{addr}/?magnet={}", urlencoding::encode(unknown)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(meta(&html, "property", "og:title").as_deref(), Some("Some Film"));
    let known = status(format!("http://{addr}/api/torrents/0123456789abcdef0123456789abcdef01234567")).await;
    assert_eq!(known, StatusCode::NOT_FOUND, "a preview made the server add the torrent");

    // The bare page: no previews.
    let bare = client.get(format!("http://{addr}/")).send().await.unwrap().text().await.unwrap();
    assert!(!bare.contains("og:title") && !bare.contains("oembed"), "{bare}");
}
