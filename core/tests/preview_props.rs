//! Property tests: the VIP allocator never hands out a duplicate, and the incremental
//! [`MzsStatusEngine`] always agrees with a full recomputation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod preview_common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use kuma_mzs_core::preview::{Change, MzsStatusEngine, PreviewOptions, ResourceKey};
use kuma_mzs_core::vips::VipAllocator;
use kuma_mzs_core::{Resource, ResourceType};
use proptest::prelude::*;
use serde_json::json;

#[derive(Debug, Clone)]
enum VipOp {
    Allocate,
    Release(u8),
    Reserve(u8),
}

fn vip_op() -> impl Strategy<Value = VipOp> {
    prop_oneof![
        4 => Just(VipOp::Allocate),
        2 => any::<u8>().prop_map(VipOp::Release),
        1 => any::<u8>().prop_map(VipOp::Reserve),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn allocator_never_duplicates(ops in proptest::collection::vec(vip_op(), 1..300)) {
        let cidr: ipnet::Ipv4Net = "10.1.0.0/26".parse().unwrap();
        let mut allocator = VipAllocator::new(cidr);
        let mut held: BTreeSet<Ipv4Addr> = BTreeSet::new();
        let mut released_since_wrap: Vec<Ipv4Addr> = Vec::new();
        for op in ops {
            match op {
                VipOp::Allocate => match allocator.allocate() {
                    Ok(ip) => {
                        prop_assert!(cidr.contains(&ip));
                        prop_assert!(held.insert(ip), "duplicate {ip}");
                        released_since_wrap.retain(|r| *r != ip);
                    }
                    Err(_) => prop_assert_eq!(held.len() as u64, allocator.capacity()),
                },
                VipOp::Release(i) => {
                    if let Some(&ip) = held.iter().nth(usize::from(i) % held.len().max(1)) {
                        prop_assert!(allocator.release(ip));
                        held.remove(&ip);
                        released_since_wrap.push(ip);
                    }
                }
                VipOp::Reserve(i) => {
                    let ip = Ipv4Addr::from(u32::from(cidr.network()) + u32::from(i % 64));
                    let result = allocator.reserve(ip);
                    prop_assert_eq!(result.is_ok(), !held.contains(&ip));
                    held.insert(ip);
                }
            }
            prop_assert_eq!(allocator.len(), held.len() as u64);
            for ip in &held {
                prop_assert!(allocator.is_allocated(*ip));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Incremental == full

const ZONES: [&str; 3] = ["z1", "z2", "z3"];

fn labels_strategy() -> impl Strategy<Value = BTreeMap<String, String>> {
    (0..3usize, 0..4usize, proptest::bool::ANY, 0..3usize).prop_map(|(app, zone, team, display)| {
        let mut l = BTreeMap::new();
        l.insert("app".to_owned(), ["a", "b", "c"][app].to_owned());
        if zone < 3 {
            l.insert("kuma.io/zone".to_owned(), ZONES[zone].to_owned());
        }
        if team {
            l.insert("team".to_owned(), "x".to_owned());
        }
        l.insert(
            "kuma.io/display-name".to_owned(),
            ["svc", "svc-2", "other"][display].to_owned(),
        );
        l
    })
}

fn mesh_service() -> impl Strategy<Value = Resource> {
    (
        0..6usize,
        0..2usize,
        labels_strategy(),
        proptest::bool::ANY,
        0..3usize,
    )
        .prop_map(|(name, mesh, labels, available, ports)| {
            let ports = match ports {
                0 => json!([{"port": 80}]),
                1 => json!([{"port": 80, "name": "http"}, {"port": 81}]),
                _ => json!([{"port": 81, "name": "main"}]),
            };
            preview_common::resource(json!({
                "type": "MeshService",
                "name": format!("ms-{name}"),
                "mesh": (["default", "other"][mesh]),
                "labels": labels,
                "spec": {"state": if available {"Available"} else {"Unavailable"}, "ports": ports}
            }))
        })
}

fn mzs() -> impl Strategy<Value = Resource> {
    (0..5usize, 0..2usize, 0..6usize, 0..3usize, 0..4usize).prop_map(
        |(name, mesh, selector, display, vip)| {
            let selector = match selector {
                0 => json!({"app": "a"}),
                1 => json!({"app": "b", "team": ""}),
                2 => json!({"team": ""}),
                3 => json!({"kuma.io/display-name": "svc"}),
                4 => json!({"app": "c", "kuma.io/zone": "z2"}),
                _ => json!({"team": "x"}),
            };
            let status = match vip {
                0 => json!({"vips": [{"ip": "10.9.0.1"}]}),
                1 => json!({"vips": [{"ip": "192.168.0.1"}]}),
                _ => serde_json::Value::Null,
            };
            let mut r = preview_common::resource(json!({
                "type": "MeshMultiZoneService",
                "name": format!("mzs-{name}"),
                "mesh": (["default", "other"][mesh]),
                "labels": {"kuma.io/display-name": (["svc", "svc-2", "other"][display])},
                "spec": {
                    "selector": {"meshService": {"matchLabels": selector}},
                    "ports": [{"port": 80}, {"port": 81, "name": "main"}]
                }
            }));
            r.status = (!status.is_null()).then_some(status);
            r
        },
    )
}

fn generator() -> impl Strategy<Value = Resource> {
    (0..3usize, 0..4usize, proptest::bool::ANY).prop_map(|(name, template, zone_origin)| {
        let template = [
            "{{ .DisplayName }}.mzsvc.mesh.local",
            "{{ .Name }}.{{ .Zone }}.mesh",
            "{{ label \"missing\" }}.x",
            "fixed.mesh",
        ][template];
        preview_common::resource(json!({
            "type": "HostnameGenerator",
            "name": (["g-a", "g-b", "synced-mesh-multi-zone-service-4244v574644557w2"][name]),
            "labels": {"kuma.io/origin": if zone_origin {"zone"} else {"global"}},
            "spec": {
                "selector": {"meshMultiZoneService": {"matchLabels": {"kuma.io/origin": "global"}}},
                "template": template
            }
        }))
    })
}

fn policy() -> impl Strategy<Value = Resource> {
    (0..2usize, 0..4usize).prop_map(|(name, kind)| {
        let default = match kind {
            0 => json!({"localityAwareness": {"disabled": true}}),
            1 => json!({"localityAwareness": {"crossZone": {"failover": [
                {"to": {"type": "Only", "zones": ["z2"]}}, {"to": {"type": "Any"}}
            ], "failoverThreshold": {"percentage": "50"}}}}),
            2 => json!({"localityAwareness": {"localZone": {"affinityTags": [{"key": "k"}]}}}),
            _ => json!({}),
        };
        preview_common::resource(json!({
            "type": "MeshLoadBalancingStrategy",
            "name": format!("lb-{name}"),
            "mesh": "default",
            "spec": {"targetRef": {"kind": "Mesh"}, "to": [{
                "targetRef": {"kind": "MeshMultiZoneService", "labels": {"kuma.io/display-name": "svc"}},
                "default": default
            }]}
        }))
    })
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
enum Op {
    Upsert(Resource),
    Remove(ResourceType, usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => mesh_service().prop_map(Op::Upsert),
        4 => mzs().prop_map(Op::Upsert),
        1 => generator().prop_map(Op::Upsert),
        1 => policy().prop_map(Op::Upsert),
        2 => (0..6usize, 0..2usize).prop_map(|(n, m)| Op::Remove(ResourceType::MeshService, n, m)),
        2 => (0..5usize, 0..2usize).prop_map(|(n, m)| Op::Remove(ResourceType::MeshMultiZoneService, n, m)),
        1 => (0..3usize, 0..1usize).prop_map(|(n, m)| Op::Remove(ResourceType::HostnameGenerator, n, m)),
        1 => (0..2usize, 0..1usize).prop_map(|(n, m)| Op::Remove(ResourceType::MeshLoadBalancingStrategy, n, m)),
    ]
}

fn remove_key(t: ResourceType, n: usize, m: usize) -> ResourceKey {
    let mesh = ["default", "other"][m].to_owned();
    match t {
        ResourceType::MeshService => ResourceKey {
            resource_type: t,
            mesh,
            name: format!("ms-{n}"),
        },
        ResourceType::MeshMultiZoneService => ResourceKey {
            resource_type: t,
            mesh,
            name: format!("mzs-{n}"),
        },
        ResourceType::HostnameGenerator => ResourceKey {
            resource_type: t,
            mesh: String::new(),
            name: [
                "g-a",
                "g-b",
                "synced-mesh-multi-zone-service-4244v574644557w2",
            ][n]
                .to_owned(),
        },
        _ => ResourceKey {
            resource_type: t,
            mesh: "default".into(),
            name: format!("lb-{n}"),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn incremental_equals_full_recomputation(
        ops in proptest::collection::vec(op(), 1..60),
        zone in 0..3usize,
        down in proptest::option::of(0..3usize),
        tiny_cidr in proptest::bool::ANY,
    ) {
        let mut options = PreviewOptions {
            mzs_cidr: if tiny_cidr { "10.9.0.0/31" } else { "10.9.0.0/24" }.parse().unwrap(),
            ..PreviewOptions::default()
        };
        if let Some(d) = down {
            options.down_zones.insert(ZONES[d].to_owned());
        }
        let mut engine = MzsStatusEngine::new(ZONES[zone], options.clone());
        let mut state: BTreeMap<ResourceKey, Resource> = BTreeMap::new();
        for op in ops {
            match op {
                Op::Upsert(r) => {
                    state.insert(ResourceKey::of(&r), r.clone());
                    engine.apply(Change::Upsert(r));
                }
                Op::Remove(t, n, m) => {
                    let key = remove_key(t, n, m);
                    state.remove(&key);
                    engine.apply(Change::Remove(key));
                }
            }
        }
        let incremental = engine.zone_preview();
        // The full computation gets the VIPs the engine handed out as existing allocations.
        let resources: Vec<Resource> = state
            .values()
            .cloned()
            .map(|mut r| {
                if r.resource_type() == ResourceType::MeshMultiZoneService {
                    let vips = engine.status(&r.meta.mesh, &r.meta.name).unwrap().vips.clone();
                    r.status = Some(json!({"vips": vips}));
                }
                r
            })
            .collect();
        let full = MzsStatusEngine::with_resources(ZONES[zone], options, &resources).zone_preview();
        prop_assert_eq!(incremental, full);
    }
}
