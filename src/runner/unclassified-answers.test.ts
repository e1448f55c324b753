/**
 * Answers with no readable version in a step: fed to the check as unknown (counted against every
 * test, never a weight-0 outcome). A fake sampler feeds seeded 50/50 answers with one unreadable
 * 2xx page, or one degraded page that hides its version, in every `every`.
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

function fakeContext(unreadableEvery: number, kind: 'unreadable' | 'degraded' = 'unreadable'): RunContext {
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
          reviews: unreadable ? (kind === 'degraded' ? 'unavailable' : null) : version,
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

describe('verifyExpectation with answers that show no version', () => {
  it('counts unreadable ones against every test, reports how many, and passes a correct split', async () => {
    const { result, records } = await verifyExpectation(fakeContext(50), step, 0, exp);
    expect(result.outcome).toBe('passed');
    expect(result.unclassified).toBeGreaterThan(0);
    expect(result.requests).toBeGreaterThan((result.observed.v1 ?? 0) + (result.observed.v3 ?? 0));
    expect(result.observed).not.toHaveProperty('unclassified');
    expect(result.message).toMatch(/\d+ answers with no readable outcome, counted against every test/);
    // No fixed gate unless the plan sets one: the test itself holds its rates.
    expect(new StepFigures(records).gates({}).find((g) => g.name === 'maxUnclassifiedRate')).toBeUndefined();
  });

  it('counts a degraded page that hides its version as unknown, not as a stray outcome', async () => {
    const { result, records } = await verifyExpectation(fakeContext(100, 'degraded'), step, 0, exp);
    expect(result.outcome).toBe('passed');
    expect(result.hidden).toBeGreaterThan(0);
    expect(result.observed).not.toHaveProperty('unavailable');
    // Degraded pages still count for their own gate.
    expect(
      new StepFigures(records).gates({ maxDegradedRate: 0 }).find((g) => g.name === 'maxDegradedRate'),
    ).toMatchObject({
      outcome: 'failed',
    });
  });

  it('names the window of answers a pass rests on', async () => {
    const { result } = await verifyExpectation(fakeContext(1000), step, 0, exp);
    expect(result.outcome).toBe('passed');
    expect(result.window).toEqual({ from: 1, to: result.requests });
    expect(result.message).toMatch(/the pass rests on the answers sent from 0\.00 s to 0\.\d\d s/);
  });
});
