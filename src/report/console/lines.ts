/** The console's permanent lines, one function per kind: the same text on a terminal and in CI. */
import type { RunEvent } from '../../model/events.js';
import type { ExpectationResult, GateResult, RunResults, StepResult } from '../../model/results.js';
import {
  notRunLabel,
  rollbackState,
  describeWho,
  formatExpected,
  formatInterval,
  formatMs,
  formatObserved,
  gateLabel,
  gateValue,
  oneLine,
  stepTitle,
  outcomeMark,
  percent,
  propagation,
} from '../format.js';
import { failureReasons } from '../explain.js';
import type { Style } from './style.js';

type Ev<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

export function runStartLine(e: Ev<'run-start'>): string {
  return `meshproof: plan ${e.plan} on ${e.target}, seed ${e.seed} — ${e.targetDescription}`;
}

export function phaseStartLine(e: Ev<'phase-start'>): string {
  return ` • ${e.phase} …`;
}

/** ` ✓ create kind cluster meshproof: 41.2s`, with what the phase found before its duration. */
export function phaseEndLine(e: Ev<'phase-end'>, s: Style): string {
  const took = formatMs(e.durationMs);
  if (e.ok) return ` ${s.ok('✓')} ${e.phase}: ${e.detail ? `${e.detail}, ` : ''}${took}`;
  return ` ${s.bad('✗')} ${e.phase}: ${e.detail ? `${e.detail} ` : ''}(${took})`;
}

export function stepStartLine(e: Ev<'step-start'>): string {
  return e.kind === 'rollback'
    ? `↩ ${stepTitle({ kind: e.kind, name: e.step })}`
    : `▸ step ${e.index + 1}/${e.total} ${e.step}`;
}

export function appliedLine(e: Ev<'applied'>): string {
  const list = e.objects.map((o) => `${o.ref} (${o.action})`);
  const shown = list.length > 4 ? [...list.slice(0, 4), `${list.length - 4} more`] : list;
  return `  applied ${shown.join(', ')}`;
}

export function settleLine(e: Ev<'settle'>): string | null {
  if (e.state === 'settled') return `  settled after ${formatMs(e.propagationMs ?? 0)} (${e.by})`;
  if (e.state === 'timeout') return `  did not settle (${e.by})${e.observed ? `: ${oneLine(e.observed, 300)}` : ''}`;
  return null;
}

export function verdictLine(r: ExpectationResult, s: Style): string {
  const mark = r.outcome === 'passed' ? s.ok('✓') : s.bad(outcomeMark(r.outcome));
  const head =
    `  ${mark} ${describeWho(r)}: expected ${formatExpected(r.expected)}, observed ${formatObserved(r)}, ` +
    `n=${r.requests} — ${r.outcome}`;
  return r.outcome === 'passed' ? head : `${head}\n    ${oneLine(r.message, 600)}`;
}

export function gateLine(g: GateResult, s: Style): string {
  const mark = g.outcome === 'passed' ? s.ok('✓') : s.bad(outcomeMark(g.outcome));
  return `  ${mark} gate ${gateLabel(g)}: observed ${gateValue(g, g.observed)} — ${g.outcome}`;
}

export function stepEndLines(r: StepResult, s: Style): string[] {
  const title = stepTitle(r);
  if (r.notRun !== undefined)
    return [s.warn(`${outcomeMark(r.outcome)} ${s.bold(title)} ${notRunLabel(r)}: ${oneLine(r.notRun, 600)}`)];
  const ok = r.outcome === 'passed';
  const head =
    `${ok ? s.ok('✓') : s.bad(outcomeMark(r.outcome))} ${s.bold(title)} ` +
    `${ok ? s.ok(r.outcome) : s.bad(r.outcome)} in ${formatMs(r.durationMs)} · ${r.requests} requests · ` +
    `propagation ${propagation(r)}`;
  return [head, ...failureReasons(r).map((x) => `    ${oneLine(x, 600)}`)];
}

export function rollbackLine(e: Ev<'rollback'>, s: Style): string {
  return s.warn(`↩ rolling back: ${oneLine(e.reason, 400)}`);
}

export function diagnosticsLine(e: Ev<'diagnostics'>): string {
  return `  diagnostics: ${e.files.length} files in ${e.dir}`;
}

export function logLine(e: Ev<'log'>, s: Style): string {
  if (e.level === 'info') return `  ${e.message}`;
  return e.level === 'warn' ? s.warn(`warning: ${e.message}`) : s.bad(`error: ${e.message}`);
}

/** `v1 78.1% [71–84%] · v3 21.9% [16–29%]` from a progress event. */
export function intervalsText(counts: Record<string, number>, intervals: Record<string, [number, number]>): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${percent(total ? n / total : 0)}${intervals[k] ? ` ${formatInterval(intervals[k])}` : ''}`)
    .join(' · ');
}

export function progressLine(e: Ev<'progress'>): string {
  return `  … expectation ${e.expectation + 1}: n=${e.n} ${intervalsText(e.counts, e.intervals)}`;
}

export function summaryLines(r: RunResults, reportDir: string | null, s: Style): string[] {
  const passed = r.steps.filter((x) => x.outcome === 'passed').length;
  const skipped = r.steps.filter((x) => x.outcome === 'skipped').length;
  const paint = r.outcome === 'passed' ? s.ok : s.bad;
  const rollback = r.rollback
    ? `, rollback ${rollbackState(r.rollback)}`
    : r.rollbackReason
      ? ', rollback did not complete'
      : '';
  const lines = [
    '',
    paint(
      `${outcomeMark(r.outcome)} ${r.outcome}: ${r.plan} on ${r.target} — ` +
        `${passed} of ${r.steps.length} steps passed${skipped ? `, ${skipped} not run` : ''}${rollback}, ` +
        `${formatMs(r.durationMs)}`,
    ),
  ];
  if (r.outcome !== 'passed') lines.push(`  ${oneLine(r.message, 600)}`);
  for (const e of r.reporterErrors ?? []) lines.push(s.warn(`  warning: ${e}`));
  if (reportDir) lines.push(`report: ${reportDir}`);
  return lines;
}
