//! `slice.join(separator)` for strings through one non-generic body.
//!
//! `[S]::join` is generic over the element type, so every element type joined (`&str`, `String`)
//! adds its own copy (about 1 KB) to the WebAssembly module; [`join`] only maps the elements to
//! `&str` and hands them to one shared loop.

/// The same string as `parts.join(separator)`.
pub(crate) fn join<S: AsRef<str>>(parts: &[S], separator: &str) -> String {
    join_strs(&mut parts.iter().map(AsRef::as_ref), separator)
}

fn join_strs(parts: &mut dyn Iterator<Item = &str>, separator: &str) -> String {
    let mut out = String::new();
    if let Some(first) = parts.next() {
        out.push_str(first);
        for part in parts {
            out.push_str(separator);
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins_like_the_standard_join() {
        let owned = vec![
            "a".to_owned(),
            "bc".to_owned(),
            String::new(),
            "d".to_owned(),
        ];
        assert_eq!(join(&owned, ", "), owned.join(", "));
        assert_eq!(join(&["x"], "; "), "x");
        assert_eq!(join::<&str>(&[], "; "), "");
        assert_eq!(join(&["a", "b"], ""), "ab");
    }
}
