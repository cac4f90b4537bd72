// ESM loading: named imports of the Node build, and the browser build initialised in Node with the
// wasm bytes read from disk (what a bundler or a web page does with fetch).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { PKG } = require('./helpers.js');

test('ESM named imports of the Node build', async () => {
  const { validate, version } = await import(`${PKG}/node/kuma_mzs.js`);
  assert.equal(typeof version(), 'string');
  assert.equal(validate('x: [').diagnostics[0].code, 'syntax');
});

test('the web build: default export init() with the wasm bytes, then the same API', async () => {
  const web = await import(`${PKG}/web/kuma_mzs.js`);
  assert.equal(typeof web.default, 'function');
  assert.equal(typeof web.initSync, 'function');
  const bytes = await readFile(`${PKG}/web/kuma_mzs_bg.wasm`);
  await web.default({ module_or_path: bytes });
  const node = require(PKG);
  const text = 'type: MeshMultiZoneService\nname: a\nspec: [\n';
  assert.deepEqual(web.validate(text), node.validate(text));
  assert.deepEqual(web.schema(), node.schema());
  assert.equal(web.version(), node.version());
});

test('the web build also initialises synchronously from a compiled module', async () => {
  const web = await import(`${PKG}/web/kuma_mzs.js?sync`);
  const bytes = await readFile(`${PKG}/web/kuma_mzs_bg.wasm`);
  web.initSync({ module: new WebAssembly.Module(bytes) });
  assert.equal(web.complete('type: ', { line: 0, character: 6 }).length, 5);
});

test('the web build: resourceTypes() needs no wasm, initEditor() loads the editor module from given bytes', async () => {
  const web = await import(`${PKG}/web/kuma_mzs.js?editor`);
  const node = require(PKG);
  assert.deepEqual(web.resourceTypes(), node.resourceTypes());
  assert.deepEqual(web.kumaVersions(), node.kumaVersions());
  await web.default({ module_or_path: await readFile(`${PKG}/web/kuma_mzs_bg.wasm`) });
  await web.initEditor({ module_or_path: await readFile(`${PKG}/web/kuma_mzs_editor_bg.wasm`) });
  const text = 'type: MeshMultiZoneService\n';
  assert.deepEqual(web.hover(text, { line: 0, character: 2 }), node.hover(text, { line: 0, character: 2 }));
  assert.equal(web.explain(text), node.explain(text));
});

test('the web build checks its arguments as the Node build does (no trap of the wasm)', async () => {
  const web = await import(`${PKG}/web/kuma_mzs.js?types`);
  web.initSync({ module: await readFile(`${PKG}/web/kuma_mzs_bg.wasm`) });
  const at = { line: 0, character: 0 };
  assert.throws(() => web.validate(5), { name: 'TypeError', message: 'text must be a string' });
  assert.throws(() => web.validate({}), { name: 'TypeError', message: 'text must be a string' });
  assert.throws(() => web.kumaVersion(true), { name: 'TypeError', message: 'spelling must be a string' });
  assert.throws(() => web.hover(5, at), { name: 'TypeError', message: 'text must be a string' });
  assert.throws(() => web.complete(null, at), { name: 'TypeError', message: 'text must be a string' });
  assert.throws(() => web.preview([{ path: 'a', text: 5 }]), { name: 'TypeError', message: 'invalid input: input[0].text must be a string' });
  assert.throws(() => web.explain(7), { name: 'TypeError', message: /^invalid input: expected a string or an array/ });
  assert.equal(web.validate('x: [').diagnostics[0].code, 'syntax');
});
