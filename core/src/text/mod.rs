//! The text layer: byte ranges and line/column positions, diagnostics and their codes, the
//! spanned YAML/JSON syntax tree, and the small utilities every layer above shares (float text,
//! the one sort instantiation, string joins, the engines' hash map). Nothing here knows a Kuma
//! resource.

pub(crate) mod diagnostics;
pub(crate) mod fast_map;
pub(crate) mod float_text;
pub(crate) mod go_duration;
mod index_text;
mod join;
pub(crate) mod rfc3339;
pub(crate) mod sort;
pub(crate) mod source;
pub(crate) mod syntax;

pub(crate) use index_text::push_index;
pub(crate) use join::join;
