/**
 * Issue 30, case 9: `--ingress-url` was silently ignored where the target makes its own ingress,
 * and on `existing` nothing said when it pointed off loopback and private ranges; step names and
 * descriptions reached summary.md as live Markdown; and a run killed during its first step left a
 * folder that both `report DIR` and `--overwrite` refused.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meshproof, root } from './cli.js';
import { oneStepPlan, writePlan } from './quick-plan.js';
import { freePort } from '../src/targets/cluster/testing/fake-cluster.js';

const tutorial = join(root, 'plans', 'tutorial.yaml');

describe('--ingress-url where the target ignores it', () => {
  it.each([
    [['run', tutorial, '--target', 'local'], '--target local makes its own ingress'],
    [['tutorial', '--target', 'local'], '--target local makes its own ingress'],
    [['run', tutorial], '--target auto (kind or local) makes its own ingress'],
    // doctor, not up: a regression must not start a cluster.
    [['doctor', '--target', 'kind'], '--target kind makes its own ingress'],
    [['doctor', '--target', 'kwok'], '--target kwok makes its own ingress'],
    [['lint', tutorial], 'lint reaches no mesh'],
  ])('%j --ingress-url …: exit 2 naming the flag, at once', async (args, why) => {
    const run = await meshproof([...args, '--ingress-url', 'http://169.254.169.254/'], { timeoutMs: 15_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`(--ingress-url): --ingress-url is for --target existing only: ${why}`);
    expect(await readdir(run.reportDir)).toEqual([]);
    expect(run.ms).toBeLessThan(10_000);
  });

  it('on existing, an address off loopback and private ranges is named before any request', async () => {
    const kubeconfig = join(root, 'no-such-kubeconfig'); // no cluster: up stops after the note
    const up = (url: string) =>
      meshproof(['up', '--target', 'existing', '--kubeconfig', kubeconfig, '--ingress-url', url]);
    const warned = (text: string) => text.split('\n').filter((l) => l.includes('--ingress-url'));
    const urls = {
      linkLocal: 'http://169.254.169.254/',
      elsewhere: 'http://192.0.2.7:8080',
      loopback: `http://127.0.0.1:${await freePort()}`,
      private: 'http://10.1.2.3:80',
      localhost: 'http://localhost:8080',
    };
    const runs = Object.fromEntries(
      await Promise.all(Object.entries(urls).map(async ([k, url]) => [k, await up(url)] as const)),
    );
    for (const run of Object.values(runs)) expect(run.code, run.stderr).toBe(3);
    expect(warned(runs.linkLocal!.stderr).join('\n')).toMatch(
      /169\.254\.169\.254, a link-local address \(where cloud metadata services answer\): every request of the run/,
    );
    expect(warned(runs.elsewhere!.stderr).join('\n')).toMatch(
      /192\.0\.2\.7, an address outside the loopback and private ranges: every request of the run goes there/,
    );
    for (const k of ['loopback', 'private', 'localhost']) expect(warned(runs[k]!.stderr), k).toEqual([]);
  }, 90_000);
});

describe('summary.md shows names and descriptions as written', () => {
  it('a step named like a heading and a description with a javascript: link stay text', async () => {
    const step = '# Owned [click](javascript:alert(1))';
    const plan = await writePlan(
      oneStepPlan('*plan* <b>x</b>', { step }) +
        `\ndescription: "line one\\n# Injected heading\\r> quote [docs](javascript:alert(document.domain)) &#106;"\n`,
    );
    const run = await meshproof(['run', plan, '--target', 'local', '--seed', '3']);
    expect(run.code, run.stderr).toBe(0);
    const summary = await readFile(join(run.reportDir, 'summary.md'), 'utf8');
    const lines = summary.split('\n');
    // The only headings are meshproof's own: the title and one per step, each escaping the name.
    const headings = lines.filter((l) => /^ {0,3}#{1,6}(\s|$)/.test(l));
    expect(headings).toHaveLength(2);
    expect(headings[0]).toMatch(/^# ✓ meshproof: \\\*plan\\\* &lt;b&gt;x&lt;\/b&gt; — passed$/);
    expect(headings[1]).toBe('## ✓ \\# Owned \\[click\\](javascript:alert(1)) — passed');
    // No line starts a heading or a quote from plan text, and no link is live.
    expect(lines.some((l) => /^(?:_|>\s*)?#\s*Injected/.test(l))).toBe(false);
    expect(summary).not.toMatch(/(^|[^\\])\[[^\]]*[^\\]\]\(javascript:/m);
    expect(summary).toContain('\\[docs\\](javascript:alert(document.domain))');
    expect(summary).toContain('&amp;#106;');
    expect(summary).not.toContain('<b>');
  });
});

describe('a run killed during its first step', () => {
  it('leaves a folder that `report DIR` re-renders and `--overwrite` overwrites', async () => {
    let pid = 0;
    let killed = false;
    const killedRun = await meshproof(['run', tutorial, '--target', 'local', '--seed', '5'], {
      onSpawn: (p) => (pid = p),
      onStderr: (text) => {
        const step = text.indexOf('▸ step 1/');
        if (!killed && step >= 0 && text.indexOf('settled after', step) >= 0) {
          killed = true;
          process.kill(pid, 'SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    expect(killedRun.code).toBeNull();
    const dir = killedRun.reportDir;
    const left = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
    expect(left).toMatchObject({ partial: true, plan: 'tutorial', steps: [] });

    const report = await meshproof(['report', dir]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stderr).toContain(`wrote ${join(dir, 'summary.md')}`);
    const summary = await readFile(join(dir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# .* meshproof: tutorial — .*\(partial: the run did not reach its end\)/);
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toContain('partial report');

    const again = await meshproof(['run', tutorial, '--target', 'local', '--seed', '5', '--report-dir', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--overwrite');
    const overwritten = await meshproof([
      'run',
      tutorial,
      '--target',
      'local',
      '--seed',
      '5',
      '--report-dir',
      dir,
      '--overwrite',
    ]);
    expect(overwritten.code, overwritten.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'))).toMatchObject({
      partial: false,
      outcome: 'passed',
    });
  }, 60_000);
});
