import { afterEach, describe, expect, it } from 'vitest';
import { REVIEWS } from './data.js';
import { reviewsApp } from './reviews.js';
import { delay, etimedout, json, serveApp, type CallHandler, type Served } from './testing/serve-app.js';
import type { ReviewsBody } from './data.js';

const ENV = {
  v1: { SERVICE_VERSION: 'v1', ENABLE_RATINGS: 'false', STAR_COLOR: 'black' },
  v2: { SERVICE_VERSION: 'v2', ENABLE_RATINGS: 'true', STAR_COLOR: 'black' },
  v3: { SERVICE_VERSION: 'v3', ENABLE_RATINGS: 'true', STAR_COLOR: 'red' },
};
const RATINGS_OK: CallHandler = () => json(200, { id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
const UNAVAILABLE = { error: 'Ratings service is currently unavailable' };

const open: Served[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(version: keyof typeof ENV, call?: CallHandler, env: Record<string, string> = {}) {
  const app = await serveApp(reviewsApp, {
    podName: `reviews-${version}-7dbcdcbc56-x9kq2`,
    env: { ...ENV[version], ...env },
    call,
  });
  open.push(app);
  return app;
}

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: ReviewsBody; ms: number }> {
  const t0 = Date.now();
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as ReviewsBody, ms: Date.now() - t0 };
}

describe('reviews stand-in', () => {
  it('v1: two reviews without ratings, and no call to ratings', async () => {
    const app = await start('v1', RATINGS_OK);
    const { status, body } = await get(`${app.url}/reviews/0`);
    expect(status).toBe(200);
    expect(body).toEqual({
      id: '0',
      podname: 'reviews-v1-7dbcdcbc56-x9kq2',
      clustername: 'null',
      reviews: REVIEWS.map((r) => ({ ...r })),
    });
    expect(body.reviews[0]).not.toHaveProperty('rating');
    expect(app.ctx.calls).toHaveLength(0);
  });

  it('v2: black stars from ratings, 10 s ratings timeout, headers passed on', async () => {
    const app = await start('v2', RATINGS_OK);
    const { body } = await get(`${app.url}/reviews/0`, {
      'end-user': 'jason',
      'x-request-id': 'req-1',
      'x-b3-traceid': 'abc',
      cookie: 'session=xyz',
      'user-agent': 'meshproof-test',
      'x-not-forwarded': 'nope',
    });
    expect(body.reviews.map((r) => r.rating)).toEqual([
      { stars: 5, color: 'black' },
      { stars: 4, color: 'black' },
    ]);
    expect(app.ctx.calls).toHaveLength(1);
    const call = app.ctx.calls[0]!;
    expect(call).toMatchObject({ host: 'ratings', port: 9080, path: '/ratings/0', timeoutMs: 10_000 });
    expect(call.headers).toEqual({
      'end-user': 'jason',
      'x-request-id': 'req-1',
      'x-b3-traceid': 'abc',
      cookie: 'session=xyz',
      'user-agent': 'meshproof-test',
    });
  });

  it('v3: red stars and a 2.5 s ratings timeout', async () => {
    const app = await start('v3', RATINGS_OK);
    const { body } = await get(`${app.url}/reviews/0`);
    expect(body.reviews.map((r) => r.rating)).toEqual([
      { stars: 5, color: 'red' },
      { stars: 4, color: 'red' },
    ]);
    expect(app.ctx.calls[0]!.timeoutMs).toBe(2_500);
  });

  it('ratings failing (500, refused, timed out, incomplete) gives the ratings error, still 200', async () => {
    const answers: CallHandler[] = [
      () => json(500, { error: 'boom' }),
      (req) => Promise.reject(Object.assign(new Error(`refused ${req.host}`), { code: 'ECONNREFUSED' })),
      (req) => Promise.reject(etimedout(req)),
      () => ({ status: 200, headers: {}, body: 'not json' }),
    ];
    for (const answer of answers) {
      const app = await start('v2', answer);
      const { status, body } = await get(`${app.url}/reviews/0`);
      expect(status).toBe(200);
      expect(body.reviews.map((r) => r.rating)).toEqual([UNAVAILABLE, UNAVAILABLE]);
    }
    const partial = await start('v3', () => json(200, { id: 0, ratings: { Reviewer1: 3 } }));
    const { body } = await get(`${partial.url}/reviews/0`);
    expect(body.reviews.map((r) => r.rating)).toEqual([{ stars: 3, color: 'red' }, UNAVAILABLE]);
  });

  it('a ratings answer slower than 2.5 s: v3 gives up on its own clock, v2 waits for it', async () => {
    const slow: CallHandler = () => delay(2_800, json(200, { id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } }));
    const [v3, v2] = await Promise.all([start('v3', slow), start('v2', slow)]);
    const [r3, r2] = await Promise.all([get(`${v3.url}/reviews/0`), get(`${v2.url}/reviews/0`)]);
    expect(r3.body.reviews.map((r) => r.rating)).toEqual([UNAVAILABLE, UNAVAILABLE]);
    expect(r3.ms).toBeGreaterThanOrEqual(2_450);
    expect(r3.ms).toBeLessThan(3_500);
    expect(r2.body.reviews[0]!.rating).toEqual({ stars: 5, color: 'black' });
    expect(r2.ms).toBeGreaterThanOrEqual(2_750);
  });

  it('pod name from HOSTNAME, cluster name from CLUSTER_NAME, ratings address from the env', async () => {
    const app = await start('v3', RATINGS_OK, {
      HOSTNAME: 'reviews-v3-override-abcde',
      CLUSTER_NAME: 'east',
      SERVICES_DOMAIN: 'default.svc.cluster.local',
      RATINGS_SERVICE_PORT: '9090',
    });
    const { body } = await get(`${app.url}/reviews/5`);
    expect(body).toMatchObject({ id: '5', podname: 'reviews-v3-override-abcde', clustername: 'east' });
    expect(app.ctx.calls[0]).toMatchObject({
      host: 'ratings.default.svc.cluster.local',
      port: 9090,
      path: '/ratings/5',
    });
  });

  it('/health answers; a non-numeric product is a 404', async () => {
    const app = await start('v1');
    expect(await (await fetch(`${app.url}/health`)).json()).toEqual({ status: 'Reviews is healthy' });
    expect((await fetch(`${app.url}/reviews/abc`)).status).toBe(404);
  });
});
