/**
 * Where the local translation knowingly differs from istiod's, found by comparing the two on the
 * kwok target (e2e/kwok/translation.suite.ts), each with why it stays. `meshproof lint` prints
 * them with the local target's other notes; the comparison fails on any difference not listed.
 */
import type { KubeObject } from '../../kube/manifest.js';
import { ABSENT, type RouteDifference } from './istiod-diff.js';

export interface KnownDifference {
  /** Matched against `<where> <path>` of a difference. */
  pattern: RegExp;
  /** Where the place alone does not tell: whether the two values are the ones this difference gives. */
  values?: (local: unknown, istiod: unknown) => boolean;
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

/** Envoy's RedirectAction response codes; istiod writes no action for any other 3xx the webhook accepts. */
const ENVOY_REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

/** A redirect whose redirectCode is a 3xx Envoy has no response code for (300, 304, 305, 306). */
function redirectCodeWithoutAction(o: KubeObject): (string | number)[] | null {
  if (o.kind !== 'VirtualService') return null;
  const rules = Array.isArray(o.spec?.http) ? (o.spec.http as { redirect?: { redirectCode?: unknown } }[]) : [];
  const i = rules.findIndex((r) => {
    const code = r?.redirect?.redirectCode;
    return typeof code === 'number' && code !== 0 && !ENVOY_REDIRECT_CODES.has(code);
  });
  return i < 0 ? null : ['spec', 'http', i, 'redirect', 'redirectCode'];
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
  {
    pattern: /\.redirect$/,
    // The local route redirects (with 301, no responseCode); istiod's has no redirect and no other action.
    values: (local, istiod) =>
      istiod === ABSENT && typeof local === 'object' && local !== null && !('responseCode' in local),
    appliesTo: redirectCodeWithoutAction,
    reason:
      'for a redirectCode the webhook accepts but Envoy has no response code for (300, 304, 305, 306) istiod ' +
      'writes the route without any action (route.go ApplyRedirect), and Envoy refuses the whole route ' +
      'configuration, keeping the one it had. The local mesh redirects with 301 instead of simulating a ' +
      'refused configuration; use 301, 302, 303, 307 or 308',
  },
];

export function knownDifference(d: RouteDifference): KnownDifference | null {
  const key = `${d.where} ${d.path}`;
  return KNOWN_DIFFERENCES.find((k) => k.pattern.test(key) && (k.values?.(d.local, d.istiod) ?? true)) ?? null;
}

/** The listed differences an object has a part in, with where (for `lint`). */
export function knownDifferencesOf(o: KubeObject): { path: (string | number)[]; reason: string }[] {
  return KNOWN_DIFFERENCES.flatMap((k) => {
    const path = k.appliesTo(o);
    return path ? [{ path, reason: k.reason }] : [];
  });
}
