/**
 * Where the local translation knowingly differs from istiod's, found by comparing the two on the
 * kwok target (e2e/kwok/translation.suite.ts), each with why it stays. `meshproof lint` prints
 * them with the local target's other notes; the comparison fails on any difference not listed.
 */
import type { KubeObject } from '../../kube/manifest.js';
import type { RouteDifference } from './istiod-diff.js';

export interface KnownDifference {
  /** Matched against `<where> <path>` of a difference. */
  pattern: RegExp;
  reason: string;
  /** Where in an object the difference comes from (for `lint`), or null when the object has no part in it. */
  appliesTo: (o: KubeObject) => (string | number)[] | null;
}

/**
 * A sidecar VirtualService (no gateways, or `mesh`) with a host that names no cluster Service: on a
 * cluster port 80 routes it anyway, where the local mesh routes nothing. For a Service's host the
 * port-80 virtual host changes nothing a plan sends (its traffic goes to the Service's own ports).
 */
function portEightyHost(o: KubeObject): (string | number)[] | null {
  if (o.kind !== 'VirtualService') return null;
  const gateways = o.spec?.gateways as string[] | undefined;
  if (gateways?.length && !gateways.includes('mesh')) return null;
  const hosts = (o.spec?.hosts ?? []) as string[];
  const i = hosts.findIndex((h) => h.includes('.') && !/\.svc(\.cluster\.local)?$/.test(h));
  return i < 0 ? null : ['spec', 'hosts', i];
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    pattern: /^80 $/,
    appliesTo: portEightyHost,
    reason:
      'on port 80 istiod gives every mesh VirtualService a virtual host, ' +
      "even where no Service has port 80 (Istio's port-80 special case; " +
      "the route configuration exists because istio-ingressgateway's Service has port 80). " +
      'The local mesh writes no port-80 route configuration, ' +
      'so a request to such a host on port 80 is routed by this VirtualService on a cluster and not here',
  },
];

export function knownDifference(d: RouteDifference): KnownDifference | null {
  const key = `${d.where} ${d.path}`;
  return KNOWN_DIFFERENCES.find((k) => k.pattern.test(key)) ?? null;
}

/** The listed differences an object has a part in, with where (for `lint`). */
export function knownDifferencesOf(o: KubeObject): { path: (string | number)[]; reason: string }[] {
  return KNOWN_DIFFERENCES.flatMap((k) => {
    const path = k.appliesTo(o);
    return path ? [{ path, reason: k.reason }] : [];
  });
}
