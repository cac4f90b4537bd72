'use strict';
// Every upstream Kuma validator case (MeshMultiZoneService and HostnameGenerator) through
// validate(): the spec is wrapped into a universal document, and Kuma's expected violations must
// come back as errors with Kuma's exact field and message.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { PKG, SHARED, devRequire } = require('./helpers.js');

const YAML = devRequire('yaml');

const k = require(PKG);

const SUITES = [
  { dir: 'kuma-mzs-validator', type: 'MeshMultiZoneService', mesh: 'default', name: 'backend' },
  { dir: 'kuma-hostnamegenerator-validator', type: 'HostnameGenerator', mesh: null, name: 'generator' },
];

function wrap(suite, spec, name) {
  const head = [`type: ${suite.type}`, `name: ${name}`];
  if (suite.mesh) head.push(`mesh: ${suite.mesh}`);
  const body = spec.trim() === ''
    ? 'spec: {}'
    : 'spec:\n' + spec.replace(/\n$/, '').split('\n').map((l) => '  ' + l).join('\n');
  return head.join('\n') + '\n' + body + '\n';
}

for (const suite of SUITES) {
  const dir = path.join(SHARED, 'conformance', suite.dir);
  test(`${suite.dir}: the conformance data is present`, () => {
    assert.ok(fs.existsSync(dir), `${dir} is missing (set KUMA_MZS_SHARED)`);
  });
  if (!fs.existsSync(dir)) continue;
  const cases = fs.readdirSync(dir).filter((f) => f.endsWith('.input.yaml')).sort();
  test(`${suite.dir}: has cases`, () => assert.ok(cases.length >= 5));
  for (const input of cases) {
    const slug = input.replace(/\.input\.yaml$/, '');
    test(`${suite.dir}/${slug}`, () => {
      const spec = fs.readFileSync(path.join(dir, input), 'utf8');
      const expected = YAML.parse(fs.readFileSync(path.join(dir, `${slug}.expected.yaml`), 'utf8'));
      const text = wrap(suite, spec, expected.name || suite.name);
      const result = k.validate(text, { kumaVersion: '3.0' });
      assert.deepEqual(result.diagnostics, [], 'no syntax problems');
      assert.equal(result.documents.length, 1);
      assert.equal(result.documents[0].kind, suite.type);
      const errors = result.documents[0].diagnostics.filter((d) => d.severity === 'error');
      const got = errors.map((d) => ({ field: d.field, message: d.message }));
      if (expected.valid) {
        assert.deepEqual(got, [], text);
        return;
      }
      // Kuma's REST path (what `kumactl apply` and validate() model) runs the OpenAPI schema
      // before the validator. Where the schema already rejects the document (an empty spec, an
      // extension without type), Kuma answers with the schema error on that path instead, so a
      // `schema` error on the same field or a parent of it stands in for the validator's.
      for (const v of expected.violations) {
        const exact = errors.find((d) => d.field === v.field && d.message === v.message);
        if (exact) {
          assert.equal(exact.code, 'kuma');
          assert.ok(exact.range.start.line >= 1 && exact.range.end.line <= text.split('\n').length, JSON.stringify(exact.range));
          continue;
        }
        const schema = errors.find((d) => d.code === 'schema' && (v.field === d.field || v.field.startsWith(d.field + '.')));
        assert.ok(schema, `missing ${JSON.stringify(v)} in ${JSON.stringify(got)}\n${text}`);
      }
    });
  }
}
