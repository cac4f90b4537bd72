//! Repeated mapping keys, read the way Kuma reads them: the last value wins.
//!
//! Kuma decodes YAML through JSON (`sigs.k8s.io/yaml`, then `encoding/json`), and both keep the
//! last value of a repeated key, as `kubectl apply -f` does (it turns the YAML into JSON before
//! the server's field validation sees it); `kustomize build` (`kubectl apply -k`) refuses the
//! document (`mapping key "name" already defined`). Every
//! parser of the core (the JSON and block-YAML fast paths and the full YAML parser) hands its tree
//! to [`keep_last`] before decoding, so `name` and `spec.ports[0].appProtocol` agree on which of
//! two values counts, whichever parser read the text, and the repeat gets an `MZS008` warning.

use crate::text::diagnostics::{Code, Diagnostic};
use crate::text::syntax::{Entry, Node, NodeKind};

/// Mappings up to this size are checked pairwise; larger ones through a sorted list of keys.
const PAIRWISE: usize = 16;

/// Drop every entry whose key a later entry of the same mapping repeats, warning at the repeat.
pub(crate) fn keep_last(node: &mut Node, out: &mut Vec<Diagnostic>) {
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Sequence(items) => {
            for item in items {
                keep_last(item, out);
            }
        }
        NodeKind::Mapping(entries) => {
            let dropped = repeated(entries);
            if !dropped.is_empty() {
                for &(earlier, later) in &dropped {
                    if let (Some(earlier), Some(later)) = (entries.get(earlier), entries.get(later))
                    {
                        out.push(warning(earlier, later));
                    }
                }
                let mut index = 0;
                entries.retain(|_| {
                    let keep = !dropped.iter().any(|&(earlier, _)| earlier == index);
                    index += 1;
                    keep
                });
            }
            for entry in entries {
                keep_last(&mut entry.value, out);
            }
        }
    }
}

fn warning(_earlier: &Entry, later: &Entry) -> Diagnostic {
    let key = key_text(later).unwrap_or("");
    Diagnostic::new(
        Code::DuplicateKey,
        "",
        format!(
            "key {key} is written twice in this mapping; Kuma keeps the last value, so the earlier one is ignored (kustomize refuses the document)"
        ),
        later.key.span,
    )
}

fn key_text(entry: &Entry) -> Option<&str> {
    match &entry.key.kind {
        NodeKind::Scalar(s) => Some(s.value.as_str()),
        _ => None,
    }
}

/// `(earlier, later)` index pairs: each entry that a later entry repeats, with the next repeat.
fn repeated(entries: &[Entry]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    if entries.len() <= PAIRWISE {
        for (i, a) in entries.iter().enumerate() {
            let Some(key) = key_text(a) else { continue };
            if let Some(j) = entries
                .iter()
                .skip(i + 1)
                .position(|b| key_text(b) == Some(key))
            {
                pairs.push((i, i + 1 + j));
            }
        }
        return pairs;
    }
    let mut keys: Vec<(&str, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| key_text(e).map(|k| (k, i)))
        .collect();
    crate::text::sort::sort(&mut keys);
    for pair in keys.windows(2) {
        if let [(a, i), (b, j)] = pair {
            if a == b {
                pairs.push((*i, *j));
            }
        }
    }
    crate::text::sort::sort(&mut pairs);
    pairs
}

#[cfg(test)]
mod tests {
    use crate::{check, CheckOptions, Code, Format};

    fn name_and_protocol(text: &str, format: Format) -> (String, String, usize) {
        let checked = check(
            text,
            &CheckOptions {
                format,
                ..CheckOptions::default()
            },
        );
        let doc = &checked.documents[0];
        let resource = doc.resource.as_ref().map(|r| r.meta.name.clone());
        let protocol = match doc.resource.as_ref().map(|r| &r.spec) {
            Some(crate::model::Spec::MeshMultiZoneService(s)) => s
                .ports
                .first()
                .map(|p| p.app_protocol.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let warnings = doc
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::DuplicateKey)
            .count();
        (resource.unwrap_or_default(), protocol, warnings)
    }

    #[test]
    fn the_last_value_wins_in_every_parser_with_a_warning_at_the_repeat() {
        let block = "type: MeshMultiZoneService\nname: first\nname: last\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n  ports:\n  - port: 1\n    appProtocol: http\n    appProtocol: tcp\n";
        // A block scalar sends the text to the full parser instead of the fast path.
        let full = block.replace("mesh: default\n", "mesh: |-\n  default\n");
        let json = r#"{"type": "MeshMultiZoneService", "name": "first", "name": "last", "mesh": "default",
 "spec": {"selector": {"meshService": {"matchLabels": {"app": "a"}}},
 "ports": [{"port": 1, "appProtocol": "http", "appProtocol": "tcp"}]}}"#;
        for (text, format) in [
            (block, Format::Yaml),
            (full.as_str(), Format::Yaml),
            (json, Format::Json),
        ] {
            assert_eq!(
                name_and_protocol(text, format),
                ("last".to_owned(), "tcp".to_owned(), 2),
                "{text}"
            );
        }
        let checked = check(block, &CheckOptions::default());
        let d = checked.documents[0]
            .diagnostics
            .iter()
            .find(|d| d.code == Code::DuplicateKey)
            .map(|d| d.span.start as usize);
        assert_eq!(d, block.find("name: last"));
    }

    #[test]
    fn large_mappings_are_checked_too() {
        let mut text = String::from("type: Mesh\nname: default\n");
        for i in 0..40 {
            text.push_str(&format!("k{i}: {i}\n"));
        }
        text.push_str("k7: again\n");
        let checked = check(&text, &CheckOptions::default());
        assert_eq!(
            checked.documents[0]
                .diagnostics
                .iter()
                .filter(|d| d.code == Code::DuplicateKey)
                .count(),
            1
        );
    }
}
