import { describe, expect, it } from 'vitest';
import { formatWeights, parseWeights } from './weights-flag.js';

describe('parseWeights', () => {
  it('reads VERSION=PERCENT pairs that sum to 100', () => {
    expect(parseWeights('v1=80,v3=20')).toEqual({ split: { v1: 80, v3: 20 } });
    expect(parseWeights('v1=100')).toEqual({ split: { v1: 100 } });
    expect(parseWeights(' v1=50 , v3=50 ')).toEqual({ split: { v1: 50, v3: 50 } });
  });

  it('leaves out versions at 0 %', () => {
    expect(parseWeights('v1=100,v3=0')).toEqual({ split: { v1: 100 } });
  });

  it.each([
    ['v1=80,v3=30', /sum to 110, not 100/],
    ['v1=80', /sum to 80/],
    ['v1=80,v1=20', /v1 is given twice/],
    ['v1=80;v3=20', /not VERSION=PERCENT/],
    ['v1=-5,v3=105', /not VERSION=PERCENT/],
    ['v1=200', /at most 100/],
    ['v1=50.5,v3=49.5', /not VERSION=PERCENT/],
    ['', /not VERSION=PERCENT/],
    ['v/1=100', /not a version name/],
  ])('refuses %j', (raw, problem) => {
    const r = parseWeights(raw);
    expect('problem' in r && r.problem).toMatch(problem);
  });

  it('writes a split back as the flag takes it', () => {
    expect(formatWeights({ v1: 80, v3: 20 })).toBe('v1=80,v3=20');
  });
});
