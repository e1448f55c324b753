import { describe, expect, it } from 'vitest';
import { pathSegment } from './path-segment.js';

describe('pathSegment', () => {
  it.each([
    ['../../../../../tmp/x', 'tmp-x'],
    ['a/b c:*?', 'a-b-c'],
    ['..', 'plan'],
    ['.hidden', 'hidden'],
    ['trailing. ', 'trailing'],
    ['tab\there\u0000nul', 'tab-here-nul'],
    ['con', 'con_'],
    ['LPT1.txt', 'LPT1.txt_'],
    ['reviews-canary', 'reviews-canary'],
    ['', 'plan'],
  ])('%j → %j', (name, want) => {
    expect(pathSegment(name, { fallback: 'plan' })).toBe(want);
  });

  it('is bounded and never holds a separator', () => {
    const s = pathSegment(`${'x/'.repeat(500)}end`, { fallback: 'plan', max: 64 });
    expect(s.length).toBeLessThanOrEqual(64);
    expect(s).not.toMatch(/[/\\]/);
  });
});
