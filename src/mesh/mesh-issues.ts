/**
 * What the local mesh itself cannot take, beyond Istio's validation: regular expressions its RE2
 * engine rejects (Istio compiles them with Go's RE2 too, so these would fail on a cluster as well).
 */
import { RE2JS } from 're2js';
import type { InputIssue } from '../core/errors.js';
import { objectRef, type LoadedObject } from '../kube/manifest.js';

export function meshIssues({ object, source }: LoadedObject): InputIssue[] {
  if (object.kind !== 'VirtualService') return [];
  const issues: InputIssue[] = [];
  const check = (pattern: unknown, path: (string | number)[]) => {
    if (typeof pattern !== 'string' || pattern === '*') return;
    try {
      RE2JS.compile(pattern);
    } catch (err) {
      issues.push({
        file: source.file,
        line: source.lineOf(path),
        field: path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
          .join('')
          .slice(1),
        message:
          `${objectRef(object)}: invalid RE2 regex "${pattern}": ` +
          `${err instanceof Error ? err.message : String(err)}`,
      });
    }
  };
  const rules: any[] = Array.isArray(object.spec?.http) ? object.spec.http : [];
  rules.forEach((rule, i) => {
    const base = ['spec', 'http', i];
    (Array.isArray(rule?.match) ? rule.match : []).forEach((m: any, j: number) => {
      const at = [...base, 'match', j];
      check(m?.uri?.regex, [...at, 'uri', 'regex']);
      for (const field of ['headers', 'withoutHeaders', 'queryParams'] as const) {
        for (const [name, sm] of Object.entries(m?.[field] ?? {}))
          check((sm as any)?.regex, [...at, field, name, 'regex']);
      }
      for (const field of ['method', 'authority', 'scheme'] as const) check(m?.[field]?.regex, [...at, field, 'regex']);
    });
    check(rule?.rewrite?.uriRegexRewrite?.match, [...base, 'rewrite', 'uriRegexRewrite', 'match']);
  });
  return issues;
}
