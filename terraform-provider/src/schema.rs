//! Schemas: one description feeds the protocol (`GetProviderSchema`), value shaping
//! ([`Block::implied_type`]) and the generated registry docs.
//!
//! Nested configuration is always a nested *block* (never a nested attribute): Terraform 1.0.3
//! crashes on nested attributes (reference §3.8). Read-only structured data is an object-typed
//! computed attribute.

use std::collections::BTreeMap;

use tfplugin_proto::tfplugin6 as pb;

use crate::value::Ty;

/// An attribute.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// Name in configuration.
    pub name: &'static str,
    /// Type.
    pub ty: Ty,
    /// Markdown description.
    pub description: &'static str,
    /// Must be set.
    pub required: bool,
    /// May be set.
    pub optional: bool,
    /// The provider fills it.
    pub computed: bool,
    /// Hidden in plan output.
    pub sensitive: bool,
    /// Changing it replaces the resource.
    pub force_new: bool,
}

impl Attribute {
    fn new(name: &'static str, ty: Ty, description: &'static str) -> Self {
        Attribute {
            name,
            ty,
            description,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            force_new: false,
        }
    }

    /// A required attribute.
    pub fn required(name: &'static str, ty: Ty, description: &'static str) -> Self {
        Attribute {
            required: true,
            ..Self::new(name, ty, description)
        }
    }

    /// An optional attribute.
    pub fn optional(name: &'static str, ty: Ty, description: &'static str) -> Self {
        Attribute {
            optional: true,
            ..Self::new(name, ty, description)
        }
    }

    /// An optional attribute the provider fills when unset (defaults).
    pub fn optional_computed(name: &'static str, ty: Ty, description: &'static str) -> Self {
        Attribute {
            optional: true,
            computed: true,
            ..Self::new(name, ty, description)
        }
    }

    /// A read-only attribute.
    pub fn computed(name: &'static str, ty: Ty, description: &'static str) -> Self {
        Attribute {
            computed: true,
            ..Self::new(name, ty, description)
        }
    }

    /// Mark sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Mark "requires replacement".
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
}

/// How a nested block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one (`selector { ... }`); value is the object or null.
    Single,
    /// Any number, ordered (`port { ... }` repeated); value is a list, empty when absent.
    List,
}

/// A nested block.
#[derive(Debug, Clone)]
pub struct NestedBlock {
    /// Block type name.
    pub name: &'static str,
    /// Repetition.
    pub nesting: Nesting,
    /// Minimum count (1 on a single block = required).
    pub min_items: i64,
    /// Maximum count (0 = unlimited).
    pub max_items: i64,
    /// Content.
    pub block: Block,
}

/// A block: the body of a resource, data source, provider, or nested block.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Markdown description.
    pub description: &'static str,
    /// Attributes, in docs order.
    pub attributes: Vec<Attribute>,
    /// Nested blocks.
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    /// The object type of the block's value.
    pub fn implied_type(&self) -> Ty {
        let mut attrs: BTreeMap<String, Ty> = self
            .attributes
            .iter()
            .map(|a| (a.name.to_owned(), a.ty.clone()))
            .collect();
        for nested in &self.blocks {
            let inner = nested.block.implied_type();
            let ty = match nested.nesting {
                Nesting::Single => inner,
                Nesting::List => Ty::list(inner),
            };
            attrs.insert(nested.name.to_owned(), ty);
        }
        Ty::Object(attrs)
    }

    /// The protocol form.
    pub fn to_proto(&self) -> pb::schema::Block {
        pb::schema::Block {
            version: 0,
            attributes: self
                .attributes
                .iter()
                .map(|a| pb::schema::Attribute {
                    name: a.name.to_owned(),
                    r#type: a.ty.to_json().to_string().into_bytes(),
                    description: a.description.to_owned(),
                    required: a.required,
                    optional: a.optional,
                    computed: a.computed,
                    sensitive: a.sensitive,
                    description_kind: pb::StringKind::Markdown as i32,
                    deprecated: false,
                })
                .collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.name.to_owned(),
                    block: Some(b.block.to_proto()),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                    } as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
            description: self.description.to_owned(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
        }
    }
}

/// A whole schema (resource, data source or provider).
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// State version (bumped with an upgrader when the shape changes).
    pub version: i64,
    /// Body.
    pub block: Block,
}

impl Schema {
    /// The protocol form.
    pub fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto()),
        }
    }

    /// The value type.
    pub fn ty(&self) -> Ty {
        self.block.implied_type()
    }
}
