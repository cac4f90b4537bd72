//! The status layer: what a zone's control plane computes for the resources it holds. Label
//! selectors and their indexes, VIP allocation, hostname generation, port matching, the traffic
//! split, the incremental MZS and MeshService status engines, `preview()` (one MZS engine per
//! zone), and the facts a planning front end asks before anything exists (the VIP and hostnames
//! a zone will hand a new MZS, which computed values an update can change).

pub(crate) mod hostnames;
pub(crate) mod load_balancing;
pub(crate) mod mesh_service_status;
pub(crate) mod ports;
pub(crate) mod preview;
pub(crate) mod selector;
pub(crate) mod status_dependencies;
pub(crate) mod vips;
pub(crate) mod zone_claims;
pub(crate) mod zone_vip;
