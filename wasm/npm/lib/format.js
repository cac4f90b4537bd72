'use strict';
// How a diagnostic reads on one line, shared by the CLI, SARIF and the language server; and as a
// GitHub Actions workflow command (the CLI's --format github).

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

// The workflow command of each severity: GitHub shows `notice` annotations as its lowest level.
const GITHUB_COMMAND = { error: 'error', warning: 'warning', info: 'notice' };

// The codes of Kuma's own messages (its validator's and its OpenAPI schema's), printed as Kuma
// prints them: the code tells nothing of the problem, the field does.
const KUMA_CODES = new Set(['kuma', 'schema']);

/** `s` as the data of a workflow command (after `::`), escaped as GitHub's toolkit does: the
 * runner reads one command per line, so a line break in a message would end it. */
function githubData(s) {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** `s` as a property value of a workflow command (`file=...,title=...`), where `,` ends the value
 * and `:` the properties too. */
function githubProperty(s) {
  return githubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One diagnostic as a GitHub Actions workflow command: an annotation of `file` (the path as given
 * on the command line: GitHub reads a relative one from the repository root, and makes an
 * absolute one below the workspace relative; undefined, for unnamed standard input, leaves the
 * annotation on the job) at the diagnostic's range, in 1-based lines and columns. Its title is
 * the code (`MZS103`, `unmodelled-kind`, `syntax`: what docs/codes.md explains), except for
 * Kuma's own validator and schema messages, whose code only says who reports them: their title
 * is the field they are about. A hint is the message's second line.
 */
function githubCommand(file, d) {
  const command = GITHUB_COMMAND[d.severity];
  if (!command) throw new Error(`kuma-mzs: unknown severity ${JSON.stringify(d.severity)}`);
  const title = KUMA_CODES.has(d.code) && d.field ? d.field : d.code;
  const { start, end } = d.range;
  const properties = file === undefined ? [] : [`file=${githubProperty(file)}`];
  properties.push(`line=${start.line}`, `col=${start.column}`, `endLine=${end.line}`, `endColumn=${end.column}`);
  properties.push(`title=${githubProperty(title)}`);
  const message = d.hint ? `${diagnosticText(d)}\n${hintText(d)}` : diagnosticText(d);
  return `::${command} ${properties.join(',')}::${githubData(message)}`;
}

module.exports = { diagnosticText, hintText, escapeControls, githubCommand };
