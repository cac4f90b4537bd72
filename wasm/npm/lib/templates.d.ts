// Types of `kuma-mzs/templates`: how the CLI, the language server and the playground report a
// Go (Helm) template, or a HostnameGenerator template written without quotes, instead of the
// YAML error the core gives for it.
import type { Diagnostic, Severity } from '../node/kuma_mzs';

/** The message of a Go template whose actions sit in the YAML's structure. */
export declare const RENDER_FIRST: string;

/** A document of a text that is a Go template, and the one diagnostic shown for it. */
export interface TemplateDocument {
  /** Its lines, 1-based and inclusive, as the core's `range.start.line`: from its `---` line (or
   * the text's first line) to the line before the next `---`. */
  lines: { first: number; last: number };
  /** What replaces the core's diagnostics of the document. */
  diagnostic: Diagnostic;
}

/**
 * The documents of `text` (split at `---` lines, as kumactl and kubectl read them) that are Go
 * templates: the core found an error in the document and it has a template action in its YAML
 * structure, or one in a string that reads a Helm object. Each is judged on its own.
 * `diagnostics`: all of the core's diagnostics of the text (file and documents); `severity`: the
 * front end's for a Helm template (an unquoted HostnameGenerator template is always an error:
 * Kuma refuses the document).
 */
export declare function templateDocuments(
  text: string,
  diagnostics: readonly Diagnostic[],
  severity: Severity,
): TemplateDocument[];

/** Whether a core range (a diagnostic's or a document's) starts in one of `templates`. */
export declare function inTemplateDocument(
  templates: readonly TemplateDocument[],
  range: { start: { line: number } },
): boolean;

/**
 * The diagnostics to show for `text`: the core's, except that each template document's are
 * replaced by its one diagnostic, in the order of the text; `diagnostics` itself when no
 * document is a template.
 */
export declare function withTemplates(
  text: string,
  diagnostics: readonly Diagnostic[],
  severity: Severity,
): Diagnostic[];

/**
 * The diagnostic of the first template document of `text`, or null.
 * @deprecated It says nothing of the text's other documents, whose diagnostics stand: use
 * `withTemplates` or `templateDocuments`.
 */
export declare function templateDiagnostic(
  text: string,
  diagnostics: readonly Diagnostic[],
  severity: Severity,
): Diagnostic | null;

/** The first template action in the YAML's structure (outside strings and comments), or null. */
export declare function firstStructuralAction(text: string): { line: number; index: number; length: number } | null;
