// The shapes the `kuma-mzs` package returns, as the playground uses them.
// Only engine.ts talks to the package; everything else sees these types.

export type KumaVersion = "3.0" | "2.x";
export type Severity = "error" | "warning" | "info";

/** A point in a text. `line` is 1-based; `character` is the 0-based UTF-16 column (editor units). */
export interface Position {
  line: number;
  column: number;
  character: number;
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Fix {
  title: string;
  range: Range;
  replacement: string;
}

export interface Diagnostic {
  severity: Severity;
  code: string;
  field?: string;
  message: string;
  range: Range;
  fix?: Fix;
}

export interface CheckedDocument {
  kind?: string;
  name?: string;
  mesh?: string;
  shape?: string;
  range: Range;
  diagnostics: Diagnostic[];
}

export interface ValidateResult {
  documents: CheckedDocument[];
  diagnostics: Diagnostic[];
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export interface MzsStatus {
  meshServices?: { name: string; namespace: string; zone: string; mesh: string }[];
  conditions?: Condition[];
  vips?: { ip?: string }[];
  addresses?: { hostname?: string; origin?: string; hostnameGeneratorRef?: { coreName: string } }[];
  hostnameGenerators?: { hostnameGeneratorRef: { coreName: string }; conditions?: Condition[] }[];
}

/** One port of an MZS as the preview reports it (fields beyond `port` are optional). */
export interface PortPreview {
  port?: number;
  name?: string;
  appProtocol?: string;
  [extra: string]: unknown;
}

export interface TrafficPreview {
  port: number | string;
  /** zone name -> fraction of requests (0..1) for a client in this zone. */
  shares: Record<string, number>;
  [extra: string]: unknown;
}

export interface MzsPreview {
  mesh: string;
  name: string;
  status: MzsStatus;
  ports: PortPreview[];
  traffic: TrafficPreview[];
  warnings: unknown[];
}

export interface ZonePreview {
  zone: string;
  multiZoneServices: MzsPreview[];
}

export interface PreviewResult {
  zones: ZonePreview[];
  diagnostics: (Diagnostic & { path?: string })[];
}

export interface Completion {
  label: string;
  kind?: string;
  detail?: string;
  documentation?: string;
  insertText?: string;
}

export interface WorkspaceFile {
  path: string;
  text: string;
}

export interface AnalyzeOptions {
  kumaVersion: KumaVersion;
  zones: string[];
  downZones: string[];
}
