'use strict';
// Expanding command-line operands into input files: `-` (stdin), files, directories (every
// .yaml/.yml/.json below, sorted) and glob patterns (`*`, `?`, `**`), without dependencies.

const fs = require('node:fs');
const path = require('node:path');

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

class InputError extends Error {}

function isGlob(operand) {
  return /[*?[]/.test(operand);
}

function globToRegExp(pattern) {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` matches any number of directories, `**` anything.
        if (pattern[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
      } else {
        re += '[' + pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else {
      re += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return new RegExp('^' + re + '$');
}

function walk(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new InputError(`${dir}: cannot read directory (${e.code || e.message})`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

function expandGlob(pattern) {
  const normalized = pattern.split(path.sep).join('/');
  const parts = normalized.split('/');
  const fixed = [];
  for (const part of parts) {
    if (isGlob(part)) break;
    fixed.push(part);
  }
  const base = fixed.length === 0 ? '.' : fixed.join('/') || '/';
  const re = globToRegExp(normalized.startsWith('./') ? normalized.slice(2) : normalized);
  if (!fs.existsSync(base) || !fs.statSync(base).isDirectory()) return [];
  return walk(base, [])
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => re.test(f.startsWith('./') ? f.slice(2) : f));
}

/** Expand operands into `{path}` entries in order; `-` stays as stdin. Throws InputError. */
function expandOperands(operands) {
  const out = [];
  for (const operand of operands) {
    if (operand === '-') {
      out.push('-');
      continue;
    }
    let stat = null;
    try {
      stat = fs.statSync(operand);
    } catch {
      stat = null;
    }
    if (stat && stat.isDirectory()) {
      const files = walk(operand, []).filter((f) => EXTENSIONS.has(path.extname(f).toLowerCase()));
      if (files.length === 0) throw new InputError(`${operand}: no .yaml, .yml or .json files in this directory`);
      out.push(...files);
    } else if (stat) {
      out.push(operand);
    } else if (isGlob(operand)) {
      const files = expandGlob(operand);
      if (files.length === 0) throw new InputError(`${operand}: no files match this pattern`);
      out.push(...files);
    } else {
      throw new InputError(`${operand}: no such file or directory`);
    }
  }
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Read one expanded operand into `{path, text}`; throws InputError on IO or encoding errors. */
function readInput(file, stdin) {
  let bytes;
  if (file === '-') {
    bytes = stdin();
  } else {
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      throw new InputError(`${file}: cannot read (${e.code || e.message})`);
    }
  }
  let text;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new InputError(`${file === '-' ? '<stdin>' : file}: not UTF-8 text`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { path: file === '-' ? '<stdin>' : file, text };
}

module.exports = { expandOperands, readInput, InputError, globToRegExp, isGlob };
