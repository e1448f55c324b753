import { describe, expect, it } from 'vitest';
import { ConfigStore } from '../store.js';
import { echoCatalog } from '../testing/echo-catalog.js';
import { yaml } from '../testing/fixtures.js';
import { destinationRuleFor } from './destination-rule-index.js';
import { buildModel } from './model.js';

const BACK = 'back.default.svc.cluster.local';

/** A DestinationRule; `extra` is YAML lines of its spec, indented two spaces. */
function dr(name: string, namespace: string, host: string, extra = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  host: "${host}"
${extra}`;
}

/** `v1` is subset v1 of version v1; `v1=v2` is subset v1 of version v2. */
function subsets(...names: string[]): string {
  const one = (n: string) => `{ name: ${n.split('=')[0]}, labels: { version: ${n.split('=')[1] ?? n} } }`;
  return `  subsets: [${names.map(one).join(', ')}]\n`;
}

/** Each batch is created a second after the one before, as istiod sees creation times. */
function taken(batches: string[], client: string, host = BACK) {
  const store = new ConfigStore(echoCatalog);
  batches.forEach((b, i) => store.apply(yaml(b), { createdAt: () => `2026-01-01T00:00:0${i}Z` }));
  const rule = destinationRuleFor(buildModel(store, []).destinationRules, host, 'default', client);
  return (
    rule && {
      from: rule.from,
      subsets: rule.subsets.map((s) => `${s.name}=${s.labels.version}`),
      policy: rule.trafficPolicy,
    }
  );
}

describe("the DestinationRule a client takes for a host (istiod's destinationRule)", () => {
  const three = [dr('mine', 'default', 'back'), dr('root', 'istio-system', BACK), dr('theirs', 'other', BACK)];

  it("takes its own namespace's rule, then the service namespace's exported one, then the root namespace's", () => {
    expect(taken(three, 'default')?.from).toEqual(['default/mine']);
    expect(taken(three, 'other')?.from).toEqual(['other/theirs']);
    expect(taken(three, 'elsewhere')?.from).toEqual(['default/mine']);
    expect(taken(three.slice(1), 'elsewhere')?.from).toEqual(['istio-system/root']);
    // The root namespace's rules apply to clients elsewhere only when exported.
    expect(taken([dr('root', 'istio-system', BACK, '  exportTo: ["."]\n')], 'elsewhere')).toBeNull();
  });

  it("in the root namespace, takes the root's private rule first, and no other rule of its own namespace", () => {
    const privateRoot = dr('root', 'istio-system', BACK, '  exportTo: ["."]\n');
    expect(taken([privateRoot, dr('mine', 'default', 'back')], 'istio-system')?.from).toEqual(['istio-system/root']);
    expect(taken([privateRoot, dr('mine', 'default', 'back')], 'default')?.from).toEqual(['default/mine']);
    // An exported root rule is not the root client's own: the service namespace's comes first.
    expect(taken([dr('root', 'istio-system', BACK), dr('mine', 'default', 'back')], 'istio-system')?.from).toEqual([
      'default/mine',
    ]);
  });

  it('merges rules exported alike: the newer adds subsets whose names are free, the older keeps its policy', () => {
    const older = dr(
      'z-older',
      'default',
      'back',
      `${subsets('v1')}  trafficPolicy: { loadBalancer: { simple: RANDOM } }\n`,
    );
    const newer = dr(
      'a-newer',
      'default',
      BACK,
      `${subsets('v1=v2', 'v2')}  trafficPolicy: { tls: { mode: DISABLE } }\n`,
    );
    expect(taken([older, newer], 'default')).toEqual({
      from: ['default/z-older', 'default/a-newer'],
      subsets: ['v1=v1', 'v2=v2'],
      policy: { loadBalancer: { simple: 'RANDOM' } },
    });
    // Created in the same second, they are in name order: a-newer is the older one then.
    expect(taken([`${older}---\n${newer}`], 'default')?.from).toEqual(['default/a-newer', 'default/z-older']);
  });

  it('keeps rules with different exportTo apart and takes the newest; "." and the namespace name differ', () => {
    const dot = dr('z-older', 'default', 'back', `  exportTo: ["."]\n${subsets('v1')}`);
    const named = dr('a-newer', 'default', 'back', `  exportTo: [default]\n${subsets('v2')}`);
    expect(taken([dot, named], 'default')?.subsets).toEqual(['v2=v2']);
    expect(taken([named, dot], 'default')?.subsets).toEqual(['v1=v1']);
    // No exportTo and `*` are written differently too.
    const none = dr('z-older', 'default', 'back', subsets('v1'));
    const star = dr('a-newer', 'default', 'back', `  exportTo: ["*"]\n${subsets('v2')}`);
    expect(taken([none, star], 'default')?.from).toEqual(['default/a-newer']);
  });

  it("merges a newer rule whose exportTo covers the older one's into it", () => {
    const older = dr('older', 'default', 'back', `  exportTo: [default]\n${subsets('v1')}`);
    const wider = dr('wider', 'default', 'back', `  exportTo: [default, istio-system]\n${subsets('v2')}`);
    expect(taken([older, wider], 'default')).toEqual({
      from: ['default/older', 'default/wider'],
      subsets: ['v1=v1', 'v2=v2'],
      policy: undefined,
    });
    // The older one is private to default, so istio-system's gateway takes the wider one alone.
    expect(taken([older, wider], 'istio-system')?.from).toEqual(['default/wider']);
  });

  it('chooses the host before exportTo: an exact rule exported elsewhere hides a wildcard one that is exported', () => {
    const exact = dr('exact', 'default', 'back', '  exportTo: [other]\n');
    const wildcard = dr('wildcard', 'default', '*.default.svc.cluster.local');
    expect(taken([exact, wildcard], 'other')?.from).toEqual(['default/exact']);
    expect(taken([exact, wildcard], 'elsewhere')).toBeNull();
    expect(taken([wildcard], 'elsewhere')?.from).toEqual(['default/wildcard']);
  });

  it('takes the exact host before the most specific wildcard', () => {
    const rules = [
      dr('local', 'default', '*.local'),
      dr('cluster', 'default', '*.svc.cluster.local'),
      dr('namespace', 'default', '*.default.svc.cluster.local'),
    ];
    expect(taken(rules, 'default')?.from).toEqual(['default/namespace']);
    expect(taken([...rules, dr('exact', 'default', 'back')], 'default')?.from).toEqual(['default/exact']);
    expect(taken(rules, 'default', 'x.example.local')?.from).toEqual(['default/local']);
    expect(taken(rules, 'default', 'x.other.svc.cluster.local')?.from).toEqual(['default/cluster']);
  });
});
