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
