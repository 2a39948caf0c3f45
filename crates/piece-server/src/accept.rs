//! The HTTP accept loop: our own instead of `axum::serve`, which sets no timer (so hyper's
//! header-read timeout never fires), caps nothing and cannot wrap the socket.
//!
//! Per connection: the server-wide `--max-connections` and the per-client
//! `--max-connections-per-client` caps (over either, the socket is closed at once), optional
//! TLS (`tls.rs`), hyper's HTTP/1.1 with `--header-timeout-secs` (a client that does not send a
//! whole request head in time, idle keep-alive connections included, is closed) and
//! [`StallTimeout`] (a response the client stops reading for `--idle-timeout-secs` is closed,
//! which drops its body and frees its stream slot). Each request gets the client address as
//! `ConnectInfo<SocketAddr>`, as `into_make_service_with_connect_info` would give it.
//!
//! HTTP/1.1 only: the stall timeout watches the socket, and an HTTP/2 stream whose client stops
//! reading stalls in flow control while the socket stays busy with other streams.

use std::{
    future::Future,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::atomic::Ordering,
    task::{Context, Poll},
    time::Duration,
};

use axum::{extract::ConnectInfo, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpListener,
    sync::watch,
    time::Sleep,
};
use tower::ServiceExt;

use crate::{limits::Kind, AppState};

/// Serves `app` on `listener` until `shutdown` completes, then asks every connection to finish
/// its current response and close (the caller bounds how long it waits).
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    state: AppState,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let config = state.config.clone();
    loop {
        let (tcp, peer) = tokio::select! {
            res = listener.accept() => match res {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors (EMFILE) or a connection reset before accept:
                    // wait a little instead of spinning, and keep serving.
                    tracing::warn!("accepting an HTTP connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = admit(&state, peer) else {
            continue; // dropping `tcp` closes it
        };
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        let tls = tls.clone();
        let mut stop = stop_rx.clone();
        let header_timeout = config.header_timeout();
        let idle_timeout = config.idle_timeout();
        tokio::spawn(async move {
            let _slot = slot;
            let io = StallTimeout::new(tcp, idle_timeout);
            match tls {
                None => serve_connection(io, peer, app, header_timeout, &mut stop).await,
                Some(acceptor) => {
                    // The handshake gets the header timeout too (a slowloris on TLS).
                    match tokio::time::timeout(header_timeout, acceptor.accept(io)).await {
                        Ok(Ok(io)) => {
                            serve_connection(io, peer, app, header_timeout, &mut stop).await
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
        });
    }
    let _ = stop_tx.send(true);
    drop(stop_rx);
    // Wait for the connections to finish; the caller's timeout bounds this.
    stop_tx.closed().await;
}

/// Counts the connection against the server-wide and the per-client caps; `None` when over.
fn admit(state: &AppState, peer: SocketAddr) -> Option<ConnectionSlot> {
    let config = &state.config;
    let open = &state.open.connections;
    if open.fetch_add(1, Ordering::AcqRel) >= config.net.max_connections {
        open.fetch_sub(1, Ordering::AcqRel);
        tracing::debug!(%peer, "refused a connection: --max-connections reached");
        return None;
    }
    let cap = config.net.max_connections_per_client;
    let Some(client) = state.clients.try_take(peer.ip(), Kind::Connection, cap) else {
        open.fetch_sub(1, Ordering::AcqRel);
        tracing::debug!(%peer, "refused a connection: --max-connections-per-client reached");
        return None;
    };
    Some(ConnectionSlot {
        state: state.clone(),
        _client: client,
    })
}

/// One open connection: holds its per-client slot and decrements the server-wide count when
/// dropped.
struct ConnectionSlot {
    state: AppState,
    _client: crate::limits::ClientSlot,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.state.open.connections.fetch_sub(1, Ordering::AcqRel);
    }
}

async fn serve_connection<I>(
    io: I,
    peer: SocketAddr,
    app: Router,
    header_timeout: Duration,
    stop: &mut watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true);
    let conn = builder
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        res = conn.as_mut() => {
            if let Err(e) = res {
                tracing::debug!(%peer, "HTTP connection ended: {e}");
            }
            return;
        }
        _ = stop.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// A socket whose writes fail with `TimedOut` once the peer has accepted no byte for `limit`
/// while we had bytes to send: a client that stopped reading a response. hyper then closes the
/// connection and drops the response body (and with it the stream slot and librqbit stream).
/// A response waiting for a piece from the swarm writes nothing and so is never timed out.
pub(crate) struct StallTimeout<T> {
    inner: T,
    limit: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> StallTimeout<T> {
    pub(crate) fn new(inner: T, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            stalled: None,
        }
    }

    /// Called when a write is pending: starts the stall clock, or fails once it ran out.
    fn check_stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let limit = self.limit;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the client read nothing for {limit:?}"),
            )),
            Poll::Pending => Poll::Pending,
        }
    }

    /// A write that moved bytes ends the stall; a pending one starts or checks it.
    fn on_write(
        &mut self,
        cx: &mut Context<'_>,
        r: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match r {
            Poll::Ready(Ok(n)) if n > 0 => {
                self.stalled = None;
                Poll::Ready(Ok(n))
            }
            Poll::Ready(r) => Poll::Ready(r),
            Poll::Pending => self.check_stall(cx).map(Err),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for StallTimeout<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for StallTimeout<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.on_write(cx, r)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.on_write(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Pending => self.check_stall(cx).map(Err),
            ready => ready,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
