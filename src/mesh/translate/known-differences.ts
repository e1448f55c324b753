/**
 * Where the local translation knowingly differs from istiod's, found by comparing the two on the
 * kwok target (e2e/kwok/translation.test.ts), each with why it stays. `meshproof lint` prints
 * them with the local target's other notes; the comparison fails on any difference not listed.
 */
import type { RouteDifference } from './istiod-diff.js';

export interface KnownDifference {
  /** Matched against `<where> <path>` of a difference. */
  pattern: RegExp;
  reason: string;
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [];

export function knownDifference(d: RouteDifference): KnownDifference | null {
  const key = `${d.where} ${d.path}`;
  return KNOWN_DIFFERENCES.find((k) => k.pattern.test(key)) ?? null;
}
