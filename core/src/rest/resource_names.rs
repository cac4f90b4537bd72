//! A resource's KRI and the SNIs it answers on.

use serde::{Deserialize, Serialize};

use super::kri;
use crate::model::{Resource, Spec};

/// The resource's KRI (`kri_mzsvc_default___redis_`), without section.
pub fn resource_kri(resource: &Resource) -> String {
    let meta = &resource.meta;
    kri::kri(
        resource.resource_type().short_name(),
        &meta.mesh,
        meta.zone(),
        meta.namespace(),
        meta.display_name(),
        "",
    )
}

/// `snis` of a destination resource: one per port, whatever its name, sorted by port (Kuma's
/// `computeSNIs`).
pub(crate) fn resource_snis(resource: &Resource) -> Vec<SniEntry> {
    let ports: Vec<(i32, String)> = match &resource.spec {
        Spec::MeshMultiZoneService(s) => {
            s.ports.iter().map(|p| (p.port, p.section_name())).collect()
        }
        Spec::MeshService(s) => s.ports.iter().map(|p| (p.port, p.section_name())).collect(),
        _ => return Vec::new(),
    };
    let meta = &resource.meta;
    let mut entries: Vec<SniEntry> = ports
        .into_iter()
        .map(|(port, section)| SniEntry {
            port,
            sni: kri::sni(
                resource.resource_type().short_name(),
                &meta.mesh,
                meta.zone(),
                meta.namespace(),
                meta.display_name(),
                &section,
            ),
        })
        .collect();
    crate::text::sort::sort_by_key(&mut entries, |e| e.port);
    entries
}

/// An entry of `snis`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SniEntry {
    /// Port number.
    pub port: i32,
    /// The SNI.
    pub sni: String,
}
