/**
 * What a matched route does, checked with real HTTP through the ingress (edge VirtualService
 * routing straight to `back`) or through front's sidecar: destinations and weights, missing
 * subsets, faults, timeouts, retries, header operations, rewrite, redirect, default balancing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMesh } from './local-mesh.js';
import { echoReceived, type EchoBody } from './testing/echo-catalog.js';
import {
  BASE,
  deployment,
  edgeVirtualService,
  gatewayTo,
  get,
  hop,
  startMesh,
  subsets,
  yaml,
} from './testing/fixtures.js';

let mesh: LocalMesh;
beforeAll(async () => {
  // back-v1 has two pods, so retries have another host to go to.
  mesh = await startMesh({}, BASE.replace(deployment('back', 'v1'), deployment('back', 'v1', 2)));
});
afterAll(() => mesh.stop());
afterEach(async () => {
  for (const p of mesh.pods()) {
    mesh.faults.clearPod(p.name);
    if (!p.ready) await mesh.faults.startPod(p.name);
  }
  await mesh.delete([
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'back', namespace: 'default' },
  ]);
  await mesh.apply(yaml([gatewayTo('front'), subsets('back', ['v1', 'v2', 'v3'])].join('---\n')));
});

/** Replaces the edge VirtualService's rules (gateway → back). */
function edge(http: string): Promise<unknown> {
  return mesh.apply(yaml(edgeVirtualService(http)));
}

/**
 * The gateway's access log line for the last request: status, response flags and details say what the proxy did,
 * whatever the machine's load.
 */
const gatewayLine = () => mesh.accessLog(mesh.proxies().find((p) => p.role === 'gateway')!.pod).at(-1)!;
const backPods = (version: string) =>
  mesh
    .pods()
    .filter((p) => p.deployment === `back-${version}`)
    .map((p) => p.name);

/** Who answered `n` requests at the ingress (8 at a time): version, or `status <n>`. */
async function shares(n: number, path = '/'): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let sent = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (sent < n) {
        sent++;
        const r = await get(mesh, path);
        const k = r.status === 200 ? r.json.version! : `status ${r.status}`;
        counts[k] = (counts[k] ?? 0) + 1;
      }
    }),
  );
  return counts;
}

describe('destinations', () => {
  it('draws a weighted destination per request', async () => {
    await edge(`    - route:
        - { destination: { host: back, subset: v1 }, weight: 80 }
        - { destination: { host: back, subset: v3 }, weight: 20 }
`);
    const c = await shares(300);
    expect(c.v1! + c.v3!).toBe(300);
    expect(c.v3! / 300).toBeGreaterThan(0.12);
    expect(c.v3! / 300).toBeLessThan(0.28);
  });

  it('reads weights relative to their sum and never picks weight 0', async () => {
    await edge(`    - route:
        - { destination: { host: back, subset: v1 }, weight: 1 }
        - { destination: { host: back, subset: v2 }, weight: 0 }
        - { destination: { host: back, subset: v3 }, weight: 3 }
`);
    const c = await shares(300);
    expect(c.v2).toBeUndefined();
    expect(c.v3! / 300).toBeGreaterThan(0.66);
    expect(c.v3! / 300).toBeLessThan(0.84);
  });

  it('sends everything to the weighted one when the other has no weight', async () => {
    await edge(`    - route:
        - { destination: { host: back, subset: v1 } }
        - { destination: { host: back, subset: v3 }, weight: 20 }
`);
    expect(await shares(50)).toEqual({ v3: 50 });
  });

  it('answers 503 with an empty body for a subset no DestinationRule defines, only for its share', async () => {
    await edge(`    - route:
        - { destination: { host: back, subset: v1 }, weight: 50 }
        - { destination: { host: back, subset: v9 }, weight: 50 }
`);
    const c = await shares(200);
    expect(c.v1! + c['status 503']!).toBe(200);
    expect(c['status 503']).toBeGreaterThan(70);
    await edge(`    - route: [{ destination: { host: back, subset: v9 } }]\n`);
    const r = await get(mesh, '/');
    expect([r.status, r.text, r.headers['x-envoy-upstream-service-time']]).toEqual([503, '', undefined]);
  });

  it('answers 503 "no healthy upstream" for a subset without pods', async () => {
    await mesh.apply(yaml(subsets('back', ['v1', 'v2', 'v3', 'v4'])));
    await edge(`    - route: [{ destination: { host: back, subset: v4 } }]\n`);
    const r = await get(mesh, '/');
    expect([r.status, r.text]).toEqual([503, 'no healthy upstream']);
  });

  it('spreads over every pod with no VirtualService, preferring the pod with fewer requests in flight', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const r = await hop(mesh, 'back');
      seen.add((JSON.parse(r.upstream!.body) as EchoBody).pod);
    }
    expect(seen.size).toBe(4);
    // One slow pod: with requests in flight, least-request steers most of them elsewhere. Slow by
    // far more than a busy machine slows the others, so the steering shows under any load.
    const slow = backPods('v2')[0]!;
    mesh.faults.slowPod(slow, 600);
    const served: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 8; i++) served.push((JSON.parse((await hop(mesh, 'back')).upstream!.body) as EchoBody).pod);
      }),
    );
    expect(served.filter((p) => p === slow).length / served.length).toBeLessThan(0.15);
  });
});

describe('fault injection', () => {
  it('aborts with the configured status and "fault filter abort", before any upstream', async () => {
    await edge(`    - fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    const r = await get(mesh, '/');
    expect([r.status, r.text, r.headers['x-envoy-upstream-service-time']]).toEqual([
      418,
      'fault filter abort',
      undefined,
    ]);
    expect(mesh.accessLog(mesh.proxies().find((p) => p.role === 'gateway')!.pod).at(-1)).toMatch(
      /" 418 FI fault_filter_abort /,
    );
  });

  it('aborts about the given share, and never without a percentage', async () => {
    await edge(`    - fault: { abort: { httpStatus: 500, percentage: { value: 30 } } }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    const c = await shares(300);
    expect(c['status 500']! / 300).toBeGreaterThan(0.22);
    expect(c['status 500']! / 300).toBeLessThan(0.38);
    await edge(`    - fault: { abort: { httpStatus: 500 } }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    expect(await shares(50)).toEqual({ v1: 50 });
  });

  it('delays by fixedDelay, and never without a percentage', async () => {
    await edge(`    - fault: { delay: { fixedDelay: 0.2s, percentage: { value: 100 } } }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    const t0 = performance.now();
    expect((await get(mesh, '/')).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
    expect(gatewayLine()).toMatch(/" 200 DI /);
    await edge(`    - fault: { delay: { fixedDelay: 0.2s } }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    expect((await get(mesh, '/')).status).toBe(200);
    expect(gatewayLine()).toMatch(/" 200 - /);
  });
});

describe('timeouts and retries', () => {
  it('answers 504 "upstream request timeout" when the route timeout expires', async () => {
    for (const p of backPods('v1')) mesh.faults.slowPod(p, 400);
    await edge(`    - timeout: 0.1s
      route: [{ destination: { host: back, subset: v1 } }]
`);
    const t0 = performance.now();
    const r = await get(mesh, '/');
    expect([r.status, r.text]).toEqual([504, 'upstream request timeout']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    expect(gatewayLine()).toMatch(/" 504 UT response_timeout /);
  });

  it('has no timeout by default', async () => {
    for (const p of backPods('v1')) mesh.faults.slowPod(p, 150);
    await edge(`    - route: [{ destination: { host: back, subset: v1 } }]\n`);
    expect((await get(mesh, '/')).status).toBe(200);
  });

  it('by default retries a refused connection on another pod', async () => {
    const [down, up] = backPods('v1');
    await mesh.faults.stopPod(down!);
    await edge(`    - route: [{ destination: { host: back, subset: v1 } }]\n`);
    for (let i = 0; i < 10; i++) {
      const r = await get(mesh, '/');
      expect([r.status, r.json.pod]).toEqual([200, up]);
    }
  });

  it('answers 503 "upstream connect error" once every try is refused', async () => {
    for (const p of backPods('v1')) await mesh.faults.stopPod(p);
    await edge(`    - route: [{ destination: { host: back, subset: v1 } }]\n`);
    const r = await get(mesh, '/');
    expect(r.status).toBe(503);
    expect(r.text).toMatch(
      new RegExp(
        /^upstream connect error or disconnect\/reset before headers\. retried and the latest reset /.source +
          /reason: remote connection failure/.source,
      ),
    );
    expect(mesh.accessLog(mesh.proxies().find((p) => p.role === 'gateway')!.pod).at(-1)).toMatch(/" 503 UF,URX /);
  });

  it('does not retry an upstream 503 by default', async () => {
    await edge(`    - route: [{ destination: { host: back, subset: v1 } }]\n`);
    const r = await get(mesh, '/', { 'x-echo-status': '503' });
    expect(r.status).toBe(503);
    expect(r.json.headers['x-envoy-attempt-count']).toBe('1');
  });

  it('retries 5xx when the VirtualService says so, up to attempts', async () => {
    await edge(`    - retries: { attempts: 2, retryOn: 5xx }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    const r = await get(mesh, '/', { 'x-echo-status': '503' });
    expect(r.status).toBe(503);
    expect(r.json.headers['x-envoy-attempt-count']).toBe('3');
    // One pod failing every request: the retry goes to the other pod.
    const [bad, good] = backPods('v1');
    mesh.faults.failPod(bad!, 1);
    for (let i = 0; i < 10; i++) expect((await get(mesh, '/')).json.pod).toBe(good);
  });

  it('retries listed status codes', async () => {
    await edge(`    - retries: { attempts: 1, retryOn: "418" }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    expect((await get(mesh, '/', { 'x-echo-status': '418' })).json.headers['x-envoy-attempt-count']).toBe('2');
    expect((await get(mesh, '/', { 'x-echo-status': '503' })).json.headers['x-envoy-attempt-count']).toBe('1');
  });

  it('retries a per-try timeout on 5xx conditions, within the route timeout', async () => {
    const [slow, fast] = backPods('v1');
    // A per-try timeout far above what the fast pod takes on a busy machine, far below the slow one.
    mesh.faults.slowPod(slow!, 3000);
    await edge(`    - retries: { attempts: 2, perTryTimeout: 0.5s, retryOn: 5xx }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    for (let i = 0; i < 6; i++) {
      const r = await get(mesh, '/');
      expect([r.status, r.json.pod]).toEqual([200, fast]);
    }
    mesh.faults.slowPod(fast!, 500);
    await edge(`    - timeout: 0.25s
      retries: { attempts: 5, perTryTimeout: 0.1s, retryOn: 5xx }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    const r = await get(mesh, '/');
    expect([r.status, r.text]).toEqual([504, 'upstream request timeout']);
    // The route's timeout ended the retries, not a per-try timeout of the last attempt.
    expect(gatewayLine()).toMatch(/" 504 UT response_timeout /);
  });

  it('does not retry a per-try timeout under the default conditions', async () => {
    for (const p of backPods('v1')) mesh.faults.slowPod(p, 300);
    await edge(`    - retries: { attempts: 2, perTryTimeout: 0.1s }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    expect((await get(mesh, '/')).status).toBe(504);
    expect(gatewayLine()).toMatch(/" 504 UT upstream_per_try_timeout /);
    // With one pod fast, a retried request would end there on its second attempt: none does.
    const [, fast] = backPods('v1');
    mesh.faults.slowPod(fast!, 0);
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await get(mesh, '/');
      answers.push(r.status === 200 ? `200 attempt ${r.json.headers['x-envoy-attempt-count']}` : String(r.status));
    }
    expect(answers).toContain('504');
    expect(answers.filter((a) => a !== '504').every((a) => a === '200 attempt 1')).toBe(true);
  });
});

describe('headers, rewrite, redirect', () => {
  it('sets, adds and removes request and response headers; destination headers only when picked', async () => {
    await edge(`    - headers:
        request: { set: { x-set: one }, add: { x-add: two }, remove: [x-gone] }
        response: { set: { x-resp: yes }, remove: [x-echo-pod] }
      route:
        - destination: { host: back, subset: v1 }
          weight: 50
          headers: { response: { set: { x-subset: v1 } } }
        - destination: { host: back, subset: v2 }
          weight: 50
          headers: { response: { set: { x-subset: v2 } } }
`);
    for (let i = 0; i < 10; i++) {
      const r = await get(mesh, '/', { 'x-set': 'old', 'x-add': 'first', 'x-gone': 'bye' });
      expect(r.json.headers['x-set']).toBe('one');
      expect(r.json.headers['x-add']).toBe('first,two');
      expect(r.json.headers['x-gone']).toBeUndefined();
      expect(r.headers['x-resp']).toBe('yes');
      expect(r.headers['x-echo-pod']).toBeUndefined();
      expect(r.headers['x-subset']).toBe(r.json.version);
    }
  });

  it('rewrites the matched prefix and the authority', async () => {
    await edge(`    - match: [{ uri: { prefix: /old } }]
      rewrite: { uri: /new, authority: elsewhere.example }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    const r = await get(mesh, '/old/page?q=1');
    expect(r.json.path).toBe('/new/page?q=1');
    expect(r.json.headers.host).toBe('elsewhere.example');
    expect(r.json.headers['x-envoy-original-path']).toBe('/old/page?q=1');
  });

  it('rewrites with a regex, keeping the query', async () => {
    await edge(`    - match: [{ uri: { prefix: /items } }]
      rewrite: { uriRegexRewrite: { match: "^/items/([0-9]+)$", rewrite: "/catalog/\\\\1/detail" } }
      route: [{ destination: { host: back, subset: v1 } }]
`);
    expect((await get(mesh, '/items/42?x=y')).json.path).toBe('/catalog/42/detail?x=y');
  });

  it('redirects with 301 by default, or the code given', async () => {
    await edge(`    - match: [{ uri: { exact: /old } }]
      redirect: { uri: /new }
    - match: [{ uri: { exact: /moved } }]
      redirect: { uri: /there, authority: other.example, redirectCode: 302 }
`);
    const r = await get(mesh, '/old?x=1', { host: 'shop.example' });
    expect([r.status, r.headers.location, r.text]).toEqual([301, 'http://shop.example/new?x=1', '']);
    const m = await get(mesh, '/moved', { host: 'shop.example' });
    expect([m.status, m.headers.location]).toEqual([302, 'http://other.example/there']);
  });

  it('answers a direct response itself', async () => {
    await edge(`    - directResponse: { status: 503, body: { string: maintenance } }\n`);
    const r = await get(mesh, '/');
    expect([r.status, r.text, r.headers['x-envoy-upstream-service-time']]).toEqual([503, 'maintenance', undefined]);
  });

  it('marks proxied answers with server istio-envoy and the upstream time at the ingress', async () => {
    const r = await get(mesh, '/');
    expect(r.headers.server).toBe('istio-envoy');
    expect(Number(r.headers['x-envoy-upstream-service-time'])).toBeGreaterThanOrEqual(0);
    const h = await hop(mesh, 'back');
    expect(h.upstream!.headers.server).toBe('envoy');
    expect(h.upstream!.headers['x-envoy-upstream-service-time']).toMatch(/^\d+$/);
  });
});

describe('mirrors', () => {
  /** Requests a version's pods received on `path` (earlier tests' stragglers land on other paths). */
  const received = (version: string, path = '/mirrored') =>
    backPods(version).reduce((n, p) => n + (echoReceived.get(p) ?? []).filter((r) => r.path === path).length, 0);

  /**
   * Routes everything to v1 (path rewritten to /mirrored) with `mirror` (YAML lines of the rule), sends `n` requests,
   * lets the copies land.
   */
  async function mirrored(mirror: string, n: number): Promise<Record<string, number>> {
    await edge(`    - route: [{ destination: { host: back, subset: v1 } }]
      rewrite: { uri: /mirrored }
${mirror}`);
    echoReceived.clear();
    const answered = await shares(n);
    // Copies are sent and forgotten: wait until none has landed for 150 ms (3 s at most).
    const total = () => [...echoReceived.values()].reduce((sum, l) => sum + l.length, 0);
    for (let last = -1, waited = 0; total() !== last && waited < 3_000; waited += 150) {
      last = total();
      await new Promise((r) => setTimeout(r, 150));
    }
    return answered;
  }

  it('copies every request to the mirror subset, Host unchanged, while answers come from the route alone', async () => {
    expect(await mirrored('      mirror: { host: back, subset: v3 }\n', 60)).toEqual({ v1: 60 });
    expect(received('v1')).toBe(60);
    expect(received('v3')).toBe(60);
    const copy = echoReceived.get(backPods('v3')[0]!)![0]!;
    expect(copy.path).toBe('/mirrored');
    expect(copy.host).not.toMatch(/-shadow/);
  });

  it('copies a share of the requests, and nothing to a subset no DestinationRule defines', async () => {
    const mirror = `      mirror: { host: back, subset: v2 }
      mirrorPercentage: { value: 25 }
      mirrors:
        - destination: { host: back, subset: v9 }
`;
    expect(await mirrored(mirror, 400)).toEqual({ v1: 400 });
    // Binomial(400, 0.25): mean 100, sd 8.7; 60–140 is beyond 4.5 sd either way.
    expect(received('v2')).toBeGreaterThan(60);
    expect(received('v2')).toBeLessThan(140);
    expect(received('v3')).toBe(0);
  });
});

/**
 * back's DestinationRule with subsets v1–v3, and a traffic policy (YAML flow mapping) on the rule and on subset v2.
 */
function backRule(rulePolicy?: string, v2Policy?: string): Promise<unknown> {
  return mesh.apply(
    yaml(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: back }
spec:
  host: back
${rulePolicy ? `  trafficPolicy: ${rulePolicy}\n` : ''}  subsets:
    - { name: v1, labels: { version: v1 } }
    - { name: v2, labels: { version: v2 }${v2Policy ? `, trafficPolicy: ${v2Policy}` : ''} }
    - { name: v3, labels: { version: v3 } }
`),
  );
}

describe('outlier detection', () => {
  const withOutlier = (policy: string, where: 'subset' | 'rule' = 'subset') =>
    where === 'rule'
      ? backRule(`{ outlierDetection: ${policy} }`)
      : backRule(undefined, `{ outlierDetection: ${policy} }`);
  const answer = async () => {
    const r = await get(mesh, '/');
    return r.status === 200
      ? r.json.version!
      : r.text === 'no healthy upstream'
        ? 'no healthy upstream'
        : `upstream ${r.status}`;
  };

  it('ejects a pod after 5xx in a row; the sole-pod subset says "no healthy upstream" until it is back', async () => {
    await withOutlier('{ consecutive5xxErrors: 2, interval: 100ms, baseEjectionTime: 1s }');
    await edge(`    - route: [{ destination: { host: back, subset: v2 } }]\n`);
    mesh.faults.failPod(backPods('v2')[0]!, 1);
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await answer());
    expect(seen).toEqual(['upstream 503', 'upstream 503', 'no healthy upstream', 'no healthy upstream']);
    mesh.faults.clearPod(backPods('v2')[0]!);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await answer()).toBe('v2');
  });

  it('sends everything to the healthy pod once the failing one is ejected, where the max share allows it', async () => {
    await withOutlier(
      '{ consecutive5xxErrors: 1, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50 }',
      'rule',
    );
    await edge(`    - route: [{ destination: { host: back, subset: v1 } }]\n`);
    const [bad, good] = backPods('v1');
    mesh.faults.failPod(bad!, 1);
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) seen.push(await answer());
    // Least-request spreads sequential requests over both pods: the bad one answers once, then is out.
    expect(seen.filter((x) => x === 'upstream 503')).toHaveLength(1);
    expect(seen.filter((x) => x === 'v1')).toHaveLength(29);
    expect(good).toBeDefined();
  });

  it('keeps using an ejected pod below the minimum healthy share (panic)', async () => {
    await withOutlier('{ consecutive5xxErrors: 1, minHealthPercent: 100 }');
    await edge(`    - route: [{ destination: { host: back, subset: v2 } }]\n`);
    mesh.faults.failPod(backPods('v2')[0]!, 1);
    expect([await answer(), await answer(), await answer()]).toEqual(['upstream 503', 'upstream 503', 'upstream 503']);
  });
});

describe('load balancing', () => {
  const balanced = (simple: string) => backRule(`{ loadBalancer: { simple: ${simple} } }`);

  it('takes the pods of a subset in turn with ROUND_ROBIN', async () => {
    await balanced('ROUND_ROBIN');
    await edge(`    - route: [{ destination: { host: back, subset: v1 } }]\n`);
    const pods: string[] = [];
    for (let i = 0; i < 6; i++) pods.push((await get(mesh, '/')).json.pod);
    expect(new Set(pods).size).toBe(2);
    for (let i = 2; i < 6; i++) expect(pods[i]).toBe(pods[i - 2]);
    expect(pods[1]).not.toBe(pods[0]);
  });

  it('uses both pods of a subset with RANDOM', async () => {
    await balanced('RANDOM');
    await edge(`    - route: [{ destination: { host: back, subset: v1 } }]\n`);
    const counts = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const pod = (await get(mesh, '/')).json.pod;
      counts.set(pod, (counts.get(pod) ?? 0) + 1);
    }
    // Binomial(60, ½): each pod 30 ± 3.9; 12–48 is beyond 4.6 sd either way.
    expect([...counts.values()].every((n) => n > 12 && n < 48)).toBe(true);
    expect(counts.size).toBe(2);
  });
});

describe('circuit breakers', () => {
  it('lets maxConnections requests through, queues http1MaxPendingRequests more, the rest get 503 UO', async () => {
    await backRule(
      undefined,
      '{ connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1 } } }',
    );
    await edge(`    - route: [{ destination: { host: back, subset: v2 } }]\n`);
    mesh.faults.slowPod(backPods('v2')[0]!, 300);
    const answers = await Promise.all(Array.from({ length: 4 }, () => get(mesh, '/')));
    const outcome = answers.map((r) => (r.status === 200 ? r.json.version : `${r.status} ${r.text}`)).sort();
    expect(outcome).toEqual([
      '503 upstream connect error or disconnect/reset before headers. reset reason: overflow',
      '503 upstream connect error or disconnect/reset before headers. reset reason: overflow',
      'v2',
      'v2',
    ]);
  });
});
