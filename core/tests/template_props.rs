//! Property tests for named templates and the builtins: whatever mix of `define`, `template`,
//! `block`, control blocks and builtin calls a template holds, parsing and rendering return
//! (no panic, no stack overflow, no hang) with Go-shaped messages, and the same text renders
//! the same way twice.
#![allow(clippy::unwrap_used)]

use kuma_mzs_core::template::{Template, TemplateData};
use proptest::prelude::*;

const ATOMS: &[&str] = &[
    ".",
    ".Name",
    ".Zone",
    "$",
    "$v",
    "1",
    "0",
    "-1",
    "300",
    "\"ab\"",
    "\"é\"",
    "`r`",
    "nil",
    "true",
    "'a'",
    "1.5",
    ".Foo",
    "(.)",
    "$.Mesh",
    "(index .Name 0)",
    "(slice .Mesh 1)",
];
const FUNCTIONS: &[&str] = &[
    "index", "slice", "html", "js", "urlquery", "call", "len", "print", "printf", "eq", "ne", "lt",
    "not", "and", "or", "label",
];
const NAMES: &[&str] = &["\"a\"", "\"b\"", "\"\"", "`a`"];

fn pipeline() -> impl Strategy<Value = String> {
    let atom = proptest::sample::select(ATOMS);
    let function = proptest::sample::select(FUNCTIONS);
    prop_oneof![
        (
            function.clone(),
            proptest::collection::vec(atom.clone(), 0..4)
        )
            .prop_map(|(f, args)| format!("{f} {}", args.join(" "))),
        (
            atom.clone(),
            function,
            proptest::collection::vec(atom.clone(), 0..2)
        )
            .prop_map(|(a, f, args)| format!("{a} | {f} {}", args.join(" "))),
        atom.prop_map(str::to_owned),
    ]
}

fn fragment() -> impl Strategy<Value = String> {
    let name = proptest::sample::select(NAMES);
    prop_oneof![
        pipeline().prop_map(|p| format!("{{{{{p}}}}}")),
        name.clone().prop_map(|n| format!("{{{{define {n}}}}}")),
        Just("{{end}}".to_owned()),
        (name.clone(), proptest::option::of(pipeline())).prop_map(|(n, p)| match p {
            Some(p) => format!("{{{{template {n} {p}}}}}"),
            None => format!("{{{{template {n}}}}}"),
        }),
        (name, pipeline()).prop_map(|(n, p)| format!("{{{{block {n} {p}}}}}")),
        (proptest::sample::select(&["if", "with", "range"][..]), pipeline())
            .prop_map(|(k, p)| format!("{{{{{k} {p}}}}}")),
        proptest::sample::select(
            &[
                "{{else}}",
                "{{$v := .Name}}",
                "{{break}}",
                "\n",
                "x",
                "{{- ",
                " -}}",
                "{{/* c */}}",
                "{{define \"a\"}}{{template \"a\" .}}{{end}}",
                "{{define \"b\"}}{{template \"b\" js . .}}{{end}}",
                "{{define \"a\"}}{{if .}}{{template \"a\" slice . 1}}{{template \"a\" slice . 1}}{{end}}{{end}}",
            ][..]
        )
        .prop_map(str::to_owned),
    ]
}

fn render_both(source: &str) -> Option<(Result<String, String>, Result<String, String>)> {
    let template = Template::parse(source);
    match template {
        Err(e) => {
            assert!(e.0.starts_with("template: :"), "{source:?}: {}", e.0);
            None
        }
        Ok(t) => Some((
            t.render(&TemplateData::default()).map_err(|e| e.0),
            t.render_stub().map_err(|e| e.0),
        )),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn named_templates_and_builtins_never_panic(parts in proptest::collection::vec(fragment(), 1..12)) {
        let source = parts.concat();
        let first = render_both(&source);
        if let Some((data, stub)) = &first {
            for result in [data, stub] {
                if let Err(e) = result {
                    prop_assert!(e.starts_with("template: "), "{source:?}: {e}");
                }
            }
        }
        prop_assert_eq!(first, render_both(&source));
    }
}

/// Deeply nested blocks and long chains of template calls stay within the parser's and the
/// evaluator's depth limits instead of overflowing the stack.
#[test]
fn deep_nesting_is_refused_cleanly() {
    let blocks = "{{block \"a\" .}}".repeat(300) + &"{{end}}".repeat(300);
    assert_eq!(
        Template::parse(&blocks).map(|_| ()).map_err(|e| e.0),
        Err("template: :1: max expression depth exceeded".to_owned())
    );
    let mut chain = String::new();
    for i in 0..1000 {
        chain.push_str(&format!(
            "{{{{define \"t{i}\"}}}}{{{{template \"t{}\" .}}}}{{{{end}}}}",
            i + 1
        ));
    }
    chain.push_str("{{template \"t0\" .}}");
    let err = Template::parse(&chain)
        .unwrap()
        .render(&TemplateData::default())
        .unwrap_err();
    assert!(
        err.0.ends_with("exceeded maximum template depth (100000)"),
        "{}",
        err.0
    );
}

/// The deepest evaluation the limits allow (nested blocks inside recursive templates, deep
/// parentheses at the bottom) fits in a test thread's 2 MiB stack even unoptimised.
#[test]
fn the_deepest_evaluation_fits_the_stack() {
    let depth = 49;
    let parens = "(".repeat(depth) + "print ." + &")".repeat(depth);
    for block in ["", "{{if 1}}", "{{with 1}}", "{{range 1}}"] {
        let end = if block.is_empty() { "" } else { "{{end}}" };
        let body = block.repeat(depth) + "{{template \"x\" " + &parens + "}}" + &end.repeat(depth);
        let source = format!("{{{{define \"x\"}}}}{body}{{{{end}}}}{{{{template \"x\" .Name}}}}");
        let err = Template::parse(&source)
            .unwrap()
            .render(&TemplateData::default())
            .unwrap_err();
        assert!(
            err.0.ends_with("exceeded maximum template depth (100000)"),
            "{}",
            err.0
        );
    }
}
