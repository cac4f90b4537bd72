//! Mapping Kuma field paths (`spec.ports[0].appProtocol`, `labels["kuma.io/zone"]`) back to text.

use crate::text::source::TextRange;
use crate::text::syntax::Node;

/// The span that best shows `path` in the document whose root is `root`.
///
/// - A present field: its value's span (for an empty value, its key).
/// - A missing field: the key of the nearest existing parent (the root's first key at top level).
/// - A Kubernetes document (`metadata`): `name`, `labels` and `mesh` are looked up under
///   `metadata` (`mesh` is the `kuma.io/mesh` label).
///
/// Field names may contain dots (label keys such as `kuma.io/mesh`): at each mapping the longest
/// key that fits the rest of the path wins.
pub(crate) fn span_of(root: &Node, path: &str) -> TextRange {
    let kubernetes = root.get("metadata").is_some() && root.get("name").is_none();
    let translated;
    let path = if kubernetes {
        translated = if path == "name" || path.starts_with("name.") || path.starts_with("labels") {
            format!("metadata.{path}")
        } else if path == "mesh" {
            "metadata.labels[\"kuma.io/mesh\"]".to_owned()
        } else {
            path.to_owned()
        };
        translated.as_str()
    } else {
        path
    };
    let mut current = root;
    let mut anchor: Option<TextRange> = None;
    let mut rest = path;
    let mut ends_at_item = false;
    loop {
        rest = rest.strip_prefix('.').unwrap_or(rest);
        if rest.is_empty() {
            if current.span.is_empty() {
                return anchor.unwrap_or(current.span);
            }
            if ends_at_item {
                // A block mapping item spans lines: show its first key.
                return item_anchor(current);
            }
            return current.span;
        }
        ends_at_item = false;
        if let Some(after) = rest.strip_prefix('[') {
            let Some(close) = find_close(after) else {
                return fallback(root, anchor);
            };
            let inner = &after[..close];
            rest = &after[close + 1..];
            if let Some(key) = inner.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
                let key = crate::template::unquote_go(&format!("\"{key}\""))
                    .unwrap_or_else(|| key.to_owned());
                match current.entry(&key) {
                    Some(e) => {
                        anchor = Some(e.key.span);
                        current = &e.value;
                    }
                    None => return fallback(root, anchor),
                }
            } else {
                let item = inner
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| current.as_sequence().and_then(|s| s.get(i)));
                match item {
                    Some(item) => {
                        anchor = Some(item_anchor(item));
                        current = item;
                        ends_at_item = true;
                        continue;
                    }
                    None => return fallback(root, anchor),
                }
            }
            continue;
        }
        let Some(entries) = current.as_mapping() else {
            return fallback(root, anchor);
        };
        let best = entries
            .iter()
            .filter_map(|e| {
                let k = e.key.as_scalar()?.value.as_str();
                let fits = rest == k
                    || (rest.starts_with(k)
                        && matches!(rest.as_bytes().get(k.len()), Some(b'.' | b'[')));
                fits.then_some((k.len(), e))
            })
            .max_by_key(|(len, _)| *len);
        match best {
            Some((len, e)) => {
                anchor = Some(e.key.span);
                current = &e.value;
                rest = &rest[len..];
            }
            None => return fallback(root, anchor),
        }
    }
}

fn find_close(s: &str) -> Option<usize> {
    let mut in_quote = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            ']' if !in_quote => return Some(i),
            _ => {}
        }
    }
    None
}

/// A sequence item is shown by its first key when it is a mapping (`- port: 80` points at `port`).
fn item_anchor(item: &Node) -> TextRange {
    item.as_mapping()
        .and_then(|m| m.first())
        .map_or(item.span, |e| e.key.span)
}

fn fallback(root: &Node, anchor: Option<TextRange>) -> TextRange {
    anchor.unwrap_or_else(|| {
        root.as_mapping()
            .and_then(|m| m.first())
            .map_or(TextRange::empty(root.span.start), |e| e.key.span)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::syntax::{parse, Limits};

    /// The text `span_of(path)` points at.
    fn check(text: &str, path: &str, expected: &str) {
        let root = parse(text, &Limits::default())
            .documents
            .into_iter()
            .next()
            .map(|d| d.root);
        let Some(root) = root else {
            panic!("no document in {text:?}")
        };
        let span = span_of(&root, path);
        assert_eq!(
            &text[span.start as usize..span.end as usize],
            expected,
            "{path}"
        );
    }

    const UNIVERSAL: &str = "type: MeshMultiZoneService\nname: a\nlabels:\n  kuma.io/zone: east\nspec:\n  ports:\n  - port: 80\n    appProtocol: x\n  selector: {}\n";

    #[test]
    fn present_fields_point_at_their_value() {
        check(UNIVERSAL, "name", "a");
        check(UNIVERSAL, "spec.ports[0].appProtocol", "x");
        check(UNIVERSAL, "labels[\"kuma.io/zone\"]", "east");
        check(UNIVERSAL, "labels.kuma.io/zone", "east");
        check(UNIVERSAL, "spec.ports[0]", "port");
    }

    #[test]
    fn missing_fields_point_at_the_nearest_parent_key() {
        check(UNIVERSAL, "spec.ports[0].name", "port");
        check(
            UNIVERSAL,
            "spec.selector.meshService.matchLabels",
            "selector",
        );
        check(UNIVERSAL, "spec.ports[5].name", "ports");
        check(UNIVERSAL, "mesh", "type");
    }

    #[test]
    fn kubernetes_meta_lives_under_metadata() {
        let text = "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  name: b\n  labels:\n    kuma.io/mesh: m\nspec: {}\n";
        check(text, "name", "b");
        check(text, "mesh", "m");
        check(text, "labels[\"kuma.io/mesh\"]", "m");
    }
}
