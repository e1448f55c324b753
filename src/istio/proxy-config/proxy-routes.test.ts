import { describe, expect, it } from 'vitest';
import { formatSummary, sameRoutes, summarizeRouteDump, summarizeVirtualService } from './proxy-routes.js';
import type { KubeObject } from '../../kube/manifest.js';

const FQDN = 'reviews.default.svc.cluster.local';
const retry = {
  retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
  numRetries: 2,
  hostSelectionRetryMaxAttempts: '5',
};
const cluster = (subset: string, host = FQDN) => `outbound|9080|${subset}|${host}`;

function vhost(host: string, routes: unknown[], domains?: string[]) {
  const fq = `${host}.default.svc.cluster.local`;
  return {
    name: `${fq}:9080`,
    domains: domains ?? [fq, `${fq}.`, host, `${host}.default.svc`, `${host}.default`, '10.96.88.3'],
    routes,
    includeRequestAttemptCount: true,
  };
}
const allowAny = {
  name: 'allow_any',
  domains: ['*'],
  routes: [{ name: 'allow_any', match: { prefix: '/' }, route: { cluster: 'PassthroughCluster', timeout: '0s' } }],
};
const sidecarDump = (...vhosts: unknown[]) => [
  { name: '9080', virtualHosts: [...vhosts, allowAny], validateClusters: false, ignorePortInHostMatching: true },
  {
    name: 'inbound|9080||',
    virtualHosts: [
      {
        name: 'inbound|http|9080',
        domains: ['*'],
        routes: [{ match: { prefix: '/' }, route: { cluster: 'inbound|9080||' } }],
      },
    ],
  },
];
const detailsDefault = vhost('details', [
  {
    name: 'default',
    match: { prefix: '/' },
    route: { cluster: 'outbound|9080||details.default.svc.cluster.local', timeout: '0s', retryPolicy: retry },
  },
]);

const vsOf = (http: unknown[], extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews' },
  spec: { hosts: ['reviews'], http, ...extra },
});
const productpage = { proxyLabels: { app: 'productpage', version: 'v1' } };

describe('summarizeRouteDump', () => {
  it('reads weighted clusters, normalised, and ignores other hosts, allow_any and inbound', () => {
    const dump = sidecarDump(
      detailsDefault,
      vhost('reviews', [
        {
          match: { prefix: '/', caseSensitive: true },
          route: {
            weightedClusters: {
              clusters: [
                { name: cluster('v1'), weight: 80 },
                { name: cluster('v3'), weight: 20 },
              ],
            },
            timeout: '0s',
            retryPolicy: retry,
          },
        },
      ]),
    );
    const s = summarizeRouteDump(dump, 'reviews')!;
    expect(s.rules).toEqual([{ match: [], destinations: { v1: 80, v3: 20 } }]);
    expect(formatSummary(s)).toBe('reviews: v1 80%, v3 20%');
    // Weights need not sum to 100: 3 and 1 read as 75/25.
    const odd = sidecarDump(
      vhost('reviews', [
        {
          match: { prefix: '/' },
          route: {
            weightedClusters: {
              clusters: [
                { name: cluster('v1'), weight: 3 },
                { name: cluster('v2'), weight: 1 },
              ],
            },
          },
        },
      ]),
    );
    expect(summarizeRouteDump(odd, FQDN)!.rules[0]!.destinations).toEqual({ v1: 75, v2: 25 });
  });

  it('reads header matches in order, then the fallback rule', () => {
    const dump = sidecarDump(
      vhost('reviews', [
        {
          match: { prefix: '/', caseSensitive: true, headers: [{ name: 'end-user', stringMatch: { exact: 'jason' } }] },
          route: { cluster: cluster('v2'), timeout: '0s' },
        },
        { match: { prefix: '/', caseSensitive: true }, route: { cluster: cluster('v1'), timeout: '0s' } },
      ]),
    );
    expect(formatSummary(summarizeRouteDump(dump, 'reviews')!)).toBe('reviews: [end-user=jason] v2 100%; v1 100%');
  });

  it('reads the default route of a host without a VirtualService as the whole host', () => {
    const s = summarizeRouteDump(sidecarDump(detailsDefault), 'details')!;
    expect(s.rules).toEqual([{ match: [], destinations: { '': 100 } }]);
    expect(formatSummary(s)).toBe('details: all 100%');
  });

  it('reads faults (per million and per hundred), timeouts, presence, inverted, regex and query matchers', () => {
    const fault = {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
      delay: { fixedDelay: '7s', percentage: { numerator: 1000000, denominator: 'MILLION' } },
      abort: { httpStatus: 500, percentage: { numerator: 10 } },
    };
    const dump = sidecarDump(
      vhost('ratings', [
        {
          match: {
            prefix: '/',
            headers: [
              { name: 'x-canary', presentMatch: true },
              { name: 'end-user', stringMatch: { exact: 'bob' }, invertMatch: true, treatMissingHeaderAsEmpty: true },
            ],
          },
          route: { cluster: cluster('v1', 'ratings.default.svc.cluster.local'), timeout: '0.500s' },
          typedPerFilterConfig: { 'envoy.filters.http.fault': fault },
        },
        {
          match: {
            safeRegex: { regex: '/ratings/[0-9]+' },
            queryParameters: [{ name: 'u', stringMatch: { prefix: 'j' } }],
          },
          route: { cluster: cluster('v2', 'ratings.default.svc.cluster.local') },
        },
      ]),
    );
    const s = summarizeRouteDump(dump, 'ratings')!;
    expect(s.rules[0]).toEqual({
      match: ['!end-user=bob', 'x-canary'],
      destinations: { v1: 100 },
      fault: { delay: { ms: 7000, percent: 100 }, abort: { status: 500, percent: 10 } },
      timeoutMs: 500,
    });
    expect(s.rules[1]!.match).toEqual(['?u^=j', 'path~=/ratings/[0-9]+']);
    expect(formatSummary(s)).toBe(
      'ratings: [!end-user=bob & x-canary] v1 100% (delay 7000ms 100%, abort 500 10%, timeout 500ms); ' +
        '[?u^=j & path~=/ratings/[0-9]+] v2 100%',
    );
  });

  it('is null when the proxy has no virtual host for the host yet', () => {
    expect(summarizeRouteDump(sidecarDump(detailsDefault), 'reviews')).toBeNull();
    expect(summarizeRouteDump([], 'reviews')).toBeNull();
  });

  it('reads a gateway route config (http.8080) only in gateway mode', () => {
    const gw = [
      {
        name: 'http.8080',
        virtualHosts: [
          {
            name: '*:8080',
            domains: ['*'],
            routes: [
              {
                match: { path: '/productpage', caseSensitive: true },
                route: { cluster: 'outbound|9080||productpage.default.svc.cluster.local' },
              },
              {
                match: { prefix: '/api/v1/products', caseSensitive: true },
                route: { cluster: 'outbound|9080||productpage.default.svc.cluster.local' },
              },
            ],
          },
        ],
      },
    ];
    const s = summarizeRouteDump(gw, '*', { gateway: true })!;
    expect(formatSummary(s)).toBe(
      '*: [path=/productpage] productpage 100%; [prefix=/api/v1/products] productpage 100%',
    );
    expect(summarizeRouteDump(gw, '*')).toBeNull();
  });
});

describe('summarizeVirtualService, as Istio translates it for one proxy', () => {
  it('normalises weights and drops weight-0 destinations; one destination gets 100%', () => {
    const s = summarizeVirtualService(
      vsOf([
        {
          route: [
            { destination: { host: 'reviews', subset: 'v1' }, weight: 70 },
            { destination: { host: 'reviews', subset: 'v3' }, weight: 70 },
            { destination: { host: 'reviews', subset: 'v2' }, weight: 0 },
          ],
        },
      ]),
      productpage,
    );
    expect(s.rules).toEqual([{ match: [], destinations: { v1: 50, v3: 50 } }]);
    expect(
      summarizeVirtualService(
        vsOf([{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 10 }] }]),
        productpage,
      ).rules[0]!.destinations,
    ).toEqual({ v1: 100 });
  });

  it('expands OR entries into consecutive rules and stops after a catch-all', () => {
    const s = summarizeVirtualService(
      vsOf([
        {
          match: [{ headers: { 'End-User': { exact: 'jason' } } }, { uri: { prefix: '/beta' }, ignoreUriCase: true }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
        { match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
        { route: [{ destination: { host: 'reviews', subset: 'v3' } }] },
      ]),
      productpage,
    );
    expect(formatSummary(s)).toBe('reviews: [end-user=jason] v2 100%; [icase & prefix=/beta] v2 100%; v1 100%');
  });

  it('keeps sourceLabels entries only for proxies whose labels match; none left means the default route', () => {
    const vs = vsOf(
      [
        {
          match: [{ sourceLabels: { app: 'reviews', version: 'v3' } }],
          fault: { abort: { httpStatus: 500, percentage: { value: 100 } } },
          route: [{ destination: { host: 'ratings', subset: 'v1' } }],
        },
      ],
      { hosts: ['ratings'] },
    );
    expect(formatSummary(summarizeVirtualService(vs, { proxyLabels: { app: 'reviews', version: 'v3' } }))).toBe(
      'ratings: v1 100% (abort 500 100%)',
    );
    expect(formatSummary(summarizeVirtualService(vs, { proxyLabels: { app: 'reviews', version: 'v2' } }))).toBe(
      'ratings: all 100%',
    );
  });

  it('treats a fault without percentage as no fault, and a mesh-only VS as absent at a gateway', () => {
    const vs = vsOf([
      { fault: { delay: { fixedDelay: '7s' } }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
    ]);
    expect(summarizeVirtualService(vs, productpage).rules[0]!.fault).toBeUndefined();
    expect(summarizeVirtualService(vs, { proxyLabels: { istio: 'ingressgateway' }, gateway: true }).rules).toEqual([
      { match: [], destinations: { '': 100 } },
    ]);
  });
});

describe('sameRoutes: a proxy holds what was applied', () => {
  const applied = vsOf([
    {
      match: [{ headers: { 'end-user': { exact: 'jason' } } }],
      route: [{ destination: { host: 'reviews', subset: 'v2' } }],
    },
    {
      route: [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 80 },
        { destination: { host: 'reviews', subset: 'v3' }, weight: 20 },
      ],
    },
  ]);
  const dumpWith = (second: unknown) =>
    sidecarDump(
      detailsDefault,
      vhost('reviews', [
        {
          match: { prefix: '/', caseSensitive: true, headers: [{ name: 'end-user', stringMatch: { exact: 'jason' } }] },
          route: { cluster: cluster('v2'), timeout: '0s' },
        },
        second,
      ]),
    );

  it('is true when the dump matches the VirtualService', () => {
    const held = summarizeRouteDump(
      dumpWith({
        match: { prefix: '/' },
        route: {
          weightedClusters: {
            clusters: [
              { name: cluster('v1'), weight: 80 },
              { name: cluster('v3'), weight: 20 },
            ],
          },
        },
      }),
      'reviews',
    )!;
    expect(sameRoutes(held, summarizeVirtualService(applied, productpage))).toBe(true);
  });

  it('is false for an old split, an old default route, or a missing rule', () => {
    const want = summarizeVirtualService(applied, productpage);
    const oldSplit = summarizeRouteDump(
      dumpWith({
        match: { prefix: '/' },
        route: {
          weightedClusters: {
            clusters: [
              { name: cluster('v1'), weight: 50 },
              { name: cluster('v3'), weight: 50 },
            ],
          },
        },
      }),
      'reviews',
    )!;
    expect(sameRoutes(oldSplit, want)).toBe(false);
    const defaults = summarizeRouteDump(
      sidecarDump(
        vhost('reviews', [{ name: 'default', match: { prefix: '/' }, route: { cluster: 'outbound|9080||' + FQDN } }]),
      ),
      'reviews',
    )!;
    expect(sameRoutes(defaults, want)).toBe(false);
    // …while the default route equals a VirtualService that does not apply to this proxy.
    expect(
      sameRoutes(
        defaults,
        summarizeVirtualService(
          vsOf([
            { match: [{ sourceLabels: { app: 'x' } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
          ]),
          productpage,
        ),
      ),
    ).toBe(true);
  });
});

describe('mirrors', () => {
  it('reads the same mirrors from a VirtualService and from the route a proxy holds; tells a missing one apart', () => {
    const applied = vsOf([
      {
        route: [{ destination: { host: 'reviews', subset: 'v1' } }],
        mirror: { host: 'reviews', subset: 'v2' },
        mirrorPercentage: { value: 25 },
        mirrors: [
          { destination: { host: 'ratings', subset: 'v1' } },
          { destination: { host: 'reviews', subset: 'v3' }, percentage: { value: 0 } },
        ],
      },
    ]);
    const want = summarizeVirtualService(applied, productpage);
    expect(want.rules[0]!.mirrors).toEqual({ v2: 25, 'ratings:v1': 100 });
    expect(formatSummary(want)).toBe('reviews: v1 100% (mirror v2 25%, mirror ratings:v1 100%)');
    const route = (mirrors: unknown[]) =>
      sidecarDump(
        vhost('reviews', [
          { match: { prefix: '/' }, route: { cluster: cluster('v1'), timeout: '0s', requestMirrorPolicies: mirrors } },
        ]),
      );
    const held = summarizeRouteDump(
      route([
        {
          cluster: cluster('v2'),
          runtimeFraction: { defaultValue: { numerator: 250000, denominator: 'MILLION' } },
          traceSampled: false,
        },
        {
          cluster: cluster('v1', 'ratings.default.svc.cluster.local'),
          runtimeFraction: { defaultValue: { numerator: 100 } },
        },
      ]),
      'reviews',
    )!;
    expect(sameRoutes(held, want)).toBe(true);
    expect(sameRoutes(summarizeRouteDump(route([]), 'reviews')!, want)).toBe(false);
    // The older integer field, and a mirror switched off by a 0 % share.
    expect(
      summarizeVirtualService(
        vsOf([
          {
            route: [{ destination: { host: 'reviews', subset: 'v1' } }],
            mirror: { host: 'reviews', subset: 'v2' },
            mirrorPercent: 10,
          },
        ]),
        productpage,
      ).rules[0]!.mirrors,
    ).toEqual({ v2: 10 });
    expect(
      summarizeVirtualService(
        vsOf([
          {
            route: [{ destination: { host: 'reviews', subset: 'v1' } }],
            mirror: { host: 'reviews', subset: 'v2' },
            mirrorPercentage: { value: 0 },
          },
        ]),
        productpage,
      ).rules[0]!.mirrors,
    ).toBeUndefined();
  });
});
