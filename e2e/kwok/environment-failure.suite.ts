/**
 * Issue 30, case 5: a control plane that dies during a step is the environment (exit 3), not a
 * failed verification (exit 1 after the settle timeout, or 16 minutes with diagnostics that never
 * ended). Each case breaks the real control plane around the shift of e2e/plans/environment-failure.yaml
 * (v1, then 75/25, rollback to v1) and holds the run to: exit 3 within seconds of the break, the
 * step stopped by it, and results.json and summary.md saying what became of the rollback and where
 * the routes were left. The next run restarts in place what a case killed (and a frozen istiod is
 * let go, and KWOK starts again with a restarted etcd or API server: its watches do not come back on
 * their own). etcd goes last and the suite ends with `down` and a fresh control plane for the suites
 * after it, so they do not depend on how well a repaired one serves.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/core/paths.js';
import type { RunResults } from '../../src/model/results.js';
import { ControlPlane } from '../../src/targets/kwok/control-plane/control-plane.js';
import { isRunning } from '../../src/targets/kwok/control-plane/processes.js';
import { meshproof, results, root, type CliRun } from '../cli.js';
import { built } from './kwok-env.js';
import { closeSharedTarget, upAgain } from './shared-target.js';

const MIN = 60_000;
const cp = new ControlPlane(paths.cache);
const PLAN = join(root, 'e2e', 'plans', 'environment-failure.yaml');

type Daemon = 'etcd' | 'kube-apiserver' | 'pilot-discovery';

interface Broken {
  run: CliRun;
  r: RunResults;
  summary: string;
  pid: number;
  /** From the break to the end of the run. */
  msAfter: number;
}

/**
 * Runs the plan on kwok and sends `signal` to `daemon` when stderr shows `when`: `shift applied`
 * (the shift's routes are in the cluster, settling has begun), or `v1 settled` (step v1 verifies
 * through the data plane, which needs no istiod; the shift that follows finds it gone).
 */
async function breakAt(daemon: Daemon, signal: NodeJS.Signals, when: 'shift applied' | 'v1 settled'): Promise<Broken> {
  let pid = 0;
  let brokeAt = 0;
  const run = await meshproof(['run', PLAN, '--target', 'kwok', '--seed', '21'], {
    timeoutMs: 8 * MIN,
    onStderr: (text) => {
      if (brokeAt) return;
      const [header, line] =
        when === 'shift applied' ? ['▸ step 2/2 shift', 'applied '] : ['▸ step 1/2 v1', 'settled '];
      const step = text.indexOf(header);
      if (step < 0 || text.indexOf(line, step) < 0) return;
      const d = cp.readState()?.daemons.find((x) => x.name === daemon);
      if (!d || !isRunning(d)) throw new Error(`no running ${daemon} to break`);
      pid = d.pid;
      process.kill(pid, signal);
      brokeAt = Date.now();
    },
  });
  expect(brokeAt, run.stderr).toBeGreaterThan(0);
  const r = await results(run);
  const summary = await readFile(join(run.reportDir, 'summary.md'), 'utf8');
  return { run, r, summary, pid, msAfter: Date.now() - brokeAt };
}

/** What every case shares: exit 3, the step stopped by it, the rollback's fate and the routes in both files. */
function expectEnvironmentFailure(b: Broken, problem: RegExp, routes: RegExp): void {
  const { run, r, summary } = b;
  expect(run.code, run.stderr).toBe(3);
  expect(r).toMatchObject({ exitCode: 3, outcome: 'error', partial: false });
  expect(r.steps.map((s) => s.name)).toEqual(['v1', 'shift']);
  expect(r.steps[0]!.outcome).toBe('passed');
  expect(r.steps[1]!.outcome).toBe('error');
  expect(r.message).toMatch(problem);
  // The rollback is in results.json (it was `null`), saying why it did not run and where the routes are.
  expect(r.rollback, r.message).not.toBeNull();
  expect(r.rollback!.kind).toBe('rollback');
  expect(r.rollback!.notRun).toMatch(/^not attempted: the environment does not stand \(/);
  expect(r.rollback!.notRun).toMatch(problem);
  expect(r.rollback!.notRun).toMatch(routes);
  expect(r.rollbackReason).toMatch(problem);
  expect(summary).toMatch(/^\*\*Rollback\*\* .* did not run — because .* — not attempted: the environment/m);
  expect(summary).toMatch(routes);
  // Seconds, not the step's 60 s settle timeout (nor diagnostics without a deadline).
  expect(b.msAfter).toBeLessThan(2 * MIN);
}

const SHIFT_LEFT = /the routes were left as step shift applied them \(reviews: v1 75%, v3 25%\)/;
/** istiod broken before the shift: its apply is refused (routes as v1 left them), or applied and never settled. */
const EITHER_LEFT =
  /the routes were left as step (v1 applied them \(reviews: v1 100%\)|shift applied them \(reviews: v1 75%, v3 25%\))/;

describe.skipIf(!built)('a control plane that dies during a step: exit 3, with the rollback and the routes', () => {
  afterAll(async () => {
    // Whatever the cases left (a dead etcd's NotReady pods): `down` after this suite wants a working control plane.
    await closeSharedTarget();
    const down = await meshproof(['down', '--target', 'kwok'], { timeoutMs: MIN });
    expect(down.code, down.stderr).toBe(0);
    await upAgain();
  }, 8 * MIN);

  it(
    'istiod frozen (SIGSTOP) before the shift',
    async () => {
      const b = await breakAt('pilot-discovery', 'SIGSTOP', 'v1 settled');
      try {
        process.kill(b.pid, 'SIGCONT');
      } catch {
        /* stopped with the control plane the run started */
      }
      const stopped = /pilot-discovery \(pid \d+\) is stopped \(SIGSTOP\)/;
      // Frozen before the shift's apply: the API server's call to istiod's webhook times out (nothing applied,
      // the routes are as step v1 left them), or, where the webhook lets the apply through, the shift never settles.
      expectEnvironmentFailure(b, stopped, EITHER_LEFT);
    },
    10 * MIN,
  );

  it(
    'kube-apiserver killed once the shift is applied',
    async () => {
      const b = await breakAt('kube-apiserver', 'SIGKILL', 'shift applied');
      expectEnvironmentFailure(b, /kube-apiserver \(pid \d+\) is not running/, SHIFT_LEFT);
      expect(b.r.steps[1]!.message).toMatch(
        /^step shift stopped: the environment failed during the step: .*kube-apiserver \(pid \d+\) is not running/,
      );
      expect(b.r.steps[1]!.applied.map((a) => a.ref)).toEqual(['VirtualService reviews.default']);
      // No question asked of an API server that is gone: the bundle says so, and holds the control plane's logs.
      const errors = await readFile(join(b.run.reportDir, 'diagnostics', 'errors.txt'), 'utf8');
      expect(errors).toMatch(/^cluster: events, pods, logs and istioctl not collected: /m);
      expect(b.r.diagnostics?.files.some((f) => f.endsWith('control-plane-logs'))).toBe(true);
    },
    10 * MIN,
  );

  it(
    'istiod killed before the shift',
    async () => {
      const b = await breakAt('pilot-discovery', 'SIGKILL', 'v1 settled');
      expectEnvironmentFailure(b, /pilot-discovery \(pid \d+\) is not running/, EITHER_LEFT);
    },
    10 * MIN,
  );

  it(
    'etcd killed once the shift is applied',
    async () => {
      const b = await breakAt('etcd', 'SIGKILL', 'shift applied');
      expectEnvironmentFailure(b, /etcd \(pid \d+\) is not running/, SHIFT_LEFT);
      expect(b.r.steps[1]!.message).toMatch(
        /the environment failed during the step: .*etcd \(pid \d+\) is not running/,
      );
    },
    10 * MIN,
  );
});
