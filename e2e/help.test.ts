import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meshproof, root } from './cli.js';
import { PINNED } from '../src/istio/install/versions.js';

describe('meshproof --help, help, --version and no command', () => {
  it('prints the usage and exits 0 when asked for it', async () => {
    for (const args of [['--help'], ['help']]) {
      const run = await meshproof(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/^Usage: meshproof <command>/m);
    }
  });

  it('prints the usage and exits 2 without a command', async () => {
    const run = await meshproof([]);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/Usage: meshproof <command>/);
  });

  it('prints the package version, then the pinned Istio, Kubernetes and kind versions', async () => {
    const run = await meshproof(['--version'], { env: { MESHPROOF_ISTIO_VERSION: '', MESHPROOF_KIND_VERSION: '' } });
    expect(run.code).toBe(0);
    const [first, ...rest] = run.stdout.trim().split('\n');
    expect(first).toBe(`meshproof ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}`);
    expect(rest).toContain(`kind ${PINNED.kind}`);
    expect(rest.find((l) => l.startsWith('istio '))).toContain(`istio ${PINNED.istio} `);
    expect(rest.find((l) => l.startsWith('kubernetes '))).toMatch(/^kubernetes v\d+\.\d+\.\d+ \(kind node image\)/);
  });
});
