import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderProductPage, type Fetched } from '../../mesh/apps/html/productpage-page.js';
import {
  bookDetails,
  PRODUCT,
  REVIEWS,
  TEXT,
  type BookDetails,
  type Rating,
  type ReviewsBody,
} from '../../mesh/apps/data.js';
import { readHtml } from './html.js';
import { readHtmlFast } from './html-fast.js';

const POD = 'reviews-v3-7a8b9c0d1e-klmno';
const body = (rating?: (stars: number) => Rating): ReviewsBody => ({
  id: '0',
  podname: POD,
  clustername: 'null',
  reviews: REVIEWS.map((r, i) => (rating ? { ...r, rating: rating([5, 4][i]!) } : { ...r })),
});
const details: Fetched<BookDetails> = { status: 200, body: bookDetails(0) };
const page = (reviews: Fetched<ReviewsBody>, user: string | null = null, d = details) =>
  renderProductPage({ user, product: PRODUCT, details: d, reviews });

const current: Record<string, string> = {
  v1: page({ status: 200, body: body() }),
  v2: page({ status: 200, body: body((stars) => ({ stars, color: 'black' })) }),
  v3: page({ status: 200, body: body((stars) => ({ stars, color: 'red' })) }),
  'v3 for jason': page({ status: 200, body: body((stars) => ({ stars, color: 'red' })) }, 'jason'),
  'ratings down': page({ status: 200, body: body(() => ({ error: TEXT.ratingsServiceUnavailable })) }),
  'reviews down': page({ status: 500, body: { error: TEXT.reviewsUnavailable } as unknown as ReviewsBody }),
  'details down': page({ status: 200, body: body() }, null, {
    status: 500,
    body: { error: 'x' } as unknown as BookDetails,
  }),
};

describe('fast page reading', () => {
  it.each(Object.entries(current))('reads the current markup (%s) exactly as the tokenizer does', (_, html) => {
    const fast = readHtmlFast(html);
    expect(fast, 'the fast path should take the stand-in page').not.toBeNull();
    expect(fast).toEqual(readHtml(html));
  });

  it('steps aside for the old markup', () => {
    const dir = new URL('./fixtures/', import.meta.url);
    const pages = readdirSync(dir).filter((f) => f.endsWith('.html'));
    expect(pages.length).toBeGreaterThan(0);
    for (const f of pages) expect(readHtmlFast(readFileSync(new URL(f, dir), 'utf8')), f).toBeNull();
  });

  it('steps aside when a star wrapper does not open onto its stars', () => {
    const odd = current.v3!.replace(/(<div class="flex gap-x-1 text-red-500">)/, '$1<span>★</span>');
    expect(readHtmlFast(odd)).toBeNull();
    expect(readHtml(odd).markers.colors).toEqual(['red', 'red']);
  });

  it('steps aside when a pod name does not follow "Reviews served by:"', () => {
    const odd = current.v1!.replace(`Reviews served by:\n            ${POD}`, 'Reviews served by: <b>somewhere</b>');
    expect(readHtmlFast(odd)).toBeNull();
  });

  it('ignores markers inside scripts and comments, as the tokenizer does', () => {
    const extra = current.v1!.replace(
      '</body>',
      '<script>var s = "Ratings service is currently unavailable";</script>' +
        '<!-- Error fetching product reviews --></body>',
    );
    expect(readHtmlFast(extra)).toEqual(readHtml(extra));
    expect(readHtmlFast(extra)!.markers.ratingErrors).toBe(0);
  });
});
