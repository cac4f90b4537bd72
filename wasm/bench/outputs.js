#!/usr/bin/env node
// Every output of the package's API over the corpora, one line per call, for showing that a
// refactor changed no output: run it on two builds and `cmp` the files.
//
//   node wasm/bench/outputs.js [PKG_DIR] > outputs.jsonl      (PKG_DIR default: wasm/pkg)
//
// Inputs: every .yaml/.yml/.json file under the conformance data ($SHARED or ../shared) and the
// repository's examples and test fixtures (always this checkout's, whichever PKG_DIR is run, so
// two builds see the same inputs). Calls per file: `validate` under every Kuma release,
// `preview` and `explain` (file alone and with its zone), `hover` and `complete` at five columns
// of every line (first 200 lines), plus `codes`, `schema` per release and bad options.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const pkgDir = path.resolve(process.argv[2] || path.join(root, 'wasm', 'pkg'));
const kuma = require(path.join(pkgDir, 'node', 'kuma_mzs.js'));
const { expandOperands } = require(path.join(root, 'wasm', 'npm', 'lib', 'files.js'));
const shared = process.env.SHARED || path.resolve(root, '..', 'shared');

const RELEASES = ['2.9', '2.10', '2.11', '2.12', '2.13', '2.14', '3.0'];
const DIRS = [
  path.join(shared, 'conformance'),
  path.join(root, 'examples'),
  path.join(root, 'core', 'tests'),
  path.join(root, 'control-plane', 'tests'),
];

/** The package's own directory walk (sorted, no node_modules or dot directories), small files. */
function files(dir) {
  let found;
  try {
    found = expandOperands([dir]);
  } catch {
    return [];
  }
  return found.filter((p) => fs.statSync(p).size < 512 * 1024);
}

function call(name, fn) {
  let out;
  try {
    out = { ok: fn() };
  } catch (e) {
    out = { error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify({ call: name, ...out }) + '\n');
}

call('codes', () => kuma.codes());
call('version-spellings', () => ['2.14', 'v2.14.3', '3', '2.x', '9.9'].map((v) => {
  try {
    return kuma.kumaVersion(v);
  } catch (e) {
    return String(e.message);
  }
}));
for (const release of RELEASES) call(`schema ${release}`, () => kuma.schema({ kumaVersion: release }));
call('bad options', () => kuma.validate('a: 1', { kumaversion: '3.0' }));
call('bad preview options', () => kuma.preview('a: 1', { zones: 'east' }));

for (const file of DIRS.flatMap(files)) {
  const rel = file.startsWith(shared + path.sep)
    ? path.join('shared', path.relative(shared, file))
    : path.relative(root, file);
  const text = fs.readFileSync(file, 'utf8');
  for (const release of RELEASES) {
    call(`validate ${release} ${rel}`, () => kuma.validate(text, { kumaVersion: release }));
  }
  call(`preview ${rel}`, () => kuma.preview([{ path: rel, text }], { zones: ['east', 'west'] }));
  call(`preview 2.14 ${rel}`, () => kuma.preview(text, { kumaVersion: '2.14' }));
  call(`preview zone ${rel}`, () => kuma.preview([{ path: rel, text, zone: 'east' }], {}));
  call(`explain ${rel}`, () => kuma.explain([{ path: rel, text }], { zones: ['east', 'west'] }));
  const lines = text.split('\n').slice(0, 200);
  lines.forEach((line, i) => {
    for (const c of [0, 2, 4, Math.floor(line.length / 2), line.length]) {
      call(`hover ${rel}:${i}:${c}`, () => kuma.hover(text, { line: i, character: c }));
      call(`complete ${rel}:${i}:${c}`, () => kuma.complete(text, { line: i, character: c }));
    }
  });
}
