import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { KubeClient } from './client.js';
import { kubeConfigFor } from './kubeconfig.js';
import { parseManifests, type KubeObject } from './manifest.js';
import { FakeApiServer, status } from './testing/fake-api-server.js';
import { EnvironmentError, InputError } from '../core/errors.js';
import { KubeApiError } from './api-error.js';

let server: FakeApiServer;
let client: KubeClient;

beforeEach(async () => {
  server = new FakeApiServer();
  client = new KubeClient(kubeConfigFor(await server.start()));
});
afterEach(() => server.stop());

const vs = (weights: Record<string, number>): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews' },
  spec: {
    hosts: ['reviews'],
    http: [
      {
        route: Object.entries(weights).map(([subset, weight]) => ({
          destination: { host: 'reviews', subset },
          weight,
        })),
      },
    ],
  },
});

describe('server-side apply', () => {
  it('sends PATCH with the apply content type, field manager meshproof and force', async () => {
    const r = await client.apply(vs({ v1: 80, v3: 20 }));
    const patch = server.requests.find((q) => q.method === 'PATCH')!;
    expect(patch.path).toBe('/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews');
    expect(patch.contentType).toBe('application/apply-patch+yaml');
    expect(patch.query.get('fieldManager')).toBe('meshproof');
    expect(patch.query.get('force')).toBe('true');
    const sent = parseYaml(patch.body);
    expect(sent.spec.http[0].route[1]).toEqual({ destination: { host: 'reviews', subset: 'v3' }, weight: 20 });
    expect(r).toMatchObject({ ref: 'VirtualService reviews.default', action: 'created' });
  });

  it('sends built-in kinds as written, strict field validation: a misspelled field reaches the server', async () => {
    await client.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'r' }, spec: { replicass: 3 } });
    const patch = server.requests.find((q) => q.method === 'PATCH')!;
    expect(patch.query.get('fieldValidation')).toBe('Strict');
    expect(parseYaml(patch.body).spec).toEqual({ replicass: 3 });
  });

  it('reports created, unchanged and configured, and reads back what the server holds', async () => {
    expect((await client.apply(vs({ v1: 100 }))).action).toBe('created');
    expect((await client.apply(vs({ v1: 100 }))).action).toBe('unchanged');
    expect((await client.apply(vs({ v1: 50, v3: 50 }))).action).toBe('configured');
    const back = await client.get({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      name: 'reviews',
      namespace: 'default',
    });
    expect(back?.spec.http[0].route.map((d: any) => d.weight)).toEqual([50, 50]);
  });

  it('drops server-owned metadata and status before applying', async () => {
    const o = vs({ v1: 100 });
    o.metadata.resourceVersion = '7';
    o.metadata.managedFields = [{}];
    o.status = { x: 1 };
    await client.apply(o);
    const sent = parseYaml(server.requests.find((q) => q.method === 'PATCH')!.body);
    expect(sent.metadata.resourceVersion).toBeUndefined();
    expect(sent.metadata.managedFields).toBeUndefined();
    expect(sent.status).toBeUndefined();
  });
});

describe('field ownership is forced only on objects meshproof created', () => {
  const applies = () =>
    server.requests
      .filter((r) => r.method === 'PATCH')
      .map((r) => `${r.query.get('dryRun') ?? 'apply'} ${r.query.get('fieldManager')} force=${r.query.get('force')}`);
  const someoneElses = (o: KubeObject, manager = 'kubectl-client-side-apply') =>
    server.put({ ...o, metadata: { ...o.metadata, managedFields: [{ manager, operation: 'Update' }] } });

  it('forces on an object it creates, and on one its own manager already holds fields of', async () => {
    await client.applyAll([vs({ v1: 100 })]);
    await client.applyAll([vs({ v1: 50, v3: 50 })]);
    expect(applies()).toEqual([
      'All meshproof force=true',
      'apply meshproof force=true',
      'All meshproof force=true',
      'apply meshproof force=true',
    ]);
  });

  it("applies to anyone else's object unforced, under a manager of its own, every time", async () => {
    someoneElses(vs({ v1: 100 }));
    await client.applyAll([vs({ v1: 100 })]);
    await client.applyAll([vs({ v1: 50, v3: 50 })]);
    // Having applied to it does not make it meshproof's: the second apply is not forced either.
    expect(applies()).toEqual([
      'All meshproof-shared force=false',
      'apply meshproof-shared force=false',
      'All meshproof-shared force=false',
      'apply meshproof-shared force=false',
    ]);
  });

  it('does not force what it could not read first', async () => {
    server.intercept = (r) =>
      r.method === 'GET' && r.path.endsWith('/virtualservices/reviews')
        ? status(403, 'Forbidden', 'virtualservices "reviews" is forbidden')
        : undefined;
    await client.apply(vs({ v1: 100 }));
    expect(applies()).toEqual(['apply meshproof-shared force=false']);
  });

  it('a conflict is bad input at the field, naming who holds it, and nothing of the batch is applied', async () => {
    const [route, coredns] = parseManifests(
      [
        'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec: {hosts: [reviews]}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: coredns\n  namespace: kube-system\n' +
          'data:\n  Corefile: ".:53 {}"',
      ].join('\n---\n'),
      'objects.yaml',
    );
    someoneElses(coredns!.object, 'kubeadm');
    server.intercept = (r) =>
      r.method === 'PATCH' && r.path.endsWith('/configmaps/coredns') && r.query.get('force') === 'false'
        ? status(409, 'Conflict', 'Apply failed with 1 conflict: conflict with "kubeadm" using v1: .data.Corefile', [
            { field: '.data.Corefile', message: 'conflict with "kubeadm" using v1' },
          ])
        : undefined;
    const err = await client.applyAll([route!, coredns!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues).toEqual([
      {
        file: 'objects.yaml',
        line: 12,
        field: 'data.Corefile',
        message: expect.stringContaining(
          'ConfigMap coredns.kube-system: data.Corefile is held by "kubeadm"; ' +
            'meshproof forces field ownership only on objects it created, and not this one, so it was not applied',
        ),
      },
    ]);
    expect(server.applied()).toEqual([]);
  });

  it('a conflict on an object from no file is an environment error that says why', async () => {
    server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    server.intercept = (r) =>
      r.method === 'PATCH'
        ? status(
            409,
            'Conflict',
            'Apply failed with 1 conflict: conflict with "kubectl-label" using v1: .metadata.labels.istio-injection',
          )
        : undefined;
    const err = await client.ensureNamespace('shop', { 'istio-injection': 'enabled' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).hint).toMatch(/^meshproof forces field ownership only on objects it created/);
  });
});

describe('API failures become messages with context', () => {
  it('422 on an object from a file: an InputError with the file, line and the API message', async () => {
    server.intercept = (r) =>
      r.method === 'PATCH'
        ? status(
            422,
            'Invalid',
            'VirtualService.networking.istio.io "reviews" is invalid: weight -1 must be non-negative',
            [{ field: 'spec.http[0].route[0].weight', message: 'must be non-negative' }],
          )
        : undefined;
    const [loaded] = parseManifests(
      '# c\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec: {}\n',
      'routing/vs.yaml',
    );
    const err = await client.apply(loaded!.object, loaded!.source).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    // The line of the field the server names (spec is the nearest ancestor the file has), and the field.
    expect(err.message).toContain('routing/vs.yaml:5 (spec.http[0].route[0].weight)');
    expect(err.issues[0]).toMatchObject({ file: 'routing/vs.yaml', line: 5, field: 'spec.http[0].route[0].weight' });
    expect(err.message).toContain(
      'VirtualService reviews.default refused by the API server: spec.http[0].route[0].weight: must be non-negative',
    );
    expect(err.exitCode).toBe(2);
  });

  it("400 from strict field validation: an InputError at the unknown field's line", async () => {
    server.intercept = (r) =>
      r.method === 'PATCH' ? status(400, 'BadRequest', '.spec.replicass: field not declared in schema') : undefined;
    const [loaded] = parseManifests(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: r}\nspec:\n  replicass: 3\n',
      'd.yaml',
    );
    const err = await client.apply(loaded!.object, loaded!.source).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.issues).toEqual([expect.objectContaining({ file: 'd.yaml', line: 5, field: 'spec.replicass' })]);
  });

  it('500 "failed to create typed patch object" (wrong type in server-side apply): bad input at a field', async () => {
    server.intercept = (r) =>
      r.method === 'PATCH'
        ? {
            status: 500,
            body: {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              code: 500,
              message:
                'failed to create typed patch object (apps/v1, Kind=Deployment): .spec.replicas: ' +
                'expected numeric (int or float), got string',
            },
          }
        : undefined;
    const [loaded] = parseManifests(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: r}\nspec:\n  replicas: three\n',
      'd.yaml',
    );
    const err = await client.apply(loaded!.object, loaded!.source).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.exitCode).toBe(2);
    expect(err.issues[0]).toMatchObject({ line: 5, field: 'spec.replicas' });
  });

  it('a missing API group (plain-text 404) is no absent object: the read fails with the Istio hint', async () => {
    server.intercept = (r) =>
      r.path.startsWith('/apis/security.istio.io') ? { status: 404, body: '404 page not found\n' } : undefined;
    const key = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', name: 'x', namespace: 'default' };
    const err = await client.get(key).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.hint).toMatch(/is Istio installed/);
  });

  it('a kind the group does not serve gets the "not served" hint, not "is the cluster running"', async () => {
    const err = await client
      .apply({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualServis', metadata: { name: 'x' } })
      .catch((e) => e);
    expect(err.message).toMatch(/Unrecognized API version and kind/);
    expect(err.hint).toMatch(/does not serve the kind of VirtualServis x.default/);
  });

  it("a validating webhook's denial (400, no reason) is bad input at the document", async () => {
    server.intercept = (r) =>
      r.method === 'PATCH'
        ? {
            status: 400,
            body: {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              code: 400,
              message:
                'admission webhook "validation.istio.io" denied the request: configuration is invalid: weight -20 < 0',
            },
          }
        : undefined;
    const [loaded] = parseManifests(
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: neg}\nspec: {}\n',
      'neg.yaml',
    );
    const err = await client.apply(loaded!.object, loaded!.source).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(
      new RegExp(
        /^neg\.yaml:1: failed to apply VirtualService neg\.default: 400: admission webhook /.source +
          /"validation\.istio\.io" denied the request: configuration is invalid: weight -20 < 0$/.source,
      ),
    );
  });

  it('409 is an environment error naming the object and the conflict', async () => {
    server.intercept = (r) =>
      r.method === 'PATCH'
        ? status(
            409,
            'Conflict',
            'Apply failed with 1 conflict: conflict with "kubectl" using networking.istio.io/v1: .spec.http',
          )
        : undefined;
    const err = await client.apply(vs({ v1: 100 })).catch((e) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err.status).toBe(409);
    expect(err.message).toBe(
      'failed to apply VirtualService reviews.default: 409 Conflict: Apply failed with 1 conflict: ' +
        'conflict with "kubectl" using networking.istio.io/v1: .spec.http',
    );
  });

  it('get of a missing object is null; delete of one is false; other 404s are errors', async () => {
    const key = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'nope', namespace: 'default' };
    expect(await client.get(key)).toBeNull();
    expect(await client.delete(key)).toBe(false);
    const err = await client
      .apply({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'x' } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/^failed to apply AuthorizationPolicy x.default: 404 NotFound: /);
    expect(err.hint).toMatch(/Istio installed/);
  });

  it('an unreachable server is an environment error with a hint', async () => {
    await server.stop();
    const err = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'default' }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/^failed to read Namespace default/);
    expect(err.hint).toMatch(/cluster running/);
  });
});

describe('ordered apply and removal', () => {
  const manifests = parseManifests(
    [
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec: {hosts: [reviews]}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: reviews-v1}\nspec: {replicas: 1}',
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec: {host: reviews}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {}',
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: default, labels: {istio-injection: enabled}}',
    ].join('\n---\n'),
    'all.yaml',
  );

  it('namespace (with injection label) before any Deployment, DestinationRules before VirtualServices', async () => {
    await client.applyAll(manifests);
    expect(server.applied()).toEqual([
      'Namespace default',
      'Service reviews',
      'DestinationRule reviews',
      'Deployment reviews-v1',
      'VirtualService reviews',
    ]);
    expect(server.find('v1', 'Namespace', 'default')?.metadata.labels).toEqual({ 'istio-injection': 'enabled' });
  });

  it('dry-runs the whole batch first: one refused object, every refusal reported, nothing stored', async () => {
    server.intercept = (r) =>
      r.method === 'PATCH' && parseYaml(r.body).kind === 'VirtualService'
        ? status(
            422,
            'Invalid',
            'VirtualService.networking.istio.io "reviews" is invalid: spec.hosts: Required value',
            [
              { field: 'spec.hosts', message: 'Required value' },
              {
                field: '<nil>',
                message:
                  'Invalid value: null: some validation rules were not checked because the object was ' +
                  'invalid; correct the existing errors to complete validation',
              },
            ],
          )
        : undefined;
    const err = await client.applyAll(manifests).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.issues).toEqual([expect.objectContaining({ file: 'all.yaml', line: 4, field: 'spec.hosts' })]);
    expect(server.applied()).toEqual([]);
    expect(server.requests.filter((r) => r.method === 'PATCH').every((r) => r.query.get('dryRun') === 'All')).toBe(
      true,
    );
  });

  it('pauses between DestinationRules and VirtualServices when asked (make-before-break)', async () => {
    const t0 = Date.now();
    const times: Record<string, number> = {};
    server.intercept = (r) => {
      if (r.method === 'PATCH') times[parseYaml(r.body).kind] = Date.now() - t0;
      return undefined;
    };
    await client.applyAll(manifests, { makeBeforeBreakMs: 150 });
    expect(times.VirtualService! - times.DestinationRule!).toBeGreaterThanOrEqual(140);
  });

  it('removes in reverse: VirtualServices before DestinationRules, namespace last', async () => {
    await client.applyAll(manifests);
    server.requests.length = 0;
    await client.deleteAll(
      manifests.map((m) => ({ apiVersion: m.object.apiVersion, kind: m.object.kind, name: m.object.metadata.name })),
    );
    const deletes = server.requests
      .filter((r) => r.method === 'DELETE')
      .map((r) => r.path.split('/').slice(-2).join('/'));
    expect(deletes).toEqual([
      'virtualservices/reviews',
      'deployments/reviews-v1',
      'destinationrules/reviews',
      'services/reviews',
      'namespaces/default',
    ]);
  });

  it('lists with selectors and puts apiVersion and kind back on items', async () => {
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: { app: 'reviews' } } });
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', labels: { app: 'ratings' } } });
    const { items } = await client.list('v1', 'Pod', 'default', { labelSelector: 'app=reviews' });
    expect(items.map((i) => [i.kind, i.apiVersion, i.metadata.name])).toEqual([['Pod', 'v1', 'a']]);
    expect(server.requests.at(-1)!.query.get('labelSelector')).toBe('app=reviews');
  });
});
