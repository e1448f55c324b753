import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExistingTarget } from './existing-target.js';
import { ingressUrlFromService } from './ingress.js';
import { FakeCluster, freePort } from '../cluster/testing/fake-cluster.js';
import { FakeRunner, fail, ok } from '../../core/testing/fake-runner.js';
import { loadManifestFile, type KubeObject, type LoadedObject } from '../../kube/manifest.js';
import { EnvironmentError } from '../../core/errors.js';

let cluster: FakeCluster;
let kubeconfig: string;
let base: LoadedObject[];
let nodePort: number;

beforeEach(async () => {
  cluster = await new FakeCluster().start();
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'meshproof-existing-')), 'config');
  writeFileSync(kubeconfig, cluster.kubeconfigYaml());
  base = [
    ...(await loadManifestFile('manifests/bookinfo/bookinfo.yaml')),
    ...(await loadManifestFile('manifests/istio/bookinfo-gateway.yaml')),
  ];
  nodePort = await freePort();
  cluster.installIstio();
  cluster.api.put({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
    status: {
      addresses: [
        { type: 'Hostname', address: 'n1' },
        { type: 'InternalIP', address: '127.0.0.1' },
      ],
    },
  });
  cluster.api.put({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', labels: { istio: 'ingressgateway' } },
    spec: {
      type: 'NodePort',
      ports: [
        { name: 'status-port', port: 15021 },
        { name: 'http2', port: 80, targetPort: 8080, nodePort },
      ],
    },
  });
});
afterEach(() => cluster.stop());

const runnerWithIstioctl = () =>
  new FakeRunner()
    .on('istioctl', ['version'], ok('1.31.1\n'))
    .on('istioctl', ['proxy-config', 'routes'], ok('[{"name":"9080"}]'));

describe('ExistingTarget', () => {
  it('deploys Bookinfo if asked, finds NodePort ingress, reads proxies: istioctl, kubeconfig, context', async () => {
    await cluster.serveIngress(nodePort);
    const runner = runnerWithIstioctl();
    const t = new ExistingTarget({
      kubeconfig,
      context: 'kind-meshproof',
      deployBookinfo: true,
      runner,
      makeBeforeBreakMs: 0,
      timeouts: { rolloutMs: 3000, readinessMs: 3000 },
    });
    await t.up({ namespace: 'default', base });
    expect(await t.ingressUrl()).toBe(`http://127.0.0.1:${nodePort}`);
    expect(cluster.api.applied()[0]).toBe('Namespace default');
    expect(cluster.podsIn('default')).toHaveLength(6);
    expect(cluster.podsIn('default').every((p) => p.sidecar)).toBe(true);
    const pp = (await t.proxies('default')).find((p) => p.labels.app === 'productpage')!;
    expect(await t.proxyRoutes(pp)).toEqual([{ name: '9080' }]);
    expect(runner.argsOf('istioctl').at(-1)).toEqual([
      'proxy-config',
      'routes',
      `${pp.pod}.default`,
      '-o',
      'json',
      '--kubeconfig',
      kubeconfig,
      '--context',
      'kind-meshproof',
    ]);
    expect(t.describe()).toBe('existing cluster (kind-meshproof)');
  });

  it('uses a given ingress URL, expects Bookinfo to be there, and settles by traffic without istioctl', async () => {
    const port = await freePort();
    await cluster.serveIngress(port);
    const runner = new FakeRunner().on('istioctl', ['version'], fail(127, 'istioctl: command not found'));
    const t = new ExistingTarget({
      kubeconfig,
      ingressUrl: `http://127.0.0.1:${port}/`,
      runner,
      timeouts: { readinessMs: 2000 },
    });
    const info: string[] = [];
    const err = await t
      .up({ namespace: 'default', base, emit: (e) => void (e.type === 'log' && info.push(e.message)) })
      .catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe('no productpage pod in namespace default: Bookinfo is not deployed there');
    expect(err.hint).toMatch(/--deploy-bookinfo/);
    // No --namespace flag exists: the plan names the namespace.
    expect(err.hint).not.toMatch(/--namespace/);
    expect(err.hint).toMatch(/plan's `namespace:`/);
    expect(info).toContain('istioctl not usable: proxies will not be read, settling falls back to traffic');
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'productpage-v1-a-b', namespace: 'default', labels: { app: 'productpage' } },
      spec: { containers: [{ name: 'productpage' }, { name: 'istio-proxy' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    await t.up({ namespace: 'default', base });
    expect(await t.ingressUrl()).toBe(`http://127.0.0.1:${port}`);
    expect(cluster.api.applied()).toEqual([]);
    expect(
      await t.proxyRoutes({ pod: 'productpage-v1-a-b', namespace: 'default', role: 'sidecar', labels: {} }),
    ).toBeNull();
  });

  it("finds the gateway pods through the ingress Service's endpoints, labelled or not", async () => {
    await cluster.serveIngress(nodePort);
    const t = new ExistingTarget({ kubeconfig, runner: runnerWithIstioctl(), timeouts: { readinessMs: 3000 } });
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'productpage-v1-a-b', namespace: 'default', labels: { app: 'productpage' } },
      spec: { containers: [{ name: 'productpage' }, { name: 'istio-proxy' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    await t.up({ namespace: 'default', base });
    const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    // A second gateway replica without the istio label (a custom install), behind the same Service.
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'edge-gw-7c9-x1', namespace: 'istio-system', labels: { app: 'edge' } },
      spec: { containers: [{ name: 'istio-proxy' }] },
      status: ready,
    });
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'edge-gw-7c9-x2', namespace: 'istio-system', labels: { app: 'edge' } },
      spec: { containers: [{ name: 'istio-proxy' }] },
      status: ready,
    });
    cluster.api.put({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'istio-ingressgateway-abcde',
        namespace: 'istio-system',
        labels: { 'kubernetes.io/service-name': 'istio-ingressgateway' },
      },
      endpoints: [
        {
          addresses: ['10.0.0.7'],
          conditions: { ready: true },
          targetRef: { kind: 'Pod', name: 'edge-gw-7c9-x1', namespace: 'istio-system' },
        },
        {
          addresses: ['10.0.0.8'],
          conditions: { ready: false },
          targetRef: { kind: 'Pod', name: 'edge-gw-7c9-x2', namespace: 'istio-system' },
        },
      ],
    } as unknown as KubeObject);
    const gateways = (await t.proxies('default')).filter((p) => p.role === 'gateway').map((p) => p.pod);
    expect(gateways).toContain('edge-gw-7c9-x1');
    // Not ready as an endpoint: not serving, so not waited for.
    expect(gateways).not.toContain('edge-gw-7c9-x2');
  });

  it('reads the gateway pods from the endpoints of the ingress Service it discovered, whatever its name', async () => {
    await cluster.serveIngress(nodePort);
    const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', labels: {} },
      spec: { type: 'ClusterIP', ports: [{ name: 'http2', port: 80 }] },
    });
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'edge-ingress', namespace: 'istio-system', labels: { istio: 'ingressgateway' } },
      spec: { type: 'NodePort', ports: [{ name: 'http2', port: 80, targetPort: 8080, nodePort }] },
    });
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'productpage-v1-a-b', namespace: 'default', labels: { app: 'productpage' } },
      spec: { containers: [{ name: 'productpage' }, { name: 'istio-proxy' }] },
      status: ready,
    });
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'edge-x1', namespace: 'istio-system', labels: { app: 'edge' } },
      spec: { containers: [{ name: 'istio-proxy' }] },
      status: ready,
    });
    cluster.api.put({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'edge-ingress-1',
        namespace: 'istio-system',
        labels: { 'kubernetes.io/service-name': 'edge-ingress' },
      },
      endpoints: [
        {
          addresses: ['10.0.0.9'],
          conditions: { ready: true },
          targetRef: { kind: 'Pod', name: 'edge-x1', namespace: 'istio-system' },
        },
      ],
    } as unknown as KubeObject);
    const t = new ExistingTarget({ kubeconfig, runner: runnerWithIstioctl(), timeouts: { readinessMs: 3000 } });
    await t.up({ namespace: 'default', base });
    expect(await t.ingressUrl()).toBe(`http://127.0.0.1:${nodePort}`);
    expect((await t.proxies('default')).filter((p) => p.role === 'gateway').map((p) => p.pod)).toContain('edge-x1');
  });

  it("names the pod behind 5xx answers from the proxies' access logs; null when access logging is off", async () => {
    await cluster.serveIngress(nodePort);
    const t = new ExistingTarget({
      kubeconfig,
      deployBookinfo: true,
      runner: runnerWithIstioctl(),
      makeBeforeBreakMs: 0,
      timeouts: { rolloutMs: 3000, readinessMs: 3000 },
    });
    await t.up({ namespace: 'default', base });
    const pod = (deployment: string) => cluster.api.find('v1', 'Pod', `${deployment}-5d8f9c7b4-x2x7q`)!;
    const v3 = pod('reviews-v3');
    const v3Host = `${(v3.status as { podIP: string }).podIP}:9080`;
    const since = Date.parse('2026-05-01T10:00:00.000Z');
    const line = (at: string, status: number, id: string, upstream: string) =>
      `[${at}] "GET /reviews/0 HTTP/1.1" ${status} - via_upstream - "-" 0 40 5 4 "-" "python-requests/2.32" ` +
      `"${id}" "reviews:9080" "${upstream}" outbound|9080|v3|reviews.default.svc.cluster.local ` +
      '10.244.0.9:51234 10.96.1.2:9080 10.244.0.9:40000 - default';
    const pp = pod('productpage-v1').metadata.name;
    const key = (p: string, ns = 'default') => `${ns}/${p}/istio-proxy`;
    cluster.api.logs.set(
      key('istio-ingressgateway-7b9f8d6c5-abcde', 'istio-system'),
      '2026-05-01T10:00:01Z info envoy started\n',
    );
    cluster.api.logs.set(key(pp), 'not an access log line\n');
    expect(await t.upstreamErrors('default', since)).toBeNull();

    cluster.api.logs.set(
      key(pp),
      [
        line('2026-05-01T09:59:59.000Z', 503, 'r0', v3Host), // before the step: not counted
        line('2026-05-01T10:00:02.000Z', 503, 'r1', v3Host),
        line('2026-05-01T10:00:03.000Z', 503, 'r2', v3Host),
        line('2026-05-01T10:00:04.000Z', 200, 'r3', v3Host),
        line('2026-05-01T10:00:05.000Z', 503, 'r4', '10.1.2.3:9080'), // no pod of the namespace there
      ].join('\n'),
    );
    expect(await t.upstreamErrors('default', since)).toEqual({ [v3.metadata.name]: 2 });
  });

  it('says which ingress URL was tried, and to check --ingress-url, when nothing answers there', async () => {
    const port = await freePort(); // nothing listens on it
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'productpage-v1-a-b', namespace: 'default', labels: { app: 'productpage' } },
      spec: { containers: [{ name: 'productpage' }, { name: 'istio-proxy' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const t = new ExistingTarget({
      kubeconfig,
      ingressUrl: `http://127.0.0.1:${port}`,
      runner: runnerWithIstioctl(),
      timeouts: { readinessMs: 300 },
    });
    const err = await t.up({ namespace: 'default', base }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toContain(`at http://127.0.0.1:${port} (given by --ingress-url: check the flag)`);
    expect(err.hint).toMatch(/^check --ingress-url/);
  });

  it('refuses a cluster without Istio', async () => {
    cluster.api.objects.clear();
    const err = await new ExistingTarget({ kubeconfig, runner: runnerWithIstioctl() })
      .up({ namespace: 'default', base })
      .catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/does not run Istio/);
  });

  /** Up with the API server answering 403 to GETs on paths `forbidden` matches; each phase's detail, in order. */
  async function upForbidden(forbidden: RegExp, message: string): Promise<string[]> {
    const inner = cluster.api.intercept;
    const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message };
    cluster.api.intercept = (r) =>
      r.method === 'GET' && forbidden.test(r.path) ? { status: 403, body: status } : inner?.(r);
    const t = new ExistingTarget({ kubeconfig, runner: runnerWithIstioctl(), timeouts: { readinessMs: 3000 } });
    const lines: string[] = [];
    try {
      await t
        .up({ namespace: 'default', base, emit: (e) => void (e.type === 'phase-end' && lines.push(e.detail ?? '')) })
        .catch(() => undefined);
    } finally {
      cluster.api.intercept = inner;
    }
    return lines;
  }

  it("a namespace-scoped user (no Deployments outside its namespace) passes if Istio's APIs serve it", async () => {
    const lines = await upForbidden(
      /\/apis\/apps\/v1\/(namespaces\/istio-system\/)?deployments$/,
      'deployments.apps is forbidden: User "dev" cannot list resource "deployments"',
    );
    expect(lines[1]).toMatch(/^Istio's APIs are served in default \(istiod itself is not visible to this user\)/);
  });

  it('a user that may not list pods (serve in a cluster, deploy/) leaves Bookinfo to the readiness check', async () => {
    const lines = await upForbidden(/\/api\/v1\/namespaces\/default\/pods$/, 'pods is forbidden');
    expect(lines[2]).toBe(
      "Bookinfo's pods in default are not visible to this user: its pages through the ingress decide",
    );
  });

  it('connects once in up, probing istioctl; the bundle reads through it, and before up says it has none', async () => {
    const before = join(mkdtempSync(join(tmpdir(), 'meshproof-existing-diag-')), 'd');
    const runner = runnerWithIstioctl().on('istioctl', ['proxy-status'], ok('NAME\nproductpage-v1-a-b.shop SYNCED\n'));
    const t = new ExistingTarget({
      kubeconfig,
      ingressUrl: `http://127.0.0.1:${nodePort}`,
      runner,
      timeouts: { readinessMs: 3000 },
    });
    expect(await t.diagnostics(before)).toEqual([join(before, 'errors.txt')]);
    expect(readFileSync(join(before, 'errors.txt'), 'utf8')).toBe(
      'cluster: the existing target is not connected to a cluster yet\n',
    );
    await cluster.serveIngress(nodePort);
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'productpage-v1-a-b', namespace: 'shop', labels: { app: 'productpage' } },
      spec: { containers: [{ name: 'productpage' }, { name: 'istio-proxy' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    await t.up({ namespace: 'shop', base });
    const after = join(mkdtempSync(join(tmpdir(), 'meshproof-existing-diag-')), 'd');
    await t.diagnostics(after);
    expect(readFileSync(join(after, 'pods-shop.txt'), 'utf8')).toBe(
      'productpage-v1-a-b ready=true sidecar=true Running\n',
    );
    expect(readFileSync(join(after, 'istioctl-proxy-status.txt'), 'utf8')).toContain('productpage-v1-a-b.shop SYNCED');
    expect(runner.argsOf('istioctl').map((a) => a[0])).toEqual(['version', 'analyze', 'proxy-status', 'proxy-config']);
  });

  it("describe() names the kubeconfig's context before connecting", () => {
    expect(new ExistingTarget({ kubeconfig }).describe()).toBe('existing cluster (kind-meshproof)');
  });

  it('names a missing context and a missing kubeconfig', async () => {
    const e1 = await new ExistingTarget({ kubeconfig, context: 'prod', runner: runnerWithIstioctl() })
      .up({ namespace: 'default', base })
      .catch((e) => e);
    expect(e1.message).toBe('kubeconfig has no context "prod" (known: kind-meshproof)');
    const e2 = await new ExistingTarget({ kubeconfig: '/nonexistent/config', runner: runnerWithIstioctl() })
      .up({ namespace: 'default', base })
      .catch((e) => e);
    expect(e2).toBeInstanceOf(EnvironmentError);
    expect(e2.message).toMatch(/^cannot load kubeconfig \/nonexistent\/config/);
  });
});

describe('ingress discovery', () => {
  const svc = (status: unknown, type = 'LoadBalancer'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'istio-ingressgateway', labels: { istio: 'ingressgateway' } },
    spec: { type, ports: [{ name: 'http2', port: 80, nodePort: 31380 }] },
    status,
  });
  it('prefers a load balancer ip or hostname', () => {
    expect(ingressUrlFromService(svc({ loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } }), [])).toBe(
      'http://203.0.113.7',
    );
    expect(ingressUrlFromService(svc({ loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } }), [])).toBe(
      'http://lb.example.com',
    );
  });
  it('falls back to the node port on an external, then internal node address', () => {
    const nodes: KubeObject[] = [
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n' },
        status: {
          addresses: [
            { type: 'InternalIP', address: '10.0.0.5' },
            { type: 'ExternalIP', address: '198.51.100.2' },
          ],
        },
      },
    ];
    expect(ingressUrlFromService(svc({ loadBalancer: {} }), nodes)).toBe('http://198.51.100.2:31380');
    expect(
      ingressUrlFromService(svc({}, 'NodePort'), [
        { ...nodes[0]!, status: { addresses: [{ type: 'InternalIP', address: 'fd00::5' }] } },
      ]),
    ).toBe('http://[fd00::5]:31380');
    expect(ingressUrlFromService(svc({}, 'ClusterIP'), [])).toBeNull();
  });
});
