import { describe, expect, it } from 'vitest';
import { settleDetector } from '../verify/settle-test.js';
import { settleProgressText, settleRefusalText, settleRuleText } from './settle-messages.js';

const opts = { alpha: 0.001, tolerance: 0.1, maxAnswers: 3000 };

/** The rule's words and its progress after `answers`. */
function words(
  next: Record<string, number>,
  previous: Record<string, number> | undefined,
  answers: (string | null)[] = [],
): [string, string] {
  const d = settleDetector(next, previous, opts);
  for (const a of answers) d.observe(a);
  const rule = d.rule.kind === 'refused' ? settleRefusalText(d.rule) : settleRuleText(d.rule);
  return [rule, settleProgressText(d.rule, d.progress())];
}

describe('settling words', () => {
  it('says what each rule waits for and how far it got', () => {
    expect(words({ v1: 100 }, undefined)).toEqual([
      '142 answers in a row from v1 (against any previous split that sent 10% or more elsewhere)',
      'last answer no answer yet; run 0 of 142',
    ]);
    expect(words({ v1: 50, v3: 50 }, { v1: 90, v2: 10 }, ['v1', 'v3', null])).toEqual([
      '142 answers in a row from v1, v3 (the previous split sent 10% elsewhere)',
      'last answer an answer that is no version; run 0 of 142',
    ]);
    expect(words({ v1: 75, v3: 25 }, { v1: 50, v3: 50 }, ['v1'])).toEqual([
      'a sequential test of v1 75%, v3 25% against the previous v1 50%, v3 50% (CUSUM to 14.9)',
      'last answer v1; evidence for the new split 0.4 of 14.9',
    ]);
    expect(words({ v1: 50, v3: 50 }, { v1: 50, v3: 50 }, ['v3'])).toEqual([
      'the previous split is the same: nothing in the answers can change',
      'last answer v3',
    ]);
  });

  it('says why no rule can settle a split over every version', () => {
    expect(words({ v1: 40, v2: 30, v3: 30 }, undefined)[0]).toBe(
      "proxies can't be read, and no earlier step verified this user and path: " +
        'v1 40%, v2 30%, v3 30% routes to every version, ' +
        'so no run of answers can tell it from an earlier split among the same versions',
    );
  });
});
