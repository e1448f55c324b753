import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { RunEvent } from '../../model/events.js';
import type { RunResults, StepResult } from '../../model/results.js';
import { renderJunit } from './junit.js';
import { renderSummary } from './summary-md.js';
import { appliedFileName } from './applied-yaml.js';
import { NdjsonWriter } from './requests-ndjson.js';
import { simulateRun, failingCanaryRun, manyRequests, tutorialRun } from '../testing/synthetic-run.js';

function resultsOf(events: Iterable<RunEvent>): RunResults {
  for (const e of events) if (e.type === 'run-end') return e.results;
  throw new Error('no run-end');
}

describe('junit.xml', () => {
  it('gives a step that failed without a failing case (never settled) a case of its own', async () => {
    const r = resultsOf(simulateRun(tutorialRun('/r')));
    const stuck: StepResult = {
      ...r.steps[1]!,
      outcome: 'failed',
      message: 'step reviews-v3: new config did not settle within 60s',
      propagationMs: null,
      expectations: [],
      gates: [],
      layers: null,
    };
    const xml = await renderJunit({ ...r, outcome: 'failed', steps: [r.steps[0]!, stuck] });
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (n) => n === 'testsuite' || n === 'testcase',
    }).parse(xml);
    const suite = doc.testsuites.testsuite[1];
    expect(suite).toMatchObject({ name: 'reviews-v3', tests: '1', failures: '1' });
    expect(suite.testcase[0]).toMatchObject({
      name: 'step reviews-v3',
      failure: { message: 'step reviews-v3: new config did not settle within 60s', type: 'failed' },
    });
    expect(doc.testsuites).toMatchObject({ tests: '3', failures: '1' });
  });

  it('keeps characters XML cannot hold out of the file', async () => {
    const r = resultsOf(simulateRun(failingCanaryRun('/r')));
    r.steps[1]!.expectations[0]!.message = 'reset \x1b[31mby peer\x00';
    const xml = await renderJunit(r);
    expect(xml).not.toMatch(/[\x00\x1b]/);
    expect(() => new XMLParser().parse(xml)).not.toThrow();
  });
});

describe('summary.md', () => {
  it('stays under its size limit by leaving out rows and whole step sections, saying how many', () => {
    const r = resultsOf(simulateRun(failingCanaryRun('/r')));
    const many = { ...r, steps: Array.from({ length: 300 }, (_, i) => ({ ...r.steps[i % 2]!, name: `step-${i}` })) };
    const full = renderSummary(many);
    expect(full).toContain('| 300 | step-299 |'); // under the default limit: every step
    expect(full.match(/^## /gm)).toHaveLength(301);
    const limit = 40_000;
    const cut = renderSummary(many, limit);
    expect(Buffer.byteLength(full)).toBeGreaterThan(limit);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(limit);
    const shown = cut.match(/^## /gm)!.length;
    expect(shown).toBeGreaterThan(0);
    expect(cut).toContain(`**${301 - shown} of 301 step sections not shown**`);
    expect(cut.match(/^## (.)/m)![1]).toBe('✗'); // failures come first, so they survive the cut
    expect(cut).toMatch(/^\| … \| \d+ more steps \(\d+ not passed\): see results\.json/m);
  });

  it('escapes what would break a table row', () => {
    const r = resultsOf(simulateRun(tutorialRun('/r')));
    r.steps[0]!.message = 'a | b\nc <script>';
    const row = renderSummary(r)
      .split('\n')
      .find((l) => l.startsWith('| 1 |'))!;
    expect(row).toContain('a \\| b ⏎ c &lt;script&gt;');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(9);
  });
});

describe('applied file names', () => {
  it('are numbered, lower-case and safe, names with dots kept whole', () => {
    expect(appliedFileName(3, 'VirtualService reviews.default')).toBe('03-virtualservice-reviews.yaml');
    expect(appliedFileName(12, 'DestinationRule reviews.v2.bookinfo')).toBe('12-destinationrule-reviews.v2.yaml');
    expect(appliedFileName(1, 'Weird/Kind ../../etc.ns')).toBe('01-weird-kind-etc.yaml');
  });
});

describe('requests.ndjson writer', () => {
  it('writes every record once, in order, across many chunks and drains', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-ndjson-'));
    const w = new NdjsonWriter(join(dir, 'requests.ndjson'));
    let waits = 0;
    for (const e of manyRequests(20_000)) {
      if (e.type !== 'request') continue;
      const pending = w.write(e.record);
      if (pending) {
        waits++;
        await pending;
      }
    }
    await w.close();
    const lines = (await readFile(join(dir, 'requests.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(20_000);
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(waits).toBeGreaterThan(0); // the stream's buffer filled and the writer waited for drain
  });

  it('reports a file it cannot write instead of losing records quietly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-ndjson-'));
    await writeFile(join(dir, 'plain-file'), 'x');
    // The parent is a file: the folder cannot be made.
    await expect(new NdjsonWriter(join(dir, 'plain-file', 'requests.ndjson')).close()).rejects.toThrow(
      /cannot write .*plain-file/,
    );
    // The file is a folder: opening fails later, asynchronously, and still surfaces.
    const w = new NdjsonWriter(dir);
    for (const e of manyRequests(10)) if (e.type === 'request') w.write(e.record);
    await new Promise((res) => setTimeout(res, 20));
    await expect(w.close()).rejects.toThrow(`cannot write ${dir}`);
  });
});
