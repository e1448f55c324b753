/**
 * HTTP through the ingress gateway, on undici: one keep-alive pool per origin, a deadline per
 * request, the body always consumed, and transport failures returned as values (they are data
 * for the verdict, not exceptions).
 */
import { Pool, getSetCookies, type Dispatcher } from 'undici';
import { Headers } from 'undici';

export interface ClientOptions {
  baseUrl: string;
  /** Connections kept open to the ingress. */
  connections: number;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number | null;
  error?: string;
  contentType?: string;
  body: string;
  latencyMs: number;
  headers: Record<string, string | string[] | undefined>;
}

export class IngressClient {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly sessions = new Map<string, Promise<string>>();

  constructor(private readonly opts: ClientOptions) {
    const url = new URL(opts.baseUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/$/, '');
    this.pool = new Pool(this.origin, {
      connections: opts.connections,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: { timeout: Math.min(opts.timeoutMs, 5_000) },
    });
  }

  /** Sends one request; never throws for HTTP or transport failures. */
  async send(path: string, init: { method?: Dispatcher.HttpMethod; headers?: Record<string, string>; body?: string } = {}): Promise<HttpAnswer> {
    const started = performance.now();
    // The deadline is undici's own (connect, headers, body idle timeouts set on the pool): a timer
    // and an AbortSignal per request would cost a fifth of the client's throughput.
    try {
      const res = await this.pool.request({
        path: this.prefix + path,
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        body: init.body ?? null,
      });
      const body = await res.body.text();
      const ct = res.headers['content-type'];
      return {
        status: res.statusCode,
        contentType: Array.isArray(ct) ? ct[0] : ct,
        body,
        latencyMs: performance.now() - started,
        headers: res.headers,
      };
    } catch (err) {
      return { status: null, error: describeTransportError(err, this.opts.timeoutMs), body: '', latencyMs: performance.now() - started, headers: {} };
    }
  }

  /**
   * Logs a user in as a browser would (POST /login with the form, no redirect followed: without a
   * Referer productpage redirects to the literal "None") and returns the Cookie header to send.
   * Cached per user; a failed login is not cached so that it can be retried.
   */
  cookieFor(user: string): Promise<string> {
    let p = this.sessions.get(user);
    if (!p) {
      p = this.login(user);
      this.sessions.set(user, p);
      p.catch(() => this.sessions.delete(user));
    }
    return p;
  }

  private async login(user: string): Promise<string> {
    const answer = await this.send('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: user, passwd: 'meshproof' }).toString(),
    });
    if (answer.status === null || answer.status >= 400) {
      throw new Error(`failed to log in as ${user}: POST /login answered ${answer.status ?? answer.error}`);
    }
    const headers = new Headers();
    const raw = answer.headers['set-cookie'];
    for (const c of Array.isArray(raw) ? raw : raw ? [raw] : []) headers.append('set-cookie', c);
    const session = getSetCookies(headers).find((c) => c.name === 'session');
    if (!session) throw new Error(`failed to log in as ${user}: POST /login set no session cookie (status ${answer.status})`);
    return `session=${session.value}`;
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => this.pool.destroy());
  }
}

function describeTransportError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT') return `timeout after ${timeoutMs}ms`;
  return e?.cause?.code ?? e?.code ?? e?.message ?? String(err);
}
