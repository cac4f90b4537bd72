//! What Kuma's HTTP stack does to a request before its routes see it, so that URLs that work
//! against Kuma work here: Go's `http.ServeMux` answers a path that is not clean (`//`, `.`,
//! `..`) with a 301 to the cleaned path, go-restful matches routes with trailing slashes trimmed
//! (`TrimRightSlashEnabled`), and go-restful registers no HEAD routes, so a HEAD is refused
//! like any other method the path does not have (axum would answer it as a GET).

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
            let clean = clean_path(path);
            if clean != path {
                return Ok(moved_permanently(request.uri(), &clean));
            }
            let trimmed = path.trim_end_matches('/');
            if !trimmed.is_empty() && trimmed.len() != path.len() {
                if let Some(uri) = with_path(request.uri(), trimmed) {
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
}
