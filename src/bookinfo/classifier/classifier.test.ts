import { readFileSync } from 'node:fs';
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
import { bookinfoClassifier } from './index.js';

const classify = (body: string, status = 200, contentType?: string) =>
  bookinfoClassifier.classify({ status, contentType, body });
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const POD = { v1: 'reviews-v1-5b6c7d8e9f-abcde', v2: 'reviews-v2-6f7a8b9c0d-fghij', v3: 'reviews-v3-7a8b9c0d1e-klmno' };
const STARS = [5, 4];

function reviewsBody(podname: string, rating?: (stars: number) => Rating, clustername = 'null'): ReviewsBody {
  return {
    id: '0',
    podname,
    clustername,
    reviews: REVIEWS.map((r, i) => (rating ? { ...r, rating: rating(STARS[i]!) } : { ...r })),
  };
}
const black = (stars: number): Rating => ({ stars, color: 'black' });
const red = (stars: number): Rating => ({ stars, color: 'red' });
const ratingsDown = (): Rating => ({ error: TEXT.ratingsServiceUnavailable });
const reviewsFailed: Fetched<ReviewsBody> = { status: 500, body: { error: TEXT.reviewsUnavailable } };
const detailsOk: Fetched<BookDetails> = { status: 200, body: bookDetails(0) };

function page(reviews: Fetched<ReviewsBody>, opts: { details?: Fetched<BookDetails>; user?: string } = {}): string {
  return renderProductPage({ user: opts.user ?? null, product: PRODUCT, details: opts.details ?? detailsOk, reviews });
}
const ok = (body: ReviewsBody): Fetched<ReviewsBody> => ({ status: 200, body });

/** The rows of the classification table, each as page (current markup), old page and JSON. */
const rows = [
  {
    row: 'v1',
    body: reviewsBody(POD.v1),
    old: 'bootstrap-v1.html',
    want: { reviews: 'v1', ratings: 'none', pod: POD.v1 },
  },
  {
    row: 'v2',
    body: reviewsBody(POD.v2, black),
    old: 'bootstrap-v2.html',
    want: { reviews: 'v2', ratings: 'stars', pod: POD.v2 },
  },
  {
    row: 'v3',
    body: reviewsBody(POD.v3, red),
    old: 'bootstrap-v3.html',
    want: { reviews: 'v3', ratings: 'stars', pod: POD.v3 },
  },
  {
    row: 'v3 with ratings down',
    body: reviewsBody(POD.v3, ratingsDown),
    old: 'bootstrap-ratings-unavailable.html',
    want: { reviews: 'v3', ratings: 'unavailable', pod: POD.v3 },
  },
] as const;

describe('classification rows', () => {
  for (const r of rows) {
    it(`${r.row}: current markup`, () => {
      expect(classify(page(ok(r.body)), 200, 'text/html; charset=utf-8')).toEqual({ ...r.want, format: 'html' });
    });
    it(`${r.row}: old Bootstrap markup`, () => {
      expect(classify(fixture(r.old), 200, 'text/html')).toEqual({ ...r.want, format: 'html-bootstrap' });
    });
    it(`${r.row}: reviews JSON`, () => {
      expect(classify(JSON.stringify(r.body), 200, 'application/json')).toEqual({ ...r.want, format: 'json' });
    });
  }

  it('v2 with ratings down, in the current markup and JSON', () => {
    const body = reviewsBody(POD.v2, ratingsDown);
    const want = { reviews: 'v2', ratings: 'unavailable', pod: POD.v2 };
    expect(classify(page(ok(body)))).toEqual({ ...want, format: 'html' });
    expect(classify(JSON.stringify(body), 200, 'application/json')).toEqual({ ...want, format: 'json' });
  });

  it('reviews unavailable: current markup, old markup and productpage error JSON', () => {
    expect(classify(page(reviewsFailed))).toEqual({ reviews: 'unavailable', ratings: null, pod: null, format: 'html' });
    expect(classify(fixture('bootstrap-reviews-unavailable.html'))).toEqual({
      reviews: 'unavailable',
      ratings: null,
      pod: null,
      format: 'html-bootstrap',
    });
    expect(classify(JSON.stringify({ error: TEXT.reviewsUnavailable }), 503, 'application/json')).toEqual({
      reviews: 'unavailable',
      ratings: null,
      pod: null,
      format: 'json',
    });
  });
});

describe('pitfalls', () => {
  it('text-red-500 on error messages is not taken for v3 stars', () => {
    const html = page(ok(reviewsBody(POD.v1)), { details: { status: 500, body: { error: TEXT.detailsUnavailable } } });
    expect(html).toContain('text-red-500');
    expect(classify(html)).toEqual({ reviews: 'v1', ratings: 'none', pod: POD.v1, format: 'html' });
    // With the pod name gone too, the markup alone must still say v1.
    expect(classify(html.replaceAll(POD.v1, 'reviews-abc')).reviews).toBe('v1');
    // The ratings error is red as well, and still not v3 stars: the version comes from the pod.
    const v2Down = page(ok(reviewsBody(POD.v2, ratingsDown)));
    expect(classify(v2Down)).toMatchObject({ reviews: 'v2', ratings: 'unavailable' });
  });

  it('"Reviews served by:" appears twice; both agree, and a disagreement is noted', () => {
    const html = page(ok(reviewsBody(POD.v2, black)));
    expect(html.split('Reviews served by:')).toHaveLength(3);
    expect(classify(html).note).toBeUndefined();
    const i = html.lastIndexOf(POD.v2);
    const mixed = html.slice(0, i) + POD.v3 + html.slice(i + POD.v2.length);
    const c = classify(mixed);
    expect(c).toMatchObject({ reviews: 'v2', pod: POD.v2 });
    expect(c.note).toContain(`names different pods: ${POD.v2}, ${POD.v3}`);
  });

  it('1.20.0 pages (no glyphicon id on the svgs) are classified by the star wrapper', () => {
    const html = page(ok(reviewsBody(POD.v3, red))).replaceAll(' id="glyphicon glyphicon-star"', '');
    expect(html).not.toContain('glyphicon');
    expect(classify(html)).toEqual({ reviews: 'v3', ratings: 'stars', pod: POD.v3, format: 'html' });
    expect(classify(html.replaceAll(POD.v3, 'reviews-abc')).reviews).toBe('v3');
  });

  it('pod name and star colour disagree: the pod name wins and the disagreement is noted', () => {
    const html = page(ok(reviewsBody(POD.v3, black)));
    const c = classify(html);
    expect(c).toMatchObject({ reviews: 'v3', ratings: 'stars', pod: POD.v3 });
    expect(c.note).toBe(`pod name says v3 (${POD.v3}), star markup says v2; the pod name is used`);
    const j = classify(JSON.stringify(reviewsBody(POD.v1, red)));
    expect(j).toMatchObject({ reviews: 'v1', ratings: 'stars', format: 'json' });
    expect(j.note).toContain('star markup says v3');
  });

  it('a pod name without a reviews-vN- prefix falls back to the star markup', () => {
    const pod = 'reviews-canary-6d7f8-zz9yx';
    for (const [rating, want] of [
      [undefined, 'v1'],
      [black, 'v2'],
      [red, 'v3'],
    ] as const) {
      const c = classify(page(ok(reviewsBody(pod, rating))));
      expect(c).toMatchObject({ reviews: want, pod });
      expect(c.note).toContain('has no reviews-v1/v2/v3 prefix');
    }
  });

  it('ratings down without a usable pod name cannot tell v2 from v3', () => {
    const c = classify(JSON.stringify(reviewsBody('', ratingsDown)));
    expect(c).toMatchObject({ reviews: null, ratings: 'unavailable', pod: null });
    expect(c.note).toContain('v2 and v3 look the same');
  });

  it('an unknown star colour is reported, not guessed', () => {
    const c = classify(page(ok(reviewsBody('reviews-x', (s) => ({ stars: s, color: 'blue' })))));
    expect(c).toMatchObject({ reviews: null, ratings: 'stars' });
    expect(c.note).toContain('"blue" is neither black (v2) nor red (v3)');
  });

  it('a logged-in page and a cluster name do not disturb the markers', () => {
    const html = page(ok(reviewsBody(POD.v2, black, 'east')), { user: 'jason' });
    expect(html).toContain('on cluster');
    expect(classify(html)).toEqual({ reviews: 'v2', ratings: 'stars', pod: POD.v2, format: 'html' });
  });
});

describe('responses that are not Bookinfo', () => {
  it('a 404 with an empty body (no route matched)', () => {
    expect(classify('', 404)).toEqual({
      reviews: null,
      ratings: null,
      pod: null,
      format: 'unknown',
      note: 'empty body (HTTP 404)',
    });
  });

  it.each([
    [503, 'no healthy upstream'],
    [504, 'upstream request timeout'],
    [500, 'fault filter abort'],
    [503, 'upstream connect error or disconnect/reset before headers. reset reason: connection failure'],
  ])('Envoy text %i %s', (status, body) => {
    const c = classify(body, status, 'text/plain');
    expect(c).toMatchObject({ reviews: null, ratings: null, pod: null, format: 'unknown' });
    expect(c.note).toContain(body.slice(0, 20));
  });

  it('another HTML page, and productpage pages that have no reviews part', () => {
    expect(classify('<html><head><title>Welcome to nginx!</title></head><body>hello</body></html>')).toMatchObject({
      reviews: null,
      format: 'unknown',
    });
    const notFound = '<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>';
    expect(classify(notFound, 404)).toMatchObject({ reviews: null, format: 'unknown' });
    const bare = '<html><head><title>Simple Bookstore App</title></head><body><h1>Hello</h1></body></html>';
    expect(classify(bare)).toMatchObject({
      reviews: null,
      format: 'html',
      note: 'Bookinfo response without a reviews part',
    });
  });

  it('JSON that is not a reviews answer', () => {
    const ratings = classify(
      JSON.stringify({ id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } }),
      200,
      'application/json',
    );
    expect(ratings).toMatchObject({ reviews: null, ratings: null, format: 'json' });
    expect(ratings.note).toContain('keys: id, ratings');
    expect(classify('{not json', 200, 'application/json')).toMatchObject({
      reviews: null,
      format: 'unknown',
      note: 'invalid JSON (HTTP 200)',
    });
    expect(classify(JSON.stringify({ error: TEXT.ratingsUnavailable }), 500, 'application/json').reviews).toBeNull();
  });
});
