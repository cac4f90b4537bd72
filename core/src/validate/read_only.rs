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
//! through; the format check only applies to strings (`formats.go`). Not modelled: the
//! `pattern`/`minLength`/`maxLength` of status condition strings.
//!
//! Step 2, only when the schema passed: Go's `encoding/json` decodes the body into
//! `v1alpha1.Resource`, whose `creationTime`/`modificationTime` are `time.Time` (every release,
//! 2.9 included) and whose `status` is an empty interface (a HostnameGenerator's or a
//! MeshLoadBalancingStrategy's status of any shape is read and dropped). `kri` and `snis` have no
//! Go field. The decoder stops at the first error, and from 2.10 (and in `kumactl`, which goes
//! through YAML) it reads the re-marshalled map, so in key order: `creationTime` first.

use crate::model::{KumaVersion, ResourceType};
use crate::text::source::TextRange;
use crate::text::syntax::{Node, Resolved};

/// A read-only field Kuma refuses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refused {
    /// Kuma's field path (`status.meshServices[0].name`).
    pub path: String,
    /// kube-openapi's text (schema step), or Go's decoding error (decode step).
    pub message: String,
    /// The offending value (or, for a missing field, the key of its parent).
    pub span: TextRange,
    /// Whether Kuma's JSON decoding refused it (after the schema passed).
    pub decoding: bool,
}

enum Ty {
    Obj(&'static [P]),
    Arr(&'static Ty),
    Str,
    Int,
    Int32,
    Enum(&'static [&'static str]),
    /// `type: string, format: date-time`.
    Time,
}

/// A property: name, schema, required.
struct P(&'static str, &'static Ty, bool);

static STR: Ty = Ty::Str;
static INT: Ty = Ty::Int;
static TIME: Ty = Ty::Time;
static REF: Ty = Ty::Obj(&[P("coreName", &STR, true)]);
static CONDITIONS: Ty = Ty::Arr(&Ty::Obj(&[
    P("message", &STR, true),
    P("reason", &STR, true),
    P("status", &Ty::Enum(&["True", "False", "Unknown"]), true),
    P("type", &STR, true),
]));
static ADDRESSES: Ty = Ty::Arr(&Ty::Obj(&[
    P("hostname", &STR, false),
    P("hostnameGeneratorRef", &REF, false),
    P("origin", &STR, false),
]));
static VIPS: Ty = Ty::Arr(&Ty::Obj(&[P("ip", &STR, false)]));
static GENERATORS: Ty = Ty::Arr(&Ty::Obj(&[
    P("conditions", &CONDITIONS, false),
    P("hostnameGeneratorRef", &REF, true),
]));
/// MeshMultiZoneService's status; `conditions` (the last) from 2.13.
static MZS_STATUS: [P; 5] = [
    P("addresses", &ADDRESSES, false),
    P("vips", &VIPS, false),
    P(
        "meshServices",
        &Ty::Arr(&Ty::Obj(&[
            P("mesh", &STR, true),
            P("name", &STR, true),
            P("namespace", &STR, true),
            P("zone", &STR, true),
        ])),
        false,
    ),
    P("hostnameGenerators", &GENERATORS, false),
    P("conditions", &CONDITIONS, false),
];
static MS_STATUS: Ty = Ty::Obj(&[
    P("addresses", &ADDRESSES, false),
    P(
        "dataplaneProxies",
        &Ty::Obj(&[
            P("connected", &INT, false),
            P("healthy", &INT, false),
            P("total", &INT, false),
        ]),
        false,
    ),
    P("hostnameGenerators", &GENERATORS, false),
    P(
        "tls",
        &Ty::Obj(&[P("status", &Ty::Enum(&["Ready", "NotReady"]), false)]),
        false,
    ),
    P("vips", &VIPS, false),
]);
static MZS_STATUS_OLD: Ty = Ty::Obj(MZS_STATUS.split_at(4).0);
static MZS_STATUS_NEW: Ty = Ty::Obj(&MZS_STATUS);
static SNIS: Ty = Ty::Arr(&Ty::Obj(&[
    P("port", &Ty::Int32, true),
    P("sni", &STR, true),
]));

/// The schema of a top-level read-only field in `version`'s item schema of `resource_type`.
fn top(key: &str, resource_type: ResourceType, version: KumaVersion) -> Option<&'static Ty> {
    use KumaVersion as V;
    let with_status = matches!(
        resource_type,
        ResourceType::MeshService | ResourceType::MeshMultiZoneService
    );
    let (ty, since) = match key {
        "creationTime" | "modificationTime" => (&TIME, V::V2_10),
        "kri" => (&STR, V::V2_13),
        "snis" if with_status => (&SNIS, V::V2_14),
        "status" if resource_type == ResourceType::MeshService => (&MS_STATUS, V::V2_9),
        "status" if resource_type == ResourceType::MeshMultiZoneService => (
            if version < V::V2_13 {
                &MZS_STATUS_OLD
            } else {
                &MZS_STATUS_NEW
            },
            V::V2_9,
        ),
        _ => return None,
    };
    (since <= version).then_some(ty)
}

/// What Kuma refuses among the read-only fields of the universal document `node` of
/// `resource_type`: every schema error, else the first decoding error (none for a Mesh).
pub(crate) fn check(
    node: &Node,
    resource_type: ResourceType,
    version: KumaVersion,
) -> Vec<Refused> {
    let mut out = Vec::new();
    let Some(entries) = node.as_mapping() else {
        return out;
    };
    if resource_type == ResourceType::Mesh {
        return out;
    }
    for e in entries {
        let Some(key) = e.key.as_str() else { continue };
        if let Some(ty) = top(key, resource_type, version) {
            walk(&e.value, e.key.span, ty, &mut key.to_owned(), &mut out);
        }
    }
    if out.is_empty() {
        for key in ["creationTime", "modificationTime"] {
            let Some(value) = node.get(key) else { continue };
            let message = match value.as_scalar().map(|s| s.resolve()) {
                Some(Resolved::Null) => continue,
                Some(Resolved::Str(s)) if version > KumaVersion::V2_9 || date_time(s, true) => {
                    continue
                }
                // Before 2.10 no schema checks the text: Go's `time.Parse` refuses it.
                Some(Resolved::Str(_)) => {
                    "not an RFC 3339 date-time: Kuma 2.9 cannot decode it into a time".to_owned()
                }
                _ => "Time.UnmarshalJSON: input is not a JSON string".to_owned(),
            };
            out.push(Refused {
                path: key.to_owned(),
                message,
                span: value.span,
                decoding: true,
            });
            break;
        }
    }
    out
}

fn refuse(out: &mut Vec<Refused>, path: &str, message: String, span: TextRange) {
    out.push(Refused {
        path: path.to_owned(),
        message: format!("{path} in body {message}"),
        span,
        decoding: false,
    });
}

/// Walk `node` (held by the key at `key`) against `ty`.
fn walk(node: &Node, key: TextRange, ty: &Ty, path: &mut String, out: &mut Vec<Refused>) {
    // A null written as nothing (`status:`) has an empty span: report it at its key.
    let at = if node.span.is_empty() { key } else { node.span };
    let scalar = node.as_scalar().map(|s| s.resolve());
    let expected = match (ty, scalar) {
        (Ty::Obj(props), _) => {
            let Some(entries) = node.as_mapping() else {
                return type_error(out, path, "object", node, at);
            };
            let len = path.len();
            for P(name, ty, required) in *props {
                path.push('.');
                path.push_str(name);
                match entries.iter().find(|e| e.key.as_str() == Some(name)) {
                    Some(e) => walk(&e.value, e.key.span, ty, path, out),
                    None if *required => refuse(out, path, "is required".to_owned(), key),
                    None => {}
                }
                path.truncate(len);
            }
            return;
        }
        (Ty::Arr(items), _) => {
            let Some(seq) = node.as_sequence() else {
                return type_error(out, path, "array", node, at);
            };
            let len = path.len();
            for (i, item) in seq.iter().enumerate() {
                crate::text::push_index(path, i);
                walk(item, item.span, items, path, out);
                path.truncate(len);
            }
            return;
        }
        (Ty::Enum(values), Some(Resolved::Str(s))) => {
            if !values.contains(&s) {
                let values = crate::text::join(values, " ");
                refuse(out, path, format!("should be one of [{values}]"), at);
            }
            return;
        }
        (Ty::Int32, Some(Resolved::Int(i))) if i32::try_from(i).is_err() => {
            return refuse(out, path, format!("must be of type int32: \"{i}\""), at);
        }
        (Ty::Str, Some(Resolved::Str(_))) | (Ty::Int | Ty::Int32, Some(Resolved::Int(_))) => return,
        (Ty::Int | Ty::Int32, _) => "integer",
        // `format: date-time`: a string meets the format check, an array passes (Go's decoder
        // refuses it later), null gets the plain type error, anything else names the format and
        // the Go kind it was read as.
        (Ty::Time, Some(Resolved::Str(s))) => {
            if !date_time(s, false) {
                let quoted = crate::template::go_quote(s);
                refuse(
                    out,
                    path,
                    format!("must be of type date-time: {quoted}"),
                    at,
                );
            }
            return;
        }
        (Ty::Time, None) if node.as_sequence().is_some() => return,
        (Ty::Time, Some(Resolved::Int(_) | Resolved::Float(_))) => {
            return refuse(
                out,
                path,
                "must be of type date-time: \"float64\"".to_owned(),
                at,
            )
        }
        (Ty::Time, Some(Resolved::Bool(_)) | None) => {
            return refuse(out, path, "must be of type date-time: \"\"".to_owned(), at)
        }
        _ => "string",
    };
    type_error(out, path, expected, node, at);
}

/// kube-openapi's type error: Kuma reads every JSON number as a float64.
fn type_error(out: &mut Vec<Refused>, path: &str, expected: &str, node: &Node, at: TextRange) {
    let found = match node.type_name() {
        "integer" => "number",
        found => found,
    };
    refuse(
        out,
        path,
        format!("must be of type {expected}: \"{found}\""),
        at,
    );
}

/// kube-openapi's `date-time` format (`strfmt.IsDateTime`: a `time.Parse` date, `T`, then
/// `hh:mm:ss`, any one character and digits, `Z` or `±hh:mm`, case-insensitive, hours to 23 and
/// minutes and seconds to 59); with `go`, Go's stricter RFC 3339 (`T`, `Z` and `.` as written,
/// offsets within range).
fn date_time(s: &str, go: bool) -> bool {
    let b = s.as_bytes();
    let num = |at: usize, n: usize| -> Option<u32> {
        let d = b.get(at..at + n)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| d.iter().fold(0, |a, c| a * 10 + u32::from(c - b'0')))
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0, 4),
        num(5, 2),
        num(8, 2),
        num(11, 2),
        num(14, 2),
        num(17, 2),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let t: &[u8] = if go { b"T" } else { b"Tt" };
    if b[4] != b'-'
        || b[7] != b'-'
        || !t.contains(&b[10])
        || b[13] != b':'
        || b[16] != b':'
        || !(1..=12).contains(&month)
        || !(1..=days).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return false;
    }
    let z: &[u8] = if go { b"Z" } else { b"Zz" };
    let zone = |rest: &[u8]| match rest {
        [c] => z.contains(c),
        [sign, h1, h2, b':', m1, m2] => {
            let digits = [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit());
            let within = !go || ((*h1 < b'2' || (*h1 == b'2' && *h2 < b'4')) && *m1 < b'6');
            matches!(sign, b'+' | b'-') && digits && within
        }
        _ => false,
    };
    // kube-openapi's pattern lets any one character start the fraction and backtracks.
    let rest = &b[19..];
    let digits = rest
        .iter()
        .skip(1)
        .take_while(|c| c.is_ascii_digit())
        .count();
    zone(rest) || (digits > 0 && (!go || rest[0] == b'.') && zone(&rest[1 + digits..]))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::text::syntax::{parse, Limits};

    fn refused(yaml: &str, t: ResourceType, v: KumaVersion) -> Vec<(String, String, bool)> {
        let parsed = parse(yaml, &Limits::default());
        let root = &parsed.documents[0].root;
        check(root, t, v)
            .into_iter()
            .map(|r| {
                assert!(r.span.start < r.span.end, "{r:?} has no span");
                (r.path, r.message, r.decoding)
            })
            .collect()
    }

    const MZS: ResourceType = ResourceType::MeshMultiZoneService;
    const HG: ResourceType = ResourceType::HostnameGenerator;

    fn schema(path: &str, message: &str) -> (String, String, bool) {
        (path.to_owned(), message.to_owned(), false)
    }

    #[test]
    fn status_of_the_wrong_shape_is_a_schema_error_in_every_release() {
        for v in KumaVersion::ALL {
            assert_eq!(
                refused("type: X\nstatus: 5\n", MZS, v),
                vec![schema(
                    "status",
                    "status in body must be of type object: \"number\""
                )]
            );
        }
        assert_eq!(
            refused("status:\n  meshServices: x\n", MZS, KumaVersion::V3_0),
            vec![schema(
                "status.meshServices",
                "status.meshServices in body must be of type array: \"string\""
            )]
        );
        assert_eq!(
            refused(
                "status:\n  meshServices:\n  - name: a\n    mesh: 1\n",
                MZS,
                KumaVersion::V2_14
            ),
            vec![
                schema(
                    "status.meshServices[0].mesh",
                    "status.meshServices[0].mesh in body must be of type string: \"number\""
                ),
                schema(
                    "status.meshServices[0].namespace",
                    "status.meshServices[0].namespace in body is required"
                ),
                schema(
                    "status.meshServices[0].zone",
                    "status.meshServices[0].zone in body is required"
                ),
            ]
        );
        // An explicit null is a value of the wrong type (`status:` with nothing after it).
        assert_eq!(
            refused("status:\n", MZS, KumaVersion::V2_9),
            vec![schema(
                "status",
                "status in body must be of type object: \"null\""
            )]
        );
    }

    #[test]
    fn conditions_are_typed_from_2_13() {
        let doc = "status:\n  conditions:\n  - type: A\n    status: Maybe\n";
        assert!(refused(doc, MZS, KumaVersion::V2_12).is_empty());
        assert_eq!(
            refused(doc, MZS, KumaVersion::V2_13),
            vec![
                schema(
                    "status.conditions[0].message",
                    "status.conditions[0].message in body is required"
                ),
                schema(
                    "status.conditions[0].reason",
                    "status.conditions[0].reason in body is required"
                ),
                schema(
                    "status.conditions[0].status",
                    "status.conditions[0].status in body should be one of [True False Unknown]"
                ),
            ]
        );
    }

    #[test]
    fn times_kri_and_snis_by_release() {
        let doc = "creationTime: 12\nkri: []\nsnis: [{port: 80.5}]\n";
        let decoding = (
            "creationTime".to_owned(),
            "Time.UnmarshalJSON: input is not a JSON string".to_owned(),
            true,
        );
        assert_eq!(refused(doc, MZS, KumaVersion::V2_9), vec![decoding.clone()]);
        let time = schema(
            "creationTime",
            "creationTime in body must be of type date-time: \"float64\"",
        );
        let kri = schema("kri", "kri in body must be of type string: \"array\"");
        let port = schema(
            "snis[0].port",
            "snis[0].port in body must be of type integer: \"number\"",
        );
        let sni = schema("snis[0].sni", "snis[0].sni in body is required");
        assert_eq!(refused(doc, MZS, KumaVersion::V2_12), vec![time.clone()]);
        assert_eq!(
            refused(doc, MZS, KumaVersion::V2_13),
            vec![time.clone(), kri.clone()]
        );
        assert_eq!(
            refused(doc, MZS, KumaVersion::V2_14),
            vec![time.clone(), kri.clone(), port, sni]
        );
        // No `snis` in a HostnameGenerator's schema.
        assert_eq!(refused(doc, HG, KumaVersion::V3_0), vec![time, kri]);
    }

    #[test]
    fn a_date_time_array_passes_the_schema_and_fails_decoding() {
        assert_eq!(
            refused("modificationTime: []\n", HG, KumaVersion::V3_0),
            vec![(
                "modificationTime".to_owned(),
                "Time.UnmarshalJSON: input is not a JSON string".to_owned(),
                true
            )]
        );
        assert_eq!(
            refused("creationTime: yesterday\n", HG, KumaVersion::V2_10),
            vec![schema(
                "creationTime",
                "creationTime in body must be of type date-time: \"yesterday\""
            )]
        );
        assert_eq!(
            refused("creationTime: yesterday\n", HG, KumaVersion::V2_9).len(),
            1
        );
        // A HostnameGenerator's status is read into an empty interface and dropped.
        assert!(refused("status: 5\nsnis: x\n", HG, KumaVersion::V3_0).is_empty());
    }

    #[test]
    fn read_back_documents_pass() {
        let doc = "type: MeshMultiZoneService\nname: a\ncreationTime: \"2026-11-26T16:57:17.499403952Z\"\nmodificationTime: 0001-01-01T00:00:00Z\nkri: kri_mzsvc_default___a_\nsnis:\n- port: 80\n  sni: sni.mzsvc.default.a.80\nstatus:\n  meshServices:\n  - mesh: default\n    name: redis\n    namespace: \"\"\n    zone: east\n  vips:\n  - ip: 241.0.0.1\n  addresses:\n  - hostname: a.mzsvc.mesh.local\n    origin: HostnameGenerator\n    hostnameGeneratorRef: {coreName: synced-mesh-multi-zone-service}\n  hostnameGenerators:\n  - hostnameGeneratorRef: {coreName: synced-mesh-multi-zone-service}\n    conditions:\n    - {type: Generated, status: \"True\", reason: Generated, message: \"\"}\n  conditions:\n  - {type: MeshServicesMatched, status: \"True\", reason: Matched, message: ok}\n";
        for v in KumaVersion::ALL {
            assert!(refused(doc, MZS, v).is_empty(), "{v:?}");
        }
    }

    #[test]
    fn date_times_as_kube_openapi_and_go_read_them() {
        for ok in [
            "2026-11-26T16:57:17Z",
            "2026-11-26T16:57:17.5+02:00",
            "2024-02-29T00:00:00Z",
        ] {
            assert!(date_time(ok, false) && date_time(ok, true), "{ok}");
        }
        for (s, kube, go) in [
            ("2026-11-26t16:57:17z", true, false),
            ("2026-11-26T16:57:17,5Z", true, false),
            ("2026-11-26T16:57:17+25:00", true, false),
            ("2026-11-26 16:57:17Z", false, false),
            ("2026-11-26", false, false),
            ("2023-02-29T00:00:00Z", false, false),
            ("2026-11-26T24:00:00Z", false, false),
            ("2026-11-26T16:57:60Z", false, false),
        ] {
            assert_eq!((date_time(s, false), date_time(s, true)), (kube, go), "{s}");
        }
    }
}
