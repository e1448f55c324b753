/**
 * The reviews split each user and path last passed with (`anonymous /productpage`): the "old" split
 * that settling by traffic tells the new one from (src/verify/settle-test.ts). One per run, made by
 * runPlan and shared by its steps and its rollback.
 */
import { expectedSplit, type Expectation } from '../plan/types.js';
import type { ExpectationResult } from '../model/results.js';
import type { Split } from '../model/settle-rule.js';

export class VerifiedSplits {
  private readonly byKey = new Map<string, Split>();
  /** Every split a step of the run expected for a user and path, passed or not: what may still serve. */
  private readonly appliedByKey = new Map<string, Split[]>();

  /** The split this user and path last passed with; undefined when unknown. */
  of(exp: Key): Split | undefined {
    return this.byKey.get(key(exp));
  }

  /** After a verdict: the split this user and path now pass with, or forget it (unknown after a failure). */
  remember(exp: Key & Pick<Expectation, 'reviews' | 'versions'>, outcome: ExpectationResult['outcome']): void {
    const split = expectedSplit(exp);
    if (!split) return;
    if (outcome === 'passed') this.byKey.set(key(exp), split);
    else this.byKey.delete(key(exp));
  }

  /** Before settling a step: its expectations' splits are among what may serve from now on. */
  applied(exps: readonly (Key & Pick<Expectation, 'reviews' | 'versions'>)[]): void {
    for (const exp of exps) {
      const split = expectedSplit(exp);
      if (!split) continue;
      const list = this.appliedByKey.get(key(exp)) ?? [];
      this.appliedByKey.set(key(exp), [...list, split]);
    }
  }

  /** The splits the run applied for this user and path (settle-test.ts uses them when none is known). */
  appliedOf(exp: Key): Split[] {
    return this.appliedByKey.get(key(exp)) ?? [];
  }

  /** A step's routes were applied but never seen to settle: what anyone gets now is unknown. */
  forgetAll(): void {
    this.byKey.clear();
  }
}

type Key = Pick<Expectation, 'user' | 'path' | 'host' | 'headers' | 'versionFrom'>;

/** One user on one path (and host, headers and how the version is read, for a service of the user's). */
function key(exp: Key): string {
  const own = exp.versionFrom
    ? ` ${exp.host ?? ''} ${JSON.stringify(exp.headers ?? {})} ${JSON.stringify(exp.versionFrom)}`
    : '';
  return `${exp.user} ${exp.path}${own}`;
}
