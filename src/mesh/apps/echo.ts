/**
 * The echo stand-in: what the local mesh and the kwok data plane run for a Deployment that is not
 * Bookinfo (README, "Your own services"). Every answer says who answered — headers `x-version` (the
 * pod's `version` label), `x-service` and `x-pod` — and a JSON body with the same plus the request's
 * method, path and headers. `?forward=http://other:port/path` (or the header `x-echo-forward`) calls another
 * service through this pod's sidecar first and puts its answer under `forwarded`; the status is
 * the forwarded call's, so an error down the chain reaches the client as one.
 */
import type { IncomingMessage } from 'node:http';
import type { AppContext, AppFactory, OutboundResponse } from '../app.js';
import { listener, send } from './http.js';
import { callWithTimeout, FORWARDED_HEADERS, forwardedHeaders, parseJson } from './outbound.js';

export const ECHO_FORWARD_HEADER = 'x-echo-forward';
/** The forwarded call's own timeout, as an app's client would have. */
const FORWARD_TIMEOUT_MS = 5_000;
/** Headers carried on to a forwarded call: tracing and auth as Bookinfo's apps carry them, and the test's own. */
const CARRIED = [...FORWARDED_HEADERS, 'x-tenant', 'end-user'];

export interface EchoIdentity {
  service: string;
  version: string;
  pod: string;
}

export interface EchoBody extends EchoIdentity {
  method: string;
  path: string;
  headers: Record<string, string>;
  forwarded?: { url: string; status: number; body: unknown } | { url: string; error: string };
}

/** `app` label (or app.kubernetes.io/name), else the pod name without its ReplicaSet hash and suffix. */
export function echoIdentity(ctx: Pick<AppContext, 'labels' | 'podName'>): EchoIdentity {
  const service =
    ctx.labels['app'] ?? ctx.labels['app.kubernetes.io/name'] ?? ctx.podName.replace(/-[a-z0-9]+-[a-z0-9]+$/, '');
  return { service, version: ctx.labels['version'] ?? ctx.labels['app.kubernetes.io/version'] ?? '', pod: ctx.podName };
}

export const echoApp: AppFactory = (ctx) => {
  const id = echoIdentity(ctx);
  const identityHeaders = { 'x-version': id.version, 'x-service': id.service, 'x-pod': id.pod };
  return listener(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://echo');
    const body: EchoBody = { ...id, method: req.method ?? 'GET', path: req.url ?? '/', headers: headersOf(req) };
    let status = 200;
    const target = url.searchParams.get('forward') ?? header(req, ECHO_FORWARD_HEADER);
    if (target) {
      const answer = await forward(ctx, req, target);
      body.forwarded = answer;
      status = 'status' in answer ? answer.status : 502;
    }
    send(res, status, JSON.stringify(body), { 'content-type': 'application/json', ...identityHeaders });
  });
};

async function forward(
  ctx: AppContext,
  req: IncomingMessage,
  target: string,
): Promise<NonNullable<EchoBody['forwarded']>> {
  let to: URL;
  try {
    to = new URL(target);
  } catch {
    return { url: target, error: 'not a URL' };
  }
  if (to.protocol !== 'http:') return { url: target, error: 'only http:// is forwarded' };
  let answer: OutboundResponse;
  try {
    answer = await callWithTimeout(ctx, {
      host: to.hostname,
      port: to.port ? Number(to.port) : 80,
      path: `${to.pathname}${to.search}`,
      headers: forwardedHeaders(req, CARRIED),
      timeoutMs: FORWARD_TIMEOUT_MS,
    });
  } catch (err) {
    return { url: target, error: (err as { code?: string }).code ?? (err as Error).message };
  }
  return { url: target, status: answer.status, body: parseJson(answer.body) ?? answer.body };
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
