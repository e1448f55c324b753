import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { loadManifestFile, parseManifests } from '../../kube/manifest.js';
import type { RouteConfiguration } from '../../mesh/envoy/types.js';
import { LocalTarget } from './local-target.js';

const root = new URL('../../../', import.meta.url).pathname;
const manifest = (p: string) => loadManifestFile(join(root, 'manifests', p));

let target: LocalTarget;
beforeAll(async () => {
  target = new LocalTarget({ seed: 3, propagationDelayMs: { minMs: 10, maxMs: 60 } });
  const base = [
    ...(await manifest('bookinfo/bookinfo.yaml')),
    ...(await manifest('istio/bookinfo-gateway.yaml')),
    ...(await manifest('istio/destination-rule-all.yaml')),
  ];
  const phases: string[] = [];
  await target.up({ namespace: 'default', base, emit: (e) => void (e.type === 'phase-start' && phases.push(e.phase)) });
  expect(phases).toHaveLength(3);
});
afterAll(() => target.close());

async function page(path = '/productpage'): Promise<{ status: number; text: string }> {
  const r = await request(`${await target.ingressUrl()}${path}`);
  return { status: r.statusCode, text: await r.body.text() };
}

const reviewsRoute = (routes: unknown[]) =>
  (routes as RouteConfiguration[])
    .find((r) => r.name === '9080')!
    .virtualHosts!.find((v) => v.name === 'reviews.default.svc.cluster.local:9080')!.routes![0]!;

describe('LocalTarget', () => {
  it('says plainly that it is the local rehearsal mesh, not Istio', () => {
    expect(target.describe()).toMatch(/^local rehearsal mesh \(not Istio\)/);
  });

  it('runs Bookinfo: pods named like real ones, with sidecars, serving the product page via the ingress', async () => {
    const pods = target.mesh.pods('default');
    expect(pods.map((p) => p.name.replace(/-\w{10}-\w{5}$/, '')).sort()).toEqual([
      'details-v1',
      'productpage-v1',
      'ratings-v1',
      'reviews-v1',
      'reviews-v2',
      'reviews-v3',
    ]);
    expect(pods.every((p) => p.ready)).toBe(true);
    expect(
      (await target.proxies('default'))
        .filter((p) => p.role === 'sidecar')
        .map((p) => p.pod)
        .sort(),
    ).toEqual(pods.map((p) => p.name).sort());
    const r = await page();
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/Reviews served by:[\s\S]*reviews-v[123]-\w{10}-\w{5}/);
    expect((await page('/')).status).toBe(404);
  });

  it('lists the sidecars of a namespace and the ingress gateway', async () => {
    const proxies = await target.proxies('default');
    expect(proxies.filter((p) => p.role === 'sidecar')).toHaveLength(6);
    expect(proxies.filter((p) => p.role === 'gateway').map((p) => [p.namespace, p.labels.istio])).toEqual([
      ['istio-system', 'ingressgateway'],
    ]);
    expect(target.mesh.proxies('istio-system').map((p) => [p.pod.replace(/-\w{10}-\w{5}$/, ''), p.role])).toEqual([
      ['istio-ingressgateway', 'gateway'],
    ]);
  });

  it('applies a VirtualService; the productpage sidecar’s routes change, then the pages follow', async () => {
    const outcomes = await target.apply(await manifest('routing/virtual-service-all-v1.yaml'));
    expect(outcomes.find((o) => o.ref === 'VirtualService reviews.default')?.action).toBe('created');
    const pp = (await target.proxies('default')).find((p) => p.pod.startsWith('productpage-v1-'))!;
    await target.mesh.whenSettled();
    expect(reviewsRoute((await target.proxyRoutes(pp))!).route!.cluster).toBe(
      'outbound|9080|v1|reviews.default.svc.cluster.local',
    );
    for (let i = 0; i < 5; i++) expect((await page()).text).toMatch(/Reviews served by:\s*(<[^>]*>\s*)*reviews-v1-/);
    expect(
      (
        await target.get({
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          name: 'reviews',
          namespace: 'default',
        })
      )?.spec.http[0].route[0].destination.subset,
    ).toBe('v1');
  });

  it('refuses a batch with an image it cannot run, naming the file and line, and applies nothing', async () => {
    const text = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: extra-details }
spec:
  hosts: [details]
  http: [{ route: [{ destination: { host: details, subset: v2 } }] }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: docker.io/istio/examples-bookinfo-details-v9:1.20.3 }]
`;
    const err = await target.apply(parseManifests(text, 'extra.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    // A Bookinfo image of a version with no stand-in (any other image gets the echo app, issue 25).
    expect((err as Error).message).toMatch(
      /extra\.yaml:16.*"docker\.io\/istio\/examples-bookinfo-details-v9:1\.20\.3"/,
    );
    expect(
      await target.get({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        name: 'extra-details',
        namespace: 'default',
      }),
    ).toBeNull();
  });

  it('writes diagnostics: objects, pods, each proxy’s routes, and access log lines with response flags', async () => {
    await page('/nowhere');
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-local-'));
    try {
      const files = await target.diagnostics(dir);
      expect(files.map((f) => f.slice(dir.length + 1))).toEqual(
        expect.arrayContaining(['local-mesh.txt', 'objects.yaml', 'pods.json', 'access.log']),
      );
      expect(await readFile(join(dir, 'local-mesh.txt'), 'utf8')).toMatch(
        /not Istio[\s\S]*productpage-v1-\w+-\w+ serving/,
      );
      expect(await readFile(join(dir, 'objects.yaml'), 'utf8')).toContain('kind: VirtualService');
      expect(await readFile(join(dir, 'access.log'), 'utf8')).toMatch(
        /"GET \/nowhere HTTP\/1\.1" 404 NR route_not_found/,
      );
      const gw = (await target.proxies('default')).find((p) => p.role === 'gateway')!;
      const routes = JSON.parse(
        await readFile(join(dir, 'proxies', `${gw.pod}.routes.json`), 'utf8'),
      ) as RouteConfiguration[];
      expect(routes[0]!.name).toBe('http.8080');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
