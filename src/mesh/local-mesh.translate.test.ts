/**
 * Where istiod's translation decides which VirtualService a proxy holds, checked with real HTTP
 * through the ingress and a sidecar hop (`front` calls `back`): exportTo, host precedence, delegate
 * VirtualServices, gateway hosts and virtual hosts, and the smaller fields (grpcStatus aborts,
 * derivePort, retry priority, header order). The facts are in docs/research/istiod-translation.md.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMesh } from './local-mesh.js';
import type { EchoBody } from './testing/echo-catalog.js';
import {
  BASE,
  deployment,
  edgeVirtualService,
  gatewayTo,
  get,
  hop,
  service,
  startMesh,
  subsets,
  yaml,
} from './testing/fixtures.js';

const VS = 'apiVersion: networking.istio.io/v1\nkind: VirtualService';

/** `name` in `namespace` with `spec` (YAML lines, indented two spaces). */
function vs(name: string, namespace: string, spec: string): string {
  return `${VS}\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec:\n${spec}\n`;
}

const toBack = (subset: string) =>
  `route: [{ destination: { host: back.default.svc.cluster.local, subset: ${subset} } }]`;

/** The version of `back` that served `front`'s call, or `status <n>`. */
async function served(mesh: LocalMesh, path = '/', headers: Record<string, string> = {}): Promise<string> {
  const r = await hop(mesh, 'back', path, headers);
  if (!r.upstream) return `error ${r.error}`;
  if (r.upstream.status !== 200) return `status ${r.upstream.status}`;
  return (JSON.parse(r.upstream.body) as EchoBody).version!;
}

describe('on a sidecar', () => {
  let mesh: LocalMesh;
  const applied: { kind: string; name: string; namespace: string }[] = [];
  const apply = async (text: string) => {
    const objects = yaml(text);
    for (const o of objects)
      applied.push({
        kind: o.object.kind,
        name: o.object.metadata.name,
        namespace: o.object.metadata.namespace ?? 'default',
      });
    await mesh.apply(objects);
  };
  beforeAll(async () => {
    mesh = await startMesh();
  });
  afterAll(() => mesh.stop());
  afterEach(async () => {
    await mesh.delete(applied.splice(0).map((k) => ({ apiVersion: 'networking.istio.io/v1', ...k })));
    await mesh.apply(yaml(subsets('back', ['v1', 'v2', 'v3'])));
  });

  describe('exportTo', () => {
    it('ignores a VirtualService of another namespace exported only to its own (".")', async () => {
      await apply(
        vs(
          'a-private',
          'other',
          `  hosts: [back.default.svc.cluster.local]\n  exportTo: ["."]\n  http:\n    - ${toBack('v2')}`,
        ),
      );
      await apply(vs('z-public', 'default', `  hosts: [back]\n  http:\n    - ${toBack('v3')}`));
      expect(await served(mesh)).toBe('v3');
    });

    it('ignores a default VirtualService exported only to istio-system; one exported to default applies', async () => {
      await apply(
        vs('a-gateways-only', 'default', `  hosts: [back]\n  exportTo: [istio-system]\n  http:\n    - ${toBack('v2')}`),
      );
      await apply(
        vs(
          'z-other',
          'other',
          `  hosts: [back.default.svc.cluster.local]\n  exportTo: [default]\n  http:\n    - ${toBack('v3')}`,
        ),
      );
      expect(await served(mesh)).toBe('v3');
    });

    it("finds no subsets in a DestinationRule exported away from the caller's namespace", async () => {
      await apply(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: back, namespace: default }
spec:
  host: back
  exportTo: [istio-system]
  subsets: [{ name: v2, labels: { version: v2 } }]`);
      await apply(vs('back', 'default', `  hosts: [back]\n  http:\n    - ${toBack('v2')}`));
      expect(await served(mesh)).toBe('status 503');
    });
  });

  describe('host precedence', () => {
    it('prefers a VirtualService naming the exact host over an older wildcard one', async () => {
      await apply(
        vs(
          'a-wildcard',
          'default',
          '  hosts: ["*.default.svc.cluster.local"]\n  http:\n    - match: [{ uri: { prefix: /wild } }]\n' +
            `      ${toBack('v1')}`,
        ),
      );
      await apply(vs('z-exact', 'default', `  hosts: [back]\n  http:\n    - ${toBack('v2')}`));
      expect(await served(mesh, '/plain')).toBe('v2');
    });

    it("of a host's VirtualServices takes the oldest (same creation second: first by name), no merging", async () => {
      // One batch: both get one creationTimestamp, so istiod orders them by name, not by position.
      const catchAll = `  hosts: [back]\n  http:\n    - ${toBack('v1')}`;
      const onlyA = `  hosts: [back]\n  http:\n    - match: [{ uri: { prefix: /only-a } }]\n      ${toBack('v3')}`;
      await apply(`${vs('b-listed-first', 'default', catchAll)}---\n${vs('a-listed-second', 'default', onlyA)}`);
      expect(await served(mesh, '/only-a')).toBe('v3');
      // b-listed-first's catch-all is not merged in on a sidecar: the request matches no route.
      expect(await served(mesh, '/other')).toBe('status 404');
    });
  });

  describe('delegate VirtualServices', () => {
    const root = (delegate: string) =>
      vs(
        'back',
        'default',
        `  hosts: [back]
  http:
    - name: api
      match: [{ uri: { prefix: /api } }]
      delegate: ${delegate}
    - ${toBack('v1')}`,
      );

    it("inlines the delegate's rules under the root's match, in the delegate's order", async () => {
      await apply(
        vs(
          'back-api',
          'default',
          `  http:
    - match: [{ headers: { end-user: { exact: jason } } }]
      ${toBack('v2')}
    - ${toBack('v3')}`,
        ),
      );
      await apply(root('{ name: back-api }'));
      expect(await served(mesh, '/api/x', { 'end-user': 'jason' })).toBe('v2');
      expect(await served(mesh, '/api/x')).toBe('v3');
      expect(await served(mesh, '/other', { 'end-user': 'jason' })).toBe('v1');
      const routes = mesh.proxyRoutes(mesh.pods().find((p) => p.deployment === 'front-v1')!.name)!;
      const vh = routes
        .find((r) => r.name === '9080')!
        .virtualHosts!.find((v) => v.name === 'back.default.svc.cluster.local:9080')!;
      expect(vh.routes!.map((r) => r.name)).toEqual(['api', 'api', undefined]);
      expect(vh.routes![0]!.match.headers).toEqual([{ name: 'end-user', stringMatch: { exact: 'jason' } }]);
    });

    it(
      "drops the root rule when the delegate is not exported to the root's namespace; " +
        "another namespace's exported delegate works",
      async () => {
        await apply(vs('back-api', 'other', `  exportTo: ["."]\n  http:\n    - ${toBack('v2')}`));
        await apply(root('{ name: back-api, namespace: other }'));
        expect(await served(mesh, '/api/x')).toBe('v1');
        await apply(vs('back-api', 'other', `  exportTo: [default]\n  http:\n    - ${toBack('v2')}`));
        await mesh.whenSettled();
        expect(await served(mesh, '/api/x')).toBe('v2');
      },
    );
  });

  describe('rule and destination fields', () => {
    it("applies a rule's header operations before its single destination's: the destination's set wins", async () => {
      await apply(
        vs(
          'back',
          'default',
          `  hosts: [back]
  http:
    - headers: { request: { set: { x-test-order: rule } } }
      route:
        - destination: { host: back, subset: v1 }
          headers: { request: { set: { x-test-order: destination } } }`,
        ),
      );
      const r = await hop(mesh, 'back');
      expect((JSON.parse(r.upstream!.body) as EchoBody).headers['x-test-order']).toBe('destination');
    });

    it("writes retryRemoteLocalities as Envoy's previous-priorities retry priority", async () => {
      await apply(
        vs(
          'back',
          'default',
          '  hosts: [back]\n  http:\n    - retries: { attempts: 2, retryRemoteLocalities: true }\n' +
            `      ${toBack('v1')}`,
        ),
      );
      const routes = mesh.proxyRoutes(mesh.pods().find((p) => p.deployment === 'front-v1')!.name)!;
      const route = routes
        .find((r) => r.name === '9080')!
        .virtualHosts!.find((v) => v.name === 'back.default.svc.cluster.local:9080')!.routes![0]!;
      expect(route.route!.retryPolicy!.retryPriority).toEqual({
        name: 'envoy.retry_priorities.previous_priorities',
        typedConfig: {
          '@type':
            'type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig',
          updateFrequency: 2,
        },
      });
      expect(await served(mesh)).toBe('v1');
    });
  });
});

describe('at the ingress gateway', () => {
  let mesh: LocalMesh;
  const GATEWAY_80 = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw80 }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }]
`;
  beforeAll(async () => {
    mesh = await startMesh(
      {},
      [
        service('front'),
        deployment('front', 'v1'),
        service('back'),
        deployment('back', 'v1'),
        subsets('back', ['v1']),
        GATEWAY_80,
      ].join('---\n'),
    );
    await mesh.apply(
      yaml(`${vs(
        'front-short',
        'default',
        `  hosts: [front]
  gateways: [gw80]
  http:
    - match: [{ uri: { prefix: /short } }]
      route: [{ destination: { host: front, port: { number: 9080 } } }]`,
      )}---
${vs(
  'front-fqdn',
  'default',
  `  hosts: [front.default.svc.cluster.local]
  gateways: [gw80]
  http:
    - match: [{ uri: { exact: /productpage } }]
      route: [{ destination: { host: front, port: { number: 9080 } } }]`,
)}`),
    );
  });
  afterAll(() => mesh.stop());

  it("resolves a short host to the FQDN in the VirtualService's namespace: Host front 404s, FQDN routes", async () => {
    expect((await get(mesh, '/short', { host: 'front' })).status).toBe(404);
    const r = await get(mesh, '/short', { host: 'front.default.svc.cluster.local' });
    expect(r.status).toBe(200);
    expect(r.json.path).toBe('/short');
  });

  it(
    'merges VirtualServices sharing a host into one virtual host named with the server port, ' +
      'decorated with the destination port',
    async () => {
      expect((await get(mesh, '/productpage', { host: 'front.default.svc.cluster.local' })).status).toBe(200);
      const gw = mesh.proxies().find((p) => p.role === 'gateway')!;
      const [rc] = mesh.proxyRoutes(gw.pod)!;
      expect(rc!.name).toBe('http.8080');
      expect(rc!.virtualHosts!.map((v) => [v.name, v.domains])).toEqual([
        ['front.default.svc.cluster.local:80', ['front.default.svc.cluster.local']],
      ]);
      // Created together, so in name order: front-fqdn's route, then front-short's.
      expect(rc!.virtualHosts![0]!.routes!.map((r) => r.decorator?.operation)).toEqual([
        'front.default.svc.cluster.local:9080/productpage',
        'front.default.svc.cluster.local:9080/short*',
      ]);
    },
  );

  it("at the gateway, applies only VirtualServices exported to its proxy's namespace, istio-system", async () => {
    const edge = (exportTo: string) =>
      yaml(
        vs(
          'c-edge',
          'default',
          `  hosts: [c.example]\n  gateways: [gw80]\n  exportTo: [${exportTo}]\n  http:\n` +
            '    - route: [{ destination: { host: front, port: { number: 9080 } } }]',
        ),
      );
    try {
      await mesh.apply(edge('"."'));
      expect((await get(mesh, '/x', { host: 'c.example' })).status).toBe(404);
      await mesh.apply(edge('istio-system'));
      await mesh.whenSettled();
      expect((await get(mesh, '/x', { host: 'c.example' })).status).toBe(200);
    } finally {
      await mesh.delete([
        { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'c-edge', namespace: 'default' },
      ]);
    }
  });

  it('gives hosts holding the very same routes one virtual host with both domains', async () => {
    await mesh.apply(
      yaml(
        vs(
          'two-hosts',
          'default',
          '  hosts: [b.example, a.example]\n  gateways: [gw80]\n  http:\n' +
            '    - route: [{ destination: { host: front, port: { number: 9080 } } }]',
        ),
      ),
    );
    try {
      for (const host of ['a.example', 'b.example']) expect((await get(mesh, '/x', { host })).status).toBe(200);
      const gw = mesh.proxies().find((p) => p.role === 'gateway')!;
      expect(mesh.proxyRoutes(gw.pod)![0]!.virtualHosts!.map((v) => [v.name, v.domains])).toEqual([
        ['a.example:80', ['a.example', 'b.example']],
        ['front.default.svc.cluster.local:80', ['front.default.svc.cluster.local']],
      ]);
    } finally {
      await mesh.delete([
        { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'two-hosts', namespace: 'default' },
      ]);
    }
  });
});

describe('gateway redirects and gRPC aborts', () => {
  let mesh: LocalMesh;
  beforeAll(async () => {
    mesh = await startMesh({}, BASE);
  });
  afterAll(() => mesh.stop());
  afterEach(() => mesh.apply(yaml(gatewayTo('front'))));

  it("redirects to the request's own port (the server port, 8080) for derivePort FROM_REQUEST_PORT", async () => {
    await mesh.apply(
      yaml(edgeVirtualService('    - redirect: { uri: /moved, derivePort: FROM_REQUEST_PORT, redirectCode: 302 }\n')),
    );
    const r = await get(mesh, '/old', { host: 'shop.example' });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('http://shop.example:8080/moved');
  });

  it('redirects with prefixRewrite by swapping the matched prefix, keeping the rest of path and query', async () => {
    await mesh.apply(
      yaml(edgeVirtualService('    - match: [{ uri: { prefix: /old } }]\n      redirect: { prefixRewrite: /new }\n')),
    );
    const r = await get(mesh, '/old/page?x=1', { host: 'shop.example' });
    expect([r.status, r.headers.location]).toEqual([301, 'http://shop.example/new/page?x=1']);
  });

  it('redirects without a uri to the same path and query (istiod writes pathRedirect "")', async () => {
    await mesh.apply(yaml(edgeVirtualService('    - redirect: { authority: www.shop.example }\n')));
    const r = await get(mesh, '/old/page?x=1', { host: 'shop.example' });
    expect([r.status, r.headers.location]).toEqual([301, 'http://www.shop.example/old/page?x=1']);
  });

  it('answers a direct response given as bytes with the decoded body', async () => {
    const body = Buffer.from('{"down":true}').toString('base64');
    await mesh.apply(yaml(edgeVirtualService(`    - directResponse: { status: 503, body: { bytes: "${body}" } }\n`)));
    const r = await get(mesh, '/');
    expect([r.status, r.text]).toEqual([503, '{"down":true}']);
  });

  it('aborts with a gRPC status: 200 + grpc-status to gRPC requests, 200 "fault filter abort" to others', async () => {
    await mesh.apply(
      yaml(
        edgeVirtualService(`    - fault: { abort: { grpcStatus: UNAVAILABLE, percentage: { value: 100 } } }
      route: [{ destination: { host: front, port: { number: 9080 } } }]
`),
      ),
    );
    const grpc = await get(mesh, '/svc.Echo/Call', { 'content-type': 'application/grpc' }, 'POST');
    expect(grpc.status).toBe(200);
    expect(grpc.headers['grpc-status']).toBe('14');
    expect(grpc.headers['grpc-message']).toBe('fault filter abort');
    const plain = await get(mesh, '/');
    expect([plain.status, plain.text]).toEqual([200, 'fault filter abort']);
  });
});
