//! Output shapes: a resource as Kuma's REST API and as Kubernetes print it.

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::{facts, resource_kri, resource_snis, ApiError, TITLE_COULD_NOT_RETRIEVE};
use crate::model::{KumaVersion, MzsStatus, Resource, ResourceType, Spec};
use crate::Violation;

/// Times of a stored resource, RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Times<'a> {
    /// `creationTime`.
    pub creation: &'a str,
    /// `modificationTime`.
    pub modification: &'a str,
}

/// A spec as printed; `.1` is whether an empty `matchLabels` of a HostnameGenerator selector
/// is printed (see [`Extras::empty_match_labels`]).
struct SpecRef<'a>(&'a Spec, bool);

impl Serialize for SpecRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Spec::HostnameGenerator(s) if !self.1 => {
                let mut shown = s.clone();
                for selector in [
                    &mut shown.selector.mesh_service,
                    &mut shown.selector.mesh_external_service,
                    &mut shown.selector.mesh_multi_zone_service,
                ]
                .into_iter()
                .flatten()
                {
                    if selector.match_labels.as_ref().is_some_and(|m| m.is_empty()) {
                        selector.match_labels = None;
                    }
                }
                shown.serialize(serializer)
            }
            Spec::Mesh(v) => v.serialize(serializer),
            // Kuma renders its default state for a MeshService stored without one.
            Spec::MeshService(s) if s.state.is_none() => {
                let mut with_default = s.clone();
                with_default.state = Some(crate::model::MeshServiceState::Unavailable);
                with_default.serialize(serializer)
            }
            Spec::MeshService(s) => s.serialize(serializer),
            Spec::MeshMultiZoneService(s) => s.serialize(serializer),
            Spec::HostnameGenerator(s) => s.serialize(serializer),
            Spec::MeshLoadBalancingStrategy(s) => MlbsOut(s).serialize(serializer),
        }
    }
}

/// A MeshLoadBalancingStrategy's spec as the derived serializer writes it, with the fields kept
/// as JSON (`loadBalancer`, `hashPolicies`) in the field order of Kuma's Go structs
/// ([`crate::model::go_order`]).
struct MlbsOut<'a>(&'a crate::model::MeshLoadBalancingStrategySpec);

impl Serialize for MlbsOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use crate::model::go_order::Ordered;
        struct To<'a>(&'a crate::model::MlbsTo);
        struct Conf<'a>(&'a crate::model::MlbsConf);
        impl Serialize for To<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut out = serializer.serialize_map(Some(2))?;
                out.serialize_entry("targetRef", &self.0.target_ref)?;
                out.serialize_entry("default", &Conf(&self.0.default))?;
                out.end()
            }
        }
        impl Serialize for Conf<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let conf = self.0;
                let mut out = serializer.serialize_map(None)?;
                if let Some(locality) = &conf.locality_awareness {
                    out.serialize_entry("localityAwareness", locality)?;
                }
                if let Some(balancer) = &conf.load_balancer {
                    out.serialize_entry("loadBalancer", &Ordered("loadBalancer", balancer))?;
                }
                if let Some(policies) = &conf.hash_policies {
                    out.serialize_entry("hashPolicies", &Ordered("hashPolicies", policies))?;
                }
                out.end()
            }
        }
        let spec = self.0;
        let mut out = serializer.serialize_map(None)?;
        if let Some(target_ref) = &spec.target_ref {
            out.serialize_entry("targetRef", target_ref)?;
        }
        let to: Vec<To<'_>> = spec.to.iter().map(To).collect();
        out.serialize_entry("to", &to)?;
        out.end()
    }
}

struct StatusRef<'a>(&'a Resource);

impl Serialize for StatusRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let status = self.0.status.as_ref();
        if self.0.resource_type() == ResourceType::MeshService {
            return GoOrdered(&facts::mesh_service_status(status)).serialize(serializer);
        }
        if self.0.resource_type() == ResourceType::MeshMultiZoneService {
            if let Some(typed) = status.and_then(|s| MzsStatus::deserialize(s).ok()) {
                return typed.serialize(serializer);
            }
        }
        match status {
            Some(v) => v.serialize(serializer),
            None => serializer.serialize_map(Some(0))?.end(),
        }
    }
}

/// A MeshService's status in the field order of Kuma's Go structs (`MeshServiceStatus`:
/// addresses, vips, tls, hostnameGenerators, dataplaneProxies; v2.14.3 `meshservice.go:83-90`,
/// the entries of `addresses` and `hostnameGenerators` as an MZS's, `dataplaneProxies`'
/// connected, healthy, total); anything else after them, as stored.
struct GoOrdered<'a>(&'a Value);

const MESH_SERVICE_STATUS_ORDER: [&str; 5] = [
    "addresses",
    "vips",
    "tls",
    "hostnameGenerators",
    "dataplaneProxies",
];

impl Serialize for GoOrdered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(map) = self.0 else {
            return self.0.serialize(serializer);
        };
        // The typed MZS status knows the order of the shared entries (addresses, generators).
        let typed = MzsStatus::deserialize(serde_json::json!({
            "addresses": map.get("addresses").cloned().unwrap_or(Value::Null),
            "hostnameGenerators": map.get("hostnameGenerators").cloned().unwrap_or(Value::Null),
        }))
        .ok();
        let mut out = serializer.serialize_map(Some(map.len()))?;
        for key in MESH_SERVICE_STATUS_ORDER {
            let Some(value) = map.get(key) else { continue };
            match (key, &typed) {
                ("addresses", Some(t)) if !t.addresses.is_empty() => {
                    out.serialize_entry(key, &t.addresses)?
                }
                ("hostnameGenerators", Some(t)) if !t.hostname_generators.is_empty() => {
                    out.serialize_entry(key, &t.hostname_generators)?
                }
                ("dataplaneProxies", _) => {
                    out.serialize_entry(key, &InOrder(value, &["connected", "healthy", "total"]))?
                }
                _ => out.serialize_entry(key, value)?,
            }
        }
        for (key, value) in map {
            if !MESH_SERVICE_STATUS_ORDER.contains(&key.as_str()) {
                out.serialize_entry(key, value)?;
            }
        }
        out.end()
    }
}

/// An object with `order`'s keys first, in that order.
struct InOrder<'a>(&'a Value, &'a [&'a str]);

impl Serialize for InOrder<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(map) = self.0 else {
            return self.0.serialize(serializer);
        };
        let mut out = serializer.serialize_map(Some(map.len()))?;
        for key in self.1 {
            if let Some(value) = map.get(*key) {
                out.serialize_entry(key, value)?;
            }
        }
        for (key, value) in map {
            if !self.1.contains(&key.as_str()) {
                out.serialize_entry(key, value)?;
            }
        }
        out.end()
    }
}

fn has_status(resource_type: ResourceType) -> bool {
    matches!(
        resource_type,
        ResourceType::MeshMultiZoneService | ResourceType::MeshService
    )
}

/// A resource in Kuma's universal REST shape (field order as Kuma writes it).
pub struct RestItem<'a> {
    /// The resource.
    pub resource: &'a Resource,
    /// Its times.
    pub times: Times<'a>,
}

/// A resource in Kuma's universal REST shape as the release `version` prints it (see
/// [`Extras::of_release`]: `kri` from 2.13, `snis` from 2.14).
pub struct ReleaseItem<'a> {
    /// The resource.
    pub resource: &'a Resource,
    /// Its times.
    pub times: Times<'a>,
    /// The release whose shape to print.
    pub version: KumaVersion,
}

/// What an item carries besides its meta, spec and status.
#[derive(Debug, Clone, Copy)]
struct Extras {
    /// `kri` on every type but Mesh.
    kri: bool,
    /// `kri` on a Mesh.
    mesh_kri: bool,
    /// `snis` on MeshServices and MeshMultiZoneServices (omitted when empty).
    snis: bool,
    /// An empty `matchLabels` of a HostnameGenerator selector printed as `{}`: from 2.12, where
    /// it is a pointer to a map (`api/common/v1alpha1/selector.go`); 2.9 to 2.11 hold a plain
    /// map with `omitempty` (`hostnamegenerator.go` `LabelSelector`) and drop it.
    empty_match_labels: bool,
}

impl Extras {
    /// [`RestItem`]: the newest shape, without a Mesh's `kri`.
    const STORED: Extras = Extras {
        kri: true,
        mesh_kri: false,
        snis: true,
        empty_match_labels: true,
    };

    /// What `version`'s REST marshaller writes (`pkg/core/resources/model/rest/v1alpha1`):
    /// 2.9 to 2.12 neither `kri` nor `snis`; 2.13 a `kri` on every type with a short name, the
    /// Mesh included (`meta.go`, `resource.go`), no `snis`; from 2.14 also `snis`
    /// (`resource.go` `computeSNIs`, `json:"snis,omitempty"`).
    fn of_release(version: KumaVersion) -> Extras {
        let kri = version.minor() >= (2, 13);
        Extras {
            kri,
            mesh_kri: kri,
            snis: version.minor() >= (2, 14),
            empty_match_labels: version.minor() >= (2, 12),
        }
    }
}

impl Serialize for ReleaseItem<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let extras = Extras::of_release(self.version);
        serialize_item(self.resource, &self.times, extras, serializer)
    }
}

impl Serialize for RestItem<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_item(self.resource, &self.times, Extras::STORED, serializer)
    }
}

fn serialize_item<S: Serializer>(
    r: &Resource,
    times: &Times<'_>,
    extras: Extras,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    {
        let rt = r.resource_type();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", rt.name())?;
        if rt.is_mesh_scoped() {
            map.serialize_entry("mesh", &r.meta.mesh)?;
        }
        map.serialize_entry("name", &r.meta.name)?;
        map.serialize_entry("creationTime", times.creation)?;
        map.serialize_entry("modificationTime", times.modification)?;
        if let Spec::Mesh(Value::Object(fields)) = &r.spec {
            if !r.meta.labels.is_empty() {
                map.serialize_entry("labels", &r.meta.labels)?;
            }
            if extras.mesh_kri {
                map.serialize_entry("kri", &resource_kri(r))?;
            }
            for (k, v) in fields {
                map.serialize_entry(k, v)?;
            }
            return map.end();
        }
        // `omitempty` upstream: no labels, no `labels` key.
        if !r.meta.labels.is_empty() {
            map.serialize_entry("labels", &r.meta.labels)?;
        }
        if extras.kri {
            map.serialize_entry("kri", &resource_kri(r))?;
        }
        if extras.snis {
            // `omitempty` upstream: no entries, no `snis` key.
            let snis = resource_snis(r);
            if !snis.is_empty() {
                map.serialize_entry("snis", &snis)?;
            }
        }
        map.serialize_entry("spec", &SpecRef(&r.spec, extras.empty_match_labels))?;
        if has_status(rt) {
            map.serialize_entry("status", &StatusRef(r))?;
        }
        map.end()
    }
}

pub use crate::model::defaults::SYSTEM_NAMESPACE;

/// A resource in the Kubernetes shape (`?format=kubernetes`) as a universal control plane infers
/// it (`NewInferenceMapper`, `pkg/plugins/resources/k8s/mapper.go:28-50`, the same at v2.9.13 to
/// v2.14.3 and 3.0): the stored labels are not copied, only the mesh label the type's `SetMesh`
/// writes; a namespaced type (every type but Mesh) gets `namespace` or [`SYSTEM_NAMESPACE`];
/// `creationTimestamp` is Kubernetes' `metav1.Time`, whole seconds in UTC.
pub struct KubernetesItem<'a> {
    /// The resource.
    pub resource: &'a Resource,
    /// Its times.
    pub times: Times<'a>,
    /// The release whose shape to print.
    pub version: KumaVersion,
    /// The namespace asked for: `?namespace=` on a resource's path, the KRI's namespace on
    /// `/_kri/{kri}`; empty means [`SYSTEM_NAMESPACE`]. A Mesh (cluster-scoped) has none.
    pub namespace: &'a str,
}

/// `metav1.ObjectMeta` in Go's field order, each `omitempty` but the timestamp.
struct KubernetesMeta<'a> {
    name: &'a str,
    namespace: Option<&'a str>,
    creation: &'a str,
    /// The `kuma.io/mesh` label's value, when the type's `SetMesh` writes one.
    mesh_label: Option<&'a str>,
}

impl Serialize for KubernetesMeta<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("name", self.name)?;
        if let Some(namespace) = self.namespace {
            map.serialize_entry("namespace", namespace)?;
        }
        // `metav1.Time` prints `time.RFC3339` in UTC (whole seconds) and Go's zero time as null.
        match crate::text::rfc3339::parse(self.creation) {
            Some(crate::text::rfc3339::GO_ZERO_TIME) => {
                map.serialize_entry("creationTimestamp", &())?
            }
            Some(instant) => map.serialize_entry(
                "creationTimestamp",
                &crate::text::rfc3339::format_seconds_utc(instant),
            )?,
            None => map.serialize_entry("creationTimestamp", self.creation)?,
        }
        if let Some(mesh) = self.mesh_label {
            map.serialize_entry("labels", &SingleLabel(mesh))?;
        }
        map.end()
    }
}

/// `{"kuma.io/mesh": mesh}`.
struct SingleLabel<'a>(&'a str);

impl Serialize for SingleLabel<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(crate::model::labels::MESH, self.0)?;
        map.end()
    }
}

impl Serialize for KubernetesItem<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let r = self.resource;
        let rt = r.resource_type();
        let cluster_scoped = rt == ResourceType::Mesh;
        let namespace = match self.namespace {
            _ if cluster_scoped => None,
            "" => Some(SYSTEM_NAMESPACE),
            given => Some(given),
        };
        // Mesh's `SetMesh` fills its own `mesh` field, empty (omitted) for a Mesh stored with no
        // mesh; the policy types' `SetMesh` writes the label, a global-scoped type's only while
        // the release's generated code does.
        let mesh_label = if cluster_scoped
            || (!rt.is_mesh_scoped() && !self.version.k8s_mesh_label_on_global_scoped())
        {
            None
        } else {
            Some(r.meta.mesh.as_str())
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", rt.name())?;
        map.serialize_entry("apiVersion", crate::model::API_VERSION)?;
        map.serialize_entry(
            "metadata",
            &KubernetesMeta {
                name: &r.meta.name,
                namespace,
                creation: self.times.creation,
                mesh_label,
            },
        )?;
        let extras = Extras::of_release(self.version);
        map.serialize_entry("spec", &SpecRef(&r.spec, extras.empty_match_labels))?;
        if has_status(rt) {
            map.serialize_entry("status", &StatusRef(r))?;
        }
        map.end()
    }
}

/// `?format=` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Kuma's universal shape (default).
    Universal,
    /// The Kubernetes shape.
    Kubernetes,
}

/// Parse `?format=` of a GET (Kuma reads it only after finding the resource; lists ignore it).
/// Kuma's `MakeFieldMustBeOneOfErr`, titled `invalid format` up to 2.12 and
/// `Could not retrieve a resource` from 2.13.
pub fn parse_format(format: Option<&str>, version: KumaVersion) -> Result<OutputFormat, ApiError> {
    match format.unwrap_or("") {
        "" | "universal" => Ok(OutputFormat::Universal),
        "k8s" | "kubernetes" => Ok(OutputFormat::Kubernetes),
        _ => {
            let title = if version.minor() < (2, 13) {
                "invalid format"
            } else {
                TITLE_COULD_NOT_RETRIEVE
            };
            Err(ApiError::invalid(
                title,
                vec![Violation::new(
                    "",
                    r#""format" must be one of ["k8s", "kubernetes", "universal"]"#,
                )],
            ))
        }
    }
}
