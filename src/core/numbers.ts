/** Numbers as meshproof writes them: rounded for records, shares as percentages for people. */

/** Two decimals (or `digits`), for latencies, times and weights kept in records. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** `80%`, `0.4%`, `99.95%`: as few digits as tell the number apart from its neighbours. */
export function percent(fraction: number): string {
  const p = fraction * 100;
  if (p === 0 || p === 100) return `${p}%`;
  const digits = Math.abs(p) >= 1 ? 1 : 2;
  return `${Number(p.toFixed(digits))}%`;
}
