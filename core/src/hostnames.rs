//! Hostnames: which HostnameGenerators apply to a MeshMultiZoneService, what they render, and the
//! resulting `status.addresses` / `status.hostnameGenerators` (including Kuma's collision rules),
//! plus the `_hostnames` inspect endpoint.
//!
//! Kuma (`pkg/core/resources/apis/hostnamegenerator/hostname/generator.go`, zone only):
//! generators are ordered `kuma.io/origin: zone` first, then by creation time, then by name;
//! services by creation time, then name. For generator (outer) x service (inner), a generator
//! whose `meshMultiZoneService` selector matches the MZS labels (generic `LabelSelector.Matches`)
//! renders its template (`.Name`, `.DisplayName`, `.Namespace`, `.Mesh`, `.Zone`, `label "k"`).
//! A render error gives a `TemplateError` condition; a hostname already recorded in the same mesh
//! for a different MZS gives a `Collision` condition whose message names the **losing** MZS itself;
//! otherwise the hostname is recorded. Collisions are scoped per (resource type, mesh).
//! The preview has no creation times: ties are broken by name, so "earlier" means "sorts first".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{
    labels, Address, Condition, HostnameGeneratorRef, HostnameGeneratorSelector,
    HostnameGeneratorSpec, HostnameGeneratorStatus, LabelSelector, Meta, Resource, ResourceType,
    Spec,
};
use crate::selector;
use crate::template::{Template, TemplateData};

/// Name of Kuma's default global generator for MZS.
pub const DEFAULT_MZS_GENERATOR: &str = "synced-mesh-multi-zone-service";
/// Template of Kuma's default global generator for MZS.
pub const DEFAULT_MZS_TEMPLATE: &str = "{{ .DisplayName }}.mzsvc.mesh.local";
/// `status.addresses[].origin` for generated hostnames.
pub const ORIGIN_GENERATOR: &str = "HostnameGenerator";
/// Condition type on each `status.hostnameGenerators[]` entry.
pub const CONDITION_GENERATED: &str = "Generated";
/// Reason: the template failed.
pub const REASON_TEMPLATE_ERROR: &str = "TemplateError";
/// Reason: the hostname is taken.
pub const REASON_COLLISION: &str = "Collision";

/// Kuma's default `synced-mesh-multi-zone-service` generator (created on global, synced to
/// zones): selector `{kuma.io/origin: global}`, template `{{ .DisplayName }}.mzsvc.mesh.local`.
pub fn default_mzs_generator() -> Resource {
    let origin_global: crate::model::Labels =
        [(labels::ORIGIN.to_owned(), "global".to_owned())].into();
    Resource {
        meta: Meta {
            name: DEFAULT_MZS_GENERATOR.to_owned(),
            mesh: String::new(),
            labels: origin_global.clone(),
        },
        spec: Spec::HostnameGenerator(HostnameGeneratorSpec {
            selector: HostnameGeneratorSelector {
                mesh_multi_zone_service: Some(LabelSelector {
                    match_labels: Some(origin_global),
                }),
                ..HostnameGeneratorSelector::default()
            },
            template: DEFAULT_MZS_TEMPLATE.to_owned(),
            extension: None,
        }),
        status: None,
    }
}

/// Go's `%q` of a string (as Kuma formats template errors).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Kubernetes' `IsDNS1123Subdomain` messages for `value` (empty when valid).
pub fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    crate::validate::dns::is_dns1123_subdomain(value)
}

/// Kuma's `EvaluateTemplate`: render `template` for a resource. `.Zone` is the `kuma.io/zone`
/// label, else `local_zone`. With `validate_dns` (the generation loop) the result must be an
/// RFC 1123 subdomain. Errors carry Kuma's exact message.
pub fn evaluate(
    local_zone: &str,
    template: &str,
    meta: &Meta,
    validate_dns: bool,
) -> Result<String, String> {
    evaluate_parsed(local_zone, &Template::parse(template), meta, validate_dns)
}

/// [`evaluate`] with the template already parsed (the parse result is reported the same way).
pub fn evaluate_parsed(
    local_zone: &str,
    parsed: &Result<Template, crate::template::TemplateError>,
    meta: &Meta,
    validate_dns: bool,
) -> Result<String, String> {
    let parsed = parsed
        .as_ref()
        .map_err(|e| format!("failed compiling gotemplate error={}", go_quote(&e.0)))?;
    let zone = match meta.zone() {
        "" => local_zone,
        z => z,
    };
    let data = TemplateData {
        name: meta.name.clone(),
        display_name: meta.display_name().to_owned(),
        namespace: meta.namespace().to_owned(),
        mesh: meta.mesh.clone(),
        zone: zone.to_owned(),
        labels: meta.labels.clone(),
    };
    let rendered = parsed.render(&data).map_err(|e| {
        format!(
            "pre evaluation of template with parameters failed with error={}",
            go_quote(&e.0)
        )
    })?;
    if validate_dns {
        let errors = dns1123_subdomain_errors(&rendered);
        if !errors.is_empty() {
            return Err(format!(
                "generated hostname {} is not a valid DNS name: {}",
                go_quote(&rendered),
                errors.join(", ")
            ));
        }
    }
    Ok(rendered)
}

/// The selector a generator uses for resources of `resource_type`, if it has one.
fn selector_for(
    spec: &HostnameGeneratorSpec,
    resource_type: ResourceType,
) -> Option<&LabelSelector> {
    match resource_type {
        ResourceType::MeshMultiZoneService => spec.selector.mesh_multi_zone_service.as_ref(),
        ResourceType::MeshService => spec.selector.mesh_service.as_ref(),
        _ => None,
    }
}

/// Whether `generator` selects a resource of `resource_type` with `labels`.
pub fn generator_selects(
    generator: &HostnameGeneratorSpec,
    resource_type: ResourceType,
    labels: &crate::model::Labels,
) -> bool {
    selector_for(generator, resource_type).is_some_and(|s| {
        s.match_labels
            .as_ref()
            .is_none_or(|m| selector::matches(m, labels))
    })
}

/// Kuma's generator order: `kuma.io/origin: zone` first, then (no creation times here) by name.
pub fn generator_order_key(generator: &Meta) -> (bool, String) {
    (
        generator.labels.get(labels::ORIGIN).map(String::as_str) != Some("zone"),
        generator.name.clone(),
    )
}

/// What one generator did for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The hostname was recorded.
    Generated(String),
    /// The template failed (Kuma's message).
    TemplateError(String),
    /// The hostname was already taken in the mesh.
    Collision(String),
}

/// Kuma's collision message for the losing service.
pub fn collision_message(resource_type: ResourceType, service_name: &str) -> String {
    format!(
        "Hostname collision with {}: {service_name}",
        resource_type.name()
    )
}

/// Build `status.addresses` and `status.hostnameGenerators` from per-generator outcomes, given
/// sorted by generator name (Kuma iterates generators by name).
pub fn assemble_status(
    outcomes: &[(String, Outcome)],
) -> (Vec<Address>, Vec<HostnameGeneratorStatus>) {
    let mut addresses = Vec::new();
    let mut statuses = Vec::new();
    for (generator, outcome) in outcomes {
        let reference = HostnameGeneratorRef {
            core_name: generator.clone(),
        };
        let condition = match outcome {
            Outcome::Generated(hostname) => {
                addresses.push(Address {
                    hostname: Some(hostname.clone()),
                    origin: Some(ORIGIN_GENERATOR.to_owned()),
                    hostname_generator_ref: Some(reference.clone()),
                });
                Condition {
                    condition_type: CONDITION_GENERATED.to_owned(),
                    status: "True".to_owned(),
                    reason: CONDITION_GENERATED.to_owned(),
                    message: String::new(),
                }
            }
            Outcome::TemplateError(message) => Condition {
                condition_type: CONDITION_GENERATED.to_owned(),
                status: "False".to_owned(),
                reason: REASON_TEMPLATE_ERROR.to_owned(),
                message: message.clone(),
            },
            Outcome::Collision(message) => Condition {
                condition_type: CONDITION_GENERATED.to_owned(),
                status: "False".to_owned(),
                reason: REASON_COLLISION.to_owned(),
                message: message.clone(),
            },
        };
        statuses.push(HostnameGeneratorStatus {
            hostname_generator_ref: reference,
            conditions: vec![condition],
        });
    }
    (addresses, statuses)
}

/// Response of `GET /meshes/{mesh}/{serviceType}/{name}/_hostnames`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InspectHostnames {
    /// Hostnames, sorted.
    pub items: Vec<InspectHostname>,
    /// Number of items.
    pub total: usize,
}

/// One hostname and the zones it is generated for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectHostname {
    /// The hostname.
    pub hostname: String,
    /// Zones, sorted by name.
    pub zones: Vec<InspectHostnameZone>,
}

/// A zone of [`InspectHostname`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectHostnameZone {
    /// Zone name.
    pub name: String,
}

/// Why the inspect endpoint failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    /// A matching generator's template failed; Kuma answers 500 with title
    /// `could not generate hostname`.
    #[error("could not generate hostname with HostnameGenerator {generator}: {message}")]
    Template {
        /// The generator.
        generator: String,
        /// Kuma's template error message.
        message: String,
    },
    /// Only MeshServices and MeshMultiZoneServices can be inspected here.
    #[error("{0} cannot be inspected for hostnames")]
    UnsupportedType(&'static str),
}

/// Kuma's `ZoneOfResource`: the `kuma.io/zone` label, else the resource name up to the first `.`
/// (so an MZS named `test-server` reports zone `test-server`, a Kuma quirk kept for conformance).
pub fn zone_of_resource(meta: &Meta) -> String {
    match meta.zone() {
        "" => meta.name.split('.').next().unwrap_or_default().to_owned(),
        z => z.to_owned(),
    }
}

/// Kuma's `_hostnames` inspect endpoint for one service: every generator is evaluated (no DNS
/// check) with `.Zone` = [`zone_of_resource`]. On a global control plane (`is_global`) each
/// generator is evaluated twice, with the service's `kuma.io/origin` label overridden to `zone`
/// and to `global`; on a zone, once with the service's own origin. Generators that do not select
/// the service are skipped; a failing template fails the whole request.
pub fn inspect(
    service: &Resource,
    generators: &[Resource],
    is_global: bool,
) -> Result<InspectHostnames, InspectError> {
    let resource_type = service.resource_type();
    if !matches!(
        resource_type,
        ResourceType::MeshService | ResourceType::MeshMultiZoneService
    ) {
        return Err(InspectError::UnsupportedType(resource_type.name()));
    }
    let zone = zone_of_resource(&service.meta);
    let own_origin = service
        .meta
        .labels
        .get(labels::ORIGIN)
        .cloned()
        .unwrap_or_default();
    let origins: Vec<String> = if is_global {
        vec!["zone".to_owned(), "global".to_owned()]
    } else {
        vec![own_origin]
    };
    let mut by_hostname: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for generator in generators {
        let Spec::HostnameGenerator(spec) = &generator.spec else {
            continue;
        };
        for origin in &origins {
            let mut meta = service.meta.clone();
            meta.labels
                .insert(labels::ORIGIN.to_owned(), origin.clone());
            if !generator_selects(spec, resource_type, &meta.labels) {
                continue;
            }
            let hostname = evaluate(&zone, &spec.template, &meta, false).map_err(|message| {
                InspectError::Template {
                    generator: generator.meta.name.clone(),
                    message,
                }
            })?;
            if !hostname.is_empty() {
                by_hostname
                    .entry(hostname)
                    .or_default()
                    .insert(zone.clone());
            }
        }
    }
    let items: Vec<InspectHostname> = by_hostname
        .into_iter()
        .map(|(hostname, zones)| InspectHostname {
            hostname,
            zones: zones
                .into_iter()
                .map(|name| InspectHostnameZone { name })
                .collect(),
        })
        .collect();
    Ok(InspectHostnames {
        total: items.len(),
        items,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn go_quote_escapes_like_go() {
        assert_eq!(go_quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(go_quote("x\ny"), r#""x\ny""#);
        assert_eq!(go_quote("ü"), "\"ü\"");
    }

    #[test]
    fn dns_subdomain_rules() {
        assert!(dns1123_subdomain_errors("redis.mzsvc.mesh.local").is_empty());
        assert_eq!(dns1123_subdomain_errors(".redis").len(), 1);
        assert_eq!(dns1123_subdomain_errors("Redis.mesh").len(), 1);
        assert_eq!(dns1123_subdomain_errors("a..b").len(), 1);
        assert_eq!(dns1123_subdomain_errors("").len(), 1);
        assert_eq!(dns1123_subdomain_errors(&"a".repeat(254)).len(), 1);
    }

    #[test]
    fn default_generator_selects_global_origin_only() {
        let g = default_mzs_generator();
        let Spec::HostnameGenerator(spec) = &g.spec else {
            panic!("not a generator")
        };
        let global: crate::model::Labels =
            [("kuma.io/origin".to_owned(), "global".to_owned())].into();
        assert!(generator_selects(
            spec,
            ResourceType::MeshMultiZoneService,
            &global
        ));
        assert!(!generator_selects(
            spec,
            ResourceType::MeshMultiZoneService,
            &Default::default()
        ));
        assert!(!generator_selects(spec, ResourceType::MeshService, &global));
    }

    #[test]
    fn generator_order_puts_zone_origin_first() {
        let mut a = Meta {
            name: "b".into(),
            ..Meta::default()
        };
        a.labels.insert("kuma.io/origin".into(), "zone".into());
        let b = Meta {
            name: "a".into(),
            ..Meta::default()
        };
        assert!(generator_order_key(&a) < generator_order_key(&b));
    }

    #[test]
    fn collision_message_names_the_service() {
        assert_eq!(
            collision_message(ResourceType::MeshMultiZoneService, "redis-2"),
            "Hostname collision with MeshMultiZoneService: redis-2"
        );
    }
}
