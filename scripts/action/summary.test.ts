/** scripts/action/summary.sh under a stubbed runner. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStep, stubRunner } from './stub-runner.js';

describe('summary.sh', () => {
  it("appends each report's summary.md to the job summary in name order, after what is there", async () => {
    const runner = await stubRunner();
    await writeFile(runner.env.GITHUB_STEP_SUMMARY, '# earlier step\n');
    for (const [dir, text] of [
      ['plans-canary', '## canary: passed\n'],
      ['plans-failing-canary', '## failing-canary: failed\n'],
      ['empty', null],
    ] as const) {
      await mkdir(join(runner.cwd, 'reports', dir), { recursive: true });
      if (text) await writeFile(join(runner.cwd, 'reports', dir, 'summary.md'), text);
    }
    const run = await runStep(runner, 'summary.sh', {});
    expect(run.code, run.stderr).toBe(0);
    expect(await runner.read('GITHUB_STEP_SUMMARY')).toBe(
      '# earlier step\n## canary: passed\n\n## failing-canary: failed\n\n',
    );
    expect(run.stdout).toContain('appended 2 summary.md');
  });

  it('says that no report was written when there is none', async () => {
    const runner = await stubRunner();
    const run = await runStep(runner, 'summary.sh', { REPORTS: 'nowhere' });
    expect(run.code).toBe(0);
    expect(await runner.read('GITHUB_STEP_SUMMARY')).toContain('meshproof wrote no summary.md under nowhere/');
  });
});
