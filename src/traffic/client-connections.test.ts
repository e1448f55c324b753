/**
 * Which socket carried each answer (HttpAnswer.conn), and `freshConnection`: against a server that
 * answers with the client port of the socket it read the request from, so the test can hold each
 * answer's number against the socket that really carried it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngressClient } from './client.js';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((q, res) => setTimeout(() => res.end(String(q.socket.remotePort)), 2));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function sendAll(freshConnection: boolean): Promise<{ conn?: number; port: string }[]> {
  const client = new IngressClient({ baseUrl: url, connections: 3, timeoutMs: 2_000 });
  try {
    const answers = await Promise.all(Array.from({ length: 24 }, () => client.send('/', { freshConnection })));
    return answers.map((a) => ({ conn: a.conn, port: a.body }));
  } finally {
    await client.close();
  }
}

describe('IngressClient connections', () => {
  it('names the pooled socket that carried each answer: one number per socket, at most the pool’s size', async () => {
    const answers = await sendAll(false);
    expect(answers.every((a) => typeof a.conn === 'number' && a.conn > 0)).toBe(true);
    const portOf = new Map<number, Set<string>>();
    for (const a of answers) portOf.set(a.conn!, (portOf.get(a.conn!) ?? new Set()).add(a.port));
    // Each number is one socket (one client port), and sockets were reused.
    expect([...portOf.values()].every((ports) => ports.size === 1)).toBe(true);
    expect(portOf.size).toBeLessThanOrEqual(3);
    expect(new Set(answers.map((a) => a.port)).size).toBe(portOf.size);
  });

  it('with freshConnection, carries every request on a socket of its own', async () => {
    const answers = await sendAll(true);
    expect(new Set(answers.map((a) => a.conn)).size).toBe(24);
    expect(new Set(answers.map((a) => a.port)).size).toBe(24);
  });
});
