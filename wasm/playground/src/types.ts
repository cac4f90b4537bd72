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
  /** Kuma field path (`spec.ports[0].appProtocol`); empty for whole-document problems. */
  field: string;
  message: string;
  range: Range;
  fix?: Fix;
}

export interface CheckedDocument {
  kind: string | null;
  name: string | null;
  mesh: string | null;
  shape: "universal" | "kubernetes" | null;
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

/** A matched MeshService port that serves an MZS port. */
export interface ServingPort {
  name: string;
  namespace: string;
  zone: string;
  mesh: string;
  port: number;
  portName?: string;
  appProtocol: string;
}

/** One MZS port and the MeshService ports serving it. */
export interface PortPreview {
  port: number;
  /** The port name, or its number as decimal. */
  sectionName: string;
  appProtocol: string;
  servedBy: ServingPort[];
}

export interface PriorityLevel {
  priority: number;
  zones: string[];
  /** Envoy's health of the level, percent. */
  health: number;
  /** Share of traffic the level gets, percent. */
  load: number;
  panic: boolean;
}

export interface TrafficPreview {
  port: number;
  sectionName: string;
  /** zone name -> fraction of requests (0..1) for a client in this zone; empty if nothing is reachable. */
  shares: Record<string, number>;
  priorities: PriorityLevel[];
  overprovisioningFactor: number;
  droppedZones?: string[];
  /** Fraction of requests sent to unhealthy endpoints (Envoy panic routing), which fail. */
  failingShare?: number;
  policy?: { policies: string[]; level: string; conf?: unknown };
}

export interface PreviewWarning {
  code: string;
  message: string;
  port?: string;
}

export interface MzsPreview {
  mesh: string;
  name: string;
  status: MzsStatus;
  ports: PortPreview[];
  traffic: TrafficPreview[];
  warnings: PreviewWarning[];
}

export interface ZonePreview {
  zone: string;
  multiZoneServices: MzsPreview[];
}

export interface PreviewResult {
  zones: ZonePreview[];
  /** Per input file; documents with errors take no part in the preview. */
  diagnostics: { path: string; diagnostics: Diagnostic[] }[];
}

export interface Completion {
  label: string;
  kind: "field" | "value";
  detail?: string;
  documentation?: string;
  insertText: string;
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
