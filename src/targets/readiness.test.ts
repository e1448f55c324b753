import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpStatus, waitForHttpReady } from './readiness.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A loopback server whose answers come from `status`, counting requests per path. */
async function serve(status: (path: string, n: number) => number): Promise<{ url: string; seen: Map<string, number> }> {
  const seen = new Map<string, number>();
  server = createServer((req, res) => {
    const n = (seen.get(req.url!) ?? 0) + 1;
    seen.set(req.url!, n);
    res.writeHead(status(req.url!, n)).end();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('the HTTP readiness probe', () => {
  it('waits until every path answers 200', async () => {
    const { url, seen } = await serve((path, n) => (path === '/productpage' || n >= 3 ? 200 : 503));
    await waitForHttpReady(url, { timeoutMs: 5_000, intervalMs: 1 });
    expect(seen.get('/api/v1/products/0/reviews')).toBe(3);
  });

  it('names what each path last answered when the deadline passes', async () => {
    const { url } = await serve(() => 503);
    await expect(waitForHttpReady(url, { timeoutMs: 30, intervalMs: 5, paths: ['/productpage'] })).rejects.toThrow(
      `/productpage to answer 200 through ${url}; last observed: /productpage → 503`,
    );
  });

  it('reports a refused connection by its error code, never throwing', async () => {
    const { url } = await serve(() => 200);
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    expect(await httpStatus(`${url}/`)).toBe('ECONNREFUSED');
  });
});
