//! Explanations: the preview as lines of text a person can read (`kuma-mzs preview --format
//! text`, the playground): why each MeshService matched or not (down to the selector label that
//! failed), where each hostname came from, the VIP, and the traffic split per port.

use crate::model::{describe_port, Labels, Meta, MzsStatus, Resource, Spec};
use crate::status::preview::{format_selector, Preview};
use crate::status::selector::LabelIndex;

/// At most this many non-matching MeshServices are listed per MZS (the closest ones first).
pub(crate) const MAX_NEAR_MISSES: usize = 10;

/// How many matched MeshServices an MZS's explanation lists before "... and N more": a selector
/// matching hundreds (times as many MZS) would bury the rest; the count line says how many.
const MAX_MATCHES_LISTED: usize = 20;
/// Up to this many MeshServices, every one is checked against every MZS selector.
pub(crate) const FULL_SCAN_LIMIT: usize = 1000;

/// Why a MeshService's labels fail an MZS selector (Kuma's rule: a missing label reads as `""`),
/// or `None` when they match.
pub(crate) fn selector_mismatch(selector: &Labels, labels: &Labels) -> Option<String> {
    let failures: Vec<String> = selector
        .iter()
        .filter_map(|(k, want)| {
            let have = labels.get(k).map(String::as_str).unwrap_or("");
            (have != want).then(|| match labels.get(k) {
                None => format!("label {k} is missing, selector wants {want:?}"),
                Some(have) => format!("label {k} is {have:?}, selector wants {want:?}"),
            })
        })
        .collect();
    (!failures.is_empty()).then(|| crate::text::join(&failures, "; "))
}

fn describe_service(meta: &Meta) -> String {
    let mut parts = Vec::new();
    if !meta.zone().is_empty() {
        parts.push(format!("zone {}", meta.zone()));
    }
    if !meta.namespace().is_empty() {
        parts.push(format!("namespace {}", meta.namespace()));
    }
    parts.push(format!("mesh {}", meta.mesh));
    format!("{} ({})", meta.name, crate::text::join(&parts, ", "))
}

fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    if (p - p.round()).abs() < 0.05 {
        format!("{}%", crate::text::float_text::fixed(p, 0))
    } else {
        format!("{}%", crate::text::float_text::fixed(p, 1))
    }
}

/// Explain a preview computed from `resources`: one block per MZS (matching is the same in
/// every zone), then per zone its VIP, hostnames, traffic and warnings.
pub fn explain(resources: &[Resource], preview: &Preview) -> Vec<String> {
    explain_with_skipped(resources, preview, &[])
}

/// [`explain`], knowing which MZS (`(mesh, name)`) the preview skipped because of errors, so an
/// input whose only MZS has an error does not read as having none.
pub fn explain_with_skipped(
    resources: &[Resource],
    preview: &Preview,
    skipped: &[(&str, &str)],
) -> Vec<String> {
    let mut lines = Vec::new();
    // Matched as the zones match them: with the labels Kuma computes on write.
    let services: Vec<Resource> = resources
        .iter()
        .filter(|r| matches!(r.spec, Spec::MeshService(_)))
        .map(|r| {
            let mut stored = r.clone();
            stored.meta = crate::kds::mesh_service_meta_as_stored(&r.meta);
            stored
        })
        .collect();
    let mut index = LabelIndex::new();
    for (i, s) in services.iter().enumerate() {
        index.insert(u32::try_from(i).unwrap_or(u32::MAX), &s.meta.labels);
    }
    // By the name the zones store them under, which is what a status's `coreName` says.
    let stored_generators: Vec<(String, &Resource)> = resources
        .iter()
        .filter(|r| matches!(r.spec, Spec::HostnameGenerator(_)))
        .map(|r| {
            let mut stored = r.clone();
            crate::status::preview::generator_as_stored(&mut stored);
            (stored.meta.name, r)
        })
        .collect();
    let generators = crate::text::sort::sorted_map(
        stored_generators
            .iter()
            .map(|(name, r)| (name.as_str(), *r))
            .collect(),
    );
    // The name of Kuma's default generator in the zones of this global.
    let default_generator = crate::status::hostnames::default_mzs_generator_for(resources)
        .meta
        .name;
    let mut mzs: Vec<&Resource> = resources
        .iter()
        .filter(|r| matches!(r.spec, Spec::MeshMultiZoneService(_)))
        .collect();
    crate::text::sort::sort_by(&mut mzs, |a, b| {
        (&a.meta.mesh, &a.meta.name).cmp(&(&b.meta.mesh, &b.meta.name))
    });
    // Written twice, the later document is the one applied last, and the one the zones preview.
    mzs.dedup_by(|later, kept| {
        let same = later.meta.mesh == kept.meta.mesh && later.meta.name == kept.meta.name;
        if same {
            *kept = *later;
        }
        same
    });
    if mzs.is_empty() {
        lines.push(match skipped.len() {
            0 => "No MeshMultiZoneService in the input.".to_owned(),
            1 => "No MeshMultiZoneService to preview: the only one is skipped (above).".to_owned(),
            n => {
                format!("No MeshMultiZoneService to preview: all {n} are skipped (above).")
            }
        });
        return lines;
    }
    for resource in mzs {
        let Spec::MeshMultiZoneService(spec) = &resource.spec else {
            continue;
        };
        let selector = spec.selector_labels();
        let ports: Vec<String> = spec
            .ports
            .iter()
            .map(|p| format!("{}/{}", p.section_name(), p.app_protocol))
            .collect();
        lines.push(format!(
            "MeshMultiZoneService {}/{}: selector {}, ports {}",
            resource.meta.mesh,
            resource.meta.name,
            format_selector(&selector),
            crate::text::join(&ports, ", ")
        ));
        let mut matched = Vec::new();
        let mut misses: Vec<(usize, &Meta)> = Vec::new();
        let failing_of = |meta: &Meta| {
            selector
                .iter()
                .filter(|(k, v)| {
                    meta.labels.get(*k).map(String::as_str).unwrap_or("") != v.as_str()
                })
                .count()
        };
        // Small inputs: look at every MeshService. Large inputs: only at the candidates the
        // label index gives (matches, and services sharing an uncommon selector label), so
        // explaining stays proportional to the answer instead of MZS x MeshServices.
        let examined: Vec<usize> = if services.len() <= FULL_SCAN_LIMIT {
            (0..services.len()).collect()
        } else {
            let mut ids: Vec<u32> = index.candidates(&selector).collect();
            for (k, v) in &selector {
                let posting = index.with_label(k, v);
                if posting.len() <= FULL_SCAN_LIMIT {
                    ids.extend(posting.iter().copied());
                }
            }
            crate::text::sort::sort(&mut ids);
            ids.dedup();
            ids.into_iter().map(|i| i as usize).collect()
        };
        for s in examined.into_iter().filter_map(|i| services.get(i)) {
            let failing = failing_of(&s.meta);
            if failing == 0 {
                matched.push(format!(
                    "    + {}: every selector label matches{}",
                    describe_service(&s.meta),
                    if s.meta.mesh != resource.meta.mesh {
                        " (other mesh: listed by Kuma, never gets traffic)"
                    } else {
                        ""
                    }
                ));
            } else if failing < selector.len()
                || (selector.len() == 1 && selector.keys().all(|k| s.meta.labels.contains_key(k)))
            {
                // Near misses: services that satisfy part of the selector, or carry its only key.
                misses.push((failing, &s.meta));
            }
        }
        lines.push(format!("  matched {} MeshService(s)", matched.len()));
        if selector.contains_key(crate::model::labels::ORIGIN) {
            lines.push(format!(
                "  (as written; each zone matches its own MeshServices with {origin}: zone and the other zones' copies with {origin}: global, see the zones below)",
                origin = crate::model::labels::ORIGIN
            ));
        }
        let more = matched.len().saturating_sub(MAX_MATCHES_LISTED);
        lines.extend(matched.into_iter().take(MAX_MATCHES_LISTED));
        if more > 0 {
            lines.push(format!("    ... and {more} more"));
        }
        crate::text::sort::sort_by(&mut misses, |a, b| {
            (a.0, &a.1.mesh, &a.1.name).cmp(&(b.0, &b.1.mesh, &b.1.name))
        });
        if !misses.is_empty() {
            lines.push("  not matched (closest first):".to_owned());
            for (_, meta) in misses.iter().take(MAX_NEAR_MISSES) {
                let why = selector_mismatch(&selector, &meta.labels).unwrap_or_default();
                lines.push(format!("    - {}: {why}", describe_service(meta)));
            }
            if misses.len() > MAX_NEAR_MISSES {
                lines.push(format!(
                    "    ... and {} more",
                    misses.len() - MAX_NEAR_MISSES
                ));
            }
        }
        for zone in &preview.zones {
            let Some(p) = zone.mzs(&resource.meta.mesh, &resource.meta.name) else {
                continue;
            };
            lines.push(format!("  zone {}:", zone.zone));
            explain_status(&p.status, &generators, &default_generator, &mut lines);
            for t in &p.traffic {
                let head = format!("    {}", describe_port(&t.section_name, t.port));
                if t.shares.is_empty() {
                    lines.push(format!("{head}: no traffic (nothing reachable)"));
                } else {
                    let shares: Vec<String> = t
                        .shares
                        .iter()
                        .map(|(z, f)| format!("{z} {}", percent(*f)))
                        .collect();
                    lines.push(format!("{head}: {}", crate::text::join(&shares, ", ")));
                }
                let levels: Vec<String> = t
                    .priorities
                    .iter()
                    .map(|l| {
                        format!(
                            "priority {} [{}] health {}% load {}%{}",
                            l.priority,
                            crate::text::join(&l.zones, ", "),
                            l.health,
                            l.load,
                            if l.panic { " (panic)" } else { "" }
                        )
                    })
                    .collect();
                if !levels.is_empty() {
                    lines.push(format!(
                        "      {}; overprovisioning factor {}",
                        crate::text::join(&levels, "; "),
                        t.overprovisioning_factor
                    ));
                }
                if let Some(policy) = &t.policy {
                    lines.push(format!(
                        "      MeshLoadBalancingStrategy {} ({:?} rule)",
                        crate::text::join(&policy.policies, ", "),
                        policy.level
                    ));
                }
                if !t.dropped_zones.is_empty() {
                    lines.push(format!(
                        "      dropped by failover rules: {}",
                        crate::text::join(&t.dropped_zones, ", ")
                    ));
                }
                if t.failing_share > 0.0 {
                    lines.push(format!(
                        "      {} of requests go to unhealthy endpoints (Envoy panic routing) and fail",
                        percent(t.failing_share)
                    ));
                }
            }
            for w in &p.warnings {
                lines.push(format!("    warning {}: {}", w.code, w.message));
            }
        }
    }
    lines
}

fn explain_status(
    status: &MzsStatus,
    generators: &[(&str, &Resource)],
    default_generator: &str,
    lines: &mut Vec<String>,
) {
    match status.vips.first().and_then(|v| v.ip.as_deref()) {
        Some(ip) => lines.push(format!("    VIP {ip}")),
        None => lines.push("    no VIP".to_owned()),
    }
    for address in &status.addresses {
        let generator = address
            .hostname_generator_ref
            .as_ref()
            .map(|r| r.core_name.as_str())
            .unwrap_or("");
        let template = match crate::text::sort::lookup(generators, generator).map(|g| &g.spec) {
            Some(Spec::HostnameGenerator(spec)) => spec.template.clone(),
            _ if generator == default_generator => {
                format!(
                    "{} (Kuma's default)",
                    crate::status::hostnames::DEFAULT_MZS_TEMPLATE
                )
            }
            _ => String::new(),
        };
        lines.push(format!(
            "    hostname {} from HostnameGenerator {generator}: {template}",
            address.hostname.as_deref().unwrap_or("")
        ));
    }
    for g in &status.hostname_generators {
        for c in g.conditions.iter().filter(|c| c.status != "True") {
            lines.push(format!(
                "    HostnameGenerator {}: {} ({})",
                g.hostname_generator_ref.core_name, c.reason, c.message
            ));
        }
    }
    for c in &status.conditions {
        lines.push(format!(
            "    condition {}={} {}: {}",
            c.condition_type, c.status, c.reason, c.message
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatch_names_the_failing_label() {
        let selector: Labels = [("app".to_owned(), "redis".to_owned())].into();
        let labels: Labels = [("app".to_owned(), "web".to_owned())].into();
        assert_eq!(
            selector_mismatch(&selector, &labels).as_deref(),
            Some("label app is \"web\", selector wants \"redis\"")
        );
        assert_eq!(
            selector_mismatch(&selector, &Labels::new()).as_deref(),
            Some("label app is missing, selector wants \"redis\"")
        );
        assert!(selector_mismatch(&selector, &selector).is_none());
    }

    #[test]
    fn percent_formats() {
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(0.0025), "0.2%");
        assert_eq!(percent(0.0075), "0.8%");
        assert_eq!(percent(1.0 / 3.0), "33.3%");
    }
}
