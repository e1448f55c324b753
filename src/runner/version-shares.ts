/**
 * Verification answers, errors and degraded pages per version that served them, so a report can
 * say which version a share of bad pages came from. Errors carry no page and so no version: they
 * are counted under `unknown`; a page whose reviews part failed is `unavailable`.
 */
import type { VersionShares } from '../model/results.js';
import { isDegraded, isError, outcomeOf, type KeptRecord } from '../model/record.js';

export function versionShares(records: Iterable<KeptRecord>): Record<string, VersionShares> {
  const out: Record<string, VersionShares> = {};
  for (const r of records) {
    if (r.phase !== 'verify') continue;
    const key = isError(r) ? 'unknown' : (outcomeOf(r) ?? 'unknown');
    const v = (out[key] ??= { requests: 0, errors: 0, degraded: 0 });
    v.requests++;
    if (isError(r)) v.errors++;
    else if (isDegraded(r)) v.degraded++;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
