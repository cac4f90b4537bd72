//! The parts of Kuma's OpenAPI schemas (rest.yaml of each type) that decoding enforces:
//! required fields, types, `minItems`, enums, int32, and `default`s. Field lists double as the
//! "known fields" of the unknown-field lint.

use crate::model::ResourceType;

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
    /// A string, with an optional default and enum.
    String {
        default: Option<&'static str>,
        enumeration: Option<&'static [&'static str]>,
    },
    /// `type: integer, format: int32`.
    Int32,
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
}

const fn f(name: &'static str, schema: &'static Schema) -> Field {
    Field {
        name,
        schema,
        required: false,
    }
}

const fn req(name: &'static str, schema: &'static Schema) -> Field {
    Field {
        name,
        schema,
        required: true,
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
};
static APP_PROTOCOL: Schema = Schema::String {
    default: Some("tcp"),
    enumeration: None,
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
    // 2.x only; kept so 2.x documents do not get an unknown-field warning.
    f("dataplaneTags", &STRING_MAP),
]);
static MS_DATAPLANE_REF: Schema = obj(&[f("name", &STRING)]);
static MS_STATE: Schema = Schema::String {
    default: Some("Unavailable"),
    enumeration: Some(&["Available", "Unavailable"]),
};
static SPIFFE_ID: Schema = Schema::String {
    default: None,
    enumeration: Some(&["SpiffeID"]),
};
static MS_IDENTITY: Schema = obj(&[req("type", &SPIFFE_ID), req("value", &STRING)]);
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

static TARGET_REF: Schema = obj(&[
    req("kind", &STRING),
    f("labels", &STRING_MAP),
    f("mesh", &STRING),
    f("name", &STRING),
    f("namespace", &STRING),
    f("proxyTypes", &STRING_LIST),
    f("sectionName", &STRING),
    f("tags", &STRING_MAP),
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
static MLBS_CONF: Schema = obj(&[
    f("hashPolicies", &ANY),
    f("loadBalancer", &ANY),
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
    }
}

static DEFAULT_MESH: Schema = Schema::String {
    default: Some("default"),
    enumeration: None,
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
