//! `check()` end to end, data-driven: each fixture marks the expected diagnostics with caret lines
//! under the offending text (`^^^ <code> <message>`, a trailing `...` matches a prefix). Caret
//! lines are removed before checking, and every diagnostic must be marked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kuma_mzs_core::model::{KumaVersion, Spec};
use kuma_mzs_core::syntax::Limits;
use kuma_mzs_core::{check, CheckOptions, Checked, Format, Shape};

struct Expected {
    start: usize,
    end: usize,
    code: String,
    message: String,
}

/// Split a fixture into the text and its caret annotations.
fn fixture(src: &str) -> (String, Vec<Expected>) {
    let mut text = String::new();
    let mut expected = Vec::new();
    let mut prev_line_start = 0;
    let mut prev_line = String::new();
    for line in src.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('^') {
            let col = line.len() - trimmed.len();
            let carets = trimmed.chars().take_while(|&c| c == '^').count();
            let rest = trimmed[carets..].trim();
            let (code, message) = rest.split_once(' ').unwrap_or((rest, ""));
            // Caret columns count characters of the line above.
            let byte_at = |c: usize| {
                prev_line
                    .char_indices()
                    .nth(c)
                    .map_or(prev_line.trim_end_matches('\n').len(), |(i, _)| i)
            };
            expected.push(Expected {
                start: prev_line_start + byte_at(col),
                end: prev_line_start + byte_at(col + carets),
                code: code.to_owned(),
                message: message.to_owned(),
            });
            continue;
        }
        prev_line_start = text.len();
        prev_line = line.to_owned();
        text.push_str(line);
    }
    (text, expected)
}

fn options(version: KumaVersion) -> CheckOptions {
    CheckOptions {
        kuma_version: version,
        ..CheckOptions::default()
    }
}

/// Check `src` and compare every diagnostic with the carets.
fn check_diagnostics_with(src: &str, options: &CheckOptions) -> Checked {
    let (text, expected) = fixture(src);
    let checked = check(&text, options);
    let mut got: Vec<(usize, usize, String, String)> = checked
        .all_diagnostics()
        .map(|d| {
            (
                d.span.start as usize,
                d.span.end as usize,
                d.code.as_str().to_owned(),
                d.message.clone(),
            )
        })
        .collect();
    let mut missing = Vec::new();
    for e in &expected {
        let found = got.iter().position(|(s, en, c, m)| {
            *s == e.start
                && *en == e.end
                && *c == e.code
                && match e.message.strip_suffix("...") {
                    Some(prefix) => m.starts_with(prefix),
                    None => *m == e.message,
                }
        });
        match found {
            Some(i) => {
                got.remove(i);
            }
            None => missing.push(format!(
                "{}..{} {:?} {} {}",
                e.start,
                e.end,
                text.get(e.start..e.end).unwrap_or("?"),
                e.code,
                e.message
            )),
        }
    }
    let unexpected: Vec<String> = got
        .iter()
        .map(|(s, e, c, m)| format!("{s}..{e} {:?} {c} {m}", text.get(*s..*e).unwrap_or("?")))
        .collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "\nmissing:\n  {}\nunexpected:\n  {}\n",
        missing.join("\n  "),
        unexpected.join("\n  ")
    );
    checked
}

fn check_diagnostics(src: &str) -> Checked {
    check_diagnostics_with(src, &options(KumaVersion::V3_0))
}

#[test]
fn a_valid_universal_mzs_decodes_with_kuma_defaults() {
    let checked = check_diagnostics(
        r#"type: MeshMultiZoneService
name: backend
labels:
  team: a
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: backend
  ports:
  - port: 80
    name: http
    appProtocol: http
  - port: 5432
"#,
    );
    let doc = &checked.documents[0];
    assert_eq!(doc.shape, Some(Shape::Universal));
    let r = doc.resource.as_ref().unwrap();
    assert_eq!(r.meta.mesh, "default");
    let Spec::MeshMultiZoneService(spec) = &r.spec else {
        panic!()
    };
    assert_eq!(spec.ports[1].app_protocol, "tcp");
    assert_eq!(spec.ports[1].name, None);
}

/// Kuma 2.9's REST unmarshaller applies no schema defaults: a universal document without `mesh`
/// has an empty one, which `kumactl apply` refuses; from 2.10 it is `default`. A Kubernetes
/// object is defaulted by the API server at every release.
#[test]
fn a_universal_document_without_a_mesh_is_refused_by_2_9_only() {
    let text = "type: MeshMultiZoneService\nname: backend\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: backend\n  ports:\n  - port: 80\n";
    let checked = check(text, &options(KumaVersion::V2_9));
    let errors: Vec<(&str, &str)> = (checked.documents[0].diagnostics.iter())
        .filter(|d| d.severity == kuma_mzs_core::Severity::Error)
        .map(|d| (d.field.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(errors, [("mesh", "cannot be empty")]);
    let hint = checked.documents[0].diagnostics[0].hint.as_deref();
    assert!(
        hint.is_some_and(|h| h.starts_with("Kuma 2.10 and later accept this")),
        "{hint:?}"
    );
    for version in [KumaVersion::V2_10, KumaVersion::V2_14, KumaVersion::V3_0] {
        let checked = check(text, &options(version));
        let doc = &checked.documents[0];
        assert!(
            doc.diagnostics.is_empty(),
            "{version}: {:?}",
            doc.diagnostics
        );
        assert_eq!(doc.resource.as_ref().unwrap().meta.mesh, "default");
    }
}

#[test]
fn a_kubernetes_mzs_takes_its_mesh_from_the_label() {
    let checked = check_diagnostics(
        r#"apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneService
metadata:
  name: backend
  namespace: kuma-system
  labels:
    kuma.io/mesh: payments
spec:
  selector:
    meshService:
      matchLabels:
        app: backend
  ports:
  - port: 80
"#,
    );
    let doc = &checked.documents[0];
    assert_eq!(doc.shape, Some(Shape::Kubernetes));
    let r = doc.resource.as_ref().unwrap();
    assert_eq!(
        (r.meta.name.as_str(), r.meta.mesh.as_str()),
        ("backend", "payments")
    );
    assert_eq!(r.meta.namespace(), "kuma-system");
}

#[test]
fn kuma_violations_point_at_the_offending_values() {
    check_diagnostics(
        r#"type: MeshMultiZoneService
name: global.backend
      ^^^^^^^^^^^^^^ kuma a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')
spec:
  selector:
    meshService:
      matchLabels: {}
                   ^^ kuma cannot be empty
  ports:
  - port: 80
    name: ""
          ^^ kuma must not be empty
    appProtocol: HTTP
                 ^^^^ kuma appProtocol must be one of: grpc, http, http2, tcp
"#,
    );
}

#[test]
fn kubernetes_names_are_located_under_metadata() {
    check_diagnostics(
        r#"apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneService
metadata:
  name: Backend
        ^^^^^^^ kuma a lowercase RFC 1123 subdomain must...
spec:
  selector:
    meshService:
      matchLabels: {app: b}
  ports: [{port: 80}]
"#,
    );
}

#[test]
fn names_meshes_and_labels_kuma_refuses_on_the_way_in_are_errors_in_every_release() {
    // Kuma's REST layer (`ValidateMeta`, the label checks) refuses these before its validator
    // runs, in 2.x as in 3.0, so 3.0's DNS-1035 message about the name is never reached.
    for version in KumaVersion::ALL {
        check_diagnostics_with(
            r#"type: MeshMultiZoneService
name: My_Redis
      ^^^^^^^^ kuma invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character
mesh: Default Mesh
      ^^^^^^^^^^^^ kuma invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_', '.' symbols.
labels:
  "bad key!": x
  ^^^^^^^^^^ kuma name part must consist of alphanumeric characters...
  team: "has space"
        ^^^^^^^^^^^ kuma a valid label must be an empty string or consist of...
  kuma.io/origin: elsewhere
                  ^^^^^^^^^ kuma unknown resource origin "elsewhere"
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  ports: [{port: 6379, appProtocol: tcp}]
"#,
            &options(version),
        );
    }
}

#[test]
fn a_name_meets_validate_meta_before_the_validators_name_rule() {
    // Kuma's REST decoder runs the validator on an empty meta; the name reaches the validator's
    // rule only after `ValidateMeta` passed it (upstream's put_meshservice_02 golden: `aa.a`).
    let long_upper = "A".repeat(68);
    check_diagnostics_with(
        &format!(
            "type: MeshService\nname: {long_upper}\n      {carets} kuma invalid characters. A lowercase RFC 1123 subdomain must...\nmesh: default\nspec:\n  selector: {{dataplaneTags: {{app: a}}}}\n",
            carets = "^".repeat(68)
        ),
        &options(KumaVersion::V2_14),
    );
    let long_lower = "a".repeat(64);
    check_diagnostics_with(
        &format!(
            "type: MeshService\nname: {long_lower}\n      {carets} kuma must not be longer than 63 characters\nmesh: default\nspec:\n  selector: {{dataplaneTags: {{app: a}}}}\n",
            carets = "^".repeat(64)
        ),
        &options(KumaVersion::V2_14),
    );
    check_diagnostics_with(
        r#"type: MeshService
name: Backend
      ^^^^^^^ kuma invalid characters. A lowercase RFC 1123 subdomain must...
mesh: default
spec:
  selector: {dataplaneLabels: {matchLabels: {app: a}}}
"#,
        &options(KumaVersion::V3_0),
    );
    check_diagnostics_with(
        r#"type: MeshService
name: aa.a
      ^^^^ kuma a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')
mesh: default
spec:
  selector: {dataplaneLabels: {matchLabels: {app: a}}}
"#,
        &options(KumaVersion::V3_0),
    );
}

#[test]
fn a_kubernetes_name_is_held_to_the_api_servers_rule_before_kumas() {
    for version in [KumaVersion::V2_9, KumaVersion::V2_14, KumaVersion::V3_0] {
        check_diagnostics_with(
            r#"apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneService
metadata:
  name: My_Redis
        ^^^^^^^^ kuma a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')
  labels: {kuma.io/mesh: default}
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  ports: [{port: 6379, appProtocol: tcp}]
"#,
            &options(version),
        );
    }
}

#[test]
fn a_kubernetes_mesh_label_is_held_to_kumas_mesh_rule() {
    // Kuma's webhooks check `kuma.io/mesh` with `ValidateMesh` at every release, for every type
    // that lives in a mesh.
    let specs = [
        (
            "MeshMultiZoneService",
            "  selector: {meshService: {matchLabels: {app: redis}}}\n  ports: [{port: 6379}]\n",
        ),
        (
            "MeshService",
            "  selector: {dataplaneTags: {app: redis}}\n  ports: [{port: 6379, targetPort: 6379}]\n",
        ),
        (
            "MeshLoadBalancingStrategy",
            "  targetRef: {kind: Mesh}\n  to:\n  - targetRef: {kind: Mesh}\n    default: {loadBalancer: {type: Random}}\n",
        ),
    ];
    for version in [KumaVersion::V2_9, KumaVersion::V2_14, KumaVersion::V3_0] {
        for (kind, spec) in specs {
            if kind == "MeshService" && version == KumaVersion::V3_0 {
                continue; // 3.0 has no dataplaneTags; the MZS and MLBS cover it.
            }
            check_diagnostics_with(
                &format!(
                    r#"apiVersion: kuma.io/v1alpha1
kind: {kind}
metadata:
  name: redis
  labels:
    kuma.io/mesh: My_Mesh
                  ^^^^^^^ kuma invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_', '.' symbols.
spec:
{spec}"#
                ),
                &options(version),
            );
            check_diagnostics_with(
                &format!(
                    r#"apiVersion: kuma.io/v1alpha1
kind: {kind}
metadata:
  name: redis
  labels:
    kuma.io/mesh: ""
                  ^^ kuma cannot be empty
spec:
{spec}"#
                ),
                &options(version),
            );
        }
    }
    // A value Kubernetes' label syntax refuses gets that error only: the API server stops it
    // before Kuma's webhooks. A generator lives outside meshes: its mesh label is not a mesh.
    check_diagnostics(
        r#"apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneService
metadata:
  name: redis
  labels:
    kuma.io/mesh: "my mesh"
                  ^^^^^^^^^ kuma a valid label must be an empty string or consist of...
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  ports: [{port: 6379}]
"#,
    );
    check_diagnostics(
        r#"apiVersion: kuma.io/v1alpha1
kind: HostnameGenerator
metadata:
  name: names
  labels:
    kuma.io/mesh: My_Mesh
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  template: "{{ .DisplayName }}.mesh"
"#,
    );
}

#[test]
fn schema_problems_use_kube_openapi_wording() {
    check_diagnostics(
        r#"type: MeshMultiZoneService
name: backend
spec:
^^^^ schema spec.selector in body is required
  ports: []
         ^^ schema spec.ports in body should have at least 1 items
"#,
    );
    check_diagnostics(
        r#"type: MeshMultiZoneService
^^^^ schema spec in body is required
name: backend
"#,
    );
    check_diagnostics(
        r#"type: MeshMultiZoneService
name: backend
spec:
  selector:
    meshService:
      matchLabels:
        app: 1
             ^ schema spec.selector.meshService.matchLabels.app in body must be of type string: "number"
  ports:
  - port: "80"
          ^^^^ schema spec.ports[0].port in body must be of type integer: "string"
  - port: 3000000000
          ^^^^^^^^^^ schema spec.ports[1].port in body must be of type int32: "3000000000"
  - name: x
    ^^^^ schema spec.ports[2].port in body is required
"#,
    );
    check_diagnostics(
        r#"type: MeshService
name: backend
spec:
  state: Up
         ^^ schema spec.state in body should be one of [Available Unavailable]
"#,
    );
}

#[test]
fn a_missing_name_is_required() {
    check_diagnostics(
        r#"type: MeshMultiZoneService
^^^^ schema name in body is required
spec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 80}]}
"#,
    );
}

#[test]
fn multi_document_yaml_checks_every_document() {
    let checked = check_diagnostics(
        r#"type: MeshMultiZoneService
name: a
spec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 80, appProtocol: kafka}]}
                                                                                       ^^^^^ kuma appProtocol must be one of: grpc, http, http2, tcp
---
type: HostnameGenerator
name: hg
spec:
  selector: {meshMultiZoneService: {}}
  template: "{{ .Name }}.MESH"
            ^^^^^^^^^^^^^^^^^^ kuma template renders to "name.MESH" which is not a valid DNS name...
---
type: Banana
      ^^^^^^ unknown-resource unknown resource type `Banana`; kuma-mzs understands Mesh, MeshService, MeshMultiZoneService, HostnameGenerator, MeshLoadBalancingStrategy
"#,
    );
    assert_eq!(checked.documents.len(), 3);
}

#[test]
fn kafka_and_bad_names_are_accepted_by_2x() {
    check_diagnostics_with(
        r#"type: MeshMultiZoneService
name: global.backend
      ^^^^^^^^^^^^^^ MZS006 Invalid MeshMultiZoneService resource name: 'global.backend'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: a DNS-1035 label...
spec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 80, appProtocol: kafka}]}
                                                                ^^^^ MZS006 Invalid MeshMultiZoneService SNI (port "80"): name "global.backend" does not conform to RFC 1123: must not contain dots. This is deprecated.
"#,
        &options(KumaVersion::V2_14),
    );
}

#[test]
fn json_objects_arrays_and_lists() {
    check_diagnostics(
        r#"{"type": "MeshMultiZoneService", "name": "a", "spec": {"selector": {"meshService": {"matchLabels": {"a": "b"}}}, "ports": [{"port": "80"}]}}
                                                                                                                                    ^^^^ schema spec.ports[0].port in body must be of type integer: "string"
"#,
    );
    let checked = check_diagnostics(
        r#"[
  {"type": "MeshMultiZoneService", "name": "a", "spec": {"selector": {"meshService": {"matchLabels": {"a": "b"}}}, "ports": [{"port": 80}]}},
  {"type": "MeshMultiZoneService", "name": "b", "spec": {"selector": {"meshService": {"matchLabels": {"a": "b"}}}, "ports": [{"port": 80, "name": ""}]}}
                                                                                                                                                  ^^ kuma must not be empty
]
"#,
    );
    assert_eq!(checked.documents.len(), 2);
    let checked = check_diagnostics(
        r#"apiVersion: v1
kind: List
items:
- apiVersion: kuma.io/v1alpha1
  kind: MeshMultiZoneService
  metadata: {name: a}
  spec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 80}]}
- apiVersion: kuma.io/v1alpha1
  kind: MeshService
  metadata: {name: b}
  spec: {ports: [{port: 80}]}
  ^^^^ MZS006 MeshService resource 'b' has no selector, so it matches no data plane proxies...
"#,
    );
    assert_eq!(checked.documents.len(), 2);
}

#[test]
fn positions_count_lines_characters_utf16_units_and_bytes() {
    // 'é' is 1 char / 1 UTF-16 unit / 2 bytes; '🎉' is 1 char / 2 units / 4 bytes.
    let text = "type: MeshMultiZoneService\nname: a\nlabels: {note: \"é🎉\"}\nspec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 80, appProtocol: x}]}\n";
    let text = text.replace("labels: {note: \"é🎉\"}\nspec: {", "spec: {\"é🎉\": 1, ");
    let checked = check(&text, &CheckOptions::default());
    let d = checked
        .all_diagnostics()
        .find(|d| d.code.as_str() == "kuma")
        .unwrap();
    let r = d.range(&checked.line_index, &text);
    let line = text.lines().nth(2).unwrap();
    let x_byte = line.find("appProtocol: x").unwrap() + "appProtocol: ".len();
    let chars_before = line[..x_byte].chars().count() as u32;
    assert_eq!(r.start.line, 3);
    assert_eq!(r.start.column, chars_before + 1);
    assert_eq!(r.start.character, chars_before + 1); // the emoji is two UTF-16 units
    assert_eq!(
        r.start.offset as usize,
        text.find("appProtocol: x").unwrap() + "appProtocol: ".len()
    );
    // JSON with non-ASCII keeps the same guarantees.
    check_diagnostics(
        "{\"type\": \"MeshMultiZoneService\", \"name\": \"é\", \"spec\": {\"selector\": {\"meshService\": {\"matchLabels\": {\"a\": \"b\"}}}, \"ports\": [{\"port\": 80}]}}\n                                         ^^^ kuma invalid characters. A lowercase RFC 1123 subdomain...\n",
    );
}

#[test]
fn lints_warn_without_changing_kumas_errors() {
    check_diagnostics(
        r#"type: MeshMultiZoneService
name: backend
status: {meshServices: []}
^^^^^^ MZS007 `status` is computed by the control plane; Kuma ignores it on input
kri: kri_mzsvc_default___backend_
^^^ MZS007 `kri` is computed by the control plane; Kuma ignores it on input
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/mesh: default
        ^^^^^^^^^^^^^^^^^^^^^ MZS004 the selector only matches on kuma.io/mesh, so it selects every MeshService of the mesh in every zone
  ports:
  - port: 0
          ^ MZS001 port 0 is outside 1-65535: no listener can be created for it
  - port: 80
    name: http
  - port: 80
          ^^ MZS002 port 80 is already listed at spec.ports[1]
    name: http
          ^^^^ MZS003 port name "http" is already used by spec.ports[1]
  - port: 8080
    name: "80"
          ^^^^ MZS003 port name "80" equals the number of spec.ports[1]; Kuma finds ports by name or number, so sectionName "80" is ambiguous
    apProtocol: http
    ^^^^^^^^^^ MZS005 unknown field `apProtocol`; Kuma ignores it (did you mean `appProtocol`?)
"#,
    );
}

#[test]
fn a_misspelled_field_gets_a_certain_fix() {
    let checked = check_diagnostics(
        r#"type: MeshMultiZoneService
name: backend
spec:
  selector:
    meshService:
    ^^^^^^^^^^^ kuma cannot be empty
      matchLabel:
      ^^^^^^^^^^ MZS005 unknown field `matchLabel`; Kuma ignores it (did you mean `matchLabels`?)
        app: backend
  ports: [{port: 80}]
"#,
    );
    let fix = checked
        .all_diagnostics()
        .find_map(|d| d.fix.clone())
        .unwrap();
    assert_eq!(fix.replacement, "matchLabels");
    assert_eq!(fix.title, "Rename `matchLabel` to `matchLabels`");
}

#[test]
fn sni_deprecations_are_warnings_at_the_port() {
    check_diagnostics(
        r#"type: MeshMultiZoneService
name: backend
spec:
  selector: {meshService: {matchLabels: {a: b}}}
  ports:
  - port: 80
    ^^^^ MZS006 Invalid MeshMultiZoneService SNI (port "Web_UI"): a lowercase RFC 1123 label must consist of...
    name: Web_UI
"#,
    );
}

#[test]
fn hostname_generator_template_problems() {
    check_diagnostics(
        r#"type: HostnameGenerator
name: hg
spec:
  selector: {meshService: {}, meshExternalService: {}}
            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ kuma exact one selector (meshService, meshExternalService) must be defined
  template: "{{ .Name[4 }}.mesh"
            ^^^^^^^^^^^^^^^^^^^^ kuma couldn't parse template: template: :1: bad character U+005B '['
---
type: HostnameGenerator
name: hg2
spec:
  selector: {meshService: {}}
  template: "{{ .Nmae }}.mesh"
            ^^^^^^^^^^^^^^^^^^ kuma couldn't render template with stub values: template: :1:3: executing "" at <.Nmae>: can't evaluate field Nmae in type struct { Name string; DisplayName string; Namespace string; Mesh string; Zone string }
  extension: {config: {}}
  ^^^^^^^^^ schema spec.extension.type in body is required
"#,
    );
}

#[test]
fn load_balancing_failover_rules() {
    check_diagnostics(
        r#"type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: MeshMultiZoneService}
    ^^^^^^^^^ kuma must be set when kind is MeshMultiZoneService
    default:
      localityAwareness:
        crossZone:
          failover:
          - from: {zones: []}
                          ^^ kuma must not be empty
            to: {type: Only}
            ^^ kuma must not be empty when type is Only
          - to: {type: Any, zones: [a]}
                                   ^^^ kuma must be empty when type is Any
          - to: {type: Sometimes}
                       ^^^^^^^^^ schema spec.to[0].default.localityAwareness.crossZone.failover[2].to.type in body should be one of [None Only Any AnyExcept]
          failoverThreshold: {percentage: "abc"}
                                          ^^^^^ kuma string must be a valid number
"#,
    );
}

#[test]
fn percentages_and_biases_are_exact_decimals_as_in_kuma() {
    // Kuma reads them with shopspring/decimal: nothing is rounded to 100 or to 0, and an
    // exponent beyond int32 is no number.
    check_diagnostics(
        r#"type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: Mesh}
    default:
      loadBalancer: {type: LeastRequest, leastRequest: {activeRequestBias: "-1e-400"}}
                                                                           ^^^^^^^^^ kuma must be greater or equal then: 0
      localityAwareness:
        crossZone:
          failoverThreshold: {percentage: "100.0000000000000000001"}
                                          ^^^^^^^^^^^^^^^^^^^^^^^^^ kuma must be in inclusive range [0.0, 100.0]
  - targetRef: {kind: Mesh}
    default:
      loadBalancer: {type: LeastRequest, leastRequest: {activeRequestBias: "1e99999999999"}}
                                                                           ^^^^^^^^^^^^^^^ kuma string must be a valid number
      localityAwareness:
        crossZone:
          failoverThreshold: {percentage: "1e-400"}
"#,
    );
}

#[test]
fn a_port_that_failed_the_schema_is_no_duplicate_of_another() {
    // The port Kuma refuses is not read, so the later port 0 is not "already listed" at it.
    check_diagnostics(
        r#"type: MeshMultiZoneService
name: redis
mesh: default
spec:
  selector:
    meshService:
      matchLabels:
        app: redis
  ports:
  - port: 2147483648
          ^^^^^^^^^^ schema spec.ports[0].port in body must be of type int32: "2147483648"
  - port: -0
          ^^ MZS001 port 0 is outside 1-65535: no listener can be created for it
"#,
    );
}

#[test]
fn bad_input_gets_clear_diagnostics() {
    // Not a mapping.
    check_diagnostics(
        "- just\n  ^^^^ unknown-resource expected a Kuma resource (an object with `type`, or `apiVersion` and `kind`), found a string\n",
    );
    check_diagnostics(
        "hello: world\n^^^^^ unknown-resource not a Kuma resource: it has neither `type`...\n",
    );
    // Size limit, configurable.
    let small = CheckOptions {
        limits: Limits {
            max_bytes: 10,
            ..Limits::default()
        },
        ..CheckOptions::default()
    };
    let checked = check("type: MeshMultiZoneService\n", &small);
    assert_eq!(
        checked.diagnostics[0].message,
        "the input is 27 bytes, more than the limit of 10 bytes"
    );
    // Alias bomb.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    let checked = check(&bomb, &CheckOptions::default());
    assert_eq!(checked.diagnostics[0].code.as_str(), "limit");
    // Deep nesting, block and flow.
    let deep = "a:\n".to_owned()
        + &(1..200)
            .map(|i| format!("{}a:\n", "  ".repeat(i)))
            .collect::<String>();
    assert_eq!(
        check(&deep, &CheckOptions::default()).diagnostics[0]
            .code
            .as_str(),
        "limit"
    );
    let flow = "[".repeat(50_000);
    assert_eq!(
        check(&flow, &CheckOptions::default()).diagnostics[0]
            .code
            .as_str(),
        "limit"
    );
    // Invalid UTF-8 and binary garbage.
    let (text, parsed) =
        kuma_mzs_core::syntax::parse_bytes(b"type: Mesh\nname: \xc3\x28", &Limits::default());
    assert!(text.is_none());
    assert_eq!(
        parsed.diagnostics[0].message,
        "the input is not valid UTF-8 text (invalid byte at offset 17)"
    );
    let garbage: String = (0u8..=255).map(char::from).collect();
    let checked = check(&garbage, &CheckOptions::default());
    assert!(checked.has_errors());
    // Format is only a hint; JSON is YAML.
    let json = CheckOptions {
        format: Format::Json,
        ..CheckOptions::default()
    };
    assert!(!check("{\"type\": \"Mesh\", \"name\": \"default\"}", &json).has_errors());
}

#[test]
fn creation_times_are_read_from_both_shapes_for_kuma_s_ordering() {
    // Exported objects carry their creation time; the preview orders HostnameGenerators and
    // services by it as Kuma does (Kuma itself ignores it on input, so the document still gets
    // the "computed by the control plane" note).
    let text = r#"type: HostnameGenerator
name: g
creationTime: "2026-11-26T16:57:17.499403952Z"
spec:
  template: "{{ .DisplayName }}.mesh"
---
apiVersion: kuma.io/v1alpha1
kind: HostnameGenerator
metadata:
  name: k
  namespace: kuma-system
  creationTimestamp: "2026-11-26T16:57:18Z"
spec:
  template: "{{ .DisplayName }}.mesh"
---
type: HostnameGenerator
name: untimed
spec:
  template: "{{ .DisplayName }}.mesh"
---
type: HostnameGenerator
name: zero
creationTime: "0001-01-01T00:00:00Z"
spec:
  template: "{{ .DisplayName }}.mesh"
"#;
    let checked = check(text, &CheckOptions::default());
    let times: Vec<Option<&str>> = checked
        .documents
        .iter()
        .map(|d| d.resource.as_ref().unwrap().meta.creation_time.as_deref())
        .collect();
    assert_eq!(
        times,
        vec![
            Some("2026-11-26T16:57:17.499403952Z"),
            Some("2026-11-26T16:57:18Z"),
            None,
            Some("0001-01-01T00:00:00Z"),
        ]
    );
    let metas: Vec<_> = checked
        .documents
        .iter()
        .map(|d| d.resource.as_ref().unwrap().meta.created_at())
        .collect();
    assert!(metas[2] < metas[0] && metas[0] < metas[1]);
    // Go's zero time, as Kuma prints a time it never set, is the same as none.
    assert_eq!(metas[3], metas[2]);
    assert!(checked.documents[0]
        .diagnostics
        .iter()
        .any(|d| d.field == "creationTime"));
}

#[test]
fn an_explicit_null_in_a_universal_document_is_a_value_kuma_refuses() {
    // Kuma validates the raw JSON of a universal resource: a key without a value is a field
    // holding null, present for `required` but of the wrong type (kube-openapi's typeValidator).
    check_diagnostics(
        r#"type: MeshMultiZoneService
name: backend
mesh: default
labels:
^^^^^^ schema labels in body must be of type object: "null"
spec:
  selector:
    meshService:
      matchLabels:
        app: backend
  ports:
  - port: 80
    name:
    ^^^^ schema spec.ports[0].name in body must be of type string: "null"
    appProtocol: http
"#,
    );
}

#[test]
fn a_null_where_kuma_has_a_default_takes_the_default() {
    // Kuma's structural defaulting fills a null field that has a default before validating.
    let checked = check_diagnostics(
        "type: MeshMultiZoneService\nname: backend\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: b\n  ports:\n  - port: 80\n    appProtocol: null\n",
    );
    let r = checked.documents[0].resource.as_ref().unwrap();
    let Spec::MeshMultiZoneService(spec) = &r.spec else {
        panic!()
    };
    assert_eq!(spec.ports[0].app_protocol, "tcp");
}

#[test]
fn required_fields_written_as_null_are_type_errors_not_missing() {
    check_diagnostics(
        r#"{"type": "MeshMultiZoneService", "name": "b", "spec": {"selector": {"meshService": {"matchLabels": null}}, "ports": null}}
                                                                                                   ^^^^ schema spec.selector.meshService.matchLabels in body must be of type object: "null"
                                                                                                                    ^^^^ schema spec.ports in body must be of type array: "null"
"#,
    );
}

#[test]
fn a_null_in_a_kubernetes_object_is_no_value() {
    // The API server drops nulls of non-nullable fields before Kuma's webhook sees the object.
    check_diagnostics(
        r#"apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneService
metadata:
  name: backend
  labels:
spec:
  selector:
    meshService:
      matchLabels:
        app: backend
  ports:
  - port: 80
    name:
"#,
    );
}

#[test]
fn a_label_key_error_is_at_the_key_and_a_value_error_at_the_value() {
    check_diagnostics(
        r#"type: MeshMultiZoneService
name: a
labels:
  "bad key": x
  ^^^^^^^^^ kuma name part must consist of alphanumeric characters...
  good: "bad value"
        ^^^^^^^^^^^ kuma a valid label must be an empty string or consist of alphanumeric characters...
spec:
  selector:
    meshService:
      matchLabels:
        a: b
  ports:
  - port: 80
"#,
    );
}

#[test]
fn nulls_kuma_fills_or_drops_are_no_error() {
    // `mesh` has a schema default; a Kubernetes API server prunes a null map value; a Mesh has
    // no schema step (Go's decoder reads null as absent).
    check_diagnostics(
        "type: MeshMultiZoneService\nname: a\nmesh: null\nspec:\n  selector: {meshService: {matchLabels: {app: a}}}\n  ports: [{port: 80}]\n",
    );
    check_diagnostics(
        "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  name: a\n  namespace: kuma-system\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n        version: ~\n  ports:\n  - port: 80\n",
    );
    check_diagnostics("type: Mesh\nname: default\nlabels:\n");
}

#[test]
fn an_array_item_of_the_wrong_type_is_one_schema_error() {
    check_diagnostics(
        r#"type: MeshMultiZoneService
name: a
spec:
  selector: {meshService: {matchLabels: {app: a}}}
  ports: [null, 5]
          ^^^^ schema spec.ports[0] in body must be of type object: "null"
                ^ schema spec.ports[1] in body must be of type object: "number"
"#,
    );
}

#[test]
fn an_empty_spec_is_located_at_its_key() {
    check_diagnostics(
        r#"type: MeshMultiZoneService
name: a
spec:
^^^^ schema spec in body must be of type object: "null"
"#,
    );
}

/// An MLBS whose `default.hashPolicies` (and, with `nested`, ringHash's) hold `items`, a flow
/// sequence with its caret lines.
fn hash_policies_doc(items: &str, nested: bool) -> String {
    let mut doc = String::from(
        "type: MeshLoadBalancingStrategy\nname: lb\nspec:\n  to:\n  - targetRef: {kind: Mesh}\n    default:\n",
    );
    if nested {
        doc.push_str("      loadBalancer:\n        type: RingHash\n        ringHash:\n          hashPolicies:\n");
    } else {
        doc.push_str("      hashPolicies:\n");
    }
    doc.push_str(items);
    doc
}

#[test]
fn hash_policy_items_follow_kumas_2_14_schema_at_the_root_and_nested() {
    // Kuma checks the REST body against the schema before its validator; the item schema is the
    // same at the root of `default` and under ringHash/maglev. (The schema's `type` enum is left
    // to the validator: see README, deviations.)
    for (prefix, nested) in [
        ("spec.to[0].default.hashPolicies", false),
        (
            "spec.to[0].default.loadBalancer.ringHash.hashPolicies",
            true,
        ),
    ] {
        let items = format!(
            r#"      - type: Header
        header: {{name: a}}
      - terminal: true
        ^^^^^^^^ schema {prefix}[1].type in body is required
      - type: Header
        header: {{}}
        ^^^^^^ schema {prefix}[2].header.name in body is required
      - type: Header
        header: {{name: ""}}
                       ^^ schema {prefix}[3].header.name in body should be at least 1 chars long
      - 5
        ^ schema {prefix}[4] in body must be of type object: "number"
      - type: Cookie
        cookie: {{name: "", ttl: 10}}
                       ^^ schema {prefix}[5].cookie.name in body should be at least 1 chars long
                                ^^ schema {prefix}[5].cookie.ttl in body must be of type string: "number"
      - type: FilterState
        filterState: {{}}
        ^^^^^^^^^^^ schema {prefix}[6].filterState.key in body is required
      - type: QueryParameter
        queryParameter: {{name: ""}}
                               ^^ schema {prefix}[7].queryParameter.name in body should be at least 1 chars long
      - type: Connection
        connection: {{sourceIP: "yes"}}
                               ^^^^^ schema {prefix}[8].connection.sourceIP in body must be of type boolean: "string"
"#
        );
        let items = if nested {
            items.replace("\n      ", "\n          ")
        } else {
            items
        };
        let items = if nested {
            format!("    {items}")
        } else {
            items
        };
        check_diagnostics_with(
            &hash_policies_doc(&items, nested),
            &options(KumaVersion::V2_14),
        );
    }
}

#[test]
fn hash_policy_items_follow_kumas_3_0_schema_without_validator_repeats() {
    // The validator's "must be defined" is not repeated where the schema already refused the
    // value; an unknown `type` is the validator's "unrecognized type", as Kuma's validator tests
    // have it (3.0 has no SourceIP).
    check_diagnostics(&hash_policies_doc(
        r#"      - type: Headr
              ^^^^^ kuma unrecognized type
      - type: SourceIP
              ^^^^^^^^ kuma unrecognized type
      - terminal: true
        ^^^^^^^^ schema spec.to[0].default.hashPolicies[2].type in body is required
      - type: Header
        header: {name: ""}
                       ^^ schema spec.to[0].default.hashPolicies[3].header.name in body should be at least 1 chars long
      - 5
        ^ schema spec.to[0].default.hashPolicies[4] in body must be of type object: "number"
      - type: Header
        ^^^^ kuma must be defined
"#,
        false,
    ));
}

#[test]
fn hash_policy_types_differ_by_release() {
    // 2.9 to 2.11 have no root `hashPolicies` at all (an unknown field there).
    check_diagnostics_with(
        r#"type: MeshLoadBalancingStrategy
name: lb
spec:
  to:
  - targetRef: {kind: Mesh}
    default:
      hashPolicies: [{type: Headr}]
      ^^^^^^^^^^^^ MZS005 unknown field `hashPolicies`; Kuma ignores it...
"#,
        &options(KumaVersion::V2_11),
    );
}

#[test]
fn a_display_name_in_kubernetes_labels_is_a_warning_in_every_release() {
    // Kuma reads a Kubernetes object's display name from its annotation, else its name.
    let doc = r#"apiVersion: kuma.io/v1alpha1
kind: MeshService
metadata:
  name: redis-east
  namespace: kuma-demo
  labels:
    kuma.io/display-name: redis
                          ^^^^^ MZS007 Kuma 3.0 replaces it with the resource's name on write, so selectors and hostname templates on a control plane see "redis-east"
spec:
  selector: {dataplaneLabels: {matchLabels: {app: redis}}}
  ports: [{port: 6379}]
"#;
    check_diagnostics(doc);
    let (text, _) = fixture(doc);
    let messages = |text: &str, version| -> Vec<String> {
        check(text, &options(version))
            .all_diagnostics()
            .map(|d| d.message.clone())
            .collect()
    };
    assert_eq!(
        messages(&text, KumaVersion::V2_14),
        vec!["Kuma 2.14 replaces it with the resource's name on write, so selectors and hostname templates on a control plane see \"redis-east\"".to_owned()]
    );
    // 2.x reads the annotation: the label is ignored silently then (no name to announce).
    let annotated = text.replace(
        "  labels:\n",
        "  annotations: {kuma.io/display-name: cache}\n  labels:\n",
    );
    assert!(messages(&annotated, KumaVersion::V2_14).is_empty());
    assert_eq!(messages(&annotated, KumaVersion::V3_0).len(), 1);
    // A KDS copy (named by the hash of its display name) keeps its annotation in 3.0 too.
    let copy = kuma_mzs_core::api::hashed_name("default", "redis", &["east", "kuma-system"]);
    let synced = format!("apiVersion: kuma.io/v1alpha1\nkind: MeshService\nmetadata:\n  name: {copy}\n  namespace: kuma-system\n  labels: {{kuma.io/zone: east}}\n  annotations: {{kuma.io/display-name: redis}}\nspec:\n  selector: {{dataplaneLabels: {{matchLabels: {{app: redis}}}}}}\n  ports: [{{port: 6379}}]\n");
    let checked = check(&synced, &options(KumaVersion::V3_0));
    let meta = &checked.documents[0].resource.as_ref().unwrap().meta;
    assert_eq!(meta.display_name(), "redis");
}

#[test]
fn a_written_display_name_3_0_replaces_is_a_warning_at_the_label_and_2x_keeps_it() {
    let doc = r#"type: MeshService
name: redis-east
labels:
  kuma.io/display-name: redis
                        ^^^^^ MZS007 Kuma 3.0 replaces it with the resource's name on write, so selectors and hostname templates on a control plane see "redis-east"
spec:
  selector: {dataplaneLabels: {matchLabels: {app: redis}}}
  ports: [{port: 6379}]
"#;
    check_diagnostics(doc);
    // 2.14 stores it as written (v2.14.3 put_immutable_displayname_00).
    let (text, _) = fixture(doc);
    let checked = check(&text, &options(KumaVersion::V2_14));
    assert_eq!(checked.all_diagnostics().count(), 0);
    // The name itself is what 3.0 writes anyway.
    let same = "type: MeshService\nname: redis\nlabels: {kuma.io/display-name: redis}\nspec:\n  selector: {dataplaneLabels: {matchLabels: {app: redis}}}\n  ports: [{port: 6379}]\n";
    assert_eq!(
        check(same, &options(KumaVersion::V3_0))
            .all_diagnostics()
            .count(),
        0
    );
    // A synced copy, as a zone or global stores it (KDS, not the REST layer), keeps its own.
    let copy = kuma_mzs_core::api::hashed_name("default", "redis", &["east"]);
    let synced = format!("type: MeshService\nname: {copy}\nmesh: default\nlabels: {{kuma.io/display-name: redis, kuma.io/zone: east}}\nspec:\n  selector: {{dataplaneLabels: {{matchLabels: {{app: redis}}}}}}\n  ports: [{{port: 6379}}]\n");
    let diagnostics: Vec<_> = check(&synced, &options(KumaVersion::V3_0))
        .all_diagnostics()
        .map(|d| d.message.clone())
        .collect();
    assert!(
        !diagnostics.iter().any(|m| m.contains("replaces")),
        "{diagnostics:?}"
    );
}

#[test]
fn explicit_yaml_tags_give_kumas_values_and_a_bad_one_rejects_its_document() {
    // `kumactl apply` reads YAML through go-yaml v2: `!!int "81"` is the integer 81, `!!str yes`
    // the name "yes" (not `true`), and a tag the value does not fit rejects the whole document.
    let checked = check_diagnostics(
        r#"type: MeshMultiZoneService
name: !!str yes
spec:
  selector:
    meshService:
      matchLabels: {app: !!str yes}
  ports:
  - port: !!int "81"
    appProtocol: !!str http
  - port: !!float 82
    appProtocol: !<tag:yaml.org,2002:str> tcp
---
type: MeshMultiZoneService
name: b
spec:
  selector:
    meshService:
      matchLabels: {app: a}
  ports:
  - port: !!int "eighty"
          ^^^^^^^^^^^^^^^ syntax invalid YAML: cannot decode !!str `eighty` as a !!int
"#,
    );
    assert_eq!(checked.documents.len(), 1);
    let r = checked.documents[0].resource.as_ref().unwrap();
    assert_eq!(r.meta.name, "yes");
    let Spec::MeshMultiZoneService(spec) = &r.spec else {
        panic!()
    };
    assert_eq!(spec.ports[0].port, 81);
    assert_eq!(spec.ports[0].app_protocol, "http");
    assert_eq!(spec.ports[1].port, 82);
    assert_eq!(
        spec.selector
            .mesh_service
            .match_labels
            .as_ref()
            .and_then(|labels| labels.get("app"))
            .map(String::as_str),
        Some("yes")
    );
}

#[test]
fn a_misspelled_key_gets_a_fix_inside_its_quotes_and_none_through_its_tag() {
    let text = "type: MeshMultiZoneService\nname: backend\nspec:\n  selector:\n    meshService:\n      KEY:\n        app: backend\n  ports: [{port: 80}]\n";
    let fix = |key: &str| {
        let text = text.replace("KEY", key);
        check(&text, &options(KumaVersion::V3_0))
            .all_diagnostics()
            .find_map(|d| d.fix.clone())
            .map(|f| text[f.span.start as usize..f.span.end as usize].to_owned())
    };
    assert_eq!(fix("matchLabel").as_deref(), Some("matchLabel"));
    assert_eq!(fix("\"matchLabel\"").as_deref(), Some("matchLabel"));
    // Replacing inside assumed quotes would leave `!matchLabels...` behind.
    assert_eq!(fix("!!str matchLabel"), None);
}

#[test]
fn a_zone_refuses_a_policy_mixing_producer_and_consumer_items() {
    let mlbs = |namespace: &str, second: &str| {
        format!(
            "apiVersion: kuma.io/v1alpha1\nkind: MeshLoadBalancingStrategy\nmetadata:\n  name: lb\n  namespace: {namespace}\n  labels:\n    kuma.io/mesh: default\nspec:\n  to:\n  - targetRef: {{kind: MeshService, name: redis}}\n    default: {{localityAwareness: {{disabled: true}}}}\n  - targetRef: {second}\n    default: {{localityAwareness: {{disabled: true}}}}\n"
        )
    };
    let refusals = |text: &str| -> Vec<(String, String)> {
        check(text, &options(KumaVersion::V2_14))
            .all_diagnostics()
            .filter(|d| d.message.contains("producer"))
            .map(|d| (d.field.clone(), d.message.clone()))
            .collect()
    };
    let mixed = mlbs(
        "kuma-demo",
        "{kind: MeshMultiZoneService, labels: {kuma.io/display-name: redis}}",
    );
    assert_eq!(
        refusals(&mixed),
        [(
            "spec.to".to_owned(),
            "it's not allowed to mix producer and consumer items in the same policy".to_owned()
        )]
    );
    // In the system namespace every policy is the system's; two producer items are one role.
    let system = mlbs(
        "kuma-system",
        "{kind: MeshMultiZoneService, labels: {kuma.io/display-name: redis}}",
    );
    assert!(refusals(&system).is_empty());
    let producers = mlbs(
        "kuma-demo",
        "{kind: MeshService, name: web, namespace: kuma-demo}",
    );
    assert!(refusals(&producers).is_empty());
    // A MeshService of another namespace is a consumer item.
    let other = mlbs(
        "kuma-demo",
        "{kind: MeshService, name: web, namespace: other}",
    );
    assert_eq!(refusals(&other).len(), 1);
}

/// A system namespace Kuma could not run in is a mistake in the options, said once, not a wrong
/// namespace check on every manifest.
#[test]
fn a_system_namespace_that_is_no_namespace_is_refused_in_apimachinerys_words() {
    let with = |ns: Option<&str>| CheckOptions {
        system_namespace: ns.map(str::to_owned),
        ..CheckOptions::default()
    };
    assert_eq!(with(None).system_namespace_problem(), None);
    assert_eq!(with(Some("")).system_namespace_problem(), None);
    assert_eq!(
        with(Some("kong-mesh-system")).system_namespace_problem(),
        None
    );
    let problem = with(Some("Kuma_System")).system_namespace_problem();
    assert!(
        problem.as_deref().is_some_and(|p| p.starts_with(
            "\"Kuma_System\" is not a Kubernetes namespace: a lowercase RFC 1123 label must consist of"
        )),
        "{problem:?}"
    );
}
