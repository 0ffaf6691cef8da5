#!/usr/bin/env node
// Entry point of the `switchyard` command: runs the TypeScript CLI through tsx's require hook
// so `npx switchyard …` and `npm start` work straight from a clone with no build step.
require('tsx/cjs');
require('../functions/cli/main.ts');
