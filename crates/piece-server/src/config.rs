//! Server configuration. Every default is documented here, where it is defined, and
//! each field names the module that reads it.

use std::{net::SocketAddr, num::NonZeroU32, path::PathBuf, time::Duration};

/// Default HTTP listen address (read by `lib.rs::serve`/`spawn`). Loopback only: the
/// server has no authentication, so exposing it is an explicit choice (`--listen`).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory, relative to the current directory (read by `start_session`).
/// Downloads go to `<data dir>/downloads`.
pub const DEFAULT_DATA_DIR: &str = ".riptide";
/// Default BitTorrent peer listen port (read by `start_session`). 0 = the OS picks a free
/// port; the chosen port is logged and written into `seed` magnets as `x.pe`.
pub const DEFAULT_PEER_PORT: u16 = 0;
/// Default time to wait for a magnet's metadata (read by `routes/torrents.rs`).
pub const DEFAULT_METADATA_TIMEOUT_SECS: u64 = 60;
/// Default cap on concurrently open file streams (read by `routes/stream.rs`). Each open
/// librqbit stream holds one blocking-I/O permit for its whole life, and disk I/O needs the
/// same permits, so this must stay below `io_threads` - `RESERVED_IO_PERMITS`. 240 covers
/// 100+ viewers with two requests in flight each (docs/DESIGN.md, "Many readers").
pub const DEFAULT_MAX_STREAMS: usize = 240;
/// Default size of librqbit's blocking-I/O permit pool (`SessionOptions::runtime_worker_threads`,
/// read by `start_session`). It is only a semaphore, not a thread pool: the permits cost
/// nothing until used, and disk I/O never uses more at once than there are peer connections.
/// librqbit's own default is 8, which stalls downloading as soon as 8 streams are open.
pub const DEFAULT_IO_THREADS: usize = 256;
/// Default ceiling of chunk (16 KiB) requests outstanding per peer (read by `start_session`,
/// passed to our librqbit patch as `PeerConnectionOptions::max_request_window`). Each peer's
/// window adapts between `--peer-request-window-min` and this (third_party/librqbit,
/// `request_window.rs`): it doubles while the peer's rate grows with it and settles at the
/// smallest depth that keeps the rate. Transmission (3.00) sends what was asked only on its
/// 500 ms timer, so its rate is proportional to the window and the window climbs to this
/// ceiling; a rate-capped seeder's window stays near the floor, so a seek does not wait behind
/// a deep queue. docs/DESIGN.md, "Seeders of every kind" and "Seek latency".
pub const DEFAULT_PEER_REQUEST_WINDOW: usize = 500;
/// Default floor of the adaptive window (`PeerConnectionOptions::min_request_window`).
/// Set equal to `--peer-request-window` for a fixed window, librqbit 9.1's behaviour.
pub const DEFAULT_PEER_REQUEST_WINDOW_MIN: usize = 4;
/// Largest `--peer-request-window` accepted: Transmission advertises `reqq` 512 but silently
/// drops a request that would make 512 outstanding (`peer-msgs.c`, `peerMadeRequest`), and
/// librqbit then waits for that chunk until the peer times out.
pub const MAX_PEER_REQUEST_WINDOW: usize = 500;
/// Default time a file request waits for a free stream slot before 503 (read by
/// `routes/stream.rs`): long enough to ride out a burst of seeks, short enough for the player
/// to show an error.
pub const DEFAULT_STREAM_WAIT_MS: u64 = 5000;
/// How long an ended file stream stays open at its end (`linger.rs`): far longer than a
/// player's gap between two requests, short enough that a viewer who stopped holds nothing.
pub const DEFAULT_STREAM_LINGER_MS: u64 = 1000;
/// Permits always left free for disk I/O, whatever `max_streams` says.
pub const RESERVED_IO_PERMITS: usize = 16;
/// Default embedding allow-list (read by `routes/cors.rs`): `*`, any site may embed the player
/// and read the playback routes (torrent descriptions, pieces, file bytes, the widget's
/// scripts). Reading never makes the server fetch a torrent it was not already given.
pub const DEFAULT_ALLOW_ORIGINS: &str = "*";
/// Default free space the server always leaves on the downloads file system (read by
/// `storage::check_limits` when a torrent is added): 1 GiB, so a full disk never takes the rest
/// of the machine down with it.
pub const DEFAULT_MIN_FREE_SPACE: u64 = 1024 * 1024 * 1024;
/// Default largest torrent (the bytes of the files it would download) the server accepts (read
/// by `storage::check_limits`): 100 GiB, above any single film, below a whole archive.
pub const DEFAULT_MAX_TORRENT_SIZE: u64 = 100 * 1024 * 1024 * 1024;

/// Parses a byte count: plain digits, or with a binary suffix `K`, `M`, `G`, `T` (`512M`, `1G`).
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => return Err(format!("{s:?}: use bytes, or a number with K, M, G or T (e.g. 2G)")),
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("{s:?}: use bytes, or a number with K, M, G or T (e.g. 2G)"))
}

/// Everything `piece-server` needs to run. Build it with clap (`piece-server --help`) or with
/// [`Config::default`] / [`Config::for_test`] in code.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// HTTP address to listen on (port 0 picks a free port).
    #[arg(long, env = "RIPTIDE_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,

    /// Directory for downloaded data (files go to <DATA_DIR>/downloads). Relative paths are
    /// resolved against the current directory.
    #[arg(long, env = "RIPTIDE_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,

    /// Turn the BitTorrent DHT off (it is on by default). Without DHT, peers come only from
    /// trackers, magnet `x.pe` hints and --peer.
    #[arg(long, env = "RIPTIDE_NO_DHT")]
    pub no_dht: bool,

    /// Never contact trackers (magnet `tr=` / .torrent announce URLs are ignored).
    #[arg(long, env = "RIPTIDE_NO_TRACKERS")]
    pub no_trackers: bool,

    /// Enable Local Service Discovery (multicast peer discovery on the LAN). Off by default.
    #[arg(long, env = "RIPTIDE_LSD")]
    pub lsd: bool,

    /// TCP port for incoming BitTorrent peer connections (0 = any free port).
    #[arg(long, env = "RIPTIDE_PEER_PORT", default_value_t = DEFAULT_PEER_PORT)]
    pub peer_port: u16,

    /// Extra peer (IP:PORT) to try for every torrent; repeat the flag for several.
    #[arg(
        long = "peer",
        value_name = "ADDR",
        env = "RIPTIDE_PEERS",
        value_delimiter = ','
    )]
    pub peers: Vec<SocketAddr>,

    /// Serve the player's static files (index.html, and pkg/ with the generated wasm) from this
    /// directory instead of the copy built into the binary (for development).
    #[arg(long, visible_alias = "www", value_name = "DIR", env = "RIPTIDE_WWW")]
    pub www_dir: Option<PathBuf>,

    /// Seconds to wait for a magnet link's metadata before answering 504.
    #[arg(long, env = "RIPTIDE_METADATA_TIMEOUT", default_value_t = DEFAULT_METADATA_TIMEOUT_SECS)]
    pub metadata_timeout_secs: u64,

    /// Maximum number of file streams (HTTP bodies) open at once; more wait (see
    /// --stream-wait-ms), then get 503.
    #[arg(long, env = "RIPTIDE_MAX_STREAMS", default_value_t = DEFAULT_MAX_STREAMS)]
    pub max_streams: usize,

    /// Milliseconds a file request over --max-streams waits for a free slot before 503.
    #[arg(long, env = "RIPTIDE_STREAM_WAIT_MS", default_value_t = DEFAULT_STREAM_WAIT_MS)]
    pub stream_wait_ms: u64,

    /// Cap on total download speed, bytes per second (default: unlimited).
    #[arg(long, value_name = "BYTES_PER_SEC", env = "RIPTIDE_DOWNLOAD_LIMIT")]
    pub download_limit_bps: Option<NonZeroU32>,

    /// Cap on total upload (seeding) speed, bytes per second (default: unlimited).
    #[arg(long, value_name = "BYTES_PER_SEC", env = "RIPTIDE_UPLOAD_LIMIT")]
    pub upload_limit_bps: Option<NonZeroU32>,

    /// Most 16 KiB chunk requests outstanding per peer (1-500). Each peer's window adapts
    /// between --peer-request-window-min and this, following what the peer delivers.
    #[arg(long, env = "RIPTIDE_PEER_REQUEST_WINDOW", default_value_t = DEFAULT_PEER_REQUEST_WINDOW)]
    pub peer_request_window: usize,

    /// Fewest 16 KiB chunk requests outstanding per peer (1 to --peer-request-window). Set it
    /// equal to --peer-request-window for a fixed window.
    #[arg(long, env = "RIPTIDE_PEER_REQUEST_WINDOW_MIN", default_value_t = DEFAULT_PEER_REQUEST_WINDOW_MIN)]
    pub peer_request_window_min: usize,

    /// On a seek to a piece not downloaded yet, cancel the requests for pieces no reader
    /// needs and fetch the new position's first 4 MiB first; until they are here, a reader
    /// that leaves releases its pieces too and no piece is fetched in the background order
    /// (`false`: librqbit 9.1's order).
    #[arg(long, env = "RIPTIDE_SEEK_REPRIORITISE", default_value_t = true, action = clap::ArgAction::Set)]
    pub seek_reprioritise: bool,

    /// End-game for a seek's first 4 MiB (with --seek-reprioritise): a peer with nothing else
    /// of them to fetch also asks for the missing blocks of one another peer is fetching, so
    /// a slow peer does not hold up the seek; the first copy of a block is kept and the other
    /// requests are cancelled when the piece is complete (`false`: one peer per piece).
    #[arg(long, env = "RIPTIDE_SEEK_ENDGAME", default_value_t = true, action = clap::ArgAction::Set)]
    pub seek_endgame: bool,

    /// Milliseconds a file stream whose response was read to its end stays open at its end,
    /// so the pieces after it keep their priority until the player's next request (0: closed
    /// at once). Only the file's newest request lingers.
    #[arg(long, env = "RIPTIDE_STREAM_LINGER_MS", default_value_t = DEFAULT_STREAM_LINGER_MS)]
    pub stream_linger_ms: u64,

    /// Size of librqbit's blocking I/O pool. Each open stream holds one slot; must exceed
    /// --max-streams by at least 16 so disk I/O never starves.
    #[arg(long, env = "RIPTIDE_IO_THREADS", default_value_t = DEFAULT_IO_THREADS)]
    pub io_threads: usize,

    /// Origins (`scheme://host[:port]`) whose pages may embed the player and read the playback
    /// routes; `*` = any site. Repeat the flag or separate with commas. Also sets the `/embed`
    /// page's `frame-ancestors`.
    #[arg(
        long = "allow-origin",
        value_name = "ORIGIN",
        env = "RIPTIDE_ALLOW_ORIGINS",
        value_delimiter = ',',
        default_value = DEFAULT_ALLOW_ORIGINS
    )]
    pub allow_origins: Vec<String>,

    /// Origins whose pages may add new torrents when the browser runs on this machine (a
    /// loopback client). Default: none; only this server's own pages and programs that send
    /// no Origin (curl) may. Never `*`: use --add-token for remote clients.
    #[arg(
        long = "add-origin",
        value_name = "ORIGIN",
        env = "RIPTIDE_ADD_ORIGINS",
        value_delimiter = ','
    )]
    pub add_origins: Vec<String>,

    /// A secret that lets any client, from anywhere, add torrents: sent as
    /// `Authorization: Bearer <TOKEN>` (or `X-Riptide-Token: <TOKEN>`). Default: no token,
    /// only loopback clients may add.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "RIPTIDE_ADD_TOKEN",
        hide_env_values = true
    )]
    pub add_token: Option<String>,

    /// Free space to always leave on the file system of <DATA_DIR>/downloads: a new torrent that
    /// would leave less is refused (507). Bytes, or with K/M/G/T (default 1G).
    #[arg(long, value_name = "BYTES", env = "RIPTIDE_MIN_FREE_SPACE", value_parser = parse_bytes, default_value = "1G")]
    pub min_free_space: u64,

    /// Largest torrent accepted (the files it would download): a larger one is refused (413).
    /// Bytes, or with K/M/G/T (default 100G).
    #[arg(long, value_name = "BYTES", env = "RIPTIDE_MAX_TORRENT_SIZE", value_parser = parse_bytes, default_value = "100G")]
    pub max_torrent_size: u64,

    /// Download every file of each torrent. By default only the file a viewer watches (at first
    /// the largest video) is downloaded, plus every file a viewer opens later.
    #[arg(long, env = "RIPTIDE_ALL_FILES")]
    pub all_files: bool,

    /// A directory of approved `.torrent` files shared by the servers of a cluster
    /// (docs/DEPLOY.md). An add the owner allowed writes `<info hash>.torrent` there, a delete
    /// removes it, and a request for a torrent this server lacks but the catalogue holds adds
    /// it without asking again (so a load balancer may move torrents between servers).
    #[arg(long, value_name = "DIR", env = "RIPTIDE_CATALOGUE")]
    pub catalogue: Option<PathBuf>,

    /// Caps, timeouts, host names, LAN peers, HTTPS (`net_config.rs`).
    #[command(flatten)]
    pub net: crate::NetConfig,
}

impl Default for Config {
    /// The same defaults as the command line, without reading the environment.
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN
                .parse()
                .expect("DEFAULT_LISTEN is a socket address"),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            no_dht: false,
            no_trackers: false,
            lsd: false,
            peer_port: DEFAULT_PEER_PORT,
            peers: Vec::new(),
            www_dir: None,
            metadata_timeout_secs: DEFAULT_METADATA_TIMEOUT_SECS,
            max_streams: DEFAULT_MAX_STREAMS,
            stream_wait_ms: DEFAULT_STREAM_WAIT_MS,
            peer_request_window: DEFAULT_PEER_REQUEST_WINDOW,
            peer_request_window_min: DEFAULT_PEER_REQUEST_WINDOW_MIN,
            seek_reprioritise: true,
            seek_endgame: true,
            stream_linger_ms: DEFAULT_STREAM_LINGER_MS,
            io_threads: DEFAULT_IO_THREADS,
            download_limit_bps: None,
            upload_limit_bps: None,
            allow_origins: vec![DEFAULT_ALLOW_ORIGINS.to_owned()],
            add_origins: Vec::new(),
            add_token: None,
            min_free_space: DEFAULT_MIN_FREE_SPACE,
            max_torrent_size: DEFAULT_MAX_TORRENT_SIZE,
            all_files: false,
            catalogue: None,
            net: crate::NetConfig::default(),
        }
    }
}

impl Config {
    /// A hermetic configuration for tests: HTTP on 127.0.0.1 with a free port, no DHT, no
    /// trackers, no LSD, peer listener on a free port, data in `data_dir`.
    pub fn for_test(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            no_dht: true,
            no_trackers: true,
            lsd: false,
            metadata_timeout_secs: 20,
            ..Self::default()
        }
    }

    pub fn metadata_timeout(&self) -> Duration {
        Duration::from_secs(self.metadata_timeout_secs)
    }

    pub fn header_timeout(&self) -> Duration {
        self.net.header_timeout()
    }

    pub fn idle_timeout(&self) -> Duration {
        self.net.idle_timeout()
    }

    pub fn stream_linger(&self) -> Duration {
        Duration::from_millis(self.stream_linger_ms)
    }

    pub fn stream_wait(&self) -> Duration {
        Duration::from_millis(self.stream_wait_ms)
    }

    /// Checks combinations clap cannot express.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.peer_request_window == 0 {
            anyhow::bail!("--peer-request-window must be at least 1");
        }
        if self.peer_request_window > MAX_PEER_REQUEST_WINDOW {
            anyhow::bail!(
                "--peer-request-window must be at most {MAX_PEER_REQUEST_WINDOW}: some clients \
                 (Transmission) silently drop requests beyond 511 outstanding"
            );
        }
        if self.peer_request_window_min == 0 || self.peer_request_window_min > self.peer_request_window {
            anyhow::bail!(
                "--peer-request-window-min must be between 1 and --peer-request-window ({})",
                self.peer_request_window
            );
        }
        if self.max_streams == 0 {
            anyhow::bail!("--max-streams must be at least 1");
        }
        if self.io_threads < self.max_streams + RESERVED_IO_PERMITS {
            anyhow::bail!(
                "--io-threads ({}) must be at least --max-streams ({}) + {RESERVED_IO_PERMITS}: \
                 every open stream holds an I/O slot, and downloading stops when none are left",
                self.io_threads,
                self.max_streams
            );
        }
        crate::routes::cors::validate(self)?;
        self.net.validate()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn byte_counts_take_binary_suffixes() {
        assert_eq!(parse_bytes("0"), Ok(0));
        assert_eq!(parse_bytes("1500"), Ok(1500));
        assert_eq!(parse_bytes("512M"), Ok(512 << 20));
        assert_eq!(parse_bytes(" 1g "), Ok(1 << 30));
        assert_eq!(parse_bytes("100G"), Ok(super::DEFAULT_MAX_TORRENT_SIZE));
        assert!(parse_bytes("1.5G").is_err());
        assert!(parse_bytes("12X").is_err());
        assert!(parse_bytes("").is_err());
        assert!(parse_bytes("99999999999T").is_err(), "overflow");
    }

    #[test]
    fn request_window_stays_below_what_transmission_keeps() {
        let mut c = super::Config::for_test("/tmp/riptide-unused");
        c.peer_request_window = super::MAX_PEER_REQUEST_WINDOW;
        assert!(c.validate().is_ok());
        c.peer_request_window = 512;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("--peer-request-window must be at most 500"), "{e}");
    }

    #[test]
    fn request_window_floor_is_below_its_ceiling() {
        let mut c = super::Config::for_test("/tmp/riptide-unused");
        c.peer_request_window = 64;
        c.peer_request_window_min = 64;
        assert!(c.validate().is_ok());
        c.peer_request_window_min = 65;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("--peer-request-window-min must be between 1 and"), "{e}");
        c.peer_request_window_min = 0;
        assert!(c.validate().is_err());
    }
}
