/**
 * The plan's `route` shorthand as an HTTPRoute (`api: gateway-api`): the host's Service as the
 * parent (so the callers' sidecars apply it, as with a mesh VirtualService) and one backendRef per
 * weight, to the versioned Service `<host>-<version>` (Istio's bookinfo-versions.yaml naming: the
 * Gateway API has no subsets). Named after the host, so it replaces the HTTPRoute of an earlier step.
 */
import type { KubeObject, LoadedObject, ObjectSource } from '../../kube/manifest.js';
import type { ShorthandSource } from './route-shorthand.js';

export function buildRouteHTTPRoute(
  host: string,
  weights: Record<string, number>,
  namespace: string,
  port: number,
): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: host, namespace },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: host, port }],
      rules: [
        {
          backendRefs: Object.entries(weights).map(([version, weight]) => ({
            name: versionedService(host, version),
            port,
            weight,
          })),
        },
      ],
    },
  };
}

/** `reviews` + `v3` → `reviews-v3`. */
export function versionedService(host: string, version: string): string {
  return `${host}-${version}`;
}

/** The shorthand's HTTPRoute as a LoadedObject whose source is the plan's `route` field. */
export function routeShorthandHTTPRoute(
  host: string,
  weights: Record<string, number>,
  namespace: string,
  port: number,
  at: ShorthandSource,
): LoadedObject {
  const object = buildRouteHTTPRoute(host, weights, namespace, port);
  const versions = Object.keys(weights);
  const source: ObjectSource = {
    file: at.file,
    line: at.line,
    index: 0,
    lineOf: (path) => {
      // spec.rules[0].backendRefs[i]… is the i-th weight of the shorthand.
      if (path[0] === 'spec' && path[1] === 'rules' && path[3] === 'backendRefs' && typeof path[4] === 'number') {
        const v = versions[path[4]];
        if (v !== undefined) return at.weightLine?.(v) ?? at.line;
      }
      return at.line;
    },
  };
  return { object, source };
}
