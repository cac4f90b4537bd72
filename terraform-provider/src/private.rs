//! The private bytes Terraform keeps beside a resource instance and hands back to the provider.
//!
//! They carry one thing: while a plan replaces an object, which object that is. Terraform plans
//! a replacement (`-replace`, `replace_triggered_by`, a change that forces replacement) in two
//! calls: first with the prior state, then, for the new object, with a null prior state and the
//! private bytes the first call planned (`PriorPrivate: plannedPrivate` in Terraform's
//! `NodeAbstractResourceInstance.plan`, the same in 1.0 and 1.11). Without a mark the second
//! call cannot tell "this workspace's own object, about to be deleted" from "someone else's
//! object of that name", and a plan-time "already exists" check would refuse every replacement.
//!
//! Format: empty (what every state written before this mark existed holds), or a JSON object
//! whose `replacing` member names the object. Bytes that are not such an object are kept as
//! they are and never marked. The mark never reaches a state: apply and refresh drop it.

use serde_json::{Map, Value};

const KEY: &str = "replacing";

fn object(private: &[u8]) -> Option<Map<String, Value>> {
    if private.is_empty() {
        return Some(Map::new());
    }
    match serde_json::from_slice(private) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

fn bytes(map: Map<String, Value>, original: &[u8]) -> Vec<u8> {
    if map.is_empty() {
        return Vec::new();
    }
    serde_json::to_vec(&Value::Object(map)).unwrap_or_else(|_| original.to_vec())
}

/// `private` with a mark naming the object `id` of `type_name` (in place of any earlier mark).
pub fn mark(private: &[u8], type_name: &str, id: &str) -> Vec<u8> {
    let Some(mut map) = object(private) else {
        return private.to_vec();
    };
    map.insert(
        KEY.to_owned(),
        serde_json::json!({ "type": type_name, "id": id }),
    );
    bytes(map, private)
}

/// The id of the `type_name` object `private` marks as being replaced.
pub fn marked(private: &[u8], type_name: &str) -> Option<String> {
    let map = object(private)?;
    let mark = map.get(KEY)?;
    (mark.get("type")?.as_str()? == type_name)
        .then(|| mark.get("id")?.as_str().map(str::to_owned))
        .flatten()
}

/// `private` without the mark.
pub fn unmark(private: &[u8]) -> Vec<u8> {
    match object(private) {
        Some(mut map) => match map.remove(KEY) {
            Some(_) => bytes(map, private),
            None => private.to_vec(),
        },
        None => private.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_names_one_object_of_one_type_and_leaves_no_trace_when_dropped() {
        let marked_bytes = mark(&[], "kuma_mesh_multi_zone_service", "default/tx");
        assert_eq!(
            marked(&marked_bytes, "kuma_mesh_multi_zone_service").as_deref(),
            Some("default/tx")
        );
        assert_eq!(marked(&marked_bytes, "kuma_hostname_generator"), None);
        // States written before the mark existed hold empty private bytes: unchanged.
        assert_eq!(unmark(&marked_bytes), Vec::<u8>::new());
        assert_eq!(unmark(&[]), Vec::<u8>::new());
        assert_eq!(marked(&[], "kuma_mesh_multi_zone_service"), None);
    }

    #[test]
    fn other_private_content_is_kept() {
        let other = br#"{"other":1}"#;
        let marked_bytes = mark(other, "t", "x");
        assert_eq!(marked(&marked_bytes, "t").as_deref(), Some("x"));
        let back: Value = serde_json::from_slice(&unmark(&marked_bytes)).unwrap_or_default();
        assert_eq!(back, serde_json::json!({ "other": 1 }));
        // Bytes that are not a JSON object are never marked nor changed.
        assert_eq!(mark(b"\x00raw", "t", "x"), b"\x00raw".to_vec());
        assert_eq!(unmark(b"\x00raw"), b"\x00raw".to_vec());
        // A remark replaces the earlier mark.
        assert_eq!(
            marked(&mark(&marked_bytes, "t", "y"), "t").as_deref(),
            Some("y")
        );
    }
}
