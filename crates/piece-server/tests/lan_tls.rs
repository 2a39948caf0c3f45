//! Reaching the server from other devices (issue 18): listening beyond loopback prints a
//! clear warning at start, and `--tls-cert`/`--tls-key` serve HTTPS, checked with a
//! self-signed certificate made here by the openssl CLI and a real HTTPS client (rustls) that
//! trusts only that certificate. Both against the built binary.

use test_support::swarm as common;

use std::{path::Path, process::Stdio, time::Duration};

use common::random_bytes;
use reqwest::{header, Certificate, Client, StatusCode};
use tokio::io::{AsyncBufReadExt, BufReader};

/// The binary with hermetic flags, after `first` (a subcommand and its file, if any).
fn server_cmd(tmp: &Path, first: &[&std::ffi::OsStr]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_piece-server"));
    cmd.args(first)
        .args(["--no-dht", "--no-trackers", "--peer-port", "0"])
        .arg("--data-dir")
        .arg(tmp.join("data"))
        .arg("--www-dir")
        .arg(tmp)
        .env_remove("RUST_LOG")
        .kill_on_drop(true);
    cmd
}

#[tokio::test]
async fn listening_beyond_loopback_warns_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = server_cmd(tmp.path(), &[])
        .args(["--listen", "0.0.0.0:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let warning = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.starts_with("WARNING:") {
                return line;
            }
        }
        panic!("the server exited without a warning");
    })
    .await
    .expect("no warning within 30 s");
    assert!(
        warning.contains("reachable from other machines"),
        "{warning}"
    );
    assert!(warning.contains("cannot add torrents"), "{warning}");
    assert!(warning.contains("--tls-cert"), "{warning}");

    // On loopback: no warning (the server is up once it prints its address).
    let mut child = server_cmd(tmp.path(), &[])
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            assert!(!line.starts_with("WARNING:"), "{line}");
            if line.contains("listening on") {
                return;
            }
        }
        panic!("the server exited");
    })
    .await
    .expect("the server did not start");
}

/// A self-signed certificate for localhost and 127.0.0.1, made by the openssl CLI.
fn make_cert(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        // A server certificate, not a CA (rustls refuses a CA certificate as the server's).
        .args([
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "extendedKeyUsage=serverAuth",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("the openssl CLI is needed to make a test certificate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

#[tokio::test]
async fn https_serves_the_api_and_file_bytes() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let tmp = tempfile::tempdir().unwrap();
        let (cert, key) = make_cert(tmp.path());
        let data = random_bytes(500_000, 21);
        let file = tmp.path().join("film.mkv");
        std::fs::write(&file, &data).unwrap();
        let mut child = server_cmd(tmp.path(), &["seed".as_ref(), file.as_os_str()])
            .args(["--listen", "127.0.0.1:0"])
            .arg("--tls-cert")
            .arg(&cert)
            .arg("--tls-key")
            .arg(&key)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let magnet = lines.next_line().await.unwrap().expect("a magnet line");
        let url = lines.next_line().await.unwrap().expect("a URL line");
        let base = url.split_once("/?magnet=").unwrap().0.to_owned();
        assert!(base.starts_with("https://127.0.0.1:"), "{url}");
        let id = &magnet["magnet:?xt=urn:btih:".len()..][..40];

        let pem = std::fs::read(&cert).unwrap();
        let client = Client::builder()
            .tls_certs_only([Certificate::from_pem(&pem).unwrap()])
            .build()
            .unwrap();
        let r = client
            .get(format!("{base}/api/torrents/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = client
            .get(format!("{base}/api/torrents/{id}/files/0"))
            .header(header::RANGE, "bytes=1000-")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert!(r.bytes().await.unwrap()[..] == data[1000..]);
        // By name too (the certificate names localhost).
        let port = base.rsplit_once(':').unwrap().1;
        let r = client
            .get(format!("https://localhost:{port}/api/status"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // Plain HTTP on the HTTPS port gets no answer.
        let plain = Client::new()
            .get(format!("http://127.0.0.1:{port}/api/status"))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        assert!(plain.is_err() || !plain.unwrap().status().is_success());
        // A client that does not trust the certificate is refused.
        let untrusting = Client::builder().tls_certs_only([]).build().unwrap();
        assert!(untrusting
            .get(format!("{base}/api/status"))
            .send()
            .await
            .is_err());
    })
    .await
    .expect("test timed out");
}
