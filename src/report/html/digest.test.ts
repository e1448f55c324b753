import { describe, expect, it } from 'vitest';
import { BucketSeries, digestRequests, Reservoir } from './digest.js';
import { seededRandom } from '../../core/random.js';
import { manyRequests } from '../testing/synthetic-run.js';
import type { RequestRecord } from '../../model/record.js';

describe('request digest', () => {
  it('keeps a bounded number of buckets and loses no request', () => {
    const s = new BucketSeries(50);
    for (let i = 0; i < 100_000; i++) s.add(i, i % 10 === 0 ? null : i % 5 === 0 ? 'v3' : 'v1', i >= 1000);
    expect(s.buckets.length).toBeLessThanOrEqual(100);
    expect(s.buckets.reduce((a, b) => a + b.n, 0)).toBe(100_000);
    expect(s.buckets.reduce((a, b) => a + b.errors, 0)).toBe(10_000);
    expect(s.buckets.reduce((a, b) => a + (b.counts.v3 ?? 0), 0)).toBe(10_000);
    // The settle point survives merging: no bucket mixes the two phases.
    const firstVerify = s.buckets.findIndex((b) => b.verify);
    expect(s.buckets[firstVerify]!.t0).toBe(1000);
    expect(s.buckets.slice(firstVerify).every((b) => b.verify)).toBe(true);
  });

  it('samples latencies uniformly and the same way for the same seed', () => {
    const a = new Reservoir(100, seededRandom(5));
    const b = new Reservoir(100, seededRandom(5));
    for (let i = 0; i < 10_000; i++) {
      a.add(i);
      b.add(i);
    }
    expect(a.values).toEqual(b.values);
    expect(a.values).toHaveLength(100);
    const mean = a.values.reduce((x, y) => x + y, 0) / 100;
    expect(mean).toBeGreaterThan(3500); // uniform over 0..9999: mean near 5000, not stuck at the start
    expect(mean).toBeLessThan(6500);
  });

  it('digests a stream per step, marking the first verification request', async () => {
    const records = [...manyRequests(5_000)].map((e) => (e as { record: RequestRecord }).record);
    const d = await digestRequests(records);
    const soak = d.steps.get('soak')!;
    expect(d.requests).toBe(5_000);
    expect(soak.firstVerifyT).toBe(records.find((r) => r.phase === 'verify')!.t);
    expect([...soak.latency.keys()].sort()).toEqual(['error', 'v1', 'v3']);
    expect([...soak.latency.values()].reduce((a, r) => a + r.seen, 0)).toBe(
      records.filter((r) => r.phase === 'verify').length,
    );
  });
});
