/**
 * The cluster code against a real control plane (the kwok target): `up` from nothing and again,
 * every manifest and every shipped plan's objects applied and read back, bad Istio objects refused
 * by the real CRDs, the diagnostics bundle with `istioctl analyze`, the real istioctl reading
 * proxies istiod configured, the tutorial end to end, and the bugs a first run against a real API
 * server found. One control plane for the whole kwok file: the tests run in order and share it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { paths } from '../../src/core/paths.js';
import { KubeClient } from '../../src/kube/client.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { loadManifestFile, parseManifests, type LoadedObject } from '../../src/kube/manifest.js';
import { waitForRollout } from '../../src/kube/rollout.js';
import { loadPlan } from '../../src/plan/load.js';
import { binary } from '../../src/targets/kwok/control-plane/binaries.js';
import { ControlPlane } from '../../src/targets/kwok/control-plane/control-plane.js';
import type { KwokTarget } from '../../src/targets/kwok/kwok-target.js';
import { ExistingTarget } from '../../src/targets/existing/existing-target.js';
import { meshproof, results, root } from '../cli.js';
import { built } from './kwok-env.js';
import { sharedTarget } from './shared-target.js';
import { restoreBase } from '../restore-base.js';

const cp = new ControlPlane(paths.cache);
const kubeconfig = cp.layout.kubeconfig;
const kubectl = (...args: string[]) =>
  JSON.parse(
    execFileSync(binary(paths.cache, 'kubectl'), ['--kubeconfig', kubeconfig, ...args, '-o', 'json'], {
      encoding: 'utf8',
    }),
  );
const MIN = 60_000;
const execFileAsync = promisify(execFile);

/** `up --target kwok` serves until interrupted: Ctrl-C once it says it is ready, as a person would. */
async function upThenInterrupt(timeoutMs: number) {
  let pid = 0;
  let sent = false;
  return meshproof(['up', '--target', 'kwok'], {
    timeoutMs,
    onSpawn: (p) => (pid = p),
    onStderr: (sofar) => {
      if (!sent && pid && /Press Ctrl-C|press Ctrl-C/.test(sofar)) {
        sent = true;
        process.kill(pid, 'SIGINT');
      }
    },
  });
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
}

/** Every field the file sets is what the server holds (the server adds defaults, never drops or changes ours). */
async function expectReadBack(target: KwokTarget, objects: LoadedObject[], namespace: string): Promise<void> {
  for (const { object } of objects) {
    const back = await target.get({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace ?? namespace,
    });
    expect(back, `${object.kind} ${object.metadata.name}`).not.toBeNull();
    const { metadata, ...rest } = object;
    expect(back, `${object.kind} ${object.metadata.name}`).toMatchObject({
      ...rest,
      metadata: { name: metadata.name, ...(metadata.labels ? { labels: metadata.labels } : {}) },
    });
  }
}

describe.skipIf(!built)('the kwok target against a real Kubernetes and Istio control plane', () => {
  let target: KwokTarget;

  beforeAll(async () => {
    // From nothing: whatever an earlier run left is stopped first.
    await meshproof(['down', '--target', 'kwok'], { timeoutMs: MIN });
  }, 2 * MIN);

  it(
    'an interrupt during up stops every process it started',
    async () => {
      let pid = 0;
      const started = Date.now();
      const watcher = setInterval(() => {
        // Once the control plane is recorded as running, interrupt (as Ctrl-C would).
        const s = cp.readState();
        if (pid && s && s.daemons.length >= 5) {
          clearInterval(watcher);
          process.kill(pid, 'SIGINT');
        }
      }, 200);
      const run = await meshproof(['up', '--target', 'kwok'], { timeoutMs: 5 * MIN, onSpawn: (p) => (pid = p) });
      clearInterval(watcher);
      expect(run.code, run.stderr).toBe(130);
      expect(run.stderr).toMatch(/interrupted: stopped etcd \(pid \d+\)|interrupted: stopped .*kube-apiserver/);
      expect(cp.readState()).toBeNull();
      expect(Date.now() - started).toBeLessThan(5 * MIN);
    },
    6 * MIN,
  );

  it(
    'up --target kwok from nothing: real istioctl install, istiod injects sidecars, every phase with its duration',
    async () => {
      const run = await upThenInterrupt(10 * MIN);
      expect(run.stderr).toMatch(
        /The data plane serves as long as this process: press Ctrl-C to stop it \(the control plane keeps running/,
      );
      expect(run.stderr, run.stderr).toMatch(
        /✓ start etcd, kube-apiserver, controller-manager, scheduler and KWOK on 127\.0\.0\.1: .*\d(ms|s)\n/,
      );
      expect(run.code, run.stderr).toBe(0);
      for (const p of [
        /✓ install Istio 1\.31-dev: \d/,
        /✓ start istiod \(pilot-discovery\).*: pid \d+/,
        /✓ apply Bookinfo, gateway and destination rules: \d+ objects/,
        /✓ wait for 6 Deployments to roll out: \d/,
        /✓ check sidecars: \d+ pods, all with sidecars/,
      ]) {
        expect(run.stderr).toMatch(p);
      }
      expect(run.stderr).toMatch(
        new RegExp(
          /✓ serve every pod: a stand-in app and a proxy istiod configures over xDS: 7 proxies, ingress /.source +
            /http:\/\/127\.0\.0\.1:\d+/.source,
        ),
      );
      expect(run.stderr).toContain('data plane simulated');
      // kubectl against the kubeconfig under .cache/meshproof: Bookinfo Available, sidecars put there by istiod's
      // webhook.
      const deployments = kubectl('get', 'deployments', '-n', 'default').items;
      expect(deployments).toHaveLength(6);
      for (const d of deployments)
        expect(d.status.conditions.find((c: { type: string }) => c.type === 'Available')?.status, d.metadata.name).toBe(
          'True',
        );
      const pods = kubectl('get', 'pods', '-n', 'default').items;
      for (const p of pods) {
        const names = [...p.spec.containers, ...(p.spec.initContainers ?? [])].map((c: { name: string }) => c.name);
        expect(names, p.metadata.name).toContain('istio-proxy');
        expect(p.metadata.annotations['sidecar.istio.io/status'], p.metadata.name).toBeDefined();
      }
    },
    12 * MIN,
  );

  it(
    'a second up reuses the running control plane in under 30 s',
    async () => {
      const run = await upThenInterrupt(2 * MIN);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('✓ reuse the running control plane');
      expect(run.stderr).toContain('Istio 1.31-dev already installed');
      expect(run.ms).toBeLessThan(30_000);
    },
    3 * MIN,
  );

  it(
    'every manifest in manifests/ is applied and read back as written',
    async () => {
      target = await sharedTarget();
      // The Gateway API's kinds too: up applies the pinned CRDs.
      const files = yamlFiles(paths.manifests);
      expect(files.filter((f) => f.includes(join('manifests', 'gateway-api'))).length).toBeGreaterThan(0);
      const applied: LoadedObject[] = [];
      for (const f of files) {
        const objects = await loadManifestFile(f);
        const outcomes = await target.apply(objects);
        expect(outcomes.length, f).toBe(objects.length);
        await expectReadBack(target, objects, 'default');
        // Applied again unchanged: server-side apply says so. A Gateway API Gateway is left out: istiod
        // reconciles it (it deploys its gateway), so a second apply need not be a no-op.
        const again = await target.apply(objects);
        expect(
          again
            .filter(
              (o, i) =>
                !(
                  objects[i]!.object.kind === 'Gateway' &&
                  objects[i]!.object.apiVersion.startsWith('gateway.networking.k8s.io/')
                ),
            )
            .every((o) => o.action === 'unchanged'),
          f,
        ).toBe(true);
        applied.push(...objects);
      }
      // What these routes leave behind would otherwise meet the next tests' plans.
      await restoreBase(kubeconfig, applied);
    },
    5 * MIN,
  );

  it(
    "every shipped plan's objects are applied through the target and read back; the tutorial's stay for kubectl",
    async () => {
      const plans = readdirSync(paths.plans).filter((f) => f.endsWith('.yaml') && f !== 'tutorial.yaml');
      for (const name of [...plans, 'tutorial.yaml']) {
        const plan = await loadPlan(join(paths.plans, name));
        const batches = [
          plan.setup.flatMap((m) => m.objects),
          ...plan.steps.map((s) => s.objects),
          ...(plan.rollback ? [plan.rollback.objects] : []),
        ];
        for (const objects of batches.filter((b) => b.length)) {
          await target.apply(objects);
          await expectReadBack(target, objects, plan.namespace);
        }
      }
      const vs = kubectl('get', 'virtualservices.networking.istio.io', '-n', 'default').items.map(
        (o: { metadata: { name: string } }) => o.metadata.name,
      );
      const dr = kubectl('get', 'destinationrules.networking.istio.io', '-n', 'default').items.map(
        (o: { metadata: { name: string } }) => o.metadata.name,
      );
      expect(vs).toEqual(expect.arrayContaining(['reviews', 'productpage', 'ratings', 'details']));
      expect(dr).toEqual(expect.arrayContaining(['reviews', 'productpage', 'ratings', 'details']));
    },
    5 * MIN,
  );

  it(
    'the diagnostics bundle has istioctl analyze on the live cluster, events, control plane logs, and what is not real',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kwok-diag-'));
      const files = (await target.diagnostics(dir)).map((f) => f.slice(dir.length + 1));
      expect(files).toEqual(
        expect.arrayContaining([
          'istioctl-analyze.json',
          'events-default.txt',
          'events-istio-system.txt',
          'control-plane-logs',
          'not-real.txt',
          'data-plane.txt',
          'webhooks.txt',
        ]),
      );
      expect(Array.isArray(JSON.parse(await readFile(join(dir, 'istioctl-analyze.json'), 'utf8')))).toBe(true);
      for (const log of [
        'etcd',
        'kube-apiserver',
        'kube-controller-manager',
        'kube-scheduler',
        'kwok',
        'pilot-discovery',
      ])
        expect(existsSync(join(dir, 'control-plane-logs', `${log}.log`)), log).toBe(true);
      expect(await readFile(join(dir, 'webhooks.txt'), 'utf8')).toMatch(
        /sidecar-injector\.istio\.io → https:\/\/localhost:\d+\/inject/,
      );
      expect(await readFile(join(dir, 'not-real.txt'), 'utf8')).toContain('data plane simulated');
      expect(await readFile(join(dir, 'data-plane.txt'), 'utf8')).toMatch(
        /default\/reviews-v1-\S+ sidecar ip=10\.244\.\d+\.\d+ config version \d+/,
      );
    },
    3 * MIN,
  );

  it(
    'the real istioctl reads a proxy istiod configured: ' +
      "proxy-config routes through KWOK's port-forward, proxy-status from istiod",
    async () => {
      // Not execFileSync: the proxies answer from this very process, whose event loop must keep running.
      const istioctl = async (...args: string[]) =>
        (
          await execFileAsync(binary(paths.cache, 'istioctl'), ['--kubeconfig', kubeconfig, ...args], {
            encoding: 'utf8',
            timeout: MIN,
          })
        ).stdout;
      const pod = kubectl('get', 'pods', '-n', 'default', '-l', 'app=productpage').items[0].metadata.name as string;
      const routes = JSON.parse(await istioctl('proxy-config', 'routes', `${pod}.default`, '-o', 'json')) as {
        name: string;
        virtualHosts?: { name: string }[];
      }[];
      const port9080 = routes.find((r) => r.name === '9080');
      expect(port9080, routes.map((r) => r.name).join(', ')).toBeDefined();
      expect(port9080!.virtualHosts!.map((v) => v.name)).toEqual(
        expect.arrayContaining(['reviews.default.svc.cluster.local:9080']),
      );
      const status = await istioctl('proxy-status');
      for (const app of [
        'details',
        'productpage',
        'ratings',
        'reviews-v1',
        'reviews-v2',
        'reviews-v3',
        'istio-ingressgateway',
      ])
        expect(status).toMatch(new RegExp(`${app}-\\S+`));
      // Every proxy ACKed what istiod sent: no NACK in istiod's log.
      expect(readFileSync(join(cp.layout.logs, 'pilot-discovery.log'), 'utf8')).not.toMatch(/ACK ERROR/);
    },
    2 * MIN,
  );

  it(
    'the tutorial on kwok passes: applied via the API, settled reading proxies with istioctl, verified via the ingress',
    async () => {
      const run = await meshproof(['run', join(root, 'plans/tutorial.yaml'), '--target', 'kwok', '--seed', '1'], {
        timeoutMs: 3 * MIN,
      });
      expect(run.code, run.stderr).toBe(0);
      const r = await results(run);
      expect(r.target).toBe('kwok');
      expect(r.targetDescription).toMatch(/data plane simulated/);
      expect(r.steps.map((s: { outcome: string }) => s.outcome)).toEqual(['passed', 'passed']);
      for (const s of r.steps) {
        expect(s.settledBy, s.name).toBe('proxies');
        expect(s.layers!.proxies.pods.length, s.name).toBeGreaterThan(0);
      }
      // up's phases were shown while it ran.
      expect(run.stderr).toMatch(/reuse the running control plane/);
      expect(run.stderr).toMatch(/settled after .* \(proxies\)/);
    },
    4 * MIN,
  );
});

describe.skipIf(!built)(
  'bad objects meet the real API server (kwok), and the local target, with file:line:field',
  () => {
    let kube: KubeClient;
    let dir: string;
    beforeAll(async () => {
      kube = new KubeClient(loadKubeConfig({ kubeconfig }));
      dir = await mkdtemp(join(tmpdir(), 'kwok-bad-'));
    });

    /** Writes a manifest, applies it with the project's own validation skipped, returns the error. */
    async function refusal(name: string, yaml: string): Promise<InputError> {
      const file = join(dir, name);
      await writeFile(file, yaml);
      const err = await kube.applyAll(await loadManifestFile(file)).catch((e: unknown) => e);
      expect(err, `${name}: ${(err as Error)?.message}`).toBeInstanceOf(InputError);
      return err as InputError;
    }

    const vsHeader =
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: bad-vs\nspec:\n' +
      '  hosts: [reviews]\n';

    it(
      'Istio objects the CRDs refuse (schema and CEL) are refused with the field at its line, nothing applied',
      async () => {
        const cases: [string, string, number, RegExp][] = [
          [
            'enum.yaml',
            'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: bad-dr\nspec:\n' +
              '  host: reviews\n  trafficPolicy:\n    loadBalancer:\n      simple: ROUND_ROBBIN\n',
            9,
            /loadBalancer/,
          ],
          ['unknown-field.yaml', `${vsHeader}  htttp:\n  - route:\n    - destination: {host: reviews}\n`, 7, /htttp/],
          [
            'wrong-type.yaml',
            `${vsHeader}  http:\n  - route:\n    - destination: {host: reviews}\n      weight: eighty\n`,
            10,
            /weight/,
          ],
        ];
        const messages: string[] = [];
        for (const [name, yaml, line, field] of cases) {
          const err = await refusal(name, yaml);
          expect(err.exitCode).toBe(2);
          expect(err.issues[0], err.message).toMatchObject({ file: join(dir, name), line });
          expect(err.issues[0]!.field, err.message).toMatch(field);
          messages.push(`${name}: ${err.message}`);
        }
        expect(
          await kube.get({
            apiVersion: 'networking.istio.io/v1',
            kind: 'DestinationRule',
            name: 'bad-dr',
            namespace: 'default',
          }),
        ).toBeNull();
        expect(
          await kube.get({
            apiVersion: 'networking.istio.io/v1',
            kind: 'VirtualService',
            name: 'bad-vs',
            namespace: 'default',
          }),
        ).toBeNull();
        console.info(`real API server refusals:\n${messages.join('\n')}`);
      },
      2 * MIN,
    );

    it("the real istiod's webhook refuses what CRDs let through (a negative weight), at the plan's file", async () => {
      const err = await refusal(
        'negative.yaml',
        `${vsHeader}  http:\n  - route:\n    - destination: {host: reviews, subset: v1}\n      weight: -20\n` +
          '    - destination: {host: reviews, subset: v3}\n      weight: 120\n',
      );
      expect(err.message).toMatch(
        /admission webhook "validation\.istio\.io" denied the request: configuration is invalid: weight -20 < 0/,
      );
      expect(err.issues[0]).toMatchObject({ file: join(dir, 'negative.yaml'), line: 1 });
    });

    it(
      'the same bad plan is refused by both targets with exit 2 and file:line, before anything is applied',
      async () => {
        const manifest = join(dir, 'negative-weight.yaml');
        await writeFile(
          manifest,
          `${vsHeader}  http:\n  - route:\n    - destination: {host: reviews, subset: v1}\n` +
            '      weight: -20\n    - destination: {host: reviews, subset: v3}\n      weight: 120\n',
        );
        const plan = join(dir, 'plan.yaml');
        await writeFile(
          plan,
          'name: bad\nnamespace: default\nsteps:\n  - name: s\n    apply: [negative-weight.yaml]\n' +
            '    expect:\n      - reviews: { v1: 100 }\n',
        );
        const before = kubectl('get', 'virtualservices.networking.istio.io', '-n', 'default').items.length;
        const [kwok, local] = await Promise.all([
          meshproof(['run', plan, '--target', 'kwok'], { timeoutMs: 2 * MIN }),
          meshproof(['run', plan, '--target', 'local'], { timeoutMs: 2 * MIN }),
        ]);
        for (const r of [kwok, local]) {
          expect(r.code, r.stderr).toBe(2);
          expect(r.stderr).toMatch(/negative-weight\.yaml:10/);
        }
        expect(kubectl('get', 'virtualservices.networking.istio.io', '-n', 'default').items.length).toBe(before);
      },
      3 * MIN,
    );

    it('1. a misspelled field of a built-in kind is refused, not dropped', async () => {
      const err = await refusal(
        'replicass.yaml',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: typo\nspec:\n  replicass: 3\n' +
          '  selector: {matchLabels: {app: typo}}\n  template:\n    metadata: {labels: {app: typo}}\n' +
          '    spec:\n      containers: [{name: c, image: x}]\n',
      );
      expect(err.issues[0]).toMatchObject({ line: 6, field: 'spec.replicass' });
      expect(
        await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'typo', namespace: 'default' }),
      ).toBeNull();
    });

    it('2. type errors (replicas: "three", a number in ConfigMap data) are bad input at their line', async () => {
      const dep = await refusal(
        'three.yaml',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: three\nspec:\n  replicas: three\n' +
          '  selector: {matchLabels: {app: t}}\n  template:\n    metadata: {labels: {app: t}}\n    spec:\n' +
          '      containers: [{name: c, image: x}]\n',
      );
      expect(dep.issues[0]).toMatchObject({ line: 6, field: 'spec.replicas' });
      const cm = await refusal(
        'cm.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: num\ndata:\n  count: 3\n',
      );
      expect(cm.issues[0]!.line).toBe(6);
    });

    it('3 and 4. a group the cluster does not serve, and a kind it does not serve, get the right hint', async () => {
      const missingGroup = await kube
        .apply(
          parseManifests('apiVersion: widgets.example.com/v1\nkind: Widget\nmetadata: {name: w}\n', 'w.yaml')[0]!
            .object,
        )
        .catch((e) => e);
      expect(missingGroup.hint).toMatch(/does not serve the kind/);
      const missingKind = await kube
        .apply(
          parseManifests('apiVersion: networking.istio.io/v1\nkind: VirtualServis\nmetadata: {name: w}\n', 'w.yaml')[0]!
            .object,
        )
        .catch((e) => e);
      expect(missingKind.hint).toMatch(/does not serve the kind/);
      expect(missingKind.hint).not.toMatch(/cluster running/);
    });

    it('5 and 6. a batch with a refused object applies nothing; the 422 names the field, not the object', async () => {
      const file = join(dir, 'batch.yaml');
      await writeFile(
        file,
        'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: good-dr\nspec:\n' +
          '  host: reviews\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n' +
          '  name: bad-dr2\nspec:\n  host: reviews\n  trafficPolicy:\n    loadBalancer:\n      simple: NOPE\n',
      );
      const err = await kube.applyAll(await loadManifestFile(file)).catch((e) => e);
      expect(err).toBeInstanceOf(InputError);
      expect(err.issues[0].line).toBe(16);
      expect(
        await kube.get({
          apiVersion: 'networking.istio.io/v1',
          kind: 'DestinationRule',
          name: 'good-dr',
          namespace: 'default',
        }),
      ).toBeNull();
    });

    it(
      '10. a namespace-scoped user can use the existing target: Istio is found through the APIs it may read',
      async () => {
        const rbac = parseManifests(
          [
            'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: limited, namespace: default}',
            'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n' +
              'metadata: {name: limited, namespace: default}\nrules:\n' +
              '- {apiGroups: [""], resources: [pods, services], verbs: [get, list, watch]}\n' +
              '- {apiGroups: [networking.istio.io], resources: ["*"], verbs: [get, list, watch, patch, create]}',
            'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n' +
              'metadata: {name: limited, namespace: default}\n' +
              'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: limited}\nsubjects:\n' +
              '- {kind: ServiceAccount, name: limited, namespace: default}',
          ].join('\n---\n'),
          'rbac.yaml',
        );
        await kube.applyAll(rbac);
        const token = execFileSync(
          binary(paths.cache, 'kubectl'),
          ['--kubeconfig', kubeconfig, 'create', 'token', 'limited', '-n', 'default'],
          { encoding: 'utf8' },
        ).trim();
        const admin = loadKubeConfig({ kubeconfig }).getCurrentCluster()!;
        const limited = join(dir, 'limited.kubeconfig');
        await writeFile(
          limited,
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'Config',
            clusters: [{ name: 'kwok', cluster: { server: admin.server, 'certificate-authority': admin.caFile } }],
            users: [{ name: 'limited', user: { token } }],
            contexts: [{ name: 'limited@kwok', context: { cluster: 'kwok', user: 'limited', namespace: 'default' } }],
            'current-context': 'limited@kwok',
          }),
        );
        const t = new ExistingTarget({ kubeconfig: limited, timeouts: { readinessMs: 1000 } });
        expect(t.describe()).toBe('existing cluster (limited@kwok)');
        const ended: string[] = [];
        await t
          .up({
            namespace: 'default',
            base: [],
            emit: (e) =>
              void (e.type === 'phase-end' && ended.push(`${e.ok ? 'ok' : 'failed'} ${e.phase}: ${e.detail ?? ''}`)),
          })
          .catch(() => undefined);
        expect(ended[1]).toMatch(
          /^ok check Istio: Istio's APIs are served in default \(istiod itself is not visible to this user\)/,
        );
        expect(ended[2]).toMatch(/^ok check Bookinfo in default/);
      },
      2 * MIN,
    );

    it(
      '8. a Deployment deleted during its rollout wait ends the wait at once',
      async () => {
        // No node matches, so it never becomes Available.
        const d = parseManifests(
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: doomed}\nspec:\n' +
            '  selector: {matchLabels: {app: doomed}}\n  template:\n' +
            '    metadata: {labels: {app: doomed, sidecar.istio.io/inject: "false"}}\n    spec:\n' +
            '      nodeSelector: {nowhere: "true"}\n      containers: [{name: c, image: x}]\n',
          'd.yaml',
        );
        await kube.applyAll(d);
        setTimeout(
          () => void kube.delete({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'doomed', namespace: 'default' }),
          1500,
        );
        const t0 = Date.now();
        const err = await waitForRollout(kube, loadKubeConfig({ kubeconfig }), 'default', 'doomed', {
          timeoutMs: 60_000,
        }).catch((e) => e);
        expect(err.message).toMatch(/was deleted while waiting/);
        expect(Date.now() - t0).toBeLessThan(15_000);
      },
      MIN,
    );
  },
);
