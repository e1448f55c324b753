import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { KindTarget } from './kind-target.js';
import { zxRunner, type RunResult } from '../../core/process.js';
import { FakeRunner, fail, ok } from '../../core/testing/fake-runner.js';
import { loadManifestFile, parseManifests, type LoadedObject } from '../../kube/manifest.js';
import { FakeCluster, freePort } from '../cluster/testing/fake-cluster.js';
import { EnvironmentError, InterruptedError } from '../../core/errors.js';
import type { UpEmit } from '../target.js';
import { formatMs } from '../../core/duration.js';
import { connectCluster, reconnect } from '../cluster/connection.js';

// The real connection functions, counted: a target builds its connection once per up.
vi.mock('../cluster/connection.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../cluster/connection.js')>();
  return { ...actual, connectCluster: vi.fn(actual.connectCluster), reconnect: vi.fn(actual.reconnect) };
});

const DOCKER_INFO = JSON.stringify({
  ServerVersion: '28.2.2',
  CgroupVersion: '2',
  Architecture: 'x86_64',
  MemTotal: 8e9,
  NCPU: 4,
});
const ROUTES = JSON.stringify([{ name: '9080', virtualHosts: [] }]);

let cluster: FakeCluster;
let cache: string;
let hostPort: number;
let runner: FakeRunner;
let base: LoadedObject[];
let clusters: string[];
const events: string[] = [];
/** What `up` said, as lines: `start <phase>`, `end <ok> <detail>, <duration>`, `<level> <message>`. */
const status: UpEmit = (e) =>
  void events.push(
    e.type === 'phase-start'
      ? `start ${e.phase}`
      : e.type === 'phase-end'
        ? `end ${e.ok} ${[e.detail, formatMs(e.durationMs)].filter(Boolean).join(', ')}`
        : `${e.level} ${e.message}`,
  );

function kubeconfigArg(args: readonly string[]): string {
  return args[args.indexOf('--kubeconfig') + 1]!;
}

beforeEach(async () => {
  cluster = await new FakeCluster().start();
  cache = mkdtempSync(join(tmpdir(), 'meshproof-kind-'));
  hostPort = await freePort();
  events.length = 0;
  clusters = [];
  vi.mocked(connectCluster).mockClear();
  vi.mocked(reconnect).mockClear();
  // Bookinfo as Istio's samples ship it: images from the retiring registry, to be rewritten.
  const bookinfo = (await loadManifestFile('manifests/bookinfo/bookinfo.yaml')).map((l) => {
    for (const c of l.object.spec?.template?.spec?.containers ?? [])
      c.image = String(c.image).replace('docker.io/istio/', 'registry.istio.io/release/').replace(':1.20.3', ':1.20.2');
    return l;
  });
  base = [
    ...bookinfo,
    ...(await loadManifestFile('manifests/istio/bookinfo-gateway.yaml')),
    ...(await loadManifestFile('manifests/istio/destination-rule-all.yaml')),
  ];
  runner = new FakeRunner()
    .on('docker', ['info'], ok(DOCKER_INFO))
    .on('docker', ['port'], ok(`127.0.0.1:${hostPort}\n`))
    .on('kind', ['version'], ok('kind v0.33.0 go1.26.7 linux/amd64\n'))
    .on('kind', ['get', 'clusters'], () =>
      ok(clusters.length ? clusters.join('\n') + '\n' : 'No kind clusters found.\n'),
    )
    .on('kind', ['get', 'kubeconfig'], () => ok(cluster.kubeconfigYaml()))
    .on('kind', ['create', 'cluster'], async (args) => {
      writeFileSync(kubeconfigArg(args), cluster.kubeconfigYaml());
      await cluster.serveIngress(hostPort);
      clusters.push('meshproof');
      return ok('', 'Creating cluster "meshproof" ...\n');
    })
    .on('kind', ['delete', 'cluster'], ok())
    .on('/bin/istioctl', ['install'], () => {
      cluster.installIstio();
      return ok();
    })
    .on('/bin/istioctl', ['proxy-config', 'routes'], ok(ROUTES))
    .on('/bin/istioctl', ['x', 'precheck'], fail(1, 'Warning [IST0159] istio-system namespace is not labelled'));
});
afterEach(() => cluster.stop());

// A Gateway API release without pins: `up` leaves the CRDs out (fails closed) instead of downloading them; the download
// itself is tested in istio/install/gateway-api-crds.test.ts.
const UNPINNED_GATEWAY_API = { gatewayApi: 'v0.0.0-unpinned' };
/** The phases of `up` on a fresh machine, in order, before the readiness phase (whose name holds the URL). */
const FRESH_UP_PHASES = [
  'preflight',
  'create kind cluster meshproof',
  'istioctl 1.31.1',
  'install Istio 1.31.1',
  'wait for istiod and the ingress gateway',
  'label namespace default for sidecar injection',
  'apply Bookinfo, gateway and destination rules',
  'wait for 6 Deployments to roll out',
  'check sidecars',
];

const target = (extra: ConstructorParameters<typeof KindTarget>[0] = {}) =>
  new KindTarget({
    cacheDir: cache,
    hostPort,
    runner,
    istioctlPath: '/bin/istioctl',
    makeBeforeBreakMs: 0,
    versions: UNPINNED_GATEWAY_API,
    timeouts: { createRetryDelayMs: 1, rolloutMs: 3000, readinessMs: 3000 },
    // The host records of a test's "cluster" stay in its own folder, never the machine's.
    hostDir: join(cache, 'host'),
    ...extra,
  });

describe('KindTarget.up on a fresh machine', () => {
  it('creates the cluster from a config with the pinned node image and the loopback port mapping', async () => {
    await target().up({ namespace: 'default', base, emit: status });
    const create = runner.argsOf('kind').find((a) => a[0] === 'create')!;
    expect(create).toEqual([
      'create',
      'cluster',
      '--name',
      'meshproof',
      '--config',
      join(cache, 'kind-meshproof.yaml'),
      '--kubeconfig',
      join(cache, 'kind-meshproof.kubeconfig'),
      '--wait',
      '180s',
    ]);
    const cfg = parseYaml(readFileSync(join(cache, 'kind-meshproof.yaml'), 'utf8'));
    expect(cfg.kind).toBe('Cluster');
    expect(cfg.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    expect(cfg.nodes).toHaveLength(1);
    expect(cfg.nodes[0].role).toBe('control-plane');
    expect(cfg.nodes[0].image).toBe(
      'kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
    );
    expect(cfg.nodes[0].extraPortMappings).toEqual([
      { containerPort: 30080, hostPort, listenAddress: '127.0.0.1', protocol: 'TCP' },
      { containerPort: 30081, hostPort: 18081, listenAddress: '127.0.0.1', protocol: 'TCP' },
    ]);
  });

  it('Istio+overlay, namespace labelled first, DestinationRules before VirtualServices, images pinned', async () => {
    const t = target();
    await t.up({ namespace: 'default', base, emit: status });
    const calls = runner.argsOf('/bin/istioctl').map((a) => a.slice(0, 2).join(' '));
    expect(calls.indexOf('x precheck')).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf('x precheck')).toBeLessThan(calls.indexOf('install -y'));
    expect(events).toContain('warn istioctl x precheck: Warning [IST0159] istio-system namespace is not labelled');
    const install = runner.argsOf('/bin/istioctl').find((a) => a[0] === 'install')!;
    expect(install).toEqual([
      'install',
      '-y',
      '-f',
      join(cache, 'istio-operator-meshproof.yaml'),
      '--readiness-timeout',
      '5m',
      '--kubeconfig',
      join(cache, 'kind-meshproof.kubeconfig'),
    ]);
    const overlay = parseYaml(readFileSync(join(cache, 'istio-operator-meshproof.yaml'), 'utf8'));
    expect(overlay.spec).toMatchObject({ profile: 'demo', hub: 'docker.io/istio', tag: '1.31.1' });

    const applied = cluster.api.applied();
    const firstDeployment = applied.findIndex((a) => a.startsWith('Deployment '));
    expect(applied.indexOf('Namespace default')).toBeGreaterThanOrEqual(0);
    expect(applied.indexOf('Namespace default')).toBeLessThan(firstDeployment);
    expect(cluster.api.find('v1', 'Namespace', 'default', '')?.metadata.labels).toEqual({
      'istio-injection': 'enabled',
    });
    const lastDr = applied.map((a, i) => (a.startsWith('DestinationRule ') ? i : -1)).reduce((a, b) => Math.max(a, b));
    expect(lastDr).toBeLessThan(applied.indexOf('VirtualService bookinfo'));

    const images = cluster.api.requests
      .filter((r) => r.method === 'PATCH' && r.path.includes('/deployments/') && r.query.get('dryRun') !== 'All')
      .flatMap((r) => parseYaml(r.body).spec.template.spec.containers.map((c: { image: string }) => c.image));
    expect(images).toHaveLength(6);
    for (const img of images) expect(img).toMatch(/^docker\.io\/istio\/examples-bookinfo-[a-z]+-v\d:1\.20\.3$/);
    // Every pod got its sidecar because the label came first.
    expect(cluster.podsIn('default')).toHaveLength(6);
    expect(cluster.podsIn('default').every((p) => p.sidecar)).toBe(true);
  });

  it('puts objects without a namespace into the namespace up was given, not the kubeconfig default', async () => {
    const t = target();
    await t.up({ namespace: 'bookinfo', base, emit: status });
    expect(cluster.api.find('v1', 'Namespace', 'bookinfo', '')?.metadata.labels).toEqual({
      'istio-injection': 'enabled',
    });
    expect(cluster.api.find('apps/v1', 'Deployment', 'reviews-v3', 'bookinfo')).toBeDefined();
    expect(cluster.api.find('apps/v1', 'Deployment', 'reviews-v3', 'default')).toBeUndefined();
    expect(cluster.podsIn('bookinfo').length).toBe(6);
    const [vs] = parseManifests(
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\n' +
        'spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}',
      'vs.yaml',
    );
    expect(await t.apply([vs!])).toEqual([{ ref: 'VirtualService reviews.bookinfo', action: 'created' }]);
    expect(
      (
        await t.get({
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          name: 'reviews',
          namespace: 'bookinfo',
        })
      )?.spec.http[0].route[0].destination.subset,
    ).toBe('v1');
  });

  it('reports every phase with its duration and ends ready at the loopback URL', async () => {
    const t = target();
    await t.up({ namespace: 'default', base, emit: status });
    const starts = events.filter((e) => e.startsWith('start ')).map((e) => e.slice(6));
    expect(starts).toEqual([...FRESH_UP_PHASES, `HTTP readiness through http://127.0.0.1:${hostPort}`]);
    const ends = events.filter((e) => e.startsWith('end '));
    expect(ends).toHaveLength(starts.length);
    for (const e of ends) expect(e).toMatch(/^end true .*\d+(\.\d)?m?s$/);
    expect(await t.ingressUrl()).toBe(`http://127.0.0.1:${hostPort}`);
  });

  it('lists sidecar and gateway proxies and reads routes through istioctl proxy-config', async () => {
    const t = target();
    await t.up({ namespace: 'default', base, emit: status });
    const proxies = await t.proxies('default');
    expect(proxies.filter((p) => p.role === 'gateway').map((p) => p.pod)).toEqual([
      'istio-ingressgateway-7b9f8d6c5-abcde',
    ]);
    expect(
      proxies
        .filter((p) => p.role === 'sidecar')
        .map((p) => p.labels.app)
        .sort(),
    ).toEqual(['details', 'productpage', 'ratings', 'reviews', 'reviews', 'reviews']);
    const pp = proxies.find((p) => p.labels.app === 'productpage')!;
    expect(await t.proxyRoutes(pp)).toEqual(JSON.parse(ROUTES));
    expect(runner.argsOf('/bin/istioctl').at(-1)).toEqual([
      'proxy-config',
      'routes',
      `${pp.pod}.default`,
      '-o',
      'json',
      '--kubeconfig',
      join(cache, 'kind-meshproof.kubeconfig'),
    ]);
  });
});

describe('KindTarget.up when things go wrong', () => {
  it('fails fast with exit 3 when the Docker daemon is not reachable, creating nothing', async () => {
    runner.rules.unshift({
      command: 'docker',
      args: ['info'],
      result: fail(
        1,
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      ),
    });
    const err = await target()
      .up({ namespace: 'default', base, emit: status })
      .catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/Docker daemon is not reachable/);
    expect(err.hint).toMatch(/--target local/);
    expect(err.hint).toMatch(/meshproof doctor/);
    expect(runner.argsOf('kind').filter((a) => a[0] === 'create')).toEqual([]);
  });

  const dockerClientWithoutDaemon = (() => {
    try {
      execFileSync('docker', ['--version'], { stdio: 'pipe', timeout: 3000 });
    } catch {
      return false; // no client at all
    }
    try {
      execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 3000 });
      return false; // a daemon answers: this machine can run kind
    } catch {
      return true;
    }
  })();

  it.runIf(dockerClientWithoutDaemon)(
    'on this machine (Docker client, no daemon) exits 3 within 5 s with the real commands',
    async () => {
      const t0 = Date.now();
      const err = await new KindTarget({ cacheDir: cache, runner: zxRunner })
        .up({ namespace: 'default', base, emit: status })
        .catch((e) => e);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(err).toBeInstanceOf(EnvironmentError);
      expect(err.exitCode).toBe(3);
      expect(err.message).toMatch(/Docker daemon is not reachable/);
    },
  );

  it('says how to install kind when it is missing', async () => {
    runner.rules.unshift({ command: 'kind', args: ['version'], result: fail(127, 'kind: command not found') });
    const err = await target()
      .up({ namespace: 'default', base, emit: status })
      .catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/kind command is not installed/);
    expect(err.hint).toContain('sigs.k8s.io/kind@v0.33.0');
  });

  it('retries a failed create after deleting the partial cluster', async () => {
    let attempts = 0;
    const create = runner.rules.find((r) => r.command === 'kind' && r.args?.[0] === 'create')!;
    const real = create.result as (a: readonly string[], o: object) => Promise<RunResult>;
    create.result = (args, o) =>
      ++attempts === 1
        ? fail(
            1,
            'ERROR: failed to create cluster: could not find a log line that matches ' +
              '"Reached target .*Multi-User System.*"',
          )
        : real(args, o);
    await target().up({ namespace: 'default', base, emit: status });
    expect(runner.argsOf('kind').map((a) => a.slice(0, 2).join(' '))).toEqual([
      'version',
      'get clusters',
      'create cluster',
      'delete cluster',
      'create cluster',
    ]);
    expect(events).toContain('warn kind create failed (attempt 1/3); deleting the partial cluster and retrying');
  });

  it('does not retry when the host port is already allocated, and says so', async () => {
    runner.rules.unshift({
      command: 'kind',
      args: ['create', 'cluster'],
      result: fail(1, 'Bind for 127.0.0.1:18080 failed: port is already allocated'),
    });
    const err = await target()
      .up({ namespace: 'default', base, emit: status })
      .catch((e) => e);
    expect(err.hint).toMatch(/--host-port/);
    expect(runner.argsOf('kind').filter((a) => a[0] === 'create')).toHaveLength(1);
  });

  it('refuses a host port already taken before calling kind', async () => {
    await cluster.serveIngress(hostPort);
    const err = await target()
      .up({ namespace: 'default', base, emit: status })
      .catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe(`host port 127.0.0.1:${hostPort} is in use; the cluster maps the ingress there`);
    expect(runner.argsOf('kind').filter((a) => a[0] === 'create')).toEqual([]);
  });

  it('names pods without a sidecar', async () => {
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'old-app-1', namespace: 'default', labels: {} },
      spec: { containers: [{ name: 'app' }] },
      status: { phase: 'Running' },
    });
    const err = await target()
      .up({ namespace: 'default', base, emit: status })
      .catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe('no istio-proxy sidecar in 1 pod(s) of default: old-app-1');
    expect(err.hint).toMatch(/restart their Deployments/);
  });

  it('times out a rollout with the last observed state', async () => {
    await cluster.stop();
    cluster = await new FakeCluster({ stuck: ['reviews-v3'] }).start();
    const err = await target({ timeouts: { rolloutMs: 300, readinessMs: 1000, createRetryDelayMs: 1 } })
      .up({ namespace: 'default', base, emit: status })
      .catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(
      new RegExp(
        /timed out after 300ms waiting for Deployment reviews-v3\.default to roll out .*last observed: /.source +
          /Waiting for deployment spec update to be observed \(generation 1, observed 0\)$/.source,
      ),
    );
  });

  it('stops on interrupt and says what exists', async () => {
    await cluster.stop();
    cluster = await new FakeCluster({ stuck: ['reviews-v3'] }).start();
    const ac = new AbortController();
    // Interrupted once the rollout wait (stuck on reviews-v3) has begun, whatever the machine's speed.
    const emit: UpEmit = (e) => {
      status(e);
      if (e.type === 'phase-start' && /Deployments to roll out/.test(e.phase)) setTimeout(() => ac.abort('SIGINT'), 50);
    };
    const err = await target({ timeouts: { rolloutMs: 10_000, readinessMs: 1000, createRetryDelayMs: 1 } })
      .up({ namespace: 'default', base, emit, signal: ac.signal })
      .catch((e) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.exitCode).toBe(130);
    expect(events.at(-1)).toBe(
      'info interrupted: kind cluster "meshproof" exists, Istio installed, Bookinfo not (fully) deployed; ' +
        '`meshproof up --target kind` continues, `meshproof down --target kind` deletes it',
    );
  });
});

describe('KindTarget.up with a cluster already there', () => {
  beforeEach(() => {
    clusters.push('meshproof');
  });

  it('reuses a healthy cluster: writes its kubeconfig to the cache, skips an Istio already at the pin', async () => {
    cluster.installIstio('1.31.1');
    await cluster.serveIngress(hostPort);
    // An older kubeconfig, world-readable: the admin credentials written over it are owner-only.
    writeFileSync(join(cache, 'kind-meshproof.kubeconfig'), 'old', { mode: 0o644 });
    await target().up({ namespace: 'default', base, emit: status });
    expect(runner.argsOf('kind').some((a) => a[0] === 'create')).toBe(false);
    expect(readFileSync(join(cache, 'kind-meshproof.kubeconfig'), 'utf8')).toContain(cluster.url);
    expect(statSync(join(cache, 'kind-meshproof.kubeconfig')).mode & 0o777).toBe(0o600);
    expect(runner.argsOf('/bin/istioctl').some((a) => a[0] === 'install')).toBe(false);
    expect(events).toContain('info Istio 1.31.1 already installed');
  });

  it('is not held up by routes a previous run left when Bookinfo runs unchanged', async () => {
    cluster.installIstio('1.31.1');
    let reviewsStatus = 200;
    await cluster.serveIngress(hostPort, (path) => (path.startsWith('/api/v1/products') ? reviewsStatus : 200));
    await target().up({ namespace: 'default', base, emit: status });
    // A plan left reviews behind a 0.5 s timeout: its API answers 504 through the ingress, the page 200.
    reviewsStatus = 504;
    await target().up({ namespace: 'default', base, emit: status });
    // Resolving is the point (a readiness timeout throws); both ups probed the ingress and no phase failed.
    expect(events.filter((e) => e.startsWith('start HTTP readiness'))).toHaveLength(2);
    expect(events.filter((e) => e.startsWith('end false'))).toEqual([]);
  });

  it('connects once: the health check and the rest of up share the connection', async () => {
    cluster.installIstio('1.31.1');
    await cluster.serveIngress(hostPort);
    const t = target();
    await t.up({ namespace: 'default', base, emit: status });
    expect(connectCluster).toHaveBeenCalledTimes(1);
    expect(vi.mocked(connectCluster).mock.calls[0]![0]).toMatchObject({
      kubeconfig: join(cache, 'kind-meshproof.kubeconfig'),
      namespace: 'default',
      istioctl: '/bin/istioctl',
    });
    await t.proxies('default');
    expect(connectCluster).toHaveBeenCalledTimes(1);
  });

  it('reinstalls an Istio of another version unless told to reuse as is', async () => {
    cluster.installIstio('1.30.3');
    await cluster.serveIngress(hostPort);
    await target().up({ namespace: 'default', base, emit: status });
    expect(events).toContain('start install Istio 1.31.1 (replacing 1.30.3)');
    runner.calls.length = 0;
    cluster.installIstio('1.30.3');
    await target({ reuse: true }).up({ namespace: 'default', base, emit: status });
    expect(runner.argsOf('/bin/istioctl').some((a) => a[0] === 'install')).toBe(false);
  });

  it('says clearly when an unhealthy cluster is in the way', async () => {
    const dead = await freePort();
    runner.rules.unshift({
      command: 'kind',
      args: ['get', 'kubeconfig'],
      result: ok(cluster.kubeconfigYaml().replace(cluster.url, `http://127.0.0.1:${dead}`)),
    });
    const err = await target()
      .up({ namespace: 'default', base, emit: status })
      .catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/^kind cluster "meshproof" exists but is not healthy: /);
    expect(err.hint).toMatch(/kind delete cluster --name meshproof/);
  });

  it('refuses a cluster whose port mapping differs', async () => {
    runner.rules.unshift({ command: 'docker', args: ['port'], result: ok('127.0.0.1:28080\n') });
    const err = await target()
      .up({ namespace: 'default', base, emit: status })
      .catch((e) => e);
    expect(err.message).toBe(
      `kind cluster "meshproof" maps node port 30080 to 127.0.0.1:28080, not 127.0.0.1:${hostPort}`,
    );
  });
});

describe('KindTarget diagnostics and down', () => {
  it('writes every part it can and records the ones that fail, without throwing', async () => {
    const t = target();
    await t.up({ namespace: 'default', base, emit: status });
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default' },
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off pulling image',
      involvedObject: { kind: 'Pod', name: 'reviews-v3-x' },
      lastTimestamp: '2026-11-26T10:00:00Z',
    });
    const pp = cluster.podsIn('default').find((p) => p.labels.app === 'productpage')!;
    cluster.api.logs.set(`default/${pp.name}/productpage`, 'INFO serving on 9080\n');
    runner
      .on('/bin/istioctl', ['analyze'], { exitCode: 79, stdout: '[{"code":"IST0101","level":"Error"}]', stderr: '' })
      .on('/bin/istioctl', ['proxy-status'], ok('NAME CLUSTER CDS LDS\nproductpage-v1 Kubernetes SYNCED SYNCED\n'))
      .on('kind', ['export', 'logs'], fail(1, 'ERROR: unknown cluster "meshproof"'));
    const dir = join(cache, 'diag');
    const files = await t.diagnostics(dir);
    const names = readdirSync(dir).sort();
    expect(names).toEqual([
      'errors.txt',
      'events-default.txt',
      'events-istio-system.txt',
      'istioctl-analyze.json',
      'istioctl-proxy-status.txt',
      'logs-default',
      'logs-istio-system',
      'pods-default.txt',
      'pods-istio-system.txt',
      'productpage-routes.json',
    ]);
    expect(files).toContain(join(dir, 'errors.txt'));
    expect(readFileSync(join(dir, 'errors.txt'), 'utf8')).toMatch(
      new RegExp(
        /^kind-logs: command failed \(exit 1\): kind export logs .*\/diag\/kind-logs --name /.source +
          /meshproof\nERROR: unknown cluster "meshproof"/.source,
      ),
    );
    expect(readFileSync(join(dir, 'events-default.txt'), 'utf8')).toContain(
      'Warning BackOff Pod/reviews-v3-x: Back-off pulling image',
    );
    expect(JSON.parse(readFileSync(join(dir, 'istioctl-analyze.json'), 'utf8'))[0].code).toBe('IST0101');
    expect(JSON.parse(readFileSync(join(dir, 'productpage-routes.json'), 'utf8'))).toEqual(JSON.parse(ROUTES));
    expect(readFileSync(join(dir, 'pods-default.txt'), 'utf8')).toMatch(
      /productpage-v1-\S+ ready=true sidecar=true Running/,
    );
    expect(readFileSync(join(dir, 'logs-default', `${pp.name}_productpage.log`), 'utf8')).toBe(
      'INFO serving on 9080\n',
    );
    expect(readFileSync(join(dir, 'logs-default', `${pp.name}_istio-proxy.log`), 'utf8')).toMatch(
      /^\(no log: failed to read the log of/,
    );
  });

  it('in a later process, reconnects through the cached kubeconfig to collect the cluster parts', async () => {
    await target().up({ namespace: 'default', base, emit: status });
    runner.on('kind', ['export', 'logs'], ok());
    const files = await target().diagnostics(join(cache, 'later'));
    expect(files).toContain(join(cache, 'later', 'pods-istio-system.txt'));
    expect(readFileSync(join(cache, 'later', 'pods-istio-system.txt'), 'utf8')).toContain(
      'istio-ingressgateway-7b9f8d6c5-abcde ready=true',
    );
  });

  it("keeps up's connection: without the kubeconfig, apply, proxies and bundle still reach the cluster", async () => {
    const t = target();
    await t.up({ namespace: 'bookinfo', base, emit: status });
    rmSync(join(cache, 'kind-meshproof.kubeconfig'));
    const [vs] = parseManifests(
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\n' +
        'spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v2}}]}]}',
      'vs.yaml',
    );
    expect(await t.apply([vs!])).toEqual([{ ref: 'VirtualService reviews.bookinfo', action: 'created' }]);
    expect((await t.proxies('bookinfo')).filter((p) => p.role === 'sidecar')).toHaveLength(6);
    runner.on('kind', ['export', 'logs'], ok());
    const files = await t.diagnostics(join(cache, 'same-process'));
    expect(files).toContain(join(cache, 'same-process', 'pods-bookinfo.txt'));
    expect(reconnect).not.toHaveBeenCalled();
    expect(connectCluster).toHaveBeenCalledTimes(1);
  });

  it('diagnostics reconnect one way: the cached kubeconfig, namespace `default`, istioctl only if usable', async () => {
    await target().up({ namespace: 'default', base, emit: status });
    runner.on('kind', ['export', 'logs'], ok());
    await target().diagnostics(join(cache, 'later'));
    expect(reconnect).toHaveBeenCalledTimes(1);
    expect(vi.mocked(reconnect).mock.calls[0]![0]).toMatchObject({
      kubeconfig: join(cache, 'kind-meshproof.kubeconfig'),
      namespace: 'default',
      istioctl: '/bin/istioctl',
    });
    // The pinned istioctl was never downloaded into this cache: the bundle goes without it.
    await target({ istioctlPath: undefined }).diagnostics(join(cache, 'later-2'));
    expect(vi.mocked(reconnect).mock.calls[1]![0]).toMatchObject({ istioctl: null });
    expect(readdirSync(join(cache, 'later-2'))).not.toContain('istioctl-analyze.json');
    expect(readdirSync(join(cache, 'later-2'))).toContain('pods-default.txt');
  });

  it('collects kind logs even when the cluster never came up, and never throws', async () => {
    runner.on('kind', ['export', 'logs'], ok());
    const files = await target().diagnostics(join(cache, 'd2'));
    expect(files).toEqual([join(cache, 'd2', 'kind-logs')]);
    expect(runner.argsOf('kind').at(-1)).toEqual([
      'export',
      'logs',
      join(cache, 'd2', 'kind-logs'),
      '--name',
      'meshproof',
    ]);
  });

  it('down deletes the cluster through its own kubeconfig, removes its files; the cache only when asked', async () => {
    const t = target();
    await t.up({ namespace: 'default', base, emit: status });
    await t.down();
    expect(runner.argsOf('kind').at(-1)).toEqual([
      'delete',
      'cluster',
      '--name',
      'meshproof',
      '--kubeconfig',
      join(cache, 'kind-meshproof.kubeconfig'),
    ]);
    expect(existsSync(join(cache, 'kind-meshproof.kubeconfig'))).toBe(false);
    expect(existsSync(cache)).toBe(true);
    await target({ deleteCacheOnDown: true }).down();
    expect(existsSync(cache)).toBe(false);
  });
});

describe('parsing', () => {
  it('keeps the base untouched (images are rewritten on copies)', async () => {
    const [d] = parseManifests(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n' +
        'spec: {template: {spec: {containers: [{name: a, image: ' +
        'registry.istio.io/release/examples-bookinfo-ratings-v1:1.20.3}]}}}',
      'x.yaml',
    );
    const { pinBookinfoImages } = await import('../cluster/bookinfo-images.js');
    const [p] = pinBookinfoImages([d!], { bookinfoHub: 'docker.io/istio', bookinfoTag: '1.20.3' });
    expect(p!.object.spec.template.spec.containers[0].image).toBe(
      'docker.io/istio/examples-bookinfo-ratings-v1:1.20.3',
    );
    expect(d!.object.spec.template.spec.containers[0].image).toBe(
      'registry.istio.io/release/examples-bookinfo-ratings-v1:1.20.3',
    );
  });
});

describe('KindTarget and the Gateway API', () => {
  const gatewayApi = () => loadManifestFile('manifests/gateway-api/bookinfo-gateway.yaml');

  it('up leaves the CRDs of a release without pins out, and says so; Istio-API plans are unaffected', async () => {
    await target().up({ namespace: 'default', base, emit: status });
    expect(
      events.some((e) =>
        /^info the Gateway API v0\.0\.0-unpinned CRDs cannot be verified: no sha256 is pinned for that release/.test(e),
      ),
    ).toBe(true);
    expect(cluster.api.applied().some((a) => a.startsWith('CustomResourceDefinition '))).toBe(false);
  });

  it('applying Gateway API objects without the CRDs and without pins fails closed, applying nothing', async () => {
    const t = target();
    await t.up({ namespace: 'default', base, emit: status });
    const before = cluster.api.applied().length;
    await expect(t.apply(await gatewayApi())).rejects.toThrow(
      /cannot be verified: no sha256 is pinned for that release .*; this step applies Gateway API objects/,
    );
    expect(cluster.api.applied().length).toBe(before);
  });

  it('with the CRDs a Gateway of class istio gets NodePort parameters; outcomes answer for objects given', async () => {
    const t = target();
    await t.up({ namespace: 'default', base, emit: status });
    cluster.api.put({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'httproutes.gateway.networking.k8s.io' },
    });
    const outcomes = await t.apply(await gatewayApi());
    expect(outcomes.map((o) => o.ref)).toEqual(['Gateway bookinfo-gateway.default', 'HTTPRoute bookinfo.default']);
    const cm = cluster.api.find('v1', 'ConfigMap', 'bookinfo-gateway-meshproof-kind');
    expect(JSON.parse((cm!.data as Record<string, string>).service!)).toEqual({
      spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] },
    });
    expect(
      cluster.api.find('gateway.networking.k8s.io/v1', 'Gateway', 'bookinfo-gateway')?.spec.infrastructure.parametersRef
        .name,
    ).toBe('bookinfo-gateway-meshproof-kind');
  });

  it('a reused cluster made without the Gateway API port mapping says so when a plan needs that gateway', async () => {
    clusters.push('meshproof');
    cluster.installIstio();
    await cluster.serveIngress(hostPort);
    runner.rules.unshift({
      command: 'docker',
      args: ['port', 'meshproof-control-plane', '30081/tcp'],
      result: fail(1, "Error: No public port '30081/tcp' published for meshproof-control-plane"),
    });
    const t = target();
    await t.up({ namespace: 'default', base, emit: status });
    await expect(t.gatewayUrl({ namespace: 'default', name: 'bookinfo-gateway' })).rejects.toThrow(
      /does not map node port 30081/,
    );
  });

  it('lists the pods of a Gateway API gateway as gateway proxies, not sidecars', async () => {
    const t = target();
    await t.up({ namespace: 'default', base, emit: status });
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'bookinfo-gateway-istio-6d9f-abcde',
        namespace: 'default',
        labels: { 'gateway.networking.k8s.io/gateway-name': 'bookinfo-gateway' },
      },
      spec: { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.31.1' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'istio-proxy', ready: true, state: { running: {} } }],
      },
    });
    const gw = (await t.proxies('default')).find((p) => p.pod.startsWith('bookinfo-gateway-istio-'));
    expect(gw).toMatchObject({ role: 'gateway', namespace: 'default' });
  });
});

describe('a plan run on the kind target', () => {
  it('prints every phase of up with its duration before the first step, and results.json keeps them', async () => {
    const { runPlan } = await import('../../runner/run-plan.js');
    const { loadPlan } = await import('../../plan/load.js');
    const { createReporters, Multiplexer } = await import('../../report/index.js');
    const { bookinfoClassifier } = await import('../../bookinfo/classifier/index.js');
    const { Writable } = await import('node:stream');
    // Without setup and rollback: the fake cluster's proxies hold no routes, so nothing would settle.
    const plan = { ...(await loadPlan('plans/canary.yaml', {})), setup: [], rollback: null };
    const reportDir = mkdtempSync(join(tmpdir(), 'meshproof-kind-run-'));
    let stderr = '';
    const stream = new Writable({ write: (chunk, _enc, done) => void ((stderr += String(chunk)), done()) });
    const mux = new Multiplexer(createReporters({ reportDir, console: { stream, tty: false, json: false } }), stream);
    // The first step is where this test ends: the fake cluster's proxies never settle.
    const stop = new AbortController();
    const emit = async (e: Parameters<typeof mux.emit>[0]) => {
      if (e.type === 'step-start') stop.abort('the test has seen up end');
      await mux.emit(e);
    };
    const results = await runPlan({
      plan,
      target: target(),
      classifier: bookinfoClassifier,
      base,
      emit,
      reportDir,
      seed: 1,
      signal: stop.signal,
      hardSignal: stop.signal,
      readyTimeoutMs: 3000,
    });
    await mux.close();
    const lines = stderr.split('\n');
    const firstStep = lines.findIndex((l) => l.startsWith('▸ step 1/'));
    expect(firstStep).toBeGreaterThan(0);
    const ended = lines.slice(0, firstStep).filter((l) => l.startsWith(' ✓ '));
    // The readiness phase's name holds a URL, cut at its ':' here.
    expect(ended.map((l) => l.slice(3).split(':')[0])).toEqual([...FRESH_UP_PHASES, 'HTTP readiness through http']);
    for (const l of ended) expect(l).toMatch(/\d+(\.\d)?m?s$/);
    expect(lines.slice(0, firstStep)).toContain(
      'warning: istioctl x precheck: Warning [IST0159] istio-system namespace is not labelled',
    );
    expect(results.phases.map((p) => p.name)).toEqual(ended.map((l) => l.slice(3).replace(/: .*$/, '')));
    const written = JSON.parse(readFileSync(join(reportDir, 'results.json'), 'utf8'));
    expect(written.phases).toEqual(results.phases);
    expect(written.phases.every((p: { ok: boolean; durationMs: number }) => p.ok && p.durationMs >= 0)).toBe(true);
  });
});
