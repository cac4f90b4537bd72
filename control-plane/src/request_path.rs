//! What Kuma's HTTP stack does to a request before its routes see it, so that URLs that work
//! against Kuma work here: Go's server refuses a request target with a malformed `%` escape
//! (`url.ParseRequestURI` fails: a plain-text `400 Bad Request` and the connection closed),
//! Go's `http.ServeMux` answers a path that is not clean (`//`, `.`, `..`, on the path as sent)
//! with a 301 to the cleaned path, go-restful routes on the *decoded* path (`URL.Path`: `%64` is
//! `d`, `%2F` a separator) split into tokens with the slashes at both ends trimmed
//! (`TrimRightSlashEnabled`; `route.go` `tokenizePath`, `curly.go` `SelectRoute`, and path
//! parameters are those tokens, `path_processor.go`), and go-restful registers no HEAD routes,
//! so a HEAD is refused like any other method the path does not have (axum would answer it as a
//! GET).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use kuma_mzs_core::api;
use tower::ServiceExt;

/// The method a request arrived with when the front door changed it (for the request log).
#[derive(Debug, Clone)]
pub struct ArrivedAs(pub Method);

/// `routes` behind Go's path handling (see the module docs).
pub fn go_http_front(routes: Router) -> Router {
    Router::new().fallback_service(tower::service_fn(move |mut request: Request| {
        let routes = routes.clone();
        async move {
            let path = request.uri().path();
            let Some(decoded) = decode_path(path) else {
                return Ok(bad_request());
            };
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

/// Go's answer to a request line it cannot parse (`net/http` `conn.serve`): written before any
/// handler, in plain text, and the connection is closed.
fn bad_request() -> Response {
    let mut response = Response::new(Body::from("400 Bad Request"));
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
