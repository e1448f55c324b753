/**
 * Stand-in for Bookinfo's productpage: the page a user sees, the login session that becomes the
 * `end-user` header on calls to details and reviews, and the JSON API under /api/v1/products.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppFactory } from '../app.js';
import { PRODUCT } from './data.js';
import {
  header,
  listener,
  parseCookies,
  pathOf,
  productId,
  readBody,
  send,
  sendHtml,
  sendJson,
  sendText,
} from './http.js';
import { forwardedHeaders } from './outbound.js';
import { backends, type Backends } from './productpage-backends.js';
import { renderIndexPage, type ServiceNode } from './html/index-page.js';
import { renderProductPage } from './html/productpage-page.js';
import { STYLESHEET } from './html/stylesheet.js';
import { decodeSession, expiredSessionCookie, SESSION_COOKIE, sessionCookie } from './session.js';

const SERVICE_TREE: ServiceNode = {
  name: 'productpage',
  endpoint: 'productpage',
  children: [
    { name: 'details', endpoint: 'details' },
    { name: 'reviews', endpoint: 'reviews', children: [{ name: 'ratings', endpoint: 'ratings' }] },
  ],
};

export const productpageApp: AppFactory = (ctx) => {
  const b = backends(ctx);
  return listener(async (req, res) => {
    const path = pathOf(req);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (path === '/login') return method === 'POST' ? login(req, res) : methodNotAllowed(res, 'POST');
    if (method !== 'GET') return methodNotAllowed(res, 'GET, HEAD');
    if (path === '/' || path === '/index.html') return sendHtml(res, 200, renderIndexPage(SERVICE_TREE));
    if (path === '/health') return sendText(res, 200, 'Product page is healthy');
    if (path === '/logout') return logout(req, res);
    if (path === '/productpage') return productPage(req, res, b);
    if (path === '/static/bookinfo.css')
      return send(res, 200, STYLESHEET, { 'content-type': 'text/css; charset=utf-8' });
    if (path === '/metrics') return sendText(res, 200, metrics(b));
    if (path.startsWith('/api/v1/products')) return api(req, res, b, path);
    return notFound(res);
  });
};

/** The logged-in user from the signed session cookie; null for anonymous or a forged cookie. */
export function sessionUser(req: IncomingMessage): string | null {
  return decodeSession(parseCookies(header(req, 'cookie'))[SESSION_COOKIE])?.user ?? null;
}

/** Headers for calls to backends: the forwarded set, plus `end-user` from the session only. */
export function outboundHeaders(req: IncomingMessage): Record<string, string> {
  const h = forwardedHeaders(req);
  const user = sessionUser(req);
  if (user !== null) h['end-user'] = user;
  return h;
}

async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  const query = new URL(req.url ?? '/', 'http://productpage').searchParams;
  const user = form.get('username') ?? query.get('username') ?? '';
  const cookie = user ? sessionCookie({ user }) : expiredSessionCookie();
  redirectToReferrer(req, res, cookie);
}

function logout(req: IncomingMessage, res: ServerResponse): void {
  redirectToReferrer(req, res, expiredSessionCookie());
}

/**
 * 302 back to the Referer. Without one the real app sends the literal `Location: None` (its
 * framework stringifies a missing value); clients that follow it land on /None, which the
 * gateway does not route. Kept, because meshproof's login must cope with it.
 */
function redirectToReferrer(req: IncomingMessage, res: ServerResponse, setCookie: string): void {
  const location = header(req, 'referer') ?? 'None';
  sendHtml(
    res,
    302,
    '<!doctype html>\n<title>Redirecting</title>\n' +
      `<p>Redirecting to <a href="${encodeURI(location)}">${encodeURI(location)}</a>.</p>\n`,
    {
      location,
      'set-cookie': setCookie,
    },
  );
}

async function productPage(req: IncomingMessage, res: ServerResponse, b: Backends): Promise<void> {
  const headers = outboundHeaders(req);
  // In order, as the real page does: details first, then reviews (with its second attempt).
  const details = await b.details(PRODUCT.id, headers);
  const reviews = await b.reviews(PRODUCT.id, headers);
  sendHtml(res, 200, renderProductPage({ user: sessionUser(req), product: PRODUCT, details, reviews }));
}

async function api(req: IncomingMessage, res: ServerResponse, b: Backends, path: string): Promise<void> {
  if (path === '/api/v1/products') {
    return sendJson(res, 200, [{ id: PRODUCT.id, title: PRODUCT.title, descriptionHtml: PRODUCT.descriptionHtml }]);
  }
  const m = /^\/api\/v1\/products\/([^/]+)(?:\/(reviews|ratings))?$/.exec(path);
  const id = productId(m?.[1]);
  if (!m || id === null) return notFound(res);
  const headers = outboundHeaders(req);
  const fetched =
    m[2] === 'reviews'
      ? await b.reviews(id, headers)
      : m[2] === 'ratings'
        ? await b.ratings(id, headers)
        : await b.details(id, headers);
  return sendJson(res, fetched.status, fetched.body);
}

function metrics(b: Backends): string {
  const lines = ['# HELP request_result Results of requests to backend services', '# TYPE request_result counter'];
  for (const [labels, n] of b.results) lines.push(`request_result{${labels}} ${n}`);
  return `${lines.join('\n')}\n`;
}

function notFound(res: ServerResponse): void {
  sendHtml(
    res,
    404,
    '<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
      '<p>The requested URL was not found on the server.</p>\n',
  );
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendHtml(res, 405, '<!doctype html>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n', {
    allow,
  });
}
