//! The read-only fields of a universal document (`status`, `creationTime`, `modificationTime`,
//! `kri`, `snis`) as Kuma's REST unmarshaller reads them on a PUT and in `kumactl apply`
//! (`pkg/core/resources/model/rest/unmarshaller.go`, the same at every tag): Kuma ignores their
//! values, but it reads them first.
//!
//! Step 1, the schema (`desc.Validator`, built from the type's item schema: `schema.yaml` up to
//! 2.12, `rest.yaml` from 2.13): MeshService and MeshMultiZoneService have a typed `status` in
//! every release; `creationTime`/`modificationTime` (`type: string, format: date-time`) arrive
//! in 2.10, `kri` (string) in 2.13, `snis` (array of `{port int32, sni string}`, both required)
//! in 2.14; MeshMultiZoneService's `status.conditions` in 2.13. The errors are kube-openapi's and
//! join the spec's schema errors. A type check with a `format` names the format
//! (`creationTime in body must be of type date-time: "float64"`, `type.go`), and lets an array
//! through; the format check only applies to strings (`formats.go`). To keep the wasm module
//! small, the fields are typed to the first level of `status` (each field's type), not deeper
//! (the items of `snis`, `status.meshServices` and the conditions with their required fields,
//! enums and `pattern`/`length` limits are not checked); a date-time is read as
//! [`crate::text::rfc3339`] reads it, which differs from kube-openapi only in rare texts (second
//! 60, a fraction not after `.`, an offset hour over 23).
//!
//! Step 2, only when the schema passed: Go's `encoding/json` decodes the body into
//! `v1alpha1.Resource`, whose `creationTime`/`modificationTime` are `time.Time` (every release,
//! 2.9 included) and whose `status` is an empty interface (a HostnameGenerator's or a
//! MeshLoadBalancingStrategy's status of any shape is read and dropped). `kri` and `snis` have no
//! Go field. The decoder stops at the first error, and from 2.10 (and in `kumactl`, which goes
//! through YAML) it reads the re-marshalled map, so in key order: `creationTime` first. The same
//! decoding refuses a negative `spec.ports[].port` up to 2.11, where a port is a `uint32`.

use crate::model::{KumaVersion, ResourceType};
use crate::text::diagnostics::{Code, Diagnostic};
use crate::text::syntax::{Node, Resolved};

const OBJECT: &str = "object";
const ARRAY: &str = "array";
const STRING: &str = "string";
const DATE_TIME: &str = "date-time";

type Field = (&'static str, &'static str, KumaVersion);

/// MeshService's typed read-only fields: (path, type, first release whose schema has it). The
/// first three are every type's.
static MS_FIELDS: [Field; 10] = [
    ("creationTime", DATE_TIME, KumaVersion::V2_10),
    ("modificationTime", DATE_TIME, KumaVersion::V2_10),
    ("kri", STRING, KumaVersion::V2_13),
    ("snis", ARRAY, KumaVersion::V2_14),
    ("status", OBJECT, KumaVersion::V2_9),
    ("status.addresses", ARRAY, KumaVersion::V2_9),
    ("status.hostnameGenerators", ARRAY, KumaVersion::V2_9),
    ("status.vips", ARRAY, KumaVersion::V2_9),
    ("status.dataplaneProxies", OBJECT, KumaVersion::V2_9),
    ("status.tls", OBJECT, KumaVersion::V2_9),
];
/// MeshMultiZoneService's.
static MZS_FIELDS: [Field; 10] = [
    ("creationTime", DATE_TIME, KumaVersion::V2_10),
    ("modificationTime", DATE_TIME, KumaVersion::V2_10),
    ("kri", STRING, KumaVersion::V2_13),
    ("snis", ARRAY, KumaVersion::V2_14),
    ("status", OBJECT, KumaVersion::V2_9),
    ("status.addresses", ARRAY, KumaVersion::V2_9),
    ("status.hostnameGenerators", ARRAY, KumaVersion::V2_9),
    ("status.vips", ARRAY, KumaVersion::V2_9),
    ("status.meshServices", ARRAY, KumaVersion::V2_9),
    ("status.conditions", ARRAY, KumaVersion::V2_13),
];

/// What Kuma refuses among the read-only fields of the universal document `node` of
/// `resource_type`: its schema errors (kube-openapi's texts, `Code::Schema`), else the error of
/// its JSON decoder (Go's text, `Code::Kuma`): `creationTime` and `modificationTime` are a
/// `time.Time` in every release, and the first of them that is neither a string nor null stops
/// the decoding. (A string Go's `time.Parse` refuses is not reported: from 2.10 the schema's
/// date-time check refuses nearly all of them first; 2.9 has no such check, and its `parsing
/// time` errors are not modelled.)
pub(crate) fn check(
    node: &Node,
    resource_type: ResourceType,
    version: KumaVersion,
) -> Vec<Diagnostic> {
    let fields: &[Field] = match resource_type {
        ResourceType::MeshService => &MS_FIELDS,
        ResourceType::MeshMultiZoneService => &MZS_FIELDS,
        ResourceType::Mesh => &[],
        _ => &MS_FIELDS[..3],
    };
    let mut out = Vec::new();
    let mut decoding = None;
    for (path, expected, since) in fields {
        let (parent, key) = match path.split_once('.') {
            Some((first, key)) => (node.get(first), key),
            None => (Some(node), *path),
        };
        let Some(entry) = parent.and_then(|p| p.entry(key)) else {
            continue;
        };
        let value = &entry.value;
        let mut found = match value.type_name() {
            // Kuma reads every JSON number as a float64.
            "integer" => "number",
            found => found,
        };
        let mut expected = *expected;
        if expected == DATE_TIME {
            if decoding.is_none() && !matches!(found, STRING | "null") {
                decoding = Some((*path, value.span));
            }
            // `format: date-time`: a string meets the format check, an array passes the type
            // check (the decoder refuses it), null gets the plain type error, anything else
            // names the format and the Go kind it was read as.
            found = match (found, value.as_scalar().map(|s| s.resolve())) {
                (_, Some(Resolved::Str(s))) if !date_time(s) => s,
                (STRING | ARRAY, _) => continue,
                ("number", _) => "float64",
                ("null", _) => {
                    expected = STRING;
                    found
                }
                _ => "",
            };
        } else if found == expected {
            continue;
        }
        if version < *since {
            continue;
        }
        let message = format!("{path} in body must be of type {expected}: \"{found}\"");
        // A null written as nothing (`status:`) has no span of its own: report it at its key.
        let at = if value.span.is_empty() {
            entry.key.span
        } else {
            value.span
        };
        out.push(Diagnostic::new(Code::Schema, *path, message, at));
    }
    if let (true, Some((path, at))) = (out.is_empty(), decoding) {
        let message = "Time.UnmarshalJSON: input is not a JSON string";
        out.push(Diagnostic::new(Code::Kuma, path, message, at));
    } else if out.is_empty() && version.ports_are_unsigned() {
        out.extend(negative_port(node, resource_type));
    }
    out
}

/// Up to 2.11 a port is a Go `uint32`: a negative one passes the schema and stops the decoder
/// (a type error, which Go keeps until the end, so a time's error above wins over it).
fn negative_port(node: &Node, resource_type: ResourceType) -> Option<Diagnostic> {
    if !matches!(
        resource_type,
        ResourceType::MeshService | ResourceType::MeshMultiZoneService
    ) {
        return None;
    }
    let ports = node.get("spec")?.get("ports")?.as_sequence()?;
    ports.iter().enumerate().find_map(|(i, port)| {
        let value = port.get("port")?;
        let Resolved::Int(number) = value.as_scalar()?.resolve() else {
            return None;
        };
        (number < 0).then(|| {
            let message = format!(
                "json: cannot unmarshal number {number} into Go struct field Port.spec.ports.port of type uint32"
            );
            Diagnostic::new(Code::Kuma, format!("spec.ports[{i}].port"), message, value.span)
        })
    })
}

/// kube-openapi's `date-time` format, as [`crate::text::rfc3339`] reads it (a `T`, not a space).
fn date_time(s: &str) -> bool {
    s.as_bytes().get(10) != Some(&b' ') && crate::text::rfc3339::parse(s).is_some()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::text::syntax::{parse, Limits};

    const MZS: ResourceType = ResourceType::MeshMultiZoneService;
    const HG: ResourceType = ResourceType::HostnameGenerator;

    fn root(yaml: &str) -> Node {
        parse(yaml, &Limits::default()).documents.remove(0).root
    }

    /// `(field, message)` of each schema error, each with a span in the text.
    fn schema(yaml: &str, t: ResourceType, v: KumaVersion) -> Vec<(String, String)> {
        let mut out: Vec<_> = check(&root(yaml), t, v)
            .into_iter()
            .filter(|d| d.code == Code::Schema)
            .map(|d| {
                assert!(d.span.start < d.span.end, "{d:?} has no span");
                (d.field, d.message)
            })
            .collect();
        crate::text::sort::sort(&mut out);
        out
    }

    fn error(field: &str, message: &str) -> (String, String) {
        (field.to_owned(), message.to_owned())
    }

    fn decoding(yaml: &str) -> Option<(String, String)> {
        let found = check(&root(yaml), HG, KumaVersion::V2_9).into_iter();
        found.map(|d| (d.field, d.message)).next()
    }

    #[test]
    fn status_of_the_wrong_shape_is_a_schema_error_in_every_release() {
        for v in KumaVersion::ALL {
            assert_eq!(
                schema("type: X\nstatus: 5\n", MZS, v),
                vec![error(
                    "status",
                    "status in body must be of type object: \"number\""
                )]
            );
        }
        assert_eq!(
            schema("status:\n  meshServices: x\n", MZS, KumaVersion::V3_0),
            vec![error(
                "status.meshServices",
                "status.meshServices in body must be of type array: \"string\""
            )]
        );
        // An explicit null is a value of the wrong type (`status:` with nothing after it).
        assert_eq!(
            schema("status:\n", MZS, KumaVersion::V2_9),
            vec![error(
                "status",
                "status in body must be of type object: \"null\""
            )]
        );
        assert_eq!(
            schema(
                "status:\n  tls: Ready\n",
                ResourceType::MeshService,
                KumaVersion::V2_9
            ),
            vec![error(
                "status.tls",
                "status.tls in body must be of type object: \"string\""
            )]
        );
        // A MeshService's status has no `meshServices`; unknown status fields are ignored.
        assert!(schema(
            "status:\n  meshServices: 1\n",
            ResourceType::MeshService,
            KumaVersion::V3_0
        )
        .is_empty());
    }

    #[test]
    fn conditions_are_typed_from_2_13() {
        let doc = "status:\n  conditions: {}\n";
        assert!(schema(doc, MZS, KumaVersion::V2_12).is_empty());
        assert_eq!(
            schema(doc, MZS, KumaVersion::V2_13),
            vec![error(
                "status.conditions",
                "status.conditions in body must be of type array: \"object\""
            )]
        );
    }

    #[test]
    fn times_kri_and_snis_by_release() {
        let doc = "creationTime: 12\nkri: []\nsnis: x\n";
        let time = error(
            "creationTime",
            "creationTime in body must be of type date-time: \"float64\"",
        );
        let kri = error("kri", "kri in body must be of type string: \"array\"");
        let snis = error("snis", "snis in body must be of type array: \"string\"");
        assert!(schema(doc, MZS, KumaVersion::V2_9).is_empty());
        assert_eq!(
            decoding(doc),
            Some(error(
                "creationTime",
                "Time.UnmarshalJSON: input is not a JSON string"
            ))
        );
        assert_eq!(schema(doc, MZS, KumaVersion::V2_12), vec![time.clone()]);
        assert_eq!(
            schema(doc, MZS, KumaVersion::V2_13),
            vec![time.clone(), kri.clone()]
        );
        assert_eq!(
            schema(doc, MZS, KumaVersion::V2_14),
            vec![time.clone(), kri.clone(), snis]
        );
        // No `snis` in a HostnameGenerator's schema.
        assert_eq!(schema(doc, HG, KumaVersion::V3_0), vec![time, kri]);
        assert_eq!(
            schema(
                "modificationTime: true\ncreationTime: null\n",
                HG,
                KumaVersion::V2_10
            ),
            vec![
                error(
                    "creationTime",
                    "creationTime in body must be of type string: \"null\""
                ),
                error(
                    "modificationTime",
                    "modificationTime in body must be of type date-time: \"\""
                ),
            ]
        );
    }

    #[test]
    fn a_date_time_array_passes_the_schema_and_fails_decoding() {
        let doc = "creationTime: \"2026-11-26T16:57:17Z\"\nmodificationTime: []\n";
        assert!(schema(doc, HG, KumaVersion::V3_0).is_empty());
        assert_eq!(
            decoding(doc),
            Some(error(
                "modificationTime",
                "Time.UnmarshalJSON: input is not a JSON string"
            ))
        );
        assert_eq!(
            schema("creationTime: yesterday\n", HG, KumaVersion::V2_10),
            vec![error(
                "creationTime",
                "creationTime in body must be of type date-time: \"yesterday\""
            )]
        );
        assert!(decoding("creationTime: yesterday\n").is_none());
        // A HostnameGenerator's status is read into an empty interface and dropped.
        assert!(schema("status: 5\nsnis: x\n", HG, KumaVersion::V3_0).is_empty());
        assert!(decoding("status: 5\n").is_none());
    }

    #[test]
    fn read_back_documents_pass() {
        let doc = "type: MeshMultiZoneService\nname: a\ncreationTime: \"2026-11-26T16:57:17.499403952Z\"\nmodificationTime: 0001-01-01T00:00:00Z\nkri: kri_mzsvc_default___a_\nsnis:\n- port: 80\n  sni: sni.mzsvc.default.a.80\nstatus:\n  meshServices:\n  - mesh: default\n    name: redis\n    namespace: \"\"\n    zone: east\n  vips:\n  - ip: 241.0.0.1\n  addresses:\n  - hostname: a.mzsvc.mesh.local\n    origin: HostnameGenerator\n    hostnameGeneratorRef: {coreName: synced-mesh-multi-zone-service}\n  hostnameGenerators:\n  - hostnameGeneratorRef: {coreName: synced-mesh-multi-zone-service}\n    conditions:\n    - {type: Generated, status: \"True\", reason: Generated, message: \"\"}\n  conditions:\n  - {type: MeshServicesMatched, status: \"True\", reason: Matched, message: ok}\n";
        for v in KumaVersion::ALL {
            assert!(schema(doc, MZS, v).is_empty(), "{v:?}");
            assert!(decoding(doc).is_none(), "{v:?}");
        }
    }

    #[test]
    fn date_times_as_kube_openapi_reads_them() {
        for ok in [
            "2026-11-26T16:57:17Z",
            "2026-11-26t16:57:17.5+02:00",
            "2024-02-29T00:00:00Z",
            "0001-01-01T00:00:00Z",
        ] {
            assert!(date_time(ok), "{ok}");
        }
        for bad in [
            "2026-11-26 16:57:17Z",
            "2026-11-26",
            "2023-02-29T00:00:00Z",
            "2026-11-26T24:00:00Z",
            "yesterday",
        ] {
            assert!(!date_time(bad), "{bad}");
        }
    }
}
