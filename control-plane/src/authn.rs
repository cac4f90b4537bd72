//! The adapter from a request's axum headers to the core's authentication rules
//! ([`kuma_mzs_core::api::rest`]: [`bearer_token`](api::rest::bearer_token),
//! [`skips_token_check`](api::rest::skips_token_check),
//! [`is_direct_loopback_request`](api::rest::is_direct_loopback_request)), which kuma-local
//! applies before routing in Kuma's order (`http.rs` `authenticate`). Each header is handed over
//! as Go's `Header.Get` reads it: the first value, as bytes.

use std::net::IpAddr;

use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use kuma_mzs_core::api;

pub(crate) use api::rest::skips_token_check;

/// The first value of `name`, as bytes.
fn first<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a [u8]> {
    headers.get(name).map(HeaderValue::as_bytes)
}

/// The token of the `Authorization` header as Kuma's token authenticator reads it
/// ([`api::rest::bearer_token`]): `None` when the request stays anonymous.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&[u8]> {
    api::rest::bearer_token(first(headers, &header::AUTHORIZATION))
}

/// Kuma's `isDirectLoopbackRequest` ([`api::rest::is_direct_loopback_request`]) on a request's
/// peer (`None` when unknown), host (`r.Host`) and headers.
pub(crate) fn is_direct_loopback_request(
    peer: Option<IpAddr>,
    request_host: Option<&str>,
    headers: &HeaderMap,
) -> bool {
    let loopback_headers = api::rest::LoopbackHeaders {
        forwarded: first(headers, &header::FORWARDED),
        x_forwarded_for: first(headers, &HeaderName::from_static("x-forwarded-for")),
        x_real_ip: first(headers, &HeaderName::from_static("x-real-ip")),
        sec_fetch_site: first(headers, &HeaderName::from_static("sec-fetch-site")),
        origin: first(headers, &header::ORIGIN),
    };
    api::rest::is_direct_loopback_request(peer, request_host, &loopback_headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    const LOOPBACK: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    /// Every header the rules read reaches the core under its own name, first value first.
    #[test]
    fn each_header_reaches_the_core() {
        let direct = |pairs: &[(&'static str, &'static str)]| {
            is_direct_loopback_request(LOOPBACK, Some("localhost"), &headers(pairs))
        };
        assert!(direct(&[]));
        for proxy in ["forwarded", "x-forwarded-for", "x-real-ip"] {
            assert!(!direct(&[(proxy, "10.0.0.1")]), "{proxy}");
        }
        assert!(!direct(&[("sec-fetch-site", "cross-site")]));
        assert!(direct(&[
            ("sec-fetch-site", "none"),
            ("sec-fetch-site", "cross-site")
        ]));
        assert!(!direct(&[("origin", "http://evil.example")]));
        assert!(direct(&[("origin", "http://localhost")]));
        assert_eq!(bearer_token(&headers(&[])), None);
        assert_eq!(
            bearer_token(&headers(&[
                ("authorization", "Bearer t"),
                ("authorization", "Bearer u")
            ])),
            Some(&b"t"[..])
        );
    }
}
