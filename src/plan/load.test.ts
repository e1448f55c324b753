import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { loadPlan } from './load.js';
import { lintPlans } from './lint.js';
import { DEFAULT_SETTINGS } from './types.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const GOOD = join(HERE, 'fixtures', 'good');
const MANIFESTS = join(HERE, 'fixtures', 'manifests');
const PLANS = join(HERE, '..', '..', 'plans');

async function inputIssues(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return (err as InputError).issues;
}

describe('the project plans', () => {
  const plans = readdirSync(PLANS).filter((f) => f.endsWith('.yaml'));

  it('include the tutorial and the Istio tasks', () => {
    expect(plans).toEqual(
      expect.arrayContaining([
        'tutorial.yaml',
        'request-routing.yaml',
        'traffic-shifting.yaml',
        'fault-injection.yaml',
        'canary.yaml',
        'failing-canary.yaml',
      ]),
    );
  });

  it.each(plans)('%s loads cleanly', async (name) => {
    const plan = await loadPlan(join(PLANS, name));
    expect(plan.name).toBe(name.replace(/\.yaml$/, ''));
    expect(plan.steps.length).toBeGreaterThan(0);
    for (const step of plan.steps) expect(step.expect.length).toBeGreaterThan(0);
  });

  it.each(plans)('%s applies each object at most once per step', async (name) => {
    // The runner reads a step's VirtualServices one by one; two versions of one object in a step
    // would leave it waiting for the overwritten one.
    const plan = await loadPlan(join(PLANS, name));
    for (const step of [...plan.steps, ...(plan.rollback ? [plan.rollback] : [])]) {
      const keys = step.objects.map(
        (o) => `${o.object.kind}/${o.object.metadata.namespace ?? plan.namespace}/${o.object.metadata.name}`,
      );
      expect(new Set(keys).size, `${step.name}: ${keys.join(', ')}`).toBe(keys.length);
    }
  });

  it('the tutorial pins everything to v1, then sends reviews to v3', async () => {
    const plan = await loadPlan(join(PLANS, 'tutorial.yaml'));
    expect(plan.setup.map((r) => r.declared)).toEqual(['../manifests/istio/destination-rule-all.yaml']);
    expect(plan.setup[0]!.path).toBe(join(PLANS, '..', 'manifests', 'istio', 'destination-rule-all.yaml'));
    expect(plan.steps.map((s) => s.name)).toEqual(['all-v1', 'reviews-v3']);
    const [allV1, v3] = plan.steps;
    expect(allV1!.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).sort()).toEqual([
      'VirtualService/details',
      'VirtualService/productpage',
      'VirtualService/ratings',
      'VirtualService/reviews',
    ]);
    expect(allV1!.expect).toEqual([
      expect.objectContaining({
        user: 'anonymous',
        path: '/productpage',
        reviews: { v1: 100 },
        ratings: 'none',
        concurrency: 8,
      }),
    ]);
    expect(v3!.expect[0]!.reviews).toEqual({ v3: 100 });
    expect(v3!.settings).toEqual(DEFAULT_SETTINGS);
  });

  it('failing-canary applies the v3-only ratings abort and rolls back with all-v1', async () => {
    const plan = await loadPlan(join(PLANS, 'failing-canary.yaml'));
    const bad = plan.steps.find((s) => s.name === 'bad-canary-50')!;
    const ratings = bad.objects.find((o) => o.object.metadata.name === 'ratings')!.object;
    expect(ratings.spec.http[0].match[0].sourceLabels).toEqual({ app: 'reviews', version: 'v3' });
    expect(ratings.spec.http[0].fault.abort).toEqual({ httpStatus: 500, percentage: { value: 50 } });
    expect(bad.gates.maxDegradedRate).toBeDefined();
    expect(plan.rollback?.apply.map((r) => r.declared)).toEqual(['../manifests/routing/virtual-service-all-v1.yaml']);
  });
});

describe('loadPlan', () => {
  it('resolves settings: built-in < plan defaults < step settings < command line', async () => {
    const plan = await loadPlan(join(GOOD, 'precedence.yaml'), { tolerance: 0.15, maxRequests: undefined });
    expect(plan.namespace).toBe('bookinfo');
    expect(plan.defaults).toEqual({
      ...DEFAULT_SETTINGS,
      alpha: 0.05,
      tolerance: 0.15,
      settleTimeoutMs: 90_000,
      concurrency: 4,
    });
    const [plain, own] = plan.steps;
    expect(plain!.settings).toEqual(plan.defaults);
    expect(own!.settings).toEqual({ ...plan.defaults, alpha: 0.001, maxRequests: 500, requestTimeoutMs: 2500 });
    expect(own!.expect[0]).toMatchObject({
      user: 'jason',
      path: '/api/v1/products/0/reviews',
      requests: 20,
      concurrency: 10,
    });
    expect(own!.expect[1]).toMatchObject({ user: 'anonymous', ratings: 'none', concurrency: 4 });
    expect(own!.expect[1]).not.toHaveProperty('reviews');
  });

  it('lets a command-line concurrency beat even an expectation’s own', async () => {
    const plan = await loadPlan(join(GOOD, 'precedence.yaml'), { concurrency: 2 });
    expect(plan.steps[1]!.expect.map((e) => e.concurrency)).toEqual([2, 2]);
  });

  it('turns the route shorthand into a VirtualService after the applied files, pointing at the plan', async () => {
    const file = join(GOOD, 'route-and-apply.yaml');
    const plan = await loadPlan(file);
    const step = plan.steps[0]!;
    expect(step.apply.map((r) => r.path)).toEqual([join(MANIFESTS, 'reviews-v1.yaml')]);
    expect(step.route).toEqual({
      host: 'reviews',
      api: 'istio',
      weights: { v1: 80, v3: 20 },
      at: { file, line: 7, field: 'steps[0].route' },
    });
    expect(step.objects).toHaveLength(2);
    const [fromFile, generated] = step.objects;
    expect(fromFile!.source.file).toBe(join(MANIFESTS, 'reviews-v1.yaml'));
    expect(generated!.object).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: {
        hosts: ['reviews'],
        http: [
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 80 },
              { destination: { host: 'reviews', subset: 'v3' }, weight: 20 },
            ],
          },
        ],
      },
    });
    expect(generated!.source.file).toBe(file);
    expect(generated!.source.line).toBe(7);
    expect(generated!.source.lineOf(['spec', 'http', 0, 'route', 1, 'weight'])).toBe(11);
    expect(step.gates).toEqual({ maxErrorRate: 0.01, byVersion: { v3: { p99LatencyMs: 1500 } } });
    expect(plan.rollback?.name).toBe('rollback');
    expect(plan.rollback?.objects.map((o) => o.object.spec.http[0].route.length)).toEqual([1]);
  });

  it('loads a manifest named twice once, and shows it in both places', async () => {
    const plan = await loadPlan(join(GOOD, 'twice.yaml'));
    expect(plan.setup[1]!.objects).toBe(plan.steps[0]!.apply[0]!.objects);
  });

  it('refuses bad command-line overrides, naming the flag', async () => {
    const issues = await inputIssues(loadPlan(join(GOOD, 'precedence.yaml'), { alpha: 2, maxRequests: 0.5 }));
    expect(issues).toEqual([
      expect.objectContaining({
        file: '<command line>',
        field: '--alpha',
        message: expect.stringContaining('between 0 and 1'),
      }),
      expect.objectContaining({
        file: '<command line>',
        field: '--max-requests',
        message: expect.stringContaining('whole number'),
      }),
    ]);
  });

  it('says so when the plan file does not exist', async () => {
    const issues = await inputIssues(loadPlan(join(GOOD, 'nope.yaml')));
    expect(issues).toEqual([{ file: join(GOOD, 'nope.yaml'), message: 'plan file not found' }]);
  });

  it('reports a problem in a manifest named twice only once', async () => {
    const issues = await inputIssues(loadPlan(join(HERE, 'fixtures', 'bad', 'many-problems.yaml')));
    expect(issues.filter((i) => i.file.endsWith('vs-header-no-value.yaml'))).toHaveLength(1);
  });
});

describe('allowNamespaces', () => {
  const file = join(GOOD, 'allow-namespaces.yaml');
  const manifest = join(MANIFESTS, 'outside-namespace.yaml');

  it('keeps what it lets through beyond the namespace fence, and what lint warns of', async () => {
    const plan = await loadPlan(file);
    expect(plan.fence).toEqual({
      allowNamespaces: ['istio-system', 'kube-system', 'shop'],
      beyond: [
        {
          ref: 'PeerAuthentication default.istio-system',
          file: manifest,
          line: 2,
          allowedBy: 'istio-system',
          crosses: ['in istio-system'],
        },
        {
          ref: 'Deployment probe.kube-system',
          file: manifest,
          line: 10,
          allowedBy: 'kube-system',
          crosses: ['in kube-system', 'hostNetwork'],
        },
      ],
      warnings: [
        expect.objectContaining({ file: manifest, line: 22, field: 'spec.template.spec.hostNetwork' }),
        expect.objectContaining({
          file,
          line: 3,
          field: 'allowNamespaces[2]',
          message: expect.stringContaining('shop'),
        }),
      ],
    });
    const [lint] = await lintPlans([file]);
    expect(lint).toMatchObject({ ok: true, issues: [] });
    expect(lint!.warnings).toEqual(plan.fence!.warnings);
  });

  it('without it the same manifests are refused, and a plan without it has no fence to report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-fence-'));
    const text = (await readFile(file, 'utf8'))
      .replace(/^allowNamespaces:.*\n/m, '')
      .replaceAll('../manifests/', `${MANIFESTS}/`);
    await writeFile(join(dir, 'plan.yaml'), text);
    const issues = await inputIssues(loadPlan(join(dir, 'plan.yaml')));
    expect(issues.map((i) => `${i.file}:${i.line} ${i.field}`)).toEqual([
      `${manifest}:6 metadata.namespace`,
      `${manifest}:14 metadata.namespace`,
      `${manifest}:22 spec.template.spec.hostNetwork`,
    ]);
    expect((await loadPlan(join(GOOD, 'twice.yaml'))).fence).toBeUndefined();
  });
});

describe('lintPlans', () => {
  it('reports per plan, good and bad together', async () => {
    const good = join(GOOD, 'twice.yaml');
    const bad = join(HERE, 'fixtures', 'bad', 'alpha-zero.yaml');
    const results = await lintPlans([good, bad]);
    expect(results).toEqual([
      { file: good, ok: true, issues: [], warnings: [], plan: expect.objectContaining({ name: 'twice', file: good }) },
      { file: bad, ok: false, issues: [expect.objectContaining({ field: 'defaults.alpha', line: 4 })], warnings: [] },
    ]);
  });
});

describe('splitPer', () => {
  it('keeps an expectation’s splitPer: connection, and leaves it out where the plan does (per request)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-split-per-'));
    await writeFile(
      join(dir, 'plan.yaml'),
      'steps:\n  - name: tcp\n    expect:\n' +
        '      - { reviews: { v1: 50, v3: 50 }, splitPer: connection }\n' +
        '      - { reviews: { v1: 50, v3: 50 } }\n',
    );
    const [fresh, pooled] = (await loadPlan(join(dir, 'plan.yaml'))).steps[0]!.expect;
    expect(fresh!.splitPer).toBe('connection');
    expect(pooled!.splitPer).toBeUndefined();
  });
});
