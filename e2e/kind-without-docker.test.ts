/**
 * `meshproof run … --target kind` where no Docker daemon answers: the preflight phase shows live,
 * fails with the reason, the run exits 3 without touching anything, and results.json records the
 * phase with its duration. Skipped where a daemon does answer (then kind would really start).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { meshproof, results } from './cli.js';

function dockerDaemonAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(dockerDaemonAnswers())('run --target kind without a Docker daemon', () => {
  it('shows the preflight phase failing, exits 3 and records the phase in results.json', async () => {
    const run = await meshproof(['run', 'plans/canary.yaml', '--target', 'kind']);
    expect(run.code).toBe(3);
    const lines = run.stderr.split('\n');
    expect(lines).toContain(' • preflight …');
    expect(run.stderr).toMatch(/^ ✗ preflight: cannot use the kind target: .*\(\d+(\.\d)?m?s\)$/m);
    expect(run.stderr).not.toMatch(/▸ step/);
    const r = await results(run);
    expect(r.exitCode).toBe(3);
    // Every planned step is still listed, as not run, with the reason.
    expect(r.steps.length).toBeGreaterThan(0);
    for (const s of r.steps)
      expect(s).toMatchObject({
        outcome: 'skipped',
        notRun: expect.stringMatching(/^the run stopped before this step: cannot use the kind target/),
      });
    expect(r.phases).toEqual([
      {
        name: 'preflight',
        ok: false,
        durationMs: expect.any(Number),
        detail: expect.stringMatching(/^cannot use the kind target/),
      },
    ]);
  });
});
