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

/** A diagnostic as one line: `field: message`, without repeating a field the message starts with. */
export function diagnosticText(d) {
  return d.field && !d.message.startsWith(`${d.field} `) ? `${d.field}: ${d.message}` : d.message;
}

/**
 * The schemas for monaco-yaml's `configureMonacoYaml(monaco, { schemas })`, for a page that uses
 * monaco-yaml's hover and completion instead of kuma-mzs's (README.md; the example does not):
 * every kind's schema by its `$id`, and one schema matched to `fileMatch` that applies the kind's
 * schema by the document's `type` (universal) or `kind` (Kubernetes). Matching every kind's
 * schema to `*.yaml` would check each document against all five, and a valid MZS fails four.
 */
export function monacoSchemas(schemas, fileMatch = ['*.yaml', '*.yml', '*.json']) {
  const byKind = Object.entries(schemas).map(([kind, schema]) => ({ uri: schema.$id, schema, name: kind, fileMatch: [] }));
  const dispatch = {
    $id: 'kuma-mzs://schemas/any-kind.json',
    title: 'Kuma resource (by type or kind)',
    allOf: Object.entries(schemas).map(([kind, schema]) => ({
      if: {
        anyOf: [
          { properties: { type: { const: kind } }, required: ['type'] },
          { properties: { kind: { const: kind } }, required: ['kind'] },
        ],
      },
      then: { $ref: schema.$id },
    })),
  };
  return [...byKind, { uri: dispatch.$id, schema: dispatch, name: 'Kuma resource', fileMatch }];
}

/**
 * Markers for `monaco.editor.setModelMarkers(model, 'kuma-mzs', markers)` from validate(), one per
 * diagnostic in order (file diagnostics first, then each document's). A diagnostic's hint (another
 * Kuma release accepts the field) is the second line of the message, as in the language server.
 */
export function toMarkers(result) {
  const all = result.diagnostics.concat(...result.documents.map((d) => d.diagnostics));
  return all.map((d) => ({
    ...toMonacoRange(d.range),
    severity: SEVERITY[d.severity] ?? MarkerSeverity.Warning,
    message: d.hint ? `${diagnosticText(d)}\nhint: ${d.hint}` : diagnosticText(d),
    code: d.code,
    source: 'kuma-mzs',
  }));
}

/** A Monaco position (1-based) as the LSP position hover() and complete() take. */
export function toEditorPosition(position) {
  return { line: position.lineNumber - 1, character: position.column - 1 };
}
