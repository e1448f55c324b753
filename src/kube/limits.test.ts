import { describe, expect, it } from 'vitest';
import { objectLimitIssues } from './limits.js';

const vs = (annotations: Record<string, string>, extra = '') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', annotations },
  data: { big: extra },
});

describe('objectLimitIssues', () => {
  it('allows annotations up to 256 KiB in total, keys included', () => {
    expect(objectLimitIssues(vs({ a: 'x'.repeat(256 * 1024 - 1) }))).toEqual([]);
    expect(objectLimitIssues(vs({ ab: 'x'.repeat(256 * 1024 - 1) }))).toEqual([
      {
        path: ['metadata', 'annotations'],
        message: "annotations total 257 KiB, over the API server's limit of 256 KiB",
      },
    ]);
  });

  it('refuses an object over the 3 MiB request limit', () => {
    expect(objectLimitIssues(vs({}, 'x'.repeat(3 * 1024 * 1024)))).toEqual([
      {
        path: [],
        message: expect.stringMatching(
          /^the object is 3073 KiB as JSON, over the API server's request limit of 3072 KiB$/,
        ),
      },
    ]);
  });
});
