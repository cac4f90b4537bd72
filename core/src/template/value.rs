//! The values a template computes with (Go's `reflect.Value`, narrowed to what Kuma's data can
//! hold), the data struct with the `label` function, Go's type names and Go's truth.

use super::tree::Number;

/// A value during evaluation (Go's `reflect.Value`, narrowed to what the data can hold).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    /// No value (Go's invalid `reflect.Value`), printed as `<no value>`.
    Missing,
    /// Shared, so copying values into variables and dots costs no memory.
    Str(std::rc::Rc<str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A byte of a string, from `index` (Go's `uint8`).
    Byte(u8),
    /// The data struct.
    Data,
}

/// The data struct a template sees, and the `label` function.
pub(super) struct Data<'a> {
    /// Go's type name of the data struct, for `can't evaluate field X in type T`.
    pub(super) type_name: &'a str,
    /// `(Name, value)` in declaration order.
    pub(super) fields: [(&'static str, &'a str); 5],
    /// `label "key"`.
    pub(super) label: &'a dyn Fn(&str) -> std::result::Result<String, String>,
}

impl Data<'_> {
    /// Go's name of the type of `v`, as its errors print it.
    pub(super) fn type_of(&self, v: &Value) -> String {
        match v {
            Value::Missing => "<nil>".to_owned(),
            Value::Str(_) => "string".to_owned(),
            Value::Int(_) => "int".to_owned(),
            Value::Float(_) => "float64".to_owned(),
            Value::Bool(_) => "bool".to_owned(),
            Value::Byte(_) => "uint8".to_owned(),
            Value::Data => self.type_name.to_owned(),
        }
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        match n {
            Number::Int(i) => Value::Int(i),
            Number::Float(bits) => Value::Float(f64::from_bits(bits)),
        }
    }
}

/// Go's `isTrue`; `None` when the value has no truth (Go: `if/with can't use`).
pub(super) fn is_true(v: &Value) -> Option<bool> {
    match v {
        // Go: "something like var x interface{}, never set. It's a form of nil."
        Value::Missing => Some(false),
        Value::Str(s) => Some(!s.is_empty()),
        Value::Int(i) => Some(*i != 0),
        Value::Float(f) => Some(*f != 0.0),
        Value::Bool(b) => Some(*b),
        Value::Byte(b) => Some(*b != 0),
        Value::Data => Some(true),
    }
}
