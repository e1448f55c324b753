/**
 * The local translation held to istiod's: one proxy's route configurations as the local mesh
 * writes them against the RouteConfigurations istiod sent the same proxy, field by field.
 *
 * The normalisation, applied to both sides before comparing:
 * - Route configurations are matched by name, virtual hosts by name; key order never counts,
 *   array order always does (Envoy evaluates routes in order).
 * - A Service's ClusterIP in a virtual host's domains becomes `<cluster-ip>`: the local mesh
 *   allocates its own addresses.
 * - Route configurations that only istio-system's Services use (istiod's and the gateway's own
 *   ports) are not compared: the local mesh has no istio-system Services.
 * Every other field counts, including metadata and decorators.
 */
import type { RouteConfiguration } from '../envoy/types.js';

export interface RouteDifference {
  /** `<route config>/<virtual host>` and a dotted path inside it. */
  where: string;
  path: string;
  local: unknown;
  istiod: unknown;
}

/** The value a side shows for a field or resource it does not have. */
export const ABSENT = '<absent>';
const CLUSTER_IP = /^10\.96\.\d+\.\d+(:\d+)?$/;

export function diffRouteConfigs(local: RouteConfiguration[], istiod: RouteConfiguration[]): RouteDifference[] {
  const out: RouteDifference[] = [];
  const theirs = new Map(istiod.map((rc) => [rc.name ?? '', normalise(rc)]));
  const ours = new Map(local.map((rc) => [rc.name ?? '', normalise(rc)]));
  for (const [name, rc] of ours) {
    const other = theirs.get(name);
    if (!other) {
      out.push({ where: name, path: '', local: 'present', istiod: ABSENT });
      continue;
    }
    const { virtualHosts: ourHosts = [], ...ourTop } = rc;
    const { virtualHosts: theirHosts = [], ...theirTop } = other;
    deepDiff(ourTop, theirTop, '', (path, a, b) => out.push({ where: name, path, local: a, istiod: b }));
    const byName = (hosts: typeof ourHosts) => new Map(hosts.map((h) => [h.name ?? '', h]));
    const [a, b] = [byName(ourHosts), byName(theirHosts)];
    for (const host of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      const where = `${name}/${host}`;
      if (!a.has(host) || !b.has(host))
        out.push({
          where,
          path: '',
          local: a.has(host) ? 'present' : ABSENT,
          istiod: b.has(host) ? 'present' : ABSENT,
        });
      else deepDiff(a.get(host), b.get(host), '', (path, x, y) => out.push({ where, path, local: x, istiod: y }));
    }
  }
  for (const [name, rc] of theirs) {
    if (ours.has(name) || onlyIstioSystem(rc)) continue;
    out.push({ where: name, path: '', local: ABSENT, istiod: 'present' });
  }
  return out;
}

function normalise(rc: RouteConfiguration): RouteConfiguration {
  const copy = structuredClone(rc);
  for (const vh of copy.virtualHosts ?? [])
    vh.domains = (vh.domains ?? []).map((d) => (CLUSTER_IP.test(d) ? d.replace(/^[\d.]+/, '<cluster-ip>') : d));
  return copy;
}

function onlyIstioSystem(rc: RouteConfiguration): boolean {
  const hosts = (rc.virtualHosts ?? []).filter((v) => v.name !== 'allow_any' && v.name !== 'block_all');
  return hosts.length > 0 && hosts.every((v) => (v.name ?? '').includes('.istio-system.svc.'));
}

/** Calls `found` for every leaf where the two JSON values differ, with a dotted path. */
export function deepDiff(
  a: unknown,
  b: unknown,
  path: string,
  found: (path: string, a: unknown, b: unknown) => void,
): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) found(`${path}.length`, a.length, b.length);
    for (let i = 0; i < Math.min(a.length, b.length); i++) deepDiff(a[i], b[i], `${path}[${i}]`, found);
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a)) found(p, ABSENT, b[k]);
      else if (!(k in b)) found(p, a[k], ABSENT);
      else deepDiff(a[k], b[k], p, found);
    }
    return;
  }
  if (a !== b) found(path, a, b);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
