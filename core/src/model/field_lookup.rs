//! Following a path (keys and sequence items) from a document's root through the documented
//! field tree: what hover, completion and the nearest-value quick fix ask.

use super::field_tree::{kind, top_level, Field, Kind, Ty};
use super::ResourceType;
use crate::Shape;

/// One step from a document's root to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// A mapping key.
    Key(String),
    /// A sequence item.
    Index,
}

/// What a path leads to in the field tree.
pub(crate) enum Resolved {
    /// A field (or an item of an array field).
    Field { field: Field, ty: Ty, path: String },
    /// A key inside a string map (a label).
    MapKey {
        field: Field,
        key: String,
        path: String,
    },
}

/// Follow `steps` from a document's root (of `kind`, or of no known kind) through the tree.
pub(crate) fn resolve(
    kind: Option<&'static Kind>,
    shape: Shape,
    steps: &[Step],
) -> Option<Resolved> {
    let (first, rest) = steps.split_first()?;
    let Step::Key(first) = first else {
        return None;
    };
    let top = match kind {
        Some(k) => top_level(k, shape),
        None => untyped_top_level(),
    };
    let field = *top.iter().find(|f| f.name == first)?;
    let mut current = Resolved::Field {
        field,
        ty: field.ty,
        path: first.clone(),
    };
    for step in rest {
        current = match (current, step) {
            (
                Resolved::Field {
                    ty: Ty::Object(fields),
                    path,
                    ..
                },
                Step::Key(k),
            ) => {
                let f = *fields.iter().find(|f| f.name == k)?;
                Resolved::Field {
                    field: f,
                    ty: f.ty,
                    path: format!("{path}.{k}"),
                }
            }
            (
                Resolved::Field {
                    field,
                    ty: Ty::StringMap,
                    path,
                },
                Step::Key(k),
            ) => Resolved::MapKey {
                field,
                key: k.clone(),
                path,
            },
            (
                Resolved::Field {
                    field,
                    ty: Ty::Array(item),
                    path,
                },
                Step::Index,
            ) => Resolved::Field {
                field,
                ty: *item,
                path: format!("{path}[]"),
            },
            _ => return None,
        };
    }
    Some(current)
}

/// The top-level fields a document of no known kind may start with.
pub(crate) fn untyped_top_level() -> Vec<Field> {
    let universal = top_level(kind(ResourceType::MeshMultiZoneService), Shape::Universal);
    let kubernetes = top_level(kind(ResourceType::MeshMultiZoneService), Shape::Kubernetes);
    universal
        .into_iter()
        .filter(|f| f.name == "type")
        .chain(
            kubernetes
                .into_iter()
                .filter(|f| f.name == "apiVersion" || f.name == "kind"),
        )
        .collect()
}
