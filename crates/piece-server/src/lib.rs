//! piece-server: joins a BitTorrent swarm with librqbit and serves each file's raw bytes over
//! piece-aware HTTP Range endpoints, plus the static player page.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let config = piece_server::Config::for_test("/tmp/riptide-demo");
//! let (addr, server) = piece_server::spawn(config).await?;
//! let seeded = piece_server::seed(&server.session, "movie.mkv".as_ref(), None).await?;
//! println!("http://{addr}/?magnet={}", seeded.magnet);
//! # Ok(()) }
//! ```
//!
//! HTTP API: see `docs/API.md`.

mod accept;
mod catalogue;
mod config;
mod error;
pub mod host;
pub mod limits;
mod linger;
mod lookup;
pub mod net_config;
pub mod range;
mod reconnect;
pub mod redact;
mod routes;
mod secret;
mod seed;
mod seed_restore;
mod seed_storage;
mod served;
mod storage;
pub mod tls;
mod www;

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use anyhow::Context;
use librqbit::{ListenerMode, ListenerOptions, Session, SessionOptions};
use tokio::sync::Semaphore;

pub use config::Config;
pub use net_config::{parse_ice_servers, IceServers, NetConfig};
pub use error::{ApiError, ApiResult, WithStatus};
pub use routes::router;
pub use seed::{build_torrent, make_magnet, seed, SeedInfo};
pub use www::Www;

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct AppState {
    pub session: Arc<Session>,
    pub config: Arc<Config>,
    /// The player's static files (built in, or `--www-dir`).
    pub www: Arc<Www>,
    /// librqbit's API object; we only use it for the have-bitfield.
    pub(crate) api: librqbit::Api,
    /// One permit per open file stream (`Config::max_streams`).
    pub(crate) streams: Arc<Semaphore>,
    /// Open file streams and event streams, for stats and leak checks.
    pub(crate) open: Arc<OpenCounters>,
    /// Open file streams per torrent, which `reconnect` watches.
    pub(crate) readers: Arc<reconnect::Readers>,
    /// Connections and streams per client address (`limits.rs`).
    pub(crate) clients: Arc<limits::Clients>,
    /// One have-bitfield feed per watched torrent, shared by its event streams (`routes/feed.rs`).
    pub(crate) feeds: Arc<routes::feed::Feeds>,
    /// The viewers of each torrent that share pieces over WebRTC (`routes/swarm.rs`).
    pub(crate) swarms: Arc<routes::swarm::Swarms>,
    /// Torrents this server seeds from local files (`piece-server seed`), offered on the
    /// page as one-click samples through `GET /api/samples`.
    pub samples: Arc<std::sync::RwLock<Vec<SeedInfo>>>,
    /// The per-server secret that only this server's top-level page receives, and that a
    /// browser request must carry to add or delete a torrent (`routes/consent.rs`).
    pub(crate) consent: Arc<routes::consent::Secret>,
    /// One token per torrent with open file streams, cancelled when it is deleted so that
    /// those responses end instead of waiting for pieces that will never come (`storage.rs`).
    pub(crate) removals: Arc<storage::Removals>,
    /// File body bytes sent, per torrent and in total (`served.rs`).
    pub(crate) served: Arc<served::Served>,
    /// What the search for each magnet being added has found (`lookup.rs`, `GET /api/adding`).
    pub(crate) lookups: Arc<lookup::Lookups>,
    /// File streams whose response ended, kept open for a moment (`linger.rs`).
    pub(crate) lingers: Arc<linger::Lingers>,
}

impl AppState {
    pub fn new(session: Arc<Session>, config: Config) -> Self {
        let streams = Arc::new(Semaphore::new(config.max_streams));
        Self {
            api: librqbit::Api::new(session.clone(), None, None),
            www: Arc::new(Www::from_config(config.www_dir.as_ref())),
            session,
            config: Arc::new(config),
            streams,
            open: Arc::default(),
            readers: Arc::default(),
            clients: Arc::default(),
            feeds: Arc::default(),
            swarms: Arc::default(),
            samples: Arc::default(),
            consent: Arc::new(routes::consent::Secret::generate()),
            removals: Arc::default(),
            served: Arc::default(),
            lookups: Arc::default(),
            lingers: Arc::default(),
        }
    }

    /// File streams (HTTP bodies reading torrent data) open right now, all torrents.
    pub fn open_file_streams(&self) -> usize {
        self.open.file_streams.load(Ordering::Relaxed)
    }

    /// `GET /api/torrents/{id}/events` streams open right now, all torrents.
    pub fn open_event_streams(&self) -> usize {
        self.open.event_streams.load(Ordering::Relaxed)
    }

    /// HTTP connections open right now, all clients.
    pub fn open_connections(&self) -> usize {
        self.open.connections.load(Ordering::Relaxed)
    }

    /// Have-bitfields read from librqbit for event streams since start: one per torrent per
    /// tick however many streams watch it (`routes/feed.rs`).
    pub fn bitfield_reads(&self) -> u64 {
        self.feeds.reads()
    }
}

/// Counts of long-lived responses; each is incremented by an [`OpenGuard`] that lives
/// exactly as long as the response body.
#[derive(Default)]
pub(crate) struct OpenCounters {
    pub(crate) file_streams: AtomicUsize,
    pub(crate) event_streams: AtomicUsize,
    /// HTTP connections (`accept.rs`).
    pub(crate) connections: AtomicUsize,
    /// A [`release_free_memory`] is scheduled (at most one at a time).
    trim_pending: std::sync::atomic::AtomicBool,
}

/// Increments one counter of [`OpenCounters`] now and decrements it when dropped.
pub(crate) struct OpenGuard {
    counters: Arc<OpenCounters>,
    which: fn(&OpenCounters) -> &AtomicUsize,
}

impl OpenGuard {
    pub(crate) fn new(
        counters: &Arc<OpenCounters>,
        which: fn(&OpenCounters) -> &AtomicUsize,
    ) -> Self {
        which(counters).fetch_add(1, Ordering::Relaxed);
        Self {
            counters: counters.clone(),
            which,
        }
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        let before = (self.which)(&self.counters).fetch_sub(1, Ordering::Relaxed);
        if before == 1 && std::ptr::eq((self.which)(&self.counters), &self.counters.file_streams) {
            release_free_memory(&self.counters);
        }
    }
}

/// Hands memory freed by finished responses back to the OS. Each stream's buffers (about
/// 0.5 MiB: our 64 KiB read chunk plus hyper's write queue) are allocated on whichever
/// runtime thread served it, and glibc keeps freed blocks in per-thread arenas, so without
/// this the RSS stays well above where it started after many viewers leave (figures in
/// docs/DESIGN.md, "What we do about it"; `tests/concurrency.rs` checks it). Called when the last open file stream closes; trims
/// [`TRIM_DELAY`] later if no file stream opened meanwhile (a player between two range
/// requests does not trim every time), on the blocking pool because trimming walks every arena.
fn release_free_memory(counters: &Arc<OpenCounters>) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if counters.trim_pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            counters.trim_pending.store(false, Ordering::Release);
            return;
        };
        let counters = counters.clone();
        rt.spawn(async move {
            tokio::time::sleep(TRIM_DELAY).await;
            counters.trim_pending.store(false, Ordering::Release);
            if counters.file_streams.load(Ordering::Relaxed) == 0 {
                // SAFETY: malloc_trim only releases free memory; it has no preconditions.
                let _ = tokio::task::spawn_blocking(|| unsafe { libc::malloc_trim(0) }).await;
            }
        });
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = counters;
}

/// How long after the last file stream closed [`release_free_memory`] trims.
const TRIM_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

fn absolute(p: &std::path::Path) -> anyhow::Result<PathBuf> {
    if p.is_absolute() {
        Ok(p.to_owned())
    } else {
        Ok(std::env::current_dir()
            .context("cannot read the current directory")?
            .join(p))
    }
}

/// Starts a librqbit session configured from `config`: downloads in `<data_dir>/downloads`
/// (one folder per torrent, named by its info hash: `storage.rs`), the list of torrents and
/// their verified pieces kept in `<data_dir>/session` (librqbit's JSON persistence with
/// fastresume: a restart, even after `kill -9`, resumes every torrent with every piece it had
/// verified; complete torrents without a check, unfinished ones after one check of their data,
/// see `storage::drop_unfinished_bitfields`), DHT unless `no_dht` (its routing table is never persisted), no UPnP,
/// LSD only with `lsd`, peer listener on `0.0.0.0:<peer_port>`, and `io_threads`
/// blocking-I/O permits.
pub async fn start_session(config: &Config) -> anyhow::Result<Arc<Session>> {
    config.validate()?;
    let data_dir = absolute(&config.data_dir)?;
    let downloads = data_dir.join("downloads");
    redact::register_defaults();
    redact::register(&data_dir, "<data dir>");
    if let Some(www) = &config.www_dir {
        redact::register(www, "<www dir>");
    }
    std::fs::create_dir_all(&downloads).with_context(|| {
        format!("cannot create the download directory {downloads:?}; pass a writable --data-dir")
    })?;
    let session_dir = data_dir.join(SESSION_DIR);
    let seeds = seed_restore::take_seeds(&session_dir, &downloads);
    let rechecked = storage::drop_unfinished_bitfields(&session_dir);
    if rechecked > 0 {
        tracing::info!(
            torrents = rechecked,
            "checking the data of unfinished torrents once (their saved piece lists may be \
             older than the data after a crash), so no verified piece is lost"
        );
    }
    let opts = SessionOptions {
        dht: if config.no_dht {
            None
        } else {
            Some(librqbit::DhtSessionConfig {
                bootstrap_addrs: None,
                port: None,
                persistence: None,
            })
        },
        disable_trackers: config.no_trackers,
        disable_local_service_discovery: !config.lsd,
        fastresume: true,
        persistence: Some(librqbit::SessionPersistenceConfig::Json {
            folder: Some(session_dir),
        }),
        listen: Some(ListenerOptions {
            mode: ListenerMode::TcpOnly,
            listen_addr: SocketAddr::from(([0, 0, 0, 0], config.peer_port)),
            enable_upnp_port_forwarding: false,
            ipv4_only: true,
            ..Default::default()
        }),
        runtime_worker_threads: Some(config.io_threads),
        connect: Some(librqbit::ConnectionOptions {
            peer_opts: Some(librqbit::PeerConnectionOptions {
                max_request_window: Some(config.peer_request_window),
                min_request_window: Some(config.peer_request_window_min),
                reprioritise_on_seek: Some(config.seek_reprioritise),
                critical_endgame: Some(config.seek_endgame),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ratelimits: librqbit::limits::LimitsConfig {
            upload_bps: config.upload_limit_bps,
            download_bps: config.download_limit_bps,
        },
        ..Default::default()
    };
    let session = Session::new_with_opts(downloads.clone(), opts)
        .await
        .with_context(|| {
            format!(
                "cannot start the BitTorrent session (peer port {}); is the port already in use?",
                config.peer_port
            )
        })?;
    tracing::info!(
        downloads = ?downloads,
        peer_listen = ?session.listen_addr(),
        dht = !config.no_dht,
        "BitTorrent session started"
    );
    seed_restore::restore(&session, seeds).await;
    Ok(session)
}

/// Where, under the data directory, librqbit keeps the torrent list (`session.json`), each
/// torrent's metadata (`<info hash>.torrent`) and its verified pieces (`<info hash>.bitv`).
pub const SESSION_DIR: &str = "session";

/// Binds the HTTP listener on `config.listen` (and raises the open-file limit, see
/// [`net_config::raise_fd_limit`]).
pub async fn bind(config: &Config) -> anyhow::Result<tokio::net::TcpListener> {
    net_config::raise_fd_limit();
    tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen for HTTP on {}; is another server using it? (--listen)",
                config.listen
            )
        })
}

/// How long open responses (e.g. a paused video stream) may keep the server alive after Ctrl-C.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Serves the router on an already bound listener until Ctrl-C, then gives open responses
/// [`SHUTDOWN_GRACE`] to finish.
pub async fn serve_on(listener: tokio::net::TcpListener, state: AppState) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let tls = tls_acceptor(&state.config)?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!("HTTP server listening on {scheme}://{addr}/");
    warn_if_exposed(&state.config, addr);
    tokio::spawn(reconnect::run(state.clone()));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let app = router(state.clone());
    let server = accept::serve(listener, app, state, tls, async {
        let _ = stop_rx.await;
    });
    let mut server = std::pin::pin!(server);
    tokio::select! {
        () = &mut server => return Ok(()),
        _ = tokio::signal::ctrl_c() => tracing::info!("Ctrl-C received, shutting down"),
    }
    let _ = stop_tx.send(());
    if tokio::time::timeout(SHUTDOWN_GRACE, server).await.is_err() {
        tracing::warn!("open responses did not finish within {SHUTDOWN_GRACE:?}; exiting anyway");
    }
    Ok(())
}

/// The TLS acceptor when `--tls-cert`/`--tls-key` are given.
fn tls_acceptor(config: &Config) -> anyhow::Result<Option<tokio_rustls::TlsAcceptor>> {
    match (&config.net.tls_cert, &config.net.tls_key) {
        (Some(cert), Some(key)) => Ok(Some(tls::acceptor(cert, key)?)),
        _ => Ok(None),
    }
}

/// Listening beyond loopback is deliberate (`--listen`), but say at start what it exposes.
fn warn_if_exposed(config: &Config, addr: SocketAddr) {
    if limits::is_loopback(addr.ip()) {
        return;
    }
    let adds = if config.add_token.is_some() {
        "other machines may add torrents only with the --add-token"
    } else {
        "other machines can play what this server has but cannot add torrents (no --add-token)"
    };
    let https = if config.net.tls() {
        ""
    } else {
        "; pages over plain HTTP to a LAN address are not a secure context, so browsers there \
         lack WebCodecs and other APIs (use --tls-cert/--tls-key)"
    };
    tracing::warn!(
        "listening on {addr}, reachable from other machines: {adds}{https}"
    );
    eprintln!("WARNING: piece-server listens on {addr}, reachable from other machines: {adds}{https}.");
}

/// The router as a service that records each client's address (`ConnectInfo`), which the
/// add-torrent permission check needs (`routes/cors.rs`). Serve it with `axum::serve` (which
/// has none of the caps and timeouts of [`serve_on`] / [`spawn`]).
pub fn make_service(
    state: AppState,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<axum::Router, SocketAddr> {
    router(state).into_make_service_with_connect_info::<SocketAddr>()
}

/// Starts the session and serves HTTP until Ctrl-C.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let session = start_session(&config).await?;
    let listener = bind(&config).await?;
    serve_on(listener, AppState::new(session, config)).await
}

/// A server running in the background (see [`spawn`]). Dropping it stops the HTTP server
/// and the session.
pub struct Server {
    pub addr: SocketAddr,
    pub session: Arc<Session>,
    pub state: AppState,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Stops HTTP and the BitTorrent session.
    pub async fn shutdown(self) {
        self.task.abort();
        self.session.stop().await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
        self.session.cancellation_token().cancel();
    }
}

/// Starts a session and an HTTP server in the background on `config.listen` (use port 0 for
/// a free port; [`Config::for_test`] does). Returns the bound HTTP address.
pub async fn spawn(config: Config) -> anyhow::Result<(SocketAddr, Server)> {
    let session = start_session(&config).await?;
    let listener = bind(&config).await?;
    let addr = listener.local_addr()?;
    let tls = tls_acceptor(&config)?;
    let state = AppState::new(session.clone(), config);
    let app = router(state.clone());
    let watchdog = reconnect::run(state.clone());
    let served = accept::serve(listener, app, state.clone(), tls, std::future::pending());
    let task = tokio::spawn(async move {
        // The reconnect watchdog lives exactly as long as the HTTP server.
        tokio::select! {
            () = served => {},
            () = watchdog => {}
        }
    });
    Ok((
        addr,
        Server {
            addr,
            session,
            state,
            task,
        },
    ))
}
