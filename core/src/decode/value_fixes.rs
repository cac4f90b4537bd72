//! Nearest-value quick fixes: an error about a value outside a field's allowed values gets the
//! allowed value it most likely meant, found through the documented field tree.

use crate::model::field_lookup::{resolve, Resolved, Step};
use crate::model::field_tree::{self};
use crate::model::{KumaVersion, ResourceType};
use crate::text::source::TextRange;
use crate::text::syntax;
use crate::Shape;

/// Give each error about a value outside a field's allowed values (Kuma's `appProtocol must be one
/// of`, the schema's enums) the nearest allowed value as a fix, when one is clearly nearest
/// (`httpx` -> `http`: an extra character beats a changed one).
pub(crate) fn value_fixes(
    root: &syntax::Node,
    resource_type: ResourceType,
    shape: Shape,
    version: KumaVersion,
    diagnostics: &mut [crate::Diagnostic],
) {
    for d in diagnostics.iter_mut() {
        if d.severity != crate::Severity::Error || d.fix.is_some() || d.field.contains('"') {
            continue;
        }
        // `spec.ports[0].appProtocol` -> spec, ports, [], appProtocol.
        let mut steps = Vec::new();
        for part in d.field.split('.') {
            let mut pieces = part.split('[');
            steps.push(Step::Key(pieces.next().unwrap_or("").to_owned()));
            steps.extend(pieces.map(|_| Step::Index));
        }
        let Some(Resolved::Field { field, .. }) =
            resolve(Some(field_tree::kind(resource_type)), shape, &steps)
        else {
            continue;
        };
        if field.values.is_empty() {
            continue;
        }
        let values = field.values_for(version);
        let found = root.node_at(d.span.start);
        let Some(syntax::PathStep::Value(entry)) = found.last() else {
            continue;
        };
        let Some(scalar) = entry.value.as_scalar() else {
            continue;
        };
        if entry.value.span != d.span || values.contains(&scalar.value.as_str()) {
            continue;
        }
        let Some(nearest) = nearest_value(&scalar.value, &values) else {
            continue;
        };
        let span = if scalar.plain || d.span.len() < 2 {
            d.span
        } else if d.span.len() as usize == scalar.value.len() + 2 {
            TextRange::new(d.span.start + 1, d.span.end - 1)
        } else {
            // Not just the text in quotes (a tag such as `!!str htp`, an escape): no edit that
            // keeps the rest as written is certain.
            continue;
        };
        d.fix = Some(crate::text::diagnostics::Fix {
            title: format!("Replace `{}` with `{nearest}`", scalar.value),
            span,
            replacement: nearest.to_owned(),
        });
    }
}

/// The allowed value nearest to `value` (edit distance, case-insensitive, at most 1 for short
/// values and 2 for longer ones); on a tie, one that `value` starts with, then the shortest;
/// `None` when still tied.
fn nearest_value<'v>(value: &str, values: &[&'v str]) -> Option<&'v str> {
    let lower = value.to_ascii_lowercase();
    let score = |v: &str| {
        let candidate = v.to_ascii_lowercase();
        (
            crate::decode::levenshtein(&lower, &candidate),
            !lower.starts_with(&candidate),
            v.len(),
        )
    };
    let best = values.iter().min_by_key(|v| score(v))?;
    let best_score = score(best);
    let limit = if best.len() <= 4 { 1 } else { 2 };
    let tied = values.iter().filter(|v| score(v) == best_score).count() > 1;
    (best_score.0 <= limit && !tied && *best != value).then_some(*best)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const MZS: &str = "type: MeshMultiZoneService\nname: backend\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: backend\n  ports:\n  - port: 80\n    appProtocol: http\n";

    #[test]
    fn a_tagged_value_gets_no_fix_that_would_cut_into_its_tag() {
        // The value's span starts at the tag: replacing inside assumed quotes would leave
        // `!http...` behind.
        for written in ["!!str httpx", "!!str \"httpx\""] {
            let text = MZS.replace("appProtocol: http", &format!("appProtocol: {written}"));
            let checked = crate::check(&text, &crate::CheckOptions::default());
            let d = checked.documents[0]
                .diagnostics
                .iter()
                .find(|d| d.field == "spec.ports[0].appProtocol")
                .unwrap();
            assert!(d.fix.is_none(), "{written}");
        }
        let text = MZS.replace("appProtocol: http", "appProtocol: \"httpx\"");
        let checked = crate::check(&text, &crate::CheckOptions::default());
        let fix = checked.documents[0]
            .diagnostics
            .iter()
            .find_map(|d| d.fix.clone())
            .unwrap();
        assert_eq!(
            &text[fix.span.start as usize..fix.span.end as usize],
            "httpx"
        );
    }

    #[test]
    fn a_value_near_an_allowed_one_gets_a_fix() {
        let text = MZS.replace("appProtocol: http", "appProtocol: httpx");
        let checked = crate::check(&text, &crate::CheckOptions::default());
        let d = checked.documents[0]
            .diagnostics
            .iter()
            .find(|d| d.field == "spec.ports[0].appProtocol")
            .unwrap();
        let fix = d.fix.as_ref().unwrap();
        assert_eq!(fix.title, "Replace `httpx` with `http`");
        assert_eq!(
            &text[fix.span.start as usize..fix.span.end as usize],
            "httpx"
        );
        assert_eq!(nearest_value("HTTP", &["http", "tcp"]), Some("http"));
        assert_eq!(
            nearest_value("grcp", &["grpc", "http"]),
            None,
            "two edits on a short value"
        );
        assert_eq!(
            nearest_value("Unavailabe", &["Available", "Unavailable"]),
            Some("Unavailable")
        );
        let json = r#"{"type": "MeshMultiZoneService", "name": "a", "mesh": "default", "spec": {"selector": {"meshService": {"matchLabels": {"a": "b"}}}, "ports": [{"port": 1, "appProtocol": "tcpp"}]}}"#;
        let checked = crate::check(json, &crate::CheckOptions::default());
        let fix = checked.documents[0]
            .diagnostics
            .iter()
            .find_map(|d| d.fix.clone())
            .unwrap();
        assert_eq!(
            &json[fix.span.start as usize..fix.span.end as usize],
            "tcpp"
        );
        assert_eq!(fix.replacement, "tcp");
    }
}
