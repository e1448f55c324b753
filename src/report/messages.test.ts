import { describe, expect, it } from 'vitest';
import type { StepResult } from '../model/results.js';
import {
  expectationMessage,
  formatPodCounts,
  gateMessage,
  interruptedExpectationMessage,
  runMessage,
  stepMessage,
} from './messages.js';

const who = { user: 'jason', path: '/productpage' };

describe('result messages', () => {
  it('names the pods behind an expectation that did not pass, and why it stopped', () => {
    const base = {
      who,
      explanations: ['v3 share is below its expected 20%'],
      stoppedAfterErrors: 0,
      pods: { 'reviews-v1-a': 3, 'reviews-v3-b': 9 },
    };
    expect(expectationMessage({ ...base, outcome: 'passed' })).toBe(
      'jason GET /productpage: v3 share is below its expected 20%',
    );
    expect(expectationMessage({ ...base, outcome: 'inconclusive', stoppedAfterErrors: 6 })).toBe(
      'jason GET /productpage: v3 share is below its expected 20% (stopped after 6 errors: ' +
        'the error gate can no longer pass); served by reviews-v3-b ×9, reviews-v1-a ×3',
    );
    expect(
      expectationMessage({
        ...base,
        outcome: 'passed',
        explanations: ['every share within ±10 points'],
        window: { from: 1250, to: 3400 },
      }),
    ).toBe(
      'jason GET /productpage: every share within ±10 points; ' +
        'the pass rests on the answers sent from 1.25 s to 3.40 s: their average split was within the band',
    );
  });

  it('lists at most the pods asked for, most frequent first', () => {
    expect(formatPodCounts({ a: 1, b: 5, c: 5 }, 2)).toBe('b ×5, c ×5 and 1 more');
  });

  it('says what did not pass in a failed step, gates after expectations', () => {
    const e = { ...who, expected: {}, observed: {}, intervals: {}, requests: 1, pods: {} };
    const gate = { name: 'maxErrorRate', version: 'v3', limit: 0.01, observed: 0.06, outcome: 'failed' as const };
    expect(gateMessage(gate)).toBe('gate maxErrorRate for v3 failed: observed 6% against a limit of 1%');
    expect(
      stepMessage(
        'canary',
        'failed',
        [
          { ...e, outcome: 'passed', message: 'fine' },
          { ...e, outcome: 'failed', message: 'off' },
        ],
        [gate],
      ),
    ).toBe('step canary failed: off; gate maxErrorRate for v3 failed: observed 6% against a limit of 1%');
  });

  it('tells an interrupted expectation that never sent a request from one stopped before its verdict', () => {
    expect(interruptedExpectationMessage({ ...who, requests: 0 }, 'SIGINT')).toBe(
      'jason GET /productpage: not run: interrupted by SIGINT',
    );
    expect(interruptedExpectationMessage({ ...who, requests: 12 }, 'SIGINT')).toBe(
      'jason GET /productpage: interrupted by SIGINT after 12 verification requests, before a verdict',
    );
  });

  it('keeps a failure whose message is empty a failure', () => {
    expect(runMessage('', 2, null)).toBe('');
    expect(runMessage(null, 2, null)).toBe('all 2 steps passed');
    const rollback = { outcome: 'passed' } as StepResult;
    expect(runMessage('step b failed', 2, rollback)).toBe('step b failed — rollback passed');
  });
});
