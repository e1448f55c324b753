/** The words for settling by traffic: the rule verify/settle-test.ts chose, and what it has seen. */
import type { SettleProgress, SettleRule, Split } from '../model/settle-rule.js';
import { points } from './format.js';

/**
 * What settling waits for: `66 answers in a row from v1 (against any previous split that sent 10% or more elsewhere)`.
 */
export function settleRuleText(rule: Exclude<SettleRule, { kind: 'refused' }>): string {
  if (rule.kind === 'same') return 'the previous split is the same: nothing in the answers can change';
  if (rule.kind === 'cusum')
    return (
      `a sequential test of ${formatSplit(rule.next)} against the previous ${formatSplit(rule.previous)} ` +
      `(CUSUM to ${rule.threshold.toFixed(1)})`
    );
  const why =
    rule.basis.kind === 'previous'
      ? `the previous split sent ${points(rule.basis.share)}% elsewhere`
      : `against any previous split that sent ${points(rule.basis.share)}% or more elsewhere` +
        (rule.basis.applied ? ', the least a split this run applied did' : '');
  return `${rule.length} answers in a row from ${rule.support.join(', ')} (${why})`;
}

/** Why no rule applies. */
export function settleRefusalText(rule: Extract<SettleRule, { kind: 'refused' }>): string {
  return (
    "proxies can't be read, and no earlier step verified this user and path: " +
    `${formatSplit(rule.next)} routes to every version, ` +
    'so no run of answers can tell it from an earlier split among the same versions'
  );
}

/** `last answer v1; run 12 of 66`, or the CUSUM's evidence so far. */
export function settleProgressText(rule: SettleRule, p: SettleProgress): string {
  const last = `last answer ${p.last === undefined ? 'no answer yet' : (p.last ?? 'an answer that is no version')}`;
  if (rule.kind === 'cusum')
    return `${last}; evidence for the new split ${p.evidence.toFixed(1)} of ${rule.threshold.toFixed(1)}`;
  if (rule.kind === 'run') return `${last}; run ${p.run} of ${rule.length}`;
  return last;
}

/** `v1 50%, v3 50%`: the split's outcomes above 0. */
function formatSplit(split: Split): string {
  return Object.keys(split)
    .filter((k) => split[k]! > 0)
    .map((k) => `${k} ${split[k]}%`)
    .join(', ');
}
