/**
 * Which DestinationRule a client takes for a host, as istiod's PushContext indexes and picks them
 * (docs/research/istiod-choices.md §2): setDestinationRules, mergeDestinationRule and
 * destinationRule in pilot/pkg/model, then SidecarScope.DestinationRule.
 *
 * - Three indexes, each by host: a namespace's rules a client in it may use (no exportTo, `*`, `.`
 *   or the namespace itself), each namespace's rules exported beyond it (all but those exported to
 *   their own namespace alone), and the root namespace's rules kept to itself.
 * - Rules for the same host in one index merge only when their exportTo sets are written the same
 *   (`.` and the namespace's name count as different), or when the newer one's set covers the
 *   older's: the newer one's subsets are added to the older (a subset name already there stays),
 *   and its traffic policy fills in only when the older has none. Otherwise each stays on its own.
 * - A client takes the last of the rules found for the host (SidecarScope.DestinationRule keeps the
 *   last rule without workloadSelector), so the newest rule that did not merge wins.
 *
 * workloadSelector is not simulated (src/mesh/unsimulated.ts says so): such a rule is indexed as
 * any other.
 */
import type { StoredObject } from '../store.js';
import { hostMatches, resolveHost } from './model.js';

/** Istio's root namespace (meshConfig.rootNamespace): its exported DestinationRules apply mesh-wide. */
export const ROOT_NAMESPACE = 'istio-system';

export interface Subset {
  name: string;
  labels: Record<string, string>;
  trafficPolicy?: unknown;
}

/** One or more rules merged as istiod merges them. */
export interface ConsolidatedRule {
  /** As written: `.` is kept apart from the namespace's own name, as istiod compares them. */
  exportTo: Set<string>;
  subsets: Subset[];
  trafficPolicy?: unknown;
  /** `<namespace>/<name>` of the rules merged into this one, oldest first. */
  from: string[];
}

type ByHost = Map<string, ConsolidatedRule[]>;

export interface DestinationRuleIndex {
  namespaceLocal: Map<string, ByHost>;
  exportedByNamespace: Map<string, ByHost>;
  rootNamespaceLocal: ByHost;
}

/** `rules` in istiod's order (oldest first, then by name and namespace). */
export function indexDestinationRules(rules: StoredObject[]): DestinationRuleIndex {
  const index: DestinationRuleIndex = {
    namespaceLocal: new Map(),
    exportedByNamespace: new Map(),
    rootNamespaceLocal: new Map(),
  };
  const inNamespace = (m: Map<string, ByHost>, ns: string) => m.get(ns) ?? m.set(ns, new Map()).get(ns)!;
  for (const r of rules) {
    const ns = r.object.metadata.namespace ?? 'default';
    const exportTo = new Set<string>(Array.isArray(r.object.spec?.exportTo) ? r.object.spec.exportTo.map(String) : []);
    if (!exportTo.size || exportTo.has('*') || exportTo.has('.') || exportTo.has(ns))
      mergeRule(inNamespace(index.namespaceLocal, ns), r, exportTo);
    // With no exportTo the mesh default applies: `*` unless meshConfig says otherwise (not simulated).
    const privateOnly = exportTo.size === 1 && (exportTo.has('.') || exportTo.has(ns));
    if (!privateOnly) mergeRule(inNamespace(index.exportedByNamespace, ns), r, exportTo);
    else if (ns === ROOT_NAMESPACE) mergeRule(index.rootNamespaceLocal, r, exportTo);
  }
  return index;
}

/**
 * istiod's mergeDestinationRule: the rule joins every rule for its host whose exportTo it equals or
 * covers, and is added on its own unless the last rule looked at took it in.
 */
function mergeRule(byHost: ByHost, r: StoredObject, exportTo: Set<string>): void {
  const host = hostOf(r);
  const own: ConsolidatedRule = {
    exportTo,
    subsets: subsetsOf(r),
    trafficPolicy: r.object.spec?.trafficPolicy ?? undefined,
    from: [`${r.object.metadata.namespace ?? 'default'}/${r.object.metadata.name}`],
  };
  const list = byHost.get(host);
  if (!list) {
    byHost.set(host, [own]);
    return;
  }
  // As in istiod's loop, whether the rule also stands on its own is what the last rule looked at decided.
  let appendSeparately = true;
  for (const [i, existing] of list.entries()) {
    const covers = existing.exportTo.size > 0 && [...existing.exportTo].every((e) => exportTo.has(e));
    if (!sameSet(exportTo, existing.exportTo) && !covers) {
      appendSeparately = true;
      continue;
    }
    appendSeparately = false;
    const names = new Set(existing.subsets.map((s) => s.name));
    list[i] = {
      ...existing,
      subsets: [...existing.subsets, ...own.subsets.filter((s) => !names.has(s.name))],
      trafficPolicy: existing.trafficPolicy ?? own.trafficPolicy,
      from: [...existing.from, ...own.from],
    };
  }
  if (appendSeparately) list.push(own);
}

/**
 * The rule a client in `clientNamespace` takes for a service, or null: its own namespace's (the
 * root namespace's private ones for a client in the root namespace), else those the service's
 * namespace exports to it, else those the root namespace exports to it; in each, the exact host
 * before the most specific wildcard, and of the rules found the last.
 */
export function destinationRuleFor(
  index: DestinationRuleIndex,
  fqdn: string,
  serviceNamespace: string,
  clientNamespace: string,
): ConsolidatedRule | null {
  const local =
    clientNamespace === ROOT_NAMESPACE ? index.rootNamespaceLocal : index.namespaceLocal.get(clientNamespace);
  const found =
    mostSpecific(fqdn, local) ??
    exportedTo(mostSpecific(fqdn, index.exportedByNamespace.get(serviceNamespace)), clientNamespace) ??
    exportedTo(mostSpecific(fqdn, index.exportedByNamespace.get(ROOT_NAMESPACE)), clientNamespace);
  return found?.at(-1) ?? null;
}

/**
 * The rules found for the most specific host are filtered by exportTo after the host is chosen: an
 * exact host exported elsewhere hides a wildcard exported here (getExportedDestinationRuleFromNamespace).
 */
function exportedTo(rules: ConsolidatedRule[] | null, clientNamespace: string): ConsolidatedRule[] | null {
  const out = (rules ?? []).filter((r) => !r.exportTo.size || r.exportTo.has('*') || r.exportTo.has(clientNamespace));
  return out.length ? out : null;
}

/** MostSpecificHostMatch: the exact host, else the longest wildcard covering it. */
function mostSpecific(fqdn: string, byHost: ByHost | undefined): ConsolidatedRule[] | null {
  if (!byHost) return null;
  const exact = byHost.get(fqdn);
  if (exact) return exact;
  let best: string | undefined;
  for (const h of byHost.keys())
    if (h.startsWith('*') && hostMatches(h, fqdn) && (best === undefined || h.length > best.length)) best = h;
  return best === undefined ? null : byHost.get(best)!;
}

function hostOf(r: StoredObject): string {
  return resolveHost(String(r.object.spec?.host ?? ''), r.object.metadata.namespace ?? 'default');
}

function subsetsOf(r: StoredObject): Subset[] {
  const subsets: { name: string; labels?: Record<string, string>; trafficPolicy?: unknown }[] =
    r.object.spec?.subsets ?? [];
  return subsets.map((s) => ({ name: s.name, labels: s.labels ?? {}, trafficPolicy: s.trafficPolicy }));
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
