//! REST behaviour beyond the upstream goldens: pagination and filters, formats, concurrency,
//! tokens, TLS, the index, readiness and fault injection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{mesh_service, mzs, Client, Cluster};
use kuma_local::cp::Chaos;
use kuma_local::server::{Config, Tls, Topology};
use serde_json::{json, Value};

const MZS: &str = "/meshes/default/meshmultizoneservices";

fn global_only(config: Config) -> Cluster {
    Cluster::start(Config {
        topology: Topology::Global,
        port: 0,
        admin_token: Some("tok".to_owned()),
        ..config
    })
}

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn pagination_walks_every_item_once_with_next_links() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    for i in 0..25 {
        let name = format!("svc-{i:02}");
        let mut body = mzs(&name, &[("app", &name)], &[80]);
        if i % 2 == 0 {
            body["labels"] = json!({"team": "even"});
        }
        assert_eq!(g.put(&format!("{MZS}/{name}"), &body).0, 201);
    }
    let (status, first) = g.get(&format!("{MZS}?size=10"));
    assert_eq!(status, 200);
    assert_eq!(first["total"], 25);
    assert_eq!(names(&first).len(), 10);
    let next = first["next"].as_str().unwrap();
    assert!(next.starts_with(&g.base), "{next}");
    // Kuma's order (Go's `url.Values.Encode`: sorted by key), golden crud/list_mesh_04.
    assert!(
        next.ends_with("/meshes/default/meshmultizoneservices?offset=10&size=10"),
        "{next}"
    );
    let (_, filtered) = g.get(&format!("{MZS}?size=5&filter[labels.team]=even&name=svc"));
    let filtered_next = filtered["next"].as_str().unwrap();
    assert!(
        filtered_next.ends_with("?filter%5Blabels.team%5D=even&name=svc&offset=5&size=5"),
        "{filtered_next}"
    );
    let mut seen = names(&first);
    let mut url = next.to_owned();
    loop {
        let client = Client::new(&url, "tok");
        let (_, page) = client.get("");
        seen.extend(names(&page));
        match page["next"].as_str() {
            Some(n) => url = n.to_owned(),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25).map(|i| format!("svc-{i:02}")).collect();
    assert_eq!(seen, expected);
    // Label filter and name substring, ANDed; list across meshes too.
    let (_, even) = g.get(&format!("{MZS}?filter[labels.team]=even&size=100"));
    assert_eq!(even["total"], 13);
    let (_, both) = g.get("/meshmultizoneservices?filter[labels.team]=even&name=svc-1");
    assert_eq!(
        names(&both),
        vec!["svc-10", "svc-12", "svc-14", "svc-16", "svc-18"]
    );
}

#[test]
fn bad_list_parameters_get_kumas_messages() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    let cases = [
        ("size=abc", "size", "invalid format"),
        ("size=0", "size", "must be greater than 0"),
        (
            "size=1001",
            "size",
            "invalid page size of 1001. Maximum page size is 1000",
        ),
        (
            "filter[name]=x",
            "/meshes/{mesh}/meshmultizoneservices.filter[name]",
            "filters are only supported on labels",
        ),
        (
            "filter[labels.a][b]=x",
            "/meshes/{mesh}/meshmultizoneservices.filter[labels.a][b]",
            "advanced filters are not supported",
        ),
    ];
    for (query, field, reason) in cases {
        let (status, body) = g.get(&format!("{MZS}?{query}"));
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["title"], "Could not retrieve resources", "{query}");
        assert_eq!(body["invalid_parameters"][0]["field"], field, "{query}");
        assert_eq!(body["invalid_parameters"][0]["reason"], reason, "{query}");
    }
    // Golden crud/list_dp_with_label_filter_bad: every bad filter, the route Kuma registers.
    let (status, body) = g.get("/meshmultizoneservices?filter[x]=1&filter[labels.a]b=2");
    assert_eq!(status, 400);
    assert_eq!(body["detail"], "Resource is not valid");
    assert_eq!(
        body["invalid_parameters"],
        json!([
            {"field": "/meshmultizoneservices.filter[x]", "reason": "filters are only supported on labels"},
            {"field": "/meshmultizoneservices.filter[labels.a]b", "reason": "advanced filters are not supported"},
        ])
    );
    // Kuma checks the page and the filters before it looks the mesh up.
    let (status, body) = g.get("/meshes/nope/meshmultizoneservices?size=abc");
    assert_eq!(
        (status, body["detail"].as_str()),
        (400, Some("Invalid page size"))
    );
}

#[test]
fn undecodable_put_bodies_get_kumas_bad_request() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    let path = format!("{MZS}/redis");
    // Golden crud/put_dataplanes_05, for an MZS.
    let (status, _, text) = g.raw("PUT", &path, Some("{,\n}"), &[]);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "type": "/std-errors", "status": 400, "title": "Bad Request",
            "detail": "invalid MeshMultiZoneService object: \"invalid character ',' looking for beginning of object key string\"",
            "details": "invalid MeshMultiZoneService object: \"invalid character ',' looking for beginning of object key string\"",
        })
    );
    let (status, _, text) = g.raw("PUT", &path, Some("[1]"), &[]);
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body["detail"],
        "invalid MeshMultiZoneService object: \"json: cannot unmarshal array into Go value of type map[string]interface {}\""
    );
    // Golden crud/put_dataplanes_08, for a Mesh (whose meta Go decodes first).
    let (status, _, text) = g.raw(
        "PUT",
        "/meshes/m1",
        Some(r#"{"type":"Mesh","name":4}"#),
        &[],
    );
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["title"], "Bad Request");
    assert_eq!(
        body["detail"],
        "invalid Mesh object: \"json: cannot unmarshal number into Go struct field ResourceMeta.name of type string\""
    );
    // Its labels are a `map[string]string` there too (they read as serde's text before).
    for (labels, expected) in [
        (
            r#"{"team":true}"#,
            "bool into Go struct field ResourceMeta.labels of type string",
        ),
        (
            r#"["a"]"#,
            "array into Go struct field ResourceMeta.labels of type map[string]string",
        ),
    ] {
        let body = format!(r#"{{"type":"Mesh","name":"m1","labels":{labels}}}"#);
        let (status, _, text) = g.raw("PUT", "/meshes/m1", Some(&body), &[]);
        assert_eq!(status, 400, "{text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            body["detail"],
            format!("invalid Mesh object: \"json: cannot unmarshal {expected}\"")
        );
    }
    let (status, _, text) = g.raw("PUT", "/meshes/m1", Some(""), &[]);
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body["detail"],
        "invalid Mesh object: \"unexpected end of JSON input\""
    );
}

#[test]
fn read_only_fields_of_the_wrong_type_get_kumas_answer() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    let path = format!("{MZS}/redis");
    let with = |extra: Value| {
        let mut body = mzs("redis", &[("app", "redis")], &[6379]);
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    // The schema step: kube-openapi's texts, with the spec's, field "".
    let (status, e) = g.put(
        &path,
        &with(json!({"status": {"meshServices": "x"}, "kri": []})),
    );
    assert_eq!(status, 400);
    assert_eq!(e["title"], "Could not process a resource");
    assert_eq!(
        e["invalid_parameters"],
        json!([
            {"field": "", "reason": "kri in body must be of type string: \"array\""},
            {"field": "", "reason": "status.meshServices in body must be of type array: \"string\""},
        ])
    );
    let (status, e) = g.put(&path, &with(json!({"creationTime": 12})));
    assert_eq!(status, 400);
    assert_eq!(
        e["invalid_parameters"],
        json!([{"field": "", "reason": "creationTime in body must be of type date-time: \"float64\""}])
    );
    // An array passes the date-time type check; Go's decoder refuses it.
    let (status, e) = g.put(&path, &with(json!({"modificationTime": []})));
    assert_eq!(status, 400);
    assert_eq!(e["title"], "Bad Request");
    assert_eq!(
        e["detail"],
        "invalid MeshMultiZoneService object: \"Time.UnmarshalJSON: input is not a JSON string\""
    );
    // What `kumactl get` shows, PUT back: accepted, the read-only fields ignored.
    let read_back = with(json!({
        "creationTime": "2026-11-26T16:57:17.499403952Z",
        "modificationTime": "2026-11-26T16:57:17.499403952Z",
        "kri": "kri_mzsvc_default___redis_",
        "snis": [{"port": 6379, "sni": "sni.mzsvc.default.redis.6379"}],
        "status": {"meshServices": [], "vips": [{"ip": "241.0.0.1"}], "conditions": []},
    }));
    assert_eq!(g.put(&path, &read_back).0, 201);
    let (_, stored) = g.get(&path);
    assert_ne!(stored["status"]["vips"], json!([{"ip": "241.0.0.1"}]));
}

#[test]
fn format_is_read_on_get_after_the_resource_and_ignored_on_lists() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    assert_eq!(g.get(&format!("{MZS}/nope?format=yaml")).0, 404);
    let body = mzs("redis", &[("app", "redis")], &[6379]);
    assert_eq!(g.put(&format!("{MZS}/redis"), &body).0, 201);
    let (status, e) = g.get(&format!("{MZS}/redis?format=yaml"));
    assert_eq!(status, 400);
    assert_eq!(e["title"], "Could not retrieve a resource");
    assert_eq!(e["detail"], "Resource is not valid");
    assert_eq!(
        e["invalid_parameters"],
        json!([{"field": "", "reason": "\"format\" must be one of [\"k8s\", \"kubernetes\", \"universal\"]"}])
    );
    let (status, list) = g.get(&format!("{MZS}?format=kubernetes"));
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["type"], "MeshMultiZoneService");
    assert_eq!(g.get(&format!("{MZS}?format=yaml")).0, 200);
}

#[test]
fn put_is_201_then_200_and_kubernetes_format_is_available() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    let body = mzs("redis", &[("app", "redis")], &[6379]);
    assert_eq!(g.put(&format!("{MZS}/redis"), &body).0, 201);
    assert_eq!(g.put(&format!("{MZS}/redis"), &body).0, 200);
    let (status, k8s) = g.get(&format!("{MZS}/redis?format=kubernetes"));
    assert_eq!(status, 200);
    assert_eq!(k8s["apiVersion"], "kuma.io/v1alpha1");
    assert_eq!(k8s["kind"], "MeshMultiZoneService");
    assert_eq!(k8s["metadata"]["name"], "redis");
    // Kuma's universal inference mapper copies no stored label; it writes only the mesh label
    // (`pkg/plugins/resources/k8s/mapper.go:41-42` at v2.9.13 to v2.14.3 and 3.0).
    assert_eq!(
        k8s["metadata"]["labels"],
        json!({"kuma.io/mesh": "default"})
    );
    assert_eq!(k8s["metadata"]["namespace"], "kuma-system");
    assert_eq!(g.get(&format!("{MZS}/redis?format=k8s")).1, k8s);
    // Errors.
    let (status, e) = g.get(&format!("{MZS}/nope"));
    assert_eq!(
        (status, e["title"].as_str()),
        (404, Some("Could not retrieve a resource"))
    );
    let (status, e) = g.put("/meshes/nope/meshmultizoneservices/redis", &body);
    assert_eq!(
        (status, e["title"].as_str()),
        (404, Some("Failed to retrieve Mesh"))
    );
    let mut bad = body.clone();
    bad["spec"]["ports"] = json!([]);
    let (status, e) = g.put(&format!("{MZS}/redis"), &bad);
    assert_eq!(status, 400);
    assert_eq!(e["title"], "Could not process a resource");
    assert_eq!(e["invalid_parameters"][0]["field"], "spec.ports");
    assert_eq!(
        e["invalid_parameters"][0]["reason"],
        "in body should have at least 1 items"
    );
    assert_eq!(g.delete(&format!("{MZS}/redis")).0, 200);
    assert_eq!(g.delete(&format!("{MZS}/redis")).0, 404);
}

#[test]
fn if_match_gives_optimistic_concurrency() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    let body = mzs("redis", &[("app", "redis")], &[6379]).to_string();
    let path = format!("{MZS}/redis");
    let (status, headers, _) = g.raw("PUT", &path, Some(&body), &[("If-None-Match", "*")]);
    assert_eq!(status, 201);
    let etag = headers.iter().find(|(k, _)| k == "etag").unwrap().1.clone();
    assert_eq!(etag, "\"1\"");
    // A create-only PUT over an existing object: HTTP's 412 (RFC 9110 §13.1.2), in Kuma's shape.
    let (status, _, text) = g.raw("PUT", &path, Some(&body), &[("If-None-Match", "*")]);
    assert_eq!(status, 412, "{text}");
    let refusal: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(refusal["type"], "/std-errors", "{text}");
    assert_eq!(refusal["status"], 412, "{text}");
    assert_eq!(refusal["title"], "Precondition Failed", "{text}");
    assert_eq!(refusal["detail"], "resource already exists", "{text}");
    assert_eq!(
        g.raw("PUT", &path, Some(&body), &[("If-Match", &etag)]).0,
        200
    );
    // The ETag moved on: the stale one fails the precondition, for PUT and DELETE.
    let (status, _, text) = g.raw("PUT", &path, Some(&body), &[("If-Match", &etag)]);
    assert_eq!(status, 412, "{text}");
    assert_eq!(g.raw("DELETE", &path, None, &[("If-Match", &etag)]).0, 412);
    assert_eq!(
        g.raw("DELETE", &path, None, &[("If-Match", "\"2\"")]).0,
        200
    );
}

/// If-Match as RFC 9110 §13.1.1 reads it: `*` holds while the resource exists, a list holds when
/// it names the current entity tag, a weak tag never matches (strong comparison), and a GET with a
/// stale one is 412, not the representation.
#[test]
fn if_match_takes_star_lists_and_compares_strongly() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    let body = mzs("redis", &[("app", "redis")], &[6379]).to_string();
    let path = format!("{MZS}/redis");
    let missing = format!("{MZS}/nope");
    let (status, _, text) = g.raw(
        "PUT",
        &missing,
        Some(&body.replace("redis", "nope")),
        &[("If-Match", "*")],
    );
    assert_eq!(status, 412, "{text}");
    let (status, headers, _) = g.raw("PUT", &path, Some(&body), &[]);
    assert_eq!(status, 201);
    let etag = headers.iter().find(|(k, _)| k == "etag").unwrap().1.clone();
    assert_eq!(
        g.raw("PUT", &path, Some(&body), &[("If-Match", "*")]).0,
        200
    );
    let current = "\"2\"";
    let listed = format!("\"9\", {current}");
    assert_eq!(g.raw("GET", &path, None, &[("If-Match", &listed)]).0, 200);
    assert_eq!(g.raw("GET", &path, None, &[("If-Match", &etag)]).0, 412);
    let (status, _, text) = g.raw("PUT", &path, Some(&body), &[("If-Match", "W/\"2\"")]);
    assert_eq!(status, 412, "{text}");
    assert_eq!(
        g.raw("PUT", &path, Some(&body), &[("If-Match", &listed)]).0,
        200
    );
    assert_eq!(
        g.raw("DELETE", &path, None, &[("If-Match", "\"other-tag\"")])
            .0,
        412
    );
    assert_eq!(g.raw("DELETE", &path, None, &[("If-Match", "*")]).0, 200);
    assert_eq!(
        g.raw("PUT", &path, Some(&body), &[("If-Match", "not a tag")])
            .0,
        400
    );
    // Compared as text, not as numbers.
    let (_, headers, _) = g.raw("PUT", &path, Some(&body), &[]);
    let etag = headers.iter().find(|(k, _)| k == "etag").unwrap().1.clone();
    let padded = etag.replacen('"', "\"0", 1);
    assert_eq!(g.raw("GET", &path, None, &[("If-Match", &padded)]).0, 412);
    assert_eq!(g.raw("GET", &path, None, &[("If-Match", &etag)]).0, 200);
}

#[test]
fn if_none_match_makes_a_get_conditional_and_a_delete_refuse_what_exists() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    let body = mzs("redis", &[("app", "redis")], &[6379]).to_string();
    let path = format!("{MZS}/redis");
    let (_, headers, _) = g.raw("PUT", &path, Some(&body), &[]);
    let etag = headers.iter().find(|(k, _)| k == "etag").unwrap().1.clone();
    // Unchanged: 304 without a body, with the ETag.
    let (status, headers, text) = g.raw("GET", &path, None, &[("If-None-Match", &etag)]);
    assert_eq!((status, text.as_str()), (304, ""));
    assert!(headers.iter().any(|(k, v)| k == "etag" && *v == etag));
    let weak_list = format!("\"7\", W/{etag}");
    assert_eq!(
        g.raw("GET", &path, None, &[("If-None-Match", &weak_list)])
            .0,
        304
    );
    assert_eq!(g.raw("GET", &path, None, &[("If-None-Match", "*")]).0, 304);
    // Changed, or never there: the usual answers.
    assert_eq!(
        g.raw("GET", &path, None, &[("If-None-Match", "\"7\"")]).0,
        200
    );
    let missing = format!("{MZS}/nope");
    assert_eq!(
        g.raw("GET", &missing, None, &[("If-None-Match", "*")]).0,
        404
    );
    // DELETE with `If-None-Match: *` holds only while nothing exists.
    let (status, _, text) = g.raw("DELETE", &path, None, &[("If-None-Match", "*")]);
    assert_eq!(status, 412, "{text}");
    assert_eq!(g.get(&path).0, 200);
    assert_eq!(
        g.raw("DELETE", &missing, None, &[("If-None-Match", "*")]).0,
        404
    );
    assert_eq!(
        g.raw("DELETE", "/meshes/default", None, &[("If-None-Match", "*")])
            .0,
        412
    );
    // An If-None-Match naming the current ETag refuses a PUT or DELETE; another ETag lets it through.
    let (status, _, text) = g.raw("PUT", &path, Some(&body), &[("If-None-Match", &weak_list)]);
    assert_eq!(status, 412, "{text}");
    assert_eq!(
        g.raw("DELETE", &path, None, &[("If-None-Match", &etag)]).0,
        412
    );
    let (status, headers, _) = g.raw("PUT", &path, Some(&body), &[("If-None-Match", "\"7\"")]);
    assert_eq!(status, 200);
    let etag = headers.iter().find(|(k, _)| k == "etag").unwrap().1.clone();
    assert_eq!(
        g.raw("DELETE", &path, None, &[("If-None-Match", "\"1\"")])
            .0,
        200
    );
    // Nothing there: the condition holds, so a PUT creates.
    assert_eq!(
        g.raw("PUT", &path, Some(&body), &[("If-None-Match", &etag)])
            .0,
        201
    );
}

/// A MeshService's status changes under the same ETag (the spec's version, which a writer's
/// If-Match relies on), so a conditional GET of it always gets the body: a 304 served a stale
/// VIP or hostname list.
#[test]
fn a_resource_with_a_status_is_never_not_modified() {
    let cluster = Cluster::federation(&["east"]);
    let east = cluster.zone("east");
    let path = "/meshes/default/meshservices/redis";
    assert_eq!(
        east.put(path, &mesh_service("redis", 6379, "Available")).0,
        201
    );
    common::wait_until(std::time::Duration::from_secs(5), || {
        east.get(path).1["status"]["vips"].is_array()
    });
    let (_, headers, _) = east.raw("GET", path, None, &[]);
    let etag = header(&headers, "etag").unwrap_or_default().to_owned();
    assert!(!etag.is_empty());
    let (status, _, text) = east.raw("GET", path, None, &[("If-None-Match", &etag)]);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"vips\""), "{text}");
}

#[test]
fn tokens_are_required_unless_anonymous_loopback_is_enabled() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    let (status, body) = g.anonymous().get("/meshes");
    assert_eq!(status, 401);
    assert_eq!(body["title"], "Invalid authentication data");
    let wrong = Client::new(&g.base, "wrong");
    assert_eq!(wrong.get("/meshes").0, 401);
    assert_eq!(g.get("/meshes").0, 200);
    // Index and readiness are open, like Kuma's.
    let (status, index) = g.anonymous().get("/");
    assert_eq!(status, 200);
    // Kuma OSS sends neither `tagline` nor `basedOnKuma` (v2.14.3 `index_endpoints.go`).
    assert!(index.get("tagline").is_none(), "{index}");
    assert_eq!(index["product"], "Kuma");
    assert_eq!(index["version"], "3.0.0");
    // Kuma sends its GUI's path there, `""` when it serves none (kuma-local has no GUI).
    assert_eq!(index["gui"], "");
    assert_eq!(g.anonymous().raw("GET", "/ready", None, &[]).0, 200);

    let open = global_only(Config {
        allow_anonymous_localhost: true,
        ..Config::default()
    });
    let g = open.global();
    assert_eq!(g.anonymous().get("/meshes").0, 200);
    // Kuma's `LocalhostAuthenticator` runs first and makes a direct loopback request the admin,
    // so its token, right or wrong, is never looked at.
    assert_eq!(Client::new(&g.base, "stale").get("/meshes").0, 200);
    assert_eq!(g.get("/meshes").0, 200);
    assert_eq!(
        Client::new(&g.base, "stale").raw("POST", "/", None, &[]).0,
        405
    );
    // Not a direct request (a proxy in between): no admin, and the token is checked again.
    let proxied = [("X-Forwarded-For", "10.0.0.1")];
    assert_eq!(g.raw("GET", "/meshes", None, &proxied).0, 200);
    let (status, _, _) = Client::new(&g.base, "stale").raw("GET", "/meshes", None, &proxied);
    assert_eq!(status, 401);
    let (status, _, text) = g.anonymous().raw("GET", "/meshes", None, &proxied);
    assert_eq!(status, 403, "{text}");
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body["detail"],
        "anonymous access is only allowed for direct requests from localhost"
    );
    // A page of another origin in a browser on this machine is no direct request either.
    let cross = [
        ("Origin", "http://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
    ];
    let (status, _, cross_text) = g.anonymous().raw("GET", "/meshes", None, &cross);
    assert_eq!((status, cross_text), (403, text));
}

#[test]
fn config_tells_the_mode_as_kumas_does_and_needs_a_token() {
    let cluster = Cluster::federation(&["east"]);
    let g = cluster.global();
    let global_url = cluster.info().global.clone().unwrap_or_default();
    // Kuma's index has no mode; its configuration at `GET /config` has.
    let (status, config) = g.get("/config");
    assert_eq!(status, 200);
    assert_eq!(config["mode"], "global");
    assert!(
        config["multizone"]["zone"].get("name").is_none(),
        "{config}"
    );
    let (status, config) = cluster.zone("east").get("/config");
    assert_eq!(status, 200);
    assert_eq!(config["mode"], "zone");
    assert_eq!(config["multizone"]["zone"]["name"], "east");
    assert_eq!(
        config["multizone"]["zone"]["globalAddress"],
        global_url.as_str()
    );
    assert_eq!(g.anonymous().get("/config").0, 401);
    // The VIP ranges, in Kuma's keys, for a tool that reads them from the configuration, and
    // whether token-less loopback requests act as admin (Kuma's default `true`; here a flag).
    for client in [g, cluster.zone("east")] {
        let config = client.get("/config").1;
        assert_eq!(config["ipam"]["meshService"]["cidr"], "241.0.0.0/8");
        assert_eq!(
            config["ipam"]["meshMultiZoneService"]["cidr"],
            "243.0.0.0/8"
        );
        assert_eq!(config["apiServer"]["authn"]["localhostIsAdmin"], false);
    }

    let solo = Cluster::start(Config {
        topology: Topology::Zone {
            name: "solo".to_owned(),
            global: None,
        },
        port: 0,
        ipam: kuma_local::server::Ipam {
            mesh_service_cidr: "10.100.0.0/16".parse().unwrap(),
            mzs_cidr: "10.200.0.0/16".parse().unwrap(),
        },
        allow_anonymous_localhost: true,
        ..Config::default()
    });
    let (status, config) = solo.zone("solo").get("/config");
    assert_eq!(status, 200);
    assert_eq!(config["ipam"]["meshService"]["cidr"], "10.100.0.0/16");
    assert_eq!(
        config["ipam"]["meshMultiZoneService"]["cidr"],
        "10.200.0.0/16"
    );
    assert_eq!(config["apiServer"]["authn"]["localhostIsAdmin"], true);
    assert_eq!(config["mode"], "zone");
    assert_eq!(config["multizone"]["zone"]["name"], "solo");
    // A zone on its own: no global address, left out as Kuma leaves it out.
    assert!(
        config["multizone"]["zone"].get("globalAddress").is_none(),
        "{config}"
    );
}

#[test]
fn default_mesh_and_hostname_generators_exist_at_start() {
    let cluster = Cluster::federation(&["east"]);
    let g = cluster.global();
    assert_eq!(g.get("/meshes/default").0, 200);
    let (_, generators) = g.get("/hostnamegenerators");
    let names = names(&generators);
    assert!(
        names.contains(&"synced-mesh-multi-zone-service".to_owned()),
        "{names:?}"
    );
    let (_, hg) = g.get("/hostnamegenerators/synced-mesh-multi-zone-service");
    assert_eq!(
        hg["spec"]["template"],
        "{{ .DisplayName }}.mzsvc.mesh.local"
    );
    let east = cluster.zone("east");
    // A zone stores global's generators under their KDS name (`HashedName("", name)`).
    let on_zone = format!(
        "/hostnamegenerators/{}",
        kuma_mzs_core::api::hashed_name("", "synced-mesh-multi-zone-service", &[])
    );
    common::wait_until(std::time::Duration::from_secs(5), || {
        east.get(&on_zone).0 == 200
    });
    assert_eq!(
        east.get(&on_zone).1["labels"]["kuma.io/display-name"],
        "synced-mesh-multi-zone-service"
    );
    assert_eq!(
        east.get("/hostnamegenerators/local-universal-mesh-service")
            .0,
        200
    );
}

#[test]
fn tls_with_a_generated_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start(Config {
        topology: Topology::Global,
        port: 0,
        tls: Tls::SelfSigned,
        data_dir: Some(dir.path().to_owned()),
        admin_token: Some("tok".to_owned()),
        ..Config::default()
    });
    let info = cluster.info();
    let url = info.global.clone().unwrap();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let pem = std::fs::read(info.tls_cert_file.as_ref().unwrap()).unwrap();
    let client = Client::with_agent(&url, Some("tok"), Client::agent(Some(&pem)));
    assert_eq!(client.get("/meshes/default").0, 200);
    // Without trusting the certificate the handshake fails; plain HTTP gets nothing useful.
    let untrusting = Client::with_agent(&url, Some("tok"), Client::agent(None));
    assert!(untrusting.try_raw("GET", "/meshes", None, &[]).is_err());
    let plain = Client::new(&url.replace("https://", "http://"), "tok");
    assert!(plain
        .try_raw("GET", "/meshes", None, &[])
        .map_or(true, |r| r.0 != 200));
    // next links use https.
    let (_, list) = client.get("/hostnamegenerators?size=1");
    assert!(list["next"].as_str().unwrap().starts_with("https://"));
}

/// A CA and a server certificate it signed for the loopback names: (CA PEM, chain PEM, key PEM).
fn ca_signed_certificate() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "kuma-local test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &ca_cert, &ca_key)
        .unwrap();
    (ca_cert.pem(), leaf.pem(), key.serialize_pem())
}

/// `--tls-cert`/`--tls-key` serve the given certificate, so a client that trusts only the CA
/// that signed it connects (and one that trusts nothing does not), and `--global-ca-cert` makes
/// a zone process trust that CA for its link to global.
#[test]
fn tls_with_given_files_is_trusted_through_their_ca() {
    use kuma_local::server::RemoteGlobal;
    let dir = tempfile::tempdir().unwrap();
    let (ca_pem, cert_pem, key_pem) = ca_signed_certificate();
    let (ca, cert, key) = (
        dir.path().join("ca.crt"),
        dir.path().join("server.crt"),
        dir.path().join("server.key"),
    );
    std::fs::write(&ca, &ca_pem).unwrap();
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, &key_pem).unwrap();
    // The readiness wait of `Cluster::start` trusts the reported certificate file, which holds
    // the server certificate, not its CA: wait here with the CA.
    let global = Cluster::start_unchecked(Config {
        topology: Topology::Global,
        port: 0,
        tls: Tls::Files {
            cert: cert.clone(),
            key: key.clone(),
        },
        admin_token: Some("tok".to_owned()),
        ..Config::default()
    });
    let info = global.info();
    let url = info.global.clone().unwrap();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert_eq!(info.tls_cert_file.as_deref(), Some(cert.to_str().unwrap()));
    let g = Client::with_agent(&url, Some("tok"), Client::agent(Some(ca_pem.as_bytes())));
    common::wait_until(std::time::Duration::from_secs(10), || {
        g.try_raw("GET", "/ready", None, &[])
            .is_ok_and(|r| r.0 == 200)
    });
    assert_eq!(g.get("/meshes/default").0, 200);
    let untrusting = Client::with_agent(&url, Some("tok"), Client::agent(None));
    assert!(untrusting.try_raw("GET", "/meshes", None, &[]).is_err());

    let zone = Cluster::start(Config {
        topology: Topology::Zone {
            name: "east".to_owned(),
            global: Some(RemoteGlobal {
                url,
                token: Some("tok".to_owned()),
                ca_cert: Some(ca),
            }),
        },
        port: 0,
        admin_token: Some("tok".to_owned()),
        ..Config::default()
    });
    let east = zone.zone("east");
    assert_eq!(
        east.put(
            "/meshes/default/meshservices/redis",
            &common::mesh_service("redis", 6379, "Available"),
        )
        .0,
        201
    );
    common::wait_until(std::time::Duration::from_secs(10), || {
        g.get("/meshes/default/meshservices").1["total"] == 1
    });
}

/// A key that does not belong to the given certificate is refused at start, naming neither
/// file's content.
#[test]
fn tls_with_a_key_of_another_certificate_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let (_, cert_pem, _) = ca_signed_certificate();
    let (_, _, other_key) = ca_signed_certificate();
    let (cert, key) = (dir.path().join("server.crt"), dir.path().join("other.key"));
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, &other_key).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = runtime.block_on(kuma_local::start(Config {
        topology: Topology::Global,
        port: 0,
        tls: Tls::Files { cert, key },
        ..Config::default()
    }));
    let Err(error) = started else {
        panic!("started with a key of another certificate");
    };
    assert!(error.to_string().starts_with("tls: "), "{error}");
}

#[test]
fn chaos_injects_503s_and_latency_but_not_on_readiness() {
    let cluster = global_only(Config {
        chaos: Chaos {
            error_rate: 1.0,
            latency: std::time::Duration::from_millis(50),
            drop_rate: 0.0,
        },
        ..Config::default()
    });
    let g = cluster.global();
    let started = std::time::Instant::now();
    let (status, body) = g.get("/meshes");
    assert_eq!(status, 503);
    assert_eq!(body["type"], "/std-errors");
    assert!(started.elapsed() >= std::time::Duration::from_millis(50));
    assert_eq!(g.raw("GET", "/ready", None, &[]).0, 200);

    let dropping = Cluster::start_unchecked(Config {
        topology: Topology::Global,
        port: 0,
        chaos: Chaos {
            drop_rate: 1.0,
            ..Chaos::default()
        },
        ..Config::default()
    });
    assert!(dropping
        .global()
        .try_raw("GET", "/ready", None, &[])
        .is_err());
}

#[test]
fn a_generated_admin_token_is_kept_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let config = || Config {
        topology: Topology::Global,
        port: 0,
        data_dir: Some(dir.path().to_owned()),
        ..Config::default()
    };
    let first = Cluster::start(config()).token();
    assert_eq!(first.len(), 64);
    let stored = std::fs::read_to_string(dir.path().join("admin-token")).unwrap();
    assert_eq!(stored, first);
    let second = Cluster::start(config());
    assert_eq!(second.token(), first);
    assert_eq!(second.global().get("/meshes/default").0, 200);
}

#[test]
fn kri_lookup_unknown_paths_and_methods() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    g.put(
        &format!("{MZS}/redis"),
        &mzs("redis", &[("app", "redis")], &[6379]),
    );
    let (status, body) = g.get("/_kri/kri_mzsvc_default___redis_");
    assert_eq!(status, 200);
    assert_eq!(body["name"], "redis");
    assert_eq!(
        g.get("/_kri/kri_mzsvc_default___redis_6379").1["name"],
        "redis"
    );
    assert_eq!(g.get("/_kri/kri_mzsvc_default___nope_").0, 404);
    // A zone-less KRI names the global object whatever its namespace part (a Kubernetes global
    // reports its resources with the system namespace in their KRI).
    assert_eq!(
        g.get("/_kri/kri_mzsvc_default__kuma-system_redis_").1["name"],
        "redis"
    );
    assert_eq!(g.get("/_kri/garbage").0, 400);
    // Kuma's kri.FromString: everything after the name is the section; its errors are
    // 400 `Bad Request` with `bad request: ...` (golden crud/get_resource_by_kri_bad-request).
    assert_eq!(
        g.get("/_kri/kri_mzsvc_default___redis_6379_x").1["name"],
        "redis"
    );
    for (kri, detail) in [
        (
            "kri___default_default__mtp-3_",
            r#"bad request: unknown short name of resource type: """#,
        ),
        (
            "invalid-kri",
            r#"bad request: invalid identifier string: "invalid-kri""#,
        ),
        (
            "id_mzsvc_default___redis_",
            r#"bad request: identifier must start with 'kri': "id_mzsvc_default___redis_""#,
        ),
    ] {
        let (status, body) = g.get(&format!("/_kri/{kri}"));
        assert_eq!(status, 400, "{kri}");
        assert_eq!(body["title"], "Bad Request", "{kri}");
        assert_eq!(body["detail"], detail, "{kri}");
    }
    let (status, body) = g.get("/_kri/kri_mzsvc_default___redis_?format=yaml");
    assert_eq!(
        (status, body["title"].as_str()),
        (400, Some("Could not format a resource"))
    );
    // A Kuma type kuma-local does not model, an empty name: nothing found, as in Kuma.
    assert_eq!(g.get("/_kri/kri_mtp_default___x_").0, 404);
    assert_eq!(g.get("/_kri/kri_mzsvc_default____").0, 404);
    // Unknown paths and methods: `unknown_paths_and_methods_get_go_restfuls_plain_text`.
    let (status, _, text) = g.raw("GET", "/meshes/default/unknowns", None, &[]);
    assert_eq!((status, text.as_str()), (404, "404: Page Not Found"));
    let (status, _, _) = g.raw("POST", &format!("{MZS}/redis"), Some("{}"), &[]);
    assert_eq!(status, 405);
    // Go's `url.Query()` drops a malformed pair: Kuma lists with the default size.
    let (status, body) = g.get("/meshes?size=%ZZ");
    assert_eq!((status, body["total"].as_u64()), (200, Some(1)));
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// What go-restful's router answers before any Kuma handler runs, in plain text as Go writes
/// it (`WriteErrorString`, Content-Type sniffed by Go's server): a path no route has is
/// `404: Page Not Found` whatever the method (kuma-dp compares the body with that text), a
/// method the path lacks is `405: Method Not Allowed` with the path's methods in `Allow`. A
/// known type's missing object and a write of a type the control plane serves read-only stay
/// the JSON answers of Kuma's handlers.
#[test]
fn unknown_paths_and_methods_get_go_restfuls_plain_text() {
    let cluster = Cluster::federation(&["east"]);
    let g = cluster.global();
    let plain = "text/plain; charset=utf-8";
    for (method, path, body) in [
        ("GET", "/meshes/default/foos", None),
        ("GET", "/zones", None),
        ("GET", "/zones/_overview", None),
        ("GET", "/meshes/default/foos/x", None),
        ("PUT", "/meshes/default/foos/x", Some("{}")),
        // No Content-Type: still no route, so no 415 either.
        ("PUT", "/foos/x", None),
        ("DELETE", "/meshes/default/meshmultizoneservices/x/y", None),
        // A global-scoped type under a mesh, a mesh-scoped one without.
        ("GET", "/meshes/default/hostnamegenerators", None),
        ("GET", "/meshservices/x", None),
    ] {
        let (status, headers, text) = g.raw(method, path, body, &[]);
        assert_eq!(
            (status, text.as_str(), header(&headers, "content-type")),
            (404, "404: Page Not Found", Some(plain)),
            "{method} {path}"
        );
    }
    for (method, path, allow) in [
        ("POST", format!("{MZS}/x"), "PUT, DELETE, GET"),
        ("POST", "/meshes".to_owned(), "GET"),
        ("POST", "/meshes/default".to_owned(), "PUT, DELETE, GET"),
        ("PUT", MZS.to_owned(), "GET"),
        ("DELETE", "/hostnamegenerators".to_owned(), "GET"),
        (
            "PATCH",
            "/hostnamegenerators/x".to_owned(),
            "PUT, DELETE, GET",
        ),
        (
            "POST",
            "/meshes/default/meshservices/x/_hostnames".to_owned(),
            "GET",
        ),
    ] {
        // The method is refused before the body's media type is looked at.
        let (status, headers, text) = g.raw(
            method,
            &path,
            None,
            &[("Content-Type", "text/plain"), ("Content-Length", "0")],
        );
        assert_eq!(
            (status, text.as_str(), header(&headers, "content-type")),
            (405, "405: Method Not Allowed", Some(plain)),
            "{method} {path}"
        );
        assert_eq!(header(&headers, "allow"), Some(allow), "{method} {path}");
    }
    // HEAD is a method no route has; its answer has the headers and no body.
    let (status, headers, text) = g.raw("HEAD", "/meshes", None, &[]);
    assert_eq!((status, text.as_str()), (405, ""));
    assert_eq!(header(&headers, "allow"), Some("GET"));
    assert_eq!(header(&headers, "content-type"), Some(plain));

    // Kuma's handlers: a known type's missing object, read-only types' writes.
    let (status, body) = g.get(&format!("{MZS}/missing"));
    assert_eq!(
        (status, &body["title"]),
        (404, &json!("Could not retrieve a resource"))
    );
    assert_eq!(body["type"], "/std-errors");
    let (status, body) = g.delete("/meshes/default/meshservices/x");
    assert_eq!(
        (status, &body["title"]),
        (405, &json!("Method not allowed"))
    );
    let east = cluster.zone("east");
    let (status, body) = east.put(&format!("{MZS}/x"), &mzs("x", &[("a", "b")], &[80]));
    assert_eq!(
        (status, &body["title"]),
        (405, &json!("Method not allowed"))
    );
    // Kuma's container filters (authentication) run before the router's answer: a bad token is
    // a 401 on any path and method, `/` included, and carries no `Allow` of the router's.
    let stale = Client::new(&g.base, "stale");
    for (method, path) in [
        ("GET", "/zones"),
        ("POST", "/meshes"),
        ("POST", "/"),
        ("HEAD", "/"),
    ] {
        let (status, headers, _) = stale.raw(method, path, None, &[]);
        assert_eq!(
            (status, header(&headers, "allow")),
            (401, None),
            "{method} {path}"
        );
    }
    // Kuma's token filter lets a request without a token on as anonymous, so the router answers
    // a path or method it has no route for; kuma-local refuses the anonymous caller only on a
    // route that exists.
    let (status, headers, text) = g.anonymous().raw("GET", "/zones", None, &[]);
    assert_eq!(
        (status, text.as_str(), header(&headers, "content-type")),
        (404, "404: Page Not Found", Some(plain))
    );
    let (status, headers, text) = g.anonymous().raw("POST", "/meshes", None, &[]);
    assert_eq!(
        (status, text.as_str(), header(&headers, "allow")),
        (405, "405: Method Not Allowed", Some("GET"))
    );
    assert_eq!(g.anonymous().raw("POST", "/", None, &[]).0, 405);

    // Routes a release does not have: 2.9 has no `_hostnames` (nor `_kri` before 2.13).
    let old = Cluster::global_of(kuma_mzs_core::KumaVersion::V2_9);
    let o = old.global();
    for path in [
        format!("{MZS}/redis/_hostnames"),
        "/_kri/kri_mzsvc_default___redis_".to_owned(),
    ] {
        let (status, _, text) = o.raw("GET", &path, None, &[]);
        assert_eq!(
            (status, text.as_str()),
            (404, "404: Page Not Found"),
            "{path}"
        );
    }
}

#[test]
fn a_request_under_a_mesh_that_does_not_exist_is_kumas_404() {
    // Kuma looks the mesh up first: upstream golden `crud/list_mesh_doesnt_exist_not_found`.
    let cluster = global_only(Config::default());
    let g = cluster.global();
    let golden = json!({
        "type": "/std-errors",
        "status": 404,
        "title": "Failed to retrieve Mesh",
        "detail": "Not found",
        "details": "Not found"
    });
    for (status, body) in [
        g.get("/meshes/not-a-mesh/meshmultizoneservices"),
        g.get("/meshes/not-a-mesh/meshmultizoneservices/redis"),
        g.delete("/meshes/not-a-mesh/meshmultizoneservices/redis"),
    ] {
        assert_eq!((status, &body), (404, &golden));
    }
    // Lists across meshes and the existing mesh answer as before.
    assert_eq!(g.get("/meshmultizoneservices").0, 200);
    assert_eq!(g.get(MZS).0, 200);
}

/// One request written by hand (no client that follows redirects or fixes paths): the status
/// line and headers, lower-cased.
fn raw_head(base: &str, request_line: &str) -> (String, String) {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{request_line}\r\nHost: {address}\r\nAuthorization: Bearer tok\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    (head.to_lowercase(), body.to_owned())
}

/// URLs that work against Kuma work here: a trailing slash is trimmed before routing
/// (go-restful), a path that is not clean is a 301 to the clean one (Go's ServeMux), HEAD is a
/// method no route has (405 with go-restful's `Allow`), and every JSON body is pretty-printed
/// as go-restful prints it.
#[test]
fn urls_and_layout_as_kumas_http_stack_has_them() {
    let cluster = global_only(Config::default());
    let g = cluster.global();
    let body = mzs("redis", &[("app", "redis")], &[6379]).to_string();
    let (status, _, text) = g.raw("PUT", &format!("{MZS}/redis/"), Some(&body), &[]);
    assert_eq!(status, 201, "{text}");
    let (status, _, text) = g.raw("GET", &format!("{MZS}/?size=1"), None, &[]);
    assert_eq!(status, 200, "{text}");
    assert!(
        text.starts_with(
            "{\n \"total\": 1,\n \"items\": [\n  {\n   \"type\": \"MeshMultiZoneService\",\n"
        ),
        "{text}"
    );
    assert!(text.contains("\n   \"name\": \"redis\",\n"), "{text}");

    let (head, body) = raw_head(
        &g.base,
        "GET //meshes/default/./meshmultizoneservices/redis?format=universal HTTP/1.1",
    );
    assert!(head.starts_with("http/1.1 301"), "{head}");
    assert!(
        head.contains("\r\nlocation: /meshes/default/meshmultizoneservices/redis?format=universal"),
        "{head}"
    );
    assert!(body.contains("Moved Permanently"), "{body}");

    let (head, _) = raw_head(&g.base, &format!("HEAD {MZS}/redis HTTP/1.1"));
    assert!(head.starts_with("http/1.1 405"), "{head}");
    assert!(head.contains("\r\nallow: put, delete, get"), "{head}");
    let (head, _) = raw_head(
        &g.base,
        "HEAD /meshes/default/meshmultizoneservices/redis/_hostnames/x HTTP/1.1",
    );
    assert!(head.starts_with("http/1.1 404"), "{head}");
    let (head, _) = raw_head(&g.base, "POST /meshes HTTP/1.1");
    assert!(head.starts_with("http/1.1 405"), "{head}");
    assert!(head.contains("\r\nallow: get\r\n"), "{head}");
}

/// A MeshService's status prints in the order of Kuma's Go structs (`MeshServiceStatus`:
/// addresses, vips, tls, hostnameGenerators, dataplaneProxies; an address: hostname, origin,
/// hostnameGeneratorRef), as an MZS's already did, so line-based tools read Kuma's layout.
#[test]
fn a_mesh_service_status_prints_in_gos_field_order() {
    let cluster = Cluster::federation(&["east"]);
    let east = cluster.zone("east");
    let path = "/meshes/default/meshservices/redis";
    assert_eq!(
        east.put(path, &mesh_service("redis", 6379, "Available")).0,
        201
    );
    common::wait_until(std::time::Duration::from_secs(5), || {
        let (_, item) = east.get(path);
        item["status"]["addresses"].is_array() && item["status"]["vips"].is_array()
    });
    let (_, _, text) = east.raw("GET", path, None, &[]);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} not in {text}"))
    };
    assert!(at("\"addresses\"") < at("\"vips\""), "{text}");
    assert!(at("\"vips\"") < at("\"tls\""), "{text}");
    assert!(at("\"tls\"") < at("\"hostnameGenerators\""), "{text}");
    assert!(
        at("\"hostnameGenerators\"") < at("\"dataplaneProxies\""),
        "{text}"
    );
    assert!(at("\"hostname\":") < at("\"origin\""), "{text}");
    assert!(at("\"origin\"") < at("\"hostnameGeneratorRef\""), "{text}");
}

/// A MeshLoadBalancingStrategy's `loadBalancer` and `hashPolicies` print in the field order of
/// Kuma's Go structs (`type` first, `choiceCount` before `activeRequestBias`, a hash policy's
/// `type` and `terminal` before its `cookie`), not in a JSON map's sorted order.
#[test]
fn a_load_balancer_prints_in_gos_field_order() {
    let cluster = global_only(Config::default());
    let global = cluster.global();
    let path = "/meshes/default/meshloadbalancingstrategies/lb";
    let body = serde_json::json!({
        "type": "MeshLoadBalancingStrategy", "mesh": "default", "name": "lb",
        "spec": {"targetRef": {"kind": "Mesh"}, "to": [{
            "targetRef": {"kind": "Mesh"},
            "default": {
                "loadBalancer": {"type": "LeastRequest", "leastRequest": {"activeRequestBias": "1.5", "choiceCount": 3}},
                "hashPolicies": [{"type": "Cookie", "cookie": {"path": "/", "ttl": "90s", "name": "c"}, "terminal": true}]
            }
        }]}
    });
    let (status, reply) = global.put(path, &body);
    assert!(status == 200 || status == 201, "{status} {reply}");
    let (_, _, text) = global.raw("GET", path, None, &[]);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} not in {text}"))
    };
    assert!(
        at("\"type\": \"LeastRequest\"") < at("\"leastRequest\""),
        "{text}"
    );
    assert!(
        at("\"choiceCount\"") < at("\"activeRequestBias\""),
        "{text}"
    );
    assert!(at("\"type\": \"Cookie\"") < at("\"terminal\""), "{text}");
    assert!(at("\"terminal\"") < at("\"cookie\""), "{text}");
    assert!(at("\"name\": \"c\"") < at("\"path\""), "{text}");
    // A Kubernetes Duration, printed as Go's `Duration.String()`.
    assert!(at("\"ttl\": \"1m30s\"") < at("\"path\""), "{text}");
}
