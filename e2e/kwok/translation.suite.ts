/**
 * The local translation held to istiod's. For every manifest set the shipped and e2e plans apply
 * (each step, cumulatively, after the plan's setup) and for generated ones (generated-routes.ts,
 * and generated-choices.ts where istiod chooses or merges), the objects go to the kwok target,
 * where the real istiod configures every proxy over xDS, and into a local config store that takes
 * the creation times the API server gave them; each proxy's route configurations and outbound
 * clusters from istiod are compared with the local translation for the same pod, field by field
 * (normalisation: src/mesh/translate/istiod-diff.ts, istiod-cluster-diff.ts). A difference not
 * listed in src/mesh/translate/known-differences.ts fails.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, LoadedObject } from '../../src/kube/manifest.js';
import { bookinfoCatalog } from '../../src/mesh/apps/catalog.js';
import { meshIssues } from '../../src/mesh/mesh-issues.js';
import { ConfigStore } from '../../src/mesh/store.js';
import type { RouteConfiguration } from '../../src/mesh/envoy/types.js';
import { KubeClient } from '../../src/kube/client.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import type { ClusterDef } from '../../src/mesh/translate/clusters.js';
import { diffClusters } from '../../src/mesh/translate/istiod-cluster-diff.js';
import { diffRouteConfigs, type RouteDifference } from '../../src/mesh/translate/istiod-diff.js';
import { knownDifference } from '../../src/mesh/translate/known-differences.js';
import { buildModel, type MeshModel } from '../../src/mesh/translate/model.js';
import { proxyConfig } from '../../src/mesh/translate/proxy-config.js';
import { TYPES } from '../../src/mesh/xds-proxy/admin-server.js';
import { loadPlan } from '../../src/plan/load.js';
import type { KwokDataPlane } from '../../src/targets/kwok/data-plane/data-plane.js';
import type { KwokTarget } from '../../src/targets/kwok/kwok-target.js';
import { root } from '../cli.js';
import { CHOICE_FEATURES, choiceSets, countChoices, countInputChoices, INPUT_CHOICES } from './generated-choices.js';
import { generatedSets, type GeneratedSet } from './generated-routes.js';
import { built } from './kwok-env.js';
import { restoreBase } from '../restore-base.js';
import { baseObjects, sharedTarget } from './shared-target.js';

const MIN = 60_000;
/** Sets of each kind of choice: sidecar VirtualServices, gateway VirtualServices, DestinationRules, all three. */
const CHOICE_SETS = 4 * 4;
const ROUTING_KINDS = new Set(['VirtualService', 'DestinationRule', 'Gateway']);
/** istiod debounces a change for 100 ms; a difference is taken as real after a second without a new push. */
const QUIET_MS = 1000;
const NO_PUSH_MS = 3000;

type ServedProxy = ReturnType<KwokDataPlane['proxies']>[number];
type LocalConfig = { routes: RouteConfiguration[]; clusters: ReadonlyMap<string, ClusterDef> };
/** What istiod pushes that the comparison reads: routes, and clusters with their endpoints. */
const PUSHED = [TYPES.route, TYPES.cluster, TYPES.endpoint];

/** The creation time the API server gave each Istio routing object, by API group, kind, namespace and name. */
async function creationTimes(kube: KubeClient): Promise<(o: KubeObject) => string | undefined> {
  const key = (o: KubeObject) =>
    `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
  const lists = await Promise.all([...ROUTING_KINDS].map((k) => kube.list('networking.istio.io/v1', k)));
  const times = new Map(lists.flatMap((l) => l.items).map((o) => [key(o), String(o.metadata.creationTimestamp)]));
  return (o) => times.get(key(o));
}

type ManifestSet = GeneratedSet;

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

type FeatureCounter = (
  rcs: RouteConfiguration[],
  seen: Map<string, number>,
  clusters: ReadonlyMap<string, unknown>,
) => void;

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
  /**
   * What the compared configurations held (and which choices istiod had to make), so a comparison
   * that saw none of a feature shows it.
   */
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
    console.log(`  seen in the compared states: ${[...seen].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    for (const [reason, n] of tally.known) console.log(`  known ×${n}: ${reason}`);
  }, 2 * MIN);

  /**
   * Each proxy's differences once istiod has answered the change: after a first route or cluster
   * push since the apply (or NO_PUSH_MS without one: a batch that changes nothing for any proxy),
   * as soon as no difference is left that is not listed, or else once nothing new has come for
   * QUIET_MS (a difference that outlasts istiod's pushes is real).
   */
  async function differencesAfter(
    since: number,
    local: (p: ServedProxy) => LocalConfig,
    hosts: ReadonlySet<string>,
  ): Promise<Map<ServedProxy, RouteDifference[]>> {
    const pushTimes = () =>
      target.dataPlane!.proxies().flatMap((p) => PUSHED.map((t) => p.proxy.resources().receivedAt[t] ?? 0));
    let last = pushTimes().join();
    let quietSince = Date.now();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pushed = pushTimes().some((t) => t >= since);
      const now = pushTimes().join();
      if (now !== last) [last, quietSince] = [now, Date.now()];
      if (pushed || Date.now() - since >= NO_PUSH_MS) {
        const found = new Map(
          target.dataPlane!.proxies().map((p) => {
            const ours = local(p);
            const diffs = [
              ...diffRouteConfigs(ours.routes, p.proxy.routes()),
              ...diffClusters(ours.clusters, p.proxy.clusters(), hosts),
            ];
            return [p, diffs] as const;
          }),
        );
        const open = [...found.values()].some((ds) => ds.some((d) => !knownDifference(d)));
        if (!open || Date.now() - quietSince >= QUIET_MS) return found;
      }
      if (Date.now() > deadline) throw new Error(`proxies still taking new configuration after 30 s: ${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Applies each batch to both sides and compares every proxy after each. */
  async function compare(
    set: ManifestSet,
    tallyFeatures: FeatureCounter = countFeatures,
    tallyModel: (model: MeshModel, seen: Map<string, number>) => void = () => undefined,
  ): Promise<string[]> {
    const kube = new KubeClient(loadKubeConfig({ kubeconfig: target.kubeconfigPath }));
    for (const ns of set.namespaces ?? []) await kube.ensureNamespace(ns);
    const store = new ConfigStore(bookinfoCatalog, meshIssues);
    // Both sides order objects by the creation times the API server gave them.
    store.apply(base, { createdAt: await creationTimes(kube) });
    const applied: LoadedObject[] = [];
    const unknown: string[] = [];
    let appliedAt = 0;
    try {
      for (const [i, batch] of set.batches.entries()) {
        if (set.secondApart) await new Promise((r) => setTimeout(r, Math.max(0, appliedAt + 1000 - Date.now())));
        const t0 = Date.now();
        await target.apply(batch);
        appliedAt = Date.now();
        store.apply(batch, { createdAt: await creationTimes(kube) });
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
        tallyModel(model, seen);
        tally.states++;
        const found = await differencesAfter(
          t0,
          (p) =>
            proxyConfig(model, { namespace: p.identity.namespace, labels: p.identity.labels, role: p.identity.role }),
          new Set(model.services.map((s) => s.fqdn)),
        );
        for (const [p, diffs] of found) {
          tallyFeatures(p.proxy.routes(), seen, p.proxy.clusters());
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

  it(
    'generated sets where istiod chooses or merges: VirtualServices and DestinationRules for one host ' +
      'across namespaces and exportTo, gateway merges, redirects and direct responses',
    async () => {
      const unknown: string[] = [];
      seen.clear();
      for (const set of choiceSets(CHOICE_SETS, 20261204))
        unknown.push(...(await compare(set, countChoices, countInputChoices)));
      tally.unknown.push(...unknown);
      // istiod had these choices to make, and its configurations held what the sets generated.
      for (const f of [...INPUT_CHOICES, ...CHOICE_FEATURES]) expect(seen.get(f) ?? 0, f).toBeGreaterThan(0);
      expect(unknown, unknown.slice(0, 40).join('\n')).toEqual([]);
    },
    10 * MIN,
  );
});
