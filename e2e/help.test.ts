import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meshproof, root } from './cli.js';

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

  it('prints the package version', async () => {
    const run = await meshproof(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });
});
