'use strict';
// The VS Code extension: starts the kuma-mzs language server that ships inside the extension
// (no download, no network) and hands it the YAML and JSON files of the workspace. Every Kuma
// rule lives in the server (the core in WebAssembly); this file only wires settings.

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const config = require('./config');

let client;

function transportOf(name) {
  if (name === 'stdio') return TransportKind.stdio;
  throw new Error(`kuma-mzs: unknown transport ${name}`);
}

function settings() {
  return vscode.workspace.getConfiguration(config.SECTION);
}

function plainSettings() {
  const s = settings();
  return {
    kumaVersion: s.get('kumaVersion'),
    reportUnknownResources: s.get('reportUnknownResources'),
    workspacePreview: s.get('workspacePreview'),
    debounceMs: s.get('debounceMs'),
    zones: s.get('zones'),
    lints: { ignore: s.get('lints.ignore'), warningsAsErrors: s.get('lints.warningsAsErrors') },
  };
}

function createClient(context) {
  const options = config.serverOptions(context.extensionPath);
  const serverOptions = {
    run: { ...options.run, transport: transportOf(options.run.transport) },
    debug: { ...options.debug, transport: transportOf(options.debug.transport) },
  };
  const clientOptions = {
    documentSelector: config.DOCUMENT_SELECTOR,
    initializationOptions: config.initializationOptions(plainSettings()),
    // workspace/didChangeConfiguration carries { kumaMzs: {...} }, which the server reads. The
    // server registers its own file watcher (workspace/didChangeWatchedFiles) for its workspace view.
    synchronize: { configurationSection: config.SECTION },
    middleware: {
      handleDiagnostics(uri, diagnostics, next) {
        next(uri, config.adjustDiagnostics(diagnostics, config.lintSettings(plainSettings()), vscode.DiagnosticSeverity));
      },
    },
  };
  return new LanguageClient('kumaMzs', 'Kuma MeshMultiZoneService', serverOptions, clientOptions);
}

async function activate(context) {
  client = createClient(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('kumaMzs.restartServer', async () => {
      if (client) await client.restart();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      // The Kuma release, the report switch and the zones reach the server through didChangeConfiguration;
      // the lint settings are applied here, so re-publishing needs a restart of the client.
      if (client && e.affectsConfiguration(`${config.SECTION}.lints`)) await client.restart();
    }),
  );
  await client.start();
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
