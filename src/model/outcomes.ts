/** What a Bookinfo page can show: the words every layer uses for a response's outcome. */

/** Which reviews version served the page; `unavailable` = productpage says reviews are unavailable. */
export type ReviewsOutcome = 'v1' | 'v2' | 'v3' | 'unavailable';
/** Stars shown; no ratings part at all (v1); or "Ratings service is currently unavailable". */
export type RatingsState = 'stars' | 'none' | 'unavailable';

/** `v3` → true: outcomes that are routing destinations, for which "weight 0 is never routed" applies. */
export function isVersion(outcome: string): boolean {
  return /^v\d+$/.test(outcome);
}
