/**
 * The warnings Istio's validation webhook gives a VirtualService without refusing it
 * (analyzeUnreachableHTTPRules): a rule after a rule without matches is never used, a second rule
 * without matches is never used, a match entry repeating an earlier one is ineffective, a rule all
 * of whose entries repeat earlier ones is never used, a prefix match covered by an earlier prefix
 * match with the same other conditions is ineffective. Each warning carries the file and line of the
 * rule (or match entry) it is about.
 */
import type { InputIssue } from '../../core/errors.js';
import type { LoadedObject } from '../../kube/manifest.js';
import { fieldName, isMap } from './validate-common.js';

export function virtualServiceWarnings(loaded: LoadedObject): InputIssue[] {
  const { object: o, source } = loaded;
  if (o.kind !== 'VirtualService' || !Array.isArray(o.spec?.http)) return [];
  const out: InputIssue[] = [];
  const warn = (path: (string | number)[], message: string) =>
    out.push({ file: source.file, line: source.lineOf(path), field: fieldName(path), message });
  const rules: unknown[] = o.spec.http;
  const seen = new Map<string, number>();
  const prefixed: PrefixMatch[] = [];
  let catchAll = -1;
  rules.forEach((rule, i) => {
    if (!isMap(rule)) return;
    const path = ['spec', 'http', i];
    const matches: unknown[] = Array.isArray(rule.match) ? rule.match : [];
    if (!matches.length) {
      if (catchAll >= 0)
        warn(
          path,
          `virtualService rule ${ruleName(rule, i)} not used (only the last rule can have no matches; ` +
            `${ruleName(rules[catchAll], catchAll)} has none)`,
        );
      catchAll = i;
      return;
    }
    let repeats = 0;
    matches.forEach((m, j) => {
      if (catchAll >= 0) {
        if (j === 0)
          warn(
            path,
            `virtualService rule ${ruleName(rule, i)} not used (route without matches defined before: ` +
              `${ruleName(rules[catchAll], catchAll)} catches every request)`,
          );
        return;
      }
      const key = canonical(m);
      const earlier = seen.get(key);
      if (earlier === undefined) {
        seen.set(key, i);
        const pm = prefixMatch(m, ruleName(rule, i), matchName(m, j), [...path, 'match', j]);
        if (pm) prefixed.push(pm);
        return;
      }
      repeats++;
      warn(
        [...path, 'match', j],
        `virtualService rule ${ruleName(rule, i)} match ${matchName(m, j)} is not used ` +
          `(duplicate/overlapping match in rule ${ruleName(rules[earlier], earlier)})`,
      );
    });
    if (catchAll < 0 && repeats === matches.length)
      warn(path, `virtualService rule ${ruleName(rule, i)} not used (all matches used by prior rules)`);
  });
  prefixed.forEach((a, i) => {
    for (const b of prefixed.slice(i + 1)) {
      if (b.prefix === a.prefix || !covers(a, b)) continue;
      warn(
        b.path,
        `virtualService rule ${b.rule} match ${b.match} of prefix ${b.prefix} is not used ` +
          `(duplicate/overlapping match in rule ${a.match} of prefix ${a.prefix} on ${a.rule})`,
      );
    }
  });
  return out;
}

/** What istiod's overlap check compares of a uri-prefix match entry (genMatchHTTPRoutes). */
interface PrefixMatch {
  rule: string;
  match: string;
  path: (string | number)[];
  prefix: string;
  port: unknown;
  method: string;
  authority: string;
  headers: Map<string, string>;
  queryParams: Map<string, string>;
  withoutHeaders: Map<string, string>;
}

function prefixMatch(m: unknown, rule: string, match: string, path: (string | number)[]): PrefixMatch | null {
  if (!isMap(m) || !isMap(m.uri) || typeof m.uri.prefix !== 'string' || !m.uri.prefix) return null;
  const values = (v: unknown) => new Map(Object.entries(isMap(v) ? v : {}).map(([k, sm]) => [k, exactOrPrefix(sm)]));
  return {
    rule,
    match,
    path,
    prefix: m.uri.prefix,
    port: m.port ?? 0,
    // No method means GET, as istiod assumes here.
    method: exactOrPrefix(m.method) || 'exact:GET',
    authority: exactOrPrefix(m.authority),
    headers: values(m.headers),
    queryParams: values(m.queryParams),
    withoutHeaders: values(m.withoutHeaders),
  };
}

function exactOrPrefix(sm: unknown): string {
  if (!isMap(sm)) return '';
  if (typeof sm.exact === 'string' && sm.exact) return `exact:${sm.exact}`;
  if (typeof sm.prefix === 'string' && sm.prefix) return `prefix:${sm.prefix}`;
  return '';
}

/** istiod's coveredValidation: b's prefix extends a's and every other condition of a is as wide as b's. */
function covers(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix) || a.port !== b.port) return false;
  const wider = (x: string, y: string) => x === y || x.startsWith(y);
  if (!wider(a.method, b.method) || !wider(a.authority, b.authority)) return false;
  for (const k of ['headers', 'queryParams', 'withoutHeaders'] as const) {
    if (a[k].size !== b[k].size) return false;
    for (const [name, v] of a[k]) {
      const w = b[k].get(name);
      if (w === undefined || !wider(v, w)) return false;
    }
  }
  return true;
}

/** `"name"` when the rule has one, else `#index`, as istiod names rules in these warnings. */
function ruleName(rule: unknown, i: number): string {
  return isMap(rule) && typeof rule.name === 'string' && rule.name ? JSON.stringify(rule.name) : `#${i}`;
}

function matchName(m: unknown, j: number): string {
  return isMap(m) && typeof m.name === 'string' && m.name ? JSON.stringify(m.name) : `#${j}`;
}

/** The match without its name, keys sorted: two entries that route alike compare equal. */
function canonical(m: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (!isMap(v)) return v;
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    );
  };
  const { name: _n, ...rest } = isMap(m) ? m : {};
  return JSON.stringify(sortKeys(rest));
}
