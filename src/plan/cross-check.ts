/**
 * Checks that look across fields and files: step names unique, and every subset a route, a
 * VirtualService file or an expectation names defined by some DestinationRule.
 */
import type { InputIssue } from '../core/errors.js';
import type { LoadedObject } from '../kube/manifest.js';
import { REVIEWS_VERSIONS } from './schema.js';
import type { ParsedStep } from './parse-plan.js';
import type { SubsetIndex } from './subsets.js';
import { planField, type PlanPath, type YamlSource } from './yaml-source.js';

export function duplicateStepNames(steps: ParsedStep[], source: YamlSource): InputIssue[] {
  const first = new Map<string, PlanPath>();
  const issues: InputIssue[] = [];
  for (const { raw, prefix } of steps) {
    if (raw.name === undefined) continue;
    const earlier = first.get(raw.name);
    if (!earlier) {
      first.set(raw.name, prefix);
      continue;
    }
    const path = [...prefix, 'name'];
    issues.push({
      file: source.file,
      line: source.lineOf(path),
      field: planField(path),
      message:
        `duplicate step name "${raw.name}" (also ${planField(earlier)}, ` +
        `line ${source.lineOf([...earlier, 'name'])})`,
    });
  }
  return issues;
}

/** The host whose versions `reviews` outcomes and `byVersion` gates name. */
const REVIEWS_HOST = 'reviews';

/** Subsets named by a step's route shorthand, its expectations and its per-version gates. */
export function stepSubsets(
  step: ParsedStep,
  index: SubsetIndex,
  namespace: string,
  source: YamlSource,
  routeIsHTTPRoute = false,
): InputIssue[] {
  const issues: InputIssue[] = [];
  const report = (path: PlanPath, message: string | undefined) => {
    if (message) issues.push({ file: source.file, line: source.lineOf(path), field: planField(path), message });
  };
  const { raw, prefix } = step;
  // An HTTPRoute shorthand names versioned Services, not subsets (checked in gateway-api-check.ts).
  if (raw.route && !routeIsHTTPRoute) {
    for (const subset of Object.keys(raw.route.weights)) {
      report([...prefix, 'route', 'weights', subset], index.check(raw.route.host, namespace, subset));
    }
  }
  (raw.expect ?? []).forEach((e, i) => {
    for (const outcome of Object.keys(e.reviews ?? {})) {
      if (!(REVIEWS_VERSIONS as readonly string[]).includes(outcome)) continue;
      report([...prefix, 'expect', i, 'reviews', outcome], index.check(REVIEWS_HOST, namespace, outcome));
    }
  });
  // Per-version gates name Bookinfo's versions, or a step's own (version-names.ts); unknown while expect doesn't parse.
  if (!raw.expect || raw.expect.some((e) => e.versions)) return issues;
  for (const version of Object.keys(raw.gates?.byVersion ?? {})) {
    const path = [...prefix, 'gates', 'byVersion', version];
    if (!(REVIEWS_VERSIONS as readonly string[]).includes(version))
      report(path, `unknown version "${version}" (byVersion takes ${REVIEWS_VERSIONS.join(', ')})`);
    else report(path, index.check(REVIEWS_HOST, namespace, version));
  }
  return issues;
}

/** Subsets named by the destinations (and mirrors) of VirtualServices in manifest files. */
export function manifestSubsets(objects: LoadedObject[], index: SubsetIndex, namespace: string): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const loaded of objects) {
    const { object: o, source } = loaded;
    if (o.kind !== 'VirtualService' || !o.apiVersion.startsWith('networking.istio.io/')) continue;
    const ns = o.metadata.namespace ?? namespace;
    const check = (path: PlanPath, dest: unknown) => {
      const d = dest as { host?: unknown; subset?: unknown } | undefined;
      if (typeof d?.host !== 'string' || typeof d.subset !== 'string') return;
      const message = index.check(d.host, ns, d.subset);
      if (message)
        issues.push({
          file: source.file,
          line: source.lineOf([...path, 'subset']),
          field: planField([...path, 'subset']),
          message,
        });
    };
    for (const kind of ['http', 'tcp', 'tls'] as const) {
      const rules: unknown[] = Array.isArray(o.spec?.[kind]) ? o.spec[kind] : [];
      rules.forEach((rule, i) => {
        const r = rule as { route?: unknown; mirror?: unknown } | null;
        const routes: unknown[] = Array.isArray(r?.route) ? r.route : [];
        routes.forEach((entry, j) =>
          check(['spec', kind, i, 'route', j, 'destination'], (entry as { destination?: unknown } | null)?.destination),
        );
        if (kind === 'http' && r?.mirror) check(['spec', kind, i, 'mirror'], r.mirror);
      });
    }
  }
  return issues;
}
