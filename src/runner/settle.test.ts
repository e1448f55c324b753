import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../core/errors.js';
import { FakeTarget } from '../targets/testing/fake-target.js';
import type { IngressClient } from '../traffic/client.js';
import { settle } from './settle.js';
import { stepIntent } from './step-intent.js';
import { context, expectation, plan, reviewsRoute, SETTINGS, step } from './testing/plans.js';

let target: FakeTarget;
let client: IngressClient | undefined;
afterEach(async () => {
  await client?.close();
  await target.close();
});

async function ready(t: FakeTarget) {
  target = t;
  await t.up({ namespace: 'default', base: [] });
}

describe('settle', () => {
  it('does nothing for a step that applies no VirtualService', async () => {
    await ready(new FakeTarget());
    const s = step('plain', [], [expectation({ v1: 100 })]);
    const r = await context(target, plan([s]));
    client = r.client;
    expect(await settle(r.ctx, s, stepIntent(r.ctx.plan, s), performance.now())).toMatchObject({
      by: 'none',
      propagationMs: 0,
      proxyPods: [],
    });
    expect(r.events).toEqual([]);
  });

  it('waits, read after read, until the proxy holds the applied routes, then says what it holds', async () => {
    await ready(new FakeTarget({ deliverAfterReads: 3 }));
    const s = step('canary', [reviewsRoute({ v1: 90, v3: 10 })], [expectation({ v1: 90, v3: 10 })]);
    const r = await context(target, plan([s]));
    client = r.client;
    await target.apply(s.objects);
    const settled = await settle(r.ctx, s, stepIntent(r.ctx.plan, s), performance.now());
    expect(settled.by).toBe('proxies');
    expect(settled.proxyPods).toEqual(['productpage-v1-0']);
    expect(settled.viewsByHost).toEqual({ reviews: ['reviews'] });
    expect(settled.proxyView).toEqual({ reviews: 'reviews: v1 90%, v3 10%' });
    expect(r.events.map((e) => (e.type === 'settle' ? `${e.state} by ${e.by}` : e.type))).toEqual([
      'waiting by proxies',
      'settled by proxies',
    ]);
  });

  it('gives up at the step’s settle timeout, saying what the proxy last held', async () => {
    await ready(new FakeTarget({ deliverAfterReads: Infinity }));
    const s = step('stuck', [reviewsRoute({ v3: 100 })], [expectation({ v3: 100 })], {
      settings: { ...SETTINGS, settleTimeoutMs: 50 },
    });
    const r = await context(target, plan([s]));
    client = r.client;
    await target.apply(s.objects);
    const err = await settle(r.ctx, s, stepIntent(r.ctx.plan, s), performance.now()).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/1\/1 proxies behind: productpage-v1-0 holds ".*v1.*", want ".*v3.*"/);
    expect(r.events.at(-1)).toMatchObject({ type: 'settle', state: 'timeout', by: 'proxies' });
  });

  it('falls back to traffic where proxies cannot be read: settled after a run of consistent answers', async () => {
    await ready(new FakeTarget({ readableProxies: false }));
    const s = step('v3', [reviewsRoute({ v3: 100 })], [expectation({ v3: 100 })]);
    const r = await context(target, plan([s]));
    client = r.client;
    await target.apply(s.objects);
    const settled = await settle(r.ctx, s, stepIntent(r.ctx.plan, s), performance.now());
    expect(settled.by).toBe('traffic');
    expect(settled.settleRecords.length).toBeGreaterThanOrEqual(10);
    expect(r.events.map((e) => (e.type === 'settle' ? `${e.state} by ${e.by}` : e.type))).toEqual([
      'waiting by traffic',
      'settled by traffic',
    ]);
  });
});
