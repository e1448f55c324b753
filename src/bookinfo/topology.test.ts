import { describe, expect, it } from 'vitest';
import { callersOf, INGRESS_GATEWAY_APP } from './topology.js';

describe('callersOf', () => {
  it('names the calling workloads of each Bookinfo service', () => {
    expect(callersOf('productpage')).toEqual([{ app: INGRESS_GATEWAY_APP }]);
    expect(callersOf('details')).toEqual([{ app: 'productpage' }]);
    expect(callersOf('reviews')).toEqual([{ app: 'productpage' }]);
    expect(callersOf('ratings')).toEqual([{ app: 'productpage' }, { app: 'reviews', versions: ['v2', 'v3'] }]);
  });

  it('accepts cluster names and has no callers for unknown services', () => {
    expect(callersOf('reviews.default.svc.cluster.local')).toEqual([{ app: 'productpage' }]);
    expect(callersOf('Ratings.default')).toHaveLength(2);
    expect(callersOf('mongodb')).toEqual([]);
  });

  it('returns copies, so a caller cannot change the table', () => {
    callersOf('ratings')[1]!.versions!.push('v1');
    expect(callersOf('ratings')[1]!.versions).toEqual(['v2', 'v3']);
  });
});
