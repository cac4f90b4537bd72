// The Monaco example's position conversions (examples/editors/monaco/markers.js) against real
// validate() output on a line with non-ASCII text.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { PKG, REPO } = require('./helpers.js');
const k = require(PKG);
const { toMarkers, toMonacoRange, toEditorPosition, MarkerSeverity } = await import(`${REPO}/examples/editors/monaco/markers.js`);

test('markers use 1-based UTF-16 columns', () => {
  const text = 'type: MeshMultiZoneService\nname: é🎉 : x\n';
  const [marker] = toMarkers(k.validate(text));
  const line = text.split('\n')[1];
  assert.equal(marker.startLineNumber, 2);
  assert.equal(marker.startColumn, line.lastIndexOf(':') + 1, 'Monaco column of the second colon');
  assert.equal(marker.severity, MarkerSeverity.Error);
  assert.equal(marker.code, 'syntax');
});

test('Monaco positions round-trip through hover', () => {
  const text = 'type: MeshMultiZoneService\nspec:\n  ports:\n  - port: 80\n';
  const h = k.hover(text, toEditorPosition({ lineNumber: 4, column: 6 }));
  assert.deepEqual(toMonacoRange(h.range), { startLineNumber: 4, startColumn: 5, endLineNumber: 4, endColumn: 9 });
});
