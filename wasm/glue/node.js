'use strict';
// The package's Node entry (pkg/node/kuma_mzs.js): the main WebAssembly module's exports, plus
// the editor exports (explain, hover, complete), whose module is compiled on first use from the
// package files (synchronously, as the main one), and the build-time data (schema(),
// resourceTypes(), codes(), kumaVersions()). wasm/build.sh copies this file; the wasm-bindgen
// glue it wraps is kuma_mzs_main.js / kuma_mzs_editor.js beside it.
const main = require('./kuma_mzs_main.js');

let editorModule;
/** The editor module's glue, loaded (and its wasm compiled) the first time it is needed. */
function editor() {
  editorModule ??= require('./kuma_mzs_editor.js');
  return editorModule;
}

let schemasByRelease;

exports.validate = main.validate;
exports.preview = main.preview;
exports.kumaVersion = main.kumaVersion;
exports.version = main.version;

/** The preview as text. */
exports.explain = function explain(input, options_value) {
  return editor().explain(input, options_value);
};

/** Documentation of the field under an LSP position, or `null`. */
exports.hover = function hover(text, at, options_value) {
  return editor().hover(text, at, options_value);
};

/** Field names and values that fit at an LSP position. */
exports.complete = function complete(text, at, options_value) {
  return editor().complete(text, at, options_value);
};

/** JSON Schema (draft-07) of every resource kind, keyed by kind, for monaco-yaml and friends. */
exports.schema = function schema(options_value) {
  // The core reads the options (same errors as ever); the schemas were generated at build time.
  const release = main.schemaRelease(options_value);
  schemasByRelease ??= require('../data/schemas.json');
  return structuredClone(schemasByRelease[release]);
};

/** Every resource type kuma-mzs models, with the core's facts about it. */
exports.resourceTypes = function resourceTypes() {
  return structuredClone(require('../data/resource-types.json'));
};

/** Every diagnostic code with its one-line description, default severity and docs anchor. */
exports.codes = function codes() {
  return structuredClone(require('../data/codes.json'));
};

/** The Kuma releases whose rules kuma-mzs knows, newest first, and the default one. */
exports.kumaVersions = function kumaVersions() {
  return structuredClone(require('../data/kuma-versions.json'));
};
