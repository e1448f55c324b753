/**
 * Where the local translation knowingly differs from istiod's, found by comparing the two on the
 * kwok target (e2e/kwok/translation.test.ts), each with why it stays. `meshproof lint` prints
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

/** A VirtualService that applies to sidecars (its gateways list is absent or names `mesh`). */
function meshVirtualService(o: KubeObject): (string | number)[] | null {
  if (o.kind !== 'VirtualService') return null;
  const gateways = o.spec?.gateways as string[] | undefined;
  return !gateways?.length || gateways.includes('mesh') ? ['spec', 'hosts'] : null;
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    pattern: /^80 $/,
    appliesTo: meshVirtualService,
    reason:
      "on port 80 istiod gives every mesh VirtualService a virtual host, even where no Service has port 80 (Istio's port-80 special case; the route configuration exists because istio-ingressgateway's Service has port 80). The local mesh writes no port-80 route configuration; Bookinfo sends nothing to port 80",
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
