/**
 * A fake cluster for target tests: the stand-in API server plus a tiny "controller" that rolls
 * out applied Deployments after a short delay and creates their pods, injecting an istio-proxy
 * native sidecar only when the namespace carried `istio-injection=enabled` at that moment (as
 * Istio's webhook does). Also serves a fake ingress on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { FakeApiServer } from '../../../kube/testing/fake-api-server.js';
import type { KubeObject } from '../../../kube/manifest.js';
import { hasSidecar } from '../../../kube/pods.js';

export interface FakeClusterOptions {
  /** Delay before a Deployment reports rolled out. Default 20 ms. */
  rolloutDelayMs?: number;
  /** Deployments that never roll out. */
  stuck?: string[];
}

export class FakeCluster {
  readonly api = new FakeApiServer();
  url = '';
  private ingress: Server | undefined;
  /** Pods created so far, for their IPs. */
  private pods = 1;

  constructor(readonly opts: FakeClusterOptions = {}) {}

  async start(): Promise<this> {
    this.url = await this.api.start();
    this.api.intercept = (r) => {
      if (r.method === 'PATCH' && r.path.includes('/deployments/') && r.query.get('dryRun') !== 'All') {
        const d = parseYaml(r.body) as KubeObject;
        if (!this.opts.stuck?.includes(d.metadata.name))
          setTimeout(() => this.rollOut(r.path.split('/')[5] ?? 'default', d), this.opts.rolloutDelayMs ?? 20);
      }
      return undefined;
    };
    return this;
  }

  /** Marks a Deployment rolled out and creates its one pod (with a sidecar when the namespace is labelled). */
  rollOut(namespace: string, d: KubeObject): void {
    const stored = this.api.find('apps/v1', 'Deployment', d.metadata.name, namespace);
    if (!stored) return;
    const replicas = stored.spec?.replicas ?? 1;
    this.api.put({
      ...stored,
      status: {
        observedGeneration: stored.metadata.generation,
        replicas,
        updatedReplicas: replicas,
        availableReplicas: replicas,
        readyReplicas: replicas,
      },
    });
    const injected =
      this.api.find('v1', 'Namespace', namespace, '')?.metadata.labels?.['istio-injection'] === 'enabled';
    const labels = { ...(stored.spec?.template?.metadata?.labels ?? {}) };
    const containers = stored.spec?.template?.spec?.containers ?? [];
    this.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${d.metadata.name}-5d8f9c7b4-x2x7q`, namespace, labels },
      spec: { containers, initContainers: injected ? [{ name: 'istio-proxy', restartPolicy: 'Always' }] : undefined },
      status: { phase: 'Running', podIP: `10.244.0.${++this.pods}`, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  /** The pods the API server holds in `namespace`, with whether each runs a sidecar. */
  podsIn(namespace: string): { name: string; labels: Record<string, string>; sidecar: boolean }[] {
    return [...this.api.objects.values()]
      .filter((o) => o.kind === 'Pod' && o.metadata.namespace === namespace)
      .map((o) => ({ name: o.metadata.name, labels: o.metadata.labels ?? {}, sidecar: hasSidecar(o) }));
  }

  /** Puts istiod and the ingress gateway in istio-system, rolled out, with a ready gateway pod. */
  installIstio(tag = '1.31.1'): void {
    for (const name of ['istiod', 'istio-ingressgateway']) {
      this.api.put({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name,
          namespace: 'istio-system',
          generation: 1,
          labels: name === 'istiod' ? { app: 'istiod' } : { app: 'istio-ingressgateway', istio: 'ingressgateway' },
        },
        spec: {
          replicas: 1,
          template: {
            spec: {
              containers: [
                {
                  name: name === 'istiod' ? 'discovery' : 'istio-proxy',
                  image: `docker.io/istio/${name === 'istiod' ? 'pilot' : 'proxyv2'}:${tag}`,
                },
              ],
            },
          },
        },
        status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
      });
    }
    this.api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'istio-ingressgateway-7b9f8d6c5-abcde',
        namespace: 'istio-system',
        labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
      },
      spec: { containers: [{ name: 'istio-proxy' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  /** Serves 200 on every path (or what `answer` says) at 127.0.0.1:port, like a mapped ingress. */
  async serveIngress(port: number, answer: (path: string) => number = () => 200): Promise<void> {
    this.ingress = createServer((req, res) => res.writeHead(answer(req.url ?? '/')).end('ok'));
    await new Promise<void>((resolve, reject) => {
      this.ingress!.once('error', reject);
      this.ingress!.listen(port, '127.0.0.1', resolve);
    });
  }

  kubeconfigYaml(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: kind-meshproof, cluster: {server: "${this.url}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: kind-meshproof, user: {}}]',
      'contexts: [{name: kind-meshproof, context: {cluster: kind-meshproof, user: kind-meshproof}}]',
      'current-context: kind-meshproof',
      '',
    ].join('\n');
  }

  async stop(): Promise<void> {
    this.ingress?.closeAllConnections();
    await new Promise<void>((r) => (this.ingress ? this.ingress.close(() => r()) : r()));
    await this.api.stop();
  }
}

/** A free loopback port (bound, then released). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
