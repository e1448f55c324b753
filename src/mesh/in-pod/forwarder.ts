/**
 * A plain HTTP forwarder: every request on a port is passed unchanged to one address. In a pod it
 * serves the inbound capture port (15006 → the app's port on 127.0.0.1) and the bootstrap's static
 * listeners (15021 → pilot-agent's status port, 15090 → the admin port). Inbound connections leave
 * from 127.0.0.6, the source istio-iptables lets through to the app without capturing it again (as
 * Envoy's inbound clusters do).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Pool } from 'undici';
import { listenOn } from '../listen.js';
import { HOP_BY_HOP } from '../proxy/replies.js';

export const INBOUND_SOURCE = '127.0.0.6';

export interface ForwarderOptions {
  port: number;
  to: { host: string; port: number };
  host?: string;
  /** Address the upstream connections leave from. */
  localAddress?: string;
}

export class Forwarder {
  private server: Server | null = null;
  private readonly pool: Pool;

  constructor(private readonly o: ForwarderOptions) {
    this.pool = new Pool(`http://${o.to.host}:${o.to.port}`, {
      connections: 64,
      ...(o.localAddress ? { connect: { localAddress: o.localAddress } } : {}),
    });
  }

  async start(): Promise<number> {
    const server = createServer((req, res) => {
      this.forward(req, res).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain', server: 'istio-envoy' });
        res.end(`upstream connect error or disconnect/reset before headers. reset reason: ${err.message}`);
      });
    });
    const port = await listenOn(server, this.o.port, this.o.host ?? '0.0.0.0');
    this.server = server;
    return port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) {
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeAllConnections();
      await closed;
    }
    await this.pool.close();
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const up = await this.pool.request({
      path: req.url ?? '/',
      method: (req.method ?? 'GET') as 'GET',
      headers,
      body: hasBody ? req : undefined,
    });
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode, out);
    for await (const chunk of up.body) res.write(chunk);
    res.end();
  }
}
