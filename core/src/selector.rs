//! Label selectors, with Kuma's two matching semantics.

use crate::model::Labels;

/// The MZS status updater's rule: every `(k, v)` of the selector equals the label value, a missing
/// label reading as `""` (so `k: ""` matches a missing label).
pub fn mzs_matches(selector: &Labels, labels: &Labels) -> bool {
    selector
        .iter()
        .all(|(k, v)| labels.get(k).map(String::as_str).unwrap_or("") == v)
}

/// The generic `LabelSelector.Matches` rule (HostnameGenerators): every key must be present with
/// an equal value; an empty selector matches everything.
pub fn matches(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}
