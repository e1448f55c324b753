/**
 * The plan's `route` shorthand as the VirtualService it stands for: one HTTP rule sending the
 * host's traffic to its subsets by weight. Named after the host, so it replaces any earlier
 * VirtualService for that host applied under the same name (Bookinfo's files use the host name too).
 */
import type { KubeObject, LoadedObject, ObjectSource } from '../../kube/manifest.js';

export function buildRouteVirtualService(host: string, weights: Record<string, number>, namespace: string): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: host, namespace },
    spec: {
      hosts: [host],
      http: [{ route: Object.entries(weights).map(([subset, weight]) => ({ destination: { host, subset }, weight })) }],
    },
  };
}

/** Where the shorthand was written, so that issues about the generated object point at the plan. */
export interface ShorthandSource {
  file: string;
  /** Line of the `route` field. */
  line: number;
  /** Line of `route.weights.<subset>`, when written. */
  weightLine?: (subset: string) => number | undefined;
}

/** The shorthand's VirtualService as a LoadedObject whose source is the plan's `route` field. */
export function routeShorthandObject(
  host: string,
  weights: Record<string, number>,
  namespace: string,
  at: ShorthandSource,
): LoadedObject {
  const object = buildRouteVirtualService(host, weights, namespace);
  const subsets = Object.keys(weights);
  const source: ObjectSource = {
    file: at.file,
    line: at.line,
    index: 0,
    lineOf: (path) => {
      // spec.http[0].route[i]… is the i-th weight of the shorthand.
      if (path[0] === 'spec' && path[1] === 'http' && path[3] === 'route' && typeof path[4] === 'number') {
        const subset = subsets[path[4]];
        if (subset !== undefined) return at.weightLine?.(subset) ?? at.line;
      }
      return at.line;
    },
  };
  return { object, source };
}
