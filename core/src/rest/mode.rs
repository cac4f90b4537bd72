//! Which control plane a request reaches (global or a zone) and which types it may write there
//! (§7.4).

use serde::{Deserialize, Serialize};

use super::{ApiError, GLOBAL_READ_ONLY_MESSAGE, ZONE_READ_ONLY_MESSAGE};
use crate::model::ResourceType;

/// Which kind of control plane answers the request; decides writability, origin labels and
/// label checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Mode {
    /// The global control plane.
    Global,
    /// A zone control plane.
    Zone {
        /// The zone name.
        name: String,
        /// Whether it is connected to a global control plane.
        federated: bool,
    },
}

impl Mode {
    /// `global` or `zone` (the `kuma.io/origin` value this CP writes).
    pub fn origin(&self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::Zone { .. } => "zone",
        }
    }

    /// The zone name, if a zone.
    pub fn zone_name(&self) -> Option<&str> {
        match self {
            Mode::Global => None,
            Mode::Zone { name, .. } => Some(name),
        }
    }

    /// The part of `GET /config` (the control plane's configuration, as Kuma shows it) that
    /// tells its mode: `mode`, and for a zone `multizone.zone.name` and
    /// `multizone.zone.globalAddress`, each left out when empty as Kuma leaves them out.
    /// `global_address` is where a federated zone reaches its global control plane (a
    /// placeholder when not known, so the view still reads back as federated).
    pub fn config_view(&self, global_address: Option<&str>) -> serde_json::Value {
        let mut zone = serde_json::Map::new();
        if let Mode::Zone { name, federated } = self {
            if !name.is_empty() {
                zone.insert(CONFIG_ZONE_NAME.into(), name.as_str().into());
            }
            match global_address.filter(|a| *federated && !a.is_empty()) {
                Some(address) => {
                    zone.insert(CONFIG_GLOBAL_ADDRESS.into(), address.into());
                }
                None if *federated => {
                    zone.insert(CONFIG_GLOBAL_ADDRESS.into(), "unknown".into());
                }
                None => {}
            }
        }
        serde_json::json!({
            "environment": "universal",
            "mode": self.origin(),
            "multizone": {"global": {}, "zone": zone},
        })
    }

    /// [`Mode::config_view`] with the settings a control plane has besides its mode, under
    /// Kuma's keys: the VIP ranges (`ipam.meshService.cidr`, `ipam.meshMultiZoneService.cidr`;
    /// master `pkg/config/app/kuma-cp/config.go` `IPAMConfig`, the same keys from 2.9) and
    /// whether token-less loopback requests act as admin (`apiServer.authn.localhostIsAdmin`,
    /// `pkg/config/api-server/config.go`). Settings a caller does not have are left out rather
    /// than made up. [`config_text`](super::config_text::config_text) writes it as Kuma's
    /// `GET /config` does (compact, in the Go structs' field order, which a `Value` cannot keep).
    pub fn config_view_with(
        &self,
        global_address: Option<&str>,
        mesh_service_cidr: &str,
        mzs_cidr: &str,
        localhost_is_admin: bool,
    ) -> serde_json::Value {
        let mut view = self.config_view(global_address);
        if let serde_json::Value::Object(map) = &mut view {
            map.insert(
                "ipam".to_owned(),
                serde_json::json!({
                    "meshService": {"cidr": mesh_service_cidr},
                    "meshMultiZoneService": {"cidr": mzs_cidr},
                }),
            );
            map.insert(
                "apiServer".to_owned(),
                serde_json::json!({"authn": {"localhostIsAdmin": localhost_is_admin}}),
            );
        }
        view
    }

    /// The mode a control plane's `GET /config` body tells (Kuma's `mode`, with `standalone`
    /// read as a zone on its own; a zone is federated when both its name and its global
    /// address are set). `None` when the body has no mode this toolkit knows.
    pub fn from_config(config: &serde_json::Value) -> Option<Mode> {
        let text = |pointer: &str| {
            config
                .pointer(pointer)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .unwrap_or_default()
                .to_owned()
        };
        let name = text("/multizone/zone/name");
        match text("/mode").as_str() {
            "global" => Some(Mode::Global),
            "zone" => Some(Mode::Zone {
                federated: !name.is_empty() && !text("/multizone/zone/globalAddress").is_empty(),
                name,
            }),
            "standalone" => Some(Mode::Zone {
                name,
                federated: false,
            }),
            _ => None,
        }
    }
}

/// `multizone.zone` keys of Kuma's configuration.
const CONFIG_ZONE_NAME: &str = "name";
const CONFIG_GLOBAL_ADDRESS: &str = "globalAddress";

/// Whether this control plane accepts PUT/DELETE for `resource_type`; the 405 otherwise.
pub fn check_writable(mode: &Mode, resource_type: ResourceType) -> Result<(), ApiError> {
    match mode {
        Mode::Global if resource_type == ResourceType::MeshService => {
            Err(ApiError::method_not_allowed(GLOBAL_READ_ONLY_MESSAGE))
        }
        Mode::Zone {
            federated: true, ..
        } if matches!(
            resource_type,
            ResourceType::MeshMultiZoneService | ResourceType::Mesh
        ) =>
        {
            Err(ApiError::method_not_allowed(ZONE_READ_ONLY_MESSAGE))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_view_names_the_vip_ranges_and_localhost_admin_as_kuma_does() {
        let view = Mode::Global.config_view_with(None, "241.0.0.0/8", "243.0.0.0/8", false);
        assert_eq!(view["ipam"]["meshService"]["cidr"], "241.0.0.0/8");
        assert_eq!(view["ipam"]["meshMultiZoneService"]["cidr"], "243.0.0.0/8");
        assert_eq!(view["apiServer"]["authn"]["localhostIsAdmin"], false);
        assert_eq!(Mode::from_config(&view), Some(Mode::Global));
    }

    #[test]
    fn the_mode_reads_back_from_the_config_kuma_shows() {
        let east = Mode::Zone {
            name: "east".into(),
            federated: true,
        };
        let view = east.config_view(Some("grpcs://global:5685"));
        assert_eq!(view["mode"], "zone");
        assert_eq!(view["multizone"]["zone"]["name"], "east");
        assert_eq!(
            view["multizone"]["zone"]["globalAddress"],
            "grpcs://global:5685"
        );
        assert_eq!(Mode::from_config(&view), Some(east));
        let solo = Mode::Zone {
            name: "solo".into(),
            federated: false,
        };
        let view = solo.config_view(None);
        // Kuma leaves an empty globalAddress out.
        assert!(view["multizone"]["zone"].get("globalAddress").is_none());
        assert_eq!(Mode::from_config(&view), Some(solo));
        assert_eq!(
            Mode::from_config(&Mode::Global.config_view(None)),
            Some(Mode::Global)
        );
        // Kuma's default mode is a zone without a name or global: on its own.
        assert_eq!(
            Mode::from_config(&serde_json::json!({"mode": "standalone"})),
            Some(Mode::Zone {
                name: String::new(),
                federated: false
            })
        );
        assert_eq!(
            Mode::from_config(&serde_json::json!({"hostname": "x"})),
            None
        );
    }
}
