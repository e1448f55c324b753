/** Bad input through the real command line: exit 2, the file and line named, nothing started. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { meshproof, root } from './cli.js';

describe('bad input', () => {
  it('a plan that does not parse exits 2 naming the file and line', async () => {
    const run = await meshproof(['run', join(root, 'e2e/plans/does-not-parse.yaml'), '--target', 'local']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does-not-parse\.yaml:\d+/);
    expect(existsSync(join(run.reportDir, 'results.json'))).toBe(false);
  });

  it('a plan that names a missing file exits 2 naming the plan line and the missing path', async () => {
    const run = await meshproof(['run', join(root, 'e2e/plans/missing-file.yaml'), '--target', 'local']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing-file\.yaml:6/);
    expect(run.stderr).toContain('no-such-file.yaml');
  });

  it('an unknown flag value exits 2', async () => {
    const run = await meshproof(['tutorial', '--target', 'moon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--target');
  });

  it('a report folder that cannot be written exits 2 before any traffic', async () => {
    // A path under a regular file can't be a folder, even for root.
    const file = join(await mkdtemp(join(tmpdir(), 'meshproof-e2e-')), 'a-file');
    await writeFile(file, '');
    const run = await meshproof(['tutorial', '--target', 'local', '--report-dir', join(file, 'report')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('report folder');
  });
});
