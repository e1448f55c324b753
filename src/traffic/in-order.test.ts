import { describe, expect, it } from 'vitest';
import { InOrder } from './in-order.js';

describe('InOrder', () => {
  it('releases answers in send order, holding fast ones behind a slow one', () => {
    const out: string[] = [];
    const q = new InOrder<string>((v, i) => out.push(`${i}:${v}`));
    const [a, b, c] = [q.send(), q.send(), q.send()];
    q.complete(c, 'c');
    q.complete(b, 'b');
    expect(out).toEqual([]);
    expect(q.held).toBe(2);
    q.complete(a, 'a');
    expect(out).toEqual(['0:a', '1:b', '2:c']);
    expect(q.held).toBe(0);
  });

  it('refuses an answer given twice or to a request never sent', () => {
    const q = new InOrder<number>(() => {});
    const i = q.send();
    q.complete(i, 1);
    expect(() => q.complete(i, 1)).toThrow(/completed twice or never sent/);
    expect(() => q.complete(5, 1)).toThrow(/completed twice or never sent/);
  });

  it('counts answers sent and not yet released, and wakes a waiting sender only on a release', async () => {
    const q = new InOrder<string>(() => {});
    const [a, b] = [q.send(), q.send()];
    let woke = 0;
    void q.nextRelease().then(() => woke++);
    q.complete(b, 'b');
    await Promise.resolve();
    expect([q.outstanding, woke]).toEqual([2, 0]);
    q.complete(a, 'a');
    await Promise.resolve();
    expect([q.outstanding, woke]).toEqual([0, 1]);
  });
});
