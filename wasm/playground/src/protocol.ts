// Messages between the page and the worker that runs the wasm.
import type {
  AnalyzeOptions,
  Completion,
  KumaVersion,
  PreviewResult,
  ValidateResult,
  WorkspaceFile,
} from "./types";

export type Request =
  | { op: "version" }
  | { op: "releases" }
  | { op: "kumaVersion"; spelling: string }
  | { op: "analyze"; files: WorkspaceFile[]; options: AnalyzeOptions }
  | { op: "explain"; files: WorkspaceFile[]; options: AnalyzeOptions }
  | { op: "hover"; text: string; line: number; character: number; kumaVersion: KumaVersion }
  | { op: "complete"; text: string; line: number; character: number; kumaVersion: KumaVersion };

export interface AnalyzeResult {
  /** Per file path, in the order the files were sent. */
  validations: Record<string, ValidateResult>;
  preview: PreviewResult;
  /** Milliseconds spent inside the wasm. */
  engineMs: number;
}

export interface ResponseMap {
  version: string;
  releases: KumaVersion[];
  kumaVersion: KumaVersion;
  analyze: AnalyzeResult;
  explain: string;
  hover: string | null;
  complete: Completion[];
}

export type Envelope = { id: number; request: Request };
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
