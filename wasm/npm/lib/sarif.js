'use strict';
// SARIF 2.1.0 output (GitHub code scanning compatible): one run, one rule per diagnostic code
// from the core's registry, results located with 1-based lines and Unicode-character columns.

const LEVEL = { error: 'error', warning: 'warning', info: 'note' };

function artifactUri(path) {
  if (path === '<stdin>') return 'stdin';
  const forward = path.split('\\').join('/').replace(/^\.\//, '');
  return encodeURI(forward);
}

/**
 * @param files [{path, diagnostics}] diagnostics as returned by validate()
 * @param meta {version, codes: [{code, description}]}
 */
function toSarif(files, meta) {
  const rules = meta.codes.map((c) => ({
    id: c.code,
    name: c.code,
    shortDescription: { text: c.description },
    fullDescription: { text: c.description },
    helpUri: 'https://github.com/kumahq/kuma',
    defaultConfiguration: { level: c.code === 'syntax' || c.code === 'kuma' || c.code === 'schema' || c.code === 'limit' ? 'error' : 'warning' },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = [];
  for (const file of files) {
    for (const d of file.diagnostics) {
      const result = {
        ruleId: d.code,
        level: LEVEL[d.severity] || 'warning',
        message: { text: d.field ? `${d.field}: ${d.message}` : d.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: artifactUri(file.path), uriBaseId: '%SRCROOT%' },
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
        columnKind: 'unicodeCodePoints',
        results,
      },
    ],
  };
}

module.exports = { toSarif };
