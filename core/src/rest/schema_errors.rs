//! The OpenAPI schema checks Kuma runs on a REST body before its Go validator: defaults first
//! (`appProtocol: tcp`, `mesh: default`), then structural validation with kube-openapi's message
//! texts (`spec.ports in body should have at least 1 items`).
//!
//! The schemas and the checker are the decoder's (`decode::schema`, `decode::walk`), so a body
//! sent to the REST API and the same resource written as YAML meet the same rules; this module
//! only adds the REST answer's shape (Kuma's ordering and field split).

use serde_json::Value;

use crate::model::ResourceType;
use crate::Violation;

/// Kuma's ordering and field split of schema errors (§2.3 step 2): sorted by message; an error
/// whose first word starts with `spec.` becomes `field = first word`, `message = rest`; any other
/// goes to field `""` with the whole text.
pub(crate) fn split_errors(mut errors: Vec<String>) -> Vec<Violation> {
    crate::text::sort::sort(&mut errors);
    errors.dedup();
    errors
        .into_iter()
        .map(|e| match e.split_once(' ') {
            Some((first, rest)) if first.starts_with("spec.") => Violation::new(first, rest),
            _ => Violation::new("", e),
        })
        .collect()
}

/// Defaults + validation for a REST body of `resource_type` (unknown properties pruned, as in a
/// structural schema), split the Kuma way. Mesh bodies are not modelled and always pass.
#[cfg(test)]
pub(crate) fn check(resource_type: ResourceType, body: &mut Value) -> Vec<Violation> {
    check_in(resource_type, body, crate::model::KumaVersion::default())
}

/// `check` (the default release) with `version`'s schema (3.0 prunes the fields only 2.x has).
pub(crate) fn check_in(
    resource_type: ResourceType,
    body: &mut Value,
    version: crate::model::KumaVersion,
) -> Vec<Violation> {
    // The read-only fields are in the same item schema; Kuma reports their errors with the spec's.
    let mut errors = super::read_only::schema_errors(resource_type, body, version);
    errors.extend(crate::decode::check_rest_body(resource_type, body, version));
    split_errors(errors)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    const MZS: ResourceType = ResourceType::MeshMultiZoneService;

    #[test]
    fn defaults_app_protocol_and_mesh() {
        let mut body = json!({"type":"MeshMultiZoneService","name":"a","spec":{
            "selector":{"meshService":{"matchLabels":{"a":"b"}}},"ports":[{"port":80}]}});
        let v = check(MZS, &mut body);
        assert!(v.is_empty(), "{v:?}");
        assert_eq!(body["spec"]["ports"][0]["appProtocol"], "tcp");
        assert_eq!(body["mesh"], "default");
    }

    #[test]
    fn kube_openapi_wording_and_split() {
        let mut body = json!({"type":"MeshMultiZoneService","name":"a","spec":{
            "selector":{"meshService":{}},"ports":[]}});
        let v = check(MZS, &mut body);
        assert_eq!(
            v,
            vec![Violation::new(
                "spec.ports",
                "in body should have at least 1 items"
            )]
        );
        let mut body = json!({"type":"Foo","name":"a"});
        let v = check(MZS, &mut body);
        assert_eq!(
            v,
            vec![
                Violation::new("", "spec in body is required"),
                Violation::new("", "type in body should be one of [MeshMultiZoneService]"),
            ]
        );
    }

    #[test]
    fn wrong_types_are_reported_with_path() {
        let mut body = json!({"type":"MeshMultiZoneService","name":"a","spec":{
            "selector":{"meshService":{"matchLabels":{"a":1}}},"ports":[{"port":"80"}]}});
        let v = check(MZS, &mut body);
        assert_eq!(
            v,
            vec![
                Violation::new(
                    "spec.ports[0].port",
                    "in body must be of type integer: \"string\""
                ),
                // Kuma reads the body into float64 numbers (its put_mtp_00 golden file says
                // `must be of type string: "number"` for `name: 2`).
                Violation::new(
                    "spec.selector.meshService.matchLabels.a",
                    "in body must be of type string: \"number\""
                ),
            ]
        );
    }

    #[test]
    fn integral_floats_are_integers_but_fractions_are_not() {
        let mut body = json!({"type":"MeshMultiZoneService","name":"a","spec":{
            "selector":{"meshService":{}},"ports":[{"port":80.0},{"port":80.5},{"port":3000000000u64}]}});
        let v = check(MZS, &mut body);
        assert_eq!(
            v,
            vec![
                Violation::new(
                    "spec.ports[1].port",
                    "in body must be of type integer: \"number\""
                ),
                Violation::new(
                    "spec.ports[2].port",
                    "in body must be of type int32: \"3000000000\""
                ),
            ]
        );
    }

    #[test]
    fn unknown_fields_are_pruned() {
        let mut body = json!({"type":"MeshMultiZoneService","name":"a","bogus":1,"spec":{
            "selector":{"meshService":{"matchLabels":{"a":"b"}}},"ports":[{"port":80,"targetPort":1}]}});
        assert!(check(MZS, &mut body).is_empty());
        assert!(body.get("bogus").is_none());
        assert!(body["spec"]["ports"][0].get("targetPort").is_none());
        assert_eq!(body["spec"]["ports"][0]["port"], 80);
    }

    #[test]
    fn mesh_service_gets_the_same_defaults_as_a_yaml_file() {
        // One schema for files and REST: MeshService ports default to tcp, state to Unavailable.
        let mut body =
            json!({"type":"MeshService","name":"redis","spec":{"ports":[{"port":6379}]}});
        assert!(check(ResourceType::MeshService, &mut body).is_empty());
        assert_eq!(body["spec"]["ports"][0]["appProtocol"], "tcp");
        assert_eq!(body["spec"]["state"], "Unavailable");
        assert_eq!(body["mesh"], "default");
    }

    #[test]
    fn mesh_bodies_pass_unchanged() {
        let mut body = json!({"type":"Mesh","name":"default","anything":{"x":1}});
        let before = body.clone();
        assert!(check(ResourceType::Mesh, &mut body).is_empty());
        assert_eq!(body, before);
    }
}
