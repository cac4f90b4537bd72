'use strict';
// kuma-mzs validate() (wasm) vs the generic JS route: npm `yaml` parse + `ajv` with Kuma's own
// OpenAPI schema (components.schemas.MeshMultiZoneServiceItem, read at run time from the shared
// conformance data). Same corpus for both; best of 5 rounds; per-document microseconds.
// Also: wasm size (raw, gzip -9, brotli) and instantiation time in a fresh Node process.
//
// Usage: node wasm/bench/bench.js   (make bench-npm builds the package first)

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');

const WASM = path.resolve(__dirname, '..');
const PKG = process.env.KUMA_MZS_PKG || path.join(WASM, 'pkg'); // KUMA_MZS_PKG: compare other builds
const SHARED = process.env.KUMA_MZS_SHARED || process.env.SHARED || path.join(WASM, '..', '..', 'shared');
const devRequire = require('node:module').createRequire(path.join(WASM, 'npm', 'package.json'));
const YAML = devRequire('yaml');
const JSYAML = devRequire('js-yaml');
const Ajv = devRequire('ajv');
const k = require(PKG);

const { corpus } = require('./corpus.js');
const bytes = corpus.reduce((n, t) => n + Buffer.byteLength(t), 0);

const rest = YAML.parse(fs.readFileSync(path.join(SHARED, 'conformance', 'schema', 'meshmultizoneservice.rest.yaml'), 'utf8'));
const item = rest.components.schemas.MeshMultiZoneServiceItem;
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, useDefaults: true });
const compileStart = performance.now();
const ajvValidate = ajv.compile(item);
const compileMs = performance.now() - compileStart;

function best(fn, rounds = 5) {
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

// Sanity: both routes see the same documents; only ours reports Kuma's semantic errors.
let ours = 0;
let theirs = 0;
for (const text of corpus) {
  const r = k.validate(text);
  if (r.documents.some((d) => d.diagnostics.some((x) => x.severity === 'error'))) ours++;
  if (!ajvValidate(YAML.parse(text))) theirs++;
  if (JSON.stringify(JSYAML.load(text)) !== JSON.stringify(YAML.parse(text))) throw new Error('js-yaml and yaml read a document differently');
}

const ITER = 5;
const runOurs = () => { for (let n = 0; n < ITER; n++) for (const t of corpus) k.validate(t); };
const runParse = () => { for (let n = 0; n < ITER; n++) for (const t of corpus) ajvValidate(YAML.parse(t)); };
// js-yaml's `load` is the fastest JavaScript YAML parser we know of: the fastest JS route.
const runJsYaml = () => { for (let n = 0; n < ITER; n++) for (const t of corpus) ajvValidate(JSYAML.load(t)); };
const runParseDoc = () => {
  for (let n = 0; n < ITER; n++) for (const t of corpus) {
    const lc = new YAML.LineCounter();
    const doc = YAML.parseDocument(t, { lineCounter: lc });
    ajvValidate(doc.toJS());
  }
};
runOurs(); runParse(); runParseDoc(); runJsYaml(); // warm up (JIT, wasm tier-up)
const docs = corpus.length * ITER;
const oursUs = (best(runOurs) * 1000) / docs;
const parseUs = (best(runParse) * 1000) / docs;
const parseDocUs = (best(runParseDoc) * 1000) / docs;
const jsYamlUs = (best(runJsYaml) * 1000) / docs;

const wasmPath = path.join(PKG, 'web', 'kuma_mzs_bg.wasm');
const wasm = fs.readFileSync(wasmPath);
const gzip = zlib.gzipSync(wasm, { level: 9 }).length;
const brotli = zlib.brotliCompressSync(wasm).length;

const probe = `const {performance}=require('node:perf_hooks');const t0=performance.now();` +
  `const k=require(${JSON.stringify(PKG)});const t1=performance.now();k.validate('a: 1');` +
  `const t2=performance.now();process.stdout.write(JSON.stringify([t1-t0,t2-t1]));`;
let requireMs = Infinity;
let firstCallMs = Infinity;
for (let i = 0; i < 5; i++) {
  const [a, b] = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }));
  requireMs = Math.min(requireMs, a);
  firstCallMs = Math.min(firstCallMs, b);
}
const compileWasmMs = best(() => new WebAssembly.Module(wasm));

const f = (x, d = 1) => x.toFixed(d);
console.log(`corpus: ${corpus.length} MeshMultiZoneService documents, ${bytes} bytes, ${ITER} passes per round, best of 5`);
console.log(`errors found: kuma-mzs ${ours} documents, yaml+ajv (Kuma OpenAPI schema) ${theirs} documents`);
console.log('');
console.log('| route | µs per document | kuma-mzs speed-up |');
console.log('|---|---|---|');
console.log(`| kuma-mzs \`validate(text)\` (wasm, positions + Kuma semantic errors) | ${f(oursUs)} | 1.0x |`);
console.log(`| npm \`yaml\` \`parse\` + \`ajv\` (Kuma's OpenAPI schema, no positions) | ${f(parseUs)} | ${f(parseUs / oursUs)}x |`);
console.log(`| npm \`yaml\` \`parseDocument\` + LineCounter + \`ajv\` | ${f(parseDocUs)} | ${f(parseDocUs / oursUs)}x |`);
console.log(`| npm \`js-yaml\` \`load\` + \`ajv\` (the fastest JS route, no positions) | ${f(jsYamlUs)} | ${f(jsYamlUs / oursUs)}x |`);
console.log('');
console.log(`ajv compile of MeshMultiZoneServiceItem: ${f(compileMs)} ms (once, not in the table)`);
console.log(`wasm: ${wasm.length} bytes raw, ${gzip} gzip -9, ${brotli} brotli`);
console.log(`instantiation: require('kuma-mzs') in a fresh node ${f(requireMs, 2)} ms (read + compile + instantiate), first validate ${f(firstCallMs, 2)} ms; new WebAssembly.Module ${f(compileWasmMs, 2)} ms`);
