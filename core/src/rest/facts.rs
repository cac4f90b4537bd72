//! Kuma's REST shapes and resource-lifecycle facts that a server needs around the validation
//! layers: the list envelope and its `next` link, the PUT response body, which types a Mesh
//! deletion removes, the default Mesh, and the error bodies for requests the framework refuses
//! before any Kuma rule runs (body too large, undecodable path or body).

use serde_json::Value;

use super::{
    ApiError, Mode, Page, TITLE_COULD_NOT_PROCESS, TITLE_FAILED_CREATE, TITLE_FAILED_UPDATE,
};
use crate::model::{KumaVersion, Meta, Resource, ResourceType, Spec};
use crate::status::hostnames::InspectHostnames;
use crate::Violation;

/// The list envelope, `{"total":N,"items":[...],"next":URL|null}`, around items already
/// rendered as JSON (in order).
pub fn list_body(total: usize, rendered_items: &[String], next: Option<&str>) -> String {
    let next_json = serde_json::to_string(&next).unwrap_or_else(|_| "null".to_owned());
    format!(
        "{{\"total\":{total},\"items\":[{}],\"next\":{next_json}}}",
        crate::text::join(rendered_items, ",")
    )
}

/// Characters left as they are in a `next` link's query (Go's `url.QueryEscape`).
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Go's `url.QueryEscape`: a space is `+`, everything else not unreserved is `%XX`.
fn query_escape(text: &str, out: &mut String) {
    for b in text.bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The `next` link of a list page: the same URL with `offset` moved past this page, or `None`
/// on the last page. `query` is the request's decoded query in order. As Kuma builds it (Go's
/// `url.Values` with `offset` set, then `Encode`): one `offset`, parameters sorted by key, a
/// repeated parameter's values in request order (golden `crud/list_mesh_04`:
/// `/meshes?offset=2&size=2`).
pub fn next_link(
    scheme: &str,
    host: &str,
    path: &str,
    query: &[(String, String)],
    page: Page,
    total: usize,
) -> Option<String> {
    let offset = page.next_offset(total)?.to_string();
    let mut pairs: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, _)| k != "offset")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.push(("offset", &offset));
    crate::text::sort::sort_by(&mut pairs, |a, b| a.0.cmp(b.0));
    let mut link = format!("{scheme}://{host}{path}?");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            link.push('&');
        }
        query_escape(k, &mut link);
        link.push('=');
        query_escape(v, &mut link);
    }
    Some(link)
}

/// The body of a successful PUT: `{}`, or the deprecation warnings. Kuma 2.9 answers a PUT
/// without warnings with no body at all (v2.9.13 `resource_endpoints.go` calls
/// `response.WriteHeader(201)`/`(200)`); from 2.10 every answer carries the JSON object.
pub fn put_body(version: KumaVersion, warnings: &[String]) -> Option<String> {
    if warnings.is_empty() {
        (version >= KumaVersion::V2_10).then(|| "{}".to_owned())
    } else {
        Some(serde_json::json!({ "warnings": warnings }).to_string())
    }
}

/// The body of a successful DELETE: `{}` from 2.10 (kumahq/kuma#12669), none in 2.9 (its
/// handler writes nothing; tag 2.9.19 `resource_endpoints.go` deleteResource): the releases
/// whose PUT answers carry an object too.
pub fn delete_body(version: KumaVersion) -> Option<String> {
    put_body(version, &[])
}

/// The plain-text answers of Kuma's HTTP framework (go-restful) itself, before any Kuma handler
/// runs: a path no route has (`404: Page Not Found`, go-restful v3 `curly.go`), a method the
/// path has no route for (`405: Method Not Allowed`, `jsr311.go`; with `Allow`). Written by
/// `WriteErrorString` without a Content-Type, so Go's server sniffs `text/plain; charset=utf-8`.
/// Kuma's own clients compare the text (master `kuma-dp` `remote_bootstrap.go:260`).
pub fn router_rejection(path_exists: bool) -> (u16, &'static str) {
    if path_exists {
        (405, "405: Method Not Allowed")
    } else {
        (404, "404: Page Not Found")
    }
}

/// go-restful's `Allow` of a 405: the methods of the path's routes in the order Kuma registers
/// them (PUT, DELETE, GET for a resource, v2.14.3 `pkg/api-server/server.go:345-349`; go-restful
/// keeps that order, `jsr311.go:110`), joined by `", "`; HEAD is no route of Kuma's.
pub fn allow_header<'a>(methods: impl IntoIterator<Item = &'a str>) -> String {
    const KUMA_ORDER: [&str; 4] = ["PUT", "DELETE", "GET", "POST"];
    let mut methods: Vec<&str> = methods.into_iter().filter(|m| *m != "HEAD").collect();
    crate::text::sort::sort_by_key(&mut methods, |m| {
        KUMA_ORDER
            .iter()
            .position(|k| k == m)
            .unwrap_or(KUMA_ORDER.len())
    });
    methods.dedup();
    methods.join(", ")
}

/// The Content-Type of go-restful's own plain-text answers ([`router_rejection`], and the 415
/// and 406 of [`media_type_rejection`]).
pub const FRAMEWORK_TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// The types a Mesh deletion removes with it: everything that lives in a mesh.
pub fn mesh_cascade_types() -> impl Iterator<Item = ResourceType> {
    ResourceType::ALL.into_iter().filter(|t| t.is_mesh_scoped())
}

/// Kuma's `default` Mesh, created at start where this mode creates it (global and zones not
/// connected to a global; a federated zone receives meshes from global). Kuma creates it through
/// the resource manager, which computes no label (every release, `pkg/defaults/mesh.go`), so it
/// has none.
pub fn default_mesh(mode: &Mode, _version: KumaVersion) -> Option<Resource> {
    if matches!(
        mode,
        Mode::Zone {
            federated: true,
            ..
        }
    ) {
        return None;
    }
    Some(Resource {
        meta: Meta {
            name: "default".to_owned(),
            mesh: String::new(),
            labels: Default::default(),
            creation_time: None,
        },
        spec: Spec::Mesh(serde_json::json!({})),
        status: None,
    })
}

/// Kuma's MeshService status as it renders: `tls` and `dataplaneProxies` are Go structs, which
/// `omitempty` never omits, so they are `{}` even when nothing was stored.
pub(crate) fn mesh_service_status(status: Option<&Value>) -> Value {
    match status {
        None | Some(Value::Null) => serde_json::json!({"tls": {}, "dataplaneProxies": {}}),
        Some(Value::Object(map)) => {
            let mut map = map.clone();
            map.entry("tls").or_insert_with(|| serde_json::json!({}));
            map.entry("dataplaneProxies")
                .or_insert_with(|| serde_json::json!({}));
            Value::Object(map)
        }
        Some(other) => other.clone(),
    }
}

/// Collections the `_hostnames` inspect endpoint answers for (Kuma's list, in its order).
const INSPECTABLE: [&str; 3] = [
    "meshservices",
    "meshexternalservices",
    "meshmultizoneservices",
];

/// The type behind `/meshes/{mesh}/{collection}/{name}/_hostnames`: Kuma answers 400 for a
/// collection it cannot inspect, and 404 "could not retrieve service" for one it can but that
/// holds no such service (kuma-local has no MeshExternalServices).
pub fn inspectable_type(collection: &str) -> Result<ResourceType, ApiError> {
    if !INSPECTABLE.contains(&collection) {
        return Err(ApiError::new(
            400,
            format!(
                "only {:?} are available for inspection",
                crate::text::join(&INSPECTABLE, ",")
            ),
            super::DETAIL_NOT_VALID,
        ));
    }
    ResourceType::from_path_segment(collection)
        .filter(|t| {
            matches!(
                t,
                ResourceType::MeshService | ResourceType::MeshMultiZoneService
            )
        })
        .ok_or_else(hostnames_service_not_found)
}

/// Kuma's answer to any request under `/meshes/{mesh}/...` whose mesh does not exist (GET, list,
/// PUT and DELETE look the mesh up first).
pub fn mesh_not_found() -> ApiError {
    ApiError::not_found("Failed to retrieve Mesh")
}

/// 404 of the `_hostnames` endpoint when the service does not exist.
pub fn hostnames_service_not_found() -> ApiError {
    ApiError::not_found("could not retrieve service")
}

/// The `_hostnames` body: Go renders an empty list as `null`.
pub fn hostnames_body(response: &InspectHostnames) -> String {
    let mut value = serde_json::to_value(response).unwrap_or(Value::Null);
    if response.items.is_empty() {
        value["items"] = Value::Null;
    }
    value.to_string()
}

/// Most ports one MeshService or MeshMultiZoneService may list. Kuma sets no limit (no
/// `maxItems` in its schema, no check in its validator), but every port multiplies the work and
/// memory of the status engines and of rendering (SNIs, hostnames), so one resource with tens of
/// thousands of ports can take hundreds of megabytes. 1024 is far above any real service.
pub(crate) const MAX_PORTS: usize = 1024;

/// Refuse a resource with more than [`MAX_PORTS`] ports, in the shape of Kuma's schema
/// (`maxItems`) errors.
pub fn check_port_count(resource: &Resource, created: bool) -> Result<(), ApiError> {
    let count = match &resource.spec {
        Spec::MeshService(spec) => spec.ports.len(),
        Spec::MeshMultiZoneService(spec) => spec.ports.len(),
        _ => return Ok(()),
    };
    if count <= MAX_PORTS {
        return Ok(());
    }
    let title = if created {
        TITLE_FAILED_CREATE
    } else {
        TITLE_FAILED_UPDATE
    };
    Err(ApiError::invalid(
        title,
        vec![Violation::new(
            "spec.ports",
            format!("in body should have at most {MAX_PORTS} items"),
        )],
    ))
}

/// 413 for a request body over the server's limit (Kuma has no limit of its own; the shape is
/// its `/std-errors` body).
pub fn body_too_large(limit_bytes: usize) -> ApiError {
    ApiError::new(
        413,
        TITLE_COULD_NOT_PROCESS,
        format!("request body is larger than the limit of {limit_bytes} bytes"),
    )
}

/// A request the HTTP framework refused before any Kuma rule ran (undecodable path, body that
/// is not the expected JSON, wrong content type), as a Kuma `/std-errors` body.
pub fn framework_error(status: u16, message: &str) -> ApiError {
    let title = match status {
        413 => TITLE_COULD_NOT_PROCESS,
        400 | 422 => "Bad Request",
        415 => "Unsupported Media Type",
        404 => "Not found",
        405 => "Method not allowed",
        408 => "Request Timeout",
        s if s >= 500 => "Internal Server Error",
        _ => "Bad Request",
    };
    let detail = message.trim();
    let detail = if detail.is_empty() { title } else { detail };
    ApiError::new(status, title, detail)
}

/// The one media type Kuma's API web services consume and produce (`Consumes(restful.MIME_JSON)`
/// and `Produces(restful.MIME_JSON)`, v2.14.3 `pkg/api-server/server.go:148-149`, and the tokens
/// web service).
const MIME_JSON: &str = "application/json";

/// go-restful's content negotiation for a route that exists and allows the method (its
/// `RouterJSR311.detectRoute`, after the path and the method matched), as Kuma answers it: a
/// plain-text body with 415 or 406, or `None` when the request goes on to its handler.
///
/// - The `Content-Type` (each comma-separated entry, parameters dropped) must be
///   `application/json`; a missing one passes for GET, HEAD, OPTIONS, DELETE and TRACE and counts
///   as `application/octet-stream` otherwise. A mismatch with a body (`Content-Length` > 0) is
///   `415: Unsupported Media Type`.
/// - Without a body the mismatch falls through to the `Accept` step with no route left, as does
///   an `Accept` (default `*/*`) that names neither `*/*` nor `application/json`: a POST, PUT or
///   PATCH without `Content-Length` (or `0`) gets 415, anything else `406: Not Acceptable`, each
///   followed by the representations the remaining routes produce (none after a content-type
///   mismatch).
pub fn media_type_rejection(
    method: &str,
    content_type: Option<&str>,
    content_length: Option<&str>,
    accept: Option<&str>,
) -> Option<(u16, String)> {
    let length = content_length.unwrap_or("").trim();
    let content_type_fits = match content_type.filter(|c| !c.is_empty()) {
        Some(given) => lists_media_type(given, MIME_JSON),
        None if matches!(method, "GET" | "HEAD" | "OPTIONS" | "DELETE" | "TRACE") => true,
        None => false,
    };
    if !content_type_fits && length.parse::<u64>().is_ok_and(|n| n > 0) {
        return Some((415, "415: Unsupported Media Type".to_owned()));
    }
    let available = if content_type_fits { MIME_JSON } else { "" };
    let accept = accept.filter(|a| !a.is_empty()).unwrap_or("*/*");
    if content_type_fits && (lists_media_type(accept, "*/*") || lists_media_type(accept, MIME_JSON))
    {
        return None;
    }
    let without_body = length.is_empty() || length == "0";
    if matches!(method, "POST" | "PUT" | "PATCH") && without_body {
        return Some((
            415,
            format!("415: Unsupported Media Type\n\nAvailable representations: {available}"),
        ));
    }
    Some((
        406,
        format!("406: Not Acceptable\n\nAvailable representations: {available}"),
    ))
}

/// Whether a comma-separated media type list names `wanted` exactly (parameters such as
/// `;charset=utf-8` or `;q=0.9` dropped, spaces trimmed; go-restful compares case-sensitively).
fn lists_media_type(list: &str, wanted: &str) -> bool {
    list.split(',')
        .map(|entry| entry.split(';').next().unwrap_or("").trim())
        .any(|entry| entry == wanted)
}

/// `GET /_resources` (Kuma's `MapResourceTypeDescription`, every release): the resource types
/// this control plane serves, sorted by name, with the fields `version` renders (`isFromAsRules`
/// from 2.10, `shortName` from 2.13, `hasRulesTargetRef` from 2.14). `readOnly` is true on a
/// federated zone (and never otherwise for these types, whose descriptors are writable);
/// `includeInFederation` marks types global sends to zones (all but MeshService).
pub fn resource_types_body(mode: &Mode, version: KumaVersion) -> String {
    let federated_zone = matches!(
        mode,
        Mode::Zone {
            federated: true,
            ..
        }
    );
    let mut types = ResourceType::ALL.to_vec();
    crate::text::sort::sort_by_key(&mut types, |t| t.name());
    let resources: Vec<Value> = types
        .into_iter()
        .map(|t| {
            let (singular, plural) = match t {
                ResourceType::Mesh => ("Mesh", "Meshes"),
                ResourceType::MeshService => ("Mesh Service", "Mesh Services"),
                ResourceType::MeshMultiZoneService => {
                    ("Mesh Multi Zone Service", "Mesh Multi Zone Services")
                }
                ResourceType::HostnameGenerator => ("Hostname Generator", "Hostname Generators"),
                ResourceType::MeshLoadBalancingStrategy => (
                    "Mesh Load Balancing Strategy",
                    "Mesh Load Balancing Strategies",
                ),
            };
            let mut item = serde_json::json!({
                "includeInFederation": t != ResourceType::MeshService,
                "name": t.name(),
                "path": t.path_segment(),
                "pluralDisplayName": plural,
                "readOnly": federated_zone,
                "scope": if t.is_mesh_scoped() { "Mesh" } else { "Global" },
                "singularDisplayName": singular,
            });
            if version >= KumaVersion::V2_13 {
                item["shortName"] = t.short_name().into();
            }
            if t == ResourceType::MeshLoadBalancingStrategy {
                let mut policy = serde_json::json!({
                    "hasFromTargetRef": false,
                    "hasToTargetRef": true,
                    "isTargetRef": true,
                });
                if version >= KumaVersion::V2_10 {
                    policy["isFromAsRules"] = false.into();
                }
                if version >= KumaVersion::V2_14 {
                    policy["hasRulesTargetRef"] = false.into();
                }
                item["policy"] = policy;
            }
            item
        })
        .collect();
    serde_json::json!({ "resources": resources }).to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn next_link_moves_the_offset_and_keeps_the_rest_encoded() {
        let query = vec![
            ("size".to_owned(), "2".to_owned()),
            ("offset".to_owned(), "0".to_owned()),
            ("filter[labels.b]".to_owned(), "a b&c".to_owned()),
            ("name".to_owned(), "x".to_owned()),
            ("filter[labels.a]".to_owned(), "2".to_owned()),
            ("name".to_owned(), "y".to_owned()),
        ];
        let page = Page::new(2, 0);
        // Sorted by key as Go's `url.Values.Encode` writes them; repeated keys in order.
        assert_eq!(
            next_link("http", "h:1", "/meshes", &query, page, 3).unwrap(),
            "http://h:1/meshes?filter%5Blabels.a%5D=2&filter%5Blabels.b%5D=a+b%26c&name=x&name=y&offset=2&size=2"
        );
        // Golden crud/list_mesh_04.
        let query = vec![("size".to_owned(), "2".to_owned())];
        assert_eq!(
            next_link("http", "{{address}}", "/meshes", &query, page, 3).unwrap(),
            "http://{{address}}/meshes?offset=2&size=2"
        );
        assert_eq!(next_link("http", "h:1", "/meshes", &query, page, 2), None);
    }

    #[test]
    fn envelopes_and_put_bodies() {
        assert_eq!(
            list_body(1, &["{}".to_owned()], None),
            r#"{"total":1,"items":[{}],"next":null}"#
        );
        for version in [KumaVersion::V2_10, KumaVersion::V2_14, KumaVersion::V3_0] {
            assert_eq!(put_body(version, &[]).as_deref(), Some("{}"));
        }
        assert_eq!(put_body(KumaVersion::V2_9, &[]), None);
        for version in KumaVersion::ALL {
            assert_eq!(
                put_body(version, &["w".to_owned()]).as_deref(),
                Some(r#"{"warnings":["w"]}"#)
            );
        }
    }

    #[test]
    fn content_negotiation_answers_as_go_restful() {
        let json = Some("application/json");
        assert_eq!(media_type_rejection("PUT", json, Some("2"), None), None);
        assert_eq!(
            media_type_rejection(
                "PUT",
                Some("application/json; charset=utf-8"),
                Some("2"),
                None
            ),
            None
        );
        // No Content-Type on a PUT with a body is `application/octet-stream`.
        let unsupported = Some((415, "415: Unsupported Media Type".to_owned()));
        assert_eq!(
            media_type_rejection("PUT", None, Some("2"), None),
            unsupported
        );
        assert_eq!(
            media_type_rejection(
                "POST",
                Some("application/x-www-form-urlencoded"),
                Some("15"),
                None
            ),
            unsupported
        );
        assert_eq!(media_type_rejection("GET", None, None, None), None);
        assert_eq!(
            media_type_rejection("DELETE", None, None, Some("*/*")),
            None
        );
        assert_eq!(
            media_type_rejection("GET", None, None, Some("text/html")),
            Some((
                406,
                "406: Not Acceptable\n\nAvailable representations: application/json".to_owned()
            ))
        );
        assert_eq!(
            media_type_rejection("GET", None, None, Some("text/html,*/*;q=0.8")),
            None
        );
        // A body-less PUT that does not match lands in the Accept step with no route left.
        assert_eq!(
            media_type_rejection("PUT", None, Some("0"), None),
            Some((
                415,
                "415: Unsupported Media Type\n\nAvailable representations: ".to_owned()
            ))
        );
    }

    #[test]
    fn resource_types_are_listed_in_kumas_shape() {
        let body: Value =
            serde_json::from_str(&resource_types_body(&Mode::Global, KumaVersion::V2_14)).unwrap();
        let names: Vec<&str> = body["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "HostnameGenerator",
                "Mesh",
                "MeshLoadBalancingStrategy",
                "MeshMultiZoneService",
                "MeshService"
            ]
        );
        let mlbs = &body["resources"][2];
        assert_eq!(mlbs["path"], "meshloadbalancingstrategies");
        assert_eq!(mlbs["scope"], "Mesh");
        assert_eq!(mlbs["shortName"], "mlbs");
        assert_eq!(mlbs["policy"]["hasToTargetRef"], true);
        assert_eq!(body["resources"][4]["includeInFederation"], false);
        let old: Value =
            serde_json::from_str(&resource_types_body(&Mode::Global, KumaVersion::V2_9)).unwrap();
        assert!(old["resources"][2].get("shortName").is_none());
    }

    #[test]
    fn a_federated_zone_creates_no_default_mesh() {
        let zone = |federated| Mode::Zone {
            name: "z".to_owned(),
            federated,
        };
        assert!(default_mesh(&zone(true), KumaVersion::V3_0).is_none());
        assert_eq!(
            default_mesh(&zone(false), KumaVersion::V3_0)
                .unwrap()
                .meta
                .name,
            "default"
        );
        assert!(default_mesh(&Mode::Global, KumaVersion::V3_0).is_some());
    }

    #[test]
    fn more_ports_than_the_limit_are_refused_on_the_ports_field() {
        let mut service = Resource {
            meta: Meta::default(),
            spec: Spec::MeshService(Default::default()),
            status: None,
        };
        assert!(check_port_count(&service, true).is_ok());
        let port: crate::model::MeshServicePort =
            serde_json::from_value(serde_json::json!({"port": 80})).unwrap();
        if let Spec::MeshService(spec) = &mut service.spec {
            spec.ports = vec![port; MAX_PORTS + 1];
        }
        let error = check_port_count(&service, true).unwrap_err();
        assert_eq!(error.status, 400);
        assert_eq!(error.invalid_parameters[0].field, "spec.ports");
    }

    #[test]
    fn mesh_service_status_always_has_tls_and_dataplane_proxies() {
        assert_eq!(
            mesh_service_status(None),
            serde_json::json!({"tls": {}, "dataplaneProxies": {}})
        );
        let stored = serde_json::json!({"vips": [{"ip": "10.0.0.1"}], "tls": {"status": "Ready"}});
        let rendered = mesh_service_status(Some(&stored));
        assert_eq!(rendered["tls"]["status"], "Ready");
        assert_eq!(rendered["dataplaneProxies"], serde_json::json!({}));
    }

    #[test]
    fn hostnames_inspection_errors_are_kumas() {
        let error = inspectable_type("invalidservice").unwrap_err();
        assert_eq!(error.status, 400);
        assert_eq!(
            error.title,
            r#"only "meshservices,meshexternalservices,meshmultizoneservices" are available for inspection"#
        );
        assert_eq!(
            inspectable_type("meshexternalservices").unwrap_err().status,
            404
        );
        assert_eq!(
            inspectable_type("meshservices").unwrap(),
            ResourceType::MeshService
        );
        assert_eq!(
            hostnames_body(&InspectHostnames::default()),
            r#"{"items":null,"total":0}"#
        );
    }

    #[test]
    fn framework_errors_are_std_errors() {
        let body = body_too_large(10).body();
        assert_eq!(body.error_type, "/std-errors");
        assert_eq!(body.status, 413);
        assert_eq!(framework_error(400, " bad path\n").detail, "bad path");
    }
}
