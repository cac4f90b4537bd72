'use strict';
// Shared paths for the npm package tests. The package under test is the built wasm/pkg
// (make test-npm builds it first); conformance data is read in place from KUMA_MZS_SHARED.

const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const WASM = path.resolve(__dirname, '..');
const REPO = path.resolve(WASM, '..');
const PKG = path.join(WASM, 'pkg');
const SHARED = process.env.KUMA_MZS_SHARED || process.env.SHARED || path.join(REPO, '..', 'shared');
const CLI = path.join(PKG, 'bin', 'kuma-mzs.js');
const LSP = path.join(PKG, 'bin', 'kuma-mzs-language-server.js');
const FIXTURES = path.join(__dirname, 'fixtures');

if (!fs.existsSync(path.join(PKG, 'web', 'kuma_mzs_bg.wasm'))) {
  throw new Error(`${PKG} is not built: run make wasm first`);
}

// Test-only dependencies (yaml, ajv, typescript) live in wasm/npm's devDependencies.
const devRequire = require('node:module').createRequire(path.join(WASM, 'npm', 'package.json'));

function runCli(args, options = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd || FIXTURES,
    input: options.input,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A validator of SARIF 2.1.0 logs against the official schema (from @microsoft/jest-sarif). */
function sarifValidator() {
  const Ajv = devRequire('ajv');
  const schemaPath = devRequire.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  // The schema is draft-04; ajv 8 reads it as draft-07 once its `id` is spelt `$id` (it uses no
  // other keyword that differs between the two).
  schema.$id = schema.id;
  delete schema.id;
  delete schema.$schema;
  // The schema's patterns are ECMAScript regular expressions without the `u` flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  ajv.addFormat('uri', (s) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  });
  ajv.addFormat('uri-reference', (s) => typeof s === 'string' && !/\s/.test(s));
  ajv.addFormat('date-time', (s) => !Number.isNaN(Date.parse(s)));
  return ajv.compile(schema);
}

module.exports = { WASM, REPO, PKG, SHARED, CLI, LSP, FIXTURES, runCli, devRequire, sarifValidator };
