import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRunner, ok } from '../../core/testing/fake-runner.js';
import { FakeCluster } from './testing/fake-cluster.js';
import { connectCluster, type ClusterConnection } from './connection.js';
import { writeClusterDiagnostics } from './cluster-diagnostics.js';

let cluster: FakeCluster;
let dir: string;
let kubeconfig: string;

beforeEach(async () => {
  cluster = await new FakeCluster().start();
  cluster.installIstio();
  dir = mkdtempSync(join(tmpdir(), 'meshproof-cluster-diag-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cluster.kubeconfigYaml());
});
afterEach(() => cluster.stop());

const own = (seen: (ClusterConnection | null)[]) => (c: ClusterConnection | null) => {
  seen.push(c);
  return [{ file: 'own.txt', collect: async () => 'the target’s own part' }];
};

describe('writeClusterDiagnostics', () => {
  it('collects the connection’s namespace and istio-system, asks istioctl, adds the target’s parts', async () => {
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'productpage-v1-a', namespace: 'bookinfo', labels: { app: 'productpage' } },
      spec: { containers: [{ name: 'productpage' }] },
      status: { phase: 'Running' },
    });
    const runner = new FakeRunner()
      .on('/bin/istioctl', ['analyze'], ok('[]'))
      .on('/bin/istioctl', ['proxy-status'], ok('NAME\n'))
      .on('/bin/istioctl', ['proxy-config'], ok('[]'));
    const c = connectCluster({ kubeconfig, namespace: 'bookinfo', istioctl: '/bin/istioctl', runner });
    const seen: (ClusterConnection | null)[] = [];
    const out = join(dir, 'bundle');
    const files = await writeClusterDiagnostics(out, c, own(seen));
    expect(readdirSync(out).sort()).toEqual([
      'events-bookinfo.txt',
      'events-istio-system.txt',
      'istioctl-analyze.json',
      'istioctl-proxy-status.txt',
      'logs-bookinfo',
      'logs-istio-system',
      'own.txt',
      'pods-bookinfo.txt',
      'pods-istio-system.txt',
      'productpage-routes.json',
    ]);
    expect(files.at(-1)).toBe(join(out, 'own.txt'));
    expect(seen).toEqual([c]);
    expect(readFileSync(join(out, 'pods-bookinfo.txt'), 'utf8')).toMatch(/^productpage-v1-a /);
    expect(runner.argsOf('/bin/istioctl').find((a) => a[0] === 'analyze')).toEqual([
      'analyze',
      '-n',
      'bookinfo',
      '-o',
      'json',
      '--kubeconfig',
      kubeconfig,
    ]);
  });

  it('without istioctl leaves its parts out; without a connection writes only the target’s own', async () => {
    const seen: (ClusterConnection | null)[] = [];
    await writeClusterDiagnostics(
      join(dir, 'a'),
      connectCluster({ kubeconfig, istioctl: null, runner: new FakeRunner() }),
      own(seen),
    );
    expect(readdirSync(join(dir, 'a'))).not.toContain('istioctl-analyze.json');
    expect(readdirSync(join(dir, 'a'))).toContain('pods-default.txt');
    expect(await writeClusterDiagnostics(join(dir, 'b'), null, own(seen))).toEqual([join(dir, 'b', 'own.txt')]);
    expect(seen.at(-1)).toBeNull();
  });

  it("never throws: a failing part goes to errors.txt; a target whose parts can't be made answers empty", async () => {
    await cluster.stop();
    const c = connectCluster({ kubeconfig, istioctl: null, runner: new FakeRunner() });
    const files = await writeClusterDiagnostics(join(dir, 'c'), c, () => []);
    expect(files).toContain(join(dir, 'c', 'errors.txt'));
    expect(readFileSync(join(dir, 'c', 'errors.txt'), 'utf8')).toMatch(
      /^cluster: events, pods, logs and istioctl not collected: failed to list Namespace/,
    );
    expect(
      await writeClusterDiagnostics(join(dir, 'd'), c, () => {
        throw new Error('no parts');
      }),
    ).toEqual([]);
  });
});
