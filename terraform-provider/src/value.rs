//! Terraform values (cty) as the provider sees them: types, values with null and unknown, and the
//! two wire encodings (MessagePack for `DynamicValue.msgpack`, JSON for stored state).
//!
//! Terraform decodes objects strictly (every attribute present, no extra ones), so every value
//! leaving the provider goes through [`Value::conform`] against the schema's implied type first.

use std::collections::BTreeMap;

use thiserror::Error;

/// A Terraform type (the subset of cty types this provider uses, plus sets for decoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `string`.
    String,
    /// `number` (arbitrary precision in Terraform).
    Number,
    /// `bool`.
    Bool,
    /// `list(T)`.
    List(Box<Ty>),
    /// `set(T)` (not used by our schemas yet; kept so values of any collection decode).
    #[allow(dead_code)]
    Set(Box<Ty>),
    /// `map(T)`.
    Map(Box<Ty>),
    /// `object({...})`.
    Object(BTreeMap<String, Ty>),
}

impl Ty {
    /// `list(T)`.
    pub fn list(inner: Ty) -> Ty {
        Ty::List(Box::new(inner))
    }

    /// `map(T)`.
    pub fn map(inner: Ty) -> Ty {
        Ty::Map(Box::new(inner))
    }

    /// `object({...})` from pairs.
    pub fn object<'a>(attrs: impl IntoIterator<Item = (&'a str, Ty)>) -> Ty {
        Ty::Object(attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// cty's JSON type notation (`"string"`, `["list","string"]`, `["object",{...}]`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Ty::String => json!("string"),
            Ty::Number => json!("number"),
            Ty::Bool => json!("bool"),
            Ty::List(t) => json!(["list", t.to_json()]),
            Ty::Set(t) => json!(["set", t.to_json()]),
            Ty::Map(t) => json!(["map", t.to_json()]),
            Ty::Object(attrs) => {
                let fields: serde_json::Map<String, serde_json::Value> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", fields])
            }
        }
    }

    /// How the type reads in docs (`String`, `List of String`, `Map of String`, `List of Object`).
    pub fn doc_name(&self) -> String {
        match self {
            Ty::String => "String".into(),
            Ty::Number => "Number".into(),
            Ty::Bool => "Boolean".into(),
            Ty::List(t) => format!("List of {}", t.doc_name()),
            Ty::Set(t) => format!("Set of {}", t.doc_name()),
            Ty::Map(t) => format!("Map of {}", t.doc_name()),
            Ty::Object(_) => "Object".into(),
        }
    }
}

/// A Terraform number. Integers stay exact; anything else keeps Terraform's own text so no
/// precision is lost on the way back.
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    /// Exact integer.
    Int(i64),
    /// Exact float.
    Float(f64),
    /// Decimal text (Terraform sends numbers beyond i64/f64 this way).
    Text(String),
}

impl Number {
    /// The value as an integer, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Text(t) => t.parse().ok(),
        }
    }
}

/// A Terraform value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// Known only after apply.
    Unknown,
    /// A bool.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A list, set or tuple.
    List(Vec<Value>),
    /// A map or object.
    Map(BTreeMap<String, Value>),
}

/// Why a wire value could not be read.
#[derive(Debug, Error)]
pub enum DecodeError {
    /// Bad MessagePack.
    #[error("invalid MessagePack value: {0}")]
    MsgPack(String),
    /// Bad JSON.
    #[error("invalid JSON value: {0}")]
    Json(#[from] serde_json::Error),
    /// A map key that is not a string.
    #[error("map keys must be strings")]
    NonStringKey,
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// An integer value.
    #[cfg(test)]
    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    /// An object value from pairs.
    pub fn object<'a>(attrs: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
        Value::Map(attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether the value or anything inside it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::List(items) => items.iter().any(Value::contains_unknown),
            Value::Map(map) => map.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    /// Attribute of an object (Null when absent or when self is not an object).
    pub fn get(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Map(map) => map.get(key).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// Set an attribute (self becomes an object if it was not one).
    pub fn set(&mut self, key: &str, value: Value) {
        if !matches!(self, Value::Map(_)) {
            *self = Value::Map(BTreeMap::new());
        }
        if let Value::Map(map) = self {
            map.insert(key.to_owned(), value);
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is a known integral number.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The bool, if known.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements of a list, or an empty slice.
    pub fn items(&self) -> &[Value] {
        match self {
            Value::List(items) => items,
            _ => &[],
        }
    }

    /// A known map of known strings, else `None`.
    pub fn as_string_map(&self) -> Option<BTreeMap<String, String>> {
        match self {
            Value::Map(map) => map
                .iter()
                .map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect(),
            _ => None,
        }
    }

    /// A map of strings as a value.
    pub fn from_string_map(map: &BTreeMap<String, String>) -> Value {
        Value::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), Value::string(v)))
                .collect(),
        )
    }

    /// A list of strings as a value.
    pub fn from_strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::List(
            items
                .into_iter()
                .map(|s| Value::string(s.as_ref()))
                .collect(),
        )
    }

    /// Shape the value to `ty`: objects get exactly the type's attributes (missing ones null,
    /// extra ones dropped), recursively. Scalars are left as they are.
    pub fn conform(self, ty: &Ty) -> Value {
        match (self, ty) {
            (Value::Map(mut map), Ty::Object(attrs)) => Value::Map(
                attrs
                    .iter()
                    .map(|(name, attr_ty)| {
                        let v = map.remove(name).unwrap_or(Value::Null);
                        (name.clone(), v.conform(attr_ty))
                    })
                    .collect(),
            ),
            (Value::List(items), Ty::List(inner) | Ty::Set(inner)) => {
                Value::List(items.into_iter().map(|v| v.conform(inner)).collect())
            }
            (Value::Map(map), Ty::Map(inner)) => Value::Map(
                map.into_iter()
                    .map(|(k, v)| (k, v.conform(inner)))
                    .collect(),
            ),
            // Terraform writes numbers that fit neither i64 nor f64 as decimal strings.
            (Value::String(text), Ty::Number) => Value::Number(Number::Text(text)),
            (other, _) => other,
        }
    }

    // ---------------------------------------------------------------------------------------
    // MessagePack

    /// Decode Terraform's MessagePack. Every extension is an unknown (Terraform ≥1.6 sends
    /// refined unknowns as extension 0x0c; the refinements are ignored).
    pub fn from_msgpack(bytes: &[u8]) -> Result<Value, DecodeError> {
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        let mut reader = bytes;
        let raw = rmpv::decode::read_value(&mut reader)
            .map_err(|e| DecodeError::MsgPack(e.to_string()))?;
        if !reader.is_empty() {
            return Err(DecodeError::MsgPack(format!(
                "{} trailing byte(s) after the value",
                reader.len()
            )));
        }
        Self::from_rmpv(raw)
    }

    fn from_rmpv(raw: rmpv::Value) -> Result<Value, DecodeError> {
        Ok(match raw {
            rmpv::Value::Nil => Value::Null,
            rmpv::Value::Boolean(b) => Value::Bool(b),
            rmpv::Value::Integer(i) => match i.as_i64() {
                Some(v) => Value::Number(Number::Int(v)),
                None => Value::Number(Number::Text(i.to_string())),
            },
            rmpv::Value::F32(f) => Value::Number(Number::Float(f64::from(f))),
            rmpv::Value::F64(f) => Value::Number(Number::Float(f)),
            rmpv::Value::String(s) => match s.into_str() {
                Some(s) => Value::String(s),
                None => return Err(DecodeError::MsgPack("string is not UTF-8".into())),
            },
            rmpv::Value::Binary(b) => Value::String(String::from_utf8_lossy(&b).into_owned()),
            rmpv::Value::Array(items) => Value::List(
                items
                    .into_iter()
                    .map(Self::from_rmpv)
                    .collect::<Result<_, _>>()?,
            ),
            rmpv::Value::Map(pairs) => {
                let mut map = BTreeMap::new();
                for (k, v) in pairs {
                    let key = match k {
                        rmpv::Value::String(s) => s.into_str().ok_or(DecodeError::NonStringKey)?,
                        _ => return Err(DecodeError::NonStringKey),
                    };
                    map.insert(key, Self::from_rmpv(v)?);
                }
                Value::Map(map)
            }
            rmpv::Value::Ext(_, _) => Value::Unknown,
        })
    }

    /// Encode as Terraform's MessagePack (unknown = fixext1 type 0).
    pub fn to_msgpack(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        // Writing to a Vec cannot fail.
        let _ = rmpv::encode::write_value(&mut out, &self.to_rmpv());
        out
    }

    fn to_rmpv(&self) -> rmpv::Value {
        match self {
            Value::Null => rmpv::Value::Nil,
            Value::Unknown => rmpv::Value::Ext(0, vec![0]),
            Value::Bool(b) => rmpv::Value::Boolean(*b),
            Value::Number(Number::Int(i)) => rmpv::Value::from(*i),
            Value::Number(Number::Float(f)) => rmpv::Value::F64(*f),
            Value::Number(Number::Text(t)) => rmpv::Value::String(t.clone().into()),
            Value::String(s) => rmpv::Value::String(s.clone().into()),
            Value::List(items) => rmpv::Value::Array(items.iter().map(Value::to_rmpv).collect()),
            Value::Map(map) => rmpv::Value::Map(
                map.iter()
                    .map(|(k, v)| (rmpv::Value::String(k.clone().into()), v.to_rmpv()))
                    .collect(),
            ),
        }
    }

    // ---------------------------------------------------------------------------------------
    // JSON (stored state; unknowns cannot appear there)

    /// Decode JSON (as in `RawState.json`).
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Value, DecodeError> {
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        let json: serde_json::Value = serde_json::from_slice(bytes)?;
        Ok(Self::from_json(json))
    }

    /// From a JSON tree.
    pub fn from_json(json: serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Number::Int(i),
                (None, Some(f)) => Number::Float(f),
                _ => Number::Text(n.to_string()),
            }),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(items) => {
                Value::List(items.into_iter().map(Self::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::Map(
                map.into_iter()
                    .map(|(k, v)| (k, Self::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// To a JSON tree (unknowns become null; callers never store unknowns).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Number(Number::Int(i)) => (*i).into(),
            Value::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            // A number too big for 64 bits (Terraform sends its text) is still a JSON number,
            // so Kuma's checks say "number" about it, not "string".
            Value::Number(Number::Text(t)) => (t.parse::<f64>().ok())
                .and_then(serde_json::Number::from_f64)
                .map_or_else(
                    || serde_json::Value::String(t.clone()),
                    serde_json::Value::Number,
                ),
            Value::String(s) => s.clone().into(),
            Value::List(items) => items.iter().map(Value::to_json).collect(),
            Value::Map(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn unknown_is_written_as_terraforms_fixext1_and_any_extension_reads_as_unknown() {
        assert_eq!(Value::Unknown.to_msgpack(), vec![0xd4, 0, 0]);
        // Refined unknown (ext 0x0c with a map payload {1: false}).
        let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        assert_eq!(Value::from_msgpack(&refined).unwrap(), Value::Unknown);
    }

    #[test]
    fn objects_round_trip_and_conform_fills_every_attribute_with_null() {
        let ty = Ty::object([("a", Ty::String), ("b", Ty::list(Ty::Number))]);
        let v =
            Value::object([("a", Value::string("x")), ("junk", Value::Bool(true))]).conform(&ty);
        assert_eq!(v.get("b"), &Value::Null);
        assert_eq!(v.get("junk"), &Value::Null);
        let Value::Map(m) = &v else { panic!() };
        assert_eq!(m.len(), 2);
        assert_eq!(Value::from_msgpack(&v.to_msgpack()).unwrap(), v);
    }

    #[test]
    fn numbers_of_every_msgpack_width_and_big_decimals_are_read() {
        for (bytes, want) in [
            (vec![0x05], Value::int(5)),
            (vec![0xcd, 0x18, 0xeb], Value::int(6379)),
            (vec![0xd0, 0xff], Value::int(-1)),
            (
                vec![0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
                Value::Number(Number::Float(1.5)),
            ),
        ] {
            assert_eq!(Value::from_msgpack(&bytes).unwrap(), want);
        }
        let big = Value::Number(Number::Text("123456789012345678901234567890".into()));
        let back = Value::from_msgpack(&big.to_msgpack())
            .unwrap()
            .conform(&Ty::Number);
        assert_eq!(back, big);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Value::from_msgpack(&[0xc0, 0xc0]).is_err());
        assert!(Value::from_msgpack(&[0x92, 0x01]).is_err());
        assert!(Value::from_json_bytes(b"{").is_err());
    }

    fn random_value(depth: u32) -> Value {
        match fastrand::u32(0..if depth == 0 { 6 } else { 8 }) {
            0 => Value::Null,
            1 => Value::Unknown,
            2 => Value::Bool(fastrand::bool()),
            3 => Value::Number(Number::Int(fastrand::i64(..))),
            4 => Value::Number(Number::Float(fastrand::f64() * 1e6)),
            5 => Value::String(
                (0..fastrand::usize(0..8))
                    .map(|_| fastrand::char(..))
                    .collect(),
            ),
            6 => Value::List(
                (0..fastrand::usize(0..4))
                    .map(|_| random_value(depth - 1))
                    .collect(),
            ),
            _ => Value::Map(
                (0..fastrand::usize(0..4))
                    .map(|i| (format!("k{i}"), random_value(depth - 1)))
                    .collect(),
            ),
        }
    }

    /// Property: every value survives MessagePack encoding unchanged.
    #[test]
    fn msgpack_round_trips_random_values() {
        fastrand::seed(7);
        for _ in 0..2000 {
            let v = random_value(3);
            assert_eq!(Value::from_msgpack(&v.to_msgpack()).unwrap(), v);
        }
    }

    /// Property: arbitrary bytes (including truncated real values) never panic the decoder.
    #[test]
    fn random_bytes_never_panic() {
        fastrand::seed(11);
        for _ in 0..5000 {
            let mut bytes = random_value(3).to_msgpack();
            let cut = fastrand::usize(0..=bytes.len());
            bytes.truncate(cut);
            if fastrand::bool() && !bytes.is_empty() {
                let i = fastrand::usize(0..bytes.len());
                bytes[i] = fastrand::u8(..);
            }
            let _ = Value::from_msgpack(&bytes);
            let _ = Value::from_json_bytes(&bytes);
        }
    }

    #[test]
    fn type_json_matches_cty_notation() {
        let ty = Ty::object([("m", Ty::map(Ty::String))]);
        assert_eq!(
            ty.to_json().to_string(),
            r#"["object",{"m":["map","string"]}]"#
        );
    }
}
