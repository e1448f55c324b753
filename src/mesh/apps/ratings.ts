/**
 * Stand-in for Bookinfo's ratings service (v1): star ratings per reviewer, kept in memory per pod.
 * GET /ratings/<id> → {"id": <id>, "ratings": {"Reviewer1": 5, "Reviewer2": 4}}; POST stores new ones.
 */
import type { AppFactory } from '../app.js';
import { DEFAULT_RATINGS, type RatingsBody } from './data.js';
import { listener, pathOf, productId, readBody, sendJson } from './http.js';
import { parseJson } from './outbound.js';

export const ratingsApp: AppFactory = () => {
  const stored = new Map<number, Record<string, number>>();
  const ratingsOf = (id: number): RatingsBody => ({ id, ratings: { ...(stored.get(id) ?? DEFAULT_RATINGS) } });

  return listener(async (req, res) => {
    const path = pathOf(req);
    if (path === '/health') return sendJson(res, 200, { status: 'Ratings is healthy' });
    const m = /^\/ratings\/([^/]+)$/.exec(path);
    if (!m) return sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
    const id = productId(m[1]);
    if (id === null) return sendJson(res, 400, { error: 'please provide numeric product ID' });
    if (req.method === 'GET') return sendJson(res, 200, ratingsOf(id));
    if (req.method === 'POST') {
      const body = parseJson(await readBody(req));
      if (!isRatings(body)) return sendJson(res, 400, { error: 'please provide valid ratings JSON' });
      stored.set(id, body);
      return sendJson(res, 200, ratingsOf(id));
    }
    return sendJson(res, 405, { error: `method ${req.method} not allowed` });
  });
};

function isRatings(v: unknown): v is Record<string, number> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((n) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 5)
  );
}
