/**
 * Latency by version for one step: a row per version with a strip of sampled verification
 * latencies and the p50 / p90 / p99 marks (exact, from results.json; from the sample when
 * results.json has none). A log scale when latencies span more than a factor of 20.
 */
import type { LatencySummary, StepResult } from '../../model/results.js';
import type { StepDigest } from './digest.js';
import { colorOf, esc, linear, log10Scale, niceTicks, r, type Scale } from './svg.js';

const W = 900;
const ROW_H = 30;
const M = { left: 96, right: 20, top: 8, bottom: 28 };

interface Row {
  key: string;
  sample: number[];
  seen: number;
  p: LatencySummary;
}

export function renderLatencyChart(step: StepResult, digest: StepDigest | undefined): string {
  const rows = rowsOf(step, digest);
  if (!rows.length)
    return `<figure class="chart latency-chart"><p class="empty">No verification latencies recorded.</p></figure>`;
  const all = rows.flatMap((x) => [...x.sample, ...[x.p.p50, x.p.p90, x.p.p99].filter((v): v is number => v !== null)]);
  const lo = Math.max(0.1, Math.min(...all));
  const hi = Math.max(lo * 1.5, ...all);
  const useLog = hi / lo > 20;
  const x = useLog
    ? log10Scale([lo / 1.2, hi * 1.2], [M.left, W - M.right])
    : linear([0, hi * 1.05], [M.left, W - M.right]);
  const height = M.top + rows.length * ROW_H + M.bottom;
  const body =
    rows.map((row, i) => rowSvg(row, i, x)).join('') +
    axis(x, useLog ? [lo / 1.2, hi * 1.2] : [0, hi * 1.05], useLog, height - M.bottom);
  const label = `Latency by version for step ${step.name}`;
  return (
    `<figure class="chart latency-chart"><svg viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" ` +
    `role="img" aria-label="${esc(label)}">${body}</svg><figcaption class="note">dots: ` +
    'a sample of verification requests · marks, tallest to shortest: p50, p90, ' +
    `p99${useLog ? ' · log scale' : ''}</figcaption></figure>`
  );
}

function rowsOf(step: StepResult, digest: StepDigest | undefined): Row[] {
  const keys = new Set([...Object.keys(step.latencyByVersion), ...(digest ? [...digest.latency.keys()] : [])]);
  return [...keys].sort().map((key) => {
    const res = digest?.latency.get(key);
    const sample = res?.values ?? [];
    const given = step.latencyByVersion[key];
    return { key, sample, seen: res?.seen ?? 0, p: given ?? fromSample(sample) };
  });
}

function rowSvg(row: Row, i: number, x: Scale): string {
  const y0 = M.top + i * ROW_H;
  const mid = y0 + ROW_H / 2;
  const c = colorOf(row.key);
  // Golden-ratio jitter: spreads dots vertically, the same way on every render.
  const dots = row.sample
    .map((v, j) => `<circle cx="${r(x(v))}" cy="${r(y0 + 5 + ((j * 0.618034) % 1) * (ROW_H - 10))}" r="1.8"/>`)
    .join('');
  // Shorter marks for higher percentiles, so p50, p90 and p99 stay apart when they crowd.
  const inset = { p50: 2, p90: 6, p99: 9 } as const;
  const marks = (['p50', 'p90', 'p99'] as const)
    .filter((k) => row.p[k] !== null)
    .map(
      (k) =>
        `<g class="mark ${k}"><line x1="${r(x(row.p[k]!))}" x2="${r(x(row.p[k]!))}" y1="${y0 + inset[k]}" ` +
        `y2="${y0 + ROW_H - inset[k]}"/><title>${k} ${Number(row.p[k]!.toFixed(1))}ms</title></g>`,
    )
    .join('');
  const label = `${row.key}${row.seen ? ` (${row.seen})` : ''}`;
  return (
    `<g><line x1="${M.left}" x2="${W - M.right}" y1="${mid}" y2="${mid}" class="grid"/>` +
    `<text x="${M.left - 8}" y="${mid + 4}" text-anchor="end" class="tick">${esc(label)}</text>` +
    `<g fill="${c}" fill-opacity="0.45">${dots}</g>${marks}</g>`
  );
}

function axis(x: Scale, [d0, d1]: [number, number], useLog: boolean, y: number): string {
  const ticks = useLog ? logTicks(d0, d1) : niceTicks(d1, 6);
  const t = ticks.map(
    (v) =>
      `<line x1="${r(x(v))}" x2="${r(x(v))}" y1="${y}" y2="${y + 4}" class="axis"/>` +
      `<text x="${r(x(v))}" y="${y + 16}" text-anchor="middle" class="tick">${v}ms</text>`,
  );
  return `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" class="axis"/>${t.join('')}`;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++)
    for (const m of [1, 3]) {
      const v = m * 10 ** p;
      if (v >= lo && v <= hi) out.push(Number(v.toPrecision(3)));
    }
  return out;
}

function fromSample(sample: number[]): LatencySummary {
  if (!sample.length) return { p50: null, p90: null, p99: null };
  const s = [...sample].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}
