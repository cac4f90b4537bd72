//! Reading the JS arguments (options, input files, positions) from the JSON serde-wasm-bindgen
//! gives us, with exactly the error texts `serde_json::from_value` gives for the `Deserialize`
//! types in [`crate::api`] (`deny_unknown_fields`, `#[serde(default)]` fields, structs accepted as
//! objects or as arrays in field order). Each of those types is declared once, with
//! [`js_struct!`], which generates both its serde derive and its [`FromJson`] reader.
//!
//! Written out because serde's derive, instantiated for each of these types against
//! `serde_json::Value`'s deserializer, is several KB of the WebAssembly module (with serde_json's
//! error type and its `std::io` messages). The tests check every reader against serde on the
//! same inputs.

use std::collections::BTreeMap;

use js_sys::{Array, ArrayBuffer, Map, Number, Object, Symbol, Uint8Array};
use kuma_mzs_core::float_text;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

/// serde_json's error text.
pub type Read<T> = Result<T, String>;

/// A JS value as JSON: what `serde_wasm_bindgen::from_value::<serde_json::Value>` returns, error
/// texts included (its errors print as JS `Error`s: `Error: <message>`). Written out because that
/// deserializer's error path prints floats with `{}`, which links the standard library's float
/// formatting (about 17 KB of the module) although a float can never be the error there.
///
/// Its order of checks: `null`/`undefined` -> null; booleans; BigInts (within i64 or u64);
/// numbers (safe integers as integers, other finite numbers as floats, NaN and infinities as
/// null); strings; arrays (holes read as `undefined`); byte arrays (refused); `Map`s and plain
/// objects (no `Symbol.iterator`) as objects; anything else refused.
pub fn js_to_json(value: &JsValue) -> Result<Value, String> {
    if value.loose_eq(&JsValue::NULL) {
        return Ok(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if value.is_bigint() {
        if let Ok(i) = i64::try_from(value.clone()) {
            return Ok(Value::from(i));
        }
        if let Ok(u) = u64::try_from(value.clone()) {
            return Ok(Value::from(u));
        }
        return Err(js_error(
            "Couldn't deserialize i64 or u64 from a BigInt outside i64::MIN..u64::MAX bounds",
        ));
    }
    if let Some(f) = value.as_f64() {
        if Number::is_safe_integer(value) {
            // A safe integer fits in i64 exactly (|f| < 2^53).
            return Ok(Value::from(f as i64));
        }
        return Ok(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number));
    }
    if let Some(s) = value.as_string() {
        return Ok(Value::String(s));
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut items = Vec::new();
        for item in array.iter() {
            items.push(js_to_json(&item)?);
        }
        return Ok(Value::Array(items));
    }
    if value.has_type::<Uint8Array>() || value.has_type::<ArrayBuffer>() {
        return Err(js_error(
            "invalid type: byte array, expected any valid JSON value",
        ));
    }
    if value.is_object() && (!Symbol::iterator().js_in(value) || value.has_type::<Map>()) {
        return js_object(value);
    }
    Err(js_error(&format!(
        "invalid type: {value:?}, expected any valid JSON value"
    )))
}

/// The first field of a plain object whose value is a number JSON cannot hold (`NaN`,
/// `Infinity`), as an error naming it: [`js_to_json`] reads those as `null`, which would make an
/// option such as `maxBytes: NaN` (a computation gone wrong in the caller) its default silently.
pub fn non_finite_field(value: &JsValue) -> Option<String> {
    if !value.is_object() || Array::is_array(value) || value.has_type::<Map>() {
        return None;
    }
    Object::entries(value.unchecked_ref())
        .iter()
        .find_map(|pair| {
            let pair: &Array = pair.unchecked_ref();
            let field = pair.get(1);
            field.as_f64().filter(|f| !f.is_finite())?;
            Some(format!(
                "{}: invalid value: {}, expected a finite number",
                pair.get(0).as_string().unwrap_or_default(),
                js_string(&field)
            ))
        })
}

/// A `Map` (its entries, in order) or a plain object (`Object.entries`) as a JSON object. The
/// first key must be a string ("a string key"), later ones too ("a string").
fn js_object(value: &JsValue) -> Result<Value, String> {
    let pairs: Vec<JsValue> = match js_sys::try_iter(value) {
        Ok(Some(iter)) => {
            let mut pairs = Vec::new();
            for pair in iter {
                pairs.push(pair.map_err(|e| error_text(&e))?);
            }
            pairs
        }
        Ok(None) => Object::entries(value.unchecked_ref()).iter().collect(),
        Err(e) => return Err(error_text(&e)),
    };
    let mut map = serde_json::Map::new();
    for (i, pair) in pairs.iter().enumerate() {
        let pair: &Array = pair.unchecked_ref();
        let key = pair.get(0);
        let Some(key) = key.as_string() else {
            let expected = if i == 0 { "a string key" } else { "a string" };
            return Err(js_error(&format!(
                "invalid type: {}, expected {expected}",
                js_unexpected(&key)
            )));
        };
        map.insert(key, js_to_json(&pair.get(1))?);
    }
    Ok(Value::Object(map))
}

/// serde's `Unexpected` for a JS value, as serde-wasm-bindgen builds it (`Display` form).
fn js_unexpected(value: &JsValue) -> String {
    if value.loose_eq(&JsValue::NULL) {
        "unit value".to_owned()
    } else if let Some(b) = value.as_bool() {
        format!("boolean `{b}`")
    } else if let Some(f) = value.as_f64() {
        // serde's `WithDecimalPoint`: `{}` plus `.0` when that has no point.
        let text = float_text::display(f);
        if f.is_finite() && !text.contains('.') {
            format!("floating point `{text}.0`")
        } else {
            format!("floating point `{text}`")
        }
    } else if let Some(s) = value.as_string() {
        format!("string {s:?}")
    } else if value.has_type::<Uint8Array>() || value.has_type::<ArrayBuffer>() {
        "byte array".to_owned()
    } else {
        format!("{value:?}")
    }
}

/// How serde-wasm-bindgen's errors print: a JS `Error` through `String()`.
fn js_error(message: &str) -> String {
    format!("Error: {message}")
}

/// A thrown JS value through `String()`, as serde-wasm-bindgen prints one it passes on.
fn error_text(thrown: &JsValue) -> String {
    js_string(thrown)
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// JS `String(value)`.
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
}

/// serde's `Unexpected` for a JSON value, as its `Display` prints it.
fn unexpected(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => format!("integer `{u}`"),
            (None, Some(i), _) => format!("integer `{i}`"),
            (None, None, Some(f)) => floating(f),
            (None, None, None) => "number".to_owned(),
        },
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".to_owned(),
        Value::Object(_) => "map".to_owned(),
    }
}

/// serde_json's text for an unexpected float (its own shortest formatting).
fn floating(f: f64) -> String {
    match serde_json::Number::from_f64(f) {
        Some(n) => format!("floating point `{n}`"),
        None => format!("floating point `{}`", float_text::display(f)),
    }
}

fn invalid_type(value: &Value, expected: &str) -> String {
    format!("invalid type: {}, expected {expected}", unexpected(value))
}

/// A JS argument read from its JSON, with serde_json's error texts for the same Rust type.
pub trait FromJson: Sized {
    /// Read `value`, or say what is wrong as serde_json would.
    fn read(value: Value) -> Read<Self>;
}

impl FromJson for String {
    fn read(value: Value) -> Read<Self> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(invalid_type(&other, "a string")),
        }
    }
}

impl FromJson for bool {
    fn read(value: Value) -> Read<Self> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(invalid_type(&other, "a boolean")),
        }
    }
}

impl FromJson for f64 {
    fn read(value: Value) -> Read<Self> {
        match &value {
            Value::Number(n) => n.as_f64().ok_or_else(|| invalid_type(&value, "f64")),
            _ => Err(invalid_type(&value, "f64")),
        }
    }
}

impl FromJson for u32 {
    fn read(value: Value) -> Read<Self> {
        let Value::Number(n) = &value else {
            return Err(invalid_type(&value, "u32"));
        };
        match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => {
                u32::try_from(u).map_err(|_| format!("invalid value: integer `{u}`, expected u32"))
            }
            (None, Some(i)) => Err(format!("invalid value: integer `{i}`, expected u32")),
            (None, None) => Err(invalid_type(&value, "u32")),
        }
    }
}

/// A `#[serde(default)]` `Option<T>` field: `null` is `None`.
impl<T: FromJson> FromJson for Option<T> {
    fn read(value: Value) -> Read<Self> {
        match value {
            Value::Null => Ok(None),
            other => T::read(other).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read(value: Value) -> Read<Self> {
        match value {
            Value::Array(items) => {
                // A loop, not `collect()` into a `Result` (one `try_process` per item type).
                let mut out = Vec::new();
                for item in items {
                    out.push(T::read(item)?);
                }
                Ok(out)
            }
            other => Err(invalid_type(&other, "a sequence")),
        }
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn read(value: Value) -> Read<Self> {
        match value {
            Value::Object(map) => {
                let mut out = BTreeMap::new();
                for (key, value) in map {
                    out.insert(key, T::read(value)?);
                }
                Ok(out)
            }
            other => Err(invalid_type(&other, "a map")),
        }
    }
}

/// serde's `unknown_field` text.
fn unknown_field(field: &str, expected: &[&str]) -> String {
    match expected {
        [] => format!("unknown field `{field}`, there are no fields"),
        [one] => format!("unknown field `{field}`, expected `{one}`"),
        [a, b] => format!("unknown field `{field}`, expected `{a}` or `{b}`"),
        _ => {
            // Pushed, not `join`ed: a `join` of `String`s would add its own copy of the standard
            // join to the module (the core's joins share one, `text::join`).
            let mut text = format!("unknown field `{field}`, expected one of ");
            for (i, name) in expected.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                text.push('`');
                text.push_str(name);
                text.push('`');
            }
            text
        }
    }
}

/// A derived struct: `fields` (JS names) in declaration order, `required` says which have no
/// default. `set(i, value)` reads field `i`, in the order serde meets them: the object's keys
/// (sorted, as serde_json's map holds them) or the array's items.
pub fn structure(
    value: Value,
    name: &str,
    fields: &[&'static str],
    required: &[bool],
    set: &mut dyn FnMut(usize, Value) -> Read<()>,
) -> Read<()> {
    match value {
        Value::Object(map) => {
            let mut seen = vec![false; fields.len()];
            for (key, value) in map {
                let Some(i) = fields.iter().position(|f| *f == key) else {
                    return Err(unknown_field(&key, fields));
                };
                // serde's text, after the option it is about: `maxBytes: invalid value: ...`.
                set(i, value).map_err(|e| format!("{key}: {e}"))?;
                if let Some(s) = seen.get_mut(i) {
                    *s = true;
                }
            }
            for (i, field) in fields.iter().enumerate() {
                if required.get(i) == Some(&true) && seen.get(i) == Some(&false) {
                    return Err(format!("missing field `{field}`"));
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            let len = items.len();
            let mut items = items.into_iter();
            for i in 0..fields.len() {
                match items.next() {
                    Some(item) => set(i, item)?,
                    None if required.get(i) == Some(&true) => {
                        return Err(format!(
                            "invalid length {i}, expected struct {name} with {} elements",
                            fields.len()
                        ));
                    }
                    None => {}
                }
            }
            if items.next().is_some() {
                return Err(format!(
                    "invalid length {len}, expected fewer elements in array"
                ));
            }
            Ok(())
        }
        other => Err(invalid_type(&other, &format!("struct {name}"))),
    }
}

/// Declares a JS argument type once: the struct, with serde's `Deserialize` (what native callers
/// and the tests read it with), and its [`FromJson`] reader, which gives serde_json's error texts
/// without instantiating serde's derive in the WebAssembly module. Each field names its JS
/// spelling; `(default)` marks one that may be absent (`#[serde(default)]`), the others are
/// required. The struct must derive `Default` (the reader starts from it).
macro_rules! js_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                pub $field:ident: $ty:ty = $js:literal $(($default:ident))?,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $js $(, $default)?)]
                pub $field: $ty,
            )*
        }

        impl $crate::options::FromJson for $name {
            fn read(value: serde_json::Value) -> $crate::options::Read<Self> {
                let mut out = Self::default();
                $crate::options::structure(
                    value,
                    stringify!($name),
                    &[$($js),*],
                    &[$($crate::options::js_struct!(@required $($default)?)),*],
                    &mut |index, value| {
                        // Field `index` in declaration order: compared with a counter rather
                        // than by name (smaller code in the WebAssembly module).
                        let mut at = 0;
                        $(
                            if index == at {
                                out.$field = $crate::options::FromJson::read(value)?;
                                return Ok(());
                            }
                            at += 1;
                        )*
                        let _ = at;
                        Ok(())
                    },
                )?;
                Ok(out)
            }
        }
    };
    (@required) => {
        true
    };
    (@required default) => {
        false
    };
}
pub(crate) use js_struct;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::api::{EditorOptions, InputFile, LspPosition, PreviewOpts, ValidateOptions};
    use serde::de::DeserializeOwned;
    use serde_json::json;

    /// Same value or same error text as serde_json, after the names of the fields it is about.
    fn same<T: DeserializeOwned + std::fmt::Debug + PartialEq>(
        ours: fn(Value) -> Read<T>,
        value: Value,
    ) {
        let by_serde = serde_json::from_value::<T>(value.clone()).map_err(|e| e.to_string());
        let without_fields = |mut e: String| {
            while let Some((field, rest)) = e.split_once(": ") {
                if !FIELDS.contains(&field) {
                    break;
                }
                e = rest.to_owned();
            }
            e
        };
        assert_eq!(
            ours(value.clone()).map_err(without_fields),
            by_serde,
            "{value}"
        );
    }

    const FIELDS: [&str; 15] = [
        "format",
        "kumaVersion",
        "zones",
        "mzsCidr",
        "downZones",
        "zoneHealth",
        "path",
        "text",
        "line",
        "character",
        "kumaversion",
        "unknownResources",
        "maxBytes",
        "zone",
        "diagnosticsOnly",
    ];

    fn samples() -> Vec<Value> {
        let scalars = vec![
            json!(null),
            json!(true),
            json!(0),
            json!(7),
            json!(-3),
            json!(4294967296u64),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(2.0),
            json!(1e21),
            json!(1e-7),
            json!(-0.25),
            json!("x"),
            json!("q\"uote\n"),
            json!([]),
            json!({}),
        ];
        let mut out = scalars.clone();
        for v in &scalars {
            out.push(json!([v]));
            out.push(json!(["a", v]));
            out.push(json!([v, "b", "c"]));
            out.push(json!([1, 2, 3, v]));
            out.push(json!({ "a": v }));
            for key in FIELDS {
                out.push(json!({ key: v }));
                out.push(json!({ key: v, "zzz": 1 }));
                out.push(json!({ key: v, "text": "t", "path": "p" }));
                out.push(json!({ key: v, "line": 1, "character": 2 }));
                out.push(json!({ key: [v] }));
                out.push(json!({ key: { "east": v } }));
                out.push(json!([{ key: v, "path": "p" }]));
            }
        }
        out
    }

    #[test]
    fn every_reader_matches_serde() {
        for value in samples() {
            same(ValidateOptions::read, value.clone());
            same(PreviewOpts::read, value.clone());
            same(EditorOptions::read, value.clone());
            same(Vec::<InputFile>::read, value.clone());
            same(LspPosition::read, value);
        }
    }

    #[test]
    fn messages_read_like_serde() {
        assert_eq!(
            ValidateOptions::read(json!({ "kumaversion": "3.0" })).unwrap_err(),
            "unknown field `kumaversion`, expected one of `format`, `kumaVersion`, `unknownResources`, `maxBytes`, `systemNamespace`"
        );
        // The field a wrong value is in comes first.
        assert_eq!(
            LspPosition::read(json!({ "line": -1, "character": 0 })).unwrap_err(),
            "line: invalid value: integer `-1`, expected u32"
        );
        assert_eq!(
            ValidateOptions::read(json!({ "maxBytes": 1.5 })).unwrap_err(),
            "maxBytes: invalid type: floating point `1.5`, expected u32"
        );
    }
}
