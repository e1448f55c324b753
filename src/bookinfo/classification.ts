/** What meshproof reads out of one Bookinfo response. */

import type { RatingsState, ReviewsOutcome } from '../model/outcomes.js';

export interface Classification {
  /** null when the response is not a Bookinfo page or reviews JSON at all (a 404 from the gateway, say). */
  reviews: ReviewsOutcome | null;
  ratings: RatingsState | null;
  /** The reviews pod named by the response ("Reviews served by:" / `podname`), if any. */
  pod: string | null;
  /** Which markup was recognised. */
  format: 'html' | 'html-bootstrap' | 'json' | 'unknown';
  /** Why a response could not be fully classified, or where two markers disagreed. */
  note?: string;
  /** The version read by a generic classifier (versionFrom); null when unreadable. Absent from Bookinfo's. */
  version?: string | null;
}

export interface ClassifiableResponse {
  status: number;
  contentType?: string | undefined;
  body: string;
  /** Response headers, names in lowercase; read by a classifier of versions from a header only. */
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * One interface per swappable part: a classifier turns a response into a Classification. It must
 * be a function of status, content type and body alone: the sampler classifies each distinct
 * answer once and reuses the result for identical answers. (A classifier of versions, which may read
 * a header, is not remembered: traffic/version-classifier.ts.)
 */
export interface Classifier {
  readonly name: string;
  classify(res: ClassifiableResponse): Classification;
}
