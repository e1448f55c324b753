/**
 * Connections from proxies to pods: one keep-alive undici Pool per pod address, shared by every
 * proxy of the mesh. A failed attempt is classified the way Envoy's retry logic needs it:
 * connect failure (nothing listening) or reset (the connection broke after the request went out).
 */
import { Pool } from 'undici';

export interface UpstreamRequest {
  address: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  signal: AbortSignal | undefined;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type UpstreamResult =
  | { ok: true; response: UpstreamResponse }
  | { ok: false; failure: 'connect-failure' | 'reset'; detail: string }
  | { ok: false; failure: 'aborted'; detail: string };

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

export class Upstreams {
  private readonly pools = new Map<string, Pool>();

  async send(req: UpstreamRequest): Promise<UpstreamResult> {
    try {
      const res = await this.pool(req.address).request({
        path: req.path,
        method: req.method as 'GET',
        headers: req.headers,
        body: req.body,
        signal: req.signal,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      return { ok: true, response: { status: res.statusCode, headers: res.headers, body } };
    } catch (err) {
      const e = err as { code?: string; name?: string; message?: string };
      if (req.signal?.aborted || e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED')
        return { ok: false, failure: 'aborted', detail: 'aborted' };
      if (e.code && CONNECT_FAILURES.has(e.code)) return { ok: false, failure: 'connect-failure', detail: e.code };
      return { ok: false, failure: 'reset', detail: e.code ?? e.message ?? String(err) };
    }
  }

  /** Drops the connections to a pod, as a crashed process's sockets would be. */
  drop(address: string): void {
    const pool = this.pools.get(address);
    if (!pool) return;
    this.pools.delete(address);
    pool.destroy().catch(() => undefined);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }

  private pool(address: string): Pool {
    let pool = this.pools.get(address);
    if (!pool) {
      // Pods keep idle connections longer than this, so the client always closes first (no reuse race).
      // No undici timeouts: the route's timeout and per-try timeout are the proxy's own (Envoy has none by default).
      pool = new Pool(`http://${address}`, {
        connections: 128,
        keepAliveTimeout: 10_000,
        keepAliveMaxTimeout: 10_000,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.pools.set(address, pool);
    }
    return pool;
  }
}
