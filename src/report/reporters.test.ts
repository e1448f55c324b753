import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RunEvent } from '../model/events.js';
import type { Reporter } from './reporter.js';
import type { RunResults } from '../model/results.js';
import { createReporters } from './reporters.js';
import { simulateRun, tutorialRun, failingCanaryRun } from './testing/synthetic-run.js';
import { Capture, drive } from './testing/drive.js';

const schema = JSON.parse(await readFile(new URL('../../schemas/results.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

async function runInto(
  events: RunEvent[],
  extra: Reporter[] = [],
  warn?: (l: string) => void,
): Promise<{ dir: string; stderr: Capture; stdout: Capture; warnings: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'meshproof-report-'));
  const stderr = new Capture();
  const stdout = new Capture();
  const warnings: string[] = [];
  const reporters = createReporters({ reportDir: dir, console: { stream: stderr, tty: false, json: true, stdout } });
  await drive(events, [...extra, ...reporters], warn ?? ((l) => warnings.push(l)));
  return { dir, stderr, stdout, warnings };
}

const readJson = async (f: string): Promise<RunResults> => JSON.parse(await readFile(f, 'utf8'));

/** Test cases and failures junit.xml must hold, counted from results.json by the documented rule. */
function expectedJunitCounts(r: RunResults): { tests: number; failures: number } {
  let tests = 0;
  let failures = 0;
  for (const s of [...r.steps, ...(r.rollback ? [r.rollback] : [])]) {
    const cases = [...s.expectations.map((e) => e.outcome), ...s.gates.map((g) => g.outcome)];
    const bad = cases.filter((o) => o === 'failed' || o === 'inconclusive').length;
    tests += cases.length;
    failures += bad;
    if (
      (s.outcome === 'failed' || s.outcome === 'inconclusive') &&
      !cases.some((o) => o !== 'passed' && o !== 'skipped')
    ) {
      tests++;
      failures++;
    }
  }
  return { tests, failures };
}

function parseJunit(xml: string): { suites: any[]; root: any } {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  });
  const doc = parser.parse(xml);
  return { root: doc.testsuites, suites: doc.testsuites.testsuite };
}

describe('reporters on a passing tutorial-like run', () => {
  let out: Awaited<ReturnType<typeof runInto>>;
  let events: RunEvent[];
  beforeAll(async () => {
    events = [...simulateRun(tutorialRun('/will/be/replaced'))];
    out = await runInto(events);
  });

  it('writes a results.json that validates against the schema', async () => {
    const r = await readJson(join(out.dir, 'results.json'));
    expect(validate(r), ajv.errorsText(validate.errors)).toBe(true);
    expect(r.outcome).toBe('passed');
    expect(r.partial).toBe(false);
    expect(r.steps.map((s) => s.name)).toEqual(['all-v1', 'reviews-v3']);
  });

  it('writes one valid JSON line per request event to requests.ndjson', async () => {
    const lines = (await readFile(join(out.dir, 'requests.ndjson'), 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    const sent = events
      .filter((e) => e.type === 'request')
      .map((e) => (e as Extract<RunEvent, { type: 'request' }>).record);
    expect(lines).toHaveLength(sent.length);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((p) => p.seq + p.step)).toEqual(sent.map((s) => s.seq + s.step));
    const r = await readJson(join(out.dir, 'results.json'));
    expect(parsed).toHaveLength(r.steps.reduce((a, s) => a + s.requests, 0));
  });

  it('writes junit.xml whose cases and failures match results.json', async () => {
    const r = await readJson(join(out.dir, 'results.json'));
    const { root, suites } = parseJunit(await readFile(join(out.dir, 'junit.xml'), 'utf8'));
    const want = expectedJunitCounts(r);
    expect(suites).toHaveLength(2);
    expect(suites.flatMap((s) => s.testcase)).toHaveLength(want.tests);
    expect(Number(root.tests)).toBe(want.tests);
    expect(Number(root.failures)).toBe(0);
  });

  it('writes summary.md with its header and a table per step', async () => {
    const md = await readFile(join(out.dir, 'summary.md'), 'utf8');
    expect(md).toMatch(/^# ✓ meshproof: tutorial — passed/);
    expect(md).toContain('| plan | target | outcome |');
    expect(md.match(/^\| expectation \| expected \| observed \| interval \| requests \| outcome \|$/gm)).toHaveLength(
      2,
    );
    expect(md).toMatch(/\| anonymous GET \/productpage \| v1 100% \| v1 100% \(44\) \| v1 \[/);
  });

  it('writes the exact YAML each step applied', async () => {
    const files = await readdir(join(out.dir, 'applied', 'all-v1'));
    expect(files).toEqual(['01-virtualservice-reviews.yaml']);
    const applied = events.find((e) => e.type === 'applied') as Extract<RunEvent, { type: 'applied' }>;
    expect(await readFile(join(out.dir, 'applied', 'all-v1', files[0]!), 'utf8')).toBe(applied.objects[0]!.yaml);
  });

  it('prints plain progress on stderr and one JSON summary on stdout', () => {
    const err = out.stderr.text;
    expect(err).toContain('▸ step 1/2 all-v1');
    expect(err).toContain('settled after 840ms (proxies)');
    expect(err).toMatch(/✓ anonymous GET \/productpage: expected v1 100%, observed v1 100% \[/);
    expect(err).toContain('✓ gate maxErrorRate ≤ 0%: observed 0% — passed');
    expect(err).toMatch(/✓ passed: tutorial on local — 2 of 2 steps passed/);
    expect(err).toContain(`report: /will/be/replaced`);
    expect(err).not.toContain('\x1b['); // no colour or cursor codes off a terminal
    const summary = JSON.parse(out.stdout.text);
    expect(summary).toMatchObject({
      plan: 'tutorial',
      target: 'local',
      outcome: 'passed',
      reportDir: '/will/be/replaced',
    });
    expect(summary.steps.map((s: { name: string; outcome: string }) => `${s.name}:${s.outcome}`)).toEqual([
      'all-v1:passed',
      'reviews-v3:passed',
    ]);
  });
});

describe('reporters on a failing canary with a rollback', () => {
  let out: Awaited<ReturnType<typeof runInto>>;
  beforeAll(async () => {
    out = await runInto([...simulateRun(failingCanaryRun('/r'))]);
  });

  it('results.json keeps the rollback, its reason and the diagnostics', async () => {
    const r = await readJson(join(out.dir, 'results.json'));
    expect(validate(r), ajv.errorsText(validate.errors)).toBe(true);
    expect(r.outcome).toBe('failed');
    expect(r.rollback?.name).toBe('back-to-v1');
    expect(r.rollbackReason).toMatch(/canary-20 failed/);
    expect(r.diagnostics?.files).toHaveLength(3);
  });

  it('junit.xml counts cases and failures as results.json says, with the evidence in each failure', async () => {
    const r = await readJson(join(out.dir, 'results.json'));
    const { root, suites } = parseJunit(await readFile(join(out.dir, 'junit.xml'), 'utf8'));
    const want = expectedJunitCounts(r);
    const cases = suites.flatMap((s) => s.testcase);
    expect(cases).toHaveLength(want.tests);
    expect(cases.filter((c) => c.failure)).toHaveLength(want.failures);
    expect(Number(root.failures)).toBe(want.failures);
    expect(want.failures).toBe(4); // the share, two p99 gates and the error gate
    expect(suites.map((s) => s.name)).toEqual(['all-v1', 'canary-20', 'rollback back-to-v1']);
    const share = cases.find((c) => c.failure && c.name.startsWith('anonymous'));
    expect(share.failure['#text']).toMatch(
      /expected: v1 80%, v3 20%\nobserved: v1 \d+(\.\d)?% \[.*\], v3 .*\nintervals: .*\npods: reviews-v1-/,
    );
  });

  it('summary.md puts the failing step first with the reasons in words', async () => {
    const md = await readFile(join(out.dir, 'summary.md'), 'utf8');
    const sections = [...md.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    expect(sections[0]).toBe('✗ canary-20 — failed');
    expect(md).toContain('The error rate was 6%, above the limit of 1%.');
    expect(md).toContain('The v3 p99 latency was 3020ms, above the limit of 2000ms.');
    expect(md).toContain('**Rollback** ✓ passed — because step canary-20 failed');
    expect(md).toContain('⚠ **disagreement**');
  });

  it('the console names the failure, the rollback and the summary', () => {
    const err = out.stderr.text;
    expect(err).toContain('warning: target local: a rehearsal mesh, not Istio');
    expect(err).toMatch(/✗ gate maxErrorRate ≤ 1%: observed 6% — failed/);
    expect(err).toContain('↩ rolling back: step canary-20 failed');
    expect(err).toContain('↩ rollback back-to-v1');
    expect(err).toMatch(/✗ failed: reviews-canary on local — 1 of 2 steps passed, rollback passed/);
    expect(JSON.parse(out.stdout.text).rollback).toMatchObject({ name: 'back-to-v1', outcome: 'passed' });
  });
});

describe('isolation and partial results', () => {
  it('a reporter that throws is reported once and the others still write everything', async () => {
    let calls = 0;
    const broken: Reporter = {
      name: 'broken',
      onEvent(e) {
        calls++;
        if (e.type === 'step-start') throw new Error('disk on fire');
      },
    };
    const warnings: string[] = [];
    const out = await runInto([...simulateRun(failingCanaryRun('/r'))], [broken], (l) => warnings.push(l));
    expect(calls).toBe(3); // run-start, log, then the step-start that threw; never again
    expect(warnings).toEqual([
      'warning: reporter broken failed on step-start and is skipped from now on: disk on fire',
    ]);
    for (const f of ['results.json', 'requests.ndjson', 'junit.xml', 'summary.md', 'index.html'])
      expect(existsSync(join(out.dir, f)), f).toBe(true);
    const r = await readJson(join(out.dir, 'results.json'));
    expect(r.reporterErrors).toEqual(['reporter broken failed on step-start and is skipped from now on: disk on fire']);
    expect(out.stderr.text).toContain('warning: reporter broken failed');
  });

  it('leaves a valid partial results.json after each step, before the run ends', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-partial-'));
    const events = [...simulateRun(failingCanaryRun(dir))];
    const cut = events.findIndex((e) => e.type === 'step-end');
    const { Multiplexer } = await import('./multiplexer.js');
    const mux = new Multiplexer(
      createReporters({ reportDir: dir, console: { stream: new Capture(), tty: false, json: false } }),
    );
    for (const e of events.slice(0, cut + 5)) await mux.emit(e); // one step done, the next under way: then killed
    const r = await readJson(join(dir, 'results.json'));
    expect(validate(r), ajv.errorsText(validate.errors)).toBe(true);
    expect(r).toMatchObject({ partial: true, interrupted: true, exitCode: 130, outcome: 'inconclusive' });
    expect(r.steps.map((s) => s.name)).toEqual(['all-v1']);
    await mux.close();
  });

  it("lists the plan's allowNamespaces and what they let through in every file, partial ones too", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-fence-'));
    const fence = {
      allowNamespaces: ['kube-system', 'istio-system'],
      beyondFence: [
        {
          ref: 'Deployment node-agent.kube-system',
          file: '/repo/m.yaml',
          line: 2,
          allowedBy: 'kube-system',
          crosses: ['in kube-system', 'hostPID', 'hostPath /'],
        },
      ],
    };
    const events = [...simulateRun({ ...tutorialRun(dir), fence })];
    const { Multiplexer } = await import('./multiplexer.js');
    const mux = new Multiplexer(
      createReporters({ reportDir: dir, console: { stream: new Capture(), tty: false, json: false } }),
    );
    for (const e of events.slice(0, events.findIndex((x) => x.type === 'step-end') + 1)) await mux.emit(e);
    const partial = await readJson(join(dir, 'results.json'));
    expect(validate(partial), ajv.errorsText(validate.errors)).toBe(true);
    expect(partial).toMatchObject({ partial: true, ...fence });
    for (const e of events.slice(events.findIndex((x) => x.type === 'step-end') + 1)) await mux.emit(e);
    await mux.close();
    const complete = await readJson(join(dir, 'results.json'));
    expect(validate(complete), ajv.errorsText(validate.errors)).toBe(true);
    expect(complete).toMatchObject({ partial: false, ...fence });
    const line = 'kube-system, istio-system — Deployment node-agent.kube-system (in kube-system, hostPID, hostPath /)';
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain(`**allowNamespaces**: ${line}`);
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toContain(`<dt>allowNamespaces</dt><dd>${line}</dd>`);
  });

  it('delivers events in order and waits for an async reporter before the next event', async () => {
    const seen: string[] = [];
    const slow: Reporter = {
      name: 'slow',
      async onEvent(e) {
        await new Promise((res) => setTimeout(res, e.type === 'run-start' ? 20 : 1));
        seen.push(`slow:${e.type}`);
      },
    };
    const fast: Reporter = { name: 'fast', onEvent: (e) => void seen.push(`fast:${e.type}`) };
    const { Multiplexer } = await import('./multiplexer.js');
    const mux = new Multiplexer([slow, fast], { warn: () => undefined });
    // Not awaited, as the sampler emits requests: order must still hold.
    void mux.emit({ type: 'log', level: 'info', message: 'a' });
    const last = mux.emit({ type: 'rollback', reason: 'b' });
    await last;
    expect(seen).toEqual(['slow:log', 'fast:log', 'slow:rollback', 'fast:rollback']);
  });

  it('the schema rejects results that break it', () => {
    const bad = {
      schemaVersion: 1,
      plan: 'x',
      planFile: 'p',
      target: 'local',
      targetDescription: '',
      outcome: 'great',
      message: '',
      startedAt: '2026-01-01T00:00:00Z',
      durationMs: 1,
      seed: 1,
      interrupted: false,
      steps: [],
      rollback: null,
      exitCode: 0,
    };
    expect(validate(bad)).toBe(false);
    expect(ajv.errorsText(validate.errors)).toMatch(/outcome/);
    // settings may only be left out of a partial file
    expect(validate({ ...bad, outcome: 'passed' })).toBe(false);
    expect(validate({ ...bad, outcome: 'passed', partial: true })).toBe(true);
  });
});
