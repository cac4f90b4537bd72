#!/usr/bin/env node
'use strict';
const { main } = require('../lib/cli.js');

const code = main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
});
process.exitCode = code;
// A reader that stops early (`kuma-mzs schema | head`) closes the pipe: the rest of the output has
// nowhere to go, which is no error of ours. Leave with the status the run decided.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(code);
});
