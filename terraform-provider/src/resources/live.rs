//! What the control plane holds right now, fetched once per provider process and shared by
//! every plan of the run: the MeshServices, HostnameGenerators and MeshMultiZoneServices the
//! core's preview needs for plan-time lints (MZS101 to MZS105). One fetch for a thousand
//! resources, not a thousand.

use std::collections::BTreeMap;
use std::sync::Arc;

use kuma_mzs_core::model::labels::DISPLAY_NAME;
use kuma_mzs_core::model::{Resource, Spec};
use kuma_mzs_core::preview::{preview, PreviewOptions, PreviewWarning};
use kuma_mzs_core::{Code, KumaVersion, ResourceType};
use tokio::sync::OnceCell;

use crate::client::DeadlineSetBy;
use crate::config::{Configured, Zone};
use crate::diag::{Diag, Step};

/// The per-process cache.
#[derive(Debug, Default)]
pub struct LiveCache {
    inventory: OnceCell<Result<Arc<Vec<Resource>>, String>>,
    /// Each zone's HostnameGenerators (by zone name), listed once per process by the first plan
    /// that needs them ([`zone_generators`]).
    zone_generators: std::sync::Mutex<BTreeMap<String, Arc<ZoneList>>>,
    /// The HostnameGenerators this process wrote, by name, each as it was before its first
    /// write (`None`: it did not exist): [`zone_generators`] answers as before them.
    written_generators: std::sync::Mutex<BTreeMap<String, Option<serde_json::Value>>>,
}

/// One zone's list of HostnameGenerators, or why it could not be listed.
type ZoneList = OnceCell<Result<Vec<serde_json::Value>, String>>;

impl LiveCache {
    /// Note that this process is about to write the HostnameGenerator `name`, which was
    /// `before` (its body as the resource writes it; `None` for a create). The first write of a
    /// name counts: it is what the plans of this run saw.
    pub fn note_generator_write(&self, name: &str, before: Option<serde_json::Value>) {
        if let Ok(mut written) = self.written_generators.lock() {
            written.entry(name.to_owned()).or_insert(before);
        }
    }
}

/// What a zone's HostnameGenerators are for a plan's prediction of its hostnames
/// ([`zone_generators`]).
#[derive(Debug)]
pub enum ZoneGenerators {
    /// The generators the zone holds (as the core decodes them).
    Held(Vec<Resource>),
    /// The zone lists one the core cannot read: no exact answer.
    Unreadable(String),
    /// The zone could not be listed (it is not read in this run, did not answer in time, or
    /// answered an error).
    Unlisted(String),
}

/// The HostnameGenerators `zone` holds (`GET /hostnamegenerators` on the zone: global's synced
/// copies and its own), listed once per process, as the plans of this run see them: a
/// generator this process wrote (a `kuma_hostname_generator` applied before this plan, in the
/// same apply) counts as it was before, since `terraform plan` could not see the write and the
/// apply's own plan must agree with it (the apply then reports the difference it makes).
pub async fn zone_generators(configured: &Configured, zone: &Zone) -> ZoneGenerators {
    if let Some(problem) = &zone.problem {
        return ZoneGenerators::Unlisted(problem.clone());
    }
    if let Some(earlier) = zone.earlier_failure() {
        return ZoneGenerators::Unlisted(format!(
            "it did not answer earlier in this run ({earlier})"
        ));
    }
    let cell = {
        let Ok(mut lists) = configured.live.zone_generators.lock() else {
            return ZoneGenerators::Unlisted("the list could not be kept".to_owned());
        };
        Arc::clone(lists.entry(zone.name.clone()).or_default())
    };
    let listed = cell
        .get_or_init(|| async {
            let client = zone.client.with_deadline(
                configured.operation_timeout,
                DeadlineSetBy::OperationTimeout,
            );
            client
                .list_all("/hostnamegenerators")
                .await
                .map_err(|e| e.to_string())
        })
        .await;
    let items = match listed {
        Ok(items) => items,
        Err(e) => return ZoneGenerators::Unlisted(e.clone()),
    };
    let written = configured
        .live
        .written_generators
        .lock()
        .map(|w| w.clone())
        .unwrap_or_default();
    let name_of = |item: &serde_json::Value| -> [Option<String>; 2] {
        let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
        [
            text(item.get("name")),
            text(item.get("labels").and_then(|l| l.get(DISPLAY_NAME))),
        ]
    };
    let mut generators = Vec::with_capacity(items.len());
    let before_writes = (items.iter())
        .filter(|item| {
            !name_of(item)
                .iter()
                .flatten()
                .any(|n| written.contains_key(n))
        })
        .chain(written.values().flatten());
    for item in before_writes {
        match kuma_mzs_core::api::decode_listed(ResourceType::HostnameGenerator, item.clone()) {
            Ok(generator) => generators.push(generator),
            Err(e) => {
                let name = name_of(item)[0].clone().unwrap_or_default();
                return ZoneGenerators::Unreadable(format!(
                    "the HostnameGenerator {name:?} it lists cannot be read: {e}"
                ));
            }
        }
    }
    ZoneGenerators::Held(generators)
}

/// REST items decoded by the core; items that do not decode are left out (the data sources
/// report them; lints only lose precision).
fn decode_all(items: Vec<serde_json::Value>, kind: ResourceType) -> Vec<Resource> {
    items
        .into_iter()
        .filter_map(|item| kuma_mzs_core::api::decode_listed(kind, item).ok())
        .collect()
}

async fn fetch(configured: &Configured) -> Result<Arc<Vec<Resource>>, String> {
    let client = &configured.client;
    if let Some(reason) = client.earlier_failure() {
        return Err(format!(
            "{} did not answer earlier in this run, so it is not asked again ({reason})",
            client.endpoint()
        ));
    }
    let (services, generators, multi_zone_services) = futures_util::join!(
        client.list_all("/meshservices"),
        client.list_all("/hostnamegenerators"),
        client.list_all("/meshmultizoneservices"),
    );
    let mut resources = decode_all(
        services.map_err(|e| e.to_string())?,
        ResourceType::MeshService,
    );
    if let Ok(generators) = generators {
        resources.extend(decode_all(generators, ResourceType::HostnameGenerator));
    }
    // The existing MeshMultiZoneServices hold hostnames a new one may collide with (MZS105).
    if let Ok(existing) = multi_zone_services {
        resources.extend(decode_all(existing, ResourceType::MeshMultiZoneService));
    }
    Ok(Arc::new(resources))
}

/// The MeshServices, HostnameGenerators and MeshMultiZoneServices of the control plane (fetched
/// on first use).
pub async fn inventory(configured: &Configured) -> Result<Arc<Vec<Resource>>, String> {
    configured
        .live
        .inventory
        .get_or_init(|| async { fetch(&configured.for_plan_or_read()).await })
        .await
        .clone()
}

/// The lints the core's preview gives for `mzs` over the live MeshServices, as warnings on the
/// `port` they are about, else on the selector's `match_labels`.
pub async fn lints(configured: &Configured, mzs: Resource, version: KumaVersion) -> Vec<Diag> {
    let Spec::MeshMultiZoneService(spec) = &mzs.spec else {
        return Vec::new();
    };
    let sections: Vec<String> = spec.ports.iter().map(|p| p.section_name()).collect();
    let port_index = |section: &str| sections.iter().position(|s| s == section);
    let inventory = match inventory(configured).await {
        Ok(inventory) => inventory,
        Err(e) => {
            return vec![Diag::warning(
                "Plan-time checks against the live MeshServices were skipped",
                format!("The MeshServices could not be listed: {e}."),
            )]
        }
    };
    let (mesh, name) = (mzs.meta.mesh.clone(), mzs.meta.name.clone());
    // Kuma gives a hostname two services of a mesh generate to the one created first: the
    // planned object is created after everything that exists, and an update keeps its own
    // creation time. Of the existing services only those that may hold one of its hostnames
    // take part (the core's rule): all of a large mesh would cost every changed resource a
    // preview of them all.
    let mut mzs = mzs;
    let generators: Vec<&Resource> = (inventory.iter())
        .filter(|r| r.resource_type() == ResourceType::HostnameGenerator)
        .collect();
    let mut resources: Vec<Resource> = Vec::with_capacity(inventory.len() + 1);
    let mut created = None;
    for r in inventory.iter() {
        if r.resource_type() != ResourceType::MeshMultiZoneService {
            resources.push(r.clone());
        } else if r.meta.mesh == mesh && r.meta.name == name {
            created = r.meta.creation_time.clone();
        } else if kuma_mzs_core::preview::may_rival_for_hostnames(r, &mzs, &generators) {
            resources.push(r.clone());
        }
    }
    mzs.meta.creation_time =
        Some(created.unwrap_or_else(|| kuma_mzs_core::api::PLANNED_CREATION_TIME.to_owned()));
    resources.push(mzs);
    let zones: Vec<String> = configured.zones.iter().map(|z| z.name.clone()).collect();
    let options = PreviewOptions {
        kuma_version: version,
        ..PreviewOptions::default()
    };
    let outcome = preview(&resources, &zones, &options);
    // One diagnostic per warning, naming every zone that gives it.
    let mut found: Vec<(&PreviewWarning, Vec<&str>)> = Vec::new();
    for zone in &outcome.zones {
        let Some(ours) = zone
            .multi_zone_services
            .iter()
            .find(|m| m.mesh == mesh && m.name == name)
        else {
            continue;
        };
        for warning in &ours.warnings {
            let wanted = matches!(
                warning.code,
                Code::PortNotServed
                    | Code::CrossMeshMatch
                    | Code::NoMatches
                    | Code::UnavailableService
                    | Code::HostnameProblem
            );
            if !wanted {
                continue;
            }
            let same = |(w, _): &&mut (&PreviewWarning, Vec<&str>)| {
                (w.code, &w.port, &w.message) == (warning.code, &warning.port, &warning.message)
            };
            match found.iter_mut().find(same) {
                Some((_, zones)) => zones.push(&zone.zone),
                None => found.push((warning, vec![&zone.zone])),
            }
        }
    }
    let mut diags = Vec::new();
    for (warning, zones) in found {
        // Terraform shows a source line for attributes, not blocks: the port number, else
        // the selector's labels.
        let path = match warning.port.as_deref().and_then(port_index) {
            Some(i) => vec![
                Step::Attr("port".into()),
                Step::Index(i as i64),
                Step::Attr("port".into()),
            ],
            // A hostname follows from the name and the labels generators select.
            None if warning.code == Code::HostnameProblem => vec![Step::Attr("name".into())],
            None => vec![
                Step::Attr("selector".into()),
                Step::Attr("mesh_service".into()),
                Step::Attr("match_labels".into()),
            ],
        };
        let quoted: Vec<String> = zones.iter().map(|z| format!("{z:?}")).collect();
        let zones = match quoted.as_slice() {
            [one] => format!("in zone {one}"),
            _ => format!("in zones {}", quoted.join(", ")),
        };
        let diag = Diag::warning(
            format!("{}: {}", warning.code, warning.code.description()),
            format!(
                "{} ({zones}; from what {} holds now; turn these checks off with the provider's `live_lints = false`)",
                warning.message,
                configured.client.endpoint()
            ),
        )
        .at(path);
        // Terraform shows one of several warnings with the same summary on the same line (and
        // counts the others): one diagnostic says them all.
        match (diags.iter_mut())
            .find(|d: &&mut Diag| d.summary == diag.summary && d.path == diag.path)
        {
            Some(same) => {
                same.detail.push_str("\n\n");
                same.detail.push_str(&diag.detail);
            }
            None => diags.push(diag),
        }
    }
    diags
}

/// The hostname problems (MZS105) a planned HostnameGenerator would give the existing
/// MeshMultiZoneServices that it does not give them now: a template that renders the same
/// hostname for several of them (the oldest keeps it, the others lose it), or one that fails for
/// some. One warning on `template`, naming the services; the core's preview over what the control
/// plane holds, before and after the generator (replacing the one of its name, when it exists).
pub async fn generator_lints(
    configured: &Configured,
    generator: Resource,
    version: KumaVersion,
) -> Vec<Diag> {
    let inventory = match inventory(configured).await {
        Ok(inventory) => inventory,
        Err(e) => {
            return vec![Diag::warning(
                "Plan-time checks against the live MeshMultiZoneServices were skipped",
                format!("The control plane's resources could not be listed: {e}."),
            )]
        }
    };
    let is_it = |r: &Resource| {
        r.resource_type() == ResourceType::HostnameGenerator && r.meta.name == generator.meta.name
    };
    if !inventory
        .iter()
        .any(|r| r.resource_type() == ResourceType::MeshMultiZoneService)
    {
        return Vec::new();
    }
    let before: Vec<Resource> = inventory.to_vec();
    let mut after: Vec<Resource> = inventory.iter().filter(|r| !is_it(r)).cloned().collect();
    after.push(generator);
    let zones: Vec<String> = configured.zones.iter().map(|z| z.name.clone()).collect();
    let options = PreviewOptions {
        kuma_version: version,
        ..PreviewOptions::default()
    };
    // (service, message, zones): zones settle claims in their own order (their own generators
    // first), so one collision may go either way in different zones.
    let problems = |resources: &[Resource]| {
        let mut found: Vec<(String, String, Vec<String>)> = Vec::new();
        for zone in preview(resources, &zones, &options).zones {
            for mzs in zone.multi_zone_services {
                for w in mzs
                    .warnings
                    .into_iter()
                    .filter(|w| w.code == Code::HostnameProblem)
                {
                    let service = format!("{}/{}", mzs.mesh, mzs.name);
                    match found
                        .iter_mut()
                        .find(|(s, m, _)| *s == service && *m == w.message)
                    {
                        Some((_, _, in_zones)) => in_zones.push(zone.zone.clone()),
                        None => found.push((service, w.message, vec![zone.zone.clone()])),
                    }
                }
            }
        }
        found
    };
    let known = problems(&before);
    let new: Vec<(String, String, Vec<String>)> = (problems(&after).into_iter())
        .filter(|(s, m, _)| !known.iter().any(|(ks, km, _)| ks == s && km == m))
        .collect();
    if new.is_empty() {
        return Vec::new();
    }
    const SHOWN: usize = 5;
    let mut lines: Vec<String> = (new.iter().take(SHOWN))
        .map(|(mzs, message, in_zones)| {
            let quoted: Vec<String> = in_zones.iter().map(|z| format!("{z:?}")).collect();
            let place = match quoted.as_slice() {
                [one] => format!("in zone {one}"),
                _ => format!("in zones {}", quoted.join(", ")),
            };
            format!("- {mzs} ({place}): {message}")
        })
        .collect();
    if new.len() > SHOWN {
        lines.push(format!("- and {} more", new.len() - SHOWN));
    }
    vec![Diag::warning(
        format!(
            "{}: {}",
            Code::HostnameProblem,
            Code::HostnameProblem.description()
        ),
        format!(
            "With this generator, existing MeshMultiZoneServices would get hostname problems they do not have now:\n{}\n(from what {} holds now; turn these checks off with the provider's `live_lints = false`)",
            lines.join("\n"),
            configured.client.endpoint()
        ),
    )
    .at(vec![Step::Attr("template".into())])]
}
