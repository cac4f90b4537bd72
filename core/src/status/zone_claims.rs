//! What a zone that already holds some hostnames writes for a new MeshMultiZoneService.
//!
//! A zone gives a hostname to one service of a mesh only: a service whose generator renders a
//! hostname another service of the mesh already holds gets no address for it and a `Generated`
//! condition `False` with reason `Collision` (see [`crate::status::hostnames`]). A preview computed
//! from the global control plane does not see the zones' holdings; [`with_claims`] applies them to
//! a previewed status once they have been read from the zone.

use std::collections::BTreeMap;

use crate::model::{Condition, MzsStatus, ResourceType};
use crate::status::hostnames::{collision_message, CONDITION_GENERATED, REASON_COLLISION};

/// `status` of the MZS `name` as the zone will write it, given the hostnames other services of
/// its mesh hold there (`claimed`: hostname -> holder's display name); also returns each lost
/// hostname with its holder.
pub fn with_claims(
    status: &MzsStatus,
    name: &str,
    claimed: &BTreeMap<String, String>,
) -> (MzsStatus, Vec<(String, String)>) {
    let mut out = status.clone();
    let mut lost = Vec::new();
    out.addresses.retain(|address| {
        let Some(hostname) = &address.hostname else {
            return true;
        };
        let Some(holder) = claimed.get(hostname).filter(|h| h.as_str() != name) else {
            return true;
        };
        lost.push((hostname.clone(), holder.clone()));
        if let Some(generator) = &address.hostname_generator_ref {
            for entry in &mut out.hostname_generators {
                if entry.hostname_generator_ref.core_name == generator.core_name {
                    entry.conditions = vec![Condition {
                        condition_type: CONDITION_GENERATED.to_owned(),
                        status: "False".to_owned(),
                        reason: REASON_COLLISION.to_owned(),
                        message: collision_message(ResourceType::MeshMultiZoneService, name),
                    }];
                }
            }
        }
        false
    });
    (out, lost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, HostnameGeneratorRef, HostnameGeneratorStatus};

    #[test]
    fn a_hostname_held_by_another_service_is_lost_with_kumas_collision_condition() {
        let reference = HostnameGeneratorRef {
            core_name: "short".to_owned(),
        };
        let status = MzsStatus {
            addresses: vec![Address {
                hostname: Some("redis.mzs".to_owned()),
                origin: None,
                hostname_generator_ref: Some(reference.clone()),
            }],
            hostname_generators: vec![HostnameGeneratorStatus {
                hostname_generator_ref: reference,
                conditions: Vec::new(),
            }],
            ..MzsStatus::default()
        };
        let claimed = BTreeMap::from([("redis.mzs".to_owned(), "old-redis".to_owned())]);
        let (written, lost) = with_claims(&status, "redis", &claimed);
        assert!(written.addresses.is_empty());
        assert_eq!(lost, vec![("redis.mzs".to_owned(), "old-redis".to_owned())]);
        assert_eq!(
            written.hostname_generators[0].conditions[0].reason,
            REASON_COLLISION
        );
        let (kept, lost) = with_claims(&status, "redis", &BTreeMap::new());
        assert_eq!(kept, status);
        assert!(lost.is_empty());
    }
}
