#!/usr/bin/env node
// Entry point for `npx meshproof`: loads the TypeScript sources through tsx so that no build step
// stands between `npm ci` and a first run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
