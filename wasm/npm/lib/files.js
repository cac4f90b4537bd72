'use strict';
// Expanding command-line operands into input files: `-` (stdin), files, directories (every
// .yaml/.yml/.json below, sorted) and glob patterns (`*`, `?`, `**`, `[...]`, `{a,b}`), without
// dependencies; and reading them as text the way Kuma's decoders do (UTF-8, or UTF-16 with a
// byte order mark).

const fs = require('node:fs');
const path = require('node:path');

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

class InputError extends Error {}

function isGlob(operand) {
  return /[*?[{]/.test(operand);
}

/** The regular expression of a glob pattern; throws Error saying what is wrong with the pattern. */
function globToRegExp(pattern) {
  return new RegExp('^' + globSource(pattern) + '$');
}

/** The index of the `}` that closes the `{` at `open`, counting the braces opened inside it (-1:
 * none closes it). */
function closingBrace(pattern, open) {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === '{') depth++;
    else if (pattern[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/**
 * The regular expression of `{a,b}` at `open` (`(?:a|b)`, each alternative a glob itself), or
 * null when the braces are text, as a shell takes them: no closing `}`, or no comma (`{a}`).
 */
function braceSource(pattern, open, end) {
  const body = pattern.slice(open + 1, end);
  if (!body.includes(',')) return null;
  // Nested braces (`{a,{b,c}}`) are rare in a file pattern; said plainly rather than half-matched.
  if (body.includes('{')) throw new Error(`${pattern.slice(open, end + 1)}: braces inside braces are not supported`);
  return '(?:' + body.split(',').map(globSource).join('|') + ')';
}

/**
 * `a/{b,c}/d` as `a/b/d` and `a/c/d` (the first brace group with a comma, then the braces left in
 * each); a pattern without one, or with braces inside braces (which globToRegExp reports), as is.
 */
function braceAlternatives(pattern) {
  for (let open = pattern.indexOf('{'); open >= 0; open = pattern.indexOf('{', open + 1)) {
    const end = closingBrace(pattern, open);
    if (end < 0) return [pattern];
    const body = pattern.slice(open + 1, end);
    if (!body.includes(',')) continue;
    if (body.includes('{')) return [pattern];
    const [before, after] = [pattern.slice(0, open), pattern.slice(end + 1)];
    return body.split(',').flatMap((alternative) => braceAlternatives(before + alternative + after));
  }
  return [pattern];
}

/** The regular expression source (unanchored) of a glob pattern (see globToRegExp). */
function globSource(pattern) {
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
        const set = '[' + pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        // A set the regular expression refuses (`[z-a]`, a range out of order) is the pattern's
        // mistake, to be said in its words rather than as a RegExp SyntaxError.
        try {
          new RegExp(set);
        } catch (e) {
          const reason = e.message.slice(e.message.lastIndexOf(': ') + 2);
          throw new Error(`${pattern.slice(i, end + 1)}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`);
        }
        re += set;
        i = end;
      }
    } else if (c === '{') {
      const end = closingBrace(pattern, i);
      const alternatives = end < 0 ? null : braceSource(pattern, i, end);
      if (alternatives === null) {
        re += '\\{';
      } else {
        re += alternatives;
        i = end;
      }
    } else {
      re += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return re;
}

// The bytes of the paths a directory walk found whose names are not UTF-8 (a latin-1 `café.yaml`),
// by the string the walk gave for them: a string path is read as UTF-8, which would name
// another file (ENOENT), so such a file is read by its bytes.
const rawPaths = new Map();

const utf8Name = new TextDecoder('utf-8', { fatal: true });

/** A file name as text: itself when it is UTF-8, else with each byte from 0x80 written as `\xNN`
 * (as Git quotes such names), so that two names never print the same. */
function shownName(bytes) {
  try {
    return utf8Name.decode(bytes);
  } catch {
    let name = '';
    for (const b of bytes) name += b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return name;
  }
}

/** The file or directory a symbolic link names (stat follows it), or null when it names nothing. */
function linkTarget(raw) {
  try {
    const stat = fs.statSync(raw);
    return { stat, real: fs.realpathSync.native(raw, { encoding: 'buffer' }).toString('latin1') };
  } catch {
    // A dangling link (or a loop of links) is skipped, as a broken link is no file to check.
    return null;
  }
}

/** The real path of entry `name` of the directory whose real path is `real` (see walk). */
function below(real, name) {
  return (real.endsWith(path.sep) ? real : real + path.sep) + name.toString('latin1');
}

/** Whether a directory walk passes over an entry: hidden files and directories (`.git`,
 * `.github`) and node_modules hold tooling and other people's files, not a repository's own. */
function isSkipped(name) {
  return name === 'node_modules' || name.startsWith('.');
}

/**
 * Every file below `dir`, sorted by name in each directory, depth first, as paths to print (see
 * rawPaths). Symbolic links are followed, and each directory and file is taken once: a link to
 * a directory above is a loop, and one to a file or directory the walk reaches anyway a second
 * copy (twice the same resources in a preview). The path taken is one without links when there
 * is one: links are followed after the rest of the walk, and fill in their place in the order.
 * Entries below `dir` that isSkipped names are passed over, their paths added to `skipped` (an
 * array, when given) so that a walk that finds nothing can say why; `all` takes them too.
 */
function walk(dir, out, { skipped = null, all = false } = {}) {
  const sep = Buffer.from(path.sep);
  // Real paths (bytes, as latin-1 strings) of the directories and files taken. Below a directory
  // whose real path is known, an entry that is no link has that path and its name: only links
  // cost a look-up.
  const seen = new Set();
  // Links still to follow, each with its place (an array) in `found`.
  const links = [];
  function visit(raw, shown, real, found) {
    // Below a link, a directory or file may be one taken already (the link names its parent).
    if (seen.has(real)) return;
    seen.add(real);
    let entries;
    try {
      entries = fs.readdirSync(raw, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      throw new InputError(`${shown}: cannot read directory (${e.code || e.message})`);
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const entry of entries) {
      const name = shownName(entry.name);
      const file = { raw: Buffer.concat([raw, sep, entry.name]), shown: path.join(shown, name), exact: name === entry.name.toString() };
      if (!all && isSkipped(name)) {
        if (skipped) skipped.push(file.shown);
        continue;
      }
      if (entry.isSymbolicLink()) {
        const place = [];
        found.push(place);
        links.push({ ...file, place });
      } else if (entry.isDirectory()) {
        visit(file.raw, file.shown, below(real, entry.name), found);
      } else if (entry.isFile()) {
        take(file, below(real, entry.name), found);
      }
    }
  }
  function take(file, real, found) {
    if (seen.has(real)) return;
    seen.add(real);
    if (!file.exact) rawPaths.set(file.shown, file.raw);
    found.push(file.shown);
  }
  let real;
  try {
    real = fs.realpathSync.native(dir, { encoding: 'buffer' }).toString('latin1');
  } catch (e) {
    throw new InputError(`${dir}: cannot read directory (${e.code || e.message})`);
  }
  const found = [];
  visit(Buffer.from(dir), dir, real, found);
  // Links in the order found; those found below a link after all the others.
  while (links.length > 0) {
    const link = links.shift();
    const target = linkTarget(link.raw);
    if (target === null) continue;
    if (target.stat.isDirectory()) visit(link.raw, link.shown, target.real, link.place);
    else if (target.stat.isFile()) take(link, target.real, link.place);
  }
  out.push(...found.flat(Infinity));
  return out;
}

function isKumaFileType(file) {
  return EXTENSIONS.has(path.extname(file).toLowerCase());
}

/**
 * The first file below the entries a walk skipped (see walk) that `keep` takes, or null: a
 * directory or glob that finds nothing says it was there, since "no files" would be false.
 */
function firstSkippedFile(skipped, keep) {
  for (const entry of skipped) {
    let files;
    try {
      files = fs.statSync(entry).isDirectory() ? walk(entry, [], { all: true }) : [entry];
    } catch {
      // An entry that cannot be read says nothing either way.
      continue;
    }
    const file = files.find(keep);
    if (file !== undefined) return file;
  }
  return null;
}

/** ` (hidden files and directories and node_modules are skipped, e.g. ...)` when a walk that
 * found nothing passed over `file`, else ''. Naming such a path reads it, so the note says which. */
function skippedNote(file) {
  if (file === null) return '';
  const name = path.basename(file).startsWith('.') ? file : path.dirname(file);
  return ` (hidden files and directories and node_modules are skipped, e.g. ${file}; name such a path to read it: ${name})`;
}

/**
 * Whether a glob's last segment names an extension (`*.txt`, `*.y*ml`, `chart.*`): then the user
 * said which files they want. One that does not (`*`, `**`, `web-*`) is a directory walk in other
 * words, so it takes only the file types a directory operand takes, not a `logo.png` beside them.
 */
function namesExtension(pattern) {
  return /^.+\.[^.]+$/.test(pattern.slice(pattern.lastIndexOf('/') + 1));
}

/**
 * The files a glob matches. The pattern is compared with the paths a directory walk prints,
 * which path.join has normalised, so the pattern is normalised the same way first: its fixed
 * directory part as a path (`dn/../in`, `./in`, `in//` are `in`), and in its glob part empty and
 * `.` segments dropped. Matches print below the normalised directory (`in/a.json`).
 * Returns {files, skipped, matches}: the entries the walk passed over (see walk) and the test of
 * a walked path, for saying why a glob that matches nothing found nothing.
 */
function expandGlob(pattern) {
  const parts = pattern.split(path.sep).join('/').split('/');
  const firstGlob = parts.findIndex(isGlob);
  const fixed = parts.slice(0, firstGlob);
  const rest = parts.slice(firstGlob).filter((part) => part !== '' && part !== '.');
  let base = fixed.length === 0 ? '.' : fixed.join('/') === '' ? '/' : path.posix.normalize(fixed.join('/'));
  if (base.length > 1 && base.endsWith('/')) base = base.slice(0, -1);
  const normalized = base === '.' ? rest.join('/') : base === '/' ? `/${rest.join('/')}` : `${base}/${rest.join('/')}`;
  let re;
  try {
    re = globToRegExp(normalized);
  } catch (e) {
    throw new InputError(`${pattern}: not a valid glob pattern (${e.message})`);
  }
  const anyType = namesExtension(normalized);
  const matches = (f) => re.test(f.split(path.sep).join('/')) && (anyType || isKumaFileType(f));
  const skipped = [];
  if (!fs.existsSync(base) || !fs.statSync(base).isDirectory()) return { files: [], skipped, matches };
  const files = walk(base, [], { skipped })
    .map((f) => {
      const shown = f.split(path.sep).join('/');
      if (rawPaths.has(f)) rawPaths.set(shown, rawPaths.get(f));
      return shown;
    })
    .filter(matches);
  return { files, skipped, matches };
}

/**
 * Expand operands into file paths in order; `-` stays as stdin. A file operand (or `-`) comes
 * back exactly as written, so a caller can tell the files a user named from those found in a
 * directory or by a glob. An operand that names nothing (or a glob or directory that finds no
 * file) is an InputError: passed to `onError` when given, and the other operands still
 * expanded, else thrown.
 */
function expandOperands(operands, onError) {
  const out = [];
  for (const operand of operands) {
    try {
      out.push(...expandOperand(operand));
    } catch (e) {
      if (!(e instanceof InputError) || !onError) throw e;
      onError(e);
    }
  }
  return onceEach(out);
}

/** The files of one operand (see expandOperands); throws InputError. */
function expandOperand(operand) {
  if (operand === '-') return ['-'];
  let stat = null;
  try {
    stat = fs.statSync(operand);
  } catch {
    stat = null;
  }
  if (stat && stat.isDirectory()) {
    const skipped = [];
    const files = walk(operand, [], { skipped }).filter(isKumaFileType);
    if (files.length === 0) {
      const note = skippedNote(firstSkippedFile(skipped, isKumaFileType));
      throw new InputError(`${operand}: no .yaml, .yml or .json files in this directory${note}`);
    }
    return files;
  }
  if (stat) return [operand];
  // Each brace alternative is an operand of its own, with its own fixed directory part, so one
  // that names a hidden directory (`deploy/{.github,k8s}/*.yaml`) reads it as naming it does.
  const alternatives = braceAlternatives(operand);
  if (alternatives.length > 1) {
    const files = [];
    for (const alternative of alternatives) {
      try {
        files.push(...expandOperand(alternative));
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
      }
    }
    if (files.length === 0) {
      const what = namesExtension(operand) ? 'files' : '.yaml, .yml or .json files';
      throw new InputError(`${operand}: no ${what} match this pattern`);
    }
    return onceEach(files);
  }
  if (isGlob(operand)) {
    const { files, skipped, matches } = expandGlob(operand);
    if (files.length === 0) {
      const what = namesExtension(operand) ? 'files' : '.yaml, .yml or .json files';
      const note = skippedNote(firstSkippedFile(skipped, matches));
      throw new InputError(`${operand}: no ${what} match this pattern${note}`);
    }
    return files;
  }
  throw new InputError(`${operand}: no such file or directory`);
}

/**
 * `files` with each file once (the first path naming it): operands that overlap
 * (`k8s/*.yaml k8s/`, `deploy/../k8s/a.yaml k8s/a.yaml`) would otherwise check, count and
 * preview one file twice.
 */
function onceEach(files) {
  const seen = new Set();
  return files.filter((file) => {
    if (file === '-') return true;
    let key;
    try {
      key = fs.realpathSync(rawPaths.get(file) ?? file, { encoding: 'buffer' }).toString('latin1');
    } catch {
      return true;
    }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lossy = new TextDecoder('utf-8');

/** The byte offset where the (lossy) decoding `text` of `bytes` first replaced invalid UTF-8. */
function firstInvalidUtf8(bytes, text) {
  // Every U+FFFD in `text` is either a bad sequence or a real U+FFFD (EF BF BD) in the file;
  // up to the first bad one, the text re-encodes to exactly the file's bytes.
  let offset = 0;
  let from = 0;
  for (let at = text.indexOf('\ufffd'); at >= 0; at = text.indexOf('\ufffd', at + 1)) {
    offset += Buffer.byteLength(text.slice(from, at));
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) return offset;
    offset += 3;
    from = at + 1;
  }
  return 0;
}

/** The UTF-16 encoding a byte order mark at the start of `bytes` names, or null. Neither FF nor
 * FE can start UTF-8 text, so there is no mistaking one for the other. */
function utf16ByteOrder(bytes) {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * Decode a file's bytes as Kuma does: UTF-8 (without its byte order mark), or UTF-16 when it
 * starts with a UTF-16 byte order mark (go-yaml reads those). Returns `{text}`, or, for bytes
 * that are neither, `{text, problem}` with a lossy UTF-8 `text` (U+FFFD for the bad bytes): not
 * to be checked, but enough to see whether the file is meant as a Kuma resource.
 */
function decode(bytes) {
  const utf16 = utf16ByteOrder(bytes);
  if (utf16) {
    try {
      // The decoder drops the byte order mark.
      return { text: new TextDecoder(utf16, { fatal: true }).decode(bytes) };
    } catch {
      const name = utf16.toUpperCase();
      const problem = `the input starts with a ${name} byte order mark but is not valid ${name} text`;
      return { text: new TextDecoder(utf16).decode(bytes), problem };
    }
  }
  try {
    const text = utf8.decode(bytes);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    const text = utf8Lossy.decode(bytes);
    const offset = firstInvalidUtf8(bytes, text);
    // Lines end at \n, \r\n or a lone \r, as the core counts them.
    let line = 1;
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++;
    }
    const byte = bytes[offset].toString(16).toUpperCase().padStart(2, '0');
    return { text, problem: `the input is not valid UTF-8 text (invalid byte 0x${byte} at offset ${offset}, line ${line})` };
  }
}

/** A `limit` error shaped like the core's diagnostics, at line 1 column 1 (where the core puts
 * its size limit: the whole file is the problem). */
function limitError(message) {
  const start = () => ({ line: 1, column: 1, character: 0, offset: 0 });
  return { severity: 'error', code: 'limit', field: '', message, range: { start: start(), end: start() } };
}

/**
 * Read one expanded operand into `{path, text}`. Bytes that cannot be decoded are no reason to
 * stop checking the other files: they come back as `{path, text, undecodable}`, `undecodable`
 * being the file's `limit` error and `text` the lossy decoding, only fit to judge whether the
 * file is meant as Kuma (see decode). Throws InputError when the file cannot be read at all.
 */
function readInput(file, stdin) {
  let bytes;
  if (file === '-') {
    try {
      bytes = stdin();
    } catch (e) {
      // Standard input redirected from a directory (EISDIR), or closed.
      throw new InputError(`<stdin>: cannot read (${e.code || e.message})`);
    }
  } else {
    try {
      bytes = fs.readFileSync(rawPaths.get(file) || file);
    } catch (e) {
      throw new InputError(`${file}: cannot read (${e.code || e.message})`);
    }
  }
  const { text, problem } = decode(bytes);
  const input = { path: file === '-' ? '<stdin>' : file, text };
  if (problem) input.undecodable = limitError(problem);
  return input;
}

module.exports = { expandOperands, readInput, decode, InputError, globToRegExp, isGlob };
