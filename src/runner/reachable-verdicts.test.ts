import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlan } from '../plan/load.js';
import { paths } from '../core/paths.js';
import { unreachableVerdicts } from './reachable-verdicts.js';

describe('unreachableVerdicts', () => {
  it('finds nothing in the shipped canary at its own settings', async () => {
    expect(unreachableVerdicts(await loadPlan(join(paths.plans, 'canary.yaml')))).toEqual([]);
  });

  it('names every expectation a one-request budget cannot decide, with the count a pass needs', async () => {
    const issues = unreachableVerdicts(await loadPlan(join(paths.plans, 'tutorial.yaml'), { maxRequests: 1 }));
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [13, 'steps[0].expect[0]'],
      [18, 'steps[1].expect[0]'],
    ]);
    expect(issues[0]!.message).toContain('a pass needs 49 answers that match, more than maxRequests 1');
  });

  it('asks the verifier: a budget exactly at what a pass needs is enough', async () => {
    expect(unreachableVerdicts(await loadPlan(join(paths.plans, 'tutorial.yaml'), { maxRequests: 49 }))).toEqual([]);
    expect(unreachableVerdicts(await loadPlan(join(paths.plans, 'tutorial.yaml'), { maxRequests: 43 }))).toHaveLength(
      2,
    );
  });
});

/** A one-step plan expecting `reviews` with `defaults` and, when given, `requests`. */
async function weightedPlan(reviews: string, defaults: string, requests?: number): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'meshproof-budget-')), 'plan.yaml');
  const lines = [
    'name: budget',
    `defaults: ${defaults}`,
    `setup: [${JSON.stringify(join(paths.manifests, 'istio', 'destination-rule-all.yaml'))}]`,
    'steps:',
    '  - name: canary',
    '    expect:',
    `      - reviews: ${reviews}`,
    ...(requests === undefined ? [] : [`        requests: ${requests}`]),
  ];
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe('budgets a correct split outlasts more often than alpha', () => {
  it('refuses 50/50 at maxRequests 300 at its line and field, with the figure and the least budget', async () => {
    const file = await weightedPlan('{ v1: 50, v3: 50 }', '{ maxRequests: 300 }');
    const issues = unreachableVerdicts(await loadPlan(file));
    expect(issues).toMatchObject([{ file, line: 7, field: 'steps[0].expect[0]' }]);
    // 49.6 % and 767 as the check stands (undecided-rate.test.ts checks the figures themselves).
    expect(issues[0]!.message).toMatch(
      new RegExp(
        /^with alpha 0\.01 and tolerance 0\.1, (49|50)\.\d% of runs would end inconclusive after maxRequests 300 /
          .source +
          /even when the split is exactly as expected, more than alpha: /.source +
          /raise maxRequests \(or --max-requests\) to 7\d\d or more, or loosen alpha or tolerance$/.source,
      ),
    );
  });

  it('refuses 50/50 at 400 and 80/20 at 200; accepts both at the default 3000 and at the least budget', async () => {
    const refused = async (reviews: string, maxRequests: number) =>
      unreachableVerdicts(await loadPlan(await weightedPlan(reviews, `{ maxRequests: ${maxRequests} }`)));
    expect((await refused('{ v1: 50, v3: 50 }', 400))[0]!.message).toMatch(/ 2\d\.\d% of runs would end inconclusive/);
    expect((await refused('{ v1: 80, v3: 20 }', 200))[0]!.message).toMatch(/ 4\d\.\d% of runs would end inconclusive/);
    expect(await refused('{ v1: 50, v3: 50 }', 3000)).toEqual([]);
    expect(await refused('{ v1: 80, v3: 20 }', 3000)).toEqual([]);
    // The least budget the message names is accepted.
    for (const [reviews, low] of [
      ['{ v1: 50, v3: 50 }', 400],
      ['{ v1: 80, v3: 20 }', 200],
    ] as const) {
      const least = Number(/ to (\d+) or more/.exec((await refused(reviews, low))[0]!.message)![1]);
      expect(await refused(reviews, least)).toEqual([]);
      expect(await refused(reviews, least - 1)).toHaveLength(1);
    }
  });

  it('judges the budget the run has: --max-requests, the alpha of planAlpha, a relativeTolerance', async () => {
    const file = await weightedPlan('{ v1: 50, v3: 50 }', '{ alpha: 0.05 }');
    expect(unreachableVerdicts(await loadPlan(file, { maxRequests: 300 }))).toHaveLength(1);
    const split = await weightedPlan('{ v1: 50, v3: 50 }', '{ planAlpha: 0.005, maxRequests: 800 }');
    expect(unreachableVerdicts(await loadPlan(split))[0]!.message).toMatch(/^with alpha 0\.00454 and tolerance 0\.1, /);
    const relative = await weightedPlan('{ v1: 95, v3: 5 }', '{ relativeTolerance: 0.5, maxRequests: 1000 }');
    const [issue] = unreachableVerdicts(await loadPlan(relative));
    expect(issue!.message).toMatch(/^with alpha 0\.01 and tolerance 0\.025, \d+(\.\d)?% of runs would end /);
  });

  it('says a bound for three outcomes, and a fixed requests is held to the same rule', async () => {
    const three = unreachableVerdicts(
      await loadPlan(await weightedPlan('{ v1: 40, v2: 30, v3: 30 }', '{ maxRequests: 600 }')),
    );
    expect(three[0]!.message).toMatch(/ up to 1\d\.\d% of runs could end inconclusive after maxRequests 600 /);
    expect(three[0]!.message).toMatch(/ to \d{3,4} or more/);
    const fixed = unreachableVerdicts(await loadPlan(await weightedPlan('{ v1: 50, v3: 50 }', '{}', 300)));
    expect(fixed[0]!.message).toMatch(/ 2\d\.\d% of runs would end inconclusive after a fixed 300 requests /);
    expect(fixed[0]!.message).toMatch(/raise requests to 5\d\d \(or leave requests out to decide sequentially\)/);
  });
});
