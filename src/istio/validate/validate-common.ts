/**
 * Building blocks for checking Kubernetes and Istio objects field by field: an issue collector
 * that turns a field path into file, line and dotted field name, and the value checks Istio's
 * webhook applies in many places (known fields, string matches, durations, percentages, names).
 */
import { RE2JS } from 're2js';
import type { InputIssue } from '../../core/errors.js';
import type { LoadedObject } from '../../kube/manifest.js';

export type FieldPath = (string | number)[];

/** `spec.http[0].route[1].weight` from `['spec', 'http', 0, 'route', 1, 'weight']`. */
export function fieldName(path: FieldPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

/** Collects issues for one loaded object, each with the line of the field it names. */
export class Issues {
  readonly list: InputIssue[] = [];
  constructor(private readonly loaded: LoadedObject) {}

  add(path: FieldPath, message: string): void {
    const { source } = this.loaded;
    this.list.push({ file: source.file, line: source.lineOf(path), field: fieldName(path), message });
  }
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reports every key of `value` not in `known` (the CRD schemas reject unknown fields). */
export function knownFields(
  issues: Issues,
  value: Record<string, unknown>,
  path: FieldPath,
  known: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) issues.add([...path, key], `unknown field "${key}" (known here: ${known.join(', ')})`);
  }
}

/** A required mapping; reports and returns undefined when absent or of another type. */
export function mapAt(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  what = fieldName(path),
): Record<string, unknown> | undefined {
  if (isMap(value)) return value;
  issues.add(path, value === undefined || value === null ? `${what} is required` : `${what} must be a mapping`);
  return undefined;
}

/** An optional list; reports a non-list and returns [] for it. */
export function listAt(issues: Issues, value: unknown, path: FieldPath): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  issues.add(path, `${fieldName(path)} must be a list`);
  return [];
}

export function nonEmptyString(issues: Issues, value: unknown, path: FieldPath, what: string): value is string {
  if (typeof value === 'string' && value.length > 0) return true;
  issues.add(
    path,
    value === undefined || value === null || value === '' ? `${what} is required` : `${what} must be a string`,
  );
  return false;
}

/** A whole number within [min, max]; Istio's int32/uint32 fields reject fractions. */
export function intIn(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  what: string,
  min: number,
  max: number,
): boolean {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    issues.add(path, `${what} must be a whole number, got ${JSON.stringify(value)}`);
    return false;
  }
  if (value < min || value > max) {
    issues.add(path, `${what} ${value} is not in range ${min}–${max}`);
    return false;
  }
  return true;
}

export function port(issues: Issues, value: unknown, path: FieldPath): void {
  intIn(issues, value, path, 'port', 1, 65535);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** RFC 1123 label: what Istio requires of subset names, namespaces and gateway names. */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

/** RFC 1123 subdomain: what Kubernetes requires of most object names. */
export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s);
}

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

/** Kubernetes label map: optional `prefix/` + name ≤ 63, values ≤ 63 of the same alphabet or empty. */
export function labelMap(issues: Issues, value: unknown, path: FieldPath, what: string): void {
  if (!isMap(value)) {
    issues.add(path, `${what} must be a mapping of label names to values`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const slash = key.lastIndexOf('/');
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    if (name.length > 63 || !LABEL_NAME.test(name) || (slash >= 0 && !isDnsSubdomain(prefix))) {
      issues.add([...path, key], `invalid label name "${key}"`);
    }
    if (typeof v !== 'string')
      issues.add([...path, key], `label ${key} must have a string value (quote numbers and booleans)`);
    else if (v !== '' && (v.length > 63 || !LABEL_NAME.test(v)))
      issues.add([...path, key], `invalid label value "${v}" for ${key}`);
  }
}

/** Istio compiles match regexes with Go's RE2, capped at 1024 characters; re2js is the same dialect. */
export function regex(issues: Issues, value: unknown, path: FieldPath): void {
  if (typeof value !== 'string' || value === '') {
    issues.add(path, 'regex has no value');
    return;
  }
  if (value.length > 1024) {
    issues.add(path, `regex is too long (${value.length} characters, at most 1024)`);
    return;
  }
  try {
    RE2JS.compile(value);
  } catch (err) {
    issues.add(path, `regex does not compile as RE2 (the syntax Envoy uses): ${(err as Error).message}`);
  }
}

const STRING_MATCH = ['exact', 'prefix', 'regex'] as const;

/**
 * An Istio StringMatch: at most one of exact, prefix, regex. `{}` is allowed where Istio reads it as
 * "present" (headers, query parameters). A key written with no value (`exact:`) is reported: Istio
 * would silently read it as a presence match, which is never what was meant.
 */
export function stringMatch(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  what: string,
  emptyAllowed: boolean,
  /** A header's value: exact and prefix values are held to what a request can carry. */
  headerValue = false,
): void {
  if (value === null || value === undefined) {
    issues.add(
      path,
      `${what} has no value ` +
        `(write {exact: …}, {prefix: …} or {regex: …}${emptyAllowed ? ', or {} to match presence' : ''})`,
    );
    return;
  }
  if (!isMap(value)) {
    issues.add(path, `${what} must be a mapping with exact, prefix or regex`);
    return;
  }
  knownFields(issues, value, path, STRING_MATCH);
  const kinds = STRING_MATCH.filter((k) => k in value);
  if (kinds.length > 1) issues.add([...path, kinds[1]!], `${what} sets ${kinds.join(' and ')}; use only one`);
  if (kinds.length === 0 && !emptyAllowed && Object.keys(value).length === 0) issues.add(path, `${what} is empty`);
  for (const k of kinds) {
    const v = value[k];
    if (k === 'regex') regex(issues, v, [...path, k]);
    else if (v === null || v === undefined) issues.add([...path, k], `${what} ${k} has no value`);
    else if (typeof v !== 'string') issues.add([...path, k], `${what} ${k} must be a string (quote numbers)`);
    else if (headerValue) {
      const bad = unsendableHeaderValue(v);
      if (bad) issues.add([...path, k], `${what} ${k} value has ${bad}: ${NO_SUCH_HEADER_VALUE}`);
    }
  }
}

/**
 * Why a match on such a value is refused: Istio's webhook accepts it, but it can only ever compare
 * with a value no request has.
 */
export const NO_SUCH_HEADER_VALUE =
  'no HTTP request carries CR, LF or NUL in a header value (RFC 9110, RFC 9113; Envoy refuses one that does), ' +
  'so the match could never see it';

/** The first CR, LF or NUL in a header value, said with its position (`a CR (U+000D) at position 4`), or null. */
export function unsendableHeaderValue(value: string): string | null {
  const m = /[\r\n\0]/.exec(value);
  if (!m) return null;
  const name = m[0] === '\r' ? 'CR (U+000D)' : m[0] === '\n' ? 'LF (U+000A)' : 'NUL (U+0000)';
  return `a ${name} at position ${m.index + 1}`;
}

/**
 * Istio's ValidateHTTPHeaderValue (the webhook, for headers set or added): no control character
 * but a tab. `validation.istio.io` refuses the object otherwise.
 */
export function controlInHeaderValue(value: string): string | null {
  const m = /[\u0000-\u0008\u000A-\u001F\u007F]/.exec(value);
  if (!m) return null;
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `the control character U+${code} at position ${m.index + 1}`;
}

const HEADER_NAME = /^[-_A-Za-z0-9]+$/;

/** A map of header (or query parameter) names to StringMatches. */
export function matchMap(issues: Issues, value: unknown, path: FieldPath, what: 'header' | 'query parameter'): void {
  if (value === undefined) return;
  if (!isMap(value)) {
    issues.add(path, `${fieldName(path)} must be a mapping of ${what} names to matches`);
    return;
  }
  for (const [name, m] of Object.entries(value)) {
    if (what === 'header' && !HEADER_NAME.test(name))
      issues.add([...path, name], `"${name}" is not a valid header name`);
    stringMatch(issues, m, [...path, name], `${what} match "${name}"`, true, what === 'header');
  }
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go-style duration (`7s`, `0.5s`, `1m30s`, `250ms`), the form Istio's duration fields
 * accept. Written here because `ms` reads a different grammar (no `1m30s`, no `us`).
 */
export function parseGoDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let pos = 0;
  let total = 0;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = part.lastIndex;
  }
  return pos === 0 ? undefined : total;
}

/** Istio requires durations of at least 1 ms. */
export function duration(issues: Issues, value: unknown, path: FieldPath, what: string): void {
  if (typeof value !== 'string') {
    issues.add(path, `${what} must be a duration string such as 5s or 500ms, got ${JSON.stringify(value)}`);
    return;
  }
  const msValue = parseGoDuration(value);
  if (msValue === undefined) issues.add(path, `${what} "${value}" is not a valid duration (use e.g. 500ms, 7s, 1m30s)`);
  else if (msValue < 1) issues.add(path, `${what} "${value}" is shorter than 1ms`);
}

/** `{ value: p }` with p 0 or within [0.0001, 100]. */
export function percentage(issues: Issues, value: unknown, path: FieldPath): void {
  if (value === undefined) return;
  if (!isMap(value)) {
    issues.add(path, 'percentage must be a mapping like {value: 50}');
    return;
  }
  knownFields(issues, value, path, ['value']);
  const p = value.value;
  if (typeof p !== 'number' || !Number.isFinite(p))
    issues.add([...path, 'value'], `percentage value must be a number, got ${JSON.stringify(p)}`);
  else if (p < 0 || p > 100 || (p > 0 && p < 0.0001))
    issues.add([...path, 'value'], `percentage ${p} is not in range 0–100`);
}

/**
 * `exportTo` as Istio's validateExportTo checks it: each entry `.`, `*` or a namespace name (`~` is
 * for ServiceEntries only), none twice (`.` counts as the object's own namespace), `*` alone.
 */
export function exportTo(issues: Issues, value: unknown, path: FieldPath, namespace: string): void {
  const list = listAt(issues, value, path);
  const seen = new Set<string>();
  list.forEach((e, i) => {
    const p = [...path, i];
    if (typeof e !== 'string') return issues.add(p, 'an exportTo entry must be a string');
    if (e === '~') return issues.add(p, 'exportTo "~" (none) is not allowed for Istio configuration objects');
    if (e !== '.' && e !== '*' && !isDnsLabel(e))
      return issues.add(p, `exportTo "${e}" is not ".", "*" or a namespace name`);
    const key = e === '.' ? namespace : e;
    if (seen.has(key))
      issues.add(
        p,
        key === e
          ? `duplicate exportTo entry "${e}"`
          : `duplicate exportTo entries: "." and the object's namespace ${namespace}`,
      );
    seen.add(key);
  });
  if (seen.has('*') && list.length > 1)
    issues.add(path, 'exportTo cannot combine "*" (every namespace) with other entries');
}
