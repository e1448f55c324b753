import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/manifest.js';
import { httpRouteStatus, routeConditions, type ClusterView } from './httproute-status.js';

const gateway = (from = 'Same', hostname?: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'gw', namespace: 'infra' },
  spec: {
    gatewayClassName: 'istio',
    listeners: [
      {
        name: 'http',
        port: 80,
        protocol: 'HTTP',
        hostname,
        allowedRoutes: { namespaces: { from } },
      },
    ],
  },
});
const route = (spec: object): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'r', namespace: 'shop', generation: 3 },
  spec,
});
const view = (gw?: KubeObject): ClusterView => ({ service: (_ns, name) => name === 'front', gateway: () => gw });
const conditions = (r: KubeObject, gw?: KubeObject) => routeConditions({ ...r, status: httpRouteStatus(r, view(gw)) });

describe('HTTPRoute status as istiod writes it', () => {
  const parent = {
    parentRefs: [{ name: 'gw', namespace: 'infra' }],
    rules: [{ backendRefs: [{ name: 'front', port: 80 }] }],
  };
  it("Accepted when the listener admits the route's namespace; NotAllowedByListeners when it does not", () => {
    expect(conditions(route(parent), gateway('All'))).toEqual(['Gateway gw: Accepted=True, ResolvedRefs=True']);
    expect(conditions(route(parent), gateway('Same'))).toEqual([
      'Gateway gw: Accepted=False (NotAllowedByListeners: ' +
        'the listeners of Gateway infra/gw do not allow routes from namespace shop), ResolvedRefs=True',
    ]);
  });

  it('NoMatchingParent for a missing Gateway or listener; NoMatchingListenerHostname when no hostname fits', () => {
    expect(conditions(route(parent))).toEqual([
      'Gateway gw: Accepted=False (NoMatchingParent: ' +
        'parent Gateway infra/gw not found or not of class istio), ResolvedRefs=True',
    ]);
    expect(
      conditions(
        route({ ...parent, parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'https' }] }),
        gateway('All'),
      )[0],
    ).toMatch(/NoMatchingParent: no listener/);
    expect(conditions(route({ ...parent, hostnames: ['a.example.com'] }), gateway('All', '*.other.org'))[0]).toMatch(
      /Accepted=False \(NoMatchingListenerHostname/,
    );
    expect(conditions(route({ ...parent, hostnames: ['a.example.com'] }), gateway('All', '*.example.com'))[0]).toMatch(
      /Accepted=True/,
    );
  });

  it(
    'ResolvedRefs=False (BackendNotFound) names each missing backend, ' +
      'mirrors included; observedGeneration follows the route',
    () => {
      const r = route({
        parentRefs: [{ group: '', kind: 'Service', name: 'front' }],
        rules: [
          {
            backendRefs: [{ name: 'gone', port: 80 }],
            filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 80 } } }],
          },
        ],
      });
      const s = httpRouteStatus(r, view()) as { parents: { conditions: { observedGeneration: number }[] }[] };
      expect(s.parents[0]!.conditions[0]!.observedGeneration).toBe(3);
      expect(conditions(r)).toEqual([
        'Service front: Accepted=True, ResolvedRefs=False (BackendNotFound: ' +
          'backend(gone.shop.svc.cluster.local) not found; backend(shadow.shop.svc.cluster.local) not found)',
      ]);
    },
  );
});
