#!/usr/bin/env node
// `npm run build`: bundles src/ into dist/ with esbuild (dist/meshproof.js and the chunks it loads on
// demand). Dependencies stay outside the bundle, installed from package.json as usual. Types are
// checked by `npx tsc --noEmit`, not here. Why a bundle and not tsc's output: BENCHMARKS.md (start-up).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
const quiet = process.argv.includes('--quiet');
const started = performance.now();

await rm(outdir, { recursive: true, force: true });
try {
  await build({
    absWorkingDir: root,
    entryPoints: { meshproof: 'src/cli/bin.ts' },
    outdir,
    bundle: true,
    // Each command's modules stay in their own chunks, loaded when that command runs.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.18',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
} catch (err) {
  console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
if (!quiet) console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
