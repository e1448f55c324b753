/**
 * scripts/action/run-plans.sh under a stubbed runner: `meshproof` is a stand-in that logs its
 * arguments and exits with the code set for each plan.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runStep, stubRunner, type StubRunner } from './stub-runner.js';

let runner: StubRunner;
let log: string;

beforeEach(async () => {
  runner = await stubRunner();
  log = join(runner.cwd, '..', 'meshproof.log');
  await writeFile(log, '');
  // Exit code per plan from FAKE_EXIT ("plans/a.yaml=1 plans/b.yaml=3"); 0 otherwise.
  await runner.stub(
    'meshproof',
    `echo "$*" >> "${log}"\n` +
      'for pair in ${FAKE_EXIT:-}; do [ "${pair%%=*}" = "$2" ] && exit "${pair#*=}"; done\nexit 0',
  );
  for (const f of ['plans/canary.yaml', 'plans/failing-canary.yaml', 'plans/gateway-api/canary.yaml']) {
    await mkdir(join(runner.cwd, f, '..'), { recursive: true });
    await writeFile(join(runner.cwd, f), 'name: x\n');
  }
});

const calls = async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean);

describe('run-plans.sh', () => {
  it('runs every plan the globs match into its own report folder; an expected failure that fails is fine', async () => {
    const run = await runStep(runner, 'run-plans.sh', {
      PLANS: 'plans/*.yaml\nplans/gateway-api/*.yaml',
      TARGET: 'kind',
      EXPECT_FAILURE: 'plans/failing-*.yaml',
      FAKE_EXIT: 'plans/failing-canary.yaml=1',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(await calls()).toEqual([
      'run plans/canary.yaml --target kind --report-dir reports/plans-canary',
      'run plans/failing-canary.yaml --target kind --report-dir reports/plans-failing-canary',
      'run plans/gateway-api/canary.yaml --target kind --report-dir reports/plans-gateway-api-canary',
    ]);
    expect(await runner.outputs()).toEqual({ 'exit-code': '0', reports: 'reports' });
  });

  it('ends with the exit code of the first plan that did not end as expected, after running the rest', async () => {
    const run = await runStep(runner, 'run-plans.sh', {
      PLANS: 'plans/*.yaml plans/gateway-api/*.yaml',
      EXPECT_FAILURE: 'plans/failing-*.yaml',
      FAKE_EXIT: 'plans/canary.yaml=3 plans/failing-canary.yaml=1 plans/gateway-api/canary.yaml=1',
    });
    expect(run.code).toBe(0);
    expect(await calls()).toHaveLength(3);
    expect(run.stdout).toContain('::error::plans/canary.yaml exited 3, expected 0');
    expect(run.stdout).toContain('::error::plans/gateway-api/canary.yaml exited 1, expected 0');
    expect((await runner.outputs())['exit-code']).toBe('3');
  });

  it('fails when a plan meant to fail passes', async () => {
    await runStep(runner, 'run-plans.sh', { PLANS: 'plans/failing-canary.yaml', EXPECT_FAILURE: 'plans/failing-*' });
    expect((await runner.outputs())['exit-code']).toBe('1');
  });

  it('runs the shipped tutorial when no plan is given, on the target asked for, with the extra flags', async () => {
    await runStep(runner, 'run-plans.sh', { PLANS: ' ', TARGET: 'existing', EXTRA_ARGS: '--seed 7 --alpha 0.001' });
    expect(await calls()).toEqual(['tutorial --target existing --report-dir reports/tutorial --seed 7 --alpha 0.001']);
    expect((await runner.outputs())['exit-code']).toBe('0');
  });

  it('a glob that matches no plan is bad input (exit 2), and nothing runs', async () => {
    const run = await runStep(runner, 'run-plans.sh', { PLANS: 'plans/*.yaml checks/*.yaml', REPORTS: 'out' });
    expect(run.stdout).toContain('::error::no plan file matches checks/*.yaml');
    expect(await calls()).toEqual([]);
    expect(await runner.outputs()).toEqual({ 'exit-code': '2', reports: 'out' });
  });
});
