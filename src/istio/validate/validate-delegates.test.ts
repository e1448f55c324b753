/**
 * Delegate VirtualServices as Istio's webhook checks them, and the check across objects for a delegate that sets hosts.
 */
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../kube/manifest.js';
import { validateObjects } from './validate.js';
import { delegateIssues } from './validate-delegates.js';

const check = (text: string) => validateObjects(parseManifests(text, 'm.yaml')).map((i) => `${i.field}: ${i.message}`);

const root = (rule: string, extra = '') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: root }
spec:
  hosts: [reviews]${extra}
  http:
${rule}`;

const delegate = (spec: string, name = 'reviews-rules') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name} }
spec:
${spec}`;

describe('delegate VirtualServices', () => {
  it('accepts a delegate without hosts and a root rule that only delegates (with a match)', () => {
    expect(check(delegate('  http:\n    - route: [{ destination: { host: reviews, subset: v1 } }]'))).toEqual([]);
    expect(
      check(
        root('    - match: [{ uri: { prefix: /api } }]\n      delegate: { name: reviews-rules, namespace: default }'),
      ),
    ).toEqual([]);
  });

  it('refuses a delegate that binds gateways or has tcp/tls rules, and a delegate rule that delegates again', () => {
    expect(
      check(delegate('  gateways: [bookinfo-gateway]\n  http:\n    - route: [{ destination: { host: reviews } }]')),
    ).toEqual(['spec.gateways: a delegate VirtualService (one without hosts) must not set gateways']);
    expect(check(delegate('  http:\n    - delegate: { name: other }'))).toEqual([
      "spec.http[0].delegate: a delegate VirtualService's rule cannot delegate again",
    ]);
  });

  it('refuses a root delegate rule that also routes or redirects, and a delegate without a name', () => {
    expect(
      check(
        root(
          '    - delegate: { name: reviews-rules }\n      route: [{ destination: { host: reviews } }]\n' +
            '      redirect: { uri: /x }',
        ),
      ),
    ).toEqual([
      "spec.http[0].route: a rule with a delegate must not set route (the delegate's rules route)",
      "spec.http[0].redirect: a rule with a delegate must not set redirect (the delegate's rules route)",
    ]);
    expect(check(root('    - delegate: { namespace: Bad_NS }'))).toEqual([
      'spec.http[0].delegate.name: delegate name is required',
      'spec.http[0].delegate.namespace: delegate namespace "Bad_NS" is not a valid namespace name',
    ]);
  });

  it('refuses, across files, a root that delegates to a VirtualService that sets hosts, naming both places', () => {
    const objects = [
      ...parseManifests(root('    - delegate: { name: reviews-rules }'), 'root.yaml'),
      ...parseManifests(
        delegate('  hosts: [reviews]\n  http:\n    - route: [{ destination: { host: reviews } }]'),
        'd.yaml',
      ),
    ];
    expect(delegateIssues(objects, 'default')).toEqual([
      {
        file: 'root.yaml',
        line: 7,
        field: 'spec.http[0].delegate.name',
        message:
          'delegate VirtualService default/reviews-rules sets hosts (d.yaml:1): ' +
          'istiod only delegates to VirtualServices without hosts, so this rule would route nothing',
      },
    ]);
    const fine = [
      ...parseManifests(root('    - delegate: { name: reviews-rules }'), 'root.yaml'),
      ...parseManifests(delegate('  http:\n    - route: [{ destination: { host: reviews } }]'), 'd.yaml'),
    ];
    expect(delegateIssues(fine, 'default')).toEqual([]);
  });
});
