'use strict';
// Our hand-written JSON Schemas (core/src/editor/json_schema.rs, from core/src/model/field_tree.rs) against Kuma's own OpenAPI schemas, read in
// place from the shared conformance data: same spec fields, same required lists, defaults and
// enums, for every kind Kuma ships a rest.yaml for.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { PKG, SHARED, devRequire } = require('./helpers.js');

const YAML = devRequire('yaml');
const k = require(PKG);
const ours = k.schema();

const KINDS = [
  ['MeshMultiZoneService', 'meshmultizoneservice.rest.yaml', 'MeshMultiZoneServiceItem'],
  ['MeshService', 'meshservice.rest.yaml', 'MeshServiceItem'],
  ['HostnameGenerator', 'hostnamegenerator.rest.yaml', 'HostnameGeneratorItem'],
];

function compare(kuma, mine, at) {
  if (!kuma || !mine) return;
  if (kuma.default !== undefined) assert.deepEqual(mine.default, kuma.default, `${at}: default`);
  if (kuma.enum) assert.deepEqual(mine.enum, kuma.enum, `${at}: enum`);
  if (kuma.required) assert.deepEqual([...(mine.required || [])].sort(), [...kuma.required].sort(), `${at}: required`);
  if (kuma.minItems !== undefined) assert.equal(mine.minItems, kuma.minItems, `${at}: minItems`);
  if (kuma.properties) {
    assert.deepEqual(Object.keys(mine.properties || {}).sort(), Object.keys(kuma.properties).sort(), `${at}: fields`);
    for (const [name, sub] of Object.entries(kuma.properties)) compare(sub, mine.properties[name], `${at}.${name}`);
  }
  if (kuma.items) compare(kuma.items, mine.items, `${at}[]`);
}

for (const [kind, file, item] of KINDS) {
  test(`${kind}: spec schema matches Kuma's ${file}`, () => {
    const rest = YAML.parse(fs.readFileSync(path.join(SHARED, 'conformance', 'schema', file), 'utf8'));
    const kuma = rest.components.schemas[item];
    const universal = ours[kind].anyOf[0];
    compare(kuma.properties.spec, universal.properties.spec, 'spec');
    assert.deepEqual(universal.properties.type.enum, kuma.properties.type.enum);
    for (const field of ['name', 'labels', 'kri', 'creationTime', 'modificationTime']) {
      assert.ok(field in universal.properties, `${kind}: top-level ${field}`);
    }
    assert.equal('mesh' in universal.properties, 'mesh' in kuma.properties, `${kind}: mesh scoping`);
    const kubernetes = ours[kind].anyOf[1];
    assert.deepEqual(kubernetes.required, ['apiVersion', 'kind', 'metadata', 'spec']);
  });
}
