//! Ports: which port of a matched MeshService serves each MeshMultiZoneService port.
//!
//! Kuma's status updater does not look at ports at all; the pairing happens when the data plane
//! configuration is built (`pkg/xds/topology/outbound.go`, `fillMeshMultiZoneServices`):
//! - Kuma 3.0: `FindPortByName(mzsPort.GetName())`: the first MeshService port whose name equals
//!   the MZS port's section name (its name, or its number as decimal when unnamed), or whose
//!   number formatted as decimal equals it. So an MZS port named `http` does not pair with a
//!   MeshService port named `main`, even with the same number.
//! - Kuma 2.x: the first MeshService port with the same number.

use serde::{Deserialize, Serialize};

use crate::model::{KumaVersion, MeshServicePort, MzsPort};

/// The MeshService port serving `mzs_port`, if any.
pub(crate) fn serving_port<'a>(
    version: KumaVersion,
    mzs_port: &MzsPort,
    service_ports: &'a [MeshServicePort],
) -> Option<&'a MeshServicePort> {
    match version {
        v if v.pairs_ports_by_name() => {
            let section = mzs_port.section_name();
            service_ports.iter().find(|p| {
                p.name.as_deref() == Some(section.as_str()) || p.port.to_string() == section
            })
        }
        _ => service_ports.iter().find(|p| p.port == mzs_port.port),
    }
}

/// One MZS port and the matched MeshService ports that serve it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortPreview {
    /// Port number.
    pub port: i32,
    /// Section name: the port name, or its number as decimal (used in KRIs, SNIs, `sectionName`).
    pub section_name: String,
    /// Application protocol.
    pub app_protocol: String,
    /// Matched MeshServices (of the MZS's own mesh) with a serving port, in status order.
    pub served_by: Vec<ServingPort>,
}

/// A MeshService port serving an MZS port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServingPort {
    /// Display name of the MeshService.
    pub name: String,
    /// Its namespace, or empty.
    pub namespace: String,
    /// Its zone, or empty.
    pub zone: String,
    /// Its mesh.
    pub mesh: String,
    /// The serving port number.
    pub port: i32,
    /// The serving port's name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_name: Option<String>,
    /// The serving port's protocol (`tcp` when unset).
    pub app_protocol: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms_port(name: Option<&str>, port: i32) -> MeshServicePort {
        MeshServicePort {
            name: name.map(str::to_owned),
            port,
            target_port: None,
            app_protocol: None,
        }
    }

    fn mzs_port(name: Option<&str>, port: i32) -> MzsPort {
        MzsPort {
            name: name.map(str::to_owned),
            port,
            app_protocol: "tcp".to_owned(),
        }
    }

    #[test]
    fn kuma_3_pairs_by_section_name() {
        let ports = [ms_port(Some("main"), 80), ms_port(None, 6379)];
        // Named MZS port vs differently named MS port with the same number: no pairing.
        assert!(serving_port(KumaVersion::V3_0, &mzs_port(Some("http"), 80), &ports).is_none());
        // Unnamed MZS port 80 -> section "80" -> MS port number 80.
        assert_eq!(
            serving_port(KumaVersion::V3_0, &mzs_port(None, 80), &ports).map(|p| p.port),
            Some(80)
        );
        // Name equal to MS port name.
        assert_eq!(
            serving_port(KumaVersion::V3_0, &mzs_port(Some("main"), 8080), &ports).map(|p| p.port),
            Some(80)
        );
        // MZS port named with the number of an MS port.
        assert_eq!(
            serving_port(KumaVersion::V3_0, &mzs_port(Some("6379"), 1), &ports).map(|p| p.port),
            Some(6379)
        );
    }

    #[test]
    fn kuma_2_pairs_by_number() {
        let ports = [ms_port(Some("main"), 80)];
        assert_eq!(
            serving_port(KumaVersion::V2_14, &mzs_port(Some("http"), 80), &ports).map(|p| p.port),
            Some(80)
        );
        assert!(serving_port(KumaVersion::V2_14, &mzs_port(Some("main"), 81), &ports).is_none());
    }
}
