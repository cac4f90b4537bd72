//! Property tests: whatever the input, `check()` and the template engine return (no panic, no
//! hang), and every diagnostic points inside the text on character boundaries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kuma_mzs_core::model::KumaVersion;
use kuma_mzs_core::syntax::{parse_bytes, Limits};
use kuma_mzs_core::template::{Template, TemplateData};
use kuma_mzs_core::{check, CheckOptions};
use proptest::prelude::*;

const VALID: &str = r#"type: MeshMultiZoneService
name: backend
mesh: default
labels: {team: "a"} # é: Kuma refuses non-ASCII label values, so it lives in a comment
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: backend
  ports:
  - port: 80
    name: http
    appProtocol: http
---
apiVersion: kuma.io/v1alpha1
kind: HostnameGenerator
metadata: {name: hg}
spec:
  selector: {meshMultiZoneService: {matchLabels: {a: b}}}
  template: "{{ .DisplayName }}.{{ label \"x\" }}.mzsvc.mesh.local"
---
[{"type": "MeshLoadBalancingStrategy", "name": "lb", "spec": {"to": [{"targetRef": {"kind": "MeshMultiZoneService", "labels": {"a": "b"}}, "default": {"localityAwareness": {"crossZone": {"failover": [{"to": {"type": "Only", "zones": ["z"]}}]}}}}]}}]
"#;

fn assert_well_formed(text: &str, version: KumaVersion) {
    let options = CheckOptions {
        kuma_version: version,
        ..CheckOptions::default()
    };
    let checked = check(text, &options);
    for d in checked.all_diagnostics() {
        let (s, e) = (d.span.start as usize, d.span.end as usize);
        assert!(s <= e && e <= text.len(), "{d:?} outside {}", text.len());
        assert!(
            text.is_char_boundary(s) && text.is_char_boundary(e),
            "{d:?}"
        );
        if let Some(fix) = &d.fix {
            let (s, e) = (fix.span.start as usize, fix.span.end as usize);
            assert!(
                s <= e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
            );
        }
        let r = d.range(&checked.line_index, text);
        assert!(r.start <= r.end);
    }
    for doc in &checked.documents {
        assert!(doc.span.end as usize <= text.len());
    }
}

/// A mutation of the valid text: delete, insert or duplicate a slice.
fn mutate(base: &str, at: usize, len: usize, kind: u8, insert: &str) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    let at = at % (chars.len() + 1);
    let end = (at + len).min(chars.len());
    match kind % 3 {
        0 => {
            chars.drain(at..end);
        }
        1 => {
            for (i, c) in insert.chars().enumerate() {
                chars.insert(at + i, c);
            }
        }
        _ => {
            let copy: Vec<char> = chars[at..end].to_vec();
            for (i, c) in copy.into_iter().enumerate() {
                chars.insert(end + i, c);
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_string_is_checked_without_panicking(text in "\\PC{0,200}") {
        assert_well_formed(&text, KumaVersion::V3_0);
    }

    #[test]
    fn yaml_looking_strings_are_checked(text in "([a-zA-Z:{}\\[\\],\"' \n\t&*!|>#-]|é|🎉){0,300}") {
        assert_well_formed(&text, KumaVersion::V3_0);
        assert_well_formed(&text, KumaVersion::V2_14);
    }

    #[test]
    fn mutated_valid_documents_are_checked(
        at in 0usize..2000,
        len in 0usize..40,
        kind in any::<u8>(),
        insert in "([a-z:{}\\[\\],\"' \n-]|é){0,8}",
    ) {
        let text = mutate(VALID, at, len, kind, &insert);
        assert_well_formed(&text, KumaVersion::V3_0);
    }

    #[test]
    fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (text, parsed) = parse_bytes(&bytes, &Limits::default());
        if let Some(text) = text {
            assert_well_formed(text, KumaVersion::V3_0);
        } else {
            prop_assert!(!parsed.diagnostics.is_empty());
        }
    }

    #[test]
    fn templates_parse_and_render_without_panicking(src in "([a-zA-Z.{}()|\"$:= -]|label|printf|if|end|else|range|with|\\{\\{|\\}\\}|é){0,60}") {
        if let Ok(t) = Template::parse(&src) {
            let _ = t.render(&TemplateData::default());
            let _ = t.render_stub();
        }
    }
}

#[test]
fn the_valid_fixture_is_valid() {
    let checked = check(VALID, &CheckOptions::default());
    let errors: Vec<_> = checked.all_diagnostics().collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(checked.documents.len(), 3);
}

/// Inputs built to be slow for a careless implementation: each must finish (a quadratic or
/// exponential path would hang this test) and give clear diagnostics.
#[test]
fn pathological_inputs_finish() {
    let options = CheckOptions::default();
    // Many empty values (fast YAML path).
    let many_keys: String = (0..50_000).map(|i| format!("k{i}:\n")).collect();
    assert!(check(&many_keys, &options).has_errors());
    // Many ports whose names are other ports' numbers.
    let mut ports = String::from("type: MeshMultiZoneService\nname: a\nspec:\n  selector: {meshService: {matchLabels: {a: b}}}\n  ports:\n");
    for i in 0..5_000 {
        ports.push_str(&format!(
            "  - port: {}\n    name: \"{}\"\n",
            1000 + i,
            1000 + (i + 1) % 5_000
        ));
    }
    let checked = check(&ports, &options);
    assert_eq!(
        checked
            .all_diagnostics()
            .filter(|d| d.code.as_str() == "MZS003")
            .count(),
        5_000
    );
    // A long template with many variables.
    let template: String = (0..2_000)
        .map(|i| format!("{{{{$v{i} := .Name}}}}{{{{$v{i}}}}}"))
        .collect();
    let t = Template::parse(&template).expect("parses");
    assert_eq!(t.render_stub().map(|s| s.len()), Ok(4 * 2_000));
    // A template over the size limit.
    assert!(Template::parse(&"x".repeat(kuma_mzs_core::template::MAX_TEMPLATE_BYTES + 1)).is_err());
    // A long else-if chain and deep parentheses are refused, not recursed into.
    let chain = "{{ if .Name }}a".to_owned() + &"{{ else if .Name }}a".repeat(500) + "{{ end }}";
    assert!(Template::parse(&chain).is_err());
}
