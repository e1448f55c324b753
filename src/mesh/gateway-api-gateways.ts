/**
 * Istio's automated deployment for Gateway API Gateways of class istio, as the local mesh plays it:
 * each such Gateway gets its own gateway pod (`<name>-istio-<hash>-<hash>`, labelled
 * `gateway.networking.k8s.io/gateway-name` as Istio's kube-gateway template labels it) with its own
 * proxy, and each of its HTTP listener ports its own loopback listener, as a cluster gives the
 * generated gateway its own Service. The Istio ingress gateway keeps its own port; a plan that
 * routes through a Gateway API Gateway is pointed at that gateway's URL (see the README).
 */
import type { Random } from '../core/random.js';
import type { KubeObject } from '../kube/manifest.js';
import { GATEWAY_NAME_LABEL } from '../istio/gateway-api/httproute-convert.js';
import { Ingress } from './ingress.js';
import { podName, templateHash } from './pod-names.js';
import type { MeshProxy, ProxyIdentity } from './proxy/proxy.js';
import type { ConfigStore } from './store.js';
import { isGatewayApi } from './translate/httproute.js';

interface Deployed {
  proxy: MeshProxy;
  /** One loopback listener per HTTP listener port, in the Gateway's listener order. */
  ingresses: { port: number; ingress: Ingress }[];
  /** What the deployment was made for: a changed port list redeploys it. */
  ports: string;
}

export class GatewayApiGateways {
  private readonly deployed = new Map<string, Deployed>();

  constructor(
    private readonly seed: number,
    private readonly random: Random,
    private readonly newProxy: (identity: ProxyIdentity) => MeshProxy,
  ) {}

  /**
   * Deploys gateways for new Gateways, removes those of deleted ones; returns the proxies made, which start with the
   * full config.
   */
  async reconcile(store: ConfigStore): Promise<MeshProxy[]> {
    const wanted = new Map<string, KubeObject>();
    for (const e of store.entries('Gateway')) {
      if (isGatewayApi(e.object) && e.object.spec?.gatewayClassName === 'istio')
        wanted.set(`${e.object.metadata.namespace ?? 'default'}/${e.object.metadata.name}`, e.object);
    }
    const added: MeshProxy[] = [];
    for (const [key, d] of this.deployed) {
      const gw = wanted.get(key);
      if (gw && httpPorts(gw).join(',') === d.ports) continue;
      this.deployed.delete(key);
      d.proxy.cancelPending();
      await Promise.all(d.ingresses.map((i) => i.ingress.stop()));
    }
    for (const [key, gw] of wanted) {
      if (this.deployed.has(key)) continue;
      const d = this.deploy(gw);
      this.deployed.set(key, d);
      added.push(d.proxy);
      await Promise.all(d.ingresses.map((i) => i.ingress.start()));
    }
    return added;
  }

  proxies(): MeshProxy[] {
    return [...this.deployed.values()].map((d) => d.proxy);
  }

  /** The loopback URL of a Gateway's first HTTP listener; undefined when it is not deployed. */
  url(namespace: string, name: string): string | undefined {
    return this.deployed.get(`${namespace}/${name}`)?.ingresses[0]?.ingress.url;
  }

  async stop(): Promise<void> {
    for (const d of this.deployed.values()) d.proxy.cancelPending();
    await Promise.all([...this.deployed.values()].flatMap((d) => d.ingresses.map((i) => i.ingress.stop())));
  }

  private deploy(gw: KubeObject): Deployed {
    const namespace = gw.metadata.namespace ?? 'default';
    const deployment = `${gw.metadata.name}-istio`;
    const labels = {
      [GATEWAY_NAME_LABEL]: gw.metadata.name,
      'gateway.istio.io/managed': 'istio.io-gateway-controller',
      'service.istio.io/canonical-name': deployment,
      'service.istio.io/canonical-revision': 'latest',
      'sidecar.istio.io/inject': 'false',
    };
    const hash = templateHash(this.seed, `${namespace}/${deployment}`, labels);
    const pod = podName(
      deployment,
      hash,
      this.random.fork(`gateway-api:${namespace}/${gw.metadata.name}`),
      () => false,
    );
    const proxy = this.newProxy({ pod, namespace, labels, role: 'gateway' });
    const ports = httpPorts(gw);
    return {
      proxy,
      ingresses: ports.map((port) => ({ port, ingress: new Ingress(proxy, port, 0) })),
      ports: ports.join(','),
    };
  }
}

/** The distinct ports of the HTTP listeners, in order. */
function httpPorts(gw: KubeObject): number[] {
  const ports = ((gw.spec?.listeners ?? []) as { port: number; protocol: string }[])
    .filter((l) => l.protocol === 'HTTP')
    .map((l) => Number(l.port));
  return [...new Set(ports)];
}
