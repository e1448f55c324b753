/**
 * Which proxies must hold a VirtualService before traffic counts as settled (docs/architecture.md, Settling and
 * verification): the routes of a mesh VirtualService live in the sidecars of the workloads that call its host; those of
 * a gateway-bound one in the ingress gateway pods. Bookinfo's callers are known (bookinfo/topology.ts); a service of
 * the user's may be called by any workload, and every sidecar without a Sidecar resource holds its routes, so every
 * sidecar in the VirtualService's namespace must.
 */
import type { KubeObject } from '../kube/manifest.js';
import type { ProxyInfo } from '../targets/target.js';
import { callersOf, isBookinfoService } from '../bookinfo/topology.js';
import { GATEWAY_NAME_LABEL, gatewayOfInternalName } from '../istio/gateway-api/httproute-convert.js';

export interface ProxyDuty {
  proxy: ProxyInfo;
  vs: KubeObject;
  host: string;
  gateway: boolean;
}

export function relevantProxies(virtualServices: KubeObject[], proxies: ProxyInfo[]): ProxyDuty[] {
  const duties: ProxyDuty[] = [];
  for (const vs of virtualServices) {
    const gateways: string[] = vs.spec?.gateways?.length ? vs.spec.gateways : ['mesh'];
    for (const host of (vs.spec?.hosts ?? []) as string[]) {
      if (gateways.some((g) => g !== 'mesh')) {
        for (const p of proxies.filter((p) => p.role === 'gateway' && servesGateways(p, gateways)))
          duties.push({ proxy: p, vs, host, gateway: true });
      }
      if (gateways.includes('mesh') && !isBookinfoService(host)) {
        const ns = vs.metadata.namespace;
        for (const p of proxies)
          if (p.role === 'sidecar' && (ns === undefined || p.namespace === ns))
            duties.push({ proxy: p, vs, host, gateway: false });
      } else if (gateways.includes('mesh')) {
        const callers = callersOf(host.split('.')[0] ?? host);
        for (const p of proxies) {
          if (p.role !== 'sidecar') continue;
          const hit = callers.some(
            (c) => p.labels.app === c.app && (!c.versions || c.versions.includes(p.labels.version ?? '')),
          );
          if (hit) duties.push({ proxy: p, vs, host, gateway: false });
        }
      }
    }
  }
  return duties;
}

/**
 * A Gateway API Gateway's routes live in its own gateway pods (labelled with its name by Istio's
 * automated deployment); Istio-API Gateways' routes in the other gateway pods (the ingress gateway).
 */
function servesGateways(p: ProxyInfo, gateways: string[]): boolean {
  const own = p.labels[GATEWAY_NAME_LABEL];
  return gateways.some((g) => {
    const kube = gatewayOfInternalName(g);
    return kube ? own === kube.name && p.namespace === kube.namespace : g !== 'mesh' && own === undefined;
  });
}
