'use strict';
// A document as `kumactl get -o yaml` prints it (times, kri, snis and a status included) is a
// valid document to apply again under every release: the read-only fields are ignored, with the
// MZS007 warning, never an error.
const test = require('node:test');
const assert = require('node:assert/strict');
const { runCli } = require('./helpers.js');

test('a read-back MeshMultiZoneService validates clean under every release', () => {
  for (const version of ['2.9', '2.10', '2.11', '2.12', '2.13', '2.14', '3.0']) {
    const r = runCli(['validate', '--format', 'json', '--kuma-version', version, 'read-back/redis-mzs.yaml']);
    assert.equal(r.code, 0, `${version}: ${r.stdout}${r.stderr}`);
    const [doc] = JSON.parse(r.stdout).files[0].documents;
    const errors = doc.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], version);
    const ignored = doc.diagnostics.filter((d) => d.code === 'MZS007').map((d) => d.field);
    assert.deepEqual(ignored, ['creationTime', 'modificationTime', 'kri', 'snis', 'status'], version);
  }
});

// What kuma-local and Kuma refuse on a PUT (and kumactl apply before it), the CLI reports at the
// value: a read-only field of the wrong type.
test('a read-only field of the wrong type is the error Kuma gives, at its line and column', () => {
  const text = [
    'type: MeshMultiZoneService',
    'name: redis',
    'mesh: default',
    'spec:',
    '  selector:',
    '    meshService:',
    '      matchLabels: {kuma.io/display-name: redis}',
    '  ports:',
    '  - port: 6379',
    'status:',
    '  meshServices: x',
    '',
  ].join('\n');
  const r = runCli(['validate', '--kuma-version', '2.14', '-'], { input: text });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^<stdin>:11:17: error: status\.meshServices in body must be of type array: "string"/m);
  // With the schema satisfied, Go's decoder refuses a time that is not a string.
  const time = text.replace('  meshServices: x\n', '  meshServices: []\ncreationTime: []\n');
  const t = runCli(['validate', '--kuma-version', '2.14', '-'], { input: time });
  assert.equal(t.code, 1, t.stdout + t.stderr);
  assert.match(t.stdout, /^<stdin>:12:\d+: error: creationTime: Time\.UnmarshalJSON: input is not a JSON string/m);
});
