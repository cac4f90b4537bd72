'use strict';
// An LSP session with kuma-mzs-language-server --stdio, driven by a scripted client: JSON-RPC with
// Content-Length framing over the child's stdin/stdout, as VS Code and Neovim speak it.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { LSP } = require('./helpers.js');

class Client {
  constructor(args) {
    this.child = spawn(process.execPath, [LSP, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.buffer = Buffer.alloc(0);
    this.nextId = 1;
    this.pending = new Map();
    this.notifications = [];
    this.waiters = [];
    this.stderr = '';
    this.child.stderr.on('data', (d) => (this.stderr += d));
    this.child.stdout.on('data', (chunk) => this.onData(chunk));
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const match = /Content-Length: (\d+)/i.exec(header);
      if (!match) throw new Error(`bad header ${header}`);
      const length = Number(match[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.onMessage(JSON.parse(body));
    }
  }

  onMessage(message) {
    if (message.id !== undefined && this.pending.has(message.id)) {
      const { resolve, reject } = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) reject(new Error(message.error.message));
      else resolve(message.result);
    } else if (message.method && message.id === undefined) {
      this.notifications.push(message);
      this.waiters = this.waiters.filter((w) => !w(message));
    } else if (message.method) {
      // A request from the server (e.g. client/registerCapability): answer null.
      this.send({ jsonrpc: '2.0', id: message.id, result: null });
    }
  }

  send(message) {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.send({ jsonrpc: '2.0', id, method, params });
    return withTimeout(promise, `${method} timed out; stderr: ${this.stderr}`);
  }

  notify(method, params) {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The next notification matching `predicate` (including ones already received but unseen). */
  waitFor(predicate) {
    const index = this.notifications.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.notifications.splice(index, 1)[0]);
    const promise = new Promise((resolve) => {
      this.waiters.push((message) => {
        if (!predicate(message)) return false;
        this.notifications.splice(this.notifications.indexOf(message), 1);
        resolve(message);
        return true;
      });
    });
    return withTimeout(promise, `notification timed out; stderr: ${this.stderr}`);
  }
}

function withTimeout(promise, message) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), 10000);
    }),
  ]).finally(() => clearTimeout(timer));
}

const URI = 'file:///work/mzs.yaml';
// Line 2 (0-based 1) has non-ASCII text before the syntax error: é is 1 UTF-16 unit, 🎉 is 2.
const BROKEN = 'type: MeshMultiZoneService\nname: é🎉 : x\nmesh: default\nspec:\n  ports:\n  - port: 80\n    appProtocol: http\n';

test('an LSP session: diagnostics, hover, completion, code actions, changes', async (t) => {
  const client = new Client(['--stdio']);
  t.after(() => client.child.kill());

  const init = await client.request('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { textDocument: { publishDiagnostics: {}, hover: { contentFormat: ['markdown'] } } },
    initializationOptions: { kumaVersion: '3.0' },
  });
  assert.equal(init.serverInfo.name, 'kuma-mzs-language-server');
  assert.equal(init.capabilities.hoverProvider, true);
  assert.ok(init.capabilities.completionProvider);
  assert.ok(init.capabilities.codeActionProvider);
  client.notify('initialized', {});

  client.notify('textDocument/didOpen', {
    textDocument: { uri: URI, languageId: 'yaml', version: 1, text: BROKEN },
  });
  const first = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === URI);
  assert.equal(first.params.version, 1);
  const syntax = first.params.diagnostics.find((d) => d.code === 'syntax');
  assert.ok(syntax, JSON.stringify(first.params.diagnostics));
  assert.equal(syntax.severity, 1);
  assert.equal(syntax.source, 'kuma-mzs');
  const line = BROKEN.split('\n')[1];
  assert.equal(syntax.range.start.line, 1);
  assert.equal(syntax.range.start.character, line.lastIndexOf(':'), 'UTF-16 character, counting 🎉 as 2');

  // Fix the line with an incremental change; the syntax error goes away.
  client.notify('textDocument/didChange', {
    textDocument: { uri: URI, version: 2 },
    contentChanges: [
      { range: { start: { line: 1, character: 6 }, end: { line: 1, character: line.length } }, text: 'backend' },
    ],
  });
  const second = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.version === 2);
  assert.ok(!second.params.diagnostics.some((d) => d.code === 'syntax'), JSON.stringify(second.params.diagnostics));

  // Hover on `appProtocol` (line 6), after the change.
  const hover = await client.request('textDocument/hover', {
    textDocument: { uri: URI },
    position: { line: 6, character: 6 },
  });
  assert.equal(hover.contents.kind, 'markdown');
  assert.match(hover.contents.value, /spec\.ports\[\]\.appProtocol/);
  assert.deepEqual(hover.range, { start: { line: 6, character: 4 }, end: { line: 6, character: 15 } });

  // Completion of enum values and of missing field names.
  client.notify('textDocument/didChange', {
    textDocument: { uri: URI, version: 3 },
    contentChanges: [{ range: { start: { line: 6, character: 17 }, end: { line: 6, character: 21 } }, text: '' }],
  });
  await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.version === 3);
  const values = await client.request('textDocument/completion', {
    textDocument: { uri: URI },
    position: { line: 6, character: 17 },
  });
  assert.deepEqual(values.map((i) => i.label), ['grpc', 'http', 'http2', 'tcp']);
  const fields = await client.request('textDocument/completion', {
    textDocument: { uri: URI },
    position: { line: 4, character: 2 },
  });
  assert.ok(fields.some((i) => i.label === 'selector' && i.kind === 10), JSON.stringify(fields));

  // A diagnostic carrying a certain fix becomes a quick fix.
  const fixable = {
    range: { start: { line: 4, character: 2 }, end: { line: 4, character: 7 } },
    message: 'example',
    code: 'MZS005',
    data: { fix: { title: 'Rename to `ports`', range: { start: { line: 4, character: 2 }, end: { line: 4, character: 7 } }, newText: 'ports' } },
  };
  const actions = await client.request('textDocument/codeAction', {
    textDocument: { uri: URI },
    range: fixable.range,
    context: { diagnostics: [fixable] },
  });
  assert.equal(actions.length, 1);
  assert.equal(actions[0].kind, 'quickfix');
  assert.deepEqual(actions[0].edit.changes[URI], [{ range: fixable.range, newText: 'ports' }]);

  // Every fix the core offers arrives on the diagnostic, ready for a code action.
  for (const d of second.params.diagnostics) {
    if (d.data && d.data.fix) assert.ok(d.data.fix.title && d.data.fix.range);
  }

  client.notify('textDocument/didClose', { textDocument: { uri: URI } });
  const closed = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.version === undefined);
  assert.equal(closed.params.uri, URI);

  await client.request('shutdown', null);
  client.notify('exit', null);
  const code = await new Promise((resolve) => client.child.on('exit', resolve));
  assert.equal(code, 0);
});

test('documents that are not Kuma resources stay quiet unless asked', async (t) => {
  const client = new Client([]);
  t.after(() => client.child.kill());
  await client.request('initialize', { processId: null, rootUri: null, capabilities: {}, initializationOptions: { reportUnknownResources: true } });
  client.notify('initialized', {});
  client.notify('textDocument/didOpen', {
    textDocument: { uri: 'file:///w/deploy.yaml', languageId: 'yaml', version: 1, text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n' },
  });
  const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics');
  assert.ok(published.params.diagnostics.length > 0);
  assert.ok(published.params.diagnostics.every((d) => d.code === 'unknown-resource'));
  // Settings change at run time and every open document is checked again.
  client.notify('workspace/didChangeConfiguration', { settings: { kumaMzs: { reportUnknownResources: false } } });
  const quiet = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics');
  assert.deepEqual(quiet.params.diagnostics, []);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('settings the server cannot use are shown to the user and the defaults kept', async (t) => {
  const client = new Client(['--stdio']);
  t.after(() => client.child.kill());
  await client.request('initialize', {
    processId: null,
    rootUri: null,
    capabilities: {},
    initializationOptions: { kumaVersion: 2.10, debounceMs: 1e12 },
  });
  client.notify('initialized', {});
  const shown = (pattern) => client.waitFor((m) => m.method === 'window/showMessage' && pattern.test(m.params.message));
  const version = await shown(/kumaVersion must be a string such as "2\.10", not the number 2\.1;/);
  assert.equal(version.params.type, 2, 'a warning');
  assert.match(version.params.message, /keeping the previous Kuma version/);
  assert.match((await shown(/debounceMs must be a number/)).params.message, /not 1000000000000; keeping 75/);
  // An unsupported version string is refused with the supported ones.
  client.notify('workspace/didChangeConfiguration', { settings: { kumaMzs: { kumaVersion: '2.8' } } });
  assert.match((await shown(/"2\.8" is not a supported Kuma version/)).params.message, /keeping the previous Kuma version/);
  // The default release (3.0) still applies: kafka is refused.
  const text = 'type: MeshMultiZoneService\nname: kafka\nmesh: default\nspec:\n  selector: {meshService: {matchLabels: {app: kafka}}}\n  ports: [{port: 9092, appProtocol: kafka}]\n';
  client.notify('textDocument/didOpen', { textDocument: { uri: 'file:///w/kafka.yaml', languageId: 'yaml', version: 1, text } });
  const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === 'file:///w/kafka.yaml');
  assert.equal(published.params.diagnostics.filter((d) => d.severity === 1).length, 1);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('completion inside YAML flow style: fields of a flow mapping, values in a flow sequence', async (t) => {
  const client = new Client(['--stdio']);
  t.after(() => client.child.kill());
  const init = await client.request('initialize', { processId: null, rootUri: null, capabilities: {} });
  assert.ok(init.capabilities.completionProvider.triggerCharacters.includes('{'));
  client.notify('initialized', {});
  const uri = 'file:///w/flow.yaml';
  const text = 'type: MeshMultiZoneService\nname: a\nmesh: default\nspec:\n  selector: {meshService: {}}\n  ports: [{port: 80, appProtocol: }]\n';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const inSelector = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 4, character: 27 } });
  assert.deepEqual(inSelector.map((i) => i.label), ['matchLabels']);
  const inPort = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 5, character: 34 } });
  assert.deepEqual(inPort.map((i) => i.label), ['grpc', 'http', 'http2', 'tcp']);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('a version hint is appended to the message on a new line', async (t) => {
  const client = new Client([]);
  t.after(() => client.child.kill());
  await client.request('initialize', { processId: null, rootUri: null, capabilities: {}, initializationOptions: { kumaVersion: '3.0' } });
  client.notify('initialized', {});
  const text = 'type: MeshMultiZoneService\nname: kafka\nmesh: default\nspec:\n  selector: {meshService: {matchLabels: {app: kafka}}}\n  ports: [{port: 9092, appProtocol: kafka}]\n';
  client.notify('textDocument/didOpen', { textDocument: { uri: 'file:///w/kafka.yaml', languageId: 'yaml', version: 1, text } });
  const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === 'file:///w/kafka.yaml');
  const errors = published.params.diagnostics.filter((d) => d.severity === 1);
  assert.deepEqual(
    errors.map((d) => d.message),
    [
      'spec.ports[0].appProtocol: appProtocol must be one of: grpc, http, http2, tcp\n' +
        'hint: Kuma 2.14 accepts this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0',
    ],
  );
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('a lint with a certain fix becomes a quick fix that resolves it', async (t) => {
  const client = new Client(['--stdio']);
  t.after(() => client.child.kill());
  await client.request('initialize', { processId: null, rootUri: null, capabilities: {} });
  client.notify('initialized', {});
  const uri = 'file:///w/typo.yaml';
  const text = 'type: MeshMultiZoneService\nname: backend\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: x\n  ports:\n  - port: 80\n    appProtcol: http\n';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
  const typo = published.params.diagnostics.find((d) => d.code === 'MZS005');
  assert.ok(typo && typo.data && typo.data.fix, JSON.stringify(published.params.diagnostics));
  assert.equal(typo.severity, 2);
  assert.deepEqual(typo.range.start, { line: 10, character: 4 });
  const actions = await client.request('textDocument/codeAction', {
    textDocument: { uri },
    range: typo.range,
    context: { diagnostics: [typo] },
  });
  assert.equal(actions.length, 1);
  assert.equal(actions[0].title, 'Rename `appProtcol` to `appProtocol`');
  const [edit] = actions[0].edit.changes[uri];
  assert.equal(edit.newText, 'appProtocol');
  client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: edit.range, text: edit.newText }] });
  const after = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.version === 2);
  assert.deepEqual(after.params.diagnostics, []);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

// --- The workspace view -------------------------------------------------------------------------

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { FIXTURES } = require('./helpers.js');

function workspaceFolder() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-mzs-lsp-'));
  fs.copyFileSync(path.join(FIXTURES, 'preview', 'global.yaml'), path.join(dir, 'global.yaml'));
  // The only MeshService is labelled app: backend-v2, so the MZS selector (app: backend) fails.
  const east = fs.readFileSync(path.join(FIXTURES, 'preview', 'zone-east.yaml'), 'utf8').replace('app: backend', 'app: backend-v2');
  fs.writeFileSync(path.join(dir, 'zone-east.yaml'), east);
  fs.mkdirSync(path.join(dir, 'chart', 'templates'), { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, 'k8s-repo', 'chart', 'templates', 'deployment.yaml'), path.join(dir, 'chart', 'templates', 'deployment.yaml'));
  return dir;
}

async function startIn(dir, initializationOptions = {}) {
  const client = new Client([]);
  const root = pathToFileURL(dir).href;
  await client.request('initialize', {
    processId: null,
    rootUri: root,
    workspaceFolders: [{ uri: root, name: 'w' }],
    capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
    initializationOptions,
  });
  client.notify('initialized', {});
  return client;
}

test('workspace: MZS103 on the selector line when the MeshServices live in another file, cleared by a matching one', async (t) => {
  const dir = workspaceFolder();
  const client = await startIn(dir);
  t.after(() => client.child.kill());
  const globalUri = pathToFileURL(path.join(dir, 'global.yaml')).href;
  client.notify('textDocument/didOpen', {
    textDocument: { uri: globalUri, languageId: 'yaml', version: 1, text: fs.readFileSync(path.join(dir, 'global.yaml'), 'utf8') },
  });
  const first = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === globalUri
    && m.params.diagnostics.some((d) => d.code === 'MZS103'));
  const d = first.params.diagnostics.find((x) => x.code === 'MZS103');
  // `app: backend` of the selector: 0-based line 7, the value.
  assert.deepEqual(d.range.start, { line: 7, character: 13 });
  assert.equal(d.severity, 2);
  assert.match(d.message, /closest is MeshService backend-east \(zone east\): label app is "backend-v2", selector wants "backend"/);

  // A matching MeshService appears on disk: the watcher reports it and the warning clears.
  const west = path.join(dir, 'zone-west.yaml');
  fs.copyFileSync(path.join(FIXTURES, 'preview', 'zone-west.yaml'), west);
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(west).href, type: 1 }] });
  const cleared = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === globalUri
    && !m.params.diagnostics.some((x) => x.code === 'MZS103'));
  assert.deepEqual(cleared.params.diagnostics, []);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('workspace: MeshServices in a linked directory count, and a link back up the tree is read once', async (t) => {
  const dir = workspaceFolder();
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-mzs-lsp-linked-'));
  fs.copyFileSync(path.join(FIXTURES, 'preview', 'zone-west.yaml'), path.join(outside, 'zone-west.yaml'));
  fs.symlinkSync(outside, path.join(dir, 'zones'), 'dir');
  fs.symlinkSync(dir, path.join(dir, 'loop'), 'dir');
  fs.symlinkSync(path.join(dir, 'global.yaml'), path.join(dir, 'again.yaml'));
  const client = await startIn(dir);
  t.after(() => client.child.kill());
  const globalUri = pathToFileURL(path.join(dir, 'global.yaml')).href;
  client.notify('textDocument/didOpen', {
    textDocument: { uri: globalUri, languageId: 'yaml', version: 1, text: fs.readFileSync(path.join(dir, 'global.yaml'), 'utf8') },
  });
  const first = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === globalUri);
  // west's matching MeshService is read through the link; the linked copy of global.yaml adds
  // no duplicate of its MZS.
  assert.deepEqual(first.params.diagnostics, []);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('a Helm template, a Deployment and a large non-Kuma YAML get no diagnostics; duplicate keys warn', async (t) => {
  const dir = workspaceFolder();
  const client = await startIn(dir);
  t.after(() => client.child.kill());
  const open = (name, text) => {
    const uri = pathToFileURL(path.join(dir, name)).href;
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return uri;
  };
  const helm = open('chart/templates/deployment.yaml', fs.readFileSync(path.join(dir, 'chart', 'templates', 'deployment.yaml'), 'utf8'));
  const deployment = open('web.yaml', fs.readFileSync(path.join(FIXTURES, 'k8s-repo', 'apps', 'web.yaml'), 'utf8'));
  const big = open('big.yaml', 'apiVersion: v1\nkind: ConfigMap\ndata:\n' + '  key: value value value value value\n'.repeat(40000));
  const dup = open('dup.yaml', 'type: Mesh\nname: default\nname: other\n');
  for (const uri of [helm, deployment, big]) {
    const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
    assert.deepEqual(published.params.diagnostics, [], uri);
  }
  const warned = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === dup);
  assert.deepEqual(warned.params.diagnostics.map((d) => [d.code, d.severity, d.range.start.line]), [['MZS008', 2, 2]]);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('a burst of keystrokes is validated once, for the last version', async (t) => {
  const client = new Client([]);
  t.after(() => client.child.kill());
  await client.request('initialize', { processId: null, rootUri: null, capabilities: {}, initializationOptions: { debounceMs: 200 } });
  client.notify('initialized', {});
  const uri = 'file:///burst/mzs.yaml';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: 'type: Mesh\n' } });
  let text = 'type: Mesh\nname: ';
  for (let v = 2; v <= 31; v++) {
    text += 'a';
    client.notify('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text }] });
  }
  const last = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === 31);
  assert.equal(last.params.version, 31);
  await new Promise((resolve) => setTimeout(resolve, 400));
  // The 30 changes arrive together, so the debounce runs one check (not 30); allow one more for a
  // slow machine that reads the changes in two batches.
  const earlier = client.notifications.filter((m) => m.method === 'textDocument/publishDiagnostics');
  assert.ok(earlier.length <= 1, `${earlier.length} publishes before the last version`);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('a value near an allowed one gets a quick fix to the nearest (httpx -> http)', async (t) => {
  const client = new Client([]);
  t.after(() => client.child.kill());
  await client.request('initialize', { processId: null, rootUri: null, capabilities: {}, initializationOptions: { debounceMs: 0 } });
  client.notify('initialized', {});
  const uri = 'file:///fix/mzs.yaml';
  const text = BROKEN.replace('name: é🎉 : x', 'name: a').replace('appProtocol: http', 'appProtocol: httpx')
    .replace('spec:\n', 'spec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n');
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
  const d = published.params.diagnostics.find((x) => x.code === 'kuma');
  assert.ok(d && d.data && d.data.fix, JSON.stringify(published.params.diagnostics));
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
  assert.equal(actions[0].title, 'Replace `httpx` with `http`');
  const [edit] = actions[0].edit.changes[uri];
  assert.equal(edit.newText, 'http');
  assert.deepEqual(edit.range, d.range);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('workspace: a closed file in UTF-16 with a byte order mark is read as the CLI reads it', async (t) => {
  const dir = workspaceFolder();
  // What Windows PowerShell 5's `>` writes: UTF-16LE after FF FE. It used to be read as UTF-8,
  // hold no Kuma resource and stay out of the workspace preview.
  const globalFile = path.join(dir, 'global.yaml');
  const text = fs.readFileSync(globalFile, 'utf8');
  fs.writeFileSync(globalFile, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  const client = await startIn(dir);
  t.after(() => client.child.kill());
  const globalUri = pathToFileURL(globalFile).href;
  const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === globalUri);
  const d = published.params.diagnostics.find((x) => x.code === 'MZS103');
  assert.ok(d, JSON.stringify(published.params.diagnostics));
  assert.deepEqual(d.range.start, { line: 7, character: 13 });
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('a Helm template of a Kuma resource gets one info saying to render it first', async (t) => {
  const dir = workspaceFolder();
  const client = await startIn(dir);
  t.after(() => client.child.kill());
  const helm = path.join(FIXTURES, 'helm-chart', 'templates', 'mzs.yaml');
  const uri = pathToFileURL(path.join(dir, 'chart', 'templates', 'mzs.yaml')).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: fs.readFileSync(helm, 'utf8') } });
  const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
  // Not `invalid YAML: "-" is only valid inside a block` as an error on `{{-`.
  assert.deepEqual(published.params.diagnostics.map((d) => [d.severity, d.code, d.range]), [
    [3, 'syntax', { start: { line: 0, character: 0 }, end: { line: 0, character: 29 } }],
  ]);
  assert.match(published.params.diagnostics[0].message, /^not checked: this is a Go template \(Helm\), not YAML yet; render it first/);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('an unquoted HostnameGenerator template is an error saying to quote it, not a Helm info', async (t) => {
  const dir = workspaceFolder();
  const client = await startIn(dir);
  t.after(() => client.child.kill());
  const uri = pathToFileURL(path.join(dir, 'hg.yaml')).href;
  const text = 'type: HostnameGenerator\nname: my-mzs\nspec:\n  selector: {meshMultiZoneService: {matchLabels: {team: x}}}\n  template: {{ .DisplayName }}.mzs.mesh\n';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
  assert.deepEqual(published.params.diagnostics.map((d) => [d.severity, d.code, d.range]), [
    [1, 'syntax', { start: { line: 4, character: 12 }, end: { line: 4, character: 30 } }],
  ]);
  assert.match(published.params.diagnostics[0].message, /^a HostnameGenerator template must be quoted/);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('a template document gets its one diagnostic and the other documents keep theirs, alone and in the workspace', () => {
  const { diagnose, diagnoseWorkspace } = require(path.join(require('./helpers.js').PKG, 'lib', 'server.js'));
  const text = [
    'type: HostnameGenerator', 'name: local', 'spec:', '  selector: {meshMultiZoneService: {matchLabels: {app: web}}}',
    '  template: {{ .DisplayName }}.mzs.local', '---', 'type: MeshMultiZoneService', 'name: web', 'mesh: default',
    'spec:', '  selector: {meshService: {matchLabels: {app: web}}}', '  ports: [{port: 80, appProtocol: bad}]', '',
  ].join('\n');
  const settings = { kumaVersion: '3.0', reportUnknownResources: false };
  const seen = (diagnostics) => diagnostics.map((d) => [d.range.start.line, d.severity, d.message.split(':')[0]]);
  const expected = [
    [4, 1, 'a HostnameGenerator template must be quoted'],
    [11, 1, 'spec.ports[0].appProtocol'],
  ];
  assert.deepEqual(seen(diagnose(text, settings)), expected);
  const uri = 'file:///w/chart.yaml';
  assert.deepEqual(seen(diagnoseWorkspace([{ uri, text }], settings).get(uri)), expected);
});

test('maxBytes sets the size limit, as the CLI\'s --max-bytes; a value that is not a size is refused', async (t) => {
  const client = new Client(['--stdio']);
  t.after(() => client.child.kill());
  await client.request('initialize', { processId: null, rootUri: null, capabilities: {}, initializationOptions: { maxBytes: 64, debounceMs: 0 } });
  client.notify('initialized', {});
  const uri = 'file:///w/mzs.yaml';
  const text = 'type: MeshMultiZoneService\nname: backend\nmesh: default\nspec:\n  selector: {meshService: {matchLabels: {app: backend}}}\n  ports: [{port: 80, appProtocol: http}]\n';
  assert.ok(Buffer.byteLength(text) > 64);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const limited = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
  assert.deepEqual(limited.params.diagnostics.map((d) => [d.code, d.severity]), [['limit', 1]]);
  assert.match(limited.params.diagnostics[0].message, /\b64\b/);
  // null goes back to the default limit: the document is valid.
  client.notify('workspace/didChangeConfiguration', { settings: { kumaMzs: { maxBytes: null } } });
  const valid = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
  assert.deepEqual(valid.params.diagnostics, []);
  client.notify('workspace/didChangeConfiguration', { settings: { kumaMzs: { maxBytes: '1MB' } } });
  const refused = await client.waitFor((m) => m.method === 'window/showMessage' && /maxBytes/.test(m.params.message));
  assert.equal(refused.params.message, 'kuma-mzs: maxBytes must be a positive whole number of bytes, not "1MB"; keeping the default');
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('completion and hover past the end of a line or of the document answer nothing', async (t) => {
  const client = new Client(['--stdio']);
  t.after(() => client.child.kill());
  await client.request('initialize', { processId: null, rootUri: null, capabilities: {} });
  client.notify('initialized', {});
  const uri = 'file:///w/end.yaml';
  const text = 'type: MeshMultiZoneService\nname: a\n';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const at = (line, character) => ({ textDocument: { uri }, position: { line, character } });
  // Past the end: the document has lines 0-2 (2 is the empty last line). It used to offer 1 item.
  for (const [line, character] of [[3, 0], [10, 4], [0, 27], [2, 1]]) {
    assert.deepEqual(await client.request('textDocument/completion', at(line, character)), [], `completion at ${line}:${character}`);
    assert.equal(await client.request('textDocument/hover', at(line, character)), null, `hover at ${line}:${character}`);
  }
  // The empty last line is in the document: a new top-level field.
  const fields = await client.request('textDocument/completion', at(2, 0));
  assert.ok(fields.some((i) => i.label === 'spec'), JSON.stringify(fields.map((i) => i.label)));
  assert.notEqual(await client.request('textDocument/hover', at(0, 2)), null);
  // Lines that end in a lone \r (old Mac files) end where the core's do: past the break is past the end.
  const cr = 'file:///w/cr.yaml';
  client.notify('textDocument/didOpen', { textDocument: { uri: cr, languageId: 'yaml', version: 1, text: text.replaceAll('\n', '\r') } });
  const atCr = (line, character) => ({ textDocument: { uri: cr }, position: { line, character } });
  assert.deepEqual(await client.request('textDocument/completion', atCr(0, 27)), []);
  assert.equal(await client.request('textDocument/hover', atCr(0, 27)), null);
  assert.notEqual(await client.request('textDocument/hover', atCr(0, 2)), null);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('a document whose file: URI names no path here is the global\'s, logged, and the server keeps running', async (t) => {
  const dir = workspaceFolder();
  // With a zones setting, every document's zone comes from its path: these URIs have none that
  // Node can give (a host off Windows, an encoded `/`, a bad percent escape), which used to stop
  // the server (exit 1) at the first diagnostics run.
  const client = await startIn(dir, { zones: { east: ['**'] }, debounceMs: 0 });
  t.after(() => client.child.kill());
  const text = 'type: MeshService\nname: backend\nmesh: default\nspec:\n  selector: {dataplaneLabels: {matchLabels: {app: backend}}}\n  ports: [{port: 80, appProtocol: http}]\n';
  const uris = ['file://server/share/a.yaml', 'file:///x/a%2Fb.yaml', 'file:///x/%E0%A4%A.yaml'];
  if (process.platform === 'win32') uris.shift();
  for (const uri of uris) {
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
    // The global's: a MeshService without a zone label there is MZS201 (in east's it would be east's).
    assert.deepEqual(published.params.diagnostics.map((d) => d.code), ['MZS201'], uri);
    const logged = await client.waitFor((m) => m.method === 'window/logMessage' && m.params.message.includes(uri));
    assert.match(logged.params.message, /names no file path here .*; checked as the global control plane's$/);
  }
  const hover = await client.request('textDocument/hover', { textDocument: { uri: uris[0] }, position: { line: 0, character: 1 } });
  assert.notEqual(hover, null);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('workspace: a watched path that is a FIFO is not read (reading would block the server)', { skip: process.platform === 'win32' }, async (t) => {
  const dir = workspaceFolder();
  const fifo = path.join(dir, 'pipe.yaml');
  require('node:child_process').execFileSync('mkfifo', [fifo]);
  const client = await startIn(dir);
  t.after(() => client.child.kill());
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(fifo).href, type: 1 }] });
  const uri = pathToFileURL(path.join(dir, 'open.yaml')).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: BROKEN } });
  assert.notEqual(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }), null);
  await client.request('shutdown', null);
  client.notify('exit', null);
});

const MS_BACKEND = 'type: MeshService\nname: backend\nmesh: default\nlabels:\n  app: backend\n  kuma.io/zone: east\nspec:\n  state: Available\n  ports:\n  - port: 80\n';
const mzsSelecting = (app, port) => `type: MeshMultiZoneService\nname: backend\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: ${app}\n  ports:\n  - port: ${port}\n`;

test('workspace: an open file wins over a closed file holding the same MeshMultiZoneService', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-mzs-lsp-'));
  fs.writeFileSync(path.join(dir, 'ms.yaml'), MS_BACKEND);
  fs.mkdirSync(path.join(dir, 'prod'));
  fs.mkdirSync(path.join(dir, 'staging'));
  fs.writeFileSync(path.join(dir, 'prod', 'mzs.yaml'), mzsSelecting('backend', 80));
  const staging = path.join(dir, 'staging', 'mzs.yaml');
  fs.writeFileSync(staging, mzsSelecting('backend-typo', 80));
  const client = await startIn(dir);
  t.after(() => client.child.kill());
  const uri = pathToFileURL(staging).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: fs.readFileSync(staging, 'utf8') } });
  // prod/mzs.yaml sorts after staging/ on disk; the buffer being edited is the one previewed.
  const opened = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === 1);
  assert.ok(opened.params.diagnostics.some((d) => d.code === 'MZS103'), JSON.stringify(opened.params.diagnostics));
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('workspace: a file created in the editor, saved and closed stays in the view (no file watcher)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-mzs-lsp-'));
  const mzsFile = path.join(dir, 'mzs.yaml');
  fs.writeFileSync(mzsFile, mzsSelecting('backend', 80));
  // A zone with another service, so the MZS has a zone to match nothing in.
  fs.writeFileSync(path.join(dir, 'other.yaml'), MS_BACKEND.replace('name: backend', 'name: other').replace('app: backend', 'app: other'));
  const client = new Client([]);
  t.after(() => client.child.kill());
  const root = pathToFileURL(dir).href;
  // As Neovim on Linux: no dynamic registration of file watchers.
  await client.request('initialize', { processId: null, rootUri: root, workspaceFolders: [{ uri: root, name: 'w' }], capabilities: {} });
  client.notify('initialized', {});
  const mzsUri = pathToFileURL(mzsFile).href;
  await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === mzsUri
    && m.params.diagnostics.some((d) => d.code === 'MZS103'));
  const msFile = path.join(dir, 'ms.yaml');
  const msUri = pathToFileURL(msFile).href;
  client.notify('textDocument/didOpen', { textDocument: { uri: msUri, languageId: 'yaml', version: 1, text: MS_BACKEND } });
  await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === mzsUri
    && !m.params.diagnostics.some((d) => d.code === 'MZS103'));
  fs.writeFileSync(msFile, MS_BACKEND);
  client.notify('textDocument/didSave', { textDocument: { uri: msUri } });
  client.notify('textDocument/didClose', { textDocument: { uri: msUri } });
  // Give a wrong republish the chance to happen, then check nothing brought MZS103 back.
  await new Promise((resolve) => setTimeout(resolve, 800));
  const back = client.notifications.find((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === mzsUri
    && m.params.diagnostics.some((d) => d.code === 'MZS103'));
  assert.equal(back, undefined, JSON.stringify(back));
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('completing a label key replaces what is typed of it, dots and slashes included', async (t) => {
  const client = new Client(['--stdio']);
  t.after(() => client.child.kill());
  await client.request('initialize', { processId: null, rootUri: null, capabilities: {} });
  client.notify('initialized', {});
  const uri = 'file:///w/labels.yaml';
  const text = 'type: MeshMultiZoneService\nname: a\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        kuma.io/zo\n  ports: [{port: 80}]\n';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const items = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 7, character: 18 } });
  const zone = items.find((i) => i.label === 'kuma.io/zone');
  assert.ok(zone, JSON.stringify(items));
  assert.deepEqual(zone.textEdit, {
    range: { start: { line: 7, character: 8 }, end: { line: 7, character: 18 } },
    newText: 'kuma.io/zone: ',
  });
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('workspace: of two open buffers holding one MZS, the one edited last is previewed', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-mzs-lsp-'));
  fs.writeFileSync(path.join(dir, 'ms.yaml'), MS_BACKEND);
  const base = pathToFileURL(path.join(dir, 'base.yaml')).href;
  const overlay = pathToFileURL(path.join(dir, 'overlay.yaml')).href;
  const client = await startIn(dir);
  t.after(() => client.child.kill());
  client.notify('textDocument/didOpen', { textDocument: { uri: overlay, languageId: 'yaml', version: 1, text: mzsSelecting('backend', 80) } });
  client.notify('textDocument/didOpen', { textDocument: { uri: base, languageId: 'yaml', version: 1, text: mzsSelecting('backend', 80) } });
  await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === base);
  // The overlay, opened first, is edited now: its unserved port is what the preview shows.
  client.notify('textDocument/didChange', {
    textDocument: { uri: overlay, version: 2 },
    contentChanges: [{ text: mzsSelecting('backend', 7001) }],
  });
  const edited = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === overlay && m.params.version === 2);
  assert.ok(edited.params.diagnostics.some((d) => d.code === 'MZS101'), JSON.stringify(edited.params.diagnostics));
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('completing in the middle of a word replaces the whole word', async (t) => {
  const client = new Client(['--stdio']);
  t.after(() => client.child.kill());
  await client.request('initialize', { processId: null, rootUri: null, capabilities: {} });
  client.notify('initialized', {});
  const uri = 'file:///w/mid.yaml';
  const text = 'type: MeshMultiZoneService\nname: a\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        kuma.io/zone\n  ports: [{port: 80}]\n';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const items = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 7, character: 18 } });
  const zone = items.find((i) => i.label === 'kuma.io/zone');
  assert.ok(zone, JSON.stringify(items));
  assert.deepEqual(zone.textEdit.range, { start: { line: 7, character: 8 }, end: { line: 7, character: 20 } });
  await client.request('shutdown', null);
  client.notify('exit', null);
});

test('a document opened without text is skipped; the other documents keep their diagnostics', async (t) => {
  const client = new Client([]);
  t.after(() => client.child.kill());
  await client.request('initialize', { processId: null, rootUri: null, capabilities: {} });
  client.notify('initialized', {});
  const text = 'type: MeshMultiZoneService\nname: Bad_Name\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels: {app: a}\n  ports:\n  - port: 80\n';
  client.notify('textDocument/didOpen', { textDocument: { uri: 'file:///w/a.yaml', languageId: 'yaml', version: 1, text } });
  const first = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics');
  assert.equal(first.params.diagnostics.length, 1);
  client.notify('textDocument/didOpen', { textDocument: { uri: 'file:///w/b.yaml', languageId: 'yaml', version: 1, text: null } });
  const again = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === 'file:///w/a.yaml');
  assert.equal(again.params.diagnostics.length, 1);
  await client.request('shutdown', null);
  client.notify('exit', null);
});
