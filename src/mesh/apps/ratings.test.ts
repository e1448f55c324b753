import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratingsApp } from './ratings.js';
import { serveApp, type Served } from './testing/serve-app.js';

describe('ratings stand-in', () => {
  let app: Served;
  beforeAll(async () => {
    app = await serveApp(ratingsApp, { podName: 'ratings-v1-6d8f9c7b5d-r2t4p', env: { SERVICE_VERSION: 'v1' } });
  });
  afterAll(() => app.close());

  it('GET /ratings/<id>: Reviewer1 5, Reviewer2 4, id as a number', async () => {
    const res = await fetch(`${app.url}/ratings/0`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
  });

  it('a non-numeric id is a 400, an unknown path a 404', async () => {
    const bad = await fetch(`${app.url}/ratings/abc`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'please provide numeric product ID' });
    expect((await fetch(`${app.url}/nope`)).status).toBe(404);
  });

  it('POST stores ratings for that product only', async () => {
    const res = await fetch(`${app.url}/ratings/7`, {
      method: 'POST',
      body: JSON.stringify({ Reviewer1: 1, Reviewer2: 2 }),
    });
    expect(await res.json()).toEqual({ id: 7, ratings: { Reviewer1: 1, Reviewer2: 2 } });
    expect(await (await fetch(`${app.url}/ratings/7`)).json()).toEqual({
      id: 7,
      ratings: { Reviewer1: 1, Reviewer2: 2 },
    });
    expect(await (await fetch(`${app.url}/ratings/0`)).json()).toEqual({
      id: 0,
      ratings: { Reviewer1: 5, Reviewer2: 4 },
    });
    expect((await fetch(`${app.url}/ratings/7`, { method: 'POST', body: '{"Reviewer1": 9}' })).status).toBe(400);
  });

  it('GET /health', async () => {
    expect(await (await fetch(`${app.url}/health`)).json()).toEqual({ status: 'Ratings is healthy' });
  });
});
