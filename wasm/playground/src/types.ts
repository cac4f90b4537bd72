// The shapes the playground uses: the `kuma-mzs` package's own TypeScript declarations (the
// single source; a change there is a type error here), plus the page's own options.
// Only engine.ts calls the package; everything else imports from this file.
import type {
  CompletionItem,
  Range,
  Diagnostic,
  InputFile,
  KumaVersionName,
  MultiZoneServicePreview,
  PortTraffic,
  PreviewResult as PackagePreviewResult,
  ValidatedDocument,
  ZonePreview as PackageZonePreview,
} from "kuma-mzs";

export type {
  Condition,
  Fix,
  PortPreview,
  Position,
  PreviewWarning,
  Range,
  ServingPort,
  ValidateResult,
} from "kuma-mzs";

export type KumaVersion = KumaVersionName;
export type { Diagnostic };
export type Severity = ValidatedDocument["diagnostics"][number]["severity"];
export type CheckedDocument = ValidatedDocument;
export type Completion = CompletionItem;
export type WorkspaceFile = InputFile;
export type MzsStatus = MultiZoneServicePreview["status"];

// The package declares a traffic split's `priorities` and `policy` as `unknown`; the chart and
// the details list read these fields, so they are spelt out here (the core's serialisation of
// its priority levels). The rest of the traffic types are the package's.
export interface PriorityLevel {
  priority: number;
  zones: string[];
  /** Envoy's health of the level, percent. */
  health: number;
  /** Share of traffic the level gets, percent. */
  load: number;
  panic: boolean;
}

export type TrafficPreview = Omit<PortTraffic, "priorities" | "policy"> & {
  priorities: PriorityLevel[];
  policy?: { policies: string[]; level: string; conf?: unknown };
};

export type MzsPreview = Omit<MultiZoneServicePreview, "traffic"> & { traffic: TrafficPreview[] };

export type ZonePreview = Omit<PackageZonePreview, "multiZoneServices"> & { multiZoneServices: MzsPreview[] };

// Issue 16 adds to the package's PreviewResult the preview's own diagnostics per file
// (`previewDiagnostics`: MZS1xx at the selector, port or label, MZS2xx) and the resources it
// skipped with the reason (`skipped`). The page reads them where present: these two optional
// fields are the seam that lets it build against the package before and after that change
// (with it, the package's declarations make them required and complete).
export type FileDiagnostics = PackagePreviewResult["diagnostics"][number] & { previewDiagnostics?: Diagnostic[] };
/** What the page reads of a skipped resource. */
export interface SkippedResource {
  path: string;
  kind: string;
  mesh: string;
  name: string;
  reason: string;
  /** Its first error and how many it has (absent from packages that predate them). */
  firstError?: Range;
  errors?: number;
}

export type PreviewResult = Omit<PackagePreviewResult, "zones" | "diagnostics"> & {
  zones: ZonePreview[];
  diagnostics: FileDiagnostics[];
  skipped?: SkippedResource[];
};

export interface AnalyzeOptions {
  kumaVersion: KumaVersion;
  zones: string[];
  downZones: string[];
}
