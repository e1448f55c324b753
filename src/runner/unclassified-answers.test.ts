/**
 * Unclassified answers in a step: set aside and counted, never a weight-0 outcome. A fake sampler
 * feeds seeded 50/50 answers with one unreadable 2xx page in every 50.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.js';
import { DEFAULT_SETTINGS, type Expectation, type Step } from '../plan/types.js';
import type { RequestRecord } from '../model/record.js';
import { RecordTable } from '../traffic/record-table.js';
import type { SampleSpec, Sampler } from '../traffic/sampler.js';
import { StepFigures } from '../verify/gates.js';
import type { RunContext } from './context.js';
import { verifyExpectation } from './verify-expectation.js';

function fakeContext(unreadableEvery: number): RunContext {
  const rng = seededRandom(42);
  let seq = 0;
  const sampler = {
    async run(spec: SampleSpec): Promise<RecordTable> {
      const table = new RecordTable();
      while (seq < spec.maxRequests && spec.shouldContinue()) {
        seq++;
        const unreadable = seq % unreadableEvery === 0;
        const version = rng.next() < 0.5 ? 'v1' : 'v3';
        const r: RequestRecord = {
          seq,
          step: spec.step,
          expectation: spec.expectation,
          phase: spec.phase,
          user: spec.user,
          path: spec.path,
          t: seq,
          latencyMs: 1,
          status: 200,
          reviews: unreadable ? null : version,
          ratings: unreadable ? null : version === 'v1' ? 'none' : 'stars',
          pod: null,
        };
        table.push(r);
        spec.onRecord?.(r);
      }
      return table;
    },
  } as unknown as Sampler;
  return { sampler, emit: async () => {}, signal: new AbortController().signal } as unknown as RunContext;
}

const at = { file: 'plan.yaml', line: 1 };
const exp: Expectation = { user: 'anonymous', path: '/productpage', reviews: { v1: 50, v3: 50 }, concurrency: 1, at };
const step: Step = { name: 'half', at, apply: [], objects: [], expect: [exp], gates: {}, settings: DEFAULT_SETTINGS };

describe('verifyExpectation with unclassified answers', () => {
  it('sets them aside, reports how many, and passes a correct split within the budget', async () => {
    const { result, records } = await verifyExpectation(fakeContext(50), step, 0, exp);
    expect(result.outcome).toBe('passed');
    expect(result.unclassified).toBeGreaterThan(0);
    expect(result.observed).not.toHaveProperty('unclassified');
    expect(result.message).toMatch(
      /\d+ unclassified answers set aside \(not a version; see the maxUnclassifiedRate gate\)/,
    );
    const budget = new StepFigures(records).gates({}).find((g) => g.name === 'maxUnclassifiedRate')!;
    expect(budget).toMatchObject({ limit: 0.01, outcome: 'failed' });
    expect(budget.observed).toBeCloseTo(1 / 50, 2);
  });

  it('stays within the default 1 % budget at one unreadable page in 200', async () => {
    const { result, records } = await verifyExpectation(fakeContext(200), step, 0, exp);
    expect(result.outcome).toBe('passed');
    expect(new StepFigures(records).gates({}).find((g) => g.name === 'maxUnclassifiedRate')).toMatchObject({
      limit: 0.01,
      outcome: 'passed',
    });
  });
});
