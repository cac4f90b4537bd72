//! YAML merge keys (`<<: *defaults`), read the way Kuma reads them.
//!
//! Kuma's YAML goes through `sigs.k8s.io/yaml`, i.e. go-yaml v2, which applies merge keys: a
//! `<<` entry writes the merged mapping's entries into its mapping at that point (for a
//! sequence of mappings, the last first, so earlier ones win), and later entries overwrite
//! earlier ones. So `{<<: *p, port: 6380}` keeps `port: 6380` and merges the rest of `*p`.
//! Runs after [`super::repeated_keys::keep_last`], so keys a merge brings in are not reported
//! as written twice.

use crate::text::diagnostics::{Code, Diagnostic};
use crate::text::syntax::{Entry, Node, NodeKind};

/// go-yaml's error when a merge key's value is not a mapping or a list of mappings.
const NOT_A_MAP: &str = "invalid YAML: map merge requires map or sequence of maps as the value";

/// Expand every merge key under `node` in place; a merge of something that is not a mapping is
/// a syntax error (Kuma's decoder refuses the document).
pub(crate) fn expand(node: &mut Node, out: &mut Vec<Diagnostic>) {
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Sequence(items) => {
            for item in items {
                expand(item, out);
            }
        }
        NodeKind::Mapping(entries) => {
            for entry in entries.iter_mut() {
                expand(&mut entry.value, out);
            }
            if entries.iter().any(is_merge) {
                let merged = merge(std::mem::take(entries), out);
                *entries = merged;
            }
        }
    }
}

fn is_merge(entry: &Entry) -> bool {
    matches!(&entry.key.kind, NodeKind::Scalar(s) if s.plain && s.value == "<<")
}

/// The entries with each merge replaced by what it merges, then the last of each key kept.
fn merge(entries: Vec<Entry>, out: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let mut written = Vec::with_capacity(entries.len());
    for entry in entries {
        if !is_merge(&entry) {
            written.push(entry);
            continue;
        }
        // A list merges its last mapping first, so that earlier ones win.
        let sources = match entry.value.kind {
            NodeKind::Sequence(mut items) => {
                items.reverse();
                items
            }
            _ => vec![entry.value],
        };
        for source in sources {
            match source.kind {
                NodeKind::Mapping(merged) => written.extend(merged),
                _ => out.push(Diagnostic::new(
                    Code::Syntax,
                    "",
                    NOT_A_MAP.to_owned(),
                    source.span,
                )),
            }
        }
    }
    // The last of each key wins; a merge brings keys in, so this is no `MZS008`.
    let keep: Vec<bool> = (0..written.len())
        .map(|i| {
            key(&written[i]).is_none_or(|k| !written[i + 1..].iter().any(|e| key(e) == Some(k)))
        })
        .collect();
    let mut index = 0;
    written.retain(|_| {
        index += 1;
        keep[index - 1]
    });
    written
}

fn key(entry: &Entry) -> Option<&str> {
    match &entry.key.kind {
        NodeKind::Scalar(s) => Some(s.value.as_str()),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use crate::model::Spec;
    use crate::{check, CheckOptions, Code, Severity};

    const PORTS: &str = "type: MeshMultiZoneService
name: redis
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  ports:
  - &p
    port: 6379
    appProtocol: tcp
  - <<: *p
    port: 6380
  - {port: 1, <<: [{appProtocol: http}, {appProtocol: grpc, name: second}]}
";

    #[test]
    fn merge_keys_merge_as_in_go_yaml_v2() {
        let checked = check(PORTS, &CheckOptions::default());
        let doc = &checked.documents[0];
        assert!(
            doc.diagnostics.iter().all(|d| d.severity != Severity::Error
                && d.code != Code::UnknownField
                && d.code != Code::DuplicateKey),
            "{:?}",
            doc.diagnostics
        );
        let Some(Spec::MeshMultiZoneService(spec)) = doc.resource.as_ref().map(|r| &r.spec) else {
            panic!("an MZS");
        };
        let ports: Vec<(i32, &str, Option<&str>)> = spec
            .ports
            .iter()
            .map(|p| (p.port, p.app_protocol.as_str(), p.name.as_deref()))
            .collect();
        // The explicit port wins over the merged one; among merged mappings the first wins.
        assert_eq!(
            ports,
            vec![
                (6379, "tcp", None),
                (6380, "tcp", None),
                (1, "http", Some("second"))
            ]
        );
    }

    #[test]
    fn an_error_in_a_merged_value_is_an_error_and_a_scalar_merge_is_refused() {
        let bad = PORTS.replace("appProtocol: tcp", "appProtocol: tcpx");
        let checked = check(&bad, &CheckOptions::default());
        let errors: Vec<&str> = checked
            .all_diagnostics()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.field.as_str())
            .collect();
        assert_eq!(
            errors,
            vec!["spec.ports[0].appProtocol", "spec.ports[1].appProtocol"]
        );
        let scalar = "type: MeshMultiZoneService\nname: r\n<<: 5\n";
        let checked = check(scalar, &CheckOptions::default());
        assert!(checked.all_diagnostics().any(|d| d.code == Code::Syntax
            && d.message
                .contains("map merge requires map or sequence of maps")));
    }
}
