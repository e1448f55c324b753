import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { projectRoot } from '../core/paths.js';
import { loadPlan } from './load.js';

const GW = join(projectRoot, 'manifests', 'gateway-api');

/** Writes a plan (and extra files) into a fresh folder; returns the plan's path. */
async function planFile(text: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshproof-gwapi-'));
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
  await writeFile(join(dir, 'plan.yaml'), text.replaceAll('GW/', `${GW}/`));
  return join(dir, 'plan.yaml');
}

async function issues(file: string): Promise<string[]> {
  try {
    await loadPlan(file);
  } catch (err) {
    if (err instanceof InputError) return err.issues.map((i) => `${i.line} ${i.field}: ${i.message}`);
    throw err;
  }
  return [];
}

const SETUP = 'setup: [GW/bookinfo-versions.yaml, GW/bookinfo-gateway.yaml]\n';

describe('the route shorthand and the Gateway API', () => {
  it('routingApi gateway-api: an HTTPRoute on the host Service, backendRefs to the versioned Services', async () => {
    const plan = await loadPlan(
      await planFile(
        `routingApi: gateway-api\n${SETUP}steps:\n  - name: s\n` +
          '    route: { host: reviews, weights: { v1: 80, v3: 20 } }\n' +
          '    expect: [{ reviews: { v1: 80, v3: 20 } }]\n',
      ),
    );
    expect(plan.routingApi).toBe('gateway-api');
    expect(plan.ingressGateway).toEqual({ namespace: 'default', name: 'bookinfo-gateway' });
    const step = plan.steps[0]!;
    expect(step.route!.api).toBe('gateway-api');
    expect(step.objects.map((o) => o.object)).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'reviews', namespace: 'default' },
        spec: {
          parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
          rules: [
            {
              backendRefs: [
                { name: 'reviews-v1', port: 9080, weight: 80 },
                { name: 'reviews-v3', port: 9080, weight: 20 },
              ],
            },
          ],
        },
      },
    ]);
  });

  it('route.api overrides the plan; the default stays istio', async () => {
    const plan = await loadPlan(
      await planFile(
        `${SETUP}steps:\n  - name: a\n    route: { host: reviews, weights: { v1: 100 }, api: gateway-api }\n` +
          '    expect: [{ reviews: { v1: 100 } }]\n  - name: b\n' +
          '    route: { host: reviews, weights: { v1: 100 } }\n    expect: [{ reviews: { v1: 100 } }]\n',
      ),
    );
    expect(plan.routingApi).toBe('istio');
    expect(plan.steps.map((s) => s.objects[0]!.object.kind)).toEqual(['HTTPRoute', 'VirtualService']);
  });

  it('an unknown routing API is bad input naming the field', async () => {
    expect(
      await issues(
        await planFile(
          'routingApi: gamma\nsteps:\n  - name: s\n' +
            '    route: { host: reviews, weights: { v1: 100 }, api: kuma }\n' +
            '    expect: [{ reviews: { v1: 100 } }]\n',
        ),
      ),
    ).toEqual([
      '1 routingApi: unknown routing API "gamma" (use istio or gateway-api)',
      '4 steps[0].route.api: unknown routing API "kuma" (use istio or gateway-api)',
    ]);
  });

  it('a host with no Service is named at route.host', async () => {
    expect(
      await issues(
        await planFile(
          `routingApi: gateway-api\n${SETUP}steps:\n  - name: s\n    route:\n      host: nowhere\n` +
            '      weights: { v1: 100 }\n    expect: [{ reviews: { v1: 100 } }]\n',
        ),
      ),
    ).toEqual([
      '6 steps[0].route.host: route.host: Service nowhere is defined by no manifest this plan applies, ' +
        'nor manifests/bookinfo/bookinfo.yaml',
    ]);
  });
});

describe("HTTPRoute references, checked against the plan's manifests", () => {
  const route = (backend: string, parent = '{ group: "", kind: Service, name: reviews, port: 9080 }') =>
    'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: reviews }\nspec:\n' +
    `  parentRefs: [${parent}]\n  rules:\n    - backendRefs:\n        - ${backend}\n`;
  const plan = (setup = SETUP) =>
    `${setup}steps:\n  - name: s\n    apply: [route.yaml]\n    expect: [{ reviews: { v1: 100 } }]\n`;

  it('a backendRef to a Service no manifest defines, or to a port it lacks', async () => {
    expect(await issues(await planFile(plan(), { 'route.yaml': route('{ name: reviews-v9, port: 9080 }') }))).toEqual([
      '8 spec.rules[0].backendRefs[0].name: backendRef Service default/reviews-v9 is defined by none of the ' +
        'manifests this plan applies, nor manifests/bookinfo/bookinfo.yaml: ' +
        'Istio would answer 500 and report ResolvedRefs=False (BackendNotFound)',
    ]);
    expect(await issues(await planFile(plan(), { 'route.yaml': route('{ name: reviews-v1, port: 8080 }') }))).toEqual([
      '8 spec.rules[0].backendRefs[0].port: backendRef Service default/reviews-v1 has no port 8080 ' +
        '(ports: 9080): its requests would answer 500',
    ]);
  });

  it('the Bookinfo base counts: a backendRef to productpage needs no manifest of the plan', async () => {
    expect(
      await issues(await planFile(plan('setup: []\n'), { 'route.yaml': route('{ name: reviews, port: 9080 }') })),
    ).toEqual([]);
  });

  it('a parent Gateway the plan does not apply, or a listener it does not have', async () => {
    expect(
      await issues(
        await planFile(plan('setup: []\n'), {
          'route.yaml': route('{ name: reviews, port: 9080 }', '{ name: bookinfo-gateway }'),
        }),
      ),
    ).toEqual([
      '5 spec.parentRefs[0].name: parent Gateway default/bookinfo-gateway is defined by none of the ' +
        'manifests this plan applies: the route would not be accepted',
    ]);
    expect(
      await issues(
        await planFile(plan(), {
          'route.yaml': route('{ name: reviews, port: 9080 }', '{ name: bookinfo-gateway, sectionName: https }'),
        }),
      ),
    ).toEqual([
      '5 spec.parentRefs[0].sectionName: no listener of Gateway default/bookinfo-gateway matches this ' +
        'parentRef (listeners: http:80)',
    ]);
  });

  it('a VirtualService and an HTTPRoute for one host: a note saying the HTTPRoute is used', async () => {
    const file = await planFile(
      `setup: [GW/bookinfo-versions.yaml, ${join(projectRoot, 'manifests', 'istio', 'destination-rule-all.yaml')}, ` +
        `${join(projectRoot, 'manifests', 'routing', 'virtual-service-all-v1.yaml')}]\nsteps:\n  - name: s\n` +
        '    apply: [GW/route-reviews-v3.yaml]\n    expect: [{ reviews: { v3: 100 } }]\n  - name: t\n' +
        '    apply: [GW/route-reviews-v1.yaml]\n    expect: [{ reviews: { v1: 100 } }]\n',
    );
    const plan = await loadPlan(file);
    expect(plan.notes).toEqual([
      {
        file: join(GW, 'route-reviews-v3.yaml'),
        line: 2,
        message:
          'step s leaves both VirtualService reviews and HTTPRoute reviews for ' +
          "reviews.default.svc.cluster.local: Istio's sidecars in namespace default use the HTTPRoute " +
          "(Gateway API routes of the caller's namespace come first, and the first route for a host wins); " +
          'the VirtualService is ignored there',
      },
    ]);
  });
});

describe('the Gateway API twin plans', () => {
  it.each(['tutorial', 'request-routing', 'traffic-shifting', 'canary'])(
    '%s loads with its traffic through bookinfo-gateway, routing with HTTPRoutes only',
    async (name) => {
      const plan = await loadPlan(join(projectRoot, 'plans', 'gateway-api', `${name}.yaml`));
      expect(plan.ingressGateway).toEqual({ namespace: 'default', name: 'bookinfo-gateway' });
      expect(plan.notes).toEqual([]);
      const kinds = new Set(
        [...plan.steps, ...(plan.rollback ? [plan.rollback] : [])].flatMap((s) => s.objects.map((o) => o.object.kind)),
      );
      expect(kinds.has('VirtualService')).toBe(false);
      const twin = await loadPlan(join(projectRoot, 'plans', `${name}.yaml`));
      expect(plan.steps.map((s) => [s.name, s.expect.map((e) => [e.user, e.reviews, e.ratings])])).toEqual(
        twin.steps.map((s) => [s.name, s.expect.map((e) => [e.user, e.reviews, e.ratings])]),
      );
    },
  );
});
