'use strict';
// How a diagnostic reads on one line, shared by the CLI, SARIF and the language server.

/** `field: message`, without repeating a field path the message already starts with
 * (kube-openapi's "spec.ports in body should have at least 1 items"). */
function diagnosticText(d) {
  return d.field && !d.message.startsWith(`${d.field} `) ? `${d.field}: ${d.message}` : d.message;
}

/** `hint: ...` when another Kuma release accepts the diagnostic's field (the core decides and
 * words it; the release used is the likely cause), else ''. */
function hintText(d) {
  return d.hint ? `hint: ${d.hint}` : '';
}

// C0 and C1 controls, DEL and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `s` with its control characters written as escapes (`\n`, `\t`, `\x1b`, `\u2028`), for a
 * line of text output. A document's quoted key or value may hold a line break, and printed raw it
 * would start a line of its own that reads as another diagnostic (`x.yaml:9:1: error: ...`) to a
 * CI problem matcher. Backslashes stay as they are: Kuma's messages are printed exactly, and
 * the escapes only have to keep each diagnostic on its line. JSON and SARIF escape on their own.
 */
function escapeControls(s) {
  return s.replace(CONTROL, (c) => {
    if (NAMED[c]) return NAMED[c];
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

module.exports = { diagnosticText, hintText, escapeControls };
