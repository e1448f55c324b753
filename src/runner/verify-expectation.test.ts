import { afterEach, describe, expect, it } from 'vitest';
import { FakeTarget } from '../targets/testing/fake-target.js';
import type { IngressClient } from '../traffic/client.js';
import type { Step } from '../plan/types.js';
import { verifyExpectation } from './verify-expectation.js';
import { SETTINGS, context, expectation, plan, reviewsRoute, step } from './testing/plans.js';

let target: FakeTarget;
let client: IngressClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await target.close();
});

/** Verifies one expectation against a fake target routing reviews by `weights`. */
async function verify(
  weights: Record<string, number>,
  reviews: Record<string, number>,
  opts: ConstructorParameters<typeof FakeTarget>[0] = {},
  gates = {},
) {
  target = new FakeTarget(opts);
  await target.up({ namespace: 'default', base: [] });
  await target.apply([reviewsRoute(weights)]);
  const s = step('s', [], [expectation(reviews)], { gates });
  const r = await context(target, plan([s]));
  client = r.client;
  return { ...(await verifyExpectation(r.ctx, s, 0, s.expect[0]!)), events: r.events };
}

describe('verifyExpectation', () => {
  it('passes a split the routes hold, with counts, intervals and the pods that served', async () => {
    const { result, records } = await verify({ v1: 100 }, { v1: 100 });
    expect(result.outcome).toBe('passed');
    expect(result.requests).toBeGreaterThan(0);
    expect(result.observed).toEqual({ v1: result.requests });
    expect(result.ratings).toBeUndefined();
    expect(result.pods).toEqual({ 'reviews-v1-0': result.requests });
    expect(Object.keys(result.intervals)).toContain('v1');
    expect(records.length).toBeGreaterThanOrEqual(result.requests);
    expect(result.message).toMatch(/^anonymous GET \/productpage: /);
  });

  it('fails a split the routes do not hold, naming the pods behind it', async () => {
    const { result } = await verify({ v3: 100 }, { v1: 100 });
    expect(result.outcome).toBe('failed');
    expect(result.observed.v3).toBe(result.requests);
    expect(result.message).toMatch(/served by reviews-v3-0 ×\d+/);
  });

  it('counts the ratings a page showed apart from the reviews versions, each with its intervals', async () => {
    target = new FakeTarget();
    await target.up({ namespace: 'default', base: [] });
    await target.apply([reviewsRoute({ v3: 100 })]);
    const s = step('s', [], [expectation({ v3: 100 }, { ratings: 'stars' })]);
    const r = await context(target, plan([s]));
    client = r.client;
    const { result } = await verifyExpectation(r.ctx, s, 0, s.expect[0]!);
    expect(result.outcome).toBe('passed');
    expect(result.observed).toEqual({ v3: result.requests });
    expect(result.ratings?.observed).toEqual({ stars: result.requests });
    expect(Object.keys(result.intervals)).toContain('v3');
    expect(Object.keys(result.ratings!.intervals)).toEqual(['stars']);
    expect(result.expected).toEqual({ v3: 100, ratings: 'stars' });
  });

  it('stops early once errors exceed what the error gate allows', async () => {
    const { result } = await verify({ v1: 100 }, { v1: 100 }, { failShare: 1 }, { maxErrorRate: 0.01 });
    expect(result.outcome).toBe('inconclusive');
    expect(result.requests).toBe(0);
    expect(result.message).toMatch(/stopped after \d+ errors: the error gate can no longer pass/);
  });

  it('decides at the effective tolerance: 95/5 at relativeTolerance 0.5 fails a canary that gets nothing', async () => {
    target = new FakeTarget();
    await target.up({ namespace: 'default', base: [] });
    await target.apply([reviewsRoute({ v1: 100 })]);
    const decide = async (settings: Step['settings']) => {
      const s = step('s', [], [expectation({ v1: 95, v3: 5 })], { settings });
      const r = await context(target, plan([s]));
      try {
        return (await verifyExpectation(r.ctx, s, 0, s.expect[0]!)).result;
      } finally {
        await r.client.close();
      }
    };
    // At ±10 points the 5 % share's lower edge is below 0 % and needs no refuting (lint refuses this plan)…
    expect((await decide({ ...SETTINGS, maxRequests: 3000 })).outcome).toBe('passed');
    // …at ±2.5 the v3 share is shown to be below its 5 %.
    const result = await decide({ ...SETTINGS, maxRequests: 3000, relativeTolerance: 0.5 });
    expect(result.outcome).toBe('failed');
    expect(result.observed).toEqual({ v1: result.requests });
    expect(result.message).toMatch(/^anonymous GET \/productpage: v1 share is above its expected 95%/);
  });
});

describe('verifyExpectation: a mesh that splits per connection', () => {
  it('fails when the answers cluster by connection, saying so and suggesting splitPer: connection', async () => {
    // Seed 1 pins the client's two pooled connections to v1 and v3: the verdict alone sees 50/50 and passes.
    const { result } = await verify({ v1: 50, v3: 50 }, { v1: 50, v3: 50 }, { splitPerConnection: true, seed: 1 });
    expect(result.observed).toEqual({ v1: result.requests / 2, v3: result.requests / 2 });
    expect(result.connections).toMatchObject({ connections: 2, df: 1, outcome: 'failed', alpha: 0.001 });
    expect(result.connections!.pValue).toBeLessThan(0.001);
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/answers cluster by connection \(X² [\d.]+, 1 df, p < 0\.0001 over 2 connections/);
    expect(result.message).toMatch(/set splitPer: connection/);
  });

  it('with splitPer: connection, sends each request on a connection of its own, and the split passes', async () => {
    target = new FakeTarget({ splitPerConnection: true, seed: 3 });
    await target.up({ namespace: 'default', base: [] });
    await target.apply([reviewsRoute({ v1: 50, v3: 50 })]);
    const s = step('s', [], [expectation({ v1: 50, v3: 50 }, { splitPer: 'connection' })], {
      settings: { ...SETTINGS, maxRequests: 3_000 },
    });
    const r = await context(target, plan([s]));
    client = r.client;
    const { result, records } = await verifyExpectation(r.ctx, s, 0, s.expect[0]!);
    expect(result.outcome).toBe('passed');
    expect(result.splitPer).toBe('connection');
    expect(result.connections).toMatchObject({ outcome: 'skipped', method: 'none' });
    const conns = [...records].map((x) => x.conn);
    expect(new Set(conns).size).toBe(conns.length);
  });
});
