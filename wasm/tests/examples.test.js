'use strict';
// examples/yaml/ is what a user copies first: Kuma's docs example of one redis in two zones.
// It must be clean under the releases it is written for, say why under the older ones, and
// preview to what the README of examples/yaml shows.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { runCli } = require('./helpers.js');
const { kumaVersions } = require('../pkg');

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES = 'examples/yaml/';

function validate(kumaVersion) {
  const r = runCli(['validate', '--format', 'json', '--kuma-version', kumaVersion, EXAMPLES], { cwd: ROOT });
  assert.equal(r.code, 0, `${kumaVersion}: ${r.stdout}${r.stderr}`);
  const findings = [];
  for (const f of JSON.parse(r.stdout).files) {
    for (const doc of f.documents) {
      for (const d of doc.diagnostics) findings.push(`${f.path}: ${d.field}: ${d.code}`);
    }
    for (const d of f.diagnostics) findings.push(`${f.path}: ${d.code}`);
  }
  return findings;
}

test('the YAML example validates clean from Kuma 2.14 on, and names the one field older releases ignore', () => {
  const { releases } = kumaVersions();
  assert.ok(releases.length >= 7, JSON.stringify(releases));
  for (const release of releases) {
    const findings = validate(release);
    const [major, minor] = release.split('.').map(Number);
    if (major >= 3 || minor >= 14) {
      assert.deepEqual(findings, [], release);
    } else {
      // dataplaneLabels is new in 2.14: the comment in each zone file says what to write instead.
      assert.deepEqual(
        findings,
        ['east', 'west'].map((z) => `examples/yaml/zones/${z}/redis.yaml: spec.selector.dataplaneLabels: MZS005`),
        release,
      );
    }
  }
});

test('the YAML example previews a VIP and redis.mzsvc.mesh.local in both zones, without warnings', () => {
  const r = runCli(['preview', '--zones', 'east,west', '--format', 'json', EXAMPLES], { cwd: ROOT });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.zones.map((z) => z.zone), ['east', 'west']);
  for (const zone of out.zones) {
    const [redis] = zone.multiZoneServices;
    assert.equal(redis.name, 'redis');
    assert.deepEqual(redis.status.vips, [{ ip: '243.0.0.0' }], zone.zone);
    assert.deepEqual(redis.status.addresses.map((a) => a.hostname), ['redis.mzsvc.mesh.local'], zone.zone);
    assert.deepEqual(redis.status.meshServices.map((m) => m.zone), ['east', 'west'], zone.zone);
    assert.deepEqual(redis.warnings, [], zone.zone);
  }
});
