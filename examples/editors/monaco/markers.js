// Turn kuma-mzs results into Monaco editor data. Pure functions (no Monaco import), so they are
// unit-tested in Node (wasm/tests/monaco.test.mjs) and shared by the example page.
//
// Monaco positions are 1-based lines and 1-based UTF-16 columns; kuma-mzs ranges carry the
// 0-based UTF-16 `character`, so column = character + 1. Never use `column` (Unicode characters)
// for Monaco: it differs on lines with emoji or other astral characters.

/** Monaco's MarkerSeverity values (monaco.MarkerSeverity.Error etc.). */
export const MarkerSeverity = { Hint: 1, Info: 2, Warning: 4, Error: 8 };

const SEVERITY = { error: MarkerSeverity.Error, warning: MarkerSeverity.Warning, info: MarkerSeverity.Info };

/** A kuma-mzs Range as a Monaco IRange. */
export function toMonacoRange(range) {
  return {
    startLineNumber: range.start.line,
    startColumn: range.start.character + 1,
    endLineNumber: range.end.line,
    endColumn: range.end.character + 1,
  };
}

/** Markers for `monaco.editor.setModelMarkers(model, 'kuma-mzs', markers)` from validate(). */
export function toMarkers(result) {
  const all = result.diagnostics.concat(...result.documents.map((d) => d.diagnostics));
  return all.map((d) => ({
    ...toMonacoRange(d.range),
    severity: SEVERITY[d.severity] ?? MarkerSeverity.Warning,
    message: d.field ? `${d.field}: ${d.message}` : d.message,
    code: d.code,
    source: 'kuma-mzs',
  }));
}

/** A Monaco position (1-based) as the LSP position hover() and complete() take. */
export function toEditorPosition(position) {
  return { line: position.lineNumber - 1, character: position.column - 1 };
}
