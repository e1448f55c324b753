/**
 * A second SIGINT skips the rollback: the reports must then say the rollback did not run (or was
 * stopped before it was verified) and where the routes were left, call the cut-short expectation
 * interrupted rather than out of budget, and file it in junit as an error, not an inconclusive failure.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { meshproof, results, root, type CliRun } from './cli.js';
import type { RunResults } from '../src/model/results.js';

describe('SIGINT twice, mid weighted step', () => {
  let run: CliRun;
  let r: RunResults;
  let files: Record<string, string>;
  beforeAll(async () => {
    let pid = 0;
    let first = false;
    let second = false;
    run = await meshproof(
      ['run', join(root, 'e2e', 'plans', 'fault-sigint.yaml'), '--target', 'local', '--seed', '35'],
      {
        timeoutMs: 45_000,
        onSpawn: (p) => (pid = p),
        onStderr: (text) => {
          const inStep = text.indexOf('▸ step 1/1 split-50');
          if (!first && inStep >= 0 && text.indexOf('settled after', inStep) >= 0) {
            first = true;
            setTimeout(() => process.kill(pid, 'SIGINT'), 300);
          }
          if (first && !second && text.includes('SIGINT: stopping')) {
            second = true;
            process.kill(pid, 'SIGINT');
          }
        },
      },
    );
    r = await results(run);
    files = Object.fromEntries(
      await Promise.all(
        ['junit.xml', 'summary.md', 'index.html'].map(
          async (f) => [f, await readFile(join(run.reportDir, f), 'utf8')] as const,
        ),
      ),
    );
  }, 60_000);

  it('exits 130 and says the rollback did not run to its end, and where the routes were left', () => {
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('skipping the rollback');
    const rb = r.rollback!;
    expect(rb.notRun, JSON.stringify(rb)).toMatch(
      /second SIGINT.*the routes (were|may be) left as step split-50 applied them/,
    );
    expect(r.message).toContain('the routes');
    expect(files['summary.md']).toMatch(/\*\*Rollback\*\* .*(did not run|stopped before it was verified)/);
    expect(files['index.html']).not.toContain('The rollback ran after this step');
    expect(files['index.html']).toMatch(
      /The rollback (did not run|stopped before it was verified) after this step: .*split-50/,
    );
    expect(run.stdout + run.stderr).toMatch(/rollback (did not run|stopped before it was verified)/);
  });

  it('calls the cut-short expectation interrupted, and junit files it as an error', () => {
    const e = r.steps[0]!.expectations[0]!;
    expect(e.outcome).toBe('error');
    expect(e.message).toMatch(/interrupted by SIGINT after \d+ verification requests, before a verdict/);
    expect(run.stderr).not.toContain('no verdict within the request budget');
    expect(files['junit.xml']).not.toContain('type="inconclusive"');
    expect(files['junit.xml']).toMatch(/<error message="[^"]*interrupted by SIGINT/);
  });
});
