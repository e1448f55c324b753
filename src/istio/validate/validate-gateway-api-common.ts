/**
 * Value checks the Gateway API's CRDs (standard channel, v1.6.0, config/crd/standard in
 * kubernetes-sigs/gateway-api) apply in many places: list bounds, name patterns, references.
 * The patterns and limits are the CRD's own; docs/research/gateway-api.md names where each comes from.
 */
import { type FieldPath, type Issues, fieldName, intIn, isMap, knownFields } from './validate-common.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** RFC 1123 subdomain, as `Hostname` (without the wildcard), `SectionName`, rule names. */
export const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** `Hostname`: a subdomain, optionally behind one `*.`. */
export const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** `HTTPHeaderName` (RFC 7230 token), also used for query parameter names. */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const GROUP = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A list of at most `max` items (the CRD's maxItems); returns [] for a non-list. */
export function boundedList(issues: Issues, value: unknown, path: FieldPath, max: number, min = 0): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.add(path, `${fieldName(path)} must be a list`);
    return [];
  }
  if (value.length > max)
    issues.add(path, `${fieldName(path)} has ${value.length} entries; the Gateway API allows at most ${max}`);
  if (value.length < min) issues.add(path, `${fieldName(path)} needs at least ${min} entr${min === 1 ? 'y' : 'ies'}`);
  return value;
}

/** A string field with the CRD's length bounds and pattern; `required` reports absence. */
export function patterned(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  what: string,
  rule: { pattern?: RegExp; min?: number; max: number; required?: boolean; hint?: string },
): value is string {
  if (value === undefined || value === null) {
    if (rule.required) issues.add(path, `${what} is required`);
    return false;
  }
  if (typeof value !== 'string') {
    issues.add(path, `${what} must be a string, got ${JSON.stringify(value)}`);
    return false;
  }
  if (value.length < (rule.min ?? 0) || value.length > rule.max) {
    issues.add(path, `${what} must be ${rule.min ?? 0}–${rule.max} characters long, got ${value.length}`);
    return false;
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    issues.add(path, `${what} ${JSON.stringify(value)} is not valid${rule.hint ? ` (${rule.hint})` : ''}`);
    return false;
  }
  return true;
}

/** One of the CRD's enum values. */
export function oneOf(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  what: string,
  allowed: readonly (string | number)[],
): boolean {
  if (allowed.includes(value as string)) return true;
  issues.add(path, `${what} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return false;
}

/** Entries of a list-map (`listType=map`, key `name`) must have distinct keys: the API server refuses repeats. */
export function uniqueNames(issues: Issues, entries: unknown[], path: FieldPath, what: string, key = 'name'): void {
  const seen = new Set<unknown>();
  entries.forEach((e, i) => {
    if (!isMap(e) || e[key] === undefined) return;
    if (seen.has(e[key])) issues.add([...path, i, key], `duplicate ${what} ${JSON.stringify(e[key])}`);
    seen.add(e[key]);
  });
}

export interface ObjectRef {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
  port?: number;
}

/**
 * A `BackendObjectReference` or `ParentReference`: group, kind, name, namespace, port (and, for
 * parents, sectionName) with the CRD's patterns, defaults filled in. Undefined when unusable.
 */
export function objectRefAt(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  what: string,
  defaults: { group: string; kind: string },
  extra: readonly string[] = [],
): ObjectRef | undefined {
  if (!isMap(value)) {
    issues.add(path, `${what} must be a mapping with at least a name`);
    return undefined;
  }
  knownFields(issues, value, path, ['group', 'kind', 'name', 'namespace', 'port', ...extra]);
  const group = value.group ?? defaults.group;
  const kind = value.kind ?? defaults.kind;
  let ok = patterned(issues, group, [...path, 'group'], `${what} group`, {
    pattern: GROUP,
    max: 253,
    hint: 'a DNS subdomain, or "" for the core group',
  });
  ok = patterned(issues, kind, [...path, 'kind'], `${what} kind`, { pattern: KIND, min: 1, max: 63 }) && ok;
  ok = patterned(issues, value.name, [...path, 'name'], `${what} name`, { min: 1, max: 253, required: true }) && ok;
  if (value.namespace !== undefined)
    ok =
      patterned(issues, value.namespace, [...path, 'namespace'], `${what} namespace`, {
        pattern: NAMESPACE,
        min: 1,
        max: 63,
      }) && ok;
  if (value.port !== undefined) ok = intIn(issues, value.port, [...path, 'port'], `${what} port`, 1, 65535) && ok;
  if (!ok) return undefined;
  return {
    group: group as string,
    kind: kind as string,
    name: value.name as string,
    namespace: typeof value.namespace === 'string' ? value.namespace : undefined,
    port: typeof value.port === 'number' ? value.port : undefined,
  };
}

/** A core-group Service, the only backend kind meshproof's targets route to. */
export function isServiceRef(ref: Pick<ObjectRef, 'group' | 'kind'>): boolean {
  return ref.group === '' && ref.kind === 'Service';
}
