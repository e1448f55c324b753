/**
 * A check across objects that Istio's webhook cannot make: a root VirtualService rule naming a
 * delegate that does exist among the objects but sets `hosts`. istiod takes only VirtualServices
 * without hosts as delegates, so that rule would silently route nothing.
 */
import type { InputIssue } from '../../core/errors.js';
import type { LoadedObject } from '../../kube/manifest.js';

export function delegateIssues(objects: LoadedObject[], defaultNamespace: string): InputIssue[] {
  const vss = objects.filter(
    (l) => l.object.kind === 'VirtualService' && l.object.apiVersion.startsWith('networking.istio.io/'),
  );
  const byKey = new Map(
    vss.map((l) => [`${l.object.metadata.namespace ?? defaultNamespace}/${l.object.metadata.name}`, l]),
  );
  const issues: InputIssue[] = [];
  for (const { object: o, source } of vss) {
    const rules: unknown[] = Array.isArray(o.spec?.http) ? o.spec.http : [];
    rules.forEach((rule, i) => {
      const ref = (rule as { delegate?: { name?: unknown; namespace?: unknown } } | null)?.delegate;
      if (typeof ref?.name !== 'string') return;
      const ns =
        typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : (o.metadata.namespace ?? defaultNamespace);
      const target = byKey.get(`${ns}/${ref.name}`);
      const hosts = target?.object.spec?.hosts;
      if (!target || !Array.isArray(hosts) || !hosts.length) return;
      const path = ['spec', 'http', i, 'delegate', 'name'];
      issues.push({
        file: source.file,
        line: source.lineOf(path),
        field: `spec.http[${i}].delegate.name`,
        message:
          `delegate VirtualService ${ns}/${ref.name} sets hosts (${target.source.file}:${target.source.line}): ` +
          'istiod only delegates to VirtualServices without hosts, so this rule would route nothing',
      });
    });
  }
  return issues;
}
