import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.js';
import { createCheck } from './check.js';
import { SequentialCheck } from './sequential-check.js';
import type { Check } from './types.js';
import { checkMessage } from '../report/check-messages.js';

const opts = { alpha: 0.01, tolerance: 0.1, maxRequests: 3000 };

function feed(check: Check, outcomes: Iterable<string>): Check {
  for (const o of outcomes) {
    if (check.verdict() !== null) break;
    check.observe(o);
  }
  return check;
}

function* alternating(a: string, b: string) {
  for (;;) {
    yield a;
    yield b;
  }
}

function* drawn(split: Record<string, number>, seed: number) {
  const rng = seededRandom(seed);
  const names = Object.keys(split);
  for (;;) {
    let u = rng.next() * 100;
    let i = 0;
    while (i < names.length - 1 && u >= split[names[i]!]!) u -= split[names[i++]!]!;
    yield names[i]!;
  }
}

describe('sequential check for weighted targets', () => {
  it('is what createCheck builds for a weighted target', () => {
    expect(createCheck({ v1: 80, v3: 20 }, opts)).toBeInstanceOf(SequentialCheck);
  });

  it('passes a split exactly on target once both band edges are refuted, not before 226 responses', () => {
    const c = feed(createCheck({ v1: 50, v3: 50 }, opts), alternating('v1', 'v3'));
    expect(c.verdict()).toBe('passed');
    // ln(100)/KL(0.5 ‖ 0.6) = 226: no valid test can refute the edge sooner on perfect data.
    expect(c.n).toBeGreaterThanOrEqual(226);
    expect(c.n).toBeLessThan(330);
    expect(c.counts()).toEqual({ v1: c.n / 2, v3: c.n / 2 });
    const iv = c.intervals();
    expect(iv.v1![0]).toBeGreaterThanOrEqual(0.4);
    expect(iv.v1![1]).toBeLessThanOrEqual(0.6);
    expect(checkMessage(c.explanation())).toMatch(
      /^every share within ±10 points after \d+ responses: v1 0\.50 \[0\.4\d, 0\.[56]\d\] \(expected 50%\), v3 0\.50/,
    );
  });

  it('fails a version the target gives 0% once it shows more than misreads explain', () => {
    const c = feed(createCheck({ v1: 80, v3: 20 }, opts), ['v1', 'v3', 'v1', 'v2', 'v1']);
    expect(c.verdict()).toBeNull();
    feed(c, ['v2']);
    expect(c.verdict()).toBe('failed');
    expect(c.n).toBe(6);
    expect(c.counts()).toEqual({ v1: 3, v3: 1, v2: 2 });
    expect(checkMessage(c.explanation())).toBe(
      'v2 seen 2 times in 6 responses after settling, expected 0%: more than misread answers explain ' +
        '(weight 0 is never routed): the target is v1 80%, v3 20%',
    );
  });

  it('fails a version the target gives 0% at its first sighting under strict: true', () => {
    const c = feed(createCheck({ v1: 80, v3: 20 }, { ...opts, strict: true }), ['v1', 'v3', 'v1', 'v2', 'v1']);
    expect(c.verdict()).toBe('failed');
    expect(c.n).toBe(4);
    expect(checkMessage(c.explanation())).toBe(
      'v2 seen 1 time in 4 responses after settling, expected 0% (weight 0 is never routed): ' +
        'the target is v1 80%, v3 20%',
    );
  });

  it('passes a right split with one stray answer, and says so', () => {
    const c = feed(createCheck({ v1: 50, v3: 50 }, opts), ['v2']);
    for (let i = 0; c.verdict() === null; i++) c.observe(i % 2 ? 'v1' : 'v3');
    expect(c.verdict()).toBe('passed');
    expect(checkMessage(c.explanation())).toMatch(/; v2 seen 1 time \(expected 0%\)$/);
  });

  it('holds unknown answers against every edge: a pass needs more evidence, and they never fail a right split', () => {
    const clean = createCheck({ v1: 50, v3: 50 }, opts);
    for (let i = 0; clean.verdict() === null; i++) clean.observe(i % 2 ? 'v1' : 'v3');
    const masked = createCheck({ v1: 50, v3: 50 }, opts);
    for (let i = 0; masked.verdict() === null; i++) {
      if (i % 100 === 0 || i % 100 === 51) masked.observeUnknown();
      else masked.observe(i % 2 ? 'v1' : 'v3');
    }
    expect(masked.verdict()).toBe('passed');
    expect(masked.n).toBeGreaterThan(clean.n);
    // Mid-way, the unknown answers widen both ends of the interval.
    const a = feed(createCheck({ v1: 50, v3: 50 }, opts), ['v1', 'v3', 'v1', 'v3']);
    const b = feed(createCheck({ v1: 50, v3: 50 }, opts), ['v1', 'v3', 'v1', 'v3']);
    b.observeUnknown();
    expect(b.intervals().v1![0]).toBeLessThan(a.intervals().v1![0]!);
    expect(b.intervals().v1![1]).toBeGreaterThan(a.intervals().v1![1]!);
    expect(checkMessage(masked.explanation())).toMatch(/answers with no readable outcome, counted against every test$/);
  });

  it('fails an unexpected non-version outcome too, without blaming routing weights', () => {
    const c = feed(createCheck({ v1: 50, v2: 50 }, opts), ['v1', 'unavailable', 'unavailable']);
    expect(c.verdict()).toBe('failed');
    expect(checkMessage(c.explanation())).toBe(
      'unavailable seen 2 times in 3 responses after settling, expected 0%: more than misread answers explain: ' +
        'the target is v1 50%, v2 50%',
    );
  });

  it('fails quickly when one version never shows', () => {
    const c = feed(
      createCheck({ v1: 50, v3: 50 }, opts),
      (function* () {
        for (;;) yield 'v1';
      })(),
    );
    expect(c.verdict()).toBe('failed');
    // ln(200) / ln(0.59/0.5) ≈ 32 responses of v1 only.
    expect(c.n).toBeLessThan(40);
    // Counts list what was seen; the unseen v3 still gets an interval.
    expect(c.counts()).toEqual({ v1: c.n });
    expect(checkMessage(c.explanation())).toMatch(
      /^v1 share is above its expected 50% after \d+ responses \(alpha 0\.01\)/,
    );
    const iv = c.intervals();
    expect(iv.v1![0]).toBeGreaterThan(0.5);
    expect(iv.v3![1]).toBeLessThan(0.5);
  });

  it('names the share that is off and in which direction', () => {
    const c = feed(createCheck({ v1: 80, v3: 20 }, opts), drawn({ v1: 50, v3: 50 }, 7));
    expect(c.verdict()).toBe('failed');
    expect(checkMessage(c.explanation())).toMatch(
      /^(v1 share is below its expected 80%|v3 share is above its expected 20%)/,
    );
  });

  it('is inconclusive at maxRequests when the split sits between target and edge', () => {
    const c = feed(createCheck({ v1: 50, v3: 50 }, { ...opts, maxRequests: 120 }), drawn({ v1: 55, v3: 45 }, 3));
    expect(c.verdict()).toBe('inconclusive');
    expect(c.n).toBe(120);
    expect(checkMessage(c.explanation())).toMatch(/^no verdict within 120 responses/);
  });

  it('never passes before the exact rule’s 44 responses, which guards outcomes the target leaves out', () => {
    // 95/5 at tolerance 0.2: both edges of each share refute quickly; the floor still holds.
    const c = feed(createCheck({ v1: 95, v3: 5 }, { ...opts, tolerance: 0.2 }), drawn({ v1: 95, v3: 5 }, 11));
    expect(c.verdict()).toBe('passed');
    expect(c.n).toBeGreaterThanOrEqual(Math.ceil(Math.log(0.01) / Math.log(0.8)));
  });

  it('reports what it has so far while undecided', () => {
    const c = feed(createCheck({ v1: 50, v3: 50 }, opts), ['v1', 'v3', 'v1']);
    expect(c.verdict()).toBeNull();
    expect(checkMessage(c.explanation())).toMatch(
      /^3 responses so far: v1 0\.67 \[0\.01, 1\.00\] \(expected 50%\), v3 0\.33 \[0\.00, 0\.99\]/,
    );
  });

  it('ignores responses that arrive after its verdict', () => {
    const c = feed(createCheck({ v1: 50, v3: 50 }, opts), alternating('v1', 'v3'));
    const n = c.n;
    c.observe('v2');
    expect(c.n).toBe(n);
    expect(c.verdict()).toBe('passed');
  });

  it('shows intervals inside the band exactly when it passes and off the target when it fails', () => {
    const splits = [
      [
        { v1: 50, v3: 50 },
        { v1: 50, v3: 50 },
      ],
      [
        { v1: 50, v3: 50 },
        { v1: 62, v3: 38 },
      ],
      [
        { v1: 80, v2: 10, v3: 10 },
        { v1: 80, v2: 10, v3: 10 },
      ],
      [
        { v1: 80, v2: 10, v3: 10 },
        { v1: 70, v2: 20, v3: 10 },
      ],
    ] as const;
    let passes = 0;
    let fails = 0;
    splits.forEach(([expected, truth], k) => {
      for (let seed = 0; seed < 60; seed++) {
        const c = feed(createCheck(expected, opts), drawn(truth, 1000 * k + seed));
        const iv = c.intervals();
        const entries = Object.entries(expected);
        if (c.verdict() === 'passed') {
          passes++;
          for (const [name, p] of entries) {
            expect(iv[name]![0]).toBeGreaterThanOrEqual(p / 100 - 0.1 - 1e-9);
            expect(iv[name]![1]).toBeLessThanOrEqual(p / 100 + 0.1 + 1e-9);
          }
        } else {
          fails++;
          expect(entries.some(([name, p]) => iv[name]![0] >= p / 100 - 1e-9 || iv[name]![1] <= p / 100 + 1e-9)).toBe(
            true,
          );
        }
      }
    });
    expect(passes).toBeGreaterThan(50);
    expect(fails).toBeGreaterThan(50);
  });

  it('keeps intervals up to date incrementally, the same as computed in one go', () => {
    const a = createCheck({ v1: 80, v3: 20 }, opts);
    const b = createCheck({ v1: 80, v3: 20 }, opts);
    const it = drawn({ v1: 80, v3: 20 }, 5);
    for (let i = 0; i < 150; i++) {
      const o = it.next().value!;
      a.observe(o);
      b.observe(o);
      if (i % 25 === 0) a.intervals();
    }
    expect(a.intervals()).toEqual(b.intervals());
  });

  it('rejects targets it cannot test', () => {
    expect(() => createCheck({ v1: 50, v3: 40 }, opts)).toThrow(/sum to 100/);
    expect(() => createCheck({ v1: 110, v3: -10 }, opts)).toThrow(/within 0\.\.100/);
    expect(() => createCheck({ v1: 50, v3: 50 }, { ...opts, alpha: 0 })).toThrow(/alpha/);
    expect(() => createCheck({ v1: 50, v3: 50 }, { ...opts, tolerance: 1 })).toThrow(/tolerance/);
    expect(() => createCheck({}, opts)).toThrow(/at least one/);
  });
});
