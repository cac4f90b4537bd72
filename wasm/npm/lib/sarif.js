'use strict';
// SARIF 2.1.0 output for GitHub code scanning: one run, one rule per diagnostic code from the
// core's registry (its default severity is the rule's level, its docs/codes.md section the help),
// results located with 1-based lines and Unicode-character columns. Artifact URIs are relative
// to %SRCROOT% (the directory the CLI runs in, or --srcroot), also for absolute operands; a file
// outside it gets an absolute file:// URI, which code scanning maps as well. Operands are paths
// from the working directory whatever --srcroot is, so that is where a file is resolved.

const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { diagnosticText, hintText } = require('./format.js');

// SARIF's levels for the core's severities (the only mapping here: names, not rules).
const LEVEL = { error: 'error', warning: 'warning', info: 'note' };

function level(severity) {
  const mapped = LEVEL[severity];
  if (!mapped) throw new Error(`kuma-mzs: unknown severity ${JSON.stringify(severity)}`);
  return mapped;
}

/** Percent-encode a relative path for a URI, segment by segment (keeps `/`). */
function encodePath(relative) {
  return relative.split('/').map(encodeURIComponent).join('/');
}

/** Whether `relative` (from path.relative) leaves its base: `..` or `../x`, not a name that only
 * starts with two dots (`..weird.yaml`); absolute when on another drive (Windows). */
function isOutside(relative) {
  return relative === '..' || relative.startsWith('..' + path.sep) || path.isAbsolute(relative);
}

/**
 * The artifactLocation of `file` (as given on the command line, so relative to the working
 * directory) relative to `srcroot` (absolute).
 * @returns {{uri: string, uriBaseId?: string}}
 */
function artifactLocation(file, srcroot) {
  if (file === '<stdin>') return { uri: 'stdin', uriBaseId: '%SRCROOT%' };
  const absolute = path.resolve(file);
  const relative = path.relative(srcroot, absolute);
  if (relative === '' || isOutside(relative)) {
    return { uri: pathToFileURL(absolute).href };
  }
  return { uri: encodePath(relative.split(path.sep).join('/')), uriBaseId: '%SRCROOT%' };
}

/**
 * A rule's help: its description and where its section is. A relative `docs/codes.md` link only
 * resolves where the SARIF viewer happens to be in the kuma-mzs repository, so with the page's
 * URL (helpBase) both the text and the Markdown link point there.
 */
function ruleHelp(c, helpBase) {
  if (helpBase) {
    const url = `${helpBase}#${c.helpAnchor}`;
    // A parenthesis would end the Markdown link early; encoded, the URL names the same page.
    const link = url.replace(/\(/g, '%28').replace(/\)/g, '%29');
    return { text: `${c.description}. See ${url}.`, markdown: `${c.description}. See [${c.code}](${link}).` };
  }
  return {
    text: `${c.description}. See docs/codes.md#${c.helpAnchor} in the kuma-mzs repository.`,
    markdown: `${c.description}. See [${c.code}](docs/codes.md#${c.helpAnchor}) in the kuma-mzs repository's docs.`,
  };
}

function directoryUri(dir) {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : href + '/';
}

/**
 * @param files [{path, diagnostics}] diagnostics as returned by validate()
 * @param meta {version, codes: CodeInfo[], srcroot?: string, helpBase?: string}
 *   srcroot: the directory %SRCROOT% stands for (default: the working directory);
 *   helpBase: URL of docs/codes.md (each rule's helpUri is helpBase#anchor, and its help links
 *   there); without it the help names the section of docs/codes.md in the repository.
 */
function toSarif(files, meta) {
  const srcroot = path.resolve(meta.srcroot || process.cwd());
  const rules = meta.codes.map((c) => {
    const rule = {
      id: c.code,
      name: c.code,
      shortDescription: { text: c.description },
      fullDescription: { text: c.description },
      help: ruleHelp(c, meta.helpBase),
      defaultConfiguration: { level: level(c.severity) },
    };
    if (meta.helpBase) rule.helpUri = `${meta.helpBase}#${c.helpAnchor}`;
    return rule;
  });
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = [];
  for (const file of files) {
    const artifact = artifactLocation(file.path, srcroot);
    for (const d of file.diagnostics) {
      const result = {
        ruleId: d.code,
        level: level(d.severity),
        message: { text: d.hint ? `${diagnosticText(d)}\n${hintText(d)}` : diagnosticText(d) },
        locations: [
          {
            physicalLocation: {
              artifactLocation: artifact,
              region: {
                startLine: d.range.start.line,
                startColumn: d.range.start.column,
                endLine: d.range.end.line,
                endColumn: d.range.end.column,
              },
            },
          },
        ],
      };
      if (ruleIndex.has(d.code)) result.ruleIndex = ruleIndex.get(d.code);
      if (d.field) result.properties = { field: d.field };
      if (d.hint) result.properties = { ...result.properties, hint: d.hint };
      results.push(result);
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kuma-mzs',
            version: meta.version,
            semanticVersion: meta.version,
            informationUri: 'https://kuma.io/docs/latest/networking/meshmultizoneservice/',
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: directoryUri(srcroot) } },
        columnKind: 'unicodeCodePoints',
        results,
      },
    ],
  };
}

module.exports = { toSarif, artifactLocation };
