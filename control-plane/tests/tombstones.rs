//! Tombstone pruning (issue 15, item 8): deletes are remembered only up to a bound, and a zone
//! that is behind the pruned ones still converges, in both sync directions, because it is sent
//! a full snapshot instead of an incremental batch. Runs the sync batches in process (the same
//! calls the pull and push loops make), so the zone can be held back deterministically.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{mzs, wait_until, Cluster};
use kuma_local::server::Limits;
use kuma_local::{Config, Topology};

use kuma_local::cp::{Auth, Chaos, ControlPlane, Ipam};
use kuma_local::store::{Expect, StatusWrite, Store, DEFAULT_TOMBSTONE_LIMIT};
use kuma_mzs_core::api::{self, Mode, StoreView};
use kuma_mzs_core::preview::ResourceKey;
use kuma_mzs_core::{kds, KumaVersion, Resource, ResourceType};

const ZONE: &str = "east";

fn control_plane(mode: Mode, store: Store) -> ControlPlane {
    let cp = ControlPlane::new(
        mode,
        store,
        KumaVersion::default(),
        Auth {
            admin_token: "t".into(),
            allow_anonymous_localhost: false,
        },
        Chaos::default(),
        Ipam::default(),
        false,
    );
    cp.bootstrap().unwrap();
    cp
}

fn zone_mode() -> Mode {
    Mode::Zone {
        name: ZONE.into(),
        federated: true,
    }
}

/// A resource as a REST PUT on `cp` would store it.
fn prepared(cp: &ControlPlane, resource_type: ResourceType, name: &str) -> Resource {
    let body = match resource_type {
        ResourceType::MeshService => serde_json::json!({
            "type": "MeshService", "name": name, "mesh": "default",
            "spec": {"ports": [{"port": 80}]}
        }),
        _ => serde_json::json!({
            "type": "MeshMultiZoneService", "name": name, "mesh": "default",
            "spec": {"selector": {"meshService": {"matchLabels": {"a": "b"}}}, "ports": [{"port": 80}]}
        }),
    };
    api::prepare_put(
        &cp.mode,
        KumaVersion::default(),
        resource_type,
        Some("default"),
        name,
        body.to_string().as_bytes(),
        StoreView {
            mesh_exists: true,
            existing: None,
        },
    )
    .unwrap()
    .resource
}

fn put(cp: &ControlPlane, resource_type: ResourceType, name: &str) {
    cp.store
        .put(
            prepared(cp, resource_type, name),
            Expect::Any,
            StatusWrite::Keep,
        )
        .unwrap();
}

fn key(resource_type: ResourceType, name: &str) -> ResourceKey {
    ResourceKey {
        resource_type,
        mesh: "default".into(),
        name: name.into(),
    }
}

/// Pull from global as the zone's pull loop does (full snapshots page by page, then changes)
/// until the zone is current; returns the new cursor and whether a full snapshot was sent.
fn pull_until_current(global: &ControlPlane, zone: &ControlPlane, since: u64) -> (u64, bool) {
    let epoch = global.store.epoch().to_owned();
    let mut since = since;
    let mut full_sent = false;
    // A full snapshot in progress: revision of its first page, next cursor, keys seen.
    let mut snapshot: Option<(u64, Option<String>, BTreeSet<ResourceKey>)> = None;
    for _ in 0..10_000 {
        let (ask, after) = match &snapshot {
            Some((_, next, _)) => (0, next.clone()),
            None => (since, None),
        };
        let batch = global.pull_batch(ZONE, ask, &epoch, after.as_deref());
        if batch.full {
            full_sent = true;
            let state = snapshot.get_or_insert_with(|| (batch.revision, None, BTreeSet::new()));
            zone.apply_pull(&batch, &mut state.2).unwrap();
            if batch.more {
                state.1.clone_from(&batch.next);
            } else {
                since = state.0;
                snapshot = None;
            }
            continue;
        }
        zone.apply_pull(&batch, &mut BTreeSet::new()).unwrap();
        since = batch.revision;
        if !batch.more && batch.upserts.is_empty() && batch.deletes.is_empty() {
            return (since, full_sent);
        }
    }
    panic!("the zone never caught up");
}

/// Global keys of the MZS a zone holds (zone copies are renamed; this undoes it).
fn mzs_on_zone(zone: &ControlPlane) -> BTreeSet<ResourceKey> {
    zone.store
        .all_of(ResourceType::MeshMultiZoneService, None)
        .iter()
        .filter_map(|s| kds::global_key_of_zone_copy(&s.resource))
        .collect()
}

fn mzs_on_global(global: &ControlPlane) -> BTreeSet<ResourceKey> {
    global
        .store
        .all_of(ResourceType::MeshMultiZoneService, None)
        .iter()
        .map(|s| s.key())
        .collect()
}

#[test]
fn a_zone_behind_many_deletes_on_global_converges_and_global_keeps_a_bounded_number_of_tombstones()
{
    let global = control_plane(Mode::Global, Store::memory());
    let zone = control_plane(zone_mode(), Store::memory());
    for i in 0..50 {
        put(
            &global,
            ResourceType::MeshMultiZoneService,
            &format!("keep-{i}"),
        );
        put(
            &global,
            ResourceType::MeshMultiZoneService,
            &format!("doomed-{i}"),
        );
    }
    let (since, full) = pull_until_current(&global, &zone, 0);
    assert!(full);
    assert_eq!(mzs_on_zone(&zone).len(), 100);

    // While the zone does not pull: 50 deletes it must see, then 20,000 create/delete cycles of
    // distinct names (each leaves a tombstone), then a few new MZS.
    for i in 0..50 {
        global
            .store
            .delete(
                &key(ResourceType::MeshMultiZoneService, &format!("doomed-{i}")),
                Expect::Any,
            )
            .unwrap();
    }
    let churn = prepared(&global, ResourceType::MeshMultiZoneService, "churn");
    for i in 0..20_000 {
        let mut resource = churn.clone();
        resource.meta.name = format!("churn-{i}");
        let churn_key = key(ResourceType::MeshMultiZoneService, &resource.meta.name);
        global
            .store
            .put(resource, Expect::Any, StatusWrite::Keep)
            .unwrap();
        global.store.delete(&churn_key, Expect::Any).unwrap();
    }
    for i in 0..5 {
        put(
            &global,
            ResourceType::MeshMultiZoneService,
            &format!("late-{i}"),
        );
    }
    // Memory stays bounded: only the newest tombstones are kept, and the change log holds one
    // entry per live resource or kept tombstone.
    assert_eq!(global.store.tombstone_count(), DEFAULT_TOMBSTONE_LIMIT);
    let (_, log) = global.store.changes_since(0).unwrap();
    let live = global.store.snapshot().1.len();
    assert_eq!(log.len(), live + DEFAULT_TOMBSTONE_LIMIT);
    assert!(global.store.compacted_below() > since);

    // The zone is behind the pruned deletes: it is sent a full snapshot and ends up with
    // exactly global's set (the 50 deletes it never saw as tombstones included).
    let (since, full) = pull_until_current(&global, &zone, since);
    assert!(
        full,
        "a zone behind the compaction point must get a full snapshot"
    );
    assert_eq!(mzs_on_zone(&zone), mzs_on_global(&global));
    assert_eq!(mzs_on_zone(&zone).len(), 55);

    // Afterwards it continues incrementally, deletes included.
    global
        .store
        .delete(
            &key(ResourceType::MeshMultiZoneService, "late-0"),
            Expect::Any,
        )
        .unwrap();
    let (_, full) = pull_until_current(&global, &zone, since);
    assert!(!full);
    assert_eq!(mzs_on_zone(&zone), mzs_on_global(&global));
}

#[test]
fn a_zone_whose_own_tombstones_were_pruned_pushes_its_full_set_and_global_drops_the_rest() {
    let global = control_plane(Mode::Global, Store::memory());
    let zone = control_plane(zone_mode(), Store::memory().with_tombstone_limit(10));
    for i in 0..20 {
        put(&zone, ResourceType::MeshService, &format!("s-{i}"));
    }
    let (cursor, batches) = zone.push_batches(0);
    for batch in &batches {
        assert!(global.apply_push(batch).unwrap().rejected.is_empty());
    }
    let on_global = || global.store.all_of(ResourceType::MeshService, None).len();
    assert_eq!(on_global(), 20);

    // Global does not hear from the zone while it deletes 15 services and churns 30 more:
    // the zone keeps only 10 tombstones, so the 15 deletes are no longer in its change log.
    for i in 0..15 {
        zone.store
            .delete(
                &key(ResourceType::MeshService, &format!("s-{i}")),
                Expect::Any,
            )
            .unwrap();
    }
    for i in 0..30 {
        let name = format!("churn-{i}");
        put(&zone, ResourceType::MeshService, &name);
        zone.store
            .delete(&key(ResourceType::MeshService, &name), Expect::Any)
            .unwrap();
    }
    assert_eq!(zone.store.tombstone_count(), 10);
    let (_, batches) = zone.push_batches(cursor);
    assert!(
        batches.iter().all(|b| b.full),
        "a push cursor behind the compaction point must send the full set"
    );
    for batch in &batches {
        global.apply_push(batch).unwrap();
    }
    assert_eq!(on_global(), 5);
}

#[test]
fn the_status_engine_notices_deletes_whose_tombstones_were_already_pruned() {
    // No tombstones at all: the status engine never sees a delete in the change feed and must
    // re-read the store to drop the deleted services from the MZS it computes.
    let cluster = Cluster::start(Config {
        topology: Topology::Zone {
            name: "zone-1".to_owned(),
            global: None,
        },
        port: 0,
        admin_token: Some("test-token".to_owned()),
        limits: Limits {
            max_tombstones: 0,
            ..Limits::default()
        },
        ..Config::default()
    });
    let zone1 = cluster.zone("zone-1");
    let mzs_path = "/meshes/default/meshmultizoneservices/redis";
    assert_eq!(
        zone1
            .put(mzs_path, &mzs("redis", &[("app", "redis")], &[6379]))
            .0,
        201
    );
    for name in ["redis-a", "redis-b", "redis-c"] {
        let service = serde_json::json!({
            "type": "MeshService", "name": name, "mesh": "default", "labels": {"app": "redis"},
            "spec": {"state": "Available", "ports": [{"port": 6379, "appProtocol": "http"}]}
        });
        let path = format!("/meshes/default/meshservices/{name}");
        assert_eq!(zone1.put(&path, &service).0, 201);
    }
    let message = || {
        zone1.get(mzs_path).1["status"]["conditions"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let wait = Duration::from_secs(10);
    wait_until(wait, || message() == "Matched 3 MeshService(s)");
    for name in ["redis-a", "redis-b"] {
        let path = format!("/meshes/default/meshservices/{name}");
        assert_eq!(zone1.delete(&path).0, 200);
    }
    wait_until(wait, || message() == "Matched 1 MeshService(s)");
    let (_, body) = zone1.get(mzs_path);
    assert_eq!(body["status"]["meshServices"][0]["name"], "redis-c");
}
