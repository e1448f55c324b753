/** The project's manifests say what manifests/README.md says they do. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifestFile, type KubeObject } from '../kube/manifest.js';

const dir = fileURLToPath(new URL('../../manifests/', import.meta.url));
const load = async (path: string): Promise<KubeObject[]> =>
  (await loadManifestFile(`${dir}${path}`)).map((l) => l.object);
const byName = (objs: KubeObject[], kind: string) =>
  Object.fromEntries(objs.filter((o) => o.kind === kind).map((o) => [o.metadata.name, o]));
const SERVICES = ['details', 'ratings', 'reviews', 'productpage'];

/** A reviews/ratings route read back as (match header, fault, subset/weight) per rule. */
function rules(vs: KubeObject) {
  return (vs.spec.http as any[]).map((r) => ({
    match: r.match?.map((m: any) => m.headers?.['end-user']?.exact),
    fault: r.fault,
    route: r.route.map((d: any) => [d.destination.subset, d.weight ?? null]),
  }));
}

describe('bookinfo/bookinfo.yaml', () => {
  it('one Service and ServiceAccount per service, port 9080 named http', async () => {
    const objs = await load('bookinfo/bookinfo.yaml');
    const svc = byName(objs, 'Service');
    const sa = byName(objs, 'ServiceAccount');
    for (const s of SERVICES) {
      expect(svc[s]!.metadata.labels).toEqual({ app: s, service: s });
      expect(svc[s]!.spec).toEqual({ selector: { app: s }, ports: [{ name: 'http', port: 9080 }] });
      expect(sa[`bookinfo-${s}`]!.metadata.labels).toEqual({ account: s });
    }
    expect(objs.every((o) => o.metadata.namespace === undefined)).toBe(true);
  });

  it('six Deployments with app/version labels, pinned images, one replica', async () => {
    const deps = byName(await load('bookinfo/bookinfo.yaml'), 'Deployment');
    expect(Object.keys(deps).sort()).toEqual([
      'details-v1',
      'productpage-v1',
      'ratings-v1',
      'reviews-v1',
      'reviews-v2',
      'reviews-v3',
    ]);
    for (const [name, d] of Object.entries(deps)) {
      const [app, version] = name.split('-') as [string, string];
      const labels = { app, version };
      expect(d.metadata.labels).toEqual(labels);
      expect(d.spec.replicas).toBe(1);
      expect(d.spec.selector.matchLabels).toEqual(labels);
      expect(d.spec.template.metadata.labels).toEqual(labels);
      expect(d.spec.template.spec.serviceAccountName).toBe(`bookinfo-${app}`);
      const [c, ...others] = d.spec.template.spec.containers;
      expect(others).toEqual([]);
      expect(c).toMatchObject({
        name: app,
        image: `docker.io/istio/examples-bookinfo-${name}:1.20.3`,
        imagePullPolicy: 'IfNotPresent',
        ports: [{ containerPort: 9080 }],
      });
    }
  });

  it('reviews log to an emptyDir /tmp and keep Liberty output on its own volume; productpage has /tmp', async () => {
    const deps = byName(await load('bookinfo/bookinfo.yaml'), 'Deployment');
    for (const v of ['v1', 'v2', 'v3']) {
      const pod = deps[`reviews-${v}`]!.spec.template.spec;
      expect(pod.containers[0].env).toEqual([{ name: 'LOG_DIR', value: '/tmp/logs' }]);
      expect(pod.containers[0].volumeMounts).toEqual([
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'wlp-output', mountPath: '/opt/ibm/wlp/output' },
      ]);
      expect(pod.volumes.map((x: any) => [x.name, x.emptyDir])).toEqual([
        ['wlp-output', {}],
        ['tmp', {}],
      ]);
    }
    const pp = deps['productpage-v1']!.spec.template;
    expect(pp.spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(pp.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9080' });
  });
});

describe('istio/', () => {
  it('the gateway listens on 8080 for any host and exposes only the productpage paths', async () => {
    const objs = await load('istio/bookinfo-gateway.yaml');
    expect(objs.every((o) => o.apiVersion === 'networking.istio.io/v1')).toBe(true);
    const gw = byName(objs, 'Gateway')['bookinfo-gateway']!;
    expect(gw.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    });
    const vs = byName(objs, 'VirtualService')['bookinfo']!;
    expect(vs.spec.hosts).toEqual(['*']);
    expect(vs.spec.gateways).toEqual(['bookinfo-gateway']);
    expect(vs.spec.http).toHaveLength(1);
    expect(vs.spec.http[0].match).toEqual([
      { uri: { exact: '/productpage' } },
      { uri: { prefix: '/static' } },
      { uri: { exact: '/login' } },
      { uri: { exact: '/logout' } },
      { uri: { prefix: '/api/v1/products' } },
    ]);
    expect(vs.spec.http[0].route).toEqual([{ destination: { host: 'productpage', port: { number: 9080 } } }]);
  });

  it('destination rules name subsets after the version label', async () => {
    const drs = byName(await load('istio/destination-rule-all.yaml'), 'DestinationRule');
    const subsets = Object.fromEntries(
      Object.values(drs).map((d) => {
        for (const s of d.spec.subsets) expect(s.labels).toEqual({ version: s.name });
        expect(d.spec.host).toBe(d.metadata.name);
        return [d.metadata.name, d.spec.subsets.map((s: any) => s.name)];
      }),
    );
    expect(subsets).toEqual({
      productpage: ['v1'],
      reviews: ['v1', 'v2', 'v3'],
      ratings: ['v1', 'v2', 'v2-mysql', 'v2-mysql-vm'],
      details: ['v1', 'v2'],
    });
  });
});

describe('routing/', () => {
  const one = async (file: string) => {
    const objs = await load(`routing/${file}`);
    expect(objs).toHaveLength(1);
    const vs = objs[0]!;
    expect(vs).toMatchObject({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' });
    expect(vs.spec.gateways).toBeUndefined();
    expect(vs.spec.hosts).toEqual([vs.metadata.name]);
    for (const r of vs.spec.http) for (const d of r.route) expect(d.destination.host).toBe(vs.metadata.name);
    return vs;
  };

  it('all-v1 routes every service to v1', async () => {
    const objs = await load('routing/virtual-service-all-v1.yaml');
    expect(objs.map((o) => o.metadata.name)).toEqual(['productpage', 'reviews', 'ratings', 'details']);
    for (const vs of objs) expect(rules(vs)).toEqual([{ match: undefined, fault: undefined, route: [['v1', null]] }]);
  });

  it.each([
    ['virtual-service-reviews-v1.yaml', [['v1', null]]],
    ['virtual-service-reviews-v3.yaml', [['v3', null]]],
    [
      'virtual-service-reviews-50-v3.yaml',
      [
        ['v1', 50],
        ['v3', 50],
      ],
    ],
    [
      'virtual-service-reviews-80-20.yaml',
      [
        ['v1', 80],
        ['v2', 20],
      ],
    ],
    [
      'virtual-service-reviews-90-10.yaml',
      [
        ['v1', 90],
        ['v2', 10],
      ],
    ],
    [
      'virtual-service-reviews-v2-v3.yaml',
      [
        ['v2', 50],
        ['v3', 50],
      ],
    ],
  ])('%s', async (file, route) => {
    const vs = await one(file);
    expect(vs.metadata.name).toBe('reviews');
    expect(rules(vs)).toEqual([{ match: undefined, fault: undefined, route }]);
  });

  it('request-timeouts: ratings 2 s late for everyone; reviews to v2 with a 0.5 s timeout', async () => {
    const delay = await one('virtual-service-ratings-delay-2s.yaml');
    expect(delay.metadata.name).toBe('ratings');
    expect(rules(delay)).toEqual([
      { match: undefined, fault: { delay: { percentage: { value: 100 }, fixedDelay: '2s' } }, route: [['v1', null]] },
    ]);
    const timeout = await one('virtual-service-reviews-v2-timeout.yaml');
    expect(timeout.metadata.name).toBe('reviews');
    expect(rules(timeout)).toEqual([{ match: undefined, fault: undefined, route: [['v2', null]] }]);
    expect(timeout.spec.http[0].timeout).toBe('0.5s');
  });

  it.each([
    ['virtual-service-reviews-test-v2.yaml', 'reviews', undefined, 'v2', 'v1'],
    ['virtual-service-reviews-jason-v2-v3.yaml', 'reviews', undefined, 'v2', 'v3'],
    [
      'virtual-service-ratings-test-delay.yaml',
      'ratings',
      { delay: { percentage: { value: 100 }, fixedDelay: '7s' } },
      'v1',
      'v1',
    ],
    [
      'virtual-service-ratings-test-abort.yaml',
      'ratings',
      { abort: { percentage: { value: 100 }, httpStatus: 500 } },
      'v1',
      'v1',
    ],
  ])('%s: jason first, then everyone', async (file, host, fault, jason, others) => {
    const vs = await one(file);
    expect(vs.metadata.name).toBe(host);
    expect(rules(vs)).toEqual([
      { match: ['jason'], fault, route: [[jason, null]] },
      { match: undefined, fault: undefined, route: [[others, null]] },
    ]);
  });

  it('every manifest file is documented in manifests/README.md', () => {
    const readme = readFileSync(`${dir}README.md`, 'utf8');
    for (const d of ['bookinfo', 'istio', 'routing'])
      for (const f of readdirSync(`${dir}${d}`)) expect(readme).toContain(`\`${d}/${f}\``);
  });
});
