/**
 * An in-memory target for runner tests. It keeps what was applied, routes `reviews` by the
 * weights of the newest reviews VirtualService its one proxy holds, and answers on a loopback
 * ingress with a line a fake classifier reads (`reviews=v3 ratings=stars pod=reviews-v3-0`). What
 * the proxy holds changes only when the test delivers it (or after a set number of reads), so
 * settling is tested one step at a time, without timing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Classifier } from '../../bookinfo/classification.js';
import { EnvironmentError } from '../../core/errors.js';
import { seededRandom, type Random } from '../../core/random.js';
import type { KubeObject, LoadedObject } from '../../kube/manifest.js';
import { phase, silent } from '../phase.js';
import type {
  ApplyOutcome,
  LeaseKey,
  ObjectKey,
  ProxyInfo,
  Target,
  TargetName,
  TargetTraits,
  UpOptions,
} from '../target.js';

export interface FakeTargetOptions {
  /** Phases `up` reports, in order; one that names `failUpAt` throws there. */
  phases?: string[];
  failUpAt?: string;
  /** false: proxies cannot be read (proxyRoutes answers null), so settling falls back to traffic. */
  readableProxies?: boolean;
  /**
   * Deliver applied routes to the proxy after this many reads of it; Infinity: only deliver() does. Default 0 (at
   * once).
   */
  deliverAfterReads?: number;
  /** Files `diagnostics` says it wrote. */
  diagnostics?: string[];
  /** Share of answers that are 503s. */
  failShare?: number;
  seed?: number;
  /** Split per connection, as TCP weights do: a version drawn when a connection opens serves every request on it. */
  splitPerConnection?: boolean;
  /** The cluster it stands for, for lease tests; default none. */
  leaseKey?: LeaseKey;
}

const PRODUCTPAGE: ProxyInfo = {
  pod: 'productpage-v1-0',
  namespace: 'default',
  role: 'sidecar',
  labels: { app: 'productpage', version: 'v1' },
};

export class FakeTarget implements Target {
  readonly name: TargetName = 'local';
  readonly traits: TargetTraits = { lifetime: 'process', servesWhile: 'process', settlePollMs: 1 };
  /** Every call, by method name, in order. */
  readonly calls: string[] = [];
  readonly objects = new Map<string, KubeObject>();
  /** Reviews weights by subset: the newest applied, and the ones the proxy holds (and traffic follows). */
  private wanted: Record<string, number> = { v1: 100 };
  private held: Record<string, number> = { v1: 100 };
  private readsSinceApply = 0;
  private server: Server | undefined;
  private readonly random: Random;
  /** The version each connection is pinned to (splitPerConnection). */
  private readonly pinned = new WeakMap<object, string>();

  constructor(readonly opts: FakeTargetOptions = {}) {
    this.random = seededRandom(opts.seed ?? 1);
  }

  describe(): string {
    return 'fake target (in memory)';
  }

  /** In memory, as the local mesh: nothing to lease, unless a test names a cluster. */
  leaseKey(): LeaseKey | null {
    return this.opts.leaseKey ?? null;
  }

  async up(opts: UpOptions): Promise<void> {
    this.calls.push('up');
    for (const p of this.opts.phases ?? ['start the fake ingress']) {
      await phase(opts.emit ?? silent, p, async () => {
        if (p === this.opts.failUpAt) throw new EnvironmentError(`fake target: ${p} failed`);
        await this.listen();
      });
    }
  }

  async apply(objects: LoadedObject[]): Promise<ApplyOutcome[]> {
    this.calls.push('apply');
    return objects.map(({ object }) => {
      const ref = `${object.kind} ${object.metadata.name}.${object.metadata.namespace ?? 'default'}`;
      const existed = this.objects.has(ref);
      this.objects.set(ref, object);
      const weights = object.kind === 'VirtualService' ? reviewsWeights(object) : null;
      if (weights) {
        this.wanted = weights;
        this.readsSinceApply = 0;
        if ((this.opts.deliverAfterReads ?? 0) === 0) this.deliver();
      }
      return { ref, action: existed ? 'configured' : 'created' };
    });
  }

  /** The proxy now holds (and traffic follows) the newest applied routes. */
  deliver(): void {
    this.held = { ...this.wanted };
  }

  async get(key: ObjectKey): Promise<KubeObject | null> {
    return [...this.objects.values()].find((o) => o.kind === key.kind && o.metadata.name === key.name) ?? null;
  }

  async ingressUrl(): Promise<string> {
    if (!this.server) throw new Error('fake target: not up');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async proxies(): Promise<ProxyInfo[]> {
    return [PRODUCTPAGE];
  }

  async proxyRoutes(): Promise<unknown[] | null> {
    if (this.opts.readableProxies === false) return null;
    if (++this.readsSinceApply > (this.opts.deliverAfterReads ?? 0)) this.deliver();
    return routeDump(this.held);
  }

  async diagnostics(): Promise<string[]> {
    this.calls.push('diagnostics');
    return this.opts.diagnostics ?? [];
  }

  async down(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private async listen(): Promise<void> {
    if (this.server) return;
    this.server = createServer((req, res) => {
      if (req.method === 'POST') return void res.writeHead(200, { 'set-cookie': 'session=fake' }).end();
      if ((this.opts.failShare ?? 0) > this.random.next()) return void res.writeHead(503).end('no healthy upstream');
      let v = this.opts.splitPerConnection ? this.pinned.get(req.socket) : undefined;
      if (v === undefined) v = draw(this.held, this.random.next());
      if (this.opts.splitPerConnection) this.pinned.set(req.socket, v);
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(`reviews=${v} ratings=${v === 'v1' ? 'none' : 'stars'} pod=reviews-${v}-0`);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
  }
}

/** Reads what the fake ingress answers. */
export const fakeClassifier: Classifier = {
  name: 'fake',
  classify: ({ body }) => {
    const f = Object.fromEntries(body.split(' ').map((kv) => kv.split('=') as [string, string]));
    return {
      reviews: (f.reviews as never) ?? null,
      ratings: (f.ratings as never) ?? null,
      pod: f.pod ?? null,
      format: 'unknown',
    };
  },
};

/** Weights by subset of the first route of a reviews VirtualService; null for other hosts. */
function reviewsWeights(vs: KubeObject): Record<string, number> | null {
  if (!(vs.spec?.hosts ?? []).includes('reviews')) return null;
  const route = (vs.spec?.http?.[0]?.route ?? []) as { destination: { subset: string }; weight?: number }[];
  return Object.fromEntries(route.map((r) => [r.destination.subset, r.weight ?? 100]));
}

function draw(weights: Record<string, number>, u: number): string {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  let acc = 0;
  for (const [v, w] of Object.entries(weights)) if ((acc += w / total) > u) return v;
  return Object.keys(weights).at(-1)!;
}

/** The proxy's routes in the shape `istioctl proxy-config routes -o json` prints. */
function routeDump(weights: Record<string, number>): unknown[] {
  const cluster = (v: string) => `outbound|9080|${v}|reviews.default.svc.cluster.local`;
  const entries = Object.entries(weights);
  const route =
    entries.length === 1
      ? { cluster: cluster(entries[0]![0]) }
      : { weightedClusters: { clusters: entries.map(([v, w]) => ({ name: cluster(v), weight: w })) } };
  return [
    {
      name: '9080',
      virtualHosts: [
        {
          name: 'reviews.default.svc.cluster.local:9080',
          domains: ['reviews'],
          routes: [{ match: { prefix: '/' }, route }],
        },
      ],
    },
  ];
}
