import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Serving } from './server.js';
import type { ServeVerdict } from './verdicts.js';

let serving: Serving;

beforeAll(async () => {
  const verdict = { verified: true, outcome: 'passed', intervals: {}, cached: false } as unknown as ServeVerdict;
  serving = await listen(0, { verdict: async () => verdict }, '127.0.0.1');
});
afterAll(() => serving.close());

describe('serve over HTTP', () => {
  it('answers JSON on a port of its own', async () => {
    const r = await fetch(`${serving.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.json()).toEqual({ ok: true });
  });

  it('reads a POST body', async () => {
    const body = JSON.stringify({ name: 'reviews', namespace: 'shop', metadata: { stable: 'v1', canary: 'v3' } });
    const r = await fetch(`${serving.url}/flagger/confirm-promotion`, { method: 'POST', body });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ verified: true });
  });

  it('refuses a body larger than a payload needs (413)', async () => {
    const r = await fetch(`${serving.url}/flagger/rollout`, { method: 'POST', body: 'x'.repeat(70 * 1024) });
    expect(r.status).toBe(413);
  });
});
