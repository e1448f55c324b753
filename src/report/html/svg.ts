/**
 * The few drawing helpers the report's charts need. Charts are hand-written SVG rather than an
 * inlined charting library: the report needs four simple chart kinds (lines with a band, strips,
 * bars), and static SVG rendered here opens offline with no script at all, prints, and keeps the
 * file small (a charting library would add 100–300 KB of JavaScript to every report and a
 * runtime that can throw in the reader's browser).
 */

/** Escapes text for HTML and SVG content and attribute values. Five characters; no library needed. */
export function esc(s: string | number): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

export type Scale = (v: number) => number;

export function linear(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

export function log10Scale(domain: [number, number], range: [number, number]): Scale {
  const l = linear([Math.log10(Math.max(domain[0], 1e-3)), Math.log10(Math.max(domain[1], 1e-3))], range);
  return (v) => l(Math.log10(Math.max(v, 1e-3)));
}

/** A polyline path through points, rounded to 0.1 px to keep the file small. */
export function pathOf(points: [number, number][]): string {
  return points.map(([x, y], i) => `${i ? 'L' : 'M'}${r(x)} ${r(y)}`).join('');
}

export function r(v: number): number {
  return Math.round(v * 10) / 10;
}

/** About `count` round tick values from 0 to `max` (1, 2 or 5 times a power of ten apart). */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Stable colours per outcome, readable on white and for the common colour-vision deficiencies. */
const COLORS: Record<string, string> = {
  v1: '#1f77b4',
  v2: '#ff7f0e',
  v3: '#9467bd',
  unavailable: '#8c564b',
  unclassified: '#7f7f7f',
  error: '#d62728',
};
const SPARE = ['#17becf', '#bcbd22', '#e377c2', '#2ca02c'];

export function colorOf(key: string): string {
  if (COLORS[key]) return COLORS[key];
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return SPARE[h % SPARE.length]!;
}
