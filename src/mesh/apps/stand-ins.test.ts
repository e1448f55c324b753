/**
 * The stand-ins wired to each other over real HTTP (productpage → details, reviews → ratings),
 * with the test choosing which reviews version answers; the classifier must read every page right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookinfoClassifier } from '../../bookinfo/classifier/index.js';
import { bookinfoCatalog } from './catalog.js';
import { forwardTo, serveApp, type Served } from './testing/serve-app.js';
import type { FakeContext } from './testing/serve-app.js';

type Version = 'v1' | 'v2' | 'v3';
const POD: Record<Version, string> = {
  v1: 'reviews-v1-545db77b95-4xk2m',
  v2: 'reviews-v2-7bf8c9648f-n8w7p',
  v3: 'reviews-v3-84779c7bbc-qb2vs',
};

let reviewsVersion: Version | 'down' = 'v1';
let ratingsUp = true;
const served: Served[] = [];
const reviews = {} as Record<Version, Served & { ctx: FakeContext }>;
let productpage: Served;

async function start(image: string, podName: string, route: (host: string) => string | undefined) {
  const app = bookinfoCatalog.lookup(image);
  if (!app) throw new Error(`no stand-in for ${image}`);
  const s = await serveApp(app.factory, { podName, env: app.env, call: forwardTo(route) });
  served.push(s);
  return s;
}

beforeAll(async () => {
  const none = () => undefined;
  const ratings = await start(
    'docker.io/istio/examples-bookinfo-ratings-v1:1.20.3',
    'ratings-v1-6d8f9c7b5d-r2t4p',
    none,
  );
  const details = await start(
    'docker.io/istio/examples-bookinfo-details-v1:1.20.3',
    'details-v1-79f774bdb9-kq7xw',
    none,
  );
  for (const v of ['v1', 'v2', 'v3'] as const) {
    reviews[v] = await start(`docker.io/istio/examples-bookinfo-reviews-${v}:1.20.3`, POD[v], (h) =>
      h === 'ratings' && ratingsUp ? ratings.url : undefined,
    );
  }
  productpage = await start(
    'docker.io/istio/examples-bookinfo-productpage-v1:1.20.3',
    'productpage-v1-d5789fdfb-7hlzc',
    (h) =>
      h === 'details'
        ? details.url
        : h === 'reviews' && reviewsVersion !== 'down'
          ? reviews[reviewsVersion].url
          : undefined,
  );
});
afterAll(() => Promise.all(served.map((s) => s.close())));

async function classify(path = '/productpage', headers: Record<string, string> = {}) {
  const res = await fetch(`${productpage.url}${path}`, { headers });
  return bookinfoClassifier.classify({
    status: res.status,
    contentType: res.headers.get('content-type') ?? undefined,
    body: await res.text(),
  });
}

describe('Bookinfo stand-ins end to end, classified', () => {
  it.each([
    ['v1', 'none'],
    ['v2', 'stars'],
    ['v3', 'stars'],
  ] as const)('reviews %s: page and JSON say %s', async (v, ratings) => {
    reviewsVersion = v;
    ratingsUp = true;
    expect(await classify()).toEqual({ reviews: v, ratings, pod: POD[v], format: 'html' });
    expect(await classify('/api/v1/products/0/reviews')).toEqual({ reviews: v, ratings, pod: POD[v], format: 'json' });
  });

  it.each(['v2', 'v3'] as const)('ratings down behind reviews %s: ratings unavailable', async (v) => {
    reviewsVersion = v;
    ratingsUp = false;
    expect(await classify()).toEqual({ reviews: v, ratings: 'unavailable', pod: POD[v], format: 'html' });
    expect(await classify('/api/v1/products/0/reviews')).toMatchObject({ reviews: v, ratings: 'unavailable' });
    ratingsUp = true;
  });

  it('reviews down: reviews unavailable on the page and in the JSON', async () => {
    reviewsVersion = 'down';
    expect(await classify()).toEqual({ reviews: 'unavailable', ratings: null, pod: null, format: 'html' });
    expect(await classify('/api/v1/products/0/reviews')).toMatchObject({ reviews: 'unavailable', format: 'json' });
  });

  it("jason's session becomes end-user on productpage's call and on reviews' call to ratings", async () => {
    reviewsVersion = 'v2';
    const login = await fetch(`${productpage.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ username: 'jason' }),
    });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    reviews.v2.ctx.calls.length = 0;
    expect(await classify('/productpage', { cookie })).toMatchObject({ reviews: 'v2', ratings: 'stars' });
    expect(reviews.v2.ctx.calls).toEqual([
      expect.objectContaining({ host: 'ratings', headers: expect.objectContaining({ 'end-user': 'jason' }) }),
    ]);
  });
});
