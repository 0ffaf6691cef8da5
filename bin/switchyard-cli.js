#!/usr/bin/env node
// Entry point of the `switchyard` command: runs the TypeScript CLI through tsx's require hook
// so `npx switchyard …` and `npm start` work straight from a clone with no build step.
require('tsx/cjs');
const { runCli } = require('../functions/cli/main.ts');
const { processIo } = require('../functions/cli/cli-io.ts');

runCli(process.argv.slice(2), processIo()).then((code) => {
  if (code !== 0) process.exitCode = code;
});
