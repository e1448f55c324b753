/**
 * What the reports say is the whole truth of the run: every planned step appears in the console,
 * results.json, junit.xml, summary.md and index.html (the ones never run as skipped, with why);
 * bad pages are pinned on the version that served them; the plan's description is shown; agreeing
 * layers are not painted as good news beside a failed step; the chart starts at apply.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { meshproof, results, root, type CliRun } from './cli.js';
import type { RunResults } from '../src/model/results.js';

describe('failing-canary: the reports tell every step', () => {
  let run: CliRun;
  let r: RunResults;
  let junit: string;
  let summary: string;
  let html: string;
  beforeAll(async () => {
    run = await meshproof(['run', join(root, 'plans', 'failing-canary.yaml'), '--target', 'local', '--seed', '12']);
    r = await results(run);
    const read = (f: string) => readFile(join(run.reportDir, f), 'utf8');
    [junit, summary, html] = [await read('junit.xml'), await read('summary.md'), await read('index.html')];
  }, 60_000);

  it('the step after the failure appears everywhere, as skipped with the reason', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(r.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['baseline-v1', 'passed'],
      ['bad-canary-50', 'failed'],
      ['promote-v3', 'skipped'],
    ]);
    expect(r.steps[2]!.notRun).toBe('step bad-canary-50 failed before it');
    expect(run.stdout + run.stderr).toMatch(/– promote-v3 not run: step bad-canary-50 failed before it/);
    expect(run.stdout + run.stderr).toMatch(/1 of 3 steps passed, 1 not run, rollback passed/);
    expect(junit).toMatch(/<testsuites [^>]*skipped="1"/);
    expect(junit).toMatch(/<testsuite name="promote-v3" tests="1" failures="0" errors="0" skipped="1"/);
    expect(summary).toMatch(/\| 3 \| promote-v3 \| – skipped \|/);
    expect(summary).toContain('**Not run:** step bad-canary-50 failed before it');
    expect(html).toContain('data-step="promote-v3" data-outcome="skipped"');
    expect(html).toContain('step 3 of 3');
    expect(html).toContain('Not run: step bad-canary-50 failed before it');
  });

  it('the rollback note sits on the step that failed, not on the one never run', () => {
    const section = (name: string) =>
      html.slice(html.indexOf(`data-step="${name}"`), html.indexOf('</section>', html.indexOf(`data-step="${name}"`)));
    expect(section('bad-canary-50')).toContain('The rollback ran after this step (passed)');
    expect(section('promote-v3')).not.toContain('rollback-note');
  });

  it('degraded pages are pinned on the version that served them', () => {
    const bad = r.steps[1]!;
    const v3 = bad.byVersion!.v3!;
    const v1 = bad.byVersion!.v1!;
    expect(v3.degraded).toBeGreaterThan(0);
    expect(v1.degraded).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(
        /degraded-page rate was [\d.]+%, above the limit of 5%\. By version: v3 [\d.]+% \(\d+ of \d+\), v1 /.source +
          /0% \(0 of \d+\)/.source,
      ),
    );
    expect(summary).toMatch(
      new RegExp(
        /By version \(verification answers\): v1 \d+ answers · 0 errors · 0 degraded; v3 \d+ answers · /.source +
          /0 errors · \d+ degraded/.source,
      ),
    );
    expect(html).toContain('<table class="by-version">');
  });

  it('shows the plan description, and no green "all layers agree" beside the failed step', () => {
    expect(r.description).toMatch(/^A 50\/50 canary/);
    expect(summary).toContain('_A 50/50 canary');
    expect(html).toContain('<p class="description">A 50/50 canary');
    const failed = html.slice(html.indexOf('data-step="bad-canary-50"'));
    const section = failed.slice(0, failed.indexOf('</section>'));
    expect(section).not.toContain('class="ok-note">All four layers agree');
    expect(section).toContain('The four layers agree with each other');
  });

  it('the share chart starts at apply, with the settle point marked after it', () => {
    const failed = html.slice(html.indexOf('data-step="bad-canary-50"'));
    const chart = failed.slice(0, failed.indexOf('</figure>'));
    expect(chart).toContain('>applied</text>');
    const applied = Number(/<text x="([\d.]+)" y="\d+">applied<\/text>/.exec(chart)![1]);
    const settle = Number(/<g class="settle"><line x1="([\d.]+)"/.exec(chart)![1]);
    expect(settle).toBeGreaterThan(applied + 20); // settling took ~0.5 s of a few seconds: visibly after apply
  });
});
