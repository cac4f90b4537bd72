//! The parts of Kuma's OpenAPI schemas (rest.yaml of each type) that decoding enforces:
//! required fields, types, `minItems`, enums, int32, and `default`s. Field lists double as the
//! "known fields" of the unknown-field lint.

use crate::model::{KumaVersion, ResourceType};

/// A schema node.
#[derive(Debug)]
pub(crate) enum Schema {
    /// An object with known properties. `open`: unknown properties are kept and not linted
    /// (`x-kubernetes-preserve-unknown-fields`, or parts we do not model).
    Object {
        fields: &'static [Field],
        open: bool,
    },
    /// `additionalProperties: {type: string}`.
    StringMap,
    /// An array.
    Array {
        items: &'static Schema,
        min_items: usize,
    },
    /// A string, with an optional default and enum, and `minLength` (0: none).
    String {
        default: Option<&'static str>,
        enumeration: Option<&'static [&'static str]>,
        min_length: usize,
    },
    /// A string enum whose values differ by release: the [`KumaVersion`] method that lists them
    /// (the enum error lists the release's values).
    ReleaseEnum(fn(KumaVersion) -> &'static [&'static str]),
    /// `type: integer, format: int32`.
    Int32,
    /// `type: integer, format: int32` with `minimum` (and `maximum`), inclusive.
    BoundedInt32 { minimum: i64, maximum: Option<i64> },
    /// `type: integer` that Kuma reads as uint32.
    Uint32,
    /// `x-kubernetes-int-or-string`.
    IntOrString,
    /// `type: boolean`.
    Bool,
    /// Anything (kept as JSON).
    Any,
}

/// A property of an object.
#[derive(Debug)]
pub(crate) struct Field {
    pub name: &'static str,
    pub schema: &'static Schema,
    /// The first release whose schema requires the field (`None`: no release does).
    pub required_since: Option<KumaVersion>,
    /// The last release whose schema requires it (newer ones have it optional).
    pub required_until: KumaVersion,
    /// The first release whose schema has the field (older ones drop it on decode).
    pub since: KumaVersion,
    /// The last release whose schema has the field (newer ones drop it on decode; 3.0 dropped
    /// the 2.x-only ones).
    pub until: KumaVersion,
}

impl Field {
    /// Whether `version`'s schema has the field.
    pub(crate) fn exists_in(&self, version: KumaVersion) -> bool {
        self.since <= version && version <= self.until
    }

    /// Whether `version`'s schema requires the field.
    pub(crate) fn required_in(&self, version: KumaVersion) -> bool {
        self.required_since.is_some_and(|since| since <= version) && version <= self.required_until
    }

    /// The field only from `version` on.
    const fn since(mut self, version: KumaVersion) -> Self {
        self.since = version;
        self
    }

    /// The field only up to `version`.
    const fn until(mut self, version: KumaVersion) -> Self {
        self.until = version;
        self
    }

    /// Required only from `version` on (older schemas have it optional).
    const fn required_since(mut self, version: KumaVersion) -> Self {
        self.required_since = Some(version);
        self
    }

    /// Required only up to `version` (newer schemas have it optional).
    const fn required_until(mut self, version: KumaVersion) -> Self {
        self.required_until = version;
        self
    }
}

const fn f(name: &'static str, schema: &'static Schema) -> Field {
    Field {
        name,
        schema,
        required_since: None,
        required_until: KumaVersion::V3_0,
        since: KumaVersion::V2_9,
        until: KumaVersion::V3_0,
    }
}

/// An optional field that only Kuma 2.x has.
const fn f2(name: &'static str, schema: &'static Schema) -> Field {
    f(name, schema).until(KumaVersion::NEWEST_2X)
}

const fn req(name: &'static str, schema: &'static Schema) -> Field {
    f(name, schema).required_since(KumaVersion::V2_9)
}

const fn obj(fields: &'static [Field]) -> Schema {
    Schema::Object {
        fields,
        open: false,
    }
}

pub(crate) static STRING: Schema = Schema::String {
    default: None,
    enumeration: None,
    min_length: 0,
};
static APP_PROTOCOL: Schema = Schema::String {
    default: Some("tcp"),
    enumeration: None,
    min_length: 0,
};
static INT32: Schema = Schema::Int32;
static UINT32: Schema = Schema::Uint32;
static BOOL: Schema = Schema::Bool;
static ANY: Schema = Schema::Any;
static INT_OR_STRING: Schema = Schema::IntOrString;
pub(crate) static STRING_MAP: Schema = Schema::StringMap;
static STRING_LIST: Schema = Schema::Array {
    items: &STRING,
    min_items: 0,
};

static LABEL_SELECTOR: Schema = obj(&[f("matchLabels", &STRING_MAP)]);

// MeshMultiZoneService ----------------------------------------------------------------------

static MZS_PORT: Schema = obj(&[
    f("name", &STRING),
    req("port", &INT32),
    f("appProtocol", &APP_PROTOCOL),
]);
static MZS_PORTS: Schema = Schema::Array {
    items: &MZS_PORT,
    min_items: 1,
};
/// `matchLabels` is required up to 2.11 (v2.11.18 `schema.yaml:53-54`; optional from 2.12, where
/// the validator's `cannot be empty` answers a missing one).
static MZS_MESH_SERVICE_SELECTOR: Schema =
    obj(&[req("matchLabels", &STRING_MAP).required_until(KumaVersion::V2_11)]);
static MZS_SELECTOR: Schema = obj(&[req("meshService", &MZS_MESH_SERVICE_SELECTOR)]);
/// `ports` is required from 2.10 (v2.9.13 `schema.yaml:59-60` requires `selector` only, and
/// 2.9's validator answers `spec.ports: cannot be empty`).
pub(crate) static MZS_SPEC: Schema = obj(&[
    req("ports", &MZS_PORTS).required_since(KumaVersion::V2_10),
    req("selector", &MZS_SELECTOR),
]);

// MeshService ------------------------------------------------------------------------------

static MS_PORT: Schema = obj(&[
    f("appProtocol", &APP_PROTOCOL),
    f("name", &STRING),
    req("port", &INT32),
    f("targetPort", &INT_OR_STRING),
]);
static MS_PORTS: Schema = Schema::Array {
    items: &MS_PORT,
    min_items: 0,
};
static MS_SELECTOR: Schema = obj(&[
    // From 2.14; before, Kuma drops it and the selector selects by the other two only.
    f("dataplaneLabels", &LABEL_SELECTOR).since(KumaVersion::V2_14),
    f("dataplaneRef", &MS_DATAPLANE_REF),
    // Removed in 3.0: dropped on decode, so the MeshService selects nothing (Kuma warns).
    f2("dataplaneTags", &STRING_MAP),
]);
static MS_DATAPLANE_REF: Schema = obj(&[f("name", &STRING)]);
static MS_STATE: Schema = Schema::String {
    default: Some("Unavailable"),
    enumeration: Some(&["Available", "Unavailable"]),
    min_length: 0,
};
static IDENTITY_TYPE: Schema = Schema::ReleaseEnum(KumaVersion::mesh_service_identity_types);
static MS_IDENTITY: Schema = obj(&[req("type", &IDENTITY_TYPE), req("value", &STRING)]);
static MS_IDENTITIES: Schema = Schema::Array {
    items: &MS_IDENTITY,
    min_items: 0,
};
pub(crate) static MS_SPEC: Schema = obj(&[
    f("identities", &MS_IDENTITIES),
    f("ports", &MS_PORTS),
    f("selector", &MS_SELECTOR),
    f("state", &MS_STATE),
]);

// HostnameGenerator -----------------------------------------------------------------------

static HG_SELECTOR: Schema = obj(&[
    f("meshExternalService", &LABEL_SELECTOR),
    f("meshMultiZoneService", &LABEL_SELECTOR),
    f("meshService", &LABEL_SELECTOR),
]);
static HG_EXTENSION: Schema = obj(&[f("config", &ANY), req("type", &STRING)]);
pub(crate) static HG_SPEC: Schema = obj(&[
    // From 2.11 (earlier Go types have no such field: dropped on decode).
    f("extension", &HG_EXTENSION).since(KumaVersion::V2_11),
    f("selector", &HG_SELECTOR),
    // Optional (`omitempty`) until 2.11: the validator's `must not be empty` reports a missing
    // one there.
    f("template", &STRING).required_since(KumaVersion::V2_12),
]);

// MeshLoadBalancingStrategy -----------------------------------------------------------------

static PROXY_TYPE: Schema = string_enum(&["Sidecar", "Gateway"]);
static PROXY_TYPES: Schema = Schema::Array {
    items: &PROXY_TYPE,
    min_items: 0,
};
static PROXY_TYPES_2_9: Schema = Schema::Array {
    items: &PROXY_TYPE,
    min_items: 1,
};
// 3.0's TargetRef is `kind`, `labels` and `sectionName`; the rest is 2.x only.
static TARGET_REF: Schema = obj(&[
    // Optional in 2.9's schema: the validator's `must be defined` reports a missing one there.
    f("kind", &STRING).required_since(KumaVersion::V2_10),
    f("labels", &STRING_MAP),
    f2("mesh", &STRING),
    f2("name", &STRING),
    f2("namespace", &STRING),
    // 2.9's schema has `minItems: 1`; 2.10 dropped it (the validator reports an empty list).
    f("proxyTypes", &PROXY_TYPES_2_9).until(KumaVersion::V2_9),
    f2("proxyTypes", &PROXY_TYPES).since(KumaVersion::V2_10),
    f("sectionName", &STRING),
    f2("tags", &STRING_MAP),
]);
static AFFINITY_TAG: Schema = obj(&[req("key", &STRING), f("weight", &UINT32)]);
static AFFINITY_TAGS: Schema = Schema::Array {
    items: &AFFINITY_TAG,
    min_items: 0,
};
static LOCAL_ZONE: Schema = obj(&[f("affinityTags", &AFFINITY_TAGS)]);
static FAILOVER_TYPE: Schema = Schema::String {
    default: None,
    enumeration: Some(&["None", "Only", "Any", "AnyExcept"]),
    min_length: 0,
};
static FAILOVER_FROM: Schema = obj(&[req("zones", &STRING_LIST)]);
static FAILOVER_TO: Schema = obj(&[req("type", &FAILOVER_TYPE), f("zones", &STRING_LIST)]);
static FAILOVER: Schema = obj(&[f("from", &FAILOVER_FROM), req("to", &FAILOVER_TO)]);
static FAILOVERS: Schema = Schema::Array {
    items: &FAILOVER,
    min_items: 0,
};
static FAILOVER_THRESHOLD: Schema = obj(&[req("percentage", &INT_OR_STRING)]);
static CROSS_ZONE: Schema = obj(&[
    f("failover", &FAILOVERS),
    f("failoverThreshold", &FAILOVER_THRESHOLD),
]);
static LOCALITY_AWARENESS: Schema = obj(&[
    f("crossZone", &CROSS_ZONE),
    f("disabled", &BOOL),
    f("localZone", &LOCAL_ZONE),
]);
static LB_TYPE: Schema = Schema::String {
    default: None,
    enumeration: Some(&["RoundRobin", "LeastRequest", "RingHash", "Random", "Maglev"]),
    min_length: 0,
};
static HASH_FUNCTION: Schema = Schema::String {
    default: None,
    enumeration: Some(&["XXHash", "MurmurHash2"]),
    min_length: 0,
};
static EMPTY_OBJECT: Schema = obj(&[]);
// The bounds of the kubebuilder markers on these fields, the same in every release.
static CHOICE_COUNT: Schema = Schema::BoundedInt32 {
    minimum: 2,
    maximum: None,
};
static RING_SIZE: Schema = Schema::BoundedInt32 {
    minimum: 1,
    maximum: Some(8_000_000),
};
static TABLE_SIZE: Schema = Schema::BoundedInt32 {
    minimum: 1,
    maximum: Some(5_000_011),
};
static LEAST_REQUEST: Schema = obj(&[
    f("activeRequestBias", &INT_OR_STRING),
    f("choiceCount", &CHOICE_COUNT),
]);
// One `hashPolicies` item: the same schema at the root of `default` (2.12 on) and under
// ringHash/maglev (2.x), in every release but for the `type` enum.
static NAME: Schema = Schema::String {
    default: None,
    enumeration: None,
    min_length: 1,
};
static HASH_POLICY_NAME: Schema = obj(&[req("name", &NAME)]);
static HASH_POLICY_TYPE: Schema = Schema::ReleaseEnum(KumaVersion::hash_policy_types);
static HASH_POLICY: Schema = obj(&[
    f("connection", &CONNECTION),
    f("cookie", &COOKIE),
    f("filterState", &FILTER_STATE),
    f("header", &HASH_POLICY_NAME),
    f("queryParameter", &HASH_POLICY_NAME),
    f("terminal", &BOOL),
    // 2.10 to 2.14: the release's schema enum. 2.9's enum has no `Connection` and 3.0's none
    // of `SourceIP`, but Kuma's own validator tests at those releases hand such a type to the
    // validator (2.9's "ringHash error" expects `connection: must be defined`, 3.0's
    // `unrecognized type`), so there the `type` is left to the validator (README, Kuma releases).
    req("type", &STRING).until(KumaVersion::V2_9),
    req("type", &HASH_POLICY_TYPE)
        .since(KumaVersion::V2_10)
        .until(KumaVersion::NEWEST_2X),
    req("type", &STRING).since(KumaVersion::V3_0),
]);
static CONNECTION: Schema = obj(&[f("sourceIP", &BOOL)]);
static COOKIE: Schema = obj(&[req("name", &NAME), f("path", &STRING), f("ttl", &STRING)]);
static FILTER_STATE: Schema = obj(&[req("key", &NAME)]);
static HASH_POLICIES: Schema = Schema::Array {
    items: &HASH_POLICY,
    min_items: 0,
};
// `hashPolicies` under ringHash/maglev: deprecated in 2.x, removed in 3.0.
static RING_HASH: Schema = obj(&[
    f2("hashPolicies", &HASH_POLICIES),
    f("hashFunction", &HASH_FUNCTION),
    f("maxRingSize", &RING_SIZE),
    f("minRingSize", &RING_SIZE),
]);
static MAGLEV: Schema = obj(&[
    f2("hashPolicies", &HASH_POLICIES),
    f("tableSize", &TABLE_SIZE),
]);
static LOAD_BALANCER: Schema = obj(&[
    f("leastRequest", &LEAST_REQUEST),
    f("maglev", &MAGLEV),
    f("random", &EMPTY_OBJECT),
    f("ringHash", &RING_HASH),
    f("roundRobin", &EMPTY_OBJECT),
    req("type", &LB_TYPE),
]);
static MLBS_CONF: Schema = obj(&[
    // `default.hashPolicies` arrived in 2.12.
    f("hashPolicies", &HASH_POLICIES).since(KumaVersion::V2_12),
    f("loadBalancer", &LOAD_BALANCER),
    f("localityAwareness", &LOCALITY_AWARENESS),
]);
static MLBS_TO: Schema = obj(&[f("default", &MLBS_CONF), req("targetRef", &TARGET_REF)]);
static MLBS_TOS: Schema = Schema::Array {
    items: &MLBS_TO,
    min_items: 0,
};
pub(crate) static MLBS_SPEC: Schema = obj(&[f("targetRef", &TARGET_REF), f("to", &MLBS_TOS)]);

/// Mesh specs are not modelled: accept anything.
pub(crate) static MESH_SPEC: Schema = Schema::Object {
    fields: &[],
    open: true,
};

// REST items ---------------------------------------------------------------------------------
// The whole universal body the REST API checks (`components.schemas.<Type>Item`): meta, spec,
// and the output-only fields Kuma accepts on input and ignores (it copies only meta and spec).

const fn string_enum(values: &'static [&'static str]) -> Schema {
    Schema::String {
        default: None,
        enumeration: Some(values),
        min_length: 0,
    }
}

static DEFAULT_MESH: Schema = Schema::String {
    default: Some("default"),
    enumeration: None,
    min_length: 0,
};

const fn item(
    type_name: &'static Schema,
    mesh: &'static Schema,
    spec: &'static Schema,
) -> [Field; 10] {
    [
        req("type", type_name),
        req("name", &STRING),
        f("labels", &STRING_MAP),
        req("spec", spec),
        f("mesh", mesh),
        f("kri", &ANY),
        f("snis", &ANY),
        f("creationTime", &ANY),
        f("modificationTime", &ANY),
        f("status", &ANY),
    ]
}

static MZS_TYPE: Schema = string_enum(&["MeshMultiZoneService"]);
static MS_TYPE: Schema = string_enum(&["MeshService"]);
static HG_TYPE: Schema = string_enum(&["HostnameGenerator"]);
static MLBS_TYPE: Schema = string_enum(&["MeshLoadBalancingStrategy"]);

static MZS_ITEM: Schema = obj(&item(&MZS_TYPE, &DEFAULT_MESH, &MZS_SPEC));
static MS_ITEM: Schema = obj(&item(&MS_TYPE, &DEFAULT_MESH, &MS_SPEC));
static MLBS_ITEM: Schema = obj(&item(&MLBS_TYPE, &DEFAULT_MESH, &MLBS_SPEC));
// Global-scoped: `mesh` is accepted and ignored.
static HG_ITEM: Schema = obj(&item(&HG_TYPE, &ANY, &HG_SPEC));

/// The REST body schema of `resource_type`; `None` for Mesh (not modelled, taken as is).
pub(crate) fn rest_item(resource_type: ResourceType) -> Option<&'static Schema> {
    match resource_type {
        ResourceType::MeshMultiZoneService => Some(&MZS_ITEM),
        ResourceType::MeshService => Some(&MS_ITEM),
        ResourceType::HostnameGenerator => Some(&HG_ITEM),
        ResourceType::MeshLoadBalancingStrategy => Some(&MLBS_ITEM),
        ResourceType::Mesh => None,
    }
}

#[cfg(test)]
mod tests {
    //! The release differences of the schema slice, each checked at its release boundaries
    //! through `check()` (Kuma's schema texts, and the validator's where a schema leaves a field
    //! to it).
    use crate::model::KumaVersion::{self, *};
    use crate::text::diagnostics::Code;
    use crate::{check, CheckOptions};

    /// `(code, field, message)` of every diagnostic of `text` under `version`, warnings included.
    fn found(text: &str, version: KumaVersion) -> Vec<(Code, String, String)> {
        let options = CheckOptions {
            kuma_version: version,
            ..CheckOptions::default()
        };
        check(text, &options)
            .all_diagnostics()
            .map(|d| (d.code, d.field.clone(), d.message.clone()))
            .collect()
    }

    fn schema(field: &str, message: &str) -> (Code, String, String) {
        (Code::Schema, field.to_owned(), message.to_owned())
    }

    fn kuma(field: &str, message: &str) -> (Code, String, String) {
        (Code::Kuma, field.to_owned(), message.to_owned())
    }

    fn unknown(field: &str, message: &str) -> (Code, String, String) {
        (Code::UnknownField, field.to_owned(), message.to_owned())
    }

    const RELEASES_2X: [KumaVersion; 6] = [V2_9, V2_10, V2_11, V2_12, V2_13, V2_14];

    fn mlbs(spec: &str) -> String {
        format!("type: MeshLoadBalancingStrategy\nname: lb\nmesh: default\nspec:\n{spec}")
    }

    #[test]
    fn proxy_types_are_sidecar_or_gateway_in_every_2x_release() {
        let doc = mlbs(
            "  targetRef: {kind: Mesh, proxyTypes: [Sidecar, Foo]}
  to:
  - targetRef: {kind: MeshService, name: backend, proxyTypes: [Gatewy]}
    default: {loadBalancer: {type: Random}}
",
        );
        for version in RELEASES_2X {
            let errors: Vec<_> = found(&doc, version)
                .into_iter()
                .filter(|(code, ..)| *code == Code::Schema)
                .collect();
            assert_eq!(
                errors,
                [
                    schema(
                        "spec.targetRef.proxyTypes[1]",
                        "spec.targetRef.proxyTypes[1] in body should be one of [Sidecar Gateway]"
                    ),
                    schema(
                        "spec.to[0].targetRef.proxyTypes[0]",
                        "spec.to[0].targetRef.proxyTypes[0] in body should be one of [Sidecar Gateway]"
                    ),
                ],
                "{version}"
            );
        }
        // 3.0's targetRef has no proxyTypes: dropped, a warning.
        assert!(found(&doc, V3_0)
            .iter()
            .all(|(code, ..)| *code != Code::Schema));
    }

    #[test]
    fn an_empty_proxy_types_list_is_a_schema_error_in_2_9_only() {
        let doc = mlbs(
            "  targetRef: {kind: Mesh, proxyTypes: []}
  to:
  - targetRef: {kind: Mesh}
    default: {loadBalancer: {type: Random}}
",
        );
        assert_eq!(
            found(&doc, V2_9),
            [schema(
                "spec.targetRef.proxyTypes",
                "spec.targetRef.proxyTypes in body should have at least 1 items"
            )]
        );
        // From 2.10 the schema has no minItems and the validator reports it.
        for version in [V2_10, V2_14] {
            let all = found(&doc, version);
            assert!(
                all.iter()
                    .all(|(code, field, _)| *code == Code::Kuma
                        && field == "spec.targetRef.proxyTypes"),
                "{version}: {all:?}"
            );
            assert!(!all.is_empty(), "{version}");
        }
    }

    fn hash_policies(at: &str, policies: &str) -> String {
        let conf = match at {
            "root" => {
                format!("      hashPolicies: {policies}\n      loadBalancer: {{type: RingHash}}\n")
            }
            "ringHash" => {
                format!("      loadBalancer: {{type: RingHash, ringHash: {{hashPolicies: {policies}}}}}\n")
            }
            _ => format!(
                "      loadBalancer: {{type: Maglev, maglev: {{hashPolicies: {policies}}}}}\n"
            ),
        };
        mlbs(&format!(
            "  targetRef: {{kind: Mesh}}\n  to:\n  - targetRef: {{kind: Mesh}}\n    default:\n{conf}"
        ))
    }

    #[test]
    fn hash_policy_types_follow_each_2_10_to_2_14_schema_wherever_policies_are() {
        let policies = "[{type: Bogus}, {type: Connection, connection: {sourceIP: true}}]";
        let all_types = "[Header Cookie Connection SourceIP QueryParameter FilterState]";
        for version in [V2_10, V2_11, V2_12, V2_13, V2_14] {
            let places: &[(&str, &str)] = if version >= V2_12 {
                &[
                    ("root", "spec.to[0].default.hashPolicies"),
                    (
                        "ringHash",
                        "spec.to[0].default.loadBalancer.ringHash.hashPolicies",
                    ),
                    (
                        "maglev",
                        "spec.to[0].default.loadBalancer.maglev.hashPolicies",
                    ),
                ]
            } else {
                &[
                    (
                        "ringHash",
                        "spec.to[0].default.loadBalancer.ringHash.hashPolicies",
                    ),
                    (
                        "maglev",
                        "spec.to[0].default.loadBalancer.maglev.hashPolicies",
                    ),
                ]
            };
            for (at, path) in places {
                let errors: Vec<_> = found(&hash_policies(at, policies), version)
                    .into_iter()
                    .filter(|(code, ..)| *code != Code::Deprecated)
                    .collect();
                let field = format!("{path}[0].type");
                assert_eq!(
                    errors,
                    [schema(
                        &field,
                        &format!("{field} in body should be one of {all_types}")
                    )],
                    "{version} {at}"
                );
            }
        }
    }

    #[test]
    fn hash_policy_types_of_2_9_and_3_0_are_left_to_their_validators() {
        // Kuma's 2.9 schema lists no `Connection` and 3.0's no `SourceIP`, but Kuma's own
        // validator tests at those releases give such a policy to the validator: 2.9 checks that
        // a `Connection` policy has `connection`, and lets an unknown type through.
        let doc = hash_policies("ringHash", "[{type: Bogus}, {type: Connection}]");
        assert_eq!(
            found(&doc, V2_9),
            [kuma(
                "spec.to[0].default.loadBalancer.ringHash.hashPolicies[1].connection",
                "must be defined"
            )]
        );
        let doc = hash_policies("root", "[{type: SourceIP}]");
        assert_eq!(
            found(&doc, V3_0),
            [kuma(
                "spec.to[0].default.hashPolicies[0].type",
                "unrecognized type"
            )]
        );
    }

    const HG: &str = "type: HostnameGenerator\nname: hg\nspec:\n  selector: {meshService: {matchLabels: {app: a}}}\n";

    #[test]
    fn the_extension_field_arrived_in_2_11() {
        let doc =
            format!("{HG}  template: '{{{{ .DisplayName }}}}.mesh'\n  extension: {{config: 1}}\n");
        for version in [V2_9, V2_10] {
            assert_eq!(
                found(&doc, version),
                [unknown(
                    "spec.extension",
                    "unknown field `extension`; Kuma ignores it (new in Kuma 2.11; known fields: selector, template)"
                )],
                "{version}"
            );
        }
        for version in [V2_11, V2_14, V3_0] {
            assert_eq!(
                found(&doc, version),
                [schema(
                    "spec.extension.type",
                    "spec.extension.type in body is required"
                )],
                "{version}"
            );
        }
    }

    #[test]
    fn the_template_is_required_by_the_schema_from_2_12() {
        for version in [V2_9, V2_10, V2_11] {
            assert_eq!(
                found(HG, version),
                [kuma("spec.template", "must not be empty")],
                "{version}"
            );
        }
        for version in [V2_12, V2_14, V3_0] {
            assert_eq!(
                found(HG, version),
                [schema("spec.template", "spec.template in body is required")],
                "{version}"
            );
        }
    }

    #[test]
    fn a_mesh_service_selects_by_dataplane_labels_from_2_14() {
        let doc = "type: MeshService\nname: redis\nmesh: default\nspec:\n  selector:\n    dataplaneLabels: {matchLabels: 5}\n";
        let note = "unknown field `dataplaneLabels`; Kuma ignores it (new in Kuma 2.14; known fields: dataplaneRef, dataplaneTags)";
        for version in [V2_9, V2_13] {
            assert_eq!(
                found(doc, version),
                [unknown("spec.selector.dataplaneLabels", note)],
                "{version}"
            );
        }
        let field = "spec.selector.dataplaneLabels.matchLabels";
        for version in [V2_14, V3_0] {
            assert!(
                found(doc, version).contains(&schema(
                    field,
                    &format!("{field} in body must be of type object: \"number\"")
                )),
                "{version}"
            );
        }
    }

    #[test]
    fn a_target_ref_kind_is_required_by_the_schema_from_2_10() {
        let doc = mlbs(
            "  targetRef: {name: x}
  to:
  - targetRef: {}
    default: {loadBalancer: {type: Random}}
",
        );
        let errors = |version| -> Vec<_> {
            found(&doc, version)
                .into_iter()
                .filter(|(_, field, _)| field.ends_with(".kind"))
                .collect()
        };
        assert_eq!(
            errors(V2_9),
            [
                kuma("spec.targetRef.kind", "must be defined"),
                kuma("spec.to[0].targetRef.kind", "must be defined"),
            ]
        );
        for version in [V2_10, V2_14] {
            assert_eq!(
                errors(version),
                [
                    schema(
                        "spec.targetRef.kind",
                        "spec.targetRef.kind in body is required"
                    ),
                    schema(
                        "spec.to[0].targetRef.kind",
                        "spec.to[0].targetRef.kind in body is required"
                    ),
                ],
                "{version}"
            );
        }
    }
}
