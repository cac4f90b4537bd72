'use strict';
// Language-server keystroke latency: a 2,000-line file of MZS and MeshServices open in a
// workspace folder that holds more Kuma YAML; each keystroke is a didChange, and the latency is
// the time until the server publishes diagnostics for that version (workspace preview included).
// debounceMs is 0 here, so the numbers are the work per keystroke, not the debounce wait.
//
// Usage: node wasm/bench/lsp-latency.js   (make wasm first)

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { performance } = require('node:perf_hooks');

const PKG = process.env.KUMA_MZS_PKG || path.resolve(__dirname, '..', 'pkg');
const LSP = path.join(PKG, 'bin', 'kuma-mzs-language-server.js');
const KEYSTROKES = Number(process.env.KEYSTROKES || 200);

function resources(prefix, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    out.push(
      `type: MeshMultiZoneService\nname: ${prefix}-${i}\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: ${prefix}-${i}\n  ports:\n  - port: 80\n    name: http\n    appProtocol: http`,
      `type: MeshService\nname: ${prefix}-${i}\nmesh: default\nlabels:\n  app: ${prefix}-${i}\n  kuma.io/zone: east\nspec:\n  ports:\n  - port: 80\n    name: http\n    appProtocol: http`,
    );
  }
  return out.join('\n---\n') + '\n';
}

function frame(message) {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-mzs-lsp-bench-'));
  // About 2,000 lines in the edited file, and the same again in two other workspace files.
  const edited = resources('edit', 80);
  fs.writeFileSync(path.join(dir, 'other-a.yaml'), resources('a', 40));
  fs.writeFileSync(path.join(dir, 'other-b.yaml'), resources('b', 40));
  const uri = pathToFileURL(path.join(dir, 'edited.yaml')).href;
  const child = spawn(process.execPath, [LSP, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buffer = Buffer.alloc(0);
  const waiting = new Map();
  child.stdout.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString('utf8'));
      buffer = buffer.subarray(end + 4 + length);
      if (message.id !== undefined && message.method) child.stdin.write(frame({ jsonrpc: '2.0', id: message.id, result: null }));
      const key = message.id !== undefined && !message.method ? `id:${message.id}`
        : message.method === 'textDocument/publishDiagnostics' && message.params.uri === uri ? `v:${message.params.version}` : null;
      if (key && waiting.has(key)) {
        waiting.get(key)(message);
        waiting.delete(key);
      }
    }
  });
  const expect = (key) => new Promise((resolve) => waiting.set(key, resolve));
  const root = pathToFileURL(dir).href;
  const init = expect('id:1');
  child.stdin.write(frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: root, workspaceFolders: [{ uri: root, name: 'w' }], capabilities: {}, initializationOptions: { debounceMs: 0 } } }));
  await init;
  child.stdin.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
  const opened = expect('v:1');
  child.stdin.write(frame({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text: edited } } }));
  await opened;
  const lines = edited.split('\n').length;
  const times = [];
  let text = edited;
  for (let v = 2; v <= KEYSTROKES + 1; v++) {
    // Type one character into the name of the first MZS, then delete it again.
    text = v % 2 === 0 ? text.replace('name: edit-0\n', 'name: edit-0x\n') : text.replace('name: edit-0x\n', 'name: edit-0\n');
    const published = expect(`v:${v}`);
    const start = performance.now();
    child.stdin.write(frame({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: v }, contentChanges: [{ text }] } }));
    await published;
    times.push(performance.now() - start);
  }
  child.kill();
  times.sort((a, b) => a - b);
  const pick = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
  console.log(`lsp keystroke latency: ${lines}-line file + ${2 * 40 * 2} resources in two other workspace files, ${KEYSTROKES} keystrokes`);
  console.log(`  p50 ${pick(0.5)} ms, p95 ${pick(0.95)} ms, max ${times[times.length - 1].toFixed(1)} ms (full-text sync, debounce 0)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
