/**
 * A mesh that splits per connection, through 8 pooled connections (seeded simulation): the verdict
 * alone fails a correct 50/50 and passes a 60/40 as 50/50 far beyond alpha; the connection
 * clustering test catches it; a fresh connection per request (splitPer: connection) brings the
 * verdict back within alpha; and split per request, the test stays within alpha even where the
 * pool hands connections out by latency (v3 ten times slower). Small run counts; the benchmark
 * (scripts/bench-robustness.ts) runs more.
 */
import { describe, expect, it } from 'vitest';
import { simulateConnections, type ConnectionCase } from './simulate-connections.js';

const alpha = 0.01;
const opts = { alpha, tolerance: 0.1, maxRequests: 3000 };
const fifty = { v1: 50, v3: 50 };
const run = (c: Omit<ConnectionCase, 'opts' | 'runs' | 'seed'>, runs: number, seed: string) =>
  simulateConnections({ ...c, opts, runs, seed: `connections:${seed}` });
/** Three standard errors over a rate, for a bound tested on few runs. */
const slack = (rate: number, runs: number) => rate + 3 * Math.sqrt((rate * (1 - rate)) / runs);

describe('a mesh that splits per connection, seen through 8 pooled connections', () => {
  const pinned = { expected: fifty, meshSplitsPer: 'connection' as const, connections: 8 };

  it('fails a correct 50/50 far more often than alpha on the verdict alone, and the clustering test fires', () => {
    const r = run({ ...pinned, truth: fifty }, 300, 'pinned-50');
    expect(r.failRate).toBeGreaterThan(0.6);
    expect(r.clusterRate).toBeGreaterThan(0.95);
    // One run in 128 has all 8 connections on one version: nothing to cluster, and the verdict fails it.
    expect(r.stepPassRate).toBe(0);
  });

  it('passes 60/40 as 50/50 a fifth of the time on the verdict alone; with the clustering test, within alpha', () => {
    const r = run({ ...pinned, truth: { v1: 60, v3: 40 } }, 300, 'pinned-60');
    expect(r.passRate).toBeGreaterThan(0.1);
    expect(r.stepPassRate).toBeLessThanOrEqual(slack(alpha, 300));
  });

  it('with a fresh connection per request, fails a correct 50/50 within alpha and finds nothing to test', () => {
    const r = run({ ...pinned, truth: fifty, recycleEvery: 1 }, 300, 'fresh-50');
    expect(r.stepFailRate).toBeLessThanOrEqual(slack(alpha, 300));
    expect(r.clusterRate).toBe(0);
  });

  it('with connections recycled every 20 requests, still catches the clustering', () => {
    const r = run({ ...pinned, truth: fifty, recycleEvery: 20 }, 30, 'recycled-50');
    expect(r.clusterRate).toBeGreaterThan(0.9);
  });
});

describe('a mesh that splits per request, through 8 pooled connections', () => {
  it('leaves the clustering test within alpha, p-values spread evenly, though v3 is ten times slower', () => {
    const runs = 1000;
    const r = run(
      { expected: fifty, truth: fifty, meshSplitsPer: 'request', connections: 8, latency: { v3: 10 } },
      runs,
      'per-request',
    );
    expect(r.clusterRate).toBeLessThanOrEqual(slack(alpha, runs));
    const below = (level: number) => r.pValues.filter((p) => p <= level).length / runs;
    for (const level of [0.05, 0.25, 0.5]) expect(Math.abs(below(level) - level)).toBeLessThan(0.05);
    expect(r.failRate).toBeLessThanOrEqual(slack(alpha, runs));
  });
});
