import { describe, expect, it, beforeAll } from 'vitest';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { ExpectationResult, RunResults, StepResult } from '../model/results.js';
import { createReporters } from './reporters.js';
import { renderReport } from './render.js';
import { simulateRun, failingCanaryRun } from './testing/synthetic-run.js';
import { Capture, drive } from './testing/drive.js';

async function freshReport(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshproof-render-'));
  await drive(
    simulateRun(failingCanaryRun(dir)),
    createReporters({ reportDir: dir, console: { stream: new Capture(), tty: false, json: false } }),
  );
  return dir;
}

async function inputError(p: Promise<unknown>): Promise<InputError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('renderReport', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await freshReport();
  });

  it('re-renders summary.md and index.html to the same content the run wrote', async () => {
    const before = {
      md: await readFile(join(dir, 'summary.md'), 'utf8'),
      html: await readFile(join(dir, 'index.html'), 'utf8'),
    };
    await rm(join(dir, 'summary.md'));
    await rm(join(dir, 'index.html'));
    const { files } = await renderReport(dir);
    expect(files).toEqual([join(dir, 'summary.md'), join(dir, 'index.html')]);
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toBe(before.md);
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toBe(before.html);
  });

  it('names a missing results.json', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'meshproof-empty-'));
    const err = await inputError(renderReport(empty));
    expect(err.issues[0]!.file).toBe(join(empty, 'results.json'));
    expect(err.message).toMatch(/cannot read results/);
  });

  it('names results.json that is not JSON, and the field where it breaks the schema', async () => {
    const d = await freshReport();
    await writeFile(join(d, 'results.json'), '{ "schemaVersion": 1,');
    expect((await inputError(renderReport(d))).message).toMatch(/results\.json: not valid JSON/);
    const good = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
    good.steps[1].expectations[0].outcome = 'great';
    await writeFile(join(d, 'results.json'), JSON.stringify(good));
    const err = await inputError(renderReport(d));
    expect(err.issues[0]).toMatchObject({ file: join(d, 'results.json'), field: 'steps[1].expectations[0].outcome' });
  });

  it('reads an older file, with its ratings as flat `ratings:` keys, as the same run', async () => {
    const v2 = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;
    const e = v2.steps[1]!.expectations[0]!;
    e.ratings = { observed: { stars: 30, unavailable: 14 }, intervals: { stars: [0.5, 0.8] } };
    const flat = (x: ExpectationResult, k: 'observed' | 'intervals') => ({
      ...x[k],
      ...Object.fromEntries(Object.entries(x.ratings?.[k] ?? {}).map(([s, v]) => [`ratings:${s}`, v])),
    });
    const flatStep = (s: StepResult) => ({
      ...s,
      expectations: s.expectations.map(({ ratings: _r, ...x }) => ({
        ...x,
        observed: flat({ ...x, ratings: _r }, 'observed'),
        intervals: flat({ ...x, ratings: _r }, 'intervals'),
      })),
    });
    const v1 = { ...v2, steps: v2.steps.map(flatStep), rollback: v2.rollback && flatStep(v2.rollback) };
    expect(v1.steps[1]!.expectations[0]!.observed).toMatchObject({ 'ratings:stars': 30 });
    const rendered: string[] = [];
    for (const doc of [v2, v1]) {
      const d = await freshReport();
      await writeFile(join(d, 'results.json'), JSON.stringify(doc));
      await renderReport(d);
      rendered.push(await readFile(join(d, 'summary.md'), 'utf8'));
    }
    expect(rendered[0]).toContain('ratings stars 68.2% (30)<br>ratings unavailable 31.8% (14)');
    expect(rendered[0]).toContain('ratings stars [50–80%]');
    expect(rendered[1]).toBe(rendered[0]);
  });

  it('names a missing request log, and the line of a bad one', async () => {
    const d = await freshReport();
    await rm(join(d, 'requests.ndjson'));
    const missing = await inputError(renderReport(d));
    expect(missing.issues[0]!.file).toBe(join(d, 'requests.ndjson'));
    await writeFile(
      join(d, 'requests.ndjson'),
      '{"seq":0,"step":"a","expectation":0,"phase":"verify","t":1,"latencyMs":2,"status":200}\nnot json\n',
    );
    const bad = await inputError(renderReport(d));
    expect(bad.issues[0]).toMatchObject({ file: join(d, 'requests.ndjson'), line: 2 });
    await writeFile(
      join(d, 'requests.ndjson'),
      '{"seq":0,"step":"a","expectation":0,"phase":"verify","t":"soon","latencyMs":2,"status":200}\n',
    );
    expect((await inputError(renderReport(d))).issues[0]).toMatchObject({ line: 1, field: 't' });
  });

  it('renders a log cut off mid-line (a killed run), saying so', async () => {
    const d = await freshReport();
    await appendFile(join(d, 'requests.ndjson'), '{"seq":99,"step":"canary-20","expec');
    await renderReport(d);
    const html = await readFile(join(d, 'index.html'), 'utf8');
    expect(html).toContain('The request log ends in a cut-off line');
    expect((await stat(join(d, 'index.html'))).size).toBeGreaterThan(10_000);
  });

  it('renders the report of a run killed after its first step from the partial results', async () => {
    const d = await mkdtemp(join(tmpdir(), 'meshproof-killed-'));
    const events = [...simulateRun(failingCanaryRun(d))];
    const start = events[0] as Extract<(typeof events)[number], { type: 'run-start' }>;
    delete start.settings; // a runner that does not pass them: the partial file leaves them out
    const cut = events.findIndex((e) => e.type === 'step-end') + 30;
    await drive(
      events.slice(0, cut),
      createReporters({ reportDir: d, console: { stream: new Capture(), tty: false, json: false } }),
    );
    const partial = JSON.parse(await readFile(join(d, 'results.json'), 'utf8'));
    expect(partial).toMatchObject({ partial: true, steps: [{ name: 'all-v1' }] });
    expect(partial.settings).toBeUndefined();
    await renderReport(d);
    const html = await readFile(join(d, 'index.html'), 'utf8');
    expect(html).toContain('This is a partial report: the run did not reach its end.');
    expect(await readFile(join(d, 'summary.md'), 'utf8')).toMatch(
      /^# ✗ meshproof: reviews-canary — inconclusive \(partial/,
    );
  });
});
