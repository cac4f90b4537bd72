//! Completion inside flow collections: a JSON text, or a YAML flow mapping or sequence
//! (`selector: {meshService: {`), from a tolerant scan (text being typed rarely parses).

use super::{field_items, label_items, value_items, CompletionItem, KeyStyle};
use crate::model::field_lookup::{resolve, untyped_top_level, Resolved, Step};
use crate::model::field_tree::{self, Kind, Ty};
use crate::model::{KumaVersion, ResourceType};
use crate::Shape;

/// A container open at the cursor.
pub(super) enum JsonFrame {
    Object {
        /// The key whose value follows (set at its closing quote or `:`, cleared at `,`).
        key: Option<String>,
        /// Past the `:` of `key`.
        in_value: bool,
        /// Keys written so far.
        keys: Vec<String>,
    },
    Array,
}

/// The containers open at the end of `before`, and whether it ends inside a quoted string.
/// `plain` reads YAML flow style, whose keys may be unquoted (`{port: 80, name: http}`).
fn open_frames(before: &str, plain: bool) -> (Vec<JsonFrame>, bool) {
    let mut stack: Vec<JsonFrame> = Vec::new();
    let mut string: Option<String> = None;
    let mut escaped = false;
    // The plain scalar being read (YAML flow style).
    let mut word = String::new();
    for c in before.chars() {
        if let Some(buf) = string.as_mut() {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"' | '\'') => {
                    let done = string.take().unwrap_or_default();
                    if let Some(JsonFrame::Object {
                        key,
                        in_value: false,
                        keys,
                    }) = stack.last_mut()
                    {
                        keys.push(done.clone());
                        *key = Some(done);
                    }
                    continue;
                }
                _ => {}
            }
            buf.push(c);
            continue;
        }
        match c {
            '"' => string = Some(String::new()),
            '\'' if plain => string = Some(String::new()),
            '{' => stack.push(JsonFrame::Object {
                key: None,
                in_value: false,
                keys: Vec::new(),
            }),
            '[' => stack.push(JsonFrame::Array),
            '}' | ']' => {
                stack.pop();
            }
            ':' => {
                if let Some(JsonFrame::Object {
                    key,
                    in_value,
                    keys,
                }) = stack.last_mut()
                {
                    let typed = word.trim();
                    if !*in_value && !typed.is_empty() {
                        keys.push(typed.to_owned());
                        *key = Some(typed.to_owned());
                    }
                    *in_value = true;
                }
            }
            ',' => {
                if let Some(JsonFrame::Object { key, in_value, .. }) = stack.last_mut() {
                    *key = None;
                    *in_value = false;
                }
            }
            _ if plain => {
                word.push(c);
                continue;
            }
            _ => {}
        }
        word.clear();
    }
    (stack, string.is_some())
}

/// Whether the collection that opens at the start of `flow` is still open at its end (quoted
/// strings skipped).
pub(super) fn stays_open(flow: &str) -> bool {
    let mut depth = 0usize;
    let mut quote = None;
    let mut escaped = false;
    for c in flow.chars() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some('"'), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth > 0
}

/// Completion in a JSON text (one that starts with `{` or `[`), from a scan that tolerates the
/// unfinished text of typing; `None` for other texts.
pub(super) fn json_complete(
    text: &str,
    offset: u32,
    version: KumaVersion,
) -> Option<Vec<CompletionItem>> {
    if !matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'[')) {
        return None;
    }
    let before = text.get(..offset as usize)?;
    // A document in YAML flow style (`{type: MeshService, `) has unquoted keys: propose them so.
    let first_key = text.trim_start_matches(['{', '[', ' ', '\t', '\r', '\n']);
    let style = if first_key.is_empty() || first_key.starts_with('"') {
        KeyStyle::Json
    } else {
        KeyStyle::Flow
    };
    let (stack, in_string) = open_frames(before, style == KeyStyle::Flow);
    // A JSON array of resources: the path starts inside the item.
    let stack = match stack.first() {
        Some(JsonFrame::Array) if stack.len() > 1 => stack.get(1..).unwrap_or(&[]),
        _ => &stack,
    };
    let (kind, shape) = json_kind(text, offset);
    complete_in(stack, Vec::new(), kind, shape, in_string, style, version)
}

/// Completion in a YAML flow collection that opens at the start of `flow` (the text from its
/// `{` or `[` to the cursor), inside the block path `path`; `None` when it is closed already.
pub(super) fn flow_complete(
    flow: &str,
    path: Vec<Step>,
    kind: Option<&'static Kind>,
    shape: Shape,
    version: KumaVersion,
) -> Option<Vec<CompletionItem>> {
    let (stack, in_string) = open_frames(flow, true);
    complete_in(
        &stack,
        path,
        kind,
        shape,
        in_string,
        KeyStyle::Flow,
        version,
    )
}

/// What to propose in the innermost of `stack`, the containers open at the cursor below `path`.
fn complete_in(
    stack: &[JsonFrame],
    mut path: Vec<Step>,
    kind: Option<&'static Kind>,
    shape: Shape,
    in_string: bool,
    style: KeyStyle,
    version: KumaVersion,
) -> Option<Vec<CompletionItem>> {
    let (top, outer) = stack.split_last()?;
    for frame in outer {
        match frame {
            JsonFrame::Object { key, .. } => path.push(Step::Key(key.clone()?)),
            JsonFrame::Array => path.push(Step::Index),
        }
    }
    let quote = |v: &str| {
        if in_string || style != KeyStyle::Json {
            v.to_owned()
        } else {
            format!("\"{v}\"")
        }
    };
    match top {
        JsonFrame::Object {
            key: Some(key),
            in_value: true,
            ..
        } => {
            path.push(Step::Key(key.clone()));
            let resolved = resolve(kind, shape, &path)?;
            let mut items = value_items(&resolved, version);
            for item in &mut items {
                if !matches!(item.insert_text.as_str(), "true" | "false") {
                    item.insert_text = quote(&item.insert_text);
                }
            }
            Some(items)
        }
        JsonFrame::Object { keys, .. } => {
            let keys: Vec<String> = keys
                .iter()
                .filter(|k| !(in_string && k.is_empty()))
                .cloned()
                .collect();
            let mut items = if path.is_empty() {
                let fields = match kind {
                    Some(k) => field_tree::top_level(k, shape),
                    None => untyped_top_level(),
                };
                field_items(&fields, &keys, version, style)
            } else {
                match resolve(kind, shape, &path)? {
                    Resolved::Field {
                        ty: Ty::Object(fields),
                        ..
                    } => field_items(fields, &keys, version, style),
                    Resolved::Field {
                        ty: Ty::StringMap, ..
                    } => label_items(&keys, style, &path, version),
                    _ => return Some(Vec::new()),
                }
            };
            if in_string {
                for item in &mut items {
                    item.insert_text = item.label.clone();
                }
            }
            Some(items)
        }
        JsonFrame::Array => Some(Vec::new()),
    }
}

/// The resource type of the JSON (or YAML flow) resource around `offset`: the nearest
/// `"type"`/`"kind"` (quoted or not) naming one before it (else the first after it); `kind`
/// means the Kubernetes shape.
pub(super) fn json_kind(text: &str, offset: u32) -> (Option<&'static Kind>, Shape) {
    let mut before = None;
    let mut after = None;
    for key in ["type", "kind"] {
        for (at, _) in text.match_indices(key) {
            // A key: after `{`, `,` or a blank (or in quotes), followed by `:`.
            let opening = text[..at].trim_end_matches('"').chars().next_back();
            if !matches!(opening, None | Some('{' | ',' | ' ' | '\t' | '\n' | '\r')) {
                continue;
            }
            let rest = text[at + key.len()..].trim_start_matches('"').trim_start();
            let Some(rest) = rest.strip_prefix(':') else {
                continue;
            };
            let rest = rest.trim_start().trim_start_matches(['"', '\'']);
            let name = rest
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or("");
            let Some(t) = ResourceType::from_name(name) else {
                continue;
            };
            let shape = if key == "kind" {
                Shape::Kubernetes
            } else {
                Shape::Universal
            };
            if at < offset as usize {
                if before.is_none_or(|(b, _, _)| b < at) {
                    before = Some((at, t, shape));
                }
            } else if after.is_none_or(|(a, _, _)| a > at) {
                after = Some((at, t, shape));
            }
        }
    }
    match before.or(after) {
        Some((_, t, shape)) => (Some(field_tree::kind(t)), shape),
        None => (None, Shape::Universal),
    }
}
