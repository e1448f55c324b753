/**
 * summary.md: fits a GitHub step summary ($GITHUB_STEP_SUMMARY takes at most 1 MiB). A header
 * with plan, target and outcome, an overview row per step, then a section per step — failures
 * first — with expected vs observed, intervals, requests, propagation and gates. Sections that
 * would cross the size limit are left out with a note saying how many.
 */
import { join } from 'node:path';
import type { RunEvent } from '../../model/events.js';
import type { Reporter } from '../reporter.js';
import {
  observedByService,
  type ExpectationResult,
  type Layers,
  type RunResults,
  type StepResult,
} from '../../model/results.js';
import { failureReasons } from '../explain.js';
import {
  allowNamespacesText,
  describePlanError,
  describeWho,
  formatExpected,
  formatInterval,
  formatMs,
  gateLabel,
  gateValue,
  notRunLabel,
  observedShares,
  oneLine,
  outcomeMark,
  percent,
  propagation,
  requestCounts,
  rollbackState,
  routingApisText,
  stepTitle,
  toleranceText,
  versionSharesLine,
} from '../format.js';
import { isFailure, orderFailuresFirst } from '../order.js';
import { writeAtomic } from './write.js';

export const SUMMARY_FILE = 'summary.md';
/** Under GitHub's 1 MiB, with room for what other steps of a job append. */
export const SUMMARY_LIMIT_BYTES = 1_000_000;

export function renderSummary(r: RunResults, limit = SUMMARY_LIMIT_BYTES): string {
  const footer = `\n---\n_Report files: \`results.json\`, \`requests.ndjson\`, \`junit.xml\`, \`index.html\`._\n`;
  const top = header(r);
  // The overview may take up to half of what is left; step sections get the rest.
  const head = top + overview(r, (limit - bytes(top) - bytes(footer)) / 2);
  const sections = orderFailuresFirst(r).map(stepSection);
  let out = head;
  let used = bytes(head) + bytes(footer) + 200; // 200: room for the truncation note
  let shown = 0;
  for (const s of sections) {
    if (used + bytes(s) > limit) break;
    out += s;
    used += bytes(s);
    shown++;
  }
  if (shown < sections.length)
    out +=
      `\n> **${sections.length - shown} of ${sections.length} step sections not shown**: ` +
      `the summary stays under ${Math.floor(limit / 1024)} KiB. Every step is in \`results.json\` and ` +
      '`index.html`.\n';
  return out + footer;
}

function header(r: RunResults): string {
  const lines = [
    `# ${outcomeMark(r.outcome)} meshproof: ${cell(r.plan)} — ` +
      `${r.outcome}${r.partial ? ' (partial: the run did not reach its end)' : ''}`,
    '',
    '| plan | target | outcome | started | duration | seed | alpha | tolerance |',
    '|---|---|---|---|---|---|---|---|',
    `| ${cell(r.plan)} | ${cell(r.target)}: ${cell(r.targetDescription)} | ${outcomeMark(r.outcome)} ${r.outcome} ` +
      `| ${r.startedAt} | ${formatMs(r.durationMs)} | ${r.seed} | ${r.settings?.alpha ?? '–'} ` +
      `| ${r.settings ? toleranceText(r.settings) : '–'} |`,
    '',
    `> ${cell(r.message, 1000)}`,
    '',
    ...(r.planError ? [`**Plan-level error**: ${cell(describePlanError(r.planError), 1000)}.`, ''] : []),
  ];
  if (r.description) lines.splice(1, 0, '', `_${cell(r.description, 1000)}_`);
  if (r.rollback || r.rollbackReason)
    lines.push(
      '**Rollback** ' +
        `${r.rollback ? `${outcomeMark(r.rollback.outcome)} ${rollbackState(r.rollback)}` : 'did not complete'}` +
        `${r.rollbackReason ? ` — because ${cell(r.rollbackReason)}` : ''}` +
        `${r.rollback?.notRun ? ` — ${cell(r.rollback.notRun)}` : ''}`,
      '',
    );
  if (r.allowNamespaces)
    lines.push(`**allowNamespaces**: ${cell(allowNamespacesText(r.allowNamespaces, r.beyondFence ?? []), 4000)}`, '');
  for (const n of (r.notes ?? []).slice(0, 20)) lines.push(`> ⚠ not simulated on this target: ${cell(n)}`, '');
  for (const e of (r.reporterErrors ?? []).slice(0, 20)) lines.push(`> ⚠ ${cell(e)}`, '');
  return lines.join('\n') + '\n';
}

/** One row per step in run order, as many as fit in `budget` bytes. */
function overview(r: RunResults, budget: number): string {
  const all = [...r.steps, ...(r.rollback ? [r.rollback] : [])];
  let out = '| # | step | outcome | requests | propagation | duration | message |\n|---|---|---|---|---|---|---|\n';
  for (const [i, s] of all.entries()) {
    const name = s.kind === 'rollback' ? `↩ ${stepTitle(s)}` : s.name;
    const row =
      `| ${i + 1} | ${cell(name)} | ${outcomeMark(s.outcome)} ${s.outcome} | ${s.requests} | ${propagation(s)} ` +
      `| ${formatMs(s.durationMs)} | ${cell(s.message, 200)} |\n`;
    if (bytes(out) + bytes(row) > budget - 100) {
      const failing = all.slice(i).filter(isFailure).length;
      return `${out}| … | ${all.length - i} more steps (${failing} not passed): see results.json | | | | | |\n`;
    }
    out += row;
  }
  return out;
}

function stepSection(s: StepResult): string {
  const title = s.kind === 'rollback' ? `↩ ${stepTitle(s)}` : s.name;
  const lines = ['', `## ${outcomeMark(s.outcome)} ${cell(title)} — ${s.outcome}`, ''];
  const reasons = failureReasons(s);
  if (s.notRun !== undefined)
    lines.push(
      `**${s.kind === 'rollback' ? `Rollback ${rollbackState(s)}` : capitalised(notRunLabel(s))}:** ` +
        `${cell(s.notRun, 600)}`,
      '',
    );
  else if (reasons.length) lines.push('**Why:**', ...reasons.map((x) => `- ${cell(x, 600)}`), '');
  const routing = routingApisText(s.routingApis);
  if (s.notRun === undefined)
    lines.push(
      `Propagation ${propagation(s)} · ${requestCounts(s)} · latency p50/p90/p99 ${latency(s)} · ` +
        `${formatMs(s.durationMs)}${routing ? ` · ${routing}` : ''}`,
      '',
    );
  const shares = versionSharesLine(s);
  if (shares) lines.push(`By version (verification answers): ${cell(shares, 600)}`, '');
  if (s.expectations.length) {
    lines.push('| expectation | expected | observed | interval | requests | outcome |', '|---|---|---|---|---|---|');
    for (const e of s.expectations) lines.push(expectationRow(e));
    lines.push('');
  }
  if (s.gates.length) {
    lines.push('| gate | limit | observed | outcome |', '|---|---|---|---|');
    for (const g of s.gates)
      lines.push(
        `| ${cell(gateLabel(g))} | ${gateValue(g, g.limit)} | ${gateValue(g, g.observed)} | ` +
          `${outcomeMark(g.outcome)} ${g.outcome} |`,
      );
    lines.push('');
  }
  if (s.errors.total)
    lines.push(
      `Errors: ${Object.entries(s.errors.byKind)
        .map(([k, n]) => `${cell(k)} ×${n}`)
        .join(', ')}`,
      '',
    );
  if (s.layers) lines.push(...layersTable(s.layers));
  return lines.join('\n') + '\n';
}

function expectationRow(e: ExpectationResult): string {
  const { reviews, ratings } = observedShares(observedByService(e));
  const keys = new Set([
    ...Object.keys(e.expected).filter((k) => k !== 'ratings'),
    ...reviews.filter((x) => x.count).map((x) => x.key),
  ]);
  const observed: string[] = [];
  const intervals: string[] = [];
  for (const k of keys) {
    const o = reviews.find((x) => x.key === k);
    observed.push(`${k} ${percent(o?.share ?? 0)} (${o?.count ?? 0})`);
    const iv = e.intervals[k];
    intervals.push(iv ? `${k} ${formatInterval(iv)}` : `${k} –`);
  }
  for (const g of ratings.filter((x) => x.count)) {
    observed.push(`ratings ${g.key} ${percent(g.share)} (${g.count})`);
    const iv = (e.ratings?.intervals ?? {})[g.key];
    if (iv) intervals.push(`ratings ${g.key} ${formatInterval(iv)}`);
  }
  return (
    `| ${cell(describeWho(e))} | ${cell(formatExpected(e.expected))} | ` +
    `${observed.map((x) => cell(x)).join('<br>')} | ${intervals.join('<br>')} | ${e.requests} | ` +
    `${outcomeMark(e.outcome)} ${e.outcome} |`
  );
}

function layersTable(l: Layers): string[] {
  const hosts = [
    ...new Set([
      ...Object.keys(l.intended.summary),
      ...Object.keys(l.readBack.summary),
      ...Object.keys(l.proxies.summary),
    ]),
  ];
  const lines = [
    '<details><summary>Four layers: intended, read back, proxies, observed</summary>',
    '',
    '| host | intended | read back | proxies |',
    '|---|---|---|---|',
  ];
  const readBack = (h: string) =>
    [l.readBack.summary[h] ?? '–', ...(l.readBack.status?.[h] ?? [])].map((x) => cell(x)).join('<br>');
  for (const h of hosts)
    lines.push(
      `| ${cell(h)} | ${cell(l.intended.summary[h] ?? '–')} | ${readBack(h)} | ` +
        `${cell(l.proxies.summary[h] ?? '–')} |`,
    );
  lines.push('', ...Object.entries(l.observed.summary).map(([k, v]) => `- observed, ${cell(k)}: ${cell(v)}`));
  if (l.disagreements.length) lines.push('', ...l.disagreements.map((d) => `- ⚠ **disagreement**: ${cell(d)}`));
  lines.push('', '</details>', '');
  return lines;
}

function latency(s: StepResult): string {
  const v = (x: number | null): string => (x === null ? '–' : `${Number(x.toFixed(1))}`);
  return `${v(s.latencyMs.p50)}/${v(s.latencyMs.p90)}/${v(s.latencyMs.p99)} ms`;
}

/**
 * Text as text, wherever a line puts it: one line of bounded length, with nothing Markdown would
 * read as markup. Names and descriptions come from the plan, so a step called `# x` or
 * `[docs](javascript:…)` must show as written, never as a heading or a link: entities and HTML
 * are neutralised, inline markup (emphasis, code, links, strikethrough, table pipes) escaped, and
 * a block marker at the start (heading, quote, list item) escaped too.
 */
export function cell(text: string, max = 400): string {
  return oneLine(text, max)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/[\\`*_[\]~|]/g, '\\$&')
    .replace(/^[#+=-]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export class SummaryReporter implements Reporter {
  readonly name = SUMMARY_FILE;
  constructor(private readonly reportDir: string) {}

  async onEvent(e: RunEvent): Promise<void> {
    if (e.type === 'run-end') await writeAtomic(join(this.reportDir, SUMMARY_FILE), renderSummary(e.results));
  }
}
