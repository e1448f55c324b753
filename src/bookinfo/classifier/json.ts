/**
 * Reads markers out of JSON: reviews' own answer as passed through by productpage
 * (`/api/v1/products/<id>/reviews`: podname, reviews[].rating {stars, color} or {error}), or
 * productpage's error object when reviews failed.
 */
import { MARKER_TEXT, type Markers } from './markers.js';

export type JsonReading = { kind: 'reviews'; markers: Markers } | { kind: 'other'; what: string } | { kind: 'invalid' };

export function readJson(body: string): JsonReading {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'invalid' };
  }
  if (!isObject(value)) return { kind: 'other', what: Array.isArray(value) ? 'a JSON array' : `JSON ${typeof value}` };
  if (typeof value['error'] === 'string' && value['error'].includes('product reviews are currently unavailable')) {
    return {
      kind: 'reviews',
      markers: { pods: [], colors: [], ratingErrors: 0, reviewsError: true, hasReviews: false },
    };
  }
  const reviews = value['reviews'];
  if (!Array.isArray(reviews))
    return { kind: 'other', what: `JSON without reviews (keys: ${Object.keys(value).slice(0, 6).join(', ')})` };
  const ratings = reviews.map((r) => (isObject(r) && isObject(r['rating']) ? r['rating'] : null));
  return {
    kind: 'reviews',
    markers: {
      pods: typeof value['podname'] === 'string' && value['podname'] !== '' ? [value['podname']] : [],
      colors: ratings.flatMap((r) =>
        r && typeof r['color'] === 'string' && r['stars'] !== undefined ? [r['color'].toLowerCase()] : [],
      ),
      ratingErrors: ratings.filter(
        (r) => r && typeof r['error'] === 'string' && r['error'].includes(MARKER_TEXT.ratingsUnavailable),
      ).length,
      reviewsError: false,
      hasReviews: true,
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
