//! The editor layer: what the language server, the playground and the CLI's text output ask
//! beyond `check()`: hover and completion, JSON Schemas for generic YAML tooling, the preview
//! as readable text, and the preview over a workspace of files.

pub(crate) mod explain;
pub(crate) mod ide;
pub(crate) mod json_schema;
pub(crate) mod workspace;
