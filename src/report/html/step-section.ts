/** One step of the HTML report: why it failed, share over time, tables, latency, errors, the four layers. */
import {
  observedByService,
  intervalsByService,
  type ExpectationResult,
  type Layers,
  type StepResult,
} from '../../model/results.js';
import type { StepDigest } from './digest.js';
import { failureReasons } from '../explain.js';
import {
  describeWho,
  formatExpected,
  formatInterval,
  formatMs,
  gateLabel,
  gateValue,
  namedIntervals,
  observedShares,
  outcomeMark,
  percent,
  propagation,
  requestCounts,
  notRunLabel,
  rollbackState,
  routingApisText,
  stepTitle,
} from '../format.js';
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
  /** Set on the step after which the rollback ran (or was meant to). */
  rollbackAfter?: { reason: string | undefined; rollback: StepResult | null };
  /** When the run started (ISO): the share chart's time axis is counted from it. */
  runStartedAt?: string;
}

export function renderStepSection(s: StepResult, c: StepContext): string {
  const title = s.kind === 'rollback' ? `↩ ${stepTitle(s)}` : s.name;
  const reasons = failureReasons(s);
  const head =
    `<section class="step ${esc(s.outcome)}" id="${esc(c.id)}" data-step="${esc(s.name)}" ` +
    `data-outcome="${esc(s.outcome)}">\n` +
    `<h2><span class="badge ${esc(s.outcome)}">${outcomeMark(s.outcome)} ${esc(s.outcome)}</span> ` +
    `${esc(title)} <small>${esc(c.position)}</small></h2>`;
  // A step that never ran has nothing to chart: say why and what it would have checked.
  if (s.notRun !== undefined) {
    const label = notRunLabel(s);
    const what = s.kind === 'rollback' ? `The rollback ${label}` : `${label.charAt(0).toUpperCase()}${label.slice(1)}`;
    return (
      `${head}\n<p class="not-run">${esc(what)}: ${esc(s.notRun)}</p>\n` +
      `${expectationsTable(s.expectations)}\n</section>`
    );
  }
  return [
    head,
    reasons.length ? `<ul class="reasons">${reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '',
    c.rollbackAfter ? rollbackNote(c.rollbackAfter) : '',
    `<p class="facts">Propagation <b>${esc(propagation(s))}</b> · ${esc(requestCounts(s))} · ` +
      `${esc(formatMs(s.durationMs))} · started ${esc(s.startedAt)}` +
      `${s.routingApis?.length ? ` · ${esc(routingApisText(s.routingApis))}` : ''}</p>`,
    '<h3>Share of each version over time</h3>',
    renderShareChart(s, c.digest, c.tolerance, stepStartT(s, c.runStartedAt)),
    expectationsTable(s.expectations),
    gatesTable(s),
    `<div class="pair"><div><h3>Latency by version</h3>${renderLatencyChart(s, c.digest)}</div>` +
      `<div><h3>Errors</h3>${errorsBlock(s)}</div></div>`,
    '<h3>Four layers</h3>',
    layersBlock(s.layers, s.outcome),
    appliedBlock(s),
    '</section>',
  ].join('\n');
}

/** When the step started, in ms since the run started (the unit of the request times); null when unknown. */
function stepStartT(s: StepResult, runStartedAt: string | undefined): number | null {
  const t = Date.parse(s.startedAt) - Date.parse(runStartedAt ?? '');
  return Number.isFinite(t) && t >= 0 ? t : null;
}

function rollbackNote(a: NonNullable<StepContext['rollbackAfter']>): string {
  const why = a.reason ? `: ${esc(a.reason)}` : '';
  if (!a.rollback)
    return `<p class="rollback-note">↩ A rollback was started after this step but did not complete${why}</p>`;
  if (a.rollback.notRun !== undefined)
    return (
      `<p class="rollback-note warning">↩ The rollback ${esc(rollbackState(a.rollback))} after this step: ` +
      `${esc(a.rollback.notRun)}</p>`
    );
  return `<p class="rollback-note">↩ The rollback ran after this step (${esc(a.rollback.outcome)})${why}</p>`;
}

function expectationsTable(exps: ExpectationResult[]): string {
  if (!exps.length) return '';
  const rows = exps.map((e) => {
    const { reviews, ratings } = observedShares(observedByService(e));
    const observed = [
      ...reviews.filter((x) => x.count).map((x) => `${x.key} ${percent(x.share)} (${x.count})`),
      ...ratings.filter((x) => x.count).map((x) => `ratings ${x.key} ${percent(x.share)} (${x.count})`),
    ];
    const intervals = namedIntervals(intervalsByService(e), 'ratings ').map(([k, iv]) => `${k} ${formatInterval(iv)}`);
    const pods = Object.entries(e.pods).map(([p, n]) => `${p} ×${n}`);
    return (
      `<tr class="${esc(e.outcome)}"><td>${esc(describeWho(e))}</td><td>${esc(formatExpected(e.expected))}</td>` +
      `<td>${observed.map(esc).join('<br>') || '–'}</td><td>${intervals.map(esc).join('<br>') || '–'}</td>` +
      `<td class="num">${e.requests}</td><td>${pods.map(esc).join('<br>') || '–'}</td><td>` +
      `<span class="badge ${esc(e.outcome)}">${esc(e.outcome)}</span></td></tr><tr class="msg">` +
      `<td colspan="7">${esc(e.message)}</td></tr>`
    );
  });
  return (
    '<table class="expectations"><thead><tr><th>expectation</th><th>expected</th><th>observed</th>' +
    '<th>interval</th><th>n</th><th>pods</th><th>verdict</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function gatesTable(s: StepResult): string {
  if (!s.gates.length) return '';
  const rows = s.gates.map(
    (g) =>
      `<tr class="${esc(g.outcome)}"><td>${esc(gateLabel(g))}</td>` +
      `<td class="num">${esc(gateValue(g, g.limit))}</td>` +
      `<td class="num">${esc(gateValue(g, g.observed))}</td><td>` +
      `<span class="badge ${esc(g.outcome)}">${esc(g.outcome)}</span></td></tr>`,
  );
  return (
    '<h3>Gates</h3><table class="gates"><thead><tr><th>gate</th><th>limit</th><th>observed</th><th>verdict</th>' +
    `</tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function errorsBlock(s: StepResult): string {
  if (!s.errors.total) return `<p class="ok-note">No errors in ${s.requests} requests.</p>${versionTable(s)}`;
  const bars = (rec: Record<string, number>): string => {
    const max = Math.max(...Object.values(rec), 1);
    return Object.entries(rec)
      .sort((a, b) => b[1] - a[1])
      .map(
        ([k, n]) =>
          `<div class="bar"><span class="label">${esc(k)}</span>` +
          `<span class="fill" style="width:${Math.round((160 * n) / max)}px"></span>` +
          `<span class="num">${n}</span></div>`,
      )
      .join('');
  };
  const pods = Object.keys(s.errors.byPod).length ? `<h4>by pod</h4>${bars(s.errors.byPod)}` : '';
  return (
    `<p>${s.errors.total} of ${s.requests} requests failed ` +
    `(${esc(percent(s.errors.total / Math.max(1, s.requests)))}).</p>` +
    `<h4>by kind</h4>${bars(s.errors.byKind)}${pods}${versionTable(s)}`
  );
}

/** Errors and degraded pages per version that served the verification answers. */
function versionTable(s: StepResult): string {
  const entries = Object.entries(s.byVersion ?? {});
  if (!entries.length) return '';
  const rate = (n: number, of: number): string => `${n} <small>(${esc(percent(n / Math.max(1, of)))})</small>`;
  const rows = entries.map(
    ([k, v]) =>
      `<tr><th>${esc(k)}</th><td class="num">${v.requests}</td>` +
      `<td class="num">${rate(v.errors, v.requests)}</td>` +
      `<td class="num">${rate(v.degraded, v.requests)}</td></tr>`,
  );
  return (
    '<h4>by version</h4><table class="by-version"><thead><tr><th>version</th><th>answers</th><th>errors</th>' +
    `<th>degraded</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function layersBlock(l: Layers | null, outcome: StepResult['outcome']): string {
  if (!l) return `<p class="note">No layer view for this step (it did not get as far as verification).</p>`;
  const hosts = [
    ...new Set([
      ...Object.keys(l.intended.summary),
      ...Object.keys(l.readBack.summary),
      ...Object.keys(l.proxies.summary),
    ]),
  ];
  const observed = Object.entries(l.observed.summary);
  const cell = (h: string, v: string | undefined): string => {
    const differs = v !== undefined && l.intended.summary[h] !== undefined && v !== l.intended.summary[h];
    return `<td class="${differs ? 'disagree' : ''}">${esc(v ?? '–')}</td>`;
  };
  const obsCell =
    `<td rowspan="${Math.max(1, hosts.length)}">` +
    `${observed.map(([k, v]) => `<div><b>${esc(k)}</b>: ${esc(v)}</div>`).join('') || '–'}</td>`;
  const rows = (hosts.length ? hosts : ['–']).map(
    (h, i) =>
      `<tr><th>${esc(h)}</th><td>${esc(l.intended.summary[h] ?? '–')}</td>` +
      `${cell(h, l.readBack.summary[h])}${cell(h, l.proxies.summary[h])}${i === 0 ? obsCell : ''}</tr>`,
  );
  const notes = [l.intended.note, l.readBack.note, l.proxies.note, l.observed.note]
    .filter(Boolean)
    .map((n) => `<p class="note">${esc(n!)}</p>`)
    .join('');
  const pods = l.proxies.pods.length ? `<p class="note">proxies read: ${esc(l.proxies.pods.join(', '))}</p>` : '';
  // Agreement is good news only beside a step that passed; beside a failure it only says where the fault is not.
  const agree =
    outcome === 'passed'
      ? `<p class="ok-note">All four layers agree.</p>`
      : '<p class="note">The four layers agree with each other: ' +
        'the routes applied are the routes the proxies hold and the traffic took. ' +
        "The failure above lies in what the traffic showed against the plan's expectations and gates, " +
        'not in the configuration reaching the proxies.</p>';
  const dis = l.disagreements.length
    ? `<ul class="disagreements">${l.disagreements.map((d) => `<li>⚠ ${esc(d)}</li>`).join('')}</ul>`
    : agree;
  return (
    '<table class="layers"><thead><tr><th>host</th><th>intended (plan)</th><th>read back (cluster)</th>' +
    `<th>proxies</th><th>observed (traffic)</th></tr></thead><tbody>${rows.join('')}</tbody>` +
    `</table>${dis}${notes}${pods}`
  );
}

function appliedBlock(s: StepResult): string {
  if (!s.applied.length) return '';
  const dir = `applied/${safeSegment(s.name, 'step')}`;
  const items = s.applied.map(
    (a, i) =>
      `<li><a href="${esc(`${dir}/${appliedFileName(i + 1, a.ref)}`)}">${esc(a.ref)}</a> — ` +
      `${esc(a.action)}${a.file ? ` <small>from ${esc(a.file)}</small>` : ''}</li>`,
  );
  const summary = `<summary>Applied (${s.applied.length})</summary>`;
  return `<details class="applied">${summary}<ul>${items.join('')}</ul></details>`;
}
