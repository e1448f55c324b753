import ms from 'ms';

/** A duration as plans write it: `60s`, `500ms`, `2m`, or a number of milliseconds. */
export type Duration = string | number;

export function toMs(d: Duration): number {
  if (typeof d === 'number') return d;
  const v = ms(d as ms.StringValue);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new Error(`not a duration: "${d}" (use e.g. 500ms, 30s, 2m)`);
  return v;
}

export function formatMs(msValue: number): string {
  if (msValue < 1000) return `${Math.round(msValue)}ms`;
  if (msValue < 60_000) return `${(msValue / 1000).toFixed(1)}s`;
  return `${Math.floor(msValue / 60_000)}m${Math.round((msValue % 60_000) / 1000)}s`;
}
