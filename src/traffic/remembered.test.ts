import { describe, expect, it } from 'vitest';
import type { ClassifiableResponse, Classification } from '../bookinfo/classification.js';
import { remembered } from './remembered.js';

/** A classifier that says which body it saw and counts its calls. */
function counting() {
  const seen: string[] = [];
  return {
    seen,
    classifier: {
      name: 'counting',
      classify(res: ClassifiableResponse): Classification {
        seen.push(res.body);
        return {
          reviews: res.body.endsWith('3') ? 'v3' : 'v1',
          ratings: null,
          pod: `${res.status} ${res.contentType} ${res.body}`,
          format: 'html',
        };
      },
    },
  };
}

describe('remembered classifier', () => {
  it('classifies each distinct answer once and returns the same answer after', () => {
    const { seen, classifier } = counting();
    const c = remembered(classifier);
    const a = c.classify({ status: 200, contentType: 'text/html', body: 'page v3' });
    const b = c.classify({ status: 200, contentType: 'text/html', body: ['page', 'v3'].join(' ') });
    expect(b).toBe(a);
    expect(seen).toEqual(['page v3']);
    expect(c.stats).toEqual({ misses: 1, hits: 1 });
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('tells apart answers that differ only in status, content type or one character of the same length', () => {
    const { seen, classifier } = counting();
    const c = remembered(classifier);
    const base = { status: 200, contentType: 'text/html', body: 'page v3' };
    const results = [
      base,
      { ...base, status: 503 },
      { ...base, contentType: 'application/json' },
      { ...base, body: 'page v1' },
      { ...base, contentType: undefined },
    ].map((r) => c.classify(r));
    expect(seen).toHaveLength(5);
    expect(new Set(results.map((r) => r.pod)).size).toBe(5);
    expect(results[3]!.reviews).toBe('v1');
  });

  it('forgets the oldest answer once it holds `capacity` of them, and still answers correctly', () => {
    const { seen, classifier } = counting();
    const c = remembered(classifier, 2);
    for (const body of ['a1', 'b2', 'c3', 'a1']) c.classify({ status: 200, contentType: 'text/html', body });
    expect(seen).toEqual(['a1', 'b2', 'c3', 'a1']);
    expect(c.classify({ status: 200, contentType: 'text/html', body: 'c3' }).reviews).toBe('v3');
    expect(seen).toHaveLength(4);
  });
});
