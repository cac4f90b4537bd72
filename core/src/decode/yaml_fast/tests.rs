use super::*;
use crate::text::syntax;

/// When the fast path accepts `text`, its tree must equal the full parser's.
pub(crate) fn differential(text: &str) -> bool {
    let limits = Limits::default();
    let Some(fast) = parse(text, &limits) else {
        return false;
    };
    let full = syntax::parse(text, &limits);
    assert!(
        full.diagnostics.is_empty(),
        "fast path accepted invalid YAML {text:?}: {:?}",
        full.diagnostics
    );
    let fast: Vec<&Node> = fast.iter().map(|d| &d.root).collect();
    let full: Vec<&Node> = full.documents.iter().map(|d| &d.root).collect();
    if text.is_ascii() {
        assert_eq!(fast, full, "{text}");
    } else {
        // On non-ASCII text the full parser's container ends can stop short of a closing
        // bracket; values and every scalar span must still agree.
        let json = |docs: &[&Node]| docs.iter().map(|n| n.to_json()).collect::<Vec<_>>();
        assert_eq!(json(&fast), json(&full), "{text}");
        let spans = |docs: &[&Node]| {
            let mut out = Vec::new();
            let mut stack: Vec<&Node> = docs.to_vec();
            while let Some(n) = stack.pop() {
                match &n.kind {
                    NodeKind::Scalar(_) => out.push(n.span),
                    NodeKind::Sequence(items) => stack.extend(items.iter()),
                    NodeKind::Mapping(entries) => {
                        for e in entries {
                            stack.push(&e.key);
                            stack.push(&e.value);
                        }
                    }
                }
            }
            out
        };
        assert_eq!(spans(&fast), spans(&full), "{text}");
    }
    true
}

#[test]
fn common_documents_take_the_fast_path_and_match() {
    let docs = [
        "type: MeshMultiZoneService\nname: backend # the name\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        kuma.io/display-name: backend\n  ports:\n  - port: 80\n    name: http\n    appProtocol: http\n  - port: 5432\n",
        "a: 1\n---\nb: [1, 2, {c: d}]\n...\n---\n- x\n- 'y''s'\n- \"z\\\"\"\n",
        "spec:\n  ports: []\n  selector: {meshService: {matchLabels: {a: b}}}\n",
        "items:\n-   a: 1\n    b: 2\n-\n  c: 3\n- - nested\n  - seq\n",
        "k:\nx: -1\ny: \"é🎉\"\nz: é\n",
        "s:\n- a\n-\n- c\n",
        "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  name: b\n  labels:\n    kuma.io/mesh: m\n",
    ];
    for d in docs {
        assert!(differential(d), "not taken: {d}");
    }
}

#[test]
fn unusual_yaml_takes_the_full_parser() {
    for d in [
        "a: &x 1\nb: *x\n",
        "a: |\n  text\n",
        "a: plain\n  continued\n",
        "a: !tag x\n",
        "a:\tb\n",
        "? a\n: b\n",
        "a: [1,\n  2]\n",
        "a: \"\\x41\"\n",
        "--- a\n",
    ] {
        assert!(parse(d, &Limits::default()).is_none(), "{d}");
    }
}

const CORPUS: &str = "type: MeshMultiZoneService\nname: backend # x\nlabels: {a: \"b\", c: 'd'}\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        kuma.io/display-name: backend\n  ports:\n  - port: 80\n    name: http\n  -   port: 81\n  - [1, {x: y}]\n  -\n    k: v\n---\n- a\n- - b\n  - c: d\n    e: é\n";

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 1024, ..Default::default() })]

    #[test]
    fn yaml_looking_text_matches_the_full_parser_or_falls_back(
        text in "((  )|(- )|(a: )|(b:)|(\n)|(x)|(1)|(\")|(')|(\\{)|(\\})|(\\[)|(\\])|(, )|( #c)|(---\n)|(é)){0,40}",
    ) {
        differential(&text);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

    #[test]
    fn mutated_documents_match_the_full_parser_or_fall_back(
        at in 0usize..400,
        len in 0usize..12,
        kind in 0u8..3,
        insert in "([a-z:{}\\[\\],\"'# \n-]|é){0,6}",
    ) {
        let chars: Vec<char> = CORPUS.chars().collect();
        let at = at % (chars.len() + 1);
        let end = (at + len).min(chars.len());
        let mut out: Vec<char> = chars.clone();
        match kind {
            0 => { out.drain(at..end); }
            1 => { for (i, c) in insert.chars().enumerate() { out.insert(at + i, c); } }
            _ => { let copy: Vec<char> = chars[at..end].to_vec(); for (i, c) in copy.into_iter().enumerate() { out.insert(end + i, c); } }
        }
        let text: String = out.into_iter().collect();
        differential(&text);
    }
}
