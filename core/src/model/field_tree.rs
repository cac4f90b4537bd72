//! The documented field tree of every resource kind, in both document shapes.
//!
//! One static field tree per kind ([`kind`]) is the single source of truth for four consumers:
//! the JSON Schemas handed to generic YAML tooling (monaco-yaml, yaml-language-server) via
//! [`crate::editor::json_schema`], the hover and completion of [`crate::editor::ide`] (our own
//! language server and the playground), and the nearest-value quick fixes `check()` attaches
//! ([`crate::decode::value_fixes`]); that last one is why the tree sits in the model layer. The
//! facts (field names, types, defaults, required fields, enum values) come from
//! Kuma's OpenAPI schemas (`rest.yaml`) and CRDs; the prose is ours.
//!
//! Beyond Kuma's schema, `spec.ports[].appProtocol` lists the protocols Kuma's validator accepts
//! as an `enum` (Kuma's schema only says `string`, so its schema layer lets `htpp` through and the
//! validator rejects it later); editors can then flag it while typing.

use crate::model::{KumaVersion, ResourceType};
use crate::Shape;

/// The type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A string.
    String,
    /// A 32-bit integer.
    Int32,
    /// A boolean.
    Boolean,
    /// An integer or a string (Kubernetes `IntOrString`).
    IntOrString,
    /// An object with known fields; other fields are unknown (a typo, usually).
    Object(&'static [Field]),
    /// A map of strings to strings (labels, `matchLabels`).
    StringMap,
    /// A list of values of one type.
    Array(&'static Ty),
    /// Anything (free-form configuration Kuma does not look into here).
    Any,
}

impl Ty {
    /// A short name for hovers (`string`, `integer (int32)`, `object`, `array of object`, ...).
    pub(crate) fn describe(&self) -> String {
        match self {
            Ty::String => "string".to_owned(),
            Ty::Int32 => "integer (int32)".to_owned(),
            Ty::Boolean => "boolean".to_owned(),
            Ty::IntOrString => "integer or string".to_owned(),
            Ty::Object(_) => "object".to_owned(),
            Ty::StringMap => "map of string to string".to_owned(),
            Ty::Array(item) => format!("array of {}", item.describe()),
            Ty::Any => "any".to_owned(),
        }
    }
}

/// One documented field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    /// The key as written in YAML/JSON.
    pub name: &'static str,
    /// What the field means (Markdown).
    pub doc: &'static str,
    /// Its type.
    pub ty: Ty,
    /// Whether Kuma's schema requires it (from [`Field::required_since`] on).
    pub required: bool,
    /// The first release whose schema requires a required field.
    pub required_since: KumaVersion,
    /// The last release whose schema requires it.
    pub required_until: KumaVersion,
    /// Allowed values (empty: any value of the type).
    pub values: &'static [&'static str],
    /// The [`KumaVersion`] method that lists the allowed values when they differ by release
    /// (`values` then holds the default release's).
    pub release_values: Option<ReleaseValues>,
    /// Inclusive bounds of an integer (Kuma's schema `minimum`, `maximum`).
    pub bounds: Option<(i64, Option<i64>)>,
    /// Schema default, as YAML text.
    pub default: Option<&'static str>,
    /// Set by the control plane; ignored on input.
    pub read_only: bool,
    /// Only Kuma 2.x has it (3.0's schema does not).
    pub kuma_2x_only: bool,
    /// The first release whose schema has it.
    pub since: KumaVersion,
}

/// `doc`, or nothing in a build without the `field-docs` feature: only the editor features (hover,
/// completion, the JSON Schemas) show docs, and leaving them out keeps about 2 KB of text out of
/// the npm package's main WebAssembly module.
const fn documented(doc: &'static str) -> &'static str {
    if cfg!(feature = "field-docs") {
        doc
    } else {
        ""
    }
}

impl Field {
    const fn new(name: &'static str, ty: Ty, doc: &'static str) -> Self {
        Self {
            name,
            doc: documented(doc),
            ty,
            required: false,
            required_since: KumaVersion::V2_9,
            required_until: KumaVersion::V3_0,
            values: &[],
            release_values: None,
            bounds: None,
            default: None,
            read_only: false,
            kuma_2x_only: false,
            since: KumaVersion::V2_9,
        }
    }

    const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Required from `version` on (optional in older schemas).
    const fn required_since(mut self, version: KumaVersion) -> Self {
        self.required = true;
        self.required_since = version;
        self
    }

    /// Required up to `version` only (optional in newer schemas).
    const fn required_until(mut self, version: KumaVersion) -> Self {
        self.required = true;
        self.required_until = version;
        self
    }

    /// Whether `version`'s schema requires the field.
    pub(crate) fn required_in(&self, version: KumaVersion) -> bool {
        self.required && version >= self.required_since && version <= self.required_until
    }

    const fn values(mut self, values: &'static [&'static str]) -> Self {
        self.values = values;
        self
    }

    /// Values that differ by release (`values` holds the default release's, 3.0).
    const fn release_values(mut self, values: ReleaseValues) -> Self {
        self.values = values.in_release(KumaVersion::V3_0);
        self.release_values = Some(values);
        self
    }

    const fn bounds(mut self, minimum: i64, maximum: Option<i64>) -> Self {
        self.bounds = Some((minimum, maximum));
        self
    }

    const fn default(mut self, default: &'static str) -> Self {
        self.default = Some(default);
        self
    }

    const fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    const fn kuma_2x_only(mut self) -> Self {
        self.kuma_2x_only = true;
        self
    }

    const fn since(mut self, version: KumaVersion) -> Self {
        self.since = version;
        self
    }

    /// Whether the field exists in `version`'s schema.
    pub(crate) fn exists_in(&self, version: KumaVersion) -> bool {
        (!self.kuma_2x_only || version.is_2x()) && version >= self.since
    }

    /// Allowed values for `version` (adds `kafka` to `appProtocol` in Kuma 2.x).
    pub(crate) fn values_for(&self, version: KumaVersion) -> Vec<&'static str> {
        // 3.0 lists them only on an MZS port (a MeshService's is free text there); every 2.x
        // schema lists them on both.
        if self.name == "appProtocol" && (version.allows_kafka() || !self.values.is_empty()) {
            return version.app_protocols().to_vec();
        }
        if let Some(values) = self.release_values {
            return values.in_release(version).to_vec();
        }
        self.values.to_vec()
    }
}

/// A value list that differs by release, each from its [`KumaVersion`] method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReleaseValues {
    /// MeshService `spec.identities[].type`.
    MeshServiceIdentityTypes,
    /// MeshLoadBalancingStrategy `hashPolicies[].type`.
    HashPolicyTypes,
}

impl ReleaseValues {
    const fn in_release(self, version: KumaVersion) -> &'static [&'static str] {
        match self {
            Self::MeshServiceIdentityTypes => version.mesh_service_identity_types(),
            Self::HashPolicyTypes => version.hash_policy_types(),
        }
    }
}

/// `appProtocol`'s values in the default release (3.0); [`Field::values_for`] gives each
/// release's.
const APP_PROTOCOLS: &[&str] = KumaVersion::V3_0.app_protocols();

const MATCH_LABELS: &[Field] = &[Field::new(
    "matchLabels",
    Ty::StringMap,
    "Labels a resource must carry, all of them, with equal values.",
)];

// --- MeshMultiZoneService -----------------------------------------------------------------------

const MZS_PORT: &[Field] = &[
    Field::new(
        "name",
        Ty::String,
        "Optional port name; must not be empty when given. Policies and `sectionName` refer to the \
         port by this name, else by its number.",
    ),
    Field::new(
        "port",
        Ty::Int32,
        "Port number. An MeshService port with the same name (3.0) or number (2.x) is matched \
         in every selected MeshService.",
    )
    .required(),
    Field::new(
        "appProtocol",
        Ty::String,
        "Application protocol of the port.",
    )
    .values(APP_PROTOCOLS)
    .default("tcp"),
];

/// Required by the schema up to 2.11; from 2.12 the validator's `cannot be empty` answers a
/// missing one.
const MZS_MATCH_LABELS: &[Field] = &[Field::new(
    "matchLabels",
    Ty::StringMap,
    "Labels a resource must carry, all of them, with equal values.",
)
.required_until(KumaVersion::V2_11)];

const MZS_SELECTOR: &[Field] = &[Field::new(
    "meshService",
    Ty::Object(MZS_MATCH_LABELS),
    "Selects MeshServices by label, in every zone. `matchLabels` must not be empty.",
)
.required()];

const MZS_SPEC: &[Field] = &[
    Field::new(
        "selector",
        Ty::Object(MZS_SELECTOR),
        "Which MeshServices this service groups.",
    )
    .required(),
    Field::new(
        "ports",
        Ty::Array(&Ty::Object(MZS_PORT)),
        "Ports the service exposes; at least one.",
    )
    .required_since(KumaVersion::V2_10),
];

// --- MeshService --------------------------------------------------------------------------------

const MS_PORT: &[Field] = &[
    Field::new("name", Ty::String, "Optional port name."),
    Field::new("port", Ty::Int32, "Port number clients connect to.").required(),
    Field::new(
        "targetPort",
        Ty::IntOrString,
        "Port (number or name) on the dataplane that receives the traffic.",
    ),
    Field::new(
        "appProtocol",
        Ty::String,
        "Application protocol of the port.",
    )
    .default("tcp"),
];

const MS_DATAPLANE_REF: &[Field] = &[Field::new("name", Ty::String, "Dataplane name.")];

const MS_SELECTOR: &[Field] = &[
    Field::new(
        "dataplaneLabels",
        Ty::Object(MATCH_LABELS),
        "Selects the dataplanes backing the service by label (Kuma 2.14 and later).",
    )
    .since(KumaVersion::V2_14),
    Field::new(
        "dataplaneRef",
        Ty::Object(MS_DATAPLANE_REF),
        "Selects one dataplane by name.",
    ),
    Field::new(
        "dataplaneTags",
        Ty::StringMap,
        "Kuma 2.x: selects the dataplanes by their inbound tags (e.g. `kuma.io/service`); \
         Kuma 3.0 selects with `dataplaneLabels` or `dataplaneRef`.",
    )
    .kuma_2x_only(),
];

const MS_IDENTITY: &[Field] = &[
    Field::new("type", Ty::String, "Identity type.")
        .required()
        .release_values(ReleaseValues::MeshServiceIdentityTypes),
    Field::new("value", Ty::String, "The identity.").required(),
];

const MS_SPEC: &[Field] = &[
    Field::new(
        "selector",
        Ty::Object(MS_SELECTOR),
        "Which dataplanes implement the service.",
    ),
    Field::new(
        "ports",
        Ty::Array(&Ty::Object(MS_PORT)),
        "Ports of the service.",
    ),
    Field::new(
        "state",
        Ty::String,
        "`Available` when at least one endpoint is healthy. A remote MeshService that is \
         `Unavailable` gets no traffic through a MeshMultiZoneService.",
    )
    .values(&["Available", "Unavailable"])
    .default("Unavailable"),
    Field::new(
        "identities",
        Ty::Array(&Ty::Object(MS_IDENTITY)),
        "Identities of the service's workloads.",
    ),
];

// --- HostnameGenerator --------------------------------------------------------------------------

const HG_SELECTOR: &[Field] = &[
    Field::new(
        "meshService",
        Ty::Object(MATCH_LABELS),
        "Generate hostnames for MeshServices with these labels.",
    ),
    Field::new(
        "meshExternalService",
        Ty::Object(MATCH_LABELS),
        "Generate hostnames for MeshExternalServices with these labels.",
    ),
    Field::new(
        "meshMultiZoneService",
        Ty::Object(MATCH_LABELS),
        "Generate hostnames for MeshMultiZoneServices with these labels.",
    ),
];

const HG_EXTENSION: &[Field] = &[
    Field::new("type", Ty::String, "Extension type; must not be empty.").required(),
    Field::new(
        "config",
        Ty::Any,
        "Free-form configuration of the extension.",
    ),
];

const HG_SPEC: &[Field] = &[
    Field::new(
        "selector",
        Ty::Object(HG_SELECTOR),
        "Exactly one selector must be set.",
    ),
    Field::new(
        "template",
        Ty::String,
        "Go template rendering the hostname, e.g. `{{ .DisplayName }}.mzsvc.mesh.local`. \
         Fields: `.Name`, `.DisplayName`, `.Namespace`, `.Mesh`, `.Zone`; function `label \"key\"`. \
         The result must be a lowercase RFC 1123 subdomain.",
    )
    .required_since(KumaVersion::V2_12),
    Field::new(
        "extension",
        Ty::Object(HG_EXTENSION),
        "Plugin configuration (Kuma 2.11 and later).",
    )
    .since(KumaVersion::V2_11),
];

// --- MeshLoadBalancingStrategy ------------------------------------------------------------------

const TARGET_REF: &[Field] = &[
    Field::new("kind", Ty::String, "Kind of the referenced resource.")
        .required_since(KumaVersion::V2_10)
        .values(&[
            "Mesh",
            "Dataplane",
            "MeshService",
            "MeshExternalService",
            "MeshMultiZoneService",
            "MeshHTTPRoute",
        ]),
    Field::new(
        "name",
        Ty::String,
        "Kuma 2.x: name of the referenced resource (3.0 selects with `labels`).",
    )
    .kuma_2x_only(),
    Field::new(
        "namespace",
        Ty::String,
        "Kuma 2.x: namespace of the referenced resource.",
    )
    .kuma_2x_only(),
    Field::new(
        "labels",
        Ty::StringMap,
        "Labels of the referenced resource (3.0 style, e.g. `kuma.io/display-name`).",
    ),
    Field::new(
        "sectionName",
        Ty::String,
        "One port of the destination, by name or number.",
    ),
    Field::new(
        "mesh",
        Ty::String,
        "Mesh of the referenced resource (Kuma 2.x; defaults to the policy's mesh).",
    )
    .kuma_2x_only(),
    Field::new(
        "tags",
        Ty::StringMap,
        "Kuma 2.x: tags of the referenced proxies (`kind: MeshSubset`/`MeshServiceSubset`).",
    )
    .kuma_2x_only(),
    Field::new(
        "proxyTypes",
        Ty::Array(&Ty::String),
        "Kuma 2.x: which proxies of a `Mesh` target the policy applies to: `Sidecar`, `Gateway`.",
    )
    .values(&["Sidecar", "Gateway"])
    .kuma_2x_only(),
];

const AFFINITY_TAG: &[Field] = &[
    Field::new("key", Ty::String, "Tag key.").required(),
    Field::new("weight", Ty::Int32, "Relative weight."),
];

const LOCAL_ZONE: &[Field] = &[Field::new(
    "affinityTags",
    Ty::Array(&Ty::Object(AFFINITY_TAG)),
    "Prefer local endpoints sharing these tags with the client, most preferred first.",
)];

const FROM_ZONES: &[Field] = &[Field::new(
    "zones",
    Ty::Array(&Ty::String),
    "Client zones the rule applies to.",
)
.required()];

const FAILOVER_TO: &[Field] = &[
    Field::new("type", Ty::String, "Which zones to fail over to.")
        .required()
        .values(&["Any", "AnyExcept", "Only", "None"]),
    Field::new(
        "zones",
        Ty::Array(&Ty::String),
        "Zones for `AnyExcept` and `Only`.",
    ),
];

const FAILOVER: &[Field] = &[
    Field::new(
        "from",
        Ty::Object(FROM_ZONES),
        "Apply only to clients in these zones.",
    ),
    Field::new("to", Ty::Object(FAILOVER_TO), "Where to fail over to.").required(),
];

const THRESHOLD: &[Field] = &[Field::new(
    "percentage",
    Ty::IntOrString,
    "Fail over when fewer than this percentage of local endpoints are healthy.",
)
.required()];

const CROSS_ZONE: &[Field] = &[
    Field::new(
        "failover",
        Ty::Array(&Ty::Object(FAILOVER)),
        "Ordered failover rules; the n-th matching rule gives priority n.",
    ),
    Field::new(
        "failoverThreshold",
        Ty::Object(THRESHOLD),
        "When to start failing over.",
    ),
];

const LOCALITY: &[Field] = &[
    Field::new(
        "disabled",
        Ty::Boolean,
        "Spread traffic over all zones at one priority.",
    ),
    Field::new("localZone", Ty::Object(LOCAL_ZONE), "In-zone affinity."),
    Field::new("crossZone", Ty::Object(CROSS_ZONE), "Cross-zone failover."),
];

const MLBS_CONF: &[Field] = &[
    Field::new(
        "localityAwareness",
        Ty::Object(LOCALITY),
        "Locality-aware load balancing.",
    ),
    Field::new(
        "loadBalancer",
        Ty::Object(LOAD_BALANCER),
        "Load balancer algorithm.",
    ),
    Field::new(
        "hashPolicies",
        Ty::Array(&Ty::Object(HASH_POLICY)),
        "Hash policies for `RingHash` and `Maglev` (Kuma 2.12 and later), tried in order.",
    )
    .since(KumaVersion::V2_12),
];

const HASH_POLICY: &[Field] = &[
    Field::new(
        "type",
        Ty::String,
        "What the hash is computed from; set the field of the same name.",
    )
    .required()
    .release_values(ReleaseValues::HashPolicyTypes),
    Field::new(
        "terminal",
        Ty::Boolean,
        "Stop at this policy when it produces a hash.",
    ),
    Field::new(
        "header",
        Ty::Object(HASH_NAME),
        "`Header`: hash the value of a request header.",
    ),
    Field::new(
        "cookie",
        Ty::Object(HASH_COOKIE),
        "`Cookie`: hash a cookie.",
    ),
    Field::new(
        "connection",
        Ty::Object(HASH_CONNECTION),
        "`Connection`: hash a property of the connection.",
    ),
    Field::new(
        "queryParameter",
        Ty::Object(HASH_NAME),
        "`QueryParameter`: hash the value of a query parameter.",
    ),
    Field::new(
        "filterState",
        Ty::Object(HASH_FILTER_STATE),
        "`FilterState`: hash an Envoy filter state object.",
    ),
];

const HASH_NAME: &[Field] = &[Field::new("name", Ty::String, "Its name; not empty.").required()];

const HASH_COOKIE: &[Field] = &[
    Field::new("name", Ty::String, "Cookie name; not empty.").required(),
    Field::new(
        "ttl",
        Ty::String,
        "When set, Envoy generates the cookie with this lifetime if it is missing.",
    ),
    Field::new(
        "path",
        Ty::String,
        "Path of a generated cookie; an absolute path.",
    ),
];

const HASH_CONNECTION: &[Field] = &[Field::new(
    "sourceIP",
    Ty::Boolean,
    "Hash the client's source IP address.",
)];

const HASH_FILTER_STATE: &[Field] =
    &[Field::new("key", Ty::String, "Filter state key; not empty.").required()];

const NESTED_HASH_POLICIES: Field = Field::new(
    "hashPolicies",
    Ty::Array(&Ty::Object(HASH_POLICY)),
    "Kuma 2.x (deprecated there): hash policies of this algorithm; use `default.hashPolicies`.",
)
.kuma_2x_only();

const LOAD_BALANCER: &[Field] = &[
    Field::new("type", Ty::String, "The algorithm.")
        .required()
        .values(&["RoundRobin", "LeastRequest", "RingHash", "Random", "Maglev"]),
    Field::new("roundRobin", Ty::Object(&[]), "Round robin (no settings)."),
    Field::new(
        "leastRequest",
        Ty::Object(LEAST_REQUEST),
        "Least request settings.",
    ),
    Field::new("ringHash", Ty::Object(RING_HASH), "Ring hash settings."),
    Field::new("random", Ty::Object(&[]), "Random (no settings)."),
    Field::new("maglev", Ty::Object(MAGLEV), "Maglev settings."),
];

const LEAST_REQUEST: &[Field] = &[
    Field::new(
        "choiceCount",
        Ty::Int32,
        "Random healthy hosts to choose the least loaded from (at least 2; default 2).",
    )
    .bounds(2, None),
    Field::new(
        "activeRequestBias",
        Ty::IntOrString,
        "How strongly active requests lower an endpoint's weight (a number >= 0).",
    ),
];

const RING_HASH: &[Field] = &[
    Field::new("hashFunction", Ty::String, "Hash function of the ring.")
        .values(&["XXHash", "MurmurHash2"]),
    Field::new(
        "minRingSize",
        Ty::Int32,
        "Minimum ring size (1 to 8000000; default 1024).",
    )
    .bounds(1, Some(8_000_000)),
    Field::new(
        "maxRingSize",
        Ty::Int32,
        "Maximum ring size (1 to 8000000; default 8M).",
    )
    .bounds(1, Some(8_000_000)),
    NESTED_HASH_POLICIES,
];

const MAGLEV: &[Field] = &[
    Field::new(
        "tableSize",
        Ty::Int32,
        "Table size, a prime up to 5000011 (default 65537).",
    )
    .bounds(1, Some(5_000_011)),
    NESTED_HASH_POLICIES,
];

const MLBS_TO: &[Field] = &[
    Field::new("targetRef", Ty::Object(TARGET_REF), "The destination.").required(),
    Field::new("default", Ty::Object(MLBS_CONF), "The configuration."),
];

const MLBS_SPEC: &[Field] = &[
    Field::new(
        "targetRef",
        Ty::Object(TARGET_REF),
        "Which proxies the policy applies to (`Mesh` or `Dataplane`).",
    ),
    Field::new(
        "to",
        Ty::Array(&Ty::Object(MLBS_TO)),
        "Configuration per destination.",
    ),
];

// --- Kinds --------------------------------------------------------------------------------------

/// Documentation of one resource kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kind {
    /// The kind.
    pub resource_type: ResourceType,
    /// What it is.
    pub doc: &'static str,
    /// Fields of `spec` (empty with `free_form` for Mesh).
    pub spec: &'static [Field],
    /// The spec is not modelled (Mesh).
    pub free_form: bool,
}

const KINDS: &[Kind] = &[
    Kind {
        resource_type: ResourceType::MeshMultiZoneService,
        doc: documented(
            "Groups MeshServices from several zones, selected by labels, into one service with \
              its own VIP and hostnames; traffic fails over across zones. Created on the global \
              control plane only.",
        ),
        spec: MZS_SPEC,
        free_form: false,
    },
    Kind {
        resource_type: ResourceType::MeshService,
        doc: documented(
            "A service of one zone: its ports, the dataplanes behind it, and whether it is \
              available. Zones sync their MeshServices so a MeshMultiZoneService can select them.",
        ),
        spec: MS_SPEC,
        free_form: false,
    },
    Kind {
        resource_type: ResourceType::HostnameGenerator,
        doc: documented("Generates DNS hostnames for selected services from a template."),
        spec: HG_SPEC,
        free_form: false,
    },
    Kind {
        resource_type: ResourceType::MeshLoadBalancingStrategy,
        doc: documented(
            "Load balancing and locality-aware cross-zone failover towards destinations, a \
              MeshMultiZoneService included.",
        ),
        spec: MLBS_SPEC,
        free_form: false,
    },
    Kind {
        resource_type: ResourceType::Mesh,
        doc: documented(
            "A service mesh. Its configuration (mTLS, networking, ...) is not checked here.",
        ),
        spec: &[],
        free_form: true,
    },
];

/// The documentation of `resource_type`.
pub(crate) fn kind(resource_type: ResourceType) -> &'static Kind {
    KINDS
        .iter()
        .find(|k| k.resource_type == resource_type)
        .unwrap_or(&KINDS[0])
}

/// Every documented kind, in [`ResourceType::ALL`] order.
#[cfg(test)]
pub(crate) fn kinds() -> impl Iterator<Item = &'static Kind> {
    ResourceType::ALL.into_iter().map(kind)
}

const KIND_NAMES: &[&str] = &[
    "Mesh",
    "MeshService",
    "MeshMultiZoneService",
    "HostnameGenerator",
    "MeshLoadBalancingStrategy",
];

const METADATA: &[Field] = &[
    Field::new(
        "name",
        Ty::String,
        "Resource name (Kuma adds `.<namespace>` to form the name it stores).",
    )
    .required(),
    Field::new(
        "namespace",
        Ty::String,
        "Kubernetes namespace (usually `kuma-system`).",
    ),
    Field::new(
        "labels",
        Ty::StringMap,
        "Labels; `kuma.io/mesh` sets the mesh (default `default`).",
    ),
    Field::new("annotations", Ty::StringMap, "Annotations."),
];

/// The top-level fields of a document of `kind` in `shape`, the `spec` field included.
pub(crate) fn top_level(kind: &'static Kind, shape: Shape) -> Vec<Field> {
    let spec_ty = if kind.free_form {
        Ty::Any
    } else {
        Ty::Object(kind.spec)
    };
    let spec_doc = "The specification of the resource.";
    let status = Field::new(
        "status",
        Ty::Any,
        "Computed by the control plane; ignored on input.",
    )
    .read_only();
    match shape {
        Shape::Universal => {
            let mut fields = vec![
                Field::new("type", Ty::String, "The resource type.")
                    .required()
                    .values(KIND_NAMES),
                Field::new("name", Ty::String, "Name of the resource.").required(),
            ];
            if kind.resource_type.is_mesh_scoped() {
                fields.push(
                    Field::new("mesh", Ty::String, "Mesh the resource belongs to.")
                        .default("default"),
                );
            }
            fields.push(Field::new(
                "labels",
                Ty::StringMap,
                "Labels (`kuma.io/origin`, `kuma.io/zone`, `kuma.io/display-name`, ...).",
            ));
            if kind.free_form {
                // A universal Mesh carries its configuration at the top level.
                return fields;
            }
            fields.push(Field::new("spec", spec_ty, spec_doc).required());
            fields.push(
                Field::new("kri", Ty::String, "Kuma resource identifier; set by Kuma.").read_only(),
            );
            fields.push(Field::new("creationTime", Ty::String, "Set by Kuma.").read_only());
            fields.push(Field::new("modificationTime", Ty::String, "Set by Kuma.").read_only());
            fields.push(status);
            fields
        }
        Shape::Kubernetes => vec![
            Field::new("apiVersion", Ty::String, "Always `kuma.io/v1alpha1`.")
                .required()
                .values(&[super::API_VERSION]),
            Field::new("kind", Ty::String, "The resource type.")
                .required()
                .values(KIND_NAMES),
            Field::new(
                "metadata",
                Ty::Object(METADATA),
                "Name, namespace and labels.",
            )
            .required(),
            Field::new("spec", spec_ty, spec_doc).required(),
            status,
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::openapi::{self as decode, Schema};

    /// The editor tree (hover, completion, JSON Schemas) and the decoder's tree (what `check()`
    /// enforces) are two static tables, kept apart because the decoder's is the compact one the
    /// wasm build needs. This walk keeps them from drifting, release by release: same fields,
    /// same required flags, same types, same defaults, and every enum value the decoder accepts
    /// offered by the editor.
    fn agree(
        path: &str,
        editor: &Ty,
        decoder: &Schema,
        version: KumaVersion,
        problems: &mut Vec<String>,
    ) {
        match (editor, decoder) {
            (Ty::Object(fields), Schema::Object { fields: known, .. }) => {
                let mut editor_names: Vec<&str> = fields
                    .iter()
                    .filter(|f| f.exists_in(version))
                    .map(|f| f.name)
                    .collect();
                let mut decoder_names: Vec<&str> = known
                    .iter()
                    .filter(|f| f.exists_in(version))
                    .map(|f| f.name)
                    .collect();
                crate::text::sort::sort(&mut editor_names);
                crate::text::sort::sort(&mut decoder_names);
                if editor_names != decoder_names {
                    problems.push(format!(
                        "{path}: fields {editor_names:?} vs {decoder_names:?}"
                    ));
                    return;
                }
                for field in fields.iter().filter(|f| f.exists_in(version)) {
                    let Some(other) = known
                        .iter()
                        .find(|k| k.name == field.name && k.exists_in(version))
                    else {
                        continue;
                    };
                    let at = format!("{path}.{}", field.name);
                    if field.required_in(version) != other.required_in(version) {
                        problems.push(format!(
                            "{at}: required {} vs {}",
                            field.required_in(version),
                            other.required_in(version)
                        ));
                    }
                    // An array's enum is its items'.
                    let value_schema = match other.schema {
                        Schema::Array { items, .. } => items,
                        schema => schema,
                    };
                    let offered = field.values_for(version);
                    if let Schema::String {
                        default,
                        enumeration,
                        ..
                    } = value_schema
                    {
                        if field.default != *default {
                            problems
                                .push(format!("{at}: default {:?} vs {default:?}", field.default));
                        }
                        for value in enumeration.iter().flat_map(|e| e.iter()) {
                            if !offered.contains(value) {
                                problems.push(format!("{at}: {value:?} accepted but not offered"));
                            }
                        }
                    }
                    // A release-dependent enum: the editor offers exactly the release's values.
                    if let Schema::ReleaseEnum(values_in) = value_schema {
                        if offered != values_in(version) {
                            problems.push(format!("{at}: values {offered:?}"));
                        }
                    }
                    let decoder_bounds = match other.schema {
                        Schema::BoundedInt32 { minimum, maximum } => Some((*minimum, *maximum)),
                        _ => None,
                    };
                    if field.bounds != decoder_bounds {
                        problems.push(format!(
                            "{at}: bounds {:?} vs {decoder_bounds:?}",
                            field.bounds
                        ));
                    }
                    agree(&at, &field.ty, other.schema, version, problems);
                }
            }
            (Ty::Array(item), Schema::Array { items, .. }) => {
                agree(&format!("{path}[]"), item, items, version, problems)
            }
            (Ty::String, Schema::String { .. } | Schema::ReleaseEnum { .. })
            | (Ty::Int32, Schema::Int32 | Schema::Uint32 | Schema::BoundedInt32 { .. })
            | (Ty::Boolean, Schema::Bool)
            | (Ty::IntOrString, Schema::IntOrString)
            | (Ty::StringMap, Schema::StringMap)
            | (Ty::Any, Schema::Any) => {}
            (editor, decoder) => problems.push(format!("{path}: {editor:?} vs {decoder:?}")),
        }
    }

    #[test]
    fn the_editor_tree_and_the_decoder_tree_agree() {
        let mut problems = Vec::new();
        for kind in kinds().filter(|k| !k.free_form) {
            let Some(Schema::Object { fields, .. }) = decode::rest_item(kind.resource_type) else {
                problems.push(format!("{:?}: no REST schema", kind.resource_type));
                continue;
            };
            let Some(spec) = fields.iter().find(|f| f.name == "spec") else {
                problems.push(format!("{:?}: no spec", kind.resource_type));
                continue;
            };
            for version in KumaVersion::ALL {
                let path = format!("{} {}.spec", version.as_str(), kind.resource_type.name());
                agree(
                    &path,
                    &Ty::Object(kind.spec),
                    spec.schema,
                    version,
                    &mut problems,
                );
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn global_scoped_kinds_have_no_mesh_field() {
        let hg = top_level(kind(ResourceType::HostnameGenerator), Shape::Universal);
        assert!(hg.iter().all(|f| f.name != "mesh"));
        let mzs = top_level(kind(ResourceType::MeshMultiZoneService), Shape::Universal);
        assert!(mzs.iter().any(|f| f.name == "mesh"));
    }
}
