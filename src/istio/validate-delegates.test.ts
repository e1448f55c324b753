/** Delegate VirtualServices, exportTo, grpcStatus and derivePort as Istio's webhook checks them, and the cross-object delegate check. */
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../kube/manifest.js';
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
    expect(check(root('    - match: [{ uri: { prefix: /api } }]\n      delegate: { name: reviews-rules, namespace: default }'))).toEqual([]);
  });

  it('refuses a delegate that binds gateways or has tcp/tls rules, and a delegate rule that delegates again', () => {
    expect(check(delegate('  gateways: [bookinfo-gateway]\n  http:\n    - route: [{ destination: { host: reviews } }]'))).toEqual([
      'spec.gateways: a delegate VirtualService (one without hosts) must not set gateways',
    ]);
    expect(check(delegate('  http:\n    - delegate: { name: other }'))).toEqual(["spec.http[0].delegate: a delegate VirtualService's rule cannot delegate again"]);
  });

  it('refuses a root delegate rule that also routes or redirects, and a delegate without a name', () => {
    expect(check(root('    - delegate: { name: reviews-rules }\n      route: [{ destination: { host: reviews } }]\n      redirect: { uri: /x }'))).toEqual([
      "spec.http[0].route: a rule with a delegate must not set route (the delegate's rules route)",
      "spec.http[0].redirect: a rule with a delegate must not set redirect (the delegate's rules route)",
    ]);
    expect(check(root('    - delegate: { namespace: Bad_NS }'))).toEqual([
      'spec.http[0].delegate.name: delegate name is required',
      'spec.http[0].delegate.namespace: delegate namespace "Bad_NS" is not a valid namespace name',
    ]);
  });

  it('refuses, across files, a root that delegates to a VirtualService that sets hosts, naming both places', () => {
    const objects = [...parseManifests(root('    - delegate: { name: reviews-rules }'), 'root.yaml'), ...parseManifests(delegate('  hosts: [reviews]\n  http:\n    - route: [{ destination: { host: reviews } }]'), 'd.yaml')];
    expect(delegateIssues(objects, 'default')).toEqual([
      {
        file: 'root.yaml',
        line: 7,
        field: 'spec.http[0].delegate.name',
        message: 'delegate VirtualService default/reviews-rules sets hosts (d.yaml:1): istiod only delegates to VirtualServices without hosts, so this rule would route nothing',
      },
    ]);
    const fine = [...parseManifests(root('    - delegate: { name: reviews-rules }'), 'root.yaml'), ...parseManifests(delegate('  http:\n    - route: [{ destination: { host: reviews } }]'), 'd.yaml')];
    expect(delegateIssues(fine, 'default')).toEqual([]);
  });
});

describe('exportTo, grpcStatus, derivePort', () => {
  const route = '    - route: [{ destination: { host: reviews } }]';
  it('accepts ".", "*" and namespace names; refuses "~", bad names, duplicates and "*" with others', () => {
    expect(check(root(route, '\n  exportTo: [".", istio-system]'))).toEqual([]);
    expect(check(root(route, '\n  exportTo: [default, "."]'))).toEqual(['spec.exportTo[1]: duplicate exportTo entries: "." and the object\'s namespace default']);
    expect(check(root(route, '\n  exportTo: ["~", "Bad", ".", default, "*"]'))).toEqual([
      'spec.exportTo[0]: exportTo "~" (none) is not allowed for Istio configuration objects',
      'spec.exportTo[1]: exportTo "Bad" is not ".", "*" or a namespace name',
      'spec.exportTo[3]: duplicate exportTo entry "default"',
      'spec.exportTo: exportTo cannot combine "*" (every namespace) with other entries',
    ]);
    expect(check(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  exportTo: ["*", "*"]`)).toEqual(['spec.exportTo[1]: duplicate exportTo entry "*"', 'spec.exportTo: exportTo cannot combine "*" (every namespace) with other entries']);
  });

  it('takes a gRPC status by name, and derivePort as one of its two values, never with port', () => {
    expect(check(root('    - fault: { abort: { grpcStatus: UNAVAILABLE, percentage: { value: 100 } } }\n      route: [{ destination: { host: reviews } }]'))).toEqual([]);
    expect(check(root('    - fault: { abort: { grpcStatus: "14" } }\n      route: [{ destination: { host: reviews } }]'))[0]).toMatch(/^spec\.http\[0\]\.fault\.abort\.grpcStatus: grpcStatus "14" is not a gRPC status name/);
    expect(check(root('    - redirect: { derivePort: FROM_REQUEST_PORT, uri: /x }'))).toEqual([]);
    expect(check(root('    - redirect: { derivePort: SOMETIMES, port: 8080 }'))).toEqual([
      'spec.http[0].redirect.derivePort: redirect sets both port and derivePort; use one',
      'spec.http[0].redirect.derivePort: derivePort must be FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT, got "SOMETIMES"',
    ]);
  });
});
