/** `meshproof lint` on the shipped and the broken plans, and a wrong expectation caught in traffic. */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { meshproof, results, root, target } from './cli.js';
import { manifest, writePlan } from './quick-plan.js';

describe('lint', () => {
  it('passes every shipped plan', async () => {
    const plans = readdirSync(join(root, 'plans'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(root, 'plans', f));
    const run = await meshproof(['lint', ...plans]);
    expect(run.code, run.stderr).toBe(0);
    // Lint's findings are its output: stdout.
    expect(run.stdout.match(/^ok /gm)?.length).toBe(plans.length);
    expect(run.stderr).toBe('');
    // The shipped plans ask nothing of the mesh that the local target would not simulate.
    expect(run.stdout).not.toMatch(/^note /m);
  });

  it('notes, with file and line, what the local rehearsal mesh will not simulate, and still exits 0', async () => {
    const run = await meshproof(['lint', join(root, 'e2e/plans/not-simulated.yaml'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(
        /^note .*reviews-outlier-mirror\.yaml:16: DestinationRule reviews\.default: /.source +
          /spec\.trafficPolicy\.connectionPool \(http\.maxRetries\) is not simulated.*\(on the local target\)$/.source,
        'm',
      ),
    );
    const [report] = JSON.parse(run.stdout) as { ok: boolean; localNotes: { line: number }[] }[];
    expect(report).toMatchObject({ ok: true, localNotes: [{ line: 16 }] });
  });

  it('warns, with file and line, about a rule made unreachable by an earlier catch-all, yet exits 0', async () => {
    const run = await meshproof(['lint', join(root, 'e2e/plans/unreachable-rule.yaml'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(
        /^warn {2}.*reviews-unreachable-rule\.yaml:15 \(spec\.http\[1\]\): virtualService rule #1 not used /.source +
          /\(route without matches defined before/.source,
        'm',
      ),
    );
    const [report] = JSON.parse(run.stdout) as { ok: boolean; warnings: { line: number }[] }[];
    expect(report).toMatchObject({ ok: true, warnings: [{ line: 15 }] });
  });

  it('gives no warning on the shipped plans', async () => {
    const plans = readdirSync(join(root, 'plans'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(root, 'plans', f));
    const run = await meshproof(['lint', ...plans]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ok /m); // the findings are on stdout: a warning would be there
    expect(run.stdout).not.toMatch(/^warn /m);
  });

  it('rejects a broken plan with file, line and field, exit 2', async () => {
    const run = await meshproof([
      'lint',
      join(root, 'plans/tutorial.yaml'),
      join(root, 'src/plan/fixtures/bad/duplicate-step-names.yaml'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^ok .*tutorial\.yaml$/m);
    expect(run.stdout).toMatch(/^error .*duplicate-step-names\.yaml:\d+ \(steps\[\d\]\.name\)/m);
  });
});

describe('lint refuses what a run could not decide honestly', () => {
  const canary = (reviews: string, extra = '') =>
    writePlan(
      [
        'name: canary',
        extra,
        `setup: [${manifest('istio/destination-rule-all.yaml')}]`,
        'steps:',
        '  - name: canary',
        '    expect:',
        `      - reviews: ${reviews}`,
      ].join('\n'),
    );

  it('a share below the tolerance: 95/5 at ±10 points would pass a canary that gets nothing', async () => {
    const run = await meshproof(['lint', await canary('{ v1: 95, v3: 5 }')]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toMatch(
      new RegExp(
        /^error .*plan\.yaml:7 \(steps\[0\]\.expect\[0\]\.reviews\.v3\): /.source +
          /v3's target share 5% is below the tolerance 0\.1 /.source,
        'm',
      ),
    );
    expect(run.stdout).toContain('or set relativeTolerance (0.5 decides this expectation at ± 2.5%)');
    const relative = await meshproof([
      'lint',
      await canary('{ v1: 95, v3: 5 }', 'defaults: { relativeTolerance: 0.5 }'),
    ]);
    expect(relative.code, relative.stdout).toBe(0);
  });

  it('a budget that leaves half the correct runs undecided: 50/50 at maxRequests 300, lint and run', async () => {
    const plan = await canary('{ v1: 50, v3: 50 }', 'defaults: { maxRequests: 300 }');
    const lint = await meshproof(['lint', plan]);
    expect(lint.code, lint.stderr).toBe(2);
    expect(lint.stdout).toMatch(
      new RegExp(
        /^error .*plan\.yaml:7 \(steps\[0\]\.expect\[0\]\): with alpha 0\.01 and tolerance 0\.1, /.source +
          /(49|50)\.\d% of runs would end inconclusive after maxRequests 300 /.source,
        'm',
      ),
    );
    expect(lint.stdout).toMatch(/raise maxRequests \(or --max-requests\) to 7\d\d or more/);
    const run = await meshproof(['run', plan, '--target', 'local']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/(49|50)\.\d% of runs would end inconclusive after maxRequests 300/);
    expect(existsSync(join(run.reportDir, 'results.json'))).toBe(false);
  });
});

describe(`a wrong expectation on the ${target} target`, () => {
  it('an expectation 20 points off what is applied fails the step', async () => {
    const run = await meshproof(['run', join(root, 'e2e/plans/off-by-20.yaml'), '--target', target, '--seed', '21']);
    expect(run.code, run.stderr).toBe(1);
    const r = await results(run);
    const e = r.steps[0]!.expectations[0]!;
    expect(e.outcome).toBe('failed');
    // The observed share of v1 sits near the applied 50 %, and its interval excludes the expected 70 %.
    expect(e.intervals.v1![1]).toBeLessThan(0.7);
  });
});
