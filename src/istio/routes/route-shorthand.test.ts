import { describe, expect, it } from 'vitest';
import { buildRouteVirtualService, routeShorthandObject } from './route-shorthand.js';
import { validateObject } from '../validate/validate.js';

describe('buildRouteVirtualService', () => {
  it('writes one http rule with weighted destinations to the subsets, in the order given', () => {
    expect(buildRouteVirtualService('reviews', { v1: 90, v3: 10 }, 'bookinfo')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: {
        hosts: ['reviews'],
        http: [
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
              { destination: { host: 'reviews', subset: 'v3' }, weight: 10 },
            ],
          },
        ],
      },
    });
  });

  it('keeps a weight of 0 as written: Envoy never routes to it, and the report shows what was applied', () => {
    const o = buildRouteVirtualService('reviews', { v1: 100, v3: 0 }, 'default');
    expect(o.spec.http[0].route.map((d: { weight: number }) => d.weight)).toEqual([100, 0]);
  });
});

describe('routeShorthandObject', () => {
  const at = { file: '/p/plan.yaml', line: 12, weightLine: (s: string) => ({ v1: 15, v3: 16 })[s] };

  it('is a valid VirtualService whose source is the plan’s route field', () => {
    const loaded = routeShorthandObject('reviews', { v1: 80, v3: 20 }, 'default', at);
    expect(validateObject(loaded)).toEqual([]);
    expect(loaded.source).toMatchObject({ file: '/p/plan.yaml', line: 12 });
  });

  it('points issues about a destination at that subset’s weight in the plan', () => {
    const loaded = routeShorthandObject('reviews', { v1: 80, v3: 20 }, 'default', at);
    expect(loaded.source.lineOf(['spec', 'http', 0, 'route', 1, 'weight'])).toBe(16);
    expect(loaded.source.lineOf(['spec', 'http', 0, 'route', 0, 'destination', 'subset'])).toBe(15);
    expect(loaded.source.lineOf(['spec', 'hosts', 0])).toBe(12);
  });

  it('an invalid host surfaces as an issue on the plan', () => {
    const loaded = routeShorthandObject('*', { v1: 100 }, 'default', at);
    expect(validateObject(loaded).map((i) => [i.file, i.line, i.message])).toContainEqual([
      '/p/plan.yaml',
      15,
      'destination host cannot be "*"',
    ]);
  });
});
