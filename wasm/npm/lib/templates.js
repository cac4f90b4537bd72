'use strict';
// Go templates (Helm charts' templates/, and any other `text/template` source of Kubernetes
// YAML): a file with template actions (`{{ ... }}`) in the YAML's structure is not YAML yet, so
// the core's YAML error (`invalid YAML: "-" is only valid inside a block` at `{{- if ... }}`) says
// nothing useful. Such a file is reported as one diagnostic at its first action that says to
// render it first, as kubeconform and kube-linter users do with `helm template`; nothing else of
// the file is checked. This only recognises the text and words the message: whether the text is
// valid stays the core's answer (the rule applies only when the core found an error in it).
//
// Actions inside quoted scalars, comments and block scalars are text to YAML (a HostnameGenerator's
// `template: "{{ .DisplayName }}.mesh"`), so a file whose only actions sit there is checked as usual.

const RENDER_FIRST =
  'not checked: this is a Go template (Helm), not YAML yet; render it first and check the output, e.g. `helm template RELEASE CHART | kuma-mzs validate -`';

/** The first `{{` of a line outside quoted scalars and comments, as an index, or -1. */
function structuralAction(line) {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '{' && line[i + 1] === '{') return i;
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return -1;
    if (c === '"') {
      // A double-quoted scalar on this line: skip to its end (backslash escapes).
      for (i++; i < line.length && line[i] !== '"'; i++) if (line[i] === '\\') i++;
    } else if (c === "'" && (i === 0 || /[\s:,[{-]/.test(line[i - 1]))) {
      // A single-quoted scalar ('' is a quote inside it); an apostrophe inside a word is text.
      for (i++; i < line.length; i++) {
        if (line[i] === "'" && line[i + 1] === "'") i++;
        else if (line[i] === "'") break;
      }
    }
  }
  return -1;
}

/**
 * Where the first template action in the YAML's structure is: {line (0-based), index (in the
 * line's string), length}, or null when every action (if any) is inside a string.
 */
function firstStructuralAction(text) {
  const lines = text.split('\n');
  // The indentation of the key that opened a block scalar (`template: |`), while inside one.
  let blockIndent = -1;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0) {
      if (line.trim() === '' || indent > blockIndent) continue;
      blockIndent = -1;
    }
    const at = structuralAction(line);
    if (at >= 0) {
      const end = line.indexOf('}}', at + 2);
      return { line: n, index: at, length: end < 0 ? 2 : end + 2 - at };
    }
    // `key: |`, `key: >-`, `- |2`: the lines below that are indented deeper are text.
    if (/(^|[\s:-])[|>][0-9+-]*\s*(#.*)?$/.test(line)) blockIndent = indent;
  }
  return null;
}

/** A position in `text` shaped like the core's: 1-based line and column (characters), 0-based
 * UTF-16 character and UTF-8 byte offset. */
function position(lines, line, index) {
  let offset = 0;
  for (let n = 0; n < line; n++) offset += Buffer.byteLength(lines[n]) + 1;
  const before = lines[line].slice(0, index);
  offset += Buffer.byteLength(before);
  return { line: line + 1, column: [...before].length + 1, character: index, offset };
}

/**
 * The diagnostic that replaces everything the core said about a Go template, or null when `text`
 * is not one: the core found an error in it (`diagnostics`: all of the text's, file and
 * documents) and it has an action outside strings. `severity` is the front end's (a warning on
 * the command line, an error under --strict, info in an editor).
 */
function templateDiagnostic(text, diagnostics, severity) {
  if (!diagnostics.some((d) => d.severity === 'error')) return null;
  const action = firstStructuralAction(text);
  if (action === null) return null;
  const lines = text.split('\n');
  return {
    severity,
    code: 'syntax',
    field: '',
    message: RENDER_FIRST,
    range: {
      start: position(lines, action.line, action.index),
      end: position(lines, action.line, action.index + action.length),
    },
  };
}

module.exports = { templateDiagnostic, firstStructuralAction, RENDER_FIRST };
