import { describe, expect, it } from 'vitest';
import { mergeDelegateRules } from './virtual-service-delegate.js';

describe('mergeDelegateRules (istiod MergeHTTPRoutes)', () => {
  it('ANDs the root match into each delegate match, keeps delegate order, joins names, inherits unset fields', () => {
    const root = {
      name: 'reviews',
      match: [{ uri: { prefix: '/api' }, headers: { 'x-env': { exact: 'dev' } } }],
      timeout: '3s',
      retries: { attempts: 1 },
    };
    const rules = [
      {
        name: 'jason',
        match: [{ uri: { prefix: '/api/v1' }, headers: { 'end-user': { exact: 'jason' } } }],
        route: [{ destination: { host: 'r', subset: 'v2' } }],
        timeout: '1s',
      },
      { route: [{ destination: { host: 'r', subset: 'v1' } }] },
    ];
    expect(mergeDelegateRules(root, rules)).toEqual([
      {
        name: 'reviews-jason',
        match: [{ uri: { prefix: '/api/v1' }, headers: { 'x-env': { exact: 'dev' }, 'end-user': { exact: 'jason' } } }],
        route: [{ destination: { host: 'r', subset: 'v2' } }],
        timeout: '1s',
        retries: { attempts: 1 },
      },
      {
        name: 'reviews',
        match: root.match,
        route: [{ destination: { host: 'r', subset: 'v1' } }],
        timeout: '3s',
        retries: { attempts: 1 },
      },
    ]);
    expect(rules[0]!.name).toBe('jason'); // the delegate itself is not changed
  });

  it("drops a delegate rule whose match conflicts with each root match (prefix outside the root's, other path)", () => {
    const root = { match: [{ uri: { prefix: '/api' } }] };
    const rules = [
      { match: [{ uri: { prefix: '/static' } }], route: [{ destination: { host: 'a' } }] },
      { match: [{ uri: { exact: '/api/x' } }], route: [{ destination: { host: 'b' } }] },
    ];
    expect(mergeDelegateRules(root, rules)).toEqual([
      { match: [{ uri: { exact: '/api/x' } }], route: [{ destination: { host: 'b' } }] },
    ]);
    expect(mergeDelegateRules({ match: [{ uri: { exact: '/a' } }] }, [{ match: [{ uri: { exact: '/b' } }] }])).toEqual(
      [],
    );
  });
});
