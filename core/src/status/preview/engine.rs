//! The MZS status engine: one zone's incremental state (indexes, VIPs, hostname claims) and the
//! status of each MZS it holds, kept current as resources change.

use std::collections::BTreeSet;

use super::{effective_mzs_meta, mzs_stored_name, MzsPreview, PreviewOptions, ZonePreview};
use crate::model::{
    MeshLoadBalancingStrategySpec, MeshMultiZoneServiceSpec, MeshServiceSpec, Meta, MzsStatus,
    Resource, ResourceKey, ResourceType, Spec,
};
use crate::status::hostnames::{self, ClaimKey, Generated, GeneratorSet, HostnameClaims, Outcome};
use crate::status::selector::{LabelIndex, SelectorIndex};
use crate::status::vips::{VipAllocator, VipHolding};
use crate::text::fast_map::FastMap;
use crate::text::sort::SortedMap;

mod recompute;

/// Condition type written by Kuma's MZS status updater (from 2.13:
/// [`crate::model::KumaVersion::writes_mzs_matched_condition`]).
pub(crate) const CONDITION_MESH_SERVICES_MATCHED: &str = "MeshServicesMatched";
/// Reason when the selector matches nothing.
pub(crate) const REASON_NO_MATCHES: &str = "NoMatchesFound";
/// Reason when the selector matches.
pub(crate) const REASON_MATCHES: &str = "MatchesFound";
/// Message when the selector matches nothing.
pub(crate) const MESSAGE_NO_MATCHES: &str = "Selector does not match any MeshService in this zone";

/// A change fed to a [`MzsStatusEngine`].
// Boxing the resource would break the API the front ends build against; changes are short-lived.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Change {
    /// A resource was created or updated. An MZS that carries `status.vips` keeps that VIP.
    Upsert(Resource),
    /// A resource was deleted.
    Remove(ResourceKey),
}

#[derive(Debug, Clone)]
struct ServiceEntry {
    meta: Meta,
    spec: MeshServiceSpec,
}

#[derive(Debug, Clone)]
struct MzsEntry {
    /// Meta with the preview's effective labels (`kuma.io/origin: global` when absent).
    meta: Meta,
    /// The name the zone stores it under ([`mzs_stored_name`]): what Kuma's hostname loop
    /// orders by and its collision message names.
    stored_name: String,
    spec: MeshMultiZoneServiceSpec,
    selector: crate::model::Labels,
    /// `status.vips` and the addresses behind them.
    vip: VipHolding,
    /// Raw generator results, sorted by generator name: the rendered hostname or Kuma's error
    /// message.
    generated: Generated,
    preview: MzsPreview,
}

/// MZS ids to recompute: gathered in any order (with repeats), read back as a set would give
/// them, ascending and once each. A list rather than a `BTreeSet`, whose code is large in the
/// WebAssembly build.
#[derive(Debug, Default)]
struct Touched(Vec<u32>);

impl Touched {
    fn insert(&mut self, id: u32) {
        self.0.push(id);
    }

    fn extend(&mut self, ids: impl IntoIterator<Item = u32>) {
        self.0.extend(ids);
    }

    fn remove(&mut self, id: u32) {
        self.0.retain(|&other| other != id);
    }

    fn into_sorted(mut self) -> Vec<u32> {
        crate::text::sort::sort(&mut self.0);
        self.0.dedup();
        self.0
    }
}

/// One zone's engine.
#[derive(Debug, Clone)]
pub struct MzsStatusEngine {
    zone: String,
    options: PreviewOptions,
    services: Vec<Option<ServiceEntry>>,
    free_service_slots: Vec<u32>,
    service_ids: FastMap<(String, String), u32>,
    service_index: LabelIndex,
    mzs: Vec<Option<MzsEntry>>,
    free_mzs_slots: Vec<u32>,
    mzs_ids: SortedMap<(String, String), u32>,
    selector_index: SelectorIndex,
    /// User generators by name.
    user_generators: SortedMap<String, Resource>,
    /// Effective generators (user ones plus Kuma's default), by name, templates parsed.
    generators: GeneratorSet,
    policies: SortedMap<(String, String), MeshLoadBalancingStrategySpec>,
    meshes: BTreeSet<String>,
    allocator: VipAllocator,
    claims: HostnameClaims,
}

impl MzsStatusEngine {
    /// An empty engine for `zone`.
    pub fn new(zone: &str, options: PreviewOptions) -> Self {
        let mut engine = Self {
            zone: zone.to_owned(),
            allocator: VipAllocator::new(options.mzs_cidr),
            options,
            services: Vec::new(),
            free_service_slots: Vec::new(),
            service_ids: FastMap::default(),
            service_index: LabelIndex::new(),
            mzs: Vec::new(),
            free_mzs_slots: Vec::new(),
            mzs_ids: SortedMap::default(),
            selector_index: SelectorIndex::new(),
            user_generators: SortedMap::default(),
            generators: GeneratorSet::default(),
            policies: SortedMap::default(),
            meshes: BTreeSet::new(),
            claims: HostnameClaims::default(),
        };
        engine.refresh_generators();
        engine
    }

    /// An engine loaded with `resources` in one pass (the full computation): existing VIPs are
    /// reserved first, then MZS without one get VIPs in (mesh, name) order.
    pub fn with_resources(zone: &str, options: PreviewOptions, resources: &[Resource]) -> Self {
        let mut engine = Self::new(zone, options);
        let service_count = resources
            .iter()
            .filter(|r| matches!(r.spec, Spec::MeshService(_)))
            .count();
        engine.services.reserve(service_count);
        engine.service_ids.reserve(service_count);
        let mut mzs_resources = Vec::new();
        for resource in resources {
            match &resource.spec {
                Spec::MeshMultiZoneService(_) => mzs_resources.push(resource),
                Spec::MeshService(spec) => engine.insert_service(&resource.meta, spec.clone()),
                Spec::HostnameGenerator(_) => {
                    engine
                        .user_generators
                        .insert(resource.meta.name.clone(), resource.clone());
                }
                Spec::MeshLoadBalancingStrategy(spec) => {
                    engine.policies.insert(
                        (resource.meta.mesh.clone(), resource.meta.name.clone()),
                        spec.clone(),
                    );
                }
                Spec::Mesh(_) => {
                    engine.meshes.insert(resource.meta.name.clone());
                }
            }
        }
        engine.refresh_generators();
        // Later duplicates of a key replace earlier ones, as a sequence of upserts would.
        let unique = crate::text::sort::sorted_map(
            mzs_resources
                .into_iter()
                .map(|r| ((r.meta.mesh.as_str(), r.meta.name.as_str()), r))
                .collect(),
        );
        let mut ids = Vec::new();
        for (_, resource) in unique {
            if let Spec::MeshMultiZoneService(spec) = &resource.spec {
                let id = engine.insert_mzs_entry(resource, spec.clone());
                engine.reserve_existing(id, &existing_vips(resource));
                ids.push(id);
            }
        }
        for &id in &ids {
            engine.allocate_if_missing(id);
        }
        for &id in &ids {
            engine.regenerate_hostnames(id);
        }
        for &id in &ids {
            engine.recompute(id);
        }
        engine
    }

    /// The VIP allocator's cursor: where the search for the next new MZS's VIP starts (see
    /// [`crate::zone_vip::next_vip`]; kuma-local reports it so previews are exact).
    pub fn vip_cursor(&self) -> std::net::Ipv4Addr {
        self.allocator.cursor()
    }

    /// The zone's name.
    pub fn zone(&self) -> &str {
        &self.zone
    }

    /// The options the engine runs with.
    pub fn options(&self) -> &PreviewOptions {
        &self.options
    }

    /// Apply a change; returns the MZS whose status changed (more precisely: whose preview changed,
    /// so traffic-only changes are included; removed MZS are included), sorted.
    ///
    /// Cost: a MeshService change re-evaluates the MZS whose selector could match its old or new
    /// labels; an MZS change re-evaluates itself and the MZS sharing one of its hostnames (and,
    /// when it frees a VIP while others wait for one, those); a MeshLoadBalancingStrategy change
    /// re-evaluates its mesh's MZS; a HostnameGenerator change re-renders every MZS.
    pub fn apply(&mut self, change: Change) -> Vec<ResourceKey> {
        self.apply_all(std::iter::once(change))
    }

    /// Apply a batch of changes in order, then re-evaluate each affected MZS once (so a batch of
    /// N MeshService updates under one wide selector costs one re-evaluation of that MZS, not
    /// N); returns what [`MzsStatusEngine::apply`] would return for the batch as a whole.
    pub fn apply_all(&mut self, changes: impl IntoIterator<Item = Change>) -> Vec<ResourceKey> {
        let mut touched = Touched::default();
        let mut removed = BTreeSet::new();
        for change in changes {
            match change {
                Change::Upsert(resource) => self.upsert(resource, &mut touched),
                Change::Remove(key) => self.remove(&key, &mut touched, &mut removed),
            }
        }
        let mut changed: Vec<ResourceKey> = removed
            .into_iter()
            .map(|(mesh, name): (String, String)| ResourceKey::mzs(&mesh, &name))
            .collect();
        for id in touched.into_sorted() {
            let Some(before) = self.entry(id).map(|e| e.preview.clone()) else {
                continue;
            };
            self.recompute(id);
            if let Some(entry) = self.entry(id) {
                if entry.preview != before {
                    changed.push(ResourceKey::mzs(&entry.meta.mesh, &entry.meta.name));
                }
            }
        }
        crate::text::sort::sort(&mut changed);
        changed.dedup();
        changed
    }

    /// The current status of an MZS.
    pub fn status(&self, mesh: &str, name: &str) -> Option<&MzsStatus> {
        self.mzs_preview(mesh, name).map(|p| &p.status)
    }

    /// The current preview of an MZS.
    pub fn mzs_preview(&self, mesh: &str, name: &str) -> Option<&MzsPreview> {
        let id = *self.mzs_ids.get(&(mesh.to_owned(), name.to_owned()))?;
        self.entry(id).map(|e| &e.preview)
    }

    /// Every MZS preview, by mesh then name.
    pub fn zone_preview(&self) -> ZonePreview {
        ZonePreview {
            zone: self.zone.clone(),
            multi_zone_services: self
                .mzs_ids
                .values()
                .filter_map(|&id| self.entry(id).map(|e| e.preview.clone()))
                .collect(),
        }
    }

    /// The MeshServices the engine knows, as `(meta, spec)` (for explanations).
    pub fn mesh_services(&self) -> impl Iterator<Item = (&Meta, &MeshServiceSpec)> {
        self.services.iter().flatten().map(|s| (&s.meta, &s.spec))
    }

    /// The effective HostnameGenerators (Kuma's default included), by name.
    pub fn hostname_generators(&self) -> impl Iterator<Item = &Resource> {
        self.generators.by_name().values()
    }

    /// The Meshes the engine has seen (Mesh resources are accepted; nothing depends on them).
    pub fn meshes(&self) -> impl Iterator<Item = &str> {
        self.meshes.iter().map(String::as_str)
    }

    /// The MZS as the engine sees it (effective labels), with its spec.
    pub fn mzs_resource(
        &self,
        mesh: &str,
        name: &str,
    ) -> Option<(&Meta, &MeshMultiZoneServiceSpec)> {
        let id = *self.mzs_ids.get(&(mesh.to_owned(), name.to_owned()))?;
        self.entry(id).map(|e| (&e.meta, &e.spec))
    }

    // ------------------------------------------------------------------------------------------
    // Store maintenance

    fn entry(&self, id: u32) -> Option<&MzsEntry> {
        self.mzs.get(id as usize).and_then(Option::as_ref)
    }

    fn entry_mut(&mut self, id: u32) -> Option<&mut MzsEntry> {
        self.mzs.get_mut(id as usize).and_then(Option::as_mut)
    }

    fn service(&self, id: u32) -> Option<&ServiceEntry> {
        self.services.get(id as usize).and_then(Option::as_ref)
    }

    fn refresh_generators(&mut self) {
        // A zone's own generators apply in that zone only.
        let mut generators = self.user_generators.clone();
        generators.retain(|_, g| crate::kds::held_by_zone(g, &self.zone));
        if self.options.default_hostname_generators {
            // One of its name written on global replaces it (on Kubernetes global's
            // namespace gives it another name in the zones: `preview` adds that one).
            if !generators.values().any(hostnames::is_default_mzs_generator) {
                let default = hostnames::default_mzs_generator();
                generators.insert(default.meta.name.clone(), default);
            }
        }
        self.generators = GeneratorSet::new(generators);
    }

    fn insert_service(&mut self, meta: &Meta, spec: MeshServiceSpec) {
        let key = service_key(meta);
        if let Some(&id) = self.service_ids.get(&key) {
            self.remove_service_id(id);
        }
        let id = self.free_service_slots.pop().unwrap_or_else(|| {
            self.services.push(None);
            u32::try_from(self.services.len() - 1).unwrap_or(u32::MAX)
        });
        self.service_index.insert(id, &meta.labels);
        if let Some(slot) = self.services.get_mut(id as usize) {
            *slot = Some(ServiceEntry {
                meta: meta.clone(),
                spec,
            });
        }
        self.service_ids.insert(key, id);
    }

    fn remove_service_id(&mut self, id: u32) -> Option<ServiceEntry> {
        let entry = self.services.get_mut(id as usize).and_then(Option::take)?;
        self.service_index.remove(id, &entry.meta.labels);
        self.service_ids.remove(&service_key(&entry.meta));
        self.free_service_slots.push(id);
        Some(entry)
    }

    fn insert_mzs_entry(&mut self, resource: &Resource, spec: MeshMultiZoneServiceSpec) -> u32 {
        let meta = effective_mzs_meta(&resource.meta);
        let selector = spec.selector_labels();
        let id = self.free_mzs_slots.pop().unwrap_or_else(|| {
            self.mzs.push(None);
            u32::try_from(self.mzs.len() - 1).unwrap_or(u32::MAX)
        });
        self.selector_index.insert(id, &selector);
        self.mzs_ids
            .insert((meta.mesh.clone(), meta.name.clone()), id);
        let preview = MzsPreview {
            mesh: meta.mesh.clone(),
            name: meta.name.clone(),
            ..MzsPreview::default()
        };
        if let Some(slot) = self.mzs.get_mut(id as usize) {
            *slot = Some(MzsEntry {
                stored_name: mzs_stored_name(&meta),
                meta,
                spec,
                selector,
                vip: VipHolding::default(),
                generated: Vec::new(),
                preview,
            });
        }
        id
    }

    // ------------------------------------------------------------------------------------------
    // VIPs

    /// Keep the VIPs an MZS already carries (see [`VipHolding::keep_existing`]).
    fn reserve_existing(&mut self, id: u32, vips: &[String]) {
        let holding = VipHolding::keep_existing(&mut self.allocator, vips);
        if let Some(entry) = self.entry_mut(id) {
            entry.vip = holding;
        }
    }

    fn allocate_if_missing(&mut self, id: u32) -> bool {
        let Some(entry) = self.mzs.get_mut(id as usize).and_then(Option::as_mut) else {
            return false;
        };
        entry.vip.allocate_if_missing(&mut self.allocator)
    }

    fn release_vips(&mut self, id: u32) {
        if let Some(entry) = self.mzs.get_mut(id as usize).and_then(Option::as_mut) {
            entry.vip.release(&mut self.allocator);
        }
    }

    /// After addresses were freed, give one to every MZS still waiting (in (mesh, name) order).
    fn retry_pending_vips(&mut self, touched: &mut Touched) {
        let pending: Vec<u32> = self
            .mzs_ids
            .values()
            .copied()
            .filter(|&id| self.entry(id).is_some_and(|e| e.vip.is_missing()))
            .collect();
        for id in pending {
            if self.allocate_if_missing(id) {
                touched.insert(id);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Hostnames

    fn drop_claims(&mut self, id: u32, affected: &mut BTreeSet<ClaimKey>) {
        let Some(entry) = self.mzs.get(id as usize).and_then(Option::as_ref) else {
            return;
        };
        self.claims.remove(
            &self.generators,
            &entry.meta,
            &entry.stored_name,
            &entry.generated,
            affected,
        );
    }

    /// Render every generator for MZS `id` and file its hostname claims.
    fn regenerate_hostnames(&mut self, id: u32) {
        let Some(entry) = self.mzs.get_mut(id as usize).and_then(Option::as_mut) else {
            return;
        };
        entry.generated = self.generators.render(
            self.options.kuma_version,
            ResourceType::MeshMultiZoneService,
            &self.zone,
            &entry.meta,
        );
        self.claims.add(
            &self.generators,
            &entry.meta,
            &entry.stored_name,
            &entry.generated,
        );
    }

    /// The MZS ids claiming any of `keys` (unsorted, possibly repeated).
    fn claimants(&self, keys: &BTreeSet<ClaimKey>) -> Vec<u32> {
        self.claims
            .claimants(keys)
            .filter_map(|(mesh, service)| {
                self.mzs_ids
                    .get(&(mesh.to_owned(), service.to_owned()))
                    .copied()
            })
            .collect()
    }

    fn hostname_outcomes(&self, entry: &MzsEntry) -> Vec<(String, Outcome)> {
        self.claims.outcomes(
            ResourceType::MeshMultiZoneService,
            &entry.meta.mesh,
            &entry.meta.name,
            &entry.stored_name,
            &entry.generated,
        )
    }

    // ------------------------------------------------------------------------------------------
    // Changes

    fn upsert(&mut self, resource: Resource, touched: &mut Touched) {
        match &resource.spec {
            Spec::MeshService(spec) => {
                if let Some(&id) = self.service_ids.get(&service_key(&resource.meta)) {
                    if let Some(old) = self.remove_service_id(id) {
                        touched.extend(self.selector_index.candidates(&old.meta.labels));
                    }
                }
                touched.extend(self.selector_index.candidates(&resource.meta.labels));
                self.insert_service(&resource.meta, spec.clone());
            }
            Spec::MeshMultiZoneService(spec) => {
                self.upsert_mzs(&resource, spec.clone(), touched);
            }
            Spec::HostnameGenerator(_) => {
                self.user_generators
                    .insert(resource.meta.name.clone(), resource.clone());
                self.regenerate_all_hostnames(touched);
            }
            Spec::MeshLoadBalancingStrategy(spec) => {
                let key = (resource.meta.mesh.clone(), resource.meta.name.clone());
                self.policies.insert(key, spec.clone());
                self.touch_mesh(&resource.meta.mesh, touched);
            }
            Spec::Mesh(_) => {
                self.meshes.insert(resource.meta.name.clone());
            }
        }
    }

    fn remove(
        &mut self,
        key: &ResourceKey,
        touched: &mut Touched,
        removed: &mut BTreeSet<(String, String)>,
    ) {
        let pair = (key.mesh.clone(), key.name.clone());
        match key.resource_type {
            ResourceType::MeshService => {
                if let Some(&id) = self.service_ids.get(&pair) {
                    if let Some(old) = self.remove_service_id(id) {
                        touched.extend(self.selector_index.candidates(&old.meta.labels));
                    }
                }
            }
            ResourceType::MeshMultiZoneService => {
                let Some(&id) = self.mzs_ids.get(&pair) else {
                    return;
                };
                let mut affected = BTreeSet::new();
                self.drop_claims(id, &mut affected);
                let had_vip = self.entry(id).is_some_and(|e| !e.vip.held.is_empty());
                self.release_vips(id);
                if let Some(entry) = self.mzs.get_mut(id as usize).and_then(Option::take) {
                    self.selector_index.remove(id, &entry.selector);
                }
                self.mzs_ids.remove(&pair);
                self.free_mzs_slots.push(id);
                touched.remove(id);
                removed.insert(pair);
                touched.extend(self.claimants(&affected));
                if had_vip {
                    self.retry_pending_vips(touched);
                }
            }
            ResourceType::HostnameGenerator => {
                if self.user_generators.remove(&key.name).is_some() {
                    self.regenerate_all_hostnames(touched);
                }
            }
            ResourceType::MeshLoadBalancingStrategy => {
                if self.policies.remove(&pair).is_some() {
                    self.touch_mesh(&key.mesh, touched);
                }
            }
            ResourceType::Mesh => {
                self.meshes.remove(&key.name);
            }
        }
    }

    fn upsert_mzs(
        &mut self,
        resource: &Resource,
        spec: MeshMultiZoneServiceSpec,
        touched: &mut Touched,
    ) {
        let pair = (resource.meta.mesh.clone(), resource.meta.name.clone());
        let given = existing_vips(resource);
        let mut affected = BTreeSet::new();
        let mut freed = false;
        let id = match self.mzs_ids.get(&pair).copied() {
            Some(id) => {
                self.drop_claims(id, &mut affected);
                let (old_selector, mut old_vip, old_preview) =
                    match self.mzs.get_mut(id as usize).and_then(Option::take) {
                        Some(e) => (e.selector, e.vip, e.preview),
                        None => Default::default(),
                    };
                self.selector_index.remove(id, &old_selector);
                self.mzs_ids.remove(&pair);
                self.free_mzs_slots.push(id);
                let new_id = self.insert_mzs_entry(resource, spec);
                if let Some(entry) = self.entry_mut(new_id) {
                    entry.preview = old_preview;
                }
                if given.is_empty() || given == old_vip.vips {
                    // Status is not part of an update (KDS strips it; the zone keeps its own).
                    if let Some(entry) = self.entry_mut(new_id) {
                        entry.vip = old_vip;
                    }
                } else {
                    freed = old_vip.release(&mut self.allocator);
                    self.reserve_existing(new_id, &given);
                }
                new_id
            }
            None => {
                let id = self.insert_mzs_entry(resource, spec);
                self.reserve_existing(id, &given);
                id
            }
        };
        self.allocate_if_missing(id);
        if freed {
            self.retry_pending_vips(touched);
        }
        self.regenerate_hostnames(id);
        if let Some(entry) = self.entry(id) {
            affected.extend(HostnameClaims::keys_of(&entry.meta.mesh, &entry.generated));
        }
        touched.insert(id);
        touched.extend(self.claimants(&affected));
    }

    fn regenerate_all_hostnames(&mut self, touched: &mut Touched) {
        self.refresh_generators();
        self.claims.clear();
        let ids: Vec<u32> = self.mzs_ids.values().copied().collect();
        for &id in &ids {
            self.regenerate_hostnames(id);
        }
        touched.extend(ids);
    }

    fn touch_mesh(&self, mesh: &str, touched: &mut Touched) {
        touched.extend(
            self.mzs_ids
                .iter_from(&(mesh.to_owned(), String::new()))
                .take_while(|((m, _), _)| m == mesh)
                .map(|(_, &id)| id),
        );
    }
}

/// The VIPs in a resource's stored `status.vips[].ip`.
pub(crate) fn existing_vips(resource: &Resource) -> Vec<String> {
    resource
        .status
        .as_ref()
        .and_then(|s| s.get("vips"))
        .and_then(|v| v.as_array())
        .map(|vips| {
            vips.iter()
                .filter_map(|v| v.get("ip").and_then(|ip| ip.as_str()))
                .filter(|ip| !ip.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A MeshService's key in a zone: Kuma stores a Kubernetes one as `<name>.<namespace>`, so two
/// namespaces of a zone may each have a `backend`.
fn service_key(meta: &Meta) -> (String, String) {
    let mut name = meta.name.clone();
    let namespace = meta.namespace();
    if !namespace.is_empty() {
        name.push('.');
        name.push_str(namespace);
    }
    (meta.mesh.clone(), name)
}
