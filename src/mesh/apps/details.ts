/** Stand-in for Bookinfo's details service (v1): book details as JSON on /details/<id>. */
import type { AppFactory } from '../app.js';
import { bookDetails } from './data.js';
import { listener, pathOf, productId, sendJson } from './http.js';

export const detailsApp: AppFactory = () =>
  listener(async (req, res) => {
    const path = pathOf(req);
    if (path === '/health') return sendJson(res, 200, { status: 'Details is healthy' });
    const m = /^\/details\/([^/]+)$/.exec(path);
    if (!m || req.method !== 'GET') return sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
    const id = productId(m[1]);
    if (id === null) return sendJson(res, 400, { error: 'please provide numeric product id' });
    return sendJson(res, 200, bookDetails(id));
  });
