//! A magnet's `x.pe` peer hints, checked before the server connects anywhere: at most
//! [`MAX_PEER_HINTS`], host names resolved within [`PEER_HINTS_RESOLVE_BUDGET`] all together,
//! and no private, link-local or other non-public address unless `--allow-lan-peers`. A
//! magnet can come from any web page; without this check it could make the server knock on
//! the viewer's router, printer or NAS (192.168.x.x, 169.254.x.x). Loopback hints stay
//! allowed: `piece-server seed` prints `x.pe=127.0.0.1:PORT`, and the server's own machine is
//! the owner's.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::{
    net_config::{NetConfig, MAX_PEER_HINTS, PEER_HINTS_RESOLVE_BUDGET},
    ApiError, ApiResult,
};

/// True for addresses a hint from the web may not point at (loopback is allowed).
pub fn is_lan_or_special(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => lan_v4(v4),
        IpAddr::V6(v6) => lan_v6(v6),
    }
}

fn lan_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || o[0] == 0 // "this network"
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10, carrier-grade NAT
        || o[0] >= 240 // reserved
}

fn lan_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    !ip.is_loopback()
        && (ip.is_unspecified()
            || ip.is_multicast()
            || (s[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
            || (s[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
            || (s[0] & 0xffc0) == 0xfec0) // fec0::/10, old site-local
}

fn refuse(hint: &str, ip: IpAddr) -> ApiError {
    ApiError::bad_request(format!(
        "magnet peer hint x.pe={hint:?} points at {ip}, a private or link-local address (a machine \
         on a local network); a magnet from the web must not make this server connect there. \
         Remove the hint, or start the server with --allow-lan-peers if you trust it"
    ))
}

/// Turns `x.pe` hints (`IP:PORT`, `[IPv6]:PORT` or `HOST:PORT`) into socket addresses.
pub async fn resolve(hints: &[String], net: &NetConfig) -> ApiResult<Vec<SocketAddr>> {
    if hints.len() > MAX_PEER_HINTS {
        return Err(ApiError::bad_request(format!(
            "the magnet has {} x.pe peer hints; at most {MAX_PEER_HINTS} are accepted",
            hints.len()
        )));
    }
    let deadline = tokio::time::Instant::now() + PEER_HINTS_RESOLVE_BUDGET;
    let mut out = Vec::new();
    for h in hints {
        let addrs: Vec<SocketAddr> = match h.parse::<SocketAddr>() {
            Ok(a) => vec![a],
            Err(_) => tokio::time::timeout_at(deadline, tokio::net::lookup_host(h.as_str()))
                .await
                .map_err(|_| {
                    ApiError::bad_request(format!(
                        "magnet peer hint x.pe={h:?}: looking up its host names took longer than \
                         {} s in total",
                        PEER_HINTS_RESOLVE_BUDGET.as_secs()
                    ))
                })?
                .map_err(|e| {
                    ApiError::bad_request(format!(
                        "magnet peer hint x.pe={h:?} is not an IP:PORT or resolvable HOST:PORT address ({e})"
                    ))
                })?
                .collect(),
        };
        if !net.allow_lan_peers {
            if let Some(a) = addrs.iter().find(|a| is_lan_or_special(a.ip())) {
                return Err(refuse(h, a.ip()));
            }
        }
        out.extend(addrs);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lan(s: &str) -> bool {
        is_lan_or_special(s.parse().unwrap())
    }

    #[test]
    fn lan_and_special_addresses() {
        for a in [
            "192.168.1.1",
            "10.0.0.5",
            "172.16.3.4",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.1.1",
            "255.255.255.255",
            "224.0.0.1",
            "fe80::1",
            "fd00::1",
            "::",
            "::ffff:192.168.0.1",
        ] {
            assert!(lan(a), "{a}");
        }
        for a in [
            "127.0.0.1",
            "::1",
            "::ffff:127.0.0.1",
            "93.184.216.34",
            "2606:2800:220:1::1",
            "172.32.0.1",
        ] {
            assert!(!lan(a), "{a}");
        }
    }

    #[tokio::test]
    async fn hints_are_capped_and_lan_refused_unless_allowed() {
        let net = NetConfig::default();
        let many: Vec<String> = (0..=MAX_PEER_HINTS)
            .map(|i| format!("127.0.0.1:{}", 1000 + i))
            .collect();
        let err = resolve(&many, &net).await.unwrap_err();
        assert!(err.message.contains("at most 32"), "{}", err.message);
        let lan = vec!["127.0.0.1:6881".to_owned(), "192.168.1.20:6881".to_owned()];
        let err = resolve(&lan, &net).await.unwrap_err();
        assert!(err.message.contains("--allow-lan-peers"), "{}", err.message);
        let ok = resolve(&["127.0.0.1:6881".to_owned()], &net).await.unwrap();
        assert_eq!(ok, vec!["127.0.0.1:6881".parse().unwrap()]);
        let allowed = NetConfig {
            allow_lan_peers: true,
            ..NetConfig::default()
        };
        assert_eq!(resolve(&lan, &allowed).await.unwrap().len(), 2);
    }
}
