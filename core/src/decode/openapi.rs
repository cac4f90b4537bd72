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
    pub required: bool,
    /// Only Kuma 2.x has the field; 3.0 drops it on decode (an unknown field).
    pub only_2x: bool,
    /// The first release whose schema has the field (older ones drop it on decode).
    pub since: KumaVersion,
}

impl Field {
    /// Whether `version`'s schema has the field.
    pub(crate) fn exists_in(&self, version: KumaVersion) -> bool {
        (!self.only_2x || version.is_2x()) && version >= self.since
    }
}

const fn f(name: &'static str, schema: &'static Schema) -> Field {
    Field {
        name,
        schema,
        required: false,
        only_2x: false,
        since: KumaVersion::V2_9,
    }
}

/// An optional field that only Kuma 2.x has.
const fn f2(name: &'static str, schema: &'static Schema) -> Field {
    Field {
        name,
        schema,
        required: false,
        only_2x: true,
        since: KumaVersion::V2_9,
    }
}

const fn req(name: &'static str, schema: &'static Schema) -> Field {
    Field {
        name,
        schema,
        required: true,
        only_2x: false,
        since: KumaVersion::V2_9,
    }
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
static MZS_SELECTOR: Schema = obj(&[req("meshService", &LABEL_SELECTOR)]);
pub(crate) static MZS_SPEC: Schema =
    obj(&[req("ports", &MZS_PORTS), req("selector", &MZS_SELECTOR)]);

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
    f("dataplaneLabels", &LABEL_SELECTOR),
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
    f("extension", &HG_EXTENSION),
    f("selector", &HG_SELECTOR),
    req("template", &STRING),
]);

// MeshLoadBalancingStrategy -----------------------------------------------------------------

// 3.0's TargetRef is `kind`, `labels` and `sectionName`; the rest is 2.x only.
static TARGET_REF: Schema = obj(&[
    req("kind", &STRING),
    f("labels", &STRING_MAP),
    f2("mesh", &STRING),
    f2("name", &STRING),
    f2("namespace", &STRING),
    f2("proxyTypes", &STRING_LIST),
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
// Kuma's schema also lists the `type` values (per release); left to the validator here, whose
// `unrecognized type` is what Kuma's own validator tests expect (see README, deviations).
static HASH_POLICY_NAME: Schema = obj(&[req("name", &NAME)]);
static HASH_POLICY: Schema = obj(&[
    f("connection", &CONNECTION),
    f("cookie", &COOKIE),
    f("filterState", &FILTER_STATE),
    f("header", &HASH_POLICY_NAME),
    f("queryParameter", &HASH_POLICY_NAME),
    f("terminal", &BOOL),
    req("type", &STRING),
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
    Field {
        since: KumaVersion::V2_12,
        ..f("hashPolicies", &HASH_POLICIES)
    },
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
