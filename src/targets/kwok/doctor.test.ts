import { describe, expect, it } from 'vitest';
import { orphanNote } from './doctor.js';

describe('kwok doctor', () => {
  it('says who left a running control plane behind, and what stops it', () => {
    expect(orphanNote(null)).toBe('');
    expect(
      orphanNote({
        pid: 4242,
        start: '1',
        command: 'meshproof run plans/tutorial.yaml --target kwok',
        since: '2026-12-07T10:00:00.000Z',
        stopsIt: true,
      }),
    ).toBe(
      '; started by pid 4242 (meshproof run plans/tutorial.yaml --target kwok) since 2026-12-07T10:00:00.000Z, ' +
        'which was to stop it at its end and is gone: the next run takes it over and stops it, ' +
        '`meshproof down --target kwok` stops it now',
    );
  });
});
