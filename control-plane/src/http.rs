//! The HTTP API: Kuma's REST routes over one [`ControlPlane`], plus authentication, fault
//! injection and request logs as middleware. Every Kuma rule comes from `kuma_mzs_core::api`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::{Json, Router};
use kuma_mzs_core::api::{self, ApiError, KubernetesItem, OutputFormat, ReleaseItem, StoreView};
use kuma_mzs_core::preview::ResourceKey;
use kuma_mzs_core::{KumaVersion, ResourceType};
use serde::Deserialize;
use serde_json::json;

use crate::cp::ControlPlane;
use crate::server::Limits;
use crate::store::{Expect, StatusWrite, StoreError, Stored};
use crate::sync::{PushBatch, MAX_BODY_BYTES, PULL_WAIT};

/// The zone a request authenticated with a zone token speaks for (KDS routes only).
#[derive(Debug, Clone)]
struct ZoneIdentity(String);

/// The peer address of a connection, inserted by the server for every request.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

type Shared = Arc<ControlPlane>;
/// Decoded query parameters in order, read as Kuma reads them (malformed pairs dropped).
struct Pairs(Vec<(String, String)>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Pairs {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Pairs(api::parse_query(parts.uri.query().unwrap_or(""))))
    }
}

/// The router of one control plane, with the default [`Limits`].
pub fn app(cp: Shared) -> Router {
    app_with_limits(cp, Limits::default())
}

/// The router of one control plane. Resource PUTs take bodies up to `limits.max_body_bytes`;
/// anything the HTTP framework refuses (too large, undecodable path or body) is answered with
/// Kuma's `/std-errors` body like every other error. What Kuma's own framework (go-restful)
/// answers in plain text stays plain text: a path no route has (404), a method the path lacks
/// (405), a media type its routes do not take (415, 406).
pub fn app_with_limits(cp: Shared, limits: Limits) -> Router {
    let max_body_bytes = limits.max_body_bytes;
    let body_read_timeout = limits.body_read_timeout;
    // Axum's limit stops a body at the limit as it is read; `read_body_in_time` answers a
    // declared oversize at once and a body that stops arriving within its deadline.
    let body_limit = || {
        tower::ServiceBuilder::new()
            .layer(middleware::from_fn(move |request, next| {
                read_body_in_time(max_body_bytes, body_read_timeout, request, next)
            }))
            .layer(DefaultBodyLimit::max(max_body_bytes))
    };
    let mut routes = Router::new()
        .route("/", get(index))
        .route("/ready", get(ready))
        .route("/config", get(config))
        .route("/_kuma-local/ipam", get(ipam))
        .route("/_kds/v1/pull", get(kds_pull))
        .route(
            "/_kds/v1/push",
            post(kds_push).layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/tokens/zone", post(issue_zone_token))
        .route("/_resources", get(resource_types))
        .route("/meshes", get(list_meshes))
        .route(
            "/meshes/{mesh}",
            get(get_mesh)
                .put(put_mesh)
                .delete(delete_mesh)
                .route_layer(body_limit()),
        );
    // Kuma registers routes per resource type (`addResourcesEndpoints`): a path of a type it
    // does not serve is no route at all, go-restful's plain-text 404 (any method), and a
    // method a path lacks its plain-text 405.
    for resource_type in ResourceType::ALL {
        if resource_type == ResourceType::Mesh {
            continue;
        }
        let segment = resource_type.path_segment();
        let typed = Extension(resource_type);
        let item = get(get_typed)
            .put(put_typed)
            .delete(delete_typed)
            .route_layer(body_limit())
            .layer(typed);
        if resource_type.is_mesh_scoped() {
            routes = routes
                .route(
                    &format!("/meshes/{{mesh}}/{segment}"),
                    get(list_in_mesh).layer(typed),
                )
                .route(&format!("/meshes/{{mesh}}/{segment}/{{name}}"), item)
                // Every mesh's, in one list.
                .route(&format!("/{segment}"), get(list_all).layer(typed));
        } else {
            routes = routes
                .route(&format!("/{segment}"), get(list_all).layer(typed))
                .route(&format!("/{segment}/{{name}}"), item);
        }
    }
    // Routes a release does not have are unknown paths there.
    if cp.kuma_version.has_hostnames_inspection() {
        routes = routes.route(
            "/meshes/{mesh}/{collection}/{name}/_hostnames",
            get(hostnames),
        );
    }
    if has_kri_route(cp.kuma_version) {
        routes = routes.route("/_kri/{kri}", get(get_by_kri));
    }
    let routes = routes
        // Only on routes that exist and allow the method, in go-restful's order: the route
        // (path, method, media types) is selected, then a request without a caller is refused.
        .route_layer(middleware::from_fn_with_state(cp.clone(), require_caller))
        .route_layer(middleware::from_fn(negotiate_media_types))
        .fallback(not_found_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(cp.clone(), chaos))
        .layer(middleware::from_fn_with_state(cp.clone(), authenticate))
        .layer(middleware::from_fn(move |request, next| {
            kuma_shaped_errors(max_body_bytes, request, next)
        }))
        .layer(middleware::from_fn(log_request))
        .with_state(cp);
    crate::request_path::go_http_front(routes)
}

// ---------------------------------------------------------------------------------------------
// Responses

/// A JSON response of Kuma's API, laid out as Kuma's server writes it (pretty-printed).
fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(api::rest::response_text(&body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A response without a body (and so without a content type), as Go's server sends one whose
/// handler only wrote the status.
fn empty_response(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

fn error_response(error: &ApiError) -> Response {
    let body = serde_json::to_string(&error.body()).unwrap_or_default();
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, body)
}

fn store_error(error: StoreError, not_found_title: &str) -> ApiError {
    match error {
        StoreError::PreconditionFailed(detail) => ApiError::precondition_failed(detail),
        StoreError::NotFound => ApiError::not_found(not_found_title),
        other => {
            tracing::error!(error = %other, "store failure");
            ApiError::internal(other.to_string())
        }
    }
}

fn with_etag(mut response: Response, version: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

// ---------------------------------------------------------------------------------------------
// Middleware

async fn log_request(request: Request, next: Next) -> Response {
    let method = match request.extensions().get::<crate::request_path::ArrivedAs>() {
        Some(arrived) => arrived.0.clone(),
        None => request.method().clone(),
    };
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        %path,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// Largest framework error text read back to rewrite it (they are one line).
const FRAMEWORK_TEXT_LIMIT: usize = 16 * 1024;

/// Rewrite the plain-text rejections of the HTTP framework (extractors, body limits) into
/// Kuma's `/std-errors` body; handlers already answer in that shape.
async fn kuma_shaped_errors(max_body_bytes: usize, request: Request, next: Next) -> Response {
    let push = request.uri().path().starts_with("/_kds/");
    let open = is_open_path(request.uri().path());
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let kumas_own = response.extensions().get::<GoRestfulText>().is_some();
    if open || kumas_own || !plain || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE && !push {
        return error_response(&api::rest::body_too_large(max_body_bytes));
    }
    let text = axum::body::to_bytes(response.into_body(), FRAMEWORK_TEXT_LIMIT)
        .await
        .unwrap_or_default();
    error_response(&api::rest::framework_error(
        status.as_u16(),
        &String::from_utf8_lossy(&text),
    ))
}

/// The body of a resource request, read before the handler runs: a `Content-Length` above the
/// limit is Kuma's 413 without waiting for the body, and a body that has not arrived within
/// `timeout` is a 408 (Kuma's API server has no such deadline: a client that declares a body
/// and never sends it holds its connection, and a slot of the connection cap, for good).
async fn read_body_in_time(
    max_body_bytes: usize,
    timeout: Duration,
    request: Request,
    next: Next,
) -> Response {
    let declared = (request.headers().get(header::CONTENT_LENGTH))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body_bytes as u64) {
        return error_response(&api::rest::body_too_large(max_body_bytes));
    }
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, max_body_bytes);
    match tokio::time::timeout(timeout, read).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => error_response(&api::rest::body_too_large(max_body_bytes)),
        Err(_) => error_response(&api::rest::framework_error(
            StatusCode::REQUEST_TIMEOUT.as_u16(),
            &format!(
                "the request body did not arrive within {}s",
                timeout.as_secs_f64()
            ),
        )),
    }
}

fn is_open_path(path: &str) -> bool {
    path == "/" || path == "/ready"
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A request that passed Kuma's authentication filters as nobody (no `Bearer` token, and not a
/// direct loopback request with `--allow-anonymous-localhost`). Kuma lets it on to its routes;
/// kuma-local refuses it on a route that exists ([`require_caller`]), so a path or method no
/// route has still gets go-restful's 404 or 405, as in Kuma.
#[derive(Debug, Clone, Copy)]
struct Anonymous;

/// Whether go-restful would select a route that skips authentication: Kuma's `GET /` (its
/// `auth: skip` metadata), and kuma-local's own `GET /ready`. The route must be selected in full,
/// media types included, or it skips nothing ([`crate::authn`]).
fn skips_authentication(request: &Request) -> bool {
    let path = request.uri().path();
    if request.method() != axum::http::Method::GET || !is_open_path(path) {
        return false;
    }
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    path == "/ready"
        || api::rest::media_type_rejection(
            request.method().as_str(),
            text(header::CONTENT_TYPE),
            text(header::CONTENT_LENGTH),
            text(header::ACCEPT),
        )
        .is_none()
}

/// The host a request names, as Go's `r.Host`: the request target's authority (without user
/// info), else the `Host` header.
fn request_host(request: &Request) -> Option<&str> {
    match request.uri().authority() {
        Some(authority) => {
            let text = authority.as_str();
            Some(text.rsplit_once('@').map_or(text, |(_, host)| host))
        }
        None => request
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok()),
    }
}

/// kuma-local's KDS calls (pull and push), which stand for Kuma's KDS server: a zone token or the
/// admin token opens them, never Kuma's API-server rule for loopback requests.
fn is_kds_path(path: &str) -> bool {
    path.starts_with("/_kds/")
}

/// Kuma's authentication filters, in Kuma's order and before routing (the core's rules,
/// [`api::rest::is_direct_loopback_request`] and [`api::rest::bearer_token`], read from the
/// request by [`crate::authn`]): with `--allow-anonymous-localhost` a direct loopback request is
/// the admin whatever token it sends (not on the KDS calls: Kuma's `LocalhostAuthenticator` is an
/// API-server filter, and its KDS server takes zone tokens only); otherwise a `Bearer` token must
/// be the admin token (or, on KDS calls, a zone token), else 401 on any path and method, known or
/// not, except where Kuma's token authenticator skips the check
/// ([`api::rest::skips_token_check`]); a request without one goes on as [`Anonymous`].
async fn authenticate(State(cp): State<Shared>, mut request: Request, next: Next) -> Response {
    if skips_authentication(&request) {
        return next.run(request).await;
    }
    let kds = is_kds_path(request.uri().path());
    if cp.auth.allow_anonymous_localhost && !kds {
        let peer = request.extensions().get::<PeerAddr>().map(|p| p.0.ip());
        if crate::authn::is_direct_loopback_request(peer, request_host(&request), request.headers())
        {
            return next.run(request).await;
        }
    }
    let request_uri = request
        .extensions()
        .get::<crate::request_path::RequestUri>()
        .map_or_else(|| request.uri().to_string(), |uri| uri.0.clone());
    let token = match crate::authn::bearer_token(request.headers()) {
        Some(token) if !crate::authn::skips_token_check(&request_uri) => token,
        _ => {
            request.extensions_mut().insert(Anonymous);
            return next.run(request).await;
        }
    };
    if constant_time_eq(token, cp.auth.admin_token.as_bytes()) {
        return next.run(request).await;
    }
    // A zone token opens only that zone's KDS calls.
    if kds {
        let zone = std::str::from_utf8(token)
            .ok()
            .and_then(|token| crate::zone_token::verify(&cp.auth.admin_token, token));
        return match zone {
            Some(zone) => {
                request.extensions_mut().insert(ZoneIdentity(zone));
                next.run(request).await
            }
            None => error_response(&ApiError::unauthenticated(
                "the token is not valid: send the admin token or this zone's token as 'Authorization: Bearer <token>'",
            )),
        };
    }
    error_response(&ApiError::unauthenticated(
        "the token is not valid: send the admin token as 'Authorization: Bearer <token>'",
    ))
}

/// On a route that exists (and after go-restful's media-type checks), an [`Anonymous`] request is
/// refused: kuma-local has no anonymous user (Kuma's `localhostIsAdmin` is a flag here).
async fn require_caller(State(cp): State<Shared>, request: Request, next: Next) -> Response {
    if request.extensions().get::<Anonymous>().is_none() {
        return next.run(request).await;
    }
    if is_kds_path(request.uri().path()) {
        // No loopback rule there ([`authenticate`]): a zone token or the admin token, else 401.
        error_response(&ApiError::unauthenticated(
            "no token: send the admin token or this zone's token as 'Authorization: Bearer <token>'",
        ))
    } else if cp.auth.allow_anonymous_localhost {
        error_response(&ApiError::forbidden(
            "anonymous access is only allowed for direct requests from localhost",
        ))
    } else {
        error_response(&ApiError::unauthenticated(
            "no token: send 'Authorization: Bearer <token>' (anonymous access is disabled; see --allow-anonymous-localhost)",
        ))
    }
}

async fn chaos(State(cp): State<Shared>, request: Request, next: Next) -> Response {
    if is_open_path(request.uri().path()) {
        return next.run(request).await;
    }
    let chaos = cp.chaos;
    if !chaos.latency.is_zero() {
        tokio::time::sleep(chaos.latency).await;
    }
    if chaos.error_rate > 0.0 && rand::random::<f64>() < chaos.error_rate {
        return error_response(&ApiError::new(
            503,
            "Service Unavailable",
            "injected failure (--chaos-error-rate)",
        ));
    }
    next.run(request).await
}

/// Marks a plain-text answer that is Kuma's own (go-restful's), which [`kuma_shaped_errors`]
/// leaves as it is.
#[derive(Debug, Clone, Copy)]
struct GoRestfulText;

/// Kuma's web services consume and produce only JSON: go-restful answers a PUT whose body is not
/// `application/json` (or has no Content-Type) with 415 and an `Accept` it cannot serve with
/// 406, in plain text ([`api::rest::media_type_rejection`]). kuma-local's own routes (KDS,
/// `/ready`, `/_kuma-local/`) are not Kuma's and are left alone.
async fn negotiate_media_types(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == "/ready" || path.starts_with("/_kds/") || path.starts_with("/_kuma-local/") {
        return next.run(request).await;
    }
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let rejection = api::rest::media_type_rejection(
        request.method().as_str(),
        text(header::CONTENT_TYPE),
        text(header::CONTENT_LENGTH),
        text(header::ACCEPT),
    );
    let Some((status, body)) = rejection else {
        return next.run(request).await;
    };
    go_restful_text(status, body)
}

/// `GET /_resources`: the resource types this control plane serves, in Kuma's shape.
async fn resource_types(State(cp): State<Shared>) -> Response {
    json_response(
        StatusCode::OK,
        api::rest::resource_types_body(&cp.mode, cp.kuma_version),
    )
}

/// A plain-text answer of go-restful's own, in the core's words and media type
/// ([`api::rest::router_rejection`], [`api::rest::media_type_rejection`]).
fn go_restful_text(status: u16, text: impl Into<Body>) -> Response {
    let mut response = Response::new(text.into());
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(api::rest::FRAMEWORK_TEXT_CONTENT_TYPE),
    );
    response.extensions_mut().insert(GoRestfulText);
    response
}

/// A path no route has: go-restful's router answers it before any Kuma handler runs.
async fn not_found_route() -> Response {
    let (status, text) = api::rest::router_rejection(false);
    go_restful_text(status, text)
}

/// A method the path has no route for: go-restful's router answers it with the path's methods
/// in `Allow` (the header is axum's, which [`crate::request_path`] writes as go-restful does).
/// The 405s of types a control plane serves read-only (MeshService on global, Mesh and
/// MeshMultiZoneService on a federated zone) are Kuma handlers' JSON answers, from
/// `api::check_writable`.
async fn method_not_allowed() -> Response {
    let (status, text) = api::rest::router_rejection(true);
    go_restful_text(status, text)
}

/// Whether the release has Kuma's `/_kri/{kri}` route: where it has none, the core answers every
/// KRI with that 404 ([`api::kri_request`]); where it has one, a text that is no KRI is a 400.
fn has_kri_route(version: KumaVersion) -> bool {
    api::kri_request("", version).map_or_else(|e| e.status != 404, |_| true)
}

// ---------------------------------------------------------------------------------------------
// Index and readiness

fn kuma_version_string(version: KumaVersion) -> &'static str {
    version.release()
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// `GET /`: Kuma OSS's index fields (no `tagline`, and no `basedOnKuma`, which only a product
/// built on Kuma sends; v2.14.3 `index_endpoints.go`) plus kuma-local's `mode` (the provider
/// reads it until it asks `GET /config` like real Kuma), `zone` and `kumaLocal`.
async fn index(State(cp): State<Shared>) -> Response {
    let version = kuma_version_string(cp.kuma_version);
    let body = json!({
        "hostname": hostname(),
        "product": "Kuma",
        "version": version,
        "instanceId": cp.instance_id,
        "clusterId": cp.cluster_id,
        // Kuma's GUI path, `""` when it serves none (v2.14.3 `server.go` `guiUrl`).
        "gui": "",
        "mode": cp.mode.origin(),
        "zone": cp.zone_name(),
        "kumaLocal": env!("CARGO_PKG_VERSION"),
    });
    json_response(StatusCode::OK, body.to_string())
}

/// The control plane's configuration in Kuma's key names, the settings kuma-local has (mode,
/// VIP ranges, `localhostIsAdmin`; [`ControlPlane::config_view`]). Kuma serves its whole
/// configuration here, to an authenticated user, as compact JSON in its structs' field order
/// ([`api::rest::config_text`]; it writes the bytes itself, so go-restful does not pretty-print
/// them).
async fn config(State(cp): State<Shared>) -> Response {
    let mut response = Response::new(Body::from(api::rest::config_text(&cp.config_view())));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// kuma-local's own endpoint (Kuma has none like it): the zone's VIP ranges and where its MZS
/// allocator stands, so a preview can tell the VIP a new MZS will get, not estimate it.
async fn ipam(State(cp): State<Shared>) -> Response {
    let body = json!({
        "meshService": {"cidr": cp.ipam.mesh_service_cidr.to_string()},
        "meshMultiZoneService": {
            "cidr": cp.ipam.mzs_cidr.to_string(),
            "cursor": cp.mzs_vip_cursor().map(|ip| ip.to_string()),
        },
    });
    json_response(StatusCode::OK, body.to_string())
}

async fn ready(State(cp): State<Shared>) -> Response {
    let reasons = cp.not_ready_reasons();
    if reasons.is_empty() {
        (StatusCode::OK, "").into_response()
    } else {
        // One reason per line, e.g. "sync from global failing for 4 s (5 attempts): ...".
        let body = format!("not ready: {}\n", reasons.join("\nnot ready: "));
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    }
}

// ---------------------------------------------------------------------------------------------
// KDS (global only)

#[derive(Deserialize)]
struct PullQuery {
    zone: String,
    #[serde(default)]
    since: u64,
    #[serde(default)]
    epoch: String,
    /// Cursor of the next page of a full snapshot.
    after: Option<String>,
    /// Milliseconds to wait for a change (default 20 s).
    wait: Option<u64>,
}

/// A zone token may only speak for its own zone.
fn check_zone(identity: Option<&ZoneIdentity>, zone: &str) -> Result<(), ApiError> {
    match identity {
        Some(ZoneIdentity(own)) if own != zone => Err(ApiError::forbidden(format!(
            "this token is the token of zone {own:?}, not of zone {zone:?}"
        ))),
        _ => Ok(()),
    }
}

async fn kds_pull(
    State(cp): State<Shared>,
    identity: Option<axum::Extension<ZoneIdentity>>,
    Query(q): Query<PullQuery>,
) -> Response {
    if cp.mode != api::Mode::Global {
        return error_response(&ApiError::not_found("Not found"));
    }
    if let Err(e) = check_zone(identity.as_deref(), &q.zone) {
        return error_response(&e);
    }
    let wait = q
        .wait
        .map_or(PULL_WAIT, Duration::from_millis)
        .min(PULL_WAIT);
    let batch = cp
        .pull_batch_wait(&q.zone, q.since, &q.epoch, q.after.as_deref(), wait)
        .await;
    Json(batch).into_response()
}

async fn kds_push(
    State(cp): State<Shared>,
    identity: Option<axum::Extension<ZoneIdentity>>,
    body: Bytes,
) -> Response {
    if cp.mode != api::Mode::Global {
        return error_response(&ApiError::not_found("Not found"));
    }
    let batch: PushBatch = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(e) => {
            return error_response(&ApiError::new(
                400,
                "Bad Request",
                format!("invalid push body: {e}"),
            ))
        }
    };
    if let Err(e) = check_zone(identity.as_deref(), &batch.zone) {
        return error_response(&e);
    }
    match tokio::task::spawn_blocking(move || cp.apply_push(&batch)).await {
        Ok(Ok(ack)) => Json(ack).into_response(),
        Ok(Err(e)) => error_response(&e),
        Err(e) => error_response(&ApiError::internal(e.to_string())),
    }
}

#[derive(Deserialize)]
struct ZoneTokenRequest {
    zone: String,
}

/// `POST /tokens/zone` (global, admin token): a token that lets one zone sync and nothing else
/// (Kuma's zone token; `scope` and `validFor` are accepted and ignored).
async fn issue_zone_token(State(cp): State<Shared>, body: Bytes) -> Response {
    if cp.mode != api::Mode::Global {
        return error_response(&ApiError::not_found("Not found"));
    }
    let request: ZoneTokenRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return error_response(&ApiError::new(
                400,
                "Bad Request",
                format!("invalid body, expected {{\"zone\": \"<name>\"}}: {e}"),
            ))
        }
    };
    if let Err(e) = crate::server::validate_zone_name(&request.zone) {
        return error_response(&ApiError::new(400, "Bad Request", e.to_string()));
    }
    let token = crate::zone_token::issue(&cp.auth.admin_token, &request.zone);
    let mut response = (StatusCode::OK, token).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

// ---------------------------------------------------------------------------------------------
// Resources

fn key(resource_type: ResourceType, mesh: Option<&str>, name: &str) -> ResourceKey {
    ResourceKey {
        resource_type,
        mesh: mesh.unwrap_or("").to_owned(),
        name: name.to_owned(),
    }
}

fn query_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `namespace`: where the Kubernetes shape is put (empty: Kuma's system namespace).
fn render(stored: &Stored, format: OutputFormat, version: KumaVersion, namespace: &str) -> String {
    let result = match format {
        OutputFormat::Universal => serde_json::to_string(&ReleaseItem {
            resource: &stored.resource,
            times: stored.times(),
            version,
        }),
        OutputFormat::Kubernetes => serde_json::to_string(&KubernetesItem {
            resource: &stored.resource,
            times: stored.times(),
            version,
            namespace,
        }),
    };
    result.unwrap_or_default()
}

/// Kuma looks a request's mesh up before anything else under `/meshes/{mesh}/...`.
fn missing_mesh(cp: &ControlPlane, resource_type: ResourceType, mesh: Option<&str>) -> bool {
    resource_type.is_mesh_scoped() && mesh.is_some_and(|m| !cp.store.mesh_exists(m))
}

/// Whether an `If-None-Match` header matches the ETag of `version` (`*`, or any listed tag by
/// weak comparison, RFC 9110 §13.1.2).
fn none_match(headers: &HeaderMap, version: u64) -> bool {
    let current = version.to_string();
    headers.get_all(header::IF_NONE_MATCH).iter().any(|value| {
        value.to_str().is_ok_and(|text| {
            text.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == current)
        })
    })
}

/// How a GET reached the resource: its own path, or `/_kri/{kri}` (whose format error Kuma
/// titles differently, and whose Kubernetes shape takes the KRI's namespace, not `?namespace=`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via<'a> {
    Path,
    Kri { namespace: &'a str },
}

fn get_resource(
    cp: &ControlPlane,
    resource_type: ResourceType,
    mesh: Option<&str>,
    name: &str,
    (headers, pairs, via): (&HeaderMap, &[(String, String)], Via<'_>),
) -> Response {
    if missing_mesh(cp, resource_type, mesh) {
        return error_response(&api::rest::mesh_not_found());
    }
    let Some(stored) = cp.store.get(&key(resource_type, mesh, name)) else {
        return error_response(&ApiError::not_found(api::TITLE_COULD_NOT_RETRIEVE));
    };
    // Kuma reads `format` only once it has the resource.
    let format = query_value(pairs, "format");
    let (format, namespace) = match via {
        Via::Path => (
            api::parse_format(format, cp.kuma_version),
            query_value(pairs, "namespace").unwrap_or(""),
        ),
        Via::Kri { namespace } => (api::parse_kri_format(format, cp.kuma_version), namespace),
    };
    // If-Match on a GET (RFC 9110 §13.1.1): the representation only if it is still that one.
    let if_match_fails = match parse_version(headers) {
        Ok(Expect::Version(v)) => v != stored.version,
        Ok(Expect::OneOf(versions)) => !versions.contains(&stored.version),
        Ok(_) => false,
        Err(e) => return error_response(&e),
    };
    match format {
        Ok(_) if if_match_fails => error_response(&ApiError::new(
            412,
            "Precondition Failed",
            format!(
                "resource version is {}, If-Match named none of it",
                stored.version
            ),
        )),
        // A conditional GET whose ETag still matches: nothing changed (only once the request
        // would otherwise succeed, RFC 9110 §13.2.1). The ETag is the spec's version, which a
        // status write leaves (so a writer's If-Match stays valid): a resource with a status
        // may have changed under the same tag, so it is always sent.
        Ok(_) if none_match(headers, stored.version) && stored.resource.status.is_none() => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            with_etag(response, stored.version)
        }
        Ok(format) => with_etag(
            json_response(
                StatusCode::OK,
                render(&stored, format, cp.kuma_version, namespace),
            ),
            stored.version,
        ),
        Err(e) => error_response(&e),
    }
}

fn parse_version(headers: &HeaderMap) -> Result<Expect, ApiError> {
    // RFC 9110 §13.1.1: `*` (the resource exists), or a list of entity tags compared strongly,
    // so a weak tag (`W/"4"`) never matches; a bare number is taken as the version it names.
    if headers.contains_key(header::IF_MATCH) {
        let mut versions = Vec::new();
        let mut tags = 0;
        for value in headers.get_all(header::IF_MATCH) {
            let text = value.to_str().unwrap_or("");
            for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                tags += 1;
                if tag == "*" {
                    return Ok(Expect::Exists);
                }
                if tag.starts_with("W/") {
                    continue;
                }
                let opaque = tag.trim_matches('"');
                match opaque.parse::<u64>() {
                    // Entity tags compare as text: `"01"` or `"+1"` is not our `"1"`.
                    Ok(v) if v.to_string() == opaque => versions.push(v),
                    Ok(_) => {}
                    // Quoted, it is an entity tag of someone else's: it never matches.
                    Err(_) if tag.starts_with('"') && tag.ends_with('"') && tag.len() >= 2 => {}
                    Err(_) => {
                        return Err(ApiError::new(
                            400,
                            "Bad Request",
                            format!("If-Match must be `*` or entity tags from ETag, got {text:?}"),
                        ))
                    }
                }
            }
        }
        if tags == 0 {
            return Err(ApiError::new(
                400,
                "Bad Request",
                "If-Match must be `*` or entity tags from ETag, got \"\"".to_owned(),
            ));
        }
        return Ok(match versions.as_slice() {
            [v] => Expect::Version(*v),
            _ => Expect::OneOf(versions),
        });
    }
    // RFC 9110 §13.1.2: `*`, or a list of entity tags compared weakly.
    let mut versions = Vec::new();
    for value in headers.get_all(header::IF_NONE_MATCH) {
        for tag in value.to_str().unwrap_or("").split(',').map(str::trim) {
            if tag == "*" {
                return Ok(Expect::Absent);
            }
            // A tag that is not one of ours can never match.
            if let Ok(v) = tag
                .trim_start_matches("W/")
                .trim_matches('"')
                .parse::<u64>()
            {
                versions.push(v);
            }
        }
    }
    if headers.contains_key(header::IF_NONE_MATCH) {
        return Ok(Expect::NoneOf(versions));
    }
    Ok(Expect::Any)
}

async fn put_resource(
    cp: Shared,
    resource_type: ResourceType,
    mesh: Option<String>,
    name: String,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let expect = match parse_version(&headers) {
        Ok(e) => e,
        Err(e) => return error_response(&e),
    };
    let kuma_version = cp.kuma_version;
    let outcome = tokio::task::spawn_blocking(move || {
        let mesh = mesh.as_deref();
        let existing = cp.store.get(&key(resource_type, mesh, &name));
        let prepare = |mesh_exists: bool| {
            api::prepare_put(
                &cp.mode,
                cp.kuma_version,
                resource_type,
                mesh,
                &name,
                &body,
                StoreView {
                    mesh_exists,
                    existing: existing.as_ref().map(|s| &s.resource),
                },
            )
        };
        let prepared = prepare(mesh.is_some_and(|m| cp.store.mesh_exists(m)))?;
        api::rest::check_port_count(&prepared.resource, prepared.created)?;
        // The store checks the mesh again under its writer lock: a Mesh deleted since is
        // answered as if it had been missing from the start.
        let written =
            cp.store
                .put_checked(prepared.resource, expect, StatusWrite::Keep, mesh.is_some());
        let (stored, created) = match written {
            Err(StoreError::MeshMissing(_)) => {
                return Err(prepare(false)
                    .err()
                    .unwrap_or_else(|| ApiError::not_found(api::TITLE_COULD_NOT_UPDATE)))
            }
            other => other.map_err(|e| store_error(e, api::TITLE_COULD_NOT_UPDATE))?,
        };
        Ok::<_, ApiError>((stored.version, created, prepared.warnings))
    })
    .await;
    match outcome {
        Ok(Ok((version, created, warnings))) => {
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let response = match api::rest::put_body(kuma_version, &warnings) {
                Some(body) => json_response(status, body),
                None => empty_response(status),
            };
            with_etag(response, version)
        }
        Ok(Err(e)) => error_response(&e),
        Err(e) => error_response(&ApiError::internal(e.to_string())),
    }
}

async fn delete_resource(
    cp: Shared,
    resource_type: ResourceType,
    mesh: Option<String>,
    name: String,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = api::check_writable(&cp.mode, resource_type) {
        return error_response(&e);
    }
    // `If-None-Match: *` holds only while nothing exists: a DELETE of something is refused.
    let expect = match parse_version(&headers) {
        Ok(e) => e,
        Err(e) => return error_response(&e),
    };
    if missing_mesh(&cp, resource_type, mesh.as_deref()) {
        return error_response(&api::rest::mesh_not_found());
    }
    let cp_version = cp.kuma_version;
    let outcome = tokio::task::spawn_blocking(move || {
        if resource_type == ResourceType::Mesh {
            // Deleting a mesh deletes what lives in it, atomically with respect to PUTs.
            cp.store
                .delete_mesh(&name, expect, api::rest::mesh_cascade_types())
                .map_err(|e| store_error(e, api::TITLE_COULD_NOT_DELETE))?;
        } else {
            let k = key(resource_type, mesh.as_deref(), &name);
            // Kuma refuses to delete what the other side of KDS owns (the stored origin).
            if let Some(stored) = cp.store.get(&k) {
                api::check_delete(&cp.mode, cp.kuma_version, &stored.resource)?;
            }
            cp.store
                .delete(&k, expect)
                .map_err(|e| store_error(e, api::TITLE_COULD_NOT_DELETE))?;
        }
        Ok::<_, ApiError>(())
    })
    .await;
    match outcome {
        Ok(Ok(())) => match api::rest::delete_body(cp_version) {
            Some(body) => json_response(StatusCode::OK, body),
            None => empty_response(StatusCode::OK),
        },
        Ok(Err(e)) => error_response(&e),
        Err(e) => error_response(&ApiError::internal(e.to_string())),
    }
}

/// A list at `path`, served by the route `route` (`/meshes/{mesh}/<type>`, `/<type>`,
/// `/meshes`), in Kuma's order: page, filters, then the mesh. Kuma lists ignore `format`.
fn list_resources(
    cp: &ControlPlane,
    resource_type: ResourceType,
    mesh: Option<&str>,
    (route, path): (&str, &str),
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Response {
    let page_size = match api::parse_page_size(query_value(pairs, "size"), cp.kuma_version) {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    let filter = match api::parse_filters(route, pairs) {
        Ok(f) => f,
        Err(e) => return error_response(&e),
    };
    if missing_mesh(cp, resource_type, mesh) {
        return error_response(&api::rest::mesh_not_found());
    }
    // Kuma's store reads the offset last.
    let page = match page_size.at_offset(query_value(pairs, "offset")) {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    let (total, items) = cp.store.list(resource_type, mesh, &filter, page);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if cp.https { "https" } else { "http" };
    let next = api::rest::next_link(scheme, host, path, pairs, page, total);
    let rendered: Vec<String> = items
        .iter()
        .map(|s| render(s, OutputFormat::Universal, cp.kuma_version, ""))
        .collect();
    let body = api::rest::list_body(total, &rendered, next.as_deref());
    json_response(StatusCode::OK, body)
}

async fn list_meshes(
    State(cp): State<Shared>,
    headers: HeaderMap,
    Pairs(pairs): Pairs,
) -> Response {
    let at = ("/meshes", "/meshes");
    list_resources(&cp, ResourceType::Mesh, None, at, &headers, &pairs)
}

async fn get_mesh(
    State(cp): State<Shared>,
    Path(mesh): Path<String>,
    headers: HeaderMap,
    Pairs(pairs): Pairs,
) -> Response {
    get_resource(
        &cp,
        ResourceType::Mesh,
        None,
        &mesh,
        (&headers, &pairs, Via::Path),
    )
}

async fn put_mesh(
    State(cp): State<Shared>,
    Path(mesh): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    put_resource(cp, ResourceType::Mesh, None, mesh, headers, body).await
}

async fn delete_mesh(
    State(cp): State<Shared>,
    Path(mesh): Path<String>,
    headers: HeaderMap,
) -> Response {
    delete_resource(cp, ResourceType::Mesh, None, mesh, headers).await
}

async fn list_in_mesh(
    State(cp): State<Shared>,
    Extension(resource_type): Extension<ResourceType>,
    Path(mesh): Path<String>,
    headers: HeaderMap,
    Pairs(pairs): Pairs,
) -> Response {
    let segment = resource_type.path_segment();
    let route = format!("/meshes/{{mesh}}/{segment}");
    let path = format!("/meshes/{mesh}/{segment}");
    let at = (route.as_str(), path.as_str());
    list_resources(&cp, resource_type, Some(&mesh), at, &headers, &pairs)
}

/// `/meshes/{mesh}/<type>/{name}` of a mesh-scoped type, `/<type>/{name}` of a global-scoped
/// one: the mesh, if any, and the name.
struct ItemPath {
    mesh: Option<String>,
    name: String,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ItemPath {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let param = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        Ok(ItemPath {
            mesh: param("mesh"),
            name: param("name").unwrap_or_default(),
        })
    }
}

async fn get_typed(
    State(cp): State<Shared>,
    Extension(resource_type): Extension<ResourceType>,
    ItemPath { mesh, name }: ItemPath,
    headers: HeaderMap,
    Pairs(pairs): Pairs,
) -> Response {
    let at = (&headers, pairs.as_slice(), Via::Path);
    get_resource(&cp, resource_type, mesh.as_deref(), &name, at)
}

async fn put_typed(
    State(cp): State<Shared>,
    Extension(resource_type): Extension<ResourceType>,
    ItemPath { mesh, name }: ItemPath,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    put_resource(cp, resource_type, mesh, name, headers, body).await
}

async fn delete_typed(
    State(cp): State<Shared>,
    Extension(resource_type): Extension<ResourceType>,
    ItemPath { mesh, name }: ItemPath,
    headers: HeaderMap,
) -> Response {
    delete_resource(cp, resource_type, mesh, name, headers).await
}

async fn hostnames(
    State(cp): State<Shared>,
    Path((mesh, collection, name)): Path<(String, String, String)>,
) -> Response {
    let resource_type = match api::rest::inspectable_type(&collection) {
        Ok(t) => t,
        Err(e) => return error_response(&e),
    };
    let Some(service) = cp.store.get(&key(resource_type, Some(&mesh), &name)) else {
        return error_response(&api::rest::hostnames_service_not_found());
    };
    let generators: Vec<_> = cp
        .store
        .all_of(ResourceType::HostnameGenerator, None)
        .iter()
        .map(|s| s.resource.clone())
        .collect();
    match api::inspect_hostnames(&cp.mode, &service.resource, &generators) {
        Ok(response) => json_response(StatusCode::OK, api::rest::hostnames_body(&response)),
        Err(e) => error_response(&e),
    }
}

/// `/<type>`: a global-scoped type's list, or a mesh-scoped type's across every mesh.
async fn list_all(
    State(cp): State<Shared>,
    Extension(resource_type): Extension<ResourceType>,
    headers: HeaderMap,
    Pairs(pairs): Pairs,
) -> Response {
    let path = format!("/{}", resource_type.path_segment());
    list_resources(&cp, resource_type, None, (&path, &path), &headers, &pairs)
}

/// `GET /_kri/{kri}`: any resource by its KRI (a section name, if any, is ignored).
async fn get_by_kri(
    State(cp): State<Shared>,
    Path(kri): Path<String>,
    headers: HeaderMap,
    Pairs(pairs): Pairs,
) -> Response {
    let request = match api::kri_request(&kri, cp.kuma_version) {
        Ok(r) => r,
        Err(e) => return error_response(&e),
    };
    let Some(resource_type) = request.resource_type else {
        return error_response(&api::kri_not_found());
    };
    let mesh = Some(request.mesh.as_str()).filter(|_| resource_type.is_mesh_scoped());
    let found = cp.store.all_of(resource_type, mesh).into_iter().find(|s| {
        match (&request.global_name, &cp.mode) {
            (Some(name), api::Mode::Global) => s.resource.meta.name == *name,
            _ => api::resource_kri(&s.resource) == request.kri,
        }
    });
    match found {
        Some(stored) => get_resource(
            &cp,
            resource_type,
            mesh,
            &stored.resource.meta.name,
            (
                &headers,
                &pairs,
                Via::Kri {
                    namespace: &request.namespace,
                },
            ),
        ),
        None => error_response(&api::kri_not_found()),
    }
}
