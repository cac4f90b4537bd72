//! Kuma's API-server authentication rules that a server applies before routing: how the token
//! authenticator reads a `Bearer` token ([`bearer_token`]), which request targets it skips
//! ([`skips_token_check`]), and the `localhostIsAdmin` rule of `LocalhostAuthenticator`
//! ([`is_direct_loopback_request`]). Sans-IO: the inputs are the request's values as Go's
//! `net/http` hands them to Kuma (the peer address, `r.Host`, `r.RequestURI`, the first value of
//! each header as `Header.Get` reads it, as bytes).
//!
//! Kuma's container filters run in this order for every request, before go-restful's router
//! answers a path or method it has no route for (go-restful `container.go` `dispatch` runs the
//! container filters even when route selection failed; v2.14.3 `pkg/api-server/server.go`
//! lines 124-127 register them):
//!
//! 1. `LocalhostAuthenticator` (only with `apiServer.authn.localhostIsAdmin`): a *direct*
//!    loopback request ([`is_direct_loopback_request`]) is the admin, whatever token it carries
//!    (v2.14.3 `pkg/api-server/authn/localhost.go` lines 18-52).
//! 2. The token authenticator: a request still anonymous whose `Authorization` header starts
//!    with `Bearer ` has that token validated, and an invalid one is a 401 at once; any other
//!    header (none, empty, `Basic ...`, `bearer ...`) leaves the request anonymous
//!    (v2.14.3 `pkg/plugins/authn/api-server/tokens/authenticator.go` lines 19-39). It is
//!    skipped (`authn/skip.go` lines 20-31) for a route go-restful selected with `auth: skip`
//!    metadata, which only `GET /` has (v2.14.3 `pkg/api-server/index_endpoints.go` line 22),
//!    and for any request whose `RequestURI` (the request target as sent) starts with `/gui`
//!    ([`skips_token_check`]); a request go-restful has no route for (404, 405, 415, 406) has no
//!    selected route, so a bad token is a 401 there too, on `/` as well.
//!
//! Neither filter guards Kuma's KDS server (a gRPC server of its own that takes zone tokens), so
//! a server's KDS calls never apply the loopback rule.

use std::net::IpAddr;

/// Kuma's `bearerPrefix`: matched case-sensitively, the rest of the header is the token as sent.
const BEARER_PREFIX: &[u8] = b"Bearer ";

/// The token of an `Authorization` header (its first value, as Go's `Header.Get` reads it; `None`
/// when there is none) as Kuma's token authenticator reads it: `None` when the request stays
/// anonymous (no header, an empty one, or one not starting with `Bearer `).
pub fn bearer_token(authorization: Option<&[u8]>) -> Option<&[u8]> {
    authorization?.strip_prefix(BEARER_PREFIX)
}

/// Kuma's `UnauthorizedPathPrefixes` (v2.14.3 `pkg/api-server/authn/skip.go` lines 16-18, 26-30):
/// a request target (Go's `r.RequestURI`, as sent: not decoded, an absolute-form target keeps its
/// scheme) starting with `/gui` skips the token check, so a wrong token there is not refused.
/// Kuma serves its GUI under `/gui/` outside go-restful; a server without one answers such a
/// request with the router's answer (`404: Page Not Found`), as Kuma's router answers `/guide`.
pub fn skips_token_check(request_uri: &str) -> bool {
    request_uri.starts_with("/gui")
}

/// The request headers [`is_direct_loopback_request`] reads: the first value of each (Go's
/// `Header.Get`), as bytes, `None` when the header is absent (which Go reads as empty).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoopbackHeaders<'a> {
    /// `Forwarded`.
    pub forwarded: Option<&'a [u8]>,
    /// `X-Forwarded-For`.
    pub x_forwarded_for: Option<&'a [u8]>,
    /// `X-Real-IP`.
    pub x_real_ip: Option<&'a [u8]>,
    /// `Sec-Fetch-Site`.
    pub sec_fetch_site: Option<&'a [u8]>,
    /// `Origin`.
    pub origin: Option<&'a [u8]>,
}

/// Kuma's `isDirectLoopbackRequest`: the peer is a loopback address, no proxy header
/// (`Forwarded`, `X-Forwarded-For`, `X-Real-IP`) is set, the request's host (`r.Host`: the
/// request target's authority, else the `Host` header) is `localhost` or a loopback address,
/// `Sec-Fetch-Site` is absent, `same-origin` or `none`, and an `Origin`, if sent, is the same
/// loopback origin as the host (an `Origin` that is not UTF-8 text names no loopback origin).
/// `peer` is `None` when the connection's address is unknown, `request_host` when the request
/// has no host.
pub fn is_direct_loopback_request(
    peer: Option<IpAddr>,
    request_host: Option<&str>,
    headers: &LoopbackHeaders<'_>,
) -> bool {
    let Some(peer) = peer else {
        return false;
    };
    // Go's `IP.IsLoopback` sees an IPv4-mapped IPv6 address as the IPv4 one.
    if !peer.to_canonical().is_loopback() {
        return false;
    }
    let set = |value: Option<&[u8]>| value.is_some_and(|v| !v.is_empty());
    if set(headers.forwarded) || set(headers.x_forwarded_for) || set(headers.x_real_ip) {
        return false;
    }
    let host = request_host.unwrap_or("");
    if !is_loopback_request_host(host) {
        return false;
    }
    match headers.sec_fetch_site.unwrap_or_default() {
        b"" | b"same-origin" | b"none" => {}
        _ => return false,
    }
    match std::str::from_utf8(headers.origin.unwrap_or_default()) {
        Ok(origin) => is_same_origin_loopback(origin, host),
        Err(_) => false,
    }
}

/// Kuma's `isLoopbackHost`: `localhost` or a loopback IP, case and one trailing dot ignored,
/// brackets around an IPv6 address allowed.
fn is_loopback_host(host: &str) -> bool {
    let lower = host.to_ascii_lowercase();
    let host = lower.strip_suffix('.').unwrap_or(&lower);
    if host == "localhost" {
        return true;
    }
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    parse_ip(host).is_some_and(|ip| ip.to_canonical().is_loopback())
}

fn is_loopback_request_host(hostport: &str) -> bool {
    parse_authority("http", hostport).is_some_and(|(host, _)| is_loopback_host(&host))
}

fn is_same_origin_loopback(origin: &str, request_host: &str) -> bool {
    if origin.is_empty() {
        return true;
    }
    let Some(url) = GoUrl::parse(origin) else {
        return false;
    };
    if url.host.is_empty() || (url.scheme != "http" && url.scheme != "https") {
        return false;
    }
    if !is_loopback_host(&url.hostname()) {
        return false;
    }
    // `parseOrigin`: nothing but scheme and authority.
    if url.has_more || url.host.ends_with(':') {
        return false;
    }
    let Some(origin) = url.authority() else {
        return false;
    };
    let Some(request) = parse_authority(&url.scheme, request_host) else {
        return false;
    };
    origin == request
}

/// Kuma's `parseAuthority`: the canonical host and the port (the scheme's default when none)
/// of `hostport` read as Go reads `scheme://hostport`; `None` when that is no bare authority.
fn parse_authority(scheme: &str, hostport: &str) -> Option<(String, String)> {
    if hostport.ends_with(':') {
        return None;
    }
    let url = GoUrl::parse(&format!("{scheme}://{hostport}"))?;
    if url.has_more || url.host.is_empty() {
        return None;
    }
    url.authority()
}

/// What Kuma reads of a `net/url.URL` parsed by Go's `url.Parse`.
struct GoUrl {
    /// Lower-cased, as Go stores it.
    scheme: String,
    /// `u.Host` (port included).
    host: String,
    /// Whether `u.User`, `u.Path`, `u.RawQuery` or `u.Fragment` is set (Kuma refuses an
    /// authority with any of them).
    has_more: bool,
}

impl GoUrl {
    /// Go's `url.Parse`, as far as an authority is concerned; `None` where it fails.
    fn parse(raw: &str) -> Option<GoUrl> {
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return None;
        }
        let (rest, fragment) = raw.split_once('#').unwrap_or((raw, ""));
        let (scheme, rest) = split_scheme(rest)?;
        let (rest, query) = if rest.ends_with('?') && rest.matches('?').count() == 1 {
            (&rest[..rest.len() - 1], "")
        } else {
            rest.split_once('?').unwrap_or((rest, ""))
        };
        let authority = rest.strip_prefix("//")?;
        let (authority, path) = match authority.find('/') {
            Some(i) => authority.split_at(i),
            None => (authority, ""),
        };
        let user = authority.contains('@');
        let host = parse_host(authority)?;
        Some(GoUrl {
            scheme: scheme.to_ascii_lowercase(),
            host: host.to_owned(),
            has_more: user || !path.is_empty() || !query.is_empty() || !fragment.is_empty(),
        })
    }

    /// `u.Hostname()`: the host without its port, brackets removed.
    fn hostname(&self) -> String {
        let (host, _) = split_host_port(&self.host);
        host.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .to_owned()
    }

    /// Kuma's `parseURLAuthority`: canonical host and port (the scheme's default when none).
    fn authority(&self) -> Option<(String, String)> {
        let (_, port) = split_host_port(&self.host);
        let port = match port {
            "" => match self.scheme.as_str() {
                "http" => "80",
                "https" => "443",
                _ => "",
            },
            port => port,
        };
        // Go's `strconv.Atoi` then `0 < n <= 65535`; `validOptionalPort` allowed digits only.
        if !port.parse::<u64>().is_ok_and(|n| (1..=65535).contains(&n)) {
            return None;
        }
        let host = canonical_host(&self.hostname());
        (!host.is_empty()).then(|| (host, port.to_owned()))
    }
}

/// Go's `getScheme`: the scheme and what follows its `:`; `None` for no scheme or a bad one.
fn split_scheme(raw: &str) -> Option<(&str, &str)> {
    for (i, c) in raw.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i > 0 => return Some((&raw[..i], &raw[i + 1..])),
            _ => return None,
        }
    }
    None
}

/// Go's `parseHost`: the port after the last `:` (after `]` for a bracketed IPv6 address) must be
/// digits. A `%` escape in a host never names a loopback host (Go allows only `%25` and non-ASCII
/// bytes there), so such a host is refused outright.
fn parse_host(host: &str) -> Option<&str> {
    if host.contains('%') {
        return None;
    }
    if host.starts_with('[') {
        let end = host.rfind(']')?;
        if !valid_optional_port(&host[end + 1..]) {
            return None;
        }
        // Go only takes an IP address between the brackets.
        parse_ip(&host[1..end]).filter(IpAddr::is_ipv6)?;
    } else if let Some(i) = host.rfind(':') {
        if !valid_optional_port(&host[i..]) {
            return None;
        }
    }
    Some(host)
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
        None => port.is_empty(),
    }
}

/// Go's `splitHostPort` (net/url): split at the last `:` when what follows is a port.
fn split_host_port(host: &str) -> (&str, &str) {
    match host.rfind(':') {
        Some(i) if valid_optional_port(&host[i..]) => (&host[..i], &host[i + 1..]),
        _ => (host, ""),
    }
}

/// Kuma's `canonicalHost`: lower case, one trailing dot dropped, an IP address in Go's form.
fn canonical_host(host: &str) -> String {
    let lower = host.to_ascii_lowercase();
    let host = lower.strip_suffix('.').unwrap_or(&lower);
    match parse_ip(host) {
        Some(ip) => ip.to_canonical().to_string(),
        None => host.to_owned(),
    }
}

/// Go's `net.ParseIP`: dotted decimal IPv4 or IPv6 text, no zone.
fn parse_ip(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The headers of `pairs` (lower-case names) as a server hands them over: the first value of
    /// each.
    fn headers<'a>(pairs: &[(&str, &'a str)]) -> LoopbackHeaders<'a> {
        let first = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_bytes())
        };
        LoopbackHeaders {
            forwarded: first("forwarded"),
            x_forwarded_for: first("x-forwarded-for"),
            x_real_ip: first("x-real-ip"),
            sec_fetch_site: first("sec-fetch-site"),
            origin: first("origin"),
        }
    }

    /// The first `Authorization` value of `pairs`.
    fn authorization<'a>(pairs: &[(&str, &'a str)]) -> Option<&'a [u8]> {
        pairs
            .iter()
            .find(|(n, _)| *n == "authorization")
            .map(|(_, v)| v.as_bytes())
    }

    const LOOPBACK: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn direct_loopback_requests_as_kuma_tells_them() {
        let direct = |peer, host: &str, pairs: &[(&'static str, &'static str)]| {
            is_direct_loopback_request(peer, Some(host), &headers(pairs))
        };
        // Kuma's localhost_test.go cases, and the forms Go's url parsing allows.
        assert!(direct(LOOPBACK, "127.0.0.1:5681", &[]));
        assert!(direct(LOOPBACK, "localhost:5681", &[]));
        assert!(direct(LOOPBACK, "LOCALHOST.:5681", &[]));
        assert!(direct(LOOPBACK, "[::1]:5681", &[]));
        assert!(direct(LOOPBACK, "127.0.0.2", &[]));
        assert!(direct("::ffff:127.0.0.1".parse().ok(), "localhost", &[]));
        assert!(direct("::1".parse().ok(), "localhost", &[]));
        assert!(!direct(None, "localhost", &[]));
        assert!(!direct("10.0.0.1".parse().ok(), "localhost", &[]));
        // A Host that is not loopback (a DNS-rebinding page) or not a bare authority.
        assert!(!direct(LOOPBACK, "evil.example:5681", &[]));
        assert!(!direct(LOOPBACK, "", &[]));
        assert!(!direct(LOOPBACK, "localhost:", &[]));
        assert!(!direct(LOOPBACK, "localhost:0", &[]));
        assert!(!direct(LOOPBACK, "localhost:99999", &[]));
        assert!(!direct(LOOPBACK, "localhost:x", &[]));
        assert!(!direct(LOOPBACK, "user@localhost", &[]));
        assert!(!direct(LOOPBACK, "localhost/x", &[]));
        assert!(!direct(LOOPBACK, "::1", &[]));
        // Proxies.
        for proxy in ["forwarded", "x-forwarded-for", "x-real-ip"] {
            assert!(
                !direct(LOOPBACK, "localhost", &[(proxy, "10.0.0.1")]),
                "{proxy}"
            );
        }
        assert!(direct(LOOPBACK, "localhost", &[("x-real-ip", "")]));
        // Browsers.
        for site in ["same-origin", "none"] {
            assert!(direct(LOOPBACK, "localhost", &[("sec-fetch-site", site)]));
        }
        for site in ["cross-site", "same-site", "Same-Origin"] {
            assert!(!direct(LOOPBACK, "localhost", &[("sec-fetch-site", site)]));
        }
        let origin =
            |host: &str, origin: &'static str| direct(LOOPBACK, host, &[("origin", origin)]);
        assert!(origin("localhost:5681", "http://localhost:5681"));
        assert!(origin("localhost:5681", "HTTP://LocalHost:5681"));
        assert!(origin("localhost", "http://localhost:80"));
        assert!(origin("localhost", "https://localhost"));
        assert!(origin("127.0.0.1:5681", "http://127.0.0.1:5681#"));
        assert!(!origin("localhost:5681", "http://localhost:5682"));
        assert!(!origin("localhost:5681", "http://127.0.0.1:5681"));
        assert!(!origin("localhost:5681", "http://localhost:05681"));
        assert!(!origin("localhost:5681", "http://localhost:5681/"));
        assert!(!origin("localhost:5681", "http://evil.example"));
        assert!(!origin("localhost:5681", "null"));
        assert!(!origin("localhost:5681", "file://localhost:5681"));
    }

    #[test]
    fn only_request_targets_starting_with_gui_skip_the_token_check() {
        for target in [
            "/gui",
            "/gui/",
            "/gui/meshes",
            "/guide",
            "/gui%2F",
            "/gui?x=1",
        ] {
            assert!(skips_token_check(target), "{target}");
        }
        // The target as sent: an escape or an absolute form is not `/gui`.
        for target in [
            "/",
            "/meshes",
            "/%67ui",
            "//gui",
            "http://localhost/gui",
            "/GUI",
        ] {
            assert!(!skips_token_check(target), "{target}");
        }
    }

    #[test]
    fn bearer_tokens_are_read_as_kumas_authenticator_reads_them() {
        assert_eq!(bearer_token(authorization(&[])), None);
        assert_eq!(
            bearer_token(authorization(&[("authorization", "Bearer t")])),
            Some(&b"t"[..])
        );
        assert_eq!(
            bearer_token(authorization(&[("authorization", "Bearer  t")])),
            Some(&b" t"[..])
        );
        assert_eq!(
            bearer_token(authorization(&[("authorization", "bearer t")])),
            None
        );
        assert_eq!(
            bearer_token(authorization(&[("authorization", "Basic dA==")])),
            None
        );
        assert_eq!(bearer_token(authorization(&[("authorization", "")])), None);
    }

    #[test]
    fn header_values_are_bytes_as_go_reads_them() {
        let raw = |headers: LoopbackHeaders<'_>| {
            is_direct_loopback_request(LOOPBACK, Some("localhost"), &headers)
        };
        // Any bytes in a proxy header set it; an `Origin` that is not text is no loopback origin.
        assert!(!raw(LoopbackHeaders {
            x_real_ip: Some(b"\xff"),
            ..LoopbackHeaders::default()
        }));
        assert!(!raw(LoopbackHeaders {
            origin: Some(b"http://localhost\xff"),
            ..LoopbackHeaders::default()
        }));
        assert!(!raw(LoopbackHeaders {
            sec_fetch_site: Some(b"none\xff"),
            ..LoopbackHeaders::default()
        }));
        assert!(raw(LoopbackHeaders {
            origin: Some(b""),
            ..LoopbackHeaders::default()
        }));
    }
}
