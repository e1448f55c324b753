/**
 * productpage's calls to details, reviews and ratings, with the real app's client settings:
 * 3 s timeout each; reviews gets a second attempt on any non-200 or error (each attempt goes
 * through the sidecar again, so it may land on another reviews version).
 */
import type { AppContext } from '../app.js';
import type { BookDetails, RatingsBody, ReviewsBody } from './data.js';
import { TEXT } from './data.js';
import type { Fetched } from './html/productpage-page.js';
import { callWithTimeout, parseJson, serviceAddress } from './outbound.js';

export const PRODUCTPAGE_TIMEOUT_MS = 3_000;
export const REVIEWS_ATTEMPTS = 2;

export interface Backends {
  details(id: number, headers: Record<string, string>): Promise<Fetched<BookDetails>>;
  reviews(id: number, headers: Record<string, string>): Promise<Fetched<ReviewsBody>>;
  ratings(id: number, headers: Record<string, string>): Promise<Fetched<RatingsBody>>;
  /** Count of answers per `destination_app` and `response_code`, for /metrics. */
  readonly results: Map<string, number>;
}

export function backends(ctx: AppContext): Backends {
  const results = new Map<string, number>();
  const count = (app: string, code: number) => {
    const key = `destination_app="${app}",response_code="${code}"`;
    results.set(key, (results.get(key) ?? 0) + 1);
  };

  async function get<T>(
    service: string,
    path: string,
    headers: Record<string, string>,
    attempts: number,
    error: string,
  ): Promise<Fetched<T>> {
    const { host, port } = serviceAddress(ctx.env, service);
    let status = 500;
    for (let i = 0; i < attempts; i++) {
      try {
        const res = await callWithTimeout(ctx, { host, port, path, headers, timeoutMs: PRODUCTPAGE_TIMEOUT_MS });
        count(service, res.status);
        const body = parseJson(res.body);
        if (res.status === 200 && typeof body === 'object' && body !== null) return { status: 200, body: body as T };
        status = res.status === 200 ? 500 : res.status;
      } catch {
        status = 500;
      }
    }
    return { status, body: { error } };
  }

  return {
    details: (id, h) => get<BookDetails>('details', `/details/${id}`, h, 1, TEXT.detailsUnavailable),
    reviews: (id, h) => get<ReviewsBody>('reviews', `/reviews/${id}`, h, REVIEWS_ATTEMPTS, TEXT.reviewsUnavailable),
    ratings: (id, h) => get<RatingsBody>('ratings', `/ratings/${id}`, h, 1, TEXT.ratingsUnavailable),
    results,
  };
}
