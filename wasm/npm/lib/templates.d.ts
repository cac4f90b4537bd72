// Types of `kuma-mzs/templates`: how the CLI, the language server and the playground report a
// Go (Helm) template, or a HostnameGenerator template written without quotes, instead of the
// YAML error the core gives for it.
import type { Diagnostic, Severity } from '../node/kuma_mzs';

/** The message of a Go template whose actions sit in the YAML's structure. */
export declare const RENDER_FIRST: string;

/**
 * The one diagnostic that replaces everything the core said about `text`, or null when `text`
 * is no Go template (or the core found no error in it). `diagnostics`: all of the core's
 * diagnostics of the text (file and documents); `severity`: the front end's for a Helm template
 * (an unquoted HostnameGenerator template is always an error: Kuma refuses the file).
 */
export declare function templateDiagnostic(
  text: string,
  diagnostics: readonly Diagnostic[],
  severity: Severity,
): Diagnostic | null;

/** The first template action in the YAML's structure (outside strings and comments), or null. */
export declare function firstStructuralAction(text: string): { line: number; index: number; length: number } | null;
