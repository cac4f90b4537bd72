#!/usr/bin/env node
'use strict';
// validate() of two or more builds in one Node process, alternating, on bench.js's corpus: the
// way to compare builds on a shared machine (run-to-run noise there is larger than most changes).
// Each build's best of R rounds (default 15) of 5 passes, in CPU microseconds per document
// (process.cpuUsage: user + system, GC threads included).
//
//   node wasm/bench/paired.js <pkg dir> <pkg dir> ...      (a pkg dir: a copy of wasm/pkg)
//   ONLY=valid | ONLY=invalid node wasm/bench/paired.js ... (half of the corpus)
//   R=25 node wasm/bench/paired.js ...
const path = require('node:path');
const { documents } = require('./corpus.js');

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node wasm/bench/paired.js <pkg dir> [<pkg dir> ...]');
  process.exit(2);
}
const builds = dirs.map((dir) => require(path.resolve(dir, 'node', 'kuma_mzs.js')));
const only = process.env.ONLY;
const texts = documents.filter((d) => !only || d.valid === (only === 'valid')).map((d) => d.text);
const PASSES = 5;
const rounds = Number(process.env.R || 15);

for (const k of builds) for (let n = 0; n < 20; n++) for (const t of texts) k.validate(t); // warm up
const best = builds.map(() => Infinity);
for (let r = 0; r < rounds; r++) {
  builds.forEach((k, j) => {
    const start = process.cpuUsage();
    for (let n = 0; n < PASSES; n++) for (const t of texts) k.validate(t);
    const used = process.cpuUsage(start);
    best[j] = Math.min(best[j], (used.user + used.system) / (PASSES * texts.length));
  });
}
console.log(`${texts.length} documents${only ? ` (${only})` : ''}, best of ${rounds} rounds of ${PASSES} passes, CPU µs per document:`);
dirs.forEach((dir, j) => console.log(`  ${best[j].toFixed(2)}  ${dir}`));
