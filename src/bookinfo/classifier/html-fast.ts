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

const HIDDEN = /<script[\s\S]*?<\/script\s*>|<style[\s\S]*?<\/style\s*>|<noscript[\s\S]*?<\/noscript\s*>|<!--[\s\S]*?-->/gi;
const OLD_MARKUP = /<font|<dt|glyphicon-star-empty|class="glyphicon|bootstrap/i;
const WRAPPER = /<div class="([^"]*)">\s*(<svg)?/g;
const TITLE = new RegExp(`<title>\\s*${MARKER_TEXT.title}\\s*</title>`);

export function readHtmlFast(raw: string): HtmlReading | null {
  const body = raw.includes('<script') || raw.includes('<style') || raw.includes('<noscript') || raw.includes('<!--') ? raw.replace(HIDDEN, '') : raw;
  if (OLD_MARKUP.test(body) || body.includes('&')) return null;
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
  const bookinfo = TITLE.test(body) || pods.length > 0 || markers.reviewsError || colors.length > 0 || markers.ratingErrors > 0;
  return { bookinfo, bootstrap: false, markers };
}
