/**
 * Share of each version over a step's time, one panel per expectation: a thin line for the share
 * over a sliding window of requests (shows the switch while settling), a thick line for the
 * cumulative share of the verification evidence (what the test decided on), the target as a
 * dashed line inside its ±tolerance band, the settle point marked, and errors as red ticks. Time
 * runs from the moment the step applied its config, so the wait for it to settle is on the chart.
 */
import { observedByService, type ExpectationResult, type StepResult } from '../../model/results.js';
import type { Bucket, StepDigest } from './digest.js';
import { describeWho, formatInterval, formatMs, observedShares, percent } from '../format.js';
import { colorOf, esc, linear, niceTicks, pathOf, r, type Scale } from './svg.js';

const W = 900;
const PANEL_H = 150;
const M = { left: 46, right: 14, top: 24, bottom: 30 };

/**
 * `appliedT`: when the step started applying (ms since the run started); the time axis starts there, so settling shows.
 */
export function renderShareChart(
  step: StepResult,
  digest: StepDigest | undefined,
  defaultTolerance: number,
  appliedT: number | null = null,
): string {
  const panels = step.expectations.map((e, i) => ({ e, buckets: digest?.byExpectation.get(i)?.buckets ?? [] }));
  if (!digest || !panels.length) {
    const why = !digest ? 'No requests were recorded for this step.' : 'This step has no expectations to chart.';
    return (
      `<figure class="chart share-chart"><svg viewBox="0 0 ${W} 40" width="${W}" height="40" role="img" ` +
      `aria-label="${esc(why)}"><text x="8" y="24" class="empty">${esc(why)}</text></svg></figure>`
    );
  }
  const x0 = appliedT !== null ? Math.min(appliedT, digest.firstT) : digest.firstT;
  const x1 = Math.max(digest.lastT, x0 + 1);
  const height = panels.length * (PANEL_H + M.top + M.bottom);
  const x = linear([x0, x1], [M.left, W - M.right]);
  const body = panels
    .map((p, i) =>
      panel(
        p.e,
        p.buckets,
        x,
        i * (PANEL_H + M.top + M.bottom),
        x0,
        digest,
        step,
        p.e.tolerance ?? defaultTolerance,
        appliedT !== null,
      ),
    )
    .join('');
  const label = `Share of each version over time for step ${step.name}`;
  return (
    `<figure class="chart share-chart"><svg viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" ` +
    `role="img" aria-label="${esc(label)}">${body}</svg>` +
    `${legend(
      step.expectations,
      panels.map((p) => p.buckets),
      defaultTolerance,
    )}</figure>`
  );
}

function panel(
  e: ExpectationResult,
  buckets: Bucket[],
  x: Scale,
  top: number,
  x0: number,
  d: StepDigest,
  step: StepResult,
  tol: number,
  fromApply: boolean,
): string {
  const y = linear([0, 1], [top + M.top + PANEL_H, top + M.top]);
  const targets = targetsOf(e);
  const keys = keysOf(e, buckets);
  const settleX = d.firstVerifyT === null ? null : x(d.firstVerifyT);
  const bandFrom = settleX ?? M.left;
  const parts: string[] = [
    `<text x="${M.left}" y="${top + 16}" class="title">${esc(`${describeWho(e)} — ${e.outcome}`)}</text>`,
  ];
  parts.push(axes(x, y, top, x0, d.lastT));
  for (const k of keys) {
    const t = targets[k];
    if (t === undefined) continue;
    const c = colorOf(k);
    const lo = Math.max(0, t - tol);
    const hi = Math.min(1, t + tol);
    parts.push(
      `<rect x="${r(bandFrom)}" y="${r(y(hi))}" width="${r(W - M.right - bandFrom)}" ` +
        `height="${r(y(lo) - y(hi))}" fill="${c}" fill-opacity="0.12">` +
        `<title>${esc(`${k}: target ${percent(t)} ± ${percent(tol)}`)}</title></rect>`,
    );
    parts.push(
      `<line x1="${r(bandFrom)}" x2="${W - M.right}" y1="${r(y(t))}" y2="${r(y(t))}" stroke="${c}" ` +
        'stroke-dasharray="5 4" stroke-width="1.2"/>',
    );
  }
  const window = windowSize(buckets);
  for (const k of keys) {
    const c = colorOf(k);
    const rolling = rollingShare(buckets, k, window).map(([t, s]) => [x(t), y(s)] as [number, number]);
    const cumulative = cumulativeShare(buckets, k).map(([t, s]) => [x(t), y(s)] as [number, number]);
    if (rolling.length > 1)
      parts.push(
        `<path d="${pathOf(rolling)}" fill="none" stroke="${c}" stroke-width="1" stroke-opacity="0.55">` +
          `<title>${esc(`${k}: share over the last ${window} requests`)}</title></path>`,
      );
    if (cumulative.length)
      parts.push(
        `<path d="${pathOf(cumulative.length === 1 ? [cumulative[0]!, cumulative[0]!] : cumulative)}" ` +
          `fill="none" stroke="${c}" stroke-width="2.4" stroke-linecap="round">` +
          `<title>${esc(`${k}: cumulative share of the verification requests`)}</title></path>`,
      );
  }
  parts.push(errorTicks(buckets, x, top));
  if (fromApply)
    parts.push(`<g class="applied-mark"><text x="${r(x(x0) + 4)}" y="${top + M.top + PANEL_H - 6}">applied</text></g>`);
  if (settleX !== null) parts.push(settleMarker(settleX, top, step));
  return `<g class="panel">${parts.join('')}</g>`;
}

function axes(x: Scale, y: Scale, top: number, x0: number, x1: number): string {
  const out: string[] = [];
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${r(y(v))}" y2="${r(y(v))}" class="grid"/>`);
    out.push(`<text x="${M.left - 6}" y="${r(y(v) + 4)}" class="tick" text-anchor="end">${v * 100}%</text>`);
  }
  const base = top + M.top + PANEL_H;
  for (const s of niceTicks((x1 - x0) / 1000, 6)) {
    const px = x(x0 + s * 1000);
    out.push(
      `<line x1="${r(px)}" x2="${r(px)}" y1="${base}" y2="${base + 4}" class="axis"/>` +
        `<text x="${r(px)}" y="${base + 16}" class="tick" text-anchor="middle">${s}s</text>`,
    );
  }
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${base}" y2="${base}" class="axis"/>`);
  return out.join('');
}

function settleMarker(px: number, top: number, step: StepResult): string {
  const label = step.propagationMs === null ? 'verification starts' : `settled after ${formatMs(step.propagationMs)}`;
  return (
    `<g class="settle"><line x1="${r(px)}" x2="${r(px)}" y1="${top + M.top}" y2="${top + M.top + PANEL_H}"/>` +
    `<text x="${r(px + 4)}" y="${top + M.top + 12}">${esc(label)}</text></g>`
  );
}

function errorTicks(buckets: Bucket[], x: Scale, top: number): string {
  const base = top + M.top + PANEL_H;
  const ticks = buckets
    .filter((b) => b.errors > 0)
    .map(
      (b) =>
        `<rect x="${r(x(b.t1) - 1)}" y="${r(base - 3 - 14 * (b.errors / b.n))}" width="2" ` +
        `height="${r(3 + 14 * (b.errors / b.n))}"><title>${b.errors} of ${b.n} requests failed</title></rect>`,
    );
  return ticks.length ? `<g class="errors">${ticks.join('')}</g>` : '';
}

/** Expected shares as fractions; an outcome the plan did not name is expected at 0 when the plan names shares. */
function targetsOf(e: ExpectationResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(e.expected)) if (typeof v === 'number') out[k] = v / 100;
  if (!Object.keys(out).length) return out;
  for (const s of observedShares(observedByService(e)).reviews) out[s.key] ??= 0;
  return out;
}

function keysOf(e: ExpectationResult, buckets: Bucket[]): string[] {
  const keys = new Set(
    Object.entries(e.expected)
      .filter(([, v]) => typeof v === 'number')
      .map(([k]) => k),
  );
  for (const b of buckets) for (const k of Object.keys(b.counts)) keys.add(k);
  return [...keys].sort();
}

/** Sliding window in requests: about a fifteenth of the series, at least 5, at most 200. */
function windowSize(buckets: Bucket[]): number {
  const n = buckets.reduce((a, b) => a + b.n - b.errors, 0);
  return Math.min(200, Math.max(5, Math.round(n / 15)));
}

function rollingShare(buckets: Bucket[], key: string, window: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < buckets.length; j++) {
    let n = 0;
    let hit = 0;
    for (let i = j; i >= 0 && n < window; i--) {
      const b = buckets[i]!;
      n += b.n - b.errors;
      hit += b.counts[key] ?? 0;
    }
    if (n >= Math.min(window, 3)) out.push([buckets[j]!.t1, hit / n]);
  }
  return out;
}

function cumulativeShare(buckets: Bucket[], key: string): [number, number][] {
  const out: [number, number][] = [];
  let n = 0;
  let hit = 0;
  for (const b of buckets) {
    if (!b.verify) continue;
    n += b.n - b.errors;
    hit += b.counts[key] ?? 0;
    if (n) out.push([b.t1, hit / n]);
  }
  return out;
}

function legend(exps: ExpectationResult[], series: Bucket[][], defaultTolerance: number): string {
  const rows = exps.map((e, i) => {
    const targets = targetsOf(e);
    const { reviews } = observedShares(observedByService(e));
    const items = keysOf(e, series[i] ?? []).map((k) => {
      const seen = reviews.find((s) => s.key === k);
      const t = targets[k];
      const iv = e.intervals[k];
      const target = t === undefined ? '' : ` target ${percent(t)} ± ${percent(e.tolerance ?? defaultTolerance)},`;
      return (
        `<span class="key"><i style="background:${colorOf(k)}"></i>` +
        `${esc(k)}:${esc(target)} observed ${esc(percent(seen?.share ?? 0))}` +
        `${iv ? ` ${esc(formatInterval(iv))}` : ''}</span>`
      );
    });
    return `<div class="legend-row"><b>${esc(describeWho(e))}</b> ${items.join(' ')}</div>`;
  });
  return (
    `<figcaption>${rows.join('')}<div class="legend-row note">thin: ` +
    'share over a sliding window of requests · thick: ' +
    'cumulative share of the verification requests · dashed: target, shaded: ± tolerance · red ticks: ' +
    'errors</div></figcaption>'
  );
}
