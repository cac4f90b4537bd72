'use strict';
// The language server: diagnostics as you type, hover, completion and quick fixes, all answered
// by the wasm core. Positions are LSP's (0-based line, UTF-16 character), which the core returns
// directly (`range.start.character`), so no conversion happens here besides line - 1.
//
// initializationOptions (all optional):
//   kumaVersion: "3.0" | "2.x"         which Kuma release's rules to apply (default "3.0")
//   reportUnknownResources: boolean     also flag YAML documents that are not Kuma resources
//                                       (default false: other YAML in the workspace stays quiet)
// The same settings under `kumaMzs` in workspace/didChangeConfiguration apply at once.

const {
  createConnection,
  TextDocuments,
  ProposedFeatures,
  DiagnosticSeverity,
  CompletionItemKind,
  CodeActionKind,
  TextDocumentSyncKind,
  MarkupKind,
} = require('vscode-languageserver/node');
const { TextDocument } = require('vscode-languageserver-textdocument');
const core = require('../node/kuma_mzs.js');

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

function lspRange(range) {
  return {
    start: { line: range.start.line - 1, character: range.start.character },
    end: { line: range.end.line - 1, character: range.end.character },
  };
}

/** LSP diagnostics of one text (exported for tests and other hosts). */
function diagnose(text, settings) {
  const result = core.validate(text, { kumaVersion: settings.kumaVersion });
  const all = result.diagnostics.concat(...result.documents.map((d) => d.diagnostics));
  return all
    .filter((d) => settings.reportUnknownResources || d.code !== 'unknown-resource')
    .map((d) => {
      const diagnostic = {
        range: lspRange(d.range),
        severity: SEVERITY[d.severity] || DiagnosticSeverity.Warning,
        code: d.code,
        source: 'kuma-mzs',
        message: d.field ? `${d.field}: ${d.message}` : d.message,
      };
      if (d.fix) diagnostic.data = { fix: { title: d.fix.title, range: lspRange(d.fix.range), newText: d.fix.replacement } };
      return diagnostic;
    });
}

function start() {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const settings = { kumaVersion: undefined, reportUnknownResources: false };

  connection.onInitialize((params) => {
    const init = params.initializationOptions || {};
    if (init.kumaVersion !== undefined) settings.kumaVersion = String(init.kumaVersion);
    if (init.reportUnknownResources !== undefined) settings.reportUnknownResources = Boolean(init.reportUnknownResources);
    try {
      core.validate('', { kumaVersion: settings.kumaVersion });
    } catch (e) {
      connection.console.error(`kuma-mzs: ${e.message}; using Kuma 3.0 rules`);
      settings.kumaVersion = undefined;
    }
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: [':', ' ', '-'] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'kuma-mzs-language-server', version: core.version() },
    };
  });

  function publish(document) {
    let diagnostics;
    try {
      diagnostics = diagnose(document.getText(), settings);
    } catch (e) {
      connection.console.error(`kuma-mzs: ${e.message}`);
      diagnostics = [];
    }
    connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  }

  documents.onDidChangeContent((change) => publish(change.document));

  connection.onDidChangeConfiguration((change) => {
    const next = (change.settings && change.settings.kumaMzs) || {};
    if (next.kumaVersion !== undefined) {
      try {
        core.validate('', { kumaVersion: String(next.kumaVersion) });
        settings.kumaVersion = String(next.kumaVersion);
      } catch (e) {
        connection.console.error(`kuma-mzs: ${e.message}`);
      }
    }
    if (next.reportUnknownResources !== undefined) settings.reportUnknownResources = Boolean(next.reportUnknownResources);
    for (const document of documents.all()) publish(document);
  });
  documents.onDidClose((e) => connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));

  const editorOptions = () => ({ kumaVersion: settings.kumaVersion });

  connection.onHover((params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return null;
    const h = core.hover(document.getText(), params.position, editorOptions());
    if (!h) return null;
    return { contents: { kind: MarkupKind.Markdown, value: h.contents }, range: lspRange(h.range) };
  });

  connection.onCompletion((params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    return core.complete(document.getText(), params.position, editorOptions()).map((item) => ({
      label: item.label,
      kind: item.kind === 'field' ? CompletionItemKind.Property : CompletionItemKind.EnumMember,
      detail: item.detail,
      documentation: item.documentation ? { kind: MarkupKind.Markdown, value: item.documentation } : undefined,
      insertText: item.insertText,
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

module.exports = { start, diagnose };
