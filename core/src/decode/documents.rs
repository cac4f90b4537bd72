//! Which documents are Kuma's: the rule front ends use to stay quiet on everything else.
//!
//! A repository holds Deployments, Services, Helm templates and Kuma policies this project does
//! not model next to its MeshMultiZoneServices. [`classify`] sorts a checked document into one of
//! three classes, [`quiet`] turns a strict [`crate::Checked`] into what a CI job or an editor
//! should show by default (nothing for foreign documents, `unmodelled-kind` info for Kuma kinds
//! we do not check), and [`mentions_kuma`] decides from the text alone whether a file holds a
//! Kuma resource, for texts that do not parse (a Helm template) or break a size limit.

use crate::text::diagnostics::Code;
use crate::text::syntax::Node;
use crate::{Checked, CheckedDocument, Severity};

/// Kuma's resource types (universal `type` and Kubernetes `kind` names), modelled or not: a
/// universal document whose `type` is one of these is Kuma's even when kuma-mzs does not check it.
/// Every kind of Kuma's CRDs from 2.9 to 3.0, the universal-only types, and Kong Mesh's own
/// (`MeshOPA`, `MeshGlobalRateLimit`, `AccessRole`, ...), which share the `kuma.io` API group.
/// One string, space-separated (a list of `&str` costs a pointer and a length per name in the
/// WebAssembly module).
pub(crate) const KUMA_TYPES: &str =
    "AccessAudit AccessRole AccessRoleBinding CircuitBreaker ContainerPatch Dataplane \
DataplaneInsight ExternalService FaultInjection GlobalSecret HealthCheck HostnameGenerator \
Mesh MeshAccessLog MeshCircuitBreaker MeshExternalService MeshFaultInjection MeshGateway \
MeshGatewayConfig MeshGatewayInstance MeshGatewayRoute MeshGlobalRateLimit MeshHTTPRoute \
MeshHealthCheck MeshIdentity MeshInsight MeshLoadBalancingStrategy MeshMetric \
MeshMultiZoneService MeshOPA MeshOpenTelemetryBackend MeshPassthrough MeshProxyPatch \
MeshRateLimit MeshRetry MeshService MeshTCPRoute MeshTLS MeshTimeout MeshTrace \
MeshTrafficPermission MeshTrust MeshZoneAddress OPAPolicy ProxyTemplate RateLimit Retry \
Secret ServiceInsight Timeout TrafficLog TrafficPermission TrafficRoute TrafficTrace \
VirtualOutbound Workload Zone ZoneEgress ZoneEgressInsight ZoneIngress ZoneIngressInsight \
ZoneInsight";

/// Whether `name` is one of Kuma's resource types ([`KUMA_TYPES`]).
pub(crate) fn is_kuma_type(name: &str) -> bool {
    !name.is_empty() && KUMA_TYPES.split(' ').any(|t| t == name)
}

/// The Kubernetes API group of Kuma's resources (`kuma.io/v1alpha1`).
const KUMA_GROUP: &str = "kuma.io/";

/// What a document is, as far as Kuma goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocumentClass {
    /// A resource kuma-mzs checks (its type is recognised).
    Modelled,
    /// A Kuma resource of a kind kuma-mzs does not check (`MeshTimeout`, `kuma.io/v1alpha1`
    /// `MeshTrafficPermission`, ...).
    UnmodelledKuma,
    /// Not a Kuma resource (a Deployment, another `apiVersion`, a document without `type`).
    Foreign,
    /// Meant as a Kuma resource, of a type Kuma does not have: a `kuma.io` kind no Kuma release
    /// defines, or a misspelt type kuma-mzs checks. Its `unknown-resource` error stays.
    Mistyped,
}

/// Classify a checked document.
pub(crate) fn classify(doc: &CheckedDocument) -> DocumentClass {
    if doc.resource_type.is_some() {
        return DocumentClass::Modelled;
    }
    classify_node(&doc.root)
}

fn classify_node(root: &Node) -> DocumentClass {
    let text = |key: &str| root.get(key).and_then(Node::as_str);
    if let Some(api_version) = text("apiVersion") {
        return match text("kind") {
            _ if !api_version.starts_with(KUMA_GROUP) => DocumentClass::Foreign,
            // Kuma's API group has no such kind: the API server has no match for it.
            Some(kind) if !is_kuma_type(kind) => DocumentClass::Mistyped,
            _ => DocumentClass::UnmodelledKuma,
        };
    }
    let named = text("kind").or_else(|| text("type"));
    match named {
        Some(name) if is_kuma_type(name) => DocumentClass::UnmodelledKuma,
        // `MeshMultiZoneSevice` in a Kuma envelope (a `name`, and a `mesh` or a `spec`): a
        // misspelt type of ours, not someone else's YAML that has a `type: mesh`.
        Some(name)
            if root.get("name").is_some()
                && (root.get("mesh").is_some() || root.get("spec").is_some())
                && crate::decode::modelled_type_near(name).is_some() =>
        {
            DocumentClass::Mistyped
        }
        _ => DocumentClass::Foreign,
    }
}

/// How much of the non-Kuma content to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reporting {
    /// Every document must be a resource kuma-mzs models (`unknown-resource` errors otherwise);
    /// what [`crate::check`] returns.
    #[default]
    Strict,
    /// Foreign documents get no diagnostics; Kuma kinds kuma-mzs does not model get one
    /// `unmodelled-kind` info instead of an `unknown-resource` error.
    Quiet,
}

/// Apply `reporting` to the check of `text` (a no-op for [`Reporting::Strict`]).
pub fn apply(checked: &mut Checked, text: &str, reporting: Reporting) {
    if reporting == Reporting::Quiet {
        quiet(checked, text);
    }
}

/// Drop the diagnostics of foreign documents and soften unmodelled Kuma kinds to info; a text
/// that holds no Kuma resource at all ([`holds_kuma`]) keeps no diagnostic, not even a syntax
/// error or a size limit (a Helm template, a large generated manifest).
pub(crate) fn quiet(checked: &mut Checked, text: &str) {
    if !holds_kuma(checked, text) {
        checked.diagnostics.clear();
    }
    for doc in &mut checked.documents {
        match classify(doc) {
            DocumentClass::Modelled | DocumentClass::Mistyped => {}
            DocumentClass::Foreign => doc.diagnostics.clear(),
            DocumentClass::UnmodelledKuma => {
                for d in &mut doc.diagnostics {
                    if d.code == Code::UnknownResource {
                        d.severity = Code::UnmodelledKind.severity();
                        d.code = Code::UnmodelledKind;
                        d.message = unmodelled_message(&doc.root);
                    }
                }
            }
        }
    }
}

fn unmodelled_message(root: &Node) -> String {
    let kind = root
        .get("kind")
        .or_else(|| root.get("type"))
        .and_then(Node::as_str)
        .unwrap_or("this kind");
    format!("{kind} is a Kuma resource kuma-mzs does not check")
}

/// Whether a checked text holds any Kuma resource (modelled or not). Texts whose documents could
/// not be read (syntax errors, limits) are judged by [`mentions_kuma`].
pub fn holds_kuma(checked: &Checked, text: &str) -> bool {
    if checked
        .documents
        .iter()
        .any(|d| classify(d) != DocumentClass::Foreign)
    {
        return true;
    }
    let unreadable = checked
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    // UTF-16 without a byte order mark reads as text with a NUL beside every ASCII character.
    unreadable
        && if text.contains('\0') {
            mentions_kuma(&text.replace('\0', ""))
        } else {
            mentions_kuma(text)
        }
}

/// Whether a line of `text` reads like the start of a Kuma resource: `apiVersion: kuma.io/...`,
/// or `type:`/`kind:` naming a Kuma type (YAML or JSON, quoted or not). Linear in the text, so
/// it can judge files over the size limit.
pub(crate) fn mentions_kuma(text: &str) -> bool {
    text.split(['\n', '\r', ',', '{']).any(|part| {
        // A byte order mark starts the first line; `[` a flow sequence (or a stray bracket).
        // Control characters too: one that makes Kuma refuse the file must not hide it.
        let part = part.trim_start_matches(|c: char| {
            matches!(
                c,
                ' ' | '\t' | '-' | '"' | '\'' | '[' | '\u{feff}' | '\u{fffe}'
            ) || c.is_control()
        });
        let (key, value) = part.split_once(':').unwrap_or(("", ""));
        let value = value
            .trim_start_matches(|c: char| matches!(c, ' ' | '\t' | '"' | '\'') || c.is_control());
        match key.trim_end_matches([' ', '"', '\'']) {
            "apiVersion" => value.starts_with(KUMA_GROUP),
            "type" | "kind" => {
                let end = value
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(value.len());
                is_kuma_type(&value[..end])
            }
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, CheckOptions, Diagnostic};

    fn quiet_check(text: &str) -> Checked {
        let mut checked = check(text, &CheckOptions::default());
        quiet(&mut checked, text);
        checked
    }

    #[test]
    fn a_kuma_text_that_does_not_parse_is_seen_through_a_bom_or_a_bracket() {
        let tabbed = "type: MeshMultiZoneService\nname: a\nspec:\n\tports: []\n";
        for text in [
            tabbed.to_owned(),
            format!("\u{feff}{tabbed}"),
            "[type: MeshMultiZoneService\nname: a\n".to_owned(),
            // Kuma refuses these for a control character: they must not pass unreported.
            format!("\u{1}{tabbed}"),
            tabbed.replace("type: ", "type: \u{80}"),
            format!("\u{fffe}{tabbed}"),
        ] {
            assert!(mentions_kuma(&text), "{text:?}");
            let checked = quiet_check(&text);
            assert!(holds_kuma(&checked, &text), "{text:?}");
            assert!(!checked.diagnostics.is_empty(), "{text:?}");
        }
        // UTF-16 (little-endian) without a byte order mark.
        let utf16: String = tabbed.chars().flat_map(|c| [c, '\0']).collect();
        let checked = quiet_check(&utf16);
        assert!(holds_kuma(&checked, &utf16));
        assert!(checked.all_diagnostics().next().is_some());
    }

    #[test]
    fn deployments_and_services_are_foreign_and_quiet() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\nname: x\n";
        let strict = check(text, &CheckOptions::default());
        assert!(strict.has_errors());
        let checked = quiet_check(text);
        assert_eq!(checked.all_diagnostics().count(), 0);
        assert!(!holds_kuma(&checked, text));
    }

    #[test]
    fn unmodelled_kuma_kinds_are_info() {
        let text = "apiVersion: kuma.io/v1alpha1\nkind: MeshTimeout\nmetadata:\n  name: t\n---\ntype: MeshRetry\nname: r\nmesh: default\n";
        let checked = quiet_check(text);
        let all: Vec<&Diagnostic> = checked.all_diagnostics().collect();
        assert_eq!(all.len(), 2, "{all:?}");
        assert!(all
            .iter()
            .all(|d| d.code == Code::UnmodelledKind && d.severity == Severity::Info));
        assert!(all[0].message.starts_with("MeshTimeout is a Kuma resource"));
        assert!(holds_kuma(&checked, text));
    }

    /// A misspelt type of ours, or a `kuma.io` kind Kuma does not have, was meant as a Kuma
    /// resource: an error saying what it likely means, not silence or "a Kuma resource
    /// kuma-mzs does not check". Someone else's `type:` stays quiet.
    #[test]
    fn a_misspelt_kuma_type_is_an_error_with_the_type_it_means() {
        let text = "type: MeshMultiZoneSevice\nname: b\nmesh: default\nspec: {}\n---\napiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneServce\nmetadata:\n  name: b\n---\napiVersion: kuma.io/v1alpha1\nkind: Foo\nmetadata:\n  name: f\n---\ntype: web\nname: site\n---\ntype: mesh\nname: wifi\nchannels: [1, 6]\n";
        let checked = quiet_check(text);
        let found: Vec<(usize, Code, Severity, &str)> = (checked.documents.iter().enumerate())
            .flat_map(|(i, doc)| {
                (doc.diagnostics.iter()).map(move |d| (i, d.code, d.severity, d.message.as_str()))
            })
            .collect();
        let understood = "kuma-mzs understands Mesh, MeshService, MeshMultiZoneService, HostnameGenerator, MeshLoadBalancingStrategy";
        assert_eq!(
            found,
            [
                (0, Code::UnknownResource, Severity::Error, format!("unknown resource type `MeshMultiZoneSevice` (did you mean `MeshMultiZoneService`?); {understood}").as_str()),
                (1, Code::UnknownResource, Severity::Error, format!("unknown resource type `MeshMultiZoneServce` (did you mean `MeshMultiZoneService`?); {understood}").as_str()),
                (2, Code::UnknownResource, Severity::Error, format!("unknown resource type `Foo`; {understood}").as_str()),
            ]
        );
    }

    #[test]
    fn a_json_kuma_resource_with_a_comment_keeps_its_error() {
        // JSON does not allow comments; YAML reads the whole compact file as one plain string,
        // a pretty-printed one as a mapping with a key `// redis "type"`: both documents are
        // foreign, but the file's error stays.
        for text in [
            "// redis\n{\"type\":\"MeshMultiZoneService\",\"name\":\"redis\"}\n",
            "{\n  // redis\n  \"type\": \"MeshMultiZoneService\",\n  \"name\": \"redis\"\n}\n",
        ] {
            let checked = quiet_check(text);
            let all: Vec<&Diagnostic> = checked.all_diagnostics().collect();
            assert_eq!(all.len(), 1, "{all:?}");
            assert!(
                all[0].message.starts_with("JSON has no comments"),
                "{all:?}"
            );
            assert!(holds_kuma(&checked, text));
        }
        // A JSON file that is not Kuma's keeps its comments quietly (a tsconfig.json).
        let tsconfig = "{\n  // strict\n  \"compilerOptions\": {}\n}\n";
        assert_eq!(quiet_check(tsconfig).all_diagnostics().count(), 0);
    }

    #[test]
    fn modelled_resources_keep_their_errors() {
        let text = "type: MeshMultiZoneService\nname: a\nmesh: default\nspec:\n  ports:\n  - port: 1\n    appProtocol: httpx\n";
        assert!(quiet_check(text).has_errors());
    }

    #[test]
    fn unreadable_texts_are_judged_by_their_lines() {
        let helm = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Values.name }}\n  labels: {{- include \"x\" . | nindent 4 }}\n";
        assert!(!mentions_kuma(helm));
        let checked = check(helm, &CheckOptions::default());
        assert!(checked.has_errors());
        assert!(!holds_kuma(&checked, helm));
        assert_eq!(quiet_check(helm).all_diagnostics().count(), 0);
        let big = "apiVersion: v1\nkind: ConfigMap\n".repeat(100_000);
        assert_eq!(quiet_check(&big).all_diagnostics().count(), 0);
        let broken = "type: MeshMultiZoneService\nname: [\n";
        assert!(holds_kuma(&check(broken, &CheckOptions::default()), broken));
        assert!(mentions_kuma(
            "{\"type\": \"MeshService\", \"name\": \"x\"}"
        ));
        assert!(mentions_kuma("  - apiVersion: kuma.io/v1alpha1\n"));
        // Old Mac line endings: a syntax error before the type line is still the file's.
        let classic = "name: [\rtype: MeshMultiZoneService\r";
        assert!(holds_kuma(
            &check(classic, &CheckOptions::default()),
            classic
        ));
    }
}
