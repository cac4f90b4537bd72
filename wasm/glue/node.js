'use strict';
// The package's Node entry (pkg/node/kuma_mzs.js): the main WebAssembly module's exports
// (validate and the small ones), plus preview, explain, hover and complete, whose module (the
// editor module, which holds everything) is compiled on first use from the package files
// (synchronously, as the main one), and the build-time data (schema(),
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

// wasm-bindgen's glue copies a `&str` argument into the module's memory without checking its
// type: a number, object or boolean reaches the wasm as a bad pointer and traps it ("memory
// access out of bounds"). The arguments are checked here first, in the words of the .d.ts.
// (glue/web.js has the same checks.)

/** Throws a TypeError unless `value` is a string. */
function requireString(value, name) {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
}

/** Throws a TypeError naming the element and field of a preview input that is not
 * `string | InputFile[]`. The words start as the core's own ("invalid input: ..."). */
function requireInput(input) {
  if (typeof input === 'string') return;
  if (!Array.isArray(input)) {
    throw new TypeError(`invalid input: expected a string or an array of {path, text}, not ${describe(input)}`);
  }
  for (let i = 0; i < input.length; i++) {
    const file = input[i];
    if (file === null || typeof file !== 'object' || Array.isArray(file)) {
      throw new TypeError(`invalid input: input[${i}] must be an object {path, text, zone?}, not ${describe(file)}`);
    }
    requireString(file.path, `invalid input: input[${i}].path`);
    requireString(file.text, `invalid input: input[${i}].text`);
    // An absent zone (undefined or null) is the global control plane's.
    if (file.zone !== undefined && file.zone !== null) requireString(file.zone, `invalid input: input[${i}].zone`);
  }
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Check every document of a YAML or JSON text. */
exports.validate = function validate(text, options_value) {
  requireString(text, 'text');
  return main.validate(text, options_value);
};

/** What each zone's control plane computes for every MeshMultiZoneService in the input. */
exports.preview = function preview(input, options_value) {
  requireInput(input);
  return editor().preview(input, options_value);
};

/** The canonical name of the Kuma release `spelling` names. */
exports.kumaVersion = function kumaVersion(spelling) {
  requireString(spelling, 'spelling');
  return main.kumaVersion(spelling);
};

exports.version = main.version;

/** The preview as text. */
exports.explain = function explain(input, options_value) {
  requireInput(input);
  return editor().explain(input, options_value);
};

/** Documentation of the field under an LSP position, or `null`. */
exports.hover = function hover(text, at, options_value) {
  requireString(text, 'text');
  return editor().hover(text, at, options_value);
};

/** Field names and values that fit at an LSP position. */
exports.complete = function complete(text, at, options_value) {
  requireString(text, 'text');
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
