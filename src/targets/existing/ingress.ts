/**
 * Finding the ingress gateway's URL on a cluster that already runs Istio: the
 * istio-ingressgateway Service's load balancer address when it has one, else its http2 NodePort on
 * a node address (external first, then internal).
 */
import { EnvironmentError } from '../../core/errors.js';
import type { KubeClient } from '../../kube/client.js';
import type { KubeObject } from '../../kube/manifest.js';

export function ingressUrlFromService(svc: KubeObject, nodes: readonly KubeObject[]): string | null {
  const ports = (svc.spec?.ports ?? []) as { name?: string; port?: number; nodePort?: number }[];
  const http =
    ports.find((p) => p.name === 'http2') ?? ports.find((p) => p.name === 'http') ?? ports.find((p) => p.port === 80);
  if (!http) return null;
  const lb = ((svc.status as any)?.loadBalancer?.ingress ?? [])[0] as { ip?: string; hostname?: string } | undefined;
  const lbHost = lb?.ip ?? lb?.hostname;
  if (lbHost) return `http://${bracket(lbHost)}${http.port === 80 ? '' : `:${http.port}`}`;
  if (!http.nodePort) return null;
  const address = nodeAddress(nodes);
  return address ? `http://${bracket(address)}:${http.nodePort}` : null;
}

function nodeAddress(nodes: readonly KubeObject[]): string | undefined {
  const addrs = nodes.flatMap((n) => ((n.status as any)?.addresses ?? []) as { type: string; address: string }[]);
  return addrs.find((a) => a.type === 'ExternalIP')?.address ?? addrs.find((a) => a.type === 'InternalIP')?.address;
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The ingress URL and the Service it was found on (whose endpoints are the gateway pods). */
export async function discoverIngress(
  client: KubeClient,
  namespace = 'istio-system',
): Promise<{ url: string; service: { namespace: string; name: string } }> {
  const { items } = await client.list('v1', 'Service', namespace, { labelSelector: 'istio=ingressgateway' });
  const svc = items.find((s) => s.metadata.name === 'istio-ingressgateway') ?? items[0];
  if (!svc) {
    throw new EnvironmentError(`no ingress gateway Service (label istio=ingressgateway) in ${namespace}`, {
      hint: 'pass --ingress-url http://HOST:PORT',
    });
  }
  const nodes =
    svc.spec?.type === 'LoadBalancer' && (svc.status as any)?.loadBalancer?.ingress?.length
      ? []
      : (await client.list('v1', 'Node')).items;
  const url = ingressUrlFromService(svc, nodes);
  if (!url) {
    throw new EnvironmentError(
      `Service ${svc.metadata.name}.${namespace} has no load balancer address and no http2 node port`,
      {
        hint:
          'pass --ingress-url http://HOST:PORT (for example after ' +
          '`kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80`)',
      },
    );
  }
  return { url, service: { namespace, name: svc.metadata.name } };
}
