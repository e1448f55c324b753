/**
 * What each response format yields before a decision is made: the markers found, independent of
 * markup. Every format (Tailwind page, Bootstrap page, reviews JSON) is read into this shape and
 * decided by the same rules (decide.ts).
 */
export interface Markers {
  /** Reviews pod names, one per "Reviews served by:" (or the JSON `podname`). */
  pods: string[];
  /** Star colour per review that shows stars (`black`, `red`). */
  colors: string[];
  /** Reviews whose rating part says "Ratings service is currently unavailable". */
  ratingErrors: number;
  /** productpage says the reviews could not be fetched. */
  reviewsError: boolean;
  /** A reviews part is present at all (heading, review entries, or a pod name). */
  hasReviews: boolean;
}

export const MARKER_TEXT = {
  reviewsError: 'Error fetching product reviews',
  reviewsUnavailable: 'Sorry, product reviews are currently unavailable for this book.',
  ratingsUnavailable: 'Ratings service is currently unavailable',
  servedBy: 'Reviews served by:',
  title: 'Simple Bookstore App',
} as const;

/** Pod names after "Reviews served by:", in page order. */
export function servedByPods(text: string): string[] {
  return [...text.matchAll(/Reviews served by:\s*([A-Za-z0-9][A-Za-z0-9.-]*)/g)].map((m) => m[1]!);
}

export function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}
