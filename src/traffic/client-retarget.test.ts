import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { IngressClient } from './client.js';

const servers: Server[] = [];
async function serving(name: string): Promise<string> {
  const s = createServer((_req, res) => res.end(name));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

describe('IngressClient.retarget', () => {
  it('sends to the new ingress from then on', async () => {
    const [a, b] = [await serving('a'), await serving('b')];
    const client = new IngressClient({ baseUrl: a, connections: 2, timeoutMs: 2000 });
    expect((await client.send('/')).body).toBe('a');
    await client.retarget(b);
    expect((await client.send('/')).body).toBe('b');
    await client.close();
  });
});
