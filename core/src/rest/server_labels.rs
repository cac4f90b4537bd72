//! Labels a Kuma control plane writes on a resource itself (see [`crate::rest::compute_labels`]
//! for when each is set): front ends that manage resources hide them from a user's configuration
//! so they never cause a diff, unless the user sets one explicitly.

use crate::model::labels as label_keys;

/// Every label key Kuma may add on write (`kuma.io/origin`, `kuma.io/display-name`, ...), plus the
/// namespace label a Kubernetes zone adds.
pub(crate) const SERVER_WRITTEN_LABELS: [&str; 6] = [
    label_keys::ORIGIN,
    label_keys::DISPLAY_NAME,
    label_keys::MESH,
    label_keys::ZONE,
    label_keys::ENV,
    label_keys::NAMESPACE,
];

/// Whether Kuma may write `key` itself.
pub fn is_server_written(key: &str) -> bool {
    SERVER_WRITTEN_LABELS.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{KumaVersion, Labels, ResourceType};
    use crate::rest::{compute_labels, Mode};

    #[test]
    fn every_label_kuma_computes_is_listed() {
        let zone = Mode::Zone {
            name: "east".to_owned(),
            federated: true,
        };
        for mode in [Mode::Global, zone] {
            for resource_type in ResourceType::ALL {
                let labels = compute_labels(
                    &mode,
                    KumaVersion::V3_0,
                    resource_type,
                    Some("default"),
                    "redis",
                    Labels::new(),
                );
                for key in labels.keys() {
                    assert!(is_server_written(key), "{key} is not listed");
                }
            }
        }
        assert!(!is_server_written("team"));
    }
}
