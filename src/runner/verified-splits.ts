/**
 * The reviews split each user and path last passed with (`anonymous /productpage`): the "old" split
 * that settling by traffic tells the new one from (src/verify/settle-test.ts). One per run, made by
 * runPlan and shared by its steps and its rollback.
 */
import type { Expectation } from '../plan/types.js';
import type { ExpectationResult } from '../model/results.js';
import type { Split } from '../model/settle-rule.js';

export class VerifiedSplits {
  private readonly byKey = new Map<string, Split>();

  /** The split this user and path last passed with; undefined when unknown. */
  of(exp: Pick<Expectation, 'user' | 'path'>): Split | undefined {
    return this.byKey.get(key(exp));
  }

  /** After a verdict: the split this user and path now pass with, or forget it (unknown after a failure). */
  remember(exp: Pick<Expectation, 'user' | 'path' | 'reviews'>, outcome: ExpectationResult['outcome']): void {
    if (!exp.reviews) return;
    if (outcome === 'passed') this.byKey.set(key(exp), exp.reviews);
    else this.byKey.delete(key(exp));
  }

  /** A step's routes were applied but never seen to settle: what anyone gets now is unknown. */
  forgetAll(): void {
    this.byKey.clear();
  }
}

/** One user on one path. */
function key(exp: Pick<Expectation, 'user' | 'path'>): string {
  return `${exp.user} ${exp.path}`;
}
