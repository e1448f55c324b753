/**
 * Seeded sets where istiod chooses or merges, for the translation comparison
 * (docs/research/istiod-choices.md): several VirtualServices for one host on the sidecars and at
 * the ingress gateway, from default, istio-system and a third namespace, with and without
 * exportTo; DestinationRules for one host in those namespaces (the one a client takes shows in its
 * clusters); and redirects, direct responses and rewrites, whose Envoy fields istiod derives.
 * Objects are created in two or three batches at least a second apart, so the creation time that
 * orders them is not always the order of their names.
 */
import { readFileSync } from 'node:fs';
import type { Route, RouteConfiguration } from '../../src/mesh/envoy/types.js';
import { destinationRuleFor } from '../../src/mesh/translate/destination-rule-index.js';
import type { MeshModel } from '../../src/mesh/translate/model.js';
import { meshVirtualServices } from '../../src/mesh/translate/virtual-service-index.js';
import { parseManifests, type LoadedObject } from '../../src/kube/manifest.js';
import { seededRandom, type Random } from '../../src/core/random.js';
import { PROJECT_DESTINATION_RULES } from '../../src/plan/load.js';
import { asManifest, chance, pick, type GeneratedSet, type Json } from './generated-routes.js';

/** A namespace without workloads, for objects that are neither the client's nor the root's. */
export const OTHER_NAMESPACE = 'translation-other';
type Namespace = 'default' | 'istio-system' | typeof OTHER_NAMESPACE;

const SUBSETS: Record<string, string[]> = { reviews: ['v1', 'v2', 'v3'], ratings: ['v1'], details: ['v1'] };
const GATEWAY = 'default/bookinfo-gateway';

const fqdn = (service: string) => `${service}.default.svc.cluster.local`;

/** Short names resolve in the object's own namespace: outside default only the FQDN names Bookinfo's service. */
function hostName(r: Random, service: string, ns: Namespace): string {
  return ns === 'default' && chance(r, 0.5) ? service : fqdn(service);
}

function namespace(r: Random): Namespace {
  return pick(r, ['default', 'default', 'default', 'istio-system', OTHER_NAMESPACE] as const);
}

/** exportTo as users write it: absent (the mesh default, `*`), `.`, `*`, or a namespace's name. */
function exportTo(r: Random, ns: Namespace): Json {
  const choice = pick(r, [null, null, ['.'], ['*'], ['default'], ['istio-system'], [OTHER_NAMESPACE]]);
  // The same namespace twice (`.` and its name) is refused by the webhook; `*` stands alone.
  if (!choice) return {};
  if (choice[0] !== '*' && choice[0] !== '.' && choice[0] !== ns && chance(r, 0.3))
    return { exportTo: ['.', choice[0]] };
  return { exportTo: choice };
}

/** Distinct names in an order that has nothing to do with the order they are made in. */
function names(r: Random, prefix: string, n: number): string[] {
  const letters = ['a', 'b', 'c', 'd', 'e', 'f'].sort(() => r.next() - 0.5);
  return letters.slice(0, n).map((l) => `${prefix}-${l}`);
}

/** Splits objects into 2 or 3 non-empty batches: the first ones open a batch each, the others join one at random. */
function batches<T>(r: Random, items: T[]): T[][] {
  const n = Math.min(items.length, 2 + Math.floor(r.next() * 2));
  const out: T[][] = Array.from({ length: n }, () => []);
  items.forEach((item, i) => out[i < n ? i : Math.floor(r.next() * n)]!.push(item));
  return out;
}

function destination(r: Random, service: string, ns: Namespace): Json {
  const subsets = SUBSETS[service] ?? [];
  const host = hostName(r, service, ns);
  return chance(r, 0.7) && subsets.length ? { host, subset: pick(r, subsets) } : { host, port: { number: 9080 } };
}

function sidecarMatch(r: Random, prefixes: readonly string[]): Json {
  const m: Json = pick(r, [
    { headers: { 'end-user': { exact: pick(r, ['jason', 'alice']) } } },
    { uri: { prefix: pick(r, prefixes) } },
    { headers: { 'x-variant': { prefix: 'b' } }, uri: { prefix: '/' } },
  ]);
  // Rules the productpage sidecar holds and the others drop, or that no proxy holds.
  if (chance(r, 0.2)) m.sourceLabels = { app: pick(r, ['productpage', 'reviews', 'nothing']) };
  return m;
}

function virtualService(name: string, ns: Namespace, spec: Json): LoadedObject {
  return asManifest(
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: ns }, spec },
    `generated/${ns}/${name}.yaml`,
  );
}

/** Rules ending in a route or a catch-all, with a redirect, direct response or rewrite now and then. */
function sidecarRules(r: Random, service: string, ns: Namespace): Json[] {
  const prefixes = [`/${service}`, `/${service}/1`, '/health'];
  const n = 1 + Math.floor(r.next() * 2);
  const rules: Json[] = [];
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    const rule: Json = {};
    if (!last || chance(r, 0.3)) rule.match = [sidecarMatch(r, prefixes)];
    if (rule.match && chance(r, 0.4)) Object.assign(rule, endpointAction(r, 9080));
    else rule.route = [{ destination: destination(r, service, ns) }];
    if (rule.route && chance(r, 0.2)) rule.rewrite = rewrite(r);
    rules.push(rule);
  }
  return rules;
}

/** Several VirtualServices for one service on the sidecars (some also at the gateway). */
function sidecarSet(r: Random): { objects: LoadedObject[] } {
  const service = pick(r, ['reviews', 'ratings', 'details']);
  const n = 3 + Math.floor(r.next() * 2);
  const objects = names(r, `mesh-${service}`, n).map((name) => {
    const ns = namespace(r);
    const wildcard = chance(r, 0.15);
    const hosts = wildcard ? ['*.default.svc.cluster.local'] : [hostName(r, service, ns)];
    if (!wildcard && chance(r, 0.2)) hosts.push(hostName(r, service === 'details' ? 'ratings' : 'details', ns));
    // Mostly visible to default, so that its sidecars have a choice to make.
    const spec: Json = { hosts, ...(chance(r, 0.5) ? {} : exportTo(r, ns)), http: sidecarRules(r, service, ns) };
    if (chance(r, 0.15)) spec.gateways = ['mesh', ns === 'default' ? 'bookinfo-gateway' : GATEWAY];
    return virtualService(name, ns, spec);
  });
  return { objects };
}

const GATEWAY_PATHS = ['/productpage', '/static', '/api/v1/products', '/reviews', '/ratings', '/health'];

function gatewayRule(r: Random, ns: Namespace): Json {
  const rule: Json = {};
  if (chance(r, 0.8)) {
    const m: Json = { uri: pick(r, [{ prefix: pick(r, GATEWAY_PATHS) }, { exact: pick(r, GATEWAY_PATHS) }]) };
    if (chance(r, 0.2)) m.headers = { 'end-user': { exact: 'jason' } };
    rule.match = [m];
  }
  if (rule.match && chance(r, 0.4)) return { ...rule, ...endpointAction(r, 8080) };
  const service = pick(r, ['productpage', 'reviews', 'details']);
  rule.route = [{ destination: { host: hostName(r, service, ns), port: { number: 9080 } } }];
  if (chance(r, 0.25)) rule.rewrite = rewrite(r);
  return rule;
}

/** Several VirtualServices bound to the Bookinfo gateway, merged per host with the base's. */
function gatewaySet(r: Random): { objects: LoadedObject[] } {
  const n = 2 + Math.floor(r.next() * 3);
  const objects = names(r, 'edge', n).map((name) => {
    const ns = namespace(r);
    const hosts = [pick(r, ['*', '*', '*', 'bookinfo.example.com', '*.example.com'])];
    const http = Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => gatewayRule(r, ns));
    const gateways = [ns === 'default' && chance(r, 0.5) ? 'bookinfo-gateway' : GATEWAY];
    return virtualService(name, ns, { hosts, gateways, ...exportTo(r, ns), http });
  });
  return { objects };
}

/** Fields istiod derives: redirectCode's default, a port dropped for its scheme, derivePort; or a direct response. */
function endpointAction(r: Random, listenerPort: number): Json {
  if (chance(r, 0.4)) {
    const body = pick(r, [
      null,
      { string: 'maintenance' },
      { bytes: Buffer.from(`{"status":"down","port":${listenerPort}}`).toString('base64') },
    ]);
    return { directResponse: { status: pick(r, [200, 404, 418, 503]), ...(body ? { body } : {}) } };
  }
  const redirect: Json = {};
  if (chance(r, 0.5)) redirect.uri = pick(r, ['/productpage', '/v2/reviews', '/']);
  if (chance(r, 0.4)) redirect.authority = pick(r, ['bookinfo.example.com', 'reviews.default.svc.cluster.local']);
  if (chance(r, 0.4)) redirect.scheme = pick(r, ['http', 'https']);
  if (chance(r, 0.5)) {
    if (chance(r, 0.5)) redirect.derivePort = pick(r, ['FROM_REQUEST_PORT', 'FROM_PROTOCOL_DEFAULT']);
    else redirect.port = pick(r, [80, 443, 8080, 9080]);
  }
  if (!Object.keys(redirect).length) redirect.derivePort = 'FROM_REQUEST_PORT';
  // 300 is a code the webhook takes and Envoy has none for (a listed difference).
  if (chance(r, 0.6)) redirect.redirectCode = pick(r, [301, 302, 303, 307, 308, 300]);
  return { redirect };
}

function rewrite(r: Random): Json {
  return pick(r, [
    { uri: '/' },
    { uri: '/v1' },
    { authority: 'internal.example.com' },
    { uri: '/v1', authority: 'internal.example.com' },
    { uriRegexRewrite: { match: '^/([a-z]+)/(.*)$', rewrite: '/\\2/\\1' } },
  ]);
}

function subset(r: Random, name: string): Json {
  const version = { v1: 'v1', v2: 'v2', v3: 'v3', stable: 'v1', canary: 'v3' }[name]!;
  const out: Json = { name, labels: { version } };
  if (chance(r, 0.2)) out.trafficPolicy = { loadBalancer: { simple: pick(r, ['RANDOM', 'ROUND_ROBIN']) } };
  return out;
}

function trafficPolicy(r: Random): Json {
  return pick(r, [
    { loadBalancer: { simple: pick(r, ['RANDOM', 'ROUND_ROBIN', 'LEAST_REQUEST']) } },
    { outlierDetection: { consecutive5xxErrors: pick(r, [1, 3]), interval: '5s', baseEjectionTime: '15s' } },
    { connectionPool: { http: { http2MaxRequests: pick(r, [10, 100]) } } },
  ]);
}

/**
 * DestinationRules for one host in the client's namespace, the root namespace and a third one, with
 * their own subsets and traffic policies, and a VirtualService naming subsets some of them define.
 */
function destinationRuleSet(r: Random): { objects: LoadedObject[] } {
  const service = pick(r, ['reviews', 'reviews', 'ratings']);
  const n = 2 + Math.floor(r.next() * 3);
  const rules = names(r, `dr-${service}`, n).map((name) => {
    const ns = namespace(r);
    const host = chance(r, 0.15) ? '*.default.svc.cluster.local' : hostName(r, service, ns);
    const pool = service === 'reviews' ? ['v1', 'v2', 'v3', 'stable', 'canary'] : ['v1', 'stable'];
    const chosen = pool.filter(() => chance(r, 0.5));
    // Often without exportTo: rules exported alike merge.
    const spec: Json = { host, ...(chance(r, 0.4) ? {} : exportTo(r, ns)), subsets: chosen.map((s) => subset(r, s)) };
    if (chance(r, 0.5)) spec.trafficPolicy = trafficPolicy(r);
    return asManifest(
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: ns }, spec },
      `generated/${ns}/${name}.yaml`,
    );
  });
  const route = (service === 'reviews' ? ['v1', 'v3', 'canary'] : ['v1', 'stable']).map((s, i, all) => ({
    destination: { host: service, subset: s },
    weight: i === all.length - 1 ? 100 - 30 * (all.length - 1) : 30,
  }));
  const vs = virtualService(`subsets-${service}`, 'default', { hosts: [service], http: [{ route }] });
  return { objects: [...rules, vs] };
}

/** `count` sets, taking turns: sidecar choices, gateway merges, DestinationRules, then the three at once. */
export function choiceSets(count: number, seed: number): GeneratedSet[] {
  const projectRules = parseManifests(readFileSync(PROJECT_DESTINATION_RULES, 'utf8'), PROJECT_DESTINATION_RULES);
  const root = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const r = root.fork(`choices-${i}`);
    const kind = i % 4;
    const objects = [
      ...(kind === 0 || kind === 3 ? sidecarSet(r).objects : []),
      ...(kind === 1 || kind === 3 ? gatewaySet(r).objects : []),
      ...(kind === 2 || kind === 3 ? destinationRuleSet(r).objects : []),
    ];
    const what = ['VirtualServices on the sidecars', 'VirtualServices at the gateway', 'DestinationRules', 'all three'];
    return {
      name: `choices set ${i + 1} (seed ${seed}): ${what[kind]}`,
      // Bookinfo's own subsets first where the set brings no DestinationRules of its own.
      batches: [...(kind === 2 || kind === 3 ? [] : [projectRules]), ...batches(r, objects)],
      namespaces: [OTHER_NAMESPACE],
      secondApart: true,
    };
  });
}

/** What the choice sets must have brought into istiod's configurations, counted by `countChoices`. */
export const CHOICE_FEATURES = [
  'VirtualService of istio-system',
  `VirtualService of ${OTHER_NAMESPACE}`,
  'gateway host merged from several VirtualServices',
  'redirect',
  'redirect port',
  'redirect code',
  'route without action (redirectCode 300)',
  'direct response',
  'direct response bytes',
  'rewrite',
  'subset only a generated DestinationRule has',
];

/** Counts the features of CHOICE_FEATURES in one proxy's configuration from istiod. */
export function countChoices(
  rcs: RouteConfiguration[],
  seen: Map<string, number>,
  clusters: ReadonlyMap<string, unknown>,
): void {
  const add = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
  const source = (r: Route) => String(r.metadata?.filterMetadata?.istio?.config ?? '');
  for (const vh of rcs.flatMap((rc) => rc.virtualHosts ?? [])) {
    const routes = vh.routes ?? [];
    if (new Set(routes.map(source)).size > 1) add('gateway host merged from several VirtualServices');
    for (const r of routes) {
      const ns = /\/namespaces\/([^/]+)\//.exec(source(r))?.[1];
      if (ns && ns !== 'default') add(`VirtualService of ${ns}`);
      if (r.redirect) add('redirect');
      if (r.redirect?.portRedirect) add('redirect port');
      if (r.redirect?.responseCode) add('redirect code');
      if (!r.redirect && !r.route && !r.directResponse) add('route without action (redirectCode 300)');
      if (r.directResponse) add('direct response');
      if (r.directResponse?.body && 'inlineBytes' in r.directResponse.body) add('direct response bytes');
      if (r.route?.prefixRewrite || r.route?.regexRewrite || r.route?.hostRewriteLiteral) add('rewrite');
    }
  }
  for (const name of clusters.keys())
    if (/^outbound\|\d+\|(stable|canary)\|/.test(name)) add('subset only a generated DestinationRule has');
}

/** The choices istiod had to make in what was applied, counted by `countInputChoices`. */
export const INPUT_CHOICES = [
  'sidecar host named by several VirtualServices',
  'newer VirtualService named first',
  'VirtualService exportTo hides from default',
  'DestinationRules for one host kept apart',
  'DestinationRules merged',
  'DestinationRule of istio-system taken',
];

/**
 * Counts, in one applied state, the cases where istiod chooses or merges, as the local model sees
 * them: the comparison holds only if both sides agree on them, and they must have come up.
 */
export function countInputChoices(model: MeshModel, seen: Map<string, number>): void {
  const add = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
  const imported = meshVirtualServices(model.routing, 'default');
  for (const s of model.services) {
    const naming = imported.filter((v) => (v.vs.object.spec?.hosts ?? []).includes(s.fqdn)).map((v) => v.vs.object);
    if (naming.length < 2) continue;
    add('sidecar host named by several VirtualServices');
    const byName = [...naming].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    if (byName[0] !== naming[0]) add('newer VirtualService named first');
  }
  if (model.routing.some((v) => v.gateways.includes('mesh') && !imported.includes(v)))
    add('VirtualService exportTo hides from default');
  const lists = [
    ...model.destinationRules.namespaceLocal.values(),
    ...model.destinationRules.exportedByNamespace.values(),
  ].flatMap((byHost) => [...byHost.values()]);
  if (lists.some((l) => l.length > 1)) add('DestinationRules for one host kept apart');
  if (lists.flat().some((r) => r.from.length > 1)) add('DestinationRules merged');
  for (const client of ['default', 'istio-system'])
    for (const s of model.services)
      if (destinationRuleFor(model.destinationRules, s.fqdn, s.namespace, client)?.from[0]?.startsWith('istio-system/'))
        add('DestinationRule of istio-system taken');
}
