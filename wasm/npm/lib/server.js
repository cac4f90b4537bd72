'use strict';
// The language server: diagnostics as you type, hover, completion and quick fixes, all answered
// by the wasm core. Positions are LSP's (0-based line, UTF-16 character), which the core returns
// directly (`range.start.character`), so no conversion happens here besides line - 1.
//
// Diagnostics come from one workspace view: the open documents plus every .yaml/.yml/.json file
// of the workspace folders that holds a Kuma resource (read at start, kept current through
// workspace/didChangeWatchedFiles). Each change re-runs the core's preview over that view after a
// short debounce, so a preview warning (MZS103 on the selector of an MZS whose MeshServices live
// in another file) appears and clears as files change. Files that hold no Kuma resource (Helm
// templates, Deployments, large generated YAML) get no diagnostics; a Go template of a Kuma
// resource (a Helm chart's, not YAML until rendered) gets one info at its first action saying
// to render it first, and nothing else.
//
// initializationOptions (all optional):
//   kumaVersion: "3.0" | "2.x" | "2.9" ...  which Kuma release's rules to apply (default "3.0")
//   reportUnknownResources: boolean     also flag YAML documents that are not Kuma resources
//                                       (default false: other YAML in the workspace stays quiet)
//   debounceMs: number                  wait this long after the last change (default 75)
//   maxBytes: number                    the largest file checked, in bytes (default 1048576, as
//                                       the CLI's --max-bytes)
//   systemNamespace: string             the namespace Kuma runs in on Kubernetes (default
//                                       "kuma-system"; the CLI's --system-namespace)
//   workspacePreview: boolean           read the workspace folders' Kuma files (default true)
//   zones: {zone: [glob, ...]}          which files are applied to which zone's control plane:
//                                       globs (or plain paths: a file, or a directory and all
//                                       below it) relative to the workspace folder; `global`
//                                       for the global's. A file below a directory named after a
//                                       zone of the setting (zones/east/ms.yaml) is that zone's
//                                       too. The core then reports MZS201-MZS203 (zone mistakes)
//                                       on the file's lines (default {}: every file is global's)
// The same settings under `kumaMzs` in workspace/didChangeConfiguration apply at once.

const fs = require('node:fs');
const path = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');
const {
  createConnection,
  TextDocuments,
  ProposedFeatures,
  DiagnosticSeverity,
  CompletionItemKind,
  CodeActionKind,
  TextDocumentSyncKind,
  MarkupKind,
  DidChangeWatchedFilesNotification,
  FileChangeType,
} = require('vscode-languageserver/node');
const { TextDocument } = require('vscode-languageserver-textdocument');
const core = require('../node/kuma_mzs.js');
const { diagnosticText, hintText } = require('./format.js');
const { zoneRules, assignZone, inputZone } = require('./zones.js');
const { decode } = require('./files.js');
const { templateDocuments, inTemplateDocument } = require('./templates.js');

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};
const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
// A workspace scan reads at most this many files (a monorepo's other YAML is not ours to read).
const MAX_WORKSPACE_FILES = 5000;

function lspRange(range) {
  return {
    start: { line: range.start.line - 1, character: range.start.character },
    end: { line: range.end.line - 1, character: range.end.character },
  };
}

function lspDiagnostic(d) {
  const diagnostic = {
    range: lspRange(d.range),
    severity: SEVERITY[d.severity] || DiagnosticSeverity.Warning,
    code: d.code,
    source: 'kuma-mzs',
    message: diagnosticText(d),
  };
  if (d.zones && d.zones.length > 0) diagnostic.message += ` [zone ${d.zones.join(', ')}]`;
  if (d.hint) diagnostic.message += `\n${hintText(d)}`;
  if (d.fix) diagnostic.data = { fix: { title: d.fix.title, range: lspRange(d.fix.range), newText: d.fix.replacement } };
  return diagnostic;
}

function unknownResources(settings) {
  return settings.reportUnknownResources ? 'error' : 'quiet';
}

/** The core's options for checking a text under `settings`. */
function checkOptions(settings) {
  const options = { kumaVersion: settings.kumaVersion, unknownResources: unknownResources(settings) };
  if (settings.maxBytes !== undefined) options.maxBytes = settings.maxBytes;
  if (settings.systemNamespace !== undefined) options.systemNamespace = settings.systemNamespace;
  return options;
}

/**
 * The core's diagnostics of `text` (and its preview's after them) with each Go template
 * document's (a Helm chart's) replaced by its one diagnostic: a document whose template actions
 * keep it from being YAML is not checked, and says to render it first (lib/templates.js); the
 * file's other documents keep theirs. Info, since nothing in the editor can fix it; an error
 * when every file must be Kuma (reportUnknownResources).
 */
function shownDiagnostics(text, diagnostics, settings, previewDiagnostics = []) {
  const templates = text.includes('{{')
    ? templateDocuments(text, diagnostics, settings.reportUnknownResources ? 'error' : 'info')
    : [];
  if (templates.length === 0) return diagnostics.concat(previewDiagnostics);
  const outside = (d) => !inTemplateDocument(templates, d.range);
  const shown = diagnostics.filter(outside).concat(templates.map((t) => t.diagnostic));
  // Array.prototype.sort is stable: the core's order stays among diagnostics at one offset.
  shown.sort((a, b) => a.range.start.offset - b.range.start.offset);
  return shown.concat(previewDiagnostics.filter(outside));
}

/** LSP diagnostics of one text on its own (exported for tests and other hosts). */
function diagnose(text, settings) {
  const result = core.validate(text, checkOptions(settings));
  if (!result.holdsKuma && !settings.reportUnknownResources) return [];
  const all = result.diagnostics.concat(...result.documents.map((d) => d.diagnostics));
  return shownDiagnostics(text, all, settings).map(lspDiagnostic);
}

/**
 * LSP diagnostics of a workspace: `files` = [{uri, text, zone?}], one preview over all of them
 * (`zone`: the zone whose control plane the file is applied to; absent for the global's).
 * Returns Map uri -> diagnostics (exported for tests and other hosts).
 */
function diagnoseWorkspace(files, settings) {
  const result = core.preview(
    files.map((f) => (f.zone === undefined ? { path: f.uri, text: f.text } : { path: f.uri, text: f.text, zone: f.zone })),
    { ...checkOptions(settings), diagnosticsOnly: true },
  );
  const out = new Map();
  result.diagnostics.forEach((file, i) => {
    out.set(file.path, shownDiagnostics(files[i].text, file.diagnostics, settings, file.previewDiagnostics).map(lspDiagnostic));
  });
  return out;
}

function isCandidate(file) {
  return EXTENSIONS.has(path.extname(file).toLowerCase());
}

/**
 * Every candidate file below `dir` (no node_modules, no dot directories), sorted. Symbolic links
 * are followed, as the CLI's directory walk and editors' own file searches do (a chart directory
 * linked into the workspace is part of it), after the files and directories the tree holds
 * itself, so a file is taken by its own path before any link to it; each real file and
 * directory is taken once, so a link back up the tree neither loops nor adds a resource twice.
 */
function scan(dir, out) {
  const seen = new Set();
  const links = [];
  const realOf = (p) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return undefined;
    }
  };
  const take = (full) => {
    const real = realOf(full);
    if (real === undefined || seen.has(real) || out.length >= MAX_WORKSPACE_FILES) return;
    seen.add(real);
    out.push(full);
  };
  const visit = (directory) => {
    const real = realOf(directory);
    if (real === undefined || seen.has(real)) return;
    seen.add(real);
    let entries;
    try {
      entries = fs.readdirSync(directory, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (out.length >= MAX_WORKSPACE_FILES) break;
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(directory, entry.name);
      if (entry.isSymbolicLink()) links.push(full);
      else if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && isCandidate(entry.name)) take(full);
    }
  };
  visit(dir);
  while (links.length > 0 && out.length < MAX_WORKSPACE_FILES) {
    const link = links.shift();
    let target;
    try {
      target = fs.statSync(link);
    } catch {
      continue; // a dangling link
    }
    if (target.isDirectory()) visit(link);
    else if (target.isFile() && isCandidate(path.basename(link))) take(link);
  }
  return out;
}

function start() {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const settings = {
    kumaVersion: undefined,
    reportUnknownResources: false,
    debounceMs: 75,
    maxBytes: undefined,
    systemNamespace: undefined,
    workspacePreview: true,
    zones: zoneRules(undefined),
  };
  // Files two zones' patterns claim, already logged (once per file and setting).
  let loggedConflicts = new Set();
  // `file:` URIs that name no file here, already logged (once per URI).
  const loggedUris = new Set();
  let folders = [];
  let watchRegistration = false;
  // uri -> text of workspace files that hold a Kuma resource (closed files are read from here).
  const disk = new Map();
  // uri -> last published diagnostics (JSON) of files that are not open.
  const published = new Map();
  let timer = null;

  function applySettings(next, log) {
    if (next.kumaVersion === null || next.kumaVersion === '') {
      // Unset: the default release.
      settings.kumaVersion = undefined;
    } else if (typeof next.kumaVersion === 'number') {
      // JSON has no way to tell 2.10 from 2.1: a number is ambiguous.
      log(`kuma-mzs: kumaVersion must be a string such as "2.10", not the number ${next.kumaVersion}; keeping the previous Kuma version`);
    } else if (next.kumaVersion !== undefined) {
      try {
        core.validate('', { kumaVersion: String(next.kumaVersion) });
        settings.kumaVersion = String(next.kumaVersion);
      } catch (e) {
        log(`kuma-mzs: ${e.message}; keeping the previous Kuma version`);
      }
    }
    if (next.reportUnknownResources !== undefined) settings.reportUnknownResources = Boolean(next.reportUnknownResources);
    if (next.debounceMs !== undefined) {
      // Node's timers take at most 2^31 - 1 ms (more fires at once); the VS Code extension allows up to 5 s, and so does the server.
      if (typeof next.debounceMs === 'number' && next.debounceMs >= 0 && next.debounceMs <= 5000) {
        settings.debounceMs = next.debounceMs;
      } else {
        log(`kuma-mzs: debounceMs must be a number of milliseconds from 0 to 5000, not ${JSON.stringify(next.debounceMs)}; keeping ${settings.debounceMs}`);
      }
    }
    if (next.maxBytes === null) {
      // Unset: the core's default limit.
      settings.maxBytes = undefined;
    } else if (next.maxBytes !== undefined) {
      if (Number.isInteger(next.maxBytes) && next.maxBytes > 0 && next.maxBytes <= 0xffffffff) {
        settings.maxBytes = next.maxBytes;
      } else {
        const keeping = settings.maxBytes === undefined ? 'the default' : settings.maxBytes;
        log(`kuma-mzs: maxBytes must be a positive whole number of bytes, not ${JSON.stringify(next.maxBytes)}; keeping ${keeping}`);
      }
    }
    if (next.systemNamespace === null || next.systemNamespace === '') {
      // Unset: Kuma's default.
      settings.systemNamespace = undefined;
    } else if (next.systemNamespace !== undefined) {
      try {
        core.validate('', { systemNamespace: String(next.systemNamespace) });
        settings.systemNamespace = String(next.systemNamespace);
      } catch (e) {
        log(`kuma-mzs: ${e.message}; keeping the previous system namespace`);
      }
    }
    if (next.workspacePreview !== undefined) settings.workspacePreview = Boolean(next.workspacePreview);
    if (next.zones !== undefined) {
      try {
        settings.zones = zoneRules(next.zones);
        loggedConflicts = new Set();
      } catch (e) {
        log(`kuma-mzs: ${e.message}; keeping the previous zones`);
      }
    }
  }

  // A setting the server cannot use is shown to the user (a log line alone goes unseen) and
  // logged, and the previous value is kept.
  function settingRefused(message) {
    connection.console.error(message);
    // A notification (window/showMessage), not showWarningMessage's request: nothing to answer.
    connection.sendNotification('window/showMessage', { type: 2, message });
  }

  connection.onInitialize((params) => {
    applySettings(params.initializationOptions || {}, settingRefused);
    const roots = (params.workspaceFolders || []).map((f) => f.uri);
    if (roots.length === 0 && params.rootUri) roots.push(params.rootUri);
    folders = roots.map((u) => filePath(u, 'not read as a workspace folder')).filter((folder) => folder !== null);
    const caps = params.capabilities || {};
    watchRegistration = Boolean(caps.workspace && caps.workspace.didChangeWatchedFiles && caps.workspace.didChangeWatchedFiles.dynamicRegistration);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: [':', ' ', '-', '"', '{', ','] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'kuma-mzs-language-server', version: core.version() },
    };
  });

  /**
   * The path a `file:` URI names, or null: for another scheme, and for a `file:` URI that names
   * no path on this system (`file://server/share/a.yaml` off Windows, an encoded `/` as in
   * `a%2Fb.yaml`, percent escapes that are not UTF-8). A client may open such a document; it is
   * then checked as one outside the workspace folders (no zone), and the server keeps running.
   * The first time, the console says so and what follows (`consequence`).
   */
  function filePath(uri, consequence) {
    if (!uri.startsWith('file:')) return null;
    try {
      return fileURLToPath(uri);
    } catch (e) {
      if (!loggedUris.has(uri)) {
        loggedUris.add(uri);
        connection.console.error(`kuma-mzs: ${uri} names no file path here (${e.message}); ${consequence}`);
      }
      return null;
    }
  }

  /** Read a workspace file into the view; returns whether the view changed. */
  function readDisk(file) {
    const uri = pathToFileURL(file).href;
    let text = null;
    try {
      // Only a regular file: reading a FIFO (or a device) the client reports would block the
      // server until something writes to it.
      if (!fs.statSync(file).isFile()) throw new Error('not a regular file');
      // Decoded as the CLI reads files: UTF-8, or UTF-16 after a byte order mark (what Windows
      // PowerShell 5's `>` writes), as Kuma reads them. Bytes that are neither come back lossy,
      // enough to tell whether the file holds a Kuma resource.
      text = decode(fs.readFileSync(file)).text;
    } catch {
      text = null;
    }
    let holds = false;
    if (text !== null) {
      try {
        holds = core.validate(text, { ...checkOptions(settings), unknownResources: 'quiet' }).holdsKuma;
      } catch {
        holds = false;
      }
    }
    if (holds) {
      const changed = disk.get(uri) !== text;
      disk.set(uri, text);
      return changed;
    }
    return disk.delete(uri);
  }

  /** `file` relative to the innermost workspace folder holding it, or null. */
  function folderRelative(file) {
    let best = null;
    for (const folder of folders) {
      const rel = path.relative(folder, file);
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
      if (best === null || rel.length < best.length) best = rel;
    }
    return best;
  }

  function inWorkspace(file) {
    return folderRelative(file) !== null;
  }

  /** The zone whose control plane the file at `uri` is applied to (the `zones` setting). */
  function zoneOf(uri) {
    if (settings.zones.names.size === 0) return undefined;
    const file = filePath(uri, "checked as the global control plane's");
    if (file === null) return undefined;
    const rel = folderRelative(file);
    if (rel === null) return undefined;
    const { name, conflicts } = assignZone(rel, settings.zones);
    if (conflicts.length > 0 && !loggedConflicts.has(uri)) {
      loggedConflicts.add(uri);
      connection.console.error(`kuma-mzs: ${rel} matches the zones setting of ${[name, ...conflicts].join(' and ')}; using ${name}`);
    }
    return inputZone(name);
  }

  connection.onInitialized(() => {
    if (settings.workspacePreview) {
      for (const folder of folders) {
        for (const file of scan(folder, [])) readDisk(file);
      }
    }
    if (watchRegistration) {
      connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.{yaml,yml,json}' }],
      });
    }
    if (disk.size > 0) schedule(0);
  });

  connection.onDidChangeWatchedFiles((params) => {
    let changed = false;
    for (const change of params.changes) {
      const file = filePath(change.uri, 'its change is ignored');
      if (file === null) continue;
      if (!isCandidate(file) || !settings.workspacePreview || !inWorkspace(file)) continue;
      if (change.type === FileChangeType.Deleted) changed = disk.delete(change.uri) || changed;
      else changed = readDisk(file) || changed;
    }
    if (changed) schedule();
  });

  function run() {
    timer = null;
    const open = documents.all();
    const openUris = new Set(open.map((d) => d.uri));
    // The open buffers last: where two files hold one MeshMultiZoneService (a kustomize base and
    // its overlay, prod/ and staging/), the later document is the one previewed, and that must be
    // the one being edited, not a closed file that happens to share its mesh and name.
    const files = [];
    if (settings.workspacePreview) {
      for (const [uri, text] of disk) if (!openUris.has(uri)) files.push({ uri, text, zone: zoneOf(uri) });
    }
    // Among open buffers, the one changed (or opened) last goes last.
    const byTouch = [...open].sort((a, b) => (touched.get(a.uri) || 0) - (touched.get(b.uri) || 0));
    for (const d of byTouch) {
      const text = d.getText();
      // A client that opened a document without text (against the protocol) gets it skipped,
      // not every other document's diagnostics cleared by a preview that refuses the input.
      if (typeof text !== 'string') {
        connection.console.error(`kuma-mzs: ${d.uri} was opened without text; it is not checked`);
        continue;
      }
      files.push({ uri: d.uri, text, version: d.version, zone: zoneOf(d.uri) });
    }
    let byUri;
    try {
      byUri = diagnoseWorkspace(files, settings);
    } catch (e) {
      connection.console.error(`kuma-mzs: ${e.message}`);
      byUri = new Map();
    }
    for (const file of files) {
      const diagnostics = byUri.get(file.uri) || [];
      if (openUris.has(file.uri)) {
        connection.sendDiagnostics({ uri: file.uri, version: file.version, diagnostics });
        published.delete(file.uri);
        continue;
      }
      const json = JSON.stringify(diagnostics);
      if (published.get(file.uri) !== json && !(json === '[]' && !published.has(file.uri))) {
        connection.sendDiagnostics({ uri: file.uri, diagnostics });
      }
      published.set(file.uri, json);
    }
    // Closed files that left the view (deleted, no longer Kuma) lose their diagnostics.
    const present = new Set(files.map((f) => f.uri));
    for (const [uri, json] of published) {
      if (present.has(uri)) continue;
      if (json !== '[]') connection.sendDiagnostics({ uri, diagnostics: [] });
      published.delete(uri);
    }
  }

  /** Run once after `delay` ms without further changes (bursts of keystrokes run once). */
  function schedule(delay = settings.debounceMs) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, delay);
  }

  /** When each open buffer last changed (or was opened), to preview the one being edited. */
  const touched = new Map();
  let touches = 0;
  documents.onDidChangeContent((e) => {
    touched.set(e.document.uri, ++touches);
    schedule();
  });

  connection.onDidChangeConfiguration((change) => {
    applySettings((change.settings && change.settings.kumaMzs) || {}, settingRefused);
    schedule(0);
  });
  documents.onDidClose((e) => {
    connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    touched.delete(e.document.uri);
    // A workspace file goes on being previewed from disk as it is now (its URI is readDisk's,
    // made from a path): one the editor created and saved is new to the view, and a client that
    // watches no files (Neovim on Linux) reports no change of it otherwise.
    const uri = e.document.uri;
    if (uri.startsWith('file:') && settings.workspacePreview) {
      let file = null;
      try {
        file = fileURLToPath(uri);
      } catch {
        file = null;
      }
      if (file !== null && (disk.has(uri) || (isCandidate(file) && inWorkspace(file)))) readDisk(file);
    }
    schedule();
  });

  const editorOptions = () => ({ kumaVersion: settings.kumaVersion });

  /** Whether `position` is in `document`: on one of its lines, at most at the line's end. A
   * client may ask past the end (a stale position); there is nothing there to hover or complete. */
  function inDocument(document, position) {
    if (position.line < 0 || position.line >= document.lineCount || position.character < 0) return false;
    const line = document.getText({ start: { line: position.line, character: 0 }, end: { line: position.line + 1, character: 0 } });
    // The line without its break (\n, \r\n or a lone \r, as the core counts them).
    return position.character <= line.replace(/(\r\n|\r|\n)$/, '').length;
  }

  connection.onHover((params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document || !inDocument(document, params.position)) return null;
    const h = core.hover(document.getText(), params.position, editorOptions());
    if (!h) return null;
    return { contents: { kind: MarkupKind.Markdown, value: h.contents }, range: lspRange(h.range) };
  });

  connection.onCompletion((params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document || !inDocument(document, params.position)) return [];
    // The text an item replaces: what is typed of the key or value before the cursor. Each item
    // says so (a textEdit), since editors' own word boundaries stop at the `.` and `/` of a label
    // key (`example.com/zo`), and picking `example.com/zone` would leave `example.com/example.com/zone`.
    const { position } = params;
    const before = document.getText({ start: { line: position.line, character: 0 }, end: position });
    const typed = /[\w.\-/]*$/.exec(before)[0];
    // And the rest of that word after the cursor (completing in the middle of `example.com/zo|ne`).
    const after = document.getText({ start: position, end: { line: position.line + 1, character: 0 } });
    const rest = /^[\w.\-/]*/.exec(after)[0];
    const range = {
      start: { line: position.line, character: position.character - typed.length },
      end: { line: position.line, character: position.character + rest.length },
    };
    return core.complete(document.getText(), position, editorOptions()).map((item) => ({
      label: item.label,
      kind: item.kind === 'field' ? CompletionItemKind.Property : CompletionItemKind.EnumMember,
      detail: item.detail,
      documentation: item.documentation ? { kind: MarkupKind.Markdown, value: item.documentation } : undefined,
      filterText: item.label,
      textEdit: { range, newText: item.insertText || item.label },
    }));
  });

  connection.onCodeAction((params) => {
    const actions = [];
    for (const diagnostic of params.context.diagnostics) {
      const fix = diagnostic.data && diagnostic.data.fix;
      if (!fix) continue;
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: true,
        edit: { changes: { [params.textDocument.uri]: [{ range: fix.range, newText: fix.newText }] } },
      });
    }
    return actions;
  });

  documents.listen(connection);
  connection.listen();
}

module.exports = { start, diagnose, diagnoseWorkspace };
