//! What a Kubernetes cluster refuses in a Kuma manifest besides Kuma's validator, wherever the
//! manifest goes: the API server's object metadata and structural schema checks, and the rules
//! of Kuma's admission webhook (`pkg/plugins/runtime/k8s/webhooks/resourceadmissionchecker.go`)
//! that hold on global and on every zone alike.

use crate::model::{
    labels, KumaVersion, Labels, MeshLoadBalancingStrategySpec, MeshServiceSpec, ResourceType,
};
use crate::validate::dns::is_dns1123_label;
use crate::Violation;

/// `metadata.namespace` as the API server checks it (`ValidateNamespaceName`): a DNS-1123 label.
pub(crate) fn namespace_errors(namespace: &str) -> Vec<String> {
    is_dns1123_label(namespace)
}

/// Kuma's webhook on the namespace and origin of a MeshMultiZoneService or HostnameGenerator
/// manifest. Global admits Kuma resources only in the system namespace, a zone admits a
/// HostnameGenerator only there (`AllowedOnSystemNamespaceOnly`) and no MeshMultiZoneService at
/// all, so outside it both are refused on every control plane; so is, from 2.11, an MZS labelled
/// `kuma.io/origin: zone` (global refuses the zone origin, a zone the type; before 2.11 global's
/// webhook checked no origin, v2.10.11 `resourceadmissionchecker.go:65-66,88`). A namespace left
/// out is kubectl's current one, which only the applier knows: not checked.
pub(crate) fn webhook_violations(
    resource_type: ResourceType,
    namespace: Option<&str>,
    resource_labels: &Labels,
    system_namespace: &str,
    version: KumaVersion,
) -> Vec<Violation> {
    let zone_origin = resource_labels
        .get(labels::ORIGIN)
        .is_some_and(|o| o == "zone");
    let mut out = Vec::new();
    let outside =
        namespace.is_some_and(|ns| ns != system_namespace && namespace_errors(ns).is_empty());
    let mzs = resource_type == ResourceType::MeshMultiZoneService;
    if outside && (mzs || resource_type == ResourceType::HostnameGenerator) {
        let start = if mzs || !zone_origin {
            "on Global CP the policy"
        } else {
            "resource type HostnameGenerator"
        };
        // The webhook answers its first refusal only (v2.14.3 `resourceadmissionchecker.go:34-45`:
        // the namespace before the labels).
        return vec![Violation::new(
            "metadata.namespace",
            format!("{start} can be created only in the system namespace:{system_namespace}"),
        )];
    }
    if mzs {
        out.extend(global_webhook_origin(resource_labels, version));
    }
    out
}

/// Global's webhook refusal of a manifest labelled `kuma.io/origin: zone` (from 2.11; v2.14.3
/// `resourceadmissionchecker.go` `validateLabels`, global mode): what a zone sends global is the
/// zone's. A MeshMultiZoneService meets it wherever it is applied (a zone refuses the type); a
/// HostnameGenerator or policy only on global, which a preview's global file says.
pub(crate) fn global_webhook_origin(
    resource_labels: &Labels,
    version: KumaVersion,
) -> Option<Violation> {
    let zone_origin = resource_labels
        .get(labels::ORIGIN)
        .is_some_and(|o| o == "zone");
    (zone_origin && version >= KumaVersion::V2_11).then(|| {
        Violation::new(
            crate::validate::meta::label_field(labels::ORIGIN),
            labels_not_allowed(labels::ORIGIN, "global", "zone"),
        )
    })
}

/// Kuma's webhook on a federated zone's control plane (a manifest of a preview's zone file),
/// in the order it answers (v2.14.3 `resourceadmissionchecker.go:28-48`, the same on master):
/// the namespace (only a HostnameGenerator must live in the system namespace there,
/// `AllowedOnSystemNamespaceOnly`), then the types a zone takes only from global (a
/// MeshMultiZoneService: the preview's MZS203, not reported here), then the origin: in the
/// system namespace a MeshService, HostnameGenerator or policy must say `kuma.io/origin: zone`
/// (the mutating webhook checks before it computes the label, `defaulter.go:66,70`). A
/// namespace left out is kubectl's current one, which only the applier knows: not checked.
/// 2.9 to 2.11 check the same, with words that do not name the system namespace (v2.11.18
/// `resourceadmissionchecker.go:118`).
pub(crate) fn zone_webhook_violations(
    resource_type: ResourceType,
    namespace: Option<&str>,
    resource_labels: &Labels,
    system_namespace: &str,
    version: KumaVersion,
) -> Vec<Violation> {
    if resource_type == ResourceType::MeshMultiZoneService {
        return Vec::new();
    }
    let Some(namespace) = namespace.filter(|ns| namespace_errors(ns).is_empty()) else {
        return Vec::new();
    };
    if namespace != system_namespace {
        if resource_type == ResourceType::HostnameGenerator {
            return vec![Violation::new(
                "metadata.namespace",
                format!("resource type {} can be created only in the system namespace:{system_namespace}", resource_type.name()),
            )];
        }
        return Vec::new();
    }
    let origin = resource_labels.get(labels::ORIGIN).map(String::as_str);
    if origin == Some("zone") {
        // Its zone label is the preview's MZS202 (the webhook's 403 in its words).
        return Vec::new();
    }
    vec![Violation::new(
        crate::validate::meta::label_field(labels::ORIGIN),
        format!(
            "Operation not allowed. Applying policies on Zone CP {}requires '{}' label to be set to 'zone'.",
            if version >= KumaVersion::V2_12 {
                "on a system namespace "
            } else {
                ""
            },
            labels::ORIGIN
        ),
    )]
}

/// A policy's role in a namespace other than the system one (`ComputePolicyRole`, v2.14.3
/// `labels/compute.go:206-259`, 2.9.19 `model/resource.go:607`), which a zone's webhook computes
/// and refuses when the `to` items mix producer ones (a named MeshService or MeshHTTPRoute of the
/// policy's own namespace) and consumer ones. Global admits no policy outside the system namespace.
pub(crate) fn policy_role_violation(
    spec: &MeshLoadBalancingStrategySpec,
    namespace: &str,
) -> Option<Violation> {
    let producers = (spec.to.iter())
        .filter(|to| {
            let t = &to.target_ref;
            matches!(t.kind.as_str(), "MeshService" | "MeshHTTPRoute")
                && t.name.as_deref().is_some_and(|n| !n.is_empty())
                && t.namespace
                    .as_deref()
                    .is_none_or(|ns| ns.is_empty() || ns == namespace)
        })
        .count();
    (producers > 0 && producers < spec.to.len()).then(|| {
        Violation::new(
            "spec.to",
            "it's not allowed to mix producer and consumer items in the same policy",
        )
    })
}

/// The admission webhook's refusal of a label value (v2.14.3
/// `resourceadmissionchecker.go:136-138`), answered with a 403.
pub(crate) fn labels_not_allowed(label: &str, correct: &str, actual: &str) -> String {
    format!("Operation not allowed. '{label}' label should have '{correct}' value, got '{actual}'")
}

/// The API server's list-map check of a MeshService's `spec.ports`, keyed on `port` and
/// `appProtocol` (defaulted to `tcp` first) by the CRD: the second entry of each repeated key,
/// with the key as apimachinery prints it.
pub(crate) fn mesh_service_port_duplicates(spec: &MeshServiceSpec) -> Vec<Violation> {
    let default = crate::model::default_app_protocol();
    let key = |i: usize| {
        let p = &spec.ports[i];
        (p.port, p.app_protocol.as_deref().unwrap_or(&default))
    };
    let mut out = Vec::new();
    for i in 0..spec.ports.len() {
        let repeats = (0..i).filter(|&j| key(j) == key(i)).count();
        if repeats == 1 {
            let (port, protocol) = key(i);
            out.push(Violation::new(
                format!("spec.ports[{i}]"),
                format!(
                    "Duplicate value: {{\"appProtocol\":{},\"port\":{port}}}",
                    crate::template::strconv::go_quote(protocol)
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labelled(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn mzs_and_hostname_generators_outside_the_system_namespace_are_refused() {
        let none = Labels::new();
        for t in [
            ResourceType::MeshMultiZoneService,
            ResourceType::HostnameGenerator,
        ] {
            assert_eq!(
                webhook_violations(t, Some("redis"), &none, "kuma-system", KumaVersion::V2_14),
                [Violation::new(
                    "metadata.namespace",
                    "on Global CP the policy can be created only in the system namespace:kuma-system"
                )]
            );
            assert!(webhook_violations(
                t,
                Some("kuma-system"),
                &none,
                "kuma-system",
                KumaVersion::V2_14
            )
            .is_empty());
            assert!(
                webhook_violations(t, None, &none, "kuma-system", KumaVersion::V2_14).is_empty()
            );
            // Kong Mesh's system namespace.
            assert!(webhook_violations(
                t,
                Some("kong-mesh-system"),
                &none,
                "kong-mesh-system",
                KumaVersion::V2_14
            )
            .is_empty());
        }
        // A zone's own generator: the zone's message.
        let zone = labelled(&[(labels::ORIGIN, "zone")]);
        assert_eq!(
            webhook_violations(
                ResourceType::HostnameGenerator,
                Some("app"),
                &zone,
                "kuma-system",
                KumaVersion::V2_14
            ),
            [Violation::new(
                "metadata.namespace",
                "resource type HostnameGenerator can be created only in the system namespace:kuma-system"
            )]
        );
        // Anywhere else a MeshService or a policy may live in an application namespace.
        for t in [
            ResourceType::MeshService,
            ResourceType::MeshLoadBalancingStrategy,
        ] {
            assert!(
                webhook_violations(t, Some("app"), &none, "kuma-system", KumaVersion::V2_14)
                    .is_empty()
            );
        }
    }

    #[test]
    fn an_mzs_labelled_with_the_zone_origin_is_refused_from_2_11() {
        let zone = labelled(&[(labels::ORIGIN, "zone")]);
        // Global's webhook checks the origin from 2.11 only.
        assert!(webhook_violations(
            ResourceType::MeshMultiZoneService,
            Some("kuma-system"),
            &zone,
            "kuma-system",
            KumaVersion::V2_10
        )
        .is_empty());
        assert_eq!(
            webhook_violations(
                ResourceType::MeshMultiZoneService,
                Some("kuma-system"),
                &zone,
                "kuma-system",
                KumaVersion::V2_11
            ),
            [Violation::new(
                "labels[\"kuma.io/origin\"]",
                "Operation not allowed. 'kuma.io/origin' label should have 'global' value, got 'zone'"
            )]
        );
    }

    /// On a federated zone (a preview's zone file) the webhook answers as the zone's does.
    #[test]
    fn a_zones_webhook_wants_the_zone_origin_in_the_system_namespace_and_generators_only_there() {
        const V: KumaVersion = KumaVersion::V2_14;
        let none = Labels::new();
        let zone = labelled(&[(labels::ORIGIN, "zone")]);
        let global = labelled(&[(labels::ORIGIN, "global")]);
        let origin_required = [Violation::new(
            "labels[\"kuma.io/origin\"]",
            "Operation not allowed. Applying policies on Zone CP on a system namespace requires 'kuma.io/origin' label to be set to 'zone'.",
        )];
        for t in [
            ResourceType::MeshService,
            ResourceType::HostnameGenerator,
            ResourceType::MeshLoadBalancingStrategy,
        ] {
            for labels in [&none, &global] {
                assert_eq!(
                    zone_webhook_violations(t, Some("kuma-system"), labels, "kuma-system", V),
                    origin_required
                );
            }
            assert!(
                zone_webhook_violations(t, Some("kuma-system"), &zone, "kuma-system", V).is_empty()
            );
            // Without a namespace the applier's current one: not known.
            assert!(zone_webhook_violations(t, None, &none, "kuma-system", V).is_empty());
        }
        // Outside the system namespace a MeshService or policy is the zone's (the defaulter
        // labels it), a generator is refused in the zone's words, whatever its labels.
        for t in [
            ResourceType::MeshService,
            ResourceType::MeshLoadBalancingStrategy,
        ] {
            assert!(zone_webhook_violations(t, Some("app"), &none, "kuma-system", V).is_empty());
        }
        assert_eq!(
            zone_webhook_violations(ResourceType::HostnameGenerator, Some("app"), &none, "kuma-system", V),
            [Violation::new(
                "metadata.namespace",
                "resource type HostnameGenerator can be created only in the system namespace:kuma-system"
            )]
        );
        // A MeshMultiZoneService is refused whole (the preview's MZS203), not for its namespace.
        assert!(zone_webhook_violations(
            ResourceType::MeshMultiZoneService,
            Some("app"),
            &none,
            "kuma-system",
            V
        )
        .is_empty());
        // 2.9 to 2.11 check the same, in words without the namespace.
        assert_eq!(
            zone_webhook_violations(
                ResourceType::MeshService,
                Some("kuma-system"),
                &none,
                "kuma-system",
                KumaVersion::V2_11
            ),
            [Violation::new(
                "labels[\"kuma.io/origin\"]",
                "Operation not allowed. Applying policies on Zone CP requires 'kuma.io/origin' label to be set to 'zone'.",
            )]
        );
    }

    #[test]
    fn repeated_port_and_protocol_is_the_api_servers_duplicate() {
        let spec: MeshServiceSpec = serde_json::from_value(serde_json::json!({
            "ports": [
                {"port": 6379, "name": "a"},
                {"port": 6379, "appProtocol": "tcp", "name": "b"},
                {"port": 6379, "appProtocol": "http"},
                {"port": 6379},
            ]
        }))
        .unwrap_or_default();
        assert_eq!(
            mesh_service_port_duplicates(&spec),
            [Violation::new(
                "spec.ports[1]",
                r#"Duplicate value: {"appProtocol":"tcp","port":6379}"#
            )]
        );
    }

    #[test]
    fn the_webhook_answers_its_first_refusal_only() {
        let zone = labelled(&[(labels::ORIGIN, "zone")]);
        let found = webhook_violations(
            ResourceType::MeshMultiZoneService,
            Some("default"),
            &zone,
            "kuma-system",
            KumaVersion::V2_14,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].field, "metadata.namespace");
    }
}
