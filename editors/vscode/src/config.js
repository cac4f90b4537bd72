'use strict';
// Everything the extension tells vscode-languageclient, as plain data and pure functions: no
// `vscode` import, so the tests load this file and start the bundled server exactly as the
// extension configures it (test/vsix.test.mjs).

const path = require('path');

/** The settings section (`kumaMzs.*`); the server reads the same name in didChangeConfiguration. */
const SECTION = 'kumaMzs';

/** The language server inside the extension: the npm package's files, copied by build.mjs. */
const SERVER_MODULE = ['server', 'bin', 'kuma-mzs-language-server.js'];

/** Files the server sees. It stays quiet on documents that hold no Kuma resource. */
const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'json' },
  { scheme: 'untitled', language: 'yaml' },
  { scheme: 'untitled', language: 'json' },
];

/**
 * How the server process starts: Node (VS Code's own) runs the module with `--stdio`.
 * `transport: "stdio"` is mapped onto TransportKind.stdio in extension.js.
 */
function serverOptions(extensionPath) {
  const run = { module: path.join(extensionPath, ...SERVER_MODULE), transport: 'stdio', args: [] };
  return { run, debug: { ...run, options: { execArgv: ['--nolazy', '--inspect=6019'] } } };
}

/**
 * The server's initializationOptions from the `kumaMzs` settings (see the server's header in
 * wasm/npm/lib/server.js): only the keys the server reads, and only when set.
 */
function initializationOptions(settings) {
  const s = settings || {};
  const out = {};
  if (typeof s.kumaVersion === 'string' && s.kumaVersion) out.kumaVersion = s.kumaVersion;
  if (typeof s.reportUnknownResources === 'boolean') out.reportUnknownResources = s.reportUnknownResources;
  if (typeof s.workspacePreview === 'boolean') out.workspacePreview = s.workspacePreview;
  if (typeof s.debounceMs === 'number' && s.debounceMs >= 0) out.debounceMs = s.debounceMs;
  if (Number.isInteger(s.maxBytes) && s.maxBytes > 0) out.maxBytes = s.maxBytes;
  if (typeof s.systemNamespace === 'string' && s.systemNamespace) out.systemNamespace = s.systemNamespace;
  if (s.zones && typeof s.zones === 'object' && !Array.isArray(s.zones)) out.zones = s.zones;
  return out;
}

/** The lint settings, with defaults, from the `kumaMzs` settings. */
function lintSettings(settings) {
  const lints = (settings && settings.lints) || {};
  const ignore = Array.isArray(lints.ignore) ? lints.ignore.filter((c) => typeof c === 'string') : [];
  return { ignore: new Set(ignore.map((c) => c.toUpperCase())), warningsAsErrors: lints.warningsAsErrors === true };
}

/** The project's lint codes (`MZS001`, `MZS103`): the only ones a setting may hide or raise. */
function isLintCode(code) {
  return /^MZS[0-9]{3}$/.test(code);
}

function codeOf(diagnostic) {
  const c = diagnostic.code;
  if (c && typeof c === 'object' && 'value' in c) return String(c.value);
  return c === undefined || c === null ? '' : String(c);
}

/**
 * Applies the lint settings to the diagnostics the server published (the languageclient
 * middleware calls this before VS Code shows them). `severity` is VS Code's DiagnosticSeverity
 * enum, passed in so this file needs no `vscode` import.
 */
function adjustDiagnostics(diagnostics, lints, severity) {
  return diagnostics
    .filter((d) => !(isLintCode(codeOf(d)) && lints.ignore.has(codeOf(d))))
    .map((d) => {
      if (lints.warningsAsErrors && isLintCode(codeOf(d)) && d.severity === severity.Warning) {
        d.severity = severity.Error;
      }
      return d;
    });
}

module.exports = {
  SECTION,
  SERVER_MODULE,
  DOCUMENT_SELECTOR,
  serverOptions,
  initializationOptions,
  lintSettings,
  adjustDiagnostics,
};
