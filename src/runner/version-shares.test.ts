import { describe, expect, it } from 'vitest';
import type { KeptRecord } from '../model/record.js';
import { versionShares } from './version-shares.js';

const rec = (over: Partial<KeptRecord>): KeptRecord => ({
  phase: 'verify',
  status: 200,
  latencyMs: 5,
  reviews: 'v1',
  ratings: 'none',
  pod: null,
  ...over,
});

describe('versionShares', () => {
  it('counts answers, errors and degraded pages per version, verification only', () => {
    const shares = versionShares([
      rec({}),
      rec({ reviews: 'v3', ratings: 'stars' }),
      rec({ reviews: 'v3', ratings: 'unavailable' }),
      rec({ status: 503, reviews: null, ratings: null }),
      rec({ phase: 'settle', reviews: 'v3', ratings: 'unavailable' }),
    ]);
    expect(shares).toEqual({
      unknown: { requests: 1, errors: 1, degraded: 0 },
      v1: { requests: 1, errors: 0, degraded: 0 },
      v3: { requests: 2, errors: 0, degraded: 1 },
    });
  });
});
