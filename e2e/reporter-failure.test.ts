/**
 * A report file that cannot be written is a reporter failure, said as such: the verdict's exit code
 * stays, a warning names the file, results.json lists it, and Node never dies of an unhandled
 * rejection after "passed".
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meshproof } from './cli.js';
import { oneStepPlan, writePlan } from './quick-plan.js';

describe('a report file that cannot be written', () => {
  it('keeps the verdict exit code and names the file in the console and results.json', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meshproof-e2e-')), 'report');
    const plan = await writePlan(oneStepPlan('unwritable'));
    let blocked = false;
    // Once the run has started (the folder exists and was probed), requests.ndjson becomes a
    // folder: opening it for writing fails as a file owned by someone else would.
    const run = await meshproof(['run', plan, '--target', 'local', '--seed', '1', '--report-dir', dir], {
      onStderr: (text) => {
        if (blocked || !text.includes('meshproof: plan')) return;
        blocked = true;
        mkdirSync(join(dir, 'requests.ndjson'));
      },
    });
    expect(blocked).toBe(true);
    expect(run.stderr).not.toMatch(/triggerUncaughtException|node:internal/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: reporter requests\.ndjson failed.*requests\.ndjson.*EISDIR/);
    const r = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as {
      outcome: string;
      reporterErrors?: string[];
    };
    expect(r.outcome).toBe('passed');
    expect(r.reporterErrors?.join('\n')).toMatch(/requests\.ndjson/);
    // The HTML is still written, saying the request log could not be read.
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toMatch(/Request log unavailable/);
  });
});
