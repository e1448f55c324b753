/**
 * Cross-checks for the Gateway API that need more than one object: every backendRef names a
 * Service some manifest of the plan defines (or the Bookinfo base), with that port; every parent
 * exists; and a note where one step leaves both a VirtualService and an HTTPRoute for one host,
 * saying which one Istio's sidecars use.
 */
import type { InputIssue } from '../core/errors.js';
import type { KubeObject, LoadedObject } from '../kube/manifest.js';
import { GATEWAY_API_GROUP } from '../istio/validate/validate-gateway-api-common.js';
import { routeParents } from '../istio/gateway-api/httproute-convert.js';
import { qualifyHost } from './subsets.js';
import type { PlanNote } from './types.js';

/** Services by `namespace/name` → their ports, and Gateway API Gateways by `namespace/name`. */
export class ClusterIndex {
  readonly services = new Map<string, number[]>();
  readonly gateways = new Map<string, KubeObject>();

  constructor(
    objects: readonly LoadedObject[],
    private readonly namespace: string,
  ) {
    for (const { object: o } of objects) {
      const key = `${o.metadata.namespace ?? namespace}/${o.metadata.name}`;
      if (o.kind === 'Service' && o.apiVersion === 'v1')
        this.services.set(
          key,
          ((o.spec?.ports ?? []) as { port: unknown }[]).map((p) => Number(p.port)),
        );
      if (o.kind === 'Gateway' && o.apiVersion.startsWith(`${GATEWAY_API_GROUP}/`)) this.gateways.set(key, o);
    }
  }

  /** The only port of a Service, or undefined (unknown Service, or several ports). */
  onlyPort(name: string, namespace = this.namespace): number | undefined {
    const ports = this.services.get(`${namespace}/${name}`);
    return ports?.length === 1 ? ports[0] : undefined;
  }
}

const BASE_NOTE = 'the manifests this plan applies, nor manifests/bookinfo/bookinfo.yaml';

export function httpRouteReferences(
  objects: readonly LoadedObject[],
  index: ClusterIndex,
  namespace: string,
): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const { object: o, source } of objects) {
    if (o.kind !== 'HTTPRoute' || !o.apiVersion.startsWith(`${GATEWAY_API_GROUP}/`)) continue;
    const ns = o.metadata.namespace ?? namespace;
    const report = (path: (string | number)[], message: string) =>
      issues.push({ file: source.file, line: source.lineOf(path), field: fieldOf(path), message });
    ((o.spec?.rules ?? []) as any[]).forEach((rule, i) => {
      ((rule?.backendRefs ?? []) as any[]).forEach((b, j) =>
        checkBackend(b, ns, index, ['spec', 'rules', i, 'backendRefs', j], report),
      );
      ((rule?.filters ?? []) as any[]).forEach((f, j) => {
        if (f?.type === 'RequestMirror')
          checkBackend(
            f.requestMirror?.backendRef,
            ns,
            index,
            ['spec', 'rules', i, 'filters', j, 'requestMirror', 'backendRef'],
            report,
          );
      });
    });
    routeParents(o).forEach((p, i) => {
      const path = ['spec', 'parentRefs', i];
      const key = `${p.namespace}/${p.name}`;
      if (p.kind === 'Service') {
        const ports = index.services.get(key);
        if (!ports)
          report(
            [...path, 'name'],
            `parent Service ${key} is defined by none of ${BASE_NOTE}: the route would not be accepted`,
          );
        else if (p.port !== undefined && !ports.includes(p.port))
          report([...path, 'port'], `parent Service ${key} has no port ${p.port} (ports: ${ports.join(', ')})`);
        return;
      }
      const gw = index.gateways.get(key);
      if (!gw)
        return report(
          [...path, 'name'],
          `parent Gateway ${key} is defined by none of the manifests this plan applies: ` +
            'the route would not be accepted',
        );
      const listeners = ((gw.spec?.listeners ?? []) as { name: string; port: number }[]).filter(
        (l) => (!p.sectionName || l.name === p.sectionName) && (!p.port || l.port === p.port),
      );
      if (!listeners.length)
        report(
          [...path, p.sectionName ? 'sectionName' : 'port'],
          `no listener of Gateway ${key} matches this parentRef (listeners: ` +
            `${(gw.spec?.listeners ?? []).map((l: any) => `${l.name}:${l.port}`).join(', ')})`,
        );
    });
  }
  return issues;
}

function checkBackend(
  b: any,
  ns: string,
  index: ClusterIndex,
  path: (string | number)[],
  report: (path: (string | number)[], message: string) => void,
): void {
  if (typeof b?.name !== 'string' || (b.kind ?? 'Service') !== 'Service' || (b.group ?? '') !== '') return;
  const key = `${b.namespace ?? ns}/${b.name}`;
  const ports = index.services.get(key);
  if (!ports)
    report(
      [...path, 'name'],
      `backendRef Service ${key} is defined by none of ${BASE_NOTE}: ` +
        'Istio would answer 500 and report ResolvedRefs=False (BackendNotFound)',
    );
  else if (typeof b.port === 'number' && !ports.includes(b.port))
    report(
      [...path, 'port'],
      `backendRef Service ${key} has no port ${b.port} (ports: ${ports.join(', ')}): its requests would answer 500`,
    );
}

function fieldOf(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
}

/**
 * Hosts for which a step leaves both a mesh VirtualService and an HTTPRoute whose parent is the
 * host's Service. istiod lists a caller's own namespace's Gateway API routes first and a sidecar
 * keeps the first route for a host (SelectVirtualServices, then dedupeDomains): in that namespace
 * the HTTPRoute is used and the VirtualService ignored.
 */
export function mixedRoutingNotes(stepName: string, objects: readonly LoadedObject[], namespace: string): PlanNote[] {
  const vs = new Map<string, LoadedObject>();
  const routes = new Map<string, LoadedObject>();
  for (const l of objects) {
    const o = l.object;
    const ns = o.metadata.namespace ?? namespace;
    if (o.kind === 'VirtualService' && !((o.spec?.gateways ?? []) as string[]).some((g) => g !== 'mesh')) {
      for (const h of (o.spec?.hosts ?? []) as string[]) vs.set(qualifyHost(h, ns), l);
    }
    if (o.kind === 'HTTPRoute')
      for (const p of routeParents(o)) if (p.kind === 'Service') routes.set(qualifyHost(p.name, p.namespace), l);
  }
  const notes: PlanNote[] = [];
  for (const [host, route] of routes) {
    const v = vs.get(host);
    if (!v) continue;
    const ns = route.object.metadata.namespace ?? namespace;
    notes.push({
      file: route.source.file,
      line: route.source.line,
      message:
        `step ${stepName} leaves both VirtualService ${v.object.metadata.name} and HTTPRoute ` +
        `${route.object.metadata.name} for ${host}: ` +
        `Istio's sidecars in namespace ${ns} use the HTTPRoute (Gateway API routes of the caller's namespace ` +
        'come first, and the first route for a host wins); the VirtualService is ignored there',
    });
  }
  return notes;
}
