import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Istioctl } from './istioctl.js';
import { istioOperatorOverlay, istioOperatorOverlayYaml } from './overlay.js';
import { FakeRunner, fail, ok } from '../../core/testing/fake-runner.js';
import { resolveVersions } from './versions.js';
import { CommandError, EnvironmentError } from '../../core/errors.js';

describe('IstioOperator overlay', () => {
  const v = resolveVersions({}, {});
  const spec = (parse(istioOperatorOverlayYaml(v)) as any).spec;

  it('uses the demo profile, the pinned hub and tag, and no egress gateway', () => {
    expect(spec.profile).toBe('demo');
    expect(spec.hub).toBe('docker.io/istio');
    expect(spec.tag).toBe('1.31.1');
    expect(spec.components.egressGateways).toEqual([{ name: 'istio-egressgateway', enabled: false }]);
  });

  it('makes the ingress gateway a NodePort with http2 fixed at 30080 and the full port list', () => {
    const gw = spec.components.ingressGateways[0];
    expect(gw).toMatchObject({ name: 'istio-ingressgateway', enabled: true });
    expect(gw.k8s.service.type).toBe('NodePort');
    const ports = gw.k8s.service.ports;
    expect(ports.map((p: any) => p.name)).toEqual(['status-port', 'http2', 'https']);
    expect(ports.find((p: any) => p.name === 'http2')).toEqual({
      name: 'http2',
      port: 80,
      targetPort: 8080,
      nodePort: 30080,
    });
    expect(ports.find((p: any) => p.name === 'https')).toEqual({
      name: 'https',
      port: 443,
      targetPort: 8443,
      nodePort: 30443,
    });
    // No node port is left to chance: a random one for the status port could take https's 30443 first.
    expect(ports.find((p: any) => p.name === 'status-port')).toEqual({
      name: 'status-port',
      port: 15021,
      targetPort: 15021,
      nodePort: 30021,
    });
    // Istio refuses target ports below 1024 for a non-root gateway.
    expect(ports.every((p: any) => p.targetPort >= 1024)).toBe(true);
  });

  it('follows overrides of hub, tag and node port', () => {
    const o = istioOperatorOverlay(
      resolveVersions({ istioHub: 'mirror.local:5000/istio' }, { MESHPROOF_ISTIO_VERSION: '1.31.2' }),
      { httpNodePort: 31080 },
    ) as any;
    expect(o.spec.hub).toBe('mirror.local:5000/istio');
    expect(o.spec.tag).toBe('1.31.2');
    expect(o.spec.components.ingressGateways[0].k8s.service.ports[1].nodePort).toBe(31080);
  });
});

describe('istioctl command lines', () => {
  const ic = new Istioctl({
    binary: '/c/istioctl',
    kubeconfig: '/c/kind-meshproof.kubeconfig',
    context: 'kind-meshproof',
  });
  const cluster = ['--kubeconfig', '/c/kind-meshproof.kubeconfig', '--context', 'kind-meshproof'];

  it('install: -y -f overlay with a readiness timeout, pointed at the kubeconfig', () => {
    expect(ic.installArgs('/c/iop.yaml')).toEqual([
      'install',
      '-y',
      '-f',
      '/c/iop.yaml',
      '--readiness-timeout',
      '5m',
      ...cluster,
    ]);
  });
  it('proxy-config routes <pod>.<ns> -o json', () => {
    expect(ic.proxyRoutesArgs('productpage-v1-abc-12345', 'default')).toEqual([
      'proxy-config',
      'routes',
      'productpage-v1-abc-12345.default',
      '-o',
      'json',
      ...cluster,
    ]);
  });
  it('analyze -o json, one namespace or all', () => {
    expect(ic.analyzeArgs('default')).toEqual(['analyze', '-n', 'default', '-o', 'json', ...cluster]);
    expect(ic.analyzeArgs()).toEqual(['analyze', '-A', '-o', 'json', ...cluster]);
  });
  it('proxy-status and x precheck', () => {
    expect(ic.proxyStatusArgs()).toEqual(['proxy-status', ...cluster]);
    expect(ic.precheckArgs()).toEqual(['x', 'precheck', ...cluster]);
  });
  it('without a kubeconfig adds no cluster flags', () => {
    expect(new Istioctl({ binary: 'istioctl' }).proxyStatusArgs()).toEqual(['proxy-status']);
  });
});

describe('istioctl through the runner', () => {
  it('parses a route dump and refuses output that is not one', async () => {
    const runner = new FakeRunner()
      .on('/c/istioctl', ['proxy-config', 'routes', 'good.default'], ok('[{"name":"9080","virtualHosts":[]}]'))
      .on('/c/istioctl', ['proxy-config', 'routes', 'bad.default'], ok('Error: not a proxy'))
      .on('/c/istioctl', ['proxy-config', 'routes', 'gone.default'], fail(1, 'Error: pods "gone" not found'));
    const ic = new Istioctl({ binary: '/c/istioctl', runner });
    expect(await ic.proxyRoutes('good', 'default')).toEqual([{ name: '9080', virtualHosts: [] }]);
    await expect(ic.proxyRoutes('bad', 'default')).rejects.toThrow(EnvironmentError);
    const err = await ic.proxyRoutes('gone', 'default').catch((e) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err.message).toContain('pods "gone" not found');
    expect(runner.calls[0]!.args).toEqual(['proxy-config', 'routes', 'good.default', '-o', 'json']);
  });

  it('install failure carries the command and its output', async () => {
    const runner = new FakeRunner().on(
      '/c/istioctl',
      ['install'],
      fail(1, 'Error: failed to install manifests: context deadline exceeded'),
    );
    const err = await new Istioctl({ binary: '/c/istioctl', runner }).install('/c/iop.yaml').catch((e) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain('/c/istioctl install -y -f /c/iop.yaml');
    expect(err.message).toContain('context deadline exceeded');
  });
});
