/** One step of the HTML report: why it failed, share over time, tables, latency, errors, the four layers. */
import type { ExpectationResult, Layers, StepResult } from '../results.js';
import type { StepDigest } from './digest.js';
import { failureReasons } from '../explain.js';
import { describeWho, formatExpected, formatInterval, formatMs, gateLabel, gateValue, observedShares, outcomeMark, percent, propagation, requestCounts, routingApisText, stepTitle } from '../format.js';
import { appliedFileName } from '../files/applied-yaml.js';
import { safeSegment } from '../files/write.js';
import { renderShareChart } from './share-chart.js';
import { renderLatencyChart } from './latency-chart.js';
import { esc } from './svg.js';

export interface StepContext {
  id: string;
  /** `step 2 of 4` or `rollback`. */
  position: string;
  digest: StepDigest | undefined;
  tolerance: number;
  /** Set on the step after which the rollback ran. */
  rollbackAfter?: { reason: string | undefined; outcome: string };
}

export function renderStepSection(s: StepResult, c: StepContext): string {
  const title = s.kind === 'rollback' ? `↩ ${stepTitle(s)}` : s.name;
  const reasons = failureReasons(s);
  return `<section class="step ${esc(s.outcome)}" id="${esc(c.id)}" data-step="${esc(s.name)}" data-outcome="${esc(s.outcome)}">
<h2><span class="badge ${esc(s.outcome)}">${outcomeMark(s.outcome)} ${esc(s.outcome)}</span> ${esc(title)} <small>${esc(c.position)}</small></h2>
${reasons.length ? `<ul class="reasons">${reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
${c.rollbackAfter ? `<p class="rollback-note">↩ The rollback ran after this step (${esc(c.rollbackAfter.outcome)})${c.rollbackAfter.reason ? `: ${esc(c.rollbackAfter.reason)}` : ''}</p>` : ''}
<p class="facts">Propagation <b>${esc(propagation(s))}</b> · ${esc(requestCounts(s))} · ${esc(formatMs(s.durationMs))} · started ${esc(s.startedAt)}${s.routingApis?.length ? ` · ${esc(routingApisText(s.routingApis))}` : ''}</p>
<h3>Share of each version over time</h3>
${renderShareChart(s, c.digest, c.tolerance)}
${expectationsTable(s.expectations)}
${gatesTable(s)}
<div class="pair"><div><h3>Latency by version</h3>${renderLatencyChart(s, c.digest)}</div><div><h3>Errors</h3>${errorsBlock(s)}</div></div>
<h3>Four layers</h3>
${layersBlock(s.layers)}
${appliedBlock(s)}
</section>`;
}

function expectationsTable(exps: ExpectationResult[]): string {
  if (!exps.length) return '';
  const rows = exps.map((e) => {
    const { reviews, ratings } = observedShares(e.observed);
    const observed = [...reviews.filter((x) => x.count).map((x) => `${x.key} ${percent(x.share)} (${x.count})`), ...ratings.filter((x) => x.count).map((x) => `ratings ${x.key} ${percent(x.share)} (${x.count})`)];
    const intervals = Object.entries(e.intervals).map(([k, iv]) => `${k.replace(/^ratings:/, 'ratings ')} ${formatInterval(iv)}`);
    const pods = Object.entries(e.pods).map(([p, n]) => `${p} ×${n}`);
    return `<tr class="${esc(e.outcome)}"><td>${esc(describeWho(e))}</td><td>${esc(formatExpected(e.expected))}</td><td>${observed.map(esc).join('<br>') || '–'}</td><td>${intervals.map(esc).join('<br>') || '–'}</td><td class="num">${e.requests}</td><td>${pods.map(esc).join('<br>') || '–'}</td><td><span class="badge ${esc(e.outcome)}">${esc(e.outcome)}</span></td></tr><tr class="msg"><td colspan="7">${esc(e.message)}</td></tr>`;
  });
  return `<table class="expectations"><thead><tr><th>expectation</th><th>expected</th><th>observed</th><th>interval</th><th>n</th><th>pods</th><th>verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function gatesTable(s: StepResult): string {
  if (!s.gates.length) return '';
  const rows = s.gates.map((g) => `<tr class="${esc(g.outcome)}"><td>${esc(gateLabel(g))}</td><td class="num">${esc(gateValue(g, g.limit))}</td><td class="num">${esc(gateValue(g, g.observed))}</td><td><span class="badge ${esc(g.outcome)}">${esc(g.outcome)}</span></td></tr>`);
  return `<h3>Gates</h3><table class="gates"><thead><tr><th>gate</th><th>limit</th><th>observed</th><th>verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function errorsBlock(s: StepResult): string {
  if (!s.errors.total) return `<p class="ok-note">No errors in ${s.requests} requests.</p>`;
  const bars = (rec: Record<string, number>): string => {
    const max = Math.max(...Object.values(rec), 1);
    return Object.entries(rec)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `<div class="bar"><span class="label">${esc(k)}</span><span class="fill" style="width:${Math.round((160 * n) / max)}px"></span><span class="num">${n}</span></div>`)
      .join('');
  };
  const pods = Object.keys(s.errors.byPod).length ? `<h4>by pod</h4>${bars(s.errors.byPod)}` : '';
  return `<p>${s.errors.total} of ${s.requests} requests failed (${esc(percent(s.errors.total / Math.max(1, s.requests)))}).</p><h4>by kind</h4>${bars(s.errors.byKind)}${pods}`;
}

function layersBlock(l: Layers | null): string {
  if (!l) return `<p class="note">No layer view for this step (it did not get as far as verification).</p>`;
  const hosts = [...new Set([...Object.keys(l.intended.summary), ...Object.keys(l.readBack.summary), ...Object.keys(l.proxies.summary)])];
  const observed = Object.entries(l.observed.summary);
  const cell = (h: string, v: string | undefined): string => {
    const differs = v !== undefined && l.intended.summary[h] !== undefined && v !== l.intended.summary[h];
    return `<td class="${differs ? 'disagree' : ''}">${esc(v ?? '–')}</td>`;
  };
  const obsCell = `<td rowspan="${Math.max(1, hosts.length)}">${observed.map(([k, v]) => `<div><b>${esc(k)}</b>: ${esc(v)}</div>`).join('') || '–'}</td>`;
  const rows = (hosts.length ? hosts : ['–']).map((h, i) => `<tr><th>${esc(h)}</th><td>${esc(l.intended.summary[h] ?? '–')}</td>${cell(h, l.readBack.summary[h])}${cell(h, l.proxies.summary[h])}${i === 0 ? obsCell : ''}</tr>`);
  const notes = [l.intended.note, l.readBack.note, l.proxies.note, l.observed.note].filter(Boolean).map((n) => `<p class="note">${esc(n!)}</p>`).join('');
  const pods = l.proxies.pods.length ? `<p class="note">proxies read: ${esc(l.proxies.pods.join(', '))}</p>` : '';
  const dis = l.disagreements.length ? `<ul class="disagreements">${l.disagreements.map((d) => `<li>⚠ ${esc(d)}</li>`).join('')}</ul>` : `<p class="ok-note">All four layers agree.</p>`;
  return `<table class="layers"><thead><tr><th>host</th><th>intended (plan)</th><th>read back (cluster)</th><th>proxies</th><th>observed (traffic)</th></tr></thead><tbody>${rows.join('')}</tbody></table>${dis}${notes}${pods}`;
}

function appliedBlock(s: StepResult): string {
  if (!s.applied.length) return '';
  const dir = `applied/${safeSegment(s.name, 'step')}`;
  const items = s.applied.map((a, i) => `<li><a href="${esc(`${dir}/${appliedFileName(i + 1, a.ref)}`)}">${esc(a.ref)}</a> — ${esc(a.action)}${a.file ? ` <small>from ${esc(a.file)}</small>` : ''}</li>`);
  return `<details class="applied"><summary>Applied (${s.applied.length})</summary><ul>${items.join('')}</ul></details>`;
}
