import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../model/record.js';
import { RecordTable } from '../traffic/record-table.js';
import { StepFigures } from './gates.js';
import { percentile, percentiles } from './percentile.js';

let seq = 0;
function rec(over: Partial<RequestRecord>): RequestRecord {
  return {
    seq: seq++,
    step: 'canary',
    expectation: 0,
    phase: 'verify',
    user: 'anonymous',
    path: '/productpage',
    t: seq,
    latencyMs: 10,
    status: 200,
    reviews: 'v1',
    ratings: 'none',
    pod: 'reviews-v1-abc-123',
    ...over,
  };
}

describe('percentile (nearest rank)', () => {
  it('returns the ceil(p·N)-th smallest observed value', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentiles(values, [50, 90, 99, 100])).toEqual([50, 90, 99, 100]);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is the maximum for p99 of fewer than 100 values, and null for none', () => {
    expect(percentile([5, 9, 1, 3, 8, 2, 4, 6, 7, 10], 99)).toBe(10);
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 0)).toThrow(/within \(0, 100\]/);
  });
});

describe('rates', () => {
  it('count transport failures and non-2xx as errors, and 2xx pages with an error part as degraded', () => {
    const rs = [
      rec({}),
      rec({ status: 503, reviews: null, ratings: null }),
      rec({ status: null, error: 'ECONNREFUSED', reviews: null, ratings: null }),
      rec({ reviews: 'v3', ratings: 'unavailable' }),
      rec({ reviews: 'unavailable', ratings: null }),
    ];
    const [errors, degraded] = new StepFigures(rs).gates({ maxDegradedRate: 1 });
    expect(errors!.observed).toBeCloseTo(2 / 5, 12);
    expect(degraded!.observed).toBeCloseTo(2 / 5, 12);
    expect(new StepFigures([]).gates({})[0]!.observed).toBeNull();
  });
});

describe('latency', () => {
  it('counts answered and timed-out requests, not fast transport failures', () => {
    const rs = [
      rec({ latencyMs: 5 }),
      rec({ latencyMs: 800, status: 500, reviews: null }),
      rec({ latencyMs: 10_000, status: null, error: 'timeout after 10000ms', reviews: null }),
      rec({ latencyMs: 1, status: null, error: 'ECONNREFUSED', reviews: null }),
    ];
    // Nearest rank over [5, 800, 10000]: the refused request's 1 ms is not among them.
    expect(new StepFigures(rs).latency()).toEqual({ p50: 800, p90: 10_000, p99: 10_000 });
    expect(new StepFigures(rs).gates({ maxErrorRate: 1, p50LatencyMs: 799 })[1]).toMatchObject({
      observed: 800,
      outcome: 'failed',
    });
  });

  it('summarises verification requests only, overall and per version', () => {
    const rs = [
      ...Array.from({ length: 90 }, (_, i) => rec({ latencyMs: i + 1, reviews: 'v1' })),
      ...Array.from({ length: 10 }, (_, i) => rec({ latencyMs: 3000 + i, reviews: 'v3', ratings: 'stars' })),
      rec({ phase: 'settle', latencyMs: 99_999 }),
    ];
    expect(new StepFigures(rs).latency()).toEqual({ p50: 50, p90: 90, p99: 3008 });
    expect(new StepFigures(rs).latencyByVersion()).toEqual({
      v1: { p50: 45, p90: 81, p99: 90 },
      v3: { p50: 3004, p90: 3008, p99: 3009 },
    });
    expect(new StepFigures([]).latency()).toEqual({ p50: null, p90: null, p99: null });
  });

  it('reads a RecordTable the same as the records it holds', () => {
    const rs = [
      ...Array.from({ length: 50 }, (_, i) =>
        rec({ latencyMs: i + 0.25, reviews: i % 2 ? 'v1' : 'v3', ratings: i % 2 ? 'none' : 'stars' }),
      ),
      rec({ status: 503, reviews: null, ratings: null, latencyMs: 7 }),
      rec({ status: null, error: 'timeout after 10000ms', reviews: null, ratings: null, latencyMs: 10_000 }),
      rec({ reviews: 'unavailable', ratings: null }),
    ];
    const table = new RecordTable();
    for (const r of rs) table.push(r);
    const gates = { maxErrorRate: 0.1, maxDegradedRate: 0, p90LatencyMs: 45, byVersion: { v3: { p50LatencyMs: 20 } } };
    expect(new StepFigures(table).gates(gates)).toEqual(new StepFigures(rs).gates(gates));
    expect(new StepFigures(table).latencyByVersion()).toEqual(new StepFigures(rs).latencyByVersion());
  });
});

describe('StepFigures.gates', () => {
  it('applies maxErrorRate 0 when the plan sets no gates, ignoring errors while settling', () => {
    const clean = [rec({}), rec({}), rec({ phase: 'settle', status: 503 })];
    expect(new StepFigures(clean).gates({})).toEqual([
      { name: 'maxErrorRate', limit: 0, observed: 0, outcome: 'passed' },
    ]);
    const one = [...clean, rec({ status: 502, reviews: null })];
    expect(new StepFigures(one).gates({})).toEqual([
      { name: 'maxErrorRate', limit: 0, observed: 1 / 3, outcome: 'failed' },
    ]);
  });

  it('evaluates every gate the plan sets, overall and by version', () => {
    const rs = [
      ...Array.from({ length: 80 }, () => rec({ latencyMs: 20, reviews: 'v1', ratings: 'none' })),
      ...Array.from({ length: 20 }, (_, i) =>
        rec({ latencyMs: 2600 + i, reviews: 'v3', ratings: i < 15 ? 'unavailable' : 'stars' }),
      ),
    ];
    const results = new StepFigures(rs).gates({
      maxErrorRate: 0.01,
      maxDegradedRate: 0.2,
      p50LatencyMs: 100,
      p99LatencyMs: 5000,
      byVersion: { v3: { maxDegradedRate: 0.1, p90LatencyMs: 2500 }, v1: { p99LatencyMs: 50 } },
    });
    expect(results).toEqual([
      { name: 'maxErrorRate', limit: 0.01, observed: 0, outcome: 'passed' },
      { name: 'maxDegradedRate', limit: 0.2, observed: 0.15, outcome: 'passed' },
      { name: 'p50LatencyMs', limit: 100, observed: 20, outcome: 'passed' },
      { name: 'p99LatencyMs', limit: 5000, observed: 2618, outcome: 'passed' },
      { name: 'maxDegradedRate', limit: 0.1, observed: 0.75, outcome: 'failed', version: 'v3' },
      { name: 'p90LatencyMs', limit: 2500, observed: 2617, outcome: 'failed', version: 'v3' },
      { name: 'p99LatencyMs', limit: 50, observed: 20, outcome: 'passed', version: 'v1' },
    ]);
  });

  it('skips a gate with nothing to judge', () => {
    expect(new StepFigures([]).gates({ p99LatencyMs: 100, byVersion: { v2: { p50LatencyMs: 10 } } })).toEqual([
      { name: 'maxErrorRate', limit: 0, observed: null, outcome: 'skipped' },
      { name: 'p99LatencyMs', limit: 100, observed: null, outcome: 'skipped' },
      { name: 'p50LatencyMs', limit: 10, observed: null, outcome: 'skipped', version: 'v2' },
    ]);
  });

  it('passes a gate at its limit exactly', () => {
    const rs = [rec({ latencyMs: 100 })];
    expect(new StepFigures(rs).gates({ p50LatencyMs: 100 })[1]).toEqual({
      name: 'p50LatencyMs',
      limit: 100,
      observed: 100,
      outcome: 'passed',
    });
  });

  it('counts unreadable 2xx answers against a budget only when the plan sets one', () => {
    const rs = [
      ...Array.from({ length: 98 }, () => rec({})),
      rec({ reviews: null, ratings: null }),
      rec({ status: 404, reviews: null, ratings: null }),
    ];
    const budget = (gates: Parameters<StepFigures['gates']>[0]) =>
      new StepFigures(rs).gates(gates).find((g) => g.name === 'maxUnclassifiedRate');
    // The 404 is an error, not an unclassified answer.
    expect(budget({})).toBeUndefined();
    expect(budget({ maxUnclassifiedRate: 0.01 })).toEqual({
      name: 'maxUnclassifiedRate',
      limit: 0.01,
      observed: 0.01,
      outcome: 'passed',
    });
    expect(budget({ maxUnclassifiedRate: 0 })).toEqual({
      name: 'maxUnclassifiedRate',
      limit: 0,
      observed: 0.01,
      outcome: 'failed',
    });
  });
});
