//! MeshService status on a zone: the VIP and the generated hostnames a Kuma zone control plane
//! writes into every MeshService it stores, its own and those synced from other zones.
//!
//! # What Kuma does (zone only; global computes nothing)
//!
//! - VIPs (`pkg/core/resources/apis/core/vip/allocator.go`): every MeshService without a VIP gets
//!   exactly one from `ipam.meshService.cidr` (default `241.0.0.0/8`), from an allocator of its
//!   own, separate from the MeshMultiZoneService one. VIPs already present are kept (reserved
//!   first, then missing ones allocated). A deleted service's VIP is not handed out again while
//!   the process lives. The allocation policy is [`crate::status::vips`]'s, shared with MZS.
//! - Hostnames (`pkg/core/resources/apis/hostnamegenerator/hostname/generator.go`): every
//!   HostnameGenerator whose `meshService` selector matches the service's labels renders its
//!   template (`.Zone` = the service's `kuma.io/zone` label, else the local zone); the results
//!   become `status.addresses` and `status.hostnameGenerators` with the same conditions and the
//!   same collision rule as for MZS ([`crate::status::hostnames`]): collisions are detected per
//!   mesh among MeshServices only (an MZS and a MeshService never collide).
//!
//! The rule code is shared with the MZS engine ([`crate::status::preview::MzsStatusEngine`]):
//! generator rendering and the collision registry live in [`crate::status::hostnames`], VIP holding
//! in [`crate::status::vips::VipHolding`].
//!
//! # Conventions
//!
//! - Labels are taken as given: the engine expects the labels a Kuma store holds
//!   (`kuma.io/origin`, `kuma.io/zone`, `kuma.io/env`, `kuma.io/display-name`, computed on write).
//! - Only the generators fed to the engine apply; Kuma's default generators are resources the
//!   control plane creates ([`crate::rest::default_hostname_generators`]).
//! - No creation times: Kuma's "creation time, then name" orders are "name", as in the MZS engine.
//! - Not computed: `status.dataplaneProxies`, `status.tls` and `spec.identities` (they depend on
//!   data plane proxies, which kuma-mzs does not model).
//!
//! # Cost
//!
//! A MeshService change re-renders that service and revisits only the services that share one
//! of its old or new hostnames (plus, when it frees a VIP while others wait for one, those).
//! A HostnameGenerator change re-renders every MeshService.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::ResourceKey;
use crate::model::{
    Address, HostnameGeneratorStatus, KumaVersion, Meta, Resource, ResourceType, Spec, Vip,
};
use crate::status::hostnames::{self, ClaimKey, Generated, GeneratorSet, HostnameClaims};
use crate::status::preview::{existing_vips, Change, PreviewOptions};
use crate::status::vips::{VipAllocator, VipError, VipHolding};
use crate::text::sort::SortedMap;

/// The part of a MeshService's `status` a zone computes here, in Kuma's JSON shape (empty lists
/// are omitted, as Kuma's `omitempty`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeshServiceStatus {
    /// Hostnames from HostnameGenerators, by generator name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// The VIP (Kuma allocates exactly one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vips: Vec<Vip>,
    /// Per-generator outcome (`Generated`, `TemplateError`, `Collision`), by generator name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostname_generators: Vec<HostnameGeneratorStatus>,
}

type ServiceId = (String, String);

#[derive(Debug, Clone)]
struct ServiceState {
    meta: Meta,
    vip: VipHolding,
    generated: Generated,
    status: MeshServiceStatus,
}

/// One zone's MeshService status engine: feed it every change of the zone's store, read the
/// statuses back.
#[derive(Debug, Clone)]
pub struct MeshServiceEngine {
    zone: String,
    /// Whose generation rules apply (`PreviewOptions::kuma_version`).
    kuma_version: KumaVersion,
    allocator: VipAllocator,
    services: BTreeMap<ServiceId, ServiceState>,
    /// Services without a VIP (the CIDR was full), in (mesh, name) order.
    waiting: BTreeSet<ServiceId>,
    user_generators: SortedMap<String, Resource>,
    generators: GeneratorSet,
    claims: HostnameClaims,
}

/// What one batch of changes did, gathered while applying it.
#[derive(Debug, Default)]
struct Round {
    /// Services to recompute.
    touched: BTreeSet<ServiceId>,
    /// Services created in this round (always reported).
    created: BTreeSet<ServiceId>,
    /// Services deleted in this round (reported, no status).
    removed: BTreeSet<ServiceId>,
    /// Services that need a VIP, in the order they came.
    needs_vip: Vec<ServiceId>,
    /// Whether a VIP went back to the allocator.
    freed: bool,
    /// Whether the generators changed.
    generators_changed: bool,
}

impl MeshServiceEngine {
    /// An empty engine for `zone`, allocating from `options.mesh_service_cidr`.
    pub fn new(zone: &str, options: &PreviewOptions) -> Self {
        Self {
            zone: zone.to_owned(),
            kuma_version: options.kuma_version,
            allocator: VipAllocator::new(options.mesh_service_cidr),
            services: BTreeMap::new(),
            waiting: BTreeSet::new(),
            user_generators: SortedMap::default(),
            generators: GeneratorSet::default(),
            claims: HostnameClaims::default(),
        }
    }

    /// An engine loaded with `resources` (one batch: VIPs already present are kept, then the
    /// services without one get VIPs in (mesh, name) order).
    pub fn with_resources(zone: &str, options: &PreviewOptions, resources: &[Resource]) -> Self {
        let mut engine = Self::new(zone, options);
        let changes: Vec<Change> = resources.iter().cloned().map(Change::Upsert).collect();
        engine.apply_all(&changes);
        engine
    }

    /// The zone's name.
    pub fn zone(&self) -> &str {
        &self.zone
    }

    /// How many MeshServices the engine holds.
    pub fn len(&self) -> usize {
        self.services.len()
    }

    /// Whether the engine holds no MeshService.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// The current status of a MeshService.
    pub fn status(&self, mesh: &str, name: &str) -> Option<&MeshServiceStatus> {
        self.services
            .get(&(mesh.to_owned(), name.to_owned()))
            .map(|s| &s.status)
    }

    /// Why a MeshService has no VIP (the CIDR is full), if so.
    pub fn vip_error(&self, mesh: &str, name: &str) -> Option<&VipError> {
        self.services
            .get(&(mesh.to_owned(), name.to_owned()))
            .and_then(|s| s.vip.error.as_ref())
    }

    /// Every MeshService status, by mesh then name.
    pub fn statuses(&self) -> impl Iterator<Item = (ResourceKey, &MeshServiceStatus)> {
        self.services
            .iter()
            .map(|((mesh, name), s)| (mesh_service_key(mesh, name), &s.status))
    }

    /// Apply one change; see [`MeshServiceEngine::apply_all`].
    pub fn apply(&mut self, change: &Change) -> Vec<ResourceKey> {
        self.apply_all(std::slice::from_ref(change))
    }

    /// Apply a batch of changes (other resource types than MeshService and HostnameGenerator
    /// are ignored). VIPs are handed out at the end of the batch, after every VIP the batch's
    /// services already carry was kept, in (mesh, name) order; so reloading a stored zone in
    /// one batch keeps every VIP. Returns the MeshServices whose status changed, those
    /// created, and those removed, sorted.
    pub fn apply_all(&mut self, changes: &[Change]) -> Vec<ResourceKey> {
        let mut round = Round::default();
        for change in changes {
            match change {
                Change::Upsert(resource) => match &resource.spec {
                    Spec::MeshService(_) => self.upsert_service(resource, &mut round),
                    Spec::HostnameGenerator(_) => {
                        self.user_generators
                            .insert(resource.meta.name.clone(), resource.clone());
                        round.generators_changed = true;
                    }
                    _ => {}
                },
                Change::Remove(key) => match key.resource_type {
                    ResourceType::MeshService => self.remove_service(key, &mut round),
                    ResourceType::HostnameGenerator
                        if self.user_generators.remove(&key.name).is_some() =>
                    {
                        round.generators_changed = true;
                    }
                    _ => {}
                },
            }
        }
        // Templates are parsed once per batch, however many generators it changes; services
        // upserted above were rendered with the previous set and are rendered again here.
        if round.generators_changed {
            self.generators = GeneratorSet::new(self.user_generators.clone());
            self.regenerate_all(&mut round);
        }
        self.allocate_waiting(&mut round);
        let mut changed: Vec<ResourceKey> = Vec::new();
        for id in &round.touched {
            if self.recompute(id) || round.created.contains(id) {
                changed.push(mesh_service_key(&id.0, &id.1));
            }
        }
        changed.extend(
            round
                .removed
                .iter()
                .filter(|id| !self.services.contains_key(*id))
                .map(|(mesh, name)| mesh_service_key(mesh, name)),
        );
        crate::text::sort::sort(&mut changed);
        changed.dedup();
        changed
    }

    fn upsert_service(&mut self, resource: &Resource, round: &mut Round) {
        let meta = &resource.meta;
        let id: ServiceId = (meta.mesh.clone(), meta.name.clone());
        let given = existing_vips(resource);
        let mut affected = BTreeSet::new();
        let (vip, status) = match self.services.remove(&id) {
            Some(mut old) => {
                self.unclaim(&old.meta, &old.generated, &mut affected);
                // Status is not part of an update (REST and KDS keep the stored one), so VIPs
                // given again, or none, keep what the service holds.
                let vip = if given.is_empty() || given == old.vip.vips {
                    old.vip
                } else {
                    round.freed |= old.vip.release(&mut self.allocator);
                    VipHolding::keep_existing(&mut self.allocator, &given)
                };
                (vip, old.status)
            }
            None => {
                round.created.insert(id.clone());
                (
                    VipHolding::keep_existing(&mut self.allocator, &given),
                    MeshServiceStatus::default(),
                )
            }
        };
        if vip.is_missing() {
            self.waiting.insert(id.clone());
            round.needs_vip.push(id.clone());
        } else {
            self.waiting.remove(&id);
        }
        let generated = self.generators.render(
            self.kuma_version,
            ResourceType::MeshService,
            &self.zone,
            meta,
        );
        self.claims
            .add(&self.generators, meta, &meta.name, &generated);
        affected.extend(HostnameClaims::keys_of(&id.0, &generated));
        self.services.insert(
            id.clone(),
            ServiceState {
                meta: meta.clone(),
                vip,
                generated,
                status,
            },
        );
        self.touch_claimants(&affected, round);
        round.touched.insert(id);
    }

    fn remove_service(&mut self, key: &ResourceKey, round: &mut Round) {
        let id: ServiceId = (key.mesh.clone(), key.name.clone());
        let Some(mut old) = self.services.remove(&id) else {
            return;
        };
        let mut affected = BTreeSet::new();
        self.unclaim(&old.meta, &old.generated, &mut affected);
        round.freed |= old.vip.release(&mut self.allocator);
        self.waiting.remove(&id);
        round.created.remove(&id);
        self.touch_claimants(&affected, round);
        round.removed.insert(id);
    }

    /// Give up the hostnames `id` claimed, noting which hostnames changed hands.
    fn unclaim(
        &mut self,
        service: &Meta,
        generated: &Generated,
        affected: &mut BTreeSet<ClaimKey>,
    ) {
        self.claims.remove(
            &self.generators,
            service,
            &service.name,
            generated,
            affected,
        );
    }

    fn touch_claimants(&self, affected: &BTreeSet<ClaimKey>, round: &mut Round) {
        round.touched.extend(
            self.claims
                .claimants(affected)
                .map(|(mesh, service)| (mesh.to_owned(), service.to_owned())),
        );
    }

    /// Render every service again (the generators changed).
    fn regenerate_all(&mut self, round: &mut Round) {
        self.claims.clear();
        for (id, state) in self.services.iter_mut() {
            state.generated = self.generators.render(
                self.kuma_version,
                ResourceType::MeshService,
                &self.zone,
                &state.meta,
            );
            self.claims.add(
                &self.generators,
                &state.meta,
                &state.meta.name,
                &state.generated,
            );
            round.touched.insert(id.clone());
        }
    }

    /// Give VIPs to the services of this round that need one (in (mesh, name) order), or, when
    /// addresses were freed, to every service still waiting.
    fn allocate_waiting(&mut self, round: &mut Round) {
        let candidates: Vec<ServiceId> = if round.freed {
            self.waiting.iter().cloned().collect()
        } else {
            let mut fresh: Vec<ServiceId> = round
                .needs_vip
                .iter()
                .filter(|id| self.waiting.contains(*id))
                .cloned()
                .collect();
            crate::text::sort::sort(&mut fresh);
            fresh.dedup();
            fresh
        };
        for id in candidates {
            let Some(state) = self.services.get_mut(&id) else {
                continue;
            };
            if state.vip.allocate_if_missing(&mut self.allocator) {
                round.touched.insert(id.clone());
            }
            if !state.vip.is_missing() {
                self.waiting.remove(&id);
            }
        }
    }

    /// Compute a service's status; returns whether it changed.
    fn recompute(&mut self, id: &ServiceId) -> bool {
        let Some(state) = self.services.get(id) else {
            return false;
        };
        let outcomes = self.claims.outcomes(
            ResourceType::MeshService,
            &id.0,
            &id.1,
            &id.1,
            &state.generated,
        );
        let (addresses, hostname_generators) = hostnames::assemble_status(&outcomes);
        let status = MeshServiceStatus {
            addresses,
            vips: state.vip.status_vips(),
            hostname_generators,
        };
        match self.services.get_mut(id) {
            Some(state) if state.status != status => {
                state.status = status;
                true
            }
            _ => false,
        }
    }
}

fn mesh_service_key(mesh: &str, name: &str) -> ResourceKey {
    ResourceKey {
        resource_type: ResourceType::MeshService,
        mesh: mesh.to_owned(),
        name: name.to_owned(),
    }
}
