//! Comments in JSON. Kuma reads JSON as YAML, where `//` and `/*` are text, not comments: a
//! commented JSON file fails in ways that name the wrong thing (a key called `// my service
//! "type"`, "mapping values are not allowed"). One error at the first comment says what it is.

use crate::text::diagnostics::{Code, Diagnostic};
use crate::text::source::{to_u32, TextRange};

/// The error for the first `//` or `/*` that starts a line or follows `,`, `{` or `[` in a text
/// that reads like JSON (its first character is `{`, `[` or `/`) and like a Kuma resource.
pub(crate) fn json_comment(text: &str) -> Option<Diagnostic> {
    let body = text.trim_start();
    if !body.starts_with(['{', '[', '/']) || !super::documents::mentions_kuma(text) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut after_separator = true;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'/' if after_separator && matches!(bytes.get(i + 1), Some(b'/' | b'*')) => {
                return Some(Diagnostic::new(
                    Code::Syntax,
                    "",
                    "JSON has no comments: Kuma reads JSON as YAML, where this is text, not a comment",
                    TextRange::new(to_u32(i), to_u32(i + 2)),
                ));
            }
            b'\n' | b',' | b'{' | b'[' => {
                after_separator = true;
                continue;
            }
            b' ' | b'\t' | b'\r' => continue,
            _ => {}
        }
        after_separator = false;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_comment_of_a_json_kuma_resource_is_located() {
        let at = |text: &str| json_comment(text).map(|d| d.span.start);
        let mzs = "\"type\": \"MeshMultiZoneService\", \"name\": \"a\"";
        // Above the object, inside it, after a value.
        assert_eq!(at(&format!("// redis\n{{{mzs}}}")), Some(0));
        assert_eq!(at(&format!("{{\n  /* redis */\n  {mzs}}}")), Some(4));
        assert_eq!(
            at(&format!("{{{mzs}, // end\n}}")),
            Some(to_u32(mzs.len() + 3))
        );
        // Not comments: inside strings, a URL value, YAML, JSON without a Kuma resource.
        assert_eq!(at(&format!("{{{mzs}, \"x\": \"a // b\"}}")), None);
        assert_eq!(at(&format!("{{{mzs}, \"u\": \"http://x\"}}")), None);
        assert_eq!(
            at("type: MeshMultiZoneService\nname: a # // not json\n"),
            None
        );
        assert_eq!(at("{\n  // tsconfig\n  \"compilerOptions\": {}\n}"), None);
    }
}
