import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppContext, OutboundRequest } from '../app.js';
import { echoApp, echoIdentity, type EchoBody } from './echo.js';
import { standInCatalog } from './catalog.js';
import { listenLoopback } from '../listen.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(ctx: AppContext): Promise<string> {
  const server = createServer(echoApp(ctx));
  servers.push(server);
  const port = await listenLoopback(server, 0);
  return `http://127.0.0.1:${port}`;
}

function context(calls: OutboundRequest[] = []): AppContext {
  return {
    podName: 'cart-v2-5d8f9c7b6d-x9kq2',
    namespace: 'default',
    labels: { app: 'cart', version: 'v2' },
    env: {},
    call: async (req) => {
      calls.push(req);
      if (req.host === 'down') throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      return { status: 503, headers: {}, body: JSON.stringify({ service: req.host, version: 'v9' }) };
    },
  };
}

describe('the echo stand-in', () => {
  it('answers with its identity in headers and a JSON body with the request', async () => {
    const url = await serve(context());
    const res = await fetch(`${url}/api/cart?x=1`, { method: 'POST', headers: { 'x-tenant': 'beta' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-version')).toBe('v2');
    expect(res.headers.get('x-service')).toBe('cart');
    expect(res.headers.get('x-pod')).toBe('cart-v2-5d8f9c7b6d-x9kq2');
    const body = (await res.json()) as EchoBody;
    expect(body).toMatchObject({ service: 'cart', version: 'v2', method: 'POST', path: '/api/cart?x=1' });
    expect(body.headers['x-tenant']).toBe('beta');
    expect(body.forwarded).toBeUndefined();
  });

  it('forwards through its sidecar when asked, carries headers on, answers with the forwarded status', async () => {
    const calls: OutboundRequest[] = [];
    const url = await serve(context(calls));
    const target = encodeURIComponent('http://ratings:9080/r/1?q=2');
    const res = await fetch(`${url}/?forward=${target}`, { headers: { 'x-tenant': 'beta', 'x-private': 'no' } });
    expect(res.status).toBe(503);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ host: 'ratings', port: 9080, path: '/r/1?q=2' });
    expect(calls[0]!.headers).toMatchObject({ 'x-tenant': 'beta' });
    expect(calls[0]!.headers).not.toHaveProperty('x-private');
    const body = (await res.json()) as EchoBody;
    expect(body.forwarded).toEqual({
      url: 'http://ratings:9080/r/1?q=2',
      status: 503,
      body: { service: 'ratings', version: 'v9' },
    });
    // The header form, and a call that fails: 502 with the error named.
    const failed = await fetch(url, { headers: { 'x-echo-forward': 'http://down/' } });
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as EchoBody).forwarded).toEqual({ url: 'http://down/', error: 'ECONNREFUSED' });
    const refused = await fetch(`${url}/?forward=ftp://x/`);
    expect(((await refused.json()) as EchoBody).forwarded).toMatchObject({ error: 'only http:// is forwarded' });
  });

  it('takes its service from the app label, else the pod name without its hash and suffix', () => {
    expect(echoIdentity({ labels: { 'app.kubernetes.io/name': 'shop' }, podName: 'p' }).service).toBe('shop');
    expect(echoIdentity({ labels: {}, podName: 'frontend-7dbcdcbc56-x9kq2' })).toEqual({
      service: 'frontend',
      version: '',
      pod: 'frontend-7dbcdcbc56-x9kq2',
    });
  });

  it('stands in for any image but Bookinfo, whose unknown versions stay refused', () => {
    expect(standInCatalog.lookup('registry.example.com/shop/cart:2.0.0')).toMatchObject({
      factory: echoApp,
      name: 'echo',
    });
    expect(standInCatalog.lookup('docker.io/istio/examples-bookinfo-reviews-v3:1.20.3')?.factory).not.toBe(echoApp);
    expect(standInCatalog.lookup('docker.io/istio/examples-bookinfo-reviews-v4:1.20.3')).toBeNull();
    expect(standInCatalog.lookup('')).toBeNull();
  });
});
