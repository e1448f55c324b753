import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../kube/client.js';
import { kubeConfigFor } from '../../../kube/kubeconfig.js';
import type { KubeObject } from '../../../kube/manifest.js';
import { SIDECAR_NAME } from '../../../kube/pods.js';
import { FakeApiServer } from '../../../kube/testing/fake-api-server.js';
import { standInCatalog } from '../../../mesh/apps/catalog.js';
import { xdsResources } from '../../../mesh/xds-proxy/testing/xds-resources.js';
import { KwokDataPlane, podStreamName } from './data-plane.js';

const pod = (metadata: Record<string, unknown>) =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', ...metadata } }) as Parameters<typeof podStreamName>[0];

describe('podStreamName', () => {
  it('drops the ReplicaSet hash and the random suffix, so a seed reproduces the streams on a new cluster', () => {
    const a = pod({
      name: 'reviews-v1-7747d95d85-tl7hw',
      namespace: 'default',
      generateName: 'reviews-v1-7747d95d85-',
      labels: { 'pod-template-hash': '7747d95d85' },
    });
    const b = pod({
      name: 'reviews-v1-5c9f8d7b6-q2x8k',
      namespace: 'default',
      generateName: 'reviews-v1-5c9f8d7b6-',
      labels: { 'pod-template-hash': '5c9f8d7b6' },
    });
    expect(podStreamName(a)).toBe('default/reviews-v1');
    expect(podStreamName(b)).toBe(podStreamName(a));
  });

  it('keeps apart pods of other workloads and namespaces, and a pod with no generated name keeps its own', () => {
    expect(
      podStreamName(
        pod({
          namespace: 'istio-system',
          generateName: 'istio-ingressgateway-6d8f7c9b5-',
          labels: { 'pod-template-hash': '6d8f7c9b5' },
        }),
      ),
    ).toBe('istio-system/istio-ingressgateway');
    expect(
      podStreamName(
        pod({
          namespace: 'other',
          generateName: 'reviews-v1-7747d95d85-',
          labels: { 'pod-template-hash': '7747d95d85' },
        }),
      ),
    ).toBe('other/reviews-v1');
    expect(podStreamName(pod({ name: 'static-pod', namespace: 'default' }))).toBe('default/static-pod');
    expect(podStreamName(pod({ namespace: 'default', generateName: 'job-' }))).toBe('default/job');
  });
});

/**
 * The data plane with the stand-in catalog the kwok target serves with (serve.ts), against a
 * stand-in API server: a pod of any image but Bookinfo's runs the echo app and answers with the
 * pod's identity, as on the local target; a Bookinfo image with no stand-in is left unserved, with why.
 */
describe('KwokDataPlane with the stand-in catalog', () => {
  let api: FakeApiServer;
  let dataPlane: KwokDataPlane;
  const forwarded: string[] = [];

  beforeEach(async () => {
    api = new FakeApiServer();
    const kube = new KubeClient(kubeConfigFor(await api.start()));
    dataPlane = new KwokDataPlane({
      kube,
      catalog: standInCatalog,
      connect: () => ({
        node: {},
        start: () => undefined,
        close: async () => undefined,
        snapshot: () => xdsResources(),
      }),
      forward: async (pod, port) => void forwarded.push(`${pod.name}:${port}`),
      unforward: async () => undefined,
      appNamespaces: ['default'],
      gateway: { namespace: 'istio-system', labelSelector: 'istio=ingressgateway' },
      seed: 1,
    });
  });

  afterEach(async () => {
    await dataPlane.stop();
    await api.stop();
    forwarded.length = 0;
  });

  it("runs the echo app for a shop's own image: x-version from the version label, x-service, x-pod", async () => {
    api.put(appPod('cart-v2-5c9f8d7b6-q2x8k', '10.244.0.7', 'registry.example.com/shop/cart:2.0.0'));
    expect((await dataPlane.reconcile()).started).toEqual(['default/cart-v2-5c9f8d7b6-q2x8k']);
    expect(dataPlane.skipped.size).toBe(0);
    const [served] = dataPlane.proxies();
    expect(served!.app!.standIn).toBe('echo for image registry.example.com/shop/cart:2.0.0');
    expect(forwarded).toEqual(['cart-v2-5c9f8d7b6-q2x8k:15000']);
    const res = await fetch(`http://${served!.app!.address}/api/cart?x=1`);
    expect(res.status).toBe(200);
    expect([res.headers.get('x-version'), res.headers.get('x-service'), res.headers.get('x-pod')]).toEqual([
      'v2',
      'cart',
      'cart-v2-5c9f8d7b6-q2x8k',
    ]);
    expect(await res.json()).toMatchObject({ service: 'cart', version: 'v2', method: 'GET', path: '/api/cart?x=1' });
  });

  it("runs Bookinfo's stand-in for a Bookinfo image, and none for a Bookinfo version it lacks", async () => {
    api.put(appPod('reviews-v3-7dbcdcbc56-x9kq2', '10.244.0.8', 'docker.io/istio/examples-bookinfo-reviews-v3:1.20.3'));
    api.put(appPod('reviews-v4-6d8f7c9b5-abcde', '10.244.0.9', 'docker.io/istio/examples-bookinfo-reviews-v4:1.20.3'));
    expect((await dataPlane.reconcile()).started).toEqual(['default/reviews-v3-7dbcdcbc56-x9kq2']);
    expect(dataPlane.proxies()[0]!.app!.standIn).toMatch(/^bookinfo reviews-v3 for image /);
    expect([...dataPlane.skipped]).toEqual([
      [
        'default/reviews-v4-6d8f7c9b5-abcde',
        'no stand-in for image docker.io/istio/examples-bookinfo-reviews-v4:1.20.3',
      ],
    ]);
  });
});

/** A pod as KWOK leaves it once running: Ready with an IP, the injected sidecar beside the app. */
function appPod(name: string, ip: string, image: string): KubeObject {
  const [app, version] = name.split('-') as [string, string];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app, version } },
    spec: {
      containers: [
        { name: app, image, ports: [{ containerPort: 8080 }] },
        { name: SIDECAR_NAME, image: 'docker.io/istio/proxyv2:1.31.1' },
      ],
    },
    status: { phase: 'Running', podIP: ip },
  };
}
