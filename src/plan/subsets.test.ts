import { describe, expect, it } from 'vitest';
import { parseManifests } from '../kube/manifest.js';
import { parseYamlSource } from './yaml-source.js';
import { parsePlan } from './parse-plan.js';
import { manifestSubsets, stepSubsets } from './cross-check.js';
import { SubsetIndex, qualifyHost } from './subsets.js';

const DR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets:
    - { name: v1, labels: { version: v1 } }
    - { name: v2, labels: { version: v2 } }
`;

function index(namespace = 'default'): SubsetIndex {
  const idx = new SubsetIndex();
  idx.addAll(parseManifests(DR, 'dr.yaml'), namespace);
  return idx;
}

describe('qualifyHost', () => {
  it('resolves short names in the given namespace, as Istio does', () => {
    expect(qualifyHost('reviews', 'default')).toBe('reviews.default.svc.cluster.local');
    expect(qualifyHost('reviews.prod', 'default')).toBe('reviews.prod.svc.cluster.local');
    expect(qualifyHost('reviews.prod.svc', 'default')).toBe('reviews.prod.svc.cluster.local');
    expect(qualifyHost('reviews.prod.svc.cluster.local', 'default')).toBe('reviews.prod.svc.cluster.local');
  });
});

describe('SubsetIndex', () => {
  it('knows subsets by qualified host and namespace', () => {
    const idx = index();
    expect(idx.check('reviews', 'default', 'v2')).toBeUndefined();
    expect(idx.check('reviews.default.svc.cluster.local', 'other', 'v1')).toBeUndefined();
    expect(idx.check('reviews', 'default', 'v3')).toBe(
      'subset "v3" of reviews is not defined by any DestinationRule (defined: v1, v2)',
    );
    expect(idx.check('reviews', 'prod', 'v1')).toContain('no DestinationRule for host reviews in namespace prod');
  });
});

describe('subset cross-checks', () => {
  it('flags expected versions and per-version gates no DestinationRule defines', () => {
    const text = `name: x
steps:
  - name: s
    expect:
      - reviews: { v1: 50, v3: 50 }
      - reviews: { unavailable: 100 }
    gates:
      byVersion:
        v3: { p99LatencyMs: 100 }
`;
    const { source } = parseYamlSource(text, 'plan.yaml');
    const parsed = parsePlan(source!, []);
    const issues = stepSubsets(parsed.steps[0]!, index(), 'default', source!);
    expect(issues).toEqual([
      {
        file: 'plan.yaml',
        line: 5,
        field: 'steps[0].expect[0].reviews.v3',
        message: expect.stringContaining('subset "v3" of reviews'),
      },
      {
        file: 'plan.yaml',
        line: 9,
        field: 'steps[0].gates.byVersion.v3',
        message: expect.stringContaining('subset "v3" of reviews'),
      },
    ]);
  });

  it('checks VirtualService destinations and mirrors in their own namespace', () => {
    const vs = parseManifests(
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: prod }
spec:
  hosts: [reviews]
  http:
    - route:
        - destination: { host: reviews.default.svc.cluster.local, subset: v1 }
        - destination: { host: reviews, subset: v1 }
      mirror: { host: reviews.default, subset: v9 }
`,
      'vs.yaml',
    );
    const issues = manifestSubsets(vs, index(), 'default');
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [9, 'spec.http[0].route[1].destination.subset'],
      [10, 'spec.http[0].mirror.subset'],
    ]);
  });
});
