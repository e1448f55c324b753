import { describe, expect, it } from 'vitest';
import { ConfigStore } from '../store.js';
import { echoCatalog } from '../testing/echo-catalog.js';
import { BASE, edgeVirtualService, yaml } from '../testing/fixtures.js';
import type { Route, RouteConfiguration } from '../envoy/types.js';
import { buildModel, type Endpoint } from './model.js';
import { proxyConfig } from './proxy-config.js';

const FRONT = { namespace: 'default', labels: { app: 'front', version: 'v1' }, role: 'sidecar' as const };
const GATEWAY = {
  namespace: 'istio-system',
  labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
  role: 'gateway' as const,
};
const pods: Endpoint[] = ['v1', 'v2', 'v3'].map((v, i) => ({
  pod: `back-${v}`,
  namespace: 'default',
  labels: { app: 'back', version: v },
  address: `127.0.0.1:${1000 + i}`,
}));

function configFor(extra: string, proxy: typeof FRONT | typeof GATEWAY = FRONT) {
  const store = new ConfigStore(echoCatalog);
  store.apply(yaml(BASE));
  if (extra) store.apply(yaml(extra));
  return proxyConfig(buildModel(store, pods), proxy);
}

/** Each batch is created a second after the one before (istiod orders by creation time, then name). */
function configAt(batches: string[], proxy: typeof FRONT | typeof GATEWAY = FRONT) {
  const store = new ConfigStore(echoCatalog);
  store.apply(yaml(BASE), { createdAt: () => '2026-01-01T00:00:00Z' });
  batches.forEach((b, i) => store.apply(yaml(b), { createdAt: () => `2026-01-01T00:00:0${i + 1}Z` }));
  return proxyConfig(buildModel(store, pods), proxy);
}

function backRoutes(routes: RouteConfiguration[]): Route[] {
  const rc = routes.find((r) => r.name === '9080')!;
  return rc.virtualHosts!.find((v) => v.name === 'back.default.svc.cluster.local:9080')!.routes!;
}

const vs = (spec: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: back }
spec:
  hosts: [back]
${spec}`;

describe('sidecar route configuration', () => {
  it('is named after the port, has a vhost per service with its domains, and allow_any last', () => {
    const { routes } = configFor('');
    expect(routes.map((r) => r.name)).toEqual(['9080']);
    const rc = routes[0]!;
    expect(rc).toMatchObject({
      validateClusters: false,
      ignorePortInHostMatching: true,
      maxDirectResponseBodySizeBytes: 1048576,
    });
    expect(rc.virtualHosts!.map((v) => v.name)).toEqual([
      'back.default.svc.cluster.local:9080',
      'front.default.svc.cluster.local:9080',
      'allow_any',
    ]);
    const back = rc.virtualHosts![0]!;
    expect(back.domains.slice(0, 5)).toEqual([
      'back.default.svc.cluster.local',
      'back.default.svc.cluster.local.',
      'back',
      'back.default.svc',
      'back.default',
    ]);
    expect(back.domains[5]).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(back.includeRequestAttemptCount).toBe(true);
  });

  it('without a VirtualService holds the default route to every pod, with Istio default retries and no timeout', () => {
    const [route] = backRoutes(configFor('').routes);
    expect(route).toEqual({
      name: 'default',
      match: { prefix: '/' },
      route: {
        cluster: 'outbound|9080||back.default.svc.cluster.local',
        timeout: '0s',
        retryPolicy: {
          retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
          numRetries: 2,
          retryHostPredicate: [
            {
              name: 'envoy.retry_host_predicates.previous_hosts',
              typedConfig: {
                '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
              },
            },
          ],
          hostSelectionRetryMaxAttempts: '5',
        },
        maxGrpcTimeout: '0s',
      },
      decorator: { operation: 'back.default.svc.cluster.local:9080/*' },
    });
  });

  it('writes a split as weightedClusters with raw weights, dropping weight 0', () => {
    const routes = backRoutes(
      configFor(
        vs(`  http:
    - route:
        - { destination: { host: back, subset: v1 }, weight: 70 }
        - { destination: { host: back, subset: v2 }, weight: 0 }
        - { destination: { host: back, subset: v3 }, weight: 40 }
`),
      ).routes,
    );
    expect(routes).toHaveLength(1);
    expect(routes[0]!.match).toEqual({ prefix: '/' });
    expect(routes[0]!.route!.weightedClusters).toEqual({
      clusters: [
        { name: 'outbound|9080|v1|back.default.svc.cluster.local', weight: 70 },
        { name: 'outbound|9080|v3|back.default.svc.cluster.local', weight: 40 },
      ],
    });
    expect(routes[0]!.metadata).toEqual({
      filterMetadata: { istio: { config: '/apis/networking.istio.io/v1/namespaces/default/virtual-service/back' } },
    });
    expect(routes[0]!.decorator).toEqual({ operation: 'back:9080/*' });
  });

  it('turns each match entry into a route, sorts header matchers, inverts withoutHeaders and adds :method', () => {
    const routes = backRoutes(
      configFor(
        vs(`  http:
    - name: special
      match:
        - uri: { exact: /a }
          method: { exact: POST }
          headers: { x-b: { prefix: p }, x-a: { regex: "v[0-9]+" }, x-c: {} }
          withoutHeaders: { x-d: { exact: no } }
          queryParams: { q: { exact: "1" }, p: {} }
        - uri: { regex: "/r/.*" }
          ignoreUriCase: true
      route: [{ destination: { host: back, subset: v2 } }]
    - route: [{ destination: { host: back, subset: v1 } }]
`),
      ).routes,
    );
    expect(routes).toHaveLength(3);
    expect(routes[0]!.name).toBe('special');
    expect(routes[0]!.match).toEqual({
      path: '/a',
      caseSensitive: true,
      headers: [
        { name: 'x-a', stringMatch: { safeRegex: { regex: 'v[0-9]+' } } },
        { name: 'x-b', stringMatch: { prefix: 'p' } },
        { name: 'x-c', presentMatch: true },
        { name: 'x-d', stringMatch: { exact: 'no' }, invertMatch: true, treatMissingHeaderAsEmpty: true },
        { name: ':method', stringMatch: { exact: 'POST' } },
      ],
      queryParameters: [
        { name: 'p', presentMatch: true },
        { name: 'q', stringMatch: { exact: '1' } },
      ],
    });
    expect(routes[1]!.match).toEqual({ safeRegex: { regex: '/r/.*' }, caseSensitive: false });
    expect(routes[1]!.route!.cluster).toBe('outbound|9080|v2|back.default.svc.cluster.local');
    expect(routes[2]!.match).toEqual({ prefix: '/' });
  });

  it('stops after a catch-all route, as istiod does', () => {
    const routes = backRoutes(
      configFor(
        vs(`  http:
    - route: [{ destination: { host: back, subset: v1 } }]
    - match: [{ uri: { prefix: /never } }]
      route: [{ destination: { host: back, subset: v2 } }]
`),
      ).routes,
    );
    expect(routes.map((r) => r.route!.cluster)).toEqual(['outbound|9080|v1|back.default.svc.cluster.local']);
  });

  it('drops sourceLabels entries per proxy, and falls back to the default route when nothing is left', () => {
    const spec = vs(`  http:
    - match: [{ sourceLabels: { app: front } }]
      route: [{ destination: { host: back, subset: v3 } }]
`);
    expect(backRoutes(configFor(spec).routes)[0]!.route!.cluster).toBe(
      'outbound|9080|v3|back.default.svc.cluster.local',
    );
    const other = proxyConfig(
      (() => {
        const store = new ConfigStore(echoCatalog);
        store.apply(yaml(BASE));
        store.apply(yaml(spec));
        return buildModel(store, pods);
      })(),
      { ...FRONT, labels: { app: 'other' } },
    );
    expect(backRoutes(other.routes)[0]!.name).toBe('default');
  });

  it('writes fault, timeout, retries, rewrite and header operations as Envoy fields', () => {
    const [route] = backRoutes(
      configFor(
        vs(`  http:
    - fault:
        delay: { fixedDelay: 7s, percentage: { value: 50 } }
        abort: { httpStatus: 500 }
      timeout: 0.5s
      retries: { attempts: 3, perTryTimeout: 100ms, retryOn: "5xx,409" }
      rewrite: { uri: /v2, authority: other }
      headers:
        request: { set: { x-s: "1" }, add: { x-a: "2" }, remove: [x-r] }
        response: { set: { x-out: "yes" } }
      route: [{ destination: { host: back, subset: v1 } }]
`),
      ).routes,
    );
    expect(route!.typedPerFilterConfig).toEqual({
      'envoy.filters.http.fault': {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
        delay: { fixedDelay: '7s', percentage: { numerator: 500000, denominator: 'MILLION' } },
        abort: { httpStatus: 500 },
      },
    });
    expect(route!.route).toMatchObject({
      prefixRewrite: '/v2',
      hostRewriteLiteral: 'other',
      timeout: '0.500s',
      maxGrpcTimeout: '0.500s',
      retryPolicy: {
        retryOn: '5xx,retriable-status-codes',
        numRetries: 3,
        perTryTimeout: '0.100s',
        retriableStatusCodes: [409],
      },
    });
    expect(route!.requestHeadersToAdd).toEqual([
      { header: { key: 'x-s', value: '1' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-a', value: '2' } },
    ]);
    expect(route!.requestHeadersToRemove).toEqual(['x-r']);
    expect(route!.responseHeadersToAdd).toEqual([
      { header: { key: 'x-out', value: 'yes' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ]);
  });

  it('omits the retry policy for attempts: 0 and writes a redirect without a route action', () => {
    const routes = backRoutes(
      configFor(
        vs(`  http:
    - match: [{ uri: { prefix: /old } }]
      redirect: { uri: /new, redirectCode: 302 }
    - retries: { attempts: 0 }
      route: [{ destination: { host: back } }]
`),
      ).routes,
    );
    expect(routes[0]!.redirect).toEqual({ pathRedirect: '/new', responseCode: 'FOUND' });
    expect(routes[0]!.route).toBeUndefined();
    expect(routes[1]!.route!.retryPolicy).toBeUndefined();
  });

  it('derives redirect fields as istiod: 301 by default, the path kept as "", the port dropped for its scheme', () => {
    const redirects = (rules: string[], proxy: typeof FRONT | typeof GATEWAY = FRONT) => {
      const http = rules.map((r, i) => `    - match: [{ uri: { prefix: /r${i} } }]\n      redirect: ${r}\n`).join('');
      if (proxy === GATEWAY) return configFor(edgeVirtualService(http), GATEWAY).routes[0]!.virtualHosts![0]!.routes!;
      return backRoutes(configFor(vs(`  http:\n${http}`)).routes);
    };
    const sidecar = redirects([
      '{ authority: elsewhere }',
      '{ derivePort: FROM_REQUEST_PORT }',
      '{ derivePort: FROM_PROTOCOL_DEFAULT, scheme: https }',
      '{ port: 80 }',
      '{ port: 443 }',
      '{ port: 443, scheme: https, redirectCode: 308 }',
    ]).map((r) => r.redirect);
    expect(sidecar).toEqual([
      { hostRedirect: 'elsewhere', pathRedirect: '' },
      { portRedirect: 9080, pathRedirect: '' },
      { schemeRedirect: 'https', pathRedirect: '' },
      { pathRedirect: '' },
      { portRedirect: 443, pathRedirect: '' },
      { schemeRedirect: 'https', pathRedirect: '', responseCode: 'PERMANENT_REDIRECT' },
    ]);
    // At the gateway the port the routes are built for is the server's.
    expect(redirects(['{ derivePort: FROM_REQUEST_PORT }'], GATEWAY)[0]!.redirect).toEqual({
      portRedirect: 8080,
      pathRedirect: '',
    });
  });

  it('writes a direct response body given as string inline, and one given as bytes as base64 inlineBytes', () => {
    const routes = backRoutes(
      configFor(
        vs(`  http:
    - match: [{ uri: { prefix: /a } }]
      directResponse: { status: 503, body: { string: down } }
    - match: [{ uri: { prefix: /b } }]
      directResponse: { status: 200, body: { bytes: "aGVsbG8" } }
    - directResponse: { status: 418 }
`),
      ).routes,
    );
    expect(routes.map((r) => r.directResponse)).toEqual([
      { status: 503, body: { inlineString: 'down' } },
      { status: 200, body: { inlineBytes: 'aGVsbG8=' } },
      { status: 418 },
    ]);
  });

  it('ignores a VirtualService bound only to a gateway', () => {
    const routes = backRoutes(
      configFor(vs(`  gateways: [test-gateway]\n  http: [{ route: [{ destination: { host: back, subset: v2 } }] }]\n`))
        .routes,
    );
    expect(routes[0]!.name).toBe('default');
  });
});

describe('which VirtualService a sidecar takes for a host', () => {
  /** `name` in `namespace` for host back, routing to `subset`; `extra` is YAML lines of its spec. */
  const named = (name: string, namespace: string, subset: string, extra = '') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  hosts: [back.default.svc.cluster.local]
${extra}  http: [{ route: [{ destination: { host: back.default.svc.cluster.local, subset: ${subset} } }] }]
`;
  const subsetOf = (batches: string[]) => backRoutes(configAt(batches).routes)[0]!.route!.cluster;

  it('takes the one created first, whatever the names; in the same second the first by name', () => {
    expect(subsetOf([named('z-older', 'default', 'v1'), named('a-newer', 'default', 'v2')])).toContain('|v1|');
    expect(subsetOf([`${named('z-same', 'default', 'v1')}---\n${named('a-same', 'default', 'v2')}`])).toContain('|v2|');
  });

  it("imports its own namespace's private ones first, then those exported to it, then public ones", () => {
    const publicOld = named('public', 'other', 'v1');
    const exportedMid = named('exported', 'other', 'v2', '  exportTo: [default]\n');
    const privateNew = named('private', 'default', 'v3', '  exportTo: ["."]\n');
    expect(subsetOf([publicOld, exportedMid, privateNew])).toContain('|v3|');
    expect(subsetOf([publicOld, exportedMid])).toContain('|v2|');
  });

  it('gives way to the next one when every rule of the first drops for this proxy', () => {
    const onlyOthers = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: only-others }
spec:
  hosts: [back]
  http: [{ match: [{ sourceLabels: { app: nobody } }], route: [{ destination: { host: back, subset: v1 } }] }]
`;
    expect(subsetOf([onlyOthers, named('next', 'default', 'v2')])).toContain('|v2|');
  });
});

describe('gateway route configuration', () => {
  it('is http.8080 with a vhost per shared host and the bound VirtualService routes', () => {
    const { routes } = configFor('', GATEWAY);
    expect(routes.map((r) => r.name)).toEqual(['http.8080']);
    const [vh] = routes[0]!.virtualHosts!;
    expect(vh).toMatchObject({ name: '*:8080', domains: ['*'] });
    expect(vh!.routes![0]!.route!.cluster).toBe('outbound|9080||front.default.svc.cluster.local');
  });

  it('never matches ordinary sourceLabels at the gateway', () => {
    const edge = edgeVirtualService(`    - match: [{ sourceLabels: { app: front } }]
      route: [{ destination: { host: back, port: { number: 9080 } } }]
    - route: [{ destination: { host: front, port: { number: 9080 } } }]
`);
    const [vh] = configFor(edge, GATEWAY).routes[0]!.virtualHosts!;
    expect(vh!.routes!.map((r) => r.route!.cluster)).toEqual(['outbound|9080||front.default.svc.cluster.local']);
  });

  it('merges the VirtualServices of a host in creation order, across namespaces, with catch-alls moved last', () => {
    const edge = (name: string, namespace: string, http: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  hosts: ["*"]
  gateways: [default/test-gateway]
  http:
${http}`;
    const to = (path: string) =>
      `    - match: [{ uri: { prefix: ${path} } }]\n` +
      '      route: [{ destination: { host: back.default.svc.cluster.local, port: { number: 9080 } } }]\n';
    const { routes } = configAt(
      [
        edge('z-first', 'istio-system', to('/first')),
        edge('a-second', 'other', to('/second')),
        // Exported only to its own namespace: the gateway proxy, in istio-system, does not see it.
        edge('hidden', 'other', to('/hidden')).replace('  http:', '  exportTo: ["."]\n  http:'),
      ],
      GATEWAY,
    );
    const [vh] = routes[0]!.virtualHosts!;
    // The base's edge VirtualService is the oldest: its catch-all comes first and is moved last.
    expect(vh!.routes!.map((r) => r.match.prefix)).toEqual(['/first', '/second', '/']);
  });

  it('holds an empty blackhole host when no VirtualService is bound', () => {
    const store = new ConfigStore(echoCatalog);
    store.apply(yaml(BASE.replace('gateways: [test-gateway]', 'gateways: [other-gateway]')));
    const { routes } = proxyConfig(buildModel(store, pods), GATEWAY);
    expect(routes[0]!.virtualHosts).toEqual([{ name: 'blackhole:8080', domains: ['*'] }]);
  });
});

describe('clusters', () => {
  it('has the whole service and every subset, with the pods whose labels match', () => {
    const { clusters } = configFor('');
    expect(clusters.get('outbound|9080||back.default.svc.cluster.local')!.endpoints.map((e) => e.pod)).toEqual([
      'back-v1',
      'back-v2',
      'back-v3',
    ]);
    expect(clusters.get('outbound|9080|v2|back.default.svc.cluster.local')!.endpoints.map((e) => e.pod)).toEqual([
      'back-v2',
    ]);
    expect(clusters.has('outbound|9080|v9|back.default.svc.cluster.local')).toBe(false);
  });
});

describe('mirrors', () => {
  it('become request mirror policies after the retry policy: share per million, all if no share, none at 0 %', () => {
    const [route] = backRoutes(
      configFor(
        vs(`  http:
    - route: [{ destination: { host: back, subset: v1 } }]
      mirror: { host: back, subset: v2 }
      mirrorPercentage: { value: 12.5 }
      mirrors:
        - destination: { host: back, subset: v3 }
        - destination: { host: back, subset: v1 }
          percentage: { value: 0 }`),
      ).routes,
    );
    expect(Object.keys(route!.route!)).toEqual([
      'cluster',
      'timeout',
      'retryPolicy',
      'requestMirrorPolicies',
      'maxGrpcTimeout',
    ]);
    expect(route!.route!.requestMirrorPolicies).toEqual([
      {
        cluster: 'outbound|9080|v2|back.default.svc.cluster.local',
        runtimeFraction: { defaultValue: { numerator: 125000, denominator: 'MILLION' } },
        traceSampled: false,
        disableShadowHostSuffixAppend: true,
      },
      {
        cluster: 'outbound|9080|v3|back.default.svc.cluster.local',
        runtimeFraction: { defaultValue: { numerator: 100 } },
        traceSampled: false,
        disableShadowHostSuffixAppend: true,
      },
    ]);
  });
});
