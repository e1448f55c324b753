/**
 * What the command line says is what it did: policy kinds users' manifests hold are accepted and
 * noted as stored, `down` never claims a deletion it did not make, a missing kubeconfig is named
 * as such, `doctor --target existing` checks the cluster, and results go to stdout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meshproof, root } from './cli.js';
import { oneStepPlan, writePlan } from './quick-plan.js';
import { FakeCluster, freePort } from '../src/targets/cluster/testing/fake-cluster.js';

const POLICIES = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default }
spec: { mtls: { mode: STRICT } }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: allow-all }
spec: { rules: [{}] }
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: external-api }
spec: { hosts: [api.example.com], ports: [{ number: 443, name: https, protocol: TLS }], resolution: DNS }
`;

async function kubeconfigFor(server: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'meshproof-kc-')), 'config');
  await writeFile(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
`,
  );
  return file;
}

describe('kinds users keep beside their routes', () => {
  it('PeerAuthentication, AuthorizationPolicy, ServiceEntry: accepted and noted as stored, not simulated', async () => {
    const policies = await writePlan(POLICIES, 'policies.yaml');
    const plan = await writePlan(oneStepPlan('policies').replace('setup: [', `setup: [${JSON.stringify(policies)}, `));
    const run = await meshproof(['lint', plan]);
    expect(run.code, run.stdout).toBe(0);
    for (const kind of ['PeerAuthentication', 'AuthorizationPolicy', 'ServiceEntry']) {
      expect(run.stdout).toMatch(
        new RegExp(
          `^note  ${policies}:\\d+: ${kind} .*: ${kind} has no effect on the local mesh: ` +
            'it is stored and read back, nothing more',
          'm',
        ),
      );
    }
  });
});

describe('down never claims what it did not do', () => {
  it('--target local: nothing to delete in another process', async () => {
    const run = await meshproof(['down', '--target', 'local']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/deleted the/);
    expect(run.stderr).toMatch(/nothing deleted: the local mesh lives only inside the process that serves it/);
  });

  it('--target existing against an unreachable cluster: no deletion claimed', async () => {
    const kubeconfig = await kubeconfigFor(`http://127.0.0.1:${await freePort()}`);
    const run = await meshproof(['down', '--target', 'existing', '--kubeconfig', kubeconfig]);
    expect(run.stderr).not.toMatch(/deleted the/);
    expect(run.stderr).toMatch(/nothing deleted: meshproof never deletes from a cluster it did not create/);
  });
});

describe('the existing target without a kubeconfig', () => {
  it('says no kubeconfig was found, and where it looked', async () => {
    const home = await mkdtemp(join(tmpdir(), 'meshproof-home-'));
    const run = await meshproof(['run', join(root, 'plans', 'tutorial.yaml'), '--target', 'existing'], {
      env: { HOME: home, KUBECONFIG: '' },
    });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout + run.stderr).toContain(
      `no kubeconfig found: looked at ${join(home, '.kube', 'config')} ($KUBECONFIG is not set)`,
    );
    expect(run.stdout + run.stderr).not.toContain('skipTLSVerify');
  });
});

describe('doctor --target existing checks the cluster, not Docker', () => {
  let cluster: FakeCluster;
  beforeAll(async () => {
    cluster = await new FakeCluster().start();
    cluster.installIstio();
  });
  afterAll(() => cluster.stop());

  it('a cluster with Istio and a reachable ingress: ready', async () => {
    const kubeconfig = join(await mkdtemp(join(tmpdir(), 'meshproof-kc-')), 'config');
    await writeFile(kubeconfig, cluster.kubeconfigYaml());
    const port = await freePort();
    await cluster.serveIngress(port);
    const run = await meshproof([
      'doctor',
      '--target',
      'existing',
      '--kubeconfig',
      kubeconfig,
      '--ingress-url',
      `http://127.0.0.1:${port}`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^ok +API server: answers/m);
    expect(run.stderr).toMatch(/^ok +Istio: istiod 1\.31\.1/m);
    expect(run.stderr).toMatch(
      new RegExp(
        /^ok +ingress gateway: http:\/\/127\.0\.0\.1:\d+ \(given by --ingress-url\) answered \/productpage /.source +
          /with HTTP 200/.source,
        'm',
      ),
    );
    expect(run.stderr).not.toMatch(/Docker|^\S+ +kind:/m);
  });

  it('an unreachable API server: not ready, exit 3, said in seconds', async () => {
    const kubeconfig = await kubeconfigFor(`http://127.0.0.1:${await freePort()}`);
    const run = await meshproof(['doctor', '--target', 'existing', '--kubeconfig', kubeconfig]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^MISSING API server: not reachable/m);
    expect(run.stderr).not.toMatch(/Docker|^\S+ +kind:/m);
    expect(run.ms).toBeLessThan(15_000);
  });
});

describe('stdout holds the result, stderr the progress', () => {
  it('run: the result lines on stdout, the steps on stderr; --json alone on stdout', async () => {
    const plan = await writePlan(oneStepPlan('streams'));
    const human = await meshproof(['run', plan, '--target', 'local', '--seed', '1']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^\n✓ passed: streams on local — 1 of 1 steps passed, [\d.]+m?s\nreport: /);
    expect(human.stderr).toContain('▸ step 1/1 all-v1');
    expect(human.stderr).not.toContain('✓ passed: streams');
    const json = await meshproof(['run', plan, '--target', 'local', '--seed', '1', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ plan: 'streams', outcome: 'passed' });
    expect(json.stderr).toContain('✓ passed: streams');
  });
});
