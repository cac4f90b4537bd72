'use strict';
// The `kuma-mzs` command line: a thin shell over the wasm core. Exit codes: 0 no errors,
// 1 an error in some input, 2 a usage or IO error.

const fs = require('node:fs');
const path = require('node:path');
const core = require('../node/kuma_mzs.js');
const { expandOperands, readInput, InputError } = require('./files.js');
const { toSarif } = require('./sarif.js');
const { diagnosticText, hintText, escapeControls, githubCommand } = require('./format.js');
const { parseZoneAssignment, zoneOfDirectories, inputZone, GLOBAL } = require('./zones.js');
const { templateDocuments, inTemplateDocument } = require('./templates.js');

const USAGE = `Usage:
  kuma-mzs validate [--kuma-version VERSION] [--format text|json|sarif|github] [--strict]
                    [--max-bytes N] [--system-namespace NS] [--srcroot DIR]
                    [--sarif-help-uri URL] [--stdin-filename PATH] FILE|DIR|GLOB|- ...
  kuma-mzs preview  [--zones a,b,c] [--zone ZONE=PATH ...] [--down-zones a,b]
                    [--kuma-version VERSION] [--mzs-cidr CIDR] [--strict] [--max-bytes N]
                    [--system-namespace NS] [--format text|json|sarif|github] [--srcroot DIR]
                    [--sarif-help-uri URL] [--stdin-filename PATH] [FILE|DIR|GLOB|- ...]
  kuma-mzs schema   [--kuma-version VERSION] [KIND]
  kuma-mzs --version | --help

validate  checks every Kuma resource in the files (Kuma's validator, schema, lints);
          text output is file:line:column: severity: field: message (1-based),
          followed by [MZSnnn] for findings kuma-mzs adds beyond Kuma (docs/codes.md).
          Documents that are not Kuma resources (another apiVersion, no Kuma type) are
          skipped, and Kuma kinds kuma-mzs does not check are reported as info;
          --strict makes both errors.
preview   shows what each zone's control plane computes for every MeshMultiZoneService,
          its warnings located in the files, and the resources it skipped and why.
          Told which files are applied to which zone, it also reports zone mistakes:
          MZS201 a MeshService without a zone label in a global file, MZS202 (an error) a zone
          label naming another zone than its file's, MZS203 (an error) an MZS in a zone's file.
schema    prints the JSON Schema of every resource kind (or of KIND) under the
          rules of --kuma-version.

FILE      read whatever its name; - reads standard input
DIR       every .yaml, .yml and .json file below DIR, except hidden files, hidden directories
          (.github, .git, ...) and node_modules: name such a path to read it
GLOB      quoted, expanded by kuma-mzs: * and ? (not /), ** (any directories), [abc], [!abc],
          {yaml,yml} (no braces inside braces); takes the file types a DIR takes unless its
          last part names an extension ('k8s/*.txt'); skips what a DIR skips
          An operand that cannot be read (or finds no file) is reported on standard error and
          the others are still checked and reported (exit 2).

--kuma-version  the Kuma release whose rules apply: 3.0 (default) or 2.14 down to 2.9 (2.14.3
                and v2.14.3 work too); 2.x is the newest 2.x release, 2.14
--format        text (default), json (one object: files, their documents and diagnostics;
                preview: zones, skipped and files too), sarif (SARIF 2.1.0, for code scanning) or
                github (GitHub Actions ::error/::warning/::notice commands, one per diagnostic:
                annotations on the files, no code scanning needed; run from the repository root)
--strict        documents that are not Kuma resources, Kuma kinds kuma-mzs does not check and
                Go (Helm) templates are errors instead of being skipped, info or warnings
--zones a,b,c   (preview) the zones to compute, besides those --zone and the MeshServices'
                kuma.io/zone labels name
--down-zones a,b  (preview) compute with these zones unreachable: their endpoints are unhealthy,
                so traffic fails over to the other zones (names must be zones of the preview)
--mzs-cidr CIDR (preview) the zones' MZS VIP range (Kuma's ipam.meshMultiZoneService.cidr;
                default 243.0.0.0/8)
--zone ZONE=PATH  (preview, repeatable) the files at PATH (a file, a directory, a quoted glob
                or -) are applied to zone ZONE's control plane; --zone global=PATH for the
                global's. They are read as inputs too (operands may then be left out).
                Without --zone, a file below a directory named after a zone of --zones or
                --zone (zones/east/ms.yaml: east), or named global, belongs to it; the nearest
                such directory in the path as given counts. Any other file is the global's.
--max-bytes     the largest file accepted (default 1048576)
--system-namespace NS  the namespace Kuma runs in on Kubernetes (default kuma-system; Kong
                Mesh: kong-mesh-system): a MeshMultiZoneService or HostnameGenerator manifest
                in another namespace is an error, as Kuma's admission webhook refuses it
--srcroot       the directory SARIF URIs are relative to (%SRCROOT%; default: the
                working directory); operands are still read from the working directory
--sarif-help-uri  the http(s) URL of docs/codes.md; each SARIF rule's helpUri and help link
                are URL#code
--stdin-filename PATH  the name standard input (-) is reported under in every format (default
                <stdin>); SARIF resolves it as it does a FILE

Exit status: 0 no errors, 1 errors found, 2 usage or IO error (also when other files had errors).

The language server (for editors) is the package's other command:
  kuma-mzs-language-server --stdio
`;

// The API option each command-line flag sets, to name the flag in the core's option errors.
const FLAG_OF_OPTION = {
  kumaVersion: '--kuma-version',
  mzsCidr: '--mzs-cidr',
  zones: '--zones',
  downZones: '--down-zones',
  maxBytes: '--max-bytes',
  systemNamespace: '--system-namespace',
  unknownResources: '--strict',
};

class UsageError extends Error {}

// The value of an option that may be given more than once (collected into a list).
const REPEATED = 'repeated';

const FORMATS = ['text', 'json', 'sarif', 'github'];

/**
 * --sarif-help-uri: an http(s) URL. The SARIF carries it to code scanning as each rule's help
 * link, where anything else (`not a url#mzs103`, a file:// path of this machine) is a dead link.
 */
function httpUrl(name, value) {
  let url = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--${name}: ${JSON.stringify(value)} is not an http(s) URL (the URL of docs/codes.md, e.g. https://example.com/kuma-mzs/docs/codes.md)`);
  }
  // Each rule adds its own `#anchor`: a URL with a fragment would give it two.
  if (url.hash !== '') throw new UsageError(`--${name}: ${JSON.stringify(value)} has a #fragment; give the page's URL (each rule adds its own #anchor)`);
  // As the URL parser writes it (a space as %20): SARIF's helpUri is a URI.
  return url.href;
}

/** --srcroot: a directory that exists (SARIF URIs relative to a typo would point nowhere). */
function directory(name, value) {
  let isDirectory = false;
  try {
    isDirectory = fs.statSync(value).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) throw new UsageError(`--${name}: ${JSON.stringify(value)} is not a directory`);
  return value;
}

/** --stdin-filename: a path to report standard input under; an empty one would print as none. */
function stdinFilename(name, value) {
  if (value === '') throw new UsageError(`--${name}: the name must not be empty`);
  return value;
}

// The core names the release (and lists the supported ones when the spelling names none).
function kumaVersion(name, value) {
  try {
    return core.kumaVersion(value);
  } catch (e) {
    throw new UsageError(`--${name}: ${e.message}`);
  }
}

function parseArgs(argv, spec) {
  const options = {};
  const operands = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (!(name in spec)) throw new UsageError(`unknown option --${name}`);
      if (spec[name] === true) {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
        options[name] = true;
        continue;
      }
      let value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      const allowed = spec[name];
      if (Array.isArray(allowed) && !allowed.includes(value)) {
        throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
      }
      if (typeof allowed === 'function') value = allowed(name, value);
      if (allowed === REPEATED) (options[name] ||= []).push(value);
      else options[name] = value;
    } else {
      operands.push(arg);
    }
  }
  return { options, operands };
}

function readStdinOnce() {
  let cached = null;
  return () => {
    if (cached === null) cached = fs.readFileSync(0);
    return cached;
  };
}

/**
 * The IO errors of a run (an operand that names nothing, a file that cannot be read): each is
 * said on standard error as it happens and the run goes on with the other inputs, so that one
 * missing file does not hide every other file's findings (in CI, it used to leave an empty
 * SARIF file to upload).
 * Any of them makes the exit status 2.
 */
function ioErrors(io) {
  const failed = {
    count: 0,
    report(e) {
      failed.count++;
      io.err(`kuma-mzs: ${e.message}\n`);
    },
  };
  return failed;
}

/** The exit status: an IO error (some input was not checked) says more than an error found. */
function exitStatus(failed, errors) {
  return failed.count > 0 ? 2 : errors ? 1 : 0;
}

/** --stdin-filename names standard input; without `-` among the paths it would be ignored
 * without a word. */
function checkStdinFilename(options, paths) {
  if (options['stdin-filename'] !== undefined && !paths.includes('-')) {
    throw new UsageError('--stdin-filename names standard input, but no operand is - (standard input is read only for -)');
  }
}

/**
 * One expanded operand read (see readInput), named `stdinName` (--stdin-filename) when it is `-`
 * and that is given; null when it cannot be read, after `failed` reported it.
 */
function readOperand(file, stdin, stdinName, failed) {
  let input;
  try {
    input = readInput(file, stdin);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    failed.report(e);
    return null;
  }
  return file === '-' && stdinName !== undefined ? { ...input, path: stdinName } : input;
}

/** `{path, text, undecodable?, named}` per input file that could be read (the others go to
 * `failed`); `named`: the user named this file (or `-`) rather than a directory or glob it was
 * found by. */
function loadInputs(operands, io, stdinName, failed) {
  if (operands.length === 0) throw new UsageError('no input files (use - for stdin)');
  const stdin = io.stdin || readStdinOnce();
  const named = new Set(operands);
  const inputs = [];
  for (const f of expandOperands(operands, failed.report)) {
    const input = readOperand(f, stdin, stdinName, failed);
    if (input !== null) inputs.push({ ...input, named: named.has(f) });
  }
  return inputs;
}

/**
 * The validate() result of a file whose bytes are not text (readInput's `undecodable`): its
 * `limit` error, with the other files still checked. Quiet mode leaves it out when the file was
 * only found in a directory or by a glob and its lossy text holds no Kuma resource: the core is
 * as silent about a non-Kuma file over --max-bytes, and a latin-1 ConfigMap in a Kubernetes
 * repository is no reason to fail CI. A file the user named is always reported, since they
 * asked for it to be checked and it was not.
 */
function undecodableResult(input, options) {
  const { holdsKuma } = callCore(() => core.validate(input.text, options));
  const quiet = options.unknownResources === 'quiet' && !input.named && !holdsKuma;
  return { documents: [], diagnostics: quiet ? [] : [input.undecodable], holdsKuma };
}

/**
 * The validate() result of a readable file: the core's, except for each document that is a Go
 * template (a Helm chart's) whose actions keep it from being YAML: that document gets one
 * diagnostic that says to render it first (a warning; an error under --strict) and nothing else
 * of it is checked. The file's other documents keep what the core said of them.
 */
function validateText(input, options) {
  const result = callCore(() => core.validate(input.text, options));
  const templates = templatesOf(input.text, result, options);
  if (templates.length === 0) return result;
  const outside = (x) => !inTemplateDocument(templates, x.range);
  const diagnostics = result.diagnostics.filter(outside).concat(templates.map((t) => t.diagnostic));
  diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
  return { ...result, documents: result.documents.filter(outside), diagnostics };
}

/** The Go template documents of a text, with their render-it-first diagnostics (see validateText). */
function templatesOf(text, result, options) {
  const severity = options.unknownResources === 'error' ? 'error' : 'warning';
  return templateDocuments(text, allDiagnostics(result), severity);
}

/**
 * `text` with the lines of its Go template documents blanked (but a document's own `---` line),
 * so that the core previews the other documents at their own lines, columns and byte offsets:
 * each character becomes as many spaces as it has UTF-8 bytes.
 */
function withoutTemplates(text, templates) {
  const parts = text.split(/(\r\n|\r|\n)/);
  for (const { lines } of templates) {
    for (let line = lines.first; line <= lines.last; line++) {
      const at = (line - 1) * 2;
      if (line === lines.first && /^(---|\.\.\.)(\s|$)/.test(parts[at])) continue;
      parts[at] = ' '.repeat(Buffer.byteLength(parts[at]));
    }
  }
  return parts.join('');
}

/** Run a core call; an option error names the command-line flag, not the API option. */
function callCore(fn) {
  try {
    return fn();
  } catch (e) {
    const m = /^invalid option (\w+): ([\s\S]*)$/.exec(e.message);
    if (m) throw new UsageError(`${FLAG_OF_OPTION[m[1]] || m[1]}: ${m[2]}`);
    throw new UsageError(e.message);
  }
}

function maxBytes(options) {
  const value = options['max-bytes'];
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value) || Number(value) > 0xffffffff) {
    throw new UsageError(`--max-bytes: ${JSON.stringify(value)} is not a positive number of bytes`);
  }
  return Number(value);
}

function allDiagnostics(result) {
  return result.diagnostics.concat(...result.documents.map((d) => d.diagnostics));
}

/** One diagnostic as a GitHub Actions workflow command (see githubCommand); standard input
 * without --stdin-filename has no file to annotate. */
function githubLine(path, d) {
  return githubCommand(path === '<stdin>' ? undefined : path, d);
}

/** One diagnostic as text: one line (and its hint's), whatever control characters the file's
 * keys, values or name hold (see escapeControls). */
function textLine(path, d) {
  const where = `${escapeControls(path)}:${d.range.start.line}:${d.range.start.column}`;
  // The code of what kuma-mzs adds (MZS...), to look up in docs/codes.md; Kuma's own
  // messages (schema, validator) stay exactly as Kuma prints them.
  const code = d.code.startsWith('MZS') ? ` [${d.code}]` : '';
  const line = `${where}: ${d.severity}: ${escapeControls(diagnosticText(d))}${code}`;
  return d.hint ? `${line}\n  ${escapeControls(hintText(d))}` : line;
}

function lineColumn(range) {
  return {
    start: { line: range.start.line, column: range.start.column },
    end: { line: range.end.line, column: range.end.column },
  };
}

function jsonDiagnostic(d) {
  const out = { severity: d.severity, code: d.code, field: d.field, message: d.message };
  if (d.hint) out.hint = d.hint;
  out.range = lineColumn(d.range);
  if (d.fix) out.fix = { title: d.fix.title, range: lineColumn(d.fix.range), replacement: d.fix.replacement };
  return out;
}

// `validate --zone`: said here, since the zone mistakes are the preview's (they need every file).
function previewOnly(name) {
  throw new UsageError(
    `--${name}: validate checks each file on its own and knows no zones; kuma-mzs preview --${name} reports the zone mistakes (MZS201-MZS203)`,
  );
}

function runValidate(argv, io) {
  const { options, operands } = parseArgs(argv, {
    'kuma-version': kumaVersion,
    format: FORMATS,
    strict: true,
    'max-bytes': null,
    'system-namespace': null,
    srcroot: directory,
    'sarif-help-uri': httpUrl,
    'stdin-filename': stdinFilename,
    zone: previewOnly,
    zones: previewOnly,
  });
  const validateOptions = {
    kumaVersion: options['kuma-version'],
    unknownResources: options.strict ? 'error' : 'quiet',
    maxBytes: maxBytes(options),
    systemNamespace: options['system-namespace'],
  };
  callCore(() => core.validate('', validateOptions));
  checkStdinFilename(options, operands);
  const failed = ioErrors(io);
  const inputs = loadInputs(operands, io, options['stdin-filename'], failed);
  // Nothing could be read (each reason said): a report of no files would read as a clean run.
  if (inputs.length === 0) return 2;
  const format = options.format || 'text';
  const files = inputs.map((input) => ({
    path: input.path,
    result: input.undecodable
      ? undecodableResult(input, validateOptions)
      : validateText(input, validateOptions),
  }));
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of files) {
    for (const d of allDiagnostics(f.result)) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
      else infos++;
    }
  }
  if (format === 'text' || format === 'github') {
    const line = format === 'text' ? textLine : githubLine;
    for (const f of files) {
      for (const d of allDiagnostics(f.result)) io.out(line(f.path, d) + '\n');
    }
    const notes = infos > 0 ? `, ${infos} info` : '';
    const unread = failed.count > 0 ? `, ${failed.count} input error(s)` : '';
    io.err(`${errors} error(s), ${warnings} warning(s)${notes} in ${files.length} file(s)${unread}\n`);
  } else if (format === 'json') {
    const out = {
      files: files.map((f) => ({
        path: f.path,
        diagnostics: f.result.diagnostics.map(jsonDiagnostic),
        documents: f.result.documents.map((d) => ({
          kind: d.kind,
          name: d.name,
          mesh: d.mesh,
          diagnostics: d.diagnostics.map(jsonDiagnostic),
        })),
      })),
    };
    io.out(JSON.stringify(out, null, 2) + '\n');
  } else {
    const sarif = toSarif(
      files.map((f) => ({ path: f.path, diagnostics: allDiagnostics(f.result) })),
      { version: core.version(), codes: core.codes(), srcroot: options.srcroot, helpBase: options['sarif-help-uri'] },
    );
    io.out(JSON.stringify(sarif, null, 2) + '\n');
  }
  return exitStatus(failed, errors > 0);
}

function zoneAssignments(values) {
  return (values || []).map((value) => {
    try {
      return parseZoneAssignment(value);
    } catch (e) {
      throw new UsageError(`--zone: ${e.message}`);
    }
  });
}

/**
 * The input files of `preview` that could be read (the others go to `failed`), each with the
 * zone whose control plane it is applied to: the operands' files, then those of each `--zone`
 * PATH not among them. A `--zone` decides over a directory's name; a file two `--zone`s claim for
 * different zones is a usage error.
 */
function loadPreviewInputs(operands, assignments, zoneNames, io, stdinName, failed) {
  if (operands.length === 0 && assignments.length === 0) throw new UsageError('no input files (use - for stdin)');
  const stdin = io.stdin || readStdinOnce();
  const named = new Set(operands.concat(assignments.map((a) => a.path)));
  const files = operands.length > 0 ? expandOperands(operands, failed.report) : [];
  const keyOf = (file) => (file === '-' ? '-' : path.resolve(file));
  const listed = new Set(files.map(keyOf));
  const declared = new Map();
  for (const assignment of assignments) {
    const matched = expandOperands([assignment.path], (e) =>
      failed.report(new InputError(`--zone ${assignment.zone}=${e.message}`)),
    );
    for (const file of matched) {
      const key = keyOf(file);
      const earlier = declared.get(key);
      if (earlier && earlier.zone !== assignment.zone) {
        throw new UsageError(
          `${file === '-' ? '<stdin>' : file} is given to two zones: --zone ${earlier.zone}=${earlier.path} and --zone ${assignment.zone}=${assignment.path}`,
        );
      }
      declared.set(key, assignment);
      if (!listed.has(key)) {
        listed.add(key);
        files.push(file);
      }
    }
  }
  const inputs = [];
  for (const file of files) {
    const read = readOperand(file, stdin, stdinName, failed);
    if (read === null) continue;
    const input = { ...read, named: named.has(file) };
    const assignment = declared.get(keyOf(file));
    const name = assignment ? assignment.zone : file === '-' ? undefined : zoneOfDirectories(file, zoneNames);
    const zone = inputZone(name);
    inputs.push(zone === undefined ? input : { ...input, zone });
  }
  return inputs;
}

/** The resources a preview skipped, as lines on standard error beside a machine format's output
 * (json, github), for a person reading the CI log. */
function printSkipped(result, io) {
  for (const s of result.skipped) {
    const key = s.mesh ? `${s.mesh}/${s.name}` : s.name;
    const line = `${s.path}:${s.range.start.line}:${s.range.start.column}: skipped ${s.kind} ${key}: ${s.reason}`;
    io.err(`${escapeControls(line)}\n`);
  }
}

/** `global 1, east 2, west 1`: how many input files each control plane got, global first. */
function zoneCounts(inputs) {
  const counts = new Map([[GLOBAL, 0]]);
  for (const input of inputs) {
    const name = input.zone === undefined ? GLOBAL : input.zone;
    counts.set(name, (counts.get(name) || 0) + 1);
  }
  return [...counts].map(([name, n]) => `${name} ${n}`).join(', ');
}

function commaList(value) {
  return value.split(',').map((z) => z.trim()).filter((z) => z !== '');
}

function runPreview(argv, io) {
  const { options, operands } = parseArgs(argv, {
    zones: null,
    zone: REPEATED,
    'down-zones': null,
    'kuma-version': kumaVersion,
    'mzs-cidr': null,
    strict: true,
    'max-bytes': null,
    'system-namespace': null,
    format: FORMATS,
    srcroot: directory,
    'sarif-help-uri': httpUrl,
    'stdin-filename': stdinFilename,
  });
  const assignments = zoneAssignments(options.zone);
  const previewOptions = {
    kumaVersion: options['kuma-version'],
    unknownResources: options.strict ? 'error' : 'quiet',
    maxBytes: maxBytes(options),
    systemNamespace: options['system-namespace'],
  };
  if (options.zones !== undefined) previewOptions.zones = commaList(options.zones);
  // A zone that files are applied to is one the preview computes, even if no label names it.
  for (const { zone } of assignments) {
    if (zone === GLOBAL) continue;
    previewOptions.zones = previewOptions.zones || [];
    if (!previewOptions.zones.includes(zone)) previewOptions.zones.push(zone);
  }
  if (options['down-zones'] !== undefined) previewOptions.downZones = commaList(options['down-zones']);
  if (options['mzs-cidr'] !== undefined) previewOptions.mzsCidr = options['mzs-cidr'];
  callCore(() => core.preview([], previewOptions));
  checkStdinFilename(options, operands.concat(assignments.map((a) => a.path)));
  const zoneNames = new Set((previewOptions.zones || []).concat(assignments.map((a) => a.zone)));
  const failed = ioErrors(io);
  const inputs = loadPreviewInputs(operands, assignments, zoneNames, io, options['stdin-filename'], failed);
  // Nothing could be read (each reason said): a preview of no files would read as a clean run.
  if (inputs.length === 0) return 2;
  const validateOptions = {
    kumaVersion: previewOptions.kumaVersion,
    unknownResources: previewOptions.unknownResources,
    maxBytes: previewOptions.maxBytes,
    systemNamespace: previewOptions.systemNamespace,
  };
  // A file that is not text takes part as an empty one, and a Go template document (see
  // validateText) as blank lines, so that the core's files stay those of `inputs`, in order, and
  // the other documents keep their positions; the file's own diagnostics are then added to its
  // entry.
  const undecodable = [];
  const texts = inputs.map((input) => {
    if (input.undecodable) {
      undecodable.push(undecodableResult(input, validateOptions).diagnostics);
      return '';
    }
    // Only a text with an action can be a template: the others are not checked twice.
    const templates = input.text.includes('{{')
      ? templatesOf(input.text, callCore(() => core.validate(input.text, validateOptions)), validateOptions)
      : [];
    undecodable.push(templates.map((t) => t.diagnostic));
    return templates.length > 0 ? withoutTemplates(input.text, templates) : input.text;
  });
  const coreInputs = inputs.map((input, i) => {
    const coreInput = { path: input.path, text: texts[i] };
    if (input.zone !== undefined) coreInput.zone = input.zone;
    return coreInput;
  });
  const result = callCore(() => core.preview(coreInputs, previewOptions));
  // A down zone the preview does not have changes nothing: most likely a misspelt name.
  const known = result.zones.map((z) => z.zone);
  const unknownDown = (previewOptions.downZones || []).filter((z) => !known.includes(z));
  if (unknownDown.length > 0) {
    const names = unknownDown.map((z) => JSON.stringify(z)).join(', ');
    const zones = known.length > 0 ? `the zones are ${known.join(', ')}` : 'the preview has no zones';
    throw new UsageError(`--down-zones: no zone ${names} in the preview (${zones}; a zone comes from --zones, --zone or a MeshService's kuma.io/zone label)`);
  }
  result.diagnostics.forEach((f, i) => f.diagnostics.unshift(...undecodable[i]));
  const errors = result.diagnostics.some((f) =>
    f.diagnostics.concat(f.previewDiagnostics).some((d) => d.severity === 'error'),
  );
  const format = options.format || 'text';
  if (format === 'sarif') {
    const sarif = toSarif(
      result.diagnostics.map((f) => ({ path: f.path, diagnostics: f.diagnostics.concat(f.previewDiagnostics) })),
      { version: core.version(), codes: core.codes(), srcroot: options.srcroot, helpBase: options['sarif-help-uri'] },
    );
    io.out(JSON.stringify(sarif, null, 2) + '\n');
  } else if (format === 'github') {
    for (const f of result.diagnostics) {
      for (const d of f.diagnostics.concat(f.previewDiagnostics)) io.out(githubLine(f.path, d) + '\n');
    }
    printSkipped(result, io);
  } else if (format === 'json') {
    for (const f of result.diagnostics) {
      for (const d of f.diagnostics.concat(f.previewDiagnostics)) io.err(textLine(f.path, d) + '\n');
    }
    printSkipped(result, io);
    const files = result.diagnostics.map((f, i) => ({
      path: f.path,
      ...(inputs[i].zone === undefined ? {} : { zone: inputs[i].zone }),
      diagnostics: f.diagnostics.map(jsonDiagnostic),
      previewDiagnostics: f.previewDiagnostics.map((d) => ({ ...jsonDiagnostic(d), zones: d.zones })),
    }));
    const skipped = result.skipped.map((s) => ({
      path: s.path,
      kind: s.kind,
      mesh: s.mesh,
      name: s.name,
      range: lineColumn(s.range),
      firstError: lineColumn(s.firstError),
      errors: s.errors,
      reason: s.reason,
    }));
    io.out(JSON.stringify({ zones: result.zones, skipped, files }, null, 2) + '\n');
  } else {
    // The explanation starts with the files' errors; those of files that are not text lead.
    result.diagnostics.forEach((f, i) => undecodable[i].forEach((d) => io.out(textLine(f.path, d) + '\n')));
    io.out(callCore(() => core.explain(coreInputs, previewOptions)));
    // Once zones are named, say where the files went: a layout that names no zone shows here.
    if (previewOptions.zones !== undefined) io.err(`files by control plane: ${zoneCounts(inputs)}\n`);
  }
  // Statuses, VIPs and the zones' warnings (MZS103 ...) exist only per zone: with none, say how
  // to name them rather than let "matched 0" pass for a clean result.
  // A preview too large to compute says so at its first MZS (code `limit`) instead.
  const refused = result.diagnostics.some((f) => (f.previewDiagnostics || []).some((d) => d.code === 'limit'));
  if (result.zones.length === 0 && !refused && format !== 'json' && format !== 'sarif') {
    io.err('kuma-mzs: no zone to preview: name them with --zones a,b or --zone ZONE=PATH (or label the MeshServices with their zone)\n');
  }
  return exitStatus(failed, errors);
}

function runSchema(argv, io) {
  const { options, operands } = parseArgs(argv, { 'kuma-version': kumaVersion });
  const schemas = callCore(() => core.schema({ kumaVersion: options['kuma-version'] }));
  if (operands.length === 0) {
    io.out(JSON.stringify(schemas, null, 2) + '\n');
    return 0;
  }
  if (operands.length > 1 || !(operands[0] in schemas)) {
    throw new UsageError(`unknown kind ${JSON.stringify(operands.join(' '))}; kinds: ${Object.keys(schemas).join(', ')}`);
  }
  io.out(JSON.stringify(schemas[operands[0]], null, 2) + '\n');
  return 0;
}

/** Run the CLI; returns the exit code. `io` = {out, err, stdin?} for tests. */
function main(argv, io) {
  const [command, ...rest] = argv;
  try {
    // `kuma-mzs validate --help` asks for the same usage as `kuma-mzs --help` (before any option
    // is read, so it works next to others too).
    const commands = ['validate', 'preview', 'schema'];
    const end = rest.indexOf('--');
    const flags = end < 0 ? rest : rest.slice(0, end);
    if (commands.includes(command) && flags.some((a) => a === '--help' || a === '-h')) {
      io.out(USAGE);
      return 0;
    }
    switch (command) {
      case 'validate':
        return runValidate(rest, io);
      case 'preview':
        return runPreview(rest, io);
      case 'schema':
        return runSchema(rest, io);
      case '--version':
      case '-V':
        io.out(core.version() + '\n');
        return 0;
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return 0;
      default:
        throw new UsageError(command === undefined ? 'no command' : `unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      // The whole usage only when nothing was asked; otherwise the error stays in sight.
      io.err(command === undefined ? `kuma-mzs: ${e.message}\n\n${USAGE}` : `kuma-mzs: ${e.message}\nRun \`kuma-mzs --help\` for the commands and options.\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.err(`kuma-mzs: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

module.exports = { main, USAGE };
