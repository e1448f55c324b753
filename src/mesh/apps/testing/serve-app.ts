/**
 * Test support for the stand-ins: serve one app on 127.0.0.1:0 and give it a fake pod context
 * whose outbound calls are answered by the test (canned answers, delays, rejections) or passed on
 * to other stand-ins served the same way.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext, AppFactory, OutboundRequest, OutboundResponse } from '../../app.js';

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(handler: RequestListener): Promise<Served> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type CallHandler = (req: OutboundRequest, n: number) => Promise<OutboundResponse> | OutboundResponse;

export interface FakeContext extends AppContext {
  /** Every outbound call, in order. */
  readonly calls: OutboundRequest[];
}

export function fakeContext(opts: {
  podName: string;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  call?: CallHandler;
}): FakeContext {
  const calls: OutboundRequest[] = [];
  const handler =
    opts.call ??
    ((req) =>
      Promise.reject(Object.assign(new Error(`no answer for ${req.host}${req.path}`), { code: 'ECONNREFUSED' })));
  return {
    podName: opts.podName,
    namespace: 'default',
    labels: opts.labels ?? {},
    env: opts.env ?? {},
    calls,
    async call(req) {
      calls.push(req);
      return handler(req, calls.length);
    },
  };
}

/** Serves `factory` with a fake context built from `opts`. */
export async function serveApp(
  factory: AppFactory,
  opts: Parameters<typeof fakeContext>[0],
): Promise<Served & { ctx: FakeContext }> {
  const ctx = fakeContext(opts);
  return { ...(await serve(factory(ctx))), ctx };
}

export function json(status: number, body: unknown): OutboundResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function etimedout(req: OutboundRequest): Error {
  return Object.assign(new Error(`timed out calling ${req.host}${req.path}`), { code: 'ETIMEDOUT' });
}

export function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}

/** A call handler that sends each call over real HTTP to the served app `route(host)` names. */
export function forwardTo(route: (host: string) => string | undefined): CallHandler {
  return async (req) => {
    const base = route(req.host);
    if (!base) throw Object.assign(new Error(`no upstream for ${req.host}`), { code: 'ECONNREFUSED' });
    const res = await fetch(`${base}${req.path}`, {
      method: req.method ?? 'GET',
      headers: req.headers ?? {},
      body: req.body,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  };
}
