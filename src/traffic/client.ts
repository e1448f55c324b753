/**
 * HTTP through the ingress gateway, on undici: one keep-alive pool per origin, a deadline per
 * request, the body always consumed, and transport failures returned as values (they are data
 * for the verdict, not exceptions).
 */
import { Client, Pool, getSetCookies, type Dispatcher } from 'undici';
import { Headers } from 'undici';
import { AnswerHandler, type HttpAnswer, type SocketSlot } from './answer-handler.js';
import { RequestRefusedError, unsendablePath } from './request-refused.js';

export interface ClientOptions {
  baseUrl: string;
  /** Connections kept open to the ingress. */
  connections: number;
  timeoutMs: number;
}

export type { HttpAnswer } from './answer-handler.js';
export { RequestRefusedError } from './request-refused.js';

export class IngressClient {
  private pool: Pool;
  private origin: string;
  private prefix: string;
  private readonly sessions = new Map<string, Promise<string>>();
  /** Sockets opened so far, over every pool: each answer names the one that carried it (HttpAnswer.conn). */
  private sockets = 0;
  /** The handler of each request in flight, by its dispatch options (the object undici hands each connection). */
  private readonly handlers = new WeakMap<object, AnswerHandler>();

  constructor(private readonly opts: ClientOptions) {
    const url = new URL(opts.baseUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/$/, '');
    this.pool = this.newPool();
  }

  private newPool(): Pool {
    return new Pool(this.origin, {
      connections: this.opts.connections,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      headersTimeout: this.opts.timeoutMs,
      bodyTimeout: this.opts.timeoutMs,
      connect: { timeout: Math.min(this.opts.timeoutMs, 5_000) },
      // Each of the pool's connections holds one socket at a time (pipelining 1) and numbers it when it
      // connects; a request it takes learns that number when it starts on the socket. The mesh may
      // split per connection: the verdict's check needs to know which answers shared one.
      factory: (origin, options) => {
        const client = new Client(origin, options);
        const slot: SocketSlot = { id: 0 };
        client.on('connect', () => (slot.id = ++this.sockets));
        const dispatch = client.dispatch.bind(client);
        client.dispatch = (o, handler) => {
          const mine = this.handlers.get(o);
          if (mine) mine.slot = slot;
          return dispatch(o, handler);
        };
        return client;
      },
    });
  }

  /** Sends from now on to another ingress (a plan's own Gateway API gateway); sessions start anew there. */
  async retarget(baseUrl: string): Promise<void> {
    const url = new URL(baseUrl);
    const old = this.pool;
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/$/, '');
    this.pool = this.newPool();
    this.sessions.clear();
    await old.close();
  }

  /**
   * Sends one request; never rejects for HTTP or transport failures, which are data. Rejects with a
   * RequestRefusedError when undici refuses the request itself (a path it cannot send, say): every
   * request like it would be refused too, so that is no answer but the end of the sampling.
   * Latency counts from `started`.
   */
  send(
    path: string,
    init: {
      method?: Dispatcher.HttpMethod;
      headers?: Record<string, string>;
      body?: string;
      /**
       * Carry this request on a connection of its own: undici's `reset` sends `connection: close`
       * and drops the socket once the answer is in, so the pool's connection opens a new one for
       * the next request. Kept over a fresh dispatcher per request, which would need closing and
       * its own timeouts: the pool keeps its concurrency, deadlines and refusal handling as they are.
       */
      freshConnection?: boolean;
    } = {},
    started = performance.now(),
  ): Promise<HttpAnswer> {
    const method = init.method ?? 'GET';
    const unsendable = unsendablePath(path);
    if (unsendable) return Promise.reject(new RequestRefusedError(method, path, unsendable));
    // The deadline is undici's own (connect, headers, body idle timeouts set on the pool): a timer
    // and an AbortSignal per request would cost a fifth of the client's throughput.
    return new Promise((resolve, reject) => {
      let dispatching = true;
      const handler = new AnswerHandler(started, this.opts.timeoutMs, resolve, (err) => {
        if (!dispatching) return false;
        // Refused while dispatching: undici checked the request and will never send it. The pool
        // counts the refusal as a busy connection that never drains, so it is replaced.
        this.renewPool();
        reject(new RequestRefusedError(method, path, err.message, { cause: err }));
        return true;
      });
      const options: Dispatcher.DispatchOptions = {
        path: this.prefix + path,
        method,
        headers: init.headers ?? {},
        body: init.body ?? null,
        ...(init.freshConnection && { reset: true }),
      };
      this.handlers.set(options, handler);
      try {
        this.pool.dispatch(options, handler);
      } catch (err) {
        // undici reports a refusal through the handler; a throw would be one too.
        handler.onResponseError(undefined as never, err as Error);
      } finally {
        dispatching = false;
      }
    });
  }

  private renewPool(): void {
    const old = this.pool;
    this.pool = this.newPool();
    old.destroy().catch(() => undefined);
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
    for (const c of answer.setCookies) headers.append('set-cookie', c);
    const session = getSetCookies(headers).find((c) => c.name === 'session');
    if (!session)
      throw new Error(`failed to log in as ${user}: POST /login set no session cookie (status ${answer.status})`);
    return `session=${session.value}`;
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => this.pool.destroy());
  }
}
