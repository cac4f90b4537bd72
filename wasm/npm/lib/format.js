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

module.exports = { diagnosticText, hintText };
