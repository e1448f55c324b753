/**
 * The sampler's bound on answers sent but not yet used (in-order.ts), with a fake client whose
 * answers come back when the test says: at every send, requests sent ≤ answers shown to the caller
 * + concurrency, and so after a verdict at answer n at most n + concurrency requests were sent.
 */
import { describe, expect, it } from 'vitest';
import type { Classification } from '../bookinfo/classification.js';
import type { HttpAnswer, IngressClient } from './client.js';
import { RequestRefusedError } from './request-refused.js';
import { Sampler, type SampleSpec } from './sampler.js';

/** A client whose request i answers at once unless `held(i)`; held ones answer on `answer(i)`. */
function fakeClient(held: (i: number) => boolean, onSend: (i: number) => void) {
  const pending = new Map<number, () => void>();
  let sent = 0;
  const client = {
    cookieFor: () => Promise.resolve(''),
    send(): Promise<HttpAnswer> {
      const i = sent++;
      onSend(i);
      const a: HttpAnswer = { status: 200, body: `page ${i}`, contentType: 'text/html', latencyMs: 1, setCookies: [] };
      if (!held(i)) return Promise.resolve(a);
      return new Promise((resolve) => pending.set(i, () => resolve(a)));
    },
  };
  return {
    client: client as unknown as IngressClient,
    answer(i: number) {
      const r = pending.get(i);
      if (!r) throw new Error(`request ${i} is not held`);
      pending.delete(i);
      r();
    },
    get sent() {
      return sent;
    },
    get held() {
      return [...pending.keys()];
    },
  };
}

const classifier = {
  name: 'fake',
  classify: (): Classification => ({ reviews: 'v1', ratings: null, pod: null, format: 'html' }),
};

/** A verification sampling of GET / through `client`. */
function run(
  client: IngressClient,
  spec: Pick<SampleSpec, 'concurrency' | 'maxRequests' | 'shouldContinue' | 'onRecord'>,
) {
  const sampler = new Sampler(client, classifier, 0, () => {});
  return sampler.run({ step: 's', expectation: 0, phase: 'verify', user: 'anonymous', path: '/', ...spec });
}

/** Lets every worker run until it waits on something the test controls. */
const settle = () => new Promise((r) => setImmediate(r));

describe('Sampler: answers sent but not yet used stay under the concurrency', () => {
  it('sends nothing past concurrency while a slow answer holds the rest back, and resumes on its release', async () => {
    const concurrency = 4;
    let used = 0;
    let worst = 0;
    // Every fifth request is slow; the rest answer at once and wait behind it.
    const fake = fakeClient(
      (i) => i % 5 === 0,
      (i) => {
        worst = Math.max(worst, i + 1 - used);
        expect(i + 1).toBeLessThanOrEqual(used + concurrency);
      },
    );
    const done = run(fake.client, {
      concurrency,
      maxRequests: 1_000,
      // The verdict comes at the 13th answer shown.
      shouldContinue: () => used < 13,
      onRecord: () => used++,
    });
    await settle();
    // Requests 0–3 out, 1–3 back and held behind 0: nobody may send.
    expect(fake.held).toEqual([0]);
    expect(used).toBe(0);
    fake.answer(0);
    await settle();
    // 0–4 used; 5 slow, 6–8 back and held behind it: 4 outstanding again, so 9 sent in all.
    expect(fake.held).toEqual([5]);
    expect(used).toBe(5);
    expect(fake.sent).toBe(9);
    fake.answer(5);
    await settle();
    fake.answer(10);
    await settle();
    const kept = await done;
    // Verdict at answer 13: the workers had sent 13 + at most 4 by then.
    expect(used).toBeGreaterThanOrEqual(13);
    expect(kept.length).toBeLessThanOrEqual(13 + concurrency);
    expect(worst).toBe(concurrency);
  });

  it('wakes the workers waiting for room when a request is refused, and stops', async () => {
    let n = 0;
    const pending: (() => void)[] = [];
    const client = {
      cookieFor: () => Promise.resolve(''),
      send(): Promise<HttpAnswer> {
        const i = n++;
        if (i === 0)
          return new Promise((_, reject) => pending.push(() => reject(new RequestRefusedError('GET', '/', 'refused'))));
        return Promise.resolve({ status: 200, body: 'p', latencyMs: 1, setCookies: [] });
      },
    } as unknown as IngressClient;
    const done = run(client, { concurrency: 2, maxRequests: 100, shouldContinue: () => true });
    await settle();
    expect(n).toBe(2);
    pending[0]!();
    await expect(done).rejects.toThrow(/refused/);
    expect(n).toBe(2);
  });
});
