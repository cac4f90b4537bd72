'use strict';
// The kuma-mzs command line: formats, exit codes, stdin, directories and globs, preview.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { CLI, FIXTURES, PKG, runCli } = require('./helpers.js');
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

test('--system-namespace: a Kubernetes MZS outside Kuma\'s namespace is the webhook\'s error', () => {
  const manifest = `apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneService
metadata:
  name: redis
  namespace: kong-mesh-system
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  ports: [{port: 6379}]
`;
  const refused = runCli(['validate', '-'], { input: manifest });
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stdout.trim(),
    '<stdin>:5:14: error: metadata.namespace: on Global CP the policy can be created only in the system namespace:kuma-system',
  );
  for (const command of ['validate', 'preview']) {
    const kong = runCli([command, '--system-namespace', 'kong-mesh-system', '-'], { input: manifest });
    assert.equal(kong.code, 0, kong.stdout + kong.stderr);
    // A namespace Kuma could not run in is a usage error naming the flag, not silently used.
    const typo = runCli([command, '--system-namespace', 'Kong_Mesh', '-'], { input: manifest });
    assert.equal(typo.code, 2, typo.stdout + typo.stderr);
    assert.match(typo.stderr, /^kuma-mzs: --system-namespace: "Kong_Mesh" is not a Kubernetes namespace: a lowercase RFC 1123 label must consist of/);
  }
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
  // A document that is not a Kuma resource is listed but skipped by default ...
  const deployment = out.files[2].documents[0];
  assert.equal(deployment.kind, 'Deployment');
  assert.deepEqual(deployment.diagnostics, []);
  // ... and reported with --strict.
  const strict = JSON.parse(runCli(['validate', '--strict', '--format', 'json', 'mixed']).stdout);
  const reported = strict.files[2].documents[0];
  assert.ok(reported.diagnostics.some((d) => d.code === 'unknown-resource'), JSON.stringify(reported));
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
  // Help asked of a command is help, not a usage error.
  for (const args of [['validate', '--help'], ['preview', '-h'], ['validate', '--format', 'json', '--help']]) {
    const r = runCli(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /kuma-mzs preview/);
    assert.equal(r.stderr, '');
  }
});

test('non-UTF-8 input is a located limit error, not a crash', () => {
  const r = runCli(['validate', '-'], { input: Buffer.from([0x61, 0x3a, 0x20, 0xff, 0x0a]) });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^<stdin>:1:1: error: the input is not valid UTF-8 text \(invalid byte 0xFF at offset 3, line 1\)$/m);
  // Lines counted as the core counts them: \n, \r\n and a lone \r each end one.
  const mixed = runCli(['validate', '-'], { input: Buffer.from('a: 1\rb: 2\r\nc: \xff\n', 'latin1') });
  assert.match(mixed.stdout, /invalid byte 0xFF at offset 14, line 3\)$/m);
});

test('preview --format json prints the zones of the core preview', () => {
  const r = runCli(['preview', '--format', 'json', 'preview']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['zones', 'skipped', 'files']);
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
  // The error names the command-line flag, not the API option.
  assert.match(bad.stderr, /^kuma-mzs: --mzs-cidr: "nope" is not an IPv4 CIDR/);
  assert.doesNotMatch(bad.stderr, /mzsCidr/);
});

test('preview without any zone says how to name them instead of passing for a clean result', () => {
  const lone = 'type: MeshMultiZoneService\nname: a\nmesh: default\nspec:\n  selector: {meshService: {matchLabels: {app: nothing}}}\n  ports: [{port: 80, appProtocol: http}]\n';
  const r = runCli(['preview', '-'], { input: lone });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /matched 0 MeshService\(s\)/);
  assert.match(r.stderr, /^kuma-mzs: no zone to preview: name them with --zones a,b or --zone ZONE=PATH/m);
  // With a zone the zone says it (MZS103), and the note is gone.
  const zoned = runCli(['preview', '--zones', 'east', '-'], { input: lone });
  assert.match(zoned.stdout, /MZS103/);
  assert.doesNotMatch(zoned.stderr, /no zone to preview/);
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

test('an ordinary Kubernetes repository: only the Kuma problems, exit 0; --strict makes the rest errors', () => {
  const r = runCli(['validate', 'k8s-repo']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  // The Kuma kinds kuma-mzs does not model are info; the MZS's repeated key is a warning;
  // the Deployment, the Service and the Helm template say nothing.
  assert.deepEqual(lines.map((l) => l.split(': ')[0] + ': ' + l.split(': ')[1]), [
    'k8s-repo/kuma/policies.yaml:2:7: info',
    'k8s-repo/kuma/policies.yaml:13:7: info',
    'k8s-repo/kuma/web-mzs.yaml:14:9: warning',
  ]);
  assert.match(lines[0], /MeshTimeout is a Kuma resource kuma-mzs does not check/);
  assert.match(lines[2], /key app is written twice in this mapping; Kuma keeps the last value/);
  assert.doesNotMatch(r.stdout, /apps\/web\.yaml|chart/);
  assert.match(r.stderr, /0 error\(s\), 1 warning\(s\), 2 info in 4 file\(s\)/);

  const strict = runCli(['validate', '--strict', 'k8s-repo']);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /k8s-repo\/apps\/web\.yaml:2:7: error: kind: unknown resource type `Deployment`/);
  assert.match(strict.stdout, /k8s-repo\/chart\/templates\/deployment\.yaml:\d+:\d+: error: /);
  assert.match(strict.stdout, /k8s-repo\/kuma\/policies\.yaml:2:7: error: kind: unknown resource type `MeshTimeout`/);
});

test('--max-bytes raises (or lowers) the size limit', () => {
  const big = 'type: MeshMultiZoneService\nname: big\nmesh: default\n' + '# padding padding padding\n'.repeat(45000)
    + 'spec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n  ports:\n  - port: 80\n';
  assert.ok(big.length > 1024 * 1024);
  const refused = runCli(['validate', '-'], { input: big });
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /error: .*1048576/);
  const raised = runCli(['validate', '--max-bytes', '2000000', '-'], { input: big });
  assert.equal(raised.code, 0, raised.stdout + raised.stderr);
  const bad = runCli(['validate', '--max-bytes', 'lots', '-'], { input: big });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^kuma-mzs: --max-bytes: "lots" is not a positive number of bytes/);
});

test('--kuma-version goes to the core as written, and its errors name the flag', () => {
  const r = runCli(['validate', '--kuma-version', '2.x', 'mixed/valid-mzs.yaml']);
  assert.equal(r.code, 0, r.stderr);
  const bad = runCli(['validate', '--kuma-version', '1.0', 'mixed/valid-mzs.yaml']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^kuma-mzs: --kuma-version: "1\.0" is not a supported Kuma version; supported: 3\.0, 2\.14, /);
});

test('preview reports the MZS it skipped and why instead of "no MZS"', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'kuma-mzs-'));
  const global = fs.readFileSync(path.join(FIXTURES, 'preview', 'global.yaml'), 'utf8').replace('appProtocol: http', 'appProtocol: httpx');
  fs.writeFileSync(path.join(dir, 'global.yaml'), global);
  fs.copyFileSync(path.join(FIXTURES, 'preview', 'zone-east.yaml'), path.join(dir, 'zone-east.yaml'));
  const r = runCli(['preview', 'global.yaml', 'zone-east.yaml'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^global\.yaml:12:18: error: spec\.ports\[0\]\.appProtocol: /m);
  assert.match(r.stdout, /^global\.yaml:1:1: skipped MeshMultiZoneService default\/backend: fix 1 error at global\.yaml:12$/m);
  assert.doesNotMatch(r.stdout, /No MeshMultiZoneService in the input/);
  const json = JSON.parse(runCli(['preview', '--format', 'json', 'global.yaml', 'zone-east.yaml'], { cwd: dir }).stdout);
  assert.deepEqual(json.skipped.map((s) => [s.kind, s.name, s.reason, s.firstError.start.line]), [
    ['MeshMultiZoneService', 'backend', 'fix 1 error at global.yaml:12', 12],
  ]);
});

test('preview warnings are located in the files, with the label that differs', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'kuma-mzs-'));
  fs.copyFileSync(path.join(FIXTURES, 'preview', 'global.yaml'), path.join(dir, 'global.yaml'));
  const east = fs.readFileSync(path.join(FIXTURES, 'preview', 'zone-east.yaml'), 'utf8').replace('app: backend', 'app: backend-v2');
  fs.writeFileSync(path.join(dir, 'zone-east.yaml'), east);
  const r = runCli(['preview', '--format', 'json', 'global.yaml', 'zone-east.yaml'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const [global] = JSON.parse(r.stdout).files;
  const d = global.previewDiagnostics.find((x) => x.code === 'MZS103');
  assert.ok(d, JSON.stringify(global));
  assert.deepEqual(d.range.start, { line: 8, column: 14 });
  assert.deepEqual(d.zones, ['east']);
  assert.match(d.message, /closest is MeshService backend-east \(zone east\): label app is "backend-v2", selector wants "backend"/);
  assert.match(r.stderr, /^global\.yaml:8:14: warning: spec\.selector\.meshService\.matchLabels\["app"\]: /m);
});

test('schema messages do not repeat the field path', () => {
  const text = 'type: MeshMultiZoneService\nname: a\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n  ports: []\n';
  const r = runCli(['validate', '-'], { input: text });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^<stdin>:9:\d+: error: spec\.ports in body should have at least 1 items$/m);
  assert.doesNotMatch(r.stdout, /spec\.ports: spec\.ports/);
});

test('--kuma-version takes a Kuma release such as 2.9 (the core decides which exist)', () => {
  const r = runCli(['validate', '--kuma-version', '2.9', 'mixed/bad-protocol.yaml']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // Spellings of one release give one answer: a patch version with a leading v, and 2.x (= 2.14).
  const patch = runCli(['validate', '--kuma-version', 'v2.14.3', 'mixed/bad-protocol.yaml']);
  const same = runCli(['validate', '--kuma-version', '2.x', 'mixed/bad-protocol.yaml']);
  assert.equal(patch.code, 0, patch.stdout + patch.stderr);
  assert.equal(patch.stdout, same.stdout);
  assert.match(same.stdout, /Invalid MeshMultiZoneService resource name: '1-backend'/);
});

const HINT_2X =
  'Kuma 2.14 accepts this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0';

test('an error that the other Kuma release line accepts gets an indented hint line (json: a hint field)', () => {
  const r = runCli(['validate', 'mixed/bad-protocol.yaml']);
  assert.equal(r.code, 1);
  const lines = r.stdout.split('\n');
  const at = lines.indexOf(
    'mixed/bad-protocol.yaml:12:18: error: spec.ports[0].appProtocol: appProtocol must be one of: grpc, http, http2, tcp',
  );
  assert.ok(at >= 0, r.stdout);
  assert.equal(lines[at + 1], `  hint: ${HINT_2X}`);
  // Only diagnostics with a hint get the extra line: every other line is a diagnostic.
  assert.ok(lines.filter((l) => l).every((l) => /^mixed\/bad-protocol\.yaml:\d+:\d+: /.test(l) || l === `  hint: ${HINT_2X}`), r.stdout);
  const json = JSON.parse(runCli(['validate', '--format', 'json', 'mixed/bad-protocol.yaml']).stdout);
  const d = json.files[0].documents[0].diagnostics.find((x) => x.field === 'spec.ports[0].appProtocol');
  assert.equal(d.hint, HINT_2X);
  assert.equal(d.message, 'appProtocol must be one of: grpc, http, http2, tcp');
  assert.deepEqual(Object.keys(d).slice(0, 6), ['severity', 'code', 'field', 'message', 'hint', 'range']);
  // Valid under 2.x: no hint anywhere.
  const v2 = runCli(['validate', '--kuma-version', '2.x', '--format', 'json', 'mixed/bad-protocol.yaml']);
  assert.doesNotMatch(v2.stdout, /"hint"/);
});

test('a usage mistake prints the error and where to find the usage, not the whole usage', () => {
  const bad = runCli(['validate', '--kuma-version', '2.8', 'mixed/valid-mzs.yaml']);
  assert.equal(bad.code, 2);
  assert.deepEqual(bad.stderr.trim().split('\n'), [
    'kuma-mzs: --kuma-version: "2.8" is not a supported Kuma version; supported: 3.0, 2.14, 2.13, 2.12, 2.11, 2.10, 2.9 (default 3.0; `2.x` means 2.14; a patch version or a leading `v` is accepted, e.g. v2.14.3)',
    'Run `kuma-mzs --help` for the commands and options.',
  ]);
  // Nothing asked at all: the usage is the answer.
  const none = runCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^kuma-mzs: no command\n\nUsage:/);
});

test('text lines carry the code of what kuma-mzs adds, and Kuma\'s own messages stay as Kuma prints them', () => {
  const r = runCli(['validate', 'k8s-repo/kuma/web-mzs.yaml', 'mixed/bad-protocol.yaml']);
  assert.match(r.stdout, /^k8s-repo\/kuma\/web-mzs\.yaml:14:9: warning: .*Kuma keeps the last value.* \[MZS008\]$/m);
  assert.match(r.stdout, /^mixed\/bad-protocol\.yaml:12:18: error: spec\.ports\[0\]\.appProtocol: appProtocol must be one of: grpc, http, http2, tcp$/m);
});

test('preview locates its warnings in the order of the text', () => {
  const input = [
    'type: MeshService', 'name: web', 'mesh: default', 'labels:', '  kuma.io/zone: east', '  app: web',
    'spec:', '  ports:', '  - port: 8080', '---',
    'type: MeshMultiZoneService', 'name: web', 'mesh: default', 'spec:', '  selector:', '    meshService:',
    '      matchLabels:', '        app: web', '  ports:', '  - name: http', '    port: 80', '  - port: 7000', '  - port: 81', '',
  ].join('\n');
  const r = runCli(['preview', '--zones', 'east', '-'], { input });
  const located = r.stdout.split('\n').filter((l) => l.startsWith('<stdin>:') && l.includes('[MZS101]'));
  const lines = located.map((l) => Number(l.split(':')[1]));
  assert.equal(lines.length, 3, r.stdout);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b), r.stdout);
});

test('a Helm template of a Kuma resource says to render it first, not an opaque YAML error', () => {
  const RENDER_FIRST = 'not checked: this is a Go template (Helm), not YAML yet; render it first and check the output, e.g. `helm template RELEASE CHART | kuma-mzs validate -`';
  // It used to be `1:3: error: invalid YAML: "-" is only valid inside a block` (exit 1). The
  // HostnameGenerator beside it is valid YAML whose `template` holds a Go template in a string:
  // checked as usual, and valid.
  const r = runCli(['validate', 'helm-chart']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, `helm-chart/templates/mzs.yaml:1:1: warning: ${RENDER_FIRST}\n`);
  assert.match(r.stderr, /0 error\(s\), 1 warning\(s\) in 2 file\(s\)/);
  const json = JSON.parse(runCli(['validate', '--format', 'json', 'helm-chart']).stdout);
  assert.deepEqual(json.files[0].documents.map((d) => [d.kind, d.name, d.diagnostics.length]), [['HostnameGenerator', 'mzs-local', 0]]);
  // The range is the action `{{- if .Values.mzs.enabled }}`.
  assert.deepEqual(json.files[1].diagnostics[0].range, { start: { line: 1, column: 1 }, end: { line: 1, column: 30 } });
  // --strict wants every file checked: an error.
  const strict = runCli(['validate', '--strict', 'helm-chart/templates/mzs.yaml']);
  assert.equal(strict.code, 1);
  assert.equal(strict.stdout, `helm-chart/templates/mzs.yaml:1:1: error: ${RENDER_FIRST}\n`);
  // preview leaves the file out with the same warning, in every format.
  const preview = runCli(['preview', 'helm-chart']);
  assert.equal(preview.code, 0, preview.stderr);
  assert.match(preview.stdout, /^helm-chart\/templates\/mzs\.yaml:1:1: warning: not checked: this is a Go template/m);
  assert.doesNotMatch(preview.stdout, /invalid YAML/);
  const previewJson = JSON.parse(runCli(['preview', '--format', 'json', 'helm-chart']).stdout);
  assert.deepEqual(previewJson.files[1].diagnostics.map((d) => [d.severity, d.message]), [['warning', RENDER_FIRST]]);
  // A template action where YAML reads a flow mapping (`name: {{ .Release.Name }}`) parses, and
  // is a template too; one in a block scalar is text, and the file's real errors stand.
  const flow = runCli(['validate', '-'], {
    input: 'type: MeshMultiZoneService\nname: {{ .Release.Name }}\nmesh: default\nspec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 80}]}\n',
  });
  assert.equal(flow.stdout, `<stdin>:2:7: warning: ${RENDER_FIRST}\n`);
  const block = runCli(['validate', '-'], {
    input: 'type: HostnameGenerator\nname: x\nspec:\n  template: |\n    {{ .DisplayName }}.mzs\n  selector:\n    meshMultiZoneService:\n      matchLabels: {a: b}\n',
  });
  assert.equal(block.code, 1);
  assert.match(block.stdout, /^<stdin>:5:5: error: spec\.template: template renders to "displayname\.mzs\\n" which is not a valid DNS name/);
  assert.doesNotMatch(block.stdout, /Go template/);
});

test('schema takes --kuma-version; --down-zones must name a zone of the preview', () => {
  const core = require(PKG);
  // 2.x has targetRef fields 3.0 does not (ARCHITECTURE: "fields only 2.x has").
  const v30 = JSON.parse(runCli(['schema', 'MeshLoadBalancingStrategy']).stdout);
  const v29 = JSON.parse(runCli(['schema', '--kuma-version', '2.9', 'MeshLoadBalancingStrategy']).stdout);
  assert.notDeepEqual(v29, v30);
  assert.deepEqual(JSON.parse(runCli(['schema', '--kuma-version=2.x']).stdout), core.schema({ kumaVersion: '2.14' }));
  const bad = runCli(['schema', '--kuma-version', '2.8']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^kuma-mzs: --kuma-version: "2\.8" is not a supported Kuma version; supported: 3\.0, 2\.14/);

  // The preview's zones are east and west (the MeshServices' labels): a misspelt one was ignored.
  const down = runCli(['preview', '--down-zones', 'east', 'preview']);
  assert.equal(down.code, 0, down.stderr);
  const unknown = runCli(['preview', '--down-zones', 'eats,west', 'preview']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /^kuma-mzs: --down-zones: no zone "eats" in the preview \(the zones are east, west; a zone comes from --zones, --zone or a MeshService's kuma\.io\/zone label\)\n/);
  assert.equal(runCli(['preview', '--zones', 'east,west,north', '--down-zones', 'north', 'preview']).code, 0);
});

test('a Helm template whose actions are all in strings says to render it first, not that its placeholder is a bad name', () => {
  const helm = [
    'apiVersion: kuma.io/v1alpha1', 'kind: MeshMultiZoneService', 'metadata:',
    '  name: "{{ .Values.name }}"', '  namespace: kuma-system', '  labels:', '    kuma.io/mesh: default',
    '    team: \'{{ $.Release.Name }}\'', 'spec:', '  selector:', '    meshService:', '      matchLabels:', '        app: backend',
    '  ports:', '  - port: 80', '',
  ].join('\n');
  const values = 'not checked: this is a Go template (Helm); `{{ .Values.name }}` gets its value when the chart is rendered, so render it first and check the output, e.g. `helm template RELEASE CHART | kuma-mzs validate -`';
  // It used to be a DNS-1035 error about `{{ .Values.name }}` as a name (exit 1).
  const r = runCli(['validate', '-'], { input: helm });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, `<stdin>:4:10: warning: ${values}\n`);
  const json = JSON.parse(runCli(['validate', '--format', 'json', '-'], { input: helm }).stdout);
  assert.deepEqual(json.files[0].diagnostics[0].range, { start: { line: 4, column: 10 }, end: { line: 4, column: 28 } });
  assert.equal(runCli(['validate', '--strict', '-'], { input: helm }).code, 1);
  // Kuma's own template in a HostnameGenerator reads no Helm object: a real error in the file is
  // reported as it is, and so is one beside a Prometheus rule's `{{ $labels.instance }}`.
  const kuma = runCli(['validate', '-'], {
    input: 'type: HostnameGenerator\nname: x_y\nspec:\n  template: "{{ .DisplayName }}.{{ .Zone }}.mzs"\n  selector:\n    meshMultiZoneService:\n      matchLabels: {a: b}\n',
  });
  assert.equal(kuma.code, 1);
  assert.match(kuma.stdout, /^<stdin>:2:7: error: name: invalid characters/m);
  assert.doesNotMatch(kuma.stdout, /Go template/);
  const prometheus = runCli(['validate', '-'], {
    input: 'type: MeshMultiZoneService\nname: Web\nmesh: default\nspec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 80}]}\n---\nkind: PrometheusRule\nspec:\n  summary: "{{ $labels.instance }} is down"\n',
  });
  assert.equal(prometheus.code, 1);
  assert.match(prometheus.stdout, /^<stdin>:2:7: error: name: /m);
  assert.doesNotMatch(prometheus.stdout, /Go template/);
  // A quoted template wrapped onto a line that starts with an action is still one string: the
  // file's real errors are reported (it used to be a Helm warning, exit 0).
  const wrapped = runCli(['validate', '-'], {
    input: 'type: HostnameGenerator\nname: hg\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        headless: true\n  template: "{{ label \\"k8s.kuma.io/service-name\\" }}.{{ .Namespace }}.svc.\n    {{ .Zone }}.mesh.local"\n',
  });
  assert.equal(wrapped.code, 1, wrapped.stdout);
  assert.match(wrapped.stdout, /^<stdin>:7:19: error: spec\.selector\.meshService\.matchLabels\.headless in body must be of type string/m);
  assert.doesNotMatch(wrapped.stdout, /Go template/);
  // So is a single-quoted one; an action after the string closes is the chart's again.
  const single = runCli(['validate', '-'], {
    input: "type: HostnameGenerator\nname: hg\nspec:\n  template: '{{ .Name }}.\n    {{ .Zone }}.mesh'\n  selector: {{ .Values.selector }}\n",
  });
  assert.match(single.stdout, /^<stdin>:6:13: warning: not checked: this is a Go template/m);
  // A plain template whose action sits inside a word is text too: the file is checked.
  const plain = runCli(['validate', '-'], {
    input: 'type: HostnameGenerator\nname: Bad_Name\nspec:\n  selector:\n    meshService:\n      matchLabels: {a: b}\n  template: mzs-{{ .DisplayName }}.mesh.local\n',
  });
  assert.equal(plain.code, 1, plain.stdout);
  assert.match(plain.stdout, /^<stdin>:2:7: error: name: /m);
  assert.doesNotMatch(plain.stdout, /Go template/);
  // ... and a Helm object read inside a word is still the chart's to render.
  const helmWord = runCli(['validate', '-'], {
    input: 'type: MeshMultiZoneService\nname: web-{{ .Release.Name }}\nmesh: default\nspec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 80}]}\n',
  });
  assert.equal(helmWord.code, 0, helmWord.stdout);
  assert.match(helmWord.stdout, /^<stdin>:2:11: warning: not checked: this is a Go template \(Helm\); `\{\{ \.Release\.Name \}\}` gets its value/);
  // A Helm object in a block scalar is the chart's too.
  const block = runCli(['validate', '-'], {
    input: 'type: HostnameGenerator\nname: x\nspec:\n  template: |\n    {{ .DisplayName }}.{{ .Values.domain }}\n  selector:\n    meshMultiZoneService:\n      matchLabels: {a: b}\n',
  });
  assert.equal(block.code, 0, block.stdout);
  assert.match(block.stdout, /^<stdin>:5:24: warning: not checked: this is a Go template \(Helm\); `\{\{ \.Values\.domain \}\}` gets its value/);
});

test('a HostnameGenerator template written without quotes is an error that says to quote it, not a Helm chart', () => {
  // Unquoted, `{{` opens a YAML flow mapping: Kuma refuses the file (a YAML error, or an object
  // where the template string belongs); the file is not a Helm chart that needs rendering.
  const hg = (template) => `type: HostnameGenerator\nname: my-mzs\nspec:\n  selector:\n    meshMultiZoneService:\n      matchLabels: {team: x}\n  template: ${template}\n`;
  const dotted = runCli(['validate', '-'], { input: hg('{{ .DisplayName }}.mzs.mesh') });
  assert.equal(dotted.code, 1, dotted.stdout);
  assert.equal(dotted.stdout, '<stdin>:7:13: error: a HostnameGenerator template must be quoted: unquoted, `{{ .DisplayName }}` is a YAML flow mapping, not text; write `template: "{{ .DisplayName }}.mzs.mesh"`\n');
  // Valid YAML (a mapping), refused the same way; a template with double quotes is offered single ones.
  const bare = runCli(['validate', '-'], { input: hg('{{ .DisplayName }}') });
  assert.equal(bare.code, 1, bare.stdout);
  assert.match(bare.stdout, /must be quoted.*write `template: "\{\{ \.DisplayName \}\}"`/);
  const label = runCli(['validate', '-'], { input: hg('{{ label "kuma.io/display-name" }}.{{ .Zone }}.mesh') });
  assert.match(label.stdout, /write `template: '\{\{ label "kuma\.io\/display-name" \}\}\.\{\{ \.Zone \}\}\.mesh'`/);
  // The same line in a chart that reads Helm objects is the chart's to render.
  const chart = runCli(['validate', '-'], { input: hg('{{ .DisplayName }}.mzs.mesh').replace('name: my-mzs', 'name: {{ .Values.name }}') });
  assert.equal(chart.code, 0, chart.stdout);
  assert.match(chart.stdout, /not checked: this is a Go template \(Helm\)/);
});

test('each document is judged on its own: a template document hides none of the other documents\' errors', () => {
  const core = require(PKG);
  const mzs = (name, protocol) => [
    '---', 'type: MeshMultiZoneService', `name: ${name}`, 'mesh: default', 'spec:', '  selector:', '    meshService:',
    '      matchLabels:', `        app: ${name}`, '  ports:', '  - port: 80', `    appProtocol: ${protocol}`,
  ];
  // (A) A rendered chart: a HostnameGenerator whose template lost its quotes, a valid MZS and
  // one Kuma refuses. Only the quoting error was printed (exit 1 for it alone).
  const rendered = [
    'type: HostnameGenerator', 'name: local', 'spec:', '  selector:', '    meshMultiZoneService:', '      matchLabels: {app: cache}',
    '  template: {{ .DisplayName }}.mzs.local', ...mzs('cache', 'tcp'), ...mzs('web', 'bad'), '',
  ].join('\n');
  const protocolError = '<stdin>:31:18: error: spec.ports[0].appProtocol: appProtocol must be one of: grpc, http, http2, tcp';
  const a = runCli(['validate', '-'], { input: rendered });
  assert.equal(a.code, 1, a.stdout);
  assert.equal(a.stdout, [
    '<stdin>:7:13: error: a HostnameGenerator template must be quoted: unquoted, `{{ .DisplayName }}` is a YAML flow mapping, not text; write `template: "{{ .DisplayName }}.mzs.local"`',
    protocolError, '',
  ].join('\n'));
  // The npm API says the same of the MZS.
  const api = core.validate(rendered, { unknownResources: 'quiet' });
  assert.deepEqual(api.documents.map((d) => [d.name, d.diagnostics.map((x) => x.range.start.line)]), [['cache', []], ['web', [31]]]);
  const json = JSON.parse(runCli(['validate', '--format', 'json', '-'], { input: rendered }).stdout);
  assert.deepEqual(json.files[0].documents.map((d) => [d.name, d.diagnostics.length]), [['cache', 0], ['web', 1]]);
  // preview checks and previews the other documents at their own lines.
  const preview = runCli(['preview', '--zones', 'east', '-'], { input: rendered });
  assert.equal(preview.code, 1, preview.stdout);
  assert.match(preview.stdout, /^<stdin>:7:13: error: a HostnameGenerator template must be quoted/m);
  assert.ok(preview.stdout.includes(protocolError), preview.stdout);
  assert.match(preview.stdout, /^MeshMultiZoneService default\/cache: /m);
  // (B) A Helm action in a ConfigMap's block scalar is the ConfigMap's text, not a reason to
  // skip the MZS beside it: it was "warning: not checked: this is a Go template", exit 0.
  const notes = [
    'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: notes', 'data:', '  NOTES.txt: |', '    Installed by {{ .Release.Name }}',
    ...mzs('web', 'bad'), '',
  ].join('\n');
  const b = runCli(['validate', '-'], { input: notes });
  assert.equal(b.code, 1, b.stdout);
  assert.equal(b.stdout, '<stdin>:19:18: error: spec.ports[0].appProtocol: appProtocol must be one of: grpc, http, http2, tcp\n');
  // A Helm template document still says only "render it first"; the document after it is checked.
  const chart = ['{{- if .Values.enabled }}', 'type: MeshMultiZoneService', 'name: a', '{{- end }}', ...mzs('web', 'bad'), ''].join('\n');
  const c = runCli(['validate', '-'], { input: chart });
  assert.equal(c.code, 1, c.stdout);
  assert.equal(c.stdout, [
    '<stdin>:1:1: warning: not checked: this is a Go template (Helm), not YAML yet; render it first and check the output, e.g. `helm template RELEASE CHART | kuma-mzs validate -`',
    '<stdin>:16:18: error: spec.ports[0].appProtocol: appProtocol must be one of: grpc, http, http2, tcp', '',
  ].join('\n'));
});

test('a template block that spans documents is one template: one note, and no document of it checked alone', () => {
  const RENDER_FIRST = 'not checked: this is a Go template (Helm), not YAML yet; render it first and check the output, e.g. `helm template RELEASE CHART | kuma-mzs validate -`';
  // `{{- range }}`, `---`, a manifest, `{{- end }}`: one loop that renders a document per zone.
  const loop = [
    '{{- range $zone := .Values.zones }}', '---', 'apiVersion: kuma.io/v1alpha1', 'kind: MeshService', 'metadata:',
    '  name: "redis-{{ $zone }}"', '  namespace: kuma-demo', 'spec:', '  ports:', '  - port: 6379', '{{- end }}',
  ];
  const bad = ['---', 'type: MeshMultiZoneService', 'name: web', 'mesh: default', 'spec:', '  selector:', '    meshService:',
    '      matchLabels: {app: web}', '  ports:', '  - port: 80', '    appProtocol: bad'];
  const r = runCli(['validate', '-'], { input: [...loop, ...bad, ''].join('\n') });
  assert.equal(r.code, 1, r.stdout);
  // The document after the loop is still checked on its own.
  assert.equal(r.stdout, [
    `<stdin>:1:1: warning: ${RENDER_FIRST}`,
    '<stdin>:22:18: error: spec.ports[0].appProtocol: appProtocol must be one of: grpc, http, http2, tcp', '',
  ].join('\n'));
});

test('a HostnameGenerator template block indented with a tab is YAML\'s error, not a Helm chart', () => {
  const text = 'type: HostnameGenerator\nname: hg\nspec:\n  selector:\n    meshService:\n      matchLabels: {a: b}\n  template: |\n\t{{ .DisplayName }}.mesh\n';
  const r = runCli(['validate', '-'], { input: text });
  assert.equal(r.code, 1, r.stdout);
  assert.equal(r.stdout, '<stdin>:8:1: error: invalid YAML: found a tab character where an indentation space is expected\n');
});

test('explicit YAML tags are read as kumactl apply reads them; a tag the value does not fit is Kuma\'s error at the tag', () => {
  const mzs = (port) => `type: MeshMultiZoneService\nname: !!str yes\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels: {app: !!str on}\n  ports:\n  - port: ${port}\n    appProtocol: !!str http\n`;
  // `!!int "81"` is the port 81 and `!!str yes` the name "yes": both were schema type errors.
  const ok = runCli(['validate', '-'], { input: mzs('!!int "81"') });
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal(ok.stdout, '');
  const bad = runCli(['validate', '-'], { input: mzs('!!int "eighty"') });
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '<stdin>:9:11: error: invalid YAML: cannot decode !!str `eighty` as a !!int\n');
});

test('a template is located where the core counts: lines end at \\n, \\r\\n or a lone \\r', () => {
  const { templateDiagnostic } = require(path.join(PKG, 'lib', 'templates.js'));
  const core = require(PKG);
  const hg = ['type: HostnameGenerator', 'name: é🎉', 'spec:', '  selector:', '    meshService:', '      matchLabels: {a: b}', '  template: {{ .DisplayName }}.mesh', ''];
  const helm = ['type: MeshMultiZoneService', 'name: é🎉', 'mesh: default', '{{- if .Values.enabled }}', 'spec: {}', '{{- end }}', ''];
  // `\r\r\n` is two line breaks (a lone \r, then \r\n), as the core and LSP count them.
  for (const [eol, perLine] of [['\n', 1], ['\r\n', 1], ['\r', 1], ['\r\r\n', 2]]) {
    const label = JSON.stringify(eol);
    const text = hg.join(eol);
    // Old Mac line endings used to make the file one line: a Helm warning at 1:106, exit 0.
    const r = runCli(['validate', '-'], { input: text });
    assert.equal(r.code, 1, `${label}: ${r.stdout}`);
    assert.match(r.stdout, new RegExp(`^<stdin>:${6 * perLine + 1}:13: error: a HostnameGenerator template must be quoted`), label);
    // Each encoding of the position is the core's: the offset counts each line break's bytes.
    for (const [lines, severity, action] of [[hg, 'error', '{{ .DisplayName }}'], [helm, 'warning', '{{- if .Values.enabled }}']]) {
      const source = lines.join(eol);
      const result = core.validate(source);
      const d = templateDiagnostic(source, result.diagnostics.concat(...result.documents.map((doc) => doc.diagnostics)), 'warning');
      assert.equal(d.severity, severity, label);
      const bytes = Buffer.from(source);
      assert.equal(bytes.subarray(d.range.start.offset, d.range.end.offset).toString(), action, label);
      const row = lines.findIndex((l) => l.includes(action));
      const column = lines[row].indexOf(action);
      assert.deepEqual(d.range.start, { line: row * perLine + 1, column: column + 1, character: column, offset: d.range.start.offset }, label);
      const before = source.slice(0, source.indexOf(action));
      assert.equal(d.range.start.offset, Buffer.byteLength(before), label);
      assert.equal(d.range.end.character - d.range.start.character, action.length, label);
    }
  }
});

test('a glob with a set the pattern cannot have ([z-a]) is a usage error naming it, not a stack trace', () => {
  const r = runCli(['validate', 'mixed/[z-a].yaml']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, 'kuma-mzs: mixed/[z-a].yaml: not a valid glob pattern ([z-a]: range out of order in character class)\n');
  const zone = runCli(['preview', '--zone', 'east=mixed/[z-a].yaml']);
  assert.equal(zone.code, 2, zone.stderr);
  assert.match(zone.stderr, /^kuma-mzs: --zone east=mixed\/\[z-a\]\.yaml: not a valid glob pattern/);
  assert.throws(() => globToRegExp('[z-a]'), { message: '[z-a]: range out of order in character class' });
  assert.ok(globToRegExp('[a-z]*.yaml').test('mzs.yaml'));
});

test('standard input that cannot be read (a directory) is an IO error, exit 2', { skip: process.platform === 'win32' }, () => {
  const stdin = fs.openSync(FIXTURES, 'r');
  try {
    for (const command of ['validate', 'preview']) {
      const r = require('node:child_process').spawnSync(process.execPath, [path.join(PKG, 'bin', 'kuma-mzs.js'), command, '-'], {
        cwd: FIXTURES,
        stdio: [stdin, 'pipe', 'pipe'],
        encoding: 'utf8',
      });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, 'kuma-mzs: <stdin>: cannot read (EISDIR)\n');
    }
  } finally {
    fs.closeSync(stdin);
  }
});

test('text output escapes control characters of keys and values: one line per diagnostic, nothing forged', () => {
  // A quoted key with a line break used to print a line of its own that a CI problem matcher
  // reads as a diagnostic of fake.yaml.
  const input = 'type: MeshService\nname: a\nmesh: default\nspec:\n  selector: {dataplaneLabels: {matchLabels: {app: a}}}\n  "x\\nfake.yaml:99:1: error: injected\\t\\u001b[31m\\u2028": 1\n  ports: [{port: 80, appProtocol: http}]\n';
  const r = runCli(['validate', '-'], { input });
  assert.equal(r.code, 0, r.stdout);
  assert.equal(
    r.stdout,
    '<stdin>:6:3: warning: spec.x\\nfake.yaml:99:1: error: injected\\t\\x1b[31m\\u2028: unknown field `x\\nfake.yaml:99:1: error: injected\\t\\x1b[31m\\u2028`; Kuma ignores it (known fields: identities, ports, selector, state) [MZS005]\n',
  );
  // JSON keeps the text as it is (JSON escapes it).
  const json = JSON.parse(runCli(['validate', '--format', 'json', '-'], { input }).stdout);
  assert.equal(json.files[0].documents[0].diagnostics[0].field, 'spec.x\nfake.yaml:99:1: error: injected\t\u001b[31m\u2028');
});

test('preview text output (the core\'s) escapes control characters too: nothing forged', () => {
  const input = 'type: MeshMultiZoneService\nname: redis\nmesh: default\nlabels:\n  "x\\nfake.yaml:99:1: error: injected": a\nspec:\n  selector: {meshService: {matchLabels: {app: redis}}}\n  ports: [{port: 6379}]\n';
  const r = runCli(['preview', '--zones', 'east', '-'], { input });
  const forged = r.stdout.split('\n').filter((l) => l.startsWith('fake.yaml'));
  assert.deepEqual(forged, [], r.stdout);
  assert.match(r.stdout, /x\\nfake\.yaml:99:1: error: injected/, r.stdout);
});

test('a reader that stops early (schema | head) ends the run quietly with its status, no EPIPE stack trace', () => {
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" schema | head -c 10`], { encoding: 'utf8' });
  assert.equal(r.stdout.length, 10);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
});

test('preview --format json: the skipped line on standard error names the mesh, as the text output does', () => {
  const input = 'type: MeshMultiZoneService\nname: backend\nmesh: default\nspec:\n  selector: {meshService: {matchLabels: {app: b}}}\n  ports: [{port: 80, appProtocol: bogus}]\n';
  const r = runCli(['preview', '--format', 'json', '--zones', 'east', '-'], { input });
  assert.match(r.stderr, /skipped MeshMultiZoneService default\/backend: fix 1 error/);
  assert.deepEqual(JSON.parse(r.stdout).skipped.map((s) => `${s.mesh}/${s.name}`), ['default/backend']);
});

test('overlapping operands check each file once', () => {
  const once = runCli(['validate', 'mixed/']);
  const twice = runCli(['validate', 'mixed/', 'mixed/*.yaml', './mixed//valid-mzs.yaml']);
  assert.equal(twice.stdout, once.stdout);
  assert.equal(twice.stderr, once.stderr);
});

// --- A CI user's bug bash (fixtures/cli-ci/repo: see its docs/README.md) -----------------------

const REPO_DIR = 'cli-ci/repo';
const MISSING = 'kuma-mzs: nope.yaml: no such file or directory\n';

test('a missing operand is reported and every other file is still checked and printed, in every format; exit 2', () => {
  // It used to abort the run: `validate --format sarif bad.yaml nope.yaml > o.sarif` left o.sarif empty.
  const text = runCli(['validate', 'mixed/bad-protocol.yaml', 'nope.yaml']);
  assert.equal(text.code, 2);
  assert.match(text.stdout, /^mixed\/bad-protocol\.yaml:12:18: error: spec\.ports\[0\]\.appProtocol: /m);
  assert.equal(text.stderr, `${MISSING}2 error(s), 0 warning(s) in 1 file(s), 1 input error(s)\n`);
  const json = runCli(['validate', '--format', 'json', 'nope.yaml', 'mixed/bad-protocol.yaml']);
  assert.equal(json.code, 2);
  assert.equal(json.stderr, MISSING);
  assert.deepEqual(JSON.parse(json.stdout).files.map((f) => f.path), ['mixed/bad-protocol.yaml']);
  const sarif = runCli(['validate', '--format', 'sarif', 'mixed/bad-protocol.yaml', 'nope.yaml']);
  assert.equal(sarif.code, 2);
  assert.equal(sarif.stderr, MISSING);
  const uris = JSON.parse(sarif.stdout).runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri);
  assert.deepEqual([...new Set(uris)], ['mixed/bad-protocol.yaml']);
  const github = runCli(['validate', '--format', 'github', 'mixed/bad-protocol.yaml', 'nope.yaml']);
  assert.equal(github.code, 2);
  assert.match(github.stdout, /^::error file=mixed\/bad-protocol\.yaml,line=12,col=18,/m);
  // An IO error wins over errors found, and over a clean run.
  assert.equal(runCli(['validate', 'mixed/valid-mzs.yaml', 'nope.yaml']).code, 2);
});

test('a glob that matches nothing and a directory without YAML stay exit 2 with their message, and the other files are printed', () => {
  const r = runCli(['validate', '--format', 'json', 'mixed/valid-mzs.yaml', 'nothing-*.yaml', `${REPO_DIR}/docs`]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `kuma-mzs: nothing-*.yaml: no files match this pattern\nkuma-mzs: ${REPO_DIR}/docs: no .yaml, .yml or .json files in this directory\n`,
  );
  assert.deepEqual(JSON.parse(r.stdout).files.map((f) => f.path), ['mixed/valid-mzs.yaml']);
  // Nothing read at all: only the reasons, no report of zero files that would read as a clean run.
  const none = runCli(['validate', '--format', 'sarif', 'nope.yaml']);
  assert.equal(none.code, 2);
  assert.equal(none.stdout, '');
  assert.equal(none.stderr, MISSING);
});

test('preview goes on without a missing operand or --zone path, exit 2', () => {
  const r = runCli(['preview', '--format', 'json', 'preview', 'nope.yaml', '--zone', 'west=nothing/']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^kuma-mzs: nope\.yaml: no such file or directory$/m);
  assert.match(r.stderr, /^kuma-mzs: --zone west=nothing\/: no such file or directory$/m);
  assert.deepEqual(JSON.parse(r.stdout).zones.map((z) => z.zone), ['east', 'west']);
  const sarif = runCli(['preview', '--format', 'sarif', 'preview', 'nope.yaml']);
  assert.equal(sarif.code, 2);
  assert.equal(JSON.parse(sarif.stdout).version, '2.1.0');
});

test('a directory or glob whose YAML is all in hidden directories says so, and naming the directory reads it', () => {
  const deploy = `${REPO_DIR}/deploy`;
  const note = `(hidden files and directories and node_modules are skipped, e.g. ${deploy}/.github/kuma.yaml; name such a path to read it: ${deploy}/.github)`;
  const dir = runCli(['validate', deploy]);
  assert.equal(dir.code, 2);
  // It used to say only "no .yaml, .yml or .json files in this directory", which is false.
  assert.equal(dir.stderr, `kuma-mzs: ${deploy}: no .yaml, .yml or .json files in this directory ${note}\n`);
  const glob = runCli(['validate', `${deploy}/**/*.yaml`]);
  assert.equal(glob.code, 2);
  assert.equal(glob.stderr, `kuma-mzs: ${deploy}/**/*.yaml: no files match this pattern ${note}\n`);
  for (const named of [`${deploy}/.github`, `${deploy}/.github/*.yaml`, `${deploy}/.github/kuma.yaml`]) {
    const r = runCli(['validate', named]);
    assert.equal(r.code, 1, named);
    assert.match(r.stdout, new RegExp(`^${deploy}/\\.github/kuma\\.yaml:6:35: error: `), named);
  }
});

test('node_modules is skipped as hidden directories are, and the message says so', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'kuma-mzs-cli-'));
  try {
    // Not a fixture: node_modules/ is ignored by git.
    fs.mkdirSync(path.join(dir, 'app', 'node_modules', 'chart'), { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, REPO_DIR, 'k8s', 'kuma', 'mzs-bad.yaml'), path.join(dir, 'app', 'node_modules', 'chart', 'mzs.yaml'));
    const r = runCli(['validate', 'app'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'kuma-mzs: app: no .yaml, .yml or .json files in this directory (hidden files and directories and node_modules are skipped, e.g. app/node_modules/chart/mzs.yaml; name such a path to read it: app/node_modules/chart)\n',
    );
    assert.equal(runCli(['validate', 'app/node_modules/chart'], { cwd: dir }).code, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('brace globs: {yaml,yml} matches either, as a shell would expand it', () => {
  const paths = (pattern) => JSON.parse(runCli(['validate', '--format', 'json', pattern]).stdout).files.map((f) => f.path);
  // It used to match nothing (exit 2). ..weird.yaml is hidden, as in a directory walk.
  assert.deepEqual(paths(`${REPO_DIR}/k8s/**/*.{yaml,yml}`), [`${REPO_DIR}/k8s/kuma/mzs-bad.yaml`, `${REPO_DIR}/k8s/sub/ms.yml`]);
  assert.deepEqual(paths('mixed/{broken,valid-mzs}.*'), ['mixed/broken.json', 'mixed/valid-mzs.yaml']);
  assert.deepEqual(paths('{mixed,preview}/*-{mzs,east}.yaml'), ['mixed/valid-mzs.yaml', 'preview/zone-east.yaml']);
  const nested = runCli(['validate', 'mixed/{a,{b,c}}.yaml']);
  assert.equal(nested.code, 2);
  assert.equal(nested.stderr, 'kuma-mzs: mixed/{a,{b,c}}.yaml: not a valid glob pattern ({a,{b,c}}: braces inside braces are not supported)\n');
  // Braces without a comma, or without an end, are text (as in a shell).
  assert.ok(globToRegExp('a{b}.yaml').test('a{b}.yaml'));
  assert.ok(globToRegExp('a{b,c.yaml').test('a{b,c.yaml'));
  assert.ok(globToRegExp('k8s/**/*.{yaml,yml}').test('k8s/x/a.yml'));
  assert.ok(!globToRegExp('k8s/*.{yaml,yml}').test('k8s/a.json'));
});

test('--stdin-filename names standard input in every format', () => {
  const input = fs.readFileSync(path.join(FIXTURES, REPO_DIR, 'k8s', 'kuma', 'mzs-bad.yaml'));
  const name = 'k8s/rendered.yaml';
  const text = runCli(['validate', '--stdin-filename', name, '-'], { input });
  assert.equal(text.code, 1);
  assert.match(text.stdout, /^k8s\/rendered\.yaml:6:35: error: spec\.ports\[0\]\.appProtocol: /);
  const json = JSON.parse(runCli(['validate', '--format', 'json', `--stdin-filename=${name}`, '-'], { input }).stdout);
  assert.deepEqual(json.files.map((f) => f.path), [name]);
  const sarif = JSON.parse(runCli(['validate', '--format', 'sarif', '--stdin-filename', name, '-'], { input }).stdout);
  assert.deepEqual(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation, { uri: name, uriBaseId: '%SRCROOT%' });
  const github = runCli(['validate', '--format', 'github', '--stdin-filename', name, '-'], { input });
  assert.match(github.stdout, /^::error file=k8s\/rendered\.yaml,line=6,col=35,/);
  // Unnamed, standard input has no file to annotate: the annotation is the run's.
  assert.match(runCli(['validate', '--format', 'github', '-'], { input }).stdout, /^::error line=6,col=35,/);
  const preview = runCli(['preview', '--zones', 'east', '--stdin-filename', name, '-'], { input });
  assert.match(preview.stdout, /^k8s\/rendered\.yaml:6:35: error: /);
  for (const [args, message] of [
    [['--stdin-filename', name, 'mixed/valid-mzs.yaml'], /--stdin-filename names standard input, but no operand is -/],
    [['--stdin-filename', '', '-'], /--stdin-filename: the name must not be empty/],
  ]) {
    const r = runCli(['validate', ...args], { input });
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test('--format github: one workflow command per diagnostic, at its range, with the exit status of the other formats', () => {
  const r = runCli(['validate', '--format', 'github', 'k8s-repo', 'mixed/bad-protocol.yaml']);
  assert.equal(r.code, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.ok(lines.every((l) => /^::(error|warning|notice) file=/.test(l)), r.stdout);
  assert.ok(lines.some((l) => l.startsWith('::notice file=k8s-repo/kuma/policies.yaml,line=2,col=7,endLine=2,endColumn=18,title=unmodelled-kind::kind: MeshTimeout ')), r.stdout);
  assert.ok(lines.some((l) => l.startsWith('::warning file=k8s-repo/kuma/web-mzs.yaml,line=14,col=9,endLine=14,endColumn=12,title=MZS008::key app is written twice')), r.stdout);
  // Kuma's own message: titled by its field; the hint is the message's second line (%0A).
  assert.ok(
    lines.includes('::error file=mixed/bad-protocol.yaml,line=12,col=18,endLine=12,endColumn=23,title=spec.ports[0].appProtocol::spec.ports[0].appProtocol: appProtocol must be one of: grpc, http, http2, tcp%0Ahint: Kuma 2.14 accepts this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0'),
    r.stdout,
  );
  assert.match(r.stderr, /^2 error\(s\), 1 warning\(s\), 2 info in 5 file\(s\)\n$/);
  assert.equal(runCli(['validate', '--format', 'github', 'k8s-repo']).code, 0);
  assert.match(runCli(['--help']).stdout, /--format text\|json\|sarif\|github/);
});

test('--format github escapes what would end a command or start another: nothing forged', () => {
  const input = 'type: MeshService\nname: a\nmesh: default\nspec:\n  selector: {dataplaneLabels: {matchLabels: {app: a}}}\n  "x\\n::error file=fake.yaml::injected 100%\\r": 1\n  ports: [{port: 80, appProtocol: http}]\n';
  const r = runCli(['validate', '--format', 'github', '--stdin-filename', 'a,b:c%.yaml', '-'], { input });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    '::warning file=a%2Cb%3Ac%25.yaml,line=6,col=3,endLine=6,endColumn=47,title=MZS005::spec.x%0A::error file=fake.yaml::injected 100%25%0D: unknown field `x%0A::error file=fake.yaml::injected 100%25%0D`; Kuma ignores it (known fields: identities, ports, selector, state)\n',
  );
});

test('preview --format github annotates the zone mistakes; skipped resources stay text on standard error', () => {
  const r = runCli(['preview', '--format', 'github', '--zones', 'east,west', 'zone-dirs/']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^::warning file=zone-dirs\/global\/global\.yaml,line=16,col=7,[^\n]*,title=MZS201::/m);
  assert.match(r.stdout, /^::error file=zone-dirs\/zones\/west\/services\.yaml,line=20,col=7,[^\n]*,title=MZS203::/m);
  assert.match(r.stderr, /^zone-dirs\/zones\/west\/services\.yaml:19:1: skipped MeshMultiZoneService default\/cache: /m);
});

test('preview of a workspace too large to compute says so at its first MZS, fast, and not "no zone"', () => {
  const docs = [];
  for (let i = 0; i < 100; i++) {
    docs.push(`type: MeshService\nname: s${i}\nmesh: default\nlabels:\n  app: a\n  kuma.io/zone: z${i % 50}\nspec:\n  ports:\n  - port: 80\n`);
  }
  for (let i = 0; i < 100; i++) {
    docs.push(`type: MeshMultiZoneService\nname: m${i}\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n  ports:\n  - port: 80\n`);
  }
  const r = runCli(['preview', '--stdin-filename', 'big.yaml', '-'], { input: docs.join('---\n') });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^big\.yaml:\d+:7: error: not previewed: 100 MeshMultiZoneServices with 100 MeshServices and 0 HostnameGenerators in 50 zones would take 510000 status entries \(matched MeshServices, generated hostnames, services held\), more than the preview's limit of 400000; preview fewer zones or fewer files at a time$/m);
  assert.doesNotMatch(r.stderr, /no zone to preview/);
});
