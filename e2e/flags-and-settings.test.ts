/**
 * Flags and settings that cannot work are refused at once with exit 2 and a message naming the
 * flag or the plan line, before any traffic: negative numbers, seeds out of range, ingress URLs
 * that are not http(s), concurrency past its bound, budgets no verdict fits in.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { meshproof, root } from './cli.js';
import { oneStepPlan, writePlan } from './quick-plan.js';

const tutorial = join(root, 'plans', 'tutorial.yaml');

describe('flags', () => {
  it.each([
    [['--seed', '-1'], '--seed must be at least 0, not -1'],
    [['--max-requests', '-5'], '--max-requests must be at least 1, not -5'],
    [['--seed', '99999999999999999999'], '--seed must be at most 4294967295, not 99999999999999999999'],
    [['--seed', '1.5'], '--seed must be a whole number, not 1.5'],
    [['--concurrency', '100000'], '--concurrency must be at most 256, not 100000'],
    [['--relative-tolerance', '-0.5'], '--relative-tolerance must be between 0 and 1 (exclusive), not -0.5'],
    [['--ingress-url', 'not a url'], '--ingress-url must be an http:// or https:// URL'],
    [['--ingress-url', 'file:///etc/passwd'], '--ingress-url must be an http:// or https:// URL, not file:'],
  ])('%j is refused at once: %s', async (flags, message) => {
    const run = await meshproof(['run', tutorial, '--target', 'existing', ...flags], { timeoutMs: 15_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/ambiguous/);
    expect(run.ms).toBeLessThan(10_000);
  });
});

describe('settings that can never reach a verdict', () => {
  it('--max-requests 1: run refuses before any traffic, naming the expectation', async () => {
    const run = await meshproof(['run', tutorial, '--target', 'local', '--max-requests', '1']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /tutorial\.yaml:13 \(steps\[0\]\.expect\[0\]\): .*a pass needs 49 answers that match, more than maxRequests 1/,
    );
    expect(existsSync(join(run.reportDir, 'results.json'))).toBe(false);
  });

  it('an alpha and tolerance needing more clean answers than maxRequests: lint reports it', async () => {
    const plan = await writePlan(
      oneStepPlan('strict', { extra: 'defaults: { alpha: 0.0001, tolerance: 0.01, maxRequests: 500 }' }),
    );
    const run = await meshproof(['lint', plan]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout + run.stderr).toMatch(
      /error .*plan\.yaml:7 .*a pass needs 1018 answers that match, more than maxRequests 500/,
    );
  });

  it('concurrency past 256 in a plan is refused with its line', async () => {
    const plan = await writePlan(oneStepPlan('wide', { extra: 'defaults: { concurrency: 100000 }' }));
    const run = await meshproof(['lint', plan]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout + run.stderr).toMatch(
      /plan\.yaml:8 \(defaults\.concurrency\): concurrency must be a whole number from 1 to 256, got 100000/,
    );
  });
});
