/**
 * Loads a plan file into the resolved Plan the runner works from: YAML parsed with lines kept, the
 * format checked strictly, settings resolved (precedence in settings.ts), manifest paths resolved
 * relative to the plan file and every manifest loaded and validated, the `route` shorthand turned
 * into its VirtualService, and the cross-checks run. Every problem found is reported at once in one
 * InputError (exit 2); nothing here touches a cluster.
 */
import { basename, extname, join, resolve } from 'node:path';
import { InputError, type InputIssue, type SourceLocation } from '../core/errors.js';
import { paths } from '../core/paths.js';
import { MAX_PLAN_BYTES, readInputText } from '../core/yaml-input.js';
import type { LoadedObject } from '../kube/manifest.js';
import { routeShorthandObject } from '../istio/routes/route-shorthand.js';
import { routeShorthandHTTPRoute, versionedService } from '../istio/routes/route-shorthand-httproute.js';
import { validateObject } from '../istio/validate/validate.js';
import { delegateIssues } from '../istio/validate/validate-delegates.js';
import {
  DEFAULT_SETTINGS,
  isWeighted,
  clusteringShare,
  type Expectation,
  type ManifestRef,
  type Plan,
  type PlanNote,
  type RoutingApi,
  type Step,
} from './types.js';
import type { RawSettings, RawStep } from './schema.js';
import { parsePlan, type ParsedStep } from './parse-plan.js';
import { parseYamlSource, planField, type PlanPath, type YamlSource } from './yaml-source.js';
import { applyOverrides, checkOverrides, layerSettings, stepSettings, type Overrides } from './settings.js';
import { ManifestLoader } from './manifests.js';
import { SubsetIndex } from './subsets.js';
import { duplicateStepNames, manifestSubsets, stepSubsets } from './cross-check.js';
import { ClusterIndex, httpRouteReferences, mixedRoutingNotes } from './gateway-api-check.js';
import { checkFence } from './fence.js';
import { knownVersions, versionNameIssues } from './version-names.js';
import { smallShareIssues } from './small-shares.js';
import { DEFAULT_VERSION_FROM } from '../model/version-from.js';

/** The project's own DestinationRules: subsets they define count as defined. */
export const PROJECT_DESTINATION_RULES = join(paths.manifests, 'istio', 'destination-rule-all.yaml');
/** The Bookinfo base every target deploys: its Services count as defined for backendRefs. */
export const PROJECT_BOOKINFO = join(paths.manifests, 'bookinfo', 'bookinfo.yaml');

export async function loadPlan(file: string, overrides: Overrides = {}): Promise<Plan> {
  const planFile = resolve(file);
  const flagIssues = checkOverrides(overrides);
  const issues: InputIssue[] = [...flagIssues];
  const source = await readSource(planFile, issues);
  const { top, topComplete, steps, rollback } = parsePlan(source, issues);
  const all = rollback ? [...steps, rollback] : steps;
  const namespace = top.namespace ?? 'default';
  issues.push(...duplicateStepNames(steps, source));

  const loader = new ManifestLoader(planFile);
  const loadRefs = async (files: string[], prefix: PlanPath) => {
    const results = await Promise.all(files.map((f, i) => loader.load(f, at(source, [...prefix, i]))));
    for (const r of results) issues.push(...r.issues);
    return results.map((r) => r.ref);
  };
  const [setup, ...stepRefs] = await Promise.all([
    loadRefs(top.setup ?? [], ['setup']),
    ...all.map((s) => loadRefs(s.raw.apply ?? [], [...s.prefix, 'apply'])),
  ]);

  const fileObjects = await loader.allObjects();
  const allow = top.allowNamespaces ?? [];
  const fence = checkFence(fileObjects, namespace, allow, (path) => at(source, path));
  issues.push(...fence.issues);
  const cluster = new ClusterIndex([...fileObjects, ...(await projectObjects(PROJECT_BOOKINFO))], namespace);
  const defaultApi: RoutingApi = top.routingApi ?? 'istio';
  const shorthand = new Map<ParsedStep, LoadedObject>();
  for (const s of all) {
    if (!s.raw.route) continue;
    const obj = routeObject(s, namespace, source, defaultApi, cluster, issues);
    if (!obj) continue;
    shorthand.set(s, obj);
    issues.push(...validateObject(obj));
  }
  // The shorthand's own references were checked as it was built, against the plan's fields.
  issues.push(...httpRouteReferences(fileObjects, cluster, namespace));

  const index = new SubsetIndex();
  index.addAll(fileObjects, namespace);
  index.addAll(await projectObjects(PROJECT_DESTINATION_RULES), namespace);
  issues.push(...manifestSubsets(fileObjects, index, namespace));
  issues.push(...delegateIssues(fileObjects, namespace));
  for (const s of all)
    issues.push(
      ...stepSubsets(s, index, namespace, source, s.raw.route && (s.raw.route.api ?? defaultApi) === 'gateway-api'),
    );

  const versions = knownVersions(fileObjects);
  for (const s of all) issues.push(...versionNameIssues(s, versions, source));
  // Shares below their tolerance, judged where every setting that sets it was read as written.
  if (topComplete && !flagIssues.length)
    for (const s of all)
      if (s.complete)
        issues.push(...smallShareIssues(s, stepSettings(top.defaults, s.raw.settings, overrides), source));

  if (issues.length) throw new InputError(sortIssues(issues, planFile));

  const build = (s: ParsedStep, i: number, name: string) =>
    buildStep(s, name, stepRefs[i]!, shorthand.get(s), top.defaults, overrides, source, defaultApi);
  const built = steps.map((s, i) => build(s, i, s.raw.name!));
  const back = rollback ? build(rollback, steps.length, rollback.raw.name ?? 'rollback') : null;
  const planAlpha = top.defaults?.planAlpha;
  if (planAlpha !== undefined) splitPlanAlpha(planAlpha, built, back);
  const ingressGateway = setup!
    .flatMap((m) => m.objects)
    .find((l) => l.object.kind === 'Gateway' && l.object.apiVersion.startsWith('gateway.networking.k8s.io/'));
  return {
    name: top.name ?? basename(planFile, extname(planFile)),
    description: top.description,
    file: planFile,
    namespace,
    defaults: applyOverrides(layerSettings(DEFAULT_SETTINGS, top.defaults), overrides),
    planAlpha,
    setup: setup!,
    steps: built,
    rollback: back,
    routingApi: defaultApi,
    ingressGateway: ingressGateway && {
      namespace: ingressGateway.object.metadata.namespace ?? namespace,
      name: ingressGateway.object.metadata.name,
    },
    notes: planNotes(
      setup!.flatMap((m) => m.objects),
      built,
      namespace,
    ),
    ...(top.allowNamespaces && {
      fence: { allowNamespaces: allow, beyond: fence.beyond, warnings: fence.warnings },
    }),
  };
}

/** Notes on what the cluster holds after each step (objects accumulate: a plan deletes nothing), each said once. */
function planNotes(setup: LoadedObject[], steps: Step[], namespace: string): PlanNote[] {
  const held: LoadedObject[] = [...setup];
  const seen = new Set<string>();
  const notes: PlanNote[] = [];
  for (const step of steps) {
    held.push(...step.objects);
    for (const n of mixedRoutingNotes(step.name, held, namespace)) {
      const key = n.message.replace(/^step \S+ /, '');
      if (!seen.has(key)) notes.push(n);
      seen.add(key);
    }
  }
  return notes;
}

/**
 * defaults.planAlpha split evenly (Bonferroni) over the steps' weighted expectations: each gets
 * planAlpha / k unless its step's alpha is already lower (k counting each connection check's share
 * too). Exact targets keep their step's alpha (it sets their pass guarantee; they never fail a
 * correct split on clean answers). The rollback's weighted
 * expectations get the same share.
 */
function splitPlanAlpha(planAlpha: number, steps: Step[], rollback: Step | null): void {
  // Each counts 1 + its connection check's share of alpha (verify/plan-error.ts).
  const weight = (s: Step) => s.expect.filter(isWeighted).reduce((m, e) => m + 1 + clusteringShare(e), 0);
  const k = steps.reduce((n, s) => n + weight(s), 0);
  if (k === 0) return;
  // Rounded down to three significant digits: the sum stays within planAlpha and reports read cleanly.
  const digits = 10 ** (2 - Math.floor(Math.log10(planAlpha / k)));
  const share = Math.floor((planAlpha / k) * digits) / digits;
  for (const s of [...steps, ...(rollback ? [rollback] : [])]) {
    for (const e of s.expect) if (isWeighted(e) && share < s.settings.alpha) e.alpha = share;
  }
}

/** Reads and parses the plan file; anything that stops loading altogether is thrown with the issues so far. */
async function readSource(planFile: string, issues: InputIssue[]): Promise<YamlSource> {
  const read = await readInputText(planFile, MAX_PLAN_BYTES);
  if ('issue' in read) {
    const message = read.code === 'ENOENT' ? 'plan file not found' : read.issue.message;
    throw new InputError([...issues, { file: planFile, ...read.issue, message }]);
  }
  const text = read.text;
  const parsed = parseYamlSource(text, planFile);
  if (!parsed.source) throw new InputError([...issues, ...parsed.issues]);
  const data = parsed.source.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const message =
      data === null || data === undefined ? 'the plan is empty' : 'a plan is a YAML mapping (name, setup, steps, …)';
    throw new InputError([...issues, { file: planFile, line: 1, message }]);
  }
  return parsed.source;
}

function at(source: YamlSource, path: PlanPath): SourceLocation {
  return { file: source.file, line: source.lineOf(path), field: planField(path) };
}

function routeObject(
  s: ParsedStep,
  namespace: string,
  source: YamlSource,
  defaultApi: RoutingApi,
  cluster: ClusterIndex,
  issues: InputIssue[],
): LoadedObject | undefined {
  const route = s.raw.route!;
  const routePath = [...s.prefix, 'route'];
  const at = {
    file: source.file,
    line: source.lineOf(routePath),
    weightLine: (subset: string) => source.lineOf([...routePath, 'weights', subset]),
  };
  if ((route.api ?? defaultApi) === 'istio') return routeShorthandObject(route.host, route.weights, namespace, at);
  // An HTTPRoute names the host's Service as its parent and the versioned Services as backends, on the host's port.
  const port = cluster.onlyPort(route.host);
  if (port === undefined) {
    const ports = cluster.services.get(`${namespace}/${route.host}`);
    const why = ports
      ? `has ${ports.length} ports; write the HTTPRoute in a file to choose one`
      : 'is defined by no manifest this plan applies, nor manifests/bookinfo/bookinfo.yaml';
    issues.push({
      ...at,
      field: planField([...routePath, 'host']),
      line: source.lineOf([...routePath, 'host']),
      message: `route.host: Service ${route.host} ${why}`,
    });
    return undefined;
  }
  for (const v of Object.keys(route.weights)) {
    if (!cluster.services.has(`${namespace}/${versionedService(route.host, v)}`)) {
      issues.push({
        file: source.file,
        line: at.weightLine(v),
        field: planField([...routePath, 'weights', v]),
        message:
          `routing API gateway-api: weight ${v} goes to Service ${versionedService(route.host, v)}, ` +
          'which no manifest of this plan defines (apply manifests/gateway-api/bookinfo-versions.yaml in setup)',
      });
    }
  }
  return routeShorthandHTTPRoute(route.host, route.weights, namespace, port, at);
}

/** Only called when no issue was found, so every field of the step parsed. */
function buildStep(
  s: ParsedStep,
  name: string,
  apply: ManifestRef[],
  shorthand: LoadedObject | undefined,
  planDefaults: RawSettings | undefined,
  overrides: Overrides,
  source: YamlSource,
  defaultApi: RoutingApi,
): Step {
  const raw = s.raw as Omit<RawStep, 'name'>;
  const { prefix } = s;
  const settings = stepSettings(planDefaults, raw.settings, overrides);
  const expect: Expectation[] = raw.expect.map((e, i) => ({
    user: e.user ?? 'anonymous',
    path: e.path ?? (e.versions ? '/' : '/productpage'),
    ...(e.reviews !== undefined && { reviews: e.reviews }),
    ...(e.ratings !== undefined && { ratings: e.ratings }),
    ...(e.versions !== undefined && { versions: e.versions, versionFrom: e.versionFrom ?? DEFAULT_VERSION_FROM }),
    ...(e.host !== undefined && { host: e.host }),
    ...(e.headers !== undefined && { headers: e.headers }),
    ...(e.requests !== undefined && { requests: e.requests }),
    ...(e.strict !== undefined && { strict: e.strict }),
    concurrency: overrides.concurrency ?? e.concurrency ?? settings.concurrency,
    ...(e.splitPer !== undefined && { splitPer: e.splitPer }),
    at: at(source, [...prefix, 'expect', i]),
  }));
  return {
    name,
    at: at(source, prefix),
    apply,
    route: raw.route && {
      host: raw.route.host,
      weights: raw.route.weights,
      api: raw.route.api ?? defaultApi,
      at: at(source, [...prefix, 'route']),
    },
    objects: [...apply.flatMap((r) => r.objects), ...(shorthand ? [shorthand] : [])],
    expect,
    gates: raw.gates ?? {},
    settings,
  };
}

async function projectObjects(file: string): Promise<LoadedObject[]> {
  // Only a source of defined subsets and Services here: if the project file is absent or broken,
  // plans that name it report that themselves.
  const { ref } = await new ManifestLoader(file).load(file, { file });
  return ref.objects;
}

/** Flag problems first, then the plan's own, then each manifest's, each by line. */
function sortIssues(issues: InputIssue[], planFile: string): InputIssue[] {
  const rank = (i: InputIssue) => (i.file === '<command line>' ? 0 : i.file === planFile ? 1 : 2);
  return issues
    .map((issue, n) => ({ issue, n }))
    .sort(
      (a, b) =>
        rank(a.issue) - rank(b.issue) ||
        a.issue.file.localeCompare(b.issue.file) ||
        (a.issue.line ?? 0) - (b.issue.line ?? 0) ||
        a.n - b.n,
    )
    .map((x) => x.issue);
}
