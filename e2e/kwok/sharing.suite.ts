/**
 * Issue 30, items 1, 2 and 7, against the control plane the suites before left running (and the
 * data plane this test process serves, shared-target.ts): two runs on one cluster never give a
 * pass a single run would not — the second is refused, or, both sharing it, the disturbed step
 * fails with the reason; an exiting run leaves the pods' port-forwards another process serves; a
 * dead istiod is started again in place, never the whole control plane, and `up` says so while it
 * serves; `down` is refused while `up` serves; files holding the admin token are owner-only.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/core/paths.js';
import { poll } from '../../src/core/wait.js';
import { loadPlan } from '../../src/plan/load.js';
import { binary } from '../../src/targets/kwok/control-plane/binaries.js';
import { ControlPlane } from '../../src/targets/kwok/control-plane/control-plane.js';
import { isRunning } from '../../src/targets/kwok/control-plane/processes.js';
import { intendedVerdicts, verdictsOf } from '../intended-verdicts.js';
import { meshproof, results, root, type CliRun } from '../cli.js';
import { built } from './kwok-env.js';
import { planObjects, restoreBase } from '../restore-base.js';
import { sharedTarget } from './shared-target.js';

const MIN = 60_000;
const cp = new ControlPlane(paths.cache);
const kubeconfig = cp.layout.kubeconfig;
const SINCE = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';
const execFileAsync = promisify(execFile);

/** Commands started and not yet ended: killed after each test, so a failed test leaves no process serving. */
const running = new Set<() => void>();
afterEach(() => {
  for (const kill of running) kill();
  running.clear();
});

/** Starts a command and resolves the promise of its end; `ready` once its stderr matches `when`. */
function started(args: string[], when: RegExp, timeoutMs: number) {
  let pid = 0;
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done: Promise<CliRun> = meshproof(args, {
    timeoutMs,
    onSpawn: (p) => (pid = p),
    onStderr: (sofar) => {
      stderr = sofar;
      if (when.test(sofar)) markReady();
    },
  });
  const kill = () => {
    if (pid) process.kill(pid, 'SIGKILL');
  };
  running.add(kill);
  void done.then(() => {
    running.delete(kill);
    markReady();
  });
  return { pid: () => pid, stderr: () => stderr, ready, done };
}

function daemonPid(name: string): number {
  return cp.readState()!.daemons.find((d) => d.name === name)!.pid;
}

describe.skipIf(!built)('sharing a kwok cluster, and its control plane dying under it', () => {
  beforeAll(async () => {
    // The data plane of this process serves the pods too, as a second user's would.
    await sharedTarget();
  }, 3 * MIN);

  it('7. the files that hold the admin token or a private key are readable by their owner only', () => {
    const token = cp.readState()!.token;
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? (e.name === 'logs' ? [] : walk(join(dir, e.name))) : [join(dir, e.name)],
      );
    })(cp.layout.dir);
    const secret = files.filter((f) => {
      const text = readFileSync(f, 'utf8');
      return text.includes(token) || text.includes('PRIVATE KEY');
    });
    expect(secret.map((f) => f.slice(cp.layout.dir.length + 1)).sort()).toEqual(
      expect.arrayContaining(['kubeconfig', 'pki/sa.key', 'pki/tokens.csv', 'state.json']),
    );
    for (const f of secret) expect(`${f} ${(statSync(f).mode & 0o777).toString(8)}`).toBe(`${f} 600`);
  });

  it(
    '2. istiod killed: `up` serving starts it again in place and says so, `down` is refused meanwhile, and a run ' +
      'after keeps the cluster',
    async () => {
      const before = cp.readState()!;
      const up = started(['up', '--target', 'kwok'], /press Ctrl-C/, 3 * MIN);
      await up.ready;
      expect(up.stderr()).toMatch(/press Ctrl-C/);

      // `down` while `up` serves: refused, nothing stopped.
      const down = await meshproof(['down', '--target', 'kwok'], { timeoutMs: MIN });
      expect(down.code, down.stderr).toBe(3);
      expect(down.stderr).toMatch(
        new RegExp(
          `is in use by another meshproof process: pid ${up.pid()} \\(meshproof up --target kwok[^)]*\\) since ` +
            `${SINCE}`,
        ),
      );
      expect(cp.readState()!.startedAt).toBe(before.startedAt);

      const dead = daemonPid('pilot-discovery');
      process.kill(dead, 'SIGKILL');
      const restarted = await poll({
        what: '`up` to say istiod was restarted',
        intervalMs: 250,
        timeoutMs: MIN,
        check: async () => {
          const m = new RegExp(`istiod \\(pilot-discovery, pid ${dead}\\) died: restarted in place, pid (\\d+)`).exec(
            up.stderr(),
          );
          return m ? { done: true, value: Number(m[1]) } : { done: false, observed: up.stderr().slice(-300) };
        },
      });
      const after = cp.readState()!;
      expect(after.startedAt).toBe(before.startedAt);
      expect(daemonPid('etcd')).toBe(before.daemons.find((d) => d.name === 'etcd')!.pid);
      expect(daemonPid('pilot-discovery')).toBe(restarted);
      process.kill(up.pid(), 'SIGINT');
      expect((await up.done).code, up.stderr()).toBe(0);

      // No `up` now: a run finds istiod dead, starts it alone, and leaves the control plane as it found it.
      process.kill(daemonPid('pilot-discovery'), 'SIGKILL');
      const run = await meshproof(['run', join(root, 'plans/tutorial.yaml'), '--target', 'kwok', '--seed', '1'], {
        timeoutMs: 4 * MIN,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/istiod \(pilot-discovery, pid \d+\) is not running: it is started again in place/);
      expect(run.stderr).toContain('✓ reuse the running control plane');
      expect(run.stderr).not.toMatch(/start etcd|stopping what is left/);
      const end = cp.readState()!;
      expect(end.startedAt).toBe(before.startedAt);
      for (const d of end.daemons) expect(isRunning(d), d.name).toBe(true);
    },
    6 * MIN,
  );

  it(
    "1. a second run on a cluster a run works on is refused (exit 3, naming it); the first run's verdict is its own",
    async () => {
      const plan = join(root, 'plans/failing-canary.yaml');
      const first = started(['run', plan, '--target', 'kwok', '--seed', '21'], /▸ step 1\//, 4 * MIN);
      await first.ready;
      const second = await meshproof(['run', join(root, 'plans/tutorial.yaml'), '--target', 'kwok'], {
        timeoutMs: MIN,
      });
      expect(second.code, second.stderr).toBe(3);
      expect(second.stderr).toMatch(
        new RegExp(
          `the kwok control plane in \\S+ is in use by another meshproof process: pid ${first.pid()} \\(meshproof ` +
            `run \\S+failing-canary\\.yaml --target kwok --seed 21[^)]*\\) since ${SINCE}`,
        ),
      );
      const r = await first.done;
      expect(r.code, r.stderr).toBe(1);
      expect(verdictsOf(await results(r))).toEqual(intendedVerdicts('failing-canary.yaml', await loadPlan(plan)));
    },
    5 * MIN,
  );

  it(
    "1. a run that ends deletes only its own port-forwards: istioctl reads this process's proxies again",
    async () => {
      const pod = (await (await sharedTarget()).proxies('default')).find((p) => p.labels.app === 'productpage')!;
      const routes = await poll({
        what: `istioctl proxy-config routes ${pod.pod} to answer`,
        intervalMs: 500,
        timeoutMs: 30_000,
        check: async () => {
          const r = await execFileAsync(
            binary(paths.cache, 'istioctl'),
            ['--kubeconfig', kubeconfig, 'proxy-config', 'routes', `${pod.pod}.default`, '-o', 'json'],
            { encoding: 'utf8', timeout: MIN },
          ).catch((err: Error) => err);
          return r instanceof Error
            ? { done: false, observed: r.message.split('\n').slice(-3).join(' ') }
            : { done: true, value: JSON.parse(r.stdout) as { name: string }[] };
        },
      });
      expect(routes.map((r) => r.name)).toContain('9080');
    },
    MIN,
  );

  it(
    '1. two runs sharing the cluster (--shared): a step whose config the other run changed while it was verified ' +
      'fails with the reason',
    async () => {
      const victim = join(root, 'e2e/plans/shared-victim.yaml');
      const first = started(
        ['run', victim, '--target', 'kwok', '--shared', '--seed', '21'],
        /▸ step 1\/1 bad-canary-50\n(.*\n)*\s+settled after/,
        5 * MIN,
      );
      await first.ready;
      // The second run's setup puts every route back on v1, ratings' plain rule included.
      const second = await meshproof(['run', join(root, 'plans/tutorial.yaml'), '--target', 'kwok', '--shared'], {
        timeoutMs: 4 * MIN,
      });
      const r = await first.done;
      expect(second.code, second.stderr).toBe(0);
      expect(r.code, r.stderr).toBe(3);
      const step = (await results(r)).steps[0]!;
      expect(step.outcome).toBe('error');
      expect(step.message).toMatch(
        new RegExp(
          /^step bad-canary-50: another writer changed its config while it was verified: /.source +
            /VirtualService (ratings|reviews)\.default changed \(generation \d+ → \d+\)/.source,
        ),
      );
      expect(r.stdout + r.stderr).not.toMatch(/rollback passed/);
      await restoreBase(kubeconfig, await planObjects(victim));
    },
    6 * MIN,
  );
});
