import { describe, expect, it } from 'vitest';
import { ConsoleReporter } from './console-reporter.js';
import { simulateRun, tutorialRun, failingCanaryRun } from '../testing/synthetic-run.js';
import { Capture, drive } from '../testing/drive.js';

describe('console on a terminal', () => {
  it('keeps a live line for the running step and leaves only permanent lines behind', async () => {
    const err = new Capture(true);
    const out = new Capture();
    const reporter = new ConsoleReporter({ stream: err, tty: true, json: false, stdout: out });
    await drive(simulateRun(failingCanaryRun('/reports/x')), [reporter]);
    const raw = err.text;
    // The live line: drawn, then cleared (ESC[2K) before each permanent line.
    expect(raw).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] .*canary-20.* applying · 0 requests/);
    expect(raw).toMatch(/canary-20.* verifying #1 n=\d+ · \d+ requests · v1 \d+(\.\d)?% \[/);
    expect(raw).toContain('\x1b[2K');
    // What stays on screen once the live line is gone: what CI would print, in colour.
    const final = raw.replace(/[^\n]*\x1b\[2K\x1b\[1G/g, '').replace(/\x1b\[[0-9;]*m/g, '');
    expect(final).toContain('▸ step 2/2 canary-20\n');
    expect(final).toMatch(/✗ canary-20 failed in [\d.]+s · \d+ requests · propagation 1\.5s \(proxies\)/);
    expect(final).toMatch(/\n    The error rate was 6%, above the limit of 1%\./);
    expect(final).not.toContain('report: /reports/x');
    // No --json: the result lines are the program's output, on stdout, without terminal controls.
    expect(out.text).toMatch(/^\n✗ failed: .*\n[^]*report: \/reports\/x\n$/);
    expect(out.text).not.toContain('\x1b[2K');
  });
});

describe('console in CI', () => {
  async function progressLines(secondsPerProgress: number): Promise<string[]> {
    let now = 0;
    const err = new Capture();
    const reporter = new ConsoleReporter({ stream: err, tty: false, json: false, now: () => now });
    const events = function* () {
      for (const e of simulateRun(tutorialRun('/r'))) {
        if (e.type === 'progress') now += secondsPerProgress * 1000;
        yield e;
      }
    };
    await drive(events(), [reporter]);
    return err.text.split('\n').filter((l) => l.startsWith('  … expectation'));
  }

  it('prints a progress line only once a step has run ten seconds since its start or the last one', async () => {
    // 44 responses: one progress event per step, at n=25.
    expect(await progressLines(6)).toEqual([]);
    const lines = await progressLines(11);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ {2}… expectation 1: n=25 v3 100% \[/);
  });
});
