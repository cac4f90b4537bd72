'use strict';
// SARIF for GitHub code scanning: valid against the SARIF 2.1.0 JSON schema (shipped by the
// @microsoft/jest-sarif package, read offline), repository-relative URIs under %SRCROOT% also
// for absolute operands, rule levels from the core's severities, and a help section per code.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { FIXTURES, REPO, PKG, runCli, sarifValidator } = require('./helpers.js');

const core = require(path.join(PKG, 'node', 'kuma_mzs.js'));


const validate = sarifValidator();

function assertValid(sarif) {
  const ok = validate(sarif);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
}

test('the SARIF is valid SARIF 2.1.0 and a broken log is not', () => {
  const r = runCli(['validate', '--format', 'sarif', '--sarif-help-uri', 'https://example.org/kuma-mzs/docs/codes.md', 'mixed']);
  assert.equal(r.code, 1);
  const sarif = JSON.parse(r.stdout);
  assertValid(sarif);
  const broken = structuredClone(sarif);
  broken.runs[0].results[0].level = 'fatal';
  assert.equal(validate(broken), false);
  const rule = sarif.runs[0].tool.driver.rules.find((x) => x.id === 'MZS103');
  assert.equal(rule.helpUri, 'https://example.org/kuma-mzs/docs/codes.md#mzs103');
});

test('URIs are relative to %SRCROOT%, also for absolute operands; files outside get file:// URIs', () => {
  const absolute = path.join(FIXTURES, 'mixed', 'bad-protocol.yaml');
  const r = runCli(['validate', '--format', 'sarif', absolute, 'mixed/broken.json']);
  const sarif = JSON.parse(r.stdout);
  assertValid(sarif);
  const [run] = sarif.runs;
  const locations = run.results.map((x) => x.locations[0].physicalLocation.artifactLocation);
  assert.ok(locations.some((l) => l.uri === 'mixed/bad-protocol.yaml' && l.uriBaseId === '%SRCROOT%'), JSON.stringify(locations));
  assert.ok(locations.some((l) => l.uri === 'mixed/broken.json' && l.uriBaseId === '%SRCROOT%'));
  assert.ok(locations.every((l) => !l.uri.startsWith('/')));
  assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, new URL(`file://${FIXTURES}/`).href);

  // --srcroot moves the base; a file outside it is addressed absolutely.
  const moved = JSON.parse(runCli(['validate', '--format', 'sarif', '--srcroot', 'mixed', absolute, 'preview/global.yaml']).stdout);
  assertValid(moved);
  const uris = moved.runs[0].results.map((x) => x.locations[0].physicalLocation.artifactLocation);
  assert.ok(uris.some((l) => l.uri === 'bad-protocol.yaml' && l.uriBaseId === '%SRCROOT%'), JSON.stringify(uris));
});

test('rule levels are the core severities and results keep their own', () => {
  const r = runCli(['validate', '--format', 'sarif', 'k8s-repo']);
  assert.equal(r.code, 0, r.stderr);
  const sarif = JSON.parse(r.stdout);
  assertValid(sarif);
  const [run] = sarif.runs;
  const level = { error: 'error', warning: 'warning', info: 'note' };
  const codes = core.codes();
  assert.equal(run.tool.driver.rules.length, codes.length);
  for (const c of codes) {
    const rule = run.tool.driver.rules.find((x) => x.id === c.code);
    assert.equal(rule.defaultConfiguration.level, level[c.severity], c.code);
    assert.match(rule.help.text, new RegExp(`docs/codes\\.md#${c.helpAnchor}`));
  }
  const byRule = (id) => run.tool.driver.rules.find((x) => x.id === id).defaultConfiguration.level;
  assert.equal(byRule('unknown-resource'), 'error');
  assert.equal(byRule('unmodelled-kind'), 'note');
  assert.equal(byRule('MZS008'), 'warning');
  for (const result of run.results) {
    assert.equal(result.level, byRule(result.ruleId), JSON.stringify(result));
  }
  assert.deepEqual(run.results.map((x) => x.ruleId), ['unmodelled-kind', 'unmodelled-kind', 'MZS008']);
});

test('a version hint follows the message on its own line and is a result property', () => {
  const r = runCli(['validate', '--format', 'sarif', 'mixed/bad-protocol.yaml']);
  const sarif = JSON.parse(r.stdout);
  assertValid(sarif);
  const result = sarif.runs[0].results.find((x) => x.properties && x.properties.field === 'spec.ports[0].appProtocol');
  const hint = 'Kuma 2.14 accepts this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0';
  assert.equal(result.message.text, `spec.ports[0].appProtocol: appProtocol must be one of: grpc, http, http2, tcp\nhint: ${hint}`);
  assert.deepEqual(result.properties, { field: 'spec.ports[0].appProtocol', hint });
  const plain = JSON.parse(runCli(['validate', '--format', 'sarif', '--kuma-version', '2.x', 'mixed/bad-protocol.yaml']).stdout);
  assert.ok(plain.runs[0].results.every((x) => !/hint/.test(x.message.text) && !(x.properties && x.properties.hint)));
});

test('docs/codes.md has a section for every code, with the core severity', () => {
  const doc = fs.readFileSync(path.join(REPO, 'docs', 'codes.md'), 'utf8');
  const name = { error: 'Error', warning: 'Warning', info: 'Info' };
  for (const c of core.codes()) {
    const heading = `\n## ${c.helpAnchor}\n`;
    const at = doc.indexOf(heading);
    assert.ok(at >= 0, `docs/codes.md has no section ${heading.trim()}`);
    const body = doc.slice(at + heading.length).trimStart();
    assert.ok(body.startsWith(`**${name[c.severity]}`), `${c.code}: ${body.slice(0, 40)}`);
  }
});

// fixtures/cli-ci/repo: k8s/kuma/mzs-bad.yaml (an error at 6:35), k8s/..weird.yaml (the same).
const K8S = path.join(FIXTURES, 'cli-ci', 'repo', 'k8s');

/** The artifactLocation of every result of a SARIF run of the CLI in `cwd`. */
function locations(args, options) {
  const r = runCli(args, options);
  const sarif = JSON.parse(r.stdout);
  assertValid(sarif);
  return sarif.runs[0].results.map((x) => x.locations[0].physicalLocation.artifactLocation);
}

test('--srcroot with relative operands: files are read from the working directory, and URIs say so', () => {
  // In repo/k8s, `--srcroot .. kuma/` used to give kuma/mzs-bad.yaml: the operand resolved against the srcroot.
  const expected = [{ uri: 'k8s/kuma/mzs-bad.yaml', uriBaseId: '%SRCROOT%' }];
  for (const command of ['validate', 'preview']) {
    assert.deepEqual(locations([command, '--format', 'sarif', '--srcroot', '..', 'kuma/'], { cwd: K8S }), expected, command);
  }
  // Standard input named with --stdin-filename is resolved the same way.
  const input = fs.readFileSync(path.join(K8S, 'kuma', 'mzs-bad.yaml'));
  const named = locations(['validate', '--format', 'sarif', '--srcroot', '..', '--stdin-filename', 'kuma/mzs-bad.yaml', '-'], { cwd: K8S, input });
  assert.deepEqual(named, expected);
  // A name that starts with two dots is inside the srcroot, not outside it.
  assert.deepEqual(locations(['validate', '--format', 'sarif', '--srcroot', '.', '..weird.yaml'], { cwd: K8S }), [
    { uri: '..weird.yaml', uriBaseId: '%SRCROOT%' },
  ]);
  // A file that is outside keeps its absolute file:// URI.
  const outside = locations(['validate', '--format', 'sarif', '--srcroot', 'kuma', '..weird.yaml'], { cwd: K8S });
  assert.deepEqual(outside, [{ uri: new URL(`file://${path.join(K8S, '..weird.yaml')}`).href }]);
});

test('--sarif-help-uri must be an http(s) URL, and each rule\'s help then links there', () => {
  for (const bad of ['not a url', 'file:///tmp/codes.md', 'javascript:alert(1)', 'docs/codes.md']) {
    const r = runCli(['validate', '--format', 'sarif', '--sarif-help-uri', bad, 'mixed/valid-mzs.yaml']);
    assert.equal(r.code, 2, bad);
    assert.equal(r.stdout, '', bad);
    assert.match(r.stderr, new RegExp(`^kuma-mzs: --sarif-help-uri: ${JSON.stringify(bad).replace(/[.()/]/g, '\\$&')} is not an http\\(s\\) URL`), bad);
  }
  // Each rule adds its own anchor: a fragment would make two.
  const fragment = runCli(['validate', '--format', 'sarif', '--sarif-help-uri', 'https://ex.com/codes.md#x', 'mixed/valid-mzs.yaml']);
  assert.equal(fragment.code, 2);
  assert.match(fragment.stderr, /has a #fragment/);
  // A SARIF URI has no raw space: the URL as the URL parser writes it.
  const spaced = runCli(['validate', '--format', 'sarif', '--sarif-help-uri', 'https://ex.com/a b/codes.md', 'mixed']);
  assert.ok(JSON.parse(spaced.stdout).runs[0].tool.driver.rules.every((rule) => rule.helpUri.startsWith('https://ex.com/a%20b/codes.md#')));
  // --srcroot names a directory.
  const root = runCli(['validate', '--format', 'sarif', '--srcroot', 'no-such-dir', 'mixed/valid-mzs.yaml']);
  assert.equal(root.code, 2);
  assert.match(root.stderr, /--srcroot: "no-such-dir" is not a directory/);
  const base = 'https://example.org/kuma-mzs/blob/main/docs/codes.md';
  const r = runCli(['preview', '--format', 'sarif', '--sarif-help-uri', base, 'preview']);
  assert.equal(r.code, 0, r.stderr);
  const sarif = JSON.parse(r.stdout);
  assertValid(sarif);
  for (const rule of sarif.runs[0].tool.driver.rules) {
    const anchor = rule.helpUri.slice(rule.helpUri.indexOf('#') + 1);
    assert.equal(rule.helpUri, `${base}#${anchor}`);
    // The markdown linked the relative docs/codes.md#..., which resolves nowhere a reader is.
    assert.ok(rule.help.markdown.endsWith(`(${base}#${anchor}).`), rule.help.markdown);
    assert.ok(rule.help.text.includes(`${base}#${anchor}`), rule.help.text);
  }
});
