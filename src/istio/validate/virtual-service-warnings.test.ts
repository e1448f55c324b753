import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../kube/manifest.js';
import { virtualServiceWarnings } from './virtual-service-warnings.js';

const warnings = (http: string) =>
  virtualServiceWarnings(
    parseManifests(
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
${http}`,
      'vs.yaml',
    )[0]!,
  ).map((w) => `${w.line} ${w.field}: ${w.message}`);

const v1 = '      route: [{ destination: { host: reviews, subset: v1 } }]';

describe('virtualServiceWarnings (Istio webhook warnings, never errors)', () => {
  it('warns about every rule after a rule without matches, at its line', () => {
    expect(
      warnings(`    - route: [{ destination: { host: reviews, subset: v1 } }]
    - name: jason
      match: [{ headers: { end-user: { exact: jason } } }]
${v1}
    - route: [{ destination: { host: reviews, subset: v3 } }]`),
    ).toEqual([
      '8 spec.http[1]: virtualService rule "jason" not used (route without matches defined before: ' +
        '#0 catches every request)',
      '11 spec.http[2]: virtualService rule #2 not used (only the last rule can have no matches; #0 has none)',
    ]);
  });

  it('warns about a match entry repeating an earlier one (names aside), and a rule all of whose entries do', () => {
    expect(
      warnings(`    - match: [{ name: a, uri: { prefix: /api }, headers: { x: { exact: "1" } } }]
${v1}
    - match: [{ headers: { x: { exact: "1" } }, uri: { prefix: /api } }]
${v1}
    - match: [{ uri: { prefix: /other } }]
${v1}`),
    ).toEqual([
      '9 spec.http[1].match[0]: virtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0)',
      '9 spec.http[1]: virtualService rule #1 not used (all matches used by prior rules)',
    ]);
  });

  it('warns about a prefix match covered by an earlier, shorter prefix with the same other conditions', () => {
    expect(
      warnings(`    - match: [{ uri: { prefix: /api } }]
${v1}
    - match: [{ uri: { prefix: /api/v1 } }, { uri: { prefix: /api/v2 }, headers: { end-user: { exact: jason } } }]
${v1}`),
    ).toEqual([
      '9 spec.http[1].match[0]: virtualService rule #1 match #0 of prefix /api/v1 is not used ' +
        '(duplicate/overlapping match in rule #0 of prefix /api on #0)',
    ]);
  });

  it('says nothing about a catch-all last, or about a prefix "/" match (only a rule without matches counts)', () => {
    expect(
      warnings(`    - match: [{ uri: { prefix: / } }]
${v1}
    - match: [{ uri: { exact: /x } }]
${v1}
    - route: [{ destination: { host: reviews, subset: v2 } }]`),
    ).toEqual([]);
  });
});
