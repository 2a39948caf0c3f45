//! Per-client caps: connections, file streams and event streams counted per client address,
//! so that one client (a stuck player, a script, an attacker) cannot take every slot of the
//! server-wide limits (`--max-connections`, `--max-streams`) away from other viewers.
//!
//! A client is an IPv4 address, or an IPv6 /64 (one home or phone usually gets a whole /64, so
//! counting single IPv6 addresses would let one machine look like millions). IPv4-mapped IPv6
//! addresses (`::ffff:a.b.c.d`, what a dual-stack `[::]` listener reports for IPv4 clients) count
//! as the IPv4 address.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv6Addr},
    sync::{Arc, Mutex},
};

use axum::http::{header, HeaderValue, StatusCode};

use crate::ApiError;

/// What is counted per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Connection,
    FileStream,
    EventStream,
    SwarmSocket,
}

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    connections: usize,
    file_streams: usize,
    event_streams: usize,
    swarm_sockets: usize,
}

impl Counts {
    fn get(&mut self, kind: Kind) -> &mut usize {
        match kind {
            Kind::Connection => &mut self.connections,
            Kind::FileStream => &mut self.file_streams,
            Kind::EventStream => &mut self.event_streams,
            Kind::SwarmSocket => &mut self.swarm_sockets,
        }
    }

    fn is_zero(&self) -> bool {
        self.connections == 0
            && self.file_streams == 0
            && self.event_streams == 0
            && self.swarm_sockets == 0
    }
}

/// The per-client table; one per server. Entries disappear when a client holds nothing.
#[derive(Default)]
pub(crate) struct Clients {
    table: Mutex<HashMap<IpAddr, Counts>>,
}

/// Holds one unit of a client's [`Kind`] count until dropped.
pub(crate) struct ClientSlot {
    clients: Arc<Clients>,
    key: IpAddr,
    kind: Kind,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut table = self.clients.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = table.get_mut(&self.key) {
            let n = c.get(self.kind);
            *n = n.saturating_sub(1);
            if c.is_zero() {
                table.remove(&self.key);
            }
        }
    }
}

impl Clients {
    /// Takes one unit of `kind` for the client at `ip` if it holds fewer than `cap`.
    pub(crate) fn try_take(
        self: &Arc<Self>,
        ip: IpAddr,
        kind: Kind,
        cap: usize,
    ) -> Option<ClientSlot> {
        let key = client_key(ip);
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let counts = table.entry(key).or_default();
        let n = counts.get(kind);
        if *n >= cap {
            if counts.is_zero() {
                table.remove(&key);
            }
            return None;
        }
        *n += 1;
        Some(ClientSlot {
            clients: self.clone(),
            key,
            kind,
        })
    }

    /// Number of clients holding anything (the table must not grow forever).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.table.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// The address a client is counted under: IPv4 as is (IPv4-mapped IPv6 turned back into
/// IPv4), IPv6 cut to its /64.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

/// True for loopback addresses, IPv4-mapped ones (`::ffff:127.0.0.1`) included.
pub fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// The 429 a client gets when it holds `cap` of `what` already.
pub(crate) fn too_many(what: &str, cap: usize, flag: &str) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "this client already has {cap} {what} open, the most one client address may hold; \
             close some (other players or tabs) and retry, or raise {flag}"
        ),
    )
    .with_header(header::RETRY_AFTER, HeaderValue::from_static("1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_count_per_client_and_free_on_drop() {
        let c = Arc::new(Clients::default());
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let s1 = c.try_take(a, Kind::FileStream, 2).unwrap();
        let s2 = c.try_take(a, Kind::FileStream, 2).unwrap();
        assert!(c.try_take(a, Kind::FileStream, 2).is_none());
        // Another kind and another client are counted apart.
        let e = c.try_take(a, Kind::EventStream, 1).unwrap();
        let other = c.try_take(b, Kind::FileStream, 2).unwrap();
        drop(s1);
        assert!(c.try_take(a, Kind::FileStream, 2).is_some());
        drop((s2, e, other));
        assert_eq!(c.len(), 0, "entries of idle clients are removed");
    }

    #[test]
    fn mapped_ipv4_and_ipv6_prefixes_share_a_key() {
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert_eq!(client_key(mapped), "127.0.0.1".parse::<IpAddr>().unwrap());
        let x: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let y: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(client_key(x), client_key(y));
        assert!(is_loopback(mapped));
        assert!(is_loopback("::1".parse().unwrap()));
        assert!(!is_loopback("::ffff:192.168.1.2".parse().unwrap()));
    }
}
