/**
 * Reads markers out of a productpage HTML page, in both markups:
 * - current (Tailwind, images ≥ 1.20.0): stars inside `<div class="flex gap-x-1 text-<colour>-500">`,
 *   "Reviews served by:" + pod under every review;
 * - old (Bootstrap, images ≤ 1.19.x): stars as glyphicon spans inside `<font color="<colour>">`,
 *   `<dt>Reviews served by:</dt><u>pod</u>` once per page.
 * Star colour comes from the wrapper only: `text-red-500` alone is also on every error message,
 * and 1.20.0 pages have no `glyphicon` id on their svgs at all.
 */
import { parse, type HTMLElement } from 'node-html-parser';
import { countOccurrences, MARKER_TEXT, servedByPods, type Markers } from './markers.js';

export interface HtmlReading {
  bookinfo: boolean;
  bootstrap: boolean;
  markers: Markers;
}

export function readHtml(body: string): HtmlReading {
  const root = parse(body, { comment: false, blockTextElements: { script: false, style: false, noscript: false } });
  const text = root.text;
  const bootstrap = isBootstrap(root, text);
  const markers: Markers = {
    pods: servedByPods(text),
    colors: bootstrap ? bootstrapColors(root) : tailwindColors(root),
    ratingErrors: countOccurrences(text, MARKER_TEXT.ratingsUnavailable),
    reviewsError: text.includes(MARKER_TEXT.reviewsError) || text.includes(MARKER_TEXT.reviewsUnavailable),
    hasReviews: text.includes('Book Reviews') || text.includes(MARKER_TEXT.servedBy),
  };
  const title = root.querySelector('title')?.text.trim();
  const bookinfo =
    title === MARKER_TEXT.title || markers.pods.length > 0 || markers.reviewsError || markers.colors.length > 0 || markers.ratingErrors > 0;
  return { bookinfo, bootstrap, markers };
}

/** Colour of each Tailwind star wrapper: a div with `flex`, `gap-x-1` and `text-<colour>-500`. */
function tailwindColors(root: HTMLElement): string[] {
  const out: string[] = [];
  for (const div of root.querySelectorAll('div')) {
    const classes = div.classList;
    if (!classes.contains('flex') || !classes.contains('gap-x-1')) continue;
    const color = classes.value.map((c) => /^text-([a-z]+)-500$/.exec(c)?.[1]).find((c) => c !== undefined);
    if (color && div.querySelector('svg')) out.push(color);
  }
  return out;
}

/** Colour of each Bootstrap star group: `<font color>` around glyphicon star spans. */
function bootstrapColors(root: HTMLElement): string[] {
  return root
    .querySelectorAll('font')
    .filter((f) => f.querySelector('span.glyphicon-star, span.glyphicon-star-empty'))
    .map((f) => (f.getAttribute('color') ?? '').trim().toLowerCase())
    .filter((c) => c !== '');
}

function isBootstrap(root: HTMLElement, text: string): boolean {
  return (
    root.querySelectorAll('dt').some((dt) => dt.text.trim() === MARKER_TEXT.servedBy) ||
    root.querySelector('span.glyphicon') !== null ||
    root.querySelectorAll('link').some((l) => (l.getAttribute('href') ?? '').includes('bootstrap')) ||
    text.includes(`${MARKER_TEXT.reviewsError}!`)
  );
}
