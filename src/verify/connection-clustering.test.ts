/**
 * The connection clustering test on seeded simulated answers: independent answers give p-values
 * spread evenly over (0, 1] (so it fires at most alpha of the time), on the χ² tail with counts to
 * spare and by permutation with few answers per connection; pinned connections are caught.
 */
import { describe, expect, it } from 'vitest';
import { hash32, seededRandom } from '../core/random.js';
import { rateUpperBound } from './binomial.js';
import { ConnectionTable } from './connection-clustering.js';

/** n answers, answer i on connection conn(i), version v3 with probability q unless pinned says otherwise. */
function table(seed: string, n: number, conn: (i: number) => number, q: number, pinned?: (c: number) => string) {
  const rng = seededRandom(hash32(seed));
  const t = new ConnectionTable();
  for (let i = 0; i < n; i++) {
    const c = conn(i);
    t.add(c, pinned ? pinned(c) : rng.next() < q ? 'v3' : 'v1');
  }
  return t;
}

/**
 * The test over `count` tables made by `make`, each tested by `method`: how many p-values are at
 * most each level, with the number of tables.
 */
function spread(count: number, make: (k: number) => ConnectionTable, alpha: number, method: string) {
  const pValues: number[] = [];
  for (let k = 0; k < count; k++) {
    const r = make(k).test(alpha, k);
    expect(r.method).toBe(method);
    pValues.push(r.pValue);
  }
  const at = (level: number) => pValues.filter((p) => p <= level).length;
  return { n: count, at };
}

describe('ConnectionTable', () => {
  it('gives p-values spread evenly on independent answers over 8 connections (χ² tail)', () => {
    const { n, at } = spread(2000, (k) => table(`independent:${k}`, 340, (i) => i % 8, 0.5), 0.01, 'chi-square');
    for (const level of [0.01, 0.05, 0.1, 0.25, 0.5, 0.75]) {
      // Within 4 standard errors of the level on either side, and never above its 95 % bound.
      expect(Math.abs(at(level) / n - level)).toBeLessThan(4 * Math.sqrt((level * (1 - level)) / n));
    }
    expect(rateUpperBound(at(0.01), n)).toBeLessThan(0.02);
  });

  it('keeps to alpha with a few answers per connection, by permutation', () => {
    // 40 connections, 3 answers each, 10 % v3: expected counts far below 5.
    const { n, at } = spread(200, (k) => table(`few:${k}`, 120, (i) => i % 40, 0.1), 0.05, 'permutation');
    expect(at(0.05) / n).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / n));
    // Not stuck at 1: discreteness makes it conservative, not blind.
    expect(at(0.5) / n).toBeGreaterThan(0.2);
  });

  it('catches answers pinned to a version per pooled connection, and names what it tested', () => {
    const r = table(
      'pinned',
      340,
      (i) => i % 8,
      0.5,
      (c) => (c % 3 === 0 ? 'v3' : 'v1'),
    ).test(0.01, 7);
    expect(r).toMatchObject({ connections: 8, answers: 340, df: 7, method: 'chi-square', outcome: 'failed' });
    expect(r.pValue).toBeLessThan(1e-12);
    // Half the connections pinned, half split per request: still caught.
    const half = table('half', 340, (i) => i % 8, 0.5, undefined);
    const mixed = new ConnectionTable();
    const rng = seededRandom(hash32('mixed'));
    for (let i = 0; i < 340; i++) mixed.add(i % 8, i % 8 < 4 ? 'v1' : rng.next() < 0.5 ? 'v1' : 'v3');
    expect(mixed.test(0.01, 7).outcome).toBe('failed');
    expect(half.test(0.01, 7).outcome).toBe('passed');
  });

  it('skips what cannot cluster: one version, one connection, each answer on its own, no socket known', () => {
    expect(table('one-version', 100, (i) => i % 8, 0).test(0.01, 7).outcome).toBe('skipped');
    expect(table('one-conn', 100, () => 1, 0.5).test(0.01, 7).outcome).toBe('skipped');
    const fresh = table('fresh', 100, (i) => i + 1, 0.5).test(0.01, 7);
    expect(fresh).toMatchObject({ outcome: 'skipped', connections: 100, pValue: 1, method: 'none' });
    const none = new ConnectionTable();
    none.add(undefined, 'v1');
    expect(none.test(0.01, 7)).toMatchObject({ answers: 0, outcome: 'skipped' });
  });

  it('gives the same permutation p-value for the same answers and seed', () => {
    const p = (seed: number) => table('few:same', 60, (i) => i % 20, 0.3).test(0.05, seed).pValue;
    expect(p(11)).toBe(p(11));
  });
});
