import { describe, expect, it } from 'vitest';
import type { RouteConfiguration } from '../envoy/types.js';
import { diffRouteConfigs } from './istiod-diff.js';
import { knownDifference } from './known-differences.js';

const vh = (name: string, cluster: string, domains: string[] = [name.split(':')[0]!, '10.96.4.2']) => ({
  name,
  domains,
  routes: [{ match: { prefix: '/' }, route: { cluster, timeout: '0s' } }],
});
const rc = (name: string, ...hosts: ReturnType<typeof vh>[]): RouteConfiguration => ({
  name,
  virtualHosts: hosts,
  validateClusters: false,
});

describe('the local translation against istiod, field by field', () => {
  it('finds nothing when the two agree, whatever the ClusterIPs and the key order', () => {
    const ours = rc(
      '9080',
      vh('reviews.default.svc.cluster.local:9080', 'outbound|9080|v1|reviews.default.svc.cluster.local'),
    );
    const theirs = rc('9080', {
      ...vh('reviews.default.svc.cluster.local:9080', 'outbound|9080|v1|reviews.default.svc.cluster.local', [
        'reviews.default.svc.cluster.local',
        '10.96.200.7',
      ]),
    });
    expect(diffRouteConfigs([ours], [theirs])).toEqual([]);
  });

  it('names each differing leaf with its path, and each virtual host or configuration one side lacks', () => {
    const ours = rc(
      '9080',
      vh('reviews.default.svc.cluster.local:9080', 'outbound|9080|v1|reviews.default.svc.cluster.local'),
      vh('ratings.default.svc.cluster.local:9080', 'x'),
    );
    const theirs = rc(
      '9080',
      vh('reviews.default.svc.cluster.local:9080', 'outbound|9080|v3|reviews.default.svc.cluster.local'),
    );
    theirs.validateClusters = true;
    const d = diffRouteConfigs([ours], [theirs, rc('9090', vh('details.default.svc.cluster.local:9090', 'y'))]);
    expect(d).toEqual([
      { where: '9080', path: 'validateClusters', local: false, istiod: true },
      { where: '9080/ratings.default.svc.cluster.local:9080', path: '', local: 'present', istiod: '<absent>' },
      {
        where: '9080/reviews.default.svc.cluster.local:9080',
        path: 'routes[0].route.cluster',
        local: 'outbound|9080|v1|reviews.default.svc.cluster.local',
        istiod: 'outbound|9080|v3|reviews.default.svc.cluster.local',
      },
      { where: '9090', path: '', local: '<absent>', istiod: 'present' },
    ]);
    expect(d.map(knownDifference)).toEqual([null, null, null, null]);
  });

  it("skips istiod's configurations for istio-system's Services alone; port 80's is a listed difference", () => {
    const d = diffRouteConfigs(
      [],
      [
        rc('15010', vh('istiod.istio-system.svc.cluster.local:15010', 'z')),
        rc(
          '80',
          vh('istio-ingressgateway.istio-system.svc.cluster.local:80', 'g'),
          vh('reviews.default.svc.cluster.local:80', 'r'),
        ),
      ],
    );
    expect(d).toEqual([{ where: '80', path: '', local: '<absent>', istiod: 'present' }]);
    expect(knownDifference(d[0]!)?.reason).toMatch(/port-80 special case/);
  });

  it('array order counts: Envoy takes the first route that matches', () => {
    const a = vh('r:9080', 'a');
    const two = { ...a, routes: [...a.routes, { match: { prefix: '/x' }, route: { cluster: 'b', timeout: '0s' } }] };
    const swapped = { ...two, routes: [two.routes[1]!, two.routes[0]!] };
    expect(diffRouteConfigs([rc('9080', two)], [rc('9080', swapped)]).map((x) => x.path)).toEqual([
      'routes[0].match.prefix',
      'routes[0].route.cluster',
      'routes[1].match.prefix',
      'routes[1].route.cluster',
    ]);
  });
});

describe('which objects a known difference concerns (what lint notes)', () => {
  const vs = (hosts: string[], gateways?: string[]) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'x' },
    spec: { hosts, gateways },
  });
  it('a sidecar VirtualService for a host that is no Service is routed on port 80 by istiod only', async () => {
    const { knownDifferencesOf } = await import('./known-differences.js');
    expect(knownDifferencesOf(vs(['reviews', 'api.example.com'])).map((d) => d.path)).toEqual([['spec', 'hosts', 1]]);
    expect(knownDifferencesOf(vs(['reviews', 'ratings.default.svc.cluster.local']))).toEqual([]);
    expect(knownDifferencesOf(vs(['api.example.com'], ['bookinfo-gateway']))).toEqual([]);
  });

  it("a redirectCode Envoy has no name for: istiod's route has no action, the local one redirects", async () => {
    const { knownDifferencesOf } = await import('./known-differences.js');
    const redirect = (redirectCode: number) => ({
      ...vs(['reviews']),
      spec: { hosts: ['reviews'], http: [{ route: [] }, { redirect: { uri: '/x', redirectCode } }] },
    });
    expect(knownDifferencesOf(redirect(300)).map((d) => d.path)).toEqual([
      ['spec', 'http', 1, 'redirect', 'redirectCode'],
    ]);
    expect(knownDifferencesOf(redirect(308))).toEqual([]);
    const at = { where: '9080/reviews.default.svc.cluster.local:9080', path: 'routes[1].redirect' };
    expect(knownDifference({ ...at, local: { pathRedirect: '/x' }, istiod: '<absent>' })?.reason).toMatch(/300, 304/);
    // Any other redirect difference is not this one.
    expect(knownDifference({ ...at, local: { pathRedirect: '/x', responseCode: 'FOUND' }, istiod: '<absent>' })).toBe(
      null,
    );
    expect(knownDifference({ ...at, local: '<absent>', istiod: { pathRedirect: '/x' } })).toBeNull();
  });
});
