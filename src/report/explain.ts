/**
 * Why a step did not pass, in plain words: one sentence per failed expectation, gate and layer
 * disagreement. The same sentences head the HTML, the Markdown and the console.
 */
import type { ExpectationResult, GateResult, StepResult } from '../model/results.js';
import { describeWho, formatExpected, formatObserved, gateNoun, gateValue, percent } from './format.js';

export function failureReasons(step: StepResult): string[] {
  if (step.outcome === 'passed' || step.outcome === 'skipped') return [];
  const reasons: string[] = [];
  if (step.propagationMs === null && step.expectations.length === 0)
    reasons.push(`The new configuration did not show up in time. ${step.message}`);
  for (const e of step.expectations)
    if (e.outcome !== 'passed' && e.outcome !== 'skipped') reasons.push(expectationReason(e));
  for (const g of step.gates)
    if (g.outcome !== 'passed' && g.outcome !== 'skipped') reasons.push(gateReason(g) + byVersionNote(g, step));
  for (const d of step.layers?.disagreements ?? []) reasons.push(`Layers disagree: ${d}.`);
  if (!reasons.length) reasons.push(step.message);
  return reasons;
}

export function expectationReason(e: ExpectationResult): string {
  const who = describeWho(e);
  const saw = `${formatObserved(e)} over ${e.requests} requests`;
  // The verifier's message usually starts with the same `who:`; say it once.
  const why = e.message.startsWith(`${who}:`) ? e.message.slice(who.length + 1).trim() : e.message;
  const tail = why ? ` — ${why.replace(/\.$/, '')}.` : '.';
  if (e.outcome === 'inconclusive')
    return `${who}: no verdict within the request budget; expected ${formatExpected(e.expected)}, saw ${saw}${tail}`;
  if (e.outcome === 'error') return `${who}: could not be verified${tail}`;
  return `${who}: expected ${formatExpected(e.expected)}, saw ${saw}${tail}`;
}

export function gateReason(g: GateResult): string {
  if (g.observed === null)
    return `The ${gateNoun(g)} could not be measured (no verification requests), limit ${gateValue(g, g.limit)}.`;
  return `The ${gateNoun(g)} was ${gateValue(g, g.observed)}, above the limit of ${gateValue(g, g.limit)}.`;
}

/** ` By version: v3 45.8% (113 of 246), v1 0% (0 of 250).` for an overall error or degraded-page gate. */
export function byVersionNote(g: GateResult, step: Pick<StepResult, 'byVersion'>): string {
  const field = g.name === 'maxErrorRate' ? 'errors' : g.name === 'maxDegradedRate' ? 'degraded' : null;
  if (!field || g.version || !step.byVersion) return '';
  const parts = Object.entries(step.byVersion)
    .filter(([, v]) => v.requests > 0)
    .sort(([, a], [, b]) => b[field] / b.requests - a[field] / a.requests)
    .map(([k, v]) => `${k} ${percent(v[field] / v.requests)} (${v[field]} of ${v.requests})`);
  return parts.length ? ` By version: ${parts.join(', ')}.` : '';
}
