/**
 * HTTPRoute (gateway.networking.k8s.io/v1) checked as the cluster would before anything is
 * applied: the standard-channel CRD's schema and CEL rules (Gateway API v1.6.0) and what Istio's
 * translation refuses (pilot/pkg/config/kube/gateway/conversion.go). Each rule's source is in
 * docs/research/gateway-api.md. References to other objects (does the Service exist, does it have
 * that port) need the plan's other manifests and are checked in src/plan.
 */
import { type FieldPath, type Issues, intIn, isMap, knownFields, mapAt } from './validate-common.js';
import {
  GATEWAY_API_GROUP,
  HOSTNAME,
  SUBDOMAIN,
  boundedList,
  isServiceRef,
  objectRefAt,
  patterned,
} from './validate-gateway-api-common.js';
import { validateFilters } from './validate-httproute-filters.js';
import { validateMatch } from './validate-httproute-match.js';

/** Total matches over all rules (the CRD's CEL rule on spec.rules). */
const MAX_TOTAL_MATCHES = 128;
export const MAX_WEIGHT = 1_000_000;
/** The Gateway API's `Duration`: up to four number+unit parts. */
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

export function validateHTTPRoute(issues: Issues, spec: unknown): void {
  const s = mapAt(issues, spec, ['spec'], 'spec');
  if (!s) return;
  knownFields(issues, s, ['spec'], ['parentRefs', 'hostnames', 'rules']);
  boundedList(issues, s.hostnames, ['spec', 'hostnames'], 16).forEach((h, i) =>
    patterned(issues, h, ['spec', 'hostnames', i], 'hostname', {
      pattern: HOSTNAME,
      min: 1,
      max: 253,
      hint: 'a lowercase DNS name, optionally *.<domain>',
    }),
  );
  parentRefs(issues, s.parentRefs);
  const rules = boundedList(issues, s.rules, ['spec', 'rules'], 16, 1);
  let total = 0;
  rules.forEach((r, i) => (total += rule(issues, r, ['spec', 'rules', i])));
  if (total > MAX_TOTAL_MATCHES)
    issues.add(
      ['spec', 'rules'],
      `the rules hold ${total} matches; the Gateway API allows at most ${MAX_TOTAL_MATCHES} over all rules of a route`,
    );
}

function parentRefs(issues: Issues, value: unknown): void {
  const list = boundedList(issues, value, ['spec', 'parentRefs'], 32);
  if (value !== undefined && list.length === 0) return;
  if (value === undefined) {
    issues.add(
      ['spec', 'parentRefs'],
      'an HTTPRoute needs parentRefs: a Gateway (ingress) or a Service (mesh); without one no proxy applies it',
    );
    return;
  }
  const seen = new Map<string, (string | undefined)[]>();
  list.forEach((p, i) => {
    const path = ['spec', 'parentRefs', i];
    const ref = objectRefAt(issues, p, path, 'parentRef', { group: GATEWAY_API_GROUP, kind: 'Gateway' }, [
      'sectionName',
    ]);
    const section = isMap(p) ? p.sectionName : undefined;
    if (section !== undefined)
      patterned(issues, section, [...path, 'sectionName'], 'sectionName', { pattern: SUBDOMAIN, min: 1, max: 253 });
    if (!ref) return;
    const gateway = ref.group === GATEWAY_API_GROUP && ref.kind === 'Gateway';
    if (!gateway && !isServiceRef(ref)) {
      issues.add(
        [...path, 'kind'],
        `parentRef ${ref.group || '""'}/${ref.kind} is not a parent meshproof routes through: ` +
          `a Gateway (group ${GATEWAY_API_GROUP}) or a Service (group "")`,
      );
    }
    const key = `${ref.group}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
    const sections = seen.get(key) ?? [];
    if (sections.length && (section === undefined || sections.includes(undefined))) {
      issues.add(
        [...path, 'sectionName'],
        'sectionName must be set when parentRefs name the same parent more than once',
      );
    } else if (sections.includes(section as string))
      issues.add([...path, 'sectionName'], `sectionName ${JSON.stringify(section)} repeats for the same parent`);
    seen.set(key, [...sections, section as string | undefined]);
  });
}

/** Checks one rule; returns its number of matches (absent = the CRD's one default match). */
function rule(issues: Issues, value: unknown, path: FieldPath): number {
  const r = mapAt(issues, value, path, 'a rule');
  if (!r) return 0;
  knownFields(issues, r, path, ['name', 'matches', 'filters', 'backendRefs', 'timeouts']);
  if (r.name !== undefined)
    patterned(issues, r.name, [...path, 'name'], 'rule name', { pattern: SUBDOMAIN, min: 1, max: 253 });
  const matches = boundedList(issues, r.matches, [...path, 'matches'], 64);
  matches.forEach((m, i) => validateMatch(issues, m, [...path, 'matches', i]));
  const filters = validateFilters(issues, r.filters, [...path, 'filters'], 'rule');
  const backends = boundedList(issues, r.backendRefs, [...path, 'backendRefs'], 16);
  backends.forEach((b, i) => backendRef(issues, b, [...path, 'backendRefs', i]));
  if (filters.includes('RequestRedirect') && backends.length)
    issues.add([...path, 'backendRefs'], 'a rule with a RequestRedirect filter cannot have backendRefs');
  if (usesReplacePrefixMatch(r.filters) && !singlePathPrefix(r.matches)) {
    issues.add([...path, 'matches'], 'a ReplacePrefixMatch path modifier needs exactly one match, of type PathPrefix');
  }
  if (r.timeouts !== undefined) timeouts(issues, r.timeouts, [...path, 'timeouts']);
  return r.matches === undefined ? 1 : matches.length;
}

function backendRef(issues: Issues, value: unknown, path: FieldPath): void {
  const ref = objectRefAt(issues, value, path, 'backendRef', { group: '', kind: 'Service' }, ['weight', 'filters']);
  const b = isMap(value) ? value : {};
  if (b.weight !== undefined) weight(issues, b.weight, [...path, 'weight']);
  validateFilters(issues, b.filters, [...path, 'filters'], 'backendRef');
  if (!ref) return;
  if (!isServiceRef(ref)) {
    issues.add(
      [...path, 'kind'],
      `backendRef ${ref.group || '""'}/${ref.kind} is not a backend meshproof can route to (a Service, group "")`,
    );
    return;
  }
  if (ref.port === undefined) issues.add([...path, 'port'], 'a Service backendRef needs a port');
  if (ref.name.includes('.'))
    issues.add([...path, 'name'], 'name the Service, not its hostname: Istio refuses a backendRef name with a dot');
}

function weight(issues: Issues, value: unknown, path: FieldPath): void {
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    issues.add(path, `weight must be a number, not the string ${JSON.stringify(value)} (remove the quotes)`);
    return;
  }
  intIn(issues, value, path, 'weight', 0, MAX_WEIGHT);
}

function timeouts(issues: Issues, value: unknown, path: FieldPath): void {
  const t = mapAt(issues, value, path);
  if (!t) return;
  knownFields(issues, t, path, ['request', 'backendRequest']);
  const ms: Record<string, number | undefined> = {};
  for (const k of ['request', 'backendRequest'] as const) {
    if (t[k] === undefined) continue;
    if (
      patterned(issues, t[k], [...path, k], `${k} timeout`, {
        pattern: DURATION,
        max: 64,
        hint: 'a Gateway API duration such as 500ms, 10s or 1h30m',
      })
    )
      ms[k] = gatewayDurationMs(t[k]);
  }
  if (
    ms.request !== undefined &&
    ms.backendRequest !== undefined &&
    ms.request !== 0 &&
    ms.backendRequest > ms.request
  ) {
    issues.add([...path, 'backendRequest'], 'backendRequest timeout cannot be longer than request timeout');
  }
}

/** Milliseconds of a Gateway API duration (already matched against its pattern). */
export function gatewayDurationMs(s: string): number {
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const m of s.matchAll(/(\d+)(ms|h|m|s)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}

function usesReplacePrefixMatch(filters: unknown): boolean {
  if (!Array.isArray(filters)) return false;
  return filters.some(
    (f) =>
      isMap(f) &&
      [f.requestRedirect, f.urlRewrite].some((x) => isMap(x) && isMap(x.path) && x.path.type === 'ReplacePrefixMatch'),
  );
}

function singlePathPrefix(matches: unknown): boolean {
  if (!Array.isArray(matches) || matches.length !== 1) return false;
  const p = isMap(matches[0]) ? matches[0].path : undefined;
  return isMap(p) && (p.type ?? 'PathPrefix') === 'PathPrefix';
}
