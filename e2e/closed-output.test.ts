/** A reader that goes away (`meshproof run … | head`) must not cost the run or its report. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './cli.js';

describe('output closed early', () => {
  it('finishes the tutorial with exit 0 and a full report after its readers stop reading', async () => {
    const reportDir = join(await mkdtemp(join(tmpdir(), 'meshproof-closed-')), 'r');
    const child = spawn(
      process.execPath,
      [join(root, 'bin', 'meshproof.js'), 'tutorial', '--target', 'local', '--report-dir', reportDir],
      { cwd: root, env: { ...process.env, CI: 'true' } },
    );
    // Like `| head -1`: read the first line, then close both pipes.
    await once(child.stderr, 'data');
    child.stdout.destroy();
    child.stderr.destroy();
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(0);
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ outcome: 'passed', exitCode: 0 });
    expect(results.partial ?? false).toBe(false);
  }, 60_000);
});
