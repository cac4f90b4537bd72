'use strict';
// Go templates (Helm charts' templates/, and any other `text/template` source of Kubernetes
// YAML): a document with template actions (`{{ ... }}`) in the YAML's structure is not YAML yet,
// so the core's YAML error (`invalid YAML: "-" is only valid inside a block` at `{{- if ... }}`)
// says nothing useful. Such a document is reported as one diagnostic at its first action that
// says to render it first, as kubeconform and kube-linter users do with `helm template`; nothing
// else of that document is checked. Each document (the text between `---` lines, which kumactl
// and kubectl read alone, as the core does) is judged on its own: the other documents of the file
// keep what the core said of them. This only recognises the text and words the message: whether
// the text is valid stays the core's answer (the rule applies only to a document the core found an
// error in).
//
// Actions inside quoted scalars, comments and block scalars are text to YAML (a HostnameGenerator's
// `template: "{{ .DisplayName }}.mesh"`), so a file whose only actions sit there is checked as usual,
// unless one of those in a string or block scalar reads a Helm object (`name: "{{ .Values.name }}"`):
// that text is a placeholder until Helm renders the chart, and checking it as it is would only
// report the placeholder as a bad name or label. Kuma's own templates have no such objects (they
// read the core's fields, `.DisplayName`, `.Namespace`, ..., and `label`); neither do the `{{ $labels }}`
// of Prometheus rules beside them.

const RENDER_FIRST =
  'not checked: this is a Go template (Helm), not YAML yet; render it first and check the output, e.g. `helm template RELEASE CHART | kuma-mzs validate -`';

/** The message for a template whose actions are all in strings: `action` is the first. */
function renderValuesFirst(action) {
  return `not checked: this is a Go template (Helm); \`${action}\` gets its value when the chart is rendered, so render it first and check the output, e.g. \`helm template RELEASE CHART | kuma-mzs validate -\``;
}

/**
 * The message for a HostnameGenerator whose `template:` is written without quotes: `action` is
 * the first action, `line` its line.
 */
function quoteTheTemplate(action, line) {
  const value = line.slice(line.indexOf(action)).trim();
  const quoted = value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
  return `a HostnameGenerator template must be quoted: unquoted, \`${action}\` is a YAML flow mapping, not text; write \`template: ${quoted}\``;
}

// An action of Kuma's HostnameGenerator template language (`.DisplayName`, `.Name`, `.Namespace`,
// `.Mesh`, `.Zone`, `label "key"`), as a whole action. The fields and functions are the core's
// (`kuma_mzs_core::template::FIELDS`, `KUMA_FUNCTIONS`), written into the package at build time.
const TEMPLATE_LANGUAGE = require('../data/template-language.json');
const KUMA_TEMPLATE_ACTION = new RegExp(
  `^\\{\\{-?\\s*(\\.(${TEMPLATE_LANGUAGE.fields.join('|')})|(${TEMPLATE_LANGUAGE.functions.join('|')})\\s+"[^"]*")\\s*-?\\}\\}$`,
);

/**
 * Whether the action at `index` of `line` is a HostnameGenerator's unquoted `template:` value:
 * the line is `template: {{ ... }}...` and its every action reads only Kuma's template language.
 */
function unquotedKumaTemplate(line, index) {
  if (!/^\s*(-\s+)?template:\s*$/.test(line.slice(0, index))) return false;
  const actions = line.slice(index).match(/\{\{.*?\}\}/g) || [];
  return actions.length > 0 && actions.every((a) => KUMA_TEMPLATE_ACTION.test(a));
}

// Helm's built-in objects (`.Values.x`, `$.Release.Name`, `.Chart`, ...) in an action.
const HELM_OBJECT = /(^|[^\w.$])\$?\.(Values|Release|Chart|Capabilities|Files|Template)\b/;

/** The first action in line[from, to) that reads a Helm object, as {index, length}, or null. */
function helmAction(line, from, to) {
  for (let at = line.indexOf('{{', from); at >= 0 && at < to; at = line.indexOf('{{', at + 2)) {
    const end = line.indexOf('}}', at + 2);
    if (end < 0 || end + 2 > to) return null;
    if (HELM_OBJECT.test(line.slice(at + 2, end))) return { index: at, length: end + 2 - at };
  }
  return null;
}

/**
 * The end of a quoted scalar that started before `from` (`quote` is its quote character): the
 * index of its closing quote in `line`, or `line.length` when it goes on past this line.
 */
function closingQuote(line, from, quote) {
  let i = from;
  if (quote === '"') {
    // Backslash escapes.
    for (; i < line.length && line[i] !== '"'; i++) if (line[i] === '\\') i++;
  } else {
    // '' is a quote inside a single-quoted scalar.
    for (; i < line.length; i++) {
      if (line[i] === "'" && line[i + 1] === "'") i++;
      else if (line[i] === "'") break;
    }
  }
  return Math.min(i, line.length);
}

/**
 * The index of the first `{{` of a line that starts a value outside quoted scalars and comments,
 * or -1 when there is none; `quoted.action`, while null, receives the first action inside a quoted scalar that reads a
 * Helm object. `scalar.open` carries a quoted scalar that goes on to the next line (its quote
 * character, else null): a double-quoted `template:` wrapped onto a line that starts with `{{` is
 * still text.
 */
function structuralAction(line, quoted, scalar) {
  let i = 0;
  if (scalar.open !== null) {
    i = closingQuote(line, 0, scalar.open);
    if (quoted.action === null) quoted.action = helmAction(line, 0, i);
    if (i >= line.length) return -1;
    scalar.open = null;
    i++;
  }
  for (; i < line.length; i++) {
    const c = line[i];
    const start = i;
    if (c === '{' && line[i + 1] === '{') {
      // An action that starts a value (`name: {{ ... }}`, `{{- if }}`) is the YAML's structure;
      // one inside a word of a plain scalar (`template: mzs-{{ .DisplayName }}.mesh`,
      // `name: web-{{ .Release.Name }}`) is text, as in a quoted scalar.
      if (i === 0 || /[\s[,{]/.test(line[i - 1])) return i;
      const end = line.indexOf('}}', i + 2);
      const to = end < 0 ? line.length : end + 2;
      if (quoted.action === null) quoted.action = helmAction(line, i, to);
      i = to - 1;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return -1;
    // A quote opens a scalar at its start only; inside a word it is text (`it's`, `a"b`).
    const opens = (c === '"' || c === "'") && (i === 0 || /[\s:,[{-]/.test(line[i - 1]));
    if (!opens) continue;
    i = closingQuote(line, i + 1, c);
    if (quoted.action === null) quoted.action = helmAction(line, start + 1, i);
    if (i >= line.length) {
      scalar.open = c;
      return -1;
    }
  }
  return -1;
}

/**
 * Where the first template action in the YAML's structure is: {line (0-based), index (in the
 * line's string), length}, or null when every action (if any) is inside a string.
 */
function firstStructuralAction(text) {
  const found = firstAction(text);
  return found && !found.quoted ? found : null;
}

/**
 * The lines of `text`, and the length of the line break that ends each (0 for the last). Lines
 * end at `\n`, `\r\n` or a lone `\r`, as in YAML, LSP and the core's positions: a file saved with
 * old Mac line endings is not one line, nor is `\r\r\n` one line break.
 */
function splitLines(text) {
  const parts = text.split(/(\r\n|\r|\n)/);
  const lines = [];
  const breaks = [];
  for (let i = 0; i < parts.length; i += 2) {
    lines.push(parts[i]);
    breaks.push(i + 1 < parts.length ? parts[i + 1].length : 0);
  }
  return { lines, breaks };
}

/**
 * The first template action in the YAML's structure, as firstStructuralAction gives it; else the
 * first action in a string or block scalar that reads a Helm object, with `quoted: true`; else null.
 */
function firstAction(text) {
  const { lines } = splitLines(text);
  const quoted = { action: null };
  const scalar = { open: null };
  let quotedLine = -1;
  // The indentation of the key that opened a block scalar (`template: |`), while inside one.
  let blockIndent = -1;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0 && scalar.open === null) {
      // A tab in its indentation is YAML's error (the core reports it), not the end of the block.
      if (line.trim() === '' || indent > blockIndent || /^ *\t/.test(line)) {
        if (quoted.action === null) quoted.action = helmAction(line, 0, line.length);
        if (quoted.action !== null && quotedLine < 0) quotedLine = n;
        continue;
      }
      blockIndent = -1;
    }
    const wasOpen = scalar.open !== null;
    const at = structuralAction(line, quoted, scalar);
    if (at >= 0) {
      const end = line.indexOf('}}', at + 2);
      return { line: n, index: at, length: end < 0 ? 2 : end + 2 - at };
    }
    if (quoted.action !== null && quotedLine < 0) quotedLine = n;
    // `key: |`, `key: >-`, `- |2`: the lines below that are indented deeper are text.
    if (!wasOpen && scalar.open === null && /(^|[\s:-])[|>][0-9+-]*\s*(#.*)?$/.test(line)) blockIndent = indent;
  }
  return quoted.action && { line: quotedLine, ...quoted.action, quoted: true };
}

// TextEncoder, not Buffer: the playground runs this module in a browser.
const UTF8 = new TextEncoder();

function utf8Length(s) {
  return UTF8.encode(s).length;
}

/** A position in a text (its splitLines) shaped like the core's: 1-based line and column
 * (characters), 0-based UTF-16 character and UTF-8 byte offset (line breaks are 1 or 2 bytes). */
function position({ lines, breaks }, line, index) {
  let offset = 0;
  for (let n = 0; n < line; n++) offset += utf8Length(lines[n]) + breaks[n];
  const before = lines[line].slice(0, index);
  offset += utf8Length(before);
  return { line: line + 1, column: [...before].length + 1, character: index, offset };
}

/**
 * The documents of a text's lines: {first, last} line indexes (0-based, inclusive). A document
 * starts at the text's start or at a `---` line (which is its own: the core's document ranges
 * start there) and ends before the next one; a `...` line ends one too. Documents without a line
 * of content are left out.
 */
function documentsOf(lines) {
  const out = [];
  let first = 0;
  const close = (last) => {
    if (lines.slice(first, last + 1).some((l) => l.trim() !== '' && !/^(---|\.\.\.)(\s|$)/.test(l))) out.push({ first, last });
  };
  for (let n = 0; n < lines.length; n++) {
    if (n > first && /^(---|\.\.\.)(\s|$)/.test(lines[n])) {
      close(n - 1);
      first = n;
    }
  }
  close(lines.length - 1);
  return out;
}

// A Go template action that opens a block, and one that ends it.
const BLOCK_OPENS = /\{\{-?\s*(if|range|with|define|block)\b/g;
const BLOCK_ENDS = /\{\{-?\s*end\s*-?\}\}/g;

/** How many template blocks lines[first..last] opens and leaves open (negative: closes earlier ones). */
function blockDepth(lines, first, last) {
  const text = lines.slice(first, last + 1).join('\n');
  return (text.match(BLOCK_OPENS) || []).length - (text.match(BLOCK_ENDS) || []).length;
}

/**
 * The documents of a template (documentsOf), with those a template block spans joined into one:
 * `{{- range .Values.zones }}`, `---`, a manifest, `{{- end }}` is one template that renders to
 * as many documents, not a document of an action alone and a manifest to check on its own.
 */
function templateSpans(lines) {
  const out = [];
  let depth = 0;
  for (const doc of documentsOf(lines)) {
    const previous = out[out.length - 1];
    if (depth > 0 && previous) previous.last = doc.last;
    else out.push({ ...doc });
    depth = Math.max(0, depth + blockDepth(lines, doc.first, doc.last));
  }
  return out;
}

/**
 * The one diagnostic of a document (lines[first..last] of `split`) that is a Go template, or
 * null when it is none: it has an action outside strings (or one in a string that reads a Helm
 * object). `severity` is the front end's (a warning on the command line, an error under
 * --strict, info in an editor).
 */
function documentDiagnostic(split, first, last, severity) {
  const lines = split.lines.slice(first, last + 1);
  const text = lines.join('\n');
  const action = firstAction(text);
  if (action === null) return null;
  const at = first + action.line;
  const line = split.lines[at];
  const found = line.slice(action.index, action.index + action.length);
  const range = { start: position(split, at, action.index), end: position(split, at, action.index + action.length) };
  // Not Helm but a HostnameGenerator template without its quotes, which Kuma refuses: an error
  // that says how to write it, whatever the front end makes of templates.
  if (!action.quoted && !HELM_OBJECT.test(text) && unquotedKumaTemplate(line, action.index)) {
    return { severity: 'error', code: 'syntax', field: '', message: quoteTheTemplate(found, line), range };
  }
  const message = action.quoted ? renderValuesFirst(found) : RENDER_FIRST;
  return { severity, code: 'syntax', field: '', message, range };
}

/**
 * The documents of `text` that are Go templates, each with the one diagnostic that replaces what
 * the core said of it: [{lines: {first, last}, diagnostic}], lines 1-based and inclusive as the
 * core's `range.start.line`. A document is one when the core found an error in it (`diagnostics`:
 * all of the text's, file and documents) and it has a template action outside strings, or one in
 * a string that reads a Helm object; documents a template block spans are one (templateSpans).
 * The other documents are not templates, whatever their neighbours hold.
 */
function templateDocuments(text, diagnostics, severity) {
  const errorLines = diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.start.line);
  if (errorLines.length === 0) return [];
  const split = splitLines(text);
  const out = [];
  for (const { first, last } of templateSpans(split.lines)) {
    if (!errorLines.some((line) => line >= first + 1 && line <= last + 1)) continue;
    const diagnostic = documentDiagnostic(split, first, last, severity);
    if (diagnostic !== null) out.push({ lines: { first: first + 1, last: last + 1 }, diagnostic });
  }
  return out;
}

/** Whether a core range (a diagnostic's, a document's) starts in one of `templates` (templateDocuments). */
function inTemplateDocument(templates, range) {
  const line = range.start.line;
  return templates.some((t) => line >= t.lines.first && line <= t.lines.last);
}

/**
 * The diagnostics a front end shows for `text`: the core's (`diagnostics`, all of the text's),
 * except that each Go template document's are replaced by its one diagnostic (templateDocuments);
 * in the order of the text. `diagnostics` itself when no document is a template.
 */
function withTemplates(text, diagnostics, severity) {
  const templates = templateDocuments(text, diagnostics, severity);
  if (templates.length === 0) return diagnostics;
  const shown = diagnostics.filter((d) => !inTemplateDocument(templates, d.range));
  for (const t of templates) shown.push(t.diagnostic);
  // Array.prototype.sort is stable: the core's order stays among diagnostics at one offset.
  return shown.sort((a, b) => a.range.start.offset - b.range.start.offset);
}

/**
 * The diagnostic of the first Go template document of `text`, or null (see templateDocuments).
 * @deprecated It says nothing of the text's other documents, whose diagnostics stand: use
 * withTemplates (or templateDocuments), which judge each document on its own.
 */
function templateDiagnostic(text, diagnostics, severity) {
  const [first] = templateDocuments(text, diagnostics, severity);
  return first ? first.diagnostic : null;
}

module.exports = { templateDocuments, inTemplateDocument, withTemplates, templateDiagnostic, firstStructuralAction, RENDER_FIRST };
