import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadManifestFile, type KubeObject } from '../kube/manifest.js';
import { projectRoot } from '../core/paths.js';
import { listenersOf } from '../istio/gateway-api/httproute-convert.js';
import type { Step } from '../plan/types.js';
import type { ProxyInfo } from '../targets/target.js';
import type { RunContext } from './context.js';
import { effectiveVirtualServices, routingApisOf } from './effective-objects.js';
import { readBackRoute } from './read-back-route.js';
import { relevantProxies } from './relevant-proxies.js';

const load = (f: string) => loadManifestFile(join(projectRoot, 'manifests', f));
const stepOf = (objects: Awaited<ReturnType<typeof load>>): Step => ({
  name: 's',
  at: { file: 'p' },
  apply: [],
  objects,
  expect: [],
  gates: {},
  settings: {} as Step['settings'],
});

const proxies: ProxyInfo[] = [
  { pod: 'istio-ingressgateway-abc', namespace: 'istio-system', role: 'gateway', labels: { istio: 'ingressgateway' } },
  {
    pod: 'bookinfo-gateway-istio-xyz',
    namespace: 'default',
    role: 'gateway',
    labels: { 'gateway.networking.k8s.io/gateway-name': 'bookinfo-gateway' },
  },
  { pod: 'productpage-v1-p', namespace: 'default', role: 'sidecar', labels: { app: 'productpage', version: 'v1' } },
];

describe('HTTPRoutes in settling and the layers', () => {
  it('Gateway API routes settle at their gateway pods, Istio API ones at the ingress, mesh at callers', async () => {
    const gw = await load('gateway-api/bookinfo-gateway.yaml');
    const istio = await load('istio/bookinfo-gateway.yaml');
    const reviews = await load('gateway-api/route-reviews-v3.yaml');
    const listeners = listenersOf(gw.map((l) => l.object));
    const pods = (objects: typeof gw) =>
      relevantProxies(effectiveVirtualServices(stepOf(objects), 'default', listeners), proxies).map(
        (d) => `${d.host} ${d.proxy.pod}`,
      );
    expect(pods(gw)).toEqual(['* bookinfo-gateway-istio-xyz']);
    expect(pods(istio)).toEqual(['* istio-ingressgateway-abc']);
    expect(pods(reviews)).toEqual(['reviews productpage-v1-p']);
    expect(routingApisOf(stepOf([...istio, ...reviews]))).toEqual(['istio', 'gateway-api']);
  });

  it('reads an HTTPRoute back with its status; a condition other than True is a disagreement', async () => {
    const [route] = await load('gateway-api/route-reviews-v3.yaml');
    const [vs] = effectiveVirtualServices(stepOf([route!]), 'default');
    const held: KubeObject = {
      ...route!.object,
      status: {
        parents: [
          {
            parentRef: { group: '', kind: 'Service', name: 'reviews', port: 9080 },
            controllerName: 'istio.io/gateway-controller',
            conditions: [
              { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route was valid' },
              {
                type: 'ResolvedRefs',
                status: 'False',
                reason: 'BackendNotFound',
                message: 'backend(reviews-v3.default.svc.cluster.local) not found',
              },
            ],
          },
        ],
      },
    };
    const ctx = { plan: { namespace: 'default' }, target: { get: async () => held } } as unknown as RunContext;
    const r = await readBackRoute(ctx, vs!, () => undefined);
    expect(r.live?.spec.hosts).toEqual(['reviews']);
    expect(r.conditions).toEqual([
      'Service reviews: Accepted=True, ResolvedRefs=False (BackendNotFound: ' +
        'backend(reviews-v3.default.svc.cluster.local) not found)',
    ]);
    expect(r.problems).toEqual([
      'the cluster reports HTTPRoute reviews Service reviews: Accepted=True, ' +
        'ResolvedRefs=False (BackendNotFound: backend(reviews-v3.default.svc.cluster.local) not found)',
    ]);
    const none = await readBackRoute(
      { ...ctx, target: { get: async () => route!.object } } as unknown as RunContext,
      vs!,
      () => undefined,
    );
    expect(none.problems).toEqual(["HTTPRoute reviews has no status from Istio's gateway controller"]);
  });
});
