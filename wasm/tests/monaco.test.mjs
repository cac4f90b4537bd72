// The Monaco example's position conversions (examples/editors/monaco/markers.js) against real
// validate() output on a line with non-ASCII text.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { PKG, REPO } = require('./helpers.js');
const k = require(PKG);
const { toMarkers, toMonacoRange, toEditorPosition, MarkerSeverity, monacoSchemas, diagnosticText } = await import(`${REPO}/examples/editors/monaco/markers.js`);
const { devRequire } = require('./helpers.js');

test('markers use 1-based UTF-16 columns', () => {
  const text = 'type: MeshMultiZoneService\nname: é🎉 : x\n';
  const [marker] = toMarkers(k.validate(text));
  const line = text.split('\n')[1];
  assert.equal(marker.startLineNumber, 2);
  assert.equal(marker.startColumn, line.lastIndexOf(':') + 1, 'Monaco column of the second colon');
  assert.equal(marker.severity, MarkerSeverity.Error);
  assert.equal(marker.code, 'syntax');
});

test('Monaco positions round-trip through hover', () => {
  const text = 'type: MeshMultiZoneService\nspec:\n  ports:\n  - port: 80\n';
  const h = k.hover(text, toEditorPosition({ lineNumber: 4, column: 6 }));
  assert.deepEqual(toMonacoRange(h.range), { startLineNumber: 4, startColumn: 5, endLineNumber: 4, endColumn: 9 });
});

test('monaco-yaml gets each document checked against its own kind only', () => {
  const Ajv = devRequire('ajv');
  const ajv = new Ajv({ strict: false, allErrors: true });
  const entries = monacoSchemas(k.schema());
  for (const e of entries) ajv.addSchema(e.schema, e.uri);
  const matched = entries.filter((e) => e.fileMatch.length > 0);
  assert.equal(matched.length, 1, 'one schema for *.yaml, not one per kind');
  const validate = ajv.getSchema(matched[0].uri);
  const mzs = { type: 'MeshMultiZoneService', name: 'b', mesh: 'default', spec: { selector: { meshService: { matchLabels: { app: 'b' } } }, ports: [{ port: 80 }] } };
  assert.ok(validate(mzs), JSON.stringify(validate.errors));
  const ms = { apiVersion: 'kuma.io/v1alpha1', kind: 'MeshService', metadata: { name: 'b' }, spec: { ports: [{ port: 80 }] } };
  assert.ok(validate(ms), JSON.stringify(validate.errors));
  assert.ok(!validate({ ...mzs, spec: { ...mzs.spec, ports: [{ port: 80, appProtocol: 'httpx' }] } }));
});

test('messages do not repeat the field path', () => {
  assert.equal(diagnosticText({ field: 'spec.ports', message: 'spec.ports in body should have at least 1 items' }), 'spec.ports in body should have at least 1 items');
  assert.equal(diagnosticText({ field: 'spec.ports[0].port', message: 'must be positive' }), 'spec.ports[0].port: must be positive');
});
