#!/usr/bin/env node
// Entry point of the `switchyard` command: runs the TypeScript CLI through tsx's require hook
// so `npx switchyard …` and `npm start` work straight from a clone with no build step.
// The embedded store needs node:sqlite, unflagged since Node 22.13 (package.json `engines`).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`switchyard needs Node 22.13 or later; this is Node ${process.versions.node}. The README's Quick start shows how to get it.\n`);
  process.exit(1);
}
require('tsx/cjs');
// A long-running server runs with a smaller heap than V8 would pick (functions/cli/serve-v8-flags.ts).
if (process.argv[2] === 'serve') require('../functions/cli/serve-v8-flags.ts').applyServeV8Flags();
const { runCli } = require('../functions/cli/main.ts');
const { processIo } = require('../functions/cli/cli-io.ts');

runCli(process.argv.slice(2), processIo()).then((code) => {
  if (code !== 0) process.exitCode = code;
});
