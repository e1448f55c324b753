import type { ReviewsOutcome, RatingsState } from './outcomes.js';

/** Why a request's record is kept: while settling (not evidence), or as verification evidence. */
export type RequestPhase = 'settle' | 'verify' | 'probe';

/** One request as sent and answered. Every request meshproof sends is recorded, errors included. */
export interface RequestRecord {
  seq: number;
  step: string;
  /** Index of the expectation within its step. */
  expectation: number;
  phase: RequestPhase;
  user: string;
  path: string;
  /** When it was sent, ms since the run started. */
  t: number;
  latencyMs: number;
  /** HTTP status; null when the transport failed (refused, reset, timed out). */
  status: number | null;
  /** Transport error code or message (`ECONNREFUSED`, `timeout after 10000ms`). */
  error?: string;
  reviews: ReviewsOutcome | null;
  ratings: RatingsState | null;
  pod: string | null;
  /** The version read from the answer for an expectation with `versions` (null: unreadable); absent for Bookinfo's. */
  version?: string | null;
  /**
   * The client socket that carried it, numbered from 1 in the order the run opened them (absent: it
   * never got one, or written before sockets were numbered). Answers sharing it may share a version
   * where the mesh splits per connection (README, "How a step is decided").
   */
  conn?: number;
}

/** The outcome a check counts: the version read for a generic expectation, else the reviews outcome. */
export function outcomeOf(r: Pick<RequestRecord, 'reviews' | 'version'>): string | null {
  return r.version !== undefined ? r.version : r.reviews;
}

/**
 * The version an answer shows, or null when it shows none: unclassified, or a degraded page
 * (`unavailable`: productpage could not reach reviews, whichever version was routed) where the
 * expectation does not expect one. Settling and verifying read answers this way.
 */
export function versionOf(
  r: Pick<RequestRecord, 'reviews' | 'version'>,
  split: Record<string, number> | null,
): string | null {
  const v = outcomeOf(r);
  return v === 'unavailable' && !((split?.[v] ?? 0) > 0) ? null : v;
}

/**
 * An answer that is no Bookinfo page or reviews JSON the classifier can read (2xx, yet no reviews
 * outcome): not a version, so not evidence about the split; it counts against maxUnclassifiedRate.
 */
export function isUnclassified(r: Pick<RequestRecord, 'status' | 'reviews' | 'version'>): boolean {
  return !isError(r) && outcomeOf(r) === null;
}

/** An error is a transport failure or a non-2xx answer: it counts against maxErrorRate. */
export function isError(r: Pick<RequestRecord, 'status'>): boolean {
  return r.status === null || r.status < 200 || r.status >= 300;
}

/** A degraded page: a 2xx page whose reviews or ratings part shows an error. */
export function isDegraded(r: Pick<RequestRecord, 'status' | 'reviews' | 'ratings'>): boolean {
  return !isError(r) && (r.reviews === 'unavailable' || r.ratings === 'unavailable');
}

/**
 * What a step keeps of each request once it has been reported (in a RecordTable): enough for
 * gates, latency and error counts. The full record goes to requests.ndjson and is let go.
 */
export type KeptRecord = Pick<
  RequestRecord,
  'phase' | 'status' | 'error' | 'latencyMs' | 'reviews' | 'ratings' | 'pod' | 'version' | 'conn'
>;
