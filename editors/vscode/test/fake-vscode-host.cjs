'use strict';
// Loads the packaged client bundle (dist/extension.js) the way VS Code would, with a stand-in for
// the `vscode` module: the few calls the extension makes itself answer from SETTINGS, and every
// other part of the API is an inert stub. It then calls activate(), which must start the bundled
// server through vscode-languageclient and finish the LSP initialize handshake, and deactivate().
// This proves the bundle loads and wires client and server; it is not VS Code.
// Usage: node fake-vscode-host.cjs <extension dir> '<settings JSON>'; prints one JSON line.
const Module = require('module');
const path = require('path');
const childProcess = require('child_process');

const [extensionDir, settingsJson] = process.argv.slice(2);
const settings = JSON.parse(settingsJson);

function stub(name) {
  return new Proxy(function () {}, {
    get(_, p) {
      if (p === Symbol.toPrimitive) return () => name;
      if (p === Symbol.iterator) return function* () {};
      if (p === 'then') return undefined;
      return stub(`${name}.${String(p)}`);
    },
    apply: () => stub(`${name}()`),
    construct: () => stub(`new ${name}`),
  });
}
const base = stub('vscode');
const workspace = new Proxy(
  {},
  {
    get(_, p) {
      if (p === 'getConfiguration') return (section) => ({ get: (key) => settings[`${section}.${key}`] });
      if (p === 'workspaceFolders') return undefined;
      if (p === 'textDocuments') return [];
      return base.workspace[p];
    },
  },
);
const vscode = new Proxy({}, { get: (_, p) => (p === 'workspace' ? workspace : p === 'version' ? '1.82.0' : base[p]) });

const forks = [];
const fork = childProcess.fork;
childProcess.fork = function (modulePath, args, options) {
  const child = fork.call(this, modulePath, args, options);
  const record = { modulePath, args, sent: '' };
  forks.push(record);
  const write = child.stdin.write.bind(child.stdin);
  child.stdin.write = (chunk, ...rest) => {
    record.sent += chunk.toString();
    return write(chunk, ...rest);
  };
  record.child = child;
  return child;
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? vscode : load.call(this, request, ...rest);
};

/** The JSON-RPC messages in what the client wrote (Content-Length framing; ASCII-safe here). */
function messages(text) {
  const out = [];
  let rest = Buffer.from(text, 'utf8');
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return out;
    const length = Number(/Content-Length: (\d+)/i.exec(rest.subarray(0, end).toString('ascii'))?.[1]);
    if (!(length >= 0) || rest.length < end + 4 + length) return out;
    out.push(JSON.parse(rest.subarray(end + 4, end + 4 + length).toString('utf8')));
    rest = rest.subarray(end + 4 + length);
  }
}

const report = (out, code) => {
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(code);
};
const timer = setTimeout(() => report({ error: 'activate() did not finish in 15 s' }, 2), 15000);
(async () => {
  const extension = require(path.join(extensionDir, 'dist', 'extension.js'));
  await extension.activate({ extensionPath: extensionDir, subscriptions: [], asAbsolutePath: (p) => path.join(extensionDir, p) });
  const initialize = forks.length ? messages(forks[0].sent).find((m) => m.method === 'initialize') : undefined;
  await extension.deactivate();
  await new Promise((r) => setTimeout(r, 200));
  clearTimeout(timer);
  report(
    {
      forks: forks.map((f) => ({ modulePath: f.modulePath, args: f.args, exited: f.child.exitCode !== null || f.child.signalCode !== null })),
      initializationOptions: initialize && initialize.params ? initialize.params.initializationOptions : null,
    },
    0,
  );
})().catch((e) => report({ error: String((e && e.stack) || e) }, 1));
