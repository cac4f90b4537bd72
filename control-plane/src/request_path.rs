//! What Kuma's HTTP stack does to a request before its routes see it, so that URLs that work
//! against Kuma work here: Go's server refuses a request target with a malformed `%` escape
//! (`url.ParseRequestURI` fails: a plain-text `400 Bad Request` and the connection closed),
//! Go's `http.ServeMux` answers a path that is not clean (`//`, `.`, `..`, on the path as sent)
//! with a 301 to the cleaned path, go-restful routes on the *decoded* path (`URL.Path`: `%64` is
//! `d`, `%2F` a separator) split into tokens with the slashes at both ends trimmed
//! (`TrimRightSlashEnabled`; `route.go` `tokenizePath`, `curly.go` `SelectRoute`, and path
//! parameters are those tokens, `path_processor.go`), and go-restful registers no HEAD routes,
//! so a HEAD is refused like any other method the path does not have (axum would answer it as a
//! GET). Before any of that, Go's server refuses a request whose `Host` headers it cannot take
//! ([`host_refusal`]): more than one, none in an HTTP/1.1 request, or one with a byte no host
//! has.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri, Version};
use axum::response::Response;
use axum::Router;
use hyper::ext::ReasonPhrase;
use kuma_mzs_core::api;
use tower::ServiceExt;

/// The method a request arrived with when the front door changed it (for the request log).
#[derive(Debug, Clone)]
pub struct ArrivedAs(pub Method);

/// Go's `r.RequestURI`: the request target as it was sent (not decoded; an absolute-form target
/// with its scheme and authority), kept before the front door rewrites the path for routing.
#[derive(Debug, Clone)]
pub struct RequestUri(pub String);

/// `routes` behind Go's path handling (see the module docs).
pub fn go_http_front(routes: Router) -> Router {
    Router::new().fallback_service(tower::service_fn(move |mut request: Request| {
        let routes = routes.clone();
        async move {
            let path = request.uri().path();
            let Some(decoded) = decode_path(path) else {
                return Ok(bad_request(None));
            };
            if let Some(refusal) = host_refusal(&request) {
                return Ok(refusal);
            }
            let request_uri = RequestUri(request.uri().to_string());
            request.extensions_mut().insert(request_uri);
            let path = request.uri().path();
            let clean = clean_path(path);
            if clean != path {
                return Ok(moved_permanently(request.uri(), &clean));
            }
            // axum routes on the path as sent and decodes parameters itself: give it go-restful's
            // tokens, each escaped again so that a decoded `/`, `?` or `%` stays inside its token.
            let routed = go_restful_path(&decoded);
            if routed != path {
                if let Some(uri) = with_path(request.uri(), &routed) {
                    *request.uri_mut() = uri;
                }
            }
            let head = request.method() == Method::HEAD;
            if head {
                // A method no route has: 405 with the path's methods, or 404 for no path.
                request.extensions_mut().insert(ArrivedAs(Method::HEAD));
                *request.method_mut() = Method::TRACE;
            }
            let mut response = routes.oneshot(request).await?;
            if response.status() == StatusCode::METHOD_NOT_ALLOWED {
                go_restful_allow(&mut response);
            } else if response.status() == StatusCode::UNAUTHORIZED {
                // Kuma's authentication filter answers before go-restful's router adds `Allow`.
                response.headers_mut().remove(header::ALLOW);
            }
            Ok::<_, std::convert::Infallible>(response)
        }
    }))
}

/// Go's `unescape(path, encodePath)` (net/url, as `url.ParseRequestURI` decodes `URL.Path`):
/// every `%` starts two hex digits, else `None` (the request is refused). Bytes that are not
/// UTF-8 become U+FFFD, as Go's JSON writes such a name back (so no name can match them).
fn decode_path(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// What a path token keeps unescaped when it is handed to axum: RFC 3986's segment characters.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// The path axum routes on: go-restful's tokens of the decoded path (`tokenizePath`: slashes
/// trimmed at both ends, split at every `/`), each escaped again. An empty token stays empty
/// (`//`), which no route of kuma-local matches; go-restful can match it to a parameter (see the
/// README's divergences).
fn go_restful_path(decoded: &str) -> String {
    if decoded == "/" {
        return "/".to_owned();
    }
    let trimmed = decoded.trim_matches('/');
    if trimmed.is_empty() {
        // One empty token, which not even the index route (no tokens) matches.
        return "//".to_owned();
    }
    let mut routed = String::with_capacity(decoded.len() + 8);
    for token in trimmed.split('/') {
        routed.push('/');
        routed.extend(percent_encoding::utf8_percent_encode(token, SEGMENT));
    }
    routed
}

/// Go's `net/http` refusals of a request's `Host` headers, in Go's order, before any handler:
/// `readRequest` (request.go) refuses more than one `Host` header with a plain error, so the
/// answer is the bare `400 Bad Request`; then `conn.readRequest` (server.go) refuses an
/// HTTP/1.1 request without one (`CONNECT` excepted) and one with a byte `httpguts.ValidHostHeader`
/// does not allow, each as a `badRequestError` whose text is in the status line and the body.
fn host_refusal(request: &Request) -> Option<Response> {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let first = hosts.next();
    if hosts.next().is_some() {
        return Some(bad_request(None));
    }
    match first {
        None if request.version() >= Version::HTTP_11 && request.method() != Method::CONNECT => {
            Some(bad_request(Some("missing required Host header")))
        }
        Some(host) if !host.as_bytes().iter().all(|&b| valid_host_byte(b)) => {
            Some(bad_request(Some("malformed Host header")))
        }
        _ => None,
    }
}

/// `httpguts.validHostByte`: what `ValidHostHeader` lets through (letters, digits and
/// `!$%&'()*+,-.:;=[]_~`).
fn valid_host_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!$%&'()*+,-.:;=[]_~".contains(&byte)
}

/// Go's answer to a request it cannot read (`net/http` `conn.serve`): written before any
/// handler, in plain text, and the connection is closed. A `badRequestError` (`Some(text)`) is
/// `400 Bad Request: <text>` in the status line and the body; any other error is the bare
/// `400 Bad Request`.
fn bad_request(text: Option<&'static str>) -> Response {
    let message = match text {
        Some(text) => format!("400 Bad Request: {text}"),
        None => "400 Bad Request".to_owned(),
    };
    let reason = text
        .and_then(|text| ReasonPhrase::try_from(format!("Bad Request: {text}").as_bytes()).ok());
    let mut response = Response::new(Body::from(message));
    if let Some(reason) = reason {
        response.extensions_mut().insert(reason);
    }
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Go's `cleanPath` (net/http): `path.Clean`, keeping a trailing slash.
fn clean_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut clean = String::with_capacity(path.len() + 1);
    for segment in &segments {
        clean.push('/');
        clean.push_str(segment);
    }
    if clean.is_empty() || path.ends_with('/') {
        clean.push('/');
    }
    clean
}

fn with_path(uri: &Uri, path: &str) -> Option<Uri> {
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    Uri::builder().path_and_query(path_and_query).build().ok()
}

/// `http.Redirect(w, r, cleaned, 301)` as Go's ServeMux sends it.
fn moved_permanently(uri: &Uri, clean: &str) -> Response {
    let location = match uri.query() {
        Some(query) => format!("{clean}?{query}"),
        None => clean.to_owned(),
    };
    let body = format!(
        "<a href=\"{}\">Moved Permanently</a>.\n\n",
        html_escape(&location)
    );
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// go-restful's `Allow` of a 405, from the path's methods axum lists ([`api::rest::allow_header`]:
/// Kuma's order, no HEAD).
fn go_restful_allow(response: &mut Response) {
    let Some(allowed) = response
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    let methods = allowed.split(',').map(str::trim).filter(|m| !m.is_empty());
    if let Ok(value) = HeaderValue::from_str(&api::rest::allow_header(methods)) {
        response.headers_mut().insert(header::ALLOW, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_headers_are_refused_as_gos_server_refuses_them() {
        let request = |version: Version, method: Method, hosts: &[&'static str]| {
            let mut request = Request::new(Body::empty());
            *request.version_mut() = version;
            *request.method_mut() = method;
            for host in hosts {
                request
                    .headers_mut()
                    .append(header::HOST, HeaderValue::from_static(host));
            }
            host_refusal(&request).map(|response| {
                let reason = response
                    .extensions()
                    .get::<ReasonPhrase>()
                    .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned());
                (response.status(), reason)
            })
        };
        let (v10, v11, get) = (Version::HTTP_10, Version::HTTP_11, Method::GET);
        let refused =
            |reason: Option<&str>| Some((StatusCode::BAD_REQUEST, reason.map(str::to_owned)));
        assert_eq!(request(v11, get.clone(), &["localhost:5681"]), None);
        assert_eq!(request(v11, get.clone(), &[""]), None);
        assert_eq!(request(v11, get.clone(), &["[::1]:5681"]), None);
        assert_eq!(request(v10, get.clone(), &[]), None);
        assert_eq!(request(v11, Method::CONNECT, &[]), None);
        assert_eq!(request(v11, get.clone(), &["a", "b"]), refused(None));
        assert_eq!(request(v10, get.clone(), &["a", "a"]), refused(None));
        assert_eq!(
            request(v11, get.clone(), &[]),
            refused(Some("Bad Request: missing required Host header"))
        );
        for host in ["local host", "a/b", "a\"b", "a@b", "a\tb"] {
            assert_eq!(
                request(v10, get.clone(), &[host]),
                refused(Some("Bad Request: malformed Host header")),
                "{host}"
            );
        }
    }

    #[test]
    fn paths_are_cleaned_as_gos_serve_mux_cleans_them() {
        for (path, clean) in [
            ("/", "/"),
            ("/meshes", "/meshes"),
            ("/meshes/", "/meshes/"),
            ("//meshes/default", "/meshes/default"),
            ("/meshes//default/", "/meshes/default/"),
            ("/meshes/./default", "/meshes/default"),
            ("/meshes/x/../default", "/meshes/default"),
            ("/..", "/"),
            ("/meshes/.", "/meshes"),
            ("/meshes/default/..", "/meshes"),
        ] {
            assert_eq!(clean_path(path), clean, "{path}");
        }
    }

    #[test]
    fn paths_are_decoded_and_tokenized_as_go_restful_routes_them() {
        let routed = |raw: &str| decode_path(raw).map(|decoded| go_restful_path(&decoded));
        for (raw, path) in [
            ("/", "/"),
            ("/meshes/", "/meshes"),
            (
                "/meshes/default/meshmultizoneservices/re%64is",
                "/meshes/default/meshmultizoneservices/redis",
            ),
            (
                "/meshes/default/meshmultizoneservice%73",
                "/meshes/default/meshmultizoneservices",
            ),
            // A decoded `/` separates tokens, at the ends it is trimmed.
            (
                "/meshes/default/meshmultizoneservices/re%2Fdis",
                "/meshes/default/meshmultizoneservices/re/dis",
            ),
            (
                "/meshes/default/meshmultizoneservices/redis%2f",
                "/meshes/default/meshmultizoneservices/redis",
            ),
            ("/%2Fmeshes", "/meshes"),
            ("/meshes/%2Fx", "/meshes//x"),
            ("/%2F", "//"),
            // Characters that would end or escape a token stay inside it.
            ("/meshes/a%3Fb%23c%25d%20e", "/meshes/a%3Fb%23c%25d%20e"),
            ("/meshes/%C3%A9", "/meshes/%C3%A9"),
            ("/meshes/%ff", "/meshes/%EF%BF%BD"),
            (
                "/_kri/kri_mzsvc_default___redis_",
                "/_kri/kri_mzsvc_default___redis_",
            ),
        ] {
            assert_eq!(routed(raw).as_deref(), Some(path), "{raw}");
        }
        for raw in [
            "/meshes/re%zzdis",
            "/meshes/%",
            "/meshes/%4",
            "/meshes/%4g",
            "/%%41",
        ] {
            assert_eq!(routed(raw), None, "{raw}");
        }
    }
}
