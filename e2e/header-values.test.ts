/**
 * Issue 30, case 8: lint passed header values with CR, LF or NUL. A header value set or added by a
 * VirtualService is refused by Istio's webhook when it holds a control character (checked on
 * kwok: `header value configuration … is invalid`); a match on such a value is accepted by the
 * webhook but can never be met, since no HTTP request carries CR, LF or NUL in a header value.
 * lint refuses both, naming file, line and field, and a run refuses them before applying anything.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meshproof } from './cli.js';
import { manifest, writePlan } from './quick-plan.js';

const VIRTUAL_SERVICE = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
    - match:
        - headers:
            end-user: { exact: "jason\\r\\nx-admin: 1" }
      route:
        - destination: { host: reviews, subset: v2 }
    - match:
        - headers:
            end-user: { prefix: "ja\\0" }
        - withoutHeaders:
            x-debug: { exact: "a\\nb" }
      route:
        - destination: { host: reviews, subset: v3 }
      headers:
        request:
          set: { x-note: "a\\nb" }
          add: { x-tag: "a\\u0007b" }
    - route:
        - destination: { host: reviews, subset: v1 }
`;

const HTTP_ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: reviews
spec:
  parentRefs: [{ group: "", kind: Service, name: reviews, port: 9080 }]
  rules:
    - matches:
        - headers: [{ name: end-user, value: "jason\\r" }]
      backendRefs: [{ name: reviews-v2, port: 9080 }]
    - backendRefs: [{ name: reviews-v1, port: 9080 }]
`;

/** A plan whose only step applies `file`. */
async function planApplying(file: string): Promise<string> {
  return writePlan(
    [
      'name: header-values',
      `setup: [${manifest('istio/destination-rule-all.yaml')}, ${manifest('gateway-api/bookinfo-versions.yaml')}]`,
      'steps:',
      '  - name: odd-values',
      `    apply: [${JSON.stringify(file)}]`,
      '    expect:',
      '      - reviews: { v1: 100 }',
    ].join('\n'),
  );
}

describe('header values no request can carry, or Istio refuses', () => {
  it('lint refuses CR, LF and NUL in a VirtualService match, and control characters in a header it sets', async () => {
    const vs = await writePlan(VIRTUAL_SERVICE, 'reviews.yaml');
    const run = await meshproof(['lint', await planApplying(vs)]);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    const never = 'no HTTP request carries CR, LF or NUL in a header value';
    for (const [line, field, what] of [
      [10, 'spec.http[0].match[0].headers.end-user.exact', 'a CR (U+000D) at position 6'],
      [15, 'spec.http[1].match[0].headers.end-user.prefix', 'a NUL (U+0000) at position 3'],
      [17, 'spec.http[1].match[1].withoutHeaders.x-debug.exact', 'a LF (U+000A) at position 2'],
    ] as const) {
      expect(run.stdout).toContain(`error ${vs}:${line} (${field}): `);
      expect(run.stdout).toContain(`(${field}): `);
      expect(run.stdout.split('\n').find((l) => l.includes(`(${field}): `))).toContain(`${what}: ${never}`);
    }
    expect(run.stdout).toContain(
      `error ${vs}:22 (spec.http[1].headers.request.set.x-note): header x-note value has the control character U+000A`,
    );
    expect(run.stdout).toContain(
      `error ${vs}:23 (spec.http[1].headers.request.add.x-tag): header x-tag value has the control character U+0007`,
    );
    expect(run.stdout).toMatch(/Istio's webhook refuses control characters in a header value/);
  });

  it('lint refuses CR in an HTTPRoute header match', async () => {
    const route = await writePlan(HTTP_ROUTE, 'route.yaml');
    const run = await meshproof(['lint', await planApplying(route)]);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).toMatch(
      new RegExp(`error ${route}:9 \\(spec\\.rules\\[0\\]\\.matches\\[0\\]\\.headers\\[0\\]\\.value\\): .*a CR`),
    );
  });

  it('a tab, and a regex that names \\n, are still accepted', async () => {
    const ok = VIRTUAL_SERVICE.replace('"jason\\r\\nx-admin: 1"', '"jason\\tx"')
      .replace('{ prefix: "ja\\0" }', '{ regex: "[^\\n]+" }')
      .replace('{ exact: "a\\nb" }', '{ exact: "a b" }')
      .replace('set: { x-note: "a\\nb" }', 'set: { x-note: "a\\tb" }')
      .replace('add: { x-tag: "a\\u0007b" }', 'add: { x-tag: "ab" }');
    const run = await meshproof(['lint', await planApplying(await writePlan(ok, 'reviews.yaml'))]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it('run --target local refuses the plan before anything is applied', async () => {
    const vs = await writePlan(VIRTUAL_SERVICE, 'reviews.yaml');
    const run = await meshproof(['run', await planApplying(vs), '--target', 'local'], { timeoutMs: 20_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${vs}:10 (spec.http[0].match[0].headers.end-user.exact)`);
    expect(existsSync(join(run.reportDir, 'results.json'))).toBe(false);
  });
});
