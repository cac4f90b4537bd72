'use strict';
// How the CLI reads its input files: a file that is not UTF-8 text is reported as that file's
// `limit` error while every other file is still checked (it used to abort the run with exit 2
// and no output); UTF-16 with a byte order mark is read as Kuma's decoder reads it; globs take
// the file types a directory walk takes unless the pattern names an extension.
//
// The inputs are written to a temporary directory, since the repository keeps no binary fixtures:
//   d1/mb.yaml            an MZS named Bad_Name (a `kuma` error at 2:7)
//   d1/sub/latin1.yaml    a ConfigMap in latin-1 (0xE9 at offset 52, line 4): not Kuma, not UTF-8
//   d2/                   mb.yaml, sub/deep.yml, logo.png, README.md, notes.txt
// and, per test, d3/ (an MZS in latin-1 beside that ConfigMap) and u16/ (UTF-16 files).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runCli, sarifValidator } = require('./helpers.js');
const { readInput } = require('../npm/lib/files.js');

const BAD_NAME = 'type: MeshMultiZoneService\nname: Bad_Name\nspec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 1}]}\n';
const LATIN1_CONFIGMAP = Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf'), Buffer.from([0xe9, 0x0a])]);
const LATIN1_MZS = Buffer.concat([
  Buffer.from('type: MeshMultiZoneService\nname: backend\nmesh: default\nlabels: {team: caf'),
  Buffer.from([0xe9]),
  Buffer.from('}\nspec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 80, appProtocol: http}]}\n'),
]);
const VALID_MZS =
  'type: MeshMultiZoneService\nname: backend\nmesh: default\n'
  + 'spec: {selector: {meshService: {matchLabels: {a: b}}}, ports: [{port: 80, appProtocol: http}]}\n';
const NOT_UTF8 = 'the input is not valid UTF-8 text (invalid byte 0xE9 at offset 52, line 4)';
const BAD_NAME_ERROR = /^d1\/mb\.yaml:2:7: error: name: invalid characters\. A lowercase RFC 1123 subdomain/m;

function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-mzs-input-'));
  const write = (file, content) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  };
  write('d1/mb.yaml', BAD_NAME);
  write('d1/sub/latin1.yaml', LATIN1_CONFIGMAP);
  write('d2/mb.yaml', BAD_NAME);
  write('d2/sub/deep.yml', VALID_MZS);
  write('d2/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
  // A README that mentions a Kuma type: were it read, it would have errors.
  write('d2/README.md', '# Kuma files\ntype: MeshMultiZoneService\n');
  write('d2/notes.txt', BAD_NAME);
  return dir;
}

const dir = workspace();
const run = (args) => runCli(args, { cwd: dir });
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `path:line:column: code` of every diagnostic in `validate --format json` output. */
function located(json) {
  const out = [];
  for (const f of json.files) {
    for (const d of f.diagnostics.concat(...f.documents.map((doc) => doc.diagnostics))) {
      out.push(`${f.path}:${d.range.start.line}:${d.range.start.column}: ${d.code}`);
    }
  }
  return out;
}


test('the tester\'s repro: a latin-1 file no longer aborts the run; the other file\'s error is in valid SARIF, exit 1', () => {
  const r = run(['validate', '--format', 'sarif', 'd1']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, '');
  const sarif = JSON.parse(r.stdout);
  const valid = sarifValidator();
  assert.ok(valid(sarif), JSON.stringify(valid.errors, null, 2));
  const results = sarif.runs[0].results.map((x) => {
    const loc = x.locations[0].physicalLocation;
    return `${loc.artifactLocation.uri}:${loc.region.startLine}:${loc.region.startColumn}: ${x.ruleId} ${x.level}`;
  });
  // Found by the directory walk and holding no Kuma resource, the ConfigMap is as quiet as any
  // other non-Kuma file (as one over --max-bytes is); --strict reports it.
  assert.deepEqual(results, ['d1/mb.yaml:2:7: kuma error']);
  const strict = JSON.parse(run(['validate', '--strict', '--format', 'sarif', 'd1']).stdout);
  assert.ok(valid(strict), JSON.stringify(valid.errors, null, 2));
  const limit = strict.runs[0].results.find((x) => x.ruleId === 'limit');
  assert.equal(limit.level, 'error');
  assert.equal(limit.message.text, NOT_UTF8);
  assert.equal(limit.locations[0].physicalLocation.artifactLocation.uri, 'd1/sub/latin1.yaml');
  assert.deepEqual(limit.locations[0].physicalLocation.region, { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 });
});

test('a named file that is not UTF-8 gets its limit error at 1:1 in every format, and the others are checked', () => {
  const args = ['d1/mb.yaml', 'd1/sub/latin1.yaml'];
  const text = run(['validate', ...args]);
  assert.equal(text.code, 1, text.stderr);
  assert.match(text.stdout, BAD_NAME_ERROR);
  assert.match(text.stdout, new RegExp(`^d1/sub/latin1\\.yaml:1:1: error: ${NOT_UTF8.replace(/[()]/g, '\\$&')}$`, 'm'));
  assert.equal(text.stderr, '2 error(s), 0 warning(s) in 2 file(s)\n');

  const json = JSON.parse(run(['validate', '--format', 'json', ...args]).stdout);
  assert.deepEqual(located(json), ['d1/mb.yaml:2:7: kuma', 'd1/sub/latin1.yaml:1:1: limit']);
  assert.deepEqual(json.files[1], {
    path: 'd1/sub/latin1.yaml',
    diagnostics: [
      {
        severity: 'error',
        code: 'limit',
        field: '',
        message: NOT_UTF8,
        range: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } },
      },
    ],
    documents: [],
  });

  const sarif = JSON.parse(run(['validate', '--format', 'sarif', ...args]).stdout);
  assert.deepEqual(sarif.runs[0].results.map((x) => x.ruleId), ['kuma', 'limit']);
});

test('a Kuma file that is not UTF-8 is reported even when a directory walk finds it', () => {
  fs.mkdirSync(path.join(dir, 'd3'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'd3', 'mzs.yaml'), LATIN1_MZS);
  fs.writeFileSync(path.join(dir, 'd3', 'cm.yaml'), LATIN1_CONFIGMAP);
  const r = run(['validate', '--format', 'json', 'd3']);
  assert.equal(r.code, 1, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(located(json), ['d3/mzs.yaml:1:1: limit']);
  // Every file is listed, the quiet one too, as a non-Kuma file over --max-bytes would be.
  assert.deepEqual(json.files.map((f) => f.path), ['d3/cm.yaml', 'd3/mzs.yaml']);
  assert.equal(json.files[1].diagnostics[0].message, 'the input is not valid UTF-8 text (invalid byte 0xE9 at offset 73, line 4)');
});

test('standard input that is not UTF-8 is a limit error too, not an IO error', () => {
  const r = runCli(['validate', '-', 'd1/mb.yaml'], { cwd: dir, input: Buffer.from([0x61, 0x3a, 0x20, 0xff, 0x0a]) });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^<stdin>:1:1: error: the input is not valid UTF-8 text \(invalid byte 0xFF at offset 3, line 1\)$/m);
  assert.match(r.stdout, BAD_NAME_ERROR);
});

test('preview goes on without a file that is not UTF-8 and reports it in text, json and sarif', () => {
  const args = ['d1/mb.yaml', 'd1/sub/latin1.yaml'];
  const text = run(['preview', ...args]);
  assert.equal(text.code, 1, text.stderr);
  assert.match(text.stdout, /^d1\/sub\/latin1\.yaml:1:1: error: the input is not valid UTF-8 text/m);
  assert.match(text.stdout, BAD_NAME_ERROR);
  const json = JSON.parse(run(['preview', '--format', 'json', ...args]).stdout);
  assert.deepEqual(json.files.map((f) => [f.path, f.diagnostics.map((d) => d.code)]), [
    ['d1/mb.yaml', ['kuma']],
    ['d1/sub/latin1.yaml', ['limit']],
  ]);
  const sarif = JSON.parse(run(['preview', '--format', 'sarif', ...args]).stdout);
  assert.deepEqual(sarif.runs[0].results.map((x) => x.ruleId), ['kuma', 'limit']);
});

test('UTF-16 with a byte order mark is checked like UTF-8; broken UTF-16 is a limit error', () => {
  // The Bad_Name error is at line 2, column 7 of the decoded text, whatever the encoding.
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BAD_NAME, 'utf16le')]);
  const be = Buffer.from(le).swap16();
  fs.mkdirSync(path.join(dir, 'u16'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'u16', 'le.yaml'), le);
  fs.writeFileSync(path.join(dir, 'u16', 'be.yaml'), be);
  fs.writeFileSync(path.join(dir, 'u16', 'valid.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VALID_MZS, 'utf16le')]));
  fs.writeFileSync(path.join(dir, 'u16', 'odd.yaml'), Buffer.concat([le, Buffer.from([0x0a])]));
  const r = run(['validate', '--format', 'json', 'u16']);
  assert.equal(r.code, 1, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(located(json), ['u16/be.yaml:2:7: kuma', 'u16/le.yaml:2:7: kuma', 'u16/odd.yaml:1:1: limit']);
  assert.equal(json.files[2].diagnostics[0].message, 'the input starts with a UTF-16LE byte order mark but is not valid UTF-16LE text');
  const valid = run(['validate', 'u16/valid.yaml']);
  assert.equal(valid.code, 0, valid.stdout + valid.stderr);
});

test('readInput: the offset is of the first invalid byte, after a real U+FFFD; a UTF-8 BOM is dropped', () => {
  const stdin = (bytes) => () => bytes;
  const input = readInput('-', stdin(Buffer.concat([Buffer.from('a: \ufffd\nb: '), Buffer.from([0xc3, 0x28])])));
  assert.equal(input.path, '<stdin>');
  assert.equal(input.undecodable.message, 'the input is not valid UTF-8 text (invalid byte 0xC3 at offset 10, line 2)');
  assert.deepEqual(readInput('-', stdin(Buffer.from('\ufeffa: 1\n'))), { path: '<stdin>', text: 'a: 1\n' });
});

test('globs take only .yaml, .yml and .json files unless the pattern names an extension', () => {
  const paths = (args) => {
    const r = run(['validate', '--format', 'json', ...args]);
    return JSON.parse(r.stdout).files.map((f) => f.path);
  };
  // Before, both read logo.png (exit 2: not UTF-8) and README.md.
  assert.deepEqual(paths(['d2/*']), ['d2/mb.yaml']);
  assert.deepEqual(paths(['d2/**']), ['d2/mb.yaml', 'd2/sub/deep.yml']);
  assert.deepEqual(paths(['d2/*.txt']), ['d2/notes.txt']);
  assert.deepEqual(paths(['d2/*.md']), ['d2/README.md']);
  // A file named on the command line is always read.
  assert.deepEqual(paths(['d2/notes.txt', 'd2/logo.png']), ['d2/notes.txt', 'd2/logo.png']);
  const png = run(['validate', 'd2/logo.png']);
  assert.equal(png.code, 1);
  assert.equal(png.stdout, 'd2/logo.png:1:1: error: the input is not valid UTF-8 text (invalid byte 0x89 at offset 0, line 1)\n');
  // A pattern whose matches are all of other types says so.
  const none = run(['validate', 'd2/log*']);
  assert.equal(none.code, 2);
  assert.equal(none.stderr, 'kuma-mzs: d2/log*: no .yaml, .yml or .json files match this pattern\n');
});

test('a glob whose directory part is not normalised matches what the normalised one does', () => {
  const paths = (pattern) => {
    const r = run(['validate', '--format', 'json', pattern]);
    assert.equal(r.code, 1, `${pattern}: ${r.stderr}`);
    return JSON.parse(r.stdout).files.map((f) => f.path);
  };
  // Each used to say "no .yaml, .yml or .json files match this pattern" (exit 2).
  for (const pattern of ['d1/../d2/*.yaml', 'd2/./*.yaml', 'd2//*.yaml', './d2/*.yaml', 'd2/.//*.yaml', 'd1/sub/../../d2/*']) {
    assert.deepEqual(paths(pattern), ['d2/mb.yaml'], pattern);
  }
  assert.deepEqual(paths('d1/../d2/**/*.y*ml'), ['d2/mb.yaml', 'd2/sub/deep.yml']);
  // An absolute pattern prints absolute paths, normalised.
  const absolute = path.join(dir, 'd1', '..', 'd2') + '//*.yaml';
  assert.deepEqual(paths(absolute), [path.join(dir, 'd2', 'mb.yaml').split(path.sep).join('/')]);
  // Leaving the working directory keeps the `..` a path needs.
  const up = runCli(['validate', '--format', 'json', '../d2/*.yaml'], { cwd: path.join(dir, 'd1') });
  assert.deepEqual(JSON.parse(up.stdout).files.map((f) => f.path), ['../d2/mb.yaml']);
});

test('a file whose name is not UTF-8 is read by its bytes and printed with \\xNN escapes; the others are checked too', (t) => {
  fs.mkdirSync(path.join(dir, 'd4'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'd4', 'a.yaml'), BAD_NAME);
  try {
    // A latin-1 `café.yaml`, as an old archive unpacks it. macOS and Windows refuse such names.
    fs.writeFileSync(Buffer.concat([Buffer.from(path.join(dir, 'd4', 'caf')), Buffer.from([0xe9]), Buffer.from('.yaml')]), BAD_NAME);
  } catch (e) {
    t.skip(`this file system takes no such name (${e.code})`);
    return;
  }
  // It used to stop the run: `d4/caf\uFFFD.yaml: cannot read (ENOENT)`, exit 2, nothing checked.
  for (const operand of ['d4', 'd4/*.yaml']) {
    const r = run(['validate', operand]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^d4\/a\.yaml:2:7: error: name: invalid characters/m);
    assert.match(r.stdout, /^d4\/caf\\xe9\.yaml:2:7: error: name: invalid characters/m);
    assert.equal(r.stderr, '2 error(s), 0 warning(s) in 2 file(s)\n');
  }
  const preview = JSON.parse(run(['preview', '--format', 'json', 'd4']).stdout);
  assert.deepEqual(preview.files.map((f) => [f.path, f.diagnostics.length]), [['d4/a.yaml', 1], ['d4/caf\\xe9.yaml', 1]]);
});

test('a directory walk follows symbolic links, takes each file once and does not loop', (t) => {
  const d5 = path.join(dir, 'd5');
  fs.mkdirSync(path.join(d5, 'real'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'outside', 'more'), { recursive: true });
  fs.writeFileSync(path.join(d5, 'real', 'mb.yaml'), BAD_NAME);
  fs.writeFileSync(path.join(dir, 'outside', 'ext.yaml'), BAD_NAME);
  fs.writeFileSync(path.join(dir, 'outside', 'more', 'deep.yaml'), BAD_NAME);
  try {
    // Sorted before `real`, a link to it: the files are taken once, by the path without links.
    fs.symlinkSync('real', path.join(d5, 'a-link'), 'dir');
    fs.symlinkSync('..', path.join(d5, 'real', 'up'), 'dir');
    fs.symlinkSync(path.join('..', 'outside', 'ext.yaml'), path.join(d5, 'file-link.yaml'), 'file');
    fs.symlinkSync(path.join('..', 'outside', 'more'), path.join(d5, 'dir-link'), 'dir');
    fs.symlinkSync('nowhere.yaml', path.join(d5, 'dangling.yaml'), 'file');
  } catch (e) {
    t.skip(`no symbolic links here (${e.code})`);
    return;
  }
  // Links used to be skipped: only d5/real/mb.yaml was checked.
  const r = run(['validate', '--format', 'json', 'd5']);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).files.map((f) => f.path), ['d5/dir-link/deep.yaml', 'd5/file-link.yaml', 'd5/real/mb.yaml']);
  const glob = run(['validate', '--format', 'json', 'd5/**/*.yaml']);
  assert.deepEqual(JSON.parse(glob.stdout).files.map((f) => f.path), ['d5/dir-link/deep.yaml', 'd5/file-link.yaml', 'd5/real/mb.yaml']);
});

test('a brace alternative that names a hidden directory reads it, as naming it does', () => {
  const d6 = path.join(dir, 'd6');
  fs.mkdirSync(path.join(d6, '.github'), { recursive: true });
  fs.mkdirSync(path.join(d6, 'k8s'), { recursive: true });
  fs.writeFileSync(path.join(d6, '.github', 'hidden.yaml'), BAD_NAME);
  fs.writeFileSync(path.join(d6, 'k8s', 'shown.yaml'), BAD_NAME);
  const r = run(['validate', '--format', 'json', 'd6/{.github,k8s}/*.yaml']);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).files.map((f) => f.path), ['d6/.github/hidden.yaml', 'd6/k8s/shown.yaml']);
  // Without naming it, the walk still passes over it.
  const walked = run(['validate', '--format', 'json', 'd6/**/*.yaml']);
  assert.deepEqual(JSON.parse(walked.stdout).files.map((f) => f.path), ['d6/k8s/shown.yaml']);
  const none = run(['validate', 'd6/{nothing,none}/*.yaml']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /d6\/\{nothing,none\}\/\*\.yaml: no files match this pattern/);
});

test('an input that exists but cannot be read is an IO error of its own: the other files are still checked, exit 2', { skip: process.platform === 'win32' }, () => {
  // Standard input redirected from a directory: EISDIR when it is read, after the operands are expanded.
  const stdin = fs.openSync(dir, 'r');
  try {
    const { spawnSync } = require('node:child_process');
    const r = spawnSync(process.execPath, [require('./helpers.js').CLI, 'validate', '--format', 'json', '-', 'd1/mb.yaml'], {
      cwd: dir,
      stdio: [stdin, 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, 'kuma-mzs: <stdin>: cannot read (EISDIR)\n');
    assert.deepEqual(located(JSON.parse(r.stdout)), ['d1/mb.yaml:2:7: kuma']);
  } finally {
    fs.closeSync(stdin);
  }
});

test('a file without read permission is reported and the others are checked, exit 2', { skip: process.platform === 'win32' || process.getuid() === 0 }, () => {
  const locked = path.join(dir, 'locked', 'mzs.yaml');
  fs.mkdirSync(path.dirname(locked), { recursive: true });
  fs.writeFileSync(locked, VALID_MZS);
  fs.chmodSync(locked, 0);
  try {
    const r = run(['validate', 'locked', 'd1/mb.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kuma-mzs: locked\/mzs\.yaml: cannot read \(EACCES\)$/m);
    assert.match(r.stdout, BAD_NAME_ERROR);
  } finally {
    fs.rmSync(path.dirname(locked), { recursive: true, force: true });
  }
});
