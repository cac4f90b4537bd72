// The only module that calls the `kuma-mzs` npm package's WebAssembly (the core); export.ts reads
// only its build-time data (resourceTypes()).
// It runs inside the worker; if the package's API changes, only this file changes.
import * as kuma from "kuma-mzs";
import { inTemplateDocument, templateDocuments, type TemplateDocument } from "kuma-mzs/templates";
import type {
  AnalyzeOptions,
  Completion,
  Diagnostic,
  KumaVersion,
  PreviewResult,
  ValidateResult,
  WorkspaceFile,
} from "./types";
import { zoneOf } from "./workspace";

// The build copies the package's editor module (everything: validate, preview, explain, hover,
// complete) next to the worker bundle under this name.
declare const __KUMA_WASM_FILE__: string;

let loading: Promise<void> | undefined;

/** Fetch and instantiate the package's one module the page needs, once. */
export function load(): Promise<void> {
  loading ??= kuma
    .initEditor({ module_or_path: new URL(__KUMA_WASM_FILE__, import.meta.url) })
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

/** The module hover, complete and explain need: the one [`load`] loads. */
export function loadEditor(): Promise<void> {
  return load();
}

export function version(): string {
  return String(kuma.version());
}

/**
 * The Kuma releases the core has rules for, newest first ("3.0", "2.14", ... "2.9"). Which ones
 * exist is the core's decision: each `major.minor` that its kumaVersion() names as itself.
 */
export function releases(): KumaVersion[] {
  const found: KumaVersion[] = [];
  for (const major of [3, 2] as const) {
    for (let minor = 99; minor >= 0; minor--) {
      const spelling = `${major}.${minor}` as const;
      try {
        if (kuma.kumaVersion(spelling) === spelling) found.push(spelling);
      } catch {
        // Not a release the core knows.
      }
    }
  }
  return found;
}

/** The release a spelling names ("2.x" and "v2.14.3" -> "2.14"); throws for one the core does not know. */
export function kumaVersion(spelling: string): KumaVersion {
  return kuma.kumaVersion(spelling) as KumaVersion;
}

// As the CLI (without --strict) and the language server: a document that is not a Kuma resource
// (a Namespace, a Deployment) gets no diagnostics, and a Kuma kind the core does not check
// (MeshTrafficPermission, MeshHTTPRoute) gets one `unmodelled-kind` info. The API's default,
// "error", would call every such document an unknown resource.
const UNKNOWN_RESOURCES = "quiet";

export function validate(text: string, kumaVersion: KumaVersion): ValidateResult {
  const result = kuma.validate(text, { format: "auto", kumaVersion, unknownResources: UNKNOWN_RESOURCES }) as ValidateResult;
  const templates = templatesOf(text, [...result.diagnostics, ...result.documents.flatMap((d) => d.diagnostics)]);
  if (templates.length === 0) return result;
  const outside = (d: { range: Diagnostic["range"] }) => !inTemplateDocument(templates, d.range);
  return {
    ...result,
    diagnostics: byPosition([...result.diagnostics.filter(outside), ...templates.map((t) => t.diagnostic)]),
    documents: result.documents.map((d) => (outside(d) ? d : { ...d, diagnostics: [] })),
  };
}

/**
 * As the CLI and the language server: a document that is a Go (Helm) template is one note at
 * its first action that says to render it first, instead of the YAML errors of text that is not
 * YAML yet; a HostnameGenerator template written without quotes is an error that says how to
 * quote it. Each document of a text is judged on its own: the others keep their diagnostics.
 * Info, as in an editor: nothing on this page can render a chart.
 */
function templatesOf(text: string, diagnostics: Diagnostic[]): TemplateDocument[] {
  if (!text.includes("{{")) return [];
  return templateDocuments(text, diagnostics, "info");
}

/** Diagnostics in the order of the text (a stable sort: the core's order stays at one offset). */
function byPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
}

let zoneFiles: boolean | undefined;

/**
 * The files with the zone each zone tab is applied to, so the core knows a MeshService without
 * `kuma.io/zone` is in that zone, and flags a label naming another zone or an MZS written in a
 * zone. Seam: a package from before issue 16 refuses `zone` (it knows no MZS203), so it is only
 * sent to a package that knows that code.
 */
function withZones(files: WorkspaceFile[]): WorkspaceFile[] {
  zoneFiles ??= kuma.codes().some((c) => c.code === "MZS203");
  if (!zoneFiles) return files;
  return files.map((f) => {
    const zone = zoneOf(f.path);
    return zone === undefined ? f : { ...f, zone };
  });
}

export function preview(files: WorkspaceFile[], options: AnalyzeOptions): PreviewResult {
  const result = kuma.preview(withZones(files), {
    zones: options.zones,
    kumaVersion: options.kumaVersion,
    downZones: options.downZones,
    unknownResources: UNKNOWN_RESOURCES,
  }) as PreviewResult;
  // A template document says only what validate() says of it (see templatesOf).
  const diagnostics = result.diagnostics.map((file, i) => {
    const text = files[i]?.text ?? "";
    const previewDiagnostics = file.previewDiagnostics ?? [];
    const templates = templatesOf(text, [...file.diagnostics, ...previewDiagnostics]);
    if (templates.length === 0) return file;
    const outside = (d: Diagnostic) => !inTemplateDocument(templates, d.range);
    return {
      ...file,
      diagnostics: byPosition([...file.diagnostics.filter(outside), ...templates.map((t) => t.diagnostic)]),
      previewDiagnostics: previewDiagnostics.filter(outside),
    };
  });
  return { ...result, diagnostics };
}

// The page speaks 1-based lines (like the package's output ranges); hover and complete take an
// LSP position (0-based line), so the conversion happens here and nowhere else.
export function hover(text: string, line: number, character: number, kumaVersion: KumaVersion): string | null {
  const result = kuma.hover(text, { line: line - 1, character }, { kumaVersion }) as unknown;
  return hoverText(result);
}

export function complete(text: string, line: number, character: number, kumaVersion: KumaVersion): Completion[] {
  const result = kuma.complete(text, { line: line - 1, character }, { kumaVersion }) as unknown;
  return Array.isArray(result) ? (result as Completion[]) : [];
}

export function explain(files: WorkspaceFile[], options: AnalyzeOptions): string {
  return String(
    kuma.explain(withZones(files), {
      zones: options.zones,
      kumaVersion: options.kumaVersion,
      downZones: options.downZones,
      unknownResources: UNKNOWN_RESOURCES,
    }),
  );
}

function hoverText(result: unknown): string | null {
  if (result == null) return null;
  if (typeof result === "string") return result || null;
  if (typeof result === "object") {
    const r = result as Record<string, unknown>;
    for (const key of ["contents", "markdown", "value", "text"]) {
      const v = r[key];
      if (typeof v === "string" && v) return v;
      if (v && typeof v === "object" && typeof (v as { value?: unknown }).value === "string") {
        return (v as { value: string }).value;
      }
    }
  }
  return null;
}
