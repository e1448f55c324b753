/**
 * The tolerance an expectation is decided with (README, "How a step is decided"). A weighted
 * target's band is p ± tolerance for each share p; where p < tolerance the lower edge is below 0
 * and needs no refuting, so a version that gets nothing passes as readily as one that gets p
 * (small-shares.ts refuses that). `relativeTolerance` scales the band to the target instead:
 * min(tolerance, relativeTolerance × the smallest positive share), so 95/5 at relativeTolerance
 * 0.5 is decided at ±2.5 points. Exact targets (0 % and 100 % only) keep `tolerance`: there it is
 * the misroute share that the clean responses rule out, not a band around a share.
 */
import { expectedSplit, isWeighted, type Expectation, type Settings } from './types.js';

export function effectiveTolerance(
  settings: Pick<Settings, 'tolerance' | 'relativeTolerance'>,
  e: Pick<Expectation, 'reviews' | 'versions'>,
): number {
  const { tolerance, relativeTolerance } = settings;
  if (relativeTolerance === undefined || !isWeighted(e)) return tolerance;
  return Math.min(tolerance, relativeTolerance * smallestShare(e));
}

/** The smallest positive target share of an expectation, as a fraction (1 when it names none). */
export function smallestShare(e: Pick<Expectation, 'reviews' | 'versions'>): number {
  const positive = Object.values(expectedSplit(e) ?? {}).filter((v) => v > 0);
  return positive.length ? Math.min(...positive) / 100 : 1;
}
