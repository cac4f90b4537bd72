'use strict';
// The published artefact: `npm pack` the built package, install the tarball offline into an empty
// folder, and use it from there: the CLI, CommonJS and ESM by package name, the web build, and
// TypeScript consumers type-checked with tsc (node16 and bundler resolution).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { PKG, WASM, FIXTURES } = require('./helpers.js');

function run(cmd, args, cwd, input) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout || '', stderr: r.stderr || '', error: r.error };
}

const TSC = path.join(WASM, 'npm', 'node_modules', 'typescript', 'bin', 'tsc');

const NODE_CONSUMER = `
import { validate, preview, explain, hover, complete, schema, codes, version, kumaVersions } from 'kuma-mzs';
import type { ValidateResult, Diagnostic, Range, PreviewResult, CompletionItem, HoverResult } from 'kuma-mzs';
import { templateDiagnostic, templateDocuments, inTemplateDocument, withTemplates } from 'kuma-mzs/templates';
import type { TemplateDocument } from 'kuma-mzs/templates';

const result: ValidateResult = validate('type: MeshMultiZoneService', { format: 'yaml', kumaVersion: '3.0' });
const first: Diagnostic | undefined = result.documents[0]?.diagnostics[0];
const range: Range | undefined = first?.range;
const utf16: number = range?.start.character ?? 0;
const shape: 'universal' | 'kubernetes' | null = result.documents[0]?.shape ?? null;
const p: PreviewResult = preview([{ path: 'a.yaml', text: '' }], { zones: ['east'], mzsCidr: '243.0.0.0/8' });
const zoneNames: string[] = p.zones.map((z) => z.zone);
const text: string = explain('', {});
const h: HoverResult | null = hover('', { line: 0, character: 0 });
const items: CompletionItem[] = complete('', { line: 0, character: 0 }, { kumaVersion: '2.x' });
const kinds: string[] = Object.keys(schema());
const v: string = version() + codes().map((c) => c.code).join();
const releases: string[] = kumaVersions().releases;
const defaultRelease: string = kumaVersions().default;
const helm: Diagnostic | null = templateDiagnostic('{{ if }}', result.diagnostics, 'info');
const templates: TemplateDocument[] = templateDocuments('{{ if }}', result.diagnostics, 'info');
const shown: Diagnostic[] = withTemplates('{{ if }}', result.diagnostics, 'warning').filter((d) => !inTemplateDocument(templates, d.range));
const firstLine: number | undefined = templates[0]?.lines.first;
// @ts-expect-error only known Kuma versions are accepted
validate('', { kumaVersion: '4.0' });
// @ts-expect-error positions are objects
hover('', 3);
export { utf16, shape, zoneNames, text, h, items, kinds, v, releases, defaultRelease, helm, shown, firstLine };
`;

const WEB_CONSUMER = `
import init, { initSync, validate } from 'kuma-mzs';
import type { ValidateResult } from 'kuma-mzs';

export async function main(bytes: Uint8Array): Promise<number> {
  await init({ module_or_path: bytes });
  initSync({ module: bytes });
  const r: ValidateResult = validate('x: 1');
  return r.documents.length;
}
`;

test('npm pack installs offline into an empty folder and works from there', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-mzs-pack-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const packed = run('npm', ['pack', '--json', '--pack-destination', dir], PKG);
  assert.equal(packed.code, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout);
  const files = info.files.map((f) => f.path);
  for (const f of ['package.json', 'README.md', 'bin/kuma-mzs.js', 'bin/kuma-mzs-language-server.js', 'node/kuma_mzs.js', 'node/kuma_mzs.d.ts', 'web/kuma_mzs.js', 'web/kuma_mzs_bg.wasm', 'web/kuma_mzs.d.ts']) {
    assert.ok(files.includes(f), `${f} missing from the tarball`);
  }
  assert.ok(files.some((f) => f.startsWith('node_modules/vscode-languageserver/')), 'language server dependencies are bundled');
  assert.ok(!files.some((f) => f.includes('kuma_mzs_bg.wasm') && f.startsWith('node/')), 'one wasm copy only');

  const consumer = path.join(dir, 'consumer');
  fs.mkdirSync(consumer);
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(dir, info.filename)], consumer);
  assert.equal(install.code, 0, install.stderr);

  await t.test('the CLI runs from node_modules/.bin', () => {
    const bin = path.join(consumer, 'node_modules', '.bin', 'kuma-mzs');
    const ok = run(bin, ['validate', path.join(FIXTURES, 'mixed', 'valid-mzs.yaml')], consumer);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const bad = run(bin, ['validate', '-'], consumer, 'type: Mesh\nname: [');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^<stdin>:\d+:\d+: error: /);
    const lsp = run(path.join(consumer, 'node_modules', '.bin', 'kuma-mzs-language-server'), ['--help'], consumer);
    assert.equal(lsp.code, 0, lsp.stderr);
  });

  await t.test('CommonJS and ESM by package name', () => {
    fs.writeFileSync(path.join(consumer, 'cjs.cjs'),
      "const k = require('kuma-mzs'); process.stdout.write(k.validate('x: [').diagnostics[0].code);");
    assert.equal(run(process.execPath, ['cjs.cjs'], consumer).stdout, 'syntax');
    fs.writeFileSync(path.join(consumer, 'esm.mjs'), [
      "import { validate } from 'kuma-mzs';",
      "import init, { validate as webValidate } from 'kuma-mzs/web';",
      "import { readFile } from 'node:fs/promises';",
      "await init({ module_or_path: await readFile(new URL(import.meta.resolve('kuma-mzs/kuma_mzs_bg.wasm'))) });",
      "import { withTemplates } from 'kuma-mzs/templates';",
      "const helm = '{{- if .Values.on }}\\nx: [\\n';",
      "process.stdout.write(validate('x: [').diagnostics[0].code + ' ' + webValidate('x: [').diagnostics[0].code + ' ' +",
      "  withTemplates(helm, validate(helm).diagnostics, 'info').map((d) => d.range.start.line).join());",
    ].join('\n'));
    const esm = run(process.execPath, ['esm.mjs'], consumer);
    assert.equal(esm.stdout, 'syntax syntax 1', esm.stderr);
  });

  await t.test('TypeScript consumers type-check (node16 and bundler resolution)', () => {
    assert.ok(fs.existsSync(TSC), 'typescript is installed (npm ci in wasm/npm)');
    fs.writeFileSync(path.join(consumer, 'node-consumer.mts'), NODE_CONSUMER);
    const node16 = run(process.execPath, [TSC, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16',
      '--target', 'es2022', '--lib', 'es2022,dom', 'node-consumer.mts'], consumer);
    assert.equal(node16.code, 0, node16.stdout + node16.stderr);
    fs.writeFileSync(path.join(consumer, 'web-consumer.ts'), WEB_CONSUMER);
    const bundler = run(process.execPath, [TSC, '--noEmit', '--strict', '--skipLibCheck', '--module', 'esnext', '--moduleResolution', 'bundler',
      '--target', 'es2022', '--lib', 'es2022,dom', 'web-consumer.ts'], consumer);
    assert.equal(bundler.code, 0, bundler.stdout + bundler.stderr);
    // The declarations are real types: a wrong use fails.
    fs.writeFileSync(path.join(consumer, 'wrong.mts'), "import { validate } from 'kuma-mzs';\nconst n: number = validate('');\nexport { n };\n");
    const wrong = run(process.execPath, [TSC, '--noEmit', '--strict', '--skipLibCheck', '--module', 'node16', '--moduleResolution', 'node16',
      '--target', 'es2022', '--lib', 'es2022,dom', 'wrong.mts'], consumer);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stdout, /ValidateResult/);
  });
});
