/**
 * The plan's error as a whole, stated in every report, and defaults.planAlpha split over the
 * weighted expectations (Bonferroni).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meshproof, results, root, target } from './cli.js';

describe(`plan-level error on the ${target} target`, () => {
  it('splits planAlpha over weighted expectations; results.json, summary.md, index.html state the bound', async () => {
    const run = await meshproof(['run', join(root, 'e2e/plans/plan-alpha.yaml'), '--target', target, '--seed', '3']);
    expect(run.code, run.stderr).toBe(0);
    const r = await results(run);
    expect(r.planError).toEqual({
      method: 'bonferroni',
      weightedExpectations: 2,
      // Each share is 0.005 / 2.2 rounded down (each expectation's connection check spends a tenth more).
      falseFail: expect.closeTo(2 * 0.00227 * 1.1, 12),
      falseFailIfIndependent: expect.closeTo(1 - (1 - 0.00227 * 1.1) ** 2, 12),
      falsePass: 0.01,
      planAlpha: 0.005,
    });
    expect(r.steps.map((s) => s.expectations[0]!.alpha)).toEqual([undefined, 0.00227, 0.00227]);
    const summary = await readFile(join(run.reportDir, 'summary.md'), 'utf8');
    expect(summary).toMatch(
      new RegExp(
        /\*\*Plan-level error\*\*: a correct plan fails with probability ≤ 0\.\d+ % \(Bonferroni: the sum /.source +
          /of alpha over 2 weighted expectations, a tenth more for each connection check; /.source +
          /0\.\d+ % if independent; planAlpha 0\.005\)/.source,
      ),
    );
    const html = await readFile(join(run.reportDir, 'index.html'), 'utf8');
    expect(html).toMatch(/plan-level error[\s\S]{0,80}a correct plan fails with probability ≤ 0\.\d+ %/);
  });
});
