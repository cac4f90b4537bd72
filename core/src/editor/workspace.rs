//! A preview over a workspace of files: which documents take part, which are skipped and why,
//! and the preview's warnings as diagnostics located in the files.
//!
//! Front ends (the npm API, the CLI, the language server, the playground) hand over their files
//! as text and get back, per file, the check result plus the preview diagnostics that belong to
//! it; none of them decides which documents are previewed.
//!
//! - A document takes part when it decoded to a resource without errors. A MeshMultiZoneService
//!   with errors is *skipped*, never silently absent: [`Skipped`] names it, where it is and what
//!   to fix ("fix 1 error at global.yaml:14"), so a front end can keep showing its last good
//!   preview marked stale.
//! - A file may say which zone's control plane it is applied to ([`WorkspaceFile::zone`]). In
//!   such a file a MeshService without `kuma.io/zone` gets the zone's name (Kuma computes the
//!   label on a zone); one that names another zone gets `MZS202`; an MZS gets `MZS203` (Kuma
//!   creates MZS on global only: a zone answers 405) and is skipped. Without a zone, a
//!   MeshService without `kuma.io/zone` gets `MZS201`.
//! - Preview warnings (`MZS101`..`MZS106`) are located at what they are about: the selector
//!   label that the closest MeshService fails (with which label differs in the message), the
//!   port, or the MZS name. A warning given by several zones is one diagnostic listing them.

use crate::editor::explain::selector_mismatch;
use crate::model::{labels, Resource, ResourceType, Spec};
use crate::status::preview::{self, format_selector, Preview, PreviewOptions, PreviewWarning};
use crate::text::diagnostics::{Code, Diagnostic};
use crate::text::source::TextRange;
use crate::text::syntax::Node;
use crate::{CheckOptions, Checked};

/// One input file.
#[derive(Debug, Clone, Copy)]
pub struct WorkspaceFile<'a> {
    /// Where it came from (used in skip reasons).
    pub path: &'a str,
    /// Its text.
    pub text: &'a str,
    /// The zone whose control plane the file is applied to; `None` for global or unknown.
    pub zone: Option<&'a str>,
}

/// A preview diagnostic: located in one file, given by one or more zones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewDiagnostic {
    /// The diagnostic (its span is in the file's text).
    pub diagnostic: Diagnostic,
    /// The zones that give it, sorted; empty for diagnostics about authoring (MZS2xx).
    pub zones: Vec<String>,
}

/// One file's results.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// The check of its text.
    pub checked: Checked,
    /// Preview diagnostics located in it: authoring ones (MZS2xx) in document order, then the
    /// preview's in zone, MZS and warning order (front ends sort by position as they show them).
    pub preview_diagnostics: Vec<PreviewDiagnostic>,
}

/// A resource that takes no part in the preview, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Index of its file in the input.
    pub file: usize,
    /// Its type.
    pub resource_type: ResourceType,
    /// Its mesh (empty when unknown or global-scoped).
    pub mesh: String,
    /// Its name (empty when unknown).
    pub name: String,
    /// Where the document is.
    pub span: TextRange,
    /// The first error's span.
    pub first_error: TextRange,
    /// How many errors the document has.
    pub errors: usize,
    /// What to do, e.g. `fix 1 error at global.yaml:14`.
    pub reason: String,
}

/// The result of [`preview_workspace`].
#[derive(Debug, Clone)]
pub struct WorkspacePreview {
    /// The per-zone preview of every resource that took part.
    pub preview: Preview,
    /// Per input file, in input order.
    pub files: Vec<FileResult>,
    /// Resources left out, in input order.
    pub skipped: Vec<Skipped>,
    /// The resources that took part (for [`crate::editor::explain::explain`]).
    pub resources: Vec<Resource>,
}

/// Where a previewed resource came from: its file and document indices.
type Origin = (usize, usize);

/// Check every file and preview every resource that takes part.
pub fn preview_workspace(
    files: &[WorkspaceFile<'_>],
    zones: &[String],
    check_options: &CheckOptions,
    options: &PreviewOptions,
) -> WorkspacePreview {
    let mut results: Vec<FileResult> = Vec::with_capacity(files.len());
    let mut resources = Vec::new();
    let mut skipped = Vec::new();
    let mut origins: Vec<Origin> = Vec::new();
    for (file_index, file) in files.iter().enumerate() {
        let in_zone = file.zone.filter(|z| !z.is_empty());
        let checked =
            crate::decode::check::check_applied_to(file.text, check_options, in_zone.is_some());
        let mut authoring = Vec::new();
        for (doc_index, doc) in checked.documents.iter().enumerate() {
            let Some(resource) = &doc.resource else {
                continue;
            };
            let resource_type = resource.resource_type();
            let mut errors = doc
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::Severity::Error);
            let first_error = errors.next().map(|d| d.span);
            if let (Some(zone), ResourceType::MeshMultiZoneService) = (in_zone, resource_type) {
                let at = type_span(&doc.root);
                // A zone's REST API answers 405; on Kubernetes, Kuma's admission webhook a 403.
                let refusal = if doc.shape == Some(crate::Shape::Kubernetes) {
                    "403 Forbidden: Operation not allowed. Kuma resources like MeshMultiZoneService can be updated or deleted only from the GLOBAL control plane and not from a ZONE control plane."
                } else {
                    "405 Method Not Allowed"
                };
                authoring.push(PreviewDiagnostic {
                    diagnostic: Diagnostic::new(
                        Code::WrittenInZone,
                        "",
                        format!("a MeshMultiZoneService is created on the global control plane; a zone's control plane refuses it ({refusal})"),
                        at,
                    ),
                    zones: Vec::new(),
                });
                skipped.push(skip(
                    file_index,
                    resource,
                    doc.span,
                    at,
                    0,
                    format!("written in zone {zone}: move it to the global control plane's file"),
                ));
                continue;
            }
            // What a zone sent global is the zone's: global refuses an MZS labelled with another
            // origin (from 2.11), and before that keeps it but never sends it to a zone.
            let origin = resource.meta.labels.get(labels::ORIGIN);
            if resource_type == ResourceType::MeshMultiZoneService
                && in_zone.is_none()
                && first_error.is_none()
                && origin.is_some_and(|o| o != "global")
            {
                let field = format!("labels[\"{}\"]", labels::ORIGIN);
                let at = crate::decode::span_of(&doc.root, &field);
                let before = authoring.len();
                let reason = match crate::rest::origin_refusal(
                    &crate::rest::Mode::Global,
                    options.kuma_version,
                    resource_type,
                    &resource.meta.labels,
                ) {
                    Some(message) => {
                        authoring.push(PreviewDiagnostic {
                            diagnostic: Diagnostic::new(Code::Kuma, field, message, at),
                            zones: Vec::new(),
                        });
                        "refused by global".to_owned()
                    }
                    None => format!(
                        "global keeps it but sends no zone an MZS of {}: {}",
                        labels::ORIGIN,
                        origin.map_or("", String::as_str)
                    ),
                };
                let errors = authoring.len() - before;
                skipped.push(skip(file_index, resource, doc.span, at, errors, reason));
                continue;
            }
            // A generator or policy of a global file labelled as a zone's: global refuses it
            // (from 2.11), as the REST layer or, for a manifest, the webhook answers.
            if matches!(
                resource_type,
                ResourceType::HostnameGenerator | ResourceType::MeshLoadBalancingStrategy
            ) && in_zone.is_none()
                && first_error.is_none()
            {
                let refusal = if doc.shape == Some(crate::Shape::Kubernetes) {
                    crate::validate::kubernetes::global_webhook_origin(
                        &resource.meta.labels,
                        options.kuma_version,
                    )
                    .map(|v| v.message)
                } else {
                    crate::rest::origin_refusal(
                        &crate::rest::Mode::Global,
                        options.kuma_version,
                        resource_type,
                        &resource.meta.labels,
                    )
                };
                if let Some(message) = refusal {
                    let field = format!("labels[\"{}\"]", labels::ORIGIN);
                    let at = crate::decode::span_of(&doc.root, &field);
                    authoring.push(PreviewDiagnostic {
                        diagnostic: Diagnostic::new(Code::Kuma, field, message, at),
                        zones: Vec::new(),
                    });
                    skipped.push(skip(
                        file_index,
                        resource,
                        doc.span,
                        at,
                        1,
                        "refused by global".to_owned(),
                    ));
                    continue;
                }
            }
            if let Some(first) = first_error {
                let count = 1 + errors.count();
                let line = checked.line_index.position(file.text, first.start).line;
                let plural = if count == 1 { "" } else { "s" };
                let reason = format!("fix {count} error{plural} at {}:{line}", file.path);
                skipped.push(skip(file_index, resource, doc.span, first, count, reason));
                continue;
            }
            // A zone's REST layer refuses a resource not labelled `kuma.io/origin: zone`, or
            // labelled with another zone or mesh (`kumactl apply`, 400, every refusal in one
            // answer); a manifest got its webhook's answer from the check.
            if let (Some(zone), false) = (in_zone, doc.shape == Some(crate::Shape::Kubernetes)) {
                let refusals = crate::rest::zone_label_refusals_by_kuma(
                    zone,
                    options.kuma_version,
                    resource_type,
                    resource_type
                        .is_mesh_scoped()
                        .then_some(resource.meta.mesh.as_str()),
                    &resource.meta.labels,
                );
                if let Some(first) = refusals.first() {
                    let at = crate::decode::span_of(&doc.root, &first.field);
                    let count = refusals.len();
                    for violation in refusals {
                        // The zone label's own code, as for a manifest.
                        let code = if violation.field == zone_label_path() {
                            Code::ZoneLabelMismatch
                        } else {
                            Code::Kuma
                        };
                        let span = crate::decode::span_of(&doc.root, &violation.field);
                        authoring.push(PreviewDiagnostic {
                            diagnostic: Diagnostic::new(
                                code,
                                violation.field,
                                violation.message,
                                span,
                            ),
                            zones: Vec::new(),
                        });
                    }
                    let reason = format!("refused by zone {zone}");
                    skipped.push(skip(file_index, resource, doc.span, at, count, reason));
                    continue;
                }
            }
            let mut resource = resource.clone();
            // As the zones store it, so the explanation matches what the preview matched.
            resource.store_display_name(options.kuma_version);
            if resource_type == ResourceType::MeshService {
                // A manifest is applied to a Kubernetes zone, with or without a namespace in it.
                if doc.shape == Some(crate::Shape::Kubernetes) {
                    (resource.meta.labels.entry(labels::ENV.to_owned()))
                        .or_insert_with(|| "kubernetes".to_owned());
                }
                if let Some(zone) = zone_label_checks(&mut resource, doc, in_zone, &mut authoring) {
                    let at = authoring.last().map_or(doc.span, |d| d.diagnostic.span);
                    let reason = format!("refused by zone {zone}");
                    skipped.push(skip(file_index, &resource, doc.span, at, 1, reason));
                    continue;
                }
            } else if let Some(zone) = in_zone {
                // A HostnameGenerator or policy written on a zone stays in that zone.
                crate::kds::as_written_on_zone(&mut resource.meta, zone);
            }
            origins.push((file_index, doc_index));
            resources.push(resource);
        }
        results.push(FileResult {
            checked,
            preview_diagnostics: authoring,
        });
    }
    // Applied in order (`kumactl apply -f` file by file), a later document of the same resource
    // replaces an earlier one; the preview and the explanation use the later, the earlier is
    // reported as skipped.
    let latest = latest_documents(&resources);
    let root_span = |(file, document): Origin| {
        let doc = results.get(file)?.checked.documents.get(document)?;
        Some(doc.root.span)
    };
    for (earlier, &later) in latest.iter().enumerate() {
        let (Some(&at), Some(&by)) = (origins.get(earlier), origins.get(later)) else {
            continue;
        };
        if later == earlier {
            continue;
        }
        let (Some(span), Some(by_span), Some(by_file)) =
            (root_span(at), root_span(by), files.get(by.0))
        else {
            continue;
        };
        let line = (results[by.0].checked.line_index)
            .position(by_file.text, by_span.start)
            .line;
        let reason = format!("replaced by the later document at {}:{line}", by_file.path);
        skipped.push(skip(at.0, &resources[earlier], span, span, 0, reason));
    }
    // Keep the latest of each, in order (one pass for the two parallel lists).
    let mut kept = 0;
    for (i, &latest) in latest.iter().enumerate() {
        if latest == i {
            resources.swap(kept, i);
            origins.swap(kept, i);
            kept += 1;
        }
    }
    resources.truncate(kept);
    origins.truncate(kept);
    // A file applied to a zone names that zone, as `--zone` does (a zone whose files hold no
    // MeshService the zone takes still previews its MZS).
    let mut zones = zones.to_vec();
    for file in files {
        if let Some(zone) = file
            .zone
            .filter(|z| !z.is_empty() && !zones.iter().any(|n| n == z))
        {
            zones.push(zone.to_owned());
        }
    }
    let zones = zones.as_slice();
    let preview = match too_large(&resources, zones) {
        None => preview::preview(&resources, zones, options),
        Some(message) => {
            // Said once, at the first MZS: its statuses are what would not fit.
            let first = (resources.iter().zip(&origins))
                .find(|(r, _)| r.resource_type() == ResourceType::MeshMultiZoneService);
            if let Some((_, &(file, document))) = first {
                if let Some(result) = results.get_mut(file) {
                    let at = (result.checked.documents.get(document)).map(|d| type_span(&d.root));
                    result.preview_diagnostics.push(PreviewDiagnostic {
                        diagnostic: Diagnostic::new(
                            Code::Limit,
                            "",
                            message,
                            at.unwrap_or_default(),
                        ),
                        zones: Vec::new(),
                    });
                }
            }
            Preview { zones: Vec::new() }
        }
    };
    locate_warnings(&preview, &resources, &origins, &skipped, &mut results);
    WorkspacePreview {
        preview,
        files: results,
        skipped,
        resources,
    }
}

/// Most status entries a workspace preview computes over all zones: each zone's matched
/// MeshServices per MZS (an entry of `status.meshServices`, with its ports and traffic), its
/// generators' runs per MZS, and the MeshServices it holds: about ten seconds and a few hundred
/// MB in the npm package. Beyond it the preview says so instead of running for minutes and
/// gigabytes (the language server previews on every change).
const MAX_PREVIEW_ENTRIES: usize = 400_000;

/// Why the preview of `resources` in `zones` is too large to compute, if it is: the zones
/// (given or named by MeshServices) times what each holds (see [`MAX_PREVIEW_ENTRIES`]).
fn too_large(resources: &[Resource], zones: &[String]) -> Option<String> {
    let mut zone_names: Vec<&str> = zones.iter().map(String::as_str).collect();
    let mut services = Vec::new();
    for r in resources {
        if r.resource_type() == ResourceType::MeshService {
            zone_names.push(r.meta.zone());
            services.push(crate::kds::mesh_service_meta_as_stored(&r.meta));
        }
    }
    zone_names.retain(|z| !z.is_empty());
    crate::text::sort::sort(&mut zone_names);
    zone_names.dedup();
    let zone_count = zone_names.len().max(1);
    let generators = (resources.iter())
        .filter(|r| r.resource_type() == ResourceType::HostnameGenerator)
        .count()
        + 1;
    // Per zone: every MeshService it holds, and per MZS its matches and each generator's run.
    let mut per_zone = services.len();
    let mut mzs_count = 0usize;
    for r in resources {
        let Spec::MeshMultiZoneService(spec) = &r.spec else {
            continue;
        };
        mzs_count += 1;
        let selector = spec.selector_labels();
        let matched = (services.iter())
            .filter(|meta| crate::status::selector::matches(&selector, &meta.labels))
            .count();
        per_zone = per_zone.saturating_add(matched).saturating_add(generators);
    }
    let entries = per_zone.saturating_mul(zone_count);
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    (entries > MAX_PREVIEW_ENTRIES).then(|| {
        format!(
            "not previewed: {} with {} and {} in {} would take {entries} status entries (matched MeshServices, generated hostnames, services held), more than the preview's limit of {MAX_PREVIEW_ENTRIES}; preview fewer zones or fewer files at a time",
            plural(mzs_count, "MeshMultiZoneService", "MeshMultiZoneServices"),
            plural(services.len(), "MeshService", "MeshServices"),
            plural(generators - 1, "HostnameGenerator", "HostnameGenerators"),
            plural(zone_count, "zone", "zones"),
        )
    })
}

/// For each resource, the index of the latest document of the same type, mesh, name and zone:
/// its own index unless a later document replaces it.
fn latest_documents(resources: &[Resource]) -> Vec<usize> {
    // One string per identity (no part holds a NUL: names, meshes and zones that could are
    // errors, and documents with errors take no part).
    let mut keys: Vec<String> = Vec::with_capacity(resources.len());
    for r in resources {
        let (mesh, name) = (&r.meta.mesh, &r.meta.name);
        // A Kubernetes namespace is part of the identity: `redis` of team-a and of team-b are two.
        keys.push(format!(
            "{}\0{mesh}\0{name}\0{}\0{}",
            r.resource_type() as u8,
            r.meta.zone(),
            r.meta.namespace()
        ));
    }
    let mut order: Vec<(&str, usize)> = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        order.push((key.as_str(), i));
    }
    // Sorted by identity, then position: the documents of one resource are adjacent, the latest
    // last, and each takes the latest of the next.
    crate::text::sort::sort(&mut order);
    let mut latest: Vec<usize> = (0..resources.len()).collect();
    for k in (1..order.len()).rev() {
        let ((key, earlier), (next_key, later)) = (order[k - 1], order[k]);
        if key == next_key {
            latest[earlier] = latest[later];
        }
    }
    latest
}

fn skip(
    file_index: usize,
    resource: &Resource,
    span: TextRange,
    first_error: TextRange,
    errors: usize,
    reason: String,
) -> Skipped {
    Skipped {
        file: file_index,
        resource_type: resource.resource_type(),
        mesh: resource.meta.mesh.clone(),
        name: resource.meta.name.clone(),
        span,
        first_error,
        errors,
        reason,
    }
}

/// The span of the `type` (universal) or `kind` (Kubernetes) value.
fn type_span(root: &Node) -> TextRange {
    root.get("type")
        .or_else(|| root.get("kind"))
        .map_or(root.span, |n| n.span)
}

fn zone_label_path() -> String {
    format!("labels[\"{}\"]", labels::ZONE)
}

/// MZS201/MZS202, and the zone label Kuma computes for a MeshService written in a zone. The
/// zone that refuses the MeshService (MZS202), if one does.
fn zone_label_checks<'f>(
    resource: &mut Resource,
    doc: &crate::CheckedDocument,
    file_zone: Option<&'f str>,
    out: &mut Vec<PreviewDiagnostic>,
) -> Option<&'f str> {
    let root = &doc.root;
    let kubernetes = doc.shape == Some(crate::Shape::Kubernetes);
    let label = resource.meta.zone().to_owned();
    match (file_zone, label.is_empty()) {
        (Some(zone), true) => {
            resource
                .meta
                .labels
                .insert(labels::ZONE.to_owned(), zone.to_owned());
        }
        // The zone refuses it: its REST API with a 400 (master `resource_crud_endpoints.go:488`),
        // its admission webhook on Kubernetes with a 403 (v2.14.3
        // `resourceadmissionchecker.go:103-107`; Kuma's defaulter has set `kuma.io/origin: zone`).
        (Some(zone), false) if label != zone => {
            let message = if kubernetes {
                crate::validate::kubernetes::labels_not_allowed(labels::ZONE, zone, &label)
            } else {
                format!("{} label should have {zone} value", labels::ZONE)
            };
            out.push(PreviewDiagnostic {
                diagnostic: Diagnostic::new(
                    Code::ZoneLabelMismatch,
                    zone_label_path(),
                    message,
                    crate::decode::span_of(root, &zone_label_path()),
                ),
                zones: Vec::new(),
            });
            return Some(zone);
        }
        (None, true) => out.push(PreviewDiagnostic {
            diagnostic: Diagnostic::new(
                Code::MeshServiceWithoutZone,
                "labels",
                format!(
                    "MeshService {} has no {} label: it is in no zone, so it matches selectors (zone \"\") but receives no traffic; add {}: <zone>",
                    resource.meta.name,
                    labels::ZONE,
                    labels::ZONE
                ),
                name_span(root),
            ),
            zones: Vec::new(),
        }),
        _ => {}
    }
    None
}

fn name_span(root: &Node) -> TextRange {
    crate::decode::span_of(root, "name")
}

fn selector_path(key: Option<&str>) -> String {
    match key {
        Some(k) => format!("spec.selector.meshService.matchLabels[\"{k}\"]"),
        None => "spec.selector.meshService.matchLabels".to_owned(),
    }
}

/// The MeshService of `mesh` whose labels (as its zone stores them, `stored`) fail the fewest
/// selector labels, with why.
fn closest_miss(
    stored: &[crate::model::Meta],
    mesh: &str,
    selector: &crate::model::Labels,
) -> Option<(String, Option<String>)> {
    let mut best: Option<(usize, &crate::model::Meta)> = None;
    for meta in stored.iter().filter(|m| m.mesh == mesh) {
        let count = selector
            .iter()
            .filter(|(k, v)| meta.labels.get(*k).map(String::as_str).unwrap_or("") != v.as_str())
            .count();
        if count > 0 && best.is_none_or(|(n, _)| count < n) {
            best = Some((count, meta));
        }
    }
    let meta = best?.1;
    let why = selector_mismatch(selector, &meta.labels)?;
    let first_failing = selector
        .iter()
        .find(|(k, v)| meta.labels.get(*k).map(String::as_str).unwrap_or("") != v.as_str())
        .map(|(k, _)| k.clone());
    let zone = meta.zone();
    let place = if zone.is_empty() {
        String::new()
    } else {
        format!(" (zone {zone})")
    };
    Some((
        format!("closest is MeshService {}{place}: {why}", meta.name),
        first_failing,
    ))
}

fn locate_warnings(
    preview: &Preview,
    resources: &[Resource],
    origins: &[Origin],
    skipped: &[Skipped],
    results: &mut [FileResult],
) {
    // The labels the zones store for each MeshService, computed once for every closest miss.
    let mut stored = Vec::new();
    for r in resources {
        if r.resource_type() == ResourceType::MeshService {
            stored.push(crate::kds::mesh_service_meta_as_stored(&r.meta));
        }
    }
    for (r, &(file, document)) in resources.iter().zip(origins) {
        if r.resource_type() != ResourceType::MeshMultiZoneService {
            continue;
        }
        let Some(result) = results.get_mut(file) else {
            continue;
        };
        let Some(doc) = result.checked.documents.get(document) else {
            continue;
        };
        let Some(Spec::MeshMultiZoneService(spec)) = doc.resource.as_ref().map(|r| &r.spec) else {
            continue;
        };
        // Its warnings, each once with the zones that give it (they are located in its own
        // document, so no other MZS can give the same).
        let mut located = Vec::new();
        for zone in &preview.zones {
            let Some(mzs) = zone.mzs(&r.meta.mesh, &r.meta.name) else {
                continue;
            };
            for warning in &mzs.warnings {
                let diagnostic = locate(warning, &doc.root, spec, &mzs.mesh, &stored, skipped);
                add(&mut located, diagnostic, &zone.zone);
            }
        }
        result.preview_diagnostics.append(&mut located);
    }
    // In the order of the text, as the document's own diagnostics are (a stable sort keeps a
    // place's warnings in the preview's order).
    for result in results {
        crate::text::sort::sort_by_key(&mut result.preview_diagnostics, |p| {
            p.diagnostic.span.start
        });
    }
}

fn locate(
    warning: &PreviewWarning,
    root: &Node,
    spec: &crate::model::MeshMultiZoneServiceSpec,
    mesh: &str,
    stored: &[crate::model::Meta],
    skipped: &[Skipped],
) -> Diagnostic {
    let selector = spec.selector_labels();
    let (field, message) = match warning.code {
        // A 2.x zone's own MeshService the display-name selector skips: said as the zone says it.
        Code::NoMatches if !warning.message.starts_with("selector ") => (
            selector_path(Some(crate::model::labels::DISPLAY_NAME)),
            warning.message.clone(),
        ),
        Code::NoMatches => match closest_miss(stored, mesh, &selector) {
            Some((why, key)) => (
                selector_path(key.as_deref()),
                format!("{}; {why}", warning.message),
            ),
            None => (
                selector_path(None),
                format!(
                    "selector {} matches no MeshService: {}",
                    format_selector(&selector),
                    no_mesh_service_because(mesh, skipped)
                ),
            ),
        },
        Code::CrossMeshMatch | Code::UnavailableService => {
            (selector_path(None), warning.message.clone())
        }
        Code::PortNotServed => {
            let index = spec
                .ports
                .iter()
                .position(|p| Some(p.section_name()) == warning.port);
            // The port's number: the one thing every MZS port has.
            let field = match index {
                Some(i) => format!("spec.ports[{i}].port"),
                None => "spec.ports".to_owned(),
            };
            (field, warning.message.clone())
        }
        _ => ("name".to_owned(), warning.message.clone()),
    };
    let span = crate::decode::span_of(root, &field);
    Diagnostic::new(warning.code, field, message, span)
}

/// Why a mesh has no MeshService to match: none written, or every one written is skipped (a
/// refused or broken MeshService is not there to match, but "none in the workspace" would
/// send the user looking for a file they have).
fn no_mesh_service_because(mesh: &str, skipped: &[Skipped]) -> String {
    let skipped: Vec<&Skipped> = skipped
        .iter()
        .filter(|s| s.resource_type == ResourceType::MeshService && s.mesh == mesh)
        .collect();
    match skipped.as_slice() {
        [] => format!("mesh {mesh} has no MeshService in the workspace"),
        [only] => format!(
            "mesh {mesh} has no MeshService the preview can use: MeshService {} is skipped ({})",
            only.name, only.reason
        ),
        all => format!(
            "mesh {mesh} has no MeshService the preview can use: all {} are skipped (see the skipped list)",
            all.len()
        ),
    }
}

fn add(list: &mut Vec<PreviewDiagnostic>, diagnostic: Diagnostic, zone: &str) {
    if let Some(existing) = list.iter_mut().find(|p| p.diagnostic == diagnostic) {
        if !existing.zones.iter().any(|z| z == zone) {
            existing.zones.push(zone.to_owned());
        }
        return;
    }
    list.push(PreviewDiagnostic {
        diagnostic,
        zones: vec![zone.to_owned()],
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(files: &[(&str, &str, Option<&str>)]) -> WorkspacePreview {
        let files: Vec<WorkspaceFile<'_>> = files
            .iter()
            .map(|&(path, text, zone)| WorkspaceFile { path, text, zone })
            .collect();
        preview_workspace(
            &files,
            &[],
            &CheckOptions::default(),
            &PreviewOptions::default(),
        )
    }

    const MZS: &str = "type: MeshMultiZoneService\nname: redis\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: redis\n  ports:\n  - port: 6379\n    appProtocol: tcp\n";

    /// Under 2.x a zone's own applied MeshService has no display name: the file's MZS103 says
    /// that, as the zone does, on the display-name label, not "closest is ..." of the services
    /// that carry the label only as computed. A selector the service fails anyway says nothing
    /// about display names.
    #[test]
    fn a_2_x_display_name_miss_is_said_in_the_file_as_the_zone_says_it() {
        let mzs = |extra: &str| {
            format!("type: MeshMultiZoneService\nname: redis\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        kuma.io/display-name: redis{extra}\n  ports:\n  - port: 6379\n")
        };
        let ms = "type: MeshService\nname: redis\nmesh: default\nlabels:\n  kuma.io/origin: zone\n  kuma.io/zone: east\nspec:\n  state: Available\n  ports:\n  - port: 6379\n";
        let run_2_14 = |text: &str| {
            let files = [
                WorkspaceFile {
                    path: "global.yaml",
                    text,
                    zone: None,
                },
                WorkspaceFile {
                    path: "zones/east/ms.yaml",
                    text: ms,
                    zone: Some("east"),
                },
            ];
            let previewed = preview_workspace(
                &files,
                &["east".to_owned(), "west".to_owned()],
                &CheckOptions {
                    kuma_version: crate::KumaVersion::V2_14,
                    ..CheckOptions::default()
                },
                &PreviewOptions {
                    kuma_version: crate::KumaVersion::V2_14,
                    ..PreviewOptions::default()
                },
            );
            (previewed.files[0].preview_diagnostics.iter())
                .filter(|p| p.diagnostic.code == Code::NoMatches)
                .map(|p| (p.diagnostic.field.clone(), p.diagnostic.message.clone()))
                .collect::<Vec<_>>()
        };
        let found = run_2_14(&mzs(""));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].0,
            "spec.selector.meshService.matchLabels[\"kuma.io/display-name\"]"
        );
        assert!(
            found[0].1.starts_with("MeshService redis of zone east is not matched: Kuma 2.14 adds kuma.io/display-name"),
            "{found:?}"
        );
        let found = run_2_14(&mzs("\n        team: payments"));
        assert!(
            found.iter().all(|(_, m)| !m.contains("is not matched")),
            "{found:?}"
        );
    }

    #[test]
    fn an_mzs_with_errors_is_skipped_with_the_reason() {
        let broken = MZS.replace("appProtocol: tcp", "appProtocol: httpx");
        let out = run(&[("global.yaml", &broken, None)]);
        assert_eq!(out.skipped.len(), 1);
        let s = &out.skipped[0];
        assert_eq!(s.name, "redis");
        assert_eq!(s.reason, "fix 1 error at global.yaml:11");
        assert!(out.preview.zones.is_empty());
    }

    #[test]
    fn an_mzs_written_twice_is_the_later_and_the_earlier_is_skipped() {
        let later = MZS.replace("6379", "6380");
        let two = format!("{MZS}---\n{later}");
        let out = run(&[("a.yaml", MZS, None), ("b.yaml", &two, None)]);
        let skipped: Vec<(usize, &str, &str)> = (out.skipped.iter())
            .map(|s| (s.file, s.name.as_str(), s.reason.as_str()))
            .collect();
        let reason = "replaced by the later document at b.yaml:13";
        assert_eq!(skipped, [(0, "redis", reason), (1, "redis", reason)]);
        // The zones preview the later document.
        let files = [
            WorkspaceFile {
                path: "a.yaml",
                text: MZS,
                zone: None,
            },
            WorkspaceFile {
                path: "b.yaml",
                text: &two,
                zone: None,
            },
        ];
        let out = preview_workspace(
            &files,
            &["east".to_owned()],
            &CheckOptions::default(),
            &PreviewOptions::default(),
        );
        let ports: Vec<i32> = (out.preview.zones.iter())
            .flat_map(|z| z.multi_zone_services.iter())
            .flat_map(|m| m.ports.iter().map(|p| p.port))
            .collect();
        assert_eq!(ports, [6380]);
    }

    #[test]
    fn a_meshservice_written_twice_in_one_zone_is_matched_once_with_the_later_ports() {
        let ms = |zone: &str, port: u16| {
            format!("type: MeshService\nname: redis\nmesh: default\nlabels:\n  kuma.io/origin: zone\n  app: redis\n  kuma.io/zone: {zone}\nspec:\n  ports:\n  - port: {port}\n")
        };
        // `redis` of east and of west are two MeshServices; east's, written twice, is one: the
        // later, also when the zone comes from the file rather than the label.
        let global = [ms("east", 6379), ms("west", 6379), ms("east", 6380)].join("---\n");
        let in_east = "type: MeshService\nname: redis\nmesh: default\nlabels:\n  kuma.io/origin: zone\n  app: redis\nspec:\n  ports:\n  - port: 6381\n";
        let hg = "type: HostnameGenerator\nname: short\nspec:\n  template: '{{ .DisplayName }}.mzs'\n  selector:\n    meshMultiZoneService:\n      matchLabels: {}\n";
        let hg_later = hg.replace(".mzs'", ".mz'");
        let out = run(&[
            ("global.yaml", MZS, None),
            ("ms.yaml", &global, None),
            ("east.yaml", in_east, Some("east")),
            ("hg.yaml", hg, None),
            ("hg2.yaml", &hg_later, None),
        ]);
        let skipped: Vec<(usize, ResourceType, &str)> = (out.skipped.iter())
            .map(|s| (s.file, s.resource_type, s.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                (
                    1,
                    ResourceType::MeshService,
                    "replaced by the later document at east.yaml:1"
                ),
                (
                    1,
                    ResourceType::MeshService,
                    "replaced by the later document at east.yaml:1"
                ),
                (
                    3,
                    ResourceType::HostnameGenerator,
                    "replaced by the later document at hg2.yaml:1"
                ),
            ]
        );
        let services: Vec<(&str, Vec<i32>)> = (out.resources.iter())
            .filter_map(|r| match &r.spec {
                Spec::MeshService(spec) => {
                    Some((r.meta.zone(), spec.ports.iter().map(|p| p.port).collect()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(services, [("west", vec![6379]), ("east", vec![6381])]);
        let hostnames: Vec<&str> = (out.resources.iter())
            .filter_map(|r| match &r.spec {
                Spec::HostnameGenerator(spec) => Some(spec.template.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(hostnames, ["{{ .DisplayName }}.mz"]);
    }

    #[test]
    fn a_hostname_generator_in_a_zones_file_names_hostnames_in_that_zone_only() {
        let mzs = |name: &str| MZS.replace("name: redis", &format!("name: {name}"));
        let global = [mzs("alpha"), mzs("beta")].join("---\n");
        let hg = |name: &str, origin: &str, mzs: &str| {
            format!("type: HostnameGenerator\nname: {name}\nlabels:\n  kuma.io/origin: {origin}\nspec:\n  template: shared.mesh.local\n  selector:\n    meshMultiZoneService:\n      matchLabels:\n        kuma.io/display-name: {mzs}\n")
        };
        let (a_global, z_local) = (
            hg("a-global", "global", "alpha"),
            hg("z-local", "zone", "beta"),
        );
        let files: Vec<WorkspaceFile<'_>> = [
            ("global.yaml", global.as_str(), None),
            ("hg.yaml", a_global.as_str(), None),
            ("east.yaml", z_local.as_str(), Some("east")),
        ]
        .iter()
        .map(|&(path, text, zone)| WorkspaceFile { path, text, zone })
        .collect();
        let zones = ["east".to_owned(), "west".to_owned()];
        let out = preview_workspace(
            &files,
            &zones,
            &CheckOptions::default(),
            &PreviewOptions::default(),
        );
        let hostnames = |zone: &str| -> Vec<(String, Vec<String>)> {
            let zone = out.preview.zones.iter().find(|z| z.zone == zone);
            (zone.into_iter().flat_map(|z| z.multi_zone_services.iter()))
                .map(|m| {
                    let names = (m.status.addresses.iter())
                        .filter_map(|a| a.hostname.clone())
                        .filter(|h| h == "shared.mesh.local");
                    (m.name.clone(), names.collect())
                })
                .collect()
        };
        // West never holds east's generator: alpha keeps the hostname, beta gets none.
        assert_eq!(
            hostnames("west"),
            [
                ("alpha".to_owned(), vec!["shared.mesh.local".to_owned()]),
                ("beta".to_owned(), vec![])
            ]
        );
        // In east both claim it; the zone's own generator comes first.
        assert_eq!(
            hostnames("east"),
            [
                ("alpha".to_owned(), vec![]),
                ("beta".to_owned(), vec!["shared.mesh.local".to_owned()])
            ]
        );
    }

    #[test]
    fn kubernetes_services_of_one_name_in_two_namespaces_are_two() {
        let ms = |ns: &str| {
            format!("apiVersion: kuma.io/v1alpha1\nkind: MeshService\nmetadata:\n  name: redis\n  namespace: {ns}\n  labels:\n    kuma.io/mesh: default\n    kuma.io/zone: east\n    app: redis\nspec:\n  ports:\n  - port: 6379\n")
        };
        let both = [ms("team-a"), ms("team-b")].join("---\n");
        let out = run(&[("global.yaml", MZS, None), ("east.yaml", &both, None)]);
        assert!(out.skipped.is_empty(), "{:?}", out.skipped);
        let services = (out.resources.iter())
            .filter(|r| r.resource_type() == ResourceType::MeshService)
            .count();
        assert_eq!(services, 2);
    }

    #[test]
    fn no_matches_points_at_the_label_that_differs() {
        let ms = "type: MeshService\nname: redis\nmesh: default\nlabels:\n  kuma.io/origin: zone\n  app: redis-v2\n  kuma.io/zone: east\nspec:\n  ports:\n  - port: 6379\n";
        let out = run(&[("global.yaml", MZS, None), ("east.yaml", ms, Some("east"))]);
        let global = &out.files[0].preview_diagnostics;
        let d = global
            .iter()
            .find(|p| p.diagnostic.code == Code::NoMatches)
            .unwrap_or_else(|| panic!("{global:?}"));
        assert_eq!(d.zones, vec!["east".to_owned()]);
        assert!(
            d.diagnostic.message.contains(
                "closest is MeshService redis (zone east): label app is \"redis-v2\", selector wants \"redis\""
            ),
            "{}",
            d.diagnostic.message
        );
        // The span is the selector's `app` value.
        let span = d.diagnostic.span;
        assert_eq!(&MZS[span.start as usize..span.end as usize], "redis");
        assert_eq!(
            d.diagnostic.field,
            "spec.selector.meshService.matchLabels[\"app\"]"
        );
    }

    fn run_on(version: crate::KumaVersion, text: &str) -> WorkspacePreview {
        let files = [WorkspaceFile {
            path: "global.yaml",
            text,
            zone: None,
        }];
        let options = PreviewOptions {
            kuma_version: version,
            ..PreviewOptions::default()
        };
        preview_workspace(
            &files,
            &["east".to_owned()],
            &CheckOptions::default(),
            &options,
        )
    }

    #[test]
    fn an_mzs_of_zone_origin_on_global_is_refused_from_2_11_and_never_synced_before() {
        let mzs = "type: MeshMultiZoneService\nname: pay\nmesh: default\nlabels:\n  kuma.io/origin: zone\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: pay\n  ports:\n  - port: 80\n";
        let out = run_on(crate::KumaVersion::V2_14, mzs);
        let d = &out.files[0].preview_diagnostics[0].diagnostic;
        assert_eq!(
            (d.code, d.field.as_str(), d.message.as_str()),
            (
                Code::Kuma,
                "labels[\"kuma.io/origin\"]",
                "the origin label must be set to 'global'"
            )
        );
        assert_eq!(&mzs[d.span.start as usize..d.span.end as usize], "zone");
        assert_eq!(out.skipped[0].reason, "refused by global");
        assert!(out.preview.zones[0].multi_zone_services.is_empty());

        let out = run_on(crate::KumaVersion::V2_10, mzs);
        assert!(out.files[0].preview_diagnostics.is_empty());
        assert_eq!(
            (out.skipped[0].reason.as_str(), out.skipped[0].errors),
            (
                "global keeps it but sends no zone an MZS of kuma.io/origin: zone",
                0
            )
        );
        assert!(out.preview.zones[0].multi_zone_services.is_empty());
    }

    /// A workspace whose statuses would list more matched MeshServices than the limit is not
    /// previewed, and says so at its first MZS (minutes and gigabytes otherwise).
    #[test]
    fn a_preview_too_large_to_compute_says_so_instead() {
        let mut text = String::new();
        for i in 0..100 {
            text.push_str(&format!("type: MeshService\nname: s{i}\nmesh: default\nlabels:\n  app: a\n  kuma.io/zone: z{}\nspec:\n  ports:\n  - port: 80\n---\n", i % 50));
        }
        for i in 0..100 {
            text.push_str(&format!("type: MeshMultiZoneService\nname: m{i}\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n  ports:\n  - port: 80\n---\n"));
        }
        let out = run(&[("big.yaml", &text, None)]);
        assert!(out.preview.zones.is_empty());
        let limit: Vec<&Diagnostic> = (out.files[0].preview_diagnostics.iter())
            .map(|p| &p.diagnostic)
            .filter(|d| d.code == Code::Limit)
            .collect();
        assert_eq!(limit.len(), 1);
        assert_eq!(
            limit[0].message,
            "not previewed: 100 MeshMultiZoneServices with 100 MeshServices and 0 HostnameGenerators in 50 zones would take 510000 status entries (matched MeshServices, generated hostnames, services held), more than the preview's limit of 400000; preview fewer zones or fewer files at a time"
        );
        let first_mzs = text.find("MeshMultiZoneService").unwrap_or_default();
        assert_eq!(limit[0].span.start as usize, first_mzs);
        // Half the MZS fit.
        let half: String = text
            .split("---\n")
            .take(150)
            .collect::<Vec<_>>()
            .join("---\n");
        assert!(!run(&[("big.yaml", &half, None)]).preview.zones.is_empty());
    }

    /// On a Kubernetes global Kuma's default generator lives in the system namespace, so the
    /// zones name it with that namespace's hash; written in the file, it is that one, not a
    /// second.
    #[test]
    fn a_kubernetes_globals_default_generator_is_named_with_its_namespace_and_counted_once() {
        let mzs = "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  name: redis\n  namespace: kuma-system\n  labels:\n    kuma.io/mesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: redis\n  ports:\n  - port: 6379\n";
        let hg = "---\napiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata:\n  name: synced-mesh-multi-zone-service\n  namespace: kuma-system\nspec:\n  template: '{{ .DisplayName }}.mzsvc.mesh.local'\n  selector:\n    meshMultiZoneService:\n      matchLabels:\n        kuma.io/origin: global\n";
        let generators = |text: &str| -> Vec<(String, String)> {
            let out = run_on(crate::KumaVersion::V2_14, text);
            let zone = &out.preview.zones[0];
            let mzs = zone
                .mzs("default", "redis")
                .map(|m| m.status.clone())
                .unwrap_or_default();
            (mzs.addresses.iter())
                .map(|a| {
                    let generator = a
                        .hostname_generator_ref
                        .as_ref()
                        .map(|r| r.core_name.clone());
                    (
                        a.hostname.clone().unwrap_or_default(),
                        generator.unwrap_or_default(),
                    )
                })
                .collect()
        };
        let expected = [(
            "redis.mzsvc.mesh.local".to_owned(),
            "synced-mesh-multi-zone-service-dx475c6f7v444cz2".to_owned(),
        )];
        assert_eq!(generators(mzs), expected);
        assert_eq!(generators(&format!("{mzs}{hg}")), expected);
        // A universal global's: no namespace.
        let universal = "type: MeshMultiZoneService\nname: redis\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: redis\n  ports:\n  - port: 6379\n";
        assert_eq!(
            generators(universal)[0].1,
            "synced-mesh-multi-zone-service-4244v574644557w2"
        );
    }

    /// A manifest in a zone's file gets the zone's webhook, not global's: an MZS outside the
    /// system namespace is refused as an MZS (MZS203) and not for its namespace; a generator
    /// or MeshService in the system namespace must say `kuma.io/origin: zone`.
    #[test]
    fn a_manifest_in_a_zones_file_gets_the_zones_webhook() {
        let zones = ["east".to_owned()];
        let diagnostics = |text: &str| {
            let files = [WorkspaceFile {
                path: "east.yaml",
                text,
                zone: Some("east"),
            }];
            let out = preview_workspace(
                &files,
                &zones,
                &CheckOptions::default(),
                &PreviewOptions::default(),
            );
            let file = &out.files[0];
            let mut found: Vec<(Code, String)> = (file.checked.documents.iter())
                .flat_map(|d| d.diagnostics.iter())
                .chain(file.preview_diagnostics.iter().map(|p| &p.diagnostic))
                .filter(|d| d.severity == crate::Severity::Error)
                .map(|d| (d.code, d.message.clone()))
                .collect();
            crate::text::sort::sort(&mut found);
            (found, out.skipped.len())
        };
        let mzs = "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  name: redis\n  namespace: kuma-demo\n  labels:\n    kuma.io/mesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: redis\n  ports:\n  - port: 6379\n";
        let (found, skipped) = diagnostics(mzs);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Code::WrittenInZone);
        assert_eq!(skipped, 1);

        let hg = "apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata:\n  name: zone-mzs\n  namespace: kuma-system\nspec:\n  template: '{{ .DisplayName }}.east.local'\n  selector:\n    meshMultiZoneService:\n      matchLabels: {}\n";
        let refusal = "Operation not allowed. Applying policies on Zone CP on a system namespace requires 'kuma.io/origin' label to be set to 'zone'.";
        assert_eq!(diagnostics(hg), (vec![(Code::Kuma, refusal.to_owned())], 1));
        let labelled = hg.replace(
            "  namespace: kuma-system\n",
            "  namespace: kuma-system\n  labels:\n    kuma.io/origin: zone\n",
        );
        assert_eq!(diagnostics(&labelled), (vec![], 0));
        let elsewhere = labelled.replace("namespace: kuma-system", "namespace: kuma-demo");
        assert_eq!(
            diagnostics(&elsewhere).0,
            [(
                Code::Kuma,
                "resource type HostnameGenerator can be created only in the system namespace:kuma-system".to_owned()
            )]
        );
    }

    /// A selector that matches nothing because the zones refuse every MeshService of the mesh
    /// says so: "no MeshService in the workspace" would send the user looking for a file they
    /// have.
    #[test]
    fn mzs103_names_the_skipped_meshservices_when_the_zones_refuse_them_all() {
        let ms = |name: &str, zone: &str| {
            format!("type: MeshService\nname: {name}\nmesh: default\nlabels:\n  kuma.io/origin: zone\n  app: redis\n  kuma.io/zone: {zone}\nspec:\n  ports:\n  - port: 6379\n")
        };
        let message = |east: &str| {
            let files = [
                WorkspaceFile {
                    path: "global.yaml",
                    text: MZS,
                    zone: None,
                },
                WorkspaceFile {
                    path: "east.yaml",
                    text: east,
                    zone: Some("east"),
                },
            ];
            let zones = ["east".to_owned()];
            let out = preview_workspace(
                &files,
                &zones,
                &CheckOptions::default(),
                &PreviewOptions::default(),
            );
            let d = &out.files[0].preview_diagnostics[0].diagnostic;
            assert_eq!(d.code, Code::NoMatches);
            d.message.clone()
        };
        assert_eq!(
            message(&ms("redis", "west")),
            "selector {app: redis} matches no MeshService: mesh default has no MeshService the preview can use: MeshService redis is skipped (refused by zone east)"
        );
        let two = format!("{}---\n{}", ms("redis", "west"), ms("redis-2", "west"));
        assert_eq!(
            message(&two),
            "selector {app: redis} matches no MeshService: mesh default has no MeshService the preview can use: all 2 are skipped (see the skipped list)"
        );
        let other_mesh = ms("redis", "west").replace("mesh: default", "mesh: other");
        assert!(message(&other_mesh).ends_with("mesh default has no MeshService in the workspace"));
    }

    #[test]
    fn a_zone_refuses_a_meshservice_in_kumas_words_for_its_shape_and_origin() {
        // A Kubernetes zone's webhook, once Kuma's defaulter has set `kuma.io/origin: zone`.
        let manifest = "apiVersion: kuma.io/v1alpha1\nkind: MeshService\nmetadata:\n  name: redis\n  namespace: app\n  labels:\n    kuma.io/zone: west\nspec:\n  ports:\n  - port: 6379\n";
        let out = run(&[("east.yaml", manifest, Some("east"))]);
        let d = &out.files[0].preview_diagnostics[0].diagnostic;
        assert_eq!(
            (d.code, d.message.as_str()),
            (
                Code::ZoneLabelMismatch,
                "Operation not allowed. 'kuma.io/zone' label should have 'east' value, got 'west'"
            )
        );
        assert_eq!(out.skipped[0].reason, "refused by zone east");
        // A federated zone's REST layer takes only what the zone originates.
        let global = "type: MeshService\nname: a\nmesh: default\nlabels:\n  kuma.io/origin: global\nspec:\n  ports:\n  - port: 1\n";
        let out = run(&[("east.yaml", global, Some("east"))]);
        let d = &out.files[0].preview_diagnostics[0].diagnostic;
        assert_eq!(
            (d.code, d.field.as_str(), d.message.as_str()),
            (
                Code::Kuma,
                "labels[\"kuma.io/origin\"]",
                "the origin label must be set to 'zone'"
            )
        );
        assert_eq!(
            &global[d.span.start as usize..d.span.end as usize],
            "global"
        );
        assert_eq!(out.skipped[0].reason, "refused by zone east");
    }

    /// `kumactl apply` to a zone answers every label refusal at once: a user fixing the origin
    /// should not meet the mesh label on the next try.
    #[test]
    fn a_zone_reports_every_label_it_refuses_in_one_answer() {
        let ms = "type: MeshService\nname: redis\nmesh: default\nlabels:\n  kuma.io/zone: west\n  kuma.io/mesh: other\n  app: redis\nspec:\n  ports:\n  - port: 6379\n";
        let out = run(&[("east.yaml", ms, Some("east"))]);
        let found: Vec<(Code, &str, &str)> = (out.files[0].preview_diagnostics.iter())
            .map(|p| {
                let d = &p.diagnostic;
                (d.code, d.field.as_str(), d.message.as_str())
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    Code::Kuma,
                    "labels[\"kuma.io/origin\"]",
                    "the origin label must be set to 'zone'"
                ),
                (
                    Code::ZoneLabelMismatch,
                    "labels[\"kuma.io/zone\"]",
                    "kuma.io/zone label should have east value"
                ),
                (
                    Code::Kuma,
                    "labels[\"kuma.io/mesh\"]",
                    "kuma.io/mesh label must not differ from mesh set on resource"
                ),
            ]
        );
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].reason, "refused by zone east");
        // Labelled as the zone wants, only the mesh label is left.
        let origin = ms.replace("labels:\n", "labels:\n  kuma.io/origin: zone\n");
        let fixed = origin.replace("kuma.io/zone: west", "kuma.io/zone: east");
        let out = run(&[("east.yaml", &fixed, Some("east"))]);
        let messages: Vec<&str> = (out.files[0].preview_diagnostics.iter())
            .map(|p| p.diagnostic.message.as_str())
            .collect();
        assert_eq!(
            messages,
            ["kuma.io/mesh label must not differ from mesh set on resource"]
        );
        let d = &out.files[0].preview_diagnostics[0].diagnostic;
        assert_eq!(&fixed[d.span.start as usize..d.span.end as usize], "other");
    }

    /// Global refuses a generator or policy labelled as a zone's (from 2.11): the REST layer
    /// for a universal document, the webhook for a manifest; `validate` cannot tell, since a
    /// zone takes the same document.
    #[test]
    fn global_refuses_a_generator_labelled_as_a_zones() {
        let universal = "type: HostnameGenerator\nname: local\nlabels:\n  kuma.io/origin: zone\nspec:\n  template: '{{ .DisplayName }}.mzs.local'\n  selector:\n    meshMultiZoneService:\n      matchLabels:\n        app: a\n";
        let manifest = "apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata:\n  name: local\n  namespace: kuma-system\n  labels:\n    kuma.io/origin: zone\nspec:\n  template: '{{ .DisplayName }}.mzs.local'\n  selector:\n    meshMultiZoneService:\n      matchLabels:\n        app: a\n";
        for (text, message) in [
            (universal, "the origin label must be set to 'global'"),
            (
                manifest,
                "Operation not allowed. 'kuma.io/origin' label should have 'global' value, got 'zone'",
            ),
        ] {
            let out = run(&[("global.yaml", text, None)]);
            let found: Vec<&str> = (out.files[0].preview_diagnostics.iter())
                .map(|p| p.diagnostic.message.as_str())
                .collect();
            assert_eq!(found, [message]);
            assert_eq!(out.skipped[0].reason, "refused by global");
            let d = &out.files[0].preview_diagnostics[0].diagnostic;
            assert_eq!(&text[d.span.start as usize..d.span.end as usize], "zone");
            // A zone's file takes it.
            let out = run(&[("east.yaml", text, Some("east"))]);
            assert!(out.skipped.is_empty(), "{:?}", out.skipped);
        }
    }

    #[test]
    fn the_closest_miss_compares_the_labels_a_zone_stores() {
        // No written display name: the zone stores the name as it, and that is what differs.
        let mzs = "type: MeshMultiZoneService\nname: pay\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        kuma.io/display-name: payment\n  ports:\n  - port: 80\n";
        let ms = "type: MeshService\nname: payments\nmesh: default\nlabels:\n  kuma.io/origin: zone\n  kuma.io/zone: east\nspec:\n  ports:\n  - port: 80\n";
        let out = run(&[("global.yaml", mzs, None), ("east.yaml", ms, Some("east"))]);
        let global = &out.files[0].preview_diagnostics;
        let d = global
            .iter()
            .find(|p| p.diagnostic.code == Code::NoMatches)
            .unwrap_or_else(|| panic!("{global:?}"));
        assert!(
            d.diagnostic.message.contains(
                "closest is MeshService payments (zone east): label kuma.io/display-name is \"payments\", selector wants \"payment\""
            ),
            "{}",
            d.diagnostic.message
        );
    }

    #[test]
    fn a_port_no_meshservice_serves_is_reported_at_the_port() {
        let ms = "type: MeshService\nname: redis\nmesh: default\nlabels:\n  kuma.io/origin: zone\n  app: redis\n  kuma.io/zone: east\nspec:\n  ports:\n  - port: 80\n    name: web\n";
        let out = run(&[("global.yaml", MZS, None), ("east.yaml", ms, None)]);
        let d = out.files[0]
            .preview_diagnostics
            .iter()
            .find(|p| p.diagnostic.code == Code::PortNotServed)
            .map(|p| &p.diagnostic)
            .unwrap_or_else(|| panic!("{:?}", out.files[0].preview_diagnostics));
        assert_eq!(d.field, "spec.ports[0].port");
        assert_eq!(&MZS[d.span.start as usize..d.span.end as usize], "6379");
    }

    /// A zone labels what is written in it `kuma.io/env`: `kubernetes` for a manifest (also
    /// one without a namespace, which `kubectl` puts in its context's), `universal` otherwise;
    /// the zones and the explanation's summary match on it alike.
    #[test]
    fn a_selector_on_the_zones_environment_matches_manifests_and_universal_services() {
        let mzs = |env: &str| {
            format!("type: MeshMultiZoneService\nname: by-env\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n        kuma.io/env: {env}\n  ports:\n  - port: 80\n")
        };
        let universal = "type: MeshService\nname: a\nmesh: default\nlabels:\n  kuma.io/origin: zone\n  app: a\nspec:\n  ports:\n  - port: 80\n";
        let manifest = "apiVersion: kuma.io/v1alpha1\nkind: MeshService\nmetadata:\n  name: a\n  labels:\n    app: a\n    kuma.io/mesh: default\nspec:\n  ports:\n  - port: 80\n";
        for (env, zone) in [("universal", "east"), ("kubernetes", "west")] {
            let global = mzs(env);
            let files = [
                ("global.yaml", global.as_str(), None),
                ("east.yaml", universal, Some("east")),
                ("west.yaml", manifest, Some("west")),
            ];
            let out = run(&files);
            for z in &out.preview.zones {
                let matched: Vec<&str> = z.multi_zone_services[0]
                    .status
                    .mesh_services
                    .iter()
                    .map(|m| m.zone.as_str())
                    .collect();
                assert_eq!(matched, vec![zone], "{env} in zone {}", z.zone);
            }
            let resources: Vec<Resource> = files
                .iter()
                .flat_map(|(_, text, zone)| {
                    let checked = crate::check(text, &CheckOptions::default());
                    checked.documents.into_iter().filter_map(move |d| {
                        let mut r = d.resource?;
                        if let Some(zone) = zone {
                            r.meta.labels.insert(labels::ZONE.into(), (*zone).into());
                        }
                        if d.shape == Some(crate::Shape::Kubernetes) {
                            r.meta
                                .labels
                                .insert(labels::ENV.into(), "kubernetes".into());
                        }
                        Some(r)
                    })
                })
                .collect();
            let text = crate::editor::explain::explain(&resources, &out.preview).join("\n");
            assert!(text.contains("matched 1 MeshService(s)"), "{env}: {text}");
        }
    }

    #[test]
    fn zone_mistakes_are_reported_where_they_are() {
        let no_zone = "type: MeshService\nname: a\nmesh: default\nspec:\n  ports:\n  - port: 1\n";
        let out = run(&[("ms.yaml", no_zone, None)]);
        assert_eq!(
            out.files[0].preview_diagnostics[0].diagnostic.code,
            Code::MeshServiceWithoutZone
        );
        // In a zone's file a MeshService must say it is the zone's (`kumactl apply` gets a
        // 400 without the origin label)...
        let out = run(&[
            ("global.yaml", MZS, None),
            ("east.yaml", no_zone, Some("east")),
        ]);
        let d = &out.files[1].preview_diagnostics[0].diagnostic;
        assert_eq!(
            (d.code, d.field.as_str(), d.message.as_str()),
            (
                Code::Kuma,
                "labels[\"kuma.io/origin\"]",
                "the origin label must be set to 'zone'"
            )
        );
        assert_eq!(&no_zone[d.span.start as usize..d.span.end as usize], "type");
        assert_eq!(out.skipped[0].reason, "refused by zone east");
        // ... and then the zone label is what Kuma computes: no warning, and the preview has it.
        let zone_origin = no_zone.replace("spec:", "labels:\n  kuma.io/origin: zone\nspec:");
        let out = run(&[
            ("global.yaml", MZS, None),
            ("east.yaml", zone_origin.as_str(), Some("east")),
        ]);
        assert!(out.files[1].preview_diagnostics.is_empty());
        assert_eq!(out.preview.zones[0].zone, "east");
        let west = "type: MeshService\nname: a\nmesh: default\nlabels:\n  kuma.io/origin: zone\n  kuma.io/zone: west\nspec:\n  ports:\n  - port: 1\n";
        // Zone east refuses a MeshService labelled for zone west (Kuma's 400): an error, and
        // the preview leaves it out.
        let out = run(&[
            ("global.yaml", MZS, None),
            ("east.yaml", west, Some("east")),
        ]);
        let d = &out.files[1].preview_diagnostics[0].diagnostic;
        assert_eq!(d.code, Code::ZoneLabelMismatch);
        assert_eq!(d.severity, crate::Severity::Error);
        assert!(d
            .message
            .starts_with("kuma.io/zone label should have east value"));
        assert_eq!(&west[d.span.start as usize..d.span.end as usize], "west");
        assert!(
            out.skipped.iter().any(|s| s.name == "a"),
            "{:?}",
            out.skipped
        );
        let matched: usize = (out.preview.zones.iter())
            .flat_map(|z| &z.multi_zone_services)
            .map(|m| m.status.mesh_services.len())
            .sum();
        assert_eq!(matched, 0);
        let out = run(&[("east.yaml", MZS, Some("east"))]);
        let d = &out.files[0].preview_diagnostics[0].diagnostic;
        assert_eq!(d.code, Code::WrittenInZone);
        assert_eq!(d.severity, crate::Severity::Error);
        assert!(
            d.message.ends_with("(405 Method Not Allowed)"),
            "{}",
            d.message
        );
        assert_eq!(out.skipped.len(), 1);
        // On Kubernetes the webhook refuses it, in its words.
        let manifest = "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  name: redis\n  namespace: kuma-system\nspec:\n  selector: {meshService: {matchLabels: {app: redis}}}\n  ports: [{port: 6379}]\n";
        let out = run(&[("east.yaml", manifest, Some("east"))]);
        let d = &out.files[0].preview_diagnostics[0].diagnostic;
        assert_eq!(d.code, Code::WrittenInZone);
        assert!(
            d.message.ends_with("(403 Forbidden: Operation not allowed. Kuma resources like MeshMultiZoneService can be updated or deleted only from the GLOBAL control plane and not from a ZONE control plane.)"),
            "{}",
            d.message
        );
    }
}
