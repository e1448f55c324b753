import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../../core/errors.js';
import { FakeRunner, ok } from '../../core/testing/fake-runner.js';
import { FakeCluster } from './testing/fake-cluster.js';
import { connectCluster, connected, reconnect } from './connection.js';

let cluster: FakeCluster;
let dir: string;
let kubeconfig: string;
const runner = new FakeRunner().on('/bin/istioctl', ['proxy-config', 'routes'], ok('[{"name":"9080"}]'));

beforeEach(async () => {
  cluster = await new FakeCluster().start();
  dir = mkdtempSync(join(tmpdir(), 'meshproof-connection-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cluster.kubeconfigYaml());
});
afterEach(() => cluster.stop());

describe('connectCluster', () => {
  it('builds the API client and istioctl from one kubeconfig and context, in the namespace given', async () => {
    cluster.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'productpage-v1-a', namespace: 'bookinfo' },
      spec: { containers: [{ name: 'productpage' }] },
    });
    const c = connectCluster({
      kubeconfig,
      context: 'kind-meshproof',
      namespace: 'bookinfo',
      istioctl: '/bin/istioctl',
      runner,
    });
    expect(c.kubeConfig.getCurrentContext()).toBe('kind-meshproof');
    expect(c.namespace).toBe('bookinfo');
    expect((await c.kube.list('v1', 'Pod', 'bookinfo')).items.map((p) => p.metadata.name)).toEqual([
      'productpage-v1-a',
    ]);
    expect(await c.istioctl!.proxyRoutes('productpage-v1-a', 'bookinfo')).toEqual([{ name: '9080' }]);
    expect(runner.argsOf('/bin/istioctl').at(-1)).toEqual([
      'proxy-config',
      'routes',
      'productpage-v1-a.bookinfo',
      '-o',
      'json',
      '--kubeconfig',
      kubeconfig,
      '--context',
      'kind-meshproof',
    ]);
  });

  it('works in `default` unless told otherwise, has no istioctl when none is usable, and never changes', () => {
    const c = connectCluster({ kubeconfig, istioctl: null, runner });
    expect(c.namespace).toBe('default');
    expect(c.istioctl).toBeNull();
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => Object.assign(c, { namespace: 'other' })).toThrow(TypeError);
  });

  it('names the kubeconfig or context it cannot use', () => {
    expect(() => connectCluster({ kubeconfig, context: 'prod', istioctl: null, runner })).toThrow(
      'kubeconfig has no context "prod" (known: kind-meshproof)',
    );
    const err = thrown(() => connectCluster({ kubeconfig: join(dir, 'absent'), istioctl: null, runner }));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe(`cannot load kubeconfig ${join(dir, 'absent')}: no such file`);
  });
});

describe('reconnect (the diagnostics way in, in a later process)', () => {
  it('connects through the kubeconfig left on disk', async () => {
    cluster.installIstio();
    const c = reconnect({ kubeconfig, istioctl: null, runner });
    expect(c).not.toBeNull();
    expect((await c!.kube.list('v1', 'Pod', 'istio-system')).items.map((p) => p.metadata.name)).toEqual([
      'istio-ingressgateway-7b9f8d6c5-abcde',
    ]);
  });

  it('is null, without throwing, when no kubeconfig was left or it does not load', () => {
    expect(reconnect({ kubeconfig: join(dir, 'absent'), istioctl: null, runner })).toBeNull();
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\ncurrent-context: gone\n');
    expect(reconnect({ kubeconfig, istioctl: null, runner })).toBeNull();
  });
});

describe('connected', () => {
  it('hands back the connection up made, and before up says which target is not connected and what to run', () => {
    const c = connectCluster({ kubeconfig, istioctl: null, runner });
    expect(connected(c, 'kind')).toBe(c);
    const err = thrown(() => connected(null, 'existing'));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe('the existing target is not connected to a cluster yet');
    expect(err.hint).toBe('run `meshproof up` first');
  });
});

function thrown(fn: () => unknown): EnvironmentError {
  try {
    fn();
  } catch (err) {
    return err as EnvironmentError;
  }
  throw new Error('expected an error');
}
