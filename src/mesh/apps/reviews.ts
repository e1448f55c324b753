/**
 * Stand-in for Bookinfo's reviews service, one app for v1/v2/v3: the image's env decides.
 * ENABLE_RATINGS=true makes it ask ratings for stars; STAR_COLOR is the colour it reports, and
 * also picks the ratings timeout (10 s for black, i.e. v2; 2.5 s otherwise, i.e. v3).
 */
import type { IncomingMessage } from 'node:http';
import type { AppContext, AppFactory } from '../app.js';
import { REVIEWS, TEXT, type Rating, type RatingsBody, type ReviewsBody } from './data.js';
import { listener, pathOf, productId, sendJson } from './http.js';
import { callWithTimeout, forwardedHeaders, FORWARDED_HEADERS, parseJson, serviceAddress } from './outbound.js';

/** reviews passes the user on to ratings, so ratings rules can match `end-user` too. */
const REVIEWS_FORWARDED = [...FORWARDED_HEADERS, 'end-user'];

export function ratingsTimeoutMs(starColor: string): number {
  return starColor === 'black' ? 10_000 : 2_500;
}

export const reviewsApp: AppFactory = (ctx) => {
  const ratingsEnabled = ctx.env['ENABLE_RATINGS'] === 'true';
  const starColor = ctx.env['STAR_COLOR'] || 'black';
  const podname = ctx.env['HOSTNAME'] || ctx.podName;
  const clustername = ctx.env['CLUSTER_NAME'] ?? 'null';

  return listener(async (req, res) => {
    const path = pathOf(req);
    if (path === '/health') return sendJson(res, 200, { status: 'Reviews is healthy' });
    const m = /^\/reviews\/([^/]+)$/.exec(path);
    const id = productId(m?.[1]);
    if (id === null || req.method !== 'GET') return sendJson(res, 404, { error: `no route for ${req.method} ${path}` });

    const stars = ratingsEnabled ? await fetchRatings(ctx, req, id, ratingsTimeoutMs(starColor)) : null;
    const body: ReviewsBody = {
      id: String(id),
      podname,
      clustername,
      reviews: REVIEWS.map((r) => {
        if (!ratingsEnabled) return { ...r };
        const n = stars?.[r.reviewer];
        const rating: Rating =
          typeof n === 'number' ? { stars: n, color: starColor } : { error: TEXT.ratingsServiceUnavailable };
        return { ...r, rating };
      }),
    };
    return sendJson(res, 200, body);
  });
};

/** Stars per reviewer, or null when ratings failed (any non-200, transport error or timeout). */
async function fetchRatings(
  ctx: AppContext,
  req: IncomingMessage,
  id: number,
  timeoutMs: number,
): Promise<Record<string, number> | null> {
  const { host, port } = serviceAddress(ctx.env, 'ratings');
  try {
    const res = await callWithTimeout(ctx, {
      host,
      port,
      path: `/ratings/${id}`,
      headers: forwardedHeaders(req, REVIEWS_FORWARDED),
      timeoutMs,
    });
    if (res.status !== 200) return null;
    const body = parseJson(res.body) as Partial<RatingsBody> | undefined;
    return body && typeof body.ratings === 'object' && body.ratings !== null ? body.ratings : null;
  } catch {
    return null;
  }
}
