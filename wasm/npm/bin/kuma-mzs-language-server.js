#!/usr/bin/env node
'use strict';
// Language server for Kuma resource YAML/JSON: `kuma-mzs-language-server --stdio`.
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    'Usage: kuma-mzs-language-server --stdio | --node-ipc | --socket=PORT | --pipe=NAME\n' +
      'Diagnostics, hover, completion and quick fixes for Kuma MeshMultiZoneService YAML/JSON.\n',
  );
  process.exit(0);
}
if (!process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
  process.argv.push('--stdio');
}
require('../lib/server.js').start();
