/**
 * Request matching, checked with real HTTP: through the ingress to `front`, whose sidecar routes
 * the call to `back` by the `back` VirtualService (caller-side routing).
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
  yaml,
} from './testing/fixtures.js';

let mesh: LocalMesh;
beforeAll(async () => {
  mesh = await startMesh({}, [BASE, service('other'), deployment('other', 'v1')].join('---\n'));
});
afterAll(() => mesh.stop());
afterEach(async () => {
  await mesh.delete([
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'back', namespace: 'default' },
  ]);
  await mesh.apply(yaml(gatewayTo('front')));
});

function backVs(http: string, extra = ''): Promise<unknown> {
  return mesh.apply(
    yaml(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: back }
spec:
  hosts: [back]
${extra}  http:
${http}`),
  );
}

/** The version of `back` that served a call made by `front`, or `status <n>`. */
async function served(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<string> {
  const r =
    method === 'GET'
      ? await hop(mesh, 'back', path, headers)
      : ((await get(mesh, `/call/back/9080${path}`, headers, method)).json as Awaited<ReturnType<typeof hop>>);
  if (!r.upstream) return `error ${r.error}`;
  if (r.upstream.status !== 200) return `status ${r.upstream.status}`;
  return (JSON.parse(r.upstream.body) as EchoBody).version!;
}

const to = (subset: string) => `      route: [{ destination: { host: back, subset: ${subset} } }]`;

describe('rules and match entries', () => {
  it('uses the first rule that matches, in order', async () => {
    await backVs(`    - match: [{ uri: { prefix: /a } }]
${to('v1')}
    - match: [{ uri: { prefix: /a/b } }]
${to('v2')}
`);
    expect(await served('/a/b')).toBe('v1');
  });

  it('ORs match entries and ANDs the fields of one entry', async () => {
    await backVs(`    - match:
        - uri: { exact: /x }
        - uri: { exact: /y }
${to('v2')}
    - match:
        - uri: { prefix: /p }
          headers: { end-user: { exact: jason } }
${to('v3')}
`);
    expect(await served('/x')).toBe('v2');
    expect(await served('/y')).toBe('v2');
    expect(await served('/p', { 'end-user': 'jason' })).toBe('v3');
    expect(await served('/p')).toBe('status 404');
  });

  it('answers 404 with an empty body and no upstream time when no rule matches', async () => {
    await backVs(`    - match: [{ uri: { exact: /only } }]
${to('v1')}
`);
    const r = await hop(mesh, 'back', '/other');
    expect(r.upstream!.status).toBe(404);
    expect(r.upstream!.body).toBe('');
    expect(r.upstream!.headers['x-envoy-upstream-service-time']).toBeUndefined();
    expect(r.upstream!.headers.server).toBe('envoy');
    expect(mesh.accessLog(mesh.pods().find((p) => p.deployment === 'front-v1')!.name).at(-1)).toMatch(
      /" 404 NR route_not_found /,
    );
  });
});

describe('uri', () => {
  it('exact compares the path without its query', async () => {
    await backVs(`    - match: [{ uri: { exact: /e } }]
${to('v2')}
`);
    expect(await served('/e?x=1')).toBe('v2');
    expect(await served('/e/')).toBe('status 404');
  });

  it('prefix is a plain string prefix', async () => {
    await backVs(`    - match: [{ uri: { prefix: /static } }]
${to('v2')}
`);
    expect(await served('/staticfoo')).toBe('v2');
    expect(await served('/stati')).toBe('status 404');
  });

  it('regex must match the whole path (RE2), query removed', async () => {
    await backVs(`    - match: [{ uri: { regex: "/r/[0-9]+" } }]
${to('v3')}
`);
    expect(await served('/r/12')).toBe('v3');
    expect(await served('/r/12?q=a')).toBe('v3');
    expect(await served('/r/12/x')).toBe('status 404');
    expect(await served('/x/r/12')).toBe('status 404');
  });

  it('ignoreUriCase makes exact and prefix case-insensitive', async () => {
    await backVs(`    - match: [{ uri: { exact: /CaSe }, ignoreUriCase: true }]
${to('v2')}
    - match: [{ uri: { exact: /Strict } }]
${to('v3')}
`);
    expect(await served('/case')).toBe('v2');
    expect(await served('/CASE')).toBe('v2');
    expect(await served('/strict')).toBe('status 404');
    expect(await served('/Strict')).toBe('v3');
  });
});

describe('headers', () => {
  it('exact: names case-insensitive, values case-sensitive', async () => {
    await backVs(`    - match: [{ headers: { End-User: { exact: jason } } }]
${to('v2')}
`);
    expect(await served('/', { 'end-user': 'jason' })).toBe('v2');
    expect(await served('/', { 'end-user': 'Jason' })).toBe('status 404');
    expect(await served('/')).toBe('status 404');
  });

  it('prefix, regex (whole value) and presence', async () => {
    await backVs(`    - match: [{ headers: { x-test-p: { prefix: ab } } }]
${to('v1')}
    - match: [{ headers: { x-test-r: { regex: "v[0-9]" } } }]
${to('v2')}
    - match: [{ headers: { x-test-any: {} } }]
${to('v3')}
`);
    expect(await served('/', { 'x-test-p': 'abc' })).toBe('v1');
    expect(await served('/', { 'x-test-p': 'xab' })).toBe('status 404');
    expect(await served('/', { 'x-test-r': 'v7' })).toBe('v2');
    expect(await served('/', { 'x-test-r': 'v77' })).toBe('status 404');
    expect(await served('/', { 'x-test-any': '' })).toBe('v3');
    expect(await served('/', { 'x-test-any': 'whatever' })).toBe('v3');
  });

  it('withoutHeaders matches when the header is absent or does not satisfy the condition', async () => {
    await backVs(`    - match: [{ withoutHeaders: { end-user: { exact: jason } } }]
${to('v3')}
`);
    expect(await served('/')).toBe('v3');
    expect(await served('/', { 'end-user': 'bob' })).toBe('v3');
    expect(await served('/', { 'end-user': 'jason' })).toBe('status 404');
  });
});

describe('method and queryParams', () => {
  it('method is an exact, case-sensitive match', async () => {
    await backVs(`    - match: [{ method: { exact: POST } }]
${to('v2')}
`);
    expect(await served('/', {}, 'POST')).toBe('v2');
    expect(await served('/')).toBe('status 404');
  });

  it('queryParams: exact, regex over the whole value, presence', async () => {
    await backVs(`    - match: [{ queryParams: { v: { exact: "2" } } }]
${to('v2')}
    - match: [{ queryParams: { n: { regex: "[0-9]+" } } }]
${to('v3')}
    - match: [{ queryParams: { flag: {} } }]
${to('v1')}
`);
    expect(await served('/?v=2')).toBe('v2');
    expect(await served('/?n=123')).toBe('v3');
    expect(await served('/?n=a123')).toBe('status 404');
    expect(await served('/?x=1&flag')).toBe('v1');
    expect(await served('/?v=3')).toBe('status 404');
  });
});

describe('sourceLabels and gateways', () => {
  const otherPod = () => mesh.pods().find((p) => p.deployment === 'other-v1')!.name;
  const fromOther = async () => {
    const r = await mesh.call(otherPod(), { host: 'back', port: 9080, path: '/', timeoutMs: 2000 });
    return r.status === 200 ? (JSON.parse(r.body) as EchoBody).version : `status ${r.status}`;
  };

  it('matches the calling pod’s labels; other callers fall back to the default route', async () => {
    await backVs(`    - match: [{ sourceLabels: { app: front } }]
${to('v3')}
`);
    for (let i = 0; i < 5; i++) expect(await served('/')).toBe('v3');
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 40; i++) seen.add(await fromOther());
    expect([...seen].sort()).toEqual(['v1', 'v2', 'v3']);
    const routes = mesh.proxyRoutes(otherPod())!;
    const vh = routes[0]!.virtualHosts!.find((v) => v.name.startsWith('back.'))!;
    expect(vh.routes!.map((r) => r.name)).toEqual(['default']);
  });

  it('never matches an app’s sourceLabels at the gateway', async () => {
    await mesh.apply(
      yaml(
        edgeVirtualService(`    - match: [{ sourceLabels: { app: front } }]
      route: [{ destination: { host: back, subset: v1 } }]
    - route: [{ destination: { host: front } }]
`),
      ),
    );
    const r = await get(mesh, '/x');
    expect(r.json.pod).toMatch(/^front-v1-/);
  });

  it('a VirtualService bound only to a gateway does not route sidecar traffic; with mesh listed it does', async () => {
    await backVs(
      `${to('v2').replace('      route', '    - route')}
`,
      '  gateways: [test-gateway]\n',
    );
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) seen.add(await served('/'));
    expect(seen.size).toBeGreaterThan(1);
    await backVs(
      `${to('v2').replace('      route', '    - route')}
`,
      '  gateways: [test-gateway, mesh]\n',
    );
    for (let i = 0; i < 5; i++) expect(await served('/')).toBe('v2');
  });

  it('keeps a match entry with per-match gateways only for the proxies named', async () => {
    await backVs(
      `    - match: [{ gateways: [test-gateway], uri: { prefix: / } }]
${to('v1')}
    - match: [{ gateways: [mesh], uri: { prefix: / } }]
${to('v3')}
`,
      '  gateways: [test-gateway, mesh]\n',
    );
    expect(await served('/')).toBe('v3');
  });
});
