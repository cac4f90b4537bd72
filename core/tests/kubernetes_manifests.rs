//! What a Kubernetes cluster refuses in a Kuma manifest besides Kuma's validator, on whole
//! documents through `check()`: the API server's namespace syntax and list-map keys, and Kuma's
//! admission webhook's namespace and origin rules, with their messages and positions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kuma_mzs_core::{check, CheckOptions, KumaVersion, Severity};

/// (line, column, field, message) of every error, 1-based.
fn errors(text: &str, options: &CheckOptions) -> Vec<(u32, u32, String, String)> {
    let checked = check(text, options);
    checked
        .all_diagnostics()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let at = checked.line_index.position(text, d.span.start);
            (at.line, at.column, d.field.clone(), d.message.clone())
        })
        .collect()
}

fn mzs(namespace: &str, labels: &str) -> String {
    format!(
        "apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneService
metadata:
  name: redis
{namespace}  labels:
    kuma.io/mesh: default
{labels}spec:
  selector:
    meshService:
      matchLabels:
        app: redis
  ports:
  - port: 6379
"
    )
}

fn every_release() -> impl Iterator<Item = CheckOptions> {
    KumaVersion::ALL
        .into_iter()
        .map(|kuma_version| CheckOptions {
            kuma_version,
            ..CheckOptions::default()
        })
}

#[test]
fn an_mzs_outside_the_system_namespace_is_refused_by_kumas_webhook() {
    let text = mzs("  namespace: redis-app\n", "");
    for options in every_release() {
        assert_eq!(
            errors(&text, &options),
            [(
                5,
                14,
                "metadata.namespace".to_owned(),
                "on Global CP the policy can be created only in the system namespace:kuma-system"
                    .to_owned()
            )],
            "{}",
            options.kuma_version
        );
    }
    // In the system namespace, or with none (kubectl's current namespace): nothing.
    assert!(errors(
        &mzs("  namespace: kuma-system\n", ""),
        &CheckOptions::default()
    )
    .is_empty());
    assert!(errors(&mzs("", ""), &CheckOptions::default()).is_empty());
    // Kong Mesh runs in kong-mesh-system.
    let kong = CheckOptions {
        system_namespace: Some("kong-mesh-system".to_owned()),
        ..CheckOptions::default()
    };
    assert!(errors(&mzs("  namespace: kong-mesh-system\n", ""), &kong).is_empty());
    // An empty setting (an unset CI variable) is Kuma's default, not a namespace named "".
    let empty = CheckOptions {
        system_namespace: Some(String::new()),
        ..CheckOptions::default()
    };
    assert!(errors(&mzs("  namespace: kuma-system\n", ""), &empty).is_empty());
    assert_eq!(
        errors(&mzs("  namespace: kuma-system\n", ""), &kong)[0].3,
        "on Global CP the policy can be created only in the system namespace:kong-mesh-system"
    );
}

#[test]
fn a_zone_hostname_generator_outside_the_system_namespace_gets_the_zones_message() {
    let text = "apiVersion: kuma.io/v1alpha1
kind: HostnameGenerator
metadata:
  name: local
  namespace: apps
  labels:
    kuma.io/origin: zone
spec:
  selector:
    meshService:
      matchLabels:
        k8s.kuma.io/namespace: apps
  template: '{{ .DisplayName }}.apps.mesh'
";
    assert_eq!(
        errors(text, &CheckOptions::default()),
        [(
            5,
            14,
            "metadata.namespace".to_owned(),
            "resource type HostnameGenerator can be created only in the system namespace:kuma-system"
                .to_owned()
        )]
    );
}

#[test]
fn a_mesh_service_may_live_in_its_application_namespace() {
    let text = "apiVersion: kuma.io/v1alpha1
kind: MeshService
metadata:
  name: redis
  namespace: redis
  labels:
    kuma.io/mesh: default
spec:
  selector:
    dataplaneLabels:
      app: redis
  ports:
  - port: 6379
";
    assert!(errors(text, &CheckOptions::default()).is_empty());
}

#[test]
fn an_mzs_labelled_with_the_zone_origin_is_refused() {
    let text = mzs("  namespace: kuma-system\n", "    kuma.io/origin: zone\n");
    assert_eq!(
        errors(&text, &CheckOptions::default()),
        [(
            8,
            21,
            "labels[\"kuma.io/origin\"]".to_owned(),
            "Operation not allowed. 'kuma.io/origin' label should have 'global' value, got 'zone'"
                .to_owned()
        )]
    );
}

#[test]
fn the_namespace_must_be_a_kubernetes_namespace_name() {
    let errs = errors(
        &mzs("  namespace: Kuma_System\n", ""),
        &CheckOptions::default(),
    );
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(
        (errs[0].0, errs[0].1, errs[0].2.as_str()),
        (5, 14, "metadata.namespace")
    );
    assert!(errs[0]
        .3
        .starts_with("a lowercase RFC 1123 label must consist"));
    // Too long: said once, at the namespace, not as a label Kuma computes from it.
    let long = format!("  namespace: {}\n", "a".repeat(64));
    assert_eq!(
        errors(&mzs(&long, ""), &CheckOptions::default()),
        [(
            5,
            14,
            "metadata.namespace".to_owned(),
            "must be no more than 63 characters".to_owned()
        )]
    );
}

#[test]
fn a_mesh_service_port_repeated_with_its_protocol_is_the_api_servers_duplicate() {
    let text = "apiVersion: kuma.io/v1alpha1
kind: MeshService
metadata:
  name: redis
  namespace: redis
spec:
  selector:
    dataplaneLabels:
      app: redis
  ports:
  - port: 6379
    name: a
  - port: 6379
    appProtocol: tcp
    name: b
  - port: 6379
    appProtocol: http
";
    for options in every_release() {
        assert_eq!(
            errors(text, &options),
            [(
                13,
                5,
                "spec.ports[1]".to_owned(),
                r#"Duplicate value: {"appProtocol":"tcp","port":6379}"#.to_owned()
            )],
            "{}",
            options.kuma_version
        );
    }
}

#[test]
fn a_typed_list_is_applied_item_by_item() {
    let text = "apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneServiceList
items:
- apiVersion: kuma.io/v1alpha1
  kind: MeshMultiZoneService
  metadata:
    name: redis
    namespace: kuma-system
  spec:
    selector: {meshService: {matchLabels: {app: redis}}}
    ports: [{port: 6379, appProtocol: htp}]
";
    let checked = check(text, &CheckOptions::default());
    assert_eq!(checked.documents.len(), 1);
    assert_eq!(
        errors(text, &CheckOptions::default())[0].2,
        "spec.ports[0].appProtocol"
    );
}

#[test]
fn a_misspelt_metadata_key_is_an_unknown_field_with_its_fix() {
    let text = "apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneService
metadata:
  name: redis
  namespace: kuma-system
  label:
    kuma.io/mesh: prod
  uid: 0d5c
  resourceVersion: \"42\"
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  ports: [{port: 6379}]
";
    let checked = check(text, &CheckOptions::default());
    let found: Vec<_> = checked
        .all_diagnostics()
        .map(|d| (d.code.as_str(), d.field.clone(), d.message.clone()))
        .collect();
    // What `kubectl get -o yaml` prints (`uid`, `resourceVersion`) is metadata too.
    assert_eq!(
        found,
        [(
            "MZS005",
            "metadata.label".to_owned(),
            "unknown field `label`; Kubernetes drops it and `kubectl apply` refuses it (did you mean `labels`?)".to_owned()
        )]
    );
    let fix = checked
        .all_diagnostics()
        .find_map(|d| d.fix.clone())
        .expect("a quick fix");
    assert_eq!(fix.replacement, "labels");
}

/// The API server prunes what a CRD's structural schema does not list, and kubectl's strict
/// field validation (its default) refuses it; Kuma's REST API ignores it.
#[test]
fn an_unknown_spec_field_in_a_manifest_says_what_kubectl_does() {
    let manifest = "apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneService
metadata:
  name: redis
  namespace: kuma-system
  labels:
    kuma.io/mesh: default
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  ports: [{port: 6379, apProtocol: tcp}]
";
    let universal = "type: MeshMultiZoneService
name: redis
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  ports: [{port: 6379, apProtocol: tcp}]
";
    let message = |text: &str| {
        let checked = check(text, &CheckOptions::default());
        let found: Vec<_> = checked
            .all_diagnostics()
            .map(|d| {
                (
                    d.code.as_str(),
                    d.severity,
                    d.field.clone(),
                    d.message.clone(),
                )
            })
            .collect();
        found
    };
    assert_eq!(
        message(manifest),
        [(
            "MZS005",
            Severity::Warning,
            "spec.ports[0].apProtocol".to_owned(),
            "unknown field `apProtocol`; Kubernetes drops it and `kubectl apply` refuses it (did you mean `appProtocol`?)".to_owned()
        )]
    );
    assert_eq!(
        message(universal),
        [(
            "MZS005",
            Severity::Warning,
            "spec.ports[0].apProtocol".to_owned(),
            "unknown field `apProtocol`; Kuma ignores it (did you mean `appProtocol`?)".to_owned()
        )]
    );
}
