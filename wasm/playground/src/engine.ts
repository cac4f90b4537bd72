// The only module that knows the `kuma-mzs` npm package (the core compiled to WebAssembly).
// It runs inside the worker; if the package's API changes, only this file changes.
import init, * as kuma from "kuma-mzs";
import type {
  AnalyzeOptions,
  Completion,
  KumaVersion,
  PreviewResult,
  ValidateResult,
  WorkspaceFile,
} from "./types";

// The build copies the package's .wasm next to the worker bundle under this name.
declare const __KUMA_WASM_FILE__: string;

let loading: Promise<void> | undefined;

/** Fetch and instantiate the wasm once. */
export function load(): Promise<void> {
  loading ??= (async () => {
    const url = new URL(__KUMA_WASM_FILE__, import.meta.url);
    await init({ module_or_path: url });
  })();
  return loading;
}

export function version(): string {
  return String(kuma.version());
}

export function validate(text: string, kumaVersion: KumaVersion): ValidateResult {
  return kuma.validate(text, { format: "auto", kumaVersion }) as ValidateResult;
}

export function preview(files: WorkspaceFile[], options: AnalyzeOptions): PreviewResult {
  return kuma.preview(files, {
    zones: options.zones,
    kumaVersion: options.kumaVersion,
    downZones: options.downZones,
  }) as PreviewResult;
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
    kuma.explain(files, {
      zones: options.zones,
      kumaVersion: options.kumaVersion,
      downZones: options.downZones,
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
