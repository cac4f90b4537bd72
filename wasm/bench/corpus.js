'use strict';
// The corpus of bench.js and paired.js: 300 MeshMultiZoneService YAML documents (about 377 B
// each); every other one has a Kuma error (a bad appProtocol, a non-RFC-1035 name, empty
// matchLabels).

function mzs(i, variant) {
  const ports = [];
  for (let p = 0; p < 3; p++) {
    const protocol = variant === 'bad-protocol' && p === 1 ? 'htpp' : ['http', 'grpc', 'tcp'][p];
    ports.push(`  - port: ${8080 + p}\n    name: port-${p}\n    appProtocol: ${protocol}`);
  }
  const name = variant === 'bad-name' ? `svc.${i}` : `backend-${i}`;
  const selector = variant === 'empty-selector' ? '    meshService:\n      matchLabels: {}' :
    `    meshService:\n      matchLabels:\n        app: backend-${i}\n        kuma.io/origin: zone`;
  return `type: MeshMultiZoneService\nname: ${name}\nmesh: default\nlabels:\n  team: payments\n  kuma.io/origin: global\nspec:\n  selector:\n${selector}\n  ports:\n${ports.join('\n')}\n`;
}

const VARIANTS = ['valid', 'valid', 'valid', 'bad-protocol', 'bad-name', 'empty-selector'];
/** `{ text, valid }` per document. */
const documents = [];
for (let i = 0; i < 300; i++) {
  const variant = VARIANTS[i % VARIANTS.length];
  documents.push({ text: mzs(i, variant), valid: variant === 'valid' });
}

exports.documents = documents;
exports.corpus = documents.map((d) => d.text);
