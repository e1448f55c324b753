import { describe, expect, it } from 'vitest';
import type { KeptRecord } from '../model/record.js';
import { RecordTable } from './record-table.js';

describe('RecordTable', () => {
  it('gives back every field of every record it was given, across growth', () => {
    const phases = ['settle', 'verify', 'probe'] as const;
    const reviews = [null, 'v1', 'v2', 'v3', 'unavailable'] as const;
    const ratings = [null, 'stars', 'none', 'unavailable'] as const;
    const given: KeptRecord[] = Array.from({ length: 1_000 }, (_, i) => {
      const r: KeptRecord = {
        phase: phases[i % 3]!,
        status: i % 7 === 0 ? null : [200, 503, 404][i % 3]!,
        latencyMs: i * 1.37 + 0.01,
        reviews: reviews[i % 5]!,
        ratings: ratings[i % 4]!,
        pod: i % 11 === 0 ? null : `reviews-v${(i % 3) + 1}-abc-${i % 4}`,
      };
      if (i % 7 === 0) r.error = i % 2 ? 'ECONNREFUSED' : 'timeout after 10000ms';
      return r;
    });
    const table = new RecordTable();
    for (const r of given) table.push(r);
    expect(table.length).toBe(1_000);
    expect([...table]).toEqual(given);
    expect(table.get(7)).toStrictEqual(given[7]);
    expect('error' in table.get(1)).toBe(false);

    const both = new RecordTable();
    both.append(table);
    both.append(table);
    expect(both.length).toBe(2_000);
    expect(both.get(1_999)).toEqual(given[999]);

    // A table that interned other strings first still reads every appended record back as given.
    const mixed = new RecordTable();
    mixed.push({
      phase: 'settle',
      status: null,
      error: 'EHOSTUNREACH',
      latencyMs: 3,
      reviews: null,
      ratings: null,
      pod: 'reviews-v9-x-y',
    });
    mixed.append(table);
    expect(mixed.length).toBe(1_001);
    expect([...mixed].slice(1)).toEqual(given);
    expect(mixed.get(0)).toMatchObject({ pod: 'reviews-v9-x-y', error: 'EHOSTUNREACH' });
  });

  it('refuses an index out of range and a value it has no code for', () => {
    const table = new RecordTable();
    expect(() => table.get(0)).toThrow('record 0 of 0');
    expect(() =>
      table.push({ phase: 'verify', status: 200, latencyMs: 1, reviews: 'v4' as never, ratings: null, pod: null }),
    ).toThrow('unexpected value v4');
    expect(table.length).toBe(0);
  });
});

describe('RecordTable: versions read for generic expectations', () => {
  it('keeps a version, an unreadable one (null) and none apart, through append', () => {
    const base = { phase: 'verify', status: 200, latencyMs: 1, reviews: null, ratings: null, pod: null } as const;
    const given: KeptRecord[] = [
      { ...base, version: 'canary' },
      { ...base, version: null },
      { ...base },
      { ...base, pod: 'cart-v2-abc', version: 'v2' },
    ];
    const table = new RecordTable();
    for (const r of given) table.push(r);
    expect([...table]).toStrictEqual(given);
    const other = new RecordTable();
    other.push({ ...base, pod: 'first-interned', version: 'zeta' });
    other.append(table);
    expect([...other].slice(1)).toStrictEqual(given);
    expect(other.get(0).version).toBe('zeta');
  });
});

describe('RecordTable: the socket that carried each answer', () => {
  it('keeps conn where it was recorded and none where it was not, through append', () => {
    const base = { phase: 'verify', status: 200, latencyMs: 1, reviews: 'v1', ratings: null, pod: null } as const;
    const given: KeptRecord[] = [{ ...base, conn: 1 }, { ...base }, { ...base, conn: 70_000 }];
    const table = new RecordTable();
    for (const r of given) table.push(r);
    expect([...table]).toStrictEqual(given);
    const other = new RecordTable();
    other.push({ ...base, conn: 9 });
    other.append(table);
    expect([...other]).toStrictEqual([{ ...base, conn: 9 }, ...given]);
  });
});
