import { describe, expect, it } from 'vitest';
import { EnvironmentError, InputError } from '../core/errors.js';
import type { RunEvent } from '../report/events.js';
import { phaseLog, withHint } from './run-plan.js';

describe('what a run reports of a failure and of bringing a target up', () => {
  it('keeps the hint with the message (results.json and the console carry it)', () => {
    expect(withHint(new EnvironmentError('the kwok target cannot serve traffic', { hint: 'use --target kind' }))).toBe('the kwok target cannot serve traffic — hint: use --target kind');
    expect(withHint(new InputError([{ file: 'p.yaml', line: 3, message: 'bad' }]))).toBe('p.yaml:3: bad');
  });

  it('turns each phase of up into log lines, with its outcome and detail', () => {
    const events: RunEvent[] = [];
    const s = phaseLog(async (e) => void events.push(e));
    s.start('install Istio');
    s.info('istioctl x precheck: ok');
    s.end(true, '12.0s');
    s.start('wait for 6 Deployments');
    s.end(false, 'timed out');
    expect(events).toEqual([
      { type: 'log', level: 'info', message: 'install Istio …' },
      { type: 'log', level: 'info', message: 'istioctl x precheck: ok' },
      { type: 'log', level: 'info', message: '✓ install Istio: 12.0s' },
      { type: 'log', level: 'info', message: 'wait for 6 Deployments …' },
      { type: 'log', level: 'error', message: '✗ wait for 6 Deployments: timed out' },
    ]);
  });
});
