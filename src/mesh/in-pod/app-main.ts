/**
 * The entry of meshproof's Bookinfo stand-in images: the same stand-in apps the local mesh and the
 * kwok target run, as the one process of a pod's app container, listening on the port the real
 * image serves (9080). Its calls to other services are plain HTTP to `<service>:<port>`, so the
 * pod's iptables send them through its sidecar, as the real apps' calls go.
 *
 * MESHPROOF_APP_IMAGE names the image the container stands in for (the image build sets it); the
 * Deployment's env is merged over the env that image bakes in, as a container runtime does.
 */
import { createServer } from 'node:http';
import { request } from 'undici';
import type { AppContext, OutboundRequest, OutboundResponse } from '../app.js';
import { bookinfoCatalog } from '../apps/catalog.js';
import { listenOn } from '../listen.js';

export const APP_PORT = 9080;

export async function realCall(req: OutboundRequest): Promise<OutboundResponse> {
  const res = await request(`http://${req.host}:${req.port}${req.path}`, {
    method: (req.method ?? 'GET') as 'GET',
    headers: req.headers ?? {},
    body: req.body,
    headersTimeout: req.timeoutMs,
    bodyTimeout: req.timeoutMs,
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { status: res.statusCode, headers, body: await res.body.text() };
}

export async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const image = env.MESHPROOF_APP_IMAGE ?? '';
  const found = bookinfoCatalog.lookup(image);
  if (!found) throw new Error(`MESHPROOF_APP_IMAGE=${JSON.stringify(image)} names no Bookinfo stand-in`);
  const merged: Record<string, string> = { ...found.env };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  const ctx: AppContext = {
    podName: env.HOSTNAME ?? 'unknown',
    namespace: env.POD_NAMESPACE ?? 'default',
    labels: {},
    env: merged,
    call: realCall,
  };
  const server = createServer(found.factory(ctx));
  const port = await listenOn(server, Number(env.MESHPROOF_APP_PORT) || APP_PORT, '0.0.0.0');
  process.stderr.write(`${image} stand-in listening on ${port}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.env).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
