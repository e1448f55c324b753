/**
 * The VirtualServices istiod translates, prepared once per change as its VirtualService controller
 * does (docs/research/istiod-translation.md): short hosts and gateway names resolved in the object's
 * namespace, delegate rules inlined into their roots, delegates themselves left out, each with its
 * exportTo set; then the ordered lists a sidecar or a gateway of one namespace sees.
 */
import { mergeDelegateRules } from '../../istio/routes/virtual-service-delegate.js';
import type { StoredObject } from '../store.js';
import { resolveHost } from './model.js';

export interface IndexedVirtualService {
  /** The object with its spec resolved and delegates merged (a copy: the store's is untouched). */
  vs: StoredObject;
  namespace: string;
  /** `*` (every namespace), namespace names, or empty when exported nowhere (`~`). */
  exportTo: Set<string>;
  /** `mesh`, or `<namespace>/<name>` of each Gateway. */
  gateways: string[];
}

/** Istio's default for VirtualServices without exportTo (meshConfig.defaultVirtualServiceExportTo unset). */
const DEFAULT_EXPORT_TO = ['*'];

/** `all` in istiod's order (oldest first); returns the roots, resolved and merged, in the same order. */
export function indexVirtualServices(all: StoredObject[]): IndexedVirtualService[] {
  const delegates = new Map<string, StoredObject>();
  for (const vs of all) if (!hostsOf(vs).length) delegates.set(`${nsOf(vs)}/${vs.object.metadata.name}`, vs);
  const out: IndexedVirtualService[] = [];
  for (const vs of all) {
    if (!hostsOf(vs).length) continue;
    const ns = nsOf(vs);
    const spec = resolveShortnames(vs.object.spec ?? {}, ns);
    spec.http = inlineDelegates(spec.http ?? [], ns, delegates);
    const gateways: string[] = spec.gateways?.length ? spec.gateways : ['mesh'];
    out.push({
      vs: { ...vs, object: { ...vs.object, spec } },
      namespace: ns,
      exportTo: exportSet(spec.exportTo, ns),
      gateways,
    });
  }
  return out;
}

/**
 * What a sidecar in `namespace` imports: its own namespace's private ones, then those exported to it, then public ones.
 */
export function meshVirtualServices(list: IndexedVirtualService[], namespace: string): IndexedVirtualService[] {
  return visibleFrom(
    list.filter((v) => v.gateways.includes('mesh')),
    namespace,
  );
}

/** What a gateway proxy in `proxyNamespace` takes for one Gateway (`ns/name`), in istiod's order. */
export function gatewayVirtualServices(
  list: IndexedVirtualService[],
  proxyNamespace: string,
  gateway: string,
): IndexedVirtualService[] {
  return visibleFrom(
    list.filter((v) => v.gateways.includes(gateway)),
    proxyNamespace,
  );
}

function visibleFrom(list: IndexedVirtualService[], namespace: string): IndexedVirtualService[] {
  const isPublic = (v: IndexedVirtualService) => v.exportTo.has('*');
  const priv = list.filter((v) => !isPublic(v) && v.namespace === namespace && v.exportTo.has(namespace));
  const exported = list.filter((v) => !isPublic(v) && v.namespace !== namespace && v.exportTo.has(namespace));
  return [...priv, ...exported, ...list.filter(isPublic)];
}

/** `.` is the object's own namespace; `~` exports nowhere; none given is the mesh default. */
export function exportSet(exportTo: unknown, namespace: string): Set<string> {
  const list = Array.isArray(exportTo) && exportTo.length ? (exportTo as string[]) : DEFAULT_EXPORT_TO;
  if (list.includes('~')) return new Set();
  return new Set(list.map((e) => (e === '.' ? namespace : e)));
}

/** istiod's ResolveVirtualServiceShortnames: hosts, gateways and destinations made absolute. */
function resolveShortnames(spec: Record<string, any>, ns: string): Record<string, any> {
  const out = structuredClone(spec);
  const dest = (d: any) => {
    if (d && typeof d.host === 'string') d.host = resolveHost(d.host, ns);
  };
  const gateways = (list: unknown) => (Array.isArray(list) ? list.map((g) => resolveGateway(String(g), ns)) : list);
  if (Array.isArray(out.hosts)) out.hosts = out.hosts.map((h: string) => resolveHost(String(h), ns).toLowerCase());
  if (out.gateways) out.gateways = gateways(out.gateways);
  for (const section of ['http', 'tcp', 'tls'] as const) {
    for (const rule of Array.isArray(out[section]) ? out[section] : []) {
      for (const m of Array.isArray(rule?.match) ? rule.match : []) if (m?.gateways) m.gateways = gateways(m.gateways);
      for (const r of Array.isArray(rule?.route) ? rule.route : []) dest(r?.destination);
      if (section === 'http') {
        dest(rule?.mirror);
        for (const m of Array.isArray(rule?.mirrors) ? rule.mirrors : []) dest(m?.destination);
      }
    }
  }
  return out;
}

/**
 * `gw` and `./gw` are in the VirtualService's namespace; `gw.ns.svc.cluster.local` is `ns/gw`; `ns/gw` and `mesh` stay.
 */
export function resolveGateway(name: string, ns: string): string {
  if (name === 'mesh') return name;
  const slash = name.indexOf('/');
  if (slash >= 0) return name.slice(0, slash) === '.' ? `${ns}/${name.slice(slash + 1)}` : name;
  const dot = name.indexOf('.');
  if (dot < 0) return `${ns}/${name}`;
  const rest = name.slice(dot + 1);
  const nsEnd = rest.indexOf('.');
  return `${nsEnd < 0 ? rest : rest.slice(0, nsEnd)}/${name.slice(0, dot)}`;
}

/**
 * Each root rule with a delegate becomes the delegate's rules merged under it. A delegate that does
 * not exist, has hosts, or is not exported to the root's namespace drops that rule, as istiod does.
 */
function inlineDelegates(rules: any[], rootNs: string, delegates: Map<string, StoredObject>): any[] {
  const out: any[] = [];
  for (const rule of rules) {
    const ref = rule?.delegate;
    if (!ref) {
      out.push(rule);
      continue;
    }
    const ns = typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : rootNs;
    const d = delegates.get(`${ns}/${ref.name}`);
    if (!d) continue;
    const exported = exportSet(d.object.spec?.exportTo, ns);
    if (!exported.has('*') && !exported.has(rootNs)) continue;
    const { delegate: _d, ...root } = rule;
    out.push(...mergeDelegateRules(root, resolveShortnames(d.object.spec ?? {}, ns).http ?? []));
  }
  return out;
}

function hostsOf(vs: StoredObject): unknown[] {
  const h = vs.object.spec?.hosts;
  return Array.isArray(h) ? h : [];
}

function nsOf(vs: StoredObject): string {
  return vs.object.metadata.namespace ?? 'default';
}
