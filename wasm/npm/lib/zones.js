'use strict';
// Which control plane each input file is applied to: the global's, or a zone's. The CLI says it
// with `--zone NAME=PATH` and the language server with its `zones` setting (zone -> patterns
// relative to a workspace folder); both also read it from a directory named after a zone they
// know (`zones/east/ms.yaml` is zone east's) or `global`, and from the playground's layout
// (`zones/east.yaml`). This only assigns files. What a file
// applied to a zone may hold (MZS201-MZS203) is the core's rule: the file's zone goes to
// `preview()` as `InputFile.zone`, and the core reports the mistakes.

const { isGlob, globToRegExp } = require('./files.js');

/** The name that stands for the global control plane: its files get no zone. */
const GLOBAL = 'global';

/** A path with `/` separators, without a leading `./` or a trailing `/`. */
function normalize(relative) {
  let p = relative.split('\\').join('/');
  while (p.startsWith('./')) p = p.slice(2);
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p === '.' ? '' : p;
}

/**
 * A test of relative paths for one pattern: a glob (`clusters/east-*` + `/**`) matches what it
 * matches; a plain path matches that file, or the directory and everything below it.
 */
function pathMatcher(pattern) {
  const p = normalize(pattern);
  if (isGlob(p)) {
    const re = globToRegExp(p);
    return (relative) => re.test(normalize(relative));
  }
  if (p === '') return () => true;
  return (relative) => {
    const r = normalize(relative);
    return r === p || r.startsWith(p + '/');
  };
}

/** The directory whose files are named after their zone, as the playground lays them out. */
const ZONE_FILES_DIRECTORY = 'zones';

/** `east.yaml` -> `east`: the name a zone file carries without its YAML or JSON extension. */
function stem(fileName) {
  const match = /^(.+)\.(ya?ml|json)$/i.exec(fileName);
  return match ? match[1] : undefined;
}

/**
 * The zone the path of `file` names: its nearest directory named after one of `names` (or
 * `global`); else, for a file directly in a directory named `zones` (the playground's layout,
 * `zones/east.yaml`), the zone its own name is, when that is one of `names`. Undefined when
 * neither says.
 */
function zoneOfDirectories(file, names) {
  const parts = normalize(file).split('/');
  const directories = parts.slice(0, -1);
  for (let i = directories.length - 1; i >= 0; i--) {
    const name = directories[i];
    if (name === GLOBAL || names.has(name)) return name;
  }
  if (directories[directories.length - 1] === ZONE_FILES_DIRECTORY) {
    const name = stem(parts[parts.length - 1]);
    if (name !== undefined && names.has(name)) return name;
  }
  return undefined;
}

/** The `zone` of a preview input file for an assigned name (`global` and none: no zone). */
function inputZone(name) {
  return name === undefined || name === GLOBAL ? undefined : name;
}

/** `east=zones/east` -> {zone: 'east', path: 'zones/east'}; throws Error with the reason. */
function parseZoneAssignment(value) {
  const eq = value.indexOf('=');
  const zone = eq < 0 ? '' : value.slice(0, eq).trim();
  const where = eq < 0 ? '' : value.slice(eq + 1);
  if (zone === '' || where === '' || /[\s,]/.test(zone)) {
    throw new Error(`${JSON.stringify(value)} is not ZONE=PATH (for example east=zones/east, or global=global.yaml)`);
  }
  return { zone, path: where };
}

/**
 * Rules from the language server's `zones` setting: {zone: pattern | [pattern, ...]}.
 * Returns {names: Set, patterns: [{zone, matches}]} in the setting's order; throws Error with
 * the reason when the value has another shape.
 */
function zoneRules(setting) {
  const names = new Set();
  const patterns = [];
  if (setting === undefined || setting === null) return { names, patterns };
  if (typeof setting !== 'object' || Array.isArray(setting)) {
    throw new Error('zones must be an object of zone name -> glob patterns, e.g. {"east": ["zones/east/**"]}');
  }
  for (const [zone, value] of Object.entries(setting)) {
    // An empty Lua table reaches the server as {} (Neovim encodes it as an object).
    const empty = value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
    const list = typeof value === 'string' ? [value] : empty ? [] : value;
    if (zone.trim() === '') throw new Error('zones: a zone name must not be empty');
    if (!Array.isArray(list) || list.some((p) => typeof p !== 'string')) {
      throw new Error(`zones.${zone}: must be a glob pattern or a list of them (relative to the workspace folder)`);
    }
    names.add(zone);
    for (const pattern of list) {
      let matches;
      try {
        matches = pathMatcher(pattern);
      } catch (e) {
        throw new Error(`zones.${zone}: ${JSON.stringify(pattern)} is not a valid glob pattern (${e.message})`);
      }
      patterns.push({ zone, matches });
    }
  }
  return { names, patterns };
}

/**
 * The zone name of a file at `relative` (to its workspace folder) under `rules`: the zones whose
 * patterns match it, else the nearest directory named after a zone of the rules.
 * Returns {name, conflicts}: `name` undefined when nothing says (global), `conflicts` the other
 * zones whose patterns also match (the first match in the setting's order wins).
 */
function assignZone(relative, rules) {
  const matched = [];
  for (const { zone, matches } of rules.patterns) {
    if (!matched.includes(zone) && matches(relative)) matched.push(zone);
  }
  if (matched.length > 0) return { name: matched[0], conflicts: matched.slice(1) };
  return { name: zoneOfDirectories(relative, rules.names), conflicts: [] };
}

module.exports = { GLOBAL, pathMatcher, zoneOfDirectories, inputZone, parseZoneAssignment, zoneRules, assignZone };
