//! Kuma releases: one variant per supported release and the one parse every front end uses.

use serde::{Deserialize, Serialize};

/// Which Kuma release's rules to apply: one variant per supported minor release.
///
/// Rules come from upstream's code at each release's newest tag (listed by
/// [`KumaVersion::release`]); 3.0 follows the main line at commit 348b6528 (the newest upstream
/// snapshot read, which carries the 3.0 rules). Every front end turns a user's spelling into a
/// version through [`KumaVersion::from_str`] (or [`KumaVersion::parse`]), so they all accept the
/// same spellings and print the same error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum KumaVersion {
    /// Kuma 2.9 (tag 2.9.19; upstream's 2.9 tags after v2.9.13 have no `v`).
    V2_9,
    /// Kuma 2.10 (tag v2.10.11).
    V2_10,
    /// Kuma 2.11 (tag v2.11.18).
    V2_11,
    /// Kuma 2.12 (tag v2.12.14).
    V2_12,
    /// Kuma 2.13 (tag v2.13.10).
    V2_13,
    /// Kuma 2.14 (tag v2.14.3), the newest 2.x release and what `2.x` means.
    V2_14,
    /// Kuma 3.0, the newest release and the default.
    #[default]
    V3_0,
}

/// A version spelling that names no supported Kuma release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a supported Kuma version; supported: {list} (default {default}; `2.x` means {newest_2x}; a patch version or a leading `v` is accepted, e.g. v2.14.3)", list = KumaVersion::supported_list(), default = KumaVersion::default().as_str(), newest_2x = KumaVersion::NEWEST_2X.as_str())]
pub struct UnsupportedKumaVersion {
    /// What was given.
    pub input: String,
}

impl KumaVersion {
    /// Every supported release, newest first.
    pub const ALL: [KumaVersion; 7] = [
        Self::V3_0,
        Self::V2_14,
        Self::V2_13,
        Self::V2_12,
        Self::V2_11,
        Self::V2_10,
        Self::V2_9,
    ];

    /// The newest 2.x release (what `2.x` and `2` mean).
    pub const NEWEST_2X: KumaVersion = Self::V2_14;

    /// Parse a version spelling; `None` when it names no supported release (use
    /// [`KumaVersion::from_str`] for the error that lists the supported ones).
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    /// The canonical name (`3.0`, `2.14`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2_9 => "2.9",
            Self::V2_10 => "2.10",
            Self::V2_11 => "2.11",
            Self::V2_12 => "2.12",
            Self::V2_13 => "2.13",
            Self::V2_14 => "2.14",
            Self::V3_0 => "3.0",
        }
    }

    /// The full release this mode follows, as Kuma reports it at `GET /` (`version`).
    pub fn release(self) -> &'static str {
        match self {
            Self::V2_9 => "2.9.19",
            Self::V2_10 => "2.10.11",
            Self::V2_11 => "2.11.18",
            Self::V2_12 => "2.12.14",
            Self::V2_13 => "2.13.10",
            Self::V2_14 => "2.14.3",
            Self::V3_0 => "3.0.0",
        }
    }

    /// `3.0, 2.14, 2.13, ...`: the supported releases for messages.
    pub fn supported_list() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
        crate::text::join(&names, ", ")
    }

    /// Any 2.x release.
    pub const fn is_2x(self) -> bool {
        (self as u8) < (Self::V3_0 as u8)
    }

    /// Minor release as `(major, minor)`.
    pub fn minor(self) -> (u32, u32) {
        match self {
            Self::V2_9 => (2, 9),
            Self::V2_10 => (2, 10),
            Self::V2_11 => (2, 11),
            Self::V2_12 => (2, 12),
            Self::V2_13 => (2, 13),
            Self::V2_14 => (2, 14),
            Self::V3_0 => (3, 0),
        }
    }

    /// `kafka` is an allowed `appProtocol` (every 2.x; 3.0 removed it).
    pub const fn allows_kafka(self) -> bool {
        self.is_2x()
    }

    /// The `appProtocol` values Kuma accepts (`core_meta.SupportedProtocols`), sorted: the one
    /// list the validators, the field tree and the JSON Schemas use.
    pub const fn app_protocols(self) -> &'static [&'static str] {
        if self.allows_kafka() {
            &["grpc", "http", "http2", "kafka", "tcp"]
        } else {
            &["grpc", "http", "http2", "tcp"]
        }
    }

    /// MZS ports pair with MeshService ports by name (3.0 `FindPortByName`); 2.x pairs by number.
    pub fn pairs_ports_by_name(self) -> bool {
        !self.is_2x()
    }

    /// The MeshService `spec.identities[].type` values Kuma accepts, in its schema's order:
    /// `ServiceTag` until 2.11, `SpiffeID` too from 2.12 (2.x control planes write
    /// `ServiceTag`), `SpiffeID` only in 3.0.
    pub const fn mesh_service_identity_types(self) -> &'static [&'static str] {
        match self {
            Self::V2_9 | Self::V2_10 | Self::V2_11 => &["ServiceTag"],
            Self::V2_12 | Self::V2_13 | Self::V2_14 => &["ServiceTag", "SpiffeID"],
            Self::V3_0 => &["SpiffeID"],
        }
    }

    /// The MeshLoadBalancingStrategy `hashPolicies[].type` values Kuma's schema accepts, in its
    /// order: 2.9 lacks `Connection`, 2.10 to 2.14 have every type, 3.0 drops `SourceIP`.
    pub const fn hash_policy_types(self) -> &'static [&'static str] {
        match self {
            Self::V2_9 => &[
                "Header",
                "Cookie",
                "SourceIP",
                "QueryParameter",
                "FilterState",
            ],
            Self::V2_10 | Self::V2_11 | Self::V2_12 | Self::V2_13 | Self::V2_14 => &[
                "Header",
                "Cookie",
                "Connection",
                "SourceIP",
                "QueryParameter",
                "FilterState",
            ],
            Self::V3_0 => &[
                "Header",
                "Cookie",
                "Connection",
                "QueryParameter",
                "FilterState",
            ],
        }
    }

    /// Whether the universal REST layer writes `kuma.io/display-name` = the resource's name on
    /// every write, replacing a written value (3.0: master `labels/compute.go`); up to 2.14 it
    /// never sets it, so a written value is stored as is (v2.14.3
    /// `put_immutable_displayname_00` keeps `my-display-name`).
    pub fn overwrites_display_name(self) -> bool {
        self >= Self::V3_0
    }

    /// Whether a MeshService's and a MeshMultiZoneService's `ports[].port` is a Go `uint32`
    /// (up to 2.11: v2.11.18 `meshservice.go:24`, `meshmultizoneservice.go:31`), so the REST
    /// decoder refuses a negative port that the schema (`format: int32`) let through; from 2.12
    /// it is an `int32` and the validator decides.
    pub fn ports_are_unsigned(self) -> bool {
        self < Self::V2_12
    }

    /// Whether decoding a universal document applies the schema's defaults (`mesh: default`,
    /// a port's `appProtocol: tcp`): from 2.10 (v2.10.11 `rest/unmarshaller.go` runs
    /// `defaulting.Default`); 2.9's unmarshaller only validates (v2.9.13 `unmarshaller.go:75`),
    /// so an absent `mesh` stays empty and `kumactl apply` refuses it (`mesh: cannot be empty`).
    pub fn applies_schema_defaults(self) -> bool {
        self >= Self::V2_10
    }

    /// Whether a universal PUT stores the `status` it carries: 2.9 and 2.10 set it on create and
    /// on update (v2.10.11 `pkg/api-server/resource_endpoints.go:399-401,449-451`, as on the
    /// release-2.9 and release-2.10 branches); from 2.11.0 only the spec and meta are read
    /// (kumahq/kuma#13636), so a written `status` has no effect.
    pub fn stores_written_status(self) -> bool {
        self < Self::V2_11
    }

    /// Whether global sends a MeshMultiZoneService to the zones with its `status`: 2.9 and 2.10
    /// remove only a MeshService's (v2.10.11 `pkg/kds/context/context.go:87-89`); from 2.11.0
    /// global removes every type's (`reconcile_v2.HasStatus`, kumahq/kuma#13618), so each zone
    /// computes its own from nothing.
    pub fn syncs_mzs_status_to_zones(self) -> bool {
        self < Self::V2_11
    }

    /// Whether the REST layer writes `kuma.io/origin` on every write, replacing a written value:
    /// 3.0 sets `global` on global and `zone` on a zone for every type (HEAD
    /// `labels/compute.go:157-161`). Up to 2.14 global never sets it (v2.14.3
    /// `compute.go:138-152` has no global branch) and a zone adds `zone` only where absent and
    /// only on the types a zone may provide ([`Self::provided_by_zone`]).
    pub fn overwrites_origin(self) -> bool {
        self >= Self::V3_0
    }

    /// Whether a zone may provide (create, and send to global) resources of `resource_type`,
    /// Kuma's `ProvidedByZoneFlag` (2.9: `AllowedOnZoneSelector`), which decides the zone labels a
    /// zone computes on write: MeshService, HostnameGenerator and MeshLoadBalancingStrategy at
    /// every release, and MeshMultiZoneService in 2.9 (whose descriptor still carries
    /// `ZoneToGlobalFlag`; 2.10 made it `GlobalToZonesFlag` only).
    pub fn provided_by_zone(self, resource_type: super::ResourceType) -> bool {
        use super::ResourceType as T;
        match resource_type {
            T::MeshService | T::HostnameGenerator | T::MeshLoadBalancingStrategy => true,
            T::MeshMultiZoneService => self == Self::V2_9,
            T::Mesh => false,
        }
    }

    /// Whether a label key that is not a qualified name at all (`a/b/c`) is refused as "a
    /// qualified name must consist of ..." (apimachinery before its v0.33 wording: 2.10.11, and
    /// 2.9 up to 2.9.13) rather than "a valid label key must consist of ..." (2.9.19, 2.11 and
    /// later: the `put_mtp_02` REST golden at each tag).
    pub fn says_qualified_name_for_label_keys(self) -> bool {
        self == Self::V2_10
    }

    /// Whether the universal REST layer refuses a policy whose `kuma.io/policy-role` is not
    /// `system` (HEAD `resource_crud_endpoints.go` adds `validatePolicyRole`'s violations). 2.9 to
    /// 2.14 call the check but drop its result (v2.14.3 `resource_endpoints.go:754`), so any role
    /// is stored as written.
    pub fn refuses_policy_roles(self) -> bool {
        self >= Self::V3_0
    }

    /// Whether the API server has `GET /meshes/{mesh}/{serviceType}/{name}/_hostnames` (first in
    /// 2.10, v2.10.11 `inspect_mesh_service.go:45`; 2.9 has no such route, so the path is unknown).
    pub fn has_hostnames_inspection(self) -> bool {
        self >= Self::V2_10
    }

    /// A zone writes the `MeshServicesMatched` condition into a MeshMultiZoneService's
    /// `status.conditions` (from v2.13.0, MZS `status_updater.go`; 2.9 to 2.12 write only
    /// `status.meshServices`, and their MZS status has no `conditions` at all).
    pub fn writes_mzs_matched_condition(self) -> bool {
        self >= Self::V2_13
    }

    /// A zone's hostname generation refuses a rendered hostname that is not an RFC 1123
    /// subdomain (`TemplateError`), from v2.14.0 (`EvaluateTemplate` in `generator.go`); 2.9 to
    /// 2.13 record whatever the template renders.
    pub fn checks_generated_hostnames(self) -> bool {
        self >= Self::V2_14
    }

    /// Whether the Kubernetes shape a universal control plane infers (`?format=kubernetes`)
    /// gives a global-scoped type (HostnameGenerator) the `kuma.io/mesh` label, empty as its
    /// mesh: up to 2.13 policy-gen's `SetMesh` writes it on every type (v2.13.10
    /// `hostnamegenerator/k8s/v1alpha1/zz_generated.types.go:55-60`); from v2.14.0 (#16930) a
    /// global-scoped type's `SetMesh` does nothing (v2.14.3 and 3.0 `...:51-53`).
    pub fn k8s_mesh_label_on_global_scoped(self) -> bool {
        self < Self::V2_14
    }

    /// MeshService has the `spec.selector.dataplaneTags` selector (removed in 3.0).
    pub fn has_dataplane_tags(self) -> bool {
        self.is_2x()
    }
}

impl std::str::FromStr for KumaVersion {
    type Err = UnsupportedKumaVersion;

    /// Accepts `3.0`, `3.0.1`, `3`, `3.x`, `2.14`, `2.14.3`, `v2.14.3`, `2.x`, `2` (the last
    /// two are the newest 2.x release), surrounding blanks ignored; `X` and `V` in either case,
    /// and a semver pre-release or build suffix on a patch version (`2.9.0-rc1`, which Kuma's
    /// `GET /` reports for a release candidate). Numbers follow semver: no leading zeros.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || UnsupportedKumaVersion {
            input: s.to_owned(),
        };
        let t = s.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        // `2.9.0-rc1`, `2.14.3+build.5`: a suffix names a build of that patch release.
        let (t, suffix) = match t.bytes().position(|b| b == b'-' || b == b'+') {
            Some(at) if at + 1 < t.len() => (&t[..at], Some(&t[at + 1..])),
            Some(_) => return Err(err()),
            None => (t, None),
        };
        let mut parts = t.split('.');
        let major = parts.next().ok_or_else(err)?;
        let minor = parts.next();
        let patch = parts.next();
        if parts.next().is_some() {
            return Err(err());
        }
        let number = |p: &str| -> Option<u32> {
            (!p.is_empty()
                && p.len() <= 9
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p == "0" || !p.starts_with('0')))
            .then(|| p.parse().ok())
            .flatten()
        };
        if suffix.is_some() && patch.is_none() {
            return Err(err());
        }
        if let Some(p) = patch {
            number(p).ok_or_else(err)?;
        }
        let major = number(major).ok_or_else(err)?;
        let any_minor = matches!(minor, None | Some("x" | "X"));
        let version = match (major, minor) {
            (2, _) if any_minor && patch.is_none() => Self::NEWEST_2X,
            (3, _) if any_minor && patch.is_none() => Self::V3_0,
            (_, Some(m)) => {
                let m = number(m).ok_or_else(err)?;
                Self::ALL
                    .into_iter()
                    .find(|v| v.minor() == (major, m))
                    .ok_or_else(err)?
            }
            _ => return Err(err()),
        };
        Ok(version)
    }
}

impl std::fmt::Display for KumaVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for KumaVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for KumaVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod version_tests {
    use super::KumaVersion;

    #[test]
    fn every_documented_spelling_names_its_release() {
        for (spelling, want) in [
            ("3.0", KumaVersion::V3_0),
            ("3.0.1", KumaVersion::V3_0),
            ("3", KumaVersion::V3_0),
            ("v3.0.0", KumaVersion::V3_0),
            ("2.14", KumaVersion::V2_14),
            ("2.14.3", KumaVersion::V2_14),
            ("v2.14.3", KumaVersion::V2_14),
            ("2.x", KumaVersion::V2_14),
            ("2", KumaVersion::V2_14),
            ("2.9", KumaVersion::V2_9),
            (" 2.12.0 ", KumaVersion::V2_12),
            ("2.X", KumaVersion::V2_14),
            ("V3.X", KumaVersion::V3_0),
            ("2.9.0-rc1", KumaVersion::V2_9),
            ("2.14.3+build.5", KumaVersion::V2_14),
        ] {
            assert_eq!(spelling.parse::<KumaVersion>(), Ok(want), "{spelling}");
        }
        for v in KumaVersion::ALL {
            assert_eq!(v.as_str().parse::<KumaVersion>(), Ok(v));
            assert_eq!(v.release().parse::<KumaVersion>(), Ok(v));
        }
        assert_eq!(KumaVersion::default(), KumaVersion::V3_0);
    }

    #[test]
    fn an_unsupported_version_is_an_error_that_lists_the_supported_ones() {
        for bad in [
            "1.8", "2.8", "2.15", "4.0", "", "2.x.1", "3.0.x", "latest", "2.14.3.1", "2.014",
            "02.14", "2.14.03", "2.14.3-", "2.14-rc1",
        ] {
            let err = bad.parse::<KumaVersion>().unwrap_err().to_string();
            assert!(
                err.contains("3.0, 2.14, 2.13, 2.12, 2.11, 2.10, 2.9")
                    && err.contains("default 3.0"),
                "{bad}: {err}"
            );
        }
    }

    /// Status rules of a zone that arrived with a release: the `MeshServicesMatched` condition
    /// with v2.13.0, the DNS check of generated hostnames with v2.14.0.
    #[test]
    fn zone_status_rules_start_at_their_release() {
        for v in KumaVersion::ALL {
            assert_eq!(
                v.writes_mzs_matched_condition(),
                v.minor() >= (2, 13),
                "{v}"
            );
            assert_eq!(v.checks_generated_hostnames(), v.minor() >= (2, 14), "{v}");
            // A written `status` is stored and synced to zones up to 2.10 only.
            assert_eq!(v.stores_written_status(), v.minor() < (2, 11), "{v}");
            assert_eq!(v.syncs_mzs_status_to_zones(), v.minor() < (2, 11), "{v}");
        }
    }

    #[test]
    fn serde_keeps_the_option_spellings_and_writes_canonical_names() {
        let v: KumaVersion = serde_json::from_str("\"2.x\"").unwrap();
        assert_eq!(v, KumaVersion::V2_14);
        let v: KumaVersion = serde_json::from_str("\"3.0\"").unwrap();
        assert_eq!(v, KumaVersion::V3_0);
        assert_eq!(
            serde_json::to_string(&KumaVersion::V2_11).unwrap(),
            "\"2.11\""
        );
        assert!(serde_json::from_str::<KumaVersion>("\"1.0\"").is_err());
    }
}
