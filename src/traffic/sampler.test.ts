import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifiableResponse, Classification } from '../bookinfo/classification.js';
import { IngressClient } from './client.js';
import type { RequestRecord } from '../model/record.js';
import { Sampler } from './sampler.js';

let server: Server;
let client: IngressClient;
let served = 0;
let slowServed = 0;

beforeAll(async () => {
  // Two pages, alternating, and a 503 every fifth request; /login sets a session.
  server = createServer((q, res) => {
    if (q.url === '/login') return void res.writeHead(302, { 'set-cookie': 'session=s1' }).end();
    if (q.url === '/slow-v3') {
      // Every third answer is v3 and 40 ms late: with 6 workers the fast ones overtake it.
      const n = slowServed++;
      const send = () => res.writeHead(200, { 'content-type': 'text/html' }).end(`page ${n % 3 === 2 ? 'v3' : 'v1'}`);
      return void (n % 3 === 2 ? setTimeout(send, 40) : send());
    }
    const n = served++;
    if (n % 5 === 4) return void res.writeHead(503).end('no healthy upstream');
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`page ${n % 2 ? 'v3' : 'v1'} for ${q.headers.cookie ?? 'nobody'}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new IngressClient({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: 4,
    timeoutMs: 2_000,
  });
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const calls: string[] = [];
const classifier = {
  name: 'fake',
  classify(res: ClassifiableResponse): Classification {
    calls.push(res.body);
    return { reviews: res.body.includes('v3') ? 'v3' : 'v1', ratings: null, pod: res.body.slice(-10), format: 'html' };
  },
};

describe('Sampler', () => {
  it('sends up to the cap, records every request in order, and classifies each distinct page once', async () => {
    const seen: RequestRecord[] = [];
    const sampler = new Sampler(client, classifier, performance.now(), (r) => seen.push(r));
    served = 0;
    calls.length = 0;
    const kept = await sampler.run({
      step: 's',
      expectation: 1,
      phase: 'verify',
      user: 'jason',
      path: '/productpage',
      concurrency: 4,
      maxRequests: 40,
      shouldContinue: () => true,
    });
    expect(kept).toHaveLength(40);
    expect(seen.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(seen.filter((r) => r.status === 503)).toHaveLength(8);
    expect(new Set(seen.filter((r) => r.status === 200).map((r) => r.reviews))).toEqual(new Set(['v1', 'v3']));
    expect(seen.every((r) => r.step === 's' && r.expectation === 1 && r.user === 'jason' && r.latencyMs >= 0)).toBe(
      true,
    );
    // Logged in: the cookie went with every request. Three distinct answers, each classified once.
    expect(calls.every((b) => b.includes('session=s1') || b === 'no healthy upstream')).toBe(true);
    expect(calls).toHaveLength(3);
    expect(sampler.classified).toEqual({ misses: 3, hits: 37 });
  });

  it('stops when told, letting requests in flight complete', async () => {
    const sampler = new Sampler(client, classifier, performance.now(), () => {});
    let asked = 0;
    const kept = await sampler.run({
      step: 's',
      expectation: 0,
      phase: 'settle',
      user: 'anonymous',
      path: '/',
      concurrency: 3,
      maxRequests: 1_000,
      shouldContinue: () => ++asked <= 10,
    });
    expect(kept).toHaveLength(10);
    expect([...kept].every((r) => r.phase === 'settle')).toBe(true);
  });

  it('shows the caller its answers in send order, while the report sees them as they complete', async () => {
    const completed: RequestRecord[] = [];
    const shown: RequestRecord[] = [];
    const sampler = new Sampler(client, classifier, performance.now(), (r) => completed.push(r));
    slowServed = 0;
    await sampler.run({
      step: 's',
      expectation: 0,
      phase: 'verify',
      user: 'anonymous',
      path: '/slow-v3',
      concurrency: 6,
      maxRequests: 30,
      shouldContinue: () => true,
      onRecord: (r) => shown.push(r),
    });
    expect(shown).toHaveLength(30);
    const sendOrder = [...completed].sort((x, y) => x.t - y.t);
    // Completion order differs (the slow v3 answers come last in their wave)…
    expect(completed.map((r) => r.t)).not.toEqual(sendOrder.map((r) => r.t));
    // …while the caller sees exactly the send order, and every third answer of it is v3.
    expect(shown.map((r) => r.t)).toEqual(sendOrder.map((r) => r.t));
    expect(shown.filter((r) => r.reviews === 'v3')).toHaveLength(10);
  });
});
