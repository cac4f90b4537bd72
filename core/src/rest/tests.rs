#![allow(clippy::unwrap_used)]

use super::default_generators::default_hostname_generators;
use super::errors::*;
use super::inspect::*;
use super::labels::*;
use super::list_query::*;
use super::mode::*;
use super::output::*;
use super::put::*;
use super::resource_names::*;
use crate::kds::{hashed_name, rename_for_zones};
use crate::model::{KumaVersion, Labels, ResourceType};
use crate::validate::meta::*;
use crate::Violation;

fn zone() -> Mode {
    Mode::Zone {
        name: "east".into(),
        federated: false,
    }
}

const REDIS: &str = r#"{"type":"MeshMultiZoneService","name":"redis","mesh":"default",
  "spec":{"selector":{"meshService":{"matchLabels":{"kuma.io/display-name":"redis"}}},
  "ports":[{"port":6379}]}}"#;

/// `prepare_put` or `review_put`.
type PutPipeline = fn(
    &Mode,
    KumaVersion,
    ResourceType,
    Option<&str>,
    &str,
    &[u8],
    StoreView<'_>,
) -> Result<PreparedPut, ApiError>;

/// A PUT of the MZS `name` in mesh default, through `pipeline`, as a create.
fn mzs_put(
    pipeline: PutPipeline,
    mode: &Mode,
    name: &str,
    body: &str,
) -> Result<PreparedPut, ApiError> {
    pipeline(
        mode,
        KumaVersion::default(),
        ResourceType::MeshMultiZoneService,
        Some("default"),
        name,
        body.as_bytes(),
        StoreView {
            mesh_exists: true,
            existing: None,
        },
    )
}

fn put(mode: &Mode, name: &str, body: &str) -> Result<PreparedPut, ApiError> {
    mzs_put(prepare_put, mode, name, body)
}

fn review(mode: &Mode, name: &str, body: &str) -> Result<PreparedPut, ApiError> {
    mzs_put(review_put, mode, name, body)
}

#[test]
fn put_computes_labels_defaults_and_kri() {
    let p = put(&zone(), "redis", REDIS).unwrap();
    assert!(p.created);
    let labels: Vec<_> = p.resource.meta.labels.iter().collect();
    assert_eq!(
        labels,
        vec![
            (&"kuma.io/display-name".to_owned(), &"redis".to_owned()),
            (&"kuma.io/mesh".to_owned(), &"default".to_owned()),
            (&"kuma.io/origin".to_owned(), &"zone".to_owned()),
        ]
    );
    assert_eq!(resource_kri(&p.resource), "kri_mzsvc_default___redis_");
    let snis = resource_snis(&p.resource);
    assert_eq!(snis[0].sni, "sni.mzsvc.default.redis.6379");
    let json = serde_json::to_string(&RestItem {
        resource: &p.resource,
        times: Times {
            creation: "t",
            modification: "t",
        },
    })
    .unwrap();
    assert!(
        json.starts_with(
            r#"{"type":"MeshMultiZoneService","mesh":"default","name":"redis","creationTime":"t""#
        ),
        "{json}"
    );
    assert!(json.contains(r#""ports":[{"port":6379,"appProtocol":"tcp"}]"#));
    assert!(json.ends_with(r#""status":{}}"#));
}

#[test]
fn each_release_prints_kri_and_snis_as_its_marshaller_does() {
    let body = r#"{"type":"MeshMultiZoneService","name":"snix","mesh":"default",
      "spec":{"selector":{"meshService":{"matchLabels":{"x":"y"}}},
      "ports":[{"name":"ok","port":81},{"name":"Http","port":80}]}}"#;
    let p = put(&Mode::Global, "snix", body).unwrap();
    let print = |version: KumaVersion| {
        serde_json::to_value(ReleaseItem {
            resource: &p.resource,
            times: Times {
                creation: "t",
                modification: "t",
            },
            version,
        })
        .unwrap()
    };
    // From 2.14 one SNI per port, names that are no DNS label included, sorted by port.
    for version in [KumaVersion::V3_0, KumaVersion::V2_14] {
        let item = print(version);
        assert_eq!(item["kri"], "kri_mzsvc_default___snix_", "{version:?}");
        assert_eq!(
            item["snis"],
            serde_json::json!([
                {"port": 80, "sni": "sni.mzsvc.default.snix.Http"},
                {"port": 81, "sni": "sni.mzsvc.default.snix.ok"}
            ]),
            "{version:?}"
        );
    }
    // 2.13: `kri` only; 2.9 to 2.12: neither.
    let item = print(KumaVersion::V2_13);
    assert_eq!(item["kri"], "kri_mzsvc_default___snix_");
    assert!(item.get("snis").is_none(), "{item}");
    for version in [
        KumaVersion::V2_12,
        KumaVersion::V2_11,
        KumaVersion::V2_10,
        KumaVersion::V2_9,
    ] {
        let item = print(version);
        assert!(item.get("kri").is_none(), "{version:?}: {item}");
        assert!(item.get("snis").is_none(), "{version:?}: {item}");
        assert_eq!(item["spec"]["ports"][0]["port"], 81);
    }
}

#[test]
fn releases_before_2_12_drop_an_empty_hostname_generator_match_labels() {
    let body = br#"{"type":"HostnameGenerator","name":"hg","spec":{
      "selector":{"meshMultiZoneService":{"matchLabels":{}}},"template":"{{ .DisplayName }}.x",
      "extension":{"type":"ext","config":null}}}"#;
    // 2.11: the oldest release with `extension`.
    let generator = prepare_put(
        &Mode::Global,
        KumaVersion::V2_11,
        ResourceType::HostnameGenerator,
        None,
        "hg",
        body,
        StoreView {
            mesh_exists: true,
            existing: None,
        },
    )
    .unwrap()
    .resource;
    let spec = |version: KumaVersion| {
        serde_json::to_value(ReleaseItem {
            resource: &generator,
            times: Times {
                creation: "t",
                modification: "t",
            },
            version,
        })
        .unwrap()["spec"]
            .clone()
    };
    for version in [KumaVersion::V2_9, KumaVersion::V2_10, KumaVersion::V2_11] {
        let spec = spec(version);
        // A Go map with `omitempty`: the empty map is not printed, the selector kind is.
        assert_eq!(
            spec["selector"],
            serde_json::json!({"meshMultiZoneService": {}}),
            "{version:?}"
        );
    }
    for version in [KumaVersion::V2_12, KumaVersion::V2_14, KumaVersion::V3_0] {
        assert_eq!(
            spec(version)["selector"],
            serde_json::json!({"meshMultiZoneService": {"matchLabels": {}}}),
            "{version:?}"
        );
    }
    // A null extension config is no config (`*apiextensionsv1.JSON` with `omitempty`).
    assert_eq!(
        spec(KumaVersion::V3_0)["extension"],
        serde_json::json!({"type": "ext"})
    );
}

#[test]
fn snis_without_entries_are_omitted() {
    let service = prepare_put(
        &zone(),
        KumaVersion::V3_0,
        ResourceType::MeshService,
        Some("default"),
        "bare",
        br#"{"type":"MeshService","name":"bare","mesh":"default","spec":{}}"#,
        StoreView {
            mesh_exists: true,
            existing: None,
        },
    )
    .unwrap()
    .resource;
    assert!(resource_snis(&service).is_empty());
    let item = serde_json::to_value(ReleaseItem {
        resource: &service,
        times: Times {
            creation: "t",
            modification: "t",
        },
        version: KumaVersion::V3_0,
    })
    .unwrap();
    assert!(item.get("snis").is_none(), "{item}");
    assert_eq!(item["kri"], "kri_msvc_default_east__bare_");
}

#[test]
fn hostnames_inspect_answers_rest_shapes() {
    let service = put(&zone(), "redis", REDIS).unwrap().resource;
    let generator = |template: &str| {
        let body = serde_json::json!({"type":"HostnameGenerator","name":"g","spec":{
            "selector":{"meshMultiZoneService":{"matchLabels":{"kuma.io/origin":"zone"}}},
            "template":template}});
        let mut value = body;
        decode_body(ResourceType::HostnameGenerator, &mut value).unwrap()
    };
    let ok = inspect_hostnames(&zone(), &service, &[generator("{{ .DisplayName }}.mzs")]).unwrap();
    let json = serde_json::to_string(&ok).unwrap();
    assert_eq!(
        json,
        r#"{"items":[{"hostname":"redis.mzs","zones":[{"name":"redis"}]}],"total":1}"#
    );
    let failing = inspect_hostnames(
        &zone(),
        &service,
        &[generator(r#"{{ label "missing" }}.mzs"#)],
    )
    .unwrap_err();
    assert_eq!(failing.status, 500);
    assert_eq!(failing.title, TITLE_COULD_NOT_GENERATE_HOSTNAME);
}

#[test]
fn layers_come_in_kumas_order() {
    // Mesh missing beats everything.
    let e = prepare_put(
        &zone(),
        KumaVersion::default(),
        ResourceType::MeshMultiZoneService,
        Some("nope"),
        "x",
        b"not json",
        StoreView {
            mesh_exists: false,
            existing: None,
        },
    )
    .unwrap_err();
    assert_eq!(
        (e.status, e.title.as_str()),
        (404, "Failed to retrieve Mesh")
    );
    // Schema before URL checks.
    let e = put(
        &zone(),
        "other",
        r#"{"type":"MeshMultiZoneService","name":"x","spec":{"selector":{"meshService":{}},"ports":[]}}"#,
    )
    .unwrap_err();
    assert_eq!(e.title, TITLE_COULD_NOT_PROCESS);
    assert_eq!(e.invalid_parameters[0].field, "spec.ports");
    // URL name mismatch.
    let e = put(&zone(), "other", REDIS).unwrap_err();
    assert_eq!(
        e.invalid_parameters,
        vec![Violation::new(
            "name",
            "name from the URL has to be the same as in body"
        )]
    );
}

#[test]
fn a_body_the_schema_refuses_gets_the_schema_errors_only() {
    // Kuma's unmarshaller returns the schema's errors and never runs the validator
    // (`rest/unmarshaller.go` v2.14.3:91-92), though `name: foo` with `kind: Mesh` is a
    // validator error of its own.
    let body = r#"{"type":"MeshLoadBalancingStrategy","name":"lb","mesh":"default","spec":{
      "targetRef":{"kind":"Mesh","name":"foo"},
      "to":[{"targetRef":{"kind":"Mesh"},"default":{"loadBalancer":{"type":"Bogus"}}}]}}"#;
    for version in [KumaVersion::V2_14, KumaVersion::V3_0] {
        let e = prepare_put(
            &zone(),
            version,
            ResourceType::MeshLoadBalancingStrategy,
            Some("default"),
            "lb",
            body.as_bytes(),
            StoreView {
                mesh_exists: true,
                existing: None,
            },
        )
        .unwrap_err();
        assert_eq!(e.title, TITLE_COULD_NOT_PROCESS);
        assert_eq!(
            e.invalid_parameters,
            [Violation::new(
                "spec.to[0].default.loadBalancer.type",
                "in body should be one of [RoundRobin LeastRequest RingHash Random Maglev]"
            )],
            "{version:?}"
        );
    }
}

#[test]
fn writability_follows_kds_flags() {
    let federated = Mode::Zone {
        name: "east".into(),
        federated: true,
    };
    let e = put(&federated, "redis", REDIS).unwrap_err();
    assert_eq!(e.status, 405);
    assert_eq!(e.detail, ZONE_READ_ONLY_MESSAGE);
    assert!(check_writable(&Mode::Global, ResourceType::MeshService).is_err());
    assert!(check_writable(&federated, ResourceType::MeshService).is_ok());
}

#[test]
fn global_rejects_zone_origin_label() {
    let body = REDIS.replace(
        r#""mesh":"default","#,
        r#""mesh":"default","labels":{"kuma.io/origin":"zone"},"#,
    );
    let e = put(&Mode::Global, "redis", &body).unwrap_err();
    assert_eq!(
        e.invalid_parameters,
        vec![Violation::new(
            "labels[\"kuma.io/origin\"]",
            "the origin label must be set to 'global'"
        )]
    );
}

#[test]
fn a_federated_zone_refuses_a_global_origin_and_neither_side_deletes_the_others_copies() {
    let federated = Mode::Zone {
        name: "east".into(),
        federated: true,
    };
    let mut labels = Labels::new();
    labels.insert("kuma.io/origin".into(), "global".into());
    let v = check_labels(
        &federated,
        KumaVersion::V3_0,
        ResourceType::MeshService,
        Some("default"),
        &labels,
    );
    assert_eq!(
        v,
        vec![Violation::new(
            "labels[\"kuma.io/origin\"]",
            "the origin label must be set to 'zone'"
        )]
    );
    // A copy global sent the zone, and a copy a zone sent global.
    let mut from_global = put(&Mode::Global, "redis", REDIS).unwrap().resource;
    let e = check_delete(&federated, KumaVersion::V3_0, &from_global).unwrap_err();
    assert_eq!((e.status, e.title.as_str()), (400, TITLE_COULD_NOT_DELETE));
    assert_eq!(
        e.invalid_parameters,
        vec![Violation::new(
            "[\"kuma.io/origin\"]",
            "the origin label must be set to 'zone'"
        )]
    );
    assert!(check_delete(&Mode::Global, KumaVersion::V3_0, &from_global).is_ok());
    // Before 2.14 Kuma deleted without looking.
    assert!(check_delete(&federated, KumaVersion::V2_13, &from_global).is_ok());
    from_global
        .meta
        .labels
        .insert("kuma.io/origin".into(), "zone".into());
    let from_zone = from_global;
    assert!(check_delete(&federated, KumaVersion::V3_0, &from_zone).is_ok());
    let e = check_delete(&Mode::Global, KumaVersion::V2_14, &from_zone).unwrap_err();
    assert_eq!(
        e.invalid_parameters[0].message,
        "the origin label must be set to 'global'"
    );
}

#[test]
fn global_accepts_any_origin_before_2_11() {
    let mut labels = Labels::new();
    labels.insert("kuma.io/origin".into(), "zone".into());
    let check = |version| {
        check_labels(
            &Mode::Global,
            version,
            ResourceType::MeshMultiZoneService,
            Some("default"),
            &labels,
        )
    };
    assert!(check(KumaVersion::V2_10).is_empty());
    assert_eq!(check(KumaVersion::V2_11).len(), 1);
}

#[test]
fn label_syntax_uses_k8s_messages() {
    let mut labels = Labels::new();
    labels.insert("bad key!".into(), "ok".into());
    labels.insert("k".into(), "-bad".into());
    let v = check_labels(
        &Mode::Global,
        KumaVersion::V3_0,
        ResourceType::MeshMultiZoneService,
        Some("default"),
        &labels,
    );
    assert_eq!(v.len(), 2);
    assert!(v[0].message.starts_with("name part must consist of"));
    assert!(v[1].message.starts_with("a valid label must be"));
}

#[test]
fn qualified_name_parts_use_k8s_messages() {
    let v = KumaVersion::V3_0;
    assert!(qualified_name_errors("example.com/name", v).is_empty());
    assert_eq!(
        qualified_name_errors("/name", v),
        vec!["prefix part must be non-empty".to_owned()]
    );
    // An empty name part also fails its pattern (the `put_mtp_02` golden at every tag).
    let empty_name = vec![
        "name part must be non-empty".to_owned(),
        format!("name part {}", &QUALIFIED_NAME_TAIL),
    ];
    assert_eq!(qualified_name_errors("", v), empty_name);
    assert_eq!(
        qualified_name_errors("Bad_/", v),
        [vec![format!("prefix part {SUBDOMAIN_MESSAGE}")], empty_name].concat()
    );
    let long = format!("{}/{}", "a".repeat(254), "n".repeat(64));
    assert_eq!(
        qualified_name_errors(&long, v),
        vec![
            "prefix part must be no more than 253 characters".to_owned(),
            "name part must be no more than 63 characters".to_owned()
        ]
    );
    // A key with two slashes: apimachinery's wording changed (2.10.11 still has the old one).
    for (version, opening) in [
        (KumaVersion::V2_9, "a valid label key must consist of"),
        (KumaVersion::V2_10, "a qualified name must consist of"),
        (KumaVersion::V2_11, "a valid label key must consist of"),
        (KumaVersion::V3_0, "a valid label key must consist of"),
    ] {
        let errors = qualified_name_errors("foo/bar/baz", version);
        assert!(
            errors.len() == 1 && errors[0].starts_with(opening),
            "{version:?}: {errors:?}"
        );
    }
}

/// The pattern text of a qualified name's name part, as apimachinery words it.
const QUALIFIED_NAME_TAIL: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

#[test]
fn immutable_zone_label() {
    let mut old = Labels::new();
    old.insert("kuma.io/zone".into(), "east".into());
    let mut new = Labels::new();
    new.insert("kuma.io/zone".into(), "west".into());
    assert_eq!(
        check_immutable_labels(KumaVersion::V3_0, &old, &new)[0].message,
        "is immutable, cannot be changed from \"east\" to \"west\""
    );
    assert_eq!(
        check_immutable_labels(KumaVersion::V3_0, &old, &Labels::new())[0].message,
        "is immutable, cannot be removed (was \"east\")"
    );
}

#[test]
fn hashed_name_shape() {
    let h = hashed_name("default", "redis", &["east"]);
    assert!(h.starts_with("redis-"));
    assert_eq!(h.len(), "redis-".len() + 16);
    assert!(h["redis-".len()..]
        .bytes()
        .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b)));
    assert_ne!(h, hashed_name("default", "redis", &["west"]));
    // Stable across runs (FNV is deterministic).
    assert_eq!(h, hashed_name("default", "redis", &["east"]));
    let long = "a".repeat(300);
    assert_eq!(hashed_name("m", &long, &[]).len(), 236 + 1 + 16);
}

#[test]
fn zones_store_global_resources_under_their_kds_name_except_meshes() {
    let decode = |t, v: serde_json::Value| decode_value(t, v).unwrap();
    let mut mzs = decode(
        ResourceType::MeshMultiZoneService,
        serde_json::json!({"type": "MeshMultiZoneService", "mesh": "default", "name": "redis",
            "spec": {"selector": {"meshService": {"matchLabels": {"app": "redis"}}},
                     "ports": [{"port": 6379}]}}),
    );
    rename_for_zones(&mut mzs);
    assert_eq!(mzs.meta.name, hashed_name("default", "redis", &[]));
    assert_eq!(mzs.meta.display_name(), "redis");
    // Renaming is idempotent, as for MeshServices that global forwards from other zones.
    let once = mzs.meta.name.clone();
    rename_for_zones(&mut mzs);
    assert_eq!(mzs.meta.name, once);
    let mut hg = decode(
        ResourceType::HostnameGenerator,
        serde_json::json!({"type": "HostnameGenerator", "name": "local",
            "spec": {"template": "{{ .DisplayName }}.mzsvc.mesh.local"}}),
    );
    // Global-scoped, yet renamed (Kuma skips the hash only for `SkipKDSHash` types): no mesh
    // goes into the hash.
    rename_for_zones(&mut hg);
    assert_eq!(hg.meta.name, hashed_name("", "local", &[]));
    assert_eq!(hg.meta.display_name(), "local");
    let mut mesh = decode(
        ResourceType::Mesh,
        serde_json::json!({"type": "Mesh", "name": "default"}),
    );
    rename_for_zones(&mut mesh);
    assert_eq!(mesh.meta.name, "default");
}

/// A list request's page, both halves read in Kuma's order.
fn parse_page(
    size: Option<&str>,
    offset: Option<&str>,
    version: KumaVersion,
) -> Result<Page, ApiError> {
    parse_page_size(size, version)?.at_offset(offset)
}

fn refused(outcome: Result<Page, ApiError>) -> ApiError {
    match outcome {
        Err(e) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn pagination_messages() {
    assert_eq!(
        parse_page(None, None, KumaVersion::V3_0).unwrap(),
        Page::new(100, 0)
    );
    let e = refused(parse_page(Some("x"), None, KumaVersion::V3_0));
    assert_eq!(e.invalid_parameters[0].message, "invalid format");
    // Kuma's goldens `crud/list_mesh_00` and `list_mesh_01`.
    assert_eq!(
        serde_json::to_value(e.body()).unwrap(),
        serde_json::json!({
            "type": "/std-errors", "status": 400, "title": "Could not retrieve resources",
            "detail": "Invalid page size",
            "invalid_parameters": [{"field": "size", "reason": "invalid format"}],
            "details": "Invalid page size",
            "causes": [{"field": "size", "message": "invalid format"}]
        })
    );
    let e = refused(parse_page(None, Some("invalid"), KumaVersion::V3_0));
    assert_eq!(
        serde_json::to_value(e.body()).unwrap(),
        serde_json::json!({
            "type": "/std-errors", "status": 400, "title": "Could not retrieve resources",
            "detail": "invalid: invalid offset: strconv.Atoi: parsing \"invalid\": invalid syntax",
            "details": "invalid: invalid offset: strconv.Atoi: parsing \"invalid\": invalid syntax"
        })
    );
    for version in [KumaVersion::V2_14, KumaVersion::V3_0] {
        for size in ["0", "-1"] {
            let e = refused(parse_page(Some(size), None, version));
            assert_eq!(e.invalid_parameters[0].message, "must be greater than 0");
        }
    }
    let e = refused(parse_page(Some("1001"), None, KumaVersion::V3_0));
    assert_eq!(
        e.invalid_parameters[0].message,
        "invalid page size of 1001. Maximum page size is 1000"
    );
}

#[test]
fn an_offset_that_is_not_an_int_is_refused_in_each_releases_words() {
    // 2.9-2.11: the store's `ErrorInvalidOffset`, which the error handler words itself
    // (v2.11.18 `pkg/core/rest/errors/error_handler.go:68-79`).
    for version in [KumaVersion::V2_9, KumaVersion::V2_10, KumaVersion::V2_11] {
        for offset in ["abc", "1.5", "9223372036854775808"] {
            let e = refused(parse_page(None, Some(offset), version));
            assert_eq!(
                serde_json::to_value(e.body()).unwrap(),
                serde_json::json!({
                    "type": "/std-errors", "status": 400,
                    "title": "Could not retrieve resources", "detail": "Invalid offset",
                    "invalid_parameters": [{"field": "offset", "reason": "Invalid format"}],
                    "details": "Invalid offset",
                    "causes": [{"field": "offset", "message": "Invalid format"}]
                }),
                "{version:?} {offset}"
            );
        }
    }
    // From 2.12: `ErrorInvalid("invalid offset: " + strconv.Atoi's error)`, no parameter list.
    for version in [
        KumaVersion::V2_12,
        KumaVersion::V2_13,
        KumaVersion::V2_14,
        KumaVersion::V3_0,
    ] {
        let detail = |offset| refused(parse_page(None, Some(offset), version)).detail;
        assert_eq!(
            detail("a\tb"),
            "invalid: invalid offset: strconv.Atoi: parsing \"a\\tb\": invalid syntax"
        );
        // Go reads left to right: an overflow before a bad character is out of range.
        assert_eq!(
            detail("99999999999999999999x"),
            "invalid: invalid offset: strconv.Atoi: parsing \"99999999999999999999x\": value out of range"
        );
        assert_eq!(
            detail("-9223372036854775809"),
            "invalid: invalid offset: strconv.Atoi: parsing \"-9223372036854775809\": value out of range"
        );
        assert_eq!(
            detail("+"),
            "invalid: invalid offset: strconv.Atoi: parsing \"+\": invalid syntax"
        );
    }
    // `+7` is an int to Go.
    assert_eq!(
        parse_page(Some("2"), Some("+7"), KumaVersion::V2_9).unwrap(),
        Page::new(2, 7)
    );
}

#[test]
fn a_negative_offset_is_an_empty_page_a_dropped_connection_or_a_400_by_release() {
    use super::facts::next_link;
    let query = |size: &str, offset: &str| {
        [
            ("offset".to_owned(), offset.to_owned()),
            ("size".to_owned(), size.to_owned()),
        ]
    };
    for version in [
        KumaVersion::V2_9,
        KumaVersion::V2_10,
        KumaVersion::V2_11,
        KumaVersion::V2_12,
        KumaVersion::V2_13,
    ] {
        // Following a negative size's `next` link: another empty page, further back.
        let page = parse_page(Some("-1"), Some("-1"), version).unwrap();
        assert_eq!((page.size, page.offset), (0, 0), "{version:?}");
        assert_eq!(
            next_link("http", "h", "/meshes", &query("-1", "-1"), page, 3).as_deref(),
            Some("http://h/meshes?offset=-2&size=-1")
        );
        // A page to fill at a negative index: Kuma's handler panics and Go answers nothing;
        // kuma-local answers with 2.14's refusal.
        let negative = "invalid: invalid offset: must be non-negative";
        assert_eq!(
            refused(parse_page(Some("2"), Some("-1"), version)).detail,
            negative
        );
        assert_eq!(
            refused(parse_page(None, Some("-5"), version)).detail,
            negative
        );
        // `MinInt + -1` wraps to `MaxInt` in Go, so even a negative size has a page to fill.
        assert_eq!(
            refused(parse_page(
                Some("-1"),
                Some("-9223372036854775808"),
                version
            ))
            .detail,
            negative
        );
        // Pagination off: the offset is not read.
        assert_eq!(
            parse_page(Some("0"), Some("-1"), version).unwrap().size,
            usize::MAX
        );
        // `MaxInt + 1` wraps: no items, and a `next` link with Go's wrapped offset.
        let page = parse_page(Some("1"), Some("9223372036854775807"), version).unwrap();
        assert_eq!(page.size, 0);
        assert_eq!(
            next_link("http", "h", "/meshes", &query("1", "x"), page, 3).as_deref(),
            Some("http://h/meshes?offset=-9223372036854775808&size=1")
        );
    }
    for version in [KumaVersion::V2_14, KumaVersion::V3_0] {
        for offset in ["-1", "-9223372036854775808"] {
            let e = refused(parse_page(Some("2"), Some(offset), version));
            assert_eq!(
                (e.status, e.detail.as_str()),
                (400, "invalid: invalid offset: must be non-negative")
            );
            assert!(e.invalid_parameters.is_empty());
        }
        // `offset > MaxInt - size` (v2.14.3 pagination_store.go:99).
        assert_eq!(
            refused(parse_page(None, Some("9223372036854775708"), version)).detail,
            "invalid: invalid offset: exceeds maximum value"
        );
        assert_eq!(
            parse_page(None, Some("9223372036854775707"), version)
                .unwrap()
                .size,
            100
        );
    }
}

#[test]
fn before_2_14_size_0_turns_pagination_off_and_a_negative_size_pages_backwards() {
    use super::facts::next_link;
    let version = KumaVersion::V2_13;
    // size=0: every item, no `next`, and `offset` is not read at all.
    let off = parse_page(Some("0"), Some("junk"), version).unwrap();
    assert_eq!(off.offset, 0);
    assert_eq!(off.size, usize::MAX);
    let query = [("size".to_owned(), "0".to_owned())];
    assert_eq!(next_link("http", "h", "/meshes", &query, off, 5000), None);
    // size=-1: no items; `next` moves the offset back by one while that is below the total
    // (v2.13.10 pagination_store.go: `offset+pageSize < len` gives `offset + PageSize`).
    let back = parse_page(Some("-1"), None, KumaVersion::V2_9).unwrap();
    assert_eq!((back.size, back.offset), (0, 0));
    let query = [("size".to_owned(), "-1".to_owned())];
    assert_eq!(
        next_link("http", "h", "/meshes", &query, back, 3).as_deref(),
        Some("http://h/meshes?offset=-1&size=-1")
    );
    assert_eq!(
        next_link("http", "h", "/meshes", &query, back, 0).as_deref(),
        Some("http://h/meshes?offset=-1&size=-1")
    );
    let far = parse_page(Some("-1"), Some("9"), version).unwrap();
    assert_eq!(next_link("http", "h", "/meshes", &query, far, 3), None);
    // The maximum still holds.
    let e = refused(parse_page(Some("1001"), None, version));
    assert_eq!(
        e.invalid_parameters[0].message,
        "invalid page size of 1001. Maximum page size is 1000"
    );
}

#[test]
fn filters() {
    const ROUTE: &str = "/meshes/{mesh}/dataplanes";
    let f = parse_filters(
        ROUTE,
        &[
            ("filter[labels.kuma.io/zone]".into(), "west".into()),
            ("filter[labels.kuma.io/zone]".into(), "east".into()),
            ("filter[labels.]".into(), "x".into()),
            ("name".into(), "red".into()),
            ("name".into(), "blue".into()),
        ],
    )
    .unwrap();
    assert_eq!(f.name_contains.as_deref(), Some("red"));
    assert_eq!(f.labels.get("kuma.io/zone").unwrap(), "east");
    assert_eq!(f.labels.get("").unwrap(), "x");
    // Goldens crud/list_dp_with_label_filter_bad and ..._op_unsupported, both at once.
    let e = parse_filters(
        ROUTE,
        &[
            ("filter[labelds.k8s.kuma.io/namespace]".into(), "ns1".into()),
            (
                "filter[labels.k8s.kuma.io/namespace][eq]".into(),
                "ns1".into(),
            ),
        ],
    )
    .unwrap_err();
    assert_eq!(
        (e.status, e.title.as_str(), e.detail.as_str()),
        (400, "Could not retrieve resources", "Resource is not valid")
    );
    assert_eq!(
        e.invalid_parameters,
        [
            Violation::new(
                "/meshes/{mesh}/dataplanes.filter[labelds.k8s.kuma.io/namespace]",
                "filters are only supported on labels"
            ),
            Violation::new(
                "/meshes/{mesh}/dataplanes.filter[labels.k8s.kuma.io/namespace][eq]",
                "advanced filters are not supported"
            ),
        ]
    );
}

#[test]
fn a_bad_format_is_a_validation_error_titled_per_release() {
    let e = parse_format(Some("yaml"), KumaVersion::V3_0).unwrap_err();
    assert_eq!(
        (e.status, e.title.as_str(), e.detail.as_str()),
        (
            400,
            "Could not retrieve a resource",
            "Resource is not valid"
        )
    );
    assert_eq!(
        e.invalid_parameters,
        [Violation::new(
            "",
            "\"format\" must be one of [\"k8s\", \"kubernetes\", \"universal\"]"
        )]
    );
    assert_eq!(
        parse_format(Some("yaml"), KumaVersion::V2_12)
            .unwrap_err()
            .title,
        "invalid format"
    );
    assert_eq!(
        parse_format(Some("k8s"), KumaVersion::V2_9),
        Ok(OutputFormat::Kubernetes)
    );
}

#[test]
fn error_body_has_deprecated_duplicates() {
    let body = serde_json::to_value(
        ApiError::invalid(TITLE_FAILED_CREATE, vec![Violation::new("name", "bad")]).body(),
    )
    .unwrap();
    assert_eq!(body["details"], "Resource is not valid");
    assert_eq!(body["causes"][0]["message"], "bad");
    assert_eq!(body["invalid_parameters"][0]["reason"], "bad");
    let body = serde_json::to_value(ApiError::not_found("x").body()).unwrap();
    assert!(body.get("invalid_parameters").is_none());
}

mod props {
    use super::*;
    use crate::kds::hashed_name;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[a-zA-Z0-9./_-]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("type".to_owned()),
                        Just("name".to_owned()),
                        Just("mesh".to_owned()),
                        Just("spec".to_owned()),
                        Just("ports".to_owned()),
                        Just("port".to_owned()),
                        Just("selector".to_owned()),
                        Just("meshService".to_owned()),
                        Just("matchLabels".to_owned()),
                        Just("labels".to_owned()),
                        "[a-z]{1,6}",
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn prepare_put_answers_every_body_with_a_kuma_status(body in json_value(), raw in proptest::collection::vec(any::<u8>(), 0..64)) {
            for bytes in [body.to_string().into_bytes(), raw] {
                for mode in [Mode::Global, Mode::Zone { name: "east".into(), federated: false }] {
                    for t in ResourceType::ALL {
                        let mesh = t.is_mesh_scoped().then_some("default");
                        let result = prepare_put(&mode, KumaVersion::default(), t, mesh, "x", &bytes,
                            StoreView { mesh_exists: true, existing: None });
                        if let Err(e) = result {
                            prop_assert!(matches!(e.status, 400 | 404 | 405), "{e:?}");
                        }
                    }
                }
            }
        }

        #[test]
        fn accepted_mzs_round_trips_through_the_rest_shape(
            name in "[a-z][a-z0-9-]{0,20}[a-z0-9]",
            ports in proptest::collection::vec((1i32..65536, prop::option::of("[a-z]{1,8}")), 1..4),
            key in "[a-z]{1,8}", value in "[a-z0-9]{1,8}",
        ) {
            let ports: Vec<Value> = ports.iter().map(|(p, n)| match n {
                Some(n) => json!({"port": p, "name": n}),
                None => json!({"port": p}),
            }).collect();
            let body = json!({"type": "MeshMultiZoneService", "name": name, "mesh": "default",
                "spec": {"selector": {"meshService": {"matchLabels": {key: value}}}, "ports": ports}});
            let prepared = prepare_put(&Mode::Global, KumaVersion::default(),
                ResourceType::MeshMultiZoneService, Some("default"), &name,
                body.to_string().as_bytes(), StoreView { mesh_exists: true, existing: None }).unwrap();
            let text = serde_json::to_string(&RestItem { resource: &prepared.resource,
                times: Times { creation: "t", modification: "t" } }).unwrap();
            let back = decode_value(ResourceType::MeshMultiZoneService,
                serde_json::from_str(&text).unwrap()).unwrap();
            prop_assert_eq!(back.meta, prepared.resource.meta);
            prop_assert_eq!(back.spec, prepared.resource.spec);
        }

        #[test]
        fn hashed_names_have_kumas_shape(mesh in ".{0,10}", name in ".{0,300}", zone in ".{0,10}") {
            let h = hashed_name(&mesh, &name, &[&zone]);
            let (prefix, suffix) = h.rsplit_once('-').unwrap();
            prop_assert!(prefix.chars().count() <= 236);
            prop_assert_eq!(suffix.len(), 16);
            prop_assert!(suffix.bytes().all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b)));
            prop_assert_eq!(h.clone(), hashed_name(&mesh, &name, &[&zone]));
        }

        #[test]
        fn page_parameters_never_panic(size in ".{0,12}", offset in ".{0,12}") {
            if let Ok(page) = parse_page(Some(&size), Some(&offset), KumaVersion::V3_0) {
                prop_assert!((1..=MAX_PAGE_SIZE).contains(&page.size));
            }
            if let Ok(page) = parse_page(Some(&size), Some(&offset), KumaVersion::V2_9) {
                prop_assert!(page.size <= MAX_PAGE_SIZE || page.next_offset(0).is_none());
            }
        }
    }
}

#[test]
fn display_name_is_written_from_3_0_and_kept_as_written_before() {
    let mut written = Labels::new();
    written.insert("kuma.io/display-name".into(), "my-display-name".into());
    let zone = Mode::Zone {
        name: "east".into(),
        federated: true,
    };
    for mode in [Mode::Global, zone] {
        let at = |version, labels: Labels| {
            compute_labels(
                &mode,
                version,
                ResourceType::MeshService,
                Some("default"),
                "redis",
                labels,
            )
            .get("kuma.io/display-name")
            .cloned()
        };
        assert_eq!(
            at(KumaVersion::V3_0, written.clone()).as_deref(),
            Some("redis")
        );
        assert_eq!(
            at(KumaVersion::V3_0, Labels::new()).as_deref(),
            Some("redis")
        );
        for version in [KumaVersion::V2_9, KumaVersion::V2_13, KumaVersion::V2_14] {
            // v2.14.3 put_meshservice_01: no display name; put_immutable_displayname_00 keeps it.
            assert_eq!(at(version, Labels::new()), None);
            assert_eq!(
                at(version, written.clone()).as_deref(),
                Some("my-display-name")
            );
        }
    }
}

#[test]
fn immutable_labels_follow_the_release() {
    let label = |k: &str, v: &str| Labels::from([(k.to_owned(), v.to_owned())]);
    let old = label("kuma.io/display-name", "my-display-name");
    let new = label("kuma.io/display-name", "different-display-name");
    // v2.14.3 put_immutable_displayname_01.golden.json.
    for version in [KumaVersion::V2_13, KumaVersion::V2_14] {
        let v = check_immutable_labels(version, &old, &new);
        assert_eq!(v[0].field, "labels[\"kuma.io/display-name\"]");
        assert_eq!(
            v[0].message,
            "is immutable, cannot be changed from \"my-display-name\" to \"different-display-name\""
        );
    }
    assert!(check_immutable_labels(KumaVersion::V3_0, &old, &new).is_empty());
    // 2.9-2.12 have no immutable labels at all.
    let zone_old = label("kuma.io/zone", "east");
    let zone_new = label("kuma.io/zone", "west");
    assert!(check_immutable_labels(KumaVersion::V2_12, &zone_old, &zone_new).is_empty());
    assert_eq!(
        check_immutable_labels(KumaVersion::V2_14, &zone_old, &zone_new).len(),
        1
    );
}

fn computed(mode: &Mode, version: KumaVersion, t: ResourceType, labels: Labels) -> Labels {
    let mesh = t.is_mesh_scoped().then_some("default");
    compute_labels(mode, version, t, mesh, "x", labels)
}

#[test]
fn a_2x_global_computes_no_origin_and_3_0_writes_global() {
    // v2.14.3 `labels/compute.go:138-152`: only a zone branch; HEAD `compute.go:157-159`.
    for t in ResourceType::ALL {
        for version in [KumaVersion::V2_9, KumaVersion::V2_12, KumaVersion::V2_14] {
            let labels = computed(&Mode::Global, version, t, Labels::new());
            assert_eq!(labels.get("kuma.io/origin"), None, "{t:?} at {version}");
        }
        let labels = computed(&Mode::Global, KumaVersion::V3_0, t, Labels::new());
        assert_eq!(
            labels.get("kuma.io/origin").map(String::as_str),
            Some("global")
        );
    }
}

#[test]
fn a_zone_labels_every_type_it_provides_with_its_zone_and_env() {
    let zone = Mode::Zone {
        name: "east".into(),
        federated: true,
    };
    for version in [KumaVersion::V2_10, KumaVersion::V2_14, KumaVersion::V3_0] {
        for t in [
            ResourceType::MeshService,
            ResourceType::HostnameGenerator,
            ResourceType::MeshLoadBalancingStrategy,
        ] {
            let labels = computed(&zone, version, t, Labels::new());
            assert_eq!(
                labels.get("kuma.io/origin").map(String::as_str),
                Some("zone")
            );
            assert_eq!(labels.get("kuma.io/zone").map(String::as_str), Some("east"));
            assert_eq!(
                labels.get("kuma.io/env").map(String::as_str),
                Some("universal")
            );
        }
        // A zone never provides an MZS after 2.9: no zone labels.
        let mzs = computed(
            &zone,
            version,
            ResourceType::MeshMultiZoneService,
            Labels::new(),
        );
        assert_eq!(mzs.get("kuma.io/zone"), None);
    }
    // 2.9's MZS descriptor still carries `ZoneToGlobalFlag` (v2.9.13 `AllowedOnZoneSelector`).
    let mzs = computed(
        &zone,
        KumaVersion::V2_9,
        ResourceType::MeshMultiZoneService,
        Labels::new(),
    );
    assert_eq!(mzs.get("kuma.io/zone").map(String::as_str), Some("east"));
    // 2.x keeps a written origin; a `global` one gets no zone labels (v2.14.3 `compute.go:142-143`).
    let non_federated = Mode::Zone {
        name: "east".into(),
        federated: false,
    };
    let mut global = Labels::new();
    global.insert("kuma.io/origin".into(), "global".into());
    let labels = computed(
        &non_federated,
        KumaVersion::V2_14,
        ResourceType::HostnameGenerator,
        global,
    );
    assert_eq!(
        labels.get("kuma.io/origin").map(String::as_str),
        Some("global")
    );
    assert_eq!(labels.get("kuma.io/zone"), None);
    // A 2.x zone writes no origin on a type it does not provide (the Mesh); 3.0 does.
    assert_eq!(
        computed(
            &non_federated,
            KumaVersion::V2_14,
            ResourceType::Mesh,
            Labels::new()
        )
        .get("kuma.io/origin"),
        None
    );
}

#[test]
fn defaults_are_stored_as_kuma_creates_them_and_reapplying_one_is_an_update() {
    // Global's defaults carry no label, a zone's only the zone origin (pkg/defaults at every
    // release; kumahq/kuma#12007 shows a zone's list).
    for generator in default_hostname_generators(&Mode::Global) {
        assert!(generator.meta.labels.is_empty(), "{}", generator.meta.name);
    }
    let zone = Mode::Zone {
        name: "east".into(),
        federated: true,
    };
    for generator in default_hostname_generators(&zone) {
        assert_eq!(
            generator.meta.labels.keys().collect::<Vec<_>>(),
            ["kuma.io/origin"]
        );
    }
    let mesh = super::facts::default_mesh(&Mode::Global, KumaVersion::V2_14).unwrap();
    assert!(mesh.meta.labels.is_empty());
    // PUT of `synced-mesh-multi-zone-service` with its spec and no labels: the immutable-label
    // check of 2.13/2.14 has nothing to complain about.
    for version in [KumaVersion::V2_13, KumaVersion::V2_14, KumaVersion::V3_0] {
        let stored = &default_hostname_generators(&Mode::Global)[0];
        let new = computed(
            &Mode::Global,
            version,
            ResourceType::HostnameGenerator,
            Labels::new(),
        );
        assert!(check_immutable_labels(version, &stored.meta.labels, &new).is_empty());
        for stored in default_hostname_generators(&zone) {
            let new = computed(
                &zone,
                version,
                ResourceType::HostnameGenerator,
                Labels::new(),
            );
            assert!(check_immutable_labels(version, &stored.meta.labels, &new).is_empty());
        }
    }
}

#[test]
fn only_3_0_refuses_a_policy_role_other_than_system() {
    let role = |value: &str| {
        let mut labels = Labels::new();
        labels.insert("kuma.io/policy-role".into(), value.into());
        labels
    };
    let at = |version, labels: &Labels| {
        check_labels(
            &zone(),
            version,
            ResourceType::MeshLoadBalancingStrategy,
            Some("default"),
            labels,
        )
    };
    // v2.14.3 `resource_endpoints.go:754` drops validatePolicyRole's result; HEAD adds it.
    assert!(at(KumaVersion::V2_14, &role("producer")).is_empty());
    let v = at(KumaVersion::V3_0, &role("producer"));
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].field, "labels[\"kuma.io/policy-role\"]");
    assert_eq!(
        v[0].message,
        "kuma.io/policy-role label should have system value, got producer"
    );
    assert!(at(KumaVersion::V3_0, &role("system")).is_empty());
}

/// `?format=kubernetes` at `version`, in `namespace` (empty: the system namespace).
fn kubernetes(
    resource: &crate::model::Resource,
    version: KumaVersion,
    namespace: &str,
) -> serde_json::Value {
    let item = KubernetesItem {
        resource,
        times: Times {
            creation: "2026-11-26T16:57:17.499403952Z",
            modification: "2026-11-27T08:00:00Z",
        },
        version,
        namespace,
    };
    serde_json::to_value(item).unwrap()
}

#[test]
fn the_kubernetes_shape_is_what_a_universal_control_plane_infers() {
    // The stored labels stay behind: Kuma's inference mapper sets only the mesh label, puts a
    // namespaced type in the system namespace and prints the creation time as `metav1.Time`.
    let p = put(&zone(), "redis", REDIS).unwrap();
    assert!(p.resource.meta.labels.len() > 1, "{:?}", p.resource.meta);
    for version in KumaVersion::ALL {
        let item = KubernetesItem {
            resource: &p.resource,
            times: Times {
                creation: "2026-11-26T18:57:17.9+02:00",
                modification: "2026-11-27T08:00:00Z",
            },
            version,
            namespace: "",
        };
        let text = serde_json::to_string(&item).unwrap();
        assert!(
            text.starts_with(concat!(
                r#"{"kind":"MeshMultiZoneService","apiVersion":"kuma.io/v1alpha1","#,
                r#""metadata":{"name":"redis","namespace":"kuma-system","#,
                r#""creationTimestamp":"2026-11-26T16:57:17Z","#,
                r#""labels":{"kuma.io/mesh":"default"}},"spec":{"#
            )),
            "{version:?}: {text}"
        );
        assert!(text.ends_with(r#""status":{}}"#), "{version:?}: {text}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["spec"]["ports"][0]["appProtocol"], "tcp");
        for absent in ["kri", "snis", "type", "mesh", "creationTime"] {
            assert!(value.get(absent).is_none(), "{version:?}: {absent}");
        }
    }
    // `?namespace=` (or a KRI's namespace) puts it elsewhere.
    let item = kubernetes(&p.resource, KumaVersion::V3_0, "shop");
    assert_eq!(item["metadata"]["namespace"], "shop");
}

#[test]
fn a_hostname_generator_has_the_empty_mesh_label_until_2_14() {
    let generator = decode_value(
        ResourceType::HostnameGenerator,
        serde_json::json!({"type": "HostnameGenerator", "name": "hg",
            "labels": {"kuma.io/origin": "global"},
            "spec": {"selector": {"meshService": {"matchLabels": {}}},
                     "template": "{{ .DisplayName }}.mesh"}}),
    )
    .unwrap();
    for version in [
        KumaVersion::V2_9,
        KumaVersion::V2_10,
        KumaVersion::V2_11,
        KumaVersion::V2_12,
        KumaVersion::V2_13,
    ] {
        let item = kubernetes(&generator, version, "");
        assert_eq!(
            item["metadata"],
            serde_json::json!({"name": "hg", "namespace": "kuma-system",
                "creationTimestamp": "2026-11-26T16:57:17Z", "labels": {"kuma.io/mesh": ""}}),
            "{version:?}"
        );
    }
    for version in [KumaVersion::V2_14, KumaVersion::V3_0] {
        let item = kubernetes(&generator, version, "");
        assert_eq!(
            item["metadata"],
            serde_json::json!({"name": "hg", "namespace": "kuma-system",
                "creationTimestamp": "2026-11-26T16:57:17Z"}),
            "{version:?}"
        );
    }
    // No status (the type has none); the spec as the release's Go struct prints it.
    let item = kubernetes(&generator, KumaVersion::V2_11, "");
    assert!(item.get("status").is_none(), "{item}");
    assert_eq!(
        item["spec"]["selector"],
        serde_json::json!({"meshService": {}})
    );
    assert_eq!(
        kubernetes(&generator, KumaVersion::V2_12, "")["spec"]["selector"],
        serde_json::json!({"meshService": {"matchLabels": {}}})
    );
}

#[test]
fn a_mesh_is_cluster_scoped_with_its_fields_under_spec() {
    let mesh = decode_value(
        ResourceType::Mesh,
        serde_json::json!({"type": "Mesh", "name": "default",
            "labels": {"team": "core"}, "meshServices": {"mode": "Exclusive"}}),
    )
    .unwrap();
    let item = kubernetes(&mesh, KumaVersion::V2_14, "shop");
    assert_eq!(
        item,
        serde_json::json!({"kind": "Mesh", "apiVersion": "kuma.io/v1alpha1",
            "metadata": {"name": "default", "creationTimestamp": "2026-11-26T16:57:17Z"},
            "spec": {"meshServices": {"mode": "Exclusive"}}})
    );
}

#[test]
fn mesh_services_and_policies_carry_the_mesh_label_and_their_status_if_any() {
    let service = decode_value(
        ResourceType::MeshService,
        serde_json::json!({"type": "MeshService", "name": "redis", "mesh": "m1",
            "labels": {"kuma.io/origin": "zone", "kuma.io/zone": "east"},
            "spec": {"ports": [{"port": 6379}]}}),
    )
    .unwrap();
    let item = kubernetes(&service, KumaVersion::V3_0, "");
    assert_eq!(
        item["metadata"]["labels"],
        serde_json::json!({"kuma.io/mesh": "m1"})
    );
    assert_eq!(
        item["status"],
        serde_json::json!({"tls": {}, "dataplaneProxies": {}})
    );
    let strategy = decode_value(
        ResourceType::MeshLoadBalancingStrategy,
        serde_json::json!({"type": "MeshLoadBalancingStrategy", "name": "lb", "mesh": "m1",
            "spec": {"to": [{"targetRef": {"kind": "Mesh"},
                             "default": {"localityAwareness": {"disabled": true}}}]}}),
    )
    .unwrap();
    let item = kubernetes(&strategy, KumaVersion::V2_9, "");
    assert_eq!(item["kind"], "MeshLoadBalancingStrategy");
    assert_eq!(
        item["metadata"]["labels"],
        serde_json::json!({"kuma.io/mesh": "m1"})
    );
    assert_eq!(item["metadata"]["namespace"], "kuma-system");
    assert!(item.get("status").is_none(), "{item}");
}

#[test]
fn a_zero_creation_time_is_null_in_the_kubernetes_shape() {
    let p = put(&zone(), "redis", REDIS).unwrap();
    let item = serde_json::to_value(KubernetesItem {
        resource: &p.resource,
        times: Times {
            creation: "0001-01-01T00:00:00Z",
            modification: "0001-01-01T00:00:00Z",
        },
        version: KumaVersion::V3_0,
        namespace: "",
    })
    .unwrap();
    assert_eq!(
        item["metadata"]["creationTimestamp"],
        serde_json::Value::Null
    );
}

#[test]
fn the_accepted_spec_passes_every_release_for_every_type_with_a_spec() {
    for version in KumaVersion::ALL {
        for resource_type in ResourceType::ALL {
            let body = format!(
                r#"{{"type":"{}","name":"ok","mesh":"default"}}"#,
                resource_type.name()
            );
            let Some(body) = with_accepted_spec(resource_type, body.as_bytes()) else {
                assert_eq!(resource_type, ResourceType::Mesh);
                continue;
            };
            let put = prepare_put(
                &zone(),
                version,
                resource_type,
                resource_type.is_mesh_scoped().then_some("default"),
                "ok",
                &body,
                StoreView {
                    mesh_exists: true,
                    existing: None,
                },
            );
            assert!(
                put.is_ok(),
                "{} {}: {put:?}",
                version.as_str(),
                resource_type.name()
            );
        }
    }
}

#[test]
fn a_review_reports_the_name_and_label_errors_a_refused_spec_hides() {
    let body = r#"{"type":"MeshMultiZoneService","name":"Bad_Name","mesh":"default",
      "labels":{"kuma.io/origin":"zone","bad key!":"x"},
      "spec":{"selector":{"meshService":{"matchLabels":{"app":"redis"}}},"ports":[]}}"#;
    let kuma = put(&Mode::Global, "Bad_Name", body).unwrap_err();
    let fields: Vec<&str> = kuma
        .invalid_parameters
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(fields, ["spec.ports"], "Kuma stops at the spec");
    let all = review(&Mode::Global, "Bad_Name", body).unwrap_err();
    assert_eq!(all.title, kuma.title);
    assert_eq!(all.invalid_parameters[0], kuma.invalid_parameters[0]);
    let later: Vec<&str> = all.invalid_parameters[1..]
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert!(later.contains(&"name"), "{later:?}");
    assert!(later.iter().any(|f| f.starts_with("labels")), "{later:?}");
    assert!(later.iter().all(|f| !f.starts_with("spec")), "{later:?}");
}

#[test]
fn a_review_is_kumas_answer_when_the_spec_passes_or_nothing_else_is_wrong() {
    assert_eq!(
        review(&Mode::Global, "redis", REDIS),
        put(&Mode::Global, "redis", REDIS)
    );
    let bad_spec_only = REDIS.replace(r#""ports":[{"port":6379}]"#, r#""ports":[]"#);
    assert!(put(&Mode::Global, "redis", &bad_spec_only).is_err());
    assert_eq!(
        review(&Mode::Global, "redis", &bad_spec_only),
        put(&Mode::Global, "redis", &bad_spec_only)
    );
    let bad_name_only = REDIS.replace(r#""name":"redis""#, r#""name":"Bad_Name""#);
    assert!(put(&Mode::Global, "Bad_Name", &bad_name_only).is_err());
    assert_eq!(
        review(&Mode::Global, "Bad_Name", &bad_name_only),
        put(&Mode::Global, "Bad_Name", &bad_name_only)
    );
}

/// Go's decoder reads the body before any schema: a number no float64 holds is its unmarshal
/// error (400, `invalid ... object`), and invalid UTF-8 inside a string is read as U+FFFD.
#[test]
fn a_body_go_decodes_otherwise_than_serde_gets_gos_answer() {
    let huge = REDIS.replacen("6379", "1e400", 1);
    let e = put(&Mode::Global, "redis", &huge).unwrap_err();
    assert_eq!(
        (e.status, e.title.as_str(), e.detail.as_str()),
        (
            400,
            "Bad Request",
            "invalid MeshMultiZoneService object: \"json: cannot unmarshal number 1e400 into Go value of type float64\""
        )
    );
    let body = REDIS.replacen(
        r#""mesh":"default","#,
        "\"mesh\":\"default\",\"labels\":{\"team\":\"a\u{1}\"},",
        1,
    );
    let mut bytes = body.into_bytes();
    if let Some(at) = bytes.iter().position(|b| *b == 1) {
        bytes[at] = 0xff;
    }
    let e = prepare_put(
        &Mode::Global,
        KumaVersion::default(),
        ResourceType::MeshMultiZoneService,
        Some("default"),
        "redis",
        &bytes,
        StoreView {
            mesh_exists: true,
            existing: None,
        },
    )
    .unwrap_err();
    // Past the decoder: Kuma's label rule refuses the value, as it does Go's U+FFFD.
    assert_eq!(e.invalid_parameters[0].field, "labels[\"team\"]");
    // Go reads 10,000 levels; a selector 300 deep is the schema's type error, as in Kuma (it
    // was serde_json's "recursion limit exceeded"), and deep unknown fields are pruned.
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let selector = REDIS.replacen(
        r#"{"meshService":{"matchLabels":{"kuma.io/display-name":"redis"}}}"#,
        &deep,
        1,
    );
    let e = put(&Mode::Global, "redis", &selector).unwrap_err();
    assert_eq!(e.invalid_parameters[0].field, "spec.selector");
    assert_eq!(
        e.invalid_parameters[0].message,
        "in body must be of type object: \"array\""
    );
    let unknown = REDIS.replacen('{', &format!("{{\"x\":{deep},"), 1);
    assert!(put(&Mode::Global, "redis", &unknown).is_ok());
}
