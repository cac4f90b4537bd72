use super::*;
use crate::text::diagnostics::Code;

proptest::proptest! {
    /// The decimal fast path reads exactly what the general integer route reads.
    #[test]
    fn parse_int_fast_path_matches_general(text in "[0-9]{0,20}|[-+0-9xoa-f.]{0,22}") {
        proptest::prop_assert_eq!(parse_int(&text), parse_int_general(&text));
    }
}

fn parse_one(text: &str) -> Node {
    let parsed = parse(text, &Limits::default());
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.documents.len(), 1);
    parsed
        .documents
        .into_iter()
        .next()
        .map(|d| d.root)
        .unwrap_or(Node {
            kind: NodeKind::Sequence(vec![]),
            span: TextRange::empty(0),
        })
}

fn slice(text: &str, span: TextRange) -> &str {
    &text[span.start as usize..span.end as usize]
}

#[test]
fn scalars_keep_exact_spans_in_block_yaml() {
    let text = "spec:\n  ports:\n  - port: 80\n    appProtocol: \"http\"\n";
    let root = parse_one(text);
    let port = root
        .get("spec")
        .and_then(|s| s.get("ports"))
        .and_then(|p| p.as_sequence())
        .and_then(|p| p.first())
        .cloned();
    let port = port.unwrap_or(root.clone());
    assert_eq!(
        slice(text, port.get("port").map(|n| n.span).unwrap_or_default()),
        "80"
    );
    assert_eq!(
        slice(
            text,
            port.get("appProtocol").map(|n| n.span).unwrap_or_default()
        ),
        "\"http\""
    );
    assert_eq!(
        slice(
            text,
            port.entry("appProtocol")
                .map(|e| e.key.span)
                .unwrap_or_default()
        ),
        "appProtocol"
    );
}

#[test]
fn json_is_read_with_positions() {
    let text = "{\"spec\": {\"ports\": [{\"port\": \"80\"}]}}";
    let root = parse_one(text);
    let port = root
        .get("spec")
        .and_then(|s| s.get("ports"))
        .and_then(|p| p.as_sequence())
        .and_then(|p| p.first())
        .and_then(|p| p.get("port"))
        .cloned();
    let port = port.unwrap_or(root);
    assert_eq!(slice(text, port.span), "\"80\"");
    assert_eq!(
        port.as_scalar().map(Scalar::resolve),
        Some(Resolved::Str("80"))
    );
}

#[test]
fn non_ascii_text_maps_to_byte_offsets() {
    let text = "name: \"é🎉\"\nport: abc\n";
    let root = parse_one(text);
    assert_eq!(
        slice(text, root.get("port").map(|n| n.span).unwrap_or_default()),
        "abc"
    );
}

#[test]
fn scalars_resolve_as_kumas_yaml_decoder_reads_them() {
    let root =
        parse_one("a: 12\nb: '12'\nc: ~\nd: true\ne: 1.5\nf: 0x1F\ng: 99999999999999999999\n");
    let r = |k: &str| root.get(k).and_then(|n| n.as_scalar()).map(|s| s.resolve());
    assert_eq!(r("a"), Some(Resolved::Int(12)));
    assert_eq!(r("b"), Some(Resolved::Str("12")));
    assert_eq!(r("c"), Some(Resolved::Null));
    assert_eq!(r("d"), Some(Resolved::Bool(true)));
    assert_eq!(r("e"), Some(Resolved::Float(1.5)));
    assert_eq!(r("f"), Some(Resolved::Int(31)));
    assert!(matches!(r("g"), Some(Resolved::Float(_))));
}

#[test]
fn yaml_1_1_values_resolve_as_go_yaml_v2_and_sigs_k8s_yaml_give_them_to_kuma() {
    // kumactl and kubectl read YAML through sigs.k8s.io/yaml, i.e. go-yaml v2's YAML 1.1 rules,
    // then JSON: what Kuma validates.
    let cases: &[(&str, Resolved<'_>)] = &[
        ("yes", Resolved::Bool(true)),
        ("On", Resolved::Bool(true)),
        ("y", Resolved::Bool(true)),
        ("NO", Resolved::Bool(false)),
        ("off", Resolved::Bool(false)),
        ("n", Resolved::Bool(false)),
        ("0777", Resolved::Int(511)),
        ("08", Resolved::Int(8)),
        ("0", Resolved::Int(0)),
        ("-0x1F", Resolved::Int(-31)),
        ("0b101", Resolved::Int(5)),
        ("0o17", Resolved::Int(15)),
        ("1_000", Resolved::Int(1000)),
        ("+80", Resolved::Int(80)),
        ("6379.0", Resolved::Int(6379)),
        ("8e3", Resolved::Int(8000)),
        (".5", Resolved::Float(0.5)),
        ("1.5e-1", Resolved::Float(0.15)),
        ("1e", Resolved::Str("1e")),
        ("1.2.3", Resolved::Str("1.2.3")),
        ("2024-01-01", Resolved::Str("2024-01-01")),
        ("yess", Resolved::Str("yess")),
        ("0x", Resolved::Str("0x")),
        ("12abc", Resolved::Str("12abc")),
    ];
    for (text, want) in cases {
        let root = parse_one(&format!("v: {text}\n"));
        let got = root
            .get("v")
            .and_then(|n| n.as_scalar())
            .map(|s| s.resolve());
        assert_eq!(got.as_ref(), Some(want), "{text}");
    }
    // Quoted, they stay text.
    let root = parse_one("v: 'yes'\n");
    let got = root
        .get("v")
        .and_then(|n| n.as_scalar())
        .map(|s| s.resolve());
    assert_eq!(got, Some(Resolved::Str("yes")));
}

#[test]
fn multi_document_streams_skip_empty_documents() {
    let parsed = parse("---\na: 1\n---\n---\nb: 2\n...\n", &Limits::default());
    assert!(parsed.diagnostics.is_empty());
    assert_eq!(parsed.documents.len(), 2);
}

#[test]
fn syntax_errors_point_at_their_location_and_keep_earlier_documents() {
    let text = "a: 1\n---\nb: \"unclosed\n";
    let parsed = parse(text, &Limits::default());
    assert_eq!(parsed.documents.len(), 1);
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.diagnostics[0].code, Code::Syntax);
    assert!(parsed.diagnostics[0].span.start >= 9);
}

#[test]
fn alias_bombs_hit_the_node_budget() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let parsed = parse(&text, &Limits::default());
    assert_eq!(parsed.documents.len(), 0);
    assert_eq!(
        parsed.diagnostics.first().map(|d| d.code),
        Some(Code::Limit)
    );
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    let text = "[".repeat(100_000);
    let parsed = parse(&text, &Limits::default());
    assert_eq!(
        parsed.diagnostics.first().map(|d| d.code),
        Some(Code::Limit)
    );
}

#[test]
fn oversized_and_non_utf8_input_is_reported() {
    let limits = Limits {
        max_bytes: 4,
        ..Limits::default()
    };
    assert_eq!(parse("a: 12345", &limits).diagnostics[0].code, Code::Limit);
    let (text, parsed) = parse_bytes(b"a: \xff\xfe", &Limits::default());
    assert!(text.is_none());
    assert_eq!(parsed.diagnostics[0].span.start, 3);
}
