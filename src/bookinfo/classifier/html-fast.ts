/**
 * A fast path for the page meshproof sees most: the current productpage markup, read with a few
 * literal scans instead of a full tokenizer pass. It answers only when the page has exactly the
 * expected shape (every star wrapper opens straight onto its svg stars, one pod name after every
 * "Reviews served by:", no old-markup sign); for anything else it returns null and the caller
 * reads the page with the tokenizer (html.ts). Tests hold the two to the same answers.
 *
 * Written by hand because it is a shortcut for one known page, not an HTML parser: the sampler
 * classifies every response, and the tokenizer's pass cost several times the HTTP exchange.
 */
import { countOccurrences, MARKER_TEXT, servedByPods, type Markers } from './markers.js';
import type { HtmlReading } from './html.js';

/**
 * Parts whose text a browser does not show, as [opening, closing] (a lazy regex over the page cost more than everything
 * else).
 */
const HIDDEN: [string, string][] = [
  ['<script', '</script'],
  ['<style', '</style'],
  ['<noscript', '</noscript'],
  ['<!--', '-->'],
];
/**
 * Signs of the old Bootstrap markup (one case-sensitive alternation: /i or a scan per sign costs several times more).
 */
const OLD_MARKUP = /<font|<FONT|<dt|<DT|glyphicon-star-empty|class="glyphicon|[Bb]ootstrap/;
const WRAPPER = /<div class="([^"]*)">\s*(<svg)?/g;
const TITLE = new RegExp(`<title>\\s*${MARKER_TEXT.title}\\s*</title>`);

export function readHtmlFast(raw: string): HtmlReading | null {
  const body = withoutHidden(raw);
  if (body === null) return null;
  if (body.includes('&') || OLD_MARKUP.test(body)) return null;
  const colors: string[] = [];
  let wrappers = 0;
  for (const m of body.matchAll(WRAPPER)) {
    const classes = m[1]!.split(' ');
    if (!classes.includes('gap-x-1')) continue;
    wrappers++;
    const color = classes.map((c) => /^text-([a-z]+)-500$/.exec(c)?.[1]).find((c) => c !== undefined);
    if (!classes.includes('flex') || !color || !m[2]) return null;
    colors.push(color);
  }
  if (wrappers !== countOccurrences(body, 'gap-x-1')) return null;
  const pods = servedByPods(body);
  if (pods.length !== countOccurrences(body, MARKER_TEXT.servedBy)) return null;
  const markers: Markers = {
    pods,
    colors,
    ratingErrors: countOccurrences(body, MARKER_TEXT.ratingsUnavailable),
    reviewsError: body.includes(MARKER_TEXT.reviewsError) || body.includes(MARKER_TEXT.reviewsUnavailable),
    hasReviews: body.includes('Book Reviews') || pods.length > 0,
  };
  const bookinfo =
    TITLE.test(body) || pods.length > 0 || markers.reviewsError || colors.length > 0 || markers.ratingErrors > 0;
  return { bookinfo, bootstrap: false, markers };
}

/** Any opening of a hidden part: one pass to learn that most pages have none (four indexOf passes cost ~12 µs). */
const ANY_HIDDEN = /<script|<style|<noscript|<!--/;

/** The page without its scripts, styles and comments; null when one is left open. */
function withoutHidden(raw: string): string | null {
  if (!ANY_HIDDEN.test(raw)) return raw;
  let body = raw;
  for (const [open, close] of HIDDEN) {
    for (let i = body.indexOf(open); i !== -1; i = body.indexOf(open, i)) {
      const end = body.indexOf(close, i + open.length);
      if (end === -1) return null;
      const after = body.indexOf('>', end + close.length - 1);
      if (after === -1) return null;
      body = body.slice(0, i) + body.slice(after + 1);
    }
  }
  return body;
}
