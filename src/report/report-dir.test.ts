import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReportDir } from './report-dir.js';

describe('createReportDir', () => {
  it('gives runs started in the same millisecond folders of their own', async () => {
    const root = await mkdtemp(join(tmpdir(), 'meshproof-root-'));
    const now = new Date('2026-12-02T13:27:49.123Z');
    const dirs = await Promise.all([1, 2, 3].map(() => createReportDir({ planName: 'canary', root, now })));
    expect(new Set(dirs).size).toBe(3);
    expect((await readdir(root)).sort()).toEqual([
      '2026-12-02T132749.123Z-canary',
      '2026-12-02T132749.123Z-canary-2',
      '2026-12-02T132749.123Z-canary-3',
    ]);
  });

  it('keeps a climbing plan name inside the root', async () => {
    const root = await mkdtemp(join(tmpdir(), 'meshproof-root-'));
    const dir = await createReportDir({ planName: '../../../../../tmp/x', root, now: new Date(0) });
    expect(dir).toBe(join(root, '1970-01-01T000000.000Z-tmp-x'));
  });
});
