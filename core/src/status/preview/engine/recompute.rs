//! Computing one MZS's status, ports, traffic and warnings from the engine's indexes.

use super::{
    MzsStatusEngine, ServiceEntry, CONDITION_MESH_SERVICES_MATCHED, MESSAGE_NO_MATCHES,
    REASON_MATCHES, REASON_NO_MATCHES,
};
use crate::model::{
    describe_port, Condition, MatchedMeshService, MeshServiceState, Meta, MzsStatus,
};
use crate::status::hostnames::{self, Outcome};
use crate::status::load_balancing::{self, MzsTarget, PortTraffic, ZoneEndpoints};
use crate::status::ports::{self, PortPreview, ServingPort};
use crate::status::preview::{format_selector, MzsPreview, PreviewWarning};
use crate::status::selector;
use crate::text::diagnostics::Code;

impl MzsStatusEngine {
    pub(super) fn matched_services(&self, selector: &crate::model::Labels) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .service_index
            .candidates(selector)
            .filter(|&id| {
                self.service(id)
                    .is_some_and(|s| selector::mzs_matches(selector, &s.meta.labels))
            })
            .collect();
        crate::text::sort::sort_by(&mut ids, |&a, &b| {
            match (self.service(a), self.service(b)) {
                (Some(a), Some(b)) => compare_fully_qualified(&a.meta, &b.meta)
                    .then_with(|| a.meta.name.cmp(&b.meta.name)),
                _ => a.cmp(&b),
            }
        });
        ids
    }

    pub(super) fn recompute(&mut self, id: u32) {
        let Some(entry) = self.entry(id) else { return };
        let matched = self.matched_services(&entry.selector);
        let services: Vec<&ServiceEntry> =
            matched.iter().filter_map(|&i| self.service(i)).collect();
        let mesh = entry.meta.mesh.as_str();
        // Sorted and deduplicated at the end, as a set would hold them.
        let mut warnings = Vec::new();

        // 1. Matching (Kuma's status updater).
        let mesh_services: Vec<MatchedMeshService> =
            services.iter().map(|s| matched_entry(&s.meta)).collect();
        // Kuma before 3.0 writes no `kuma.io/display-name` on a universal MeshService applied in
        // its zone (its generator labels generated ones, v2.14.3 `meshservice/generate/
        // generator.go:278`, and KDS the copies it sends), so a selector on it skips that one.
        let version = self.options.kuma_version;
        let wanted = entry.selector.get(crate::model::labels::DISPLAY_NAME);
        if let (Some(wanted), false) = (wanted, version.overwrites_display_name()) {
            for s in &self.services {
                let Some(s) = s else { continue };
                // Only where the display name is all that keeps it out (a label the service
                // lacks reads as "", as in Kuma's matching).
                let labels = &s.meta.labels;
                let unnamed = s.meta.mesh == mesh
                    && s.meta.zone() == self.zone
                    && s.meta.name == *wanted
                    && !labels.contains_key(crate::model::labels::DISPLAY_NAME)
                    && entry.selector.iter().all(|(k, v)| {
                        k == crate::model::labels::DISPLAY_NAME
                            || labels.get(k).map(String::as_str).unwrap_or("") == v
                    });
                if unnamed {
                    warnings.push(PreviewWarning {
                        code: Code::NoMatches,
                        message: format!(
                            "MeshService {wanted} of zone {} is not matched: Kuma {} adds kuma.io/display-name to generated MeshServices and to other zones' copies, not to one applied in its zone (label it so; 3.0 labels all)",
                            self.zone,
                            version.as_str()
                        ),
                        port: None,
                    });
                }
            }
        }
        let condition = if mesh_services.is_empty() {
            // Said by the warning above when the display name is why (a 2.x zone's own).
            if warnings.is_empty() {
                warnings.push(PreviewWarning {
                    code: Code::NoMatches,
                    message: format!(
                        "selector {} matches no MeshService; the MZS has no endpoints",
                        format_selector(&entry.selector)
                    ),
                    port: None,
                });
            }
            Condition {
                condition_type: CONDITION_MESH_SERVICES_MATCHED.to_owned(),
                status: "False".to_owned(),
                reason: REASON_NO_MATCHES.to_owned(),
                message: MESSAGE_NO_MATCHES.to_owned(),
            }
        } else {
            Condition {
                condition_type: CONDITION_MESH_SERVICES_MATCHED.to_owned(),
                status: "True".to_owned(),
                reason: REASON_MATCHES.to_owned(),
                message: format!("Matched {} MeshService(s)", mesh_services.len()),
            }
        };
        // The fix: the MZS's own mesh in the selector (in place of another one it names).
        let advice = match entry.selector.get(crate::model::labels::MESH) {
            Some(named) => format!("set kuma.io/mesh: {mesh} in the selector, not {named}"),
            None => format!("add kuma.io/mesh: {mesh} to the selector"),
        };
        for s in services.iter().filter(|s| s.meta.mesh != mesh) {
            warnings.push(PreviewWarning {
                code: Code::CrossMeshMatch,
                message: format!(
                    "selector matches MeshService {} of mesh {}; Kuma lists it in status.meshServices but it never receives traffic ({advice})",
                    s.meta.display_name(), s.meta.mesh
                ),
                port: None,
            });
        }
        let same_mesh: Vec<&ServiceEntry> = services
            .iter()
            .copied()
            .filter(|s| s.meta.mesh == mesh)
            .collect();
        // One warning for the services whose state is not set, one for those Unavailable: a
        // selector matching hundreds must not give hundreds of warnings per zone.
        let mut unset = Vec::new();
        let mut unavailable = Vec::new();
        for s in &same_mesh {
            let zone = s.meta.zone();
            // Remote and Unavailable: Kuma sends it nothing. Local without a state: the preview
            // takes it as Unavailable too, which would otherwise show as unexplained "no traffic".
            let remote = zone != self.zone;
            if zone.is_empty() || s.spec.effective_state() == MeshServiceState::Available {
                continue;
            }
            if s.spec.state.is_none() {
                unset.push(*s);
            } else if remote {
                unavailable.push(*s);
            }
        }
        for (services, why) in [
            (&unavailable, ""),
            (&unset, " (spec.state is not set: Kuma sets it from the health of the data plane proxies, and the preview takes it as Unavailable; write state: Available to preview it serving)"),
        ] {
            if let Some(message) = unavailable_message(services, why) {
                warnings.push(PreviewWarning {
                    code: Code::UnavailableService,
                    message,
                    port: None,
                });
            }
        }

        // 2. Ports and 5. traffic.
        let target = MzsTarget {
            mesh,
            name: &entry.meta.name,
            display_name: entry.meta.display_name(),
            namespace: entry.meta.namespace(),
            labels: &entry.meta.labels,
        };
        let mut port_previews = Vec::new();
        let mut traffic = Vec::new();
        for port in &entry.spec.ports {
            let section = port.section_name();
            let mut served_by = Vec::new();
            // One entry per Available service, counted per zone after sorting.
            let mut available_in: Vec<&str> = Vec::new();
            for s in &same_mesh {
                let Some(serving) = ports::serving_port(version, port, &s.spec.ports) else {
                    continue;
                };
                let zone = s.meta.zone();
                served_by.push(ServingPort {
                    name: s.meta.display_name().to_owned(),
                    namespace: s.meta.namespace().to_owned(),
                    zone: zone.to_owned(),
                    mesh: s.meta.mesh.clone(),
                    port: serving.port,
                    port_name: serving.name.clone().filter(|n| !n.is_empty()),
                    app_protocol: serving
                        .app_protocol
                        .clone()
                        .unwrap_or_else(crate::model::default_app_protocol),
                });
                // Local services always count but only have endpoints when healthy; remote
                // ones only when Available. Either way: Available services only.
                if !zone.is_empty() && s.spec.effective_state() == MeshServiceState::Available {
                    available_in.push(zone);
                }
            }
            if served_by.is_empty() && !same_mesh.is_empty() {
                warnings.push(PreviewWarning {
                    code: Code::PortNotServed,
                    message: format!(
                        "{} is not served by any matched MeshService ({}); it gets no endpoints",
                        describe_port(&section, port.port),
                        match version {
                            v if v.pairs_ports_by_name() => "Kuma 3.0 pairs ports by name: a MeshService port named like the MZS port, or whose number equals its name",
                            _ => "Kuma 2.x pairs ports by number",
                        }
                    ),
                    port: Some(section.clone()),
                });
            }
            crate::text::sort::sort(&mut available_in);
            let mut endpoints: Vec<ZoneEndpoints> = Vec::new();
            for zone in available_in {
                match endpoints.last_mut() {
                    Some(last) if last.zone == zone => last.endpoints += 1,
                    _ => endpoints.push(ZoneEndpoints {
                        healthy: self.options.health_of(zone),
                        zone: zone.to_owned(),
                        endpoints: 1,
                    }),
                }
            }
            let policy = load_balancing::select_policy(
                self.policies
                    .iter()
                    .map(|((m, n), spec)| (m.as_str(), n.as_str(), spec)),
                target,
                &section,
                port.port,
            );
            let split =
                load_balancing::split(&self.zone, &endpoints, policy.as_ref().map(|p| &p.conf));
            traffic.push(PortTraffic {
                port: port.port,
                section_name: section.clone(),
                shares: split.shares,
                priorities: split.priorities,
                overprovisioning_factor: split.overprovisioning_factor,
                dropped_zones: split.dropped_zones,
                failing_share: split.failing_share,
                policy,
            });
            port_previews.push(PortPreview {
                port: port.port,
                section_name: section,
                app_protocol: port.app_protocol.clone(),
                served_by,
            });
        }

        // 3. Hostnames.
        let outcomes = self.hostname_outcomes(entry);
        for (name, outcome) in &outcomes {
            // Named as written (a zone stores global's under a hashed name, `coreName`).
            let generator = self
                .generators
                .by_name()
                .get(name.as_str())
                .map_or(name.as_str(), |g| g.meta.display_name());
            let problem = match outcome {
                Outcome::Generated(_) => None,
                Outcome::TemplateError(m) => Some(format!(
                    "HostnameGenerator {generator}: template error: {m}"
                )),
                Outcome::Collision(_) => {
                    // Kuma's condition names only the losing MZS; say who owns the hostname.
                    let hostname = crate::text::sort::lookup(&entry.generated, name.as_str())
                        .and_then(|r| r.as_ref().ok())
                        .map(String::as_str)
                        .unwrap_or("");
                    let owner = self
                        .claims
                        .owner(mesh, hostname)
                        .unwrap_or("another MeshMultiZoneService");
                    Some(format!(
                        "HostnameGenerator {generator}: hostname {hostname} is already used by MeshMultiZoneService {owner} of mesh {mesh}; this MZS does not get it"
                    ))
                }
            };
            if let Some(message) = problem {
                warnings.push(PreviewWarning {
                    code: Code::HostnameProblem,
                    message,
                    port: None,
                });
            }
        }
        let (addresses, hostname_generators) = hostnames::assemble_status(&outcomes);

        // 4. VIPs.
        if let Some(error) = &entry.vip.error {
            warnings.push(PreviewWarning {
                code: Code::VipExhausted,
                message: format!(
                    "no VIP: {error}; the MZS gets no outbound listener and no DNS entry"
                ),
                port: None,
            });
        }

        crate::text::sort::sort(&mut warnings);
        warnings.dedup();
        let preview = MzsPreview {
            mesh: entry.meta.mesh.clone(),
            name: entry.meta.name.clone(),
            status: MzsStatus {
                addresses,
                vips: entry.vip.status_vips(),
                mesh_services,
                hostname_generators,
                // Before 2.13 a zone writes no condition (the MZS status has no `conditions`).
                conditions: if version.writes_mzs_matched_condition() {
                    vec![condition]
                } else {
                    Vec::new()
                },
            },
            ports: port_previews,
            traffic,
            warnings,
        };
        if let Some(entry) = self.entry_mut(id) {
            entry.preview = preview;
        }
    }
}

/// `status.meshServices[]` entry for a MeshService (Kuma takes it from the MeshService KRI).
fn matched_entry(meta: &Meta) -> MatchedMeshService {
    MatchedMeshService {
        name: meta.display_name().to_owned(),
        namespace: meta.namespace().to_owned(),
        zone: meta.zone().to_owned(),
        mesh: meta.mesh.clone(),
    }
}

/// Compare two MeshServices by Kuma's sort key `name/namespace/zone/mesh` (as one string, so
/// `a-b` sorts before `a/`), without building the strings.
fn compare_fully_qualified(a: &Meta, b: &Meta) -> std::cmp::Ordering {
    fn key(meta: &Meta) -> impl Iterator<Item = u8> + '_ {
        let slash = std::iter::once(b'/');
        meta.display_name()
            .bytes()
            .chain(slash.clone())
            .chain(meta.namespace().bytes())
            .chain(slash.clone())
            .chain(meta.zone().bytes())
            .chain(slash)
            .chain(meta.mesh.bytes())
    }
    key(a).cmp(key(b))
}

/// How many services an MZS104 names before "and N more".
const NAMED_UNAVAILABLE: usize = 3;

/// MZS104's text for `services` (none: no warning), naming the first few with their zones.
fn unavailable_message(services: &[&ServiceEntry], why: &str) -> Option<String> {
    let named: Vec<String> = (services.iter().take(NAMED_UNAVAILABLE))
        .map(|s| format!("{} in zone {}", s.meta.display_name(), s.meta.zone()))
        .collect();
    match services.len() {
        0 => None,
        1 => Some(format!(
            "MeshService {} is Unavailable: Kuma sends it no traffic{why}",
            crate::text::join(&named, "")
        )),
        n if n <= NAMED_UNAVAILABLE => {
            // "a and b", "a, b and c".
            let (last, first) = named.split_last()?;
            Some(format!(
                "MeshServices {} and {last} are Unavailable: Kuma sends them no traffic{why}",
                crate::text::join(first, ", ")
            ))
        }
        n => Some(format!(
            "MeshServices {} and {} more are Unavailable: Kuma sends them no traffic{why}",
            crate::text::join(&named, ", "),
            n - NAMED_UNAVAILABLE
        )),
    }
}
