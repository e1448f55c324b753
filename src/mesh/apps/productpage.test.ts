import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundRequest } from '../app.js';
import { bookinfoClassifier } from '../../bookinfo/classifier/index.js';
import { bookDetails, REVIEWS, TEXT, type ReviewsBody } from './data.js';
import { productpageApp } from './productpage.js';
import { delay, etimedout, json, serveApp, type CallHandler, type Served } from './testing/serve-app.js';

const REVIEWS_POD = {
  v1: 'reviews-v1-545db77b95-4xk2m',
  v2: 'reviews-v2-7bf8c9648f-n8w7p',
  v3: 'reviews-v3-84779c7bbc-qb2vs',
};

function reviewsBody(version: 'v1' | 'v2' | 'v3'): ReviewsBody {
  const color = version === 'v2' ? 'black' : 'red';
  return {
    id: '0',
    podname: REVIEWS_POD[version],
    clustername: 'null',
    reviews: REVIEWS.map((r, i) => (version === 'v1' ? { ...r } : { ...r, rating: { stars: [5, 4][i]!, color } })),
  };
}

/** Answers by service; `reviews` may be a list consumed one answer per call. */
function backends(
  answers: { details?: CallHandler; reviews?: CallHandler | CallHandler[]; ratings?: CallHandler } = {},
): CallHandler {
  const reviewsQueue = Array.isArray(answers.reviews) ? [...answers.reviews] : null;
  return (req, n) => {
    if (req.host === 'details') return (answers.details ?? (() => json(200, bookDetails(0))))(req, n);
    if (req.host === 'ratings')
      return (answers.ratings ?? (() => json(200, { id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } })))(req, n);
    if (req.host === 'reviews') {
      const h = reviewsQueue ? reviewsQueue.shift() : (answers.reviews as CallHandler | undefined);
      return (h ?? (() => json(200, reviewsBody('v1'))))(req, n);
    }
    throw new Error(`unexpected call to ${req.host}`);
  };
}

const open: Served[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(call: CallHandler = backends()) {
  const app = await serveApp(productpageApp, {
    podName: 'productpage-v1-d5789fdfb-7hlzc',
    env: { FLOOD_FACTOR: '0' },
    call,
  });
  open.push(app);
  return app;
}

async function login(url: string, user = 'jason', referer: string | null = `${url}/productpage`): Promise<Response> {
  return fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(referer ? { referer } : {}) },
    body: new URLSearchParams({ username: user, passwd: 'password' }).toString(),
  });
}

async function sessionCookieOf(url: string, user = 'jason'): Promise<string> {
  const setCookie = (await login(url, user)).headers.getSetCookie()[0]!;
  return setCookie.split(';')[0]!;
}

const classify = async (res: Response) =>
  bookinfoClassifier.classify({
    status: res.status,
    contentType: res.headers.get('content-type') ?? undefined,
    body: await res.text(),
  });
const callsTo = (calls: OutboundRequest[], host: string) => calls.filter((c) => c.host === host);

describe('productpage stand-in: the page', () => {
  it('GET /productpage: details then reviews, 3 s timeouts, the page markers', async () => {
    const app = await start(backends({ reviews: () => json(200, reviewsBody('v2')) }));
    const res = await fetch(`${app.url}/productpage`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<title>Simple Bookstore App</title>');
    expect(html).toContain('Book Details');
    for (const label of ['ISBN-10', 'Publisher', 'Pages', 'Type', 'Language']) expect(html).toContain(`>${label}<`);
    expect(html).toContain('Book Reviews');
    expect(html).toContain('<div class="flex gap-x-1 text-black-500">');
    expect(html.match(/<svg id="glyphicon glyphicon-star"/g)).toHaveLength(9);
    expect(html.match(/<svg /g)).toHaveLength(10);
    expect(html.match(/Reviews served by:\s+reviews-v2-7bf8c9648f-n8w7p/g)).toHaveLength(2);
    for (const r of REVIEWS) expect(html).toContain(r.text);
    expect(html).toContain('Sign in');
    expect(html).not.toContain('Sign out');
    expect(app.ctx.calls.map((c) => [c.host, c.port, c.path, c.timeoutMs])).toEqual([
      ['details', 9080, '/details/0', 3000],
      ['reviews', 9080, '/reviews/0', 3000],
    ]);
  });

  it('reviews gets a second attempt on a non-200; each is a new call (another version may answer)', async () => {
    const app = await start(
      backends({ reviews: [() => json(503, { error: 'x' }), () => json(200, reviewsBody('v3'))] }),
    );
    const c = await classify(await fetch(`${app.url}/productpage`));
    expect(c).toMatchObject({ reviews: 'v3', ratings: 'stars', pod: REVIEWS_POD.v3 });
    expect(callsTo(app.ctx.calls, 'reviews')).toHaveLength(2);
  });

  it('reviews failing twice: the exact error texts, still a 200 page; no third attempt', async () => {
    const app = await start(backends({ reviews: [() => json(503, {}), (req) => Promise.reject(etimedout(req))] }));
    const res = await fetch(`${app.url}/productpage`);
    const html = await res.clone().text();
    expect(res.status).toBe(200);
    expect(html).toContain(`<p class="text-2xl text-red-500">${TEXT.reviewsError}</p>`);
    expect(html).toContain(`<p class="text-lg text-gray-600">${TEXT.reviewsUnavailable}</p>`);
    expect(html).not.toContain('Error fetching product reviews!');
    expect(await classify(res)).toMatchObject({ reviews: 'unavailable' });
    expect(callsTo(app.ctx.calls, 'reviews')).toHaveLength(2);
  });

  it('details failing: the details error texts, reviews still shown, one attempt only', async () => {
    const app = await start(backends({ details: (req) => Promise.reject(etimedout(req)) }));
    const res = await fetch(`${app.url}/productpage`);
    const html = await res.clone().text();
    expect(html).toContain(`<p class="text-2xl text-red-500">${TEXT.detailsError}</p>`);
    expect(html).toContain(`<p class="text-lg text-gray-600">${TEXT.detailsUnavailable}</p>`);
    expect(await classify(res)).toMatchObject({ reviews: 'v1', ratings: 'none' });
    expect(callsTo(app.ctx.calls, 'details')).toHaveLength(1);
  });

  it("a reviews attempt slower than 3 s is abandoned on productpage's own clock, then retried", async () => {
    const app = await start(
      backends({ reviews: [() => delay(3_400, json(200, reviewsBody('v1'))), () => json(200, reviewsBody('v2'))] }),
    );
    const t0 = Date.now();
    const c = await classify(await fetch(`${app.url}/productpage`));
    const ms = Date.now() - t0;
    expect(c.reviews).toBe('v2');
    expect(ms).toBeGreaterThanOrEqual(2_950);
  });

  it('GET / (index), /health, /static, /metrics, and 404/405 elsewhere', async () => {
    const app = await start();
    const index = await fetch(`${app.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('productpage');
    const health = await fetch(`${app.url}/health`);
    expect(await health.text()).toBe('Product page is healthy');
    expect((await fetch(`${app.url}/static/bookinfo.css`)).headers.get('content-type')).toContain('text/css');
    await fetch(`${app.url}/productpage`);
    expect(await (await fetch(`${app.url}/metrics`)).text()).toContain(
      'request_result{destination_app="reviews",response_code="200"} 1',
    );
    expect((await fetch(`${app.url}/None`)).status).toBe(404);
    expect((await fetch(`${app.url}/login`)).status).toBe(405);
    expect((await fetch(`${app.url}/productpage`, { method: 'POST' })).status).toBe(405);
  });
});

describe('productpage stand-in: login and end-user', () => {
  it('POST /login sets a signed session cookie and redirects to the Referer', async () => {
    const app = await start();
    const res = await login(app.url, 'jason', 'http://gw.example/productpage?x=1');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://gw.example/productpage?x=1');
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^session=[\w-]+\.[\w-]+; HttpOnly; Path=\/$/);
  });

  it('POST /login without a Referer answers the literal Location: None', async () => {
    const app = await start();
    const res = await login(app.url, 'jason', null);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('None');
    expect(res.headers.getSetCookie()[0]).toMatch(/^session=/);
  });

  it('logged in: jason and "Sign out" on the page, end-user: jason on calls to details and reviews', async () => {
    const app = await start();
    const cookie = await sessionCookieOf(app.url);
    const html = await (await fetch(`${app.url}/productpage`, { headers: { cookie } })).text();
    expect(html).toContain('<p class="text-base font-medium text-gray-50">jason</p>');
    expect(html).toContain('Sign out');
    expect(html).not.toContain('Sign in');
    for (const c of app.ctx.calls) expect(c.headers?.['end-user']).toBe('jason');
    expect(app.ctx.calls).toHaveLength(2);
  });

  it('the cookie is accepted by another replica', async () => {
    const [a, b] = [await start(), await start()];
    const cookie = await sessionCookieOf(a.url);
    await fetch(`${b.url}/productpage`, { headers: { cookie } });
    expect(b.ctx.calls[0]!.headers?.['end-user']).toBe('jason');
  });

  it('a client-sent end-user is not forwarded; a forged cookie is ignored', async () => {
    const app = await start();
    await fetch(`${app.url}/productpage`, { headers: { 'end-user': 'jason' } });
    expect(app.ctx.calls.every((c) => c.headers?.['end-user'] === undefined)).toBe(true);

    const cookie = await sessionCookieOf(app.url, 'mallory');
    const sig = cookie.split('.')[1]!;
    const forged = `session=${Buffer.from('{"user":"jason"}').toString('base64url')}.${sig}`;
    app.ctx.calls.length = 0;
    await fetch(`${app.url}/productpage`, { headers: { cookie: forged, 'end-user': 'jason' } });
    expect(app.ctx.calls.every((c) => c.headers?.['end-user'] === undefined)).toBe(true);

    app.ctx.calls.length = 0;
    await fetch(`${app.url}/productpage`, { headers: { cookie, 'end-user': 'jason' } });
    expect(app.ctx.calls.every((c) => c.headers?.['end-user'] === 'mallory')).toBe(true);
  });

  it('GET /logout expires the cookie and redirects to the Referer', async () => {
    const app = await start();
    const cookie = await sessionCookieOf(app.url);
    const res = await fetch(`${app.url}/logout`, {
      redirect: 'manual',
      headers: { cookie, referer: 'http://gw/productpage' },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://gw/productpage');
    expect(res.headers.getSetCookie()[0]).toMatch(/^session=; .*Max-Age=0; HttpOnly; Path=\//);
  });

  it('passes on exactly the forwarded header list (plus end-user from the session)', async () => {
    const app = await start();
    const cookie = await sessionCookieOf(app.url);
    const sent: Record<string, string> = {
      'x-request-id': 'r-1',
      'x-ot-span-context': 'ot',
      'x-datadog-trace-id': 'dd1',
      'x-datadog-parent-id': 'dd2',
      'x-datadog-sampling-priority': '1',
      traceparent: '00-abc-def-01',
      tracestate: 'k=v',
      'x-cloud-trace-context': 'ct',
      'grpc-trace-bin': 'gtb',
      'x-b3-traceid': 't',
      'x-b3-spanid': 's',
      'x-b3-parentspanid': 'p',
      'x-b3-sampled': '1',
      'x-b3-flags': '0',
      sw8: 'sw',
      'user-agent': 'meshproof-test',
      authorization: 'Bearer x',
      jwt: 'j',
      cookie,
    };
    await fetch(`${app.url}/productpage`, {
      headers: { ...sent, 'x-other': 'no', 'end-user': 'root', accept: 'text/html' },
    });
    for (const c of app.ctx.calls) expect(c.headers).toEqual({ ...sent, 'end-user': 'jason' });
  });
});

describe('productpage stand-in: /api/v1/products', () => {
  it('the product list and the details JSON', async () => {
    const app = await start();
    const list = await fetch(`${app.url}/api/v1/products`);
    expect(list.headers.get('content-type')).toBe('application/json');
    expect(await list.json()).toEqual([
      expect.objectContaining({ id: 0, title: 'The Comedy of Errors', descriptionHtml: expect.any(String) }),
    ]);
    expect(await (await fetch(`${app.url}/api/v1/products/0`)).json()).toEqual(bookDetails(0));
  });

  it("/<id>/reviews passes reviews' JSON through, with end-user from the session", async () => {
    const app = await start(backends({ reviews: () => json(200, reviewsBody('v3')) }));
    const cookie = await sessionCookieOf(app.url);
    const res = await fetch(`${app.url}/api/v1/products/0/reviews`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.clone().json()).toEqual(reviewsBody('v3'));
    expect(await classify(res)).toEqual({ reviews: 'v3', ratings: 'stars', pod: REVIEWS_POD.v3, format: 'json' });
    expect(app.ctx.calls[0]).toMatchObject({ host: 'reviews', path: '/reviews/0', headers: { 'end-user': 'jason' } });
  });

  it("reviews failing: reviews' status (or 500 on a transport error) and the error JSON", async () => {
    const a = await start(backends({ reviews: () => json(503, { error: 'upstream' }) }));
    const res = await fetch(`${a.url}/api/v1/products/0/reviews`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: TEXT.reviewsUnavailable });
    expect(callsTo(a.ctx.calls, 'reviews')).toHaveLength(2);
    const b = await start(backends({ reviews: (req) => Promise.reject(etimedout(req)) }));
    expect((await fetch(`${b.url}/api/v1/products/0/reviews`)).status).toBe(500);
  });

  it('/<id>/ratings calls ratings directly; failures say ratings are unavailable', async () => {
    const a = await start();
    expect(await (await fetch(`${a.url}/api/v1/products/0/ratings`)).json()).toEqual({
      id: 0,
      ratings: { Reviewer1: 5, Reviewer2: 4 },
    });
    expect(a.ctx.calls).toEqual([
      expect.objectContaining({ host: 'ratings', port: 9080, path: '/ratings/0', timeoutMs: 3000 }),
    ]);
    const b = await start(backends({ ratings: () => json(500, {}) }));
    const res = await fetch(`${b.url}/api/v1/products/0/ratings`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: TEXT.ratingsUnavailable });
  });

  it('details failing gives its status and error; unknown ids and paths are 404', async () => {
    const app = await start(backends({ details: () => json(555, {}) }));
    const res = await fetch(`${app.url}/api/v1/products/0`);
    expect(res.status).toBe(555);
    expect(await res.json()).toEqual({ error: TEXT.detailsUnavailable });
    expect((await fetch(`${app.url}/api/v1/products/abc`)).status).toBe(404);
    expect((await fetch(`${app.url}/api/v1/products/0/other`)).status).toBe(404);
  });
});
