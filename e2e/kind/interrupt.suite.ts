/**
 * SIGINT in the middle of a weighted step on kind: traffic stops, reviews is rolled back to v1 and
 * that is verified against the real pods, the partial report is valid, and the exit code is 130.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/model/results.js';
import { results, root, type CliRun } from '../cli.js';
import { built, MIN, onKind } from './kind-env.js';

describe.skipIf(!built)('SIGINT mid-step on kind', () => {
  let run: CliRun;
  let r: RunResults;
  let sent = false;
  beforeAll(async () => {
    let pid = 0;
    run = await onKind(['run', join(root, 'e2e', 'plans', 'fault-sigint.yaml'), '--seed', '35'], {
      timeoutMs: 5 * MIN,
      onSpawn: (p) => (pid = p),
      onStderr: (text) => {
        const inStep = text.indexOf('▸ step 1/1 split-50');
        if (!sent && inStep >= 0 && text.indexOf('settled after', inStep) >= 0) {
          sent = true;
          setTimeout(() => process.kill(pid, 'SIGINT'), 1000);
        }
      },
    });
    r = await results(run);
  }, 6 * MIN);

  it('exits 130, the step an error, the rollback to v1 verified on the reviews-v1 pods', () => {
    expect(sent, run.stderr).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    expect(r.interrupted).toBe(true);
    const step = r.steps.find((s) => s.name === 'split-50')!;
    expect(step.outcome).toBe('error');
    expect(step.requests).toBeLessThan(50_000);
    expect(r.rollback?.outcome).toBe('passed');
    const pods = Object.keys(r.rollback!.expectations[0]!.pods);
    expect(pods.length).toBeGreaterThan(0);
    expect(
      pods.every((p) => p.startsWith('reviews-v1-')),
      pods.join(', '),
    ).toBe(true);
  });
});
