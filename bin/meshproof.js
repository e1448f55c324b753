#!/usr/bin/env node
// `meshproof` from a clone: runs the TypeScript sources through tsx, so that no build step stands
// between an edit and a run. The package's command is the bundle, dist/meshproof.js (npm run build).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/bin.ts');
