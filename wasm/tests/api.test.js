'use strict';
// The JS API through the CommonJS Node build, as `require('kuma-mzs')` gives it.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { PKG, FIXTURES, devRequire } = require('./helpers.js');

const k = require(PKG);

function isPlain(value) {
  if (Array.isArray(value)) return value.every(isPlain);
  if (value === null || typeof value !== 'object') return true;
  return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isPlain);
}

test('the Node entry loads synchronously and exports the whole API', () => {
  for (const name of ['validate', 'preview', 'explain', 'hover', 'complete', 'schema', 'codes', 'version']) {
    assert.equal(typeof k[name], 'function', name);
  }
  assert.equal(k.version(), JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8')).version);
});

test('validate returns plain JSON objects with positions in every encoding', () => {
  const text = 'name: é🎉 : x\n';
  const result = k.validate(text);
  assert.ok(isPlain(result));
  assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
  const [d] = result.diagnostics;
  assert.equal(d.severity, 'error');
  assert.equal(d.code, 'syntax');
  const colon = text.lastIndexOf(':');
  assert.equal(d.range.start.line, 1);
  assert.equal(d.range.start.character, colon, 'UTF-16 code units');
  assert.equal(d.range.start.column, [...text.slice(0, colon)].length + 1, 'Unicode characters, 1-based');
  assert.equal(d.range.start.offset, Buffer.byteLength(text.slice(0, colon)), 'UTF-8 bytes');
});

test('validate describes each document with kind, name, mesh, shape and range', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'mixed', 'valid-mzs.yaml'), 'utf8') + '---\n' +
    fs.readFileSync(path.join(FIXTURES, 'mixed', 'deployment.yaml'), 'utf8');
  const { documents } = k.validate(text, { format: 'yaml', kumaVersion: '3.0' });
  assert.equal(documents.length, 2);
  assert.equal(documents[0].kind, 'MeshMultiZoneService');
  assert.equal(documents[0].name, 'backend');
  assert.equal(documents[0].mesh, 'default');
  assert.equal(documents[0].range.start.line, 1);
  assert.equal(documents[1].kind, 'Deployment');
  assert.equal(documents[1].name, 'web');
  assert.equal(documents[1].range.start.line, 15, 'the document starts at its --- marker');
});

test('a valid MeshMultiZoneService has no errors', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'mixed', 'valid-mzs.yaml'), 'utf8');
  const result = k.validate(text);
  const errors = result.documents.flatMap((d) => d.diagnostics).filter((d) => d.severity === 'error');
  assert.deepEqual(errors, []);
  assert.equal(result.documents[0].shape, 'universal');
});

test('Kuma semantic errors come with Kuma field, message and the position of the value', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'mixed', 'bad-protocol.yaml'), 'utf8');
  const all = k.validate(text).documents.flatMap((d) => d.diagnostics);
  const d = all.find((x) => x.field === 'spec.ports[0].appProtocol');
  assert.ok(d, JSON.stringify(all));
  assert.equal(d.severity, 'error');
  assert.equal(d.message, 'appProtocol must be one of: grpc, http, http2, tcp');
  assert.equal(d.range.start.line, 12);
  // Kuma 2.x still accepted kafka.
  const v2 = k.validate(text, { kumaVersion: '2.x' }).documents.flatMap((x) => x.diagnostics);
  assert.ok(!v2.some((x) => x.field === 'spec.ports[0].appProtocol'), JSON.stringify(v2));
});

test('bad options and inputs throw errors that name the problem', () => {
  assert.throws(() => k.validate('', { kumaVersion: '1.0' }), /kumaVersion.*"1\.0"/);
  assert.throws(() => k.validate('', { format: 'toml' }), /format/);
  assert.throws(() => k.validate('', { kumaversion: '3.0' }), /unknown field `kumaversion`/);
  assert.throws(() => k.preview([{ path: 'a.yaml' }]), /invalid input.*text/);
  assert.throws(() => k.preview('', { mzsCidr: '300.0.0.0/8' }), /mzsCidr/);
  assert.throws(() => k.preview('', { zone: ['a'] }), /unknown field `zone`/);
  assert.throws(() => k.hover('', { line: -1, character: 0 }), /invalid position/);
  // A wrong number names its option; NaN and Infinity (a caller's computation gone wrong) are
  // refused, not read as "unset" and the default.
  assert.throws(() => k.validate('', { maxBytes: -1 }), { message: 'invalid options: maxBytes: invalid value: integer `-1`, expected u32' });
  assert.throws(() => k.validate('', { maxBytes: NaN }), { message: 'invalid options: maxBytes: invalid value: NaN, expected a finite number' });
  assert.throws(() => k.preview('', { maxBytes: Infinity }), { message: 'invalid options: maxBytes: invalid value: Infinity, expected a finite number' });
  assert.throws(() => k.validate('', { maxBytes: '10' }), /^Error: invalid options: maxBytes: invalid type: string "10", expected u32$|maxBytes: invalid type/);
});

test('preview takes one text or several files and reports diagnostics per file', () => {
  const files = ['global.yaml', 'zone-east.yaml', 'zone-west.yaml'].map((f) => ({
    path: f,
    text: fs.readFileSync(path.join(FIXTURES, 'preview', f), 'utf8'),
  }));
  const result = k.preview(files, { kumaVersion: '3.0' });
  assert.ok(isPlain(result));
  assert.deepEqual(result.diagnostics.map((f) => f.path), ['global.yaml', 'zone-east.yaml', 'zone-west.yaml']);
  assert.deepEqual(result.zones.map((z) => z.zone), ['east', 'west']);
  for (const zone of result.zones) {
    const [mzs] = zone.multiZoneServices;
    assert.equal(mzs.name, 'backend');
    assert.equal(mzs.mesh, 'default');
    assert.equal(mzs.status.meshServices.length, 2);
  }
  const single = k.preview(files.map((f) => f.text).join('---\n'), { zones: ['east'] });
  assert.deepEqual(single.diagnostics.map((f) => f.path), ['<input>']);
  assert.ok(single.zones.some((z) => z.zone === 'east'));
});

test('explain renders the preview as text', () => {
  const files = ['global.yaml', 'zone-east.yaml'].map((f) => ({
    path: f,
    text: fs.readFileSync(path.join(FIXTURES, 'preview', f), 'utf8'),
  }));
  const text = k.explain(files, {});
  assert.equal(typeof text, 'string');
  assert.match(text, /zone east/);
  assert.match(text, /backend/);
  assert.match(k.explain('x: [', {}), /^<input>:\d+:\d+: error: /);
});

test('hover and complete take LSP positions and return documentation', () => {
  const text = '# é🎉\ntype: MeshMultiZoneService\nspec:\n  ports:\n  - port: 80\n    appProtocol: \n';
  const h = k.hover(text, { line: 5, character: 6 });
  assert.match(h.contents, /^\*\*spec\.ports\[\]\.appProtocol\*\*/);
  assert.deepEqual([h.range.start.line, h.range.start.character, h.range.end.character], [6, 4, 15]);
  assert.equal(k.hover(text, { line: 0, character: 1 }), null);
  const values = k.complete(text, { line: 5, character: 17 });
  assert.deepEqual(values.map((i) => i.label), ['grpc', 'http', 'http2', 'tcp']);
  assert.ok(values.every((i) => i.kind === 'value' && i.insertText === i.label));
  const v2 = k.complete(text, { line: 5, character: 17 }, { kumaVersion: '2.x' });
  assert.ok(v2.some((i) => i.label === 'kafka'));
  const fields = k.complete('type: MeshMultiZoneService\nspec:\n  ', { line: 2, character: 2 });
  assert.deepEqual(fields.map((i) => i.label), ['selector', 'ports']);
  assert.equal(fields[0].kind, 'field');
  assert.equal(fields[0].detail, 'object');
});

test('schema gives a JSON Schema per kind that generic validators accept', () => {
  const Ajv = devRequire('ajv');
  const YAML = devRequire('yaml');
  const schemas = k.schema();
  assert.deepEqual(Object.keys(schemas), [
    'HostnameGenerator', 'Mesh', 'MeshLoadBalancingStrategy', 'MeshMultiZoneService', 'MeshService',
  ]);
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schemas.MeshMultiZoneService);
  const doc = YAML.parse(fs.readFileSync(path.join(FIXTURES, 'mixed', 'valid-mzs.yaml'), 'utf8'));
  assert.ok(validate(doc), JSON.stringify(validate.errors));
  doc.spec.ports[0].appProtocol = 'kafka';
  assert.ok(!validate(doc));
  const k8s = {
    apiVersion: 'kuma.io/v1alpha1',
    kind: 'MeshMultiZoneService',
    metadata: { name: 'backend', namespace: 'kuma-system' },
    spec: { selector: { meshService: { matchLabels: { app: 'b' } } }, ports: [{ port: 80 }] },
  };
  assert.ok(validate(k8s), JSON.stringify(validate.errors));
  const v2 = new Ajv({ strict: false }).compile(k.schema({ kumaVersion: '2.x' }).MeshMultiZoneService);
  assert.ok(v2(doc), JSON.stringify(v2.errors));
});

test('codes lists the diagnostic registry', () => {
  const codes = k.codes();
  assert.ok(codes.some((c) => c.code === 'kuma'));
  assert.ok(codes.every((c) => typeof c.description === 'string' && c.description.length > 0));
});

test('resourceTypes gives the core facts about each resource type, as fresh plain data', () => {
  const types = k.resourceTypes();
  assert.ok(isPlain(types));
  assert.deepEqual(types.map((t) => t.name).sort(), Object.keys(k.schema()));
  const byName = Object.fromEntries(types.map((t) => [t.name, t]));
  assert.equal(byName.Mesh.meshScoped, false);
  assert.equal(byName.HostnameGenerator.meshScoped, false);
  assert.equal(byName.MeshMultiZoneService.meshScoped, true);
  // MeshServices come from the zones; everything else is written on global.
  assert.deepEqual(types.filter((t) => !t.writtenOnGlobal).map((t) => t.name), ['MeshService']);
  for (const t of types) {
    assert.equal(typeof t.apiVersion, 'string');
    assert.equal(t.meshLabel !== null, t.meshScoped, `${t.name}: a mesh label exactly when mesh-scoped`);
  }
  types[0].name = 'changed';
  assert.notEqual(k.resourceTypes()[0].name, 'changed');
});

test('kumaVersions lists every release the core accepts, newest first, with the default', () => {
  const versions = k.kumaVersions();
  assert.ok(isPlain(versions));
  assert.deepEqual(versions.releases, ['3.0', '2.14', '2.13', '2.12', '2.11', '2.10', '2.9']);
  assert.equal(versions.default, '3.0');
  // Each is a release the core's own parse names as itself, and schema() has each one's schemas.
  for (const release of versions.releases) {
    assert.equal(k.kumaVersion(release), release);
    assert.deepEqual(k.schema({ kumaVersion: release }), require(`${PKG}/data/schemas.json`)[release]);
  }
  // `2.x` is a spelling of the newest 2.x release, not a release of its own.
  assert.equal(k.kumaVersion('2.x'), versions.releases.find((r) => r.startsWith('2.')));
  // The core's own list (in its error for an unknown release) is the same, in the same order.
  assert.throws(() => k.kumaVersion('1.0'), (e) => e.message.includes(`supported: ${versions.releases.join(', ')} `));
  versions.releases.push('changed');
  assert.ok(!k.kumaVersions().releases.includes('changed'));
});

test('the editor functions load their module on first use and schema() copies build-time data', () => {
  const a = k.schema();
  a.Mesh = null;
  assert.notEqual(k.schema().Mesh, null);
  assert.throws(() => k.schema({ kumaVersion: '1.0' }), /invalid option kumaVersion/);
  assert.throws(() => k.schema({ bogus: 1 }), /unknown field `bogus`/);
  assert.equal(typeof k.explain(''), 'string');
});

test('an error that the other Kuma release line accepts carries a hint; nothing else does', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'mixed', 'bad-protocol.yaml'), 'utf8');
  const all = k.validate(text).documents.flatMap((d) => d.diagnostics);
  const d = all.find((x) => x.field === 'spec.ports[0].appProtocol');
  // Kuma's message is unchanged; the hint is its own field.
  assert.equal(d.message, 'appProtocol must be one of: grpc, http, http2, tcp');
  assert.equal(
    d.hint,
    'Kuma 2.14 accepts this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0',
  );
  // Under 2.x the same file has no error, so no hint (warnings never get one).
  const v2 = k.validate(text, { kumaVersion: '2.x' }).documents.flatMap((x) => x.diagnostics);
  assert.ok(v2.every((x) => !('hint' in x)), JSON.stringify(v2));
  // And the other way round: only 3.0 balances towards a MeshExternalService.
  const mlbs = [
    'type: MeshLoadBalancingStrategy',
    'name: lb',
    'mesh: default',
    'spec:',
    '  to:',
    '  - targetRef: {kind: MeshExternalService, labels: {kuma.io/display-name: httpbin}}',
    '    default: {loadBalancer: {type: Random}}',
    '',
  ].join('\n');
  const [e] = k.validate(mlbs, { kumaVersion: '2.14' }).documents[0].diagnostics;
  assert.equal(e.field, 'spec.to[0].targetRef.kind');
  assert.match(e.hint, /^Kuma 3\.0 accepts this; .* instead of 2\.14$/);
  assert.deepEqual(k.validate(mlbs).documents[0].diagnostics, []);
});

test('an argument that is not a string is a TypeError naming it, not a trap of the wasm', () => {
  // wasm-bindgen's glue passes a number, object or boolean on as a bad pointer: `RuntimeError:
  // memory access out of bounds`, and null a TypeError about `length`.
  const at = { line: 0, character: 0 };
  for (const bad of [5, {}, true, null, undefined, Symbol('x'), ['a: 1']]) {
    const what = String(typeof bad === 'symbol' ? 'a symbol' : JSON.stringify(bad));
    assert.throws(() => k.validate(bad), { name: 'TypeError', message: 'text must be a string' }, `validate(${what})`);
    assert.throws(() => k.hover(bad, at), { name: 'TypeError', message: 'text must be a string' }, `hover(${what})`);
    assert.throws(() => k.complete(bad, at), { name: 'TypeError', message: 'text must be a string' }, `complete(${what})`);
    assert.throws(() => k.kumaVersion(bad), { name: 'TypeError', message: 'spelling must be a string' }, `kumaVersion(${what})`);
  }
  // preview and explain take a text or files: the element and field that is wrong are named.
  for (const fn of [k.preview, k.explain]) {
    assert.throws(() => fn(5), { name: 'TypeError', message: /^invalid input: expected a string or an array of \{path, text\}, not a number$/ });
    assert.throws(() => fn({ path: 'a', text: '' }), { name: 'TypeError', message: /not an object$/ });
    assert.throws(() => fn([{ path: 'a', text: '' }, null]), { name: 'TypeError', message: /^invalid input: input\[1\] must be an object \{path, text, zone\?\}, not null$/ });
    assert.throws(() => fn([{ path: 'a', text: 5 }]), { name: 'TypeError', message: 'invalid input: input[0].text must be a string' });
    assert.throws(() => fn([{ text: '' }]), { name: 'TypeError', message: 'invalid input: input[0].path must be a string' });
    assert.throws(() => fn([{ path: 'a', text: '', zone: 1 }]), { name: 'TypeError', message: 'invalid input: input[0].zone must be a string' });
  }
  // An absent zone, as undefined or null, is the global's; and the module is unharmed.
  assert.equal(k.preview([{ path: 'a', text: '', zone: null }, { path: 'b', text: '', zone: undefined }]).diagnostics.length, 2);
  assert.equal(k.validate('x: [').diagnostics[0].code, 'syntax');
  assert.notEqual(k.hover('type: Mesh\n', { line: 0, character: 1 }), null);
});
