/**
 * A weighted target share below the tolerance it is decided with: refused (README, "Plans").
 *
 * The check passes once every band edge p ± tolerance is refuted by the evidence; an edge outside
 * [0, 1] needs no refuting. With p < tolerance the lower edge p − tolerance is below 0, so nothing
 * has to show that the version gets any traffic at all: at tolerance 0.1, a 95/5, 98/2 or 99/1
 * target passes every time when the canary gets nothing. p = tolerance is fine: the edge is then
 * exactly 0, refuted only by seeing the version. Only the lower edge needs the rule: a share whose
 * upper edge p + tolerance is past 100 % leaves less than the tolerance to the others, and those of
 * them with a positive share are caught here themselves.
 */
import type { InputIssue } from '../core/errors.js';
import { percent, round } from '../core/numbers.js';
import { effectiveTolerance, smallestShare } from './effective-tolerance.js';
import type { ParsedStep } from './parse-plan.js';
import { expectedSplit, isWeighted, type Expectation, type Settings } from './types.js';
import { planField, type YamlSource } from './yaml-source.js';

/** Below this a share counts as equal to the tolerance (shares are percent, tolerances fractions). */
const EPSILON = 1e-9;

/** The relativeTolerance a message suggests. */
const SUGGESTED_RELATIVE = 0.5;

/** Each positive share of a weighted expectation in `step` that is below its effective tolerance. */
export function smallShareIssues(
  step: ParsedStep,
  settings: Pick<Settings, 'tolerance' | 'relativeTolerance'>,
  source: YamlSource,
): InputIssue[] {
  return (step.raw.expect ?? []).flatMap((e, i) =>
    sharesBelowTolerance(e, settings).map(({ name, share, tolerance }) => {
      const path = [...step.prefix, 'expect', i, e.versions ? 'versions' : 'reviews', name];
      return {
        file: source.file,
        line: source.lineOf(path),
        field: planField(path),
        message: smallShareMessage(name, share, tolerance, smallestShare(e)),
      };
    }),
  );
}

/** The positive shares (fractions) of a weighted expectation below the tolerance it is decided with. */
export function sharesBelowTolerance(
  e: Pick<Expectation, 'reviews' | 'versions'>,
  settings: Pick<Settings, 'tolerance' | 'relativeTolerance'>,
): { name: string; share: number; tolerance: number }[] {
  if (!isWeighted(e)) return [];
  const tolerance = effectiveTolerance(settings, e);
  return Object.entries(expectedSplit(e) ?? {})
    .map(([name, percent]) => ({ name, share: percent / 100, tolerance }))
    .filter(({ share }) => share > 0 && share < tolerance - EPSILON);
}

/** Why a share of `p` at `tolerance` is refused, and what to do, with the figures of this expectation. */
function smallShareMessage(name: string, p: number, tolerance: number, smallest: number): string {
  return (
    `${name}'s target share ${percent(p)} is below the tolerance ${round(tolerance, 6)} it is decided with: ` +
    `the band ${percent(p)} ± ${percent(tolerance)} reaches below 0%, so a ${name} that gets no traffic at all ` +
    `would pass — lower tolerance to ${round(smallest, 6)} or less (or --tolerance), or set relativeTolerance ` +
    `(${SUGGESTED_RELATIVE} decides this expectation at ± ${percent(SUGGESTED_RELATIVE * smallest)})`
  );
}
