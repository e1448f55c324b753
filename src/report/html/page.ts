/**
 * index.html: one self-contained page (inline CSS and SVG, no script, no external fonts), built
 * from results.json and the request digest. Failing steps come first; a strip at the top shows
 * every step in run order with the rollback where it happened.
 */
import type { RunResults, StepResult } from '../../model/results.js';
import type { RequestDigest } from './digest.js';
import { allowNamespacesText, describePlanError, formatMs, outcomeMark, toleranceText } from '../format.js';
import { isFailure } from '../order.js';
import { renderStepSection, type StepContext } from './step-section.js';
import { esc } from './svg.js';
import { CSS } from './style.js';

export interface PageNotes {
  /** The request log ended in a cut-off line (the run was killed mid-write). */
  truncatedTail?: boolean;
  /** The request log could not be read; charts fall back to results.json alone. */
  requestsUnavailable?: string;
}

export function renderHtml(r: RunResults, digest: RequestDigest, notes: PageNotes = {}): string {
  const entries = stepEntries(r);
  const sections = [...entries.filter((e) => isFailure(e.step)), ...entries.filter((e) => !isFailure(e.step))];
  const tolerance = r.settings?.tolerance ?? 0.1;
  const body = sections
    .map((e) =>
      renderStepSection(e.step, {
        ...e.ctx,
        digest: digest.steps.get(e.step.name),
        tolerance,
        runStartedAt: r.startedAt,
      }),
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`${outcomeMark(r.outcome)} meshproof ${r.plan} — ${r.outcome}`)}</title>
<style>${CSS}</style></head>
<body>
${header(r, digest, notes)}
${timeline(entries)}
<main>
${body || '<p class="note">No step finished.</p>'}
</main>
<footer>meshproof · results.json schema ${r.schemaVersion} · ${esc(r.startedAt)}</footer>
</body></html>
`;
}

interface Entry {
  step: StepResult;
  ctx: Omit<StepContext, 'digest' | 'tolerance'>;
}

function stepEntries(r: RunResults): Entry[] {
  const entries: Entry[] = r.steps.map((s, i) => ({
    step: s,
    ctx: { id: `step-${i + 1}`, position: `step ${i + 1} of ${r.steps.length}` },
  }));
  // The rollback follows the last step that ran, not the steps after it that never did.
  const last = [...entries].reverse().find((e) => e.step.notRun === undefined) ?? entries[entries.length - 1];
  if ((r.rollback || r.rollbackReason) && last)
    last.ctx.rollbackAfter = { reason: r.rollbackReason, rollback: r.rollback };
  if (r.rollback) entries.push({ step: r.rollback, ctx: { id: 'rollback', position: 'rollback' } });
  return entries;
}

function header(r: RunResults, digest: RequestDigest, notes: PageNotes): string {
  const facts: [string, string][] = [
    ['target', `${r.target} — ${r.targetDescription}`],
    ['plan file', r.planFile],
    ['started', r.startedAt],
    ['duration', formatMs(r.durationMs)],
    [
      'requests',
      String(digest.requests || [...r.steps, ...(r.rollback ? [r.rollback] : [])].reduce((a, s) => a + s.requests, 0)),
    ],
    ['seed', String(r.seed)],
  ];
  if (r.settings)
    facts.push(
      ['alpha', String(r.settings.alpha)],
      ['tolerance', toleranceText(r.settings)],
      ['max requests', String(r.settings.maxRequests)],
    );
  if (r.planError) facts.push(['plan-level error', describePlanError(r.planError)]);
  if (r.allowNamespaces) facts.push(['allowNamespaces', allowNamespacesText(r.allowNamespaces, r.beyondFence ?? [])]);
  const warnings = [
    ...(r.partial
      ? ['This is a partial report: the run did not reach its end. It holds the steps finished before it stopped.']
      : []),
    ...(r.interrupted && !r.partial ? ['The run was interrupted.'] : []),
    ...(r.notes ?? []).map((n) => `Not simulated on this target: ${n}`),
    ...(r.reporterErrors ?? []),
    ...(notes.truncatedTail
      ? ['The request log ends in a cut-off line (the run was stopped mid-write); that line is left out.']
      : []),
    ...(notes.requestsUnavailable ? [`Request log unavailable: ${notes.requestsUnavailable}`] : []),
  ];
  const diag = r.diagnostics
    ? `<p class="note">Diagnostics: ${r.diagnostics.files.length} files in <code>${esc(r.diagnostics.dir)}</code></p>`
    : '';
  return `<header class="run ${esc(r.outcome)}">
<h1><span class="badge ${esc(r.outcome)}">${outcomeMark(r.outcome)} ${esc(r.outcome)}</span> ${esc(r.plan)}</h1>
${r.description ? `<p class="description">${esc(r.description)}</p>` : ''}
<p class="message">${esc(r.message)}</p>
<dl>${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
${warnings.map((w) => `<p class="warning">⚠ ${esc(w)}</p>`).join('')}${diag}
</header>`;
}

function timeline(entries: Entry[]): string {
  const chips = entries.map((e) => {
    const rb = e.step.kind === 'rollback';
    return (
      `<a class="chip ${esc(e.step.outcome)}${rb ? ' rollback' : ''}" ` +
      `href="#${esc(e.ctx.id)}">${rb ? '↩ ' : ''}${outcomeMark(e.step.outcome)} ${esc(e.step.name)}</a>`
    );
  });
  return `<nav class="timeline" aria-label="steps in run order">${chips.join('<span class="arrow">→</span>')}</nav>`;
}
