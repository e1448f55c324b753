/**
 * The ingress gateway's listener: one HTTP server on a loopback port, handing every request to the
 * gateway proxy. It can refuse connections for a while (a test fault): the port stops listening
 * and open connections are dropped, then it listens on the same port again.
 */
import { listenOn } from './listen.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ProxyHandler } from './proxy/types.js';
import { HOP_BY_HOP } from './proxy/replies.js';

export class Ingress {
  private server: Server | null = null;
  private port: number;
  private reopenTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly proxy: ProxyHandler,
    /**
     * The gateway listener whose route configuration serves this port (`http.<listenerPort>`), or, for a sidecar's
     * captured outbound traffic, a function of the request's authority.
     */
    private readonly listenerPort: number | ((authority: string) => number),
    port = 0,
    /** Where to listen: loopback on the rehearsal targets, every address inside a pod. */
    private readonly host = '127.0.0.1',
  ) {
    this.port = port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      this.serve(req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`local mesh ingress error: ${err instanceof Error ? err.message : String(err)}`);
      });
    });
    server.keepAliveTimeout = 30_000;
    this.port = await listenOn(server, this.port, this.host);
    this.server = server;
  }

  async stop(): Promise<void> {
    clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Refuses connections for `ms`, then listens again on the same port. Resolves once refusing. */
  async refuseFor(ms: number): Promise<void> {
    await this.stop();
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      this.start().catch(() => undefined);
    }, ms);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const k in req.headers) {
      if (k === 'host' || HOP_BY_HOP.has(k)) continue;
      const v = req.headers[k];
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
    }
    const remote = req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']},${remote}` : remote;
    const ctl = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) ctl.abort();
    };
    res.once('close', onClose);
    const result = await this.proxy.handle({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      authority: req.headers.host ?? '',
      headers,
      body,
      listenerPort:
        typeof this.listenerPort === 'number' ? this.listenerPort : this.listenerPort(req.headers.host ?? ''),
      signal: ctl.signal,
      remoteAddress: remote,
    });
    res.off('close', onClose);
    if (result.kind === 'cancelled') return;
    if (result.kind === 'passthrough') {
      res.writeHead(404, { server: 'istio-envoy', 'content-length': '0' }).end();
      return;
    }
    const r = result.response;
    r.headers['content-length'] = String(r.body.length);
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  }
}

/** The request body, or undefined when there is none (GETs from browsers and samplers). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
