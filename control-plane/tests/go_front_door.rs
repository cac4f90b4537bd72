//! What Kuma's Go stack does with a request before and around its routes, as a user sees it:
//! percent-encoded paths (Go's server decodes the path, go-restful routes on the decoded one),
//! `Host` headers Go's server refuses, the order of authentication and routing (and what skips
//! it), and `GET /config` written as Kuma writes it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{mzs, Client, Cluster};
use kuma_local::server::{Config, Topology};

const MZS: &str = "/meshes/default/meshmultizoneservices";

fn global() -> Cluster {
    Cluster::start(Config {
        topology: Topology::Global,
        port: 0,
        admin_token: Some("tok".to_owned()),
        ..Config::default()
    })
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// One request written byte for byte on a fresh connection; the whole answer, read until the
/// server closes the connection (`Connection: close` is sent, so it does).
fn raw_http(base: &str, request_target: &str, extra_headers: &str) -> String {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {request_target} HTTP/1.1\r\nHost: {address}\r\n{extra_headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn percent_encoded_paths_are_routed_decoded_as_go_restful_routes_them() {
    let cluster = global();
    let g = cluster.global();
    assert_eq!(
        g.put(
            &format!("{MZS}/redis"),
            &mzs("redis", &[("app", "redis")], &[6379])
        )
        .0,
        201
    );
    // An escaped letter, in the name or in the type, is that letter.
    for path in [
        format!("{MZS}/re%64is"),
        "/meshes/default/meshmultizoneservice%73/redis".to_owned(),
        "/meshes/%64efault/meshmultizoneservices/redis".to_owned(),
        // A decoded `/` at the end is trimmed like any trailing slash.
        format!("{MZS}/redis%2F"),
    ] {
        let (status, body) = g.get(&path);
        assert_eq!(
            (status, &body["name"]),
            (200, &serde_json::json!("redis")),
            "{path}"
        );
    }
    // A decoded `/` inside a name separates tokens: no route has that path (go-restful's 404,
    // whatever the method), or another route has it.
    let plain = "text/plain; charset=utf-8";
    for method in ["GET", "PUT", "DELETE"] {
        let (status, headers, text) = g.raw(method, &format!("{MZS}/re%2Fdis"), None, &[]);
        assert_eq!(
            (status, text.as_str(), header(&headers, "content-type")),
            (404, "404: Page Not Found", Some(plain)),
            "{method}"
        );
    }
    let (status, hostnames) = g.get(&format!("{MZS}/redis%2F_hostnames"));
    assert_eq!(status, 200, "{hostnames}");
    assert!(hostnames["items"].is_array(), "{hostnames}");
    // A name no resource has, whatever its bytes: Kuma's handler's 404.
    for name in ["re%3Fdis", "re%25dis", "re%ffdis", "re%C3%A9dis"] {
        let (status, body) = g.get(&format!("{MZS}/{name}"));
        assert_eq!(
            (status, &body["title"]),
            (404, &serde_json::json!("Could not retrieve a resource")),
            "{name}"
        );
    }
    // A name with a `?` reaches validation as that name, not as a query.
    let (status, body) = g.put(&format!("{MZS}/a%3Fb"), &mzs("a?b", &[("app", "x")], &[80]));
    assert_eq!(status, 400, "{body}");
}

#[test]
fn a_malformed_escape_is_gos_400_before_anything_else() {
    let cluster = global();
    let base = cluster.info().global.clone().unwrap();
    // Go's server cannot parse the request target: a plain-text 400 and the connection closed,
    // before authentication and routing (a bad token changes nothing).
    for target in [
        format!("{MZS}/re%zzdis"),
        format!("{MZS}/redis%"),
        "/meshes/%4".to_owned(),
        "/%zz".to_owned(),
    ] {
        for auth in [
            "",
            "Authorization: Bearer stale\r\n",
            "Authorization: Bearer tok\r\n",
        ] {
            let answer = raw_http(&base, &target, auth);
            let (head, body) = answer.split_once("\r\n\r\n").unwrap();
            assert!(
                head.starts_with("HTTP/1.1 400 Bad Request\r\n"),
                "{target}: {answer}"
            );
            let head = head.to_ascii_lowercase();
            assert!(
                head.contains("\r\ncontent-type: text/plain; charset=utf-8"),
                "{answer}"
            );
            assert!(head.contains("\r\nconnection: close"), "{answer}");
            assert_eq!(body, "400 Bad Request", "{target}");
        }
    }
    // The server is still there.
    assert_eq!(cluster.global().get("/meshes/default").0, 200);
}

#[test]
fn config_is_compact_json_in_kumas_field_order() {
    let cluster = Cluster::federation(&["east"]);
    let global_url = cluster.info().global.clone().unwrap();
    let (status, headers, text) = cluster.global().raw("GET", "/config", None, &[]);
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    assert_eq!(
        text,
        concat!(
            r#"{"environment":"universal","mode":"global","apiServer":{"authn":{"localhostIsAdmin":false}},"#,
            r#""multizone":{"global":{},"zone":{}},"#,
            r#""ipam":{"meshService":{"cidr":"241.0.0.0/8"},"meshMultiZoneService":{"cidr":"243.0.0.0/8"}}}"#
        )
    );
    let (status, _, text) = cluster.zone("east").raw("GET", "/config", None, &[]);
    assert_eq!(status, 200);
    assert_eq!(
        text,
        format!(
            concat!(
                r#"{{"environment":"universal","mode":"zone","apiServer":{{"authn":{{"localhostIsAdmin":false}}}},"#,
                r#""multizone":{{"global":{{}},"zone":{{"name":"east","globalAddress":"{}"}}}},"#,
                r#""ipam":{{"meshService":{{"cidr":"241.0.0.0/8"}},"meshMultiZoneService":{{"cidr":"243.0.0.0/8"}}}}}}"#
            ),
            global_url
        )
    );
}

#[test]
fn a_bad_token_is_refused_before_routing_and_a_missing_one_after() {
    let cluster = global();
    let g = cluster.global();
    let stale = Client::new(&g.base, "stale");
    // Kuma's token filter runs before go-restful's router answers: 401 on `/` too, any method.
    for (method, path) in [
        ("POST", "/"),
        ("PUT", "/"),
        ("DELETE", "/"),
        ("POST", "/ready"),
        ("GET", "/zones"),
        ("PUT", "/meshes"),
        ("POST", &*format!("{MZS}/redis")),
    ] {
        let (status, headers, text) = stale.raw(method, path, None, &[]);
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (status, &body["title"], header(&headers, "allow")),
            (401, &serde_json::json!("Invalid authentication data"), None),
            "{method} {path}"
        );
    }
    // `GET /` skips authentication (Kuma's `auth: skip` route metadata) once it is selected,
    // media type included: an `Accept` it cannot serve leaves no route to skip with.
    assert_eq!(stale.raw("GET", "/", None, &[]).0, 200);
    assert_eq!(
        stale.raw("GET", "/", None, &[("Accept", "text/html")]).0,
        401
    );
    let (status, _, text) = g
        .anonymous()
        .raw("GET", "/", None, &[("Accept", "text/html")]);
    assert_eq!(status, 406, "{text}");
    // Without a token the router answers first; on a route that exists kuma-local refuses it.
    let (status, headers, text) = g.anonymous().raw("POST", "/", None, &[]);
    assert_eq!(
        (status, text.as_str(), header(&headers, "allow")),
        (405, "405: Method Not Allowed", Some("GET"))
    );
    assert_eq!(g.anonymous().raw("GET", "/meshes", None, &[]).0, 401);
    // A header that is not `Bearer <token>` is no token at all, as in Kuma.
    let basic = [("Authorization", "Basic dG9rOg==")];
    assert_eq!(g.anonymous().raw("GET", "/zones", None, &basic).0, 404);
    assert_eq!(g.anonymous().raw("GET", "/meshes", None, &basic).0, 401);
}

/// `request` written byte for byte on a fresh connection; everything the server sends until it
/// closes the connection (the request does not ask it to).
fn raw_exchange(base: &str, request: &[u8]) -> String {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    // A timeout here means the server kept the connection open.
    stream.read_to_end(&mut answer).unwrap();
    String::from_utf8(answer).unwrap()
}

#[test]
fn host_headers_go_refuses_are_its_400_before_authentication() {
    // With the loopback rule on: a refused request never reaches it.
    let cluster = Cluster::start(Config {
        topology: Topology::Global,
        port: 0,
        admin_token: Some("tok".to_owned()),
        allow_anonymous_localhost: true,
        ..Config::default()
    });
    let base = cluster.info().global.clone().unwrap();
    let address = base.trim_start_matches("http://");
    let refused = |request: String, status_line: &str, body: &str| {
        let answer = raw_exchange(&base, request.as_bytes());
        let (head, text) = answer.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with(&format!("{status_line}\r\n")),
            "{request:?}: {answer}"
        );
        let head = head.to_ascii_lowercase();
        assert!(
            head.contains("\r\ncontent-type: text/plain; charset=utf-8"),
            "{answer}"
        );
        assert!(head.contains("\r\nconnection: close"), "{answer}");
        assert_eq!(text, body, "{request:?}");
    };
    // Two `Host` headers: Go's `readRequest` error, the bare 400 (not the first Host's admin).
    for hosts in [
        format!("Host: {address}\r\nHost: evil.example\r\n"),
        format!("Host: evil.example\r\nHost: {address}\r\n"),
        format!("Host: {address}\r\nhost: {address}\r\n"),
    ] {
        for auth in ["", "Authorization: Bearer tok\r\n"] {
            refused(
                format!("GET /meshes HTTP/1.1\r\n{hosts}{auth}\r\n"),
                "HTTP/1.1 400 Bad Request",
                "400 Bad Request",
            );
        }
    }
    // No `Host` in HTTP/1.1 (an absolute-form target too): Go's `badRequestError`, its text in
    // the status line and the body.
    for target in ["/meshes", "/", &*format!("http://{address}/meshes")] {
        refused(
            format!("GET {target} HTTP/1.1\r\nAuthorization: Bearer tok\r\n\r\n"),
            "HTTP/1.1 400 Bad Request: missing required Host header",
            "400 Bad Request: missing required Host header",
        );
    }
    for host in [
        "local host",
        "localhost/x",
        "\"localhost\"",
        "localhost\u{e9}",
    ] {
        refused(
            format!("GET /meshes HTTP/1.1\r\nHost: {host}\r\n\r\n"),
            "HTTP/1.1 400 Bad Request: malformed Host header",
            "400 Bad Request: malformed Host header",
        );
    }
    // HTTP/1.0 needs no `Host`: the request goes on (not a direct loopback request without one:
    // `GET /` is open, `/meshes` is refused as anonymous).
    let answer = raw_exchange(&base, b"GET / HTTP/1.0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.0 200 OK\r\n"), "{answer}");
    let answer = raw_exchange(&base, b"GET /meshes HTTP/1.0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.0 403 Forbidden\r\n"), "{answer}");
    // An empty `Host` is one Go takes; one `Host` of loopback is still the admin.
    let answer = raw_exchange(
        &base,
        format!("GET /meshes HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    let answer = raw_exchange(
        &base,
        b"GET / HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
}

#[test]
fn gui_paths_and_ready_skip_the_token_check() {
    let cluster = global();
    let g = cluster.global();
    let stale = Client::new(&g.base, "stale");
    // Kuma's token authenticator skips any request target starting with `/gui`
    // (`authn/skip.go`): no 401, the router's 404 (kuma-local serves no GUI).
    for (method, path) in [
        ("GET", "/gui"),
        ("GET", "/gui/"),
        ("GET", "/gui/meshes"),
        ("GET", "/guide"),
        ("PUT", "/gui/x"),
    ] {
        for client in [&stale, &g.anonymous()] {
            let (status, headers, text) = client.raw(method, path, None, &[]);
            assert_eq!(
                (status, text.as_str(), header(&headers, "content-type")),
                (
                    404,
                    "404: Page Not Found",
                    Some("text/plain; charset=utf-8")
                ),
                "{method} {path}"
            );
        }
    }
    // The target as sent: an escaped `g` is no `/gui` to Kuma's check.
    let (status, _, text) = stale.raw("GET", "/%67ui/x", None, &[]);
    assert_eq!(status, 401, "{text}");
    // kuma-local's readiness (Kuma's is on its diagnostics port) takes no token, a wrong one
    // included; any other method on it is checked.
    assert_eq!(stale.raw("GET", "/ready", None, &[]).0, 200);
    assert_eq!(g.anonymous().raw("GET", "/ready", None, &[]).0, 200);
    assert_eq!(stale.raw("POST", "/ready", None, &[]).0, 401);
}
