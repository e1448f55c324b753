/**
 * Weighted shares below their tolerance are refused at load, with file, line and field (small-shares.ts), and
 * relativeTolerance lets them through at a tolerance scaled to the smallest share (effective-tolerance.ts).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError, type InputIssue } from '../core/errors.js';
import { effectiveTolerance } from './effective-tolerance.js';
import { loadPlan } from './load.js';
import { lintPlans } from './lint.js';
import type { Overrides } from './settings.js';

const RULES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'manifests', 'destination-rules.yaml');

/** A one-step plan expecting `reviews` (YAML flow mapping), with `defaults` (YAML) when given. */
async function planFile(reviews: string, defaults?: string, stepSettings?: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'meshproof-small-')), 'plan.yaml');
  const lines = [
    'name: small',
    ...(defaults ? [`defaults: ${defaults}`] : []),
    `setup: [${JSON.stringify(RULES)}]`,
    'steps:',
    '  - name: canary',
    ...(stepSettings ? [`    settings: ${stepSettings}`] : []),
    '    expect:',
    `      - reviews: ${reviews}`,
  ];
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function issues(file: string, overrides: Overrides = {}): Promise<InputIssue[]> {
  try {
    await loadPlan(file, overrides);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).issues;
  }
  return [];
}

describe('weighted shares below the tolerance', () => {
  it.each(['{ v1: 95, v3: 5 }', '{ v1: 98, v3: 2 }', '{ v1: 99, v3: 1 }'])(
    '%s is refused at the default tolerance 0.1: a canary that gets nothing would pass',
    async (reviews) => {
      const file = await planFile(reviews);
      const [issue, ...rest] = await issues(file);
      expect(rest).toEqual([]);
      expect(issue).toMatchObject({ file, line: 6, field: 'steps[0].expect[0].reviews.v3' });
      expect(issue!.message).toMatch(
        /^v3's target share \d% is below the tolerance 0\.1 it is decided with: the band \d% ± 10% reaches below 0%, /,
      );
      expect(issue!.message).toContain('a v3 that gets no traffic at all would pass');
      expect(issue!.message).toMatch(/lower tolerance to 0\.0\d or less \(or --tolerance\), or set relativeTolerance/);
    },
  );

  it('names the figures of this expectation: 95/5 could be decided at ± 2.5% with relativeTolerance 0.5', async () => {
    const [issue] = await issues(await planFile('{ v1: 95, v3: 5 }'));
    expect(issue!.message).toContain('lower tolerance to 0.05 or less');
    expect(issue!.message).toContain('(0.5 decides this expectation at ± 2.5%)');
  });

  it('accepts a share equal to the tolerance: the band edge at 0 % is refuted only by seeing the version', async () => {
    expect(await issues(await planFile('{ v1: 90, v3: 10 }'))).toEqual([]);
    expect(await issues(await planFile('{ v1: 95, v3: 5 }', '{ tolerance: 0.05 }'))).toEqual([]);
  });

  it('reports each small share of a three-way split at its own line and field', async () => {
    const file = await planFile('{ v1: 92, v2: 4, v3: 4 }');
    expect((await issues(file)).map((i) => i.field)).toEqual([
      'steps[0].expect[0].reviews.v2',
      'steps[0].expect[0].reviews.v3',
    ]);
  });

  it('judges the tolerance the expectation is decided with: a step’s own, or --tolerance', async () => {
    expect(await issues(await planFile('{ v1: 80, v3: 20 }', undefined, '{ tolerance: 0.25 }'))).toHaveLength(1);
    expect(await issues(await planFile('{ v1: 80, v3: 20 }'), { tolerance: 0.25 })).toHaveLength(1);
    expect(await issues(await planFile('{ v1: 95, v3: 5 }', undefined, '{ tolerance: 0.05 }'))).toEqual([]);
  });

  it('leaves exact targets alone: 0 % and 100 % have no band to fall out of', async () => {
    expect(await issues(await planFile('{ v1: 100, v3: 0 }'))).toEqual([]);
  });

  it('does not judge shares against settings that did not parse (their own issue says what is wrong)', async () => {
    const bad = await issues(await planFile('{ v1: 95, v3: 5 }', '{ tolerance: 2 }'));
    expect(bad.map((i) => i.field)).toEqual(['defaults.tolerance']);
    const flag = await issues(await planFile('{ v1: 95, v3: 5 }'), { tolerance: 2 });
    expect(flag.map((i) => i.field)).toEqual(['--tolerance']);
  });

  it('is a lint error like any other, with file, line and field', async () => {
    const file = await planFile('{ v1: 98, v3: 2 }');
    const [result] = await lintPlans([file]);
    expect(result).toMatchObject({ ok: false, issues: [{ file, line: 6, field: 'steps[0].expect[0].reviews.v3' }] });
  });
});

describe('relativeTolerance', () => {
  it('lets 95/5 through at relativeTolerance 0.5, decided at tolerance 0.025', async () => {
    const plan = await loadPlan(await planFile('{ v1: 95, v3: 5 }', '{ relativeTolerance: 0.5 }'));
    const step = plan.steps[0]!;
    expect(step.settings).toMatchObject({ tolerance: 0.1, relativeTolerance: 0.5 });
    expect(effectiveTolerance(step.settings, step.expect[0]!)).toBeCloseTo(0.025, 12);
  });

  it('is a setting of defaults, of a step and of the command line (--relative-tolerance)', async () => {
    const file = await planFile('{ v1: 95, v3: 5 }');
    expect(await issues(file)).toHaveLength(1);
    const byFlag = await loadPlan(file, { relativeTolerance: 0.5 });
    expect(byFlag.steps[0]!.settings.relativeTolerance).toBe(0.5);
    expect(byFlag.defaults.relativeTolerance).toBe(0.5);
    const byStep = await loadPlan(await planFile('{ v1: 95, v3: 5 }', undefined, '{ relativeTolerance: 0.4 }'));
    expect(effectiveTolerance(byStep.steps[0]!.settings, byStep.steps[0]!.expect[0]!)).toBeCloseTo(0.02, 12);
  });

  it('never widens the tolerance: min(tolerance, relativeTolerance × smallest share)', () => {
    const s = { tolerance: 0.1, relativeTolerance: 0.5 };
    expect(effectiveTolerance(s, { reviews: { v1: 50, v3: 50 } })).toBe(0.1);
    expect(effectiveTolerance(s, { reviews: { v1: 85, v3: 15 } })).toBeCloseTo(0.075, 12);
    expect(effectiveTolerance(s, { versions: { a: 90, b: 6, c: 4 } })).toBeCloseTo(0.02, 12);
    expect(effectiveTolerance({ tolerance: 0.1 }, { reviews: { v1: 95, v3: 5 } })).toBe(0.1);
  });

  it('leaves exact targets at tolerance: there it is the misroute share the clean answers rule out', () => {
    expect(effectiveTolerance({ tolerance: 0.1, relativeTolerance: 0.5 }, { reviews: { v1: 100, v3: 0 } })).toBe(0.1);
  });

  it('must be a fraction between 0 and 1, in the plan and on the command line', async () => {
    const inPlan = await issues(await planFile('{ v1: 50, v3: 50 }', '{ relativeTolerance: 1.5 }'));
    expect(inPlan).toMatchObject([{ field: 'defaults.relativeTolerance' }]);
    expect(inPlan[0]!.message).toContain('relativeTolerance must be between 0 and 1 (exclusive), got 1.5');
    const byFlag = await issues(await planFile('{ v1: 50, v3: 50 }'), { relativeTolerance: 0 });
    expect(byFlag).toMatchObject([{ file: '<command line>', field: '--relative-tolerance' }]);
  });
});
