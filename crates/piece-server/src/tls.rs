//! HTTPS (`--tls-cert` + `--tls-key`): a rustls server configuration from PEM files.
//!
//! Why: a page served over plain HTTP from a LAN address (`http://192.168.1.5:8080`) is not a
//! secure context, and browsers then hide APIs the player needs (WebCodecs, for one). We use
//! tokio-rustls under our own accept loop (`accept.rs`), which already owns each socket for
//! the caps and timeouts; axum-server would bring a second accept loop (see docs/DESIGN.md).

use std::{path::Path, sync::Arc};

use anyhow::Context;
use tokio_rustls::{
    rustls::{
        self,
        pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer},
    },
    TlsAcceptor,
};

/// Reads the certificate chain and private key (PEM) and builds the acceptor. HTTP/1.1 only
/// (ALPN), like the plain listener (`accept.rs` says why).
pub fn acceptor(cert: &Path, key: &Path) -> anyhow::Result<TlsAcceptor> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("cannot read the TLS certificate file {cert:?} (--tls-cert)"))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{cert:?} is not a PEM certificate chain (--tls-cert)"))?;
    if certs.is_empty() {
        anyhow::bail!("{cert:?} holds no PEM certificate (--tls-cert)");
    }
    let key = PrivateKeyDer::from_pem_file(key).with_context(|| {
        format!("cannot read a PEM private key (PKCS#8, PKCS#1 or SEC1) from {key:?} (--tls-key)")
    })?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("the TLS library offers no protocol version")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the TLS certificate and key do not match or are not supported")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
