/**
 * What a proxy holds for a host, and what a VirtualService says it should hold, in one comparable
 * shape: ordered rules, each with its match conditions, destination shares normalised to
 * percentages, fault and timeout. Reads `istioctl proxy-config routes <pod> -o json` (a JSON array
 * of Envoy RouteConfiguration, lowerCamelCase) and translates a VirtualService the way Istio does
 * for one proxy (research/routing-semantics.md §1, §2, §3, §8), so the runner can tell when every
 * proxy holds what was applied.
 */
import { round } from '../../core/numbers.js';
import type { KubeObject } from '../../kube/manifest.js';

export interface RouteRule {
  /** Conditions that must all hold, canonical and sorted (`end-user=jason`, `prefix=/api`); empty = any request. */
  match: string[];
  /**
   * Destination → share in percent (sums to 100). Key: the subset (`v1`), `` for the whole host, or `host:subset` for
   * another host.
   */
  destinations: Record<string, number>;
  fault?: { delay?: { ms: number; percent: number }; abort?: { status: number; percent: number } };
  /** Route timeout when one is set (0 = none, omitted). */
  timeoutMs?: number;
  /** Mirrored destinations (same keys as `destinations`) → percent of requests copied. */
  mirrors?: Record<string, number>;
  /** A route that answers itself: `redirect`, `direct 503`. */
  other?: string;
}

export interface RouteSummary {
  host: string;
  rules: RouteRule[];
}

export interface VirtualServiceView {
  /** Labels of the proxy's own workload (sourceLabels are matched against them). */
  proxyLabels: Record<string, string>;
  /** True for an ingress gateway proxy (only gateway-bound entries apply; `mesh` ones do not). */
  gateway?: boolean;
  /** The proxy's namespace, for `sourceNamespace` (unchecked when not given). */
  proxyNamespace?: string;
}

const SHARE_TOLERANCE = 0.01;

// ----- VirtualService → summary --------------------------------------------------------------

/** The routes a proxy should hold for the VirtualService's first host (or `host`). */
export function summarizeVirtualService(vs: KubeObject, view: VirtualServiceView, host?: string): RouteSummary {
  const spec = vs.spec ?? {};
  const h = host ?? String(spec.hosts?.[0] ?? vs.metadata.name);
  const gateways: string[] = spec.gateways?.length ? spec.gateways : ['mesh'];
  const visible = view.gateway ? gateways.some((g) => g !== 'mesh') : gateways.includes('mesh');
  const rules: RouteRule[] = [];
  if (visible) {
    outer: for (const http of (spec.http ?? []) as any[]) {
      const entries: any[] = http.match?.length ? http.match : [undefined];
      for (const m of entries) {
        if (m && !entryApplies(m, view)) continue;
        const rule = ruleFromHttp(http, m, h);
        rules.push(rule);
        // Istio emits nothing after a catch-all route: later rules are unreachable.
        if (rule.match.length === 0) break outer;
      }
    }
  }
  // A VirtualService with no route for this proxy leaves the host's default route in place.
  return { host: h, rules: rules.length ? rules : [defaultRule()] };
}

function entryApplies(m: any, view: VirtualServiceView): boolean {
  if (m.gateways?.length)
    return view.gateway ? m.gateways.some((g: string) => g !== 'mesh') : m.gateways.includes('mesh');
  if (m.sourceLabels && !Object.entries(m.sourceLabels).every(([k, v]) => view.proxyLabels[k] === v)) return false;
  if (m.sourceNamespace && view.proxyNamespace && m.sourceNamespace !== view.proxyNamespace) return false;
  return true;
}

function ruleFromHttp(http: any, m: any, host: string): RouteRule {
  const rule: RouteRule = { match: m ? vsConditions(m) : [], destinations: {} };
  if (http.redirect) rule.other = 'redirect';
  else if (http.directResponse) rule.other = `direct ${http.directResponse.status}`;
  else
    rule.destinations = normalise(
      ((http.route ?? []) as any[]).map((d) => [
        destinationKey(host, d.destination?.host, d.destination?.subset),
        d.weight,
      ]),
    );
  const fault = vsFault(http.fault);
  if (fault) rule.fault = fault;
  const t = http.timeout ? durationMs(http.timeout) : 0;
  if (t) rule.timeoutMs = t;
  if (!rule.other) {
    const mirrors = vsMirrors(http, host);
    if (Object.keys(mirrors).length) rule.mirrors = mirrors;
  }
  return rule;
}

/** `mirror` (percentage, else the integer `mirrorPercent`, else 100) and `mirrors[]`; 0 % is no mirror. */
function vsMirrors(http: any, host: string): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (d: any, percent: number) => {
    if (percent > 0) out[destinationKey(host, d?.host, d?.subset)] = round(percent);
  };
  if (http.mirror)
    add(http.mirror, http.mirrorPercentage ? (http.mirrorPercentage.value ?? 0) : (http.mirrorPercent ?? 100));
  for (const m of (http.mirrors ?? []) as any[]) add(m.destination, m.percentage ? (m.percentage.value ?? 0) : 100);
  return out;
}

function vsConditions(m: any): string[] {
  const out: string[] = [];
  const uri = m.uri ?? {};
  if (uri.exact !== undefined) out.push(`path=${uri.exact}`);
  else if (uri.prefix !== undefined && uri.prefix !== '/') out.push(`prefix=${uri.prefix}`);
  else if (uri.regex !== undefined && uri.regex !== '.*') out.push(`path~=${uri.regex}`);
  if (m.ignoreUriCase && (uri.exact !== undefined || (uri.prefix !== undefined && uri.prefix !== '/')))
    out.push('icase');
  for (const [name, sm] of Object.entries(m.headers ?? {})) out.push(stringCondition(name.toLowerCase(), sm));
  for (const [name, sm] of Object.entries(m.withoutHeaders ?? {}))
    out.push(`!${stringCondition(name.toLowerCase(), sm)}`);
  for (const [name, sm] of Object.entries(m.queryParams ?? {})) out.push(`?${stringCondition(name, sm)}`);
  for (const pseudo of ['method', 'authority', 'scheme'] as const)
    if (m[pseudo]) out.push(stringCondition(`:${pseudo}`, m[pseudo]));
  return out.sort();
}

/** `{}` or regex `*` means "present" in Istio. */
function stringCondition(name: string, sm: any): string {
  if (!sm || (sm.exact === undefined && sm.prefix === undefined && (sm.regex === undefined || sm.regex === '*')))
    return name;
  if (sm.exact !== undefined) return `${name}=${sm.exact}`;
  if (sm.prefix !== undefined) return `${name}^=${sm.prefix}`;
  return `${name}~=${sm.regex}`;
}

function vsFault(f: any): RouteRule['fault'] | undefined {
  if (!f) return undefined;
  const out: NonNullable<RouteRule['fault']> = {};
  const d = f.delay;
  if (d?.fixedDelay) {
    const percent = d.percentage?.value ?? d.percent ?? 0;
    if (percent > 0) out.delay = { ms: durationMs(d.fixedDelay), percent: round(percent) };
  }
  const a = f.abort;
  if (a?.httpStatus) {
    const percent = a.percentage?.value ?? 0;
    if (percent > 0) out.abort = { status: a.httpStatus, percent: round(percent) };
  }
  return out.delay || out.abort ? out : undefined;
}

// ----- proxy-config routes dump → summary ----------------------------------------------------

/**
 * The routes a proxy holds for `host` (short name or FQDN; on a gateway the VirtualService host,
 * e.g. `*`). null when the dump has no virtual host for it.
 */
export function summarizeRouteDump(
  dump: unknown[],
  host: string,
  opts: { gateway?: boolean } = {},
): RouteSummary | null {
  const vhost = findVirtualHost(dump, host, opts.gateway ?? false);
  if (!vhost) return null;
  const rules: RouteRule[] = [];
  for (const r of (vhost.routes ?? []) as any[]) rules.push(ruleFromEnvoy(r, host));
  return { host, rules };
}

function findVirtualHost(dump: unknown[], host: string, gateway: boolean): any | undefined {
  const configs = (Array.isArray(dump) ? dump : []) as any[];
  for (const rc of configs) {
    const name = String(rc?.name ?? '');
    if (name.startsWith('inbound|')) continue;
    if (gateway !== name.startsWith('http.')) continue;
    for (const vh of (rc.virtualHosts ?? []) as any[]) {
      if (vh?.name === 'allow_any' || vh?.name === 'block_all') continue;
      const names = [...(vh.domains ?? []), String(vh.name ?? '').replace(/:\d+$/, '')] as string[];
      if (names.some((d) => hostMatches(d, host))) return vh;
    }
  }
  return undefined;
}

/** `reviews` matches `reviews`, `reviews.default.svc.cluster.local` and its trailing-dot form. */
function hostMatches(domain: string, host: string): boolean {
  const d = domain.replace(/\.$/, '');
  if (d === host) return true;
  return !host.includes('.') && d.startsWith(`${host}.`) && /\.svc(\.cluster\.local)?$/.test(d);
}

function ruleFromEnvoy(r: any, host: string): RouteRule {
  const rule: RouteRule = { match: envoyConditions(r.match ?? {}), destinations: {} };
  if (r.redirect) rule.other = 'redirect';
  else if (r.directResponse) rule.other = `direct ${r.directResponse.status}`;
  else if (r.route?.weightedClusters) {
    rule.destinations = normalise(
      ((r.route.weightedClusters.clusters ?? []) as any[]).map((c) => [clusterKey(host, c.name), c.weight]),
    );
  } else if (r.route?.cluster) rule.destinations = { [clusterKey(host, r.route.cluster)]: 100 };
  const fault = envoyFault(r.typedPerFilterConfig?.['envoy.filters.http.fault']);
  if (fault) rule.fault = fault;
  const t = r.route?.timeout ? durationMs(r.route.timeout) : 0;
  if (t) rule.timeoutMs = t;
  const mirrors: Record<string, number> = {};
  // No runtimeFraction: every request is copied.
  for (const m of (r.route?.requestMirrorPolicies ?? []) as any[])
    mirrors[clusterKey(host, m.cluster)] = m.runtimeFraction ? fractionPercent(m.runtimeFraction.defaultValue) : 100;
  if (Object.keys(mirrors).length) rule.mirrors = mirrors;
  return rule;
}

function envoyConditions(m: any): string[] {
  const out: string[] = [];
  if (m.path !== undefined) out.push(`path=${m.path}`);
  else if (m.prefix !== undefined && m.prefix !== '/') out.push(`prefix=${m.prefix}`);
  // Gateway API PathPrefix: whole segments, but the same prefix as written.
  else if (m.pathSeparatedPrefix !== undefined) out.push(`prefix=${m.pathSeparatedPrefix}`);
  else if (m.safeRegex?.regex !== undefined && m.safeRegex.regex !== '.*') out.push(`path~=${m.safeRegex.regex}`);
  if (
    m.caseSensitive === false &&
    (m.path !== undefined || (m.prefix !== undefined && m.prefix !== '/') || m.pathSeparatedPrefix !== undefined)
  )
    out.push('icase');
  for (const h of (m.headers ?? []) as any[]) {
    const c = matcherCondition(String(h.name).toLowerCase(), h);
    out.push(h.invertMatch ? `!${c}` : c);
  }
  for (const q of (m.queryParameters ?? []) as any[]) out.push(`?${matcherCondition(String(q.name), q)}`);
  return out.sort();
}

function matcherCondition(name: string, h: any): string {
  if (h.presentMatch) return name;
  const sm = h.stringMatch ?? {};
  // Older dumps (and some matchers) carry the deprecated top-level forms.
  const exact = sm.exact ?? h.exactMatch;
  const prefix = sm.prefix ?? h.prefixMatch;
  const regex = sm.safeRegex?.regex ?? h.safeRegexMatch?.regex;
  if (exact !== undefined) return `${name}=${exact}`;
  if (prefix !== undefined) return `${name}^=${prefix}`;
  if (regex !== undefined) return `${name}~=${regex}`;
  return name;
}

function envoyFault(f: any): RouteRule['fault'] | undefined {
  if (!f) return undefined;
  const out: NonNullable<RouteRule['fault']> = {};
  const dp = fractionPercent(f.delay?.percentage);
  if (f.delay?.fixedDelay && dp > 0) out.delay = { ms: durationMs(f.delay.fixedDelay), percent: dp };
  const ap = fractionPercent(f.abort?.percentage);
  if (f.abort?.httpStatus && ap > 0) out.abort = { status: f.abort.httpStatus, percent: ap };
  return out.delay || out.abort ? out : undefined;
}

/** FractionalPercent → percent; an absent denominator is HUNDRED (protobuf JSON omits enum 0). */
function fractionPercent(p: any): number {
  if (!p) return 0;
  const denominator = p.denominator === 'MILLION' ? 1_000_000 : p.denominator === 'TEN_THOUSAND' ? 10_000 : 100;
  return round(((p.numerator ?? 0) / denominator) * 100);
}

// ----- shared ---------------------------------------------------------------------------------

function defaultRule(): RouteRule {
  return { match: [], destinations: { '': 100 } };
}

/** `outbound|9080|v1|reviews.default.svc.cluster.local` → `v1` (or `ratings:v1` for another host). */
function clusterKey(host: string, cluster: string): string {
  const parts = String(cluster).split('|');
  if (parts.length !== 4) return String(cluster);
  return destinationKey(host, parts[3], parts[2]);
}

function destinationKey(host: string, destHost: string | undefined, subset: string | undefined): string {
  const short = (h: string) => h.replace(/\.$/, '').split('.')[0] ?? h;
  const same = !destHost || short(destHost) === short(host);
  const s = subset ?? '';
  return same ? s : s ? `${short(destHost)}:${s}` : short(destHost);
}

/**
 * Shares in percent. One destination gets 100 whatever its weight (Istio emits a plain cluster);
 * with several, weight-0 ones are dropped and the rest normalised by their sum.
 */
function normalise(entries: [string, unknown][]): Record<string, number> {
  if (entries.length === 1) return { [entries[0]![0]]: 100 };
  const weighted = entries.map(([k, w]) => [k, typeof w === 'number' ? w : 0] as const).filter(([, w]) => w > 0);
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  const out: Record<string, number> = {};
  for (const [k, w] of weighted) out[k] = (out[k] ?? 0) + (w / total) * 100;
  for (const k of Object.keys(out)) out[k] = round(out[k]!);
  return out;
}

/** Protobuf durations (`0.500s`) and the shorter forms people write (`500ms`, `2m`). */
function durationMs(text: unknown): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(text).trim());
  if (!m) return 0;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

export function sameRoutes(a: RouteSummary, b: RouteSummary): boolean {
  if (a.rules.length !== b.rules.length) return false;
  return a.rules.every((ra, i) => sameRule(ra, b.rules[i]!));
}

function sameRule(a: RouteRule, b: RouteRule): boolean {
  if (a.match.join('\u0000') !== b.match.join('\u0000')) return false;
  if ((a.other ?? '') !== (b.other ?? '') || (a.timeoutMs ?? 0) !== (b.timeoutMs ?? 0)) return false;
  if (JSON.stringify(a.fault ?? null) !== JSON.stringify(b.fault ?? null)) return false;
  return sameShares(a.destinations, b.destinations) && sameShares(a.mirrors ?? {}, b.mirrors ?? {});
}

function sameShares(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => Math.abs((a[k] ?? 0) - (b[k] ?? 0)) <= SHARE_TOLERANCE);
}

/** `reviews: v1 80%, v3 20%` · `reviews: [end-user=jason] v2 100%; v1 100%` */
export function formatSummary(s: RouteSummary): string {
  const name = s.host.replace(/\.$/, '').split('.')[0] || s.host;
  return `${name}: ${s.rules.map(formatRule).join('; ') || 'no routes'}`;
}

function formatRule(r: RouteRule): string {
  const parts: string[] = [];
  if (r.match.length) parts.push(`[${r.match.join(' & ')}]`);
  if (r.other) parts.push(r.other);
  else {
    const dests = Object.entries(r.destinations);
    parts.push(dests.length ? dests.map(([k, v]) => `${k || 'all'} ${v}%`).join(', ') : 'no destination');
  }
  const f: string[] = [];
  if (r.fault?.delay) f.push(`delay ${r.fault.delay.ms}ms ${r.fault.delay.percent}%`);
  if (r.fault?.abort) f.push(`abort ${r.fault.abort.status} ${r.fault.abort.percent}%`);
  if (r.timeoutMs) f.push(`timeout ${r.timeoutMs}ms`);
  for (const [k, v] of Object.entries(r.mirrors ?? {})) f.push(`mirror ${k || 'all'} ${v}%`);
  if (f.length) parts.push(`(${f.join(', ')})`);
  return parts.join(' ');
}
