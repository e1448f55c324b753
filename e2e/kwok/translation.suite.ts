/**
 * The local translation held to istiod's. For every manifest set the shipped and e2e plans apply
 * (each step, cumulatively, after the plan's setup) and for a set of generated ones, the objects go
 * to the kwok target, where the real istiod configures every proxy over xDS, and into a local
 * config store; each proxy's route configurations from istiod are compared with the local
 * translation for the same pod, field by field (normalisation: src/mesh/translate/istiod-diff.ts).
 * A difference not listed in src/mesh/translate/known-differences.ts fails.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedObject } from '../../src/kube/manifest.js';
import { bookinfoCatalog } from '../../src/mesh/apps/catalog.js';
import { meshIssues } from '../../src/mesh/mesh-issues.js';
import { ConfigStore } from '../../src/mesh/store.js';
import type { RouteConfiguration } from '../../src/mesh/envoy/types.js';
import { diffRouteConfigs, type RouteDifference } from '../../src/mesh/translate/istiod-diff.js';
import { knownDifference } from '../../src/mesh/translate/known-differences.js';
import { buildModel } from '../../src/mesh/translate/model.js';
import { proxyConfig } from '../../src/mesh/translate/proxy-config.js';
import { TYPES } from '../../src/mesh/xds-proxy/admin-server.js';
import { loadPlan } from '../../src/plan/load.js';
import type { KwokDataPlane } from '../../src/targets/kwok/data-plane/data-plane.js';
import type { KwokTarget } from '../../src/targets/kwok/kwok-target.js';
import { root } from '../cli.js';
import { generatedSets } from './generated-routes.js';
import { built } from './kwok-env.js';
import { restoreBase } from '../restore-base.js';
import { baseObjects, sharedTarget } from './shared-target.js';

const MIN = 60_000;
const ROUTING_KINDS = new Set(['VirtualService', 'DestinationRule', 'Gateway']);
/** istiod debounces a change for 100 ms; a difference is taken as real after a second without a new RDS push. */
const QUIET_MS = 1000;
const NO_PUSH_MS = 3000;

type ServedProxy = ReturnType<KwokDataPlane['proxies']>[number];

interface ManifestSet {
  name: string;
  /** Applied one after the other; the comparison runs after each. */
  batches: LoadedObject[][];
}

async function planSets(): Promise<ManifestSet[]> {
  const files = [
    ...readdirSync(join(root, 'plans'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(root, 'plans', f)),
    ...readdirSync(join(root, 'e2e', 'plans'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(root, 'e2e', 'plans', f)),
  ].sort();
  const sets: ManifestSet[] = [];
  for (const file of files) {
    const plan = await loadPlan(file).catch(() => null);
    if (!plan) continue; // the e2e plans that are bad input on purpose
    const batches = [
      plan.setup.flatMap((m) => m.objects),
      ...plan.steps.map((s) => s.objects),
      ...(plan.rollback ? [plan.rollback.objects] : []),
    ].filter((b) => b.length);
    // Plans that change workloads (faults) are compared through their routing objects only when that is all they apply.
    if (!batches.length || batches.flat().some((o) => !ROUTING_KINDS.has(o.object.kind))) continue;
    sets.push({ name: file.slice(root.length + 1), batches });
  }
  return sets;
}

const FEATURES = [
  'weightedClusters',
  'header match',
  'query match',
  'inverted header',
  'regex path',
  'ignore case',
  'retries',
  'timeout',
  'fault',
  'request headers',
  'response headers',
];

/** Counts the route features in istiod's configurations (sidecar outbound port 9080). */
function countFeatures(rcs: RouteConfiguration[], seen: Map<string, number>): void {
  const add = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
  for (const rc of rcs.filter((r) => r.name === '9080')) {
    for (const r of (rc.virtualHosts ?? []).flatMap((v) => v.routes ?? [])) {
      if (r.route?.weightedClusters) add('weightedClusters');
      if (r.match?.headers?.some((h) => !h.invertMatch)) add('header match');
      if (r.match?.headers?.some((h) => h.invertMatch)) add('inverted header');
      if (r.match?.queryParameters?.length) add('query match');
      if (r.match?.safeRegex) add('regex path');
      if (r.match?.caseSensitive === false) add('ignore case');
      if (r.route?.retryPolicy && r.route.retryPolicy.numRetries !== 2) add('retries');
      if (r.route?.timeout && r.route.timeout !== '0s') add('timeout');
      if (r.typedPerFilterConfig) add('fault');
      if (r.requestHeadersToAdd?.length || r.requestHeadersToRemove?.length) add('request headers');
      if (r.responseHeadersToAdd?.length || r.responseHeadersToRemove?.length) add('response headers');
    }
  }
}

describe.skipIf(!built)('the local translation against the real istiod on kwok', () => {
  let target: KwokTarget;
  let base: LoadedObject[];
  const tally = {
    proxies: 0,
    states: 0,
    sets: 0,
    fields: 0,
    known: new Map<string, number>(),
    unknown: [] as string[],
  };
  /** What the compared configurations held, so a comparison that saw none of a feature shows it. */
  const seen = new Map<string, number>();

  beforeAll(async () => {
    base = await baseObjects();
    target = await sharedTarget();
  }, 5 * MIN);

  afterAll(async () => {
    console.log(
      `translation vs istiod: ${tally.proxies} proxy configurations compared (every proxy × ${tally.states} ` +
        `applied states of ${tally.sets} manifest sets), ${tally.fields} fields differ: ` +
        `${[...tally.known.values()].reduce((a, b) => a + b, 0)} known, ${tally.unknown.length} not known`,
    );
    console.log(`  routes compared with: ${[...seen].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    for (const [reason, n] of tally.known) console.log(`  known ×${n}: ${reason}`);
  }, 2 * MIN);

  /**
   * Each proxy's differences once istiod has answered the change: after a first route push since
   * the apply (or NO_PUSH_MS without one: a batch that changes nothing for any proxy), as soon as
   * no difference is left that is not listed, or else once no new route configuration has come
   * for QUIET_MS (a difference that outlasts istiod's pushes is real).
   */
  async function differencesAfter(
    since: number,
    local: (p: ServedProxy) => RouteConfiguration[],
  ): Promise<Map<ServedProxy, RouteDifference[]>> {
    const routeTimes = () => target.dataPlane!.proxies().map((p) => p.proxy.resources().receivedAt[TYPES.route] ?? 0);
    let last = routeTimes().join();
    let quietSince = Date.now();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pushed = routeTimes().some((t) => t >= since);
      const now = routeTimes().join();
      if (now !== last) [last, quietSince] = [now, Date.now()];
      if (pushed || Date.now() - since >= NO_PUSH_MS) {
        const found = new Map(
          target.dataPlane!.proxies().map((p) => [p, diffRouteConfigs(local(p), p.proxy.routes())] as const),
        );
        const open = [...found.values()].some((ds) => ds.some((d) => !knownDifference(d)));
        if (!open || Date.now() - quietSince >= QUIET_MS) return found;
      }
      if (Date.now() > deadline) throw new Error(`proxies still taking new routes after 30 s: ${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Applies each batch to both sides and compares every proxy after each. */
  async function compare(set: ManifestSet): Promise<string[]> {
    const store = new ConfigStore(bookinfoCatalog, meshIssues);
    store.apply(base);
    const applied: LoadedObject[] = [];
    const unknown: string[] = [];
    try {
      for (const [i, batch] of set.batches.entries()) {
        const t0 = Date.now();
        await target.apply(batch);
        store.apply(batch);
        applied.push(...batch);
        const pods = target
          .dataPlane!.proxies()
          .filter((p) => p.identity.role === 'sidecar')
          .map((p) => ({
            pod: p.identity.pod,
            namespace: p.identity.namespace,
            labels: p.identity.labels,
            address: '127.0.0.1:1',
          }));
        const model = buildModel(store, pods);
        tally.states++;
        const found = await differencesAfter(
          t0,
          (p) =>
            proxyConfig(model, { namespace: p.identity.namespace, labels: p.identity.labels, role: p.identity.role })
              .routes,
        );
        for (const [p, diffs] of found) {
          countFeatures(p.proxy.routes(), seen);
          for (const d of diffs) record(d, `${set.name} batch ${i + 1}, ${p.identity.pod}`, unknown);
          tally.proxies++;
        }
      }
    } finally {
      tally.sets++;
      await restore(applied);
    }
    return unknown;
  }

  function record(d: RouteDifference, at: string, unknown: string[]): void {
    tally.fields++;
    const known = knownDifference(d);
    if (known) tally.known.set(known.reason, (tally.known.get(known.reason) ?? 0) + 1);
    else
      unknown.push(`${at}: ${d.where} ${d.path}: local ${JSON.stringify(d.local)}, istiod ${JSON.stringify(d.istiod)}`);
  }

  async function restore(applied: LoadedObject[]): Promise<void> {
    await restoreBase(target.kubeconfigPath, applied);
  }

  it(
    'every manifest set of the shipped and e2e plans',
    async () => {
      const sets = await planSets();
      expect(sets.length).toBeGreaterThanOrEqual(10);
      const unknown: string[] = [];
      for (const set of sets) unknown.push(...(await compare(set)));
      tally.unknown.push(...unknown);
      expect(unknown, unknown.slice(0, 40).join('\n')).toEqual([]);
    },
    10 * MIN,
  );

  it(
    'generated sets: random matches, weights, retries, timeouts, faults, header operations over VirtualServices',
    async () => {
      const unknown: string[] = [];
      seen.clear();
      for (const set of generatedSets(12, 20261203)) unknown.push(...(await compare(set)));
      tally.unknown.push(...unknown);
      // The generated objects reached istiod and came back in its configurations.
      for (const f of FEATURES) expect(seen.get(f) ?? 0, f).toBeGreaterThan(0);
      expect(unknown, unknown.slice(0, 40).join('\n')).toEqual([]);
    },
    10 * MIN,
  );
});
