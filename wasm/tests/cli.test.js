'use strict';
// The kuma-mzs command line: formats, exit codes, stdin, directories and globs, preview.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { FIXTURES, runCli } = require('./helpers.js');
const { globToRegExp } = require('../npm/lib/files.js');

test('a valid file exits 0 and prints nothing on stdout', () => {
  const r = runCli(['validate', 'mixed/valid-mzs.yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /0 error\(s\), 0 warning\(s\) in 1 file\(s\)/);
});

test('text format: file:line:column: severity: field: message, exit 1 on errors', () => {
  const r = runCli(['validate', 'mixed/broken.json', 'mixed/bad-protocol.yaml']);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^mixed\/broken\.json:2:1: error: invalid JSON|^mixed\/broken\.json:\d+:\d+: error: /);
  assert.ok(
    lines.includes('mixed/bad-protocol.yaml:12:18: error: spec.ports[0].appProtocol: appProtocol must be one of: grpc, http, http2, tcp'),
    r.stdout,
  );
});

test('--kuma-version 2.x applies Kuma 2.x rules', () => {
  const r = runCli(['validate', '--kuma-version', '2.x', 'mixed/bad-protocol.yaml']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('json format lists every file and document with 1-based positions', () => {
  const r = runCli(['validate', '--format', 'json', 'mixed']);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.files.map((f) => f.path), [
    'mixed/bad-protocol.yaml', 'mixed/broken.json', 'mixed/deployment.yaml', 'mixed/valid-mzs.yaml',
  ]);
  const broken = out.files[1];
  assert.equal(broken.diagnostics[0].code, 'syntax');
  assert.ok(broken.diagnostics[0].range.start.line >= 1 && broken.diagnostics[0].range.start.column >= 1);
  assert.deepEqual(Object.keys(broken.diagnostics[0].range.start), ['line', 'column']);
  const valid = out.files[3].documents[0];
  assert.deepEqual([valid.kind, valid.name, valid.mesh], ['MeshMultiZoneService', 'backend', 'default']);
  // A file that is not a Kuma resource is reported, not fatal.
  const deployment = out.files[2].documents[0];
  assert.equal(deployment.kind, 'Deployment');
  assert.ok(deployment.diagnostics.some((d) => d.code === 'unknown-resource'), JSON.stringify(deployment));
});

test('sarif format is SARIF 2.1.0 with rules from the code registry', () => {
  const r = runCli(['validate', '--format=sarif', 'mixed/broken.json', 'mixed/valid-mzs.yaml']);
  assert.equal(r.code, 1);
  const sarif = JSON.parse(r.stdout);
  assert.equal(sarif.version, '2.1.0');
  const [run] = sarif.runs;
  assert.equal(run.tool.driver.name, 'kuma-mzs');
  const ids = run.tool.driver.rules.map((x) => x.id);
  assert.ok(['syntax', 'kuma', 'schema', 'MZS001'].every((id) => ids.includes(id)), ids.join());
  const [result] = run.results;
  assert.equal(result.ruleId, 'syntax');
  assert.equal(run.tool.driver.rules[result.ruleIndex].id, 'syntax');
  assert.equal(result.level, 'error');
  const loc = result.locations[0].physicalLocation;
  assert.equal(loc.artifactLocation.uri, 'mixed/broken.json');
  assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
});

test('stdin with -', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'mixed', 'broken.json'), 'utf8');
  const r = runCli(['validate', '-'], { input: text });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^<stdin>:\d+:\d+: error: /);
  const ok = runCli(['validate', '-'], { input: fs.readFileSync(path.join(FIXTURES, 'mixed', 'valid-mzs.yaml')) });
  assert.equal(ok.code, 0, ok.stdout);
});

test('globs expand like a shell would', () => {
  const r = runCli(['validate', '--format', 'json', 'mixed/*.yaml']);
  assert.deepEqual(JSON.parse(r.stdout).files.map((f) => f.path), [
    'mixed/bad-protocol.yaml', 'mixed/deployment.yaml', 'mixed/valid-mzs.yaml',
  ]);
  const deep = runCli(['validate', '--format', 'json', '**/zone-*.yaml']);
  assert.deepEqual(JSON.parse(deep.stdout).files.map((f) => f.path), ['preview/zone-east.yaml', 'preview/zone-west.yaml']);
  assert.ok(globToRegExp('a/**/b?.y*ml').test('a/x/y/b1.yaml'));
  assert.ok(!globToRegExp('a/*.yaml').test('a/x/b.yaml'));
});

test('usage and IO errors exit 2 with a message', () => {
  for (const args of [
    [],
    ['frobnicate'],
    ['validate'],
    ['validate', '--format', 'xml', 'mixed'],
    ['validate', '--kuma-version', '1.0', 'mixed'],
    ['validate', '--colour', 'mixed'],
    ['validate', 'no-such-file.yaml'],
    ['validate', 'nothing-*.yaml'],
  ]) {
    const r = runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /^kuma-mzs: /);
  }
  const help = runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /kuma-mzs validate/);
});

test('non-UTF-8 input is an IO error, not a crash', () => {
  const r = runCli(['validate', '-'], { input: Buffer.from([0x61, 0x3a, 0x20, 0xff, 0x0a]) });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not UTF-8/);
});

test('preview --format json prints the zones of the core preview', () => {
  const r = runCli(['preview', '--format', 'json', 'preview']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['zones']);
  assert.deepEqual(out.zones.map((z) => z.zone), ['east', 'west']);
  const mzs = out.zones[0].multiZoneServices[0];
  assert.deepEqual(Object.keys(mzs), ['mesh', 'name', 'status', 'ports', 'traffic', 'warnings']);
  assert.equal(mzs.status.meshServices.length, 2);
});

test('preview --zones adds zones and the text format explains', () => {
  const r = runCli(['preview', '--zones', 'east,north', 'preview/global.yaml', 'preview/zone-east.yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /zone east/);
  assert.match(r.stdout, /zone north/);
  const bad = runCli(['preview', '--mzs-cidr', 'nope', 'preview']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /mzsCidr/);
});

test('preview --down-zones fails traffic over to the other zone', () => {
  const r = runCli(['preview', '--format', 'json', '--down-zones', 'east', 'preview']);
  assert.equal(r.code, 0, r.stderr);
  const east = JSON.parse(r.stdout).zones.find((z) => z.zone === 'east');
  const [traffic] = east.multiZoneServices[0].traffic;
  assert.deepEqual(traffic.shares, { west: 1 });
});

test('schema prints JSON Schemas', () => {
  const r = runCli(['schema', 'MeshMultiZoneService']);
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.stdout).title, 'MeshMultiZoneService');
  assert.equal(runCli(['schema', 'Nope']).code, 2);
});
