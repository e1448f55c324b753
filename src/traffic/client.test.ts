import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IngressClient } from './client.js';

const servers: Server[] = [];
const clients: IngressClient[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function client(baseUrl: string, timeoutMs = 2_000): IngressClient {
  const c = new IngressClient({ baseUrl, connections: 2, timeoutMs });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.closeAllConnections() ?? s.close(r))));
});

describe('IngressClient', () => {
  it('returns status, content type and a body sent in several chunks, one character split across two', async () => {
    const url = await serve((_q, res) => {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8' });
      const star = Buffer.from('★');
      res.write(Buffer.concat([Buffer.from('<p>'), star.subarray(0, 1)]));
      setTimeout(() => res.end(Buffer.concat([star.subarray(1), Buffer.from('</p>')])), 5);
    });
    const a = await client(url).send('/productpage');
    expect(a).toMatchObject({ status: 503, contentType: 'text/html; charset=utf-8', body: '<p>★</p>' });
    expect(a.error).toBeUndefined();
    expect(a.latencyMs).toBeGreaterThanOrEqual(4);
  });

  it('keeps the base URL path as a prefix and sends method, headers and body', async () => {
    let seen = '';
    const url = await serve((q, res) => {
      let body = '';
      q.on('data', (d) => (body += d)).on('end', () => {
        seen = `${q.method} ${q.url} ${q.headers['x-user']} ${body}`;
        res.end('ok');
      });
    });
    const a = await client(`${url}/mesh/`).send('/login', {
      method: 'POST',
      headers: { 'x-user': 'jason' },
      body: 'a=1',
    });
    expect(a.status).toBe(200);
    expect(seen).toBe('POST /mesh/login jason a=1');
  });

  it('logs in by POST /login and returns the session cookie, without following the redirect', async () => {
    const url = await serve((q, res) => {
      if (q.url === '/login') {
        res.writeHead(302, {
          location: 'None',
          'set-cookie': ['theme=dark; Path=/', 'session=abc.def; HttpOnly; Path=/'],
        });
        res.end();
      } else res.end('followed');
    });
    expect(await client(url).cookieFor('jason')).toBe('session=abc.def');
  });

  it('says why a login failed, and tries again next time', async () => {
    let calls = 0;
    const url = await serve((_q, res) => {
      calls++;
      res.writeHead(calls === 1 ? 500 : 302, calls === 1 ? {} : { 'set-cookie': 'session=s2' });
      res.end();
    });
    const c = client(url);
    await expect(c.cookieFor('jason')).rejects.toThrow('failed to log in as jason: POST /login answered 500');
    expect(await c.cookieFor('jason')).toBe('session=s2');
  });

  it('returns a refused connection as a value', async () => {
    const url = await serve(() => {});
    await new Promise((r) => servers.pop()!.close(r));
    const a = await client(url).send('/productpage');
    expect(a).toMatchObject({ status: null, error: 'ECONNREFUSED', body: '' });
  });

  it('returns an answer slower than the timeout as a timeout error, long before the answer', async () => {
    const url = await serve((_q, res) => void setTimeout(() => res.end('late'), 3_000).unref());
    const a = await client(url, 150).send('/productpage');
    expect(a).toMatchObject({ status: null, error: 'timeout after 150ms' });
    // undici checks its deadlines on a coarse (~0.5 s) tick.
    expect(a.latencyMs).toBeLessThan(2_000);
  });

  it('gives up on an answer larger than 16 MiB instead of holding it', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    const url = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      let sent = 0;
      const more = () => {
        while (sent < 20 && res.write(chunk)) sent++;
        if (sent < 20) res.once('drain', () => (sent++, more()));
        else res.end();
      };
      res.on('error', () => undefined);
      more();
    });
    const a = await client(url).send('/big');
    expect(a).toMatchObject({ status: null, error: 'answer larger than 16 MiB', body: '' });
  });
});
