//! `kuma-mzs-wasm`: the JS face of `kuma-mzs-core`, built into the npm package `kuma-mzs`.
//!
//! This file only converts between JS values and the plain Rust of [`api`]; every decision lives
//! there (or in the core). Outputs are built with serde-wasm-bindgen's JSON-compatible serializer,
//! so callers get plain objects and arrays (no `Map`), `null` for absent values, and the shapes the
//! TypeScript declarations below promise.
//!
//! The package ships two WebAssembly modules, built from this crate with one feature each
//! (`wasm/build.sh`): `main` (`validate` and the small exports: what every user loads) and
//! `editor`, which holds everything (`preview`, `explain`, `hover`, `complete` besides those of
//! `main`): the package's JS wrappers in `wasm/glue` load it on demand for its own exports, and a
//! page that previews loads it alone. The JSON Schemas of `schema()` and the facts of `resourceTypes()` are generated at
//! build time (`examples/package_data.rs`) into the package's data files, and so is the code
//! registry of `codes()`. Native builds (tests, clippy) have both features.

pub mod api;
mod options;

use serde::Serialize;
use wasm_bindgen::prelude::*;

#[cfg(feature = "main")]
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** One end of a range. */
export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column in Unicode characters (what people and compilers print). */
  column: number;
  /** 0-based column in UTF-16 code units (LSP `character`; Monaco column - 1). */
  character: number;
  /** 0-based byte offset into the UTF-8 text. */
  offset: number;
}
/** A half-open range. */
export interface Range { start: Position; end: Position; }
/** A certain fix for a diagnostic. */
export interface Fix { title: string; range: Range; replacement: string; }
export type Severity = "error" | "warning" | "info";
/**
 * One problem. Codes: syntax, limit, unknown-resource, unmodelled-kind, schema, kuma, MZS001...
 * (see codes(); each code's default severity comes from the core).
 */
export interface Diagnostic {
  severity: Severity;
  code: string;
  /** Kuma field path, e.g. `spec.ports[0].appProtocol`; empty for whole-document problems. */
  field: string;
  /** Kuma's exact message for code `kuma`. */
  message: string;
  /**
   * Only on an error at a field that the other Kuma release line accepts (3.0 for a 2.x
   * release, the newest 2.x for 3.0): the release is the likely cause, e.g. "Kuma 2.14 accepts
   * this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0".
   */
  hint?: string;
  range: Range;
  fix?: Fix;
  /** Preview diagnostics only: the zones whose preview gives it (empty for authoring mistakes). */
  zones?: string[];
}
export interface ValidatedDocument {
  kind: string | null;
  name: string | null;
  mesh: string | null;
  shape: "universal" | "kubernetes" | null;
  range: Range;
  diagnostics: Diagnostic[];
}
export interface ValidateResult {
  documents: ValidatedDocument[];
  /** Problems outside any readable document (syntax errors, limits). */
  diagnostics: Diagnostic[];
  /**
   * Whether the text holds a Kuma resource (modelled or not), judged from its lines when it does
   * not parse. Editors stay silent on texts where this is false (Helm templates, Deployments).
   */
  holdsKuma: boolean;
}
/**
 * A Kuma release: `3.0` (default), `2.9` to `2.14`, a patch version (`2.14.3`, `v2.14.3`), or
 * `2.x` (the newest 2.x); which releases are known is the core's decision (an unknown one throws
 * an error naming `kumaVersion`). `kumaVersion()` names the release a spelling means.
 */
export type KumaVersionName = `${2 | 3}` | `${2 | 3}.${string}` | `v${2 | 3}.${string}`;
/**
 * "error" (default): every document must be a resource kuma-mzs models (`unknown-resource`).
 * "quiet": documents that are not Kuma resources get no diagnostics, and Kuma kinds kuma-mzs
 * does not model get one `unmodelled-kind` info.
 */
export type UnknownResources = "error" | "quiet";
export interface ValidateOptions {
  format?: "auto" | "yaml" | "json";
  kumaVersion?: KumaVersionName;
  unknownResources?: UnknownResources;
  /** Largest accepted text in bytes (default 1048576). */
  maxBytes?: number;
  /**
   * The namespace Kuma runs in on Kubernetes (default "kuma-system"; Kong Mesh: "kong-mesh-system"):
   * a MeshMultiZoneService or HostnameGenerator manifest in another namespace is an error, as
   * Kuma's admission webhook refuses it.
   */
  systemNamespace?: string;
}
export interface InputFile {
  path: string;
  text: string;
  /**
   * The zone whose control plane this file is applied to; omit for the global control plane or
   * when unknown. In a zone's file a MeshService without `kuma.io/zone` is in that zone, one
   * naming another zone gets MZS202 (an error: the zone refuses it, and it is skipped), and an MZS gets MZS203 (a zone answers 405) and is skipped.
   */
  zone?: string;
}
export interface PreviewOptions {
  /** Zones to compute; zones named in MeshService `kuma.io/zone` labels are added. */
  zones?: string[];
  kumaVersion?: KumaVersionName;
  /** CIDR MZS VIPs come from (default 243.0.0.0/8). */
  mzsCidr?: string;
  /** Zones taken down: their endpoints are unhealthy and traffic fails over. */
  downZones?: string[];
  /** Healthy fraction (0..1) of a zone's endpoints, for partial outages. */
  zoneHealth?: { [zone: string]: number };
  /** As ValidateOptions.unknownResources, for the per-file diagnostics. */
  unknownResources?: UnknownResources;
  /** As ValidateOptions.maxBytes. */
  maxBytes?: number;
  /** As ValidateOptions.systemNamespace. */
  systemNamespace?: string;
  /** Leave `zones` empty: only the diagnostics and `skipped` (what an editor shows). */
  diagnosticsOnly?: boolean;
}
export interface ServingPort {
  name: string; namespace: string; zone: string; mesh: string;
  port: number; portName?: string; appProtocol: string;
}
export interface PortPreview { port: number; sectionName: string; appProtocol: string; servedBy: ServingPort[]; }
export interface PortTraffic {
  port: number;
  sectionName: string;
  /** Fraction of requests per zone; sums to 1, empty when nothing is reachable. */
  shares: { [zone: string]: number };
  priorities: unknown[];
  overprovisioningFactor: number;
  droppedZones?: string[];
  failingShare?: number;
  policy?: unknown;
}
export interface PreviewWarning { code: string; message: string; port?: string; }
export interface MultiZoneServicePreview {
  mesh: string;
  name: string;
  /** Exactly what the zone's control plane writes into `status`. */
  status: {
    addresses?: { hostname?: string; origin?: string; hostnameGeneratorRef?: { coreName: string } }[];
    vips?: { ip?: string }[];
    meshServices?: { name: string; namespace: string; zone: string; mesh: string }[];
    hostnameGenerators?: { hostnameGeneratorRef: { coreName: string }; conditions?: Condition[] }[];
    conditions?: Condition[];
  };
  ports: PortPreview[];
  traffic: PortTraffic[];
  warnings: PreviewWarning[];
}
export interface Condition { type: string; status: string; reason: string; message: string; }
export interface ZonePreview { zone: string; multiZoneServices: MultiZoneServicePreview[]; }
export interface FileDiagnostics {
  path: string;
  /** The file's check diagnostics (what validate() gives). */
  diagnostics: Diagnostic[];
  /**
   * The preview's diagnostics located in this file: MZS101-MZS106 at the selector label, port or
   * name they are about (MZS103 says which label of the closest MeshService differs), MZS201-203
   * for zone-label and zone-authoring mistakes. Each has `zones`.
   */
  previewDiagnostics: Diagnostic[];
}
/**
 * A resource that takes no part in the preview: its document has errors (reason
 * "fix 1 error at global.yaml:14"), or it is an MZS written in a zone's file. Front ends keep
 * showing its last good preview, marked stale with the reason.
 */
export interface SkippedResource {
  path: string;
  kind: string;
  mesh: string;
  name: string;
  /** The document. */
  range: Range;
  /** Its first error. */
  firstError: Range;
  errors: number;
  reason: string;
}
export interface PreviewResult {
  zones: ZonePreview[];
  /** One entry per input file, in input order. Which documents take part is the core's decision. */
  diagnostics: FileDiagnostics[];
  skipped: SkippedResource[];
}
/** An LSP position: 0-based line, 0-based UTF-16 character (Monaco: lineNumber - 1, column - 1). */
export interface EditorPosition { line: number; character: number; }
export interface EditorOptions { kumaVersion?: KumaVersionName; }
export interface HoverResult { contents: string; range: Range; }
export interface CompletionItem {
  label: string;
  kind: "field" | "value";
  detail?: string;
  documentation?: string;
  insertText: string;
}
export interface CodeInfo {
  code: string;
  description: string;
  /** The severity the core gives this code by default (SARIF rule level, editor severity). */
  severity: Severity;
  /** Anchor of the code's section in the repository's docs/codes.md (`docs/codes.md#mzs101`). */
  helpAnchor: string;
}
/** A resource type kuma-mzs models, with the core's facts about it (see resourceTypes()). */
export interface ResourceTypeInfo {
  /** Kuma's type name (`type` in universal, `kind` in Kubernetes). */
  name: string;
  /** Whether its resources live in a mesh (false for Mesh and HostnameGenerator). */
  meshScoped: boolean;
  /**
   * Whether users write it on the global control plane (MeshServices are written in, or
   * generated by, the zones and reach global through KDS).
   */
  writtenOnGlobal: boolean;
  /** The Kubernetes `apiVersion` of its custom resource. */
  apiVersion: string;
  /** The Kubernetes label that names its mesh; null when it is not mesh-scoped. */
  meshLabel: string | null;
}
/**
 * JSON Schema (draft-07) of every resource kind, keyed by kind, for monaco-yaml and friends.
 * Generated from the core when the package is built (no WebAssembly needed).
 */
export function schema(options_value?: EditorOptions): { [kind: string]: object };
/** Every resource type kuma-mzs models, with the core's facts about it; no WebAssembly needed. */
export function resourceTypes(): ResourceTypeInfo[];
/**
 * Every diagnostic code with its one-line description, default severity and docs anchor, from
 * the core's registry when the package is built (no WebAssembly needed).
 */
export function codes(): CodeInfo[];
/** The Kuma releases kuma-mzs knows (what `kumaVersion` options accept). */
export interface KumaVersions {
  /** Every supported release, newest first (`3.0`, `2.14`, ..., `2.9`). */
  releases: string[];
  /** The release used when no `kumaVersion` is given. */
  default: string;
}
/** The supported Kuma releases, from the core when the package is built; no WebAssembly needed. */
export function kumaVersions(): KumaVersions;
"#;

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn options<T: Default + options::FromJson>(value: JsValue) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    if let Some(problem) = options::non_finite_field(&value) {
        return Err(JsError::new(&format!("invalid options: {problem}")));
    }
    // Through JSON so unknown fields are refused: serde-wasm-bindgen only reads the fields a
    // struct names, which would let a misspelt option pass silently.
    let json: serde_json::Value =
        options::js_to_json(&value).map_err(|e| JsError::new(&format!("invalid options: {e}")))?;
    T::read(json).map_err(|e| JsError::new(&format!("invalid options: {e}")))
}

fn err(e: api::ApiError) -> JsError {
    JsError::new(&e.to_string())
}

#[cfg(feature = "editor")]
fn files(input: JsValue) -> Result<Vec<api::InputFile>, JsError> {
    if let Some(text) = input.as_string() {
        return Ok(vec![api::InputFile {
            path: "<input>".to_owned(),
            text,
            zone: None,
        }]);
    }
    let json: serde_json::Value =
        options::js_to_json(&input).map_err(|e| JsError::new(&format!("invalid input: {e}")))?;
    <Vec<api::InputFile> as options::FromJson>::read(json).map_err(|e| {
        JsError::new(&format!(
            "invalid input: expected a string or an array of {{path, text}} ({e})"
        ))
    })
}

/// Check every document of a YAML or JSON text.
#[cfg(any(feature = "main", feature = "editor"))]
#[wasm_bindgen(unchecked_return_type = "ValidateResult")]
pub fn validate(
    text: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions")] options_value: JsValue,
) -> Result<JsValue, JsError> {
    let opts = options::<api::ValidateOptions>(options_value)?;
    to_js(&api::validate(text, &opts).map_err(err)?)
}

/// What each zone's control plane computes for every MeshMultiZoneService in the input.
#[cfg(feature = "editor")]
#[wasm_bindgen(unchecked_return_type = "PreviewResult")]
pub fn preview(
    #[wasm_bindgen(unchecked_param_type = "string | InputFile[]")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PreviewOptions")] options_value: JsValue,
) -> Result<JsValue, JsError> {
    let opts = options::<api::PreviewOpts>(options_value)?;
    to_js(&api::preview(&files(input)?, &opts).map_err(err)?)
}

/// The preview as text.
#[cfg(feature = "editor")]
#[wasm_bindgen]
pub fn explain(
    #[wasm_bindgen(unchecked_param_type = "string | InputFile[]")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PreviewOptions")] options_value: JsValue,
) -> Result<String, JsError> {
    let opts = options::<api::PreviewOpts>(options_value)?;
    api::explain(&files(input)?, &opts).map_err(err)
}

#[cfg(feature = "editor")]
fn position(value: JsValue) -> Result<api::LspPosition, JsError> {
    let json: serde_json::Value =
        options::js_to_json(&value).map_err(|e| JsError::new(&format!("invalid position: {e}")))?;
    <api::LspPosition as options::FromJson>::read(json).map_err(|e| {
        JsError::new(&format!(
            "invalid position: expected {{line, character}} (0-based, UTF-16) ({e})"
        ))
    })
}

/// Documentation of the field under an LSP position, or `null`.
#[cfg(feature = "editor")]
#[wasm_bindgen(unchecked_return_type = "HoverResult | null")]
pub fn hover(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "EditorPosition")] at: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "EditorOptions")] options_value: JsValue,
) -> Result<JsValue, JsError> {
    let opts = options::<api::EditorOptions>(options_value)?;
    to_js(&api::hover(text, position(at)?, &opts).map_err(err)?)
}

/// Field names and values that fit at an LSP position.
#[cfg(feature = "editor")]
#[wasm_bindgen(unchecked_return_type = "CompletionItem[]")]
pub fn complete(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "EditorPosition")] at: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "EditorOptions")] options_value: JsValue,
) -> Result<JsValue, JsError> {
    let opts = options::<api::EditorOptions>(options_value)?;
    to_js(&api::complete(text, position(at)?, &opts).map_err(err)?)
}

/// The release whose build-time JSON Schemas `schema(options)` returns (its key in the package's
/// `data/schemas.json`), with the errors `schema` gives for bad options. Only the package's JS
/// wrapper calls it, so it is left out of the declarations.
#[cfg(any(feature = "main", feature = "editor"))]
#[wasm_bindgen(js_name = schemaRelease, skip_typescript)]
pub fn schema_release(options_value: JsValue) -> Result<String, JsError> {
    let opts = options::<api::EditorOptions>(options_value)?;
    Ok(api::schema_release(&opts).map_err(err)?.to_owned())
}

/// The canonical name of the Kuma release `spelling` names (`v2.14.3` -> `2.14`); throws with
/// the list of supported releases when it names none.
#[cfg(any(feature = "main", feature = "editor"))]
#[wasm_bindgen(js_name = kumaVersion)]
pub fn kuma_version(spelling: &str) -> Result<String, JsError> {
    api::kuma_version(spelling).map_err(|e| JsError::new(&e.to_string()))
}

/// The package version.
#[cfg(any(feature = "main", feature = "editor"))]
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
