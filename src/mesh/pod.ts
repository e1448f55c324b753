/**
 * A pod of the local mesh: the app as a real HTTP server on 127.0.0.1, its sidecar (every
 * outbound call of the app goes through it), and test faults beyond Istio's own: stopped
 * (connection refused), answering 503 to a share of requests, slowed down.
 */
import { listenLoopback } from './listen.js';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Random } from '../core/random.js';
import type { AppContext, AppFactory, OutboundRequest, OutboundResponse } from './app.js';
import type { MeshProxy } from './proxy/proxy.js';
import type { ProxyHandler } from './proxy/types.js';
import { HOP_BY_HOP } from './proxy/replies.js';

export interface PodSpec {
  name: string;
  namespace: string;
  deployment: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  factory: AppFactory;
  /** Draws for the 503 fault. */
  random: Random;
}

/** `S`: the sidecar the app's calls go through (the local mesh's proxy, or an xDS-configured one). */
export class Pod<S extends ProxyHandler = MeshProxy> {
  readonly name: string;
  readonly namespace: string;
  readonly deployment: string;
  readonly labels: Record<string, string>;
  sidecar!: S;
  /** Share of requests answered 503 by the pod itself (a test fault). */
  failFraction = 0;
  /** Added before the app sees a request (a test fault). */
  slowMs = 0;
  private server: Server | null = null;
  /** Outbound calls in flight, ended when the pod stops (its process is gone). */
  private readonly calls = new Set<AbortController>();
  private port = 0;
  private readonly listener: RequestListener;

  constructor(private readonly spec: PodSpec) {
    this.name = spec.name;
    this.namespace = spec.namespace;
    this.deployment = spec.deployment;
    this.labels = spec.labels;
    const ctx: AppContext = {
      podName: spec.name,
      namespace: spec.namespace,
      labels: spec.labels,
      env: spec.env,
      call: (req) => this.call(req),
    };
    this.listener = spec.factory(ctx);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** Listens on a fresh loopback port the first time, on the same port after a stop. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.serve(req, res));
    // Longer than the proxies' idle timeout, so a proxy never reuses a connection the pod is closing.
    server.keepAliveTimeout = 60_000;
    this.port = await listenLoopback(server, this.port);
    this.server = server;
  }

  /** Stops listening and drops every open connection: new connections are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const c of this.calls) c.abort();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private serve: RequestListener = (req, res) => {
    if (this.slowMs > 0) {
      setTimeout(() => this.answer(req, res), this.slowMs);
      return;
    }
    this.answer(req, res);
  };

  private answer: RequestListener = (req, res) => {
    if (this.failFraction > 0 && this.spec.random.next() < this.failFraction) {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`${this.name}: injected 503 (local mesh test fault)`);
      return;
    }
    this.listener(req, res);
  };

  /** The app's outbound call, through this pod's sidecar. */
  async call(r: OutboundRequest): Promise<OutboundResponse> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), r.timeoutMs);
    this.calls.add(ctl);
    try {
      const headers: Record<string, string> = {};
      for (const k in r.headers) {
        const name = k.toLowerCase();
        if (name !== 'host' && !HOP_BY_HOP.has(name)) headers[name] = r.headers[k]!;
      }
      const result = await this.sidecar.handle({
        method: r.method ?? 'GET',
        path: r.path,
        authority: r.port === 80 ? r.host : `${r.host}:${r.port}`,
        headers,
        body: r.body === undefined ? undefined : Buffer.from(r.body),
        listenerPort: r.port,
        signal: ctl.signal,
      });
      if (result.kind === 'passthrough') throw codeError(`getaddrinfo ENOTFOUND ${r.host}`, 'ENOTFOUND');
      if (result.kind === 'cancelled')
        throw codeError(`request to ${r.host}:${r.port}${r.path} timed out after ${r.timeoutMs}ms`, 'ETIMEDOUT');
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(result.response.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
      return { status: result.response.status, headers: out, body: result.response.body.toString() };
    } finally {
      clearTimeout(timer);
      this.calls.delete(ctl);
    }
  }
}

function codeError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}
