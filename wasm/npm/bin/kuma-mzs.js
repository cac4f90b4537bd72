#!/usr/bin/env node
'use strict';
const { main } = require('../lib/cli.js');

const code = main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
});
process.exitCode = code;
