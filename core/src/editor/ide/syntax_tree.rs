//! Where the cursor is, from the syntax tree (exact when the text parses).

use crate::model::field_lookup::Step;
use crate::model::field_tree::{self, Kind};
use crate::model::ResourceType;
use crate::text::source::TextRange;
use crate::text::syntax::{self, NodeKind, PathStep};
use crate::Shape;

pub(super) fn tree_path(root: &syntax::Node, offset: u32) -> Option<(Vec<Step>, TextRange)> {
    let found = root.node_at(offset);
    let mut steps = Vec::new();
    let mut span = None;
    for step in &found {
        match step {
            PathStep::Key(e) => {
                steps.push(Step::Key(e.key.as_scalar()?.value.clone()));
                span = Some(e.key.span);
            }
            PathStep::Value(e) => {
                steps.push(Step::Key(e.key.as_scalar()?.value.clone()));
                span = matches!(e.value.kind, NodeKind::Scalar(_)).then_some(e.value.span);
            }
            PathStep::Index(_, node) => {
                steps.push(Step::Index);
                span = matches!(node.kind, NodeKind::Scalar(_)).then_some(node.span);
            }
        }
    }
    Some((steps, span?))
}

pub(super) fn tree_kind(root: &syntax::Node) -> (Option<&'static Kind>, Shape) {
    let shape = if root.get("apiVersion").is_some() || root.get("kind").is_some() {
        Shape::Kubernetes
    } else {
        Shape::Universal
    };
    let name = root
        .get("type")
        .or_else(|| root.get("kind"))
        .and_then(syntax::Node::as_str);
    (
        name.and_then(ResourceType::from_name).map(field_tree::kind),
        shape,
    )
}
