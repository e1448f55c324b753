import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('the manual clock', () => {
  it('runs due timers in time order as it advances, with now() at each timer’s due time', () => {
    const c = new ManualClock(1000);
    const seen: [string, number][] = [];
    c.setTimeout(() => seen.push(['b', c.now()]), 20);
    c.setTimeout(() => seen.push(['a', c.now()]), 10);
    const dropped = c.setTimeout(() => seen.push(['x', c.now()]), 15);
    c.clearTimeout(dropped);
    c.advance(15);
    expect(seen).toEqual([['a', 1010]]);
    expect(c.now()).toBe(1015);
    c.advance(5);
    expect(seen).toEqual([
      ['a', 1010],
      ['b', 1020],
    ]);
    expect(c.pending).toBe(0);
  });

  it('runAll runs timers that timers schedule', () => {
    const c = new ManualClock(0);
    let n = 0;
    c.setTimeout(() => c.setTimeout(() => (n = c.now()), 5), 10);
    c.runAll();
    expect(n).toBe(15);
  });
});
