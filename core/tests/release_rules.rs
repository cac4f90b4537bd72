//! One test per rule that differs between Kuma releases (what a user of that release sees), on
//! whole documents through `check()` (and, for a zone's status rules, `preview()` of them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kuma_mzs_core::preview::{preview, PreviewOptions};
use kuma_mzs_core::{check, CheckOptions, Diagnostic, KumaVersion, Severity};

fn diags(text: &str, version: &str) -> Vec<Diagnostic> {
    let options = CheckOptions {
        kuma_version: version.parse().unwrap(),
        ..CheckOptions::default()
    };
    check(text, &options).all_diagnostics().cloned().collect()
}

fn errors(text: &str, version: &str) -> Vec<(String, String)> {
    diags(text, version)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.field, d.message))
        .collect()
}

fn warnings(text: &str, version: &str) -> Vec<String> {
    diags(text, version)
        .into_iter()
        .filter(|d| d.severity != Severity::Error)
        .map(|d| d.message)
        .collect()
}

fn pair(field: &str, message: &str) -> (String, String) {
    (field.to_owned(), message.to_owned())
}

const MLBS_TOP_MESH_SERVICE: &str = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  targetRef: {kind: MeshService, name: backend}
  to:
  - targetRef: {kind: MeshService, name: backend}
    default: {loadBalancer: {type: RoundRobin}}
";

#[test]
fn a_top_level_mesh_service_target_is_a_deprecation_in_2_14_and_an_error_in_3_0() {
    assert!(errors(MLBS_TOP_MESH_SERVICE, "2.14").is_empty());
    assert!(warnings(MLBS_TOP_MESH_SERVICE, "2.14").contains(
        &"MeshService value for 'targetRef.kind' is deprecated, use Dataplane with labels instead"
            .to_owned()
    ));
    assert!(errors(MLBS_TOP_MESH_SERVICE, "3.0").contains(&pair(
        "spec.targetRef.kind",
        "value 'MeshService' is not supported"
    )));
    // 2.9 to 2.11 pointed to MeshSubset instead.
    assert!(warnings(MLBS_TOP_MESH_SERVICE, "2.10").contains(
        &"MeshService value for 'targetRef.kind' is deprecated, use MeshSubset with 'kuma.io/service' tag instead"
            .to_owned()
    ));
}

#[test]
fn a_top_level_mesh_subset_is_accepted_with_kumas_warning_in_2_14() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  targetRef: {kind: MeshSubset, tags: {kuma.io/zone: east}}
  to:
  - targetRef: {kind: Mesh}
    default: {loadBalancer: {type: Random}}
";
    assert!(errors(doc, "2.14").is_empty());
    assert!(warnings(doc, "2.14").contains(
        &"MeshSubset value for 'targetRef.kind' is deprecated, use Dataplane with labels instead"
            .to_owned()
    ));
    assert!(errors(doc, "3.0").contains(&pair(
        "spec.targetRef.kind",
        "value 'MeshSubset' is not supported"
    )));
}

#[test]
fn source_ip_needs_connection_in_2_14_and_is_an_unknown_type_in_3_0() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  to:
  - targetRef: {kind: Mesh}
    default: {hashPolicies: [{type: SourceIP}]}
";
    assert_eq!(
        errors(doc, "2.14"),
        vec![pair(
            "spec.to[0].default.hashPolicies[0].connection",
            "must be defined"
        )]
    );
    assert!(errors(doc, "3.0").contains(&pair(
        "spec.to[0].default.hashPolicies[0].type",
        "unrecognized type"
    )));
}

#[test]
fn a_gateway_with_a_load_balancer_allows_only_mesh_with_each_releases_text() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  targetRef: {kind: MeshGateway, name: edge}
  to:
  - targetRef: {kind: MeshService, name: backend}
    default: {loadBalancer: {type: RoundRobin}}
";
    let field = "spec.to[0].targetRef.kind";
    assert_eq!(
        errors(doc, "2.14"),
        vec![pair(
            field,
            "value 'MeshGateway' is not supported, only Mesh is allowed if loadBalancer is set"
        )]
    );
    assert_eq!(
        errors(doc, "2.12"),
        vec![pair(
            field,
            "value is not supported, only Mesh is allowed if loadBalancer is set"
        )]
    );
}

#[test]
fn root_and_nested_hash_policies_conflict_in_2_x_and_nested_ones_are_gone_in_3_0() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  to:
  - targetRef: {kind: Mesh}
    default:
      hashPolicies: [{type: Header, header: {name: x}}]
      loadBalancer:
        type: RingHash
        ringHash: {hashPolicies: [{type: Header, header: {name: z}}]}
";
    assert_eq!(
        errors(doc, "2.14"),
        vec![pair(
            "spec.to[0].default.loadBalancer.ringHash.hashPolicies",
            "hashPolicies already specified in the root level"
        )]
    );
    assert!(errors(doc, "3.0").is_empty());
    assert!(warnings(doc, "3.0")
        .iter()
        .any(|w| w.starts_with("unknown field `hashPolicies`")));
}

#[test]
fn nested_hash_policies_are_deprecated_from_2_13() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  to:
  - targetRef: {kind: Mesh}
    default:
      loadBalancer:
        type: Maglev
        maglev: {hashPolicies: [{type: Header, header: {name: z}}]}
";
    let deprecated = "configuration 'spec.to[0].default.loadBalancer.maglev.hashPolicies' is deprecated, use 'spec.to[0].default.hashPolicies' instead".to_owned();
    // Kuma's deprecated.go has the warning from v2.13.0 (:41) to v2.14.3, not in 2.12.
    for version in ["2.13", "2.14"] {
        assert!(errors(doc, version).is_empty());
        assert!(warnings(doc, version).contains(&deprecated), "{version}");
    }
    for version in ["2.10", "2.12"] {
        assert!(errors(doc, version).is_empty());
        assert!(!warnings(doc, version).contains(&deprecated), "{version}");
    }
}

#[test]
fn releases_before_2_14_need_a_to_and_2_9_has_its_own_kind_message() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  targetRef: {kind: Dataplane}
";
    assert_eq!(
        errors(doc, "2.9"),
        vec![
            pair("spec.to", "needs at least one item"),
            pair("spec.targetRef.kind", "value is not supported"),
        ]
    );
    assert_eq!(
        errors(doc, "2.13"),
        vec![pair("spec.to", "needs at least one item")]
    );
    assert!(errors(doc, "2.14").is_empty());
}

#[test]
fn only_3_0_balances_towards_a_mesh_external_service() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  to:
  - targetRef: {kind: MeshExternalService, labels: {kuma.io/display-name: httpbin}}
    default: {loadBalancer: {type: Random}}
";
    assert!(errors(doc, "3.0").is_empty());
    assert_eq!(
        errors(doc, "2.14"),
        vec![pair(
            "spec.to[0].targetRef.kind",
            "value 'MeshExternalService' is not supported"
        )]
    );
}

/// 3.0's REST layer takes a MeshLoadBalancingStrategy only as a `system` policy (global and
/// zones alike); 2.x stores a producer role as written. A Kubernetes manifest never meets it.
#[test]
fn only_3_0_refuses_a_load_balancing_strategy_with_a_producer_role() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
labels:
  kuma.io/policy-role: producer
spec:
  to:
  - targetRef: {kind: Mesh}
    default: {loadBalancer: {type: RoundRobin}}
";
    assert_eq!(
        errors(doc, "3.0"),
        vec![pair(
            "labels[\"kuma.io/policy-role\"]",
            "kuma.io/policy-role label should have system value, got producer"
        )]
    );
    assert!(errors(doc, "2.14").is_empty());
    assert!(errors(&doc.replace("producer", "system"), "3.0").is_empty());
    let manifest = "apiVersion: kuma.io/v1alpha1
kind: MeshLoadBalancingStrategy
metadata:
  name: lb
  namespace: kuma-system
  labels:
    kuma.io/mesh: default
    kuma.io/policy-role: producer
spec:
  to:
  - targetRef: {kind: Mesh}
    default: {loadBalancer: {type: RoundRobin}}
";
    assert!(
        !errors(manifest, "3.0")
            .iter()
            .any(|(field, _)| field.contains("policy-role")),
        "{:?}",
        errors(manifest, "3.0")
    );
}

#[test]
fn a_negative_active_request_bias_is_rejected_with_kumas_text() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  to:
  - targetRef: {kind: Mesh}
    default: {loadBalancer: {type: LeastRequest, leastRequest: {activeRequestBias: \"-0.5\"}}}
";
    for version in ["3.0", "2.14"] {
        assert_eq!(
            errors(doc, version),
            vec![pair(
                "spec.to[0].default.loadBalancer.leastRequest.activeRequestBias",
                "must be greater or equal then: 0"
            )]
        );
    }
}

#[test]
fn a_misspelt_load_balancer_type_is_a_schema_error() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  to:
  - targetRef: {kind: Mesh}
    default: {loadBalancer: {type: RoundRobinn, roundRobinn: {}}}
";
    let diags = diags(doc, "3.0");
    assert!(
        diags.iter().any(|d| d.severity == Severity::Error
            && d.code.as_str() == "schema"
            && d.field == "spec.to[0].default.loadBalancer.type"),
        "{diags:?}"
    );
    assert!(diags
        .iter()
        .any(|d| d.message.starts_with("unknown field `roundRobinn`")));
}

#[test]
fn the_3_0_target_ref_hint_lists_only_3_0_fields() {
    let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  to:
  - targetRef: {kind: MeshMultiZoneService, labels: {app: a}, tagz: {a: b}}
";
    let hint = warnings(doc, "3.0")
        .into_iter()
        .find(|w| w.contains("`tagz`"))
        .unwrap();
    assert!(
        hint.contains("known fields: kind, labels, sectionName"),
        "{hint}"
    );
    let hint = warnings(doc, "2.14")
        .into_iter()
        .find(|w| w.contains("`tagz`"))
        .unwrap();
    assert!(
        hint.contains("did you mean `tags`") || hint.contains("tags"),
        "{hint}"
    );
}

#[test]
fn a_mesh_service_without_selector_gets_the_webhooks_warning_in_3_0() {
    let doc = "type: MeshService
name: redis
mesh: default
spec:
  selector: {dataplaneTags: {app: redis}}
  ports: [{port: 6379}]
";
    let want = "MeshService resource 'redis' has no selector, so it matches no data plane proxies. Set 'spec.selector.dataplaneRef' or 'spec.selector.dataplaneLabels'. The 'spec.selector.dataplaneTags' selector was removed, migrate it to 'dataplaneLabels'.";
    assert!(warnings(doc, "3.0").contains(&want.to_owned()));
    assert!(!warnings(doc, "2.14")
        .iter()
        .any(|w| w.contains("has no selector")));
}

#[test]
fn mesh_service_names_and_protocols_follow_the_release() {
    let long = "a".repeat(64);
    let doc = format!(
        "type: MeshService\nname: {long}\nmesh: default\nspec:\n  selector: {{dataplaneLabels: {{matchLabels: {{app: a}}}}}}\n  ports: [{{port: 80, appProtocol: kafka}}, {{port: 81, appProtocol: TCP}}]\n"
    );
    assert_eq!(
        errors(&doc, "2.14"),
        vec![pair("name", "must not be longer than 63 characters")]
    );
    let v3 = errors(&doc, "3.0");
    assert!(v3.contains(&pair("name", "must be no more than 63 characters")));
    assert!(v3.contains(&pair(
        "spec.ports[0].appProtocol",
        "appProtocol must be one of: grpc, http, http2, tcp"
    )));
    // MeshService parses the protocol case-insensitively: `TCP` passes.
    assert!(!v3.iter().any(|(f, _)| f == "spec.ports[1].appProtocol"));
    // A non-RFC-1035 name: an error in 3.0, a warning in 2.10 to 2.14, nothing in 2.9.
    let dotted = "type: MeshService\nname: redis.cache\nmesh: default\nspec:\n  selector: {dataplaneRef: {name: r}}\n";
    assert!(errors(dotted, "3.0").iter().any(|(f, _)| f == "name"));
    assert!(errors(dotted, "2.12").is_empty());
    assert!(warnings(dotted, "2.12")
        .iter()
        .any(|w| w.starts_with("Invalid MeshService resource name: 'redis.cache'")));
    assert!(warnings(dotted, "2.9").is_empty());
}

#[test]
fn mzs_app_protocol_is_case_sensitive_and_2_9_does_not_check_ports() {
    let doc = "type: MeshMultiZoneService
name: backend
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: backend}}}
  ports: [{port: 80, appProtocol: TCP}]
";
    let want = vec![pair(
        "spec.ports[0].appProtocol",
        "appProtocol must be one of: grpc, http, http2, kafka, tcp",
    )];
    assert_eq!(errors(doc, "2.14"), want);
    assert_eq!(errors(doc, "2.10"), want);
    assert!(errors(doc, "2.9").is_empty());
}

#[test]
fn a_dotted_port_name_gets_the_must_not_contain_dots_sni_warning_from_2_14() {
    let mzs = "type: MeshMultiZoneService
name: backend
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: backend}}}
  ports: [{port: 80, name: bad.port}]
";
    let want =
        "Invalid MeshMultiZoneService SNI (port \"bad.port\"): must not contain dots. This is deprecated.";
    assert!(warnings(mzs, "3.0").contains(&want.to_owned()));
    assert!(warnings(mzs, "2.14").contains(&want.to_owned()));
    assert!(!warnings(mzs, "2.13").iter().any(|w| w.contains("SNI")));
    let ms = "type: MeshService
name: backend
mesh: default
spec:
  selector: {dataplaneRef: {name: b}}
  ports: [{port: 80, name: bad.port}]
";
    assert!(warnings(ms, "3.0").contains(
        &"Invalid MeshService SNI (port \"bad.port\"): must not contain dots. This is deprecated."
            .to_owned()
    ));
}

#[test]
fn hostname_generator_templates_are_rendered_from_2_14_only() {
    let doc = "type: HostnameGenerator
name: hg
spec:
  selector: {meshService: {matchLabels: {a: b}}}
  template: \".svc.mesh.local\"
";
    assert!(errors(doc, "2.14")
        .iter()
        .any(|(_, m)| m.starts_with("template renders to \".svc.mesh.local\"")));
    assert!(errors(doc, "2.13").is_empty());
}

#[test]
fn a_service_tag_identity_written_by_a_2_x_control_plane_is_2_x_only() {
    let doc = "type: MeshService
name: redis
mesh: default
spec:
  selector: {dataplaneRef: {name: r}}
  identities: [{type: ServiceTag, value: redis}]
";
    assert!(errors(doc, "2.14").is_empty());
    assert_eq!(
        errors(doc, "3.0"),
        vec![pair(
            "spec.identities[0].type",
            "spec.identities[0].type in body should be one of [SpiffeID]"
        )]
    );
}

#[test]
fn a_spiffe_id_identity_is_accepted_from_2_12_on() {
    // Kuma added `SpiffeID` to the MeshService identity enum in 2.12 (schema.yaml at v2.11.18
    // has `ServiceTag` only); 2.12 to 2.14 accept both, 3.0 `SpiffeID` only.
    let doc = "type: MeshService
name: redis
mesh: default
spec:
  selector: {dataplaneRef: {name: r}}
  identities: [{type: SpiffeID, value: spiffe://default/redis}]
";
    for release in ["2.9", "2.10", "2.11"] {
        assert_eq!(
            errors(doc, release),
            vec![pair(
                "spec.identities[0].type",
                "spec.identities[0].type in body should be one of [ServiceTag]"
            )],
            "{release}"
        );
    }
    for release in ["2.12", "2.13", "2.14", "3.0"] {
        assert!(errors(doc, release).is_empty(), "{release}");
    }
    let bogus = doc.replace("SpiffeID", "Bogus");
    assert_eq!(
        errors(&bogus, "2.12"),
        vec![pair(
            "spec.identities[0].type",
            "spec.identities[0].type in body should be one of [ServiceTag SpiffeID]"
        )]
    );
}

#[test]
fn load_balancer_sizes_are_bounded_as_kuma_s_schema_says_in_every_release() {
    // kubebuilder markers: choiceCount >= 2, ring sizes 1..=8000000, tableSize 1..=5000011. Kuma
    // checks them on the float64 values of the decoded body, so bounds print as Go's %v does.
    let lb = |load_balancer: &str| {
        format!(
            "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  targetRef: {{kind: Mesh}}
  to:
  - targetRef: {{kind: Mesh}}
    default: {{loadBalancer: {load_balancer}}}
"
        )
    };
    let at = "spec.to[0].default.loadBalancer";
    for release in ["2.9", "2.12", "2.14", "3.0"] {
        assert_eq!(
            errors(
                &lb("{type: LeastRequest, leastRequest: {choiceCount: 1}}"),
                release
            ),
            vec![pair(
                &format!("{at}.leastRequest.choiceCount"),
                &format!(
                    "{at}.leastRequest.choiceCount in body should be greater than or equal to 2"
                )
            )],
            "{release}"
        );
        assert_eq!(
            errors(
                &lb("{type: RingHash, ringHash: {minRingSize: 0, maxRingSize: 8000001}}"),
                release
            ),
            vec![
                pair(
                    &format!("{at}.ringHash.minRingSize"),
                    &format!(
                        "{at}.ringHash.minRingSize in body should be greater than or equal to 1"
                    )
                ),
                pair(
                    &format!("{at}.ringHash.maxRingSize"),
                    &format!(
                        "{at}.ringHash.maxRingSize in body should be less than or equal to 8e+06"
                    )
                ),
            ],
            "{release}"
        );
        assert_eq!(
            errors(&lb("{type: Maglev, maglev: {tableSize: 5000012}}"), release),
            vec![pair(
                &format!("{at}.maglev.tableSize"),
                &format!(
                    "{at}.maglev.tableSize in body should be less than or equal to 5.000011e+06"
                )
            )],
            "{release}"
        );
        let within = "{type: RingHash, ringHash: {minRingSize: 1, maxRingSize: 8000000}}";
        assert!(errors(&lb(within), release).is_empty(), "{release}");
        assert!(errors(
            &lb("{type: LeastRequest, leastRequest: {choiceCount: 2}}"),
            release
        )
        .is_empty());
        assert!(errors(&lb("{type: Maglev, maglev: {tableSize: 5000011}}"), release).is_empty());
    }
}

/// A Kubernetes document's `kuma.io/display-name`, as every release reads it: its annotation,
/// else its name, never `metadata.labels` (`KubernetesMetaAdapter.GetLabels`,
/// `pkg/plugins/resources/k8s/store.go` v2.9.13:291-301, v2.14.3:318-332); 3.0's defaulting
/// webhook writes the name into the annotation first (master `webhooks/defaulter.go:70-79`).
/// Selectors, hostname templates and the MZS validator's name rules see this value.
#[test]
fn a_kubernetes_display_name_is_its_annotation_in_2_x_and_its_name_in_3_0() {
    let doc = |metadata_extra: &str| {
        format!(
            "apiVersion: kuma.io/v1alpha1\nkind: MeshService\nmetadata:\n  name: redis-east\n  namespace: kuma-demo\n{metadata_extra}spec:\n  selector: {{dataplaneLabels: {{matchLabels: {{app: redis}}}}}}\n  ports: [{{port: 6379}}]\n"
        )
    };
    let display = |text: &str, version: KumaVersion| {
        let options = CheckOptions {
            kuma_version: version,
            ..CheckOptions::default()
        };
        let checked = check(text, &options);
        let resource = checked.documents[0].resource.as_ref().unwrap();
        resource.meta.display_name().to_owned()
    };
    let annotated = doc("  annotations: {kuma.io/display-name: redis}\n");
    let labelled = doc("  labels: {kuma.io/display-name: redis}\n");
    for version in KumaVersion::ALL {
        let annotation_kept = version.is_2x();
        assert_eq!(
            display(&annotated, version),
            if annotation_kept {
                "redis"
            } else {
                "redis-east"
            },
            "{version:?}"
        );
        assert_eq!(display(&labelled, version), "redis-east", "{version:?}");
        assert_eq!(display(&doc(""), version), "redis-east", "{version:?}");
    }
}

/// The status a zone of `version` computes for the MZS of `text` (every document checked
/// through `check()` first, as the front ends do), in zone `east`, as Kuma's JSON.
fn zone_status(text: &str, version: KumaVersion) -> serde_json::Value {
    let options = CheckOptions {
        kuma_version: version,
        ..CheckOptions::default()
    };
    let checked = check(text, &options);
    let resources: Vec<_> = checked
        .documents
        .into_iter()
        .inspect(|d| assert!(!d.has_errors(), "{version}: {:?}", d.diagnostics))
        .filter_map(|d| d.resource)
        .collect();
    let options = PreviewOptions {
        kuma_version: version,
        ..PreviewOptions::default()
    };
    let p = preview(&resources, &["east".to_owned()], &options);
    serde_json::to_value(&p.zones[0].multi_zone_services[0].status).unwrap()
}

const MZS_AND_SERVICE: &str = "type: MeshMultiZoneService
name: redis
mesh: default
labels: {kuma.io/origin: global, team: Team_A}
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  ports: [{port: 6379}]
---
type: MeshService
name: redis
mesh: default
labels: {app: redis, kuma.io/zone: east}
spec:
  selector: {dataplaneRef: {name: redis}}
  ports: [{port: 6379}]
";

#[test]
fn zones_write_the_mesh_services_matched_condition_from_2_13() {
    for version in KumaVersion::ALL {
        let status = zone_status(MZS_AND_SERVICE, version);
        assert_eq!(status["meshServices"][0]["name"], "redis", "{version}");
        if version >= KumaVersion::V2_13 {
            assert_eq!(
                status["conditions"],
                serde_json::json!([{
                    "type": "MeshServicesMatched", "status": "True",
                    "reason": "MatchesFound", "message": "Matched 1 MeshService(s)"
                }]),
                "{version}"
            );
        } else {
            // v2.12.14's status updater writes `meshServices` only.
            assert!(status.get("conditions").is_none(), "{version}: {status}");
        }
    }
}

#[test]
fn a_generated_hostname_that_is_not_a_dns_name_is_refused_from_2_14() {
    // `{{ label "team" }}` passes 2.14's validator (its stub label is `label`), but renders
    // `Team_A.mesh` for this MZS.
    let text = format!(
        "{MZS_AND_SERVICE}---
type: HostnameGenerator
name: by-team
labels: {{kuma.io/origin: global}}
spec:
  selector: {{meshMultiZoneService: {{matchLabels: {{team: Team_A}}}}}}
  template: '{{{{ label \"team\" }}}}.mesh'
"
    );
    // A zone stores global's generator under its KDS name, which its status names.
    let by_team_on_zone = kuma_mzs_core::kds::hashed_name("", "by-team", &[]);
    for version in KumaVersion::ALL {
        let status = zone_status(&text, version);
        let by_team = status["hostnameGenerators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["hostnameGeneratorRef"]["coreName"] == by_team_on_zone.as_str())
            .unwrap_or_else(|| panic!("{version}: {status}"));
        let hostnames: Vec<&str> = status["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["hostname"].as_str())
            .collect();
        let condition = &by_team["conditions"][0];
        if version >= KumaVersion::V2_14 {
            assert_eq!(condition["status"], "False", "{version}");
            assert_eq!(condition["reason"], "TemplateError", "{version}");
            assert!(
                condition["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("generated hostname \"Team_A.mesh\" is not a valid DNS name: "),
                "{version}: {condition}"
            );
            assert_eq!(hostnames, ["redis.mzsvc.mesh.local"], "{version}");
        } else {
            // v2.13.10's `EvaluateTemplate` records whatever the template renders.
            assert_eq!(
                *condition,
                serde_json::json!({"type": "Generated", "status": "True", "reason": "Generated", "message": ""}),
                "{version}"
            );
            assert_eq!(
                hostnames,
                ["Team_A.mesh", "redis.mzsvc.mesh.local"],
                "{version}"
            );
        }
    }
}

#[test]
fn every_release_has_its_rules_and_2_x_means_2_14() {
    assert_eq!(KumaVersion::ALL.len(), 7);
    assert_eq!(
        errors(MLBS_TOP_MESH_SERVICE, "2.x"),
        errors(MLBS_TOP_MESH_SERVICE, "2.14")
    );
}

#[test]
fn a_nameless_target_says_with_kind_up_to_2_13_and_name_or_labels_from_2_14() {
    let mlbs = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: MeshService, sectionName: http}
    default: {localityAwareness: {disabled: true}}
";
    for version in ["2.9", "2.12", "2.13"] {
        assert_eq!(
            errors(mlbs, version),
            [pair(
                "spec.to[0].targetRef.name",
                "must be set with kind MeshService"
            )],
            "{version}"
        );
    }
    assert_eq!(
        errors(mlbs, "2.14"),
        [pair(
            "spec.to[0].targetRef",
            "name or labels must be set when kind is MeshService"
        )]
    );
}

#[test]
fn a_negative_port_stops_the_decoder_of_releases_with_unsigned_ports() {
    let refused =
        "json: cannot unmarshal number -1 into Go struct field Port.spec.ports.port of type uint32";
    let mzs = "type: MeshMultiZoneService
name: neg
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: a}}}
  ports: [{port: -1, appProtocol: http}]
";
    let ms = "type: MeshService
name: neg
mesh: default
spec:
  ports: [{port: 80, targetPort: 80}, {port: -1, targetPort: 80}]
";
    for version in ["2.9", "2.10", "2.11"] {
        assert_eq!(
            errors(mzs, version),
            [pair("spec.ports[0].port", refused)],
            "{version}"
        );
        assert_eq!(
            errors(ms, version),
            [pair("spec.ports[1].port", refused)],
            "{version}"
        );
    }
    assert_eq!(errors(mzs, "2.12"), []);
    assert_eq!(
        warnings(mzs, "2.12"),
        ["port -1 is outside 1-65535: no listener can be created for it"]
    );
}

#[test]
fn the_mzs_schema_requires_match_labels_up_to_2_11_and_ports_from_2_10() {
    let no_match_labels = "type: MeshMultiZoneService
name: a
mesh: default
spec:
  selector: {meshService: {}}
  ports: [{port: 80}]
";
    for version in ["2.9", "2.11"] {
        assert_eq!(
            errors(no_match_labels, version),
            [pair(
                "spec.selector.meshService.matchLabels",
                "spec.selector.meshService.matchLabels in body is required"
            )],
            "{version}"
        );
    }
    assert_eq!(
        errors(no_match_labels, "2.12"),
        [pair(
            "spec.selector.meshService.matchLabels",
            "cannot be empty"
        )]
    );
    let no_ports = "type: MeshMultiZoneService
name: a
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: a}}}
";
    assert_eq!(
        errors(no_ports, "2.9"),
        [pair("spec.ports", "cannot be empty")]
    );
    assert_eq!(
        errors(no_ports, "2.10"),
        [pair("spec.ports", "spec.ports in body is required")]
    );
}

/// Kuma words its deprecation warnings after the store wrote the labels: under 3.0, which writes
/// the name over a written display name, the warning names the resource by its name.
#[test]
fn a_3_0_deprecation_names_the_resource_as_stored() {
    let ms = "type: MeshService
name: redis
mesh: default
labels:
  kuma.io/display-name: other
spec:
  ports:
  - port: 6379
";
    let said = warnings(ms, "3.0");
    assert!(
        said.iter()
            .any(|w| w.starts_with("MeshService resource 'redis' has no selector")),
        "{said:?}"
    );
    // 2.14 gives no such warning.
    assert!(warnings(ms, "2.14").is_empty());
}

/// A Mesh's name meets Kuma's mesh manager in `kumactl apply` as in a REST PUT: under 3.0 a
/// DNS-1035 label, and at most 63 characters on a create in every release.
#[test]
fn a_mesh_name_meets_the_mesh_managers_rules() {
    let mesh = |name: &str| format!("type: Mesh\nname: {name}\n");
    let dotted = errors(&mesh("a.b"), "3.0");
    assert_eq!(dotted.len(), 1, "{dotted:?}");
    assert_eq!(dotted[0].0, "name");
    assert!(
        dotted[0].1.starts_with("a DNS-1035 label must consist"),
        "{dotted:?}"
    );
    assert!(errors(&mesh("a.b"), "2.14").is_empty());
    let long = "a".repeat(64);
    assert_eq!(
        errors(&mesh(&long), "2.14"),
        [pair("name", "cannot be longer than 63 characters")]
    );
    assert!(errors(&mesh(&"a".repeat(63)), "2.14").is_empty());
    // A Kubernetes Mesh meets them in Kuma's webhooks.
    let manifest = "apiVersion: kuma.io/v1alpha1\nkind: Mesh\nmetadata:\n  name: a.b\n";
    let dotted = errors(manifest, "3.0");
    assert_eq!(dotted.len(), 1, "{dotted:?}");
    assert!(
        dotted[0].1.starts_with("a DNS-1035 label must consist"),
        "{dotted:?}"
    );
}
