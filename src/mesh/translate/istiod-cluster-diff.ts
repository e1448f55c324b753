/**
 * The local clusters held to istiod's: which DestinationRule a proxy takes for a host shows only in
 * its clusters (the subsets it has, their pods, the traffic policy), never in its routes, which
 * name subset clusters whether they exist or not.
 *
 * Compared, for the outbound clusters of the given hosts only (the local mesh has no istio-system
 * Services and no `kubernetes` Service): which clusters exist, their pods (by name: istiod's
 * endpoints are pod IPs, the local ones loopback ports), and the policies the data plane acts on,
 * as src/mesh/xds-proxy/clusters-from-xds.ts reads them from Envoy's fields.
 */
import type { ClusterDef } from './clusters.js';
import { ABSENT, deepDiff, type RouteDifference } from './istiod-diff.js';

export function diffClusters(
  local: ReadonlyMap<string, ClusterDef>,
  istiod: ReadonlyMap<string, ClusterDef>,
  hosts: ReadonlySet<string>,
): RouteDifference[] {
  const ours = outboundOf(local, hosts);
  const theirs = outboundOf(istiod, hosts);
  const out: RouteDifference[] = [];
  for (const name of [...new Set([...ours.keys(), ...theirs.keys()])].sort()) {
    const where = `cluster ${name}`;
    const [a, b] = [ours.get(name), theirs.get(name)];
    if (!a || !b) out.push({ where, path: '', local: a ? 'present' : ABSENT, istiod: b ? 'present' : ABSENT });
    else deepDiff(a, b, '', (path, x, y) => out.push({ where, path, local: x, istiod: y }));
  }
  return out;
}

/** `outbound|<port>|<subset>|<host>` clusters of `hosts`, each as the fields compared. */
function outboundOf(clusters: ReadonlyMap<string, ClusterDef>, hosts: ReadonlySet<string>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [name, c] of clusters) {
    const parts = name.split('|');
    if (parts.length !== 4 || parts[0] !== 'outbound' || !hosts.has(parts[3]!)) continue;
    out.set(name, {
      pods: c.endpoints.map((e) => e.pod).sort(),
      lb: c.lb ?? 'LEAST_REQUEST',
      outlier: c.outlier ?? null,
      pool: c.pool ?? null,
    });
  }
  return out;
}
