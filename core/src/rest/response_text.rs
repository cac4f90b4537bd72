//! The text of a JSON response as Kuma's API server writes it. go-restful pretty-prints every
//! JSON entity by default (`PrettyPrintResponses = true`, `writeJSON` calls
//! `json.MarshalIndent(v, "", " ")`), and Go's `json.Marshal` escapes `<`, `>`, `&`, U+2028 and
//! U+2029 inside strings. Scripts written against Kuma (`grep '"name": '`, line counts) see the
//! same lines from `kuma-local`.

/// `json` (any valid JSON text, usually compact) as Go's `json.MarshalIndent(v, "", " ")`
/// prints the same value: one key or element per line, one space per level, `": "` after keys,
/// `{}` and `[]` for empty containers, no trailing newline.
pub fn response_text(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 3);
    let mut depth = 0usize;
    // After `{` or `[`: the line break waits until the container turns out not to be empty.
    let mut opened = false;
    let mut chars = json.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => continue,
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if !opened {
                    new_line(&mut out, depth);
                }
                opened = false;
                out.push(c);
                continue;
            }
            _ => {}
        }
        if opened {
            new_line(&mut out, depth);
            opened = false;
        }
        match c {
            '{' | '[' => {
                out.push(c);
                depth += 1;
                opened = true;
            }
            ',' => {
                out.push(',');
                new_line(&mut out, depth);
            }
            ':' => out.push_str(": "),
            '"' => copy_string(&mut chars, &mut out),
            other => out.push(other),
        }
    }
    out
}

fn new_line(out: &mut String, depth: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', depth));
}

/// Copy a string's body up to and including its closing quote (the opening one is consumed),
/// with Go's HTML-safe escapes.
fn copy_string(chars: &mut std::str::Chars<'_>, out: &mut String) {
    out.push('"');
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                return;
            }
            '\\' => {
                out.push('\\');
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
            }
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_reads_as_kumas_golden_response() {
        // The layout of Kuma's own REST golden files (`put_meshmultizoneservice_01.golden.json`).
        let compact = r#"{"type":"MeshMultiZoneService","mesh":"default","name":"redis","labels":{"kuma.io/mesh":"default"},"snis":[{"port":6379,"sni":"sni.mzsvc.default.redis.6379"}],"spec":{"ports":[]},"status":{}}"#;
        assert_eq!(
            response_text(compact),
            "{\n \"type\": \"MeshMultiZoneService\",\n \"mesh\": \"default\",\n \"name\": \"redis\",\n \"labels\": {\n  \"kuma.io/mesh\": \"default\"\n },\n \"snis\": [\n  {\n   \"port\": 6379,\n   \"sni\": \"sni.mzsvc.default.redis.6379\"\n  }\n ],\n \"spec\": {\n  \"ports\": []\n },\n \"status\": {}\n}"
        );
    }

    #[test]
    fn strings_keep_their_escapes_and_get_gos_html_safe_ones() {
        assert_eq!(
            response_text(r#"{"detail":"a \"b\" <c> & d, e: [f]\u2028\n"}"#),
            "{\n \"detail\": \"a \\\"b\\\" \\u003cc\\u003e \\u0026 d, e: [f]\\u2028\\n\"\n}"
        );
        assert_eq!(
            response_text("[\"\u{2029}\",\"\\\\\"]"),
            "[\n \"\\u2029\",\n \"\\\\\"\n]"
        );
    }

    #[test]
    fn scalars_and_empty_containers_stay_on_one_line() {
        assert_eq!(response_text("{}"), "{}");
        assert_eq!(response_text("[]"), "[]");
        assert_eq!(response_text("null"), "null");
        assert_eq!(
            response_text(" { \"a\" : [ ] , \"b\" : -1.5e3 } "),
            "{\n \"a\": [],\n \"b\": -1.5e3\n}"
        );
    }

    #[test]
    fn the_same_value_comes_back() {
        let compact = r#"{"items":[{"a":{"b":[1,2,{"c":null}]},"d":true}],"total":1,"next":null,"e":"x:{y},[z]"}"#;
        let pretty = response_text(compact);
        let reread: serde_json::Value = serde_json::from_str(&pretty).unwrap_or_default();
        let original: serde_json::Value = serde_json::from_str(compact).unwrap_or_default();
        assert_eq!(reread, original);
        assert_eq!(response_text(&pretty), pretty);
    }
}
