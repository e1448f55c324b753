/**
 * Reads markers out of a productpage HTML page, in both markups:
 * - current (Tailwind, images ≥ 1.20.0): stars inside `<div class="flex gap-x-1 text-<colour>-500">`,
 *   "Reviews served by:" + pod under every review;
 * - old (Bootstrap, images ≤ 1.19.x): stars as glyphicon spans inside `<font color="<colour>">`,
 *   `<dt>Reviews served by:</dt><u>pod</u>` once per page.
 * Star colour comes from the wrapper only: `text-red-500` alone is also on every error message,
 * and 1.20.0 pages have no `glyphicon` id on their svgs at all.
 *
 * One streaming pass with htmlparser2 (no DOM is built): the sampler classifies every response,
 * and building a tree per page cost more CPU than the HTTP exchange itself.
 */
import { Parser } from 'htmlparser2';
import { countOccurrences, MARKER_TEXT, servedByPods, type Markers } from './markers.js';

export interface HtmlReading {
  bookinfo: boolean;
  bootstrap: boolean;
  markers: Markers;
}

/** An open element that may turn out to be a star wrapper, once a star shows up inside it. */
interface Candidate {
  tag: 'div' | 'font';
  color: string;
  stars: boolean;
}

export function readHtml(body: string): HtmlReading {
  const texts: string[] = [];
  const open: string[] = [];
  const candidates: (Candidate | null)[] = [];
  const colors = { tailwind: [] as string[], bootstrap: [] as string[] };
  let title = '';
  let dtText: string | null = null;
  let bootstrapSign = false;
  let skip = 0;

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        open.push(name);
        if (name === 'script' || name === 'style' || name === 'noscript') skip++;
        const classes = (attrs.class ?? '').split(/\s+/);
        if (name === 'div' && classes.includes('flex') && classes.includes('gap-x-1')) {
          const color = classes.map((c) => /^text-([a-z]+)-500$/.exec(c)?.[1]).find((c) => c !== undefined);
          candidates.push(color ? { tag: 'div', color, stars: false } : null);
        } else if (name === 'font') {
          candidates.push({ tag: 'font', color: (attrs.color ?? '').trim().toLowerCase(), stars: false });
        } else if (name === 'div') {
          candidates.push(null);
        }
        if (name === 'svg') markStars('div');
        if (name === 'span' && classes.includes('glyphicon')) {
          bootstrapSign = true;
          if (classes.includes('glyphicon-star') || classes.includes('glyphicon-star-empty')) markStars('font');
        }
        if (name === 'link' && (attrs.href ?? '').includes('bootstrap')) bootstrapSign = true;
        if (name === 'dt') dtText = '';
      },
      ontext(text) {
        if (skip) return;
        texts.push(text);
        const tag = open[open.length - 1];
        if (tag === 'title') title += text;
        if (dtText !== null) dtText += text;
      },
      onclosetag(name) {
        open.pop();
        if (name === 'script' || name === 'style' || name === 'noscript') skip--;
        if (name === 'div' || name === 'font') {
          const c = candidates.pop();
          if (c?.stars && c.color) (c.tag === 'div' ? colors.tailwind : colors.bootstrap).push(c.color);
        }
        if (name === 'dt' && dtText !== null) {
          if (dtText.trim() === MARKER_TEXT.servedBy) bootstrapSign = true;
          dtText = null;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );

  /** A star marks every open wrapper candidate of the matching markup as holding stars. */
  function markStars(tag: Candidate['tag']): void {
    for (const c of candidates) if (c && c.tag === tag) c.stars = true;
  }

  parser.end(body);
  const text = texts.join('');
  const bootstrap = bootstrapSign || text.includes(`${MARKER_TEXT.reviewsError}!`);
  const markers: Markers = {
    pods: servedByPods(text),
    colors: bootstrap ? colors.bootstrap : colors.tailwind,
    ratingErrors: countOccurrences(text, MARKER_TEXT.ratingsUnavailable),
    reviewsError: text.includes(MARKER_TEXT.reviewsError) || text.includes(MARKER_TEXT.reviewsUnavailable),
    hasReviews: text.includes('Book Reviews') || text.includes(MARKER_TEXT.servedBy),
  };
  const bookinfo =
    title.trim() === MARKER_TEXT.title ||
    markers.pods.length > 0 ||
    markers.reviewsError ||
    markers.colors.length > 0 ||
    markers.ratingErrors > 0;
  return { bookinfo, bootstrap, markers };
}
