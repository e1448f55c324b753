/**
 * The warnings Istio's validation webhook gives a VirtualService without refusing it
 * (analyzeUnreachableHTTPRules): a rule after a rule without matches is never used, a second rule
 * without matches is never used, a match entry repeating an earlier one is ineffective, a rule all
 * of whose entries repeat earlier ones is never used. The prefix-overlap warning istiod also gives is
 * not made here. Each warning carries the file and line of the rule (or match entry) it is about.
 */
import type { InputIssue } from '../core/errors.js';
import type { LoadedObject } from '../kube/manifest.js';
import { fieldName, isMap } from './validate-common.js';

export function virtualServiceWarnings(loaded: LoadedObject): InputIssue[] {
  const { object: o, source } = loaded;
  if (o.kind !== 'VirtualService' || !Array.isArray(o.spec?.http)) return [];
  const out: InputIssue[] = [];
  const warn = (path: (string | number)[], message: string) => out.push({ file: source.file, line: source.lineOf(path), field: fieldName(path), message });
  const rules: unknown[] = o.spec.http;
  const seen = new Map<string, number>();
  let catchAll = -1;
  rules.forEach((rule, i) => {
    if (!isMap(rule)) return;
    const path = ['spec', 'http', i];
    const matches: unknown[] = Array.isArray(rule.match) ? rule.match : [];
    if (!matches.length) {
      if (catchAll >= 0) warn(path, `virtualService rule ${ruleName(rule, i)} not used (only the last rule can have no matches; ${ruleName(rules[catchAll], catchAll)} has none)`);
      catchAll = i;
      return;
    }
    let repeats = 0;
    matches.forEach((m, j) => {
      if (catchAll >= 0) {
        if (j === 0) warn(path, `virtualService rule ${ruleName(rule, i)} not used (route without matches defined before: ${ruleName(rules[catchAll], catchAll)} catches every request)`);
        return;
      }
      const key = canonical(m);
      const earlier = seen.get(key);
      if (earlier === undefined) {
        seen.set(key, i);
        return;
      }
      repeats++;
      warn([...path, 'match', j], `virtualService rule ${ruleName(rule, i)} match ${matchName(m, j)} is not used (duplicate/overlapping match in rule ${ruleName(rules[earlier], earlier)})`);
    });
    if (catchAll < 0 && repeats === matches.length) warn(path, `virtualService rule ${ruleName(rule, i)} not used (all matches used by prior rules)`);
  });
  return out;
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
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  };
  const { name: _n, ...rest } = isMap(m) ? m : {};
  return JSON.stringify(sortKeys(rest));
}
