import { describe, expect, it } from 'vitest';
import { EnvironmentError, InputError } from '../core/errors.js';
import { withHint } from './run-plan.js';

describe('what a run reports of a failure', () => {
  it('keeps the hint with the message (results.json and the console carry it)', () => {
    expect(withHint(new EnvironmentError('the kwok target cannot serve traffic', { hint: 'use --target kind' }))).toBe(
      'the kwok target cannot serve traffic — hint: use --target kind',
    );
    expect(withHint(new InputError([{ file: 'p.yaml', line: 3, message: 'bad' }]))).toBe('p.yaml:3: bad');
  });
});
