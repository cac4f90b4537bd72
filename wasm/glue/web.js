// The package's browser entry (pkg/web/kuma_mzs.js): the exports of the two WebAssembly modules
// and the build-time data (schema(), resourceTypes(), codes(), kumaVersions()). The main module
// has validate and the small exports; the editor module has everything (preview, explain, hover,
// complete besides those). wasm/build.sh copies this file; the wasm-bindgen glue it wraps is
// kuma_mzs_main.js / kuma_mzs_editor.js beside it.
//
// `init()` without arguments loads both modules from beside this file. Given a module or path,
// it loads the main one only, and the editor module is loaded with `initEditor()` /
// `initEditorSync()` when first needed; a page that previews from the start can load the editor
// module alone (`initEditor()`), and validate() and the small exports then use it. In Node the
// editor module is read from the package files on first use, as the Node build does.
import initMain, {
  initSync as initMainSync,
  schemaRelease as mainSchemaRelease,
  validate as mainValidate,
  kumaVersion as mainKumaVersion,
  version as mainVersion,
} from './kuma_mzs_main.js';
import initEditorGlue, {
  initSync as initEditorGlueSync,
  schemaRelease as editorSchemaRelease,
  validate as editorValidate,
  kumaVersion as editorKumaVersion,
  version as editorVersion,
  preview as editorPreview,
  explain as editorExplain,
  hover as editorHover,
  complete as editorComplete,
} from './kuma_mzs_editor.js';
import {
  schemas,
  resourceTypes as types,
  codes as codeList,
  kumaVersions as versions,
} from './kuma_mzs_data.js';

let mainReady = false;
let editorReady = false;

/** The exports both modules have, from the main module unless only the editor one is loaded. */
function either() {
  if (!mainReady && editorReady) {
    return { validate: editorValidate, kumaVersion: editorKumaVersion, version: editorVersion, schemaRelease: editorSchemaRelease };
  }
  return { validate: mainValidate, kumaVersion: mainKumaVersion, version: mainVersion, schemaRelease: mainSchemaRelease };
}

/** The package version. */
export function version() {
  return either().version();
}

/** Instantiates the main module from bytes or a compiled `WebAssembly.Module`. */
export function initSync(module) {
  const out = initMainSync(module);
  mainReady = true;
  return out;
}

// wasm-bindgen's glue copies a `&str` argument into the module's memory without checking its
// type: a number, object or boolean reaches the wasm as a bad pointer and traps it ("memory
// access out of bounds"). The arguments are checked here first, in the words of the .d.ts.
// (glue/node.js has the same checks.)

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
export function validate(text, options_value) {
  requireString(text, 'text');
  return either().validate(text, options_value);
}

/** What each zone's control plane computes for every MeshMultiZoneService in the input. */
export function preview(input, options_value) {
  requireInput(input);
  editor();
  return editorPreview(input, options_value);
}

/** The canonical name of the Kuma release `spelling` names. */
export function kumaVersion(spelling) {
  requireString(spelling, 'spelling');
  return either().kumaVersion(spelling);
}

/** Loads the editor module (preview, explain, hover, complete): from `module_or_path`, else from beside this file. */
export async function initEditor(module_or_path) {
  await initEditorGlue(module_or_path);
  editorReady = true;
}

/** Instantiates the editor module from bytes or a compiled `WebAssembly.Module`. */
export function initEditorSync(module) {
  initEditorGlueSync(module);
  editorReady = true;
}

function editor() {
  if (editorReady) return;
  // Node (tests, server-side rendering) has the package files at hand; a page must load it first.
  const fs = globalThis.process?.getBuiltinModule?.('node:fs');
  if (!fs) {
    throw new Error(
      'kuma-mzs: preview, explain, hover and complete need the editor module: await initEditor() first (init() without arguments loads it)',
    );
  }
  initEditorSync({ module: fs.readFileSync(new URL('kuma_mzs_editor_bg.wasm', import.meta.url)) });
}

/** The preview as text. */
export function explain(input, options_value) {
  requireInput(input);
  editor();
  return editorExplain(input, options_value);
}

/** Documentation of the field under an LSP position, or `null`. */
export function hover(text, at, options_value) {
  requireString(text, 'text');
  editor();
  return editorHover(text, at, options_value);
}

/** Field names and values that fit at an LSP position. */
export function complete(text, at, options_value) {
  requireString(text, 'text');
  editor();
  return editorComplete(text, at, options_value);
}

/** JSON Schema (draft-07) of every resource kind, keyed by kind, for monaco-yaml and friends. */
export function schema(options_value) {
  // The core reads the options (same errors as ever); the schemas were generated at build time.
  return structuredClone(schemas[either().schemaRelease(options_value)]);
}

/** Every resource type kuma-mzs models, with the core's facts about it. */
export function resourceTypes() {
  return structuredClone(types);
}

/** Every diagnostic code with its one-line description, default severity and docs anchor. */
export function codes() {
  return structuredClone(codeList);
}

/** The Kuma releases whose rules kuma-mzs knows, newest first, and the default one. */
export function kumaVersions() {
  return structuredClone(versions);
}

/** Loads the main module; without arguments, the editor module too (both from beside this file). */
export default async function init(module_or_path) {
  const [out] = await Promise.all([initMain(module_or_path), module_or_path === undefined ? initEditor() : undefined]);
  mainReady = true;
  return out;
}
