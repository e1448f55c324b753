/**
 * junit.xml: one testsuite per step (the rollback too), one testcase per expectation and one per
 * gate. A failure carries expected, observed, intervals and pods. A step that failed with none of
 * its cases failing (it never settled, say) gets one more case, `step <name>`, holding why — so a
 * CI dashboard never shows a failed step as green.
 */
import { join } from 'node:path';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { RunEvent } from '../../model/events.js';
import type { Reporter } from '../reporter.js';
import {
  intervalsByService,
  type ExpectationResult,
  type GateResult,
  type Outcome,
  type RunResults,
  type StepResult,
} from '../../model/results.js';
import {
  describeWho,
  formatExpected,
  formatInterval,
  formatObserved,
  gateLabel,
  gateValue,
  namedIntervals,
  stepTitle,
} from '../format.js';
import { writeAtomic } from './write.js';

export const JUNIT_FILE = 'junit.xml';

interface Case {
  name: string;
  outcome: Outcome;
  message: string;
  detail: string;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/**
 * xmlbuilder2 is loaded when the file is written, at the end of a run: it need not sit in memory while traffic runs.
 */
export async function renderJunit(results: RunResults): Promise<string> {
  const { create } = await import('xmlbuilder2');
  const steps = [...results.steps, ...(results.rollback ? [results.rollback] : [])];
  const suites = steps.map((s) => ({ step: s, cases: stepCases(s) }));
  const total = sum(suites.map((s) => count(s.cases)));
  // Characters XML 1.0 cannot hold (ANSI escapes in a transport error, say) are replaced, not fatal.
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' });
  const root = doc.ele('testsuites', {
    name: `meshproof ${results.plan}`,
    ...attrs(total),
    time: seconds(results.durationMs),
    timestamp: results.startedAt,
  });
  for (const { step, cases } of suites) addSuite(root, results, step, cases);
  return root.end({ prettyPrint: true });
}

function addSuite(root: XMLBuilder, results: RunResults, step: StepResult, cases: Case[]): void {
  const suiteName = stepTitle(step);
  const suite = root.ele('testsuite', {
    name: suiteName,
    ...attrs(count(cases)),
    time: seconds(step.durationMs),
    timestamp: step.startedAt,
    hostname: results.target,
  });
  const props = suite.ele('properties');
  const prop = (name: string, value: string | number | null): void =>
    void props.ele('property', { name, value: String(value ?? '') });
  prop('target', results.targetDescription);
  prop('outcome', step.outcome);
  prop('propagationMs', step.propagationMs);
  prop('requests', step.requests);
  for (const c of cases) {
    const tc = suite.ele('testcase', { classname: `${results.plan}.${suiteName}`, name: c.name });
    if (c.outcome === 'passed') tc.ele('system-out').txt(c.detail);
    else if (c.outcome === 'skipped') tc.ele('skipped', { message: c.message });
    else tc.ele(c.outcome === 'error' ? 'error' : 'failure', { message: c.message, type: c.outcome }).txt(c.detail);
  }
}

function stepCases(step: StepResult): Case[] {
  const cases = [...step.expectations.map(expectationCase), ...step.gates.map(gateCase)];
  const failedStep = step.outcome !== 'passed' && step.outcome !== 'skipped';
  if (failedStep && !cases.some((c) => c.outcome !== 'passed' && c.outcome !== 'skipped')) {
    cases.push({ name: `step ${step.name}`, outcome: step.outcome, message: step.message, detail: step.message });
  }
  return cases;
}

function expectationCase(e: ExpectationResult): Case {
  const detail = [
    `expected: ${formatExpected(e.expected)}`,
    `observed: ${formatObserved(e)} (n=${e.requests})`,
    `intervals: ${
      namedIntervals(intervalsByService(e), 'ratings:')
        .map(([k, iv]) => `${k} ${formatInterval(iv)}`)
        .join(', ') || 'none'
    }`,
    `pods: ${
      Object.entries(e.pods)
        .map(([p, n]) => `${p} ×${n}`)
        .join(', ') || 'none'
    }`,
    e.message,
  ].join('\n');
  return { name: `${describeWho(e)}: ${formatExpected(e.expected)}`, outcome: e.outcome, message: e.message, detail };
}

function gateCase(g: GateResult): Case {
  const detail = `limit: ${gateValue(g, g.limit)}\nobserved: ${gateValue(g, g.observed)}`;
  const message = `${gateLabel(g)}: observed ${gateValue(g, g.observed)}`;
  return { name: `gate ${gateLabel(g)}`, outcome: g.outcome, message, detail };
}

function count(cases: Case[]): Counts {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome === 'failed' || c.outcome === 'inconclusive').length,
    errors: cases.filter((c) => c.outcome === 'error').length,
    skipped: cases.filter((c) => c.outcome === 'skipped').length,
  };
}

function sum(list: Counts[]): Counts {
  return list.reduce(
    (a, c) => ({
      tests: a.tests + c.tests,
      failures: a.failures + c.failures,
      errors: a.errors + c.errors,
      skipped: a.skipped + c.skipped,
    }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  );
}

function attrs(c: Counts): Record<string, string> {
  return { tests: String(c.tests), failures: String(c.failures), errors: String(c.errors), skipped: String(c.skipped) };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export class JunitReporter implements Reporter {
  readonly name = JUNIT_FILE;

  constructor(private readonly reportDir: string) {}

  async onEvent(e: RunEvent): Promise<void> {
    if (e.type === 'run-end') await writeAtomic(join(this.reportDir, JUNIT_FILE), await renderJunit(e.results));
  }
}
