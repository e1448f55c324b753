/**
 * The /productpage markup of the current Bookinfo UI (Tailwind classes, images ≥ 1.20.1), with
 * every marker meshproof and the Istio docs look for: the title, the star wrapper
 * `flex gap-x-1 text-<colour>-500`, filled stars as `<svg id="glyphicon glyphicon-star">`,
 * "Reviews served by:" and the pod name under each review, and the exact error texts.
 */
import { TEXT, type BookDetails, type Rating, type ReviewEntry, type ReviewsBody } from '../data.js';
import { escapeHtml } from './escape.js';
import { layout } from './layout.js';

/** A backend answer as productpage saw it: the status it reports and the parsed body. */
export interface Fetched<T> {
  status: number;
  body: T | { error: string };
}

export interface ProductPageModel {
  user: string | null;
  product: { title: string; descriptionHtml: string };
  details: Fetched<BookDetails>;
  reviews: Fetched<ReviewsBody>;
}

export function renderProductPage(m: ProductPageModel): string {
  const main = `    <section class="mb-8">
      <h1 class="text-3xl font-bold text-gray-900">${escapeHtml(m.product.title)}</h1>
      <p class="mt-2 text-lg text-gray-600">${m.product.descriptionHtml}</p>
    </section>
    <div class="grid grid-cols-1 gap-8 md:grid-cols-2">
${detailsPart(m.details)}
${reviewsPart(m.reviews)}
    </div>`;
  return layout({ user: m.user, main });
}

function detailsPart(d: Fetched<BookDetails>): string {
  if (d.status !== 200 || 'error' in d.body) {
    return `      <div>
        <p class="text-2xl text-red-500">${TEXT.detailsError}</p>
        <p class="text-lg text-gray-600">${TEXT.detailsUnavailable}</p>
      </div>`;
  }
  const b = d.body;
  const rows: [string, unknown][] = [
    ['ISBN-10', b['ISBN-10']],
    ['ISBN-13', b['ISBN-13']],
    ['Publisher', b.publisher],
    ['Pages', b.pages],
    ['Type', b.type],
    ['Language', b.language],
  ];
  return `      <div>
        <h2 class="text-2xl font-semibold text-gray-900">Book Details</h2>
        <table class="mt-4 w-full text-left text-gray-700">
${rows.map(([k, v]) => `          <tr><th class="pr-4 font-medium">${k}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}
        </table>
      </div>`;
}

function reviewsPart(r: Fetched<ReviewsBody>): string {
  if (r.status !== 200 || 'error' in r.body) {
    return `      <div>
        <p class="text-2xl text-red-500">${TEXT.reviewsError}</p>
        <p class="text-lg text-gray-600">${TEXT.reviewsUnavailable}</p>
      </div>`;
  }
  const body = r.body;
  return `      <div>
        <h2 class="text-2xl font-semibold text-gray-900">Book Reviews</h2>
${body.reviews.map((entry) => reviewSection(entry, body)).join('\n')}
      </div>`;
}

function reviewSection(entry: ReviewEntry, body: ReviewsBody): string {
  const cluster =
    body.clustername !== 'null' ? ` on cluster <div class="inline">${escapeHtml(body.clustername)}</div>` : '';
  return `        <section class="mt-6 border-l-4 border-gray-300 pl-4">
${ratingPart(entry.rating)}
          <blockquote class="mt-2 text-lg text-gray-900">"${escapeHtml(entry.text)}"</blockquote>
          <p class="mt-1 text-sm font-semibold text-gray-900">${escapeHtml(entry.reviewer)}</p>
          <div class="mt-0.5 text-gray-600 font-mono">Reviews served by:
            ${escapeHtml(body.podname)}${cluster}
          </div>
        </section>`;
}

function ratingPart(rating: Rating | undefined): string {
  if (rating === undefined) return '';
  if ('error' in rating) return `          <p class="text-red-500">${TEXT.ratingsServiceUnavailable}</p>`;
  const filled = Math.max(0, Math.min(5, Math.trunc(rating.stars)));
  const stars = [...Array(filled).fill(FILLED_STAR), ...Array(5 - filled).fill(OUTLINE_STAR)];
  return `          <div class="flex gap-x-1 text-${escapeHtml(rating.color)}-500">
${stars.map((s) => `            ${s}`).join('\n')}
          </div>`;
}

const STAR_POINTS =
  '10,1 12.35,7.26 19.04,7.56 13.8,11.74 15.58,18.19 10,14.5 4.42,18.19 6.2,11.74 0.96,7.56 7.65,7.26';
const FILLED_STAR =
  '<svg id="glyphicon glyphicon-star" class="h-5 w-5 flex-none" viewBox="0 0 20 20" fill="currentColor" ' +
  `aria-hidden="true"><polygon points="${STAR_POINTS}"/></svg>`;
const OUTLINE_STAR =
  '<svg class="h-5 w-5 flex-none" viewBox="0 0 20 20" fill="none" stroke="currentColor" stroke-width="1.2" ' +
  `aria-hidden="true"><polygon points="${STAR_POINTS}"/></svg>`;
