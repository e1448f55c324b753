import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../core/errors.js';
import { FakeRunner, ok } from '../../core/testing/fake-runner.js';
import { endedProcess, liveProcess, type OtherProcess } from '../../core/testing/other-process.js';
import { leaseFile } from '../lease.js';
import { FakeCluster } from '../cluster/testing/fake-cluster.js';
import { KwokTarget } from './kwok-target.js';

describe('KwokTarget before up', () => {
  it('says what is real and what is simulated, and has no ingress URL until its data plane serves', async () => {
    const t = new KwokTarget({ cacheDir: await mkdtemp(join(tmpdir(), 'kwok-t-')) });
    expect(t.describe()).toMatch(
      new RegExp(
        /^kwok control plane on 127\.0\.0\.1 \(Kubernetes v1\.36\.\d+, Istio 1\.31-dev built from source; /.source +
          /pods faked by KWOK, data plane simulated: /.source +
          /stand-in apps \(Bookinfo's, or the echo app for other images\) behind proxies istiod configures /.source +
          /over xDS\)$/.source,
      ),
    );
    const err = await t.ingressUrl().catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe('the kwok data plane is not serving in this process: the ingress gateway has no proxy');
    expect(err.hint).toMatch(/meshproof run --target kwok/);
  });

  it('up without its binaries (and building turned off) names what is missing and how to build it', async () => {
    const t = new KwokTarget({ cacheDir: await mkdtemp(join(tmpdir(), 'kwok-t-')), build: false });
    const err = await t.up({ namespace: 'default', base: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(
      new RegExp(
        /^the kwok target's binaries are not built: kube-apiserver, .*pilot-discovery, pilot-agent, /.source +
          /xds-descriptors, /.source +
          /xds-descriptors\.binpb, gateway-api\/v1\.6\.0\/gateway\.networking\.k8s\.io_gatewayclasses\.yaml, /.source,
      ),
    );
    expect(err.hint).toMatch(/npm run controlplane:build/);
  });

  it('down with nothing running stops nothing and does not fail', async () => {
    const t = new KwokTarget({ cacheDir: await mkdtemp(join(tmpdir(), 'kwok-t-')) });
    await t.down();
    expect(t.downSummary).toEqual([]);
  });
});

describe('KwokTarget diagnostics in a process that did not run up', () => {
  let cluster: FakeCluster;
  beforeEach(async () => {
    cluster = await new FakeCluster().start();
  });
  afterEach(() => cluster.stop());

  /** A cache as a running control plane leaves it: state, the admin kubeconfig and the process logs. */
  async function cacheWithControlPlane(state: boolean): Promise<KwokTarget> {
    const t = new KwokTarget({
      cacheDir: await mkdtemp(join(tmpdir(), 'kwok-t-')),
      runner: new FakeRunner([], ok('[]')),
    });
    const l = t.controlPlane.layout;
    await mkdir(l.logs, { recursive: true });
    await writeFile(join(l.logs, 'kube-apiserver.log'), 'serving\n');
    await writeFile(t.kubeconfigPath, cluster.kubeconfigYaml());
    if (state) await writeFile(l.state, '{}\n');
    return t;
  }

  it('control plane up: reconnects via admin kubeconfig; cluster, webhooks, istioctl by the binaries', async () => {
    cluster.installIstio();
    cluster.api.put({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'istio-sidecar-injector' },
      webhooks: [{ name: 'sidecar-injector.istio.io', clientConfig: { url: 'https://localhost:15017/inject' } }],
    } as never);
    const t = await cacheWithControlPlane(true);
    const dir = await mkdtemp(join(tmpdir(), 'kwok-diag-'));
    const files = (await t.diagnostics(dir)).map((f) => f.slice(dir.length + 1));
    expect(files).toEqual(
      expect.arrayContaining([
        'events-default.txt',
        'pods-istio-system.txt',
        'istioctl-analyze.json',
        'not-real.txt',
        'control-plane-logs',
        'webhooks.txt',
      ]),
    );
    expect(await readFile(join(dir, 'pods-istio-system.txt'), 'utf8')).toMatch(
      /^istio-ingressgateway-7b9f8d6c5-abcde ready=true/,
    );
    expect(await readFile(join(dir, 'webhooks.txt'), 'utf8')).toBe(
      'sidecar-injector.istio.io → https://localhost:15017/inject\n',
    );
    expect(await readFile(join(dir, 'control-plane-logs', 'kube-apiserver.log'), 'utf8')).toBe('serving\n');
    const runner = t.opts.runner as FakeRunner;
    const analyze = runner.calls.find((c) => c.args[0] === 'analyze')!;
    expect(analyze.command).toBe(join(t.cacheDir, 'bin', 'istioctl'));
    expect(analyze.args).toEqual(['analyze', '-n', 'default', '-o', 'json', '--kubeconfig', t.kubeconfigPath]);
  });

  it("with no recorded control plane or a kubeconfig that won't load, has only what kwok alone can give", async () => {
    const t = await cacheWithControlPlane(false);
    const dir = await mkdtemp(join(tmpdir(), 'kwok-diag-'));
    expect((await t.diagnostics(dir)).map((f) => f.slice(dir.length + 1))).toEqual([
      'not-real.txt',
      'control-plane-logs',
    ]);
    const broken = await cacheWithControlPlane(true);
    await writeFile(broken.kubeconfigPath, 'not: a kubeconfig\n');
    const dir2 = await mkdtemp(join(tmpdir(), 'kwok-diag-'));
    expect((await broken.diagnostics(dir2)).map((f) => f.slice(dir2.length + 1))).toEqual([
      'not-real.txt',
      'control-plane-logs',
    ]);
    expect((t.opts.runner as FakeRunner).calls).toEqual([]);
  });
});

describe('KwokTarget at the end of a run: the control plane a killed run left', () => {
  let others: OtherProcess[] = [];
  beforeEach(async () => {
    process.env.MESHPROOF_LEASE_DIR = await mkdtemp(join(tmpdir(), 'leases-'));
  });
  afterEach(async () => {
    delete process.env.MESHPROOF_LEASE_DIR;
    for (const o of others) await o.stop();
    others = [];
  });

  /** A cache whose control plane was started by a run that was to stop it and has ended without doing so. */
  async function orphaned(opts: { stopOnClose: boolean }) {
    const said: string[] = [];
    const t = new KwokTarget({
      cacheDir: await mkdtemp(join(tmpdir(), 'kwok-t-')),
      notify: (l) => said.push(l),
      ...opts,
    });
    const gone = await endedProcess();
    await mkdir(t.controlPlane.layout.dir, { recursive: true });
    await t.controlPlane.writeState({
      ports: { etcdClient: 1, etcdPeer: 2, apiserver: 3, controllerManager: 4, scheduler: 5, kwok: 6 },
      daemons: [],
      dataDir: await mkdtemp(join(tmpdir(), 'meshproof-etcd-')),
      startedAt: '2026-12-07T10:00:00.000Z',
      token: 'secret',
      startedBy: { ...gone, command: 'meshproof run plans/tutorial.yaml --target kwok', since: 'then', stopsIt: true },
    });
    return { t, said, gone };
  }

  it(
    'a run that ends after it stops it, as the killed run would have, and says so; state.json is ' + 'owner-only',
    async () => {
      const { t, said, gone } = await orphaned({ stopOnClose: true });
      expect((await stat(t.controlPlane.layout.state)).mode & 0o777).toBe(0o600);
      await t.close();
      expect(said).toEqual([
        `stopping the kwok control plane that pid ${gone.pid} ` +
          '(meshproof run plans/tutorial.yaml --target kwok) since ' +
          `then started: that process is gone, and it was to stop it at its end`,
      ]);
      expect(t.controlPlane.readState()).toBeNull();
    },
  );

  it('is left running while another meshproof process holds the lease on it, and that is said', async () => {
    const { t, said } = await orphaned({ stopOnClose: true });
    const other = await liveProcess();
    others.push(other);
    const holder = {
      pid: other.pid,
      start: other.start,
      command: 'meshproof up --target kwok --shared',
      since: 'now',
      shared: true,
    };
    await writeFile(leaseFile(t.leaseKey()), JSON.stringify({ subject: 'x', holders: [holder] }));
    await t.close();
    expect(said).toEqual([
      `the kwok control plane stays up: pid ${other.pid} (meshproof up --target kwok --shared) since now still uses ` +
        `it (\`meshproof down --target kwok\` stops it once nothing does)`,
    ]);
    expect(t.controlPlane.readState()).not.toBeNull();
  });

  it('`up` and --keep leave it as it is', async () => {
    const { t, said } = await orphaned({ stopOnClose: false });
    await t.close();
    expect(said).toEqual([]);
    expect(t.controlPlane.readState()).not.toBeNull();
  });
});
