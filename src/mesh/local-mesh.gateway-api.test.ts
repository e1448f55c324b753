/**
 * The Gateway API on the local mesh, checked with real HTTP: a Gateway of class istio gets its own
 * gateway pod and loopback listener, HTTPRoutes bound to it route there, HTTPRoutes whose parent
 * is a Service route at the callers' sidecars, and both read back with istiod's status.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMesh } from './local-mesh.js';
import { echoReceived, type EchoBody } from './testing/echo-catalog.js';
import { BASE, hop, startMesh, yaml } from './testing/fixtures.js';

const versioned = ['v1', 'v2', 'v3']
  .map(
    (v) =>
      `apiVersion: v1\nkind: Service\nmetadata: { name: back-${v} }\nspec:\n` +
      `  selector: { app: back, version: ${v} }\n  ports: [{ port: 9080, name: http }]\n`,
  )
  .join('---\n');

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge }
spec:
  gatewayClassName: istio
  listeners: [{ name: http, port: 80, protocol: HTTP }]
`;

function edgeRoute(rules: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: edge }
spec:
  parentRefs: [{ name: edge }]
  rules:
${rules}`;
}

function backRoute(rules: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: back }
spec:
  parentRefs: [{ group: "", kind: Service, name: back, port: 9080 }]
  rules:
${rules}`;
}

let mesh: LocalMesh;
let url: string;
beforeAll(async () => {
  mesh = await startMesh(
    {},
    [BASE, versioned, GATEWAY, edgeRoute('    - backendRefs: [{ name: front, port: 9080 }]\n')].join('---\n'),
  );
  url = mesh.gatewayUrl('default', 'edge')!;
});
afterAll(() => mesh.stop());

async function apply(text: string): Promise<void> {
  await mesh.apply(yaml(text));
  await mesh.whenSettled();
}

async function at(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const r = await request(`${url}${path}`, { headers });
  return { status: r.statusCode, headers: r.headers, body: await r.body.text() };
}

async function servedBy(n: number, headers: Record<string, string> = {}): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await request(`${url}/call/back/9080/`, { headers });
    const call = (await r.body.json()) as { upstream?: { status: number; body: string } };
    const k =
      call.upstream?.status === 200
        ? (JSON.parse(call.upstream.body) as EchoBody).version!
        : `status ${call.upstream?.status}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

describe('a Gateway API Gateway on the local mesh', () => {
  it('has its own gateway pod, labelled as Istio labels it, serving http.80 on its own loopback port', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe(mesh.ingressUrl);
    const gw = mesh.proxies('default').find((p) => p.labels['gateway.networking.k8s.io/gateway-name'] === 'edge')!;
    expect(gw.pod).toMatch(/^edge-istio-[a-z0-9]{10}-[a-z0-9]{5}$/);
    expect(gw.role).toBe('gateway');
    const routes = mesh.proxyRoutes(gw.pod)!;
    expect(routes.map((r) => r.name)).toEqual(['http.80']);
    expect(routes[0]!.virtualHosts![0]!.routes![0]!.route!.clusterNotFoundResponseCode).toBe('INTERNAL_SERVER_ERROR');
  });

  it('routes through the gateway; the Istio ingress does not carry its routes', async () => {
    expect((await at('/')).status).toBe(200);
    const plain = await request(`${mesh.ingressUrl}/`);
    await plain.body.dump();
    expect(plain.statusCode).toBe(200); // the Istio-API gateway of the base still routes to front
  });

  it('PathPrefix matches whole segments; Exact the path alone; no match is 404', async () => {
    await apply(
      edgeRoute(`    - matches:
        - { path: { type: PathPrefix, value: /static/ } }
        - { path: { type: Exact, value: /login } }
      backendRefs: [{ name: front, port: 9080 }]\n`),
    );
    expect((await at('/static')).status).toBe(200);
    expect((await at('/static/x.css')).status).toBe(200);
    expect((await at('/staticfoo')).status).toBe(404);
    expect((await at('/login?next=/')).status).toBe(200);
    expect((await at('/login/x')).status).toBe(404);
  });

  it('a backend that does not exist answers 500; all weights 0 answer 500', async () => {
    await apply(
      edgeRoute(`    - matches: [{ path: { value: /missing } }]
      backendRefs: [{ name: nowhere, port: 9080 }]
    - matches: [{ path: { value: /zero } }]
      backendRefs: [{ name: front, port: 9080, weight: 0 }]\n`),
    );
    expect((await at('/missing')).status).toBe(500);
    expect((await at('/zero')).status).toBe(500);
  });

  it('filters: request and response headers, redirect, URL rewrite', async () => {
    await apply(
      edgeRoute(`    - matches: [{ path: { value: /old } }]
      filters:
        - type: RequestRedirect
          requestRedirect: { path: { type: ReplaceFullPath, replaceFullPath: /new }, statusCode: 301 }
    - matches: [{ path: { value: /api } }]
      filters:
        - type: URLRewrite
          urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: / } }
        - type: RequestHeaderModifier
          requestHeaderModifier: { set: [{ name: x-who, value: gateway }] }
        - type: ResponseHeaderModifier
          responseHeaderModifier: { add: [{ name: x-seen, value: "1" }] }
      backendRefs: [{ name: front, port: 9080 }]\n`),
    );
    const moved = await at('/old/page');
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/new$/);
    const rewritten = await at('/api/items?a=1');
    expect(rewritten.status).toBe(200);
    const body = JSON.parse(rewritten.body) as EchoBody;
    expect(body.path).toBe('/items?a=1');
    expect(body.headers['x-who']).toBe('gateway');
    expect(rewritten.headers['x-seen']).toBe('1');
  });
});

describe("HTTPRoutes whose parent is a Service (mesh routes at the callers' sidecars)", () => {
  it('weighted backendRefs split by weight, weight 0 never picked', async () => {
    await apply(edgeRoute('    - backendRefs: [{ name: front, port: 9080 }]\n'));
    await apply(
      backRoute(
        '    - backendRefs: [{ name: back-v1, port: 9080, weight: 3 }, { name: back-v2, port: 9080, weight: 0 }, ' +
          '{ name: back-v3, port: 9080, weight: 1 }]\n',
      ),
    );
    const counts = await servedBy(200);
    expect(counts.v2).toBeUndefined();
    expect(counts.v1! + counts.v3!).toBe(200);
    expect(counts.v1! / 200).toBeGreaterThan(0.62);
    expect(counts.v1! / 200).toBeLessThan(0.87);
  });

  it('a header match outranks the rule without one, whatever the order; query params and method match', async () => {
    await apply(
      backRoute(`    - backendRefs: [{ name: back-v1, port: 9080 }]
    - matches: [{ headers: [{ name: end-user, value: jason }] }]
      backendRefs: [{ name: back-v2, port: 9080 }]
    - matches: [{ queryParams: [{ name: v, value: "3" }], method: GET }]
      backendRefs: [{ name: back-v3, port: 9080 }]\n`),
    );
    expect(await servedBy(5, { 'end-user': 'jason' })).toEqual({ v2: 5 });
    expect(await servedBy(5)).toEqual({ v1: 5 });
    const r = await hop(mesh, 'back', '/?v=3');
    expect((JSON.parse(r.upstream!.body) as EchoBody).version).toBe('v3');
  });

  it("an HTTPRoute wins over a VirtualService for the same host in the caller's namespace", async () => {
    await apply(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: back-vs }
spec:
  hosts: [back]
  http: [{ route: [{ destination: { host: back, subset: v3 } }] }]
`);
    await apply(backRoute('    - backendRefs: [{ name: back-v2, port: 9080 }]\n'));
    expect(await servedBy(5)).toEqual({ v2: 5 });
    await mesh.delete([
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: 'back', namespace: 'default' },
    ]);
    await mesh.whenSettled();
    expect(await servedBy(5)).toEqual({ v3: 5 });
    await mesh.delete([
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'back-vs', namespace: 'default' },
    ]);
  });

  it('a RequestMirror filter copies each request to the mirror backend; the caller sees only the primary', async () => {
    await apply(
      backRoute(`    - filters: [{ type: RequestMirror, requestMirror: { backendRef: { name: back-v2, port: 9080 } } }]
      backendRefs: [{ name: back-v1, port: 9080 }]\n`),
    );
    const v2 = mesh.pods('default').find((p) => p.labels.app === 'back' && p.labels.version === 'v2')!.name;
    echoReceived.delete(v2);
    expect(await servedBy(5)).toEqual({ v1: 5 });
    await expect.poll(() => echoReceived.get(v2)?.length ?? 0, { timeout: 3000 }).toBe(5);
  });

  it('a request timeout answers 504 when the backend is slower', async () => {
    await apply(backRoute('    - backendRefs: [{ name: back-v1, port: 9080 }]\n      timeouts: { request: 100ms }\n'));
    const pod = mesh.pods('default').find((p) => p.labels.app === 'back' && p.labels.version === 'v1')!.name;
    mesh.faults.slowPod(pod, 400);
    try {
      expect(await servedBy(1)).toEqual({ 'status 504': 1 });
    } finally {
      mesh.faults.clearPod(pod);
    }
  });
});

describe('status read back as istiod writes it', () => {
  it('Accepted and ResolvedRefs per parent; a missing backend is ResolvedRefs=False BackendNotFound', async () => {
    await apply(backRoute('    - backendRefs: [{ name: back-v1, port: 9080 }, { name: back-v9, port: 9080 }]\n'));
    const r = mesh.get({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      name: 'back',
      namespace: 'default',
    })!;
    const parent = (r.status as any).parents[0];
    expect(parent.parentRef).toEqual({ group: '', kind: 'Service', name: 'back', port: 9080 });
    expect(parent.controllerName).toBe('istio.io/gateway-controller');
    expect(parent.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['ResolvedRefs', 'False', 'BackendNotFound'],
    ]);
    expect(parent.conditions[1].message).toBe('backend(back-v9.default.svc.cluster.local) not found');
    const gw = mesh.get({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      name: 'edge',
      namespace: 'default',
    })!;
    expect((gw.status as any).conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual([
      'Accepted=True',
      'Programmed=True',
    ]);
    expect((gw.status as any).listeners[0].attachedRoutes).toBe(1);
  });
});
