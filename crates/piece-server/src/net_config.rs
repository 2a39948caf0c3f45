//! The flags about exposure to the network: connection and per-client caps, timeouts, the
//! `Host` allow-list, LAN peers in magnets, HTTPS. Flattened into [`crate::Config`] as `net`.
//! docs/API.md, "Security model", explains each.

use std::{path::PathBuf, time::Duration};

/// Default `--max-connections`: HTTP connections open at once, all clients. Far below the
/// file-descriptor limit we raise at start (`raise_fd_limit`), leaving room for torrent files
/// and peer sockets.
pub const DEFAULT_MAX_CONNECTIONS: usize = 2048;
/// Default `--max-connections-per-client`: enough for many tabs (a browser opens 6 per server
/// and page over HTTP/1.1) and for 240 stalled readers, far from `DEFAULT_MAX_CONNECTIONS`.
pub const DEFAULT_MAX_CONNECTIONS_PER_CLIENT: usize = 256;
/// Default `--max-streams-per-client`: half of the default `--max-streams`, so one address
/// can never take all file-stream slots (a player keeps 1-2 open; the server benchmark 100).
pub const DEFAULT_MAX_STREAMS_PER_CLIENT: usize = 120;
/// Default `--max-event-streams-per-client` (a page holds at most 2 per server).
pub const DEFAULT_MAX_EVENT_STREAMS_PER_CLIENT: usize = 32;
/// Default `--header-timeout-secs`: time to send a whole request head, and how long an idle
/// keep-alive connection stays open.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
/// Default `--idle-timeout-secs`: a response the client reads nothing of for this long is
/// closed. A paused `<video src>` stops reading; the browser reopens a range when it plays on.
pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = 60;
/// Most `x.pe` peer hints one magnet may carry.
pub const MAX_PEER_HINTS: usize = 32;
/// Time all of a magnet's `x.pe` host names together may take to resolve.
pub const PEER_HINTS_RESOLVE_BUDGET: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, clap::Args)]
pub struct NetConfig {
    /// HTTP connections open at once, all clients; over it new connections are closed at once.
    #[arg(long, env = "RIPTIDE_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,

    /// HTTP connections one client address (an IPv4 address or an IPv6 /64) may hold.
    #[arg(long, env = "RIPTIDE_MAX_CONNECTIONS_PER_CLIENT", default_value_t = DEFAULT_MAX_CONNECTIONS_PER_CLIENT)]
    pub max_connections_per_client: usize,

    /// File streams one client address may hold when below --max-streams; more get 429.
    #[arg(long, env = "RIPTIDE_MAX_STREAMS_PER_CLIENT", default_value_t = DEFAULT_MAX_STREAMS_PER_CLIENT)]
    pub max_streams_per_client: usize,

    /// Event streams (`/events`) one client address may hold; more get 429.
    #[arg(long, env = "RIPTIDE_MAX_EVENT_STREAMS_PER_CLIENT", default_value_t = DEFAULT_MAX_EVENT_STREAMS_PER_CLIENT)]
    pub max_event_streams_per_client: usize,

    /// Seconds a client has to send a whole request head; also how long an idle connection
    /// stays open.
    #[arg(long, env = "RIPTIDE_HEADER_TIMEOUT_SECS", default_value_t = DEFAULT_HEADER_TIMEOUT_SECS)]
    pub header_timeout_secs: u64,

    /// Seconds a response may wait for the client to read anything before it is closed (its
    /// stream slot freed). Waiting for pieces from the swarm does not count.
    #[arg(long, env = "RIPTIDE_IDLE_TIMEOUT_SECS", default_value_t = DEFAULT_IDLE_TIMEOUT_SECS)]
    pub idle_timeout_secs: u64,

    /// Extra host name this server may be reached by (the `Host` header), e.g. a LAN name
    /// `mybox.local`; repeat for several. IP addresses and `localhost` are always accepted; any
    /// other name gets 421, which stops DNS-rebinding pages.
    #[arg(
        long = "public-host",
        value_name = "NAME",
        env = "RIPTIDE_PUBLIC_HOSTS",
        value_delimiter = ','
    )]
    pub public_hosts: Vec<String>,

    /// Accept magnet `x.pe` peer hints on private and link-local addresses (192.168.x.x,
    /// 10.x, 169.254.x.x, fc00::/7, fe80::/10...). Off: a magnet from the web could otherwise
    /// make the server connect to machines on your LAN. Loopback hints are always accepted.
    #[arg(long, env = "RIPTIDE_ALLOW_LAN_PEERS")]
    pub allow_lan_peers: bool,

    /// PEM certificate chain: serve HTTPS instead of HTTP (with --tls-key).
    #[arg(
        long,
        value_name = "FILE",
        env = "RIPTIDE_TLS_CERT",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of --tls-cert.
    #[arg(
        long,
        value_name = "FILE",
        env = "RIPTIDE_TLS_KEY",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,

    /// ICE servers for the viewers' peer connections (pages that share pieces, `p2p=on`), as
    /// a JSON list of WebRTC `RTCIceServer` objects, e.g.
    /// `[{"urls":"stun:stun.example.org:3478"},{"urls":"turn:turn.example.org","username":"u","credential":"p"}]`.
    /// The swarm socket hands them to every viewer. Default: none, so viewers connect only
    /// where their host addresses reach each other (one machine, one LAN).
    #[arg(long, value_name = "JSON", env = "RIPTIDE_ICE_SERVERS", value_parser = parse_ice_servers)]
    pub ice_servers: Option<IceServers>,
}

/// `--ice-servers`: a JSON list of `RTCIceServer` objects, checked at start-up.
#[derive(Debug, Clone, PartialEq)]
pub struct IceServers(pub serde_json::Value);

/// Parses `--ice-servers`: a JSON list of objects, each with `urls` (a `stun:`, `stuns:`,
/// `turn:` or `turns:` URL, or a list of them) and, optionally, string `username` and
/// `credential`.
pub fn parse_ice_servers(s: &str) -> Result<IceServers, String> {
    let v: serde_json::Value = serde_json::from_str(s)
        .map_err(|e| format!("--ice-servers is not JSON ({e}); give a list such as [{{\"urls\":\"stun:stun.example.org\"}}]"))?;
    let list = v
        .as_array()
        .ok_or("--ice-servers must be a JSON list of objects such as {\"urls\":\"stun:stun.example.org\"}")?;
    for (k, server) in list.iter().enumerate() {
        let n = k + 1;
        let urls: Vec<Option<&str>> = match &server["urls"] {
            serde_json::Value::String(u) => vec![Some(u.as_str())],
            serde_json::Value::Array(a) if !a.is_empty() => a.iter().map(|u| u.as_str()).collect(),
            _ => return Err(format!("--ice-servers: server {n} needs \"urls\", a URL or a list of URLs")),
        };
        for u in urls {
            let u = u.ok_or(format!("--ice-servers: server {n}'s urls must be strings"))?;
            if !["stun:", "stuns:", "turn:", "turns:"].iter().any(|p| u.starts_with(p)) {
                return Err(format!(
                    "--ice-servers: server {n}'s URL {u:?} must start with stun:, stuns:, turn: or turns:"
                ));
            }
        }
        for field in ["username", "credential"] {
            if !(server[field].is_null() || server[field].is_string()) {
                return Err(format!("--ice-servers: server {n}'s {field} must be a string"));
            }
        }
    }
    Ok(IceServers(v))
}

impl Default for NetConfig {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_client: DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
            max_streams_per_client: DEFAULT_MAX_STREAMS_PER_CLIENT,
            max_event_streams_per_client: DEFAULT_MAX_EVENT_STREAMS_PER_CLIENT,
            header_timeout_secs: DEFAULT_HEADER_TIMEOUT_SECS,
            idle_timeout_secs: DEFAULT_IDLE_TIMEOUT_SECS,
            public_hosts: Vec::new(),
            allow_lan_peers: false,
            tls_cert: None,
            tls_key: None,
            ice_servers: None,
        }
    }
}

impl NetConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        for (v, flag) in [
            (self.max_connections, "--max-connections"),
            (
                self.max_connections_per_client,
                "--max-connections-per-client",
            ),
            (self.max_streams_per_client, "--max-streams-per-client"),
            (
                self.max_event_streams_per_client,
                "--max-event-streams-per-client",
            ),
            (self.header_timeout_secs as usize, "--header-timeout-secs"),
            (self.idle_timeout_secs as usize, "--idle-timeout-secs"),
        ] {
            if v == 0 {
                anyhow::bail!("{flag} must be at least 1");
            }
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            anyhow::bail!("HTTPS needs both --tls-cert and --tls-key");
        }
        crate::host::validate(&self.public_hosts)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs)
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs)
    }

    pub fn tls(&self) -> bool {
        self.tls_cert.is_some()
    }
}

/// Raises this process's open-file limit to its hard limit: every connection is a file
/// descriptor, and the usual soft limit (1024) is below `--max-connections`.
pub fn raise_fd_limit() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit only read/write the struct we pass.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
                lim.rlim_cur = lim.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            }
        }
    }
}
