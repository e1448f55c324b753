/**
 * The xDS-fed proxy with a feed the test controls: it routes with exactly what the feed holds,
 * counts what the engine does not act on, maps pod IPs through the pod network, and serves the
 * config dump in the shape istioctl reads.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import { Upstreams } from '../proxy/upstreams.js';
import type { Endpoint } from '../translate/model.js';
import { configDump, TYPES } from './admin-server.js';
import { clusterDefsFromXds } from './clusters-from-xds.js';
import { Tally } from './tally.js';
import { xdsResources } from './testing/xds-resources.js';
import { XdsProxy, type XdsFeed, type XdsResources } from './xds-proxy.js';

type Json = Record<string, any>;

const REVIEWS = 'outbound|9080||reviews.default.svc.cluster.local';
const pods: Record<string, Endpoint> = {
  '10.244.0.5': {
    pod: 'reviews-v1-a',
    namespace: 'default',
    labels: { app: 'reviews', version: 'v1' },
    address: '127.0.0.1:41001',
  },
  '10.244.0.6': {
    pod: 'reviews-v3-b',
    namespace: 'default',
    labels: { app: 'reviews', version: 'v3' },
    address: '127.0.0.1:41002',
  },
};
const resolve = (ip: string, port: number) => (port === 9080 ? (pods[ip] ?? null) : null);

function routeConfig(cluster: string, extra: Json = {}): Json {
  return {
    name: '9080',
    virtualHosts: [
      {
        name: 'reviews.default.svc.cluster.local:9080',
        domains: ['reviews', 'reviews.default.svc.cluster.local'],
        routes: [{ match: { prefix: '/' }, route: { cluster, timeout: '0s' }, ...extra }],
      },
    ],
  };
}

function feedOf(r: { current: XdsResources }): (onUpdate: () => void) => XdsFeed {
  return () => ({ start: () => undefined, close: async () => undefined, snapshot: () => r.current });
}

const lb = (ip: string, health?: string) => ({
  endpoint: { address: { socketAddress: { address: ip, portValue: 9080 } } },
  healthStatus: health,
});

describe('clusters from CDS and EDS', () => {
  it('resolves pod IPs to the stand-ins, skips endpoints EDS marks unhealthy, counts addresses no pod has', () => {
    const tally = new Tally();
    const clusters = new Map([[REVIEWS, { name: REVIEWS, type: 'EDS', edsClusterConfig: { serviceName: REVIEWS } }]]);
    const cla = new Map([
      [
        REVIEWS,
        {
          clusterName: REVIEWS,
          endpoints: [{ lbEndpoints: [lb('10.244.0.5'), lb('10.244.0.6', 'UNHEALTHY'), lb('10.244.0.99')] }],
        },
      ],
    ]);
    const defs = clusterDefsFromXds(clusters, cla, resolve, tally);
    expect(defs.get(REVIEWS)!.endpoints.map((e) => e.pod)).toEqual(['reviews-v1-a']);
    expect(tally.entries()).toEqual([['endpoint 10.244.0.99:9080 is no pod of the rehearsal', 1]]);
  });

  it("reads outlier detection, circuit breakers, Envoy's defaults; counts cluster types, LB policies it lacks", () => {
    const tally = new Tally();
    const clusters = new Map<string, Json>([
      [
        REVIEWS,
        {
          name: REVIEWS,
          type: 'EDS',
          outlierDetection: { consecutive5xx: 3, interval: '1s' },
          circuitBreakers: {
            thresholds: [{ maxConnections: 1, maxPendingRequests: 4294967295, maxRequests: 4294967295 }],
          },
        },
      ],
      ['outbound|9080||x', { name: 'outbound|9080||x', type: 'STRICT_DNS', lbPolicy: 'RING_HASH' }],
      ['inbound|9080||', { name: 'inbound|9080||', type: 'ORIGINAL_DST' }],
    ]);
    const defs = clusterDefsFromXds(clusters, new Map(), resolve, tally);
    expect(defs.get(REVIEWS)!.outlier).toMatchObject({
      consecutive5xx: 3,
      intervalMs: 1000,
      baseEjectionMs: 30_000,
      maxEjectionPercent: 10,
      minHealthPercent: 50,
      consecutiveGateway: 0,
    });
    expect(defs.get(REVIEWS)!.pool).toEqual({ maxConnections: 1, maxPending: Infinity, maxRequests: Infinity });
    expect(defs.has('inbound|9080||')).toBe(false);
    expect(
      tally
        .entries()
        .map(([k]) => k)
        .sort(),
    ).toEqual(['cluster type STRICT_DNS (outbound|9080||x)', 'lbPolicy RING_HASH (routed as LEAST_REQUEST)']);
  });
});

describe('XdsProxy', () => {
  it('routes with the route configurations the feed holds, and records a push only when they change', () => {
    const r = { current: xdsResources({ routes: new Map([['9080', routeConfig(REVIEWS)]]) }) };
    let now = 1000;
    const proxy = new XdsProxy(
      { pod: 'productpage-v1-x', namespace: 'default', labels: { app: 'productpage' }, role: 'sidecar' },
      {
        connect: feedOf(r),
        resolve,
        random: seededRandom(1),
        upstreams: new Upstreams(),
        clock: { now: () => now } as never,
      },
    );
    proxy.rebuild();
    expect(proxy.routes().map((x) => x.name)).toEqual(['9080']);
    expect(proxy.routes()[0]!.virtualHosts![0]!.routes![0]!.route).toEqual({ cluster: REVIEWS, timeout: '0s' });
    expect(proxy.received).toEqual([{ version: 1, at: 1000 }]);
    now = 2000;
    proxy.rebuild();
    expect(proxy.received).toHaveLength(1);
    r.current = xdsResources({
      routes: new Map([['9080', routeConfig('outbound|9080|v3|reviews.default.svc.cluster.local')]]),
    });
    proxy.rebuild();
    expect(proxy.received.at(-1)).toEqual({ version: 3, at: 2000 });
  });

  it('counts what the engine ignores: unknown route field, per-filter config, HTTP filter, unsubscribed type', () => {
    const hcm = {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      rds: { routeConfigName: '9080' },
      httpFilters: [
        { name: 'envoy.filters.http.fault' },
        { name: 'envoy.filters.http.ext_authz' },
        { name: 'envoy.filters.http.router' },
      ],
    };
    const r = {
      current: xdsResources({
        routes: new Map([
          [
            '9080',
            routeConfig(REVIEWS, {
              typedPerFilterConfig: { 'envoy.filters.http.rbac': {} },
              perRequestBufferLimitBytes: 10,
            }),
          ],
        ]),
        listeners: new Map([
          [
            '0.0.0.0_9080',
            {
              name: '0.0.0.0_9080',
              address: { socketAddress: { portValue: 9080 } },
              filterChains: [
                { filters: [{ name: 'envoy.filters.network.http_connection_manager', typedConfig: hcm }] },
              ],
            },
          ],
        ]),
        unknownTypes: new Map([['type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig', 2]]),
      }),
    };
    const proxy = new XdsProxy(
      { pod: 'p', namespace: 'default', labels: {}, role: 'sidecar' },
      { connect: feedOf(r), resolve, random: seededRandom(1), upstreams: new Upstreams() },
    );
    proxy.rebuild();
    expect(Object.fromEntries(proxy.unsupported())).toEqual({
      'Route.perRequestBufferLimitBytes': 1,
      'route typedPerFilterConfig envoy.filters.http.rbac': 1,
      'http filter envoy.filters.http.ext_authz': 1,
      'unknown type type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig': 2,
    });
  });
});

describe("the admin endpoint's config dump", () => {
  it('has the bootstrap node and each resource wrapped with its @type and version, endpoints only when asked', () => {
    const r = xdsResources({
      routes: new Map([['9080', routeConfig(REVIEWS)]]),
      clusters: new Map([[REVIEWS, { name: REVIEWS, type: 'EDS' }]]),
      endpoints: new Map([[REVIEWS, { clusterName: REVIEWS }]]),
      versions: { [TYPES.route]: 'r7' },
      receivedAt: { [TYPES.route]: Date.UTC(2026, 0, 1) },
    });
    const src = { node: { id: 'sidecar~10.244.0.5~p.default~default.svc.cluster.local' }, resources: () => r };
    const dump = configDump(src, false) as { configs: Json[] };
    expect(dump.configs.map((c) => c['@type'].split('.').at(-1))).toEqual([
      'BootstrapConfigDump',
      'ClustersConfigDump',
      'ListenersConfigDump',
      'RoutesConfigDump',
    ]);
    expect(dump.configs[0]!.bootstrap.node.id).toBe(src.node.id);
    const route = dump.configs[3]!.dynamicRouteConfigs[0];
    expect(route).toMatchObject({
      versionInfo: 'r7',
      lastUpdated: '2026-01-01T00:00:00.000Z',
      routeConfig: { '@type': TYPES.route, name: '9080' },
    });
    expect(
      (configDump(src, true) as { configs: Json[] }).configs.at(-1)!.dynamicEndpointConfigs[0].endpointConfig,
    ).toEqual({ '@type': TYPES.endpoint, clusterName: REVIEWS });
  });
});
