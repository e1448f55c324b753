/**
 * The part of Envoy's admin API (:15000 in a pod) that istioctl reads: `/config_dump` with the
 * bootstrap node, and the dynamic clusters, listeners and route configurations as istiod sent
 * them, in Envoy's JSON (every resource wrapped as an Any with its `@type`), plus `/ready`.
 * Endpoints are included with `?include_eds`, as Envoy does.
 */
import { createServer, type Server } from 'node:http';
import { listenOn } from '../listen.js';
import type { XdsResources } from './xds-proxy.js';

type Json = Record<string, unknown>;

const T = 'type.googleapis.com/';
export const TYPES = {
  listener: `${T}envoy.config.listener.v3.Listener`,
  route: `${T}envoy.config.route.v3.RouteConfiguration`,
  cluster: `${T}envoy.config.cluster.v3.Cluster`,
  endpoint: `${T}envoy.config.endpoint.v3.ClusterLoadAssignment`,
} as const;

export interface AdminSource {
  /** The node the proxy identified itself with (id, cluster, metadata). */
  node: object;
  resources(): XdsResources;
  /** The whole bootstrap, where there is one (in a pod); otherwise the dump shows the node alone. */
  bootstrap?: object;
}

/** What an in-pod proxy's admin endpoint adds: Envoy's port, its counters and its exit. */
export interface AdminOptions {
  host?: string;
  port?: number;
  /** Counters and gauges by Envoy's stat names, for `/stats` (what pilot-agent's readiness reads). */
  stats?: () => Record<string, number>;
  /** `POST /quitquitquit`: pilot-agent's way to end Envoy. */
  onQuit?: () => void;
}

export function configDump(src: AdminSource, includeEds: boolean): Json {
  const r = src.resources();
  const at = (type: string) => new Date(r.receivedAt[type] ?? 0).toISOString();
  const version = (type: string) => r.versions[type] ?? '';
  const wrap = (type: string, o: Json) => ({ '@type': type, ...o });
  const configs: Json[] = [
    { '@type': `${T}envoy.admin.v3.BootstrapConfigDump`, bootstrap: src.bootstrap ?? { node: src.node } },
    {
      '@type': `${T}envoy.admin.v3.ClustersConfigDump`,
      versionInfo: version(TYPES.cluster),
      dynamicActiveClusters: [...r.clusters.values()].map((c) => ({
        versionInfo: version(TYPES.cluster),
        cluster: wrap(TYPES.cluster, c),
        lastUpdated: at(TYPES.cluster),
      })),
    },
    {
      '@type': `${T}envoy.admin.v3.ListenersConfigDump`,
      versionInfo: version(TYPES.listener),
      dynamicListeners: [...r.listeners.entries()].map(([name, l]) => ({
        name,
        activeState: {
          versionInfo: version(TYPES.listener),
          listener: wrap(TYPES.listener, l),
          lastUpdated: at(TYPES.listener),
        },
      })),
    },
    {
      '@type': `${T}envoy.admin.v3.RoutesConfigDump`,
      dynamicRouteConfigs: [...r.routes.values()].map((rc) => ({
        versionInfo: version(TYPES.route),
        routeConfig: wrap(TYPES.route, rc),
        lastUpdated: at(TYPES.route),
      })),
    },
  ];
  if (includeEds) {
    configs.push({
      '@type': `${T}envoy.admin.v3.EndpointsConfigDump`,
      dynamicEndpointConfigs: [...r.endpoints.values()].map((e) => ({
        versionInfo: version(TYPES.endpoint),
        endpointConfig: wrap(TYPES.endpoint, e),
        lastUpdated: at(TYPES.endpoint),
      })),
    });
  }
  return { configs };
}

export class AdminServer {
  private server: Server | null = null;
  private port = 0;

  constructor(
    private readonly src: AdminSource,
    private readonly opts: AdminOptions = {},
  ) {}

  get address(): { host: string; port: number } {
    return { host: this.opts.host ?? '127.0.0.1', port: this.port };
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://admin');
      if (req.method === 'GET' && url.pathname === '/config_dump') {
        const body = JSON.stringify(configDump(this.src, url.searchParams.has('include_eds')), null, 1);
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      } else if (url.pathname === '/ready') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('LIVE\n');
      } else if (this.opts.stats && url.pathname === '/stats') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(statsText(this.opts.stats(), url.searchParams));
      } else if (this.opts.stats && url.pathname === '/stats/prometheus') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(prometheusText(this.opts.stats()));
      } else if (this.opts.onQuit && req.method === 'POST' && url.pathname === '/quitquitquit') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
        this.opts.onQuit();
      } else if (
        this.opts.stats &&
        req.method === 'POST' &&
        /^\/(drain_listeners|healthcheck\/fail|logging)$/.test(url.pathname)
      ) {
        // Accepted and not acted on: the in-pod proxy has no drain or log levels (said in its notes).
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
      } else {
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end(`${url.pathname}: not served by the rehearsal proxy's admin endpoint (only /config_dump and /ready)\n`);
      }
    });
    this.port = await listenOn(server, this.opts.port ?? 0, this.opts.host ?? '127.0.0.1');
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    await closed;
  }
}

/** Envoy's `/stats` text (`name: value` lines), honouring `filter=<regex>`; `usedonly` changes nothing here. */
export function statsText(stats: Record<string, number>, query: URLSearchParams): string {
  const filter = query.get('filter');
  let re: RegExp | null = null;
  try {
    re = filter ? new RegExp(filter) : null;
  } catch {
    return `invalid filter ${JSON.stringify(filter)}\n`;
  }
  return Object.keys(stats)
    .sort()
    .filter((k) => !re || re.test(k))
    .map((k) => `${k}: ${stats[k]}\n`)
    .join('');
}

/** The same figures in Prometheus' text format, named as Envoy names them (`envoy_` and dots to underscores). */
export function prometheusText(stats: Record<string, number>): string {
  return Object.keys(stats)
    .sort()
    .map((k) => `envoy_${k.replace(/[^a-zA-Z0-9_]/g, '_')} ${stats[k]}\n`)
    .join('');
}
