//! `kuma-mzs-core`: Kuma's MeshMultiZoneService rules as a pure library.
//!
//! Text in; documents, diagnostics and previews out. No IO, no clocks, no threads:
//! everything here builds for `wasm32-unknown-unknown` and is driven by the front ends
//! (npm package, language server, Terraform provider, local control plane).
//!
//! Entry points:
//! - [`check`]: parse a text of one or more YAML/JSON documents, decode every Kuma resource in it,
//!   and run Kuma's validators plus our lints, with positions.
//! - [`validate`]: Kuma's validators on already-typed resources (what the REST API runs).
//! - [`preview`]: what each zone's control plane will compute (status, VIPs, hostnames, traffic).
//!
//! The crate is layered; a layer uses only the layers before it in this list:
//! `text` (positions, diagnostics, syntax tree), [`model`] (typed resources, the documented field
//! tree), [`template`] (Go `text/template`), [`validate`] (Kuma's validators and our lints),
//! [`decode`] (syntax tree to typed resources, `check()`), [`kds`] (what travels between control
//! planes and how it is renamed), `status` (what a zone computes: selectors, VIPs, hostnames,
//! traffic, the status engines, `preview()`), `rest` (Kuma's REST layer) and `editor` (hover,
//! completion, JSON Schemas, `explain`, the workspace preview); `core/tests/layers.rs` holds them
//! to that order.
//!
//! This file is the front door. `text`, `status`, `rest` and `editor` are private; what the front
//! ends use from them is re-exported below, in namespaces named after what they hold (`api` for
//! the REST layer). `model`, `template`, `validate`, `decode` and `kds` are public under their own
//! names because the front ends ask them by those names; their submodules are private and only
//! the items a front end uses are `pub` (`unreachable_pub` reports the rest).

#![warn(missing_docs)]
#![warn(unreachable_pub)]

pub mod decode;
mod editor;
pub mod kds;
pub mod model;
mod rest;
mod status;
pub mod template;
mod text;
pub mod validate;

pub use decode::check::{check, CheckOptions, Checked, CheckedDocument, Format};
pub use model::{KumaVersion, Resource, ResourceType, Shape, UnsupportedKumaVersion};
pub use text::diagnostics::{Code, Diagnostic, Severity, Violation};
pub use text::source::{LineIndex, Position, Range, TextRange};

/// Byte ranges and the [`LineIndex`] that turns them into line/column positions.
pub mod source {
    pub use crate::text::source::{LineIndex, Position, Range, TextRange};
}

/// Diagnostics, their stable codes and default severities.
pub mod diagnostics {
    pub use crate::text::diagnostics::{Code, Diagnostic, Fix, Severity, Violation};
}

/// The spanned YAML 1.2 / JSON syntax tree and its safety limits.
pub mod syntax {
    pub use crate::text::syntax::{
        parse, parse_bytes, Document, Entry, Limits, Node, NodeKind, Parsed, PathStep, Resolved,
        Scalar,
    };
}

/// Float text as Go prints it, without Rust's float formatting in the wasm module.
pub mod float_text {
    pub use crate::text::float_text::display;
}

/// Which documents of a text are Kuma's, and how quiet to be about the others.
pub mod documents {
    pub use crate::decode::documents::{apply, holds_kuma, Reporting};
}

/// What Kuma fills in when a request leaves a field out.
pub mod defaults {
    pub use crate::model::defaults::{
        default_app_protocol, DEFAULT_MESH, MESH_MULTI_ZONE_SERVICE_CIDR, MESH_SERVICE_CIDR,
        SYSTEM_NAMESPACE,
    };
}

/// Warnings beyond Kuma on typed resources.
pub mod lints {
    pub use crate::validate::lints::mesh_multi_zone_service;
}

/// Kuma's REST-layer rules that are not transport (used by `kuma-local` and the provider).
pub mod api {
    pub use crate::kds::{hashed_name, kds_name, rename_for_zones, NAME_LABELS};
    pub use crate::rest::{
        check_delete, check_immutable_labels, check_writable, compute_labels, decode_listed,
        decode_value, decoding_error_field, default_hostname_generators, inspect_hostnames,
        kri_not_found, kri_request, parse_filters, parse_format, parse_kri_format, parse_page_size,
        parse_query, prepare_put, resource_kri, review_put, ApiError, Cause, ErrorBody,
        InvalidParameter, KriRequest, KubernetesItem, ListFilter, Mode, OutputFormat, Page,
        PageSize, PreparedPut, ReleaseItem, RestItem, StoreView, Times, PLANNED_CREATION_TIME,
        SYSTEM_NAMESPACE, TITLE_COULD_NOT_DELETE, TITLE_COULD_NOT_RETRIEVE, TITLE_COULD_NOT_UPDATE,
        ZONE_READ_ONLY_MESSAGE,
    };

    /// Kuma's name and mesh rules for a resource key (`name: cannot be empty`, RFC 1123), as the
    /// REST layer checks a URL's.
    pub use crate::validate::meta::validate_meta;

    /// The REST facts around the validation layers: envelopes, `next` links, cascades, limits,
    /// authentication before routing, the text of `GET /config`.
    pub mod rest {
        pub use crate::rest::facts::{
            allow_header, body_too_large, check_port_count, default_mesh, delete_body,
            framework_error, hostnames_body, hostnames_service_not_found, inspectable_type,
            list_body, media_type_rejection, mesh_cascade_types, mesh_not_found, next_link,
            put_body, resource_types_body, router_rejection, FRAMEWORK_TEXT_CONTENT_TYPE,
        };
        pub use crate::rest::response_text::response_text;

        /// The API server's authentication rules before routing: the `Bearer` token, the `/gui`
        /// skip, `localhostIsAdmin`'s direct loopback request.
        pub use crate::rest::authn::{
            bearer_token, is_direct_loopback_request, skips_token_check, LoopbackHeaders,
        };
        /// `GET /config` as Kuma writes it (compact, the Go structs' field order).
        pub use crate::rest::config_text::config_text;
    }
}

/// KRI names (`kri_mzsvc_<mesh>_<zone>_<ns>_<name>_<section>`) and their parsing.
pub mod kri {
    pub use crate::rest::kri::{parse, Kri};
}

/// Labels a control plane writes itself, hidden from a user's configuration.
pub mod server_labels {
    pub use crate::rest::server_labels::is_server_written;
}

/// The per-zone MZS status engine and `preview()`.
pub mod preview {
    pub use crate::model::ResourceKey;
    pub use crate::status::preview::{
        may_rival_for_hostnames, preview, Change, MzsPreview, MzsStatusEngine, Preview,
        PreviewOptions, PreviewWarning, ZonePreview,
    };
}

/// HostnameGenerator rendering, as Kuma's `_hostnames` inspect endpoint shows it.
pub mod hostnames {
    pub use crate::status::hostnames::{
        inspect, InspectError, InspectHostname, InspectHostnameZone, InspectHostnames,
    };
}

/// The MeshLoadBalancingStrategy rules for an MZS port and the per-zone traffic split.
pub mod load_balancing {
    pub use crate::status::load_balancing::{
        AppliedPolicy, PortTraffic, PriorityLevel, RuleLevel, Split,
    };
}

/// One zone's MeshService status (VIP, hostnames).
pub mod mesh_service_status {
    pub use crate::status::mesh_service_status::{MeshServiceEngine, MeshServiceStatus};
}

/// Kuma's label-selector rule for MeshMultiZoneService.
pub mod selector {
    pub use crate::status::selector::mzs_matches;
}

/// Which computed MZS values an in-place update can change.
pub mod status_dependencies {
    pub use crate::status::status_dependencies::{
        hostnames_may_change, may_change, MzsComputed, MzsUpdate,
    };
}

/// The deterministic VIP allocator and CIDR checks.
pub mod vips {
    pub use crate::status::vips::{
        check_cidrs, parse_cidr, CidrConfigError, VipAllocator, VipError,
    };
}

/// Which hostnames a zone that already holds some will give a new MZS.
pub mod zone_claims {
    pub use crate::status::zone_claims::with_claims;
}

/// The VIP a zone will hand a new MZS.
pub mod zone_vip {
    pub use crate::status::zone_vip::{next_vip, NextVip};
}

/// Hover and completion for editors.
pub mod ide {
    pub use crate::editor::ide::{complete, hover, CompletionItem, CompletionKind, Hover};
}

/// JSON Schemas of every kind for generic YAML tooling.
pub mod schema {
    pub use crate::editor::json_schema::{json_schema, json_schemas};
}

/// The preview as readable lines.
pub mod explain {
    pub use crate::editor::explain::{explain, explain_with_skipped};
}

/// The preview over files as text.
pub mod workspace {
    pub use crate::editor::workspace::{
        preview_workspace, FileResult, PreviewDiagnostic, Skipped, WorkspaceFile, WorkspacePreview,
    };
}
