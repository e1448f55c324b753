import { describe, expect, it } from 'vitest';
import { componentSpecs } from './components.js';
import { kwokLayout } from './layout.js';
import { istiodArgs } from './istiod.js';

const ports = { etcdClient: 1, etcdPeer: 2, apiserver: 3, controllerManager: 4, scheduler: 5, kwok: 6 };
const specs = componentSpecs({
  bin: (n) => `/bin/${n}`,
  layout: kwokLayout('/c'),
  ports,
  dataDir: '/tmp/d',
  stagesFile: '/c/bin/kwok-stages.yaml',
});
const LISTEN = /^--(listen-[a-z-]+|bind-address|advertise-address|[a-zA-Z]*Addr|ctrlz_address|server-address)=/;

describe('every control plane process listens on 127.0.0.1 only', () => {
  it.each(specs.map((s) => [s.name, s.args] as const))('%s', (_name, args) => {
    for (const a of args.filter((x) => LISTEN.test(x))) expect(a).toMatch(/=(http:\/\/)?127\.0\.0\.1(:\d+)?$/);
    expect(args.join(' ')).not.toMatch(/0\.0\.0\.0/);
  });

  it('the controller-manager and scheduler have their bind address set (both default to all interfaces)', () => {
    for (const s of specs.filter((x) => x.name === 'kube-controller-manager' || x.name === 'kube-scheduler'))
      expect(s.args).toContain('--bind-address=127.0.0.1');
  });

  it('kwok serves the kubelet API on 127.0.0.1 at the node port the API server is told, with a cert it trusts', () => {
    const kwok = specs.find((s) => s.name === 'kwok')!;
    const apiserver = specs.find((s) => s.name === 'kube-apiserver')!;
    expect(kwok.args).toContain('--server-address=127.0.0.1:6');
    expect(kwok.args).toContain('--node-port=6');
    const cert = kwok.args.find((a) => a.startsWith('--tls-cert-file='))!.split('=')[1];
    expect(apiserver.args).toContain(`--kubelet-certificate-authority=${cert}`);
  });

  it('istiod: every listener on 127.0.0.1', () => {
    const args = istiodArgs('/k', { http: 1, webhook: 2, grpc: 3, secureGrpc: 4, monitoring: 5, ctrlz: 6 });
    const listeners = args.filter((x) => LISTEN.test(x));
    expect(listeners.map((a) => a.split('=')[0])).toEqual([
      '--httpAddr',
      '--httpsAddr',
      '--grpcAddr',
      '--secureGRPCAddr',
      '--monitoringAddr',
      '--ctrlz_address',
    ]);
    for (const a of listeners) expect(a).toMatch(/=127\.0\.0\.1(:\d+)?$/);
  });
});

describe('the processes keep loopback out of any proxy', () => {
  it('adds localhost and 127.0.0.1 to NO_PROXY, keeping what the user set', async () => {
    const { noProxy } = await import('./processes.js');
    expect(noProxy({ NO_PROXY: 'corp.example' })).toEqual({
      NO_PROXY: 'corp.example,localhost,127.0.0.1',
      no_proxy: 'corp.example,localhost,127.0.0.1',
    });
    expect(noProxy({}).NO_PROXY).toBe('localhost,127.0.0.1');
  });
});
