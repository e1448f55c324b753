import { describe, expect, it } from 'vitest';
import { loadManifestFile, type KubeObject } from '../kube/manifest.js';
import { unsimulated as notesOf } from './unsimulated.js';

const unsimulated = (o: KubeObject) => notesOf(o).map((n) => n.text);

const obj = (kind: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind,
  metadata: { name: 'reviews' },
  spec,
});

describe('what the local mesh does not simulate', () => {
  it('says nothing of the Bookinfo manifests and the routing tasks', async () => {
    for (const file of [
      'manifests/bookinfo/bookinfo.yaml',
      'manifests/istio/destination-rule-all.yaml',
      'manifests/istio/bookinfo-gateway.yaml',
      'manifests/routing/virtual-service-reviews-jason-v2-v3.yaml',
      'manifests/routing/virtual-service-ratings-test-abort.yaml',
    ]) {
      for (const { object } of await loadManifestFile(file))
        expect(unsimulated(object), `${file} ${object.kind} ${object.metadata.name}`).toEqual([]);
    }
  });

  it('names a DestinationRule traffic policy, at the rule and per subset, with its keys', () => {
    const notes = unsimulated(
      obj('DestinationRule', {
        host: 'reviews',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, outlierDetection: {} },
        subsets: [
          { name: 'v1', labels: {} },
          {
            name: 'v2',
            labels: {},
            trafficPolicy: {
              connectionPool: { tcp: { maxConnections: 1, connectTimeout: '1s' }, http: { maxRetries: 3 } },
            },
          },
        ],
      }),
    );
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^spec\.trafficPolicy \(tls\) is not simulated/);
    expect(notes[1]).toMatch(
      /^spec\.subsets\[1\]\.trafficPolicy\.connectionPool \(tcp\.connectTimeout, http\.maxRetries\) is not simulated/,
    );
    expect(
      unsimulated(
        obj('DestinationRule', {
          host: 'reviews',
          trafficPolicy: {
            connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, http2MaxRequests: 5 } },
          },
        }),
      ),
    ).toEqual([]);
    // Outlier detection and simple balancing are simulated; a consistent hash and the local-origin split are not.
    expect(
      unsimulated(
        obj('DestinationRule', {
          host: 'reviews',
          trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3 }, loadBalancer: { simple: 'ROUND_ROBIN' } },
        }),
      ),
    ).toEqual([]);
    expect(
      unsimulated(
        obj('DestinationRule', {
          host: 'reviews',
          trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'end-user' } } },
        }),
      )[0],
    ).toMatch(/^spec\.trafficPolicy \(loadBalancer\) is not simulated/);
    expect(
      unsimulated(
        obj('DestinationRule', {
          host: 'reviews',
          trafficPolicy: { outlierDetection: { splitExternalLocalOriginErrors: true } },
        }),
      )[0],
    ).toMatch(/^spec\.trafficPolicy\.outlierDetection\.splitExternalLocalOriginErrors is not simulated/);
  });

  it('names CORS and TCP/TLS routes of a VirtualService; mirroring is simulated', () => {
    const notes = unsimulated(
      obj('VirtualService', {
        hosts: ['reviews'],
        http: [
          { route: [] },
          { route: [], mirror: { host: 'reviews' }, mirrorPercentage: { value: 5 }, corsPolicy: {} },
        ],
        tcp: [{ route: [] }],
      }),
    );
    expect(notes).toEqual([
      'spec.http[1].corsPolicy is not simulated (no CORS headers or preflight answers)',
      'spec.tcp routes are not simulated: the local mesh routes HTTP only',
    ]);
  });

  it('names a DestinationRule workloadSelector', () => {
    expect(
      notesOf(
        obj('DestinationRule', { host: 'reviews', workloadSelector: { matchLabels: { app: 'productpage' } } }),
      ).map((n) => n.path),
    ).toEqual([['spec', 'workloadSelector']]);
  });

  it('names retryRemoteLocalities: written into the routes, with nothing to choose between in one locality', () => {
    const notes = notesOf(
      obj('VirtualService', {
        hosts: ['reviews'],
        http: [
          { route: [], retries: { attempts: 2, retryRemoteLocalities: true } },
          { route: [], retries: { attempts: 1, retryRemoteLocalities: false } },
        ],
      }),
    );
    expect(notes.map((n) => n.path)).toEqual([['spec', 'http', 0, 'retries', 'retryRemoteLocalities']]);
    expect(notes[0]!.text).toMatch(
      /^spec\.http\[0\]\.retries\.retryRemoteLocalities is in the routes \(a retry priority\) but not simulated/,
    );
  });

  it('names Istio kinds that are only stored', () => {
    expect(unsimulated(obj('PeerAuthentication'))[0]).toMatch(/^PeerAuthentication has no effect on the local mesh/);
    expect(unsimulated(obj('AuthorizationPolicy'))).toHaveLength(1);
    expect(unsimulated({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toEqual([]);
  });

  it('says where in the object each one is', () => {
    expect(
      notesOf(obj('DestinationRule', { host: 'r', subsets: [{ name: 'v1', trafficPolicy: { tls: {} } }] })).map(
        (n) => n.path,
      ),
    ).toEqual([['spec', 'subsets', 0, 'trafficPolicy', 'tls']]);
    expect(notesOf(obj('VirtualService', { hosts: ['r'], http: [{ corsPolicy: {} }] })).map((n) => n.path)).toEqual([
      ['spec', 'http', 0, 'corsPolicy'],
    ]);
  });
});

describe('Gateway API objects the local mesh does not fully act on', () => {
  it('notes CORS filters and listeners other than HTTP; an HTTPRoute without them has no note', () => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { rules: [{ filters: [{ type: 'CORS', cors: {} }, { type: 'RequestHeaderModifier' }] }] },
    };
    expect(unsimulated(route)).toEqual(['spec.rules[0].filters[0] (CORS) is not simulated: no origin is checked']);
    const gw = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'g' },
      spec: {
        listeners: [
          { name: 'http', protocol: 'HTTP' },
          { name: 'tls', protocol: 'HTTPS' },
        ],
      },
    };
    expect(notesOf(gw).map((n) => n.path)).toEqual([['spec', 'listeners', 1]]);
    expect(unsimulated({ ...route, spec: { rules: [{}] } })).toEqual([]);
  });
});
