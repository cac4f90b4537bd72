//! Hints on errors that the other release line would not give (`validate::version_hint` has the
//! rule): the document is decoded and validated once more under the counterpart release (and,
//! for a hinted 2.x error, under the newer 2.x releases), only when it has errors that depend on
//! the release, so a valid document costs nothing.

use crate::model::KumaVersion;
use crate::text::diagnostics::{Code, Diagnostic, Severity};
use crate::text::syntax::Node;
use crate::validate;

/// Errors whose verdict a release decides: Kuma's schema and Kuma's validators.
fn depends_on_release(d: &Diagnostic) -> bool {
    d.severity == Severity::Error && matches!(d.code, Code::Schema | Code::Kuma)
}

/// Give every release-dependent error in `diagnostics` (of `node`, decoded under `version`) whose
/// field the counterpart release accepts (no error there, and a field it knows) the core's
/// hint ([`validate::Comparison`]).
pub(super) fn attach(node: &Node, version: KumaVersion, diagnostics: &mut [Diagnostic]) {
    if !diagnostics.iter().any(depends_on_release) {
        return;
    }
    let mut comparison = validate::Comparison::new(version, |release| {
        let mut other = Vec::new();
        super::decode_envelope(node, release, &mut other);
        // A field another release does not know (`MZS005`) is not accepted there either: it
        // would be dropped (3.0 removed nested `hashPolicies`, for one).
        let mut rejected = Vec::new();
        for d in other {
            if d.severity == Severity::Error || d.code == Code::UnknownField {
                rejected.push(d.field);
            }
        }
        rejected
    });
    for d in diagnostics.iter_mut().filter(|d| depends_on_release(d)) {
        d.hint = comparison.hint(&d.field, &d.message).map(|h| h.text);
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use crate::model::KumaVersion;
    use crate::text::diagnostics::{Code, Diagnostic, Severity};
    use crate::{check, CheckOptions};

    fn diagnostics(text: &str, version: KumaVersion) -> Vec<Diagnostic> {
        let options = CheckOptions {
            kuma_version: version,
            ..CheckOptions::default()
        };
        check(text, &options).all_diagnostics().cloned().collect()
    }

    /// `(field, hint)` of every error.
    fn errors(text: &str, version: KumaVersion) -> Vec<(String, Option<String>)> {
        diagnostics(text, version)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.field, d.hint))
            .collect()
    }

    fn hinted(field: &str, version: KumaVersion) -> (String, Option<String>) {
        (field.to_owned(), Some(crate::validate::hint(version)))
    }

    fn plain(field: &str) -> (String, Option<String>) {
        (field.to_owned(), None)
    }

    const KAFKA: &str = "type: MeshMultiZoneService
name: kafka
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: kafka}}}
  ports: [{port: 9092, appProtocol: kafka}]
";

    #[test]
    fn kafka_under_3_0_says_that_2_14_accepts_it_and_keeps_kumas_message() {
        let found = diagnostics(KAFKA, KumaVersion::V3_0);
        let error = found
            .iter()
            .find(|d| d.severity == Severity::Error)
            .expect("3.0 rejects kafka");
        assert_eq!(error.field, "spec.ports[0].appProtocol");
        assert_eq!(
            error.message,
            "appProtocol must be one of: grpc, http, http2, tcp"
        );
        assert_eq!(
            error.hint.as_deref(),
            Some("Kuma 2.14 accepts this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0")
        );
        assert!(errors(KAFKA, KumaVersion::V2_14).is_empty());
    }

    #[test]
    fn a_document_without_errors_has_no_hint() {
        for v in KumaVersion::ALL {
            assert!(diagnostics(&KAFKA.replace("kafka}", "tcp}"), v)
                .iter()
                .all(|d| d.hint.is_none()));
        }
        // Warnings never get one, even beside an error (`MZS005`: an unknown field).
        let unknown_field = KAFKA.replace("  ports:", "  portz: 1\n  ports:");
        let found = diagnostics(&unknown_field, KumaVersion::V3_0);
        assert!(found
            .iter()
            .any(|d| d.code == Code::UnknownField && d.hint.is_none()));
        assert!(found.iter().any(|d| d.hint.is_some()));
    }

    #[test]
    fn an_error_both_release_lines_give_has_no_hint() {
        // `TCP`: the MZS protocol is case-sensitive in both lines (each lists its own values).
        let doc = KAFKA.replace(
            "appProtocol: kafka}]",
            "appProtocol: kafka}, {port: 80, appProtocol: TCP}]",
        );
        assert_eq!(
            errors(&doc, KumaVersion::V3_0),
            vec![
                hinted("spec.ports[0].appProtocol", KumaVersion::V3_0),
                plain("spec.ports[1].appProtocol"),
            ]
        );
        assert_eq!(
            errors(&doc, KumaVersion::V2_14),
            vec![plain("spec.ports[1].appProtocol")]
        );
    }

    #[test]
    fn a_2_14_rejection_that_3_0_accepts_says_so() {
        // Only 3.0 balances towards a MeshExternalService.
        let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  to:
  - targetRef: {kind: MeshExternalService, labels: {kuma.io/display-name: httpbin}}
    default: {loadBalancer: {type: Random}}
";
        assert_eq!(
            errors(doc, KumaVersion::V2_14),
            vec![hinted("spec.to[0].targetRef.kind", KumaVersion::V2_14)]
        );
        assert!(crate::validate::hint(KumaVersion::V2_14).starts_with("Kuma 3.0 accepts this"));
        assert!(errors(doc, KumaVersion::V3_0).is_empty());
    }

    #[test]
    fn a_field_the_other_release_does_not_know_gets_no_hint() {
        // 2.14 refuses root and nested hash policies together; 3.0 accepts the document but
        // drops the nested ones as unknown, so "3.0 accepts this" would mislead.
        let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  to:
  - targetRef: {kind: Mesh}
    default:
      hashPolicies: [{type: Header, header: {name: x}}]
      loadBalancer:
        type: RingHash
        ringHash: {hashPolicies: [{type: Header, header: {name: z}}]}
";
        assert_eq!(
            errors(doc, KumaVersion::V2_14),
            vec![plain(
                "spec.to[0].default.loadBalancer.ringHash.hashPolicies"
            )]
        );
        assert!(errors(doc, KumaVersion::V3_0).is_empty());
    }

    #[test]
    fn a_source_ip_policy_without_connection_gets_no_3_0_hint() {
        // 2.10 to 2.14 want `connection` for a `SourceIP` policy; 3.0 refuses the type itself,
        // so "Kuma 3.0 accepts this" would be false.
        let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  to:
  - targetRef: {kind: Mesh}
    default:
      hashPolicies: [{type: SourceIP}]
      loadBalancer: {type: RingHash}
";
        for version in [KumaVersion::V2_12, KumaVersion::V2_14] {
            assert_eq!(
                errors(doc, version),
                vec![plain("spec.to[0].default.hashPolicies[0].connection")],
                "{version}"
            );
        }
        let fields: Vec<String> = errors(doc, KumaVersion::V3_0)
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(fields, ["spec.to[0].default.hashPolicies[0].type"]);
        // A `Connection` policy without `connection` is refused by both lines alike.
        let connection = doc.replace("SourceIP", "Connection");
        assert_eq!(
            errors(&connection, KumaVersion::V2_14),
            vec![plain("spec.to[0].default.hashPolicies[0].connection")]
        );
    }

    #[test]
    fn schema_errors_get_hints_too() {
        // A ServiceTag identity, written by a 2.x control plane: a 3.0 schema error.
        let doc = "type: MeshService
name: redis
mesh: default
spec:
  selector: {dataplaneRef: {name: r}}
  identities: [{type: ServiceTag, value: redis}]
";
        let found = diagnostics(doc, KumaVersion::V3_0);
        let error = found
            .iter()
            .find(|d| d.severity == Severity::Error)
            .expect("3.0 refuses ServiceTag");
        assert_eq!(error.code, Code::Schema);
        assert_eq!(error.hint, Some(crate::validate::hint(KumaVersion::V3_0)));
    }

    #[test]
    fn an_older_2x_release_names_the_oldest_release_that_accepts() {
        // 2.9 to 2.13 need a `to`; 2.14 and 3.0 do not.
        let doc = "type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  targetRef: {kind: Dataplane}
";
        let since_2_14 = "Kuma 2.14 and later accept this; if your control plane runs Kuma 2.14 or later, validate with its version instead of 2.13";
        assert_eq!(
            errors(doc, KumaVersion::V2_13),
            vec![("spec.to".to_owned(), Some(since_2_14.to_owned()))]
        );
        assert!(errors(doc, KumaVersion::V2_14).is_empty());
    }

    #[test]
    fn a_spiffe_id_identity_under_2_11_points_at_2_12_not_3_0() {
        let doc = "type: MeshService
name: redis
mesh: default
spec:
  selector: {dataplaneRef: {name: r}}
  identities: [{type: SpiffeID, value: spiffe://default/redis}]
";
        let found = diagnostics(doc, KumaVersion::V2_11);
        let error = found
            .iter()
            .find(|d| d.severity == Severity::Error)
            .expect("2.11 knows only ServiceTag");
        assert_eq!(
            error.hint.as_deref(),
            Some("Kuma 2.12 and later accept this; if your control plane runs Kuma 2.12 or later, validate with its version instead of 2.11")
        );
        assert!(errors(doc, KumaVersion::V2_12).is_empty());
    }

    #[test]
    fn every_item_of_a_list_is_compared_on_its_own() {
        let text = format!(
            "[{}, {}]",
            r#"{"type": "MeshMultiZoneService", "name": "a", "spec": {"selector": {"meshService": {"matchLabels": {"app": "a"}}}, "ports": [{"port": 1, "appProtocol": "kafka"}]}}"#,
            r#"{"type": "MeshMultiZoneService", "name": "b", "spec": {"selector": {"meshService": {"matchLabels": {"app": "a"}}}, "ports": [{"port": 1, "appProtocol": "TCP"}]}}"#,
        );
        let checked = check(&text, &CheckOptions::default());
        let hints: Vec<Vec<bool>> = checked
            .documents
            .iter()
            .map(|d| d.diagnostics.iter().map(|d| d.hint.is_some()).collect())
            .collect();
        assert_eq!(hints, vec![vec![true], vec![false]]);
    }
}
