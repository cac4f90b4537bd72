'use strict';
// Which zone a file belongs to, from the CLI (`preview --zone NAME=PATH`, directories named after
// a zone) and the language server (its `zones` setting), so the core's zone mistakes reach users:
// MZS201 a MeshService without a zone label in a global file, MZS202 a zone label naming another
// zone than its file's, MZS203 (an error) an MZS in a zone's file.
//
// The fixture `zone-dirs/` has a global and two zone directories, one mistake each:
//   global/global.yaml         the MZS, and MeshService orphan without a zone label  (MZS201)
//   zones/east/services.yaml   MeshService cache labelled zone west                  (MZS202)
//   zones/west/services.yaml   an MZS                                                (MZS203)
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { FIXTURES, LSP, runCli } = require('./helpers.js');
const zones = require('../npm/lib/zones.js');

const GLOBAL = 'zone-dirs/global/global.yaml';
const EAST = 'zone-dirs/zones/east/services.yaml';
const WEST = 'zone-dirs/zones/west/services.yaml';

// Where each mistake is: file:line:column (1-based), code.
const MISTAKES = [
  `${GLOBAL}:16:7: MZS201`,
  `${EAST}:25:17: MZS202`,
  `${WEST}:20:7: MZS203`,
];

/** `path:line:column: code` of every zone mistake (MZS2xx) in `preview --format json` output. */
function zoneMistakes(json) {
  const out = [];
  for (const f of json.files) {
    for (const d of f.previewDiagnostics) {
      if (d.code.startsWith('MZS2')) out.push(`${f.path}:${d.range.start.line}:${d.range.start.column}: ${d.code}`);
    }
  }
  return out;
}

test('a directory named after a zone of --zones is that zone\'s: MZS201-MZS203 where they are, exit 1', () => {
  const r = runCli(['preview', '--format', 'json', '--zones', 'east,west', 'zone-dirs']);
  assert.equal(r.code, 1, 'MZS203 is an error');
  const out = JSON.parse(r.stdout);
  assert.deepEqual(zoneMistakes(out), MISTAKES);
  assert.deepEqual(out.files.map((f) => [f.path, f.zone]), [
    [GLOBAL, undefined],
    [EAST, 'east'],
    [WEST, 'west'],
  ]);
  const severity = Object.fromEntries(out.files.flatMap((f) => f.previewDiagnostics.map((d) => [d.code, d.severity])));
  assert.deepEqual([severity.MZS201, severity.MZS202, severity.MZS203], ['warning', 'error', 'error']);
  // The MeshService zone east refuses and the MZS written in zone west are left out of the
  // preview, and say why.
  assert.deepEqual(out.skipped.map((s) => [s.path, s.name, s.reason]), [
    [EAST, 'cache', 'refused by zone east'],
    [WEST, 'cache', 'written in zone west: move it to the global control plane\'s file'],
  ]);
  // Zone east's backend has no label: the zone gives it one, so it is in zone east (no MZS201).
  const east = out.zones.find((z) => z.zone === 'east');
  const backend = east.multiZoneServices.find((m) => m.name === 'backend');
  assert.ok(JSON.stringify(backend.status).includes('"backend"'), JSON.stringify(backend.status));
});

test('the text format locates each mistake as file:line:column: severity', () => {
  const r = runCli(['preview', '--zones', 'east,west', 'zone-dirs']);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split('\n');
  for (const [where, severity, text] of [
    [`${GLOBAL}:16:7`, 'warning', /MeshService orphan has no .*zone label/],
    [`${EAST}:25:17`, 'error', /kuma.io\/zone label should have east value/],
    [`${WEST}:20:7`, 'error', /405 Method Not Allowed/],
  ]) {
    const line = lines.find((l) => l.startsWith(`${where}: ${severity}: `));
    assert.ok(line, `${where}: ${severity} in:\n${r.stdout}`);
    assert.match(line, text);
  }
  // Which control plane each file went to, so a layout that names no zone is noticed.
  assert.match(r.stderr, /^files by control plane: global 1, east 1, west 1$/m);
});

test('without zones every file is the global\'s: only MZS201, on each unlabelled MeshService, exit 0', () => {
  const r = runCli(['preview', '--format', 'json', 'zone-dirs']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(zoneMistakes(out), [`${GLOBAL}:16:7: MZS201`, `${EAST}:3:7: MZS201`]);
  assert.ok(out.files.every((f) => !('zone' in f)));
});

test('the playground\'s layout: zones/<zone>.yaml is that zone\'s when the zone is one of --zones', (t) => {
  // The files of zone-dirs/, laid out as the playground names them.
  const root = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'kuma-mzs-zone-files-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'zones'));
  fs.copyFileSync(path.join(FIXTURES, GLOBAL), path.join(root, 'global.yaml'));
  fs.copyFileSync(path.join(FIXTURES, EAST), path.join(root, 'zones', 'east.yaml'));
  fs.copyFileSync(path.join(FIXTURES, WEST), path.join(root, 'zones', 'west.yml'));
  const r = runCli(['preview', '--format', 'json', '--zones', 'east,west', '.'], { cwd: root });
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.files.map((f) => [f.path, f.zone]), [
    ['global.yaml', undefined],
    ['zones/east.yaml', 'east'],
    ['zones/west.yml', 'west'],
  ]);
  assert.deepEqual(zoneMistakes(out), ['global.yaml:16:7: MZS201', 'zones/east.yaml:25:17: MZS202', 'zones/west.yml:20:7: MZS203']);
  // A zone that --zones does not name is not guessed from a file name.
  const eastOnly = JSON.parse(runCli(['preview', '--format', 'json', '--zones', 'east', '.'], { cwd: root }).stdout);
  assert.deepEqual(eastOnly.files.map((f) => f.zone), [undefined, 'east', undefined]);
});

test('zoneOfDirectories: the nearest zone directory, else a zone-named file directly in zones/', () => {
  const names = new Set(['east', 'west']);
  for (const [file, zone] of [
    ['zones/east/ms.yaml', 'east'],
    ['clusters/west/apps/ms.yaml', 'west'],
    ['zones/east.yaml', 'east'],
    ['deploy/zones/west.json', 'west'],
    ['zones/west/east.yaml', 'west'],
    ['global/east.yaml', 'global'],
    ['zones/north.yaml', undefined],
    ['other/east.yaml', undefined],
    ['zones/east.txt', undefined],
    ['east.yaml', undefined],
  ]) {
    assert.equal(zones.zoneOfDirectories(file, names), zone, file);
  }
});

test('--zone ZONE=PATH says it explicitly (directory, glob, file), reads those files, and wins over directory names', () => {
  const r = runCli([
    'preview', '--format', 'json',
    '--zone', 'east=zone-dirs/zones/east',
    '--zone', 'west=zone-dirs/zones/w*/*.yaml',
    '--zone', `global=${GLOBAL}`,
  ]);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(zoneMistakes(out), [`${EAST}:25:17: MZS202`, `${WEST}:20:7: MZS203`, `${GLOBAL}:16:7: MZS201`]);
  // The --zone names are zones of the preview.
  assert.deepEqual(out.zones.map((z) => z.zone), ['east', 'west']);

  // --zone east decides over the directory named west (a zone of --zones); the directory named
  // east is zone east's too, since --zone names a zone.
  const swapped = JSON.parse(runCli(['preview', '--format', 'json', '--zones', 'west', '--zone', 'east=zone-dirs/zones/west', 'zone-dirs']).stdout);
  assert.deepEqual(swapped.files.map((f) => [f.path, f.zone]), [
    [GLOBAL, undefined],
    [EAST, 'east'],
    [WEST, 'east'],
  ]);
  assert.deepEqual(zoneMistakes(swapped), [
    `${GLOBAL}:16:7: MZS201`,
    `${EAST}:25:17: MZS202`,
    `${WEST}:8:17: MZS202`,
    `${WEST}:20:7: MZS203`,
  ]);
  // Operands first, then the --zone files not among them, each once.
  const added = JSON.parse(runCli(['preview', '--format', 'json', '--zone', 'west=zone-dirs/zones/west', '--zone', 'west=zone-dirs/zones/w*/*.yaml', GLOBAL, WEST]).stdout);
  assert.deepEqual(added.files.map((f) => [f.path, f.zone]), [
    [GLOBAL, undefined],
    [WEST, 'west'],
  ]);
});

test('--zone mistakes are usage errors (exit 2) that name the flag', () => {
  for (const [args, message] of [
    [['--zone', 'east', 'zone-dirs'], /--zone: "east" is not ZONE=PATH/],
    [['--zone', '=zone-dirs'], /--zone: "=zone-dirs" is not ZONE=PATH/],
    [['--zone', 'east=zone-dirs/nope'], /--zone east=zone-dirs\/nope: no such file or directory/],
    [['--zone', 'east=zone-dirs/zones', '--zone', `west=${WEST}`], /services\.yaml is given to two zones: --zone east=zone-dirs\/zones and --zone west=/],
  ]) {
    const r = runCli(['preview', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.equal(runCli(['preview']).code, 2, 'no operands and no --zone');
  // validate checks files one by one: it points at preview instead of saying "unknown option".
  const validate = runCli(['validate', '--zone', 'east=zone-dirs/zones/east', 'zone-dirs']);
  assert.equal(validate.code, 2);
  assert.match(validate.stderr, /--zone: validate checks each file on its own and knows no zones; kuma-mzs preview --zone reports/);
});

test('preview --format sarif carries the zone mistakes with their rule, level and region', () => {
  const r = runCli(['preview', '--format', 'sarif', '--zones', 'east,west', 'zone-dirs']);
  assert.equal(r.code, 1);
  const [run] = JSON.parse(r.stdout).runs;
  const found = run.results
    .filter((x) => x.ruleId.startsWith('MZS2'))
    .map((x) => {
      const loc = x.locations[0].physicalLocation;
      return `${loc.artifactLocation.uri}:${loc.region.startLine}:${loc.region.startColumn}: ${x.ruleId} ${x.level}`;
    });
  assert.deepEqual(found, [`${GLOBAL}:16:7: MZS201 warning`, `${EAST}:25:17: MZS202 error`, `${WEST}:20:7: MZS203 error`]);
  for (const x of run.results) assert.equal(run.tool.driver.rules[x.ruleIndex].id, x.ruleId);
});

test('zone assignment: patterns, directory names, the nearest directory, conflicts', () => {
  const rules = zones.zoneRules({ east: ['clusters/east/**', 'east.yaml'], west: 'clusters/west', global: [] });
  assert.deepEqual(zones.assignZone('clusters/east/a/ms.yaml', rules), { name: 'east', conflicts: [] });
  assert.deepEqual(zones.assignZone('east.yaml', rules), { name: 'east', conflicts: [] });
  assert.deepEqual(zones.assignZone('clusters/west/ms.yaml', rules), { name: 'west', conflicts: [] });
  assert.deepEqual(zones.assignZone('clusters/westerly/ms.yaml', rules), { name: undefined, conflicts: [] });
  assert.deepEqual(zones.assignZone('zones/west/ms.yaml', rules), { name: 'west', conflicts: [] });
  assert.deepEqual(zones.assignZone('west/global/ms.yaml', rules), { name: 'global', conflicts: [] });
  assert.deepEqual(zones.assignZone('west.yaml', rules), { name: undefined, conflicts: [] }, 'a file name is no directory');
  const overlapping = zones.zoneRules({ east: ['**/*.yaml'], west: ['west/**'] });
  assert.deepEqual(zones.assignZone('west/ms.yaml', overlapping), { name: 'east', conflicts: ['west'] });
  assert.equal(zones.inputZone('global'), undefined);
  assert.equal(zones.inputZone('east'), 'east');
  assert.throws(() => zones.zoneRules(['east']), /zones must be an object/);
  assert.throws(() => zones.zoneRules({ east: [1] }), /zones\.east: must be a glob pattern/);
  assert.throws(() => zones.zoneRules({ '': ['a'] }), /zones: a zone name must not be empty/);
  // Neovim sends an empty Lua table as {}: no patterns, the directory rule only.
  assert.deepEqual(zones.assignZone('zones/east/ms.yaml', zones.zoneRules({ east: {} })), { name: 'east', conflicts: [] });
  assert.deepEqual(zones.parseZoneAssignment('east=a=b'), { zone: 'east', path: 'a=b' });
});

// --- The language server ------------------------------------------------------------------------

/** A small LSP client over stdio: requests, notifications, and a wait for a matching one. */
function startServer() {
  const child = spawn(process.execPath, [LSP, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  let stderr = '';
  const pending = new Map();
  const waiters = [];
  child.stderr.on('data', (d) => (stderr += d));
  const send = (message) => {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    child.stdin.write(body);
  };
  child.stdout.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.toString('ascii', 0, end))[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.toString('utf8', end + 4, end + 4 + length));
      buffer = buffer.subarray(end + 4 + length);
      if (message.id !== undefined && message.method === undefined) {
        pending.get(message.id)(message.result);
      } else if (message.id !== undefined) {
        send({ jsonrpc: '2.0', id: message.id, result: null });
      } else {
        for (const w of [...waiters]) {
          if (w.match(message)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(message);
          }
        }
      }
    }
  });
  return {
    child,
    request(method, params) {
      const id = nextId++;
      send({ jsonrpc: '2.0', id, method, params });
      return new Promise((resolve) => pending.set(id, resolve));
    },
    notify(method, params) {
      send({ jsonrpc: '2.0', method, params });
    },
    /** The first notification from now on that satisfies `match`. */
    notification(match) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching notification; stderr: ${stderr}`)), 10000);
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    /** The first diagnostics published for `uri` from now on that satisfy `accept`. */
    async diagnostics(uri, accept) {
      const m = await this.notification((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === uri && accept(n.params.diagnostics));
      return m.params.diagnostics;
    },
    stderr: () => stderr,
  };
}

const folder = path.join(FIXTURES, 'zone-dirs');
const uriOf = (relative) => pathToFileURL(path.join(FIXTURES, relative)).href;
/** `line:character code` (0-based, as LSP) of the zone mistakes in published diagnostics. */
const mistakes = (ds) => ds.filter((d) => String(d.code).startsWith('MZS2')).map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code}`);
const has = (code) => (ds) => ds.some((d) => d.code === code);

async function initialize(server, initializationOptions) {
  await server.request('initialize', {
    processId: null,
    rootUri: pathToFileURL(folder).href,
    workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'zone-dirs' }],
    capabilities: {},
    initializationOptions: { debounceMs: 0, ...initializationOptions },
  });
  server.notify('initialized', {});
}

test('language server: the zones setting puts MZS202 on the label line, MZS203 on the MZS, MZS201 on the global MeshService', async (t) => {
  const server = startServer();
  t.after(() => server.child.kill());
  // east by pattern, west by its directory's name (a zone of the setting with no pattern).
  const east = server.diagnostics(uriOf(EAST), has('MZS202'));
  const west = server.diagnostics(uriOf(WEST), has('MZS203'));
  const global = server.diagnostics(uriOf(GLOBAL), has('MZS201'));
  await initialize(server, { zones: { east: ['zones/east/**'], west: [] } });
  const eastDs = await east;
  assert.deepEqual(mistakes(eastDs), ['24:16 MZS202']);
  const mzs202 = eastDs.find((d) => d.code === 'MZS202');
  assert.equal(mzs202.severity, 1, 'an error: the zone refuses it');
  assert.match(mzs202.message, /kuma.io\/zone label should have east value/);
  const westDs = await west;
  assert.deepEqual(mistakes(westDs), ['19:6 MZS203']);
  assert.equal(westDs.find((d) => d.code === 'MZS203').severity, 1, 'an error');
  assert.deepEqual(mistakes(await global), ['15:6 MZS201']);
  // An open file gets the same, with its version.
  const open = server.diagnostics(uriOf(EAST), has('MZS202'));
  server.notify('textDocument/didOpen', {
    textDocument: { uri: uriOf(EAST), languageId: 'yaml', version: 3, text: fs.readFileSync(path.join(FIXTURES, EAST), 'utf8') },
  });
  assert.deepEqual(mistakes(await open), ['24:16 MZS202']);
  await server.request('shutdown', null);
  server.notify('exit', null);
});

test('language server: changing the zones setting republishes (cleared, then moved)', async (t) => {
  const server = startServer();
  t.after(() => server.child.kill());
  const first = server.diagnostics(uriOf(WEST), has('MZS203'));
  await initialize(server, { zones: { east: [], west: [] } });
  assert.deepEqual(mistakes(await first), ['19:6 MZS203']);

  // Without zones every file is the global's: MZS202 and MZS203 clear, east's backend gets MZS201.
  const westCleared = server.diagnostics(uriOf(WEST), (ds) => !has('MZS203')(ds));
  const eastGlobal = server.diagnostics(uriOf(EAST), has('MZS201'));
  server.notify('workspace/didChangeConfiguration', { settings: { kumaMzs: { zones: {} } } });
  assert.deepEqual(mistakes(await westCleared), []);
  assert.deepEqual(mistakes(await eastGlobal), ['2:6 MZS201']);

  // The west directory given to zone east by a pattern: its label now disagrees (MZS202).
  const moved = server.diagnostics(uriOf(WEST), has('MZS202'));
  server.notify('workspace/didChangeConfiguration', { settings: { kumaMzs: { zones: { east: ['zones/west'] } } } });
  assert.deepEqual(mistakes(await moved), ['7:16 MZS202', '19:6 MZS203']);

  // A setting of the wrong shape is shown to the user, logged, and the previous one kept.
  const logged = server.notification((m) => m.method === 'window/logMessage' && /zones must be an object/.test(m.params.message));
  const shown = server.notification((m) => m.method === 'window/showMessage' && /zones must be an object/.test(m.params.message));
  server.notify('workspace/didChangeConfiguration', { settings: { kumaMzs: { zones: ['east'] } } });
  assert.match((await logged).params.message, /keeping the previous zones/);
  assert.equal((await shown).params.type, 2, 'a warning');
  await server.request('shutdown', null);
  server.notify('exit', null);
});

test('the README\'s zone-directory example is what the CLI prints', () => {
  // The README shows `kuma-mzs preview --zones east,west deploy/` on this fixture, without the
  // MZS007 lines and with `...` for the rest of the explanation.
  const readme = fs.readFileSync(path.join(__dirname, '..', 'npm', 'README.md'), 'utf8').split('\n');
  const start = readme.indexOf('$ kuma-mzs preview --zones east,west deploy/');
  assert.ok(start >= 0, 'the README has the example');
  const shown = [];
  for (let i = start + 1; readme[i] !== '...'; i++) shown.push(readme[i]);
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'kuma-mzs-readme-'));
  fs.cpSync(path.join(FIXTURES, 'zone-dirs'), path.join(dir, 'deploy'), { recursive: true });
  const r = runCli(['preview', '--zones', 'east,west', 'deploy/'], { cwd: dir });
  const printed = r.stdout.split('\n').filter((l) => !l.endsWith('[MZS007]'));
  assert.deepEqual(printed.slice(0, shown.length), shown);
  assert.match(r.stderr, /^files by control plane: global 1, east 1, west 1$/m);
  fs.rmSync(dir, { recursive: true, force: true });
});
