// A minimal VS Code extension that runs kuma-mzs-language-server over stdio.
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const server = require.resolve('kuma-mzs/package.json');
  const module = path.join(path.dirname(server), 'bin', 'kuma-mzs-language-server.js');
  const config = vscode.workspace.getConfiguration('kumaMzs');
  client = new LanguageClient(
    'kumaMzs',
    'Kuma MeshMultiZoneService',
    { run: { module, transport: TransportKind.stdio }, debug: { module, transport: TransportKind.stdio } },
    {
      documentSelector: [
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', language: 'json' },
        { scheme: 'untitled', language: 'yaml' },
      ],
      synchronize: { configurationSection: 'kumaMzs' },
      initializationOptions: {
        kumaVersion: config.get('kumaVersion'),
        reportUnknownResources: config.get('reportUnknownResources'),
      },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client && client.stop();
}

module.exports = { activate, deactivate };
