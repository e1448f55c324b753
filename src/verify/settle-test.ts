/**
 * Settling by traffic, where proxies can't be read: when do answers show that the new routes took
 * effect? Settling wrongly (while the old routes still serve) makes the verdict that follows judge
 * the old config; so each rule below bounds P(settled while every answer still comes from the old
 * split) by alpha_s, and which rule applies depends on how old and new splits differ.
 *
 * - The old split puts a share w > 0 on outcomes the new one never routes to: a run of r answers
 *   all inside the new support has probability ≤ (1 − w)^r under the old split from any one start.
 *   The config may land late, after any number of old answers, and a run may start at each of them:
 *   a union over the at most M starts bounds P(some run of r among M old answers) by M·(1 − w)^r, so
 *   r = max(10, ceil(ln(alpha_s / M) / ln(1 − w))) such answers, every new outcome among them,
 *   settle (the bound for one start alone grew like D·w·(1 − w)^r with the switch D answers late:
 *   50/50 → v3 failed 62.6 % of steps at D = 2000). The longer run is paid after the switch only.
 *   (A run also bounds what is still old: a share f of old traffic breaks it with rate f·w.)
 * - The old split routes only to outcomes the new one also routes to (50/50 → 75/25): no run of
 *   answers tells them apart. A sequential test of new against old decides instead: the CUSUM
 *   W_n = max(0, W_{n−1} + ln(new(x)/old(x))) settles once W_n ≥ h. Each restart k of the CUSUM is
 *   a likelihood ratio of new against old from answer k on, a mean-1 martingale under the old
 *   split, so by Ville's inequality and a union over the at most M restarts, P(W ever reaches h
 *   within M answers | old) ≤ M·e^−h = alpha_s with h = ln(M/alpha_s). The reset makes it quick
 *   after a late switch (old answers do not pile up evidence the new answers must first undo).
 *   An outcome the old split never routes to settles at once (its ratio is infinite).
 * - Old and new are the same split: nothing in the answers can change; settled at once.
 * - The old split is unknown (no earlier step verified this user and path): a run is still sound
 *   for a new target that leaves some version out, against any old split putting at least w on
 *   the versions left out, with w = tol or less where a split this run applied for the same user and
 *   path (`applied`: a step that failed before its routes were seen, say 95/5) put less there: the
 *   old routes may be any of them (a rollback after a failed 95/5 step settled on the 95/5 routes
 *   51 % of the time with the switch 500 answers late when w was tol and one window was counted).
 *   A new target routing to every version can't be told from an old one inside the same versions
 *   by any amount of traffic, so the fallback is refused with the reason.
 */

import type { RunBasis, SettleProgress, SettleRule, Split } from '../model/settle-rule.js';

export type { SettleRule } from '../model/settle-rule.js';

export const VERSIONS = ['v1', 'v2', 'v3'] as const;

/** Consecutive consistent answers the run rule never goes below (the run used before it bounded anything). */
export const MIN_RUN = 10;

export interface SettleOptions {
  /** Bound on P(settled while the old split still serves every answer). */
  alpha: number;
  tolerance: number;
  /** The most answers settling may look at (the CUSUM's and the run's union bounds are over these). */
  maxAnswers: number;
  /** Splits this run applied for the same user and path, any of which may still serve when none is known. */
  applied?: Split[];
}

export interface SettleDetector {
  readonly rule: SettleRule;
  /** One answer's reviews outcome, or null for an answer that is no version (error, unreadable). */
  observe(outcome: string | null): void;
  settled(): boolean;
  /** What was last seen, for the timeout message. */
  progress(): SettleProgress;
}

/** Splits in percent by outcome (`{ v1: 50, v3: 50 }`). */
export function settleRule(next: Split, previous: Split | undefined, opts: SettleOptions): SettleRule {
  const support = positive(next);
  const share = (split: Split, names: string[]) => names.reduce((s, k) => s + (split[k] ?? 0), 0) / total(split);
  const run = (w: number, basis: RunBasis): SettleRule => {
    const length = Math.max(MIN_RUN, Math.ceil(Math.log(opts.alpha / opts.maxAnswers) / Math.log(1 - w) - 1e-12));
    return { kind: 'run', length, support, basis };
  };
  if (previous) {
    const outside = share(
      previous,
      positive(previous).filter((k) => !support.includes(k)),
    );
    if (outside > 0) return run(Math.min(outside, 1 - 1e-12), { kind: 'previous', share: outside });
    if (sameSplit(next, previous)) return { kind: 'same' };
    return { kind: 'cusum', threshold: Math.log(opts.maxAnswers / opts.alpha), next, previous };
  }
  if (support.some((k) => !(VERSIONS as readonly string[]).includes(k)) || VERSIONS.some((v) => !support.includes(v))) {
    const least = Math.min(
      opts.tolerance,
      ...(opts.applied ?? [])
        .map((a) =>
          share(
            a,
            positive(a).filter((k) => !support.includes(k)),
          ),
        )
        .filter((w) => w > 0),
    );
    return run(least, {
      kind: 'unknown-previous',
      tolerance: opts.tolerance,
      share: least,
      applied: least < opts.tolerance,
    });
  }
  return { kind: 'refused', next };
}

export function settleDetector(next: Split, previous: Split | undefined, opts: SettleOptions): SettleDetector {
  const rule = settleRule(next, previous, opts);
  const support = new Set(positive(next));
  let last: string | null | undefined;
  let done = rule.kind === 'same';
  let runLength = 0;
  const seen = new Set<string>();
  let w = 0;
  const nt = total(next);
  const pt = previous ? total(previous) : 1;
  return {
    rule,
    observe(outcome) {
      last = outcome;
      if (done || rule.kind === 'refused' || rule.kind === 'same') return;
      if (rule.kind === 'run') {
        if (outcome !== null && support.has(outcome)) {
          runLength++;
          seen.add(outcome);
        } else {
          runLength = 0;
          seen.clear();
        }
        done = runLength >= rule.length && seen.size === support.size;
        return;
      }
      if (outcome === null) return;
      const a = (next[outcome] ?? 0) / nt;
      const b = (previous![outcome] ?? 0) / pt;
      if (a === 0 && b === 0) return;
      w = Math.max(0, w + (b === 0 ? Infinity : a === 0 ? -Infinity : Math.log(a / b)));
      done = w >= rule.threshold;
    },
    settled: () => done,
    progress: () => ({ last, run: runLength, evidence: w }),
  };
}

function positive(split: Split): string[] {
  return Object.keys(split).filter((k) => split[k]! > 0);
}

function total(split: Split): number {
  return Object.values(split).reduce((a, b) => a + b, 0);
}

function sameSplit(a: Split, b: Split): boolean {
  const ta = total(a);
  const tb = total(b);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].every(
    (k) => Math.abs((a[k] ?? 0) / ta - (b[k] ?? 0) / tb) < 1e-9,
  );
}
