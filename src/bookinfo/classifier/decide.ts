/**
 * Turns markers into a Classification. The same rules for every format:
 * - productpage's reviews error wins: `unavailable`, ratings unknown (null).
 * - Ratings: any "ratings unavailable" → `unavailable`; else any stars → `stars`; else `none`.
 * - Version: the pod-name prefix `reviews-vN-` first; the star markup (black → v2, red → v3,
 *   none and no ratings error → v1) only when the pod name is missing or has no such prefix.
 *
 * Why the pod name wins when the two disagree: it names the workload that answered, which is what
 * a routing check is about, and it is present whatever state ratings is in. The star colour is
 * behaviour of the image and its env (STAR_COLOR can be overridden in a Deployment); a
 * disagreement is a finding in itself, so it is kept in `note`.
 */
import type { Classification } from '../classification.js';
import type { ReviewsOutcome } from '../../model/outcomes.js';
import type { Markers } from './markers.js';

type Format = Classification['format'];

const COLOR_VERSION: Record<string, 'v2' | 'v3'> = { black: 'v2', red: 'v3' };

export function versionOfPod(pod: string): 'v1' | 'v2' | 'v3' | null {
  const m = /^reviews-(v[123])-/.exec(pod);
  return m ? (m[1] as 'v1' | 'v2' | 'v3') : null;
}

export function decide(mk: Markers, format: Format): Classification {
  const notes: string[] = [];
  const pods = [...new Set(mk.pods)];
  const pod = pods[0] ?? null;
  if (pods.length > 1) notes.push(`"Reviews served by:" names different pods: ${pods.join(', ')}; the first is used`);

  if (mk.reviewsError) return withNotes({ reviews: 'unavailable', ratings: null, pod, format }, notes);
  if (!mk.hasReviews)
    return withNotes({ reviews: null, ratings: null, pod: null, format }, [
      ...notes,
      'Bookinfo response without a reviews part',
    ]);

  const colors = [...new Set(mk.colors)];
  if (colors.length > 1) notes.push(`stars in more than one colour: ${colors.join(', ')}`);
  if (mk.ratingErrors > 0 && colors.length > 0) notes.push('some reviews show stars and some a ratings error');
  const ratings = mk.ratingErrors > 0 ? 'unavailable' : colors.length > 0 ? 'stars' : 'none';

  const markupVersion = versionFromMarkup(colors, mk.ratingErrors, notes);
  const podVersion = pod === null ? null : versionOfPod(pod);
  if (pod !== null && podVersion === null)
    notes.push(`pod name ${pod} has no reviews-v1/v2/v3 prefix; the version comes from the star markup`);
  if (podVersion && markupVersion && podVersion !== markupVersion) {
    notes.push(`pod name says ${podVersion} (${pod}), star markup says ${markupVersion}; the pod name is used`);
  }
  const reviews: ReviewsOutcome | null = podVersion ?? markupVersion;
  if (reviews === null && mk.ratingErrors > 0 && colors.length === 0) {
    notes.push('ratings unavailable and no pod name: v2 and v3 look the same');
  }
  return withNotes({ reviews, ratings, pod, format }, notes);
}

function versionFromMarkup(colors: string[], ratingErrors: number, notes: string[]): ReviewsOutcome | null {
  if (colors.length === 0) return ratingErrors > 0 ? null : 'v1';
  const version = COLOR_VERSION[colors[0]!];
  if (!version) notes.push(`star colour "${colors[0]}" is neither black (v2) nor red (v3)`);
  return version ?? null;
}

function withNotes(c: Classification, notes: string[]): Classification {
  return notes.length ? { ...c, note: notes.join('; ') } : c;
}

/** A response that is not Bookinfo's: says what it looked like. */
export function notBookinfo(status: number, body: string, format: Format = 'unknown'): Classification {
  const text = body.trim();
  const note =
    text === ''
      ? `empty body (HTTP ${status})`
      : `not a Bookinfo response (HTTP ${status}): ${JSON.stringify(text.slice(0, 80))}`;
  return { reviews: null, ratings: null, pod: null, format, note };
}
