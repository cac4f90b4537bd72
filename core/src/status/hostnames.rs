//! Hostnames: which HostnameGenerators apply to a MeshMultiZoneService or a MeshService, what
//! they render, and the resulting `status.addresses` / `status.hostnameGenerators` (including
//! Kuma's collision rules), plus the `_hostnames` inspect endpoint.
//!
//! Kuma (`pkg/core/resources/apis/hostnamegenerator/hostname/generator.go`, zone only):
//! generators are ordered `kuma.io/origin: zone` first, then by creation time, then by name;
//! services by creation time, then name. For generator (outer) x service (inner), a generator
//! whose selector for the service's type (`meshMultiZoneService`, `meshService`) matches the
//! service's labels (generic `LabelSelector.Matches`) renders its template (`.Name`,
//! `.DisplayName`, `.Namespace`, `.Mesh`, `.Zone`, `label "k"`).
//! A render error gives a `TemplateError` condition (from 2.14 so does a rendering that is not
//! an RFC 1123 subdomain; 2.9 to 2.13 record it as generated); a hostname already recorded in
//! the same mesh for a different service of the same type gives a `Collision` condition whose
//! message names the **losing** service itself; otherwise the hostname is recorded. Collisions are scoped per
//! (resource type, mesh): each engine keeps one `HostnameClaims` per type.
//! Creation times come from the resources' `creationTime` (kuma-local's store, documents exported
//! from Kuma); a resource without one counts as created at Go's zero time, so a preview of
//! documents without times orders by name.
//!
//! `GeneratorSet` (rendering) and `HostnameClaims` (collisions) are shared by the MZS engine
//! ([`crate::status::preview::MzsStatusEngine`]) and the MeshService one
//! ([`crate::status::mesh_service_status::MeshServiceEngine`]), so both follow one rule.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{
    labels, Address, Condition, HostnameGeneratorRef, HostnameGeneratorSelector,
    HostnameGeneratorSpec, HostnameGeneratorStatus, KumaVersion, LabelSelector, Meta, Resource,
    ResourceType, Spec,
};
use crate::status::selector;
use crate::template::{go_quote, Template, TemplateData, TemplateError};
use crate::text::fast_map::FastMap;
use crate::text::rfc3339::Instant;
use crate::text::sort::SortedMap;

/// Name of Kuma's default global generator for MZS.
pub(crate) const DEFAULT_MZS_GENERATOR: &str = "synced-mesh-multi-zone-service";
/// Template of Kuma's default global generator for MZS.
pub(crate) const DEFAULT_MZS_TEMPLATE: &str = "{{ .DisplayName }}.mzsvc.mesh.local";
/// `status.addresses[].origin` for generated hostnames.
pub(crate) const ORIGIN_GENERATOR: &str = "HostnameGenerator";
/// Condition type on each `status.hostnameGenerators[]` entry.
pub(crate) const CONDITION_GENERATED: &str = "Generated";
/// Reason: the template failed.
pub(crate) const REASON_TEMPLATE_ERROR: &str = "TemplateError";
/// Reason: the hostname is taken.
pub(crate) const REASON_COLLISION: &str = "Collision";

/// Kuma's default `synced-mesh-multi-zone-service` generator (created on global, synced to
/// zones): selector `{kuma.io/origin: global}`, template `{{ .DisplayName }}.mzsvc.mesh.local`,
/// as a zone stores it: under its KDS name, `HashedName("", name)`.
pub(crate) fn default_mzs_generator() -> Resource {
    default_mzs_generator_in(None)
}

/// [`default_mzs_generator`] of the global that holds `resources`: on Kubernetes Kuma creates it
/// in the system namespace (v2.14.3 `pkg/defaults/hostname_generator.go:153-161`), whose
/// `k8s.kuma.io/namespace` label the zones' name for it hashes in. A global's MZS manifests
/// are in that namespace (its webhook admits them nowhere else): theirs says it.
pub(crate) fn default_mzs_generator_for(resources: &[Resource]) -> Resource {
    let namespace = resources.iter().find_map(|r| {
        let global = crate::kds::is_global_originated(r);
        let mzs = r.resource_type() == ResourceType::MeshMultiZoneService;
        (global && mzs)
            .then(|| r.meta.labels.get(labels::NAMESPACE))
            .flatten()
    });
    default_mzs_generator_in(namespace.map(String::as_str))
}

/// Whether `generator` (as written or as a zone stores it) is Kuma's default one of global:
/// one written under its name replaces the one Kuma would create.
pub(crate) fn is_default_mzs_generator(generator: &Resource) -> bool {
    let name = (generator.meta.labels.get(labels::DISPLAY_NAME)).unwrap_or(&generator.meta.name);
    name == DEFAULT_MZS_GENERATOR && crate::kds::is_global_originated(generator)
}

fn default_mzs_generator_in(namespace: Option<&str>) -> Resource {
    let origin_global: crate::model::Labels =
        [(labels::ORIGIN.to_owned(), "global".to_owned())].into();
    let mut written_labels = origin_global.clone();
    if let Some(namespace) = namespace {
        written_labels.insert(labels::NAMESPACE.to_owned(), namespace.to_owned());
    }
    let mut generator = Resource {
        meta: Meta {
            name: DEFAULT_MZS_GENERATOR.to_owned(),
            mesh: String::new(),
            labels: written_labels,
            creation_time: None,
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
    };
    crate::kds::rename_for_zones(&mut generator);
    generator
}

/// Kubernetes' `IsDNS1123Subdomain` messages for `value` (empty when valid).
pub(crate) fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    crate::validate::dns::is_dns1123_subdomain(value)
}

/// Kuma's `EvaluateTemplate`: render `template` for a resource. `.Zone` is the `kuma.io/zone`
/// label, else `local_zone`. With `validate_dns` (the generation loop, from 2.14) the result
/// must be an RFC 1123 subdomain. Errors carry Kuma's exact message.
pub(crate) fn evaluate(
    local_zone: &str,
    template: &str,
    meta: &Meta,
    validate_dns: bool,
) -> Result<String, String> {
    evaluate_parsed(local_zone, &Template::parse(template), meta, validate_dns)
}

/// [`evaluate`] with the template already parsed (the parse result is reported the same way).
pub(crate) fn evaluate_parsed(
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
                crate::text::join(&errors, ", ")
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
pub(crate) fn generator_selects(
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

/// Kuma's generator order: `kuma.io/origin: zone` first, then by creation time, then by name.
pub(crate) fn generator_order_key(generator: &Meta) -> GeneratorOrder {
    GeneratorOrder {
        not_zone_origin: generator.labels.get(labels::ORIGIN).map(String::as_str) != Some("zone"),
        created_at: generator.created_at(),
        name: generator.name.clone(),
    }
}

/// Where a generator comes in Kuma's generator loop (fields in comparison order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct GeneratorOrder {
    not_zone_origin: bool,
    created_at: Option<Instant>,
    name: String,
}

/// What one generator did for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The hostname was recorded.
    Generated(String),
    /// The template failed (Kuma's message).
    TemplateError(String),
    /// The hostname was already taken in the mesh.
    Collision(String),
}

/// Kuma's collision message for the losing service.
pub(crate) fn collision_message(resource_type: ResourceType, service_name: &str) -> String {
    format!(
        "Hostname collision with {}: {service_name}",
        resource_type.name()
    )
}

/// Build `status.addresses` and `status.hostnameGenerators` from per-generator outcomes, given
/// sorted by generator name (Kuma iterates generators by name).
pub(crate) fn assemble_status(
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

/// What every selecting generator rendered for one service, sorted by generator name: the
/// hostname or Kuma's error message. Empty renderings are left out (Kuma records nothing).
pub(crate) type Generated = Vec<(String, Result<String, String>)>;

/// The HostnameGenerators a zone runs, by name, with each template parsed once (not once per
/// service). Shared by every service type's status (MeshMultiZoneService, MeshService).
#[derive(Debug, Clone, Default)]
pub(crate) struct GeneratorSet {
    generators: SortedMap<String, Resource>,
    /// Sorted by generator name like `generators` (looked up with `crate::text::sort::lookup`).
    templates: Vec<(String, Result<Template, TemplateError>)>,
}

impl GeneratorSet {
    /// The set of `generators` (keyed by name).
    pub(crate) fn new(generators: SortedMap<String, Resource>) -> Self {
        let templates = generators
            .iter()
            .filter_map(|(name, g)| match &g.spec {
                Spec::HostnameGenerator(spec) => {
                    Some((name.clone(), Template::parse(&spec.template)))
                }
                _ => None,
            })
            .collect();
        Self {
            generators,
            templates,
        }
    }

    /// The generators, by name.
    pub(crate) fn by_name(&self) -> &SortedMap<String, Resource> {
        &self.generators
    }

    /// Where `generator` comes in Kuma's generator loop.
    fn order_of(&self, generator: &str) -> GeneratorOrder {
        match self.generators.get(generator) {
            Some(g) => generator_order_key(&g.meta),
            None => GeneratorOrder {
                not_zone_origin: true,
                created_at: None,
                name: generator.to_owned(),
            },
        }
    }

    /// Run every generator that selects a `resource_type` with `meta` (the generation loop:
    /// DNS-checked where `version` checks generated hostnames), in generator-name order.
    pub(crate) fn render(
        &self,
        version: KumaVersion,
        resource_type: ResourceType,
        local_zone: &str,
        meta: &Meta,
    ) -> Generated {
        let validate_dns = version.checks_generated_hostnames();
        let mut generated = Vec::new();
        for (name, generator) in self.generators.iter() {
            let Spec::HostnameGenerator(spec) = &generator.spec else {
                continue;
            };
            if !generator_selects(spec, resource_type, &meta.labels) {
                continue;
            }
            let result = match crate::text::sort::lookup(&self.templates, name.as_str()) {
                Some(parsed) => evaluate_parsed(local_zone, parsed, meta, validate_dns),
                None => evaluate(local_zone, &spec.template, meta, validate_dns),
            };
            // An empty rendering records nothing, as in Kuma.
            if result.as_ref().is_ok_and(String::is_empty) {
                continue;
            }
            generated.push((name.clone(), result));
        }
        generated
    }
}

/// `(mesh, hostname)`: Kuma detects collisions per mesh (and per resource type: each type keeps
/// its own [`HostnameClaims`]).
pub(crate) type ClaimKey = (String, String);

/// A service's claim on a hostname, in Kuma's claim order: the generator's place in the
/// generator loop (outer), then the service's creation time and the name the zone stores it
/// under (inner; a global MZS's KDS name, not the name it was written with).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Claim {
    generator: GeneratorOrder,
    service_created_at: Option<Instant>,
    stored_name: String,
    /// The service's name in the engine (its key there).
    service: String,
}

/// The claims on one hostname, ascending (the first one wins), each once: a sorted list, as
/// there is almost always exactly one.
#[derive(Debug, Clone, Default)]
struct Claims(Vec<Claim>);

impl Claims {
    fn insert(&mut self, claim: Claim) {
        if let Err(at) = self.0.binary_search(&claim) {
            self.0.insert(at, claim);
        }
    }

    fn remove(&mut self, claim: &Claim) {
        if let Ok(at) = self.0.binary_search(claim) {
            self.0.remove(at);
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn first(&self) -> Option<&Claim> {
        self.0.first()
    }

    fn iter(&self) -> std::slice::Iter<'_, Claim> {
        self.0.iter()
    }
}

/// Who claims which hostname, for the services of one type in one zone: Kuma's collision rule
/// (the first claim in generator-then-service order keeps the hostname; every later service gets
/// a `Collision` condition). Filed per `(mesh, hostname)`, so a service change only revisits the
/// services that share one of its hostnames.
#[derive(Debug, Clone, Default)]
pub(crate) struct HostnameClaims(FastMap<ClaimKey, Claims>);

impl HostnameClaims {
    /// The claims a service's generated hostnames make.
    fn claims_of(
        generators: &GeneratorSet,
        service: &Meta,
        stored_name: &str,
        generated: &Generated,
    ) -> Vec<(ClaimKey, Claim)> {
        let service_created_at = service.created_at();
        generated
            .iter()
            .filter_map(|(generator, result)| result.as_ref().ok().map(|h| (generator, h)))
            .map(|(generator, hostname)| {
                (
                    (service.mesh.clone(), hostname.clone()),
                    Claim {
                        generator: generators.order_of(generator),
                        service_created_at,
                        stored_name: stored_name.to_owned(),
                        service: service.name.clone(),
                    },
                )
            })
            .collect()
    }

    /// The `(mesh, hostname)` keys a service's generated hostnames claim.
    pub(crate) fn keys_of<'a>(
        mesh: &str,
        generated: &'a Generated,
    ) -> impl Iterator<Item = ClaimKey> + 'a {
        let mesh = mesh.to_owned();
        generated
            .iter()
            .filter_map(|(_, result)| result.as_ref().ok())
            .map(move |hostname| (mesh.clone(), hostname.clone()))
    }

    /// File a service's claims (`stored_name`: the name the zone stores it under).
    pub(crate) fn add(
        &mut self,
        generators: &GeneratorSet,
        service: &Meta,
        stored_name: &str,
        generated: &Generated,
    ) {
        for (key, claim) in Self::claims_of(generators, service, stored_name, generated) {
            self.0.entry(key).or_default().insert(claim);
        }
    }

    /// Withdraw a service's claims; the hostnames it claimed go to `affected`.
    pub(crate) fn remove(
        &mut self,
        generators: &GeneratorSet,
        service: &Meta,
        stored_name: &str,
        generated: &Generated,
        affected: &mut BTreeSet<ClaimKey>,
    ) {
        for (key, claim) in Self::claims_of(generators, service, stored_name, generated) {
            if let Some(set) = self.0.get_mut(&key) {
                set.remove(&claim);
                if set.is_empty() {
                    self.0.remove(&key);
                }
            }
            affected.insert(key);
        }
    }

    /// Forget every claim (the generators changed; every service is rendered again).
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// The service that keeps `hostname` in `mesh`.
    pub(crate) fn owner(&self, mesh: &str, hostname: &str) -> Option<&str> {
        self.0
            .get(&(mesh.to_owned(), hostname.to_owned()))
            .and_then(Claims::first)
            .map(|claim| claim.service.as_str())
    }

    /// `(mesh, service)` of every claim on `keys` (unsorted, possibly repeated).
    pub(crate) fn claimants<'a>(
        &'a self,
        keys: &'a BTreeSet<ClaimKey>,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        keys.iter().flat_map(move |key| {
            self.0
                .get(key)
                .into_iter()
                .flat_map(Claims::iter)
                .map(move |claim| (key.0.as_str(), claim.service.as_str()))
        })
    }

    /// What each generator did for the `resource_type` service `name` of `mesh` (stored as
    /// `stored_name`, which Kuma's collision message names): its error, a collision (the
    /// hostname is kept by another service), or the hostname.
    pub(crate) fn outcomes(
        &self,
        resource_type: ResourceType,
        mesh: &str,
        name: &str,
        stored_name: &str,
        generated: &Generated,
    ) -> Vec<(String, Outcome)> {
        generated
            .iter()
            .map(|(generator, result)| {
                let outcome = match result {
                    Err(message) => Outcome::TemplateError(message.clone()),
                    Ok(hostname) => match self.owner(mesh, hostname) {
                        Some(owner) if owner != name => {
                            Outcome::Collision(collision_message(resource_type, stored_name))
                        }
                        _ => Outcome::Generated(hostname.clone()),
                    },
                };
                (generator.clone(), outcome)
            })
            .collect()
    }
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
pub(crate) fn zone_of_resource(meta: &Meta) -> String {
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
        // As a zone stores it: renamed by KDS, its name kept as display name.
        assert_eq!(
            g.meta.name,
            "synced-mesh-multi-zone-service-4244v574644557w2"
        );
        assert_eq!(g.meta.display_name(), DEFAULT_MZS_GENERATOR);
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

    /// A generator whose template renders `Team_A.mesh` (not an RFC 1123 subdomain) for an MZS
    /// labelled `team: Team_A`: recorded before 2.14, Kuma's `TemplateError` from 2.14 on.
    #[test]
    fn a_hostname_that_is_not_a_dns_name_is_generated_before_2_14_and_refused_from_2_14() {
        let generator = Resource {
            meta: Meta {
                name: "by-team".into(),
                ..Meta::default()
            },
            spec: Spec::HostnameGenerator(HostnameGeneratorSpec {
                selector: HostnameGeneratorSelector {
                    mesh_multi_zone_service: Some(LabelSelector { match_labels: None }),
                    ..HostnameGeneratorSelector::default()
                },
                template: "{{ label \"team\" }}.mesh".into(),
                extension: None,
            }),
            status: None,
        };
        let mut generators = SortedMap::default();
        generators.insert("by-team".to_owned(), generator);
        let set = GeneratorSet::new(generators);
        let mut mzs = Meta {
            name: "redis".into(),
            mesh: "default".into(),
            ..Meta::default()
        };
        mzs.labels.insert("team".into(), "Team_A".into());
        for version in KumaVersion::ALL {
            let generated = set.render(version, ResourceType::MeshMultiZoneService, "east", &mzs);
            let [(name, result)] = generated.as_slice() else {
                panic!("{version}: {generated:?}")
            };
            assert_eq!(name, "by-team");
            if version.checks_generated_hostnames() {
                let message = result.clone().unwrap_err();
                assert!(
                    message.starts_with(
                        "generated hostname \"Team_A.mesh\" is not a valid DNS name: a lowercase RFC 1123 subdomain"
                    ),
                    "{version}: {message}"
                );
            } else {
                assert_eq!(result.as_deref(), Ok("Team_A.mesh"), "{version}");
                let outcome = Outcome::Generated("Team_A.mesh".into());
                let (addresses, statuses) = assemble_status(&[(name.clone(), outcome)]);
                assert_eq!(addresses[0].hostname.as_deref(), Some("Team_A.mesh"));
                assert_eq!(statuses[0].conditions[0].status, "True");
            }
        }
        assert!(!KumaVersion::V2_13.checks_generated_hostnames());
        assert!(KumaVersion::V2_14.checks_generated_hostnames());
    }

    #[test]
    fn collision_message_names_the_service() {
        assert_eq!(
            collision_message(ResourceType::MeshMultiZoneService, "redis-2"),
            "Hostname collision with MeshMultiZoneService: redis-2"
        );
    }
}
