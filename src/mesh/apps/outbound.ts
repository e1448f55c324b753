/**
 * Outbound calls of the stand-ins: which headers travel on, where a service lives, and the app's
 * own client timeout as a real timer.
 */
import type { IncomingMessage } from 'node:http';
import type { AppContext, OutboundRequest, OutboundResponse } from '../app.js';

/**
 * Headers productpage and reviews copy from the incoming request onto their calls, so traces join
 * up and routing rules keyed on them work. `end-user` is deliberately absent: productpage sets it
 * from its session, never from the client.
 */
export const FORWARDED_HEADERS = [
  'x-request-id',
  'x-ot-span-context',
  'x-datadog-trace-id',
  'x-datadog-parent-id',
  'x-datadog-sampling-priority',
  'traceparent',
  'tracestate',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'sw8',
  'user-agent',
  'cookie',
  'authorization',
  'jwt',
] as const;

export function forwardedHeaders(
  req: IncomingMessage,
  names: readonly string[] = FORWARDED_HEADERS,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = req.headers[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Where a Bookinfo service is reached, from the env the real apps read (`<SVC>_HOSTNAME`, `SERVICES_DOMAIN`). */
export function serviceAddress(env: Record<string, string>, service: string): { host: string; port: number } {
  const key = service.toUpperCase();
  const name = env[`${key}_HOSTNAME`] || service;
  const domain = env['SERVICES_DOMAIN'];
  const port = Number(env[`${key}_SERVICE_PORT`] || 9080);
  return { host: domain ? `${name}.${domain}` : name, port: Number.isInteger(port) && port > 0 ? port : 9080 };
}

export function timeoutError(req: OutboundRequest): Error {
  return Object.assign(new Error(`call to ${req.host}:${req.port}${req.path} timed out after ${req.timeoutMs} ms`), {
    code: 'ETIMEDOUT',
  });
}

/**
 * ctx.call with the app's timeout enforced here as well: the sidecar is asked to honour
 * `timeoutMs`, but the app gives up on its own clock, as the real clients do, whatever the
 * sidecar does.
 */
export function callWithTimeout(ctx: AppContext, req: OutboundRequest): Promise<OutboundResponse> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(req)), req.timeoutMs);
  });
  return Promise.race([ctx.call(req), expiry]).finally(() => clearTimeout(timer));
}

/** Parses a JSON body, or returns undefined when it is not JSON. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
