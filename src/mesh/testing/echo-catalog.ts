/**
 * A tiny app catalog for testing the mesh itself: images named `…/echo:<tag>` run an echo app.
 * - any path: 200 JSON `{ pod, version, method, path, headers, body }`
 * - `x-echo-status: 503` (header) answers that status instead
 * - `/call/<host>/<port>/<path…>`: calls that service through the pod's sidecar (forwarding
 *   `end-user`, `x-request-id`, `x-echo-status` and `x-test-*`) and answers
 *   `{ pod, upstream: { status, headers, body } }`, or 502 `{ pod, error }` when the call fails; `x-call-timeout`
 *   sets the client timeout (ms)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppCatalog, AppContext, AppFactory } from '../app.js';

export interface EchoBody {
  pod: string;
  version: string | undefined;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface CallBody {
  pod: string;
  upstream?: { status: number; headers: Record<string, string>; body: string };
  error?: string;
}

/** Requests each echo pod received, by pod name, with the Host they carried (for mirroring tests). */
export const echoReceived = new Map<string, { host: string | undefined; path: string }[]>();

const echoApp: AppFactory = (ctx: AppContext) => (req: IncomingMessage, res: ServerResponse) => {
  const seen = echoReceived.get(ctx.podName) ?? [];
  echoReceived.set(ctx.podName, seen);
  seen.push({ host: req.headers.host, path: req.url ?? '/' });
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    const url = req.url ?? '/';
    if (url.startsWith('/call/')) {
      void forward(ctx, req, url, res);
      return;
    }
    const status = Number(req.headers['x-echo-status'] ?? 200);
    const payload: EchoBody = {
      pod: ctx.podName,
      version: ctx.labels.version,
      method: req.method ?? 'GET',
      path: url,
      headers: req.headers,
      body,
    };
    res
      .writeHead(status, { 'content-type': 'application/json', 'x-echo-pod': ctx.podName })
      .end(JSON.stringify(payload));
  });
};

const FORWARDED = new Set(['end-user', 'x-request-id', 'x-echo-status']);

async function forward(ctx: AppContext, req: IncomingMessage, url: string, res: ServerResponse): Promise<void> {
  const [host, port, ...rest] = url.slice('/call/'.length).split('/');
  const headers: Record<string, string> = {};
  for (const [h, v] of Object.entries(req.headers)) {
    if (typeof v === 'string' && (FORWARDED.has(h) || h.startsWith('x-test-'))) headers[h] = v;
  }
  const out: CallBody = { pod: ctx.podName };
  try {
    out.upstream = await ctx.call({
      host: host!,
      port: Number(port),
      path: `/${rest.join('/')}`,
      method: req.method,
      headers,
      timeoutMs: Number(req.headers['x-call-timeout'] ?? 5000),
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  } catch (err) {
    out.error = (err as { code?: string }).code ?? String(err);
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  }
}

export const echoCatalog: AppCatalog = {
  lookup: (image) => (/(^|\/)echo(:[\w.-]+)?$/.test(image) ? { factory: echoApp, env: { APP: 'echo' } } : null),
};
