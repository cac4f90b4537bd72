//! Defaults Kuma fills in when a request leaves a field out.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// The mesh of a mesh-scoped resource whose body names none (Kuma's default Mesh).
pub const DEFAULT_MESH: &str = "default";

/// The namespace Kuma runs in on Kubernetes, `store.kubernetes.systemNamespace`
/// (`KUMA_STORE_KUBERNETES_SYSTEM_NAMESPACE`), whose default is `kuma-system` at every supported
/// release (`pkg/config/plugins/resources/k8s/config.go:11`): where Kuma's webhook admits
/// MeshMultiZoneServices and HostnameGenerators, and where a universal control plane puts a
/// namespaced type when a request names none (kuma-local has no such setting, so it is always
/// this).
pub const SYSTEM_NAMESPACE: &str = "kuma-system";

/// The VIP range a zone gives MeshMultiZoneServices unless configured otherwise (Kuma's
/// `ipam.meshMultiZoneService.cidr`, `KUMA_IPAM_MESH_MULTI_ZONE_SERVICE_CIDR`).
pub const MESH_MULTI_ZONE_SERVICE_CIDR: Ipv4Net =
    Ipv4Net::new_assert(Ipv4Addr::new(243, 0, 0, 0), 8);

/// The VIP range a zone gives MeshServices unless configured otherwise (Kuma's
/// `ipam.meshService.cidr`, `KUMA_IPAM_MESH_SERVICE_CIDR`).
pub const MESH_SERVICE_CIDR: Ipv4Net = Ipv4Net::new_assert(Ipv4Addr::new(241, 0, 0, 0), 8);

pub use crate::model::default_app_protocol;
